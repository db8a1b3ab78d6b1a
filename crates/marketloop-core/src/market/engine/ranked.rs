//! Visibility from a ranking: the item at position p gets v_ij^t = vhat_ij * iota_p (eq. 20),
//! and the user picks from that [`Slate`] by the choice rule (for the logit, O(P) per step for
//! P positions, whatever the catalogue size).

use super::{StepOutcome, TrialSampler};
use crate::market::choice::{ChoiceModel, MultinomialLogit, Slate};
use crate::market::model::Market;
use crate::market::position_bias::PositionBias;
use crate::market::ranking::{PlatformState, RankingPolicy};
use crate::market::state::CountState;
use rand::Rng;

/// A ranking policy `P` and a position bias, under the choice rule `C`.
#[derive(Clone, Debug)]
pub struct Ranked<P, C = MultinomialLogit> {
    policy: P,
    choice: C,
    iota: Vec<f64>,
    /// The choice rule's working space, one entry per position.
    buf: Vec<f64>,
    /// For static policies: per type, vhat_ij * iota_p of the items shown, precomputed.
    fixed: Vec<Vec<f64>>,
}

impl<P: RankingPolicy> Ranked<P> {
    /// A ranked sampler from a policy and a position bias, under the multinomial logit.
    pub fn new(policy: P, bias: &PositionBias) -> Self {
        Self::with_choice(policy, bias, MultinomialLogit)
    }
}

impl<P: RankingPolicy, C: ChoiceModel> Ranked<P, C> {
    /// A ranked sampler from a policy and a position bias, under the choice rule `choice`.
    pub fn with_choice(policy: P, bias: &PositionBias, choice: C) -> Self {
        Self {
            policy,
            choice,
            iota: {
                // Position factors are scale-free (trial probabilities do not change); huge or
                // tiny ones are scaled by a power of two so every weight stays finite.
                let w = bias.weights();
                let top = w.iter().copied().fold(0.0_f64, f64::max);
                if crate::market::model::needs_scaling(top) {
                    let (a, b) = crate::market::model::scale_factors(top);
                    w.iter().map(|&x| x * a * b).collect()
                } else {
                    w.to_vec()
                }
            },
            buf: vec![0.0; bias.positions()],
            fixed: Vec::new(),
        }
    }

    /// The ranking policy.
    pub fn policy(&self) -> &P {
        &self.policy
    }

    /// The choice rule.
    pub fn choice(&self) -> &C {
        &self.choice
    }
}

impl<P: RankingPolicy, C: ChoiceModel> TrialSampler for Ranked<P, C> {
    fn start<R: Rng + ?Sized>(&mut self, market: &Market, state: &CountState, rng: &mut R) {
        self.policy.reset(state.counts(), rng);
        self.fixed.clear();
        if self.policy.is_static() {
            for i in 0..market.n_types() {
                let v = market.sampling_visibility_row(i);
                let items = self.policy.shown(i, rng);
                self.fixed.push(
                    items
                        .iter()
                        .zip(&self.iota)
                        .map(|(&j, &io)| v.get(j as usize) * io)
                        .collect(),
                );
            }
        }
    }

    #[inline]
    fn sample<R: Rng + ?Sized>(
        &mut self,
        market: &Market,
        state: &CountState,
        user_type: usize,
        choice: &mut R,
        ranking: &mut R,
    ) -> Option<usize> {
        let ctx = PlatformState {
            market,
            state,
            user_type,
            step: state.arrivals(),
        };
        let items = self.policy.rank(&ctx, ranking);
        let slate = match self.fixed.get(user_type) {
            Some(fixed) => Slate::new(items, fixed),
            None => Slate::ranked(items, market.sampling_visibility_row(user_type), &self.iota),
        };
        self.choice
            .sample_slate(market, state, user_type, &slate, &mut self.buf, choice)
    }

    #[inline]
    fn on_purchase<R: Rng + ?Sized>(
        &mut self,
        _market: &Market,
        state: &CountState,
        item: usize,
        ranking: &mut R,
    ) {
        self.policy.on_purchase(item, state.counts(), ranking);
    }

    #[inline]
    fn observe<R: Rng + ?Sized>(
        &mut self,
        _market: &Market,
        state: &CountState,
        step: u64,
        outcome: &StepOutcome,
        ranking: &mut R,
    ) {
        self.policy.observe(step, outcome, state, ranking);
    }
}
