//! How a market stores its m x n visibility and quality matrices: as `f64` (the default) or as
//! `f32` ([`Precision::F32`], half the memory). Every computation reads them as `f64` (an `f32`
//! widens exactly), so a market stored as `f32` computes exactly what an `f64` market does on
//! the matrices rounded to `f32` first.
//!
//! Hot loops take a row's slice once ([`Row`], matched once outside the loop) and are generic
//! over the element type ([`Scalar`]), so an `f64` market runs the very code it ran before;
//! [`Row::get`] (one match per entry) is for the occasional entry.

use serde::{Deserialize, Serialize};
use std::borrow::Cow;

/// How a market stores its visibility and quality matrices.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Precision {
    /// 8 bytes per value (the default).
    #[default]
    F64,
    /// 4 bytes per value: inputs rounded to the nearest `f32` (relative error at most 2^-24);
    /// all arithmetic stays `f64`.
    F32,
}

impl Precision {
    /// The spelling in specs: `"f64"` or `"f32"`.
    pub fn name(self) -> &'static str {
        match self {
            Precision::F64 => "f64",
            Precision::F32 => "f32",
        }
    }

    /// Bytes per stored value: 8 or 4.
    pub fn bytes(self) -> usize {
        match self {
            Precision::F64 => 8,
            Precision::F32 => 4,
        }
    }

    /// Parses `"f64"` or `"f32"`.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "f64" => Some(Precision::F64),
            "f32" => Some(Precision::F32),
            _ => None,
        }
    }
}

impl std::fmt::Display for Precision {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// An element type a matrix may be stored in: `f64` or `f32`, read as `f64`.
pub trait Scalar: Copy + Send + Sync + PartialEq + std::fmt::Debug + 'static {
    /// The value as `f64` (exact).
    fn widen(self) -> f64;
}

impl Scalar for f64 {
    #[inline(always)]
    fn widen(self) -> f64 {
        self
    }
}

impl Scalar for f32 {
    #[inline(always)]
    fn widen(self) -> f64 {
        f64::from(self)
    }
}

/// A row-major matrix of `f64` or `f32` values (the caller knows its shape).
#[derive(Clone, Debug, PartialEq)]
pub enum Matrix {
    /// Stored as `f64`.
    F64(Vec<f64>),
    /// Stored as `f32`.
    F32(Vec<f32>),
}

impl Matrix {
    /// The storage precision.
    pub fn precision(&self) -> Precision {
        match self {
            Matrix::F64(_) => Precision::F64,
            Matrix::F32(_) => Precision::F32,
        }
    }

    /// Number of stored values.
    pub fn len(&self) -> usize {
        match self {
            Matrix::F64(d) => d.len(),
            Matrix::F32(d) => d.len(),
        }
    }

    /// Whether it holds no value.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Bytes taken by the values.
    pub fn bytes(&self) -> usize {
        self.len() * self.precision().bytes()
    }

    /// The values `start..end` (a row, or all of them).
    #[inline]
    pub fn slice(&self, start: usize, end: usize) -> Row<'_> {
        match self {
            Matrix::F64(d) => Row::F64(&d[start..end]),
            Matrix::F32(d) => Row::F32(&d[start..end]),
        }
    }

    /// Every value.
    #[inline]
    pub fn all(&self) -> Row<'_> {
        match self {
            Matrix::F64(d) => Row::F64(d),
            Matrix::F32(d) => Row::F32(d),
        }
    }

    /// Value `k` as `f64`.
    #[inline]
    pub fn get(&self, k: usize) -> f64 {
        match self {
            Matrix::F64(d) => d[k],
            Matrix::F32(d) => f64::from(d[k]),
        }
    }

    /// The same values stored in `precision` (rounded to nearest when narrowing; widening is
    /// exact). Converts in place of the old storage: peak memory is both vectors.
    pub fn into_precision(self, precision: Precision) -> Matrix {
        match (self, precision) {
            (Matrix::F64(d), Precision::F32) => Matrix::F32(d.iter().map(|&x| x as f32).collect()),
            (Matrix::F32(d), Precision::F64) => {
                Matrix::F64(d.iter().map(|&x| f64::from(x)).collect())
            }
            (m, _) => m,
        }
    }

    /// The values as `f64`: borrowed when stored as `f64`, else widened into a new vector.
    pub fn to_f64(&self) -> Cow<'_, [f64]> {
        self.all().to_f64()
    }

    /// The values as a new `f64` vector.
    pub fn to_vec(&self) -> Vec<f64> {
        self.all().to_vec()
    }
}

impl From<Vec<f64>> for Matrix {
    fn from(d: Vec<f64>) -> Self {
        Matrix::F64(d)
    }
}

impl From<Vec<f32>> for Matrix {
    fn from(d: Vec<f32>) -> Self {
        Matrix::F32(d)
    }
}

