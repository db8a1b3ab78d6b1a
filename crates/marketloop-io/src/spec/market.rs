//! The market spec of `marketloop market ...` ([`MarketSpec`]): one trial-offer market (items,
//! user types, visibility, quality, feedback exponents, initial counts) and an optional
//! `[ranking]` table, resolved once into the core's validated [`Market`] and [`Visibility`]
//! ([`ResolvedMarket`]). Every error names the field, the value and what is allowed.
//!
//! ```toml
//! # items = 3                          # optional: taken from the matrices
//! weights = [0.25, 0.75]              # one per user type, > 0, summing to 1
//! # weights = { file = "w.npy" }      # or from a 1 x m / m x 1 matrix file
//! # weights = { groups = "groups.json" }  # or w_i = |group i| / sum of sizes
//! visibility = [[1.0, 0.5, 0.2],      # m x n, v_ij >= 0 (one row per user type);
//!               [0.3, 0.9, 0.4]]      # a flat list [..] for one user type
//! # visibility = { file = "v.npy" }   # .npy (float64/32) or .csv, relative to this file
//! quality = { file = "q.csv" }        # m x n, q_ij in [0, 1]
//! feedback = 0.5                      # r for every type, or one per type: [0.5, 0.7]
//! initial_counts = { uniform = [2, 3] }  # or 1 (every item), or [1, 2, 3]: whole numbers >= 1
//! # precision = "f32"                 # store v and q as float32 (half the memory); default "f64"
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

use super::ranking::RankingTable;
use super::values::{
    invalid_matrix, not_a_number, type_name, unknown_key, Checked, FileRef, MatrixSpec, PerType,
};
use crate::matrix::read_matrix_as;
use crate::matrix::{read_json_groups, read_matrix};
use crate::IoError;
use marketloop_core::market::model::{Matrix as Values, Row};
use marketloop_core::market::{
    InitialCounts, Market, PositionBiasSpec, Precision, RankingSpec, Visibility,
};
use serde::Deserialize;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

/// The fields of a market spec (the serde field names of [`MarketSpec`]).
pub const TOP_KEYS: &[&str] = &[
    "items",
    "weights",
    "visibility",
    "quality",
    "feedback",
    "initial_counts",
    "precision",
    "ranking",
];

/// A market spec as written (TOML file, Python keywords, sweep cell): parse with
/// [`MarketSpec::from_toml`] / [`MarketSpec::from_value`], then [`MarketSpec::resolve`].
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MarketSpec {
    /// The number of items n (default: the matrices' columns).
    pub items: Option<Checked<u64>>,
    /// One weight per user type, `{ file = .. }` or `{ groups = .. }` (default: one type).
    pub weights: Option<Checked<WeightsSpec>>,
    /// The m x n visibility matrix v_ij.
    pub visibility: Option<Checked<MatrixSpec>>,
    /// The m x n quality matrix q_ij.
    pub quality: Option<Checked<MatrixSpec>>,
    /// The feedback exponent r, or one per type.
    pub feedback: Option<Checked<PerType>>,
    /// Initial purchase counts (default 1 for every item).
    pub initial_counts: Option<Checked<InitialSpec>>,
    /// How visibility and quality are stored: `"f64"` (default) or `"f32"` (half the memory;
    /// values rounded to float32, arithmetic in f64).
    pub precision: Option<Checked<Precision>>,
    /// The optional `[ranking]` table.
    #[serde(default, deserialize_with = "ranking_table")]
    pub ranking: Option<RankingTable>,
}

/// Serde errors inside a sub-table carry the table's name (`[ranking] unknown field ..`), so the
/// error can name `ranking.<key>`.
pub(crate) const TABLE_MARK: &str = "in table [";

fn ranking_table<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<RankingTable>, D::Error> {
    use serde::de::Error;
    Option::<RankingTable>::deserialize(d)
        .map_err(|e| D::Error::custom(format!("{TABLE_MARK}ranking] {e}")))
}

