//! Reproduction of Zhu, Cheung & Xie, "Stability and Efficiency of Personalised Cultural
//! Markets", Section 5 (Figure 2) and Appendix E (Figures 3-5); spec
//! `trial-offer-markets.md`, sections "Ranking strategies", "MovieLens-100K preferences" and
//! "Experiment".
//!
//! [`run`] takes a [`CulturalConfig`] and writes into a run folder:
//! - `trajectories.{csv,parquet}`: every run's efficiency and entropy at every measurement;
//! - `replicates.{csv,parquet}`: one row per run (initial and final totals, idle users);
//! - `summary.{csv,parquet}`: median and 25th/75th percentiles over runs, per arm and step;
//! - `efficiency_vs_entropy.{csv,parquet}`: the points of Figure 2 (right);
//! - `published_comparison.{csv,parquet}`: this run's medians at step 299,000 next to the
//!   paper's;
//! - per heterogeneous setting `efficiency_over_time_TAG` and `efficiency_vs_entropy_TAG`
//!   figures (SVG + PNG), `report.html` and `manifest.json`.
//!
//! Arms: {homogeneous (M = 1)} ∪ {heterogeneous M for each requested M} x {random, popularity,
//! quality}. Common random numbers: every arm runs replicate r with the same master seed, so the
//! initial counts (d_j^0 uniform in {2, 3}, `Source::Initial`) and the arrival, choice and
//! purchase streams are shared across arms. Each finished replicate is saved at once and reused
//! by `resume`, so a resumed run writes byte-identical tables.
//!
//! Preferences come from MovieLens-100K through `marketloop-data`'s pipeline (biased SVD,
//! k-means, v̂ and q; cached in the cache folder under a key made of the seed, the data's
//! SHA-256 and every preprocessing setting), or from the authors' own matrices
//! (`InputKind::Zhu2023`).
//!
//! Modules, in the order [`run`] uses them: `config` (the settings and their checks),
//! `inputs` and `movielens` (the preference matrices), `compute` (markets, arms and the
//! resumable simulations), `stats` (bands over runs), `tables`, `figures`, `findings`,
//! `report` and `summary` (what `run` returns).

use super::Progress;
use crate::run::{Manifest, RunDir};
use crate::IoError;
use compute::{market_from, ArmLabel};
use findings::{findings, Results};
use marketloop_core::market::Trajectory;
use marketloop_core::rng::SeedSequence;
use marketloop_data::Variant;
use report::{build_report, ReportInputs};
use stats::{arm_stats_of, right_panel_steps, ArmStats};
use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;

mod compute;
mod config;
mod figures;
mod findings;
mod inputs;
pub(crate) mod movielens;
mod report;
mod stats;
mod summary;
mod tables;

pub use config::{CulturalConfig, InputKind, Scale};
pub use summary::{ArmSummary, CulturalSummary, FindingSummary};
pub use tables::{PUBLISHED, PUBLISHED_STEP};

/// The command name recorded in manifests (and checked on resume).
pub const COMMAND: &str = "reproduce cultural-market";

/// Runs the reproduction described by `config` into the folder `out` and returns its summary.
///
/// With `resume`, an earlier interrupted run of the same resolved config in `out` is continued:
/// its finished replicates are reused and the tables come out byte-identical. `progress` is
/// called (from any thread) as preprocessing and replicates finish.
pub fn run(
    config: &CulturalConfig,
    out: &Path,
    resume: bool,
    progress: &(dyn Fn(&Progress) + Sync),
) -> Result<CulturalSummary, IoError> {
    let t_total = Instant::now();
    let cfg = config.resolve()?;
    let (runs, steps, every) = cfg.runs_steps_every();
    let mut timings = BTreeMap::new();

    // Preferences and markets: homogeneous first, then each heterogeneous M.
    let t0 = Instant::now();
    let ms: Vec<usize> = std::iter::once(1)
        .chain(cfg.groups.iter().copied())
        .collect();
    let inputs = inputs::load(&cfg, &ms, progress)?;
    let markets = inputs
        .preferences
        .iter()
        .map(|p| market_from(p, &cfg))
        .collect::<Result<Vec<_>, IoError>>()?;
    timings.insert("preferences".to_string(), t0.elapsed().as_secs_f64());
    let arms = compute::arms(&cfg, &ms, &markets)?;

    let config_json = serde_json::to_value(&cfg).map_err(|source| IoError::Json {
        path: out.join("run.json"),
        source,
    })?;
    let mut dir = RunDir::open(out, Manifest::new(COMMAND, cfg.seed, config_json), resume)?;

    let t1 = Instant::now();
    let sim = compute::simulate(&mut dir, &arms, runs, SeedSequence::new(cfg.seed), progress)?;
    let simulate_s = t1.elapsed().as_secs_f64();
    timings.insert("simulate".to_string(), simulate_s);
    let labels: Vec<ArmLabel> = arms.iter().map(|a| a.label.clone()).collect();
    let stats = arm_stats_of(&sim.by_arm);

    let t2 = Instant::now();
    write_results(&mut dir, &cfg, &ms, &labels, &sim.by_arm, &stats)?;
    let comparable = steps >= PUBLISHED_STEP
        && PUBLISHED_STEP.is_multiple_of(every)
        && cfg.groups.contains(&100)
        && cfg.variant == Variant::All
        && runs >= 2;
    let n_items = markets[0].n_items();
    let results = Results {
        labels: &labels,
        stats: &stats,
        by_arm: &sim.by_arm,
        n_items,
    };
    let findings = findings(&results, &ms);
    let comparison = tables::published_comparison(&labels, &ms, &stats)?;
    dir.write_table("published_comparison", &comparison)?;
    let report = build_report(
        &cfg,
        &ReportInputs {
            ms: &ms,
            findings: &findings,
            comparison: &comparison,
            comparable,
            notes: &inputs.notes,
            n_items,
        },
    );
    timings.insert("write".to_string(), t2.elapsed().as_secs_f64());
    timings.insert("total".to_string(), t_total.elapsed().as_secs_f64());
    dir.manifest_mut().timings = timings.clone();
    dir.write_report(&report)?;
    dir.finish()?;

    let arm_summaries = labels
        .iter()
        .zip(&stats)
        .zip(&sim.by_arm)
        .zip(&sim.cpu)
        .map(|(((label, st), trajs), &cpu)| summary::arm_summary(label, st, trajs, cpu))
        .collect();
    Ok(CulturalSummary {
        out: out.to_path_buf(),
        config: cfg,
        arms: arm_summaries,
        findings: summary::finding_summaries(&findings),
        comparable_to_published: comparable,
        resumed_replicates: sim.resumed,
        simulated_steps: sim.simulated_steps,
        timings,
        wall_ns_per_step: (sim.simulated_steps > 0)
            .then(|| simulate_s * 1e9 / sim.simulated_steps as f64),
        notes: inputs.notes,
    })
}

