//! The figures: per heterogeneous setting, efficiency over time with the quartile band (Figure
//! 2, left) and efficiency against entropy at four moments with quartile bars (Figure 2,
//! right), each with the homogeneous arms for reference. Colour is the ranking strategy (the same
//! in every figure), the dash is the setting (solid homogeneous, dashed heterogeneous), and the
//! right panel's points are joined in time order with arrows.

use super::compute::ArmLabel;
use super::stats::{right_panel_steps, ArmStats, Band};
use crate::figure::{Dash, Figure, Series, SeriesStyle};
use marketloop_data::Variant;

/// "all" or "unseen".
pub(super) fn variant_name(v: Variant) -> &'static str {
    match v {
        Variant::All => "all",
        Variant::Unseen => "unseen",
    }
}

/// The figure files' tag of setting M: `M100`, or `M100_unseen` for the unseen variant.
pub(super) fn tag(variant: Variant, groups: usize) -> String {
    match variant {
        Variant::All => format!("M{groups}"),
        Variant::Unseen => format!("M{groups}_unseen"),
    }
}

/// The stems of the figure pair of setting M: (over time, vs entropy).
pub(super) fn stems(variant: Variant, groups: usize) -> (String, String) {
    let t = tag(variant, groups);
    (
        format!("efficiency_over_time_{t}"),
        format!("efficiency_vs_entropy_{t}"),
    )
}

/// A series' label: "SETTING, STRATEGY".
fn label(arm: &ArmLabel) -> String {
    format!("{}, {}", arm.setting_name(), arm.strategy)
}

/// The palette colour of a ranking strategy: random, popularity, quality in the first three
/// colours of every figure.
fn strategy_colour(strategy: &str) -> usize {
    match strategy {
        "random" => 0,
        "popularity" => 1,
        "quality" => 2,
        _ => 3,
    }
}

/// The colour (strategy) and dash (setting) of an arm's series.
fn encoded(arm: &ArmLabel, s: Series) -> Series {
    s.coloured(strategy_colour(arm.strategy))
        .dashed(if arm.setting == 0 {
            Dash::Solid
        } else {
            Dash::Dashed
        })
}

/// One arm's median efficiency over time with its 25-75% band.
fn over_time_series(arm: &ArmLabel, st: &ArmStats) -> Series {
    let x: Vec<f64> = st.steps.iter().map(|&k| k as f64).collect();
    let m = |f: fn(&Band) -> f64| st.efficiency.iter().map(f).collect::<Vec<f64>>();
    encoded(
        arm,
        Series::line(label(arm), x, m(|b| b.median)).with_band(m(|b| b.q25), m(|b| b.q75)),
    )
}

/// One arm's (entropy, efficiency) medians at the right panel's steps, with 25-75% bars.
fn vs_entropy_series(arm: &ArmLabel, st: &ArmStats, steps: u64, every: u64) -> Series {
    let ks = right_panel_steps(&st.steps, steps, every);
    let pe = |f: fn(&Band) -> f64| {
        ks.iter()
            .map(|&k| f(&st.efficiency[k]))
            .collect::<Vec<f64>>()
    };
    let ph = |f: fn(&Band) -> f64| ks.iter().map(|&k| f(&st.entropy[k])).collect::<Vec<f64>>();
    encoded(
        arm,
        Series::line(label(arm), ph(|b| b.median), pe(|b| b.median))
            .styled(SeriesStyle::LinePoints)
            .with_x_err(ph(|b| b.q25), ph(|b| b.q75))
            .with_y_err(pe(|b| b.q25), pe(|b| b.q75))
            .as_path(),
    )
}

/// The figure pair of every heterogeneous setting (settings 1, 2, ... of `ms`), each with the
/// arms of that setting and of the homogeneous one, as (stem, figure).
pub(super) fn figures(
    variant: Variant,
    ms: &[usize],
    labels: &[ArmLabel],
    stats: &[ArmStats],
    steps: u64,
    every: u64,
) -> Vec<(String, Figure)> {
    let v = variant_name(variant);
    let mut out = Vec::new();
    for (s, &m) in ms.iter().enumerate().skip(1) {
        let mut left = Figure::new(
            format!("Efficiency over time (median, 25-75% band), M = {m}, {v} items"),
            "step (users arrived)",
            "efficiency (purchases / arrivals)",
        );
        let mut right = Figure::new(
            format!(
                "Efficiency vs entropy (median, 25-75% bars; open circle: first moment, arrows: \
                 time), M = {m}, {v} items"
            ),
            "entropy of market shares (nats)",
            "efficiency",
        );
        for (arm, st) in labels.iter().zip(stats) {
            if arm.setting == 0 || arm.setting == s {
                left = left.with(over_time_series(arm, st));
                right = right.with(vs_entropy_series(arm, st, steps, every));
            }
        }
        let (l, r) = stems(variant, m);
        out.push((l, left));
        out.push((r, right));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_pair_per_heterogeneous_setting_with_the_homogeneous_arms() {
        let ms = [1, 50, 100];
        let labels: Vec<ArmLabel> = ms
            .iter()
            .enumerate()
            .map(|(setting, &groups)| ArmLabel {
                setting,
                groups,
                strategy: "quality",
            })
            .collect();
        let b = Band {
            median: 0.5,
            q25: 0.25,
            q75: 0.75,
        };
        let st = ArmStats {
            steps: vec![100, 200, 300],
            efficiency: vec![b; 3],
            entropy: vec![b; 3],
        };
        let figs = figures(Variant::Unseen, &ms, &labels, &vec![st; 3], 300, 100);
        let stems: Vec<&str> = figs.iter().map(|(s, _)| s.as_str()).collect();
        assert_eq!(
            stems,
            [
                "efficiency_over_time_M50_unseen",
                "efficiency_vs_entropy_M50_unseen",
                "efficiency_over_time_M100_unseen",
                "efficiency_vs_entropy_M100_unseen"
            ]
        );
        let (_, left) = &figs[2];
        assert!(
            left.title.contains("M = 100, unseen items"),
            "{}",
            left.title
        );
        let names: Vec<&str> = left.series.iter().map(|s| s.label.as_str()).collect();
        assert_eq!(names, ["homogeneous, quality", "heterogeneous, quality"]);
        // Right panel: the steps nearest 100, 100, 200 and 300, deduplicated, in time order.
        assert_eq!(figs[3].1.series[1].x.len(), 3);
        assert!(figs[3].1.series.iter().all(|s| s.path));
        // Colour = strategy, dash = setting.
        assert_eq!(left.series[0].colour, left.series[1].colour);
        assert_eq!(
            (left.series[0].dash, left.series[1].dash),
            (Some(Dash::Solid), Some(Dash::Dashed))
        );
    }
}
