//! A user's ranking on an arena platform: [`CustomRanking`] (a name and how to build the ranking
//! afresh for each platform and replicate, from a [`RankingSetup`]) in the platform's
//! [`ArenaRankingSpec::Custom`](super::ArenaRankingSpec::Custom), built into a
//! [`BoxedRanking`].
//!
//! The ranking is any [`DynRankingPolicy`]: every Rust [`RankingPolicy`] that is
//! `Clone + Send + 'static` is one automatically, and a binding to another language implements
//! it directly. It is driven exactly where a built-in is (reset at the start of the replicate,
//! `rank` for every user the platform serves, warm-start users included, then `on_purchase` and
//! `observe`), with the platform's own `Ranking` stream, so it is as reproducible as a built-in
//! for any thread count; a user ranking that reimplements a built-in gives its numbers bit for
//! bit (tested).
//!
//! [`BoxedRanking`] checks every order the ranking returns (exactly min(P, n) distinct items in
//! `0..n`, [`OrderCheck`]). A wrong order is recorded as a fault with the platform's step, after
//! which the platform shows items `0..min(P, n)` without calling the ranking again; the run
//! stops and reports the fault as an [`ArenaError`] naming the platform, the step and the
//! replicate ([`ArenaRun::error`](super::ArenaRun::error)), never a panic.
//!
//! A pooled platform (`personalised = false`) does not see the user's type: its ranking is
//! handed user type 0 in `rank` and `observe`, whoever arrives.
//!
//! [`RankingPolicy`]: crate::market::RankingPolicy

use super::error::ArenaError;
use crate::market::ranking::OrderCheck;
use crate::market::{
    CountState, DynRankingPolicy, Market, PlatformState, PositionBias, StepOutcome,
};
use crate::rng::PortableRng;
use serde::ser::SerializeStruct;
use serde::{Serialize, Serializer};
use std::fmt;
use std::sync::Arc;

/// What a user's ranking is built for: one platform of an arena.
#[derive(Clone, Copy, Debug)]
pub struct RankingSetup<'a> {
    /// The market (n items, m types, v, q, r).
    pub market: &'a Market,
    /// The position bias (P positions and their attention weights).
    pub bias: &'a PositionBias,
    /// Whether the platform sees the user's type (a pooled platform's ranking is handed type
    /// 0 for every user).
    pub personalised: bool,
}

impl RankingSetup<'_> {
    /// The number of items n.
    pub fn n_items(&self) -> usize {
        self.market.n_items()
    }

    /// The number of items a ranking returns each step: min(P, n).
    pub fn positions(&self) -> usize {
        self.bias.positions().min(self.market.n_items())
    }
}

type Builder =
    dyn Fn(&RankingSetup<'_>) -> Result<Box<dyn DynRankingPolicy>, ArenaError> + Send + Sync;

/// A user's ranking for an arena platform: a name (for tables, reports and errors) and how to
/// build it afresh for each platform and replicate, so no state passes from one run to the
/// next. Two `CustomRanking`s are equal only if they are clones of one another (the same
/// builder).
///
/// In a config it serialises as `{"strategy": "custom", "name": ...}` (the run folder's
/// manifest records the name); it cannot be read back from a config.
#[derive(Clone)]
pub struct CustomRanking {
    name: String,
    build: Arc<Builder>,
}

impl CustomRanking {
    /// A ranking named `name`, built by `make(setup)` for each platform and replicate.
    pub fn new<P, F>(name: impl Into<String>, make: F) -> Self
    where
        P: DynRankingPolicy + 'static,
        F: Fn(&RankingSetup<'_>) -> Result<P, ArenaError> + Send + Sync + 'static,
    {
        CustomRanking {
            name: name.into(),
            build: Arc::new(move |setup| {
                make(setup).map(|p| Box::new(p) as Box<dyn DynRankingPolicy>)
            }),
        }
    }

    /// A ranking named `name`: a copy of `policy` (in its current state) for each platform and
    /// replicate.
    pub fn from_policy<P>(name: impl Into<String>, policy: P) -> Self
    where
        P: DynRankingPolicy + Clone + Sync + 'static,
    {
        CustomRanking {
            name: name.into(),
            build: Arc::new(move |_| Ok(policy.dyn_clone())),
        }
    }

    /// The name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// A fresh ranking for one platform and replicate (not yet reset).
    pub fn build(&self, setup: &RankingSetup<'_>) -> Result<Box<dyn DynRankingPolicy>, ArenaError> {
        (self.build)(setup)
    }
}

impl fmt::Debug for CustomRanking {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CustomRanking({:?})", self.name)
    }
}

impl PartialEq for CustomRanking {
    /// The same name and the same builder.
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name && Arc::ptr_eq(&self.build, &other.build)
    }
}

