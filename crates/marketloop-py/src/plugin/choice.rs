//! A Python choice rule (`marketloop.ChoiceRule`) as the market's [`ChoiceModel`]: [`PyChoice`].
//!
//! Each replicate gets its own deep copy of the user's object, `reset(visibility,
//! position_factors, feedback)` first. For every arriving user the engine calls
//! `weights(user_type, items, attention, counts, step)`: the items she is shown (under a ranking
//! the slate, best position first; under the market's fixed visibility the items of positive
//! v_ij, in index order), the attention each gets (v_ij iota_p under a ranking, v_ij otherwise),
//! the purchase counts and the step. The rule answers trial *weights*, one per shown item,
//! optionally with the weight of trying nothing: `w` or `(w, w_none)`. The user tries the item
//! at position p with probability w_p / (w_none + sum w) and nothing with the rest.
//!
//! The engine samples from the weights exactly as the built-in logit samples its slate (one
//! uniform u of the replicate's `Choice` stream per user, drawn first even when she tries
//! nothing; then the first position whose weight exceeds what is left of u * total, scanning in
//! order), so a rule answering the logit's weights v_ij iota_p d_j^r is the built-in logit under
//! a ranking bit for bit. Under fixed visibility the built-in keeps an incremental sum tree,
//! whose sums round differently: the same distribution, not the same bits (see the Python API
//! docs).
//!
//! Weights that are not a sequence of the right length, negative, NaN or infinite (or sum to
//! infinity), and a rule that raises, are recorded in the run's [`Context`](super::Context)
//! with the step; from then on users try nothing without calling Python and the run stops with
//! a `MarketloopError` naming the plug-in, the step and the replicate.

use super::bandit::{deepcopy, describe};
use super::Origin;
use crate::convert::int_array;
use marketloop_core::market::{
    scan_weights, ChoiceModel, ChoiceSampler, CountState, Market, Slate,
};
use pyo3::prelude::*;
use pyo3::types::PyBytes;
use rand::Rng;
use std::sync::Arc;

/// f64s as a read-only numpy float64 array.
fn float_array<'py>(py: Python<'py>, v: &[f64]) -> PyResult<Bound<'py, PyAny>> {
    let bytes: Vec<u8> = v.iter().flat_map(|x| x.to_le_bytes()).collect();
    py.import("numpy")?
        .getattr("frombuffer")?
        .call1((PyBytes::new(py, &bytes), "<f8"))
}

/// One replicate's copy of a Python choice rule.
pub struct PyChoice {
    obj: Py<PyAny>,
    weights: Py<PyAny>,
    /// Per user type under fixed visibility: (items with v_ij > 0, their v_ij), as numpy
    /// arrays, and the items as indices.
    fixed: Vec<(Py<PyAny>, Py<PyAny>, Vec<u32>)>,
    origin: Arc<Origin>,
}

impl std::fmt::Debug for PyChoice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PyChoice({})", self.origin.label)
    }
}

impl Clone for PyChoice {
    /// The same Python object (a replicate's copy is made by [`PyChoice::build`]).
    fn clone(&self) -> Self {
        Python::attach(|py| PyChoice {
            obj: self.obj.clone_ref(py),
            weights: self.weights.clone_ref(py),
            fixed: self
                .fixed
                .iter()
                .map(|(a, b, c)| (a.clone_ref(py), b.clone_ref(py), c.clone()))
                .collect(),
            origin: Arc::clone(&self.origin),
        })
    }
}

