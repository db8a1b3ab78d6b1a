//! Choice rules: how an arriving user picks the item to try, given what she sees and the
//! purchase counts so far. One trait, [`ChoiceModel`], serves both the analysis (its
//! `trial_probabilities`) and the stochastic engine (its incremental [`ChoiceSampler`] under the
//! market's fixed visibility, and its `sample_slate` under a ranking), so a second rule — a
//! position-only click model, a nested logit — is one new implementation, run by the same engine
//! with static dispatch.
//!
//! - `logit.rs`: the built-in [`MultinomialLogit`] of eq. (1) and its sum-tree sampler.
//! - `masses.rs`: the analytic quantities of the logit: the trial masses, the spendings b_ij of
//!   the deterministic dynamic (eq. 6), the purchase masses y_j(phi) and the next-purchase
//!   probabilities p_j(phi) of Lemma 2.1 (eq. 2).

mod logit;
mod masses;

pub use logit::{scan_weights, LogitSampler, MultinomialLogit};
pub use masses::{next_purchase_probabilities, purchase_masses, spending, trial_masses};

use super::model::{Market, Row};
use super::state::CountState;
use rand::Rng;

/// How a user of a given type picks the item to try.
///
/// Randomness: the engine hands the sampling methods the replicate's `Choice` stream. The
/// built-in logit draws exactly one uniform per call, also when the user tries nothing; a rule
/// that draws a fixed number per call keeps the trial draws of every step aligned across
/// experiment arms (common random numbers).
pub trait ChoiceModel {
    /// The rule's sampling state under the market's fixed visibility: built from the market at
    /// the start of a replicate, updated on each purchase, sampled once per arriving user.
    type Sampler: ChoiceSampler;

    /// Writes the trial probabilities of a type-`user_type` user under the market's visibility,
    /// given market shares (or any positive multiple of them), into `out` (length n), and
    /// returns the denominator of the choice rule. A denominator of 0 means the user tries
    /// nothing: `out` is all zeros.
    fn trial_probabilities(
        &self,
        market: &Market,
        user_type: usize,
        shares: &[f64],
        out: &mut [f64],
    ) -> f64;

    /// The sampler of a replicate starting at `state`, under the market's fixed visibility.
    fn sampler(&self, market: &Market, state: &CountState) -> Self::Sampler;

    /// The item a type-`user_type` user tries from `slate` (what a ranking shows her this
    /// step), or `None` if she tries nothing. `scratch` is working space of at least
    /// `slate.len()` entries, with arbitrary contents.
    fn sample_slate<R: Rng + ?Sized>(
        &self,
        market: &Market,
        state: &CountState,
        user_type: usize,
        slate: &Slate<'_>,
        scratch: &mut [f64],
        rng: &mut R,
    ) -> Option<usize>;
}

/// A choice rule's incremental sampler under the market's fixed visibility (see
/// [`ChoiceModel::Sampler`]).
pub trait ChoiceSampler {
    /// The item a type-`user_type` user tries now, or `None` if she tries nothing.
    fn sample<R: Rng + ?Sized>(
        &mut self,
        market: &Market,
        state: &CountState,
        user_type: usize,
        rng: &mut R,
    ) -> Option<usize>;

    /// Item `item` was bought; `state` already includes the purchase.
    fn on_purchase(&mut self, market: &Market, state: &CountState, item: usize);
}

/// What a ranking shows one user: the items at positions 1, 2, ... and the attention each
/// gets, v_ij^t = vhat_ij iota_p (eq. 20).
#[derive(Clone, Copy, Debug)]
pub struct Slate<'a> {
    items: &'a [u32],
    attention: Attention<'a>,
}

/// How a slate's attention is stored (matched once per step by the built-in logit).
#[derive(Clone, Copy, Debug)]
enum Attention<'a> {
    /// One weight per shown item, in position order.
    Given(&'a [f64]),
    /// vhat[j] * iota[p] for item j at position p: `vhat` is the type's visibility row.
    Product { vhat: Row<'a>, iota: &'a [f64] },
}

impl<'a> Slate<'a> {
    /// The items `items` with the attention `attention` (one weight per item, same order).
    pub fn new(items: &'a [u32], attention: &'a [f64]) -> Self {
        Self {
            items,
            attention: Attention::Given(attention),
        }
    }

    /// The items `items` ranked under the position bias `iota`: the item at position p gets
    /// `vhat[j] * iota[p]`, with `vhat` the user type's visibility row (n entries; a
    /// [`Market::visibility_row`] or a slice of `f64`).
    pub fn ranked(items: &'a [u32], vhat: impl Into<Row<'a>>, iota: &'a [f64]) -> Self {
        Self {
            items,
            attention: Attention::Product {
                vhat: vhat.into(),
                iota,
            },
        }
    }

    /// The items shown, best position first.
    pub fn items(&self) -> &'a [u32] {
        self.items
    }

    /// Number of items shown.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether nothing is shown.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The attention of the item at position `p` (0-based).
    #[inline]
    pub fn attention(&self, p: usize) -> f64 {
        match self.attention {
            Attention::Given(a) => a[p],
            Attention::Product { vhat, iota } => vhat.get(self.items[p] as usize) * iota[p],
        }
    }

    /// (item, attention) of every position, best first.
    pub fn iter(&self) -> impl Iterator<Item = (usize, f64)> + '_ {
        self.items
            .iter()
            .enumerate()
            .map(|(p, &j)| (j as usize, self.attention(p)))
    }
}
