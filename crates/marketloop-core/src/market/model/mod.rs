//! The trial-offer market itself: items, user types, visibility, quality, feedback exponents and
//! initial purchase counts, validated once in [`Market::new`] (or the named-field
//! [`Market::builder`], `builder.rs`) and immutable afterwards.
//!
//! Matrices are stored row-major (`m` rows of user types, `n` columns of items): entry (i, j) is
//! `data[i * n + j]`. Indices are 0-based everywhere (the paper counts from 1). Visibility and
//! quality are stored as `f64`, or as `f32` with [`Precision::F32`] (`matrix.rs`: half the
//! memory; every computation still reads them as `f64`).
//!
//! Initial counts are whole numbers d_j^0 >= 1, as in the paper: purchases add 1, so counts stay
//! integers, which is what lets the popularity ranking keep its order in O(1) per purchase.

mod builder;
mod matrix;

pub use builder::MarketBuilder;
pub use matrix::{Matrix, Precision, Row, Scalar};

use super::error::MarketError;
use rand::Rng;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;

/// Tolerance on the sum of the population weights.
pub const WEIGHT_SUM_TOLERANCE: f64 = 1e-9;

/// How the initial purchase counts d_j^0 are set.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InitialCounts {
    /// The same given counts in every replicate (one per item, each >= 1).
    Fixed(Vec<u64>),
    /// Each d_j^0 drawn independently and uniformly from the whole numbers `low..=high`
    /// (`1 <= low <= high`), per replicate, from the replicate's `Source::Initial` stream.
    /// The paper's experiments use `{2, 3}`.
    Uniform {
        /// Smallest count.
        low: u64,
        /// Largest count (inclusive).
        high: u64,
    },
}

impl InitialCounts {
    /// Checks the rule for `n_items` items: fixed counts are one whole number >= 1 per item;
    /// uniform bounds satisfy 1 <= low <= high.
    pub fn check(&self, n_items: usize) -> Result<(), MarketError> {
        match self {
            InitialCounts::Fixed(d) => check_initial_counts(d, n_items),
            InitialCounts::Uniform { low, high } => {
                if *low == 0 {
                    return Err(MarketError::OutOfRange {
                        field: "initial_counts",
                        description: "lowest initial count (uniform low)",
                        value: 0.0,
                        place: String::new(),
                        range: "whole numbers >= 1",
                    });
                }
                if high < low {
                    return Err(MarketError::OutOfRange {
                        field: "initial_counts",
                        description: "highest initial count (uniform high)",
                        value: *high as f64,
                        place: format!("(low = {low}) "),
                        range: "[low, inf) (whole numbers)",
                    });
                }
                Ok(())
            }
        }
    }
}

/// A trial-offer market (Section 2 of the paper), validated.
#[derive(Clone, Debug, PartialEq)]
pub struct Market {
    n: usize,
    m: usize,
    weights: Vec<f64>,
    visibility: Matrix,
    quality: Matrix,
    feedback: Vec<f64>,
    initial: InitialCounts,
    /// Per type, the items with v_ij > 0, ascending; `None` when that is every item (then
    /// [`Market::visible_items`] is `every`: 4 bytes per item, not per (type, item)).
    visible: Vec<Option<Vec<u32>>>,
    /// 0, 1, ..., n - 1 if some type sees every item, else empty.
    every: Vec<u32>,
    /// The distinct feedback exponents, in order of first appearance.
    distinct_r: Vec<f64>,
    /// For each type, the index of its exponent in `distinct_r`.
    r_index: Vec<usize>,
    /// The visibility the engine samples with, when it differs from `visibility`: rows whose
    /// largest entry lies outside [2^-300, 2^300] scaled by a power of two (exact) to a largest
    /// entry in [0.5, 1). Trial probabilities do not depend on a row's scale; this keeps every
    /// trial weight and sum finite. `None` (the common case, and always for `f32` storage,
    /// whose values lie within [2^-149, 2^128]): the engine uses `visibility`.
    sampling: Option<Vec<f64>>,
}

/// The largest feedback exponent r (the engine computes d^r for counts up to 2^64 in the log
/// domain when it would overflow, so every r in [0, 1000] gives the right probabilities).
pub const MAX_FEEDBACK: f64 = 1000.0;

/// Rows of visibility with a largest entry outside [2^-300, 2^300] get scaled for sampling.
const ROW_HIGH: f64 = 2e90; // about 2^300