/// User-type weights as written.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum WeightsSpec {
    /// One weight per type.
    List(Vec<f64>),
    /// `{ file = "w.npy" }`: a 1 x m or m x 1 matrix.
    File(FileRef),
    /// `{ groups = "groups.json" }`: w_i = |group i| / sum of sizes.
    Groups(GroupsRef),
}

/// `{ groups = "groups.json" }`.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupsRef {
    /// The JSON file of groups (lists of member ids).
    pub groups: String,
}

/// Initial counts as written.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum InitialSpec {
    /// One count per item.
    Each(Vec<f64>),
    /// The same count for every item.
    One(f64),
    /// `{ uniform = [low, high] }`, drawn per replicate.
    Uniform(UniformRef),
}

/// `{ uniform = [low, high] }`.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UniformRef {
    /// `[low, high]`, inclusive.
    pub uniform: Vec<f64>,
}

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

/// A matrix: (rows, cols, row-major data), and where it came from.
struct Mat {
    rows: usize,
    cols: usize,
    data: Vec<f64>,
    source: String,
}

/// A visibility or quality matrix: (rows, cols, row-major values as stored), and where it came
/// from.
struct Stored {
    rows: usize,
    cols: usize,
    data: Values,
    source: String,
}

/// The precision as written: `"f64"` (default) or `"f32"`.
fn precision(v: Option<&Checked<Precision>>) -> Result<Precision, IoError> {
    match v {
        None => Ok(Precision::F64),
        Some(Checked::Valid(p)) => Ok(*p),
        Some(Checked::Invalid(v)) => Err(IoError::spec(
            "precision",
            format!(
                "precision = {v} is not allowed; use \"f64\" (the default: 8 bytes per value) or \
                 \"f32\" (visibility and quality stored as float32, half the memory)"
            ),
        )),
    }
}

/// Checks of a file's values before they are rounded to `f32` (the market checks them again,
/// as stored).
fn f32_guard(field: &str) -> (&'static dyn Fn(f64) -> bool, &'static str) {
    if field == "quality" {
        (&|x: f64| (0.0..=1.0).contains(&x), "[0, 1]")
    } else {
        (
            &|x: f64| (0.0..=f64::from(f32::MAX)).contains(&x),
            "[0, 3.4028235e38] (v >= 0, within the float32 range)",
        )
    }
}

fn read_file_matrix(base: &Path, field: &str, name: &str) -> Result<Mat, IoError> {
    let p = base.join(name);
    let m = read_matrix(&p)
        .map_err(|e| IoError::spec(field, format!("{field} = {{ file = {name:?} }}: {e}")))?;
    Ok(Mat {
        rows: m.rows,
        cols: m.cols,
        data: m.data,
        source: p.display().to_string(),
    })
}

/// A visibility or quality matrix in `precision` (inline values stay `f64`: the market checks
/// them, then rounds).
fn matrix(
    base: &Path,
    field: &str,
    v: &Checked<MatrixSpec>,
    precision: Precision,
) -> Result<Stored, IoError> {
    let inline = |rows, cols, data| Stored {
        rows,
        cols,
        data: Values::F64(data),
        source: "inline".into(),
    };
    match v {
        Checked::Valid(MatrixSpec::File(f)) => {
            let p = base.join(&f.file);
            let guard = (precision == Precision::F32).then(|| f32_guard(field));
            let (rows, cols, data) = read_matrix_as(&p, precision, guard).map_err(|e| {
                IoError::spec(field, format!("{field} = {{ file = {:?} }}: {e}", f.file))
            })?;
            Ok(Stored {
                rows,
                cols,
                data,
                source: p.display().to_string(),
            })
        }
        Checked::Valid(MatrixSpec::Flat(d)) => Ok(inline(1, d.len(), d.clone())),
        Checked::Valid(MatrixSpec::Rows(rows)) if rows.is_empty() => Ok(inline(1, 0, Vec::new())),
        Checked::Valid(MatrixSpec::Rows(rows)) => {
            let cols = rows[0].len();
            if let Some((i, r)) = rows.iter().enumerate().find(|(_, r)| r.len() != cols) {
                return Err(IoError::spec(
                    field,
                    format!(
                        "{field}: row {i} has {} entries but row 0 has {cols}; every row needs one \
                         entry per item",
                        r.len()
                    ),
                ));
            }
            Ok(inline(rows.len(), cols, rows.concat()))
        }
        Checked::Invalid(v) => Err(invalid_matrix(field, v)),
    }
}