/// Writes the tables of every measurement, run and band, and the figures.
fn write_results(
    dir: &mut RunDir,
    cfg: &CulturalConfig,
    ms: &[usize],
    labels: &[ArmLabel],
    by_arm: &[Vec<Trajectory>],
    stats: &[ArmStats],
) -> Result<(), IoError> {
    let (_, steps, every) = cfg.runs_steps_every();
    dir.write_table("trajectories", &tables::trajectories(labels, by_arm)?)?;
    dir.write_table("replicates", &tables::replicates(labels, by_arm)?)?;
    dir.write_table(
        "summary",
        &tables::summary(labels, stats, |st| (0..st.steps.len()).collect())?,
    )?;
    dir.write_table(
        "efficiency_vs_entropy",
        &tables::summary(labels, stats, |st| {
            right_panel_steps(&st.steps, steps, every)
        })?,
    )?;
    for (stem, figure) in figures::figures(cfg.variant, ms, labels, stats, steps, every) {
        dir.write_figure(&stem, &figure)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matrix::{npy_bytes, write_json_groups, Matrix};
    use marketloop_data::preferences::group_preferences;
    use marketloop_data::{FillRule, PreferenceConfig};

    /// The unseen-only variant where one group has seen every item: its trial weights are all
    /// zero, so its users try nothing. The run must finish with finite numbers everywhere.
    #[test]
    fn unseen_variant_zero_denominator_runs_without_nan() {
        let (users, items) = (6, 12);
        // users 0-2 rated everything; users 3-5 rated every other item.
        let mut gamma = vec![0.0; users * items];
        let mut observed = vec![false; users * items];
        for u in 0..users {
            for j in 0..items {
                gamma[u * items + j] = 0.2 + 0.8 * (((u * 7 + j * 3) % 10) as f64 / 10.0);
                observed[u * items + j] = u < 3 || j % 2 == 0;
            }
        }
        let labels = [0, 0, 0, 1, 1, 1];
        let cfg = PreferenceConfig {
            fill: FillRule::AllUsers,
            variant: Variant::Unseen,
        };
        let het = group_preferences(&gamma, &observed, users, items, &labels, 2, cfg).unwrap();
        assert!(
            het.visibility[..items].iter().all(|&v| v == 0.0),
            "group 0 saw everything"
        );
        let homo = group_preferences(&gamma, &observed, users, items, &[0; 6], 1, cfg).unwrap();
        let dir = std::env::temp_dir().join(format!("ml-cultural-unseen-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let put = |name: &str, rows: usize, data: &[f64]| {
            let m = Matrix::new(rows, items, data.to_vec()).unwrap();
            std::fs::write(dir.join(name), npy_bytes(&m)).unwrap();
        };
        put("appeals.npy", 2, &het.visibility);
        put("qualities.npy", 2, &het.quality);
        put("appeals_homo.npy", 1, &homo.visibility);
        put("qualities_homo.npy", 1, &homo.quality);
        write_json_groups(&dir.join("groups_2.json"), &[vec![0, 1, 2], vec![3, 4, 5]]).unwrap();
        let out = dir.join("run");
        let config = CulturalConfig {
            inputs: InputKind::Zhu2023,
            inputs_dir: Some(dir.clone()),
            groups: vec![2],
            runs: Some(3),
            steps: Some(3000),
            every: Some(500),
            cache: Some(dir.join("cache")),
            ..Default::default()
        };
        let s = run(&config, &out, false, &|_| {}).unwrap();
        let het_pop = s
            .arms
            .iter()
            .find(|a| a.groups == 2 && a.strategy == "popularity")
            .unwrap();
        // About half the users (group 0) try nothing.
        assert!(het_pop.idle > 3 * 3000 / 3, "idle {}", het_pop.idle);
        for a in &s.arms {
            for x in [
                a.efficiency_median,
                a.entropy_median,
                a.efficiency_q25,
                a.entropy_q75,
            ] {
                assert!(x.is_finite(), "{a:?}");
            }
        }
        let csv = std::fs::read_to_string(out.join("trajectories.csv")).unwrap();
        assert!(!csv.contains("NaN") && !csv.contains("inf"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
