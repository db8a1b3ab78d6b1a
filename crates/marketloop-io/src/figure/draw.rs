//! Drawing a planned figure on a plotters backend (the SVG): the title when asked for, the mesh
//! and axis titles, bands under bars under lines, markers and error bars, trajectory arrows, and
//! the legend.

use super::axes::format_tick;
use super::layout::Plan;
use super::style::{
    colour, dash, ensure_font, AXIS_TITLE_SIZE, FAMILY, LEGEND_ROW, LEGEND_SIZE, PALETTE,
    TICK_SIZE, TITLE_SIZE,
};
use super::{Figure, Series, SeriesStyle};
use plotters::coord::ranged1d::{Ranged, ValueFormatter};
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

type Err = String;

fn derr<E: std::fmt::Debug>(e: E) -> Err {
    format!("drawing failed: {e:?}")
}

/// Draws `fig` laid out by `plan` on `root`.
pub(super) fn draw<DB: DrawingBackend>(
    fig: &Figure,
    plan: &Plan,
    root: &DrawingArea<DB, Shift>,
) -> Result<(), Err> {
    ensure_font()?;
    root.fill(&WHITE).map_err(derr)?;
    let body = if fig.title_in_image {
        root.titled(&fig.title, (FAMILY, TITLE_SIZE).into_font().color(&BLACK))
            .map_err(derr)?
    } else {
        root.margin(10, 0, 0, 0)
    };
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
    // Whole-number x ticks: at most one per whole number in range (so the step is >= 1), and
    // no label off a whole number.
    let whole = (plan.x.1.floor() - plan.x.0.ceil() + 1.0).clamp(1.0, 8.0) as usize;
    let x_fmt = |v: &f64| {
        if !fig.integer_x || (*v - v.round()).abs() < 1e-9 {
            format_tick(*v)
        } else {
            String::new()
        }
    };
    chart
        .configure_mesh()
        .x_desc(fig.x_label.as_str())
        .y_desc(fig.y_label.as_str())
        .axis_desc_style((FAMILY, AXIS_TITLE_SIZE))
        .label_style((FAMILY, TICK_SIZE))
        .x_labels(if fig.integer_x && !fig.log_x {
            whole
        } else {
            8
        })
        .y_labels(8)
        .x_label_formatter(&x_fmt)
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
                    colour(k, s).mix(0.18).filled(),
                )))
                .map_err(derr)?;
        }
    }
    // Bars.
    for (k, s) in fig.series.iter().enumerate() {
        if let Some((l, r)) = plan.bars[k] {
            let base = clamp(0.0);
            let c = colour(k, s);
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
        let c = colour(k, s);
        let mut idx: Vec<usize> = (0..s.x.len()).collect();
        if !s.path {
            idx.sort_by(|&a, &b| s.x[a].total_cmp(&s.x[b]));
        }
        if matches!(s.style, SeriesStyle::Line | SeriesStyle::LinePoints) {
            let pts: Vec<(f64, f64)> = idx.iter().map(|&i| (s.x[i], clamp(s.y[i]))).collect();
            if let Some((on, off)) = dash(k, s).pattern() {
                chart
                    .draw_series(std::iter::once(DashedPathElement::new(
                        pts,
                        on,
                        off,
                        c.stroke_width(2),
                    )))
                    .map_err(derr)?;
            } else {
                chart
                    .draw_series(std::iter::once(PathElement::new(pts, c.stroke_width(2))))
                    .map_err(derr)?;
            }
        }
        if s.path {
            draw_time_arrows(&mut chart, s, c, fig.log_x, clamp)?;
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

/// A trajectory's direction: an open circle at its first point and an arrowhead at the middle
/// of every segment long enough to hold one, pointing from the earlier point to the later.
fn draw_time_arrows<DB, X>(
    chart: &mut ChartContext<'_, DB, Cartesian2d<X, RangedCoordf64>>,
    s: &Series,
    c: RGBColor,
    log_x: bool,
    clamp: impl Fn(f64) -> f64,
) -> Result<(), Err>
where
    DB: DrawingBackend,
    X: Ranged<ValueType = f64> + ValueFormatter<f64>,
{
    let p = |i: usize| (s.x[i], clamp(s.y[i]));
    chart
        .draw_series(std::iter::once(Circle::new(p(0), 7, c.stroke_width(2))))
        .map_err(derr)?;
    for i in 1..s.x.len() {
        let (a, b) = (chart.backend_coord(&p(i - 1)), chart.backend_coord(&p(i)));
        let (dx, dy) = (f64::from(b.0 - a.0), f64::from(b.1 - a.1));
        let len = dx.hypot(dy);
        if len < 24.0 {
            continue;
        }
        let (ux, uy) = (dx / len, dy / len);
        // The segment's midpoint in data units (in log10 space on a log x axis, where the
        // mapping to pixels is linear).
        let xm = if log_x {
            10f64.powf((s.x[i - 1].log10() + s.x[i].log10()) / 2.0)
        } else {
            (s.x[i - 1] + s.x[i]) / 2.0
        };
        let ym = (p(i - 1).1 + p(i).1) / 2.0;
        let pt = |along: f64, across: f64| {
            (
                (along * ux - across * uy).round() as i32,
                (along * uy + across * ux).round() as i32,
            )
        };
        let head = vec![pt(8.0, 0.0), pt(-6.0, 6.0), pt(-6.0, -6.0)];
        chart
            .draw_series(std::iter::once(
                EmptyElement::at((xm, ym)) + Polygon::new(head, c.filled()),
            ))
            .map_err(derr)?;
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
        let c = colour(k, s);
        let (x0, x1) = (12, 48);
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
                    if let Some((on, off)) = dash(k, s).pattern() {
                        area.draw(&DashedPathElement::new(
                            vec![(x0, y), (x1, y)],
                            on,
                            off,
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
