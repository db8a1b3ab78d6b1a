//! The arena: the two papers joined. P >= 1 platforms, each a trial-offer market of its own
//! (its own purchase counts and shares, a ranking policy that may learn q in the loop), compete
//! for a stream of typed users who pick a platform by reputation, as the competing firms of
//! Aridor et al. do.
//!
//! - [`model`]: the validated [`Arena`] ([`Arena::builder`]), [`PlatformSpec`],
//!   [`ReputationScope`].
//! - [`ranking`]: what a platform ranks by ([`ArenaRankingSpec`], built into [`ArenaRanking`]):
//!   the market's random, popularity, quality-oracle and fixed rankings, the
//!   [`performance`] ranking (Abeliuk et al. 2015, oracle q), and the [`learning`] rankings
//!   (greedy, epsilon-greedy, Thompson sampling, UCB on Beta posteriors; personalised or pooled;
//!   popularity-free or popularity-weighted).
//! - [`custom`]: a user's ranking on a platform ([`CustomRanking`]: any
//!   [`DynRankingPolicy`](crate::market::DynRankingPolicy)), its orders checked
//!   ([`BoxedRanking`]).
//! - [`choice`]: [`ArenaChoice`] (a choice rule that also gives the purchase probability of a
//!   slate, for the regret) for the logit and [`FirstPosition`] (items = arms: the arena becomes
//!   the competing-bandits game).
//! - [`platform`]: one platform's running state and the step inside it.
//! - [`run`]: a started replicate ([`ArenaRun`]), the step, and the platforms' streams.
//! - [`measures`]: what is measured every K steps (shares, efficiency, entropy, Gini, regret
//!   against the quality oracle, ||q_hat - q||, reputation, welfare, the specialisation index).
//!
//! With P = 1, an oracle ranking and no warm start the arena is `market simulate` bit for bit;
//! with items = arms, one type, [`FirstPosition`], learning rankings and P = 2 it is the
//! competing-bandits game (both tested in `tests.rs`).

pub mod choice;
pub mod custom;
mod error;
mod greedy_top;
pub mod learning;
pub mod measures;
pub mod model;
mod oracle;
pub mod performance;
pub mod platform;
pub mod ranking;
pub mod run;
#[cfg(test)]
mod tests;
mod thompson_direct;
mod thompson_top;
mod ucb_top;

pub use choice::{ArenaChoice, FirstPosition};
pub use custom::{BoxedRanking, CustomRanking, RankingSetup};
pub use error::ArenaError;
pub use learning::{LearningRanking, LearningRule, LearningSpec};
pub use measures::{ArenaPoint, ArenaTrajectory, PlatformPoint};
pub use model::{
    Arena, ArenaBuilder, PlatformSpec, ReputationScope, DEFAULT_WINDOW, MAX_MEASUREMENTS,
    MAX_STATE_ENTRIES,
};
pub use performance::PerformanceRanking;
pub use platform::Platform;
pub use ranking::{ArenaRanking, ArenaRankingSpec};
pub use run::{platform_stream, ArenaRun};
