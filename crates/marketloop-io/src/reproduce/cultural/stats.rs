//! Statistics over runs: the median and quartile band of efficiency and entropy per arm and
//! measurement (NumPy's linear-interpolation quantiles), and the measurement steps the right
//! panel of Figure 2 shows.

use marketloop_core::market::Trajectory;
use marketloop_core::stats::quantile;

/// Median, 25th and 75th percentile.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct Band {
    /// The median.
    pub median: f64,
    /// The 25th percentile.
    pub q25: f64,
    /// The 75th percentile.
    pub q75: f64,
}

/// The band of `values` (sorted in place first).
pub(super) fn band(values: &mut [f64]) -> Band {
    values.sort_by(f64::total_cmp);
    Band {
        median: quantile(values, 0.5),
        q25: quantile(values, 0.25),
        q75: quantile(values, 0.75),
    }
}

/// Per-arm statistics over runs at every measurement step.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct ArmStats {
    /// The measured steps.
    pub steps: Vec<u64>,
    /// Efficiency band at each step.
    pub efficiency: Vec<Band>,
    /// Entropy band at each step.
    pub entropy: Vec<Band>,
}

impl ArmStats {
    /// The index of the last measurement.
    pub fn last(&self) -> usize {
        self.steps.len() - 1
    }
}

/// The statistics of one arm's runs (all measured at the same steps; at least one run).
pub(super) fn arm_stats(runs: &[Trajectory]) -> ArmStats {
    let k = runs[0].measurements.len();
    let mut st = ArmStats {
        steps: runs[0].measurements.iter().map(|m| m.step).collect(),
        efficiency: Vec::with_capacity(k),
        entropy: Vec::with_capacity(k),
    };
    for t in 0..k {
        let mut e: Vec<f64> = runs.iter().map(|r| r.measurements[t].efficiency).collect();
        let mut h: Vec<f64> = runs.iter().map(|r| r.measurements[t].entropy).collect();
        st.efficiency.push(band(&mut e));
        st.entropy.push(band(&mut h));
    }
    st
}

/// The statistics of every arm's runs.
pub(super) fn arm_stats_of(by_arm: &[Vec<Trajectory>]) -> Vec<ArmStats> {
    by_arm.iter().map(|runs| arm_stats(runs)).collect()
}

/// The measured steps closest to `targets` (deduplicated, in order).
pub(super) fn nearest_steps(steps: &[u64], targets: &[u64]) -> Vec<usize> {
    let mut out: Vec<usize> = Vec::new();
    for &t in targets {
        let k = (0..steps.len())
            .min_by_key(|&k| steps[k].abs_diff(t))
            .unwrap_or(0);
        if !out.contains(&k) {
            out.push(k);
        }
    }
    out
}

/// The steps of Figure 2 (right): 1k, 100k, 200k, 300k of 300k, scaled to the run's length.
pub(super) fn right_panel_steps(steps_measured: &[u64], steps: u64, every: u64) -> Vec<usize> {
    nearest_steps(steps_measured, &[every, steps / 3, 2 * steps / 3, steps])
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use marketloop_core::market::Measurement;

    /// A hand-made replicate measured at `steps` with the given efficiencies and entropies.
    pub(crate) fn trajectory(
        replicate: u64,
        steps: &[u64],
        eff: &[f64],
        ent: &[f64],
    ) -> Trajectory {
        Trajectory {
            replicate,
            initial_counts: vec![2, 3],
            measurements: steps
                .iter()
                .zip(eff.iter().zip(ent))
                .map(|(&step, (&efficiency, &entropy))| Measurement {
                    step,
                    efficiency,
                    entropy,
                    shares: None,
                })
                .collect(),
            final_counts: vec![4, 5 + replicate],
            trials: vec![1, 1],
            idle: replicate,
        }
    }

    #[test]
    fn bands_are_numpy_quartiles_over_runs() {
        let runs = [
            trajectory(0, &[10, 20], &[0.1, 0.4], &[2.0, 1.0]),
            trajectory(1, &[10, 20], &[0.3, 0.2], &[4.0, 3.0]),
            trajectory(2, &[10, 20], &[0.2, 0.8], &[1.0, 1.0]),
            trajectory(3, &[10, 20], &[0.4, 0.6], &[3.0, 2.0]),
        ];
        let st = arm_stats(&runs);
        assert_eq!(st.steps, vec![10, 20]);
        assert_eq!(st.last(), 1);
        // numpy.quantile([1, 2, 3, 4], [.25, .5, .75]) = [1.75, 2.5, 3.25]
        assert_eq!(
            st.entropy[0],
            Band {
                median: 2.5,
                q25: 1.75,
                q75: 3.25
            }
        );
        let e = st.efficiency[1];
        assert!((e.median - 0.5).abs() < 1e-15 && (e.q25 - 0.35).abs() < 1e-15);
        assert!((e.q75 - 0.65).abs() < 1e-15, "{e:?}");
    }

    #[test]
    fn right_panel_takes_the_nearest_distinct_steps() {
        let steps: Vec<u64> = (1..=30).map(|k| k * 1000).collect();
        assert_eq!(right_panel_steps(&steps, 30_000, 1000), vec![0, 9, 19, 29]);
        // Short runs: several targets share a measurement, which is listed once.
        assert_eq!(right_panel_steps(&[500, 1000], 1000, 500), vec![0, 1]);
        assert_eq!(nearest_steps(&[10, 20, 30], &[24, 26, 0]), vec![1, 2, 0]);
    }
}
