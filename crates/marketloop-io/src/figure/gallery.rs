//! Test-only: a gallery of figures (lines with bands, log axis with error bars, bars, more
//! series than colours, trajectories with colour = strategy and dash = setting), the tests that
//! render all of them, and golden hashes of their bytes. With `MARKETLOOP_GALLERY=DIR` the
//! figures are written to DIR (SVG, PNG and PDF) to look at.

use super::{Dash, Figure, Series, SeriesStyle, PALETTE};

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
pub(super) fn gallery() -> Vec<(&'static str, Figure)> {
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
        .with(Series::line("independent", bins.clone(), vec![0.1; 10]).styled(SeriesStyle::Bars));
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
    let mut paths = Figure::new(
        "Efficiency vs entropy (arrows: time)",
        "entropy (nats)",
        "efficiency",
    );
    for (setting, dash) in [
        ("homogeneous", Dash::Solid),
        ("heterogeneous", Dash::Dashed),
    ] {
        for (c, strategy) in ["random", "popularity", "quality"].iter().enumerate() {
            let shift = if dash == Dash::Solid { 0.0 } else { 0.05 };
            let x: Vec<f64> = (0..4)
                .map(|i| 7.0 - 1.5 * c as f64 - 0.4 * f64::from(i))
                .collect();
            let y: Vec<f64> = (0..4)
                .map(|i| 0.55 + 0.1 * c as f64 + shift + 0.02 * f64::from(i))
                .collect();
            paths = paths.with(
                Series::line(format!("{setting}, {strategy}"), x, y)
                    .styled(SeriesStyle::LinePoints)
                    .coloured(c)
                    .dashed(dash)
                    .as_path(),
            );
        }
    }
    vec![
        ("lines", lines),
        ("errors", errs),
        ("bars", bars),
        ("many", many),
        ("paths", paths),
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
            crate::atomic::write_atomic(&dir.join(format!("{stem}.pdf")), &f.to_pdf().unwrap())
                .unwrap();
        }
    }
}

#[test]
fn every_style_and_log_axis_render() {
    for (stem, f) in gallery() {
        let png = f.to_png().unwrap();
        assert!(png.len() > 5000, "{stem}: {} bytes", png.len());
        let svg = f.to_svg().unwrap();
        assert!(svg.len() > 2000, "{stem}");
    }
    // A trajectory keeps its point order (not sorted by x) and shares colours by strategy.
    let (_, paths) = &gallery()[4];
    assert!(paths.series[0].x.windows(2).all(|w| w[0] > w[1]));
    assert_eq!(paths.series[0].colour, paths.series[3].colour);
    // Bars are filled rectangles in the series colours.
    let (_, bars) = &gallery()[2];
    let (_, _, rgb) = decode(&bars.to_png().unwrap());
    let mix = |c: u8| (255.0 - 0.75 * (255.0 - f64::from(c))).round() as u8;
    for (k, &c) in PALETTE.iter().enumerate().take(2) {
        let n = count_near(&rgb, (mix(c.0), mix(c.1), mix(c.2)), 6);
        assert!(n > 8000, "bars of series {k}: {n} pixels");
    }
}

/// FNV-1a (64 bit): a stable fingerprint of rendered bytes.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// The gallery renders to exactly these bytes: the SVG text (length and FNV-1a) and the PNG
/// pixels (FNV-1a of the decoded RGB buffer, so the pin does not depend on the PNG encoder's
/// compression). Layout, styling or drawing order changes show up here; if such a change is
/// intended, look at the gallery (MARKETLOOP_GALLERY=DIR) before re-pinning.
#[test]
fn gallery_bytes_are_pinned() {
    const GOLDEN: [(&str, usize, u64, u64); 5] = [
        (
            "lines",
            0x3a78,
            0x95ba_06d6_0996_e1e3,
            0x7dd2_c2a1_ce96_df66,
        ),
        (
            "errors",
            0x26a6,
            0x898c_b2f0_4f8a_44df,
            0x394c_10e3_b1aa_0650,
        ),
        ("bars", 0x1d4c, 0x9731_baf0_6819_2c94, 0x8c0b_5852_94a7_4fec),
        ("many", 0x6d34, 0xa3f8_f63c_c39a_edc1, 0xe781_81f4_9b8c_a18d),
        (
            "paths",
            0x3d40,
            0x044a_9003_c120_0fd8,
            0x155e_d74b_4569_6b4a,
        ),
    ];
    let mut got = Vec::new();
    for (stem, f) in gallery() {
        let svg = f.to_svg().unwrap();
        let (_, _, rgb) = decode(&f.to_png().unwrap());
        got.push((stem, svg.len(), fnv1a(svg.as_bytes()), fnv1a(&rgb)));
    }
    assert_eq!(got, GOLDEN, "rendered gallery changed: {got:x?}");
}

/// Decodes an 8-bit RGB PNG: (width, height, pixels).
pub(super) fn decode(bytes: &[u8]) -> (u32, u32, Vec<u8>) {
    let dec = ::png::Decoder::new(std::io::Cursor::new(bytes));
    let mut reader = dec.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    assert_eq!(info.color_type, ::png::ColorType::Rgb);
    buf.truncate(info.buffer_size());
    (info.width, info.height, buf)
}

/// How many pixels lie within `tol` of colour `c` in every channel.
pub(super) fn count_near(rgb: &[u8], c: (u8, u8, u8), tol: i32) -> usize {
    rgb.chunks(3)
        .filter(|p| {
            (i32::from(p[0]) - i32::from(c.0)).abs() <= tol
                && (i32::from(p[1]) - i32::from(c.1)).abs() <= tol
                && (i32::from(p[2]) - i32::from(c.2)).abs() <= tol
        })
        .count()
}