impl PyChoice {
    /// A fresh copy of `template` for one replicate of `market`, reset with the market's
    /// visibility (m x n), the position factors of its ranking (None under fixed visibility)
    /// and the feedback exponents.
    pub fn build(
        py: Python<'_>,
        template: &Py<PyAny>,
        market: &Market,
        position_factors: Option<&[f64]>,
        origin: Arc<Origin>,
    ) -> PyResult<Self> {
        let obj = deepcopy(template.bind(py))?;
        let (m, n) = (market.n_types(), market.n_items());
        let v: Vec<f64> = (0..m)
            .flat_map(|i| market.visibility_row(i).iter())
            .collect();
        let visibility = float_array(py, &v)?.call_method1("reshape", ((m, n),))?;
        let bias = match position_factors {
            Some(w) => float_array(py, w)?.into_any(),
            None => py.None().into_bound(py),
        };
        let feedback = float_array(py, market.feedback())?;
        obj.call_method1("reset", (visibility, bias, feedback))?;
        let mut fixed = Vec::with_capacity(m);
        for i in 0..m {
            let items = market.visible_items(i);
            let as_i64: Vec<u64> = items.iter().map(|&j| u64::from(j)).collect();
            let row = market.sampling_visibility_row(i);
            let att: Vec<f64> = items.iter().map(|&j| row.get(j as usize)).collect();
            fixed.push((
                int_array(py, &as_i64)?.unbind(),
                float_array(py, &att)?.unbind(),
                items.to_vec(),
            ));
        }
        Ok(PyChoice {
            weights: obj.getattr("weights")?.unbind(),
            obj: obj.unbind(),
            fixed,
            origin,
        })
    }

    fn fail(&self, step: u64, what: String, cause: Option<PyErr>) {
        self.origin.ctx.fail(&self.origin, Some(step), &what, cause);
    }

    /// The rule's weights for what a type-`user_type` user is shown (`shown`: items, their
    /// attention, the counts) at `step` (1-based), into `out`; returns the weight of trying
    /// nothing, or `None` after recording a failure.
    fn call(
        &self,
        py: Python<'_>,
        user_type: usize,
        shown: (&Bound<'_, PyAny>, &Bound<'_, PyAny>, Bound<'_, PyAny>),
        step: u64,
        out: &mut [f64],
    ) -> Option<f64> {
        let (items, attention, counts) = shown;
        let got = self.weights.call1(
            py,
            (user_type, items, attention, counts, step.saturating_sub(1)),
        );
        let v = match got {
            Ok(v) => v.into_bound(py),
            Err(e) => {
                self.fail(step, "weights raised".into(), Some(e));
                return None;
            }
        };
        let n = out.len();
        let parsed: Result<(Vec<f64>, f64), ()> = match v.extract::<Vec<f64>>() {
            Ok(w) => Ok((w, 0.0)),
            Err(_) => v.extract::<(Vec<f64>, f64)>().map_err(|_| ()),
        };
        let (w, none) = match parsed {
            Ok(x) => x,
            Err(()) => {
                let what = format!(
                    "weights returned {}, not {n} trial weights (a sequence of numbers, one per \
                     shown item) or a pair (weights, weight of trying nothing)",
                    describe(&v)
                );
                self.fail(step, what, None);
                return None;
            }
        };
        if w.len() != n {
            let what = format!(
                "weights returned {} weights for the {n} items shown to a type-{user_type} user",
                w.len()
            );
            self.fail(step, what, None);
            return None;
        }
        if let Some((p, x)) = w
            .iter()
            .enumerate()
            .find(|(_, x)| !(x.is_finite() && **x >= 0.0))
        {
            let what = format!(
                "weights returned {x} for the item at position {} (weights must be finite and >= \
                 0)",
                p + 1
            );
            self.fail(step, what, None);
            return None;
        }
        if !(none.is_finite() && none >= 0.0) {
            let what = format!(
                "weights returned {none} as the weight of trying nothing (it must be finite and \
                 >= 0)"
            );
            self.fail(step, what, None);
            return None;
        }
        let total: f64 = w.iter().sum::<f64>() + none;
        if !total.is_finite() {
            self.fail(step, format!("weights sum to {total}"), None);
            return None;
        }
        out.copy_from_slice(&w);
        Some(none)
    }

    /// Samples from `w` (one per shown item, `items` in position order) with the weight of
    /// trying nothing `none`, from the uniform `u`: the built-in logit's scan over its slate.
    fn pick(u: f64, w: &[f64], none: f64, items: &[u32]) -> Option<usize> {
        let mut total = 0.0;
        for &x in w {
            total += x;
        }
        if none > 0.0 {
            total += none;
        }
        if total <= 0.0 {
            return None;
        }
        match scan_weights(u * total, w, items) {
            Ok(j) => Some(j),
            // Past every shown item: the weight of trying nothing, else rounding.
            Err(last) => {
                if none > 0.0 {
                    None
                } else {
                    last
                }
            }
        }
    }

    /// The item a type-`user_type` user tries from the fixed-visibility items of her type.
    fn sample_fixed(&self, state: &CountState, user_type: usize, u: f64) -> Option<usize> {
        let step = state.arrivals() + 1;
        if self.origin.ctx.failed() {
            return None;
        }
        let (items, att, idx) = &self.fixed[user_type];
        let mut w = vec![0.0; idx.len()];
        let none = Python::attach(|py| {
            let counts = match int_array(py, state.counts()) {
                Ok(c) => c,
                Err(e) => {
                    self.fail(step, "could not be handed the counts".into(), Some(e));
                    return None;
                }
            };
            let shown = (items.bind(py), att.bind(py), counts);
            self.call(py, user_type, shown, step, &mut w)
        })?;
        Self::pick(u, &w, none, idx)
    }
}

impl ChoiceModel for PyChoice {
    type Sampler = PyChoiceSampler;

