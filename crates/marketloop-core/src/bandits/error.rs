//! The one error type of the competing-bandits area.

/// Invalid parameters of a bandit instance, algorithm, firm, response function or scenario.
///
/// Every message names the parameter, the bad value and the allowed range.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum BanditError {
    /// A parameter outside its allowed range.
    #[error("{name} = {value} must lie in {allowed}")]
    OutOfRange {
        /// The parameter, e.g. "epsilon of BayesEpsilonGreedy".
        name: String,
        /// The offending value, as written.
        value: String,
        /// The allowed range, e.g. "[0, 1]".
        allowed: String,
    },
    /// A user's algorithm broke its contract during a run (for example selected an arm outside
    /// `0..K`).
    #[error("algorithm {algorithm} (firm slot {slot}) in run {run}: {message}")]
    Plugin {
        /// The algorithm's label.
        algorithm: String,
        /// Its firm slot.
        slot: usize,
        /// The run (replicate) index.
        run: u64,
        /// What went wrong.
        message: String,
    },
    /// An algorithm, instance or response name that is not known.
    #[error("unknown {what} {name:?}; allowed: {allowed}")]
    UnknownName {
        /// What was being named ("algorithm", "instance", ...).
        what: String,
        /// The name given.
        name: String,
        /// The names that are accepted.
        allowed: String,
    },
    /// A malformed textual specification (for example an algorithm with parameters).
    #[error("cannot read {what} {text:?}: {reason}")]
    Parse {
        /// What was being read.
        what: String,
        /// The text.
        text: String,
        /// What is wrong.
        reason: String,
    },
    /// An algorithm paired with a reward model it does not accept (for example a Beta-Bernoulli
    /// algorithm under Gaussian rewards); refused before anything runs.
    #[error(
        "{field} = {algorithm} does not accept {rewards} rewards: {reason}; the algorithms that accept them: {accepted}"
    )]
    UnsupportedRewards {
        /// The config field of the algorithm, e.g. `algorithms[1]`.
        field: String,
        /// The algorithm's label, e.g. "TS".
        algorithm: String,
        /// The reward model, e.g. "gaussian(sigma=1)".
        rewards: String,
        /// Why it does not fit.
        reason: String,
        /// The built-in algorithms that accept this reward model (and user algorithms).
        accepted: String,
    },
    /// Inputs that do not fit together (for example a table with fewer rows than a phase needs).
    #[error("{0}")]
    Mismatch(String),
    /// A stop was requested (see [`crate::runner::Stop`]) before the computation finished.
    #[error("interrupted: a stop was requested before the computation finished")]
    Interrupted,
}

impl BanditError {
    /// Shorthand for [`BanditError::OutOfRange`].
    pub fn range(name: impl Into<String>, value: impl std::fmt::Display, allowed: &str) -> Self {
        BanditError::OutOfRange {
            name: name.into(),
            value: value.to_string(),
            allowed: allowed.into(),
        }
    }
}