/// Two powers of two whose product brings a largest entry `top` > 0 into [0.5, 1) (applied one
/// after the other, `x * a * b`, so that neither factor over- or underflows; exact unless an
/// entry becomes subnormal, i.e. is negligible next to `top`).
pub(crate) fn scale_factors(top: f64) -> (f64, f64) {
    let e = top.log2().floor() as i32 + 1;
    (f64::from(-e / 2).exp2(), f64::from(-e - (-e / 2)).exp2())
}

/// Whether factors with largest entry `top` need [`scale_factors`] (outside [2^-300, 2^300]).
pub(crate) fn needs_scaling(top: f64) -> bool {
    top > 0.0 && !(1.0 / ROW_HIGH..=ROW_HIGH).contains(&top)
}

/// The scaled copy of `visibility` for sampling, if any row needs it (never for `f32`
/// storage: its positive values lie within [2^-149, 2^128]).
fn sampling_visibility(visibility: &Matrix, n: usize) -> Option<Vec<f64>> {
    let Matrix::F64(visibility) = visibility else {
        return None;
    };
    let needs = |row: &[f64]| needs_scaling(row.iter().copied().fold(0.0_f64, f64::max));
    if !visibility.chunks(n).any(needs) {
        return None;
    }
    let mut out = visibility.to_vec();
    for row in out.chunks_mut(n) {
        if needs(row) {
            let top = row.iter().copied().fold(0.0_f64, f64::max);
            let (a, b) = scale_factors(top);
            for x in row.iter_mut() {
                *x = *x * a * b;
            }
        }
    }
    Some(out)
}

fn place_ij(i: usize, j: usize) -> String {
    format!("for user type {i} and item {j} ")
}

/// Every entry of `values` finite and `allowed`; `place(k)` says where entry k is.
fn check_values<S: Scalar>(
    field: &'static str,
    description: &'static str,
    values: &[S],
    range: &'static str,
    allowed: impl Fn(f64) -> bool,
    place: impl Fn(usize) -> String,
) -> Result<(), MarketError> {
    for (k, x) in values.iter().enumerate() {
        let x = x.widen();
        if !x.is_finite() {
            return Err(MarketError::NotFinite {
                field,
                description,
                value: x,
                place: place(k),
                range,
            });
        }
        if !allowed(x) {
            return Err(MarketError::OutOfRange {
                field,
                description,
                value: x,
                place: place(k),
                range,
            });
        }
    }
    Ok(())
}

/// One value per user type, each finite and `allowed`.
fn check_per_type(
    field: &'static str,
    description: &'static str,
    values: &[f64],
    range: &'static str,
    allowed: impl Fn(f64) -> bool,
) -> Result<(), MarketError> {
    check_values(field, description, values, range, allowed, |i| {
        format!("for user type {i} ")
    })
}

/// The largest visibility `f32` storage holds (`f32::MAX`, about 3.4e38).
const F32_MAX: f64 = f32::MAX as f64;

/// Checks a matrix as given (before any rounding to `precision`): m x n entries, each finite,
/// at least 0, at most 1 (`upper_one`), and within the `f32` range when stored as `f32`.
/// Rounding to `f32` is monotone and keeps 0 and 1, so a q in [0, 1] stays in [0, 1].
fn check_matrix(
    field: &'static str,
    description: &'static str,
    data: &Matrix,
    m: usize,
    n: usize,
    upper_one: bool,
    precision: Precision,
) -> Result<(), MarketError> {
    let expected = m * n;
    if data.len() != expected {
        return Err(MarketError::Shape {
            field,
            got: data.len(),
            expected,
            shape: format!("m x n = {m} x {n}: one row per user type, one column per item"),
        });
    }
    let narrow = precision == Precision::F32 && data.precision() == Precision::F64;
    let range = match (upper_one, narrow) {
        (true, _) => "[0, 1]",
        (false, false) => "[0, inf)",
        (false, true) => "[0, 3.4028235e38] (the float32 range, precision = \"f32\")",
    };
    let top = if narrow { F32_MAX } else { f64::INFINITY };
    let hi = if upper_one { 1.0 } else { top };
    if crate::with_row!(data.all(), d => all_within(d, hi)) {
        return Ok(());
    }
    let allowed = |x: f64| x >= 0.0 && x <= hi;
    let place = |k: usize| place_ij(k / n, k % n);
    crate::with_row!(data.all(), d => check_values(field, description, d, range, allowed, place))
}