    /// The rule's weights normalised, with the shares in place of the counts (analysis; not
    /// reached from Python, whose equilibrium and dynamics refuse a choice plug-in).
    fn trial_probabilities(
        &self,
        _market: &Market,
        user_type: usize,
        shares: &[f64],
        out: &mut [f64],
    ) -> f64 {
        out.iter_mut().for_each(|o| *o = 0.0);
        if self.origin.ctx.failed() {
            return 0.0;
        }
        let (items, att, idx) = &self.fixed[user_type];
        let mut w = vec![0.0; idx.len()];
        let none = Python::attach(|py| {
            let s = float_array(py, shares).ok()?;
            self.call(py, user_type, (items.bind(py), att.bind(py), s), 0, &mut w)
        });
        let Some(none) = none else { return 0.0 };
        let total: f64 = w.iter().sum::<f64>() + none;
        if total > 0.0 {
            for (&j, x) in idx.iter().zip(&w) {
                out[j as usize] = x / total;
            }
        }
        total
    }

    fn sampler(&self, _market: &Market, _state: &CountState) -> PyChoiceSampler {
        PyChoiceSampler(self.clone())
    }

    fn sample_slate<R: Rng + ?Sized>(
        &self,
        _market: &Market,
        state: &CountState,
        user_type: usize,
        slate: &Slate<'_>,
        scratch: &mut [f64],
        rng: &mut R,
    ) -> Option<usize> {
        let u = rng.random::<f64>();
        let step = state.arrivals() + 1;
        if self.origin.ctx.failed() {
            return None;
        }
        let items = slate.items();
        let mut w = vec![0.0; items.len()];
        let none = Python::attach(|py| {
            for (p, s) in scratch.iter_mut().take(items.len()).enumerate() {
                *s = slate.attention(p);
            }
            let shown: Vec<u64> = items.iter().map(|&j| u64::from(j)).collect();
            let handed = (|| -> PyResult<_> {
                Ok((
                    int_array(py, &shown)?,
                    float_array(py, &scratch[..items.len()])?,
                    int_array(py, state.counts())?,
                ))
            })();
            match handed {
                Ok((a, b, c)) => self.call(py, user_type, (&a, &b, c), step, &mut w),
                Err(e) => {
                    self.fail(step, "could not be handed the slate".into(), Some(e));
                    None
                }
            }
        })?;
        Self::pick(u, &w, none, items)
    }
}

/// [`PyChoice`]'s sampler under the market's fixed visibility: no state of its own (the rule is
/// asked for every user).
#[derive(Clone, Debug)]
pub struct PyChoiceSampler(PyChoice);

impl ChoiceSampler for PyChoiceSampler {
    fn sample<R: Rng + ?Sized>(
        &mut self,
        _market: &Market,
        state: &CountState,
        user_type: usize,
        rng: &mut R,
    ) -> Option<usize> {
        let u = rng.random::<f64>();
        self.0.sample_fixed(state, user_type, u)
    }

    fn on_purchase(&mut self, _market: &Market, _state: &CountState, _item: usize) {}
}
