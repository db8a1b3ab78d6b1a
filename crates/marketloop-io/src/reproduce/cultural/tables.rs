//! The run folder's tables: every measurement (`trajectories`), one row per run
//! (`replicates`), the bands over runs (`summary`, `efficiency_vs_entropy`), and this run's
//! medians next to the paper's (`published_comparison`, with the published values).

use super::compute::{find_arm, setting_name, ArmLabel};
use super::stats::ArmStats;
use crate::table::{Column, Table};
use crate::IoError;
use marketloop_core::market::Trajectory;

/// The step at which the paper reports its values.
pub const PUBLISHED_STEP: u64 = 299_000;

/// The published medians at step 299,000: (setting, strategy, efficiency, entropy).
pub const PUBLISHED: [(&str, &str, f64, f64); 6] = [
    ("heterogeneous", "quality", 0.884, 3.31),
    ("heterogeneous", "popularity", 0.731, 3.01),
    ("heterogeneous", "random", 0.705, 7.27),
    ("homogeneous", "quality", 0.876, 3.22),
    ("homogeneous", "popularity", 0.715, 3.04),
    ("homogeneous", "random", 0.705, 7.27),
];

/// The leading columns of every table: setting, groups, strategy.
#[derive(Default)]
struct ArmColumns {
    setting: Vec<String>,
    groups: Vec<i64>,
    strategy: Vec<String>,
}

impl ArmColumns {
    fn push(&mut self, setting: &str, groups: usize, strategy: &str) {
        self.setting.push(setting.to_string());
        self.groups.push(groups as i64);
        self.strategy.push(strategy.to_string());
    }

    fn push_arm(&mut self, arm: &ArmLabel) {
        self.push(arm.setting_name(), arm.groups, arm.strategy);
    }

    fn into_table(self) -> Result<Table, IoError> {
        Table::new()
            .with("setting", Column::Str(self.setting))?
            .with("groups", Column::I64(self.groups))?
            .with("strategy", Column::Str(self.strategy))
    }
}

/// Every run's efficiency and entropy at every measurement, arms in order.
pub(super) fn trajectories(
    labels: &[ArmLabel],
    by_arm: &[Vec<Trajectory>],
) -> Result<Table, IoError> {
    let mut arm = ArmColumns::default();
    let (mut rep, mut step, mut eff, mut ent) = (vec![], vec![], vec![], vec![]);
    for (label, trajs) in labels.iter().zip(by_arm) {
        for t in trajs {
            for m in &t.measurements {
                arm.push_arm(label);
                rep.push(t.replicate as i64);
                step.push(m.step as i64);
                eff.push(m.efficiency);
                ent.push(m.entropy);
            }
        }
    }
    arm.into_table()?
        .with("replicate", Column::I64(rep))?
        .with("step", Column::I64(step))?
        .with("efficiency", Column::F64(eff))?
        .with("entropy", Column::F64(ent))
}

/// One row per run: initial and final totals of the counts and the idle users.
pub(super) fn replicates(
    labels: &[ArmLabel],
    by_arm: &[Vec<Trajectory>],
) -> Result<Table, IoError> {
    let mut arm = ArmColumns::default();
    let (mut rep, mut init, mut fin, mut idle) = (vec![], vec![], vec![], vec![]);
    for (label, trajs) in labels.iter().zip(by_arm) {
        for t in trajs {
            arm.push_arm(label);
            rep.push(t.replicate as i64);
            init.push(t.initial_counts.iter().sum::<u64>() as i64);
            fin.push(t.final_counts.iter().sum::<u64>() as i64);
            idle.push(t.idle as i64);
        }
    }
    arm.into_table()?
        .with("replicate", Column::I64(rep))?
        .with("initial_total", Column::I64(init))?
        .with("final_total", Column::I64(fin))?
        .with("idle_users", Column::I64(idle))
}

