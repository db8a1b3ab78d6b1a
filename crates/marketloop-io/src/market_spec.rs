//! The market TOML spec of `marketloop market ...`: one trial-offer market (items, user types,
//! visibility, quality, feedback exponents, initial counts) and an optional ranking, resolved
//! into the core's validated [`Market`] and [`Visibility`]. Every error names the TOML field.
//!
//! ```toml
//! # items = 3                          # optional: taken from the matrices
//! weights = [0.25, 0.75]              # one per user type, > 0, summing to 1
//! # weights = { file = "w.npy" }      # or from a 1 x m / m x 1 matrix file
//! # weights = { groups = "groups.json" }  # or w_i = |group i| / sum of sizes
//! visibility = [[1.0, 0.5, 0.2],      # m x n, v_ij >= 0 (one row per user type);
//!               [0.3, 0.9, 0.4]]      # a flat list [..] for one user type
//! # visibility = { file = "v.npy" }   # .npy (float64) or .csv, relative to this file
//! quality = { file = "q.csv" }        # m x n, q_ij in [0, 1]
//! feedback = 0.5                      # r for every type, or one per type: [0.5, 0.7]
//! initial_counts = { uniform = [2, 3] }  # or 1 (every item), or [1, 2, 3]: whole numbers >= 1
//!
//! [ranking]                           # optional: v_ij^t = visibility_ij * iota(rank)
//! strategy = "popularity"             # random | popularity | quality | fixed
//! position_bias = "musiclab"          # or [0.8, 0.5, ...], { log_discount = 50 },
//!                                     #    { exponential = 50, decay = 0.9 }
//! ties = "first-to-reach"             # popularity only: first-to-reach | random |
//!                                     #    lowest-index | highest-index |
//!                                     #    numpy-argsort-negated | numpy-argsort-reversed
//! # order = [2, 0, 1]                 # fixed only: one order, or one per type [[..], [..]]
//! ```
//!
//! Uniform initial counts are drawn per replicate from the `Initial` stream.

use crate::matrix::{read_json_groups, read_matrix};
use crate::IoError;
use marketloop_core::market::{
    FixedOrder, InitialCounts, Market, PositionBiasSpec, RankingSpec, TieRule, Visibility,
};
use marketloop_core::rng::stable_hash;
use serde_json::json;
use std::path::{Path, PathBuf};
use toml::Value;

/// The fields of a market TOML.
pub const TOP_KEYS: &[&str] = &[
    "items",
    "weights",
    "visibility",
    "quality",
    "feedback",
    "initial_counts",
    "ranking",
];
const RANKING_KEYS: &[&str] = &["strategy", "position_bias", "ties", "order"];

/// A market spec resolved into validated core types.
#[derive(Clone, Debug)]
pub struct ResolvedMarket {
    /// The market (its visibility is vhat when a ranking is given).
    pub market: Market,
    /// Static visibility, or the ranking and position bias.
    pub visibility: Visibility,
    /// The ranking as written (with every default filled in), if any.
    pub ranking: Option<(RankingSpec, PositionBiasSpec)>,
    /// The resolved configuration for manifests (matrices by fingerprint, not inline).
    pub config: serde_json::Value,
}

struct Ctx<'a> {
    path: &'a Path,
    base: &'a Path,
}

impl Ctx<'_> {
    fn err(&self, message: impl Into<String>) -> IoError {
        IoError::Invalid {
            path: self.path.to_path_buf(),
            message: message.into(),
        }
    }
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::String(_) => "a string",
        Value::Integer(_) => "an integer",
        Value::Float(_) => "a number",
        Value::Boolean(_) => "a boolean",
        Value::Datetime(_) => "a date",
        Value::Array(_) => "a list",
        Value::Table(_) => "a table",
    }
}

fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Integer(i) => Some(*i as f64),
        Value::Float(f) => Some(*f),
        _ => None,
    }
}

fn numbers(ctx: &Ctx, field: &str, list: &[Value]) -> Result<Vec<f64>, IoError> {
    list.iter()
        .enumerate()
        .map(|(k, v)| {
            number(v).ok_or_else(|| {
                ctx.err(format!(
                    "{field}[{k}] is {} ({v}); a number is needed",
                    type_name(v)
                ))
            })
        })
        .collect()
}

