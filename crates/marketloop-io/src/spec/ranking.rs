//! The `[ranking]` table of a market spec ([`RankingTable`]: strategy, position bias, ties,
//! fixed order) and its resolution into the core's [`RankingSpec`] and [`PositionBiasSpec`].

use super::values::{not_a_number, type_name, unknown_key, Checked};
use crate::IoError;
use marketloop_core::market::{FixedOrder, PositionBiasSpec, RankingSpec, TieRule};
use serde::Deserialize;
use serde_json::Value;

/// The `[ranking]` table as written.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RankingTable {
    /// `random | popularity | quality | fixed | explore-then-exploit`.
    pub strategy: Option<Checked<String>>,
    /// `"musiclab"` (default), a list of weights, `{ log_discount = P }` or
    /// `{ exponential = P, decay = d }`.
    pub position_bias: Option<Checked<BiasValue>>,
    /// Popularity only: the tie rule (default `first-to-reach`).
    pub ties: Option<Checked<String>>,
    /// Fixed only: one item order, or one per user type.
    pub order: Option<Checked<OrderValue>>,
    /// Explore-then-exploit only: the exploration budget in steps.
    pub explore: Option<Checked<i64>>,
}

/// A position bias as written.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(untagged, deny_unknown_fields)]
pub enum BiasValue {
    /// A named bias (`"musiclab"`).
    Name(String),
    /// Explicit weights, one per position.
    Weights(Vec<f64>),
    /// `{ log_discount = P }`.
    LogDiscount {
        /// Positions.
        log_discount: i64,
    },
    /// `{ exponential = P, decay = d }`.
    Exponential {
        /// Positions.
        exponential: i64,
        /// Decay per position.
        decay: f64,
    },
}

/// A fixed order as written.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum OrderValue {
    /// One order per user type.
    PerType(Vec<Vec<i64>>),
    /// One order for every type.
    Global(Vec<i64>),
}

const TIES: &str = "\"first-to-reach\" (default), \"random\", \"lowest-index\", \"highest-index\", \"numpy-argsort-negated\", \"numpy-argsort-reversed\"";

fn tie_rule(v: &Checked<String>) -> Result<TieRule, IoError> {
    let err = |m: String| IoError::spec("ranking.ties", m);
    match v {
        Checked::Valid(s) => Ok(match s.as_str() {
            "first-to-reach" => TieRule::FirstToReach,
            "random" => TieRule::Random,
            "lowest-index" => TieRule::LowestIndex,
            "highest-index" => TieRule::HighestIndex,
            "numpy-argsort-negated" => TieRule::NumpyArgsortNegated,
            "numpy-argsort-reversed" => TieRule::NumpyArgsortReversed,
            other => return Err(err(format!("ranking.ties = {other:?}; allowed: {TIES}"))),
        }),
        Checked::Invalid(v) => Err(err(format!(
            "ranking.ties is {} ({v}); allowed: {TIES}",
            type_name(v)
        ))),
    }
}

fn indices(field: &str, list: &[i64]) -> Result<Vec<usize>, IoError> {
    list.iter()
        .enumerate()
        .map(|(k, &i)| {
            usize::try_from(i).map_err(|_| {
                IoError::spec(
                    format!("{field}[{k}]"),
                    format!("{field}[{k}] = {i} must be an item index (a whole number >= 0)"),
                )
            })
        })
        .collect()
}

fn order(v: Option<&Checked<OrderValue>>) -> Result<FixedOrder, IoError> {
    let field = "ranking.order";
    match v {
        None => Err(IoError::spec(
            field,
            "ranking.order is missing: strategy = \"fixed\" needs the item order, best first",
        )),
        Some(Checked::Valid(OrderValue::PerType(l))) if !l.is_empty() => Ok(FixedOrder::PerType(
            l.iter()
                .enumerate()
                .map(|(i, o)| indices(&format!("{field}[{i}]"), o))
                .collect::<Result<_, _>>()?,
        )),
        Some(Checked::Valid(OrderValue::PerType(_))) => Ok(FixedOrder::Global(Vec::new())),
        Some(Checked::Valid(OrderValue::Global(l))) => Ok(FixedOrder::Global(indices(field, l)?)),
        Some(Checked::Invalid(v)) => Err(IoError::spec(
            field,
            format!(
                "ranking.order = {v} ({}); give a list of item indices (whole numbers >= 0), or \
                 one list per type",
                type_name(v)
            ),
        )),
    }
}

fn explore(v: Option<&Checked<i64>>) -> Result<u64, IoError> {
    let field = "ranking.explore";
    let allowed = "a whole number of steps >= 0";
    match v {
        None => Err(IoError::spec(
            field,
            format!(
                "ranking.explore is missing: strategy = \"explore-then-exploit\" needs the \
                 exploration budget ({allowed})"
            ),
        )),
        Some(Checked::Valid(x)) => {
            let x = u64::try_from(*x).map_err(|_| {
                IoError::spec(field, format!("ranking.explore = {x} must be {allowed}"))
            })?;
            super::limits::at_most(field, x, super::limits::MAX_STEPS)?;
            Ok(x)
        }
        Some(Checked::Invalid(v)) => Err(IoError::spec(
            field,
            format!("ranking.explore = {v} ({}) must be {allowed}", type_name(v)),
        )),
    }
}

fn positions(key: &str, k: i64) -> Result<usize, IoError> {
    let field = format!("ranking.position_bias.{key}");
    let p = usize::try_from(k).ok().filter(|&p| p >= 1).ok_or_else(|| {
        IoError::spec(
            &field,
            format!("{field} = {k} must be a whole number >= 1 (positions)"),
        )
    })?;
    super::limits::at_most(&field, p as u64, super::limits::MAX_ITEMS)?;
    Ok(p)
}

