//! Ranking strategies (Section 5): which item a user sees at each rank position. With a
//! [`PositionBias`](super::position_bias::PositionBias) of P positions, item j at position k gets
//! visibility v_ij^t = vhat_ij * iota_k (eq. 20); only the first P positions matter, so every
//! policy here hands out its top P items in O(P) per step, whatever the catalogue size:
//!
//! - [`RandomRanking`]: a fresh uniformly random ranking every step (a [`PartialShuffle`]: P
//!   swap indices from the `Ranking` stream, several per 64-bit word).
//! - [`PopularityRanking`]: items by descending purchase count (MusicLab), kept sorted
//!   incrementally in O(1) per purchase; ties follow a [`TieRule`].
//! - [`QualityRanking`]: per user type, items by descending q_ij (an oracle; precomputed; ties
//!   by lower item index).
//! - [`FixedRanking`]: a user-supplied order, global or per type.
//! - [`ExploreThenExploit`]: a learning ranking: random rankings for a budget of steps while it
//!   estimates q_ij from its own trials and purchases (through [`RankingPolicy::observe`]),
//!   then per type by the estimates.
//!
//! [`DynRankingPolicy`] (`dynamic.rs`) is the object-safe form every policy implements, through
//! which an arena platform runs a user's ranking chosen at run time, and [`OrderCheck`] checks
//! what such a ranking returns.
//!
//! Files: [`TieRule`] in `tie_rule.rs`, NumPy's argsort tie order (for the `numpy-argsort-*`
//! rules) in `numpy_order.rs`, one file per policy.

mod dynamic;
mod explore_exploit;
mod fixed;
mod numpy_order;
mod popularity;
mod quality;
mod random;
mod tie_rule;

pub use dynamic::{DynRankingPolicy, OrderCheck};
pub use explore_exploit::ExploreThenExploit;
pub use fixed::FixedRanking;
pub use popularity::PopularityRanking;
pub use quality::QualityRanking;
pub use random::{bounded_u32, PartialShuffle, RandomRanking};
pub use tie_rule::TieRule;

use super::engine::StepOutcome;
use super::error::MarketError;
use super::model::Market;
use super::state::CountState;
use rand::Rng;
use serde::{Deserialize, Serialize};

/// What a ranking sees when a user arrives: the platform state it ranks from.
#[derive(Clone, Copy, Debug)]
pub struct PlatformState<'a> {
    /// The market (w, v, q, r).
    pub market: &'a Market,
    /// Counts d_j, running totals, trials per item (see [`CountState`]); shares are
    /// `counts[j] / total` ([`CountState::shares`] allocates, so call it sparingly).
    pub state: &'a CountState,
    /// The arriving user's type.
    pub user_type: usize,
    /// The arriving user's index t = 0, 1, ... (users arrived before her).
    pub step: u64,
}

impl PlatformState<'_> {
    /// Purchase counts d_j (initial counts included).
    pub fn counts(&self) -> &[u64] {
        self.state.counts()
    }

    /// Market share phi_j = d_j / D of item `item` (O(1)).
    pub fn share(&self, item: usize) -> f64 {
        self.state.counts()[item] as f64 / self.state.total() as f64
    }
}

/// A platform's ranking of items, queried once per arriving user.
///
/// The engine asks [`rank`](Self::rank) (by default [`shown`](Self::shown) for the arriving
/// user's type) once per step, tells [`on_purchase`](Self::on_purchase) about each purchase and
/// [`observe`](Self::observe) about every step's outcome (trial, purchase or nothing), so a
/// ranking may learn in the loop. The built-ins use the defaults of `rank` and `observe`, which
/// draw nothing: their random draws are unchanged by the hooks.
pub trait RankingPolicy {
    /// Starts a replicate with the given initial counts (random choices use `rng`, the
    /// replicate's `Ranking` stream).
    fn reset<R: Rng + ?Sized>(&mut self, counts: &[u64], rng: &mut R);

    /// The items at positions 1, 2, ..., min(P, n) for a user of type `user_type` now.
    fn shown<R: Rng + ?Sized>(&mut self, user_type: usize, rng: &mut R) -> &[u32];

    /// Item `item` was bought; `counts` already include the purchase.
    fn on_purchase<R: Rng + ?Sized>(&mut self, item: usize, counts: &[u64], rng: &mut R);

