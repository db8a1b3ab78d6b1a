//! PNG output: plotters' bitmap backend on an in-memory RGB buffer, encoded as an 8-bit RGB PNG.

use super::draw::draw;
use super::style::{HEIGHT, WIDTH};
use super::Figure;
use crate::IoError;
use plotters::prelude::*;

impl Figure {
    /// The figure as the bytes of a PNG image of [`WIDTH`] × [`HEIGHT`] pixels.
    pub fn to_png(&self) -> Result<Vec<u8>, IoError> {
        self.to_png_sized(WIDTH, HEIGHT)
    }

    /// The figure as the bytes of a PNG image of the given size (8-bit RGB).
    pub fn to_png_sized(&self, width: u32, height: u32) -> Result<Vec<u8>, IoError> {
        let plan = self.plan(width, height)?;
        let mut rgb = vec![255u8; width as usize * height as usize * 3];
        {
            let root = BitMapBackend::with_buffer(&mut rgb, (width, height)).into_drawing_area();
            draw(self, &plan, &root).map_err(|m| self.error(m))?;
            root.present().map_err(|e| self.error(e.to_string()))?;
        }
        let mut out = Vec::new();
        {
            let mut enc = ::png::Encoder::new(&mut out, width, height);
            enc.set_color(::png::ColorType::Rgb);
            enc.set_depth(::png::BitDepth::Eight);
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

#[cfg(test)]
mod tests {
    use super::super::gallery::{count_near, decode, gallery};
    use super::super::PALETTE;
    use super::*;

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
}
