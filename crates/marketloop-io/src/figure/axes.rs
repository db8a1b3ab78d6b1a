//! Axis ranges and tick text: the x range in linear or log10 space (widened by error bars and
//! bar slots), the y range (fixed, or fitted to values, bands and error bars, from zero for
//! bars), and short tick labels.

use super::{Figure, SeriesStyle};

/// The axis ranges and the bar geometry of a figure.
pub(super) struct Ranges {
    /// x range in data units.
    pub(super) x: (f64, f64),
    /// y range in data units.
    pub(super) y: (f64, f64),
    /// For each series that is drawn as bars: (left offset, right offset) from x in the axis'
    /// linear space (log10 x on a log axis).
    pub(super) bars: Vec<Option<(f64, f64)>>,
}

impl Ranges {
    /// The ranges of a validated figure; an error when the span is too wide to draw.
    pub(super) fn new(fig: &Figure) -> Result<Self, String> {
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
        Ok(Self { x, y, bars })
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

/// Widens `[lo, hi]` by `frac` of its span on each side (a point range gets a unit-ish span).
pub(super) fn pad(lo: f64, hi: f64, frac: f64) -> (f64, f64) {
    if hi > lo {
        let d = (hi - lo) * frac;
        (lo - d, hi + d)
    } else {
        let d = (lo.abs() * 0.1).max(0.5);
        (lo - d, hi + d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
