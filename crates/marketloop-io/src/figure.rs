//! Figures as data: a [`Figure`] is a titled chart with labelled axes and a legend, made of
//! [`Series`]. Rendering to SVG and PNG (plotters) lives in this module too, so the models never
//! touch a drawing library.

use serde::{Deserialize, Serialize};

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
    /// Title shown above the chart.
    pub title: String,
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
}
