//! Choice rules inside an arena platform: the [`ArenaChoice`] trait (a
//! [`ChoiceModel`] that also says how likely the user shown a slate is to buy, which the regret
//! against the quality oracle needs) for the built-in multinomial logit, and [`FirstPosition`],
//! the rule under which a ranking is a bandit algorithm (the user tries whatever sits at
//! position 1: items are arms, the ranking's top item is the arm pulled).

use crate::market::choice::{ChoiceModel, ChoiceSampler, MultinomialLogit, Slate};
use crate::market::{CountState, Market};
use rand::Rng;

/// A choice rule the arena can run: its trials, and the probability that a user shown a slate
/// buys something.
pub trait ArenaChoice: ChoiceModel + Clone + Send + Sync {
    /// The probability that a type-`user_type` user shown `slate` buys: sum over the items of
    /// P(she tries j) * q_ij. `scratch` holds at least `slate.len()` entries.
    fn purchase_probability(
        &self,
        market: &Market,
        state: &CountState,
        user_type: usize,
        slate: &Slate<'_>,
    ) -> f64;

    /// [`ArenaChoice::purchase_probability`] of the slate `sample_slate` has just drawn from,
    /// with the `scratch` it left (in the same state). The default recomputes it; a rule whose
    /// draw leaves the slate's trial weights in `scratch` can reuse them (the logit does, with
    /// the same additions in the same order, so the value is the same to the bit).
    fn sampled_purchase_probability(
        &self,
        market: &Market,
        state: &CountState,
        user_type: usize,
        slate: &Slate<'_>,
        _scratch: &[f64],
    ) -> f64 {
        self.purchase_probability(market, state, user_type, slate)
    }

    /// A user's trial ([`ChoiceModel::sample_slate`]) and then
    /// [`ArenaChoice::sampled_purchase_probability`] of the slate, in one call. The default
    /// makes the two calls; the logit sums the purchase probability's terms in the same pass
    /// as the trial weights (the same terms in the same order: the same value to the bit).
    #[allow(clippy::too_many_arguments)]
    fn sample_slate_and_purchase<R: Rng + ?Sized>(
        &self,
        market: &Market,
        state: &CountState,
        user_type: usize,
        slate: &Slate<'_>,
        scratch: &mut [f64],
        rng: &mut R,
    ) -> (Option<usize>, f64) {
        let tried = self.sample_slate(market, state, user_type, slate, scratch, rng);
        let p = self.sampled_purchase_probability(market, state, user_type, slate, scratch);
        (tried, p)
    }

    /// Whether [`ArenaChoice::purchase_probability`] depends on the state only through the
    /// counts of the slate's own items. A platform then keeps each type's purchase probability
    /// under the quality oracle's slate until one of that slate's items is bought, rather than
    /// computing it for every user. False unless the rule says so (a user's rule may look at
    /// any count).
    fn slate_counts_only(&self) -> bool {
        false
    }

    /// A short name for reports ("logit", "first-position").
    fn name(&self) -> &'static str;
}

impl ArenaChoice for MultinomialLogit {
    /// sum_p a_p g_j q_ij / sum_p a_p g_j with a_p the slate's attention and g_j = d_j^{r_i}
    /// (the logit's trial weights, as in its `sample_slate`); 0 for an empty denominator.
    #[inline]
    fn purchase_probability(
        &self,
        market: &Market,
        state: &CountState,
        user_type: usize,
        slate: &Slate<'_>,
    ) -> f64 {
        let g = state.powers(market.feedback_index()[user_type]);
        let q = market.quality_row(user_type);
        let (mut num, mut den) = (0.0, 0.0);
        for (j, a) in slate.iter() {
            let w = a * g[j];
            num += w * q.get(j);
            den += w;
        }
        if den > 0.0 {
            num / den
        } else {
            0.0
        }
    }

    /// sum_p w_p q_ij / sum_p w_p from the trial weights w_p = a_p g_j that `sample_slate`
    /// left in `scratch`: the terms and the order of [`ArenaChoice::purchase_probability`].
    #[inline]
    fn sampled_purchase_probability(
        &self,
        market: &Market,
        _state: &CountState,
        user_type: usize,
        slate: &Slate<'_>,
        scratch: &[f64],
    ) -> f64 {
        let q = market.quality_row(user_type);
        let (mut num, mut den) = (0.0, 0.0);
        for (&w, &j) in scratch.iter().zip(slate.items()) {
            num += w * q.get(j as usize);
            den += w;
        }
        if den > 0.0 {
            num / den
        } else {
            0.0
        }
    }

    #[inline]
    fn sample_slate_and_purchase<R: Rng + ?Sized>(
        &self,
        market: &Market,
        state: &CountState,
        user_type: usize,
        slate: &Slate<'_>,
        scratch: &mut [f64],
        rng: &mut R,
    ) -> (Option<usize>, f64) {
        let q = market.quality_row(user_type);
        let mut num = 0.0;
        // The denominator is the trial weights' sum the draw made (the same additions).
        let (tried, den) =
            self.sample_slate_with(market, state, user_type, slate, scratch, rng, |j, w| {
                num += w * q.get(j);
            });
        (tried, if den > 0.0 { num / den } else { 0.0 })
    }

    /// The weights a_p g_j read only the slate's items' counts.
    fn slate_counts_only(&self) -> bool {
        true
    }

    fn name(&self) -> &'static str {
        "logit"
    }
}

/// The user tries the item at position 1 (if its attention is positive; otherwise nothing).
/// One uniform of the `Choice` stream per call, unused, so the trial draws of every step stay
/// aligned with the logit's (common random numbers).
///
/// Under fixed visibility (no ranking) the "first position" is the type's most visible item
/// (largest v_ij, lowest index on ties).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FirstPosition;

