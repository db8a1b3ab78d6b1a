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

// ---------------------------------------------------------------------------------------------
// Validation and rendering.
// ---------------------------------------------------------------------------------------------

use crate::IoError;
use plotters::coord::ranged1d::{Ranged, ValueFormatter};
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::path::PathBuf;

/// Default width of a rendered figure, in pixels (SVG user units and PNG pixels alike).
pub const WIDTH: u32 = 960;
/// Default height of a rendered figure, in pixels.
pub const HEIGHT: u32 = 600;

/// Series colours, in order: matplotlib's "tab10" followed by two further distinct hues;
/// series beyond the twelfth reuse them with a different marker shape.
pub const PALETTE: [(u8, u8, u8); 12] = [
    (0x1f, 0x77, 0xb4),
    (0xff, 0x7f, 0x0e),
    (0x2c, 0xa0, 0x2c),
    (0xd6, 0x27, 0x28),
    (0x94, 0x67, 0xbd),
    (0x8c, 0x56, 0x4b),
    (0xe3, 0x77, 0xc2),
    (0x7f, 0x7f, 0x7f),
    (0xbc, 0xbd, 0x22),
    (0x17, 0xbe, 0xcf),
    (0x22, 0x22, 0x22),
    (0xa6, 0x76, 0x1d),
];

/// The font family every figure uses: "sans-serif" in SVG (the viewer's font), and in PNG the
/// embedded Noto Sans Regular (Apache-2.0, from the `ttf-noto-sans` crate), registered with
/// plotters' `ab_glyph` text backend so no system font library is needed.
const FAMILY: &str = "sans-serif";

fn ensure_font() -> Result<(), String> {
    static FONT: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    let ok = *FONT.get_or_init(|| {
        plotters::style::register_font(FAMILY, FontStyle::Normal, ttf_noto_sans::REGULAR).is_ok()
    });
    if ok {
        Ok(())
    } else {
        Err("the embedded Noto Sans font could not be loaded".into())
    }
}

impl Figure {
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

    /// The figure as an SVG document of [`WIDTH`] × [`HEIGHT`] user units. Text is plain
    /// `<text>` in the generic "sans-serif" family.
    pub fn to_svg(&self) -> Result<String, IoError> {
        self.to_svg_sized(WIDTH, HEIGHT)
    }

    /// The figure as an SVG document of the given size.
    pub fn to_svg_sized(&self, width: u32, height: u32) -> Result<String, IoError> {
        self.validate()?;
        let plan = Plan::new(self, width, height).map_err(|m| self.error(m))?;
        let mut out = String::new();
        {
            let root = SVGBackend::with_string(&mut out, (width, height)).into_drawing_area();
            draw(self, &plan, &root).map_err(|m| self.error(m))?;
            root.present().map_err(|e| self.error(e.to_string()))?;
        }
        Ok(out)
    }

    /// The figure as the bytes of a PNG image of [`WIDTH`] × [`HEIGHT`] pixels.
    pub fn to_png(&self) -> Result<Vec<u8>, IoError> {
        self.to_png_sized(WIDTH, HEIGHT)
    }

    /// The figure as the bytes of a PNG image of the given size (8-bit RGB).
    pub fn to_png_sized(&self, width: u32, height: u32) -> Result<Vec<u8>, IoError> {
        self.validate()?;
        let plan = Plan::new(self, width, height).map_err(|m| self.error(m))?;
        let mut rgb = vec![255u8; width as usize * height as usize * 3];
        {
            let root = BitMapBackend::with_buffer(&mut rgb, (width, height)).into_drawing_area();
            draw(self, &plan, &root).map_err(|m| self.error(m))?;
            root.present().map_err(|e| self.error(e.to_string()))?;
        }
        let mut out = Vec::new();
        {
            let mut enc = png::Encoder::new(&mut out, width, height);
            enc.set_color(png::ColorType::Rgb);
            enc.set_depth(png::BitDepth::Eight);
            let mut w = enc
                .write_header()
                .map_err(|e| self.error(format!("PNG encoding failed: {e}")))?;
            w.write_image_data(&rgb)
                .map_err(|e| self.error(format!("PNG encoding failed: {e}")))?;
            w.finish()
                .map_err(|e| self.error(format!("PNG encoding failed: {e}")))?;
        }
        Ok(out)
    }
}

