//! A Python response function (`marketloop.ResponseFunction`, or a plain function) as the
//! game's [`DynResponseFunction`]: [`PyResponse`].
//!
//! Each game gets its own deep copy of the user's object. In every game round with two or more
//! firms the engine calls `choose(reputations, recent, rng)`: the firms' reputations (floats in
//! [0, 1]; with `exact = True` on the class, `(sum, n)` pairs, the exact ratios the built-ins
//! compare), each firm's most recent game recommendation (an arm, or None before its first) and
//! the run's response stream lent as a `marketloop.Rng`, exactly where a built-in response draws
//! from it. A plug-in that raises or returns anything but a firm index in `0..n` (a float, NaN,
//! a bool, an index out of range) is recorded in the run's [`Context`](super::Context) with the
//! round; from then on the users pick firm 0 without calling Python and the run stops with a
//! `MarketloopError` naming the plug-in, the round and the replicate.

use super::bandit::{deepcopy, describe};
use super::Origin;
use crate::rng::PyRng;
use marketloop_core::bandits::{
    Arrival, BanditError, CustomResponse, DynResponseFunction, Reputation,
};
use marketloop_core::rng::PortableRng;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyFloat, PyList};
use std::sync::Arc;

/// The reputations as Python sees them: floats, or with `exact` the `(sum, n)` pairs of each
/// window (the one place a [`Reputation`] becomes Python data).
pub fn reputations<'py>(
    py: Python<'py>,
    reps: &[Reputation],
    exact: bool,
) -> PyResult<Bound<'py, PyList>> {
    if exact {
        PyList::new(py, reps.iter().map(|r| (r.sum, r.n)))
    } else {
        PyList::new(py, reps.iter().map(|r| r.value()))
    }
}

/// One game's copy of a Python response function.
pub struct PyResponse {
    obj: Py<PyAny>,
    choose: Py<PyAny>,
    rng: Py<PyRng>,
    exact: bool,
    /// Game rounds so far (the round of the current call, 1-based).
    round: u64,
    origin: Arc<Origin>,
}

impl PyResponse {
    /// The user's response `template` as a config's [`CustomResponse`] named `name`: a fresh
    /// copy of it for every game.
    pub fn custom(name: String, template: Arc<Py<PyAny>>, origin: Arc<Origin>) -> CustomResponse {
        CustomResponse::new(name, move || {
            Self::build(&template, Arc::clone(&origin))
                .map(|r| Box::new(r) as Box<dyn DynResponseFunction>)
        })
    }

    fn build(template: &Py<PyAny>, origin: Arc<Origin>) -> Result<Self, BanditError> {
        Python::attach(|py| {
            let made = deepcopy(template.bind(py))
                .map_err(|e| (e, "could not be copied (copy.deepcopy)"))
                .and_then(|obj| Self::bind(obj, origin.clone()).map_err(|e| (e, "has no choose")));
            made.map_err(|(e, what)| {
                let msg = format!("{} {what}: {e}", origin.label);
                origin.ctx.fail(&origin, None, what, Some(e));
                BanditError::Mismatch(msg)
            })
        })
    }

    fn bind(obj: Bound<'_, PyAny>, origin: Arc<Origin>) -> PyResult<Self> {
        let py = obj.py();
        let exact = match obj.getattr("exact") {
            Ok(x) => x.is_truthy()?,
            Err(_) => false,
        };
        Ok(PyResponse {
            choose: obj.getattr("choose")?.unbind(),
            rng: Py::new(py, PyRng::lendable())?,
            exact,
            round: 0,
            origin,
            obj: obj.unbind(),
        })
    }

    fn fail(&self, what: String, cause: Option<PyErr>) {
        self.origin
            .ctx
            .fail(&self.origin, Some(self.round), &what, cause);
    }

    /// The firm `v` names, or why it names none.
    fn firm(v: &Bound<'_, PyAny>, n: usize) -> Result<usize, String> {
        let wrong = || {
            format!(
                "choose returned {}, not a firm index in 0..{n}",
                describe(v)
            )
        };
        if v.is_instance_of::<PyBool>() || v.is_instance_of::<PyFloat>() {
            return Err(wrong());
        }
        match v.extract::<i64>() {
            Ok(i) if i >= 0 && (i as u64) < n as u64 => Ok(i as usize),
            Ok(i) => Err(format!(
                "choose returned firm {i}, outside 0..{n} ({n} firms)"
            )),
            Err(_) => Err(wrong()),
        }
    }
}

impl DynResponseFunction for PyResponse {
    fn dyn_choose(&mut self, arrival: &Arrival<'_>, rng: &mut PortableRng) -> usize {
        self.round += 1;
        if self.origin.ctx.failed() {
            return 0;
        }
        let n = arrival.reps.len();
        Python::attach(|py| {
            let args = reputations(py, arrival.reps, self.exact).and_then(|reps| {
                let recent = PyList::new(py, arrival.recent.iter())?;
                Ok((reps, recent))
            });
            let (reps, recent) = match args {
                Ok(a) => a,
                Err(e) => {
                    self.fail("could not be handed the reputations".into(), Some(e));
                    return 0;
                }
            };
            let cell = self.rng.bind(py);
            let got = PyRng::lend(cell, rng, || {
                self.choose.call1(py, (reps, recent, cell.clone()))
            });
            match got {
                Err(e) => {
                    self.fail("could not lend the run's Rng".into(), Some(e));
                    0
                }
                Ok(Err(e)) => {
                    self.fail("choose raised".into(), Some(e));
                    0
                }
                Ok(Ok(v)) => match Self::firm(v.bind(py), n) {
                    Ok(i) => i,
                    Err(what) => {
                        self.fail(what, None);
                        0
                    }
                },
            }
        })
    }

    fn dyn_clone(&self) -> Box<dyn DynResponseFunction> {
        Python::attach(|py| {
            let copy =
                deepcopy(self.obj.bind(py)).and_then(|obj| Self::bind(obj, self.origin.clone()));
            match copy {
                Ok(c) => Box::new(PyResponse {
                    round: self.round,
                    ..c
                }) as Box<dyn DynResponseFunction>,
                Err(e) => {
                    self.fail("could not be copied (copy.deepcopy)".into(), Some(e));
                    // Inert from now on (the run has failed): share the object.
                    Box::new(PyResponse {
                        obj: self.obj.clone_ref(py),
                        choose: self.choose.clone_ref(py),
                        rng: self.rng.clone_ref(py),
                        exact: self.exact,
                        round: self.round,
                        origin: self.origin.clone(),
                    })
                }
            }
        })
    }
}
