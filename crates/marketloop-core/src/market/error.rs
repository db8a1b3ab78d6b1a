//! Errors of the trial-offer market: invalid parameters, and questions the model cannot answer
//! (an equilibrium of a market where nothing can ever be bought).

/// An error building or analysing a trial-offer market.
///
/// Every message names the parameter (`field`, spelled as in the market TOML), the bad value and
/// the allowed range. Indices in messages are 0-based.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum MarketError {
    /// A dimension is zero.
    #[error("{field}: {what} = 0, but at least 1 is needed")]
    Empty {
        /// The parameter, e.g. "items" or "weights".
        field: &'static str,
        /// What is counted, e.g. "number of items n".
        what: &'static str,
    },
    /// A required field of a builder was not set.
    #[error("{field}: not set; {builder} needs every one of {needed}")]
    Missing {
        /// The field, e.g. "visibility".
        field: &'static str,
        /// The builder, e.g. "Market::builder()".
        builder: &'static str,
        /// All the fields it needs, e.g. "items, weights, ...".
        needed: &'static str,
    },
    /// A vector or matrix has the wrong number of entries.
    #[error("{field}: {got} entries given, but {expected} are needed ({shape})")]
    Shape {
        /// The parameter.
        field: &'static str,
        /// Entries given.
        got: usize,
        /// Entries needed.
        expected: usize,
        /// The expected shape in words, e.g. "m x n = 2 x 5".
        shape: String,
    },
    /// An entry is NaN or infinite.
    #[error(
        "{field}: {description} = {value} {place}is not a finite number (allowed range {range})"
    )]
    NotFinite {
        /// The parameter.
        field: &'static str,
        /// What the value is, e.g. "visibility v".
        description: &'static str,
        /// The value.
        value: f64,
        /// Where it is ("for user type 1 and item 4 "), possibly empty.
        place: String,
        /// The allowed range, e.g. "[0, 1]".
        range: &'static str,
    },
    /// An entry lies outside its allowed range.
    #[error("{field}: {description} = {value} {place}must lie in {range}")]
    OutOfRange {
        /// The parameter.
        field: &'static str,
        /// What the value is, e.g. "feedback exponent r".
        description: &'static str,
        /// The value.
        value: f64,
        /// Where it is ("for user type 3 " or "at item 4 "), possibly empty.
        place: String,
        /// The allowed range, e.g. "[0, 1]".
        range: &'static str,
    },
    /// The population weights do not sum to one.
    #[error("weights: the population weights sum to {sum} but must sum to 1 (within 1e-9)")]
    WeightsSum {
        /// Their sum.
        sum: f64,
    },
    /// A ranking or position-bias setting is invalid.
    #[error("{field}: {message}")]
    Ranking {
        /// The parameter, e.g. "ranking.order".
        field: &'static str,
        /// What is wrong, with the value and what is allowed.
        message: String,
    },
    /// A simulation setting is invalid.
    #[error("{field}: {message}")]
    Simulation {
        /// The setting, e.g. "steps".
        field: &'static str,
        /// What is wrong, with the value and what is allowed.
        message: String,
    },
    /// No item can ever be bought (v_ij q_ij = 0 for every type and item, or every
    /// visibility-weighted share is 0), so market shares never move and no equilibrium exists.
    #[error("no purchase is possible from the given market shares: {reason}")]
    NoPurchasePossible {
        /// Why.
        reason: String,
    },
    /// The question does not apply to this market (e.g. an equilibrium under a ranking whose
    /// visibility changes with the state).
    #[error("{0}")]
    NotApplicable(String),
    /// A stop was requested (see [`crate::runner::Stop`]) before the computation finished.
    #[error("interrupted: a stop was requested before the computation finished")]
    Interrupted,
}

impl MarketError {
    /// The parameter the error is about, spelled as in the market TOML, if any.
    pub fn field(&self) -> Option<&'static str> {
        match self {
            MarketError::Empty { field, .. }
            | MarketError::Missing { field, .. }
            | MarketError::Shape { field, .. }
            | MarketError::NotFinite { field, .. }
            | MarketError::OutOfRange { field, .. }
            | MarketError::Ranking { field, .. }
            | MarketError::Simulation { field, .. } => Some(field),
            MarketError::WeightsSum { .. } => Some("weights"),
            MarketError::NoPurchasePossible { .. }
            | MarketError::NotApplicable(_)
            | MarketError::Interrupted => None,
        }
    }
}