/// The XXH3-64 hash of the values' little-endian bytes as `f64` (values stored as `f32`
/// widened: the fingerprint of the matrix the run used), streamed a block at a time (no copy of
/// the matrix), as 16 hex digits prefixed "xxh3:".
fn fingerprint<'a>(data: impl Into<Row<'a>>) -> String {
    use std::hash::Hasher;
    let data = data.into();
    let mut h = twox_hash::XxHash3_64::with_seed(0);
    if let (Some(values), true) = (data.as_f64(), cfg!(target_endian = "little")) {
        // f64 values on a little-endian machine are their own little-endian bytes.
        h.write(bytemuck::cast_slice(values));
        return format!("xxh3:{:016x}", h.finish());
    }
    let mut buf = [0u8; 8 * 1024];
    for start in (0..data.len()).step_by(1024) {
        let chunk = data.slice(start, (start + 1024).min(data.len()));
        for (b, x) in buf.chunks_exact_mut(8).zip(chunk.iter()) {
            b.copy_from_slice(&x.to_le_bytes());
        }
        h.write(&buf[..8 * chunk.len()]);
    }
    format!("xxh3:{:016x}", h.finish())
}

fn whole_count(field: &str, x: f64) -> Result<u64, IoError> {
    if !(x.is_finite() && x >= 1.0 && x.fract() == 0.0 && x <= 9.0e15) {
        return Err(IoError::spec(
            field,
            format!("{field} = {x} must be a whole number >= 1 (counts of earlier purchases)"),
        ));
    }
    Ok(x as u64)
}

fn weights(
    base: &Path,
    v: Option<&Checked<WeightsSpec>>,
    vis_rows: usize,
) -> Result<(Vec<f64>, String), IoError> {
    let field = "weights";
    Ok(match v {
        None => {
            if vis_rows > 1 {
                return Err(IoError::spec(
                    field,
                    format!(
                        "weights is missing: visibility has {vis_rows} rows (user types); give \
                         weights = [..] (one per type, summing to 1) or {{ groups = \"groups.json\" }}"
                    ),
                ));
            }
            (vec![1.0], "default (one user type)".to_string())
        }
        Some(Checked::Valid(WeightsSpec::List(w))) => (w.clone(), "inline".into()),
        Some(Checked::Valid(WeightsSpec::Groups(GroupsRef { groups: name }))) => {
            let p = base.join(name);
            let err =
                |m: String| IoError::spec(field, format!("weights = {{ groups = {name:?} }}: {m}"));
            let groups = read_json_groups(&p).map_err(|e| err(e.to_string()))?;
            let total: usize = groups.iter().map(Vec::len).sum();
            if total == 0 {
                return Err(err("the groups hold no members".into()));
            }
            if let Some(i) = groups.iter().position(Vec::is_empty) {
                return Err(err(format!(
                    "group {i} is empty (weight 0); every user type needs a weight > 0"
                )));
            }
            (
                groups
                    .iter()
                    .map(|g| g.len() as f64 / total as f64)
                    .collect(),
                p.display().to_string(),
            )
        }
        Some(Checked::Valid(WeightsSpec::File(FileRef { file: name }))) => {
            let m = read_file_matrix(base, field, name)?;
            if m.rows != 1 && m.cols != 1 {
                return Err(IoError::spec(
                    field,
                    format!(
                        "weights = {{ file = {name:?} }} is a {} x {} matrix; a vector (1 x m or m x 1) is needed",
                        m.rows, m.cols
                    ),
                ));
            }
            (m.data, m.source)
        }
        Some(Checked::Invalid(v)) => {
            return Err(match v {
                Value::Array(list) => not_a_number(field, list),
                Value::Object(t) => unknown_key(field, t, &["file", "groups"]),
                _ => None,
            }
            .unwrap_or_else(|| {
                IoError::spec(
                    field,
                    format!(
                        "weights is {} ({v}); give a list of numbers, {{ file = \"w.npy\" }} or \
                         {{ groups = \"groups.json\" }}",
                        type_name(v)
                    ),
                )
            }))
        }
    })
}

