//! `marketloop reproduce bayesian-choice`: the Bayesian-choice model of Section 4 of Aridor,
//! Mansour, Slivkins & Wu, simulated (the paper could not: "running time quadratic in the number
//! of rounds"). Each of the section's results is stated with its instance and this run's
//! numbers ([`mod@theorems`]), and the Bayesian-choice market shares are set side by side with
//! Section 5's reputation-choice shares of Table 1 ([`side`]).
//!
//! Run folder: `theorems` (result, setting, claim, evidence, holds), `side_by_side` (instance,
//! T0, pair, both models' shares and the paper's), a figure of the side-by-side shares,
//! `report.html` and `manifest.json`.

pub mod side;
pub mod theorems;

use crate::manifest::Manifest;
use crate::report::{Finding, Report, Section};
use crate::run::RunDir;
use crate::table::{Column, Table};
use crate::{Figure, IoError, Series, SeriesStyle};
use serde::{Deserialize, Serialize};
use side::{side_by_side, side_table, SideCell};
use std::path::Path;
use theorems::{theorems, Checked};

/// The sizes of the reproduction (defaults: the report's scale).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BayesianConfig {
    /// Master seed.
    pub seed: u64,
    /// Monte Carlo paths of the theorem cases.
    pub paths: u64,
    /// Rounds of the theorem cases.
    pub rounds: usize,
    /// Rounds of the Needle-in-Haystack case of Theorem 4.9 (a long learning phase).
    pub rounds_long: usize,
    /// Monte Carlo paths of that case.
    pub paths_long: u64,
    /// Rounds T of the side-by-side cells (paper: 2000).
    pub side_t: usize,
    /// Monte Carlo paths of the side-by-side curves.
    pub side_paths: u64,
    /// Reputation-choice runs per side-by-side cell (paper: 1000).
    pub runs: u64,
    /// Error band in standard errors.
    pub band: f64,
}

impl Default for BayesianConfig {
    fn default() -> Self {
        BayesianConfig {
            seed: 2019,
            paths: 20_000,
            rounds: 300,
            rounds_long: 3000,
            paths_long: 4000,
            side_t: 2000,
            side_paths: 2000,
            runs: 300,
            band: 5.0,
        }
    }
}

impl BayesianConfig {
    /// A small configuration for tests and quick looks.
    pub fn quick() -> Self {
        BayesianConfig {
            paths: 4000,
            rounds: 100,
            rounds_long: 1500,
            paths_long: 1000,
            side_t: 200,
            side_paths: 300,
            runs: 30,
            ..Self::default()
        }
    }

    /// Checks the sizes (errors name the field).
    pub fn validate(&self) -> Result<(), IoError> {
        for (f, v, min) in [
            ("paths", self.paths, 2),
            ("paths_long", self.paths_long, 2),
            ("side_paths", self.side_paths, 2),
            ("runs", self.runs, 1),
        ] {
            if v < min {
                return Err(IoError::spec(
                    f,
                    format!("{f} = {v} must lie in [{min}, infinity)"),
                ));
            }
        }
        for (f, v, min) in [
            ("rounds", self.rounds, 50),
            ("rounds_long", self.rounds_long, 50),
            ("side_t", self.side_t, 1),
        ] {
            if v < min {
                return Err(IoError::spec(
                    f,
                    format!("{f} = {v} must lie in [{min}, infinity)"),
                ));
            }
        }
        if !(self.band.is_finite() && self.band >= 0.0) {
            return Err(IoError::spec(
                "band",
                format!("band = {} must lie in [0, infinity)", self.band),
            ));
        }
        Ok(())
    }
}

/// What the reproduction found.
#[derive(Clone, Debug, PartialEq)]
pub struct BayesianSummary {
    /// Every theorem's check.
    pub theorems: Vec<Checked>,
    /// The side-by-side cells.
    pub side: Vec<SideCell>,
}

/// The theorem checks as a table.
pub fn theorems_table(rows: &[Checked]) -> Result<Table, IoError> {
    let s = |f: &dyn Fn(&Checked) -> String| Column::Str(rows.iter().map(f).collect());
    Table::new()
        .with("result", s(&|c| c.result.clone()))?
        .with("setting", s(&|c| c.setting.clone()))?
        .with("claim", s(&|c| c.claim.clone()))?
        .with("evidence", s(&|c| c.evidence.clone()))?
        .with(
            "holds",
            s(&|c| if c.holds { "yes".into() } else { "no".into() }),
        )
}