/// The efficiency and entropy bands of every arm at the measurements `pick` chooses (indices
/// into the arm's steps): all of them for `summary`, the right panel's for
/// `efficiency_vs_entropy`.
pub(super) fn summary(
    labels: &[ArmLabel],
    stats: &[ArmStats],
    pick: impl Fn(&ArmStats) -> Vec<usize>,
) -> Result<Table, IoError> {
    let mut arm = ArmColumns::default();
    let mut step = Vec::new();
    let mut nums: [Vec<f64>; 6] = Default::default();
    for (label, st) in labels.iter().zip(stats) {
        for k in pick(st) {
            arm.push_arm(label);
            step.push(st.steps[k] as i64);
            let (e, h) = (st.efficiency[k], st.entropy[k]);
            for (v, x) in nums
                .iter_mut()
                .zip([e.median, e.q25, e.q75, h.median, h.q25, h.q75])
            {
                v.push(x);
            }
        }
    }
    let [a, b, c, d, e, f] = nums;
    arm.into_table()?
        .with("step", Column::I64(step))?
        .with("efficiency_median", Column::F64(a))?
        .with("efficiency_q25", Column::F64(b))?
        .with("efficiency_q75", Column::F64(c))?
        .with("entropy_median", Column::F64(d))?
        .with("entropy_q25", Column::F64(e))?
        .with("entropy_q75", Column::F64(f))
}

/// The setting compared with the paper's heterogeneous one: M = 100 if run, else the first
/// heterogeneous setting. `ms` holds each setting's M.
fn compared_setting(ms: &[usize]) -> usize {
    ms.iter()
        .position(|&m| m == 100)
        .unwrap_or(1.min(ms.len() - 1))
}