fn feedback(v: Option<&Checked<PerType>>, m: usize) -> Result<Vec<f64>, IoError> {
    let field = "feedback";
    match v {
        None => Err(IoError::spec(
            field,
            "feedback is missing (the exponent r, e.g. feedback = 0.5)",
        )),
        Some(Checked::Valid(PerType::Each(r))) => Ok(r.clone()),
        Some(Checked::Valid(PerType::One(r))) => Ok(vec![*r; m]),
        Some(Checked::Invalid(v)) => Err(v
            .as_array()
            .and_then(|l| not_a_number(field, l))
            .unwrap_or_else(|| {
                IoError::spec(
                    field,
                    format!(
                        "feedback is {} ({v}); give a number or one number per user type",
                        type_name(v)
                    ),
                )
            })),
    }
}

fn initial_counts(v: Option<&Checked<InitialSpec>>, n: usize) -> Result<InitialCounts, IoError> {
    let field = "initial_counts";
    Ok(match v {
        None => InitialCounts::Fixed(vec![1; n]),
        Some(Checked::Valid(InitialSpec::Each(xs))) => InitialCounts::Fixed(
            xs.iter()
                .enumerate()
                .map(|(j, &x)| whole_count(&format!("initial_counts[{j}]"), x))
                .collect::<Result<_, _>>()?,
        ),
        Some(Checked::Valid(InitialSpec::One(x))) => {
            InitialCounts::Fixed(vec![whole_count(field, *x)?; n])
        }
        Some(Checked::Valid(InitialSpec::Uniform(UniformRef { uniform: xs }))) => {
            if xs.len() != 2 {
                return Err(IoError::spec(
                    "initial_counts.uniform",
                    format!(
                        "initial_counts.uniform has {} entries; give [low, high]",
                        xs.len()
                    ),
                ));
            }
            let low = whole_count("initial_counts.uniform[0] (low)", xs[0])?;
            let high = whole_count("initial_counts.uniform[1] (high)", xs[1])?;
            InitialCounts::Uniform { low, high }
        }
        Some(Checked::Invalid(v)) => {
            let table = v.as_object();
            return Err(match v {
                Value::Array(list) => not_a_number(field, list),
                Value::Object(t) => unknown_key(field, t, &["uniform"]).or_else(|| {
                    t.get("uniform")
                        .and_then(Value::as_array)
                        .and_then(|l| not_a_number("initial_counts.uniform", l))
                }),
                _ => None,
            }
            .unwrap_or_else(|| {
                if table.is_some() {
                    IoError::spec(
                        field,
                        "initial_counts: a table needs `uniform = [low, high]` (whole numbers, inclusive)",
                    )
                } else {
                    IoError::spec(
                        field,
                        format!(
                            "initial_counts is {} ({v}); give a whole number, a list, or {{ uniform = [low, high] }}",
                            type_name(v)
                        ),
                    )
                }
            }));
        }
    })
}

/// A serde error as a spec error: an unknown key names the key (with its table's path) and the
/// allowed ones; TOML errors add the line and column.
pub(crate) fn serde_error(message: &str, place: Option<String>, what: &str) -> IoError {
    let (table, rest) = match message.split_once(TABLE_MARK) {
        Some((_, after)) => match after.split_once("] ") {
            Some((t, rest)) => (Some(t), rest),
            None => (None, message),
        },
        None => (None, message),
    };
    let key = rest
        .split_once("unknown field `")
        .and_then(|(_, k)| k.split_once('`'))
        .map(|(k, _)| k);
    let field = match (table, key) {
        (Some(t), Some(k)) => format!("{t}.{k}"),
        (None, Some(k)) => k.to_string(),
        (Some(t), None) => t.to_string(),
        (None, None) => what.to_string(),
    };
    let scope = table.map_or_else(|| format!("{what} spec"), |t| format!("[{t}]"));
    let place = place.unwrap_or_default();
    // serde: "unknown field `k`, expected one of `a`, `b`" (or "expected `a`").
    let allowed = rest
        .split_once(", expected ")
        .map(|(_, l)| l.trim_start_matches("one of ").replace('`', ""));
    let message = match (key, allowed) {
        (Some(k), Some(allowed)) => {
            format!("{scope}: {place}unknown key `{k}`; allowed: {allowed}")
        }
        _ => format!("{scope}: {place}{rest}"),
    };
    IoError::spec(field, message)
}

