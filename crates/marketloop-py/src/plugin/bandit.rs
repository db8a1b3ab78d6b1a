//! A Python `marketloop.BanditAlgorithm` as the engine's [`DynBanditPolicy`]: [`PyBandit`].
//!
//! Each firm of each run gets its own deep copy of the user's object, `reset(k)` first; the
//! engine then calls `select(rng)` (the firm's own exploration stream lent as a
//! `marketloop.Rng`) and `update(arm, reward)` (the reward a Python float: 0.0 or 1.0 under
//! Bernoulli rewards, real under Gaussian ones), exactly where it calls a built-in's. The bound
//! methods are looked up once per copy, so a round costs two Python calls and nothing else.
//!
//! **Batches.** With a batch size B > 1 (`Competition(..., batch=B)`), the firm asks the object
//! for its next B arms at once (`select_many(B, rng)`, the firm's stream lent for that call) and
//! hands it the B rewards in one `update_many(arms, rewards)` call once the batch's last arm has
//! been served: the batched-bandit protocol (decisions in batches, feedback at the batch end).
//! The engine still serves one arm per round and records each reward at once (reputations and
//! the firm's data move round by round); only the plug-in's learning waits for the batch end.
//! A batch counts the firm's own selections (its warm start, monopoly period and the game
//! rounds it wins, one sequence across the phases); `reset` (a scenario that wipes the
//! algorithm) drops the unfinished batch; at the end of the run the arms of an unfinished batch
//! are never served and their rewards never delivered.
//!
//! A plug-in that raises or returns something other than an arm index in `0..k` (a float, NaN,
//! a list, a bool, an index out of range; from `select_many`, not exactly B of them) is recorded in the run's
//! [`Context`](super::Context) with its firm slot and step; from then on the firm answers arm 0
//! without calling Python (the replicate is discarded) and the run stops with a
//! `MarketloopError` naming the plug-in, the step and the replicate.

use super::Origin;
use crate::rng::PyRng;
use marketloop_core::bandits::{BanditError, BetaPosterior, BetaPrior, DynBanditPolicy};
use marketloop_core::rng::PortableRng;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyFloat};
use std::collections::VecDeque;
use std::sync::Arc;

/// One firm's copy of a Python bandit algorithm.
pub struct PyBandit {
    obj: Py<PyAny>,
    select: Py<PyAny>,
    update: Py<PyAny>,
    rng: Py<PyRng>,
    /// The batch size B (1: one `select` and one `update` call per round).
    batch: usize,
    /// The batch's arms not served yet (B > 1).
    queue: VecDeque<usize>,
    /// The batch's served arms and their rewards, delivered at the batch end (B > 1).
    pending: (Vec<usize>, Vec<f64>),
    /// The data the firm recorded (what `DynBanditPolicy::dyn_posterior` reports).
    post: BetaPosterior,
    k: usize,
    /// `select` calls so far (the firm's step, counting monopoly and warm-start rounds).
    steps: u64,
    origin: Arc<Origin>,
}

/// `copy.deepcopy(obj)`.
pub(super) fn deepcopy<'py>(obj: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    obj.py().import("copy")?.getattr("deepcopy")?.call1((obj,))
}

/// `repr(v) (a type)` for error messages.
pub(super) fn describe(v: &Bound<'_, PyAny>) -> String {
    let repr = v
        .repr()
        .map(|r| r.to_string())
        .unwrap_or_else(|_| "<unprintable>".into());
    let ty = v
        .get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_default();
    format!("{repr} (a {ty})")
}

