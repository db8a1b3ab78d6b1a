//! The papers' experiments as library calls: each submodule takes a plain, serde-friendly
//! config, runs the experiment (resumably, in parallel over replicates) and writes its tables,
//! figures, report and manifest into a run folder. The CLI and the Python package are thin
//! layers over these functions.
//!
//! - [`bandits`]: Aridor, Mansour, Slivkins & Wu, competing bandits (Section 5, Appendix F).
//! - [`bayesian`]: the Bayesian-choice model of Section 4 of competing bandits, simulated.
//! - [`cultural`]: Zhu, Cheung & Xie, personalised cultural markets (Figure 2, Appendix E).
//! - [`Protocol`]: the paper's text or the authors' code, where the two differ (both).

pub mod bandits;
pub mod bayesian;
pub mod cultural;
mod protocol;

pub use protocol::Protocol;

/// A progress event of a long-running reproduction.
#[derive(Clone, Debug, PartialEq)]
pub struct Progress {
    /// The phase ("preferences", "simulate", "write").
    pub phase: &'static str,
    /// Units done in this phase.
    pub done: u64,
    /// Units in this phase.
    pub total: u64,
}
