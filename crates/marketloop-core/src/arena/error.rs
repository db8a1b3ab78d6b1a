//! The one error type of the arena: invalid platforms, rankings, reputations or schedules, a
//! user's ranking that broke its contract in a run, and the market's own errors.

use crate::bandits::BanditError;
use crate::market::MarketError;

/// An invalid arena.
///
/// Every message names the field (spelled as in the arena TOML, e.g. `platforms[1].window`),
/// the bad value and what is allowed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ArenaError {
    /// A parameter of the arena outside what is allowed.
    #[error("{field}: {message}")]
    Invalid {
        /// The field, e.g. `platforms` or `platforms[0].entry`.
        field: String,
        /// What is wrong and what is allowed.
        message: String,
    },
    /// A user's ranking ([`CustomRanking`](super::CustomRanking)) could not be built or
    /// returned a wrong order in a run; the message names the platform, the step and the
    /// replicate.
    #[error("{field}: {message}")]
    Ranking {
        /// The platform's ranking field, e.g. `platforms[1].ranking`.
        field: String,
        /// The platform, the ranking, the step, the replicate and what went wrong.
        message: String,
    },
    /// The market (w, v, q, r, initial counts, position bias) is invalid.
    #[error(transparent)]
    Market(#[from] MarketError),
}

impl ArenaError {
    /// Shorthand for [`ArenaError::Invalid`].
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        ArenaError::Invalid {
            field: field.into(),
            message: message.into(),
        }
    }

    /// A bandit-area error (a response function's or a prior's parameter) under `field`.
    pub fn from_bandit(field: impl Into<String>, e: BanditError) -> Self {
        ArenaError::invalid(field, e.to_string())
    }

    /// The field the error is about, if it names one.
    pub fn field(&self) -> Option<String> {
        match self {
            ArenaError::Invalid { field, .. } | ArenaError::Ranking { field, .. } => {
                Some(field.clone())
            }
            ArenaError::Market(e) => e.field().map(str::to_string),
        }
    }
}