/// [`FirstPosition`]'s sampler under fixed visibility: per type its most visible item.
#[derive(Clone, Debug)]
pub struct FirstPositionSampler {
    top: Vec<Option<usize>>,
}

fn most_visible(market: &Market, user_type: usize) -> Option<usize> {
    let v = market.visibility_row(user_type).to_f64();
    let mut best: Option<usize> = None;
    for (j, &x) in v.iter().enumerate() {
        if x > 0.0 && best.is_none_or(|b| x > v[b]) {
            best = Some(j);
        }
    }
    best
}

impl ChoiceSampler for FirstPositionSampler {
    #[inline]
    fn sample<R: Rng + ?Sized>(
        &mut self,
        _market: &Market,
        _state: &CountState,
        user_type: usize,
        rng: &mut R,
    ) -> Option<usize> {
        let _ = rng.random::<f64>();
        self.top[user_type]
    }

    fn on_purchase(&mut self, _market: &Market, _state: &CountState, _item: usize) {}
}

impl ChoiceModel for FirstPosition {
    type Sampler = FirstPositionSampler;

    fn trial_probabilities(
        &self,
        market: &Market,
        user_type: usize,
        _shares: &[f64],
        out: &mut [f64],
    ) -> f64 {
        out.iter_mut().for_each(|o| *o = 0.0);
        match most_visible(market, user_type) {
            Some(j) => {
                out[j] = 1.0;
                1.0
            }
            None => 0.0,
        }
    }

    fn sampler(&self, market: &Market, _state: &CountState) -> FirstPositionSampler {
        FirstPositionSampler {
            top: (0..market.n_types())
                .map(|i| most_visible(market, i))
                .collect(),
        }
    }

    #[inline]
    fn sample_slate<R: Rng + ?Sized>(
        &self,
        _market: &Market,
        _state: &CountState,
        _user_type: usize,
        slate: &Slate<'_>,
        _scratch: &mut [f64],
        rng: &mut R,
    ) -> Option<usize> {
        let _ = rng.random::<f64>();
        first(slate)
    }
}

#[inline]
fn first(slate: &Slate<'_>) -> Option<usize> {
    if !slate.is_empty() && slate.attention(0) > 0.0 {
        Some(slate.items()[0] as usize)
    } else {
        None
    }
}

impl ArenaChoice for FirstPosition {
    #[inline]
    fn purchase_probability(
        &self,
        market: &Market,
        _state: &CountState,
        user_type: usize,
        slate: &Slate<'_>,
    ) -> f64 {
        first(slate).map_or(0.0, |j| market.quality_at(user_type, j))
    }

    fn name(&self) -> &'static str {
        "first-position"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::market::{InitialCounts, PositionBias};
    use crate::rng::{SeedSequence, Source};

    fn market() -> Market {
        Market::builder()
            .items(3)
            .weights([0.5, 0.5])
            .visibility([0.2, 0.9, 0.9, 0.0, 0.0, 0.0])
            .quality([0.1, 0.5, 0.9, 0.3, 0.3, 0.3])
            .feedback([0.5, 1.0])
            .initial_counts(InitialCounts::Fixed(vec![1, 4, 9]))
            .build()
            .unwrap()
    }

    #[test]
    fn first_position_tries_the_top_item_and_draws_one_uniform() {
        let mk = market();
        let state = CountState::new(&mk, vec![1, 4, 9]).unwrap();
        let bias = PositionBias::new(vec![0.8, 0.5]).unwrap();
        let items = [2u32, 0];
        let slate = Slate::ranked(&items, mk.visibility_row(0), bias.weights());
        let mut a = SeedSequence::new(1).stream(0, Source::Choice);
        let mut b = a.clone();
        let mut scratch = [0.0; 2];
        let got = FirstPosition.sample_slate(&mk, &state, 0, &slate, &mut scratch, &mut a);
        assert_eq!(got, Some(2));
        let _ = b.random::<f64>();
        assert_eq!(a.random::<u64>(), b.random::<u64>(), "exactly one draw");
        assert_eq!(
            FirstPosition.purchase_probability(&mk, &state, 0, &slate),
            0.9
        );
        // type 1 sees nothing: tries nothing
        let slate = Slate::ranked(&items, mk.visibility_row(1), bias.weights());
        assert_eq!(
            FirstPosition.sample_slate(&mk, &state, 1, &slate, &mut scratch, &mut a),
            None
        );
        let mut s = FirstPosition.sampler(&mk, &state);
        assert_eq!(s.sample(&mk, &state, 0, &mut a), Some(1));
        assert_eq!(s.sample(&mk, &state, 1, &mut a), None);
    }

    #[test]
    fn logit_purchase_probability_by_hand() {
        let mk = market();
        let state = CountState::new(&mk, vec![1, 4, 9]).unwrap();
        let bias = PositionBias::new(vec![0.8, 0.5]).unwrap();
        let items = [2u32, 0];
        let slate = Slate::ranked(&items, mk.visibility_row(0), bias.weights());
        // weights: item 2: 0.9 * 0.8 * 3, item 0: 0.2 * 0.5 * 1
        let (w2, w0) = (0.9 * 0.8 * 3.0, 0.2 * 0.5 * 1.0);
        let want = (w2 * 0.9 + w0 * 0.1) / (w2 + w0);
        let got = MultinomialLogit.purchase_probability(&mk, &state, 0, &slate);
        assert!((got - want).abs() < 1e-15);
    }
}