fn bias(v: Option<&Checked<BiasValue>>) -> Result<PositionBiasSpec, IoError> {
    let field = "ranking.position_bias";
    Ok(match v {
        None => PositionBiasSpec::Musiclab,
        Some(Checked::Valid(BiasValue::Name(s))) if s == "musiclab" => PositionBiasSpec::Musiclab,
        Some(Checked::Valid(BiasValue::Name(s))) => {
            return Err(IoError::spec(
                field,
                format!(
                    "ranking.position_bias = {s:?}; allowed: \"musiclab\", a list of weights, \
                     {{ log_discount = P }}, {{ exponential = P, decay = d }}"
                ),
            ))
        }
        Some(Checked::Valid(BiasValue::Weights(w))) => {
            super::limits::at_most(field, w.len() as u64, super::limits::MAX_ITEMS)?;
            PositionBiasSpec::Weights(w.clone())
        }
        Some(Checked::Valid(BiasValue::LogDiscount { log_discount })) => {
            PositionBiasSpec::LogDiscount {
                positions: positions("log_discount", *log_discount)?,
            }
        }
        Some(Checked::Valid(BiasValue::Exponential { exponential, decay })) => {
            PositionBiasSpec::Exponential {
                positions: positions("exponential", *exponential)?,
                decay: *decay,
            }
        }
        Some(Checked::Invalid(v)) => return Err(invalid_bias(v)),
    })
}

fn invalid_bias(v: &Value) -> IoError {
    let field = "ranking.position_bias";
    match v {
        Value::Array(list) => not_a_number(field, list)
            .unwrap_or_else(|| IoError::spec(field, format!("{field} = {v}: a list of numbers"))),
        Value::Object(b) if b.contains_key("log_discount") => {
            unknown_key(field, b, &["log_discount"]).unwrap_or_else(|| {
                IoError::spec(
                    format!("{field}.log_discount"),
                    format!(
                        "{field}.log_discount = {} must be a whole number >= 1 (positions)",
                        b["log_discount"]
                    ),
                )
            })
        }
        Value::Object(b) if b.contains_key("exponential") => {
            unknown_key(field, b, &["exponential", "decay"]).unwrap_or_else(|| {
                if b.get("decay").is_some_and(Value::is_number) {
                    IoError::spec(
                        format!("{field}.exponential"),
                        format!(
                            "{field}.exponential = {} must be a whole number >= 1 (positions)",
                            b["exponential"]
                        ),
                    )
                } else {
                    IoError::spec(
                        format!("{field}.decay"),
                        "ranking.position_bias: exponential needs decay = d (a number in (0, 1])",
                    )
                }
            })
        }
        Value::Object(_) => IoError::spec(
            field,
            "ranking.position_bias: a table needs log_discount = P or exponential = P, decay = d",
        ),
        other => IoError::spec(
            field,
            format!(
                "ranking.position_bias is {} ({other}); give \"musiclab\", a list, or a table",
                type_name(other)
            ),
        ),
    }
}

impl RankingTable {
    /// Resolves the table into a ranking and its position bias (every default filled in).
    pub fn resolve(&self) -> Result<(RankingSpec, PositionBiasSpec), IoError> {
        const STRATEGIES: &str =
            "\"random\", \"popularity\", \"quality\", \"fixed\", \"explore-then-exploit\"";
        let field = "ranking.strategy";
        let strategy = match &self.strategy {
            Some(Checked::Valid(s)) => s.as_str(),
            None => {
                return Err(IoError::spec(
                    field,
                    "ranking.strategy is missing; one of random, popularity, quality, fixed, \
                     explore-then-exploit",
                ))
            }
            Some(Checked::Invalid(v)) => {
                return Err(IoError::spec(
                    field,
                    format!(
                        "ranking.strategy is {} ({v}); one of {STRATEGIES}",
                        type_name(v)
                    ),
                ))
            }
        };
        let ties = self.ties.as_ref().map(tie_rule).transpose()?;
        if ties.is_some() && strategy != "popularity" {
            return Err(IoError::spec(
                "ranking.ties",
                format!(
                    "ranking.ties applies to strategy = \"popularity\" only (strategy is {strategy:?})"
                ),
            ));
        }
        if self.order.is_some() && strategy != "fixed" {
            return Err(IoError::spec(
                "ranking.order",
                format!(
                    "ranking.order applies to strategy = \"fixed\" only (strategy is {strategy:?})"
                ),
            ));
        }
        if self.explore.is_some() && strategy != "explore-then-exploit" {
            return Err(IoError::spec(
                "ranking.explore",
                format!(
                    "ranking.explore applies to strategy = \"explore-then-exploit\" only \
                     (strategy is {strategy:?})"
                ),
            ));
        }
        let spec = match strategy {
            "explore-then-exploit" => RankingSpec::ExploreThenExploit {
                explore: explore(self.explore.as_ref())?,
            },
            "random" => RankingSpec::Random,
            "popularity" => RankingSpec::Popularity {
                ties: ties.unwrap_or_default(),
            },
            "quality" => RankingSpec::Quality,
            "fixed" => RankingSpec::Fixed {
                order: order(self.order.as_ref())?,
            },
            other => {
                return Err(IoError::spec(
                    field,
                    format!("ranking.strategy = {other:?}; allowed: {STRATEGIES}"),
                ))
            }
        };
        Ok((spec, bias(self.position_bias.as_ref())?))
    }
}