impl Serialize for CustomRanking {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("CustomRanking", 1)?;
        st.serialize_field("name", &self.name)?;
        st.end()
    }
}

/// A user's ranking as a platform runs it: the boxed ranking, the check of every order it
/// returns, and its fault, if it broke its contract (see the module docs).
pub struct BoxedRanking {
    inner: Box<dyn DynRankingPolicy>,
    check: OrderCheck,
    /// Items `0..min(P, n)`: what the platform shows after a fault.
    fallback: Vec<u32>,
    personalised: bool,
    fault: Option<String>,
}

impl BoxedRanking {
    /// Wraps `inner`, a ranking of `n` items into `positions` positions on a platform that is
    /// `personalised` or not.
    pub fn new(
        inner: Box<dyn DynRankingPolicy>,
        n: usize,
        positions: usize,
        personalised: bool,
    ) -> Self {
        let check = OrderCheck::new(n, positions);
        BoxedRanking {
            inner,
            fallback: (0..check.k() as u32).collect(),
            check,
            personalised,
            fault: None,
        }
    }

    /// The ranking.
    pub fn get(&self) -> &dyn DynRankingPolicy {
        self.inner.as_ref()
    }

    /// What went wrong, if the ranking returned a wrong order (with the platform's step) or
    /// failed by itself ([`DynRankingPolicy::dyn_fault`]).
    pub fn fault(&self) -> Option<String> {
        self.fault.clone().or_else(|| self.inner.dyn_fault())
    }

    /// The user type the ranking is told: the user's on a personalised platform, 0 on a pooled
    /// one.
    #[inline]
    fn seen_type(&self, user_type: usize) -> usize {
        if self.personalised {
            user_type
        } else {
            0
        }
    }
}

impl DynRankingPolicy for BoxedRanking {
    fn dyn_reset(&mut self, counts: &[u64], rng: &mut PortableRng) {
        self.inner.dyn_reset(counts, rng)
    }

    /// The ranking's order, checked; after a fault, items `0..min(P, n)` without calling it.
    fn dyn_rank(&mut self, platform: &PlatformState<'_>, rng: &mut PortableRng) -> &[u32] {
        if self.fault.is_some() {
            return &self.fallback;
        }
        let seen = PlatformState {
            user_type: self.seen_type(platform.user_type),
            ..*platform
        };
        let items = self.inner.dyn_rank(&seen, rng);
        match self.check.check(items) {
            Ok(()) => items,
            Err(what) => {
                // The step as the market and the Python plug-ins count it: the platform's
                // users so far, this one included (warm-start users included).
                self.fault = Some(format!("at step {}: {what}", platform.step + 1));
                &self.fallback
            }
        }
    }

    fn dyn_on_purchase(&mut self, item: usize, counts: &[u64], rng: &mut PortableRng) {
        if self.fault.is_none() {
            self.inner.dyn_on_purchase(item, counts, rng)
        }
    }

    fn dyn_observe(
        &mut self,
        step: u64,
        outcome: &StepOutcome,
        state: &CountState,
        rng: &mut PortableRng,
    ) {
        if self.fault.is_none() {
            let seen = StepOutcome {
                user_type: self.seen_type(outcome.user_type),
                ..*outcome
            };
            self.inner.dyn_observe(step, &seen, state, rng)
        }
    }

    fn dyn_is_static(&self) -> bool {
        self.inner.dyn_is_static()
    }

    fn dyn_clone(&self) -> Box<dyn DynRankingPolicy> {
        Box::new(self.clone())
    }

