//! # marketloop-core
//!
//! The engine of marketloop: models of attention markets with feedback loops, their
//! stochastic and deterministic dynamics, equilibrium solvers and the papers' metrics.
//!
//! This crate has no command line, no Python and no file formats. Every random function takes
//! an explicit `&mut R: Rng`; streams come from [`rng::SeedSequence`], one per
//! (replicate, [`rng::Source`]), so results are bit-identical whatever the thread count.
//!
//! Modules:
//! - [`arena`]: platforms that rank a catalogue (learning q in the loop) compete for typed users.
//! - [`bandits`]: competing bandits (learning firms competing for users by reputation).
//! - [`market`]: the trial-offer cultural market: model, dynamics, equilibrium, rankings.
//! - [`rng`]: the portable generator, master seeds and per-replicate streams.
//! - [`runner`]: deterministic (serial or rayon-parallel) maps over replicate indices.
//! - [`stats`]: summary statistics over replicates (quantiles).
#![deny(missing_docs)]

pub mod arena;
pub mod bandits;
pub mod market;
pub mod rng;
pub mod runner;
pub mod stats;

/// The version of this crate, recorded in every output manifest.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The README's Rust examples, compiled and run as doctests so they cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
pub struct ReadmeDoctests;