/// This run's medians next to [`PUBLISHED`]: at step 299,000 when measured, else at the last
/// measurement. `ms` holds each setting's M.
pub(super) fn published_comparison(
    labels: &[ArmLabel],
    ms: &[usize],
    stats: &[ArmStats],
) -> Result<Table, IoError> {
    let het = compared_setting(ms);
    let mut arm = ArmColumns::default();
    let mut step = Vec::new();
    let mut nums: [Vec<f64>; 6] = Default::default();
    for (setting, strategy, pe, ph) in PUBLISHED {
        let s = if setting == setting_name(1) { 0 } else { het };
        let st = &stats[find_arm(labels, s, strategy)];
        let k = st
            .steps
            .iter()
            .position(|&x| x == PUBLISHED_STEP)
            .unwrap_or(st.last());
        arm.push(setting, ms[s], strategy);
        step.push(st.steps[k] as i64);
        let (e, h) = (st.efficiency[k], st.entropy[k]);
        for (v, x) in nums
            .iter_mut()
            .zip([pe, e.median, e.q25, e.q75, ph, h.median])
        {
            v.push(x);
        }
    }
    let [a, b, c, d, e, f] = nums;
    arm.into_table()?
        .with("step", Column::I64(step))?
        .with("published_efficiency", Column::F64(a))?
        .with("efficiency_median", Column::F64(b))?
        .with("efficiency_q25", Column::F64(c))?
        .with("efficiency_q75", Column::F64(d))?
        .with("published_entropy", Column::F64(e))?
        .with("entropy_median", Column::F64(f))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reproduce::cultural::stats::tests::trajectory;
    use crate::reproduce::cultural::stats::{arm_stats, Band};

    const STRATEGIES: [&str; 3] = ["random", "popularity", "quality"];

    /// Arms of the settings `ms` (three strategies each).
    fn labels(ms: &[usize]) -> Vec<ArmLabel> {
        ms.iter()
            .enumerate()
            .flat_map(|(setting, &groups)| {
                STRATEGIES.map(|strategy| ArmLabel {
                    setting,
                    groups,
                    strategy,
                })
            })
            .collect()
    }

    fn csv(t: &Table) -> String {
        String::from_utf8(t.to_csv().unwrap()).unwrap()
    }

    /// Constant bands: median a, quartiles a -/+ 0.25, entropy 10 a.
    fn stats(steps: &[u64], a: f64) -> ArmStats {
        let b = |x: f64| Band {
            median: x,
            q25: x - 0.25,
            q75: x + 0.25,
        };
        ArmStats {
            steps: steps.to_vec(),
            efficiency: vec![b(a); steps.len()],
            entropy: vec![b(10.0 * a); steps.len()],
        }
    }

    #[test]
    fn trajectories_and_replicates_have_one_row_per_measurement_and_run() {
        let l = &labels(&[1])[..2];
        let by_arm = vec![
            vec![trajectory(0, &[5, 10], &[0.5, 0.25], &[2.0, 1.5])],
            vec![
                trajectory(0, &[5, 10], &[0.75, 1.0], &[1.0, 0.5]),
                trajectory(1, &[5, 10], &[0.0, 0.5], &[3.0, 2.5]),
            ],
        ];
        assert_eq!(
            csv(&trajectories(l, &by_arm).unwrap()),
            "setting,groups,strategy,replicate,step,efficiency,entropy\n\
             homogeneous,1,random,0,5,0.5,2.0\n\
             homogeneous,1,random,0,10,0.25,1.5\n\
             homogeneous,1,popularity,0,5,0.75,1.0\n\
             homogeneous,1,popularity,0,10,1.0,0.5\n\
             homogeneous,1,popularity,1,5,0.0,3.0\n\
             homogeneous,1,popularity,1,10,0.5,2.5\n"
        );
        assert_eq!(
            csv(&replicates(l, &by_arm).unwrap()),
            "setting,groups,strategy,replicate,initial_total,final_total,idle_users\n\
             homogeneous,1,random,0,5,9,0\n\
             homogeneous,1,popularity,0,5,9,0\n\
             homogeneous,1,popularity,1,5,10,1\n"
        );
    }

    #[test]
    fn summary_lists_the_picked_measurements_of_every_arm() {
        let l = &labels(&[1, 7])[2..4];
        let runs = [
            trajectory(0, &[5, 10], &[0.5, 0.25], &[2.0, 1.0]),
            trajectory(1, &[5, 10], &[0.25, 0.75], &[4.0, 3.0]),
        ];
        let st = vec![arm_stats(&runs), stats(&[5, 10], 0.5)];
        assert_eq!(
            csv(&summary(l, &st, |s| vec![s.last()]).unwrap()),
            "setting,groups,strategy,step,efficiency_median,efficiency_q25,efficiency_q75,\
             entropy_median,entropy_q25,entropy_q75\n\
             homogeneous,1,quality,10,0.5,0.375,0.625,2.0,1.5,2.5\n\
             heterogeneous,7,random,10,0.5,0.25,0.75,5.0,4.75,5.25\n"
        );
        let all = summary(l, &st, |s| (0..s.steps.len()).collect()).unwrap();
        assert_eq!(all.n_rows(), 4);
    }

    #[test]
    fn comparison_uses_step_299000_and_the_m100_setting() {
        let ms = [1, 50, 100];
        let l = labels(&ms);
        // Arm a has efficiency a / 8 at every step; the M = 100 arms are 6, 7, 8.
        let st: Vec<ArmStats> = (0..l.len())
            .map(|a| stats(&[PUBLISHED_STEP, 300_000], a as f64 / 8.0))
            .collect();
        let t = csv(&published_comparison(&l, &ms, &st).unwrap());
        let rows: Vec<&str> = t.lines().collect();
        assert_eq!(
            rows[0],
            "setting,groups,strategy,step,published_efficiency,efficiency_median,\
             efficiency_q25,efficiency_q75,published_entropy,entropy_median"
        );
        assert_eq!(
            rows[1],
            "heterogeneous,100,quality,299000,0.884,1.0,0.75,1.25,3.31,10.0"
        );
        assert_eq!(
            rows[6],
            "homogeneous,1,random,299000,0.705,0.0,-0.25,0.25,7.27,0.0"
        );
        // Without M = 100 and step 299,000: the first heterogeneous setting, the last step.
        let st: Vec<ArmStats> = (0..6)
            .map(|a| stats(&[1000, 2000], a as f64 / 8.0))
            .collect();
        let t = csv(&published_comparison(&labels(&[1, 50]), &[1, 50], &st).unwrap());
        assert_eq!(
            t.lines().nth(2).unwrap(),
            "heterogeneous,50,popularity,2000,0.731,0.5,0.25,0.75,3.01,5.0"
        );
    }
}
