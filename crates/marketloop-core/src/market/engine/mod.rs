//! The stochastic trial-offer dynamic (eq. 1), one user per step:
//!
//! 1. a user of type i arrives with probability w_i (alias table; the `Arrival` stream, one
//!    uniform per step, none when m = 1);
//! 2. she tries an item by the choice rule (for the built-in
//!    [`MultinomialLogit`](crate::market::choice::MultinomialLogit), item j with
//!    probability v_ij d_j^{r_i} / sum_k v_ik d_k^{r_i}; one uniform of the `Choice` stream per
//!    step; a zero denominator means she tries nothing);
//! 3. she buys it with probability q_ij (one uniform of the `Purchase` stream per step, drawn
//!    even when nothing is tried, so the t-th user's coin is the same in every experiment arm);
//! 4. a purchase adds 1 to d_j;
//! 5. the sampler's [`TrialSampler::observe`] sees the outcome (under a ranking, the policy's
//!    [`observe`](crate::market::RankingPolicy::observe): how a ranking learns in the loop; the
//!    built-ins ignore it and draw nothing).
//!
//! What she sees is a [`TrialSampler`], generic over the
//! [`ChoiceModel`](crate::market::choice::ChoiceModel) (default: the logit):
//! [`StaticVisibility`] (the market's fixed v_ij, through the rule's incremental
//! [`ChoiceSampler`](crate::market::choice::ChoiceSampler); for the logit a sum tree per type
//! over its visible items, a purchase updating the trees of the types that see the item,
//! O(log K) each) or [`Ranked`] (a ranking policy and a position bias, through the rule's
//! `sample_slate`; for the logit O(P) per step for P positions, whatever the catalogue size).
//! Static dispatch throughout: a step of the logit costs what it cost before the rule was a
//! parameter.
//!
//! The counts and running totals are a [`CountState`] (`state.rs`): the entropy is O(1) per
//! measurement. Efficiency in simulation is purchases / arrivals so far; initial counts are not
//! purchases.

#[cfg(test)]
mod extreme;
mod ranked;
mod static_visibility;

pub use super::state::CountState;
pub use ranked::Ranked;
pub use static_visibility::StaticVisibility;

use super::error::MarketError;
use super::model::Market;
use super::sampling::AliasTable;
use crate::rng::{PortableRng, SeedSequence, Source};
use rand::Rng;

/// The four random streams of one replicate.
#[derive(Clone, Debug)]
pub struct Streams {
    /// User types (`Source::Arrival`).
    pub arrival: PortableRng,
    /// Trials (`Source::Choice`).
    pub choice: PortableRng,
    /// Purchase coins (`Source::Purchase`).
    pub purchase: PortableRng,
    /// Ranking decisions: random rankings and random tie breaks (`Source::Ranking`).
    pub ranking: PortableRng,
}

impl Streams {
    /// The streams of `replicate`.
    pub fn new(seeds: SeedSequence, replicate: u64) -> Self {
        Self {
            arrival: seeds.stream(replicate, Source::Arrival),
            choice: seeds.stream(replicate, Source::Choice),
            purchase: seeds.stream(replicate, Source::Purchase),
            ranking: seeds.stream(replicate, Source::Ranking),
        }
    }
}

/// What a user sees and how she picks from it. Implemented by [`StaticVisibility`] and
/// [`Ranked`], each generic over the [`ChoiceModel`](crate::market::choice::ChoiceModel).
pub trait TrialSampler {
    /// Prepares for a replicate starting at `state` (called once by [`Engine::new`]; `rng` is
    /// the replicate's `Ranking` stream).
    fn start<R: Rng + ?Sized>(&mut self, market: &Market, state: &CountState, rng: &mut R);

    /// The item a type-`user_type` user tries, or `None` if she tries nothing. The choice
    /// draws come from `choice` (the `Choice` stream), ranking draws from `ranking`.
    fn sample<R: Rng + ?Sized>(
        &mut self,
        market: &Market,
        state: &CountState,
        user_type: usize,
        choice: &mut R,
        ranking: &mut R,
    ) -> Option<usize>;