impl PyBandit {
    /// A fresh copy of `template` on `k` arms (`template.reset(k)` called on the copy), asked
    /// for its arms `batch` (>= 1) at a time.
    pub fn build(
        template: &Py<PyAny>,
        k: usize,
        batch: usize,
        origin: Arc<Origin>,
    ) -> Result<Self, BanditError> {
        Python::attach(|py| {
            let made = deepcopy(template.bind(py))
                .map_err(|e| (e, "could not be copied (copy.deepcopy)"))
                .and_then(|obj| {
                    obj.call_method1("reset", (k,))
                        .map_err(|e| (e, "reset(k) raised"))?;
                    let what = if batch > 1 {
                        "has no select_many/update_many methods"
                    } else {
                        "has no select/update methods"
                    };
                    Self::bind(py, obj.unbind(), k, batch, origin.clone()).map_err(|e| (e, what))
                });
            made.map_err(|(e, what)| {
                let msg = format!("{} {what}: {e}", origin.label);
                origin.ctx.fail(&origin, None, what, Some(e));
                BanditError::Mismatch(msg)
            })
        })
    }

    fn bind(
        py: Python<'_>,
        obj: Py<PyAny>,
        k: usize,
        batch: usize,
        origin: Arc<Origin>,
    ) -> PyResult<Self> {
        let b = obj.bind(py);
        let (select, update) = if batch > 1 {
            ("select_many", "update_many")
        } else {
            ("select", "update")
        };
        Ok(PyBandit {
            select: b.getattr(select)?.unbind(),
            update: b.getattr(update)?.unbind(),
            rng: Py::new(py, PyRng::lendable())?,
            batch,
            queue: VecDeque::with_capacity(batch),
            pending: (Vec::with_capacity(batch), Vec::with_capacity(batch)),
            obj,
            post: BetaPosterior::new(k, BetaPrior::default()),
            k,
            steps: 0,
            origin,
        })
    }

    fn fail(&self, what: String, cause: Option<PyErr>) {
        self.origin
            .ctx
            .fail(&self.origin, Some(self.steps), &what, cause);
    }

    /// The arm `v` names, or why it names none (`what`: "select returned", "select_many
    /// returned, at index 3,").
    fn arm(&self, v: &Bound<'_, PyAny>, what: &str) -> Result<usize, String> {
        let k = self.k;
        let wrong = || format!("{what} {}, not an arm index in 0..{k}", describe(v));
        if v.is_instance_of::<PyBool>() || v.is_instance_of::<PyFloat>() {
            return Err(wrong());
        }
        match v.extract::<i64>() {
            Ok(a) if a >= 0 && (a as u64) < k as u64 => Ok(a as usize),
            Ok(a) => Err(format!("{what} arm {a}, outside 0..{k} (K = {k} arms)")),
            Err(_) => Err(wrong()),
        }
    }

    /// Fills the queue with the B arms of `select_many(B, rng)`, or says why it cannot (and
    /// the Python exception, if one was raised).
    fn next_batch(
        &mut self,
        py: Python<'_>,
        rng: &mut PortableRng,
    ) -> Result<(), (String, Option<PyErr>)> {
        let b = self.batch;
        let cell = self.rng.bind(py);
        let got = PyRng::lend(cell, rng, || self.select.call1(py, (b, cell.clone())));
        let v = match got {
            Err(e) => return Err(("could not lend the run's Rng".into(), Some(e))),
            Ok(Err(e)) => return Err(("select_many raised".into(), Some(e))),
            Ok(Ok(v)) => v.into_bound(py),
        };
        let wrong = || {
            format!(
                "select_many({b}, rng) returned {}, not a sequence of {b} arm indices",
                describe(&v)
            )
        };
        if v.is_instance_of::<pyo3::types::PyString>() {
            return Err((wrong(), None));
        }
        let n = v.len().map_err(|_| (wrong(), None))?;
        if n != b {
            return Err((
                format!("select_many({b}, rng) returned {n} arms; a batch is {b} arms"),
                None,
            ));
        }
        let items = v.try_iter().map_err(|_| (wrong(), None))?;
        for (i, x) in items.enumerate() {
            let x = x.map_err(|_| (wrong(), None))?;
            let what = format!("select_many({b}, rng) returned, at index {i},");
            let a = self.arm(&x, &what).map_err(|m| (m, None))?;
            self.queue.push_back(a);
        }
        Ok(())
    }

