//! Figures as data: a [`Figure`] is a titled chart with labelled axes and a legend, made of
//! [`Series`]. This file owns the data model and its validation; the submodules render it with
//! plotters, so the models never touch a drawing library:
//!
//! - `style`: sizes, the colour palette, line dashes, the embedded font and font sizes.
//! - `axes`: axis ranges (padding, bar slots, log x) and tick text.
//! - `layout`: the [`Figure`]'s plan on the canvas (ranges, legend width and wrapped labels).
//! - `draw`: drawing a planned figure on any plotters backend (chart, bands, bars, legend).
//! - `svg`: [`Figure::to_svg`], the one drawing; `render`: the SVG parsed once with the
//!   embedded font, then [`Figure::to_png`] (resvg, 300 dpi) and [`Figure::to_pdf`] (svg2pdf,
//!   vector with the font embedded), so all three show the same picture.
//!
//! Encodings: a series' colour and dash are its own ([`Series::colour`], [`Series::dash`]), so
//! a figure can give colour to one variable (strategy, algorithm) and the dash to another
//! (setting); a [`Series::path`] is a trajectory drawn in the order of its points with arrows
//! pointing forward in time. The title is the report's caption and is drawn into the image
//! only when [`Figure::title_in_image`] is set.

mod axes;
mod draw;
mod layout;
mod pdf_order;
mod render;
mod style;
mod svg;

#[cfg(test)]
mod gallery;

pub use axes::format_tick;
pub use render::{DPI, UNITS_PER_INCH};
pub use style::{Dash, HEIGHT, PALETTE, WIDTH};

use crate::IoError;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// How a series is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum SeriesStyle {
    /// A line through the points.
    #[default]
    Line,
    /// Markers only.
    Points,
    /// A line with markers.
    LinePoints,
    /// Vertical bars (one per x; for histograms x is the bin centre).
    Bars,
}

/// One named series of a figure.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
pub struct Series {
    /// Legend label.
    pub label: String,
    /// x coordinates.
    pub x: Vec<f64>,
    /// y coordinates (same length as `x`).
    pub y: Vec<f64>,
    /// Optional shaded band (lower, upper), same length as `x` (e.g. the 25-75% band).
    pub band: Option<(Vec<f64>, Vec<f64>)>,
    /// Optional horizontal error bars (left, right) in x units, same length as `x`.
    pub x_err: Option<(Vec<f64>, Vec<f64>)>,
    /// Optional vertical error bars (lower, upper) in y units, same length as `x`.
    pub y_err: Option<(Vec<f64>, Vec<f64>)>,
    /// How to draw it.
    pub style: SeriesStyle,
    /// Palette index of its colour ([`PALETTE`], repeating); by default the series' position.
    /// Series that share a colour share the quantity it encodes (a strategy, an algorithm).
    #[serde(default)]
    pub colour: Option<usize>,
    /// Line dash; by default solid (dashed for series past the palette's length). Series that
    /// share a dash share the quantity it encodes (a setting).
    #[serde(default)]
    pub dash: Option<Dash>,
    /// A trajectory: the points are joined in their given order (not sorted by x), the first
    /// is marked with an open circle and arrows on the segments point forward in time.
    #[serde(default)]
    pub path: bool,
}

impl Series {
    /// A line series.
    pub fn line(label: impl Into<String>, x: Vec<f64>, y: Vec<f64>) -> Self {
        Self {
            label: label.into(),
            x,
            y,
            ..Self::default()
        }
    }

    /// The same series drawn with `style`.
    pub fn styled(mut self, style: SeriesStyle) -> Self {
        self.style = style;
        self
    }

    /// The same series in palette colour `index` (see [`Series::colour`]).
    pub fn coloured(mut self, index: usize) -> Self {
        self.colour = Some(index);
        self
    }

    /// The same series with line dash `dash`.
    pub fn dashed(mut self, dash: Dash) -> Self {
        self.dash = Some(dash);
        self
    }

    /// The same series drawn as a trajectory in the order of its points (see [`Series::path`]).
    pub fn as_path(mut self) -> Self {
        self.path = true;
        self
    }

    /// The same series with a shaded band.
    pub fn with_band(mut self, lower: Vec<f64>, upper: Vec<f64>) -> Self {
        self.band = Some((lower, upper));
        self
    }

    /// The same series with vertical error bars given as absolute lower and upper y values.
    pub fn with_y_err(mut self, lower: Vec<f64>, upper: Vec<f64>) -> Self {
        self.y_err = Some((lower, upper));
        self
    }