    /// Item `item` was bought (`state` already includes it); `ranking` is the `Ranking` stream.
    fn on_purchase<R: Rng + ?Sized>(
        &mut self,
        market: &Market,
        state: &CountState,
        item: usize,
        ranking: &mut R,
    );

    /// The step of user `step` (0-based) ended with `outcome`; `state` includes it. Called once
    /// per step, after [`on_purchase`](Self::on_purchase). The default does nothing; [`Ranked`]
    /// hands it to its policy's [`RankingPolicy::observe`](crate::market::RankingPolicy::observe)
    /// so a ranking can learn in the loop.
    #[inline]
    fn observe<R: Rng + ?Sized>(
        &mut self,
        _market: &Market,
        _state: &CountState,
        _step: u64,
        _outcome: &StepOutcome,
        _ranking: &mut R,
    ) {
    }
}

/// What happened in one step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StepOutcome {
    /// The arriving user's type.
    pub user_type: usize,
    /// The item tried, if any.
    pub tried: Option<usize>,
    /// Whether it was bought.
    pub bought: bool,
}

/// One replicate of the stochastic market.
#[derive(Clone, Debug)]
pub struct Engine<'m, S> {
    market: &'m Market,
    state: CountState,
    sampler: S,
    arrival: AliasTable,
}

impl<'m, S: TrialSampler> Engine<'m, S> {
    /// An engine at the given initial counts (one per item, each >= 1). `rng` (the replicate's
    /// ranking stream) is used by samplers that start with random choices.
    pub fn new<R: Rng + ?Sized>(
        market: &'m Market,
        mut sampler: S,
        counts: Vec<u64>,
        rng: &mut R,
    ) -> Result<Self, MarketError> {
        let state = CountState::new(market, counts)?;
        sampler.start(market, &state, rng);
        Ok(Self {
            market,
            state,
            arrival: AliasTable::new(market.weights()),
            sampler,
        })
    }

    /// The counts and running totals.
    pub fn state(&self) -> &CountState {
        &self.state
    }

    /// The trial sampler.
    pub fn sampler(&self) -> &S {
        &self.sampler
    }

    /// One user arrives, maybe tries an item, maybe buys it.
    #[inline]
    pub fn step(&mut self, streams: &mut Streams) -> StepOutcome {
        advance(
            self.market,
            &mut self.state,
            &mut self.sampler,
            &self.arrival,
            streams,
        )
    }
}