/// A matrix: (rows, cols, row-major data), and where it came from.
struct Mat {
    rows: usize,
    cols: usize,
    data: Vec<f64>,
    source: String,
}

fn file_ref<'v>(
    ctx: &Ctx,
    field: &str,
    t: &'v toml::Table,
    key: &str,
) -> Result<Option<&'v str>, IoError> {
    match t.get(key) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(v) => Err(ctx.err(format!(
            "{field}.{key} is {} ({v}); a file name (string) is needed",
            type_name(v)
        ))),
    }
}

fn check_keys(ctx: &Ctx, field: &str, t: &toml::Table, allowed: &[&str]) -> Result<(), IoError> {
    for k in t.keys() {
        if !allowed.contains(&k.as_str()) {
            return Err(ctx.err(format!(
                "{field}: unknown key `{k}`; allowed: {}",
                allowed.join(", ")
            )));
        }
    }
    Ok(())
}

fn read_file_matrix(ctx: &Ctx, field: &str, name: &str) -> Result<Mat, IoError> {
    let p = ctx.base.join(name);
    let m =
        read_matrix(&p).map_err(|e| ctx.err(format!("{field} = {{ file = {name:?} }}: {e}")))?;
    Ok(Mat {
        rows: m.rows,
        cols: m.cols,
        data: m.data,
        source: p.display().to_string(),
    })
}

fn matrix(ctx: &Ctx, field: &str, v: &Value) -> Result<Mat, IoError> {
    match v {
        Value::Table(t) => {
            check_keys(ctx, field, t, &["file"])?;
            let name = file_ref(ctx, field, t, "file")?
                .ok_or_else(|| ctx.err(format!("{field}: a table needs `file = \"name.npy\"`")))?;
            read_file_matrix(ctx, field, name)
        }
        Value::Array(rows)
            if rows.iter().all(|r| matches!(r, Value::Array(_))) && !rows.is_empty() =>
        {
            let mut data = Vec::new();
            let mut cols = None;
            for (i, r) in rows.iter().enumerate() {
                let Value::Array(r) = r else { unreachable!() };
                let row = numbers(ctx, &format!("{field}[{i}]"), r)?;
                match cols {
                    None => cols = Some(row.len()),
                    Some(c) if c != row.len() => {
                        return Err(ctx.err(format!(
                            "{field}: row {i} has {} entries but row 0 has {c}; every row needs one entry per item",
                            row.len()
                        )))
                    }
                    _ => {}
                }
                data.extend(row);
            }
            Ok(Mat {
                rows: rows.len(),
                cols: cols.unwrap_or(0),
                data,
                source: "inline".into(),
            })
        }
        Value::Array(list) => {
            let data = numbers(ctx, field, list)?;
            Ok(Mat {
                rows: 1,
                cols: data.len(),
                data,
                source: "inline".into(),
            })
        }
        other => Err(ctx.err(format!(
            "{field} is {} ({other}); give a list of rows [[..], [..]], a flat list for one user \
             type, or {{ file = \"name.npy\" }}",
            type_name(other)
        ))),
    }
}

fn fingerprint(data: &[f64]) -> String {
    let bytes: Vec<u8> = data
        .iter()
        .flat_map(|x| x.to_bits().to_le_bytes())
        .collect();
    format!("{:016x}", stable_hash(0, &bytes))
}

fn whole_count(ctx: &Ctx, field: &str, x: f64) -> Result<u64, IoError> {
    if !(x.is_finite() && x >= 1.0 && x.fract() == 0.0 && x <= 9.0e15) {
        return Err(ctx.err(format!(
            "{field} = {x} must be a whole number >= 1 (counts of earlier purchases)"
        )));
    }
    Ok(x as u64)
}

impl ResolvedMarket {
    /// Reads and resolves the market TOML at `path` (file references are relative to its
    /// folder).
    pub fn load(path: &Path) -> Result<Self, IoError> {
        let text = std::fs::read_to_string(path).map_err(|e| IoError::os(path, e))?;
        let base = path
            .parent()
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
        Self::parse(&text, path, &base)
    }

