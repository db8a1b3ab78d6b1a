//! Python observers (`marketloop.Observer`, or a dict of name -> function): calling one and
//! checking its answer ([`call_observer`], shared by market and game observers), and a Python
//! observer of a competition game ([`PyGameObserver`], the engine's `GameObserver`).

use super::Origin;
use marketloop_core::bandits::{GameObserver, GameView};
use marketloop_io::experiment::ObserverSpec;
use marketloop_io::IoError;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use std::sync::Arc;

/// Calls observer `f` on `view` and writes its values (one per name) into `out`; a failure is
/// `(what went wrong, the Python exception)`.
pub fn call_observer(
    py: Python<'_>,
    f: &Py<PyAny>,
    view: Bound<'_, PyDict>,
    names: &[String],
    out: &mut [f64],
) -> Result<(), (String, Option<PyErr>)> {
    let v = f
        .call1(py, (view,))
        .map_err(|e| ("raised".into(), Some(e)))?;
    let values: Vec<f64> = v.extract(py).map_err(|_| {
        (
            format!("returned {}, not a sequence of numbers", v.bind(py)),
            None,
        )
    })?;
    if values.len() != out.len() {
        return Err((
            format!(
                "returned {} values for its {} names {names:?}",
                values.len(),
                out.len(),
            ),
            None,
        ));
    }
    if let Some((i, x)) = values.iter().enumerate().find(|(_, x)| !x.is_finite()) {
        return Err((format!("returned {x} for {:?}", names[i]), None));
    }
    out.copy_from_slice(&values);
    Ok(())
}

/// A Python observer of a competition game: called at every recorded round with a dict
/// (`round`, `horizon`, `replicate`, and per firm `shares`, `reputation`, `chosen`, `served`,
/// `firm_regret`, plus `regret` and the instance's `means`), returning one number per name.
pub struct PyGameObserver {
    names: Vec<String>,
    f: Py<PyAny>,
    origin: Arc<Origin>,
}

impl GameObserver for PyGameObserver {
    fn names(&self, _: usize) -> Vec<String> {
        self.names.clone()
    }

    fn observe(&mut self, view: &GameView<'_>, out: &mut [f64]) {
        out.iter_mut().for_each(|o| *o = 0.0);
        if self.origin.ctx.failed() {
            return;
        }
        let s = view.state;
        let step = Some(s.round as u64);
        Python::attach(|py| {
            let d = PyDict::new(py);
            let filled = (|| -> PyResult<()> {
                d.set_item("round", s.round)?;
                d.set_item("horizon", s.horizon)?;
                d.set_item("replicate", view.replicate)?;
                d.set_item("shares", s.shares.clone())?;
                d.set_item("reputation", s.reputation.clone())?;
                d.set_item("chosen", s.chosen.clone())?;
                d.set_item("served", s.served.clone())?;
                d.set_item("firm_regret", s.firm_regret.clone())?;
                d.set_item("regret", s.regret)?;
                d.set_item("means", view.means.means().to_vec())?;
                Ok(())
            })();
            let result = match filled {
                Ok(()) => call_observer(py, &self.f, d, &self.names, out),
                Err(e) => Err(("could not be handed the state".into(), Some(e))),
            };
            if let Err((what, cause)) = result {
                self.origin.ctx.fail(&self.origin, step, &what, cause);
            }
        });
    }
}

/// The game observers `(names, callable, label)` as the experiment layer takes them: each game
/// gets a deep copy of the callable (an observer may keep state over its game).
pub fn game_observers(
    observers: Vec<(Vec<String>, Py<PyAny>, String)>,
    ctx: &Arc<super::Context>,
) -> Vec<ObserverSpec> {
    observers
        .into_iter()
        .map(|(names, f, label)| {
            let origin = Arc::new(Origin {
                label: format!("observer {label:?}"),
                field: "observers".into(),
                ctx: Arc::clone(ctx),
            });
            let f = Arc::new(f);
            ObserverSpec::new(label, move || {
                Python::attach(|py| {
                    let copy = py
                        .import("copy")
                        .and_then(|m| m.getattr("deepcopy"))
                        .and_then(|d| d.call1((f.bind(py),)))
                        .map_err(|e| {
                            IoError::spec(
                                "observers",
                                format!("{} could not be copied: {e}", origin.label),
                            )
                        })?;
                    Ok(Box::new(PyGameObserver {
                        names: names.clone(),
                        f: copy.unbind(),
                        origin: Arc::clone(&origin),
                    })
                        as marketloop_core::bandits::BoxedGameObserver)
                })
            })
        })
        .collect()
}