/// Whether every value is finite and in [0, `hi`]: a branch-free pass (it vectorises, about a
/// third of [`check_values`]'s cost on a big matrix), after which only a matrix with a bad value
/// is walked again to name it.
fn all_within<S: Scalar>(values: &[S], hi: f64) -> bool {
    // x <= f64::MAX also rules out infinity; NaN fails both comparisons.
    let hi = hi.min(f64::MAX);
    values.chunks(4096).all(|chunk| {
        let bad: u32 = chunk
            .iter()
            .map(|x| {
                let x = x.widen();
                u32::from(!((x >= 0.0) & (x <= hi)))
            })
            .sum();
        bad == 0
    })
}

impl Market {
    /// A market with `n_items` items and one user type per entry of `weights`.
    ///
    /// - `weights`: population weights w_i, each in (0, 1], summing to 1 within
    ///   [`WEIGHT_SUM_TOLERANCE`].
    /// - `visibility`: v_ij >= 0, row-major m x n.
    /// - `quality`: q_ij in [0, 1], row-major m x n.
    /// - `feedback`: exponents r_i >= 0, one per type (r_i > 1 is allowed: winner takes all).
    /// - `initial`: the initial counts (each >= 1).
    ///
    /// Errors name the parameter, the bad value and the allowed range.
    pub fn new(
        n_items: usize,
        weights: Vec<f64>,
        visibility: Vec<f64>,
        quality: Vec<f64>,
        feedback: Vec<f64>,
        initial: InitialCounts,
    ) -> Result<Self, MarketError> {
        Self::with_precision(
            n_items,
            weights,
            Matrix::F64(visibility),
            Matrix::F64(quality),
            feedback,
            initial,
            Precision::F64,
        )
    }

    /// [`Market::new`] with the matrices given as `f64` or `f32` and stored in `precision`:
    /// values are checked as given, then rounded to nearest `f32` (or widened, exactly). A
    /// visibility beyond the `f32` range is an error under `f32`; values that round to 0 are
    /// fine (such an item is then invisible to that type, as in an `f64` market of the rounded
    /// values).
    pub fn with_precision(
        n_items: usize,
        weights: Vec<f64>,
        visibility: Matrix,
        quality: Matrix,
        feedback: Vec<f64>,
        initial: InitialCounts,
        precision: Precision,
    ) -> Result<Self, MarketError> {
        let n = n_items;
        if n == 0 {
            return Err(MarketError::Empty {
                field: "items",
                what: "number of items n",
            });
        }
        let m = weights.len();
        if m == 0 {
            return Err(MarketError::Empty {
                field: "weights",
                what: "number of user types m (length of weights)",
            });
        }
        check_per_type("weights", "population weight w", &weights, "(0, 1]", |w| {
            w > 0.0 && w <= 1.0
        })?;
        let sum: f64 = weights.iter().sum();
        if (sum - 1.0).abs() > WEIGHT_SUM_TOLERANCE {
            return Err(MarketError::WeightsSum { sum });
        }
        check_matrix(
            "visibility",
            "visibility v",
            &visibility,
            m,
            n,
            false,
            precision,
        )?;
        check_matrix("quality", "quality q", &quality, m, n, true, precision)?;
        if feedback.len() != m {
            return Err(MarketError::Shape {
                field: "feedback",
                got: feedback.len(),
                expected: m,
                shape: format!("one feedback exponent per user type, m = {m}"),
            });
        }
        check_per_type(
            "feedback",
            "feedback exponent r",
            &feedback,
            "[0, 1000]",
            |r| (0.0..=MAX_FEEDBACK).contains(&r),
        )?;
        initial.check(n)?;
        if n > u32::MAX as usize {
            return Err(MarketError::OutOfRange {
                field: "items",
                description: "number of items n",
                value: n as f64,
                place: String::new(),
                range: "[1, 2^32 - 1]",
            });
        }
        let visibility = visibility.into_precision(precision);
        let quality = quality.into_precision(precision);
        fn visible_of<S: Scalar>(row: &[S]) -> Option<Vec<u32>> {
            (!row.iter().all(|x| x.widen() > 0.0)).then(|| {
                (0..row.len() as u32)
                    .filter(|&j| row[j as usize].widen() > 0.0)
                    .collect()
            })
        }
        let visible: Vec<Option<Vec<u32>>> = (0..m)
            .map(|i| crate::with_row!(visibility.slice(i * n, (i + 1) * n), row => visible_of(row)))
            .collect();
        let every = if visible.iter().any(Option::is_none) {
            (0..n as u32).collect()
        } else {
            Vec::new()
        };
        let mut distinct_r: Vec<f64> = Vec::new();
        let r_index = feedback
            .iter()
            .map(|&r| match distinct_r.iter().position(|&x| x == r) {
                Some(k) => k,
                None => {
                    distinct_r.push(r);
                    distinct_r.len() - 1
                }
            })
            .collect();
        let sampling = sampling_visibility(&visibility, n);
        Ok(Self {
            sampling,
            n,
            m,
            weights,
            visibility,
            quality,
            feedback,
            initial,
            visible,
            every,
            distinct_r,
            r_index,
        })
    }

