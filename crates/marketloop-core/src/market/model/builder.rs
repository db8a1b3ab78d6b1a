//! A named-field builder for [`Market`]: every field set by name (so visibility and quality
//! cannot be swapped silently), all of them required, validated once in
//! [`MarketBuilder::build`] exactly as [`Market::new`] validates.

use super::{InitialCounts, Market, Matrix, Precision};
use crate::market::error::MarketError;

const NEEDED: &str = "items, weights, visibility, quality, feedback, initial_counts";

/// Builds a [`Market`] from named fields; see [`Market::builder`]. Field names are the market
/// TOML's.
#[derive(Clone, Debug, Default, PartialEq)]
#[must_use = "a builder does nothing until `build()`"]
pub struct MarketBuilder {
    items: Option<usize>,
    weights: Option<Vec<f64>>,
    visibility: Option<Matrix>,
    quality: Option<Matrix>,
    feedback: Option<Vec<f64>>,
    initial_counts: Option<InitialCounts>,
    precision: Option<Precision>,
}

impl MarketBuilder {
    /// The number of items n (>= 1).
    pub fn items(mut self, n: usize) -> Self {
        self.items = Some(n);
        self
    }

    /// Population weights w_i, one per user type, each in (0, 1], summing to 1.
    pub fn weights(mut self, weights: impl Into<Vec<f64>>) -> Self {
        self.weights = Some(weights.into());
        self
    }

    /// Visibility v_ij >= 0, row-major m x n.
    pub fn visibility(mut self, visibility: impl Into<Vec<f64>>) -> Self {
        self.visibility = Some(Matrix::F64(visibility.into()));
        self
    }

    /// Quality q_ij in [0, 1], row-major m x n.
    pub fn quality(mut self, quality: impl Into<Vec<f64>>) -> Self {
        self.quality = Some(Matrix::F64(quality.into()));
        self
    }

    /// Visibility given as `f64` or `f32` values (e.g. read from a float32 file, or straight
    /// into `f32` storage), row-major m x n.
    pub fn visibility_matrix(mut self, visibility: Matrix) -> Self {
        self.visibility = Some(visibility);
        self
    }

    /// Quality given as `f64` or `f32` values, row-major m x n.
    pub fn quality_matrix(mut self, quality: Matrix) -> Self {
        self.quality = Some(quality);
        self
    }

    /// How visibility and quality are stored (optional): `f64`, or `f32` for half the memory
    /// (values rounded to nearest; arithmetic stays `f64`). When not set: `f32` if both
    /// matrices are given as `f32`, else `f64`.
    pub fn precision(mut self, precision: Precision) -> Self {
        self.precision = Some(precision);
        self
    }

    /// Feedback exponents r_i >= 0, one per user type.
    pub fn feedback(mut self, feedback: impl Into<Vec<f64>>) -> Self {
        self.feedback = Some(feedback.into());
        self
    }

    /// The initial purchase counts d_j^0.
    pub fn initial_counts(mut self, initial: InitialCounts) -> Self {
        self.initial_counts = Some(initial);
        self
    }

    /// The validated market. Errors with [`MarketError::Missing`] naming the first field not
    /// set (in the order of [`Market::new`]'s arguments), else as [`Market::new`].
    pub fn build(self) -> Result<Market, MarketError> {
        let items = required("items", self.items)?;
        let weights = required("weights", self.weights)?;
        let visibility = required("visibility", self.visibility)?;
        let quality = required("quality", self.quality)?;
        let precision = self.precision.unwrap_or(
            if visibility.precision() == Precision::F32 && quality.precision() == Precision::F32 {
                Precision::F32
            } else {
                Precision::F64
            },
        );
        Market::with_precision(
            items,
            weights,
            visibility,
            quality,
            required("feedback", self.feedback)?,
            required("initial_counts", self.initial_counts)?,
            precision,
        )
    }
}

fn required<T>(field: &'static str, value: Option<T>) -> Result<T, MarketError> {
    value.ok_or(MarketError::Missing {
        field,
        builder: "Market::builder()",
        needed: NEEDED,
    })
}

impl Market {
    /// A builder with no field set: give `items`, `weights`, `visibility`, `quality`,
    /// `feedback` and `initial_counts`, then `build()`.
    ///
    /// ```
    /// use marketloop_core::market::{InitialCounts, Market};
    /// let market = Market::builder()
    ///     .items(2)
    ///     .weights([1.0])
    ///     .visibility([0.9, 0.4])
    ///     .quality([0.5, 0.8])
    ///     .feedback([0.5])
    ///     .initial_counts(InitialCounts::Fixed(vec![1, 1]))
    ///     .build()?;
    /// assert_eq!(market.quality_row(0).to_vec(), [0.5, 0.8]);
    /// # Ok::<(), marketloop_core::market::MarketError>(())
    /// ```
    pub fn builder() -> MarketBuilder {
        MarketBuilder::default()
    }

