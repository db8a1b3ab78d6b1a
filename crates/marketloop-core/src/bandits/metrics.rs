//! Summaries over runs: means with 95% Student-t half-widths and variances, medians,
//! histograms, and the per-cell summary of a competition experiment (market shares, EEOG,
//! market regret by firm and phase).

use super::CompetitionOutcome;
use serde::{Deserialize, Serialize};

/// A mean over runs with its 95% t-interval half-width and the sample variance.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize, Default)]
pub struct Estimate {
    /// Sample mean.
    pub mean: f64,
    /// Half-width of the 95% Student-t confidence interval (0 with fewer than 2 samples).
    pub half_width: f64,
    /// Sample variance (n - 1 denominator; 0 with fewer than 2 samples).
    pub variance: f64,
    /// Number of samples.
    pub n: u64,
}

impl Estimate {
    /// From samples (an empty slice gives all zeros with n = 0).
    pub fn from_samples(x: &[f64]) -> Self {
        let n = x.len();
        if n == 0 {
            return Estimate::default();
        }
        let mean = x.iter().sum::<f64>() / n as f64;
        if n == 1 {
            return Estimate {
                mean,
                half_width: 0.0,
                variance: 0.0,
                n: 1,
            };
        }
        let variance = x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
        let half_width = t_quantile_975((n - 1) as u64) * (variance / n as f64).sqrt();
        Estimate {
            mean,
            half_width,
            variance,
            n: n as u64,
        }
    }

    /// An exact value (half-width 0).
    pub fn exact(mean: f64) -> Self {
        Estimate {
            mean,
            half_width: 0.0,
            variance: 0.0,
            n: 0,
        }
    }

    /// 1 - self (the other firm's share), same half-width and variance.
    pub fn complement(self) -> Self {
        Estimate {
            mean: 1.0 - self.mean,
            ..self
        }
    }

    /// Whether `self` is significantly above `other`: the difference exceeds the combined
    /// half-width sqrt(h1^2 + h2^2).
    pub fn significantly_above(&self, other: &Estimate) -> bool {
        self.mean - other.mean > self.half_width.hypot(other.half_width)
    }
}

/// The 0.975 quantile of Student's t with `df` degrees of freedom (exact table up to 30, then
/// the Cornish-Fisher expansion, accurate to 1e-4 there).
pub fn t_quantile_975(df: u64) -> f64 {
    const TABLE: [f64; 30] = [
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160,
        2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056,
        2.052, 2.048, 2.045, 2.042,
    ];
    if df == 0 {
        return f64::INFINITY;
    }
    if df <= 30 {
        return TABLE[(df - 1) as usize];
    }
    let z: f64 = 1.959_963_984_540_054;
    let v = df as f64;
    z + (z.powi(3) + z) / (4.0 * v)
        + (5.0 * z.powi(5) + 16.0 * z.powi(3) + 3.0 * z) / (96.0 * v * v)
        + (3.0 * z.powi(7) + 19.0 * z.powi(5) + 17.0 * z.powi(3) - 15.0 * z) / (384.0 * v.powi(3))
}

/// The median (mean of the two middle values for an even count; 0 for no values).
pub fn median(x: &[f64]) -> f64 {
    if x.is_empty() {
        return 0.0;
    }
    let mut v = x.to_vec();
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        0.5 * (v[n / 2 - 1] + v[n / 2])
    }
}

/// A distribution-free band for the median of `x`'s distribution: the order statistics of
/// ranks n/2 -+ z sqrt(n)/2 (clamped to the sample), which cover the true median with about
/// the normal probability of z (the number of values below the median is Binomial(n, 1/2)).
/// `[0, 0]` for no values.
pub fn median_band(x: &[f64], z: f64) -> [f64; 2] {
    if x.is_empty() {
        return [0.0; 2];
    }
    let mut v = x.to_vec();
    v.sort_by(f64::total_cmp);
    let n = v.len() as f64;
    let half = z * n.sqrt() / 2.0;
    let last = v.len() - 1;
    // Ranks are 1-based: rank r is v[r - 1]; clamp to [1, n].
    let lo = (n / 2.0 - half).floor().max(1.0) as usize - 1;
    let hi = ((n / 2.0 + half).ceil() as usize).clamp(1, v.len()) - 1;
    [v[lo.min(last)], v[hi]]
}

/// A histogram with `bins` equal bins on [lo, hi]; values outside are clamped into the end
/// bins. Returns (bin centres, fractions of the values).
pub fn histogram(x: &[f64], lo: f64, hi: f64, bins: usize) -> (Vec<f64>, Vec<f64>) {
    let bins = bins.max(1);
    let w = (hi - lo) / bins as f64;
    let centres = (0..bins).map(|i| lo + (i as f64 + 0.5) * w).collect();
    let mut counts = vec![0.0; bins];
    for &v in x {
        let i = if w > 0.0 { ((v - lo) / w).floor() } else { 0.0 };
        let i = if i.is_finite() {
            i.clamp(0.0, (bins - 1) as f64) as usize
        } else {
            0
        };
        counts[i] += 1.0;
    }
    let n = x.len().max(1) as f64;
    (centres, counts.into_iter().map(|c| c / n).collect())
}

