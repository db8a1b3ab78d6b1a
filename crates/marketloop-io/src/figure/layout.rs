//! Where things go on the canvas: the axis ranges, the legend column (as wide as the longest
//! label, up to 30% of the figure, longer labels wrapped) and the room for the y tick labels.

use super::axes::{format_tick, Ranges};
use super::style::{ensure_font, AXIS_TITLE_SIZE, FAMILY, LEGEND_SIZE, TICK_SIZE};
use super::Figure;
use crate::IoError;
use plotters::prelude::*;

/// Where things go: axis ranges, bar geometry, legend lines.
pub(super) struct Plan {
    /// x range in data units.
    pub(super) x: (f64, f64),
    /// y range in data units.
    pub(super) y: (f64, f64),
    /// For each series that is drawn as bars: (left offset, right offset) from x in the axis'
    /// linear space (log10 x on a log axis).
    pub(super) bars: Vec<Option<(f64, f64)>>,
    /// Width of the legend column, in pixels.
    pub(super) legend_width: u32,
    /// Each series' legend label, wrapped into lines.
    pub(super) legend_lines: Vec<Vec<String>>,
    /// Width left of the chart for the y tick labels and the y-axis title, in pixels.
    pub(super) y_label_area: u32,
}

/// Text width in SVG units with the embedded font (for layout only). plotters' ab_glyph box
/// comes out narrower than the text the SVG renderer (resvg's shaper) draws at the same size;
/// measured on the gallery's legend labels, up to 15% narrower, so the box is widened by 16%.
fn text_width(text: &str, size: f64) -> Result<f64, String> {
    ensure_font()?;
    let font: FontDesc = (FAMILY, size).into_font();
    font.box_size(text)
        .map(|(w, _)| f64::from(w) * 1.16)
        .map_err(|e| format!("font layout failed: {e:?}"))
}

/// Greedy word wrap to `width` pixels (a single over-long word keeps its own line).
fn wrap(text: &str, size: f64, width: f64) -> Result<Vec<String>, String> {
    let mut lines: Vec<String> = Vec::new();
    let mut cur = String::new();
    for word in text.split_whitespace() {
        let candidate = if cur.is_empty() {
            word.to_string()
        } else {
            format!("{cur} {word}")
        };
        if cur.is_empty() || text_width(&candidate, size)? <= width {
            cur = candidate;
        } else {
            lines.push(std::mem::replace(&mut cur, word.to_string()));
        }
    }
    if !cur.is_empty() {
        lines.push(cur);
    }
    Ok(lines)
}

impl Plan {
    /// The plan of a validated figure drawn at `width` x `height` pixels; an error when the data
    /// are too wide to draw or the canvas too small for the labels and legend.
    pub(super) fn new(fig: &Figure, width: u32, height: u32) -> Result<Self, String> {
        let Ranges { x, y, bars } = Ranges::new(fig)?;

        // Legend column on the right, never over the data: as wide as the longest label, up to
        // 30% of the figure; longer labels wrap.
        let max_text = f64::from(width) * 0.30 - 60.0;
        let mut widest: f64 = 0.0;
        for s in &fig.series {
            widest = widest.max(text_width(&s.label, LEGEND_SIZE)?);
        }
        let text_w = widest.min(max_text.max(80.0));
        let legend_lines = fig
            .series
            .iter()
            .map(|s| wrap(&s.label, LEGEND_SIZE, text_w))
            .collect::<Result<Vec<_>, _>>()?;
        let legend_width = (text_w + 72.0).ceil() as u32;

        let mut tick_w: f64 = 0.0;
        for v in [y.0, y.1, (y.0 + y.1) / 2.0, y.0 + (y.1 - y.0) * 0.1] {
            tick_w = tick_w.max(text_width(&format_tick(v), TICK_SIZE)?);
        }
        // Tick labels, the tick marks and gap (about 12 px), and the rotated axis title.
        let y_label_area = (tick_w + 14.0 + AXIS_TITLE_SIZE / 1.24 * 1.4).ceil() as u32;
        if legend_width + y_label_area + 120 > width || height < 200 {
            return Err(format!(
                "a figure of {width}x{height} pixels is too small for its labels and legend"
            ));
        }
        Ok(Self {
            x,
            y,
            bars,
            legend_width,
            legend_lines,
            y_label_area,
        })
    }
}

impl Figure {
    /// Validates the figure and plans it at `width` x `height` pixels (what every renderer
    /// does first).
    pub(super) fn plan(&self, width: u32, height: u32) -> Result<Plan, IoError> {
        self.validate()?;
        Plan::new(self, width, height).map_err(|m| self.error(m))
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Figure, Series, SeriesStyle};

    #[test]
    fn single_points_and_fixed_ranges_draw() {
        let f = Figure {
            y_range: Some((0.0, 1.0)),
            ..Figure::new("one point", "x", "y")
                .with(Series::line("p", vec![3.0], vec![2.0]).styled(SeriesStyle::Points))
                .with(Series::line("bar", vec![3.0], vec![0.5]).styled(SeriesStyle::Bars))
        };
        assert!(f.to_png().is_ok() && f.to_svg().is_ok());
        let tiny = Figure::new("t", "x", "y").with(Series::line("a", vec![1.0], vec![1.0]));
        let e = tiny.to_png_sized(100, 50, 300.0).unwrap_err().to_string();
        assert!(e.contains("too small"), "{e}");
    }
}