    /// The same series with horizontal error bars given as absolute left and right x values.
    pub fn with_x_err(mut self, left: Vec<f64>, right: Vec<f64>) -> Self {
        self.x_err = Some((left, right));
        self
    }
}

/// A chart: title, axis labels, series (each in the legend).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
pub struct Figure {
    /// Title: the caption in reports; drawn above the chart only with `title_in_image`.
    pub title: String,
    /// Draw the title into the image too (off by default: journals want captions, not titles
    /// baked into figures).
    #[serde(default)]
    pub title_in_image: bool,
    /// x-axis title.
    pub x_label: String,
    /// y-axis title.
    pub y_label: String,
    /// The series.
    pub series: Vec<Series>,
    /// Logarithmic x axis.
    pub log_x: bool,
    /// Fixed y range, else fitted to the data.
    pub y_range: Option<(f64, f64)>,
    /// The x values are categories numbered 0, 1, .. (e.g. user types): x ticks only at whole
    /// numbers.
    #[serde(default)]
    pub integer_x: bool,
}

impl Figure {
    /// An empty figure with a title and axis labels.
    pub fn new(
        title: impl Into<String>,
        x_label: impl Into<String>,
        y_label: impl Into<String>,
    ) -> Self {
        Self {
            title: title.into(),
            x_label: x_label.into(),
            y_label: y_label.into(),
            ..Self::default()
        }
    }

    /// Adds a series.
    pub fn with(mut self, series: Series) -> Self {
        self.series.push(series);
        self
    }

    /// The same figure with its title drawn into the image.
    pub fn with_title_in_image(mut self) -> Self {
        self.title_in_image = true;
        self
    }

    /// The same figure with x ticks only at whole numbers (categories such as user types).
    pub fn with_integer_x(mut self) -> Self {
        self.integer_x = true;
        self
    }
}

impl Figure {
    /// An error about this figure, labelled with its title.
    fn error(&self, message: String) -> IoError {
        IoError::Invalid {
            path: PathBuf::from(format!("figure {:?}", self.title)),
            message,
        }
    }

