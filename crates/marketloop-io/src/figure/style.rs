//! How every figure looks: default size, the series palette (colour, dash and marker by series
//! index unless the series sets its own), the embedded font and the font sizes.

use super::Series;
use plotters::prelude::*;
use serde::{Deserialize, Serialize};

/// Default width of a figure in SVG user units (6.4 inches at
/// [`UNITS_PER_INCH`](super::UNITS_PER_INCH); the PNG is [`DPI`](super::DPI) / 150 times as many
/// pixels).
pub const WIDTH: u32 = 960;
/// Default height of a figure in SVG user units (4 inches).
pub const HEIGHT: u32 = 600;

/// A line's dash pattern.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Dash {
    /// A solid line.
    Solid,
    /// Long dashes.
    Dashed,
    /// Short dots.
    Dotted,
    /// Dash and dot (approximated by short dashes with wide gaps).
    DashDot,
}

impl Dash {
    /// The dash pattern by index, in the order solid, dashed, dotted, dash-dot (repeating).
    pub fn nth(k: usize) -> Self {
        [Self::Solid, Self::Dashed, Self::Dotted, Self::DashDot][k % 4]
    }

    /// (dash length, gap) in pixels, `None` for a solid line.
    pub(super) fn pattern(self) -> Option<(u32, u32)> {
        match self {
            Self::Solid => None,
            Self::Dashed => Some((9, 5)),
            Self::Dotted => Some((2, 4)),
            Self::DashDot => Some((5, 8)),
        }
    }
}

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
pub(super) const FAMILY: &str = "sans-serif";

/// Registers the embedded font with plotters once; later calls reuse the outcome.
pub(super) fn ensure_font() -> Result<(), String> {
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

// Font sizes in plotters' units (the glyphs are 1/1.24 of this in SVG units). At 150 units per
// inch, ticks and legend are about 7.7 pt and axis titles 9 pt when the figure is printed
// 6.4 inches wide (journals ask for at least 6-7 pt at print size).
pub(super) const TITLE_SIZE: f64 = 28.0;
pub(super) const AXIS_TITLE_SIZE: f64 = 23.0;
pub(super) const TICK_SIZE: f64 = 20.0;
pub(super) const LEGEND_SIZE: f64 = 20.0;
pub(super) const LEGEND_ROW: i32 = 25;

/// The dash of series `k`: its own, else solid (dashed past the palette's length).
pub(super) fn dash(k: usize, s: &Series) -> Dash {
    s.dash.unwrap_or(if k >= PALETTE.len() {
        Dash::Dashed
    } else {
        Dash::Solid
    })
}

/// The colour of series `k`: its own palette index, else its position (the palette repeats).
pub(super) fn colour(k: usize, s: &Series) -> RGBColor {
    let (r, g, b) = PALETTE[s.colour.unwrap_or(k) % PALETTE.len()];
    RGBColor(r, g, b)
}
