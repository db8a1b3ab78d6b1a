//! The paper's qualitative claims, checked against this run's final medians and spreads, per
//! heterogeneous setting (each against the homogeneous market).

use super::compute::{find_arm, ArmLabel};
use super::stats::{ArmStats, Band};
use crate::report::Finding;
use marketloop_core::market::Trajectory;

/// The findings of each heterogeneous setting, as (setting index, findings).
pub(super) type SettingFindings = Vec<(usize, Vec<Finding>)>;

/// The results the claims are checked on.
pub(super) struct Results<'a> {
    /// Each arm's label.
    pub labels: &'a [ArmLabel],
    /// Each arm's bands over runs.
    pub stats: &'a [ArmStats],
    /// Each arm's runs.
    pub by_arm: &'a [Vec<Trajectory>],
    /// Number of items n.
    pub n_items: usize,
}

/// The arms of one setting: (quality, popularity, random).
#[derive(Clone, Copy)]
struct Trio {
    quality: usize,
    popularity: usize,
    random: usize,
}

impl Results<'_> {
    fn trio(&self, setting: usize) -> Trio {
        Trio {
            quality: find_arm(self.labels, setting, "quality"),
            popularity: find_arm(self.labels, setting, "popularity"),
            random: find_arm(self.labels, setting, "random"),
        }
    }

    /// Final efficiency band of arm `a`.
    fn eff(&self, a: usize) -> Band {
        self.stats[a].efficiency[self.stats[a].last()]
    }

    /// Final entropy band of arm `a`.
    fn ent(&self, a: usize) -> Band {
        self.stats[a].entropy[self.stats[a].last()]
    }

    /// Interquartile range of arm `a`'s final efficiency.
    fn iqr(&self, a: usize) -> f64 {
        self.eff(a).q75 - self.eff(a).q25
    }

    /// Smallest and largest final efficiency over arm `a`'s runs.
    fn range(&self, a: usize) -> (f64, f64) {
        let last = self.stats[a].last();
        let v: Vec<f64> = self.by_arm[a]
            .iter()
            .map(|t| t.measurements[last].efficiency)
            .collect();
        (
            v.iter().copied().fold(f64::INFINITY, f64::min),
            v.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        )
    }

    /// Quality > popularity > random in median final efficiency, in one setting (`name`).
    fn ordering(&self, t: Trio, name: &str) -> Finding {
        let step = self.stats[0].steps[self.stats[0].last()];
        let (q, p, r) = (
            self.eff(t.quality).median,
            self.eff(t.popularity).median,
            self.eff(t.random).median,
        );
        Finding {
            claim: format!(
                "Quality ranking is the most efficient, then popularity, then random ({name})."
            ),
            holds: q > p && p > r,
            evidence: format!(
                "median efficiency at step {step}: quality {q:.3}, popularity {p:.3}, random {r:.3}"
            ),
        }
    }

    /// Popularity has the widest interquartile range of final efficiency.
    fn popularity_spread(&self, t: Trio, m: usize) -> Finding {
        let (plo, phi) = self.range(t.popularity);
        let (ip, iq, ir) = (
            self.iqr(t.popularity),
            self.iqr(t.quality),
            self.iqr(t.random),
        );
        Finding {
            claim: "Popularity ranking has by far the widest spread of efficiency across runs."
                .into(),
            holds: ip > iq && ip > ir,
            evidence: format!(
                "interquartile range of final efficiency (M = {m}): popularity {ip:.4} (runs span \
                 {plo:.3}-{phi:.3}; paper 0.69-0.79), quality {iq:.4}, random {ir:.4}"
            ),
        }
    }

    /// Random ranking ends within 95% of the maximal entropy ln n, in both settings.
    fn random_entropy(&self, het: Trio, homo: Trio, m: usize) -> Finding {
        let ln_n = (self.n_items as f64).ln();
        let rh = self.ent(het.random).median;
        let rh0 = self.ent(homo.random).median;
        Finding {
            claim: "Random ranking stays near the maximal entropy ln n.".into(),
            holds: rh >= 0.95 * ln_n && rh0 >= 0.95 * ln_n,
            evidence: format!(
                "median final entropy under random ranking {rh:.3} (M = {m}) and {rh0:.3} \
                 (homogeneous); ln n = {ln_n:.3} (criterion: at least 95% of ln n)"
            ),
        }
    }

    /// Under quality and popularity ranking, efficiency rises and entropy falls from the first
    /// to the last measurement.
    fn trends(&self, t: Trio, m: usize) -> Finding {
        let mut ok = true;
        let mut ev = Vec::new();
        for a in [t.quality, t.popularity] {
            let st = &self.stats[a];
            let (e0, e1) = (st.efficiency[0].median, st.efficiency[st.last()].median);
            let (h0, h1) = (st.entropy[0].median, st.entropy[st.last()].median);
            ok &= e1 > e0 && h1 < h0;
            ev.push(format!(
                "{}: efficiency {e0:.3} -> {e1:.3}, entropy {h0:.3} -> {h1:.3} (steps {} -> {})",
                self.labels[a].strategy,
                st.steps[0],
                st.steps[st.last()]
            ));
        }
        Finding {
            claim: "Under popularity and quality ranking entropy falls over time while efficiency \
                    rises."
                .into(),
            holds: ok,
            evidence: format!("M = {m}, medians: {}", ev.join("; ")),
        }
    }

    /// The heterogeneous market is at least as efficient as the homogeneous one under quality
    /// and popularity ranking.
    fn personalisation(&self, het: Trio, homo: Trio, m: usize) -> Finding {
        let (q, hq) = (self.eff(het.quality).median, self.eff(homo.quality).median);
        let (p, hp) = (
            self.eff(het.popularity).median,
            self.eff(homo.popularity).median,
        );
        Finding {
            claim: "Personalisation helps: heterogeneous >= homogeneous in efficiency for quality \
                    and popularity ranking."
                .into(),
            holds: q >= hq && p >= hp,
            evidence: format!(
                "median final efficiency, M = {m} vs homogeneous: quality {q:.3} vs {hq:.3}, \
                 popularity {p:.3} vs {hp:.3}"
            ),
        }
    }

    /// Every claim for the heterogeneous setting `s` with M types.
    fn setting(&self, s: usize, m: usize) -> Vec<Finding> {
        let (het, homo) = (self.trio(s), self.trio(0));
        vec![
            self.ordering(het, &format!("heterogeneous M = {m}")),
            self.ordering(homo, "homogeneous"),
            self.popularity_spread(het, m),
            self.random_entropy(het, homo, m),
            self.trends(het, m),
            self.personalisation(het, homo, m),
        ]
    }
}

