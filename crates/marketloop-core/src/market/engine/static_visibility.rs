//! Fixed visibility: the market's own v_ij, sampled through the choice rule's incremental
//! [`ChoiceSampler`] (for the logit, a sum tree per type over the items it sees).

use super::TrialSampler;
use crate::market::choice::{ChoiceModel, ChoiceSampler, MultinomialLogit};
use crate::market::model::Market;
use crate::market::state::CountState;
use rand::Rng;

/// Fixed visibility v_ij under the choice rule `C`.
#[derive(Clone, Debug)]
pub struct StaticVisibility<C: ChoiceModel = MultinomialLogit> {
    choice: C,
    /// Built in [`TrialSampler::start`].
    sampler: Option<C::Sampler>,
    /// The [`CountState::epoch`] the sampler's weights were built at (rebuilt when the state
    /// rescales its powers).
    epoch: u64,
}

impl StaticVisibility {
    /// Fixed visibility under the multinomial logit (the sampler is built in
    /// [`TrialSampler::start`]).
    pub fn new() -> Self {
        Self::with_choice(MultinomialLogit)
    }
}

impl Default for StaticVisibility {
    fn default() -> Self {
        Self::new()
    }
}

impl<C: ChoiceModel> StaticVisibility<C> {
    /// Fixed visibility under the choice rule `choice`.
    pub fn with_choice(choice: C) -> Self {
        Self {
            choice,
            sampler: None,
            epoch: 0,
        }
    }

    /// The choice rule.
    pub fn choice(&self) -> &C {
        &self.choice
    }
}

impl<C: ChoiceModel> TrialSampler for StaticVisibility<C> {
    fn start<R: Rng + ?Sized>(&mut self, market: &Market, state: &CountState, _rng: &mut R) {
        self.sampler = Some(self.choice.sampler(market, state));
        self.epoch = state.epoch();
    }

    #[inline]
    fn sample<R: Rng + ?Sized>(
        &mut self,
        market: &Market,
        state: &CountState,
        user_type: usize,
        choice: &mut R,
        _ranking: &mut R,
    ) -> Option<usize> {
        self.sampler
            .as_mut()
            .expect("started by Engine::new")
            .sample(market, state, user_type, choice)
    }

    #[inline]
    fn on_purchase<R: Rng + ?Sized>(
        &mut self,
        market: &Market,
        state: &CountState,
        item: usize,
        _ranking: &mut R,
    ) {
        if state.epoch() != self.epoch {
            // The counts' powers were rescaled (huge d^r): every weight changes.
            self.start(market, state, _ranking);
            return;
        }
        self.sampler
            .as_mut()
            .expect("started by Engine::new")
            .on_purchase(market, state, item);
    }
}