/// Computes everything and writes the run folder `out` (which must not exist or be empty).
pub fn run(cfg: &BayesianConfig, out: &Path) -> Result<BayesianSummary, IoError> {
    cfg.validate()?;
    let config = serde_json::to_value(cfg).unwrap_or_default();
    let mut dir = RunDir::open(
        out,
        Manifest::new("reproduce bayesian-choice", cfg.seed, config),
        false,
    )?;
    let start = std::time::Instant::now();
    let checked = theorems(cfg)?;
    dir.manifest_mut()
        .timings
        .insert("theorems".into(), start.elapsed().as_secs_f64());
    let start = std::time::Instant::now();
    let side = side_by_side(cfg)?;
    dir.manifest_mut()
        .timings
        .insert("side by side".into(), start.elapsed().as_secs_f64());
    let t_tab = theorems_table(&checked)?;
    let s_tab = side_table(&side)?;
    dir.write_table("theorems", &t_tab)?;
    dir.write_table("side_by_side", &s_tab)?;
    let idx: Vec<f64> = (1..=side.len()).map(|i| i as f64).collect();
    let fig = Figure::new(
        "Share of the first-named algorithm, cell by cell (instance x T0 x pair)",
        "cell (row of side_by_side.csv)",
        "market share",
    )
    .with_integer_x()
    .with(
        Series::line(
            "Bayesian choice",
            idx.clone(),
            side.iter().map(|c| c.bayes_share).collect(),
        )
        .styled(SeriesStyle::Bars),
    )
    // The cells are categories: markers, not lines that would join unrelated cells.
    .with(
        Series::line(
            "reputation choice (this run)",
            idx.clone(),
            side.iter().map(|c| c.reputation.0).collect(),
        )
        .styled(SeriesStyle::Points),
    )
    .with(
        Series::line(
            "reputation choice (paper)",
            idx,
            side.iter().map(|c| c.paper.0).collect(),
        )
        .styled(SeriesStyle::Points),
    );
    dir.write_figure("fig_side_by_side", &fig)?;
    let mut th = Section {
        heading: "Section 4's results, checked numerically".into(),
        paragraphs: vec![format!(
            "Reward curves by Monte Carlo with common random numbers ({} paths; {} for the long case), the game by the exact Poisson-binomial propagation of n_1(t); HardMax decisions within {} standard errors are flagged and taken as ties.",
            cfg.paths, cfg.paths_long, cfg.band
        )],
        tables: vec![("Results".into(), t_tab)],
        ..Section::default()
    };
    for c in &checked {
        th.findings.push(Finding {
            claim: format!("{} ({}): {}", c.result, c.setting, c.claim),
            holds: c.holds,
            evidence: c.evidence.clone(),
        });
    }
    let side_sec = Section {
        heading: "Bayesian choice next to reputation choice (Table 1 cells)".into(),
        paragraphs: vec![format!(
            "K = 10, Beta(1, 1) beliefs, HardMax with fair ties, T = {}, T0 warm-start agents per principal. Bayesian-choice shares from {} Monte Carlo paths per instance; reputation-choice shares from {} runs of the competition engine (window M = 100) and the paper's Table 1.",
            cfg.side_t, cfg.side_paths, cfg.runs
        )],
        tables: vec![("Shares of the first-named algorithm".into(), s_tab)],
        figures: vec![(fig.title.clone(), "fig_side_by_side".into())],
        ..Section::default()
    };
    dir.write_report(&Report {
        title: "marketloop reproduce bayesian-choice".into(),
        sections: vec![th, side_sec],
    })?;
    dir.finish()?;
    Ok(BayesianSummary {
        theorems: checked,
        side,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_quick_reproduction_writes_its_folder() {
        let out = std::env::temp_dir().join(format!("ml-bayesian-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&out);
        let s = run(&BayesianConfig::quick(), &out).unwrap();
        assert_eq!(s.side.len(), 27);
        for c in &s.side {
            assert!((0.0..=1.0).contains(&c.bayes_share) && (0.0..=1.0).contains(&c.reputation.0));
        }
        for r in [
            "Theorem 4.2 / Corollary 4.3",
            "Theorem 4.6",
            "Theorem 4.7",
            "Lemma 4.5",
        ] {
            assert!(
                s.theorems.iter().filter(|c| c.result == r).all(|c| c.holds),
                "{r}: {:?}",
                s.theorems
            );
        }
        for f in [
            "theorems.csv",
            "side_by_side.csv",
            "report.html",
            "manifest.json",
            "fig_side_by_side.svg",
        ] {
            assert!(out.join(f).exists(), "{f}");
        }
        let e = BayesianConfig {
            paths: 1,
            ..BayesianConfig::quick()
        }
        .validate()
        .unwrap_err();
        assert_eq!(e.field().as_deref(), Some("paths"));
        let _ = std::fs::remove_dir_all(&out);
    }
}
