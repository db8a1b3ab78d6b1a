//! The trial-offer cultural market with heterogeneous user types (Zhu, Cheung and Xie,
//! "Stability and Efficiency of Personalised Cultural Markets"; spec
//! `trial-offer-markets.md`).
//!
//! - [`model`]: the validated [`Market`] (w, v, q, r, initial counts), built by field name with
//!   [`Market::builder`].
//! - [`choice`]: choice rules ([`ChoiceModel`]: analytic trial probabilities and the engine's
//!   samplers); the multinomial logit of eq. (1), y(phi) and p(phi) of Lemma 2.1.
//! - [`measures`]: efficiency, entropy and the objectives (7), (8), (13), (14).
//! - [`equilibrium`]: the TOME (closed form, Prop. C.1, fixed point) and the deterministic
//!   dynamic (eq. 6).
//! - [`position_bias`], [`ranking`]: rank-position attention and ranking strategies (Section 5);
//!   one policy per file, NumPy's argsort tie order in `ranking/numpy_order.rs`.
//! - [`sampling`]: sum trees and alias tables.
//! - [`state`]: the counts and running totals of a running replicate.
//! - [`trajectory`]: what a run returns (measurements every K steps, the end state).
//! - [`engine`]: one replicate of the stochastic dynamic, step by step, generic over what users
//!   see (fixed visibility or a ranking) and the choice rule.
//! - [`run`]: one started replicate, stepped by the caller ([`Run`]), measuring with
//!   [`observer`]s ([`Observer`]: named values every K steps; efficiency, entropy and shares are
//!   built-in observers).
//! - [`simulation`]: replicated runs with periodic measurements, parallel over replicates, under
//!   any choice rule and any trial sampler (a user's ranking policy or choice rule included).
//!
//! Indices are 0-based; matrices are row-major m x n (types x items).

pub mod choice;
pub mod engine;
pub mod equilibrium;
pub mod error;
pub mod measures;
pub mod model;
pub mod observer;
pub mod position_bias;
pub mod ranking;
pub mod run;
pub mod sampling;
pub mod simulation;
pub mod state;
#[cfg(test)]
mod testing;
pub mod trajectory;

pub use choice::{scan_weights, ChoiceModel, ChoiceSampler, LogitSampler, MultinomialLogit, Slate};
pub use engine::{
    CountState, Engine, Ranked, StaticVisibility, StepOutcome, Streams, TrialSampler,
};
pub use equilibrium::{
    deterministic_dynamics, solve_tome, DynamicsStep, Regime, Tome, TomeMethod, TomeOptions,
};
pub use error::MarketError;
pub use measures::{Measures, NashWelfare, Objective};
pub use model::{InitialCounts, Market, MarketBuilder, Precision};
pub use observer::{Efficiency, Entropy, FnObserver, Observations, Observer, RunView, Shares};
pub use position_bias::{PositionBias, PositionBiasSpec, MUSICLAB_WEIGHTS};
pub use ranking::{
    DynRankingPolicy, ExploreThenExploit, FixedOrder, FixedRanking, PlatformState,
    PopularityRanking, QualityRanking, RandomRanking, RankingPolicy, RankingSpec, TieRule,
};
pub use run::{BoxedObserver, Run};
pub use simulation::{BuiltinSampler, Measurement, Simulation, Trajectory, Visibility};