    /// A homogeneous market (one user type, w_1 = 1) with visibility `v`, quality `q` and
    /// feedback exponent `r`.
    pub fn homogeneous(
        v: Vec<f64>,
        q: Vec<f64>,
        r: f64,
        initial: InitialCounts,
    ) -> Result<Self, MarketError> {
        Market::builder()
            .items(v.len())
            .weights([1.0])
            .visibility(v)
            .quality(q)
            .feedback([r])
            .initial_counts(initial)
            .build()
    }

    /// The same market with another visibility matrix (validated like [`Market::new`]).
    pub fn with_visibility(&self, visibility: Vec<f64>) -> Result<Self, MarketError> {
        self.to_builder().visibility(visibility).build()
    }

    /// Number of items n.
    pub fn n_items(&self) -> usize {
        self.n
    }

    /// Number of user types m.
    pub fn n_types(&self) -> usize {
        self.m
    }

    /// Whether there is a single user type.
    pub fn is_homogeneous(&self) -> bool {
        self.m == 1
    }

    /// Population weights w_i.
    pub fn weights(&self) -> &[f64] {
        &self.weights
    }

    /// How visibility and quality are stored (`f64` or `f32`).
    pub fn precision(&self) -> Precision {
        self.visibility.precision()
    }

    /// The visibility matrix, row-major m x n.
    pub fn visibility(&self) -> &Matrix {
        &self.visibility
    }

    /// The quality matrix, row-major m x n.
    pub fn quality(&self) -> &Matrix {
        &self.quality
    }

    /// Visibility v_ij of type `i` for item `j`.
    #[inline]
    pub fn visibility_at(&self, i: usize, j: usize) -> f64 {
        self.visibility.get(i * self.n + j)
    }

    /// Quality q_ij of type `i` for item `j`.
    #[inline]
    pub fn quality_at(&self, i: usize, j: usize) -> f64 {
        self.quality.get(i * self.n + j)
    }

