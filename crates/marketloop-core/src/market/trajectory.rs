//! What a run of the stochastic market returns: its measurements every K steps and its end
//! state, as plain data (saved per replicate for resume, turned into tables by io).

use serde::{Deserialize, Serialize};

/// One measurement of a running market.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Measurement {
    /// Users arrived so far.
    pub step: u64,
    /// Purchases / arrivals so far.
    pub efficiency: f64,
    /// Entropy of the market shares (nats).
    pub entropy: f64,
    /// The market shares, if recorded.
    pub shares: Option<Vec<f64>>,
}

/// The result of one replicate.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Trajectory {
    /// The replicate index.
    pub replicate: u64,
    /// The initial counts d^0.
    pub initial_counts: Vec<u64>,
    /// Measurements in step order.
    pub measurements: Vec<Measurement>,
    /// Counts at the end.
    pub final_counts: Vec<u64>,
    /// Trials per item over the run.
    pub trials: Vec<u64>,
    /// Users who tried nothing.
    pub idle: u64,
}