    fn dyn_fault(&self) -> Option<String> {
        self.fault()
    }
}

impl Clone for BoxedRanking {
    fn clone(&self) -> Self {
        BoxedRanking {
            inner: self.inner.dyn_clone(),
            check: self.check.clone(),
            fallback: self.fallback.clone(),
            personalised: self.personalised,
            fault: self.fault.clone(),
        }
    }
}

impl fmt::Debug for BoxedRanking {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BoxedRanking")
            .field("positions", &self.check.k())
            .field("personalised", &self.personalised)
            .field("fault", &self.fault)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::hetero_market;
    use super::super::{Arena, ArenaRankingSpec, ArenaTrajectory, LearningRule, LearningSpec};
    use super::super::{ArenaError, PlatformSpec};
    use super::*;
    use crate::bandits::ResponseSpec;
    use crate::market::{PopularityRanking, RandomRanking, RankingPolicy, TieRule};
    use crate::rng::SeedSequence;
    use rand::Rng;
    use rayon::prelude::*;
    use std::cmp::Reverse;

    /// A user's quality oracle written from the paper, as a Rust `RankingPolicy`: per type,
    /// items by descending q_ij, ties by lower index; a pooled platform (handed type 0) ranks
    /// by the population mean sum_i w_i q_ij, clamped to [0, 1].
    #[derive(Clone)]
    struct MyQuality(Vec<Vec<u32>>);

    impl MyQuality {
        fn new(setup: &RankingSetup<'_>) -> Self {
            let mk = setup.market;
            let (m, n) = (mk.n_types(), mk.n_items());
            let rows: Vec<Vec<f64>> = if setup.personalised {
                (0..m).map(|i| mk.quality_row(i).to_vec()).collect()
            } else {
                let w = mk.weights();
                let mean = (0..n)
                    .map(|j| {
                        (0..m)
                            .map(|i| w[i] * mk.quality_at(i, j))
                            .sum::<f64>()
                            .clamp(0.0, 1.0)
                    })
                    .collect();
                vec![mean]
            };
            let orders = rows
                .iter()
                .map(|q| {
                    let mut o: Vec<u32> = (0..n as u32).collect();
                    o.sort_by(|&a, &b| q[b as usize].total_cmp(&q[a as usize]));
                    o.truncate(setup.positions());
                    o
                })
                .collect();
            MyQuality(orders)
        }
    }

    impl RankingPolicy for MyQuality {
        fn reset<R: Rng + ?Sized>(&mut self, _: &[u64], _: &mut R) {}
        fn shown<R: Rng + ?Sized>(&mut self, user_type: usize, _: &mut R) -> &[u32] {
            &self.0[user_type]
        }
        fn on_purchase<R: Rng + ?Sized>(&mut self, _: usize, _: &[u64], _: &mut R) {}
        fn is_static(&self) -> bool {
            true
        }
    }

    /// A user's popularity ranking in the object-safe form (as a binding would write it):
    /// items by descending purchase count on the platform, ties by lower index, sorted afresh
    /// from the platform state every step.
    #[derive(Clone)]
    struct MyPopularity {
        order: Vec<u32>,
        k: usize,
    }

    impl DynRankingPolicy for MyPopularity {
        fn dyn_reset(&mut self, _: &[u64], _: &mut PortableRng) {}
        fn dyn_rank(&mut self, now: &PlatformState<'_>, _: &mut PortableRng) -> &[u32] {
            let counts = now.counts();
            self.order
                .sort_by_key(|&j| (Reverse(counts[j as usize]), j));
            &self.order[..self.k]
        }
        fn dyn_on_purchase(&mut self, _: usize, _: &[u64], _: &mut PortableRng) {}
        fn dyn_observe(&mut self, _: u64, _: &StepOutcome, _: &CountState, _: &mut PortableRng) {}
        fn dyn_is_static(&self) -> bool {
            false
        }
        fn dyn_clone(&self) -> Box<dyn DynRankingPolicy> {
            Box::new(self.clone())
        }
    }