    /// Visibilities v_i. of type `i`.
    #[inline]
    pub fn visibility_row(&self, i: usize) -> Row<'_> {
        self.visibility.slice(i * self.n, (i + 1) * self.n)
    }

    /// The visibility matrix the engine samples with (row-major m x n; see
    /// [`sampling_visibility_row`](Self::sampling_visibility_row)).
    #[inline]
    pub fn sampling_visibility(&self) -> Row<'_> {
        match &self.sampling {
            None => self.visibility.all(),
            Some(v) => Row::F64(v),
        }
    }

    /// The visibilities of type `i` the engine samples with: [`visibility_row`](Self::visibility_row)
    /// unless its largest entry lies outside [2^-300, 2^300], then scaled by a power of two to a
    /// largest entry in [0.5, 1) (the trial probabilities do not change; sums stay finite).
    #[inline]
    pub fn sampling_visibility_row(&self, i: usize) -> Row<'_> {
        match &self.sampling {
            None => self.visibility_row(i),
            Some(v) => Row::F64(&v[i * self.n..(i + 1) * self.n]),
        }
    }

    /// Qualities q_i. of type `i`.
    #[inline]
    pub fn quality_row(&self, i: usize) -> Row<'_> {
        self.quality.slice(i * self.n, (i + 1) * self.n)
    }

    /// Type `i`'s visibilities and qualities as `f64` slices (borrowed under `f64` storage,
    /// widened copies under `f32`), for the formulas that index both rows by item.
    pub fn rows_f64(&self, i: usize) -> (Cow<'_, [f64]>, Cow<'_, [f64]>) {
        (
            self.visibility_row(i).to_f64(),
            self.quality_row(i).to_f64(),
        )
    }

    /// Feedback exponents r_i.
    pub fn feedback(&self) -> &[f64] {
        &self.feedback
    }

    /// The initial-count rule.
    pub fn initial(&self) -> &InitialCounts {
        &self.initial
    }

    /// Items visible to type `i` (v_ij > 0), ascending.
    pub fn visible_items(&self, i: usize) -> &[u32] {
        self.visible[i].as_deref().unwrap_or(&self.every)
    }

    /// The distinct feedback exponents, in order of first appearance.
    pub fn distinct_feedback(&self) -> &[f64] {
        &self.distinct_r
    }

    /// For each type, the index of its exponent in [`Market::distinct_feedback`].
    pub fn feedback_index(&self) -> &[usize] {
        &self.r_index
    }

    /// The common feedback exponent, if all types share one.
    pub fn common_feedback(&self) -> Option<f64> {
        (self.distinct_r.len() == 1).then(|| self.distinct_r[0])
    }

    /// Whether q_ij = q_j for every type (exact equality), the case of Gamma (14).
    pub fn quality_is_type_independent(&self) -> bool {
        (1..self.m).all(|i| matrix::rows_equal(self.quality_row(i), self.quality_row(0)))
    }

    /// Whether v_ij = v_j for every type (exact equality), the case of Prop. C.1.
    pub fn visibility_is_type_independent(&self) -> bool {
        (1..self.m).all(|i| matrix::rows_equal(self.visibility_row(i), self.visibility_row(0)))
    }

    /// Draws the initial counts of one replicate. `Fixed` counts draw nothing.
    pub fn initial_counts<R: Rng + ?Sized>(&self, rng: &mut R) -> Vec<u64> {
        match &self.initial {
            InitialCounts::Fixed(d) => d.clone(),
            InitialCounts::Uniform { low, high } => (0..self.n)
                .map(|_| rng.random_range(*low..=*high))
                .collect(),
        }
    }

    /// The starting shares of the deterministic dynamic: d^0 / sum d^0 for fixed counts, and
    /// the expected shares (uniform, 1/n each) for uniformly drawn counts.
    pub fn initial_shares(&self) -> Vec<f64> {
        match &self.initial {
            InitialCounts::Fixed(d) => {
                let total: f64 = d.iter().map(|&x| x as f64).sum();
                d.iter().map(|&x| x as f64 / total).collect()
            }
            InitialCounts::Uniform { .. } => vec![1.0 / self.n as f64; self.n],
        }
    }
}

