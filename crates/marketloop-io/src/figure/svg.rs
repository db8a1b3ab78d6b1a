//! SVG output: plotters' SVG backend writing into a string.

use super::draw::draw;
use super::style::{HEIGHT, WIDTH};
use super::Figure;
use crate::IoError;
use plotters::prelude::*;

impl Figure {
    /// The figure as an SVG document of [`WIDTH`] × [`HEIGHT`] user units. Text is plain
    /// `<text>` in the generic "sans-serif" family.
    pub fn to_svg(&self) -> Result<String, IoError> {
        self.to_svg_sized(WIDTH, HEIGHT)
    }

    /// The figure as an SVG document of the given size.
    pub fn to_svg_sized(&self, width: u32, height: u32) -> Result<String, IoError> {
        let plan = self.plan(width, height)?;
        let mut out = String::new();
        {
            let root = SVGBackend::with_string(&mut out, (width, height)).into_drawing_area();
            draw(self, &plan, &root).map_err(|m| self.error(m))?;
            root.present().map_err(|e| self.error(e.to_string()))?;
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::super::gallery::gallery;

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
            for text in [&f.x_label, &f.y_label] {
                assert!(texts.contains(&esc(text).as_str()), "missing {text:?}");
            }
            // The title is the report's caption, in the image only when asked for.
            assert!(!texts.contains(&esc(&f.title).as_str()), "{:?}", f.title);
            let titled = f.clone().with_title_in_image().to_svg().unwrap();
            assert!(titled.contains(&esc(&f.title)), "{:?}", f.title);
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
        let svg = errs.clone().with_title_in_image().to_svg().unwrap();
        assert!(svg.contains("Regret &lt;per round&gt; &amp; error bars"));
        assert!(!svg.contains("<per round>"));
    }
}