/// The findings of every heterogeneous setting (settings 1, 2, ... of `ms`).
pub(super) fn findings(results: &Results<'_>, ms: &[usize]) -> SettingFindings {
    ms.iter()
        .enumerate()
        .skip(1)
        .map(|(s, &m)| (s, results.setting(s, m)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reproduce::cultural::stats::arm_stats;
    use crate::reproduce::cultural::stats::tests::trajectory;

    /// Two runs per arm; efficiency rises from `e0` to the given final values, entropy falls
    /// from `h0` to `h1`.
    fn arm(e0: f64, finals: [f64; 2], h0: f64, h1: f64) -> Vec<Trajectory> {
        finals
            .iter()
            .enumerate()
            .map(|(r, &e1)| trajectory(r as u64, &[10, 20], &[e0, e1], &[h0, h1]))
            .collect()
    }

    #[test]
    fn the_paper_pattern_holds_and_a_broken_one_fails() {
        let ln_n = 4f64.ln();
        let ms = [1, 5];
        let labels: Vec<ArmLabel> = ms
            .iter()
            .enumerate()
            .flat_map(|(setting, &groups)| {
                ["random", "popularity", "quality"].map(|strategy| ArmLabel {
                    setting,
                    groups,
                    strategy,
                })
            })
            .collect();
        let by_arm = vec![
            arm(0.5, [0.6, 0.6], ln_n, ln_n),
            arm(0.5, [0.6, 0.8], ln_n, 1.0),
            arm(0.5, [0.85, 0.85], ln_n, 1.0),
            arm(0.5, [0.6, 0.6], ln_n, ln_n),
            arm(0.5, [0.7, 0.9], ln_n, 1.0),
            arm(0.5, [0.9, 0.9], ln_n, 1.0),
        ];
        let stats: Vec<ArmStats> = by_arm.iter().map(|r| arm_stats(r)).collect();
        let results = Results {
            labels: &labels,
            stats: &stats,
            by_arm: &by_arm,
            n_items: 4,
        };
        let f = findings(&results, &ms);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].0, 1);
        for x in &f[0].1 {
            assert!(x.holds, "{x:?}");
        }
        assert!(
            f[0].1[2].evidence.contains("runs span 0.700-0.900"),
            "{:?}",
            f[0].1[2]
        );
        // Heterogeneous popularity below the homogeneous one: personalisation fails.
        let mut broken = by_arm.clone();
        broken[4] = arm(0.5, [0.6, 0.62], ln_n, 1.0);
        let stats: Vec<ArmStats> = broken.iter().map(|r| arm_stats(r)).collect();
        let results = Results {
            stats: &stats,
            by_arm: &broken,
            ..results
        };
        let f = findings(&results, &ms);
        assert!(!f[0].1[5].holds, "{:?}", f[0].1[5]);
        assert!(f[0].1[0].holds && f[0].1[3].holds);
    }
}