/// Initial counts must be one whole number >= 1 per item.
pub(crate) fn check_initial_counts(d: &[u64], n: usize) -> Result<(), MarketError> {
    if d.len() != n {
        return Err(MarketError::Shape {
            field: "initial_counts",
            got: d.len(),
            expected: n,
            shape: format!("one initial count per item, n = {n}"),
        });
    }
    if let Some(j) = d.iter().position(|&x| x == 0) {
        return Err(MarketError::OutOfRange {
            field: "initial_counts",
            description: "initial count d0",
            value: 0.0,
            place: format!("for item {j} "),
            range: "whole numbers >= 1",
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok_args() -> (usize, Vec<f64>, Vec<f64>, Vec<f64>, Vec<f64>, InitialCounts) {
        (
            3,
            vec![0.25, 0.75],
            vec![1.0, 0.5, 0.0, 0.2, 0.3, 0.4],
            vec![0.9, 0.5, 0.1, 0.2, 0.3, 0.4],
            vec![0.5, 0.5],
            InitialCounts::Fixed(vec![1, 2, 3]),
        )
    }

    fn err(e: MarketError, needles: &[&str]) {
        let s = e.to_string();
        for n in needles {
            assert!(s.contains(n), "message {s:?} lacks {n:?}");
        }
    }

    fn build(
        f: impl FnOnce(&mut (usize, Vec<f64>, Vec<f64>, Vec<f64>, Vec<f64>, InitialCounts)),
    ) -> Result<Market, MarketError> {
        let mut a = ok_args();
        f(&mut a);
        Market::new(a.0, a.1, a.2, a.3, a.4, a.5)
    }

    #[test]
    fn valid_market_builds_with_sparse_visible_lists() {
        let mk = build(|_| {}).unwrap();
        assert_eq!(mk.n_types(), 2);
        assert_eq!(mk.visible_items(0), &[0, 1]);
        assert_eq!(mk.visible_items(1), &[0, 1, 2]);
        assert_eq!(mk.common_feedback(), Some(0.5));
        assert!(!mk.quality_is_type_independent());
    }

    #[test]
    fn rejects_negative_weight() {
        let e = build(|a| a.1 = vec![-0.25, 1.25]).unwrap_err();
        err(e, &["weights", "-0.25", "user type 0", "(0, 1]"]);
    }

    #[test]
    fn rejects_weights_not_summing_to_one() {
        let e = build(|a| a.1 = vec![0.25, 0.5]).unwrap_err();
        assert_eq!(e.field(), Some("weights"));
        err(e, &["weights", "0.75", "sum to 1"]);
    }

    #[test]
    fn rejects_quality_outside_unit_interval() {
        let e = build(|a| a.3[4] = 1.2).unwrap_err();
        err(e, &["quality", "1.2", "user type 1 and item 1", "[0, 1]"]);
    }

    #[test]
    fn rejects_negative_visibility() {
        let e = build(|a| a.2[2] = -0.5).unwrap_err();
        err(
            e,
            &["visibility", "-0.5", "user type 0 and item 2", "[0, inf)"],
        );
    }

    #[test]
    fn rejects_nan_and_infinity() {
        let e = build(|a| a.2[5] = f64::NAN).unwrap_err();
        err(
            e,
            &[
                "visibility",
                "NaN",
                "user type 1 and item 2",
                "not a finite",
            ],
        );
        let e = build(|a| a.3[0] = f64::INFINITY).unwrap_err();
        err(e, &["quality", "inf", "user type 0 and item 0", "[0, 1]"]);
        let e = build(|a| a.1[0] = f64::NAN).unwrap_err();
        err(e, &["weights", "NaN", "user type 0"]);
        let e = build(|a| a.4[1] = f64::NEG_INFINITY).unwrap_err();
        err(e, &["feedback", "-inf", "user type 1"]);
    }

    #[test]
    fn rejects_shape_mismatch() {
        let e = build(|a| a.2.pop().map(|_| ()).unwrap_or(())).unwrap_err();
        err(e, &["visibility", "5 entries", "6", "2 x 3"]);
        let e = build(|a| a.3.push(0.5)).unwrap_err();
        err(e, &["quality", "7 entries", "6"]);
        let e = build(|a| a.4 = vec![0.5]).unwrap_err();
        err(e, &["feedback", "1 entries", "2"]);
        let e = build(|a| a.5 = InitialCounts::Fixed(vec![1, 1])).unwrap_err();
        err(e, &["initial_counts", "2 entries", "3"]);
    }

    #[test]
    fn rejects_zero_items() {
        let e = Market::new(
            0,
            vec![1.0],
            vec![],
            vec![],
            vec![0.5],
            InitialCounts::Fixed(vec![]),
        )
        .unwrap_err();
        err(e, &["items", "n = 0", "at least 1"]);
    }

    #[test]
    fn rejects_zero_types() {
        let e = build(|a| {
            a.1 = vec![];
            a.2 = vec![];
            a.3 = vec![];
            a.4 = vec![];
        })
        .unwrap_err();
        err(e, &["weights", "user types m", "at least 1"]);
    }

    #[test]
    fn rejects_zero_initial_counts() {
        let e = build(|a| a.5 = InitialCounts::Fixed(vec![1, 0, 2])).unwrap_err();
        err(e, &["initial_counts", "d0 = 0", "item 1", ">= 1"]);
        let e = build(|a| a.5 = InitialCounts::Uniform { low: 0, high: 3 }).unwrap_err();
        err(e, &["initial_counts", "= 0", ">= 1"]);
        let e = build(|a| a.5 = InitialCounts::Uniform { low: 3, high: 2 }).unwrap_err();
        err(e, &["initial_counts", "= 2", "low = 3"]);
    }

    #[test]
    fn rejects_negative_feedback_exponent() {
        let e = build(|a| a.4 = vec![0.5, -1.7]).unwrap_err();
        err(e, &["feedback", "r = -1.7", "user type 1", "[0, 1000]"]);
        let e = build(|a| a.4 = vec![0.5, 1000.5]).unwrap_err();
        err(e, &["feedback", "r = 1000.5", "user type 1", "[0, 1000]"]);
    }

    #[test]
    fn uniform_initial_counts_stay_in_range() {
        let mk = build(|a| a.5 = InitialCounts::Uniform { low: 2, high: 3 }).unwrap();
        let mut rng = crate::rng::SeedSequence::new(1).stream(0, crate::rng::Source::Initial);
        let mut seen = [false; 2];
        for _ in 0..50 {
            for d in mk.initial_counts(&mut rng) {
                assert!((2..=3).contains(&d));
                seen[(d - 2) as usize] = true;
            }
        }
        assert_eq!(seen, [true, true]);
    }
}