    /// A builder holding every field of this market, to change some and build again.
    pub fn to_builder(&self) -> MarketBuilder {
        Market::builder()
            .items(self.n_items())
            .weights(self.weights())
            .visibility_matrix(self.visibility().clone())
            .quality_matrix(self.quality().clone())
            .feedback(self.feedback())
            .initial_counts(self.initial().clone())
            .precision(self.precision())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn full() -> MarketBuilder {
        Market::builder()
            .items(3)
            .weights([0.25, 0.75])
            .visibility([1.0, 0.5, 0.0, 0.2, 0.3, 0.4])
            .quality([0.9, 0.5, 0.1, 0.2, 0.3, 0.4])
            .feedback([0.5, 0.8])
            .initial_counts(InitialCounts::Fixed(vec![1, 2, 3]))
    }

    #[test]
    fn builds_what_new_builds() {
        let want = Market::new(
            3,
            vec![0.25, 0.75],
            vec![1.0, 0.5, 0.0, 0.2, 0.3, 0.4],
            vec![0.9, 0.5, 0.1, 0.2, 0.3, 0.4],
            vec![0.5, 0.8],
            InitialCounts::Fixed(vec![1, 2, 3]),
        )
        .unwrap();
        assert_eq!(full().build().unwrap(), want);
        assert_eq!(want.to_builder().build().unwrap(), want);
        assert_eq!(want.to_builder(), full().precision(Precision::F64));
    }

    #[test]
    fn f32_storage_rounds_checked_values_and_halves_memory() {
        let v = [1.0, 0.1, 0.0, 0.2, 1e-50, 0.4];
        let q = [0.9, 1.0 / 3.0, 0.1, 0.2, 0.3, 1.0];
        let mk = full()
            .precision(Precision::F32)
            .visibility(v)
            .quality(q)
            .build()
            .unwrap();
        assert_eq!(mk.precision(), Precision::F32);
        assert_eq!(mk.visibility().bytes(), 6 * 4);
        assert_eq!(mk.quality_at(0, 1), f64::from((1.0f64 / 3.0) as f32));
        // 1e-50 rounds to 0 in f32: invisible, as in an f64 market of the rounded values
        assert_eq!(mk.visible_items(1), &[0, 2]);
        let rounded = |x: &[f64]| x.iter().map(|&x| f64::from(x as f32)).collect::<Vec<_>>();
        let f64_of_rounded = full()
            .visibility(rounded(&v))
            .quality(rounded(&q))
            .build()
            .unwrap();
        assert_eq!(f64_of_rounded.visible_items(1), &[0, 2]);
        assert_eq!(
            mk.visibility().to_f64(),
            f64_of_rounded.visibility().to_f64()
        );
        // to_builder keeps the precision; f32 given values imply f32 storage
        assert_eq!(mk.to_builder().build().unwrap(), mk);
        let given = full()
            .visibility_matrix(Matrix::F32(v.iter().map(|&x| x as f32).collect()))
            .quality_matrix(Matrix::F32(q.iter().map(|&x| x as f32).collect()))
            .build()
            .unwrap();
        assert_eq!(given, mk);
        // ... unless f64 is asked for: widened exactly
        let wide = mk.to_builder().precision(Precision::F64).build().unwrap();
        assert_eq!(wide, f64_of_rounded);
        // values are checked before rounding: q = 1 + 1e-12 rounds to 1 but is refused
        let e = full()
            .precision(Precision::F32)
            .quality([0.9, 0.5, 0.1, 0.2, 1.0 + 1e-12, 0.4])
            .build()
            .unwrap_err();
        assert_eq!(e.field(), Some("quality"));
        // a visibility beyond the f32 range is refused under f32 only
        let big = [1e39, 0.5, 0.0, 0.2, 0.3, 0.4];
        let e = full()
            .precision(Precision::F32)
            .visibility(big)
            .build()
            .unwrap_err();
        assert!(e.to_string().contains("float32 range"), "{e}");
        assert!(full().visibility(big).build().is_ok());
        let e = full()
            .visibility_matrix(Matrix::F32(vec![1.0, f32::NAN, 0.0, 0.2, 0.3, 0.4]))
            .build()
            .unwrap_err();
        assert!(e.to_string().contains("NaN"), "{e}");
    }

    #[test]
    fn a_missing_field_is_named() {
        assert_eq!(NEEDED.split(", ").count(), 6);
        for field in NEEDED.split(", ") {
            let mut b = full();
            match field {
                "items" => b.items = None,
                "weights" => b.weights = None,
                "visibility" => b.visibility = None,
                "quality" => b.quality = None,
                "feedback" => b.feedback = None,
                "initial_counts" => b.initial_counts = None,
                other => panic!("NEEDED lists an unknown field {other}"),
            }
            let e = b.build().unwrap_err();
            assert_eq!(e.field(), Some(field));
            let msg = e.to_string();
            assert!(msg.starts_with(&format!("{field}: not set")), "{msg}");
            assert!(msg.contains(NEEDED), "{msg}");
        }
        let e = Market::builder().build().unwrap_err();
        assert_eq!(e.field(), Some("items"));
    }

    #[test]
    fn fields_are_validated_as_in_new() {
        let e = full()
            .quality([0.9, 0.5, 0.1, 0.2, 1.5, 0.4])
            .build()
            .unwrap_err();
        assert_eq!(e.field(), Some("quality"));
        assert!(e.to_string().contains("user type 1 and item 1"), "{e}");
        // swapping visibility (entries > 1 allowed) and quality (at most 1) is caught by name
        let e = full()
            .visibility([0.9, 0.5, 0.1, 0.2, 0.3, 0.4])
            .quality([1.0, 2.5, 0.0, 0.2, 0.3, 0.4])
            .build()
            .unwrap_err();
        assert_eq!(e.field(), Some("quality"));
    }
}
