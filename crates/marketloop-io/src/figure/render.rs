//! PNG and PDF from the figure's SVG: the document is parsed once by usvg with the embedded
//! Noto Sans as its only font (also for the generic `sans-serif` family the SVG names), then
//! rasterised by resvg at [`DPI`] (8-bit RGB PNG with the resolution recorded in its `pHYs`
//! chunk) or converted by svg2pdf into a vector PDF with the font subset embedded. Text is laid
//! out by a real shaper (rustybuzz), so letter spacing is the font's own.

use super::pdf_order::canonical_resource_order;
use super::style::{HEIGHT, WIDTH};
use super::Figure;
use crate::IoError;
use resvg::usvg;
use std::sync::{Arc, OnceLock};

/// SVG user units per inch: a [`WIDTH`] × [`HEIGHT`] figure is 6.4 × 4 inches (the PDF's page
/// size; the PNG's pixels are this size at [`DPI`]).
pub const UNITS_PER_INCH: f64 = 150.0;

/// Resolution of the PNG files, in dots per inch (what journals ask of line art with text is
/// 300-600).
pub const DPI: f64 = 300.0;

/// The font family name of the embedded font.
const FONT_FAMILY: &str = "Noto Sans";

/// The font database: the embedded font only (no system fonts, so every machine renders the
/// same pixels), answering for `sans-serif` too.
fn fonts() -> Arc<usvg::fontdb::Database> {
    static DB: OnceLock<Arc<usvg::fontdb::Database>> = OnceLock::new();
    DB.get_or_init(|| {
        let mut db = usvg::fontdb::Database::new();
        db.load_font_data(ttf_noto_sans::REGULAR.to_vec());
        db.set_sans_serif_family(FONT_FAMILY);
        Arc::new(db)
    })
    .clone()
}

/// Parses an SVG document with the embedded font.
fn parse(svg: &str) -> Result<usvg::Tree, String> {
    let options = usvg::Options {
        font_family: FONT_FAMILY.into(),
        fontdb: fonts(),
        ..usvg::Options::default()
    };
    usvg::Tree::from_str(svg, &options).map_err(|e| format!("the SVG could not be parsed: {e}"))
}

/// Rasterises `svg` at `dpi` on white: (width, height, RGB pixels).
fn rasterise(svg: &str, dpi: f64) -> Result<(u32, u32, Vec<u8>), String> {
    if !(dpi.is_finite() && (10.0..=2400.0).contains(&dpi)) {
        return Err(format!("dpi = {dpi} must lie in [10, 2400]"));
    }
    let tree = parse(svg)?;
    let scale = (dpi / UNITS_PER_INCH) as f32;
    let size = tree.size();
    let w = (size.width() * scale).ceil() as u32;
    let h = (size.height() * scale).ceil() as u32;
    let mut pixmap = resvg::tiny_skia::Pixmap::new(w, h)
        .ok_or_else(|| format!("a {w}x{h} pixel image cannot be allocated"))?;
    pixmap.fill(resvg::tiny_skia::Color::WHITE);
    resvg::render(
        &tree,
        resvg::tiny_skia::Transform::from_scale(scale, scale),
        &mut pixmap.as_mut(),
    );
    // Opaque (drawn on white), so the premultiplied RGBA is plain RGBA: drop the alpha.
    let rgb = pixmap
        .data()
        .chunks_exact(4)
        .flat_map(|p| [p[0], p[1], p[2]])
        .collect();
    Ok((w, h, rgb))
}

/// Encodes 8-bit RGB pixels as a PNG that records `dpi`.
fn encode_png(w: u32, h: u32, rgb: &[u8], dpi: f64) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    let err = |e: ::png::EncodingError| format!("PNG encoding failed: {e}");
    let mut enc = ::png::Encoder::new(&mut out, w, h);
    enc.set_color(::png::ColorType::Rgb);
    enc.set_depth(::png::BitDepth::Eight);
    // pHYs counts pixels per metre.
    let ppm = (dpi / 0.0254).round() as u32;
    enc.set_pixel_dims(Some(::png::PixelDimensions {
        xppu: ppm,
        yppu: ppm,
        unit: ::png::Unit::Meter,
    }));
    let mut w = enc.write_header().map_err(err)?;
    w.write_image_data(rgb).map_err(err)?;
    w.finish().map_err(err)?;
    Ok(out)
}

impl Figure {
    /// The figure as the bytes of a PNG image at [`DPI`]: [`WIDTH`] × [`HEIGHT`] SVG units
    /// rendered as 1920 × 1200 pixels.
    pub fn to_png(&self) -> Result<Vec<u8>, IoError> {
        self.to_png_sized(WIDTH, HEIGHT, DPI)
    }

    /// The figure drawn on a `width` × `height` unit canvas and rasterised at `dpi` (the image
    /// is `width / 150 × dpi` pixels wide), as an 8-bit RGB PNG recording its resolution.
    pub fn to_png_sized(&self, width: u32, height: u32, dpi: f64) -> Result<Vec<u8>, IoError> {
        let svg = self.to_svg_sized(width, height)?;
        let (w, h, rgb) = rasterise(&svg, dpi).map_err(|m| self.error(m))?;
        encode_png(w, h, &rgb, dpi).map_err(|m| self.error(m))
    }

    /// The figure as a one-page vector PDF of 6.4 × 4 inches, text as real text in the
    /// embedded font (subset); the same figure always gives the same bytes (the resource
    /// dictionaries in a fixed order, `pdf_order`).
    pub fn to_pdf(&self) -> Result<Vec<u8>, IoError> {
        let svg = self.to_svg()?;
        let tree = parse(&svg).map_err(|m| self.error(m))?;
        let mut pdf = svg2pdf::to_pdf(
            &tree,
            svg2pdf::ConversionOptions::default(),
            svg2pdf::PageOptions {
                dpi: UNITS_PER_INCH as f32,
            },
        )
        .map_err(|e| self.error(format!("PDF conversion failed: {e}")))?;
        canonical_resource_order(&mut pdf);
        Ok(pdf)
    }
}

