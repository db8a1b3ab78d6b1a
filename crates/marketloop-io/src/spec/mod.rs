//! Typed specs: one serde struct per spec, parsed once (from TOML text or a JSON value, with
//! unknown keys rejected) and resolved once into validated core types.
//!
//! - [`arena`]: the arena spec ([`ArenaSpec`] -> [`ResolvedArena`]).
//! - [`market`]: the market spec ([`MarketSpec`] -> [`ResolvedMarket`]).
//! - [`ranking`]: its `[ranking]` table ([`RankingTable`]).
//! - [`bayes`]: the Bayesian-choice spec ([`BayesSpec`], `marketloop bayes`, `kind = "bayes"`).
//! - [`values`]: shared value shapes ("a number or one per type", "inline matrix or file").
//! - [`limits`]: the maximum of every size and the memory budget, checked before allocation.

pub mod arena;
pub mod bayes;
pub mod limits;
pub mod market;
pub mod ranking;
pub mod values;

pub use arena::{ArenaSpec, ResolvedArena};
pub use bayes::{BayesSpec, PriorSpec};
pub use market::{MarketSpec, ResolvedMarket};
pub use ranking::RankingTable;