/// Short tick text: no float noise ("0.30000000000000004" → "0.3"), scientific notation for
/// very large or very small magnitudes.
pub fn format_tick(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return if v == 0.0 { "0".into() } else { format!("{v}") };
    }
    let a = v.abs();
    if !(1e-3..1e6).contains(&a) {
        let s = format!("{v:.3e}");
        let (mantissa, exp) = s.split_once('e').unwrap_or((&s, "0"));
        let mantissa = trim_zeros(mantissa);
        return format!("{mantissa}e{exp}");
    }
    trim_zeros(&format!("{v:.6}")).to_string()
}

fn trim_zeros(s: &str) -> &str {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.')
    } else {
        s
    }
}

/// Where things go: axis ranges, bar geometry, legend lines.
struct Plan {
    x: (f64, f64),
    y: (f64, f64),
    /// For each series that is drawn as bars: (left offset, right offset) from x in the axis'
    /// linear space (log10 x on a log axis).
    bars: Vec<Option<(f64, f64)>>,
    legend_width: u32,
    legend_lines: Vec<Vec<String>>,
    y_label_area: u32,
}

// Font sizes in plotters' units (the glyphs are 1/1.24 of this in pixels).
const TITLE_SIZE: f64 = 28.0;
const AXIS_TITLE_SIZE: f64 = 21.0;
const TICK_SIZE: f64 = 17.0;
const LEGEND_SIZE: f64 = 17.0;
const LEGEND_ROW: i32 = 22;

