//! A Python callable as the prior of the Bayesian-choice model
//! (`marketloop.BayesianChoice(prior=callable, k=K, belief=[a, b], ...)`): [`bayes_with_prior`].
//!
//! The spec travels as JSON with `prior = "custom"` and `k`; the callable comes beside it and
//! becomes the core's [`CustomPrior`]. For Monte Carlo path m the engine lends the path's own
//! prior stream (`SeedSequence::stream(m, Source::Instance)`, the stream the built-in priors
//! draw from) as a `marketloop.Rng` and calls `prior(rng, k)`, which returns K means in
//! [0, 1]. So a user's prior is as reproducible as a built-in: same seed, same curves, any
//! thread count. The paths run on the worker threads with the GIL released; each draw attaches
//! to Python for its call.
//!
//! A callable that raises or returns something that is not a sequence of numbers is recorded in
//! the run's [`Context`] (later draws no longer call Python) and the run fails with a
//! `MarketloopError` naming `prior`, with the exception as its `__cause__`. Wrong lengths,
//! NaN and means outside [0, 1] are refused by the core's check of every draw, whose message
//! names the prior, the arm and the value.

use super::{Context, Origin};
use crate::convert::py_err;
use crate::rng::PyRng;
use marketloop_core::bandits::bayesian::CustomPrior;
use marketloop_core::rng::PortableRng;
use marketloop_io::experiment::Bayes;
use marketloop_io::spec::BayesSpec;
use pyo3::prelude::*;
use std::sync::Arc;

/// The experiment of `spec`, drawn by `prior` if given (then the spec's prior must be
/// `"custom"`), and the failure record its draws report to.
pub fn bayes_with_prior(
    py: Python<'_>,
    spec: BayesSpec,
    prior: Option<Py<PyAny>>,
) -> PyResult<(Bayes, Arc<Context>)> {
    let ctx = Arc::new(Context::default());
    let Some(callable) = prior else {
        return Ok((Bayes::new(spec).map_err(py_err)?, ctx));
    };
    let name = callable
        .bind(py)
        .getattr("__name__")
        .and_then(|n| n.extract::<String>())
        .unwrap_or_else(|_| "prior".into());
    let k = match spec.prior {
        marketloop_io::spec::PriorSpec::Custom { k } => k,
        _ => 0,
    };
    let origin = Arc::new(Origin {
        label: format!("prior {name:?}"),
        field: "prior".into(),
        ctx: ctx.clone(),
    });
    let callable = Arc::new(callable);
    let sampler = CustomPrior::new(name, k, move |rng| draw(&callable, k, rng, &origin));
    Ok((Bayes::with_sampler(spec, sampler).map_err(py_err)?, ctx))
}

/// `err` of a run, or the prior's recorded failure (with its exception as the cause).
pub fn run_error(py: Python<'_>, ctx: &Context, err: PyErr) -> PyErr {
    match ctx.error("the reward curves") {
        Some(e) => ctx.to_py(py, e),
        None => err,
    }
}

/// One draw: `prior(rng, k)` with `rng` lent; an empty vector (refused by the core's check)
/// once the callable has failed.
fn draw(callable: &Py<PyAny>, k: usize, rng: &mut PortableRng, origin: &Origin) -> Vec<f64> {
    if origin.ctx.failed() {
        return Vec::new();
    }
    Python::attach(|py| {
        let cell = match Bound::new(py, PyRng::lendable()) {
            Ok(c) => c,
            Err(e) => return fail(origin, "could not lend the stream", e),
        };
        let out = match PyRng::lend(&cell, rng, || callable.bind(py).call1((cell.clone(), k))) {
            Ok(out) => out,
            Err(e) => return fail(origin, "kept its Rng borrowed", e),
        };
        let v = match out {
            Ok(v) => v,
            Err(e) => return fail(origin, "raised", e),
        };
        match v.extract::<Vec<f64>>() {
            Ok(means) => means,
            Err(e) => {
                let repr = v
                    .repr()
                    .map(|r| r.to_string())
                    .unwrap_or_else(|_| "<unprintable>".into());
                fail(
                    origin,
                    &format!("returned {repr}, not a sequence of K = {k} numbers in [0, 1]"),
                    e,
                )
            }
        }
    })
}

fn fail(origin: &Origin, what: &str, cause: PyErr) -> Vec<f64> {
    origin.ctx.fail(origin, None, what, Some(cause));
    Vec::new()
}
