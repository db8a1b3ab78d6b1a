//! A named-field builder for [`Market`]: every field set by name (so visibility and quality
//! cannot be swapped silently), all of them required, validated once in
//! [`MarketBuilder::build`] exactly as [`Market::new`] validates.

use super::{InitialCounts, Market};
use crate::market::error::MarketError;

const NEEDED: &str = "items, weights, visibility, quality, feedback, initial_counts";

/// Builds a [`Market`] from named fields; see [`Market::builder`]. Field names are the market
/// TOML's.
#[derive(Clone, Debug, Default, PartialEq)]
#[must_use = "a builder does nothing until `build()`"]
pub struct MarketBuilder {
    items: Option<usize>,
    weights: Option<Vec<f64>>,
    visibility: Option<Vec<f64>>,
    quality: Option<Vec<f64>>,
    feedback: Option<Vec<f64>>,
    initial_counts: Option<InitialCounts>,
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
        self.visibility = Some(visibility.into());
        self
    }

    /// Quality q_ij in [0, 1], row-major m x n.
    pub fn quality(mut self, quality: impl Into<Vec<f64>>) -> Self {
        self.quality = Some(quality.into());
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
        Market::new(
            required("items", self.items)?,
            required("weights", self.weights)?,
            required("visibility", self.visibility)?,
            required("quality", self.quality)?,
            required("feedback", self.feedback)?,
            required("initial_counts", self.initial_counts)?,
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
    /// assert_eq!(market.quality_row(0), &[0.5, 0.8]);
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
            .visibility(self.visibility())
            .quality(self.quality())
            .feedback(self.feedback())
            .initial_counts(self.initial().clone())
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
        assert_eq!(want.to_builder(), full());
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