    /// Resolves TOML `text`; `path` names it in errors and `base` is the folder that file
    /// references are relative to. Malformed TOML is reported with its line and column.
    pub fn parse(text: &str, path: &Path, base: &Path) -> Result<Self, IoError> {
        let ctx = Ctx { path, base };
        let doc: toml::Table = text.parse().map_err(|e: toml::de::Error| {
            let msg = e.message().to_string();
            let place = e.span().map(|s| {
                let before = &text[..s.start.min(text.len())];
                let line = before.matches('\n').count() + 1;
                let col = before.len() - before.rfind('\n').map_or(0, |k| k + 1) + 1;
                format!("line {line}, column {col}: ")
            });
            ctx.err(format!(
                "malformed TOML: {}{msg}",
                place.unwrap_or_default()
            ))
        })?;
        check_keys(&ctx, "market spec", &doc, TOP_KEYS)?;

        let vis = matrix(
            &ctx,
            "visibility",
            doc.get("visibility")
                .ok_or_else(|| ctx.err("visibility is missing (the m x n matrix v_ij)"))?,
        )?;
        let qual = matrix(
            &ctx,
            "quality",
            doc.get("quality")
                .ok_or_else(|| ctx.err("quality is missing (the m x n matrix q_ij)"))?,
        )?;

        // weights (and m)
        let (weights, weights_source) = match doc.get("weights") {
            None => {
                if vis.rows > 1 {
                    return Err(ctx.err(format!(
                        "weights is missing: visibility has {} rows (user types); give \
                         weights = [..] (one per type, summing to 1) or {{ groups = \"groups.json\" }}",
                        vis.rows
                    )));
                }
                (vec![1.0], "default (one user type)".to_string())
            }
            Some(Value::Array(list)) => (numbers(&ctx, "weights", list)?, "inline".into()),
            Some(Value::Table(t)) => {
                check_keys(&ctx, "weights", t, &["file", "groups"])?;
                if let Some(name) = file_ref(&ctx, "weights", t, "groups")? {
                    let p = base.join(name);
                    let groups = read_json_groups(&p)
                        .map_err(|e| ctx.err(format!("weights = {{ groups = {name:?} }}: {e}")))?;
                    let total: usize = groups.iter().map(Vec::len).sum();
                    if total == 0 {
                        return Err(ctx.err(format!(
                            "weights = {{ groups = {name:?} }}: the groups hold no members"
                        )));
                    }
                    if let Some(i) = groups.iter().position(Vec::is_empty) {
                        return Err(ctx.err(format!(
                            "weights = {{ groups = {name:?} }}: group {i} is empty (weight 0); \
                             every user type needs a weight > 0"
                        )));
                    }
                    (
                        groups.iter().map(|g| g.len() as f64 / total as f64).collect(),
                        p.display().to_string(),
                    )
                } else if let Some(name) = file_ref(&ctx, "weights", t, "file")? {
                    let m = read_file_matrix(&ctx, "weights", name)?;
                    if m.rows != 1 && m.cols != 1 {
                        return Err(ctx.err(format!(
                            "weights = {{ file = {name:?} }} is a {} x {} matrix; a vector (1 x m or m x 1) is needed",
                            m.rows, m.cols
                        )));
                    }
                    (m.data, m.source)
                } else {
                    return Err(ctx.err(
                        "weights: a table needs `groups = \"groups.json\"` or `file = \"w.npy\"`",
                    ));
                }
            }
            Some(other) => {
                return Err(ctx.err(format!(
                    "weights is {} ({other}); give a list of numbers, {{ file = .. }} or {{ groups = .. }}",
                    type_name(other)
                )))
            }
        };
        let m = weights.len();

        // n
        let n = match doc.get("items") {
            None => vis.cols,
            Some(Value::Integer(k)) if *k >= 0 => *k as usize,
            Some(v) => {
                return Err(ctx.err(format!(
                    "items = {v} must be a whole number >= 1 (the number of items n)"
                )))
            }
        };
        for (field, mat) in [("visibility", &vis), ("quality", &qual)] {
            if mat.rows != m || mat.cols != n {
                let hint = if mat.rows == 1 && m > 1 {
                    format!("; a flat list is for one user type, but weights give m = {m}")
                } else {
                    String::new()
                };
                return Err(ctx.err(format!(
                    "{field} ({}) is a {} x {} matrix, but m x n = {m} x {n} is needed (one row per \
                     user type from weights, one column per item){hint}",
                    mat.source, mat.rows, mat.cols
                )));
            }
        }

        // feedback
        let feedback = match doc.get("feedback") {
            None => {
                return Err(ctx.err("feedback is missing (the exponent r, e.g. feedback = 0.5)"))
            }
            Some(Value::Array(list)) => numbers(&ctx, "feedback", list)?,
            Some(v) => match number(v) {
                Some(r) => vec![r; m],
                None => {
                    return Err(ctx.err(format!(
                        "feedback is {} ({v}); give a number or one number per user type",
                        type_name(v)
                    )))
                }
            },
        };

        // initial counts
        let initial = match doc.get("initial_counts") {
            None => InitialCounts::Fixed(vec![1; n]),
            Some(Value::Array(list)) => {
                let xs = numbers(&ctx, "initial_counts", list)?;
                InitialCounts::Fixed(
                    xs.iter()
                        .enumerate()
                        .map(|(j, &x)| whole_count(&ctx, &format!("initial_counts[{j}]"), x))
                        .collect::<Result<_, _>>()?,
                )
            }
            Some(Value::Table(t)) => {
                check_keys(&ctx, "initial_counts", t, &["uniform"])?;
                let Some(Value::Array(range)) = t.get("uniform") else {
                    return Err(ctx.err(
                        "initial_counts: a table needs `uniform = [low, high]` (whole numbers, inclusive)",
                    ));
                };
                let xs = numbers(&ctx, "initial_counts.uniform", range)?;
                if xs.len() != 2 {
                    return Err(ctx.err(format!(
                        "initial_counts.uniform has {} entries; give [low, high]",
                        xs.len()
                    )));
                }
                let low = whole_count(&ctx, "initial_counts.uniform[0] (low)", xs[0])?;
                let high = whole_count(&ctx, "initial_counts.uniform[1] (high)", xs[1])?;
                InitialCounts::Uniform { low, high }
            }
            Some(v) => match number(v) {
                Some(x) => InitialCounts::Fixed(vec![whole_count(&ctx, "initial_counts", x)?; n]),
                None => {
                    return Err(ctx.err(format!(
                        "initial_counts is {} ({v}); give a whole number, a list, or {{ uniform = [low, high] }}",
                        type_name(v)
                    )))
                }
            },
        };

        let market = Market::new(
            n,
            weights.clone(),
            vis.data.clone(),
            qual.data.clone(),
            feedback.clone(),
            initial.clone(),
        )?;

        // ranking
        let ranking = match doc.get("ranking") {
            None => None,
            Some(Value::Table(t)) => Some(parse_ranking(&ctx, t)?),
            Some(v) => {
                return Err(ctx.err(format!(
                    "ranking is {} ({v}); write a [ranking] table with strategy = \"..\"",
                    type_name(v)
                )))
            }
        };
        let visibility = match &ranking {
            None => Visibility::Static,
            Some((spec, bias)) => {
                let bias_built = bias.build()?;
                if let RankingSpec::Fixed { order } = spec {
                    marketloop_core::market::FixedRanking::new(
                        &market,
                        order,
                        bias_built.positions(),
                    )?;
                }
                Visibility::Ranked {
                    ranking: spec.clone(),
                    bias: bias_built,
                }
            }
        };

        let small = m * n <= 64;
        let config = json!({
            "items": n,
            "types": m,
            "weights": if m <= 1000 { json!(weights) } else { json!({"source": weights_source, "fingerprint": fingerprint(&weights)}) },
            "weights_source": weights_source,
            "visibility": if small { json!(vis.data) } else { json!({"source": vis.source, "fingerprint": fingerprint(&vis.data)}) },
            "quality": if small { json!(qual.data) } else { json!({"source": qual.source, "fingerprint": fingerprint(&qual.data)}) },
            "feedback": feedback,
            "initial_counts": serde_json::to_value(&initial).unwrap_or(serde_json::Value::Null),
            "ranking": ranking.as_ref().map(|(s, b)| json!({
                "spec": serde_json::to_value(s).unwrap_or(serde_json::Value::Null),
                "position_bias": serde_json::to_value(b).unwrap_or(serde_json::Value::Null),
            })),
        });
        Ok(Self {
            market,
            visibility,
            ranking,
            config,
        })
    }
}

