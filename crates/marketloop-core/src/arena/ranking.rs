//! A platform's ranking policy: [`ArenaRankingSpec`] names it (the market's built-ins random,
//! popularity, quality oracle and fixed; the performance ranking; a learning ranking; a user's
//! [`CustomRanking`]), and [`ArenaRanking`] is the built policy, one enum so the platform step
//! dispatches statically over the built-ins (a user's ranking is the one boxed variant).
//!
//! Pooled platforms (which do not see the user's type) rank the same for everybody: the quality
//! oracle of a pooled platform ranks by the population's mean quality sum_i w_i q_ij; a fixed
//! order must then be one global list, and the performance ranking (an optimum for one user
//! type) needs a personalised platform.

use super::custom::{BoxedRanking, CustomRanking, RankingSetup};
use super::error::ArenaError;
use super::learning::{LearningRanking, LearningSpec};
use super::performance::PerformanceRanking;
use crate::market::model::Row;
use crate::market::{
    CountState, DynRankingPolicy, FixedOrder, FixedRanking, InitialCounts, Market, PlatformState,
    PopularityRanking, PositionBias, QualityRanking, RandomRanking, RankingPolicy, StepOutcome,
    TieRule,
};
use crate::rng::PortableRng;
use serde::{Deserialize, Serialize};

/// A platform's ranking as configured.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "strategy")]
pub enum ArenaRankingSpec {
    /// A fresh uniformly random ranking every step.
    Random,
    /// By descending purchase count on the platform.
    Popularity {
        /// The tie rule.
        ties: TieRule,
    },
    /// By descending quality (oracle).
    Quality,
    /// A user-supplied order.
    Fixed {
        /// The order(s).
        order: FixedOrder,
    },
    /// The performance ranking (oracle q; Abeliuk et al. 2015).
    Performance,
    /// A ranking that learns q from the platform's trials.
    Learning(LearningSpec),
    /// A user's ranking (Rust or a binding's), built afresh for each replicate. Serialises as
    /// `{"strategy": "custom", "name": ...}`; a config cannot name one.
    #[serde(skip_deserializing)]
    Custom(CustomRanking),
}

impl ArenaRankingSpec {
    /// A short name: "random", "popularity", "quality", "fixed", "performance", the learning
    /// rule's name with "+pop" when popularity-weighted, or a user ranking's name.
    pub fn name(&self) -> String {
        match self {
            ArenaRankingSpec::Random => "random".into(),
            ArenaRankingSpec::Popularity { .. } => "popularity".into(),
            ArenaRankingSpec::Quality => "quality".into(),
            ArenaRankingSpec::Fixed { .. } => "fixed".into(),
            ArenaRankingSpec::Performance => "performance".into(),
            ArenaRankingSpec::Learning(l) => {
                let pop = if l.popularity_weighted { "+pop" } else { "" };
                format!("{}{pop}", l.rule.name())
            }
            ArenaRankingSpec::Custom(c) => c.name().to_string(),
        }
    }

    /// Checks the ranking for `market` and `bias` on a platform that is `personalised` or not;
    /// errors name `field` (e.g. `platforms[1].ranking`).
    pub fn check(
        &self,
        market: &Market,
        bias: &PositionBias,
        personalised: bool,
        field: &str,
    ) -> Result<(), ArenaError> {
        match self {
            ArenaRankingSpec::Fixed { order } => {
                if !personalised && matches!(order, FixedOrder::PerType(_)) {
                    return Err(ArenaError::invalid(
                        format!("{field}.order"),
                        "a pooled platform (personalised = false) does not see the user's type: \
                         give one global order, not one per type",
                    ));
                }
                FixedRanking::new(market, order, bias.positions())
                    .map_err(|e| ArenaError::invalid(format!("{field}.order"), e.to_string()))?;
                Ok(())
            }
            ArenaRankingSpec::Performance if !personalised => Err(ArenaError::invalid(
                format!("{field}.strategy"),
                "strategy = \"performance\" optimises for the arriving user's type and needs \
                 personalised = true",
            )),
            ArenaRankingSpec::Learning(l) => l.check(field),
            _ => Ok(()),
        }
    }

    /// Builds the policy (the spec must have passed [`check`](Self::check)). A user's ranking
    /// is built by its [`CustomRanking`] (whose error is returned as it is).
    pub fn build(
        &self,
        market: &Market,
        bias: &PositionBias,
        personalised: bool,
    ) -> Result<ArenaRanking, ArenaError> {
        let (n, p) = (market.n_items(), bias.positions());
        Ok(match self {
            ArenaRankingSpec::Random => ArenaRanking::Random(RandomRanking::new(n, p)),
            ArenaRankingSpec::Popularity { ties } => {
                ArenaRanking::Popularity(PopularityRanking::new(n, p, *ties))
            }
            ArenaRankingSpec::Quality if personalised || market.n_types() == 1 => {
                ArenaRanking::Quality(QualityRanking::new(market, p), false)
            }
            ArenaRankingSpec::Quality => {
                ArenaRanking::Quality(QualityRanking::new(&pooled(market)?, p), true)
            }
            ArenaRankingSpec::Fixed { order } => {
                ArenaRanking::Fixed(FixedRanking::new(market, order, p)?)
            }
            ArenaRankingSpec::Performance => {
                ArenaRanking::Performance(PerformanceRanking::new(n, bias))
            }
            ArenaRankingSpec::Learning(l) => {
                ArenaRanking::Learning(Box::new(LearningRanking::new(market, p, *l, personalised)))
            }
            ArenaRankingSpec::Custom(c) => {
                let setup = RankingSetup {
                    market,
                    bias,
                    personalised,
                };
                ArenaRanking::Custom(BoxedRanking::new(c.build(&setup)?, n, p, personalised))
            }
        })
    }
}

