//! `marketloop study learning-in-the-loop` (issue 11's experiments): recommenders that learn
//! quality in the loop, alone and in competition, run through the arena
//! ([`ArenaExperiment`](crate::experiment::ArenaExperiment), one per cell, resolved from the
//! arena spec format).
//!
//! 1. One platform on each market: the quality oracle and the performance ranking against the
//!    learning rankings (greedy, eps-greedy, Thompson sampling, UCB), popularity and random:
//!    efficiency and entropy over time, the gap to the oracle, and whether the learning market
//!    settles.
//! 2. Two platforms, Thompson sampling against greedy, under HardMax, HardMax&Random and SoftMax
//!    with warm starts 20, 250 and 500: the greedy platform's final share.
//! 3. P = 2..5 Thompson-sampling platforms under per-type reputation (overall reputation as the
//!    control): specialisation index, welfare and diversity as P grows.
//!
//! [`run`] writes into a run folder: `cells` (every cell's arena spec and seed), `summary`
//! (every measure over runs at every measurement), `runs` (every run's last measurement),
//! `exp1_learners`, `exp2_competition`, `exp3_platforms`, `findings` (tables as CSV + Parquet),
//! figures (SVG + PNG), `report.html` and `manifest.json`. Each finished replicate is saved as
//! it completes (`replicates/CELL/`), so `resume` continues an interrupted study and writes
//! identical tables.
//!
//! Modules: `config` (settings, scales), `cells` (the arena specs and seeds), `analysis` (the
//! numbers and findings), `output` (tables, figures, report).

mod analysis;
mod cells;
mod config;
mod output;

pub use analysis::{CompetitionRow, LearnerRow, PlatformsRow};
pub use cells::{synthetic_market, SYNTHETIC_ITEMS, SYNTHETIC_TYPES};
pub use config::{zhu2023_present, LearningConfig, ResolvedLearning, StudyInputs, StudyScale};

use crate::experiment::Experiment;
use crate::report::Finding;
use crate::reproduce::Progress;
use crate::run::{Manifest, RunDir};
use crate::IoError;
use analysis::CellResult;
use marketloop_core::runner::Schedule;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

/// The command name recorded in manifests (and checked on resume).
pub const COMMAND: &str = "study learning-in-the-loop";

/// The efficiency change per fifth of a run below which a learning market counts as settled.
pub const SETTLED: f64 = 0.01;

/// What the study found.
#[derive(Clone, Debug)]
pub struct LearningSummary {
    /// The run folder.
    pub out: PathBuf,
    /// The resolved study.
    pub config: ResolvedLearning,
    /// Experiment 1's rows.
    pub learners: Vec<LearnerRow>,
    /// Experiment 2's rows.
    pub competition: Vec<CompetitionRow>,
    /// Experiment 3's rows.
    pub platforms: Vec<PlatformsRow>,
    /// Every finding, with its experiment.
    pub findings: Vec<(u32, Finding)>,
    /// Replicates loaded from an earlier interrupted run.
    pub resumed: usize,
    /// Cells run.
    pub cells: usize,
    /// Seconds per phase (`simulate`, `write`, `total`).
    pub timings: BTreeMap<String, f64>,
}

impl LearningSummary {
    /// The summary as JSON (what Python returns): the run folder, the resolved config, every
    /// finding, the replicates resumed and the timings.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "out": self.out,
            "config": self.config,
            "cells": self.cells,
            "resumed": self.resumed,
            "timings": self.timings,
            "findings": self.findings.iter().map(|(e, f)| serde_json::json!({
                "experiment": e,
                "claim": f.claim,
                "holds": f.holds,
                "evidence": f.evidence,
            })).collect::<Vec<_>>(),
        })
    }
}