fn parse_ranking(ctx: &Ctx, t: &toml::Table) -> Result<(RankingSpec, PositionBiasSpec), IoError> {
    check_keys(ctx, "ranking", t, RANKING_KEYS)?;
    let strategy = match t.get("strategy") {
        Some(Value::String(s)) => s.as_str(),
        None => return Err(ctx.err("ranking.strategy is missing; one of random, popularity, quality, fixed")),
        Some(v) => {
            return Err(ctx.err(format!(
                "ranking.strategy is {} ({v}); one of \"random\", \"popularity\", \"quality\", \"fixed\"",
                type_name(v)
            )))
        }
    };
    let ties = match t.get("ties") {
        None => None,
        Some(Value::String(s)) => Some(match s.as_str() {
            "first-to-reach" => TieRule::FirstToReach,
            "random" => TieRule::Random,
            "lowest-index" => TieRule::LowestIndex,
            "highest-index" => TieRule::HighestIndex,
            "numpy-argsort-negated" => TieRule::NumpyArgsortNegated,
            "numpy-argsort-reversed" => TieRule::NumpyArgsortReversed,
            other => {
                return Err(ctx.err(format!(
                    "ranking.ties = {other:?}; allowed: \"first-to-reach\" (default), \"random\", \"lowest-index\", \"highest-index\", \"numpy-argsort-negated\", \"numpy-argsort-reversed\""
                )))
            }
        }),
        Some(v) => {
            return Err(ctx.err(format!(
                "ranking.ties is {} ({v}); allowed: \"first-to-reach\", \"random\", \"lowest-index\", \"highest-index\", \"numpy-argsort-negated\", \"numpy-argsort-reversed\"",
                type_name(v)
            )))
        }
    };
    if ties.is_some() && strategy != "popularity" {
        return Err(ctx.err(format!(
            "ranking.ties applies to strategy = \"popularity\" only (strategy is {strategy:?})"
        )));
    }
    if t.contains_key("order") && strategy != "fixed" {
        return Err(ctx.err(format!(
            "ranking.order applies to strategy = \"fixed\" only (strategy is {strategy:?})"
        )));
    }
    let spec = match strategy {
        "random" => RankingSpec::Random,
        "popularity" => RankingSpec::Popularity {
            ties: ties.unwrap_or_default(),
        },
        "quality" => RankingSpec::Quality,
        "fixed" => {
            let order = match t.get("order") {
                None => return Err(ctx.err("ranking.order is missing: strategy = \"fixed\" needs the item order, best first")),
                Some(Value::Array(list)) if list.iter().all(|v| matches!(v, Value::Array(_))) && !list.is_empty() => {
                    FixedOrder::PerType(
                        list.iter()
                            .enumerate()
                            .map(|(i, v)| {
                                let Value::Array(l) = v else { unreachable!() };
                                indices(ctx, &format!("ranking.order[{i}]"), l)
                            })
                            .collect::<Result<_, _>>()?,
                    )
                }
                Some(Value::Array(list)) => FixedOrder::Global(indices(ctx, "ranking.order", list)?),
                Some(v) => {
                    return Err(ctx.err(format!(
                        "ranking.order is {} ({v}); give a list of item indices, or one list per type",
                        type_name(v)
                    )))
                }
            };
            RankingSpec::Fixed { order }
        }
        other => {
            return Err(ctx.err(format!(
                "ranking.strategy = {other:?}; allowed: \"random\", \"popularity\", \"quality\", \"fixed\""
            )))
        }
    };
    let bias = match t.get("position_bias") {
        None => PositionBiasSpec::Musiclab,
        Some(Value::String(s)) if s == "musiclab" => PositionBiasSpec::Musiclab,
        Some(Value::String(s)) => {
            return Err(ctx.err(format!(
                "ranking.position_bias = {s:?}; allowed: \"musiclab\", a list of weights, \
                 {{ log_discount = P }}, {{ exponential = P, decay = d }}"
            )))
        }
        Some(Value::Array(list)) => {
            PositionBiasSpec::Weights(numbers(ctx, "ranking.position_bias", list)?)
        }
        Some(Value::Table(b)) => {
            let positions = |key: &str| -> Result<usize, IoError> {
                match b.get(key) {
                    Some(Value::Integer(k)) if *k >= 1 => Ok(*k as usize),
                    Some(v) => Err(ctx.err(format!(
                        "ranking.position_bias.{key} = {v} must be a whole number >= 1 (positions)"
                    ))),
                    None => unreachable!(),
                }
            };
            if b.contains_key("log_discount") {
                check_keys(ctx, "ranking.position_bias", b, &["log_discount"])?;
                PositionBiasSpec::LogDiscount {
                    positions: positions("log_discount")?,
                }
            } else if b.contains_key("exponential") {
                check_keys(ctx, "ranking.position_bias", b, &["exponential", "decay"])?;
                let decay = b.get("decay").and_then(number).ok_or_else(|| {
                    ctx.err(
                        "ranking.position_bias: exponential needs decay = d (a number in (0, 1])",
                    )
                })?;
                PositionBiasSpec::Exponential {
                    positions: positions("exponential")?,
                    decay,
                }
            } else {
                return Err(ctx.err(
                    "ranking.position_bias: a table needs log_discount = P or exponential = P, decay = d",
                ));
            }
        }
        Some(v) => {
            return Err(ctx.err(format!(
                "ranking.position_bias is {} ({v}); give \"musiclab\", a list, or a table",
                type_name(v)
            )))
        }
    };
    Ok((spec, bias))
}

