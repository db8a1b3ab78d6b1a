//! The Bayesian-choice model of Section 4 of the competing-bandits paper, simulated exactly.
//!
//! Agents share a prior over mean vectors, know the principals' algorithms and their own
//! arrival round, and observe nothing else. An algorithm is then summarised by its
//! Bayesian-expected reward rew(n) at its own n-th step; agent t's estimate of principal j is
//! E[rew_j(n_j(t) + 1)], and its choice probability p_t is a deterministic function of t, so
//! n_1(t) is Poisson-binomial and its distribution is carried forward exactly.
//!
//! - [`prior`]: the common prior ([`BayesPrior`], a user's [`CustomPrior`]) and the algorithms'
//!   [`Belief`] (the true prior or Beta).
//! - [`posterior`]: exact posterior means under non-conjugate true priors (uniform: incomplete
//!   Beta ratios; needle-in-haystack) and the greedy algorithms using them ([`ExactGreedy`]).
//! - [`curves`]: rew(n) by Monte Carlo with common random numbers, with standard errors and
//!   deviation steps ([`CurvesConfig`] -> [`RewCurves`]).
//! - [`response`]: the response functions on reward estimates ([`BayesResponse`]: a built-in
//!   [`ResponseSpec`](crate::bandits::ResponseSpec) or a user's function).
//! - [`game`]: the exact
//!   propagation of n_1(t) ([`BayesGame`] -> [`GameOutcome`]), with HardMax decisions inside
//!   the Monte Carlo error band flagged.

pub mod curves;
pub mod game;
pub mod posterior;
pub mod prior;
pub mod response;
#[cfg(test)]
mod theorems;

pub use curves::{BayesAlgorithm, Curve, CurvesConfig, Pair, RewCurves};
pub use game::{BandRule, BayesGame, GameOutcome, MAX_TAIL_TOLERANCE};
pub use posterior::{uniform_posterior_mean, ExactGreedy, GreedyRule, PosteriorMean};
pub use prior::{BayesPrior, Belief, CustomPrior};
pub use response::BayesResponse;