/// The one-type market of a pooled platform: population-mean visibility and quality.
fn pooled(market: &Market) -> Result<Market, ArenaError> {
    let (m, n, w) = (market.n_types(), market.n_items(), market.weights());
    let mean = |row: fn(&Market, usize) -> Row<'_>| -> Vec<f64> {
        (0..n)
            .map(|j| (0..m).map(|i| w[i] * row(market, i).get(j)).sum::<f64>())
            .collect()
    };
    let q: Vec<f64> = mean(Market::quality_row)
        .into_iter()
        .map(|x: f64| x.clamp(0.0, 1.0))
        .collect();
    Ok(Market::builder()
        .items(n)
        .weights([1.0])
        .visibility(mean(Market::visibility_row))
        .quality(q)
        .feedback([0.0])
        .initial_counts(InitialCounts::Fixed(vec![1; n]))
        .build()?)
}

/// A built ranking policy: static dispatch over the built-in kinds of [`ArenaRankingSpec`],
/// one virtual call per hook for a user's ([`BoxedRanking`]). A platform drives it with its own
/// `Ranking` stream through [`DynRankingPolicy`]; the built-ins run the very code (and draws)
/// of their [`RankingPolicy`] implementations.
#[derive(Clone, Debug)]
#[allow(clippy::large_enum_variant)]
pub enum ArenaRanking {
    /// [`RandomRanking`].
    Random(RandomRanking),
    /// [`PopularityRanking`].
    Popularity(PopularityRanking),
    /// [`QualityRanking`]; `true` if pooled (ranks the population mean for every type).
    Quality(QualityRanking, bool),
    /// [`FixedRanking`].
    Fixed(FixedRanking),
    /// [`PerformanceRanking`].
    Performance(PerformanceRanking),
    /// [`LearningRanking`].
    Learning(Box<LearningRanking>),
    /// A user's ranking ([`CustomRanking`]), its orders checked.
    Custom(BoxedRanking),
}

impl ArenaRanking {
    /// The learning ranking, if this is one (its posteriors and estimate error).
    pub fn learning(&self) -> Option<&LearningRanking> {
        match self {
            ArenaRanking::Learning(l) => Some(l),
            _ => None,
        }
    }

    /// What went wrong, if this is a user's ranking that broke its contract (see
    /// [`BoxedRanking::fault`]); the built-ins never fail.
    pub fn fault(&self) -> Option<String> {
        match self {
            ArenaRanking::Custom(c) => c.fault(),
            _ => None,
        }
    }
}

/// `$e` with `$p` bound to the built-in policy, or `$c` with `$b` bound to a user's.
macro_rules! each {
    ($self:expr, $p:ident => $e:expr, $b:ident => $c:expr) => {
        match $self {
            ArenaRanking::Random($p) => $e,
            ArenaRanking::Popularity($p) => $e,
            ArenaRanking::Quality($p, _) => $e,
            ArenaRanking::Fixed($p) => $e,
            ArenaRanking::Performance($p) => $e,
            ArenaRanking::Learning($p) => $e,
            ArenaRanking::Custom($b) => $c,
        }
    };
}

impl DynRankingPolicy for ArenaRanking {
    fn dyn_reset(&mut self, counts: &[u64], rng: &mut PortableRng) {
        each!(self, p => p.reset(counts, rng), b => b.dyn_reset(counts, rng))
    }

    #[inline]
    fn dyn_rank(&mut self, platform: &PlatformState<'_>, rng: &mut PortableRng) -> &[u32] {
        match self {
            ArenaRanking::Quality(p, true) => p.shown(0, rng),
            _ => each!(self, p => p.rank(platform, rng), b => b.dyn_rank(platform, rng)),
        }
    }

    #[inline]
    fn dyn_on_purchase(&mut self, item: usize, counts: &[u64], rng: &mut PortableRng) {
        each!(
            self,
            p => p.on_purchase(item, counts, rng),
            b => b.dyn_on_purchase(item, counts, rng)
        )
    }

    #[inline]
    fn dyn_observe(
        &mut self,
        step: u64,
        outcome: &StepOutcome,
        state: &CountState,
        rng: &mut PortableRng,
    ) {
        each!(
            self,
            p => p.observe(step, outcome, state, rng),
            b => b.dyn_observe(step, outcome, state, rng)
        )
    }

    fn dyn_is_static(&self) -> bool {
        each!(self, p => p.is_static(), b => b.dyn_is_static())
    }

    fn dyn_clone(&self) -> Box<dyn DynRankingPolicy> {
        Box::new(self.clone())
    }

    fn dyn_fault(&self) -> Option<String> {
        self.fault()
    }
}