/// The summary of one cell (one game config) over its runs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CellSummary {
    /// Market share by firm slot.
    pub share: Vec<Estimate>,
    /// Effective end of game: mean over runs.
    pub eeog_mean: f64,
    /// Effective end of game: median over runs.
    pub eeog_median: f64,
    /// A band for the median effective end of game: [`median_band`] with z = 3 (about 99.7%
    /// coverage); `[0, 0]` in summaries saved before it existed.
    #[serde(default)]
    pub eeog_median_band: [f64; 2],
    /// Market regret over the game.
    pub regret: Estimate,
    /// Game regret by firm slot.
    pub firm_regret: Vec<Estimate>,
    /// Warm-start regret by firm slot.
    pub warm_start_regret: Vec<Estimate>,
    /// Monopoly-period regret of the incumbent.
    pub monopoly_regret: Estimate,
    /// Market share by firm slot at each checkpoint.
    pub checkpoint_share: Vec<Vec<Estimate>>,
    /// Market regret at each checkpoint.
    pub checkpoint_regret: Vec<Estimate>,
}

impl CellSummary {
    /// Summarises the outcomes of one cell (all with the same number of firms and checkpoints);
    /// `None` for no outcomes.
    pub fn new(outcomes: &[CompetitionOutcome]) -> Option<Self> {
        let first = outcomes.first()?;
        let nf = first.chosen.len();
        let col = |f: &dyn Fn(&CompetitionOutcome) -> f64| -> Estimate {
            Estimate::from_samples(&outcomes.iter().map(f).collect::<Vec<_>>())
        };
        let share = (0..nf)
            .map(|i| {
                col(&|o| f64::from(o.chosen[i]) / f64::from(o.chosen.iter().sum::<u32>().max(1)))
            })
            .collect();
        let eeog: Vec<f64> = outcomes.iter().map(|o| f64::from(o.eeog)).collect();
        let ncp = first.checkpoint_chosen.len();
        Some(CellSummary {
            share,
            eeog_mean: eeog.iter().sum::<f64>() / eeog.len() as f64,
            eeog_median: median(&eeog),
            eeog_median_band: median_band(&eeog, 3.0),
            regret: col(&|o| o.regret),
            firm_regret: (0..nf).map(|i| col(&|o| o.firm_regret[i])).collect(),
            warm_start_regret: (0..nf).map(|i| col(&|o| o.warm_start_regret[i])).collect(),
            monopoly_regret: col(&|o| o.monopoly_regret),
            checkpoint_share: (0..ncp)
                .map(|c| {
                    (0..nf)
                        .map(|i| {
                            col(&|o| {
                                let total: u32 = o.checkpoint_chosen[c].iter().sum();
                                f64::from(o.checkpoint_chosen[c][i]) / f64::from(total.max(1))
                            })
                        })
                        .collect()
                })
                .collect(),
            checkpoint_regret: (0..ncp).map(|c| col(&|o| o.checkpoint_regret[c])).collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_band_brackets_the_median_by_rank() {
        // n = 100, z = 2: ranks 50 -+ 10, i.e. the 40th and 60th values.
        let x: Vec<f64> = (1..=100).rev().map(f64::from).collect();
        assert_eq!(median_band(&x, 2.0), [40.0, 60.0]);
        assert_eq!(median_band(&[7.0], 3.0), [7.0, 7.0]);
        assert_eq!(median_band(&[], 3.0), [0.0, 0.0]);
        let b = median_band(&[1.0, 2.0, 3.0], 10.0);
        assert_eq!(b, [1.0, 3.0]);
        assert!(b[0] <= median(&[1.0, 2.0, 3.0]) && median(&[1.0, 2.0, 3.0]) <= b[1]);
    }

    #[test]
    fn estimate_matches_hand_computation() {
        let e = Estimate::from_samples(&[1.0, 2.0, 3.0, 4.0]);
        assert_eq!(e.mean, 2.5);
        assert!((e.variance - 5.0 / 3.0).abs() < 1e-12);
        assert!((e.half_width - 3.182 * (5.0f64 / 3.0 / 4.0).sqrt()).abs() < 1e-9);
        assert_eq!(Estimate::from_samples(&[]).n, 0);
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), 2.5);
    }

    #[test]
    fn t_quantile_is_continuous_at_the_table_end_and_tends_to_z() {
        assert!((t_quantile_975(30) - 2.042).abs() < 1e-3);
        assert!((t_quantile_975(31) - 2.0395).abs() < 1e-3);
        assert!((t_quantile_975(999) - 1.9623).abs() < 1e-3);
        assert!((t_quantile_975(100) - 1.9840).abs() < 1e-3);
    }

    #[test]
    fn histogram_sums_to_one() {
        let (c, f) = histogram(&[0.0, 0.1, 0.5, 1.0, 2.0], 0.0, 1.0, 4);
        assert_eq!(c.len(), 4);
        assert!((f.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        assert_eq!(f[3], 0.4);
    }
}