/// `line L, column C: ` for a span of `text`.
pub(crate) fn line_col(text: &str, span: Option<std::ops::Range<usize>>) -> Option<String> {
    span.map(|s| {
        let before = &text[..s.start.min(text.len())];
        let line = before.matches('\n').count() + 1;
        let col = before.len() - before.rfind('\n').map_or(0, |k| k + 1) + 1;
        format!("line {line}, column {col}: ")
    })
}

/// Deserializes a spec of type `T` from TOML text (syntax errors: "malformed TOML" with line
/// and column; unknown keys and wrong shapes: a spec error naming the field).
pub(crate) fn from_toml<T: serde::de::DeserializeOwned>(
    text: &str,
    path: &Path,
    what: &str,
) -> Result<T, IoError> {
    if let Err(e) = text.parse::<toml::Table>() {
        return Err(IoError::Invalid {
            path: path.to_path_buf(),
            message: format!(
                "malformed TOML: {}{}",
                line_col(text, e.span()).unwrap_or_default(),
                e.message()
            ),
        });
    }
    toml::from_str(text).map_err(|e| serde_error(e.message(), line_col(text, e.span()), what))
}

/// Deserializes a spec of type `T` from a JSON value (Python keywords, sweep cells).
pub(crate) fn from_value<T: serde::de::DeserializeOwned>(
    spec: &Value,
    what: &str,
) -> Result<T, IoError> {
    if !spec.is_object() {
        return Err(IoError::spec(
            what,
            format!("a {what} spec must be a table of fields, not {spec}"),
        ));
    }
    T::deserialize(spec).map_err(|e| serde_error(&e.to_string(), None, what))
}

impl MarketSpec {
    /// Parses market TOML `text`; `path` names it in errors.
    pub fn from_toml(text: &str, path: &Path) -> Result<Self, IoError> {
        from_toml(text, path, "market")
    }

    /// Builds the spec from a JSON value (a table of the market's fields).
    pub fn from_value(spec: &Value) -> Result<Self, IoError> {
        from_value(spec, "market")
    }