    /// The next arm of the batch (asking for a new batch when the last is used up).
    fn select_batched(&mut self, rng: &mut PortableRng) -> usize {
        if self.queue.is_empty() {
            let filled = Python::attach(|py| self.next_batch(py, rng));
            if let Err((what, cause)) = filled {
                self.queue.clear();
                self.fail(what, cause);
                return 0;
            }
        }
        self.queue.pop_front().unwrap_or(0)
    }

    /// Records a reward; at the batch end hands the batch to `update_many(arms, rewards)`.
    fn update_batched(&mut self, arm: usize, reward: f64) {
        self.pending.0.push(arm);
        self.pending.1.push(reward);
        if self.pending.0.len() < self.batch {
            return;
        }
        let (arms, rewards) = std::mem::take(&mut self.pending);
        Python::attach(|py| {
            if let Err(e) = self.update.call1(py, (arms.clone(), rewards.clone())) {
                self.fail("update_many raised".into(), Some(e));
            }
        });
        self.pending = (arms, rewards);
        self.pending.0.clear();
        self.pending.1.clear();
    }
}

impl DynBanditPolicy for PyBandit {
    fn dyn_k(&self) -> usize {
        self.k
    }

    fn dyn_select(&mut self, rng: &mut PortableRng) -> usize {
        if self.origin.ctx.failed() {
            return 0;
        }
        self.steps += 1;
        if self.batch > 1 {
            return self.select_batched(rng);
        }
        Python::attach(|py| {
            let cell = self.rng.bind(py);
            let got = PyRng::lend(cell, rng, || self.select.call1(py, (cell.clone(),)));
            match got {
                Err(e) => {
                    self.fail("could not lend the run's Rng".into(), Some(e));
                    0
                }
                Ok(Err(e)) => {
                    self.fail("select raised".into(), Some(e));
                    0
                }
                Ok(Ok(v)) => match self.arm(v.bind(py), "select returned") {
                    Ok(a) => a,
                    Err(what) => {
                        self.fail(what, None);
                        0
                    }
                },
            }
        })
    }

    fn dyn_update(&mut self, arm: usize, reward: f64) {
        if self.origin.ctx.failed() {
            return;
        }
        self.post.update(arm, reward);
        if self.batch > 1 {
            return self.update_batched(arm, reward);
        }
        Python::attach(|py| {
            if let Err(e) = self.update.call1(py, (arm, reward)) {
                self.fail("update raised".into(), Some(e));
            }
        });
    }

    fn dyn_reset(&mut self) {
        self.post.reset();
        self.queue.clear();
        self.pending.0.clear();
        self.pending.1.clear();
        if self.origin.ctx.failed() {
            return;
        }
        Python::attach(|py| {
            if let Err(e) = self.obj.bind(py).call_method1("reset", (self.k,)) {
                self.fail("reset(k) raised".into(), Some(e));
            }
        });
    }

    fn dyn_posterior(&self) -> &BetaPosterior {
        &self.post
    }

    fn dyn_clone(&self) -> Box<dyn DynBanditPolicy> {
        Python::attach(|py| {
            let copy = deepcopy(self.obj.bind(py)).and_then(|obj| {
                Self::bind(py, obj.unbind(), self.k, self.batch, self.origin.clone())
            });
            let copy = match copy {
                Ok(c) => c,
                Err(e) => {
                    self.fail("could not be copied (copy.deepcopy)".into(), Some(e));
                    // Inert from now on (the run has failed): share the object.
                    PyBandit {
                        obj: self.obj.clone_ref(py),
                        select: self.select.clone_ref(py),
                        update: self.update.clone_ref(py),
                        rng: self.rng.clone_ref(py),
                        batch: self.batch,
                        queue: VecDeque::new(),
                        pending: (Vec::new(), Vec::new()),
                        post: self.post.clone(),
                        k: self.k,
                        steps: self.steps,
                        origin: self.origin.clone(),
                    }
                }
            };
            Box::new(PyBandit {
                post: self.post.clone(),
                steps: self.steps,
                queue: self.queue.clone(),
                pending: self.pending.clone(),
                ..copy
            }) as Box<dyn DynBanditPolicy>
        })
    }
}