    /// Whether the ranking depends on the user type only (then visibility is static and the
    /// equilibrium theory applies to the effective visibility).
    fn is_static(&self) -> bool;

    /// The items at positions 1, 2, ..., min(P, n) for the user arriving in `platform`, who may
    /// be ranked from the whole platform state (counts, shares, her type, the step). Draws use
    /// `rng`, the replicate's `Ranking` stream. Default: [`shown`](Self::shown) for her type.
    #[inline]
    fn rank<R: Rng + ?Sized>(&mut self, platform: &PlatformState<'_>, rng: &mut R) -> &[u32] {
        self.shown(platform.user_type, rng)
    }

    /// User `step` (0-based) arrived and `outcome` happened (her type, the item she tried if
    /// any, whether she bought it); `state` already includes it. Called once per step, after
    /// [`on_purchase`](Self::on_purchase); `rng` is the `Ranking` stream. Default: nothing.
    #[inline]
    fn observe<R: Rng + ?Sized>(
        &mut self,
        _step: u64,
        _outcome: &StepOutcome,
        _state: &CountState,
        _rng: &mut R,
    ) {
    }
}

/// A ranking strategy as written in a config.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "strategy")]
pub enum RankingSpec {
    /// A fresh uniformly random ranking every step.
    Random,
    /// By descending purchase count.
    Popularity {
        /// The tie rule.
        #[serde(default)]
        ties: TieRule,
    },
    /// Per type by descending quality q_ij.
    Quality,
    /// A user-supplied order.
    Fixed {
        /// The order(s).
        order: FixedOrder,
    },
    /// A learning ranking: random rankings for `explore` steps while estimating q_ij from the
    /// platform's own trials and purchases, then per type by the estimates
    /// ([`ExploreThenExploit`]).
    ExploreThenExploit {
        /// The exploration budget in steps.
        explore: u64,
    },
}

impl RankingSpec {
    /// A short name: "random", "popularity", "quality", "fixed" or "explore-then-exploit".
    pub fn name(&self) -> &'static str {
        match self {
            RankingSpec::Random => "random",
            RankingSpec::Popularity { .. } => "popularity",
            RankingSpec::Quality => "quality",
            RankingSpec::Fixed { .. } => "fixed",
            RankingSpec::ExploreThenExploit { .. } => "explore-then-exploit",
        }
    }
}

/// A user-supplied ranking: item indices, best position first. Items not listed are not shown.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum FixedOrder {
    /// The same order for every user type.
    Global(Vec<usize>),
    /// One order per user type.
    PerType(Vec<Vec<usize>>),
}

/// The effective static visibility v_ij = vhat_ij * iota(rank) of a static ranking (quality or
/// fixed), under which the equilibrium theory applies. Errors for random and popularity
/// rankings, whose visibility changes with the state.
pub fn effective_visibility(
    market: &Market,
    spec: &RankingSpec,
    bias: &super::position_bias::PositionBias,
) -> Result<Vec<f64>, MarketError> {
    let (m, n) = (market.n_types(), market.n_items());
    // Static rankings never draw; any generator will do.
    let mut rng = crate::rng::SeedSequence::new(0).stream(0, crate::rng::Source::Ranking);
    let lists: Vec<Vec<u32>> = match spec {
        RankingSpec::Quality => {
            let mut q = QualityRanking::new(market, bias.positions());
            (0..m).map(|i| q.shown(i, &mut rng).to_vec()).collect()
        }
        RankingSpec::Fixed { order } => {
            let mut f = FixedRanking::new(market, order, bias.positions())?;
            (0..m).map(|i| f.shown(i, &mut rng).to_vec()).collect()
        }
        RankingSpec::Random
        | RankingSpec::Popularity { .. }
        | RankingSpec::ExploreThenExploit { .. } => {
            return Err(MarketError::NotApplicable(format!(
                "ranking.strategy = \"{}\": the visibility changes with every step, so the \
                 deterministic dynamic and the equilibrium (which assume fixed visibility) do \
                 not apply; use a quality or fixed ranking, or no ranking",
                spec.name()
            )))
        }
    };
    let mut out = vec![0.0; m * n];
    for (i, list) in lists.iter().enumerate() {
        for (p, &j) in list.iter().enumerate() {
            let k = i * n + j as usize;
            out[k] = market.visibility().get(k) * bias.weights()[p];
        }
    }
    Ok(out)
}