    /// Resolves the spec into validated core types; file references are relative to `base`.
    pub fn resolve(&self, base: &Path) -> Result<ResolvedMarket, IoError> {
        let precision = precision(self.precision.as_ref())?;
        let required = |v: Option<&Checked<MatrixSpec>>, field: &str, what: &str| {
            v.ok_or_else(|| {
                IoError::spec(
                    field,
                    format!("{field} is missing (the m x n matrix {what})"),
                )
            })
            .and_then(|v| matrix(base, field, v, precision))
        };
        // The two matrices are read side by side (big catalogues: their pages are faulted in
        // and filled on two cores); visibility's error is reported first, as in one pass.
        let (vis, qual) = rayon::join(
            || required(self.visibility.as_ref(), "visibility", "v_ij"),
            || required(self.quality.as_ref(), "quality", "q_ij"),
        );
        let (vis, qual) = (vis?, qual?);
        let (weights, weights_source) = weights(base, self.weights.as_ref(), vis.rows)?;
        let m = weights.len();
        let n = match &self.items {
            None => vis.cols,
            Some(Checked::Valid(k)) => *k as usize,
            Some(Checked::Invalid(v)) => {
                return Err(IoError::spec(
                    "items",
                    format!("items = {v} must be a whole number >= 1 (the number of items n)"),
                ))
            }
        };
        super::limits::at_most("items", n as u64, super::limits::MAX_ITEMS)?;
        super::limits::at_most("weights", m as u64, super::limits::MAX_TYPES)?;
        for (field, mat) in [("visibility", &vis), ("quality", &qual)] {
            if mat.rows != m || mat.cols != n {
                let hint = if mat.rows == 1 && m > 1 {
                    format!("; a flat list is for one user type, but weights give m = {m}")
                } else {
                    String::new()
                };
                return Err(IoError::spec(
                    field,
                    format!(
                        "{field} ({}) is a {} x {} matrix, but m x n = {m} x {n} is needed (one row \
                         per user type from weights, one column per item){hint}",
                        mat.source, mat.rows, mat.cols
                    ),
                ));
            }
        }
        let feedback = feedback(self.feedback.as_ref(), m)?;
        let initial = initial_counts(self.initial_counts.as_ref(), n)?;
        // One validation for simulate, equilibrium and dynamics: a market nobody can buy
        // anything from has no equilibrium and a simulation of idle users. (A market of no
        // items is the builder's error, which names n.)
        if n > 0
            && !vis
                .data
                .all()
                .iter()
                .zip(qual.data.all().iter())
                .any(|(v, q)| v * q > 0.0)
        {
            return Err(IoError::spec(
                "quality",
                "v_ij q_ij = 0 for every user type and item: nothing can ever be bought (give \
                 some item positive visibility and quality for some type)",
            ));
        }
        // The matrices' record in the config is taken before they move into the market (no
        // copy of a large matrix is ever made).
        let small = m * n <= 64;
        let record = |mat: &Stored| {
            if small {
                json!(mat.data.to_vec())
            } else {
                json!({"source": mat.source, "fingerprint": fingerprint(mat.data.all())})
            }
        };
        let (vis_record, qual_record) = rayon::join(|| record(&vis), || record(&qual));
        let market = Market::builder()
            .items(n)
            .weights(weights.clone())
            .visibility_matrix(vis.data)
            .quality_matrix(qual.data)
            .feedback(feedback.clone())
            .initial_counts(initial.clone())
            .precision(precision)
            .build()?;

        let ranking = self
            .ranking
            .as_ref()
            .map(RankingTable::resolve)
            .transpose()?;
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

        let config = json!({
            "items": n,
            "types": m,
            "weights": if m <= 1000 { json!(weights) } else { json!({"source": weights_source, "fingerprint": fingerprint(&weights)}) },
            "weights_source": weights_source,
            "visibility": vis_record,
            "quality": qual_record,
            "feedback": feedback,
            "initial_counts": serde_json::to_value(&initial).unwrap_or(serde_json::Value::Null),
            "precision": precision.name(),
            "ranking": ranking.as_ref().map(|(s, b)| json!({
                "spec": serde_json::to_value(s).unwrap_or(serde_json::Value::Null),
                "position_bias": serde_json::to_value(b).unwrap_or(serde_json::Value::Null),
            })),
        });
        Ok(ResolvedMarket {
            market,
            visibility,
            ranking,
            config,
        })
    }
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
        MarketSpec::from_toml(text, path)?.resolve(base)
    }

    /// Resolves a market given as a JSON value (file references relative to `base`).
    pub fn from_value(spec: &Value, base: &Path) -> Result<Self, IoError> {
        MarketSpec::from_value(spec)?.resolve(base)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use marketloop_core::market::TieRule;

    fn parse(text: &str) -> Result<ResolvedMarket, IoError> {
        ResolvedMarket::parse(text, Path::new("m.toml"), Path::new("."))
    }

    #[test]
    fn markets_nobody_can_buy_from_are_refused_for_every_kind() {
        for (v, q) in [
            ("[[0.0, 0.0]]", "[[0.5, 0.5]]"),
            ("[[1.0, 1.0]]", "[[0.0, 0.0]]"),
        ] {
            let text = format!(
                "weights = [1.0]\nvisibility = {v}\nquality = {q}\nfeedback = 0.5\ninitial_counts = 1"
            );
            let e = parse(&text).unwrap_err();
            assert_eq!(e.field().as_deref(), Some("quality"), "{e}");
            assert!(e.to_string().contains("nothing can ever be bought"), "{e}");
        }
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
    fn explore_then_exploit_takes_its_budget_and_nothing_else_does() {
        let base = "visibility = [0.5, 0.7, 0.2]\nquality = [0.5, 0.7, 0.2]\nfeedback = 0.5\n\
                    initial_counts = 2\n[ranking]\n";
        let r = parse(&format!(
            "{base}strategy = \"explore-then-exploit\"\nexplore = 1000\n"
        ))
        .unwrap();
        match &r.visibility {
            Visibility::Ranked { ranking, .. } => {
                assert_eq!(ranking, &RankingSpec::ExploreThenExploit { explore: 1000 })
            }
            other => panic!("{other:?}"),
        }
        err(
            &format!("{base}strategy = \"explore-then-exploit\"\n"),
            &["ranking.explore", "missing", "exploration budget"],
        );
        err(
            &format!("{base}strategy = \"explore-then-exploit\"\nexplore = -3\n"),
            &["ranking.explore", "-3", ">= 0"],
        );
        err(
            &format!("{base}strategy = \"explore-then-exploit\"\nexplore = 0.5\n"),
            &["ranking.explore", "0.5"],
        );
        err(
            &format!("{base}strategy = \"popularity\"\nexplore = 10\n"),
            &["ranking.explore", "explore-then-exploit", "popularity"],
        );
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
            &["feedback", "-1", "[0, 1000]"],
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
            &["wieghts: market spec: line 2", "unknown key `wieghts`; allowed: items, weights, visibility, quality, feedback, initial_counts, precision, ranking"],
        );
        err(
            &format!("{OK}\n[ranking]\nstrategy = \"random\"\ncolour = 1"),
            &[
                "ranking.colour: [ranking]",
                "unknown key `colour`; allowed: strategy, position_bias, ties, order",
            ],
        );
        err(
            &OK.replace("{ uniform = [2, 3] }", "{ uniform = [2, 3], low = 1 }"),
            &["initial_counts.low", "unknown key `low`; allowed: uniform"],
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
    fn json_values_resolve_like_toml() {
        let doc: serde_json::Value = toml::from_str(OK).unwrap();
        let r = ResolvedMarket::from_value(&doc, Path::new(".")).unwrap();
        assert_eq!(r.config, parse(OK).unwrap().config);
        let e = ResolvedMarket::from_value(&serde_json::json!({"colour": 1}), Path::new("."))
            .unwrap_err();
        assert_eq!(e.field().as_deref(), Some("colour"));
        assert!(e.to_string().contains("allowed: items, weights"), "{e}");
    }

    #[test]
    fn top_keys_are_the_serde_fields() {
        let e = MarketSpec::from_value(&serde_json::json!({"?": 0}))
            .unwrap_err()
            .to_string();
        assert!(
            e.ends_with(&format!("allowed: {}", TOP_KEYS.join(", "))),
            "{e}"
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

    #[test]
    fn a_bad_precision_names_the_field_the_value_and_the_allowed_values() {
        for bad in ["\"f16\"", "64", "\"F32\""] {
            let e = parse(&format!("{OK}precision = {bad}\n")).unwrap_err();
            assert_eq!(e.field().as_deref(), Some("precision"), "{e}");
            let msg = e.to_string();
            for needle in ["precision", "\"f64\"", "\"f32\""] {
                assert!(msg.contains(needle), "{msg:?} lacks {needle:?}");
            }
            assert!(msg.contains(bad.trim_matches('"')), "{msg}");
        }
        let f64_market = parse(OK).unwrap();
        assert_eq!(f64_market.config["precision"], "f64");
        let r = parse(&format!("{OK}precision = \"f32\"\n")).unwrap();
        assert_eq!(r.market.precision(), Precision::F32);
        assert_eq!(r.config["precision"], "f32");
        assert_eq!(
            r.market.quality().to_vec(),
            f64_market
                .market
                .quality()
                .to_vec()
                .iter()
                .map(|&x| f64::from(x as f32))
                .collect::<Vec<_>>()
        );
    }

    #[test]
    fn npy_files_are_read_into_f32_storage_and_checked_before_rounding() {
        use crate::matrix::{npy_bytes, read_matrix_as, Matrix};
        let dir = std::env::temp_dir().join(format!("ml-mspec-f32-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let (m, n) = (3, 700);
        let v: Vec<f64> = (0..m * n)
            .map(|k| 0.1 + (k as f64 * 0.618).fract())
            .collect();
        let q: Vec<f64> = (0..m * n).map(|k| (k as f64 * 0.414).fract()).collect();
        std::fs::write(
            dir.join("v.npy"),
            npy_bytes(&Matrix::new(m, n, v.clone()).unwrap()),
        )
        .unwrap();
        std::fs::write(
            dir.join("q.npy"),
            npy_bytes(&Matrix::new(m, n, q.clone()).unwrap()),
        )
        .unwrap();
        // a float32 copy of q ('<f4'): read directly as f32, widened exactly as f64
        let mut f4 = npy_bytes(&Matrix::new(m, n, q.clone()).unwrap());
        let header = f4.len() - 8 * m * n;
        f4.truncate(header);
        let at = f4.windows(4).position(|w| w == b"<f8'").unwrap();
        f4[at + 2] = b'4';
        for &x in &q {
            f4.extend_from_slice(&(x as f32).to_le_bytes());
        }
        std::fs::write(dir.join("q4.npy"), &f4).unwrap();
        let w = "[0.25, 0.25, 0.5]";
        let spec = |q: &str, p: &str| {
            format!(
                "weights = {w}\nvisibility = {{ file = \"v.npy\" }}\nquality = {{ file = \"{q}\" }}\nfeedback = 0.5\n{p}"
            )
        };
        let load = |text: &str| ResolvedMarket::parse(text, &dir.join("m.toml"), &dir);
        let wide = load(&spec("q.npy", "")).unwrap();
        let narrow = load(&spec("q.npy", "precision = \"f32\"\n")).unwrap();
        let from_f4 = load(&spec("q4.npy", "precision = \"f32\"\n")).unwrap();
        let f4_wide = load(&spec("q4.npy", "")).unwrap();
        assert_eq!(wide.market.precision(), Precision::F64);
        assert_eq!(narrow.market.precision(), Precision::F32);
        assert_eq!(narrow.market.visibility().bytes(), 4 * m * n);
        let rounded = |x: &[f64]| x.iter().map(|&x| f64::from(x as f32)).collect::<Vec<_>>();
        assert_eq!(narrow.market.visibility().to_vec(), rounded(&v));
        assert_eq!(narrow.market.quality().to_vec(), rounded(&q));
        assert_eq!(from_f4.market, narrow.market);
        assert_eq!(f4_wide.market.precision(), Precision::F64);
        assert_eq!(f4_wide.market.quality().to_vec(), rounded(&q));
        // the record names the precision; the fingerprint is of the values the run used
        assert_eq!(narrow.config["precision"], "f32");
        assert_ne!(
            narrow.config["visibility"]["fingerprint"],
            wide.config["visibility"]["fingerprint"]
        );
        // q slightly above 1 rounds to 1 in f32, but is refused before rounding, with its place
        let mut bad = q.clone();
        bad[n + 5] = 1.0 + 1e-12;
        std::fs::write(
            dir.join("qbad.npy"),
            npy_bytes(&Matrix::new(m, n, bad).unwrap()),
        )
        .unwrap();
        let e = load(&spec("qbad.npy", "precision = \"f32\"\n")).unwrap_err();
        assert_eq!(e.field().as_deref(), Some("quality"), "{e}");
        let msg = e.to_string();
        assert!(
            msg.contains("row 1, column 5") && msg.contains("[0, 1]"),
            "{msg}"
        );
        // read_matrix_as with f64 gives the f64 values
        let (r, c, d) = read_matrix_as(&dir.join("v.npy"), Precision::F64, None).unwrap();
        assert_eq!((r, c, d.to_vec()), (m, n, v));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