/// One step of the dynamic on its parts (shared by [`Engine`] and the owned
/// [`Run`](crate::market::Run)): arrival, purchase coin, trial, purchase, then the sampler's
/// [`TrialSampler::observe`].
#[inline(always)]
pub(crate) fn advance<S: TrialSampler>(
    market: &Market,
    state: &mut CountState,
    sampler: &mut S,
    arrival: &AliasTable,
    streams: &mut Streams,
) -> StepOutcome {
    let step = state.arrivals();
    let i = if market.n_types() == 1 {
        0
    } else {
        arrival.sample(streams.arrival.random::<f64>())
    };
    let u_buy = streams.purchase.random::<f64>();
    let tried = sampler.sample(market, state, i, &mut streams.choice, &mut streams.ranking);
    state.record_trial(tried);
    let mut bought = false;
    if let Some(j) = tried {
        if u_buy < market.quality_at(i, j) {
            bought = true;
            state.purchase(j);
            sampler.on_purchase(market, state, j, &mut streams.ranking);
        }
    }
    let outcome = StepOutcome {
        user_type: i,
        tried,
        bought,
    };
    sampler.observe(market, state, step, &outcome, &mut streams.ranking);
    outcome
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::market::choice::{ChoiceModel, ChoiceSampler, Slate};
    use crate::market::model::InitialCounts;
    use crate::market::position_bias::PositionBias;
    use crate::market::ranking::{
        FixedOrder, FixedRanking, PlatformState, RandomRanking, RankingPolicy,
    };
    use crate::market::sampling::SumTree;
    use crate::market::testing::assert_frequencies;

    #[test]
    fn entropy_bookkeeping_matches_a_rescan() {
        let v: Vec<f64> = (0..20).map(|j| 0.1 + 0.04 * j as f64).collect();
        let q: Vec<f64> = (0..20).map(|j| 0.9 - 0.03 * j as f64).collect();
        let mk = Market::homogeneous(v, q, 0.7, InitialCounts::Fixed(vec![2; 20])).unwrap();
        let mut streams = Streams::new(SeedSequence::new(3), 0);
        let mut e = Engine::new(
            &mk,
            StaticVisibility::new(),
            vec![2; 20],
            &mut streams.ranking,
        )
        .unwrap();
        for _ in 0..200_000 {
            e.step(&mut streams);
        }
        let h = crate::market::measures::entropy(&e.state().shares());
        assert!((e.state().entropy() - h).abs() < 1e-10);
        let d: u64 = e.state().counts().iter().sum();
        assert_eq!(d, e.state().total());
        assert_eq!(d - 40, e.state().purchases());
        let tried: u64 = e.state().trials().iter().sum();
        assert_eq!(tried + e.state().idle(), e.state().arrivals());
    }

    #[test]
    fn counts_are_validated() {
        let mk = Market::homogeneous(
            vec![1.0; 2],
            vec![1.0; 2],
            0.5,
            InitialCounts::Fixed(vec![1; 2]),
        )
        .unwrap();
        let mut rng = SeedSequence::new(0).stream(0, Source::Ranking);
        assert!(Engine::new(&mk, StaticVisibility::new(), vec![1], &mut rng).is_err());
        assert!(Engine::new(&mk, StaticVisibility::new(), vec![1, 0], &mut rng).is_err());
    }

    /// A user ranking that shows a fixed global order and records what its hooks see.
    #[derive(Clone, Debug, Default)]
    struct Recorder {
        order: Vec<u32>,
        ranked: Vec<(u64, usize, u64)>,
        observed: Vec<(u64, StepOutcome, u64)>,
    }

    impl RankingPolicy for Recorder {
        fn reset<R: Rng + ?Sized>(&mut self, counts: &[u64], _rng: &mut R) {
            // the top 3 (the positions of the test's bias) of the reversed index order
            self.order = (0..counts.len() as u32).rev().take(3).collect();
        }

        fn shown<R: Rng + ?Sized>(&mut self, _user_type: usize, _rng: &mut R) -> &[u32] {
            &self.order
        }

        fn rank<R: Rng + ?Sized>(&mut self, p: &PlatformState<'_>, _rng: &mut R) -> &[u32] {
            let share_sum: f64 = (0..p.counts().len()).map(|j| p.share(j)).sum();
            assert!((share_sum - 1.0).abs() < 1e-12);
            self.ranked.push((p.step, p.user_type, p.state.arrivals()));
            &self.order
        }

        fn on_purchase<R: Rng + ?Sized>(&mut self, _item: usize, _counts: &[u64], _rng: &mut R) {}

        fn is_static(&self) -> bool {
            false
        }

        fn observe<R: Rng + ?Sized>(
            &mut self,
            step: u64,
            outcome: &StepOutcome,
            state: &CountState,
            _rng: &mut R,
        ) {
            self.observed.push((step, *outcome, state.arrivals()));
        }
    }

    #[test]
    fn ranking_hooks_see_the_arriving_user_and_every_outcome() {
        let mk = moving_market();
        let bias = PositionBias::new(vec![0.9, 0.6, 0.3]).unwrap();
        let run = |sampler| {
            let mut streams = Streams::new(SeedSequence::new(8), 0);
            let mut e = Engine::new(&mk, sampler, vec![1; 10], &mut streams.ranking).unwrap();
            let outcomes: Vec<StepOutcome> = (0..2000).map(|_| e.step(&mut streams)).collect();
            (e, outcomes)
        };
        let (e, outcomes) = run(Ranked::new(Recorder::default(), &bias));
        let rec = e.sampler().policy();
        assert_eq!(rec.ranked.len(), 2000);
        assert_eq!(rec.observed.len(), 2000);
        for (t, o) in outcomes.iter().enumerate() {
            let t = t as u64;
            assert_eq!(rec.ranked[t as usize], (t, o.user_type, t));
            assert_eq!(rec.observed[t as usize], (t, *o, t + 1));
        }
        assert!(outcomes.iter().any(|o| o.bought));
        // the same order as a built-in fixed ranking: the same run
        let order = FixedOrder::Global((0..10).rev().collect());
        let fixed = FixedRanking::new(&mk, &order, 3).unwrap();
        let mut streams = Streams::new(SeedSequence::new(8), 0);
        let mut f = Engine::new(
            &mk,
            Ranked::new(fixed, &bias),
            vec![1; 10],
            &mut streams.ranking,
        )
        .unwrap();
        let fixed_outcomes: Vec<StepOutcome> = (0..2000).map(|_| f.step(&mut streams)).collect();
        assert_eq!(fixed_outcomes, outcomes);
        assert_eq!(f.state().counts(), e.state().counts());
    }

    /// A second choice rule, written as a user would: type i tries item j with probability
    /// v_ij / sum_k v_ik (attention only; popularity and r ignored). One uniform per trial.
    #[derive(Clone, Copy, Debug)]
    struct AttentionOnly;

    #[derive(Clone, Debug)]
    struct AttentionOnlySampler {
        trees: Vec<SumTree>,
    }

    impl ChoiceSampler for AttentionOnlySampler {
        fn sample<R: Rng + ?Sized>(
            &mut self,
            _market: &Market,
            _state: &CountState,
            user_type: usize,
            rng: &mut R,
        ) -> Option<usize> {
            self.trees[user_type].sample(rng.random::<f64>())
        }

        fn on_purchase(&mut self, _market: &Market, _state: &CountState, _item: usize) {}
    }

    impl ChoiceModel for AttentionOnly {
        type Sampler = AttentionOnlySampler;

        fn trial_probabilities(
            &self,
            market: &Market,
            user_type: usize,
            _shares: &[f64],
            out: &mut [f64],
        ) -> f64 {
            let v = market.visibility_row(user_type);
            let total: f64 = v.iter().sum();
            for (o, vj) in out.iter_mut().zip(v.iter()) {
                *o = if total > 0.0 { vj / total } else { 0.0 };
            }
            total
        }

        fn sampler(&self, market: &Market, _state: &CountState) -> AttentionOnlySampler {
            AttentionOnlySampler {
                trees: (0..market.n_types())
                    .map(|i| SumTree::new(&market.visibility_row(i).to_f64()))
                    .collect(),
            }
        }

        fn sample_slate<R: Rng + ?Sized>(
            &self,
            _market: &Market,
            _state: &CountState,
            _user_type: usize,
            slate: &Slate<'_>,
            _scratch: &mut [f64],
            rng: &mut R,
        ) -> Option<usize> {
            let u = rng.random::<f64>();
            let total: f64 = slate.iter().map(|(_, a)| a).sum();
            if total <= 0.0 {
                return None;
            }
            let mut x = u * total;
            let mut last = None;
            for (j, a) in slate.iter() {
                if a > 0.0 {
                    if x < a {
                        return Some(j);
                    }
                    x -= a;
                    last = Some(j);
                }
            }
            last
        }
    }

    /// Three types with strong, different popularity feedback and q > 0, so the counts move a
    /// lot: a logit's trial frequencies would drift with them, the attention-only rule's not.
    fn moving_market() -> Market {
        let (m, n) = (3, 10);
        let v: Vec<f64> = (0..m * n)
            .map(|k| {
                if k % 7 == 3 {
                    0.0
                } else {
                    0.1 + ((k * 13) % 10) as f64 / 10.0
                }
            })
            .collect();
        Market::builder()
            .items(n)
            .weights([0.2, 0.3, 0.5])
            .visibility(v)
            .quality(vec![0.6; m * n])
            .feedback([0.5, 1.0, 1.5])
            .initial_counts(InitialCounts::Fixed(vec![1; n]))
            .build()
            .unwrap()
    }

    /// Trial counts over `steps` steps of `sampler` on `mk`.
    fn trials<S: TrialSampler>(mk: &Market, sampler: S, steps: u64) -> Vec<u64> {
        let mut streams = Streams::new(SeedSequence::new(21), 0);
        let counts = vec![1; mk.n_items()];
        let mut e = Engine::new(mk, sampler, counts, &mut streams.ranking).unwrap();
        for _ in 0..steps {
            e.step(&mut streams);
        }
        assert!(e.state().purchases() > steps / 4, "counts must move");
        e.state().trials().to_vec()
    }

    #[test]
    fn a_second_choice_rule_runs_through_the_engine() {
        let mk = moving_market();
        let n = mk.n_items();
        let steps = 300_000;
        // fixed visibility: sum_i w_i * the rule's analytic probabilities
        let mut p = vec![0.0; n];
        let mut row = vec![0.0; n];
        for i in 0..mk.n_types() {
            AttentionOnly.trial_probabilities(&mk, i, &vec![1.0; n], &mut row);
            for (pj, rj) in p.iter_mut().zip(&row) {
                *pj += mk.weights()[i] * rj;
            }
        }
        let obs = trials(&mk, StaticVisibility::with_choice(AttentionOnly), steps);
        assert_frequencies(&obs, &p, steps, "attention-only, fixed visibility");
        // under a fixed per-type ranking: proportional to vhat_ij * iota_p over the shown items
        let bias = PositionBias::new(vec![0.9, 0.6, 0.3]).unwrap();
        let lists = vec![vec![4, 0, 9], vec![3, 1, 2], vec![7, 8]];
        let order = FixedOrder::PerType(lists.clone());
        let mut p = vec![0.0; n];
        for (i, list) in lists.iter().enumerate() {
            let att: Vec<f64> = list
                .iter()
                .zip(bias.weights())
                .map(|(&j, &io)| mk.visibility_at(i, j) * io)
                .collect();
            let total: f64 = att.iter().sum();
            for (&j, a) in list.iter().zip(&att) {
                p[j] += mk.weights()[i] * a / total;
            }
        }
        let fixed = FixedRanking::new(&mk, &order, bias.positions()).unwrap();
        let obs = trials(&mk, Ranked::with_choice(fixed, &bias, AttentionOnly), steps);
        assert_frequencies(&obs, &p, steps, "attention-only, fixed ranking");
    }

    #[test]
    fn a_ranking_slate_under_the_second_rule_uses_the_ranked_attention() {
        // A random ranking recomputes the slate's attention (vhat_ij * iota_p) every step:
        // 4 items, 2 positions, one type; average over the 12 equally likely ordered pairs.
        let mk = Market::builder()
            .items(4)
            .weights([1.0])
            .visibility([0.2, 0.9, 0.5, 0.7])
            .quality([0.5; 4])
            .feedback([1.0])
            .initial_counts(InitialCounts::Fixed(vec![1; 4]))
            .build()
            .unwrap();
        let bias = PositionBias::new(vec![0.8, 0.3]).unwrap();
        let v = mk.visibility_row(0).to_vec();
        let mut p = [0.0; 4];
        for a in 0..4 {
            for b in (0..4).filter(|&b| b != a) {
                let (wa, wb) = (v[a] * 0.8, v[b] * 0.3);
                p[a] += wa / (wa + wb) / 12.0;
                p[b] += wb / (wa + wb) / 12.0;
            }
        }
        let steps = 200_000;
        let ranked = Ranked::with_choice(RandomRanking::new(4, 2), &bias, AttentionOnly);
        let obs = trials(&mk, ranked, steps);
        assert_frequencies(&obs, &p, steps, "attention-only, random ranking");
    }
}