#[cfg(test)]
mod tests {
    use super::super::gallery::{count_near, decode, gallery};
    use super::super::PALETTE;
    use super::*;

    #[test]
    fn the_same_figure_gives_the_same_pdf_bytes_with_exact_offsets() {
        // svg2pdf lists resources in a per-conversion random order; after `pdf_order` six
        // conversions of every gallery figure are the same bytes, and every in-use entry of
        // the cross-reference table still points at its object.
        for (name, f) in gallery() {
            let a = f.to_pdf().unwrap();
            for _ in 0..5 {
                assert!(f.to_pdf().unwrap() == a, "{name}: bytes differ");
            }
            let text = String::from_utf8_lossy(&a);
            let xref = text.rfind("\nxref\n").expect("a cross-reference table") + 1;
            let mut lines = text[xref..].lines().skip(1);
            let count: usize = lines
                .next()
                .and_then(|l| l.split(' ').nth(1))
                .and_then(|c| c.parse().ok())
                .expect("the table's size");
            for (k, entry) in lines.take(count).enumerate() {
                if entry.ends_with('n') {
                    let at: usize = entry[..10].parse().unwrap();
                    let head = format!("{k} 0 obj");
                    assert!(a[at..].starts_with(head.as_bytes()), "{name}: object {k}");
                }
            }
        }
    }

    #[test]
    fn png_is_300_dpi_and_draws_series_bands_and_text() {
        let (_, f) = &gallery()[0];
        let bytes = f.to_png().unwrap();
        assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
        let (w, h, rgb) = decode(&bytes);
        assert_eq!((w, h), (1920, 1200));
        let info = ::png::Decoder::new(std::io::Cursor::new(&bytes))
            .read_info()
            .unwrap()
            .info()
            .pixel_dims
            .unwrap();
        assert_eq!((info.xppu, info.unit), (11_811, ::png::Unit::Meter));
        // Lines in the first three palette colours.
        for (k, &c) in PALETTE.iter().enumerate().take(3) {
            let n = count_near(&rgb, c, 30);
            assert!(n > 1200, "series {k}: only {n} pixels of its colour");
        }
        // The band: the first colour at 18% over white.
        let b = PALETTE[0];
        let mix = |c: u8| (255.0 - 0.18 * (255.0 - f64::from(c))).round() as u8;
        let n = count_near(&rgb, (mix(b.0), mix(b.1), mix(b.2)), 6);
        assert!(n > 8000, "band barely visible: {n} pixels");
        // Text is rasterised: a title drawn into the image puts more ink on it.
        let ink = |f: &Figure| {
            let (_, _, rgb) = decode(&f.to_png().unwrap());
            count_near(&rgb, (0, 0, 0), 100)
        };
        let (a, b) = (ink(f), ink(&f.clone().with_title_in_image()));
        assert!(b > a + 2000, "title ink {a} -> {b}");
    }

    #[test]
    fn text_is_shaped_with_the_font_spacing() {
        // "random" must be one word: the gaps between its glyphs are narrower than a space.
        // Rendered alone as the x-axis title, its ink columns form one run without a gap as
        // wide as a space (the old bitmap path drew "rand om").
        let f = Figure::new("t", "random efficiency quality", "y").with(
            super::super::Series::line("a", vec![0.0, 1.0], vec![0.0, 1.0]),
        );
        let (w, h, rgb) = decode(&f.to_png().unwrap());
        // The bottom band of the image holds the x-axis title only.
        let rows = (h as usize - 60)..(h as usize - 5);
        let dark = |x: usize| {
            rows.clone().any(|y| {
                let i = (y * w as usize + x) * 3;
                rgb[i] < 128 && rgb[i + 1] < 128 && rgb[i + 2] < 128
            })
        };
        let cols: Vec<bool> = (0..w as usize).map(dark).collect();
        let first = cols.iter().position(|&d| d).unwrap();
        let last = cols.iter().rposition(|&d| d).unwrap();
        // Gaps (runs of blank columns) inside the text: exactly two are word spaces.
        let mut gaps = Vec::new();
        let mut run = 0;
        for &d in &cols[first..=last] {
            if d {
                if run > 0 {
                    gaps.push(run);
                }
                run = 0;
            } else {
                run += 1;
            }
        }
        gaps.sort_unstable();
        let n = gaps.len();
        assert!(n >= 2, "{gaps:?}");
        // The two word spaces are clearly wider than every gap between letters.
        assert!(gaps[n - 2] >= 2 * gaps[n - 3].max(1), "{gaps:?}");
    }

    #[test]
    fn pdf_is_one_vector_page_with_the_font_embedded() {
        for (stem, f) in gallery() {
            let pdf = f.to_pdf().unwrap();
            assert!(pdf.starts_with(b"%PDF-"), "{stem}");
            let text = String::from_utf8_lossy(&pdf);
            // 6.4 x 4 inches = 460.8 x 288 points.
            assert!(text.contains("/MediaBox [0 0 460.8 288]"), "{stem}");
            assert!(text.contains("/FontFile2"), "{stem}: no embedded font");
        }
    }

    #[test]
    fn bad_dpi_is_refused() {
        let (_, f) = &gallery()[0];
        let e = f.to_png_sized(WIDTH, HEIGHT, 0.0).unwrap_err().to_string();
        assert!(e.contains("dpi = 0 must lie in [10, 2400]"), "{e}");
    }
}
