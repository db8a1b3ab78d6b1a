//! A Python `marketloop.BanditAlgorithm` as the engine's [`DynBanditPolicy`]: [`PyBandit`].
//!
//! Each firm of each run gets its own deep copy of the user's object, `reset(k)` first; the
//! engine then calls `select(rng)` (the firm's own exploration stream lent as a
//! `marketloop.Rng`) and `update(arm, reward)` (the reward a Python float: 0.0 or 1.0 under
//! Bernoulli rewards, real under Gaussian ones), exactly where it calls a built-in's. The bound
//! methods are looked up once per copy, so a round costs two Python calls and nothing else.
//!
//! A plug-in that raises or returns something other than an arm index in `0..k` (a float, NaN,
//! a list, a bool, an index out of range) is recorded in the run's
//! [`Context`](super::Context) with its firm slot and step; from then on the firm answers arm 0
//! without calling Python (the replicate is discarded) and the run stops with a
//! `MarketloopError` naming the plug-in, the step and the replicate.

use super::Origin;
use crate::rng::PyRng;
use marketloop_core::bandits::{BanditError, BetaPosterior, BetaPrior, DynBanditPolicy};
use marketloop_core::rng::PortableRng;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyFloat};
use std::sync::Arc;

/// One firm's copy of a Python bandit algorithm.
pub struct PyBandit {
    obj: Py<PyAny>,
    select: Py<PyAny>,
    update: Py<PyAny>,
    rng: Py<PyRng>,
    /// The data the firm recorded (what `DynBanditPolicy::dyn_posterior` reports).
    post: BetaPosterior,
    k: usize,
    /// `select` calls so far (the firm's step, counting monopoly and warm-start rounds).
    steps: u64,
    origin: Arc<Origin>,
}

fn deepcopy<'py>(obj: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    obj.py().import("copy")?.getattr("deepcopy")?.call1((obj,))
}

fn describe(v: &Bound<'_, PyAny>) -> String {
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
    /// A fresh copy of `template` on `k` arms (`template.reset(k)` called on the copy).
    pub fn build(template: &Py<PyAny>, k: usize, origin: Arc<Origin>) -> Result<Self, BanditError> {
        Python::attach(|py| {
            let made = deepcopy(template.bind(py))
                .map_err(|e| (e, "could not be copied (copy.deepcopy)"))
                .and_then(|obj| {
                    obj.call_method1("reset", (k,))
                        .map_err(|e| (e, "reset(k) raised"))?;
                    Self::bind(py, obj.unbind(), k, origin.clone())
                        .map_err(|e| (e, "has no select/update methods"))
                });
            made.map_err(|(e, what)| {
                let msg = format!("{} {what}: {e}", origin.label);
                origin.ctx.fail(&origin, None, what, Some(e));
                BanditError::Mismatch(msg)
            })
        })
    }

    fn bind(py: Python<'_>, obj: Py<PyAny>, k: usize, origin: Arc<Origin>) -> PyResult<Self> {
        let b = obj.bind(py);
        Ok(PyBandit {
            select: b.getattr("select")?.unbind(),
            update: b.getattr("update")?.unbind(),
            rng: Py::new(py, PyRng::lendable())?,
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

    /// The arm `v` names, or why it names none.
    fn arm(&self, v: &Bound<'_, PyAny>) -> Result<usize, String> {
        let k = self.k;
        let wrong = || {
            format!(
                "select returned {}, not an arm index in 0..{k}",
                describe(v)
            )
        };
        if v.is_instance_of::<PyBool>() || v.is_instance_of::<PyFloat>() {
            return Err(wrong());
        }
        match v.extract::<i64>() {
            Ok(a) if a >= 0 && (a as u64) < k as u64 => Ok(a as usize),
            Ok(a) => Err(format!(
                "select returned arm {a}, outside 0..{k} (K = {k} arms)"
            )),
            Err(_) => Err(wrong()),
        }
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
                Ok(Ok(v)) => match self.arm(v.bind(py)) {
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
        Python::attach(|py| {
            if let Err(e) = self.update.call1(py, (arm, reward)) {
                self.fail("update raised".into(), Some(e));
            }
        });
    }

    fn dyn_reset(&mut self) {
        self.post.reset();
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
            let copy = deepcopy(self.obj.bind(py))
                .and_then(|obj| Self::bind(py, obj.unbind(), self.k, self.origin.clone()));
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
                ..copy
            }) as Box<dyn DynBanditPolicy>
        })
    }
}