fn indices(ctx: &Ctx, field: &str, list: &[Value]) -> Result<Vec<usize>, IoError> {
    list.iter()
        .enumerate()
        .map(|(k, v)| match v {
            Value::Integer(i) if *i >= 0 => Ok(*i as usize),
            _ => Err(ctx.err(format!(
                "{field}[{k}] = {v} must be an item index (a whole number >= 0)"
            ))),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<ResolvedMarket, IoError> {
        ResolvedMarket::parse(text, Path::new("m.toml"), Path::new("."))
    }

    fn err(text: &str, needles: &[&str]) {
        let e = parse(text).unwrap_err().to_string();
        for n in needles {
            assert!(e.contains(n), "{e:?} lacks {n:?}");
        }
    }

    const OK: &str = r#"
weights = [0.25, 0.75]
visibility = [[1.0, 0.5, 0], [0.3, 0.9, 0.4]]
quality = [[0.9, 0.5, 0.1], [0.2, 0.3, 0.4]]
feedback = 0.5
initial_counts = { uniform = [2, 3] }
"#;

    #[test]
    fn resolves_a_heterogeneous_market() {
        let r = parse(OK).unwrap();
        assert_eq!(r.market.n_types(), 2);
        assert_eq!(r.market.n_items(), 3);
        assert_eq!(r.market.feedback(), &[0.5, 0.5]);
        assert_eq!(
            r.market.initial(),
            &InitialCounts::Uniform { low: 2, high: 3 }
        );
        assert_eq!(r.visibility, Visibility::Static);
        assert_eq!(r.config["types"], 2);
    }

    #[test]
    fn homogeneous_flat_lists_and_ranking() {
        let r = parse(
            r#"
visibility = [0.5, 0.7, 0.2]
quality = [0.5, 0.7, 0.2]
feedback = 0.5
initial_counts = 2
[ranking]
strategy = "popularity"
ties = "random"
position_bias = { exponential = 2, decay = 0.5 }
"#,
        )
        .unwrap();
        assert!(r.market.is_homogeneous());
        assert_eq!(r.market.initial(), &InitialCounts::Fixed(vec![2; 3]));
        match &r.visibility {
            Visibility::Ranked { ranking, bias } => {
                assert_eq!(
                    ranking,
                    &RankingSpec::Popularity {
                        ties: TieRule::Random
                    }
                );
                assert_eq!(bias.weights(), &[1.0, 0.5]);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn malformed_toml_has_line_and_column() {
        err(
            "visibility = [1, 2\nquality = 3",
            &["malformed TOML", "line 2", "column"],
        );
    }

    #[test]
    fn field_errors_name_the_field() {
        err(
            &OK.replace("0.25, 0.75", "0.25, 0.5"),
            &["weights", "sum to 1"],
        );
        err(
            &OK.replace("0.25, 0.75", "-0.25, 1.25"),
            &["weights", "-0.25", "(0, 1]"],
        );
        err(
            &OK.replace("0.9, 0.5, 0.1", "0.9, 1.5, 0.1"),
            &["quality", "1.5", "[0, 1]"],
        );
        err(
            &OK.replace("[0.3, 0.9, 0.4]", "[0.3, 0.9]"),
            &["visibility", "row 1", "2 entries"],
        );
        err(
            &OK.replace("feedback = 0.5", "feedback = -1"),
            &["feedback", "-1", "[0, inf)"],
        );
        err(
            &OK.replace("feedback = 0.5", "feedback = \"high\""),
            &["feedback", "a string"],
        );
        err(
            &OK.replace("[2, 3]", "[0, 3]"),
            &["initial_counts.uniform[0]", "whole number >= 1"],
        );
        err(
            &OK.replace("{ uniform = [2, 3] }", "[1, 2.5, 1]"),
            &["initial_counts[1] = 2.5"],
        );
        err(
            &OK.replace("{ uniform = [2, 3] }", "[1, 0, 1]"),
            &["initial_counts[1] = 0"],
        );
        err(
            &OK.replace("weights", "wieghts"),
            &["unknown key `wieghts`"],
        );
        err(
            &OK.replace("weights = [0.25, 0.75]\n", ""),
            &["weights is missing"],
        );
        err(
            "visibility = []\nquality = []\nfeedback = 0.5",
            &["items", "n = 0"],
        );
        err(
            &OK.replace(
                "visibility = [[1.0, 0.5, 0], [0.3, 0.9, 0.4]]",
                "visibility = { file = \"missing.npy\" }",
            ),
            &["visibility", "missing.npy"],
        );
        err(
            &format!("{OK}\n[ranking]\nstrategy = \"best\""),
            &["ranking.strategy", "\"best\""],
        );
        err(
            &format!("{OK}\n[ranking]\nstrategy = \"fixed\"\norder = [0, 7]"),
            &["ranking.order", "item 7"],
        );
        err(
            &format!("{OK}\n[ranking]\nstrategy = \"random\"\nposition_bias = [0.5, -1]"),
            &["ranking.position_bias", "position 2"],
        );
        err(
            &format!("{OK}\n[ranking]\nstrategy = \"quality\"\nties = \"random\""),
            &["ranking.ties", "\"popularity\" only"],
        );
    }

    #[test]
    fn nan_in_a_file_is_reported() {
        let dir = std::env::temp_dir().join(format!("ml-mspec-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("v.csv"), "1,0.5\nnan,0.2\n").unwrap();
        std::fs::write(dir.join("bad.npy"), b"not an npy file").unwrap();
        let text = "weights = [0.5, 0.5]\nvisibility = { file = \"v.csv\" }\nquality = [[0.5, 0.5], [0.5, 0.5]]\nfeedback = 0.5\n";
        let e = ResolvedMarket::parse(text, &dir.join("m.toml"), &dir)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("visibility") && e.to_lowercase().contains("nan"),
            "{e}"
        );
        let text = text.replace("v.csv", "bad.npy");
        let e = ResolvedMarket::parse(&text, &dir.join("m.toml"), &dir)
            .unwrap_err()
            .to_string();
        assert!(e.contains("visibility") && e.contains("bad.npy"), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