    fn my_popularity() -> CustomRanking {
        CustomRanking::new("my popularity", |s: &RankingSetup<'_>| {
            Ok(MyPopularity {
                order: (0..s.n_items() as u32).collect(),
                k: s.positions(),
            })
        })
    }

    fn thompson() -> ArenaRankingSpec {
        ArenaRankingSpec::Learning(LearningSpec {
            rule: LearningRule::Thompson,
            alpha: 1.0,
            beta: 1.0,
            popularity_weighted: false,
        })
    }

    /// Three platforms competing by soft-max reputations (so every platform's draws matter):
    /// `first` personalised, `second` pooled with a warm start, and a Thompson-sampling rival.
    fn arena(first: ArenaRankingSpec, second: ArenaRankingSpec) -> Arena {
        let mut pooled = PlatformSpec::new("pooled", second);
        pooled.personalised = false;
        pooled.warm_start = 50;
        Arena::builder()
            .market(hetero_market())
            .position_bias(PositionBias::log_discount(6).unwrap())
            .platforms(vec![
                PlatformSpec::new("mine", first),
                pooled,
                PlatformSpec::new("TS", thompson()),
            ])
            .response(ResponseSpec::SoftMax { temperature: 0.1 })
            .steps(6000)
            .every(1000)
            .build()
            .unwrap()
    }

    fn runs(a: &Arena, reps: std::ops::Range<u64>) -> Vec<ArenaTrajectory> {
        reps.map(|r| a.run_replicate(SeedSequence::new(17), r).unwrap())
            .collect()
    }

    #[test]
    fn a_user_ranking_reimplementing_a_built_in_gives_its_numbers_bit_for_bit() {
        let quality =
            CustomRanking::new("my quality", |s: &RankingSetup<'_>| Ok(MyQuality::new(s)));
        let q = ArenaRankingSpec::Custom(quality);
        let pop = ArenaRankingSpec::Custom(my_popularity());
        let pop_builtin = ArenaRankingSpec::Popularity {
            ties: TieRule::LowestIndex,
        };
        let cases = [
            // hand-written quality oracle, personalised and pooled
            (
                q.clone(),
                q,
                ArenaRankingSpec::Quality,
                ArenaRankingSpec::Quality,
            ),
            // hand-written popularity (object-safe form), personalised and pooled
            (pop.clone(), pop, pop_builtin.clone(), pop_builtin),
        ];
        for (mine, mine_pooled, builtin, builtin_pooled) in cases {
            let want = runs(&arena(builtin, builtin_pooled), 0..4);
            let got = runs(&arena(mine.clone(), mine_pooled), 0..4);
            assert_eq!(got, want, "{}", mine.name());
        }
        // Built-ins that draw, run as user rankings: the same draws from the platform's
        // Ranking stream, so the same numbers.
        let (n, p) = (30, 6);
        let random = CustomRanking::from_policy("random", RandomRanking::new(n, p));
        let ties =
            CustomRanking::from_policy("popularity", PopularityRanking::new(n, p, TieRule::Random));
        let want = runs(
            &arena(
                ArenaRankingSpec::Random,
                ArenaRankingSpec::Popularity {
                    ties: TieRule::Random,
                },
            ),
            0..4,
        );
        let got = runs(
            &arena(
                ArenaRankingSpec::Custom(random),
                ArenaRankingSpec::Custom(ties),
            ),
            0..4,
        );
        assert_eq!(got, want);
    }

    #[test]
    fn a_user_ranking_is_reproducible_for_any_thread_count_and_in_steps() {
        let random = CustomRanking::from_policy("random", RandomRanking::new(30, 6));
        let a = arena(
            ArenaRankingSpec::Custom(random),
            ArenaRankingSpec::Custom(my_popularity()),
        );
        let serial = runs(&a, 0..6);
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .unwrap();
        let parallel: Vec<ArenaTrajectory> = pool.install(|| {
            (0..6u64)
                .into_par_iter()
                .map(|r| a.run_replicate(SeedSequence::new(17), r).unwrap())
                .collect()
        });
        assert_eq!(parallel, serial);
        let mut run = a.start(SeedSequence::new(17), 3).unwrap();
        for chunk in [1, 999, 2500, 7, 10_000] {
            run.step(chunk);
        }
        assert!(run.is_finished() && run.error().is_none());
        assert_eq!(run.trajectory(), serial[3]);
        assert_ne!(serial[0], serial[1], "replicates differ");
    }

    /// A ranking that returns `bad` from its `at`-th call on (and a good order before).
    #[derive(Clone)]
    struct Breaks {
        good: Vec<u32>,
        bad: Vec<u32>,
        at: u64,
        calls: u64,
    }

    impl DynRankingPolicy for Breaks {
        fn dyn_reset(&mut self, _: &[u64], _: &mut PortableRng) {}
        fn dyn_rank(&mut self, _: &PlatformState<'_>, _: &mut PortableRng) -> &[u32] {
            self.calls += 1;
            if self.calls >= self.at {
                &self.bad
            } else {
                &self.good
            }
        }
        fn dyn_on_purchase(&mut self, _: usize, _: &[u64], _: &mut PortableRng) {}
        fn dyn_observe(&mut self, _: u64, _: &StepOutcome, _: &CountState, _: &mut PortableRng) {}
        fn dyn_is_static(&self) -> bool {
            false
        }
        fn dyn_clone(&self) -> Box<dyn DynRankingPolicy> {
            Box::new(self.clone())
        }
    }

    #[test]
    fn a_wrong_order_is_an_error_naming_the_platform_the_step_and_the_replicate() {
        let good: Vec<u32> = (0..6).collect();
        let cases: [(Vec<u32>, &str); 4] = [
            (vec![0, 1, 2, 3, 4, 4], "rank returned item 4 twice"),
            (
                vec![0, 1, 2, 3, 4, 30],
                "rank returned item 30 at position 6, outside 0..30",
            ),
            (vec![0, 1, 2], "rank returned 3 items"),
            ((0..7).collect(), "rank returned 7 items"),
        ];
        for (bad, want) in cases {
            let breaks = Breaks {
                good: good.clone(),
                bad,
                at: 40,
                calls: 0,
            };
            // On the pooled platform, whose 50 warm-start users come first: the 40th call is
            // its 40th user (a warm-start user).
            let a = arena(
                ArenaRankingSpec::Quality,
                ArenaRankingSpec::Custom(CustomRanking::from_policy("breaks", breaks)),
            );
            let err = a.run_replicate(SeedSequence::new(17), 3).unwrap_err();
            let ArenaError::Ranking { field, message } = &err else {
                panic!("{err:?}")
            };
            assert_eq!(field, "platforms[1].ranking");
            let head = "platform \"pooled\": ranking \"breaks\" of replicate 3 at step 40: ";
            assert!(message.starts_with(&format!("{head}{want}")), "{message}");
            assert_eq!(err.field().as_deref(), Some("platforms[1].ranking"));
            // The run stopped (the fault was seen before the game's first step) and says why.
            let mut run = a.start(SeedSequence::new(17), 3).unwrap();
            assert_eq!(run.step(1000), 0);
            assert_eq!(run.error(), Some(err));
        }
    }

    #[test]
    fn a_ranking_that_cannot_be_built_is_an_error_naming_the_platform() {
        let fails = CustomRanking::new("fails", |_: &RankingSetup<'_>| {
            Err::<MyPopularity, _>(ArenaError::invalid("mine", "no model file"))
        });
        let a = arena(ArenaRankingSpec::Custom(fails), ArenaRankingSpec::Random);
        let err = a.start(SeedSequence::new(1), 5).unwrap_err().to_string();
        assert_eq!(
            err,
            "platforms[0].ranking: platform \"mine\": ranking \"fails\" of replicate 5 could not \
             be built: mine: no model file"
        );
        assert!(a.run_replicate(SeedSequence::new(1), 5).is_err());
    }

    #[test]
    fn a_custom_ranking_is_named_and_equals_only_its_clones() {
        let a = my_popularity();
        let spec = ArenaRankingSpec::Custom(a.clone());
        assert_eq!(spec.name(), "my popularity");
        assert_eq!(ArenaRankingSpec::Custom(a.clone()), spec);
        assert_ne!(ArenaRankingSpec::Custom(my_popularity()), spec);
        assert_eq!(format!("{a:?}"), "CustomRanking(\"my popularity\")");
    }
}
