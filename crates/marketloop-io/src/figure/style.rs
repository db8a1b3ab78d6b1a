//! How every figure looks: default size, the series palette (colour, dash and marker by series
//! index), the embedded font and the font sizes.

use plotters::prelude::*;

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

// Font sizes in plotters' units (the glyphs are 1/1.24 of this in pixels).
pub(super) const TITLE_SIZE: f64 = 28.0;
pub(super) const AXIS_TITLE_SIZE: f64 = 21.0;
pub(super) const TICK_SIZE: f64 = 17.0;
pub(super) const LEGEND_SIZE: f64 = 17.0;
pub(super) const LEGEND_ROW: i32 = 22;

/// Series past the palette's length are drawn dashed (and with another marker shape).
pub(super) fn dashed(k: usize) -> bool {
    k >= PALETTE.len()
}

/// The colour of series `k` (the palette repeats past its length).
pub(super) fn colour(k: usize) -> RGBColor {
    let (r, g, b) = PALETTE[k % PALETTE.len()];
    RGBColor(r, g, b)
}