/// Borrowed values of a [`Matrix`] (a row, or all of them), read as `f64`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Row<'a> {
    /// Stored as `f64`.
    F64(&'a [f64]),
    /// Stored as `f32`.
    F32(&'a [f32]),
}

impl<'a> From<&'a [f64]> for Row<'a> {
    fn from(d: &'a [f64]) -> Self {
        Row::F64(d)
    }
}

impl<'a> From<&'a Vec<f64>> for Row<'a> {
    fn from(d: &'a Vec<f64>) -> Self {
        Row::F64(d)
    }
}

impl<'a> From<&'a [f32]> for Row<'a> {
    fn from(d: &'a [f32]) -> Self {
        Row::F32(d)
    }
}

/// Runs `$body` with `$v` bound to the row's slice, `&[f64]` or `&[f32]` (the body is compiled
/// once per element type: one match outside a hot loop, none inside).
#[macro_export]
macro_rules! with_row {
    ($row:expr, $v:ident => $body:expr) => {
        match $row {
            $crate::market::model::Row::F64($v) => $body,
            $crate::market::model::Row::F32($v) => $body,
        }
    };
}

impl<'a> Row<'a> {
    /// Number of values.
    #[inline]
    pub fn len(&self) -> usize {
        match self {
            Row::F64(d) => d.len(),
            Row::F32(d) => d.len(),
        }
    }

    /// Whether it holds no value.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Value `j` as `f64`.
    #[inline]
    pub fn get(&self, j: usize) -> f64 {
        match self {
            Row::F64(d) => d[j],
            Row::F32(d) => f64::from(d[j]),
        }
    }

    /// The values as `f64`, in order.
    pub fn iter(&self) -> impl Iterator<Item = f64> + 'a {
        let (a, b) = match *self {
            Row::F64(d) => (Some(d.iter().copied()), None),
            Row::F32(d) => (None, Some(d.iter().map(|&x| f64::from(x)))),
        };
        a.into_iter().flatten().chain(b.into_iter().flatten())
    }

    /// The values as `f64`: borrowed when stored as `f64`, else widened into a new vector.
    pub fn to_f64(&self) -> Cow<'a, [f64]> {
        match *self {
            Row::F64(d) => Cow::Borrowed(d),
            Row::F32(d) => Cow::Owned(d.iter().map(|&x| f64::from(x)).collect()),
        }
    }

    /// The values as a new `f64` vector.
    pub fn to_vec(&self) -> Vec<f64> {
        self.to_f64().into_owned()
    }

    /// The values as `f64` if stored so (no copy).
    pub fn as_f64(&self) -> Option<&'a [f64]> {
        match *self {
            Row::F64(d) => Some(d),
            Row::F32(_) => None,
        }
    }

    /// The values `start..end`.
    #[inline]
    pub fn slice(&self, start: usize, end: usize) -> Row<'a> {
        match *self {
            Row::F64(d) => Row::F64(&d[start..end]),
            Row::F32(d) => Row::F32(&d[start..end]),
        }
    }
}

/// Whether `row`'s values equal `other`'s (as `f64`, exact).
pub(crate) fn rows_equal(a: Row<'_>, b: Row<'_>) -> bool {
    match (a, b) {
        (Row::F64(x), Row::F64(y)) => x == y,
        (Row::F32(x), Row::F32(y)) => x == y,
        _ => a.len() == b.len() && a.iter().zip(b.iter()).all(|(x, y)| x == y),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn f32_storage_round_trips_and_reads_widened() {
        let d = vec![0.1, 1.0 / 3.0, 0.0, 1.0, 2.5e-40, 7.0];
        let m = Matrix::from(d.clone()).into_precision(Precision::F32);
        assert_eq!(m.precision(), Precision::F32);
        assert_eq!(m.bytes(), 4 * d.len());
        for (k, &x) in d.iter().enumerate() {
            assert_eq!(m.get(k), f64::from(x as f32));
            // relative error at most 2^-24 (normal values)
            if x > 1e-30 {
                assert!(((m.get(k) - x) / x).abs() <= 2f64.powi(-24));
            }
        }
        // f32 -> f64 -> f32 is the identity; f32 values widened keep every bit
        let back = m.clone().into_precision(Precision::F64);
        assert_eq!(back.precision(), Precision::F64);
        assert_eq!(back.into_precision(Precision::F32), m);
        let row = m.slice(1, 3);
        assert_eq!(row.len(), 2);
        assert_eq!(row.to_vec(), vec![f64::from((1.0f64 / 3.0) as f32), 0.0]);
        assert_eq!(row.iter().collect::<Vec<_>>(), row.to_vec());
        assert!(row.as_f64().is_none());
        let f = Matrix::from(d.clone());
        assert!(matches!(f.to_f64(), Cow::Borrowed(_)));
        assert_eq!(f.all().iter().collect::<Vec<_>>(), d);
        assert!(rows_equal(m.slice(0, 2), Row::F64(&[m.get(0), m.get(1)])));
        assert_eq!(Precision::parse("f32"), Some(Precision::F32));
        assert_eq!(Precision::parse("f16"), None);
        assert_eq!(Precision::default().to_string(), "f64");
    }
}