/// Runs the study described by `config` into the folder `out` and returns its summary.
///
/// With `resume`, an earlier interrupted run of the same resolved config in `out` is continued
/// (its finished replicates are reused; the tables come out identical). `progress` is called
/// (from any thread) as replicates finish.
pub fn run(
    config: &LearningConfig,
    out: &Path,
    resume: bool,
    progress: &(dyn Fn(&Progress) + Sync),
) -> Result<LearningSummary, IoError> {
    let t_total = Instant::now();
    let cfg = config.resolve()?;
    let cells = cells::cells(&cfg)?;
    for c in &cells {
        c.plan(cfg.runs).admit(&c.exp)?;
    }
    let config_json = serde_json::to_value(&cfg).map_err(|source| IoError::Json {
        path: out.join("run.json"),
        source,
    })?;
    let mut dir = RunDir::open(out, Manifest::new(COMMAND, cfg.seed, config_json), resume)?;

    let t_sim = Instant::now();
    let indices: Vec<u64> = (0..cfg.runs).collect();
    let total = cells.len() as u64 * cfg.runs;
    let done = AtomicU64::new(0);
    let mut results = Vec::with_capacity(cells.len());
    let mut timings = BTreeMap::new();
    for cell in &cells {
        let t_cell = Instant::now();
        let seeds = cell.seeds;
        let trajectories = dir.map_resumable(
            &cell.key,
            &indices,
            Schedule::Parallel,
            |r| cell.exp.replicate(seeds, r),
            |_| {
                let d = done.fetch_add(1, Ordering::Relaxed) + 1;
                progress(&Progress {
                    phase: "simulate",
                    done: d,
                    total,
                });
            },
        )?;
        let summary = cell.exp.summarize(&cell.plan(cfg.runs), trajectories)?;
        results.push(CellResult { cell, summary });
        timings.insert(
            format!("simulate {}", cell.key),
            t_cell.elapsed().as_secs_f64(),
        );
    }
    timings.insert("simulate".to_string(), t_sim.elapsed().as_secs_f64());

    let t_write = Instant::now();
    let learners = analysis::learners(&results);
    let competition = analysis::competition(&results);
    let platforms = analysis::platforms(&results);
    let mut findings = analysis::findings_1(&learners, SETTLED);
    findings.extend(analysis::findings_2(&competition));
    findings.extend(analysis::findings_3(&platforms));
    let t1 = output::learners_table(&learners)?;
    let t2 = output::competition_table(&competition)?;
    let t3 = output::platforms_table(&platforms)?;
    dir.write_table("cells", &output::cells_table(&results)?)?;
    dir.write_table("summary", &output::summary_table(&results)?)?;
    dir.write_table("runs", &output::runs_table(&results)?)?;
    dir.write_table("exp1_learners", &t1)?;
    dir.write_table("exp2_competition", &t2)?;
    dir.write_table("exp3_platforms", &t3)?;
    dir.write_table("findings", &output::findings_table(&findings)?)?;
    let figures = output::figures(&cfg, &results, &learners, &competition, &platforms);
    for (stem, fig) in &figures {
        dir.write_figure(stem, fig)?;
    }
    let report = output::report(&output::ReportInputs {
        cfg: &cfg,
        results: &results,
        tables: [&t1, &t2, &t3],
        figures: &figures,
        findings: &findings,
        tolerance: SETTLED,
    });
    timings.insert("write".to_string(), t_write.elapsed().as_secs_f64());
    timings.insert("total".to_string(), t_total.elapsed().as_secs_f64());
    let resumed = dir.manifest_mut().resumed_replicates;
    dir.manifest_mut().timings = timings.clone();
    dir.write_report(&report)?;
    dir.finish()?;
    Ok(LearningSummary {
        out: out.to_path_buf(),
        config: cfg,
        learners,
        competition,
        platforms,
        findings,
        resumed,
        cells: cells.len(),
        timings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(dir: &Path, f: &str) -> String {
        std::fs::read_to_string(dir.join(f)).unwrap_or_else(|e| panic!("{f}: {e}"))
    }

    #[test]
    fn the_ci_study_writes_every_file_and_resume_is_identical() {
        let out = std::env::temp_dir().join(format!("ml-study-learning-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&out);
        let cfg = LearningConfig::default();
        let t = Instant::now();
        let s = run(&cfg, &out, false, &|_| {}).unwrap();
        assert!(
            t.elapsed().as_secs() < 60,
            "ci scale took {:?}",
            t.elapsed()
        );
        assert_eq!(s.cells, 8 + 9 + 8);
        assert_eq!(s.learners.len(), 8);
        assert_eq!(s.competition.len(), 9);
        assert_eq!(s.platforms.len(), 8);
        assert!(!s.findings.is_empty());
        let tables = [
            "cells",
            "summary",
            "runs",
            "exp1_learners",
            "exp2_competition",
            "exp3_platforms",
            "findings",
        ];
        for f in tables {
            assert!(out.join(format!("{f}.csv")).is_file(), "{f}.csv");
            assert!(out.join(format!("{f}.parquet")).is_file(), "{f}.parquet");
        }
        for f in [
            "fig1_efficiency_synthetic",
            "fig1_entropy_synthetic",
            "fig1_frontier_synthetic",
            "fig2_greedy_share",
            "fig3_specialisation",
            "fig3_welfare_diversity",
        ] {
            assert!(out.join(format!("{f}.svg")).is_file(), "{f}.svg");
            assert!(out.join(format!("{f}.png")).is_file(), "{f}.png");
        }
        let html = read(&out, "report.html");
        assert!(html.contains("Thompson sampling against greedy") && html.contains("bits"));
        assert!(read(&out, "manifest.json").contains(COMMAND));
        // Sanity of the numbers: the oracle beats random; shares of experiment 2 on the simplex.
        let of = |n: &str| s.learners.iter().find(|r| r.ranking == n).unwrap();
        assert!(of("quality oracle").efficiency.mean > of("random").efficiency.mean);
        for r in &s.competition {
            assert!((0.0..=1.0).contains(&r.greedy_share.mean), "{r:?}");
        }
        for r in &s.platforms {
            assert!(r.specialisation.mean >= 0.0);
            assert!(
                r.specialisation.mean <= r.specialisation_max + 1e-9,
                "{r:?}"
            );
        }
        let before: Vec<String> = tables
            .iter()
            .map(|f| read(&out, &format!("{f}.csv")))
            .collect();
        // Interrupt: lose the manifest, the tables and some replicates, then resume.
        std::fs::remove_file(out.join("manifest.json")).unwrap();
        for f in tables {
            std::fs::remove_file(out.join(format!("{f}.csv"))).unwrap();
        }
        std::fs::write(out.join(crate::run::INCOMPLETE), b"x").unwrap();
        let reps = out.join("replicates");
        let mut removed = 0;
        for cell in std::fs::read_dir(&reps).unwrap().flatten().step_by(3) {
            std::fs::remove_file(cell.path().join("r000001.json")).unwrap();
            removed += 1;
        }
        let again = run(&cfg, &out, true, &|_| {}).unwrap();
        assert_eq!(again.resumed, s.cells * 4 - removed);
        let after: Vec<String> = tables
            .iter()
            .map(|f| read(&out, &format!("{f}.csv")))
            .collect();
        assert_eq!(before, after);
        // A different study in the same folder is refused on resume.
        let other = LearningConfig {
            seed: 7,
            ..LearningConfig::default()
        };
        assert!(run(&other, &out, true, &|_| {}).is_err());
        std::fs::remove_dir_all(&out).unwrap();
    }

    #[test]
    fn the_synthetic_market_is_a_valid_arena_market() {
        let m = synthetic_market();
        assert_eq!(m["visibility"].as_array().unwrap().len(), SYNTHETIC_TYPES);
        assert_eq!(m["quality"][0].as_array().unwrap().len(), SYNTHETIC_ITEMS);
        for row in m["quality"].as_array().unwrap() {
            for q in row.as_array().unwrap() {
                let q = q.as_f64().unwrap();
                assert!((0.0..=1.0).contains(&q));
            }
        }
        // Deterministic: the same document every time.
        assert_eq!(m, synthetic_market());
    }
}