    /// Checks that the figure can be drawn faithfully: a title and both axis titles, at least
    /// one series, each with a legend label and at least one point; `x`, `y`, bands and error
    /// bars of equal length; every number finite; bands and error bars with lower ≤ upper; on a
    /// log x axis every x (and every left error bound) positive; a fixed y range finite with
    /// lower < upper. Errors name the series, the field, the index and the value.
    pub fn validate(&self) -> Result<(), IoError> {
        for (what, text) in [
            ("title", &self.title),
            ("x-axis title", &self.x_label),
            ("y-axis title", &self.y_label),
        ] {
            if text.trim().is_empty() {
                return Err(self.error(format!("the {what} is empty (every figure needs one)")));
            }
        }
        if self.series.is_empty() {
            return Err(self.error("has no series (add at least one with `with`)".into()));
        }
        if let Some((lo, hi)) = self.y_range {
            if !(lo.is_finite() && hi.is_finite() && lo < hi) {
                return Err(self.error(format!(
                    "y_range = ({lo}, {hi}) must be finite with lower < upper"
                )));
            }
        }
        for (k, s) in self.series.iter().enumerate() {
            if s.label.trim().is_empty() {
                return Err(self.error(format!(
                    "series {k} has an empty label (every series needs a legend label)"
                )));
            }
            let name = &s.label;
            let n = s.x.len();
            if n == 0 {
                return Err(self.error(format!("series {name:?} has no points")));
            }
            let mut vectors: Vec<(&str, &[f64])> = vec![("x", &s.x), ("y", &s.y)];
            if let Some((lo, hi)) = &s.band {
                vectors.push(("band lower", lo));
                vectors.push(("band upper", hi));
            }
            if let Some((lo, hi)) = &s.x_err {
                vectors.push(("x_err left", lo));
                vectors.push(("x_err right", hi));
            }
            if let Some((lo, hi)) = &s.y_err {
                vectors.push(("y_err lower", lo));
                vectors.push(("y_err upper", hi));
            }
            for (field, v) in &vectors {
                if v.len() != n {
                    return Err(self.error(format!(
                        "series {name:?}: {field} has {} values but x has {n}",
                        v.len()
                    )));
                }
                if let Some(i) = v.iter().position(|a| !a.is_finite()) {
                    return Err(self.error(format!(
                        "series {name:?}: {field}[{i}] = {} (only finite numbers can be drawn)",
                        v[i]
                    )));
                }
            }
            for (field, pair) in [("band", &s.band), ("x_err", &s.x_err), ("y_err", &s.y_err)] {
                if let Some((lo, hi)) = pair {
                    if let Some(i) = (0..n).find(|&i| lo[i] > hi[i]) {
                        return Err(self.error(format!(
                            "series {name:?}: {field} lower[{i}] = {} exceeds upper[{i}] = {}",
                            lo[i], hi[i]
                        )));
                    }
                }
            }
            if self.log_x {
                let mut xs: Vec<(&str, &[f64])> = vec![("x", &s.x)];
                if let Some((lo, _)) = &s.x_err {
                    xs.push(("x_err left", lo));
                }
                for (field, v) in xs {
                    if let Some(i) = v.iter().position(|&a| a <= 0.0) {
                        return Err(self.error(format!(
                            "series {name:?}: {field}[{i}] = {} must be > 0 on a log x axis",
                            v[i]
                        )));
                    }
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn integer_x_ticks_only_at_whole_numbers() {
        let fig = || {
            Figure::new("types", "user type", "share").with(
                Series::line("a", vec![0.0, 1.0, 2.0], vec![20.0, 50.0, 30.0])
                    .styled(SeriesStyle::Points),
            )
        };
        let ticks = |svg: &str| -> Vec<String> {
            ["0.5", "1.5", "0.2", "1", "2"]
                .iter()
                .filter(|t| svg.lines().any(|l| l.trim() == **t))
                .map(|t| t.to_string())
                .collect()
        };
        let plain = fig().to_svg().unwrap();
        assert!(
            ticks(&plain).contains(&"0.5".to_string()),
            "{:?}",
            ticks(&plain)
        );
        let whole = fig().with_integer_x().to_svg().unwrap();
        let t = ticks(&whole);
        assert!(
            t.contains(&"1".to_string()) && t.contains(&"2".to_string()),
            "{t:?}"
        );
        assert!(
            !t.contains(&"0.5".to_string()) && !t.contains(&"1.5".to_string()),
            "{t:?}"
        );
    }

    use super::*;

    fn err(f: &Figure) -> String {
        let e = f.validate().unwrap_err().to_string();
        assert!(f.to_svg().is_err() && f.to_png().is_err() && f.to_pdf().is_err());
        e
    }

    #[test]
    fn invalid_figures_are_refused_naming_the_series() {
        let base = || Figure::new("T", "x", "y");
        assert!(err(&base()).contains("no series"));
        let e = err(&base().with(Series::line("arm a", vec![1.0, 2.0], vec![1.0])));
        assert!(
            e.contains("\"arm a\"") && e.contains("y has 1 values but x has 2"),
            "{e}"
        );
        let e = err(&base().with(Series::line("arm b", vec![1.0, 2.0], vec![1.0, f64::NAN])));
        assert!(e.contains("\"arm b\"") && e.contains("y[1] = NaN"), "{e}");
        let e = err(&base().with(
            Series::line("arm c", vec![1.0], vec![1.0]).with_band(vec![0.0], vec![f64::INFINITY]),
        ));
        assert!(
            e.contains("\"arm c\"") && e.contains("band upper[0] = inf"),
            "{e}"
        );
        let e = err(&base()
            .with(Series::line("arm d", vec![1.0], vec![1.0]).with_y_err(vec![2.0], vec![1.0])));
        assert!(e.contains("y_err lower[0] = 2 exceeds upper[0] = 1"), "{e}");
        let e = err(&base().with(
            Series::line("arm e", vec![1.0, 2.0], vec![1.0, 2.0]).with_x_err(vec![0.0], vec![1.0]),
        ));
        assert!(e.contains("x_err left has 1 values but x has 2"), "{e}");
        let e = err(&Figure {
            log_x: true,
            ..base().with(Series::line("arm f", vec![0.0, 1.0], vec![1.0, 2.0]))
        });
        assert!(e.contains("x[0] = 0 must be > 0 on a log x axis"), "{e}");
        let e = err(&base().with(Series::line("", vec![1.0], vec![1.0])));
        assert!(e.contains("series 0 has an empty label"), "{e}");
        let e = err(&Figure::new("T", "", "y").with(Series::line("a", vec![1.0], vec![1.0])));
        assert!(e.contains("x-axis title is empty"), "{e}");
        let e = err(&base().with(Series::line("g", vec![], vec![])));
        assert!(e.contains("\"g\" has no points"), "{e}");
        let e = err(&Figure {
            y_range: Some((1.0, 1.0)),
            ..base().with(Series::line("h", vec![1.0], vec![1.0]))
        });
        assert!(e.contains("y_range = (1, 1)"), "{e}");
        assert!(e.starts_with("figure \"T\""), "{e}");
    }
}