/// Approximate text width in pixels with the embedded font (for layout only).
fn text_width(text: &str, size: f64) -> Result<f64, String> {
    ensure_font()?;
    let font: FontDesc = (FAMILY, size).into_font();
    font.box_size(text)
        .map(|(w, _)| f64::from(w))
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
    fn new(fig: &Figure, width: u32, height: u32) -> Result<Self, String> {
        let t = |x: f64| if fig.log_x { x.log10() } else { x };
        let inv = |u: f64| if fig.log_x { 10f64.powf(u) } else { u };

        // Bars: a common slot width from the closest pair of bar positions; K bar series share
        // each slot side by side.
        let bar_series: Vec<usize> = (0..fig.series.len())
            .filter(|&k| fig.series[k].style == SeriesStyle::Bars)
            .collect();
        let mut bars = vec![None; fig.series.len()];
        if !bar_series.is_empty() {
            let mut us: Vec<f64> = bar_series
                .iter()
                .flat_map(|&k| fig.series[k].x.iter().map(|&x| t(x)))
                .collect();
            us.sort_by(f64::total_cmp);
            us.dedup();
            let gap = us
                .windows(2)
                .map(|w| w[1] - w[0])
                .fold(f64::INFINITY, f64::min);
            let gap = if gap.is_finite() && gap > 0.0 {
                gap
            } else {
                // One bar position: a width relative to its magnitude.
                (us[0].abs() * 0.2).max(if fig.log_x { 0.2 } else { 1.0 })
            };
            let slot = 0.8 * gap;
            let k_n = bar_series.len() as f64;
            for (j, &k) in bar_series.iter().enumerate() {
                let left = -slot / 2.0 + slot * j as f64 / k_n;
                bars[k] = Some((left, left + slot / k_n));
            }
        }

        // x range in linear (or log10) space.
        let mut ulo = f64::INFINITY;
        let mut uhi = f64::NEG_INFINITY;
        for (k, s) in fig.series.iter().enumerate() {
            let (l, r) = bars[k].unwrap_or((0.0, 0.0));
            for i in 0..s.x.len() {
                let (a, b) = match &s.x_err {
                    Some((lo, hi)) => (lo[i].min(s.x[i]), hi[i].max(s.x[i])),
                    None => (s.x[i], s.x[i]),
                };
                ulo = ulo.min(t(a) + l);
                uhi = uhi.max(t(b) + r);
            }
        }
        let (ulo, uhi) = pad(ulo, uhi, if bar_series.is_empty() { 0.02 } else { 0.03 });
        let x = (inv(ulo), inv(uhi));

        let y = match fig.y_range {
            Some(r) => r,
            None => {
                let mut lo = f64::INFINITY;
                let mut hi = f64::NEG_INFINITY;
                for (k, s) in fig.series.iter().enumerate() {
                    let mut all: Vec<&[f64]> = vec![&s.y];
                    if let Some((a, b)) = &s.band {
                        all.push(a);
                        all.push(b);
                    }
                    if let Some((a, b)) = &s.y_err {
                        all.push(a);
                        all.push(b);
                    }
                    for v in all {
                        for &a in v {
                            lo = lo.min(a);
                            hi = hi.max(a);
                        }
                    }
                    if bars[k].is_some() {
                        lo = lo.min(0.0);
                        hi = hi.max(0.0);
                    }
                }
                let (mut plo, phi) = pad(lo, hi, 0.05);
                // Bars start at zero: no padding below a zero baseline.
                if !bar_series.is_empty() && lo == 0.0 {
                    plo = 0.0;
                }
                (plo, phi)
            }
        };
        if !(x.0.is_finite() && x.1.is_finite() && y.0.is_finite() && y.1.is_finite()) {
            return Err(format!(
                "the data span x in [{}, {}] and y in [{}, {}], too wide to draw",
                x.0, x.1, y.0, y.1
            ));
        }

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
        let legend_width = (text_w + 64.0).ceil() as u32;

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

/// Widens `[lo, hi]` by `frac` of its span on each side (a point range gets a unit-ish span).
fn pad(lo: f64, hi: f64, frac: f64) -> (f64, f64) {
    if hi > lo {
        let d = (hi - lo) * frac;
        (lo - d, hi + d)
    } else {
        let d = (lo.abs() * 0.1).max(0.5);
        (lo - d, hi + d)
    }
}

/// Series past the palette's length are drawn dashed (and with another marker shape).
fn dashed(k: usize) -> bool {
    k >= PALETTE.len()
}

fn colour(k: usize) -> RGBColor {
    let (r, g, b) = PALETTE[k % PALETTE.len()];
    RGBColor(r, g, b)
}

type Err = String;

fn derr<E: std::fmt::Debug>(e: E) -> Err {
    format!("drawing failed: {e:?}")
}

fn draw<DB: DrawingBackend>(
    fig: &Figure,
    plan: &Plan,
    root: &DrawingArea<DB, Shift>,
) -> Result<(), Err> {
    ensure_font()?;
    root.fill(&WHITE).map_err(derr)?;
    let body = root
        .titled(&fig.title, (FAMILY, TITLE_SIZE).into_font().color(&BLACK))
        .map_err(derr)?;
    let (w, _) = body.dim_in_pixel();
    let (chart_area, legend_area) = body.split_horizontally(w.saturating_sub(plan.legend_width));
    draw_legend(fig, plan, &legend_area)?;
    let (ylo, yhi) = plan.y;
    if fig.log_x {
        let chart = builder(plan, &chart_area)
            .build_cartesian_2d((plan.x.0..plan.x.1).log_scale(), ylo..yhi)
            .map_err(derr)?;
        draw_chart(fig, plan, chart)
    } else {
        let chart = builder(plan, &chart_area)
            .build_cartesian_2d(plan.x.0..plan.x.1, ylo..yhi)
            .map_err(derr)?;
        draw_chart(fig, plan, chart)
    }
}

fn builder<'a, 'b, DB: DrawingBackend>(
    plan: &Plan,
    area: &'a DrawingArea<DB, Shift>,
) -> ChartBuilder<'a, 'b, DB> {
    let mut b = ChartBuilder::on(area);
    b.margin_top(8)
        .margin_right(16)
        .margin_left(8)
        .margin_bottom(8)
        .x_label_area_size(((TICK_SIZE + AXIS_TITLE_SIZE) / 1.24 * 1.35 + 14.0) as u32)
        .y_label_area_size(plan.y_label_area);
    b
}

fn draw_chart<DB, X>(
    fig: &Figure,
    plan: &Plan,
    mut chart: ChartContext<'_, DB, Cartesian2d<X, RangedCoordf64>>,
) -> Result<(), Err>
where
    DB: DrawingBackend,
    X: Ranged<ValueType = f64> + ValueFormatter<f64>,
{
    let fmt = |v: &f64| format_tick(*v);
    chart
        .configure_mesh()
        .x_desc(fig.x_label.as_str())
        .y_desc(fig.y_label.as_str())
        .axis_desc_style((FAMILY, AXIS_TITLE_SIZE))
        .label_style((FAMILY, TICK_SIZE))
        .x_labels(8)
        .y_labels(8)
        .x_label_formatter(&fmt)
        .y_label_formatter(&fmt)
        .bold_line_style(BLACK.mix(0.10))
        .light_line_style(TRANSPARENT)
        .draw()
        .map_err(derr)?;
    let (ylo, yhi) = plan.y;
    let clamp = |y: f64| y.clamp(ylo, yhi);
    let t = |x: f64| if fig.log_x { x.log10() } else { x };
    let inv = |u: f64| if fig.log_x { 10f64.powf(u) } else { u };

    // Bands first, under everything else.
    for (k, s) in fig.series.iter().enumerate() {
        if let Some((lo, hi)) = &s.band {
            let mut idx: Vec<usize> = (0..s.x.len()).collect();
            idx.sort_by(|&a, &b| s.x[a].total_cmp(&s.x[b]));
            let mut poly: Vec<(f64, f64)> = idx.iter().map(|&i| (s.x[i], clamp(hi[i]))).collect();
            poly.extend(idx.iter().rev().map(|&i| (s.x[i], clamp(lo[i]))));
            chart
                .draw_series(std::iter::once(Polygon::new(
                    poly,
                    colour(k).mix(0.18).filled(),
                )))
                .map_err(derr)?;
        }
    }
    // Bars.
    for (k, s) in fig.series.iter().enumerate() {
        if let Some((l, r)) = plan.bars[k] {
            let base = clamp(0.0);
            let c = colour(k);
            chart
                .draw_series(s.x.iter().zip(&s.y).map(|(&x, &y)| {
                    Rectangle::new(
                        [(inv(t(x) + l), base), (inv(t(x) + r), clamp(y))],
                        c.mix(0.75).filled(),
                    )
                }))
                .map_err(derr)?;
        }
    }
    // Lines and markers.
    for (k, s) in fig.series.iter().enumerate() {
        let c = colour(k);
        let mut idx: Vec<usize> = (0..s.x.len()).collect();
        idx.sort_by(|&a, &b| s.x[a].total_cmp(&s.x[b]));
        if matches!(s.style, SeriesStyle::Line | SeriesStyle::LinePoints) {
            let pts: Vec<(f64, f64)> = idx.iter().map(|&i| (s.x[i], clamp(s.y[i]))).collect();
            if dashed(k) {
                chart
                    .draw_series(std::iter::once(DashedPathElement::new(
                        pts,
                        8,
                        5,
                        c.stroke_width(2),
                    )))
                    .map_err(derr)?;
            } else {
                chart
                    .draw_series(std::iter::once(PathElement::new(pts, c.stroke_width(2))))
                    .map_err(derr)?;
            }
        }
        if matches!(s.style, SeriesStyle::Points | SeriesStyle::LinePoints) {
            let shape = k / PALETTE.len();
            for &i in &idx {
                let p = (s.x[i], clamp(s.y[i]));
                match shape % 3 {
                    0 => chart.draw_series(std::iter::once(Circle::new(p, 4, c.filled()))),
                    1 => chart.draw_series(std::iter::once(TriangleMarker::new(p, 5, c.filled()))),
                    _ => chart.draw_series(std::iter::once(Cross::new(p, 4, c.stroke_width(2)))),
                }
                .map_err(derr)?;
            }
        }
        // Error bars with caps.
        if let Some((lo, hi)) = &s.y_err {
            for i in 0..s.x.len() {
                let (a, b) = (clamp(lo[i]), clamp(hi[i]));
                let st = c.stroke_width(1);
                chart
                    .draw_series([PathElement::new(vec![(s.x[i], a), (s.x[i], b)], st)])
                    .map_err(derr)?;
                chart
                    .draw_series(
                        [(s.x[i], a), (s.x[i], b)].into_iter().map(|p| {
                            EmptyElement::at(p) + PathElement::new(vec![(-4, 0), (4, 0)], st)
                        }),
                    )
                    .map_err(derr)?;
            }
        }
        if let Some((lo, hi)) = &s.x_err {
            for i in 0..s.x.len() {
                let y = clamp(s.y[i]);
                let st = c.stroke_width(1);
                chart
                    .draw_series([PathElement::new(vec![(lo[i], y), (hi[i], y)], st)])
                    .map_err(derr)?;
                chart
                    .draw_series(
                        [(lo[i], y), (hi[i], y)].into_iter().map(|p| {
                            EmptyElement::at(p) + PathElement::new(vec![(0, -4), (0, 4)], st)
                        }),
                    )
                    .map_err(derr)?;
            }
        }
    }
    Ok(())
}

fn draw_legend<DB: DrawingBackend>(
    fig: &Figure,
    plan: &Plan,
    area: &DrawingArea<DB, Shift>,
) -> Result<(), Err> {
    let rows: i32 = plan
        .legend_lines
        .iter()
        .map(|l| l.len().max(1) as i32)
        .sum();
    let (w, _) = area.dim_in_pixel();
    let top = 12;
    let height = rows * LEGEND_ROW + 12;
    area.draw(&Rectangle::new(
        [(4, top), (w as i32 - 8, top + height)],
        BLACK.mix(0.25).stroke_width(1),
    ))
    .map_err(derr)?;
    let font = (FAMILY, LEGEND_SIZE).into_font().color(&BLACK);
    let mut y = top + 6 + LEGEND_ROW / 2;
    for (k, (s, lines)) in fig.series.iter().zip(&plan.legend_lines).enumerate() {
        let c = colour(k);
        let (x0, x1) = (12, 40);
        if s.band.is_some() {
            area.draw(&Rectangle::new(
                [(x0, y - 7), (x1, y + 7)],
                c.mix(0.18).filled(),
            ))
            .map_err(derr)?;
        }
        match s.style {
            SeriesStyle::Bars => area
                .draw(&Rectangle::new(
                    [(x0 + 6, y - 6), (x1 - 6, y + 6)],
                    c.mix(0.75).filled(),
                ))
                .map_err(derr)?,
            _ => {
                if matches!(s.style, SeriesStyle::Line | SeriesStyle::LinePoints) {
                    if dashed(k) {
                        area.draw(&DashedPathElement::new(
                            vec![(x0, y), (x1, y)],
                            8,
                            5,
                            c.stroke_width(2),
                        ))
                    } else {
                        area.draw(&PathElement::new(vec![(x0, y), (x1, y)], c.stroke_width(2)))
                    }
                    .map_err(derr)?;
                }
                if matches!(s.style, SeriesStyle::Points | SeriesStyle::LinePoints) {
                    let p = ((x0 + x1) / 2, y);
                    match (k / PALETTE.len()) % 3 {
                        0 => area.draw(&Circle::new(p, 4, c.filled())),
                        1 => area.draw(&TriangleMarker::new(p, 5, c.filled())),
                        _ => area.draw(&Cross::new(p, 4, c.stroke_width(2))),
                    }
                    .map_err(derr)?;
                }
            }
        }
        if s.y_err.is_some() && s.style != SeriesStyle::Bars {
            let xm = (x0 + x1) / 2;
            area.draw(&PathElement::new(
                vec![(xm, y - 7), (xm, y + 7)],
                c.stroke_width(1),
            ))
            .map_err(derr)?;
        }
        for line in lines {
            area.draw(&Text::new(
                line.as_str(),
                (x1 + 10, y),
                font.pos(Pos::new(HPos::Left, VPos::Center)),
            ))
            .map_err(derr)?;
            y += LEGEND_ROW;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn traj(k: usize) -> Series {
        let x: Vec<f64> = (0..=50).map(|i| f64::from(i) * 2000.0).collect();
        let y: Vec<f64> = x
            .iter()
            .map(|&t| 0.3 + 0.1 * k as f64 + 0.4 * (1.0 - (-t / 30_000.0).exp()))
            .collect();
        let lo = y.iter().map(|v| v - 0.05).collect();
        let hi = y.iter().map(|v| v + 0.04).collect();
        Series::line(format!("policy {k}"), x, y).with_band(lo, hi)
    }

    /// The figures used by the tests and, with MARKETLOOP_GALLERY=DIR, written out to look at.
    fn gallery() -> Vec<(&'static str, Figure)> {
        let lines = Figure::new(
            "Market efficiency over time (median, 25-75% band)",
            "step",
            "efficiency",
        )
        .with(traj(0))
        .with(traj(1))
        .with(traj(2).styled(SeriesStyle::LinePoints));
        let xs = vec![10.0, 30.0, 100.0, 300.0, 1000.0, 3000.0];
        let ys: Vec<f64> = xs.iter().map(|x: &f64| 1.0 / x.sqrt()).collect();
        let errs = Figure {
            log_x: true,
            ..Figure::new(
                "Regret <per round> & error bars",
                "horizon T (log scale)",
                "regret / T",
            )
        }
        .with(
            Series::line("UCB1 (mean ± 2 s.e.)", xs.clone(), ys.clone())
                .styled(SeriesStyle::Points)
                .with_y_err(
                    ys.iter().map(|y| y * 0.8).collect(),
                    ys.iter().map(|y| y * 1.2).collect(),
                )
                .with_x_err(
                    xs.iter().map(|x| x * 0.9).collect(),
                    xs.iter().map(|x| x * 1.1).collect(),
                ),
        )
        .with(
            Series::line(
                "Thompson sampling",
                xs.clone(),
                ys.iter().map(|y| y * 0.6).collect(),
            )
            .styled(SeriesStyle::LinePoints),
        );
        let bins: Vec<f64> = (0..10).map(|i| f64::from(i) + 0.5).collect();
        let bars = Figure::new("Market share by quality decile", "quality decile", "share")
            .with(
                Series::line(
                    "social influence",
                    bins.clone(),
                    bins.iter().map(|b| 0.02 + 0.03 * b).collect(),
                )
                .styled(SeriesStyle::Bars),
            )
            .with(
                Series::line("independent", bins.clone(), vec![0.1; 10]).styled(SeriesStyle::Bars),
            );
        let mut many = Figure::new("Twelve series", "iteration", "Ψ (potential)");
        for k in 0..13 {
            let label = if k == 3 {
                "a rather long legend label that needs to wrap onto a second line".to_string()
            } else {
                format!("r = {:.2}", 0.05 * k as f64)
            };
            let x: Vec<f64> = (0..20).map(f64::from).collect();
            let y = x
                .iter()
                .map(|t| (1.0 + k as f64) * (1.0 - (-t / 5.0).exp()))
                .collect();
            many = many.with(Series::line(label, x, y).styled(if k % 2 == 0 {
                SeriesStyle::Line
            } else {
                SeriesStyle::LinePoints
            }));
        }
        vec![
            ("lines", lines),
            ("errors", errs),
            ("bars", bars),
            ("many", many),
        ]
    }

    #[test]
    fn write_gallery_when_asked() {
        if let Ok(dir) = std::env::var("MARKETLOOP_GALLERY") {
            let dir = std::path::Path::new(&dir);
            for (stem, f) in gallery() {
                crate::atomic::write_atomic(
                    &dir.join(format!("{stem}.svg")),
                    f.to_svg().unwrap().as_bytes(),
                )
                .unwrap();
                crate::atomic::write_atomic(&dir.join(format!("{stem}.png")), &f.to_png().unwrap())
                    .unwrap();
            }
        }
    }

    #[test]
    fn svg_has_title_axis_titles_and_every_legend_label_escaped() {
        for (_, f) in gallery() {
            let svg = f.to_svg().unwrap();
            assert!(svg.starts_with("<svg"), "{}", &svg[..40]);
            assert!(svg.trim_end().ends_with("</svg>"));
            let esc = |s: &str| {
                s.replace('&', "&amp;")
                    .replace('<', "&lt;")
                    .replace('>', "&gt;")
            };
            // The text content of every <text> element.
            let texts: Vec<&str> = svg
                .split("</text>")
                .filter_map(|t| t.rsplit_once('>').map(|(_, x)| x.trim()))
                .collect();
            for text in [&f.title, &f.x_label, &f.y_label] {
                assert!(texts.contains(&esc(text).as_str()), "missing {text:?}");
            }
            let legend = texts.join(" ");
            for s in &f.series {
                // Wrapped labels are split across lines: every word must appear.
                for word in s.label.split_whitespace() {
                    assert!(
                        legend.contains(&esc(word)),
                        "legend word {word:?} of {:?}",
                        s.label
                    );
                }
            }
        }
        let (_, errs) = &gallery()[1];
        let svg = errs.to_svg().unwrap();
        assert!(svg.contains("Regret &lt;per round&gt; &amp; error bars"));
        assert!(!svg.contains("<per round>"));
    }

    fn decode(bytes: &[u8]) -> (u32, u32, Vec<u8>) {
        let dec = png::Decoder::new(std::io::Cursor::new(bytes));
        let mut reader = dec.read_info().unwrap();
        let mut buf = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut buf).unwrap();
        assert_eq!(info.color_type, png::ColorType::Rgb);
        buf.truncate(info.buffer_size());
        (info.width, info.height, buf)
    }

    fn count_near(rgb: &[u8], c: (u8, u8, u8), tol: i32) -> usize {
        rgb.chunks(3)
            .filter(|p| {
                (i32::from(p[0]) - i32::from(c.0)).abs() <= tol
                    && (i32::from(p[1]) - i32::from(c.1)).abs() <= tol
                    && (i32::from(p[2]) - i32::from(c.2)).abs() <= tol
            })
            .count()
    }

    #[test]
    fn png_has_magic_size_and_draws_series_bands_and_text() {
        let (_, f) = &gallery()[0];
        let bytes = f.to_png().unwrap();
        assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
        let (w, h, rgb) = decode(&bytes);
        assert_eq!((w, h), (WIDTH, HEIGHT));
        // Lines in the first three palette colours.
        for (k, &c) in PALETTE.iter().enumerate().take(3) {
            let n = count_near(&rgb, c, 30);
            assert!(n > 300, "series {k}: only {n} pixels of its colour");
        }
        // The band: the first colour at 18% over white.
        let b = PALETTE[0];
        let mix = |c: u8| (255.0 - 0.18 * (255.0 - f64::from(c))).round() as u8;
        let n = count_near(&rgb, (mix(b.0), mix(b.1), mix(b.2)), 6);
        assert!(n > 2000, "band barely visible: {n} pixels");
        // Text is rasterised: a longer title puts more ink on the image.
        let ink = |f: &Figure| {
            let (_, _, rgb) = decode(&f.to_png().unwrap());
            count_near(&rgb, (0, 0, 0), 100)
        };
        let short = Figure {
            title: "T".into(),
            ..f.clone()
        };
        let (a, b) = (ink(&short), ink(f));
        assert!(b > a + 500, "title ink {a} -> {b}");
    }

    #[test]
    fn every_style_and_log_axis_render() {
        for (stem, f) in gallery() {
            let png = f.to_png().unwrap();
            assert!(png.len() > 5000, "{stem}: {} bytes", png.len());
            let svg = f.to_svg().unwrap();
            assert!(svg.len() > 2000, "{stem}");
        }
        // Bars are filled rectangles in the series colours.
        let (_, bars) = &gallery()[2];
        let (_, _, rgb) = decode(&bars.to_png().unwrap());
        let mix = |c: u8| (255.0 - 0.75 * (255.0 - f64::from(c))).round() as u8;
        for (k, &c) in PALETTE.iter().enumerate().take(2) {
            let n = count_near(&rgb, (mix(c.0), mix(c.1), mix(c.2)), 6);
            assert!(n > 2000, "bars of series {k}: {n} pixels");
        }
    }

    fn err(f: &Figure) -> String {
        let e = f.validate().unwrap_err().to_string();
        assert!(f.to_svg().is_err() && f.to_png().is_err());
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
        let e = tiny.to_png_sized(100, 50).unwrap_err().to_string();
        assert!(e.contains("too small"), "{e}");
    }

    #[test]
    fn tick_text_is_short() {
        assert_eq!(format_tick(0.1 + 0.2), "0.3");
        assert_eq!(format_tick(0.0), "0");
        assert_eq!(format_tick(20000.0), "20000");
        assert_eq!(format_tick(-1.5), "-1.5");
        assert_eq!(format_tick(2.5e-5), "2.5e-5");
        assert_eq!(format_tick(1e7), "1e7");
    }
}
