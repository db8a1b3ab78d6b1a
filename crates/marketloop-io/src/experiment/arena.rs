//! `arena`: replicated runs of an arena (platforms competing for typed users, each ranking a
//! catalogue) — the long table of every measurement (run, step, platform, measure, value), a
//! summary over runs (mean, 95% t half-width, quartiles per step, platform and measure), the
//! per-type shares of every run, three figures (shares over time per platform, the per-type
//! shares of each platform, efficiency against entropy) and a report.

use super::{tail, Experiment, Outputs, Plan};
use crate::report::{Finding, Report, Section};
use crate::spec::arena::{arena_error, ArenaModel, ResolvedArena};
use crate::spec::limits::{mul, Footprint};
use crate::table::{Column, Table};
use crate::{Figure, IoError, Series, SeriesStyle};
use marketloop_core::arena::{ArenaPoint, ArenaTrajectory};
use marketloop_core::bandits::Estimate;
use marketloop_core::rng::SeedSequence;
use marketloop_core::stats::quartiles;
use serde_json::json;
use std::path::PathBuf;

/// The measures of each platform, in table order.
pub const PLATFORM_MEASURES: [&str; 7] = [
    "share",
    "efficiency",
    "entropy",
    "gini",
    "regret",
    "q_error",
    "reputation",
];

/// The market-wide measures, in table order (platform `"market"`).
pub const MARKET_MEASURES: [&str; 3] = ["welfare", "specialisation", "specialisation_max"];

/// The platform name of market-wide rows.
pub const MARKET: &str = "market";

/// A validated arena experiment.
#[derive(Clone, Debug)]
pub struct ArenaExperiment {
    resolved: ResolvedArena,
    source: Option<PathBuf>,
}

/// One summary row: a measure of a platform (or the market) at a step, over runs.
#[derive(Clone, Debug, PartialEq)]
pub struct SummaryRow {
    /// The step.
    pub step: u64,
    /// The platform's name, or `"market"`.
    pub platform: String,
    /// The measure.
    pub measure: &'static str,
    /// Runs with a value (q_error is missing before a learner's first trial).
    pub n: usize,
    /// Mean and 95% t half-width.
    pub estimate: Estimate,
    /// 25%, 50% and 75% quantiles.
    pub quartiles: (f64, f64, f64),
}

/// The results of an arena experiment.
#[derive(Clone, Debug)]
pub struct ArenaSummary {
    /// Every run, in run order.
    pub trajectories: Vec<ArenaTrajectory>,
    /// The measurement steps.
    pub steps: Vec<u64>,
    /// Platform names.
    pub names: Vec<String>,
    /// Over runs, per step, platform and measure.
    pub rows: Vec<SummaryRow>,
}

fn platform_value(pt: &ArenaPoint, p: usize, measure: &str) -> Option<f64> {
    let x = &pt.platforms[p];
    Some(match measure {
        "share" => x.share,
        "efficiency" => x.efficiency,
        "entropy" => x.entropy,
        "gini" => x.gini,
        "regret" => x.regret,
        "q_error" => return x.q_error,
        _ => x.reputation,
    })
}

fn market_value(pt: &ArenaPoint, measure: &str) -> f64 {
    match measure {
        "welfare" => pt.welfare,
        "specialisation" => pt.specialisation,
        _ => pt.specialisation_max,
    }
}

impl ArenaExperiment {
    /// The experiment of a resolved arena; `source` names the spec file, if there is one.
    pub fn new(resolved: ResolvedArena, source: Option<PathBuf>) -> Self {
        Self { resolved, source }
    }

    /// The resolved arena.
    pub fn resolved(&self) -> &ResolvedArena {
        &self.resolved
    }

    fn names(&self) -> Vec<String> {
        self.resolved.arena.platform_names()
    }

    fn steps(&self) -> Vec<u64> {
        match &self.resolved.arena {
            ArenaModel::Logit(a) => a.measurement_steps(),
            ArenaModel::FirstPosition(a) => a.measurement_steps(),
        }
    }

    fn source_name(&self) -> String {
        self.source
            .as_ref()
            .map_or_else(|| "<arena spec>".into(), |p| p.display().to_string())
    }
}

impl Experiment for ArenaExperiment {
    const COMMAND: &'static str = "arena";
    const ARM: &'static str = "arena";
    const PHASE: &'static str = "simulation";
    const REPLICATED: bool = true;
    type Replicate = ArenaTrajectory;
    type Summary = ArenaSummary;

    fn config(&self, plan: &Plan) -> serde_json::Value {
        json!({
            "arena_file": self.source,
            "arena": self.resolved.config,
            "runs": plan.runs,
        })
    }

    /// Per run: its measurements (every platform at every measurement step) and end state
    /// (counts and trials per platform and item, choices per platform and type), about three
    /// times over (the replicates, the long table and its text); per worker: the platforms'
    /// state (posteriors per platform, type and item).
    fn footprint(&self, plan: &Plan) -> Footprint {
        let (market, p, points) = match &self.resolved.arena {
            ArenaModel::Logit(a) => (a.market(), a.platforms().len(), a.steps() / a.every() + 1),
            ArenaModel::FirstPosition(a) => {
                (a.market(), a.platforms().len(), a.steps() / a.every() + 1)
            }
        };
        let (n, m, p) = (
            market.n_items() as u128,
            market.n_types() as u128,
            p as u128,
        );
        let per_point = 48 + p * (64 + 5 * 48);
        let per_run = mul(points, per_point).saturating_add(8 * n + 8 * p * (m + 2 * n));
        let workers = rayon::current_num_threads() as u128;
        let mut f = Footprint::new();
        f.add(
            "runs",
            "the runs' trajectories",
            u128::from(plan.runs),
            3 * per_run,
        )
        .add(
            "platforms",
            "the platforms' state",
            workers,
            32 * p * (m + 1) * n,
        );
        f
    }

    fn replicate(&self, seeds: SeedSequence, r: u64) -> Result<ArenaTrajectory, IoError> {
        match &self.resolved.arena {
            ArenaModel::Logit(a) => a.run_replicate(seeds, r),
            ArenaModel::FirstPosition(a) => a.run_replicate(seeds, r),
        }
        .map_err(arena_error)
    }

    fn summarize(
        &self,
        _: &Plan,
        trajectories: Vec<ArenaTrajectory>,
    ) -> Result<ArenaSummary, IoError> {
        let steps = self.steps();
        let names = self.names();
        let mut rows = Vec::new();
        let mut push = |step: u64, platform: &str, measure: &'static str, mut x: Vec<f64>| {
            if x.is_empty() {
                return;
            }
            let estimate = Estimate::from_samples(&x);
            rows.push(SummaryRow {
                step,
                platform: platform.to_string(),
                measure,
                n: x.len(),
                estimate,
                quartiles: quartiles(&mut x),
            });
        };
        for (k, &step) in steps.iter().enumerate() {
            for (p, name) in names.iter().enumerate() {
                for measure in PLATFORM_MEASURES {
                    let x: Vec<f64> = trajectories
                        .iter()
                        .filter_map(|t| platform_value(&t.points[k], p, measure))
                        .collect();
                    push(step, name, measure, x);
                }
            }
            for measure in MARKET_MEASURES {
                let x = trajectories
                    .iter()
                    .map(|t| market_value(&t.points[k], measure))
                    .collect();
                push(step, MARKET, measure, x);
            }
        }
        Ok(ArenaSummary {
            trajectories,
            steps,
            names,
            rows,
        })
    }

    /// One row per run x measurement x platform x measure: `run, step, platform, measure,
    /// value` (market-wide measures under platform `"market"`; q_error only where defined).
    fn table(&self, s: &ArenaSummary) -> Result<Table, IoError> {
        let (mut run, mut step, mut platform, mut measure, mut value) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
        let mut row = |r: u64, t: u64, p: &str, m: &str, v: f64| {
            run.push(r as i64);
            step.push(t as i64);
            platform.push(p.to_string());
            measure.push(m.to_string());
            value.push(v);
        };
        for t in &s.trajectories {
            for pt in &t.points {
                for (p, name) in s.names.iter().enumerate() {
                    for m in PLATFORM_MEASURES {
                        if let Some(v) = platform_value(pt, p, m) {
                            row(t.replicate, pt.step, name, m, v);
                        }
                    }
                }
                for m in MARKET_MEASURES {
                    row(t.replicate, pt.step, MARKET, m, market_value(pt, m));
                }
            }
        }
        Table::new()
            .with("run", Column::I64(run))?
            .with("step", Column::I64(step))?
            .with("platform", Column::Str(platform))?
            .with("measure", Column::Str(measure))?
            .with("value", Column::F64(value))
    }

    fn outputs(&self, plan: &Plan, s: &ArenaSummary) -> Result<Outputs, IoError> {
        let mut out = Outputs::default();
        out.table("trajectories", self.table(s)?);
        let summary = summary_table(&s.rows)?;
        out.table("summary", summary.clone());
        let types = type_shares_table(s)?;
        out.table("type_shares", types);
        let figures = self.figures(s);
        let report = self.report(plan, s, &figures)?;
        for (stem, f) in figures {
            out.figure(stem, f);
        }
        out.report = Some(report);
        Ok(out)
    }
}

impl ArenaSummary {
    /// The rows of the last measurement.
    pub fn final_rows(&self) -> impl Iterator<Item = &SummaryRow> {
        let last = self.steps.last().copied().unwrap_or(0);
        self.rows.iter().filter(move |r| r.step == last)
    }

    /// What the command line prints: one line per platform and measure at the end (mean,
    /// 95% half-width, median over runs).
    pub fn text(&self, runs: u64, out: Option<&std::path::Path>) -> String {
        let mut s = format!(
            "arena: {} platforms, {runs} runs of {} users\n{:<24} {:<20} {:>12} {:>10} {:>12}\n",
            self.names.len(),
            self.steps.last().copied().unwrap_or(0),
            "platform",
            "measure",
            "mean",
            "ci95",
            "median"
        );
        for r in self.final_rows() {
            s.push_str(&format!(
                "{:<24} {:<20} {:>12.6} {:>10.6} {:>12.6}\n",
                r.platform, r.measure, r.estimate.mean, r.estimate.half_width, r.quartiles.1
            ));
        }
        if let Some(out) = out {
            s.push_str(&format!("results in {}\n", out.display()));
        }
        s
    }

    /// The same as JSON: `{ "steps": T, "runs": N, "final": [{platform, measure, mean, ci95,
    /// median}, ..] }`.
    pub fn json(&self, runs: u64) -> serde_json::Value {
        let rows: Vec<serde_json::Value> = self
            .final_rows()
            .map(|r| {
                json!({
                    "platform": r.platform,
                    "measure": r.measure,
                    "n": r.n,
                    "mean": r.estimate.mean,
                    "ci95": r.estimate.half_width,
                    "median": r.quartiles.1,
                })
            })
            .collect();
        json!({
            "steps": self.steps.last().copied().unwrap_or(0),
            "runs": runs,
            "platforms": self.names,
            "final": rows,
        })
    }
}

/// `step, platform, measure, n, mean, ci95, q25, median, q75`.
fn summary_table(rows: &[SummaryRow]) -> Result<Table, IoError> {
    Table::new()
        .with(
            "step",
            Column::I64(rows.iter().map(|r| r.step as i64).collect()),
        )?
        .with(
            "platform",
            Column::Str(rows.iter().map(|r| r.platform.clone()).collect()),
        )?
        .with(
            "measure",
            Column::Str(rows.iter().map(|r| r.measure.to_string()).collect()),
        )?
        .with("n", Column::I64(rows.iter().map(|r| r.n as i64).collect()))?
        .with(
            "mean",
            Column::F64(rows.iter().map(|r| r.estimate.mean).collect()),
        )?
        .with(
            "ci95",
            Column::F64(rows.iter().map(|r| r.estimate.half_width).collect()),
        )?
        .with(
            "q25",
            Column::F64(rows.iter().map(|r| r.quartiles.0).collect()),
        )?
        .with(
            "median",
            Column::F64(rows.iter().map(|r| r.quartiles.1).collect()),
        )?
        .with(
            "q75",
            Column::F64(rows.iter().map(|r| r.quartiles.2).collect()),
        )
}

/// The share of type i's users who chose platform p (0 for a type that never arrived).
fn type_share(t: &ArenaTrajectory, p: usize, i: usize) -> f64 {
    let n = t.type_arrivals[i];
    if n == 0 {
        0.0
    } else {
        t.chosen_by_type[p][i] as f64 / n as f64
    }
}

/// `run, platform, type, users, share`: at the end of each run.
fn type_shares_table(s: &ArenaSummary) -> Result<Table, IoError> {
    let (mut run, mut platform, mut ty, mut users, mut share) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for t in &s.trajectories {
        for (p, name) in s.names.iter().enumerate() {
            for i in 0..t.type_arrivals.len() {
                run.push(t.replicate as i64);
                platform.push(name.clone());
                ty.push(i as i64);
                users.push(t.chosen_by_type[p][i] as i64);
                share.push(type_share(t, p, i));
            }
        }
    }
    Table::new()
        .with("run", Column::I64(run))?
        .with("platform", Column::Str(platform))?
        .with("type", Column::I64(ty))?
        .with("users", Column::I64(users))?
        .with("share", Column::F64(share))
}

impl ArenaExperiment {
    fn series(&self, s: &ArenaSummary, platform: &str, measure: &str) -> Option<Series> {
        let rows: Vec<&SummaryRow> = s
            .rows
            .iter()
            .filter(|r| r.platform == platform && r.measure == measure)
            .collect();
        if rows.is_empty() {
            return None;
        }
        let x = rows.iter().map(|r| r.step as f64).collect();
        let y = rows.iter().map(|r| r.quartiles.1).collect();
        Some(
            Series::line(format!("{platform} (median)"), x, y).with_band(
                rows.iter().map(|r| r.quartiles.0).collect(),
                rows.iter().map(|r| r.quartiles.2).collect(),
            ),
        )
    }

    fn figures(&self, s: &ArenaSummary) -> Vec<(&'static str, Figure)> {
        let mut shares = Figure::new(
            "Market share of each platform over time",
            "step (users arrived)",
            "market share (users so far)",
        );
        // Colour = platform (its index), the same in every figure of the run.
        for (p, name) in s.names.iter().enumerate() {
            if let Some(series) = self.series(s, name, "share") {
                shares = shares.with(series.coloured(p));
            }
        }
        // Per-type shares: one line per platform over the user types (the heat map's rows),
        // mean over runs.
        let m = s.trajectories.first().map_or(0, |t| t.type_arrivals.len());
        let mut by_type = Figure::new(
            "Share of each user type's users per platform (mean over runs)",
            "user type",
            "share of the type's users",
        )
        .with_integer_x();
        for (p, name) in s.names.iter().enumerate() {
            let y: Vec<f64> = (0..m)
                .map(|i| {
                    s.trajectories
                        .iter()
                        .map(|t| type_share(t, p, i))
                        .sum::<f64>()
                        / s.trajectories.len().max(1) as f64
                })
                .collect();
            let x = (0..m).map(|i| i as f64).collect();
            by_type = by_type.with(
                Series::line(name.clone(), x, y)
                    .styled(SeriesStyle::Points)
                    .coloured(p),
            );
        }
        let mut frontier = Figure::new(
            "Efficiency against entropy at the end of each run",
            "entropy of the platform's item shares (nats)",
            "efficiency (purchases / users served)",
        );
        for (p, name) in s.names.iter().enumerate() {
            let (x, y) = s
                .trajectories
                .iter()
                .filter_map(|t| t.points.last())
                .map(|pt| (pt.platforms[p].entropy, pt.platforms[p].efficiency))
                .unzip();
            frontier = frontier.with(
                Series::line(name.clone(), x, y)
                    .styled(SeriesStyle::Points)
                    .coloured(p),
            );
        }
        vec![
            ("fig_shares", shares),
            ("fig_type_shares", by_type),
            ("fig_efficiency_entropy", frontier),
        ]
    }

    fn report(
        &self,
        plan: &Plan,
        s: &ArenaSummary,
        figures: &[(&'static str, Figure)],
    ) -> Result<Report, IoError> {
        let last = *s.steps.last().unwrap_or(&0);
        let at_end = |platform: &str, measure: &str| {
            s.rows
                .iter()
                .find(|r| r.step == last && r.platform == platform && r.measure == measure)
        };
        let mut paragraphs = vec![format!(
            "{} platforms, {} runs of {last} users (seed {}). At the end (mean ± 95% half-width):",
            s.names.len(),
            plan.runs,
            plan.seed
        )];
        for name in &s.names {
            let f = |m: &str| {
                at_end(name, m).map_or_else(
                    || "-".to_string(),
                    |r| format!("{:.4}±{:.4}", r.estimate.mean, r.estimate.half_width),
                )
            };
            paragraphs.push(format!(
                "{name}: share {}, efficiency {}, entropy {}, Gini {}, regret vs the quality \
                 oracle {}, q error {}.",
                f("share"),
                f("efficiency"),
                f("entropy"),
                f("gini"),
                f("regret"),
                f("q_error")
            ));
        }
        if let (Some(w), Some(sp), Some(mx)) = (
            at_end(MARKET, "welfare"),
            at_end(MARKET, "specialisation"),
            at_end(MARKET, "specialisation_max"),
        ) {
            paragraphs.push(format!(
                "Market: welfare {:.4} purchases per user; specialisation index {:.4} bits of \
                 a possible {:.4}.",
                w.estimate.mean, sp.estimate.mean, mx.estimate.mean
            ));
        }
        let users: u64 = s
            .trajectories
            .iter()
            .map(|t| t.chosen_by_type.iter().flatten().sum::<u64>())
            .sum();
        let shares_ok = s.trajectories.iter().all(|t| {
            t.points.iter().all(|pt| {
                let sum: f64 = pt.platforms.iter().map(|p| p.share).sum();
                (sum - 1.0).abs() < 1e-9
            })
        });
        let summary = summary_table(&s.rows)?;
        let section = Section {
            heading: format!("Arena on {}", self.source_name()),
            paragraphs,
            tables: vec![(
                "Over runs: the last measurements".into(),
                tail(&summary, (s.names.len() * PLATFORM_MEASURES.len() + 3).min(40))?,
            )],
            figures: figures
                .iter()
                .map(|(stem, f)| (f.title.clone(), (*stem).to_string()))
                .collect(),
            findings: vec![],
            checks: vec![Finding {
                claim: "Every user chooses exactly one platform: shares lie on the simplex".into(),
                holds: shares_ok && users == plan.runs * last,
                evidence: format!(
                    "{users} platform choices for {} users; shares sum to 1 at every measurement: {shares_ok}",
                    plan.runs * last
                ),
            }],
        };
        Ok(Report {
            title: format!("marketloop arena: {}", self.source_name()),
            sections: vec![section],
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiment::{execute, execute_in};
    use crate::spec::arena::ArenaSpec;
    use std::path::Path;

    pub(crate) const SPEC: &str = r#"
steps = 3000
every = 1000
[market]
weights = [0.5, 0.5]
visibility = [[1.0, 0.5, 0.2, 0.7], [0.3, 0.9, 0.4, 0.6]]
quality = [[0.9, 0.5, 0.1, 0.3], [0.2, 0.3, 0.8, 0.4]]
feedback = 0.5
[[platforms]]
name = "oracle"
ranking = "quality"
[[platforms]]
name = "learner"
ranking = "thompson"
warm_start = 10
"#;

    fn exp() -> ArenaExperiment {
        let r = ArenaSpec::from_toml(SPEC, Path::new("a.toml"))
            .unwrap()
            .resolve(Path::new("."))
            .unwrap();
        ArenaExperiment::new(r, None)
    }

    #[test]
    fn too_many_runs_for_memory_are_refused_before_running() {
        let e = exp();
        let f = e.footprint(&Plan::new(0, 10_000_000));
        let err = f.check_against(1 << 30, "test budget").unwrap_err();
        assert_eq!(err.field().as_deref(), Some("runs"), "{err}");
        assert!(e
            .footprint(&Plan::new(0, 4))
            .check_against(1 << 30, "test")
            .is_ok());
    }

    #[test]
    fn the_long_table_and_the_folder_agree_and_resume_is_identical() {
        let e = exp();
        let plan = Plan::new(5, 4);
        let done = execute(&e, &plan, &|_| {}).unwrap();
        let t = e.table(&done.summary).unwrap();
        // 4 runs x 3 measurements x (2 platforms x 6-7 measures + 3 market measures)
        assert!(t.n_rows() >= 4 * 3 * (2 * 6 + 3));
        let dir = std::env::temp_dir().join(format!("arena-exp-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let a = execute_in(&e, &plan, &dir, false, &|_| {}).unwrap();
        assert_eq!(a.summary.trajectories, done.summary.trajectories);
        for f in [
            "trajectories.csv",
            "summary.csv",
            "type_shares.csv",
            "fig_shares.svg",
            "fig_type_shares.png",
            "fig_efficiency_entropy.svg",
            "report.html",
            "manifest.json",
        ] {
            assert!(dir.join(f).exists(), "{f}");
        }
        // resume after losing the manifest and one replicate: identical numbers
        std::fs::remove_file(dir.join("manifest.json")).unwrap();
        let b = execute_in(&e, &plan, &dir, true, &|_| {}).unwrap();
        assert_eq!(b.summary.trajectories, done.summary.trajectories);
        assert_eq!(b.resumed, 4);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn kind_arena_in_documents_gives_the_same_table() {
        let e = exp();
        let plan = Plan::new(9, 3);
        let want = e
            .table(&execute(&e, &plan, &|_| {}).unwrap().summary)
            .unwrap();
        let doc: serde_json::Value =
            serde_json::to_value(toml::from_str::<toml::Table>(SPEC).unwrap()).unwrap();
        let kind: crate::experiment::Kind = "arena".parse().unwrap();
        let got = crate::experiment::Experiments::new()
            .run(kind, &doc, 9, 3)
            .unwrap();
        assert_eq!(got, want);
        let mut bad = doc.clone();
        bad["platforms"][0]["window"] = serde_json::json!(3);
        let e = crate::experiment::Experiments::new()
            .validate(kind, &bad)
            .unwrap_err();
        assert_eq!(e.field().as_deref(), Some("platforms.window"), "{e}");
    }
}

#[cfg(test)]
mod custom_tests {
    use super::tests::SPEC;
    use super::*;
    use crate::experiment::{execute, execute_in};
    use crate::spec::arena::ArenaSpec;
    use marketloop_core::arena::{CustomRanking, RankingSetup};
    use marketloop_core::market::QualityRanking;
    use std::path::Path;

    fn resolved() -> ResolvedArena {
        ArenaSpec::from_toml(SPEC, Path::new("a.toml"))
            .unwrap()
            .resolve(Path::new("."))
            .unwrap()
    }

    /// The built-in quality oracle, run as a user's ranking.
    fn my_quality() -> CustomRanking {
        CustomRanking::new("my quality", |s: &RankingSetup<'_>| {
            Ok(QualityRanking::new(s.market, s.positions()))
        })
    }

    #[test]
    fn a_user_ranking_runs_through_the_executor_with_the_built_ins_numbers() {
        let plan = Plan::new(5, 3);
        let builtin = ArenaExperiment::new(resolved(), None);
        let want = builtin
            .table(&execute(&builtin, &plan, &|_| {}).unwrap().summary)
            .unwrap();
        let r = resolved().with_rankings(vec![(0, my_quality())]).unwrap();
        assert_eq!(
            r.config["platforms"][0]["ranking"],
            json!({"strategy": "custom", "name": "my quality"})
        );
        assert_eq!(r.config["platforms"][1]["ranking"]["strategy"], "learning");
        let e = ArenaExperiment::new(r, None);
        let done = execute(&e, &plan, &|_| {}).unwrap();
        assert_eq!(e.table(&done.summary).unwrap(), want);
        // a run folder, resumed after losing the manifest: the same numbers
        let dir = std::env::temp_dir().join(format!("arena-custom-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        execute_in(&e, &plan, &dir, false, &|_| {}).unwrap();
        std::fs::remove_file(dir.join("manifest.json")).unwrap();
        let b = execute_in(&e, &plan, &dir, true, &|_| {}).unwrap();
        assert_eq!(b.resumed, 3);
        assert_eq!(b.summary.trajectories, done.summary.trajectories);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_bad_slot_or_a_broken_ranking_is_an_error_naming_the_platform() {
        let err = resolved()
            .with_rankings(vec![(2, my_quality())])
            .unwrap_err();
        assert_eq!(err.field().as_deref(), Some("platforms[2]"), "{err}");
        // One item where min(P, n) = 4 are shown.
        let broken = CustomRanking::new("broken", |s: &RankingSetup<'_>| {
            Ok(QualityRanking::new(s.market, 1))
        });
        let e = ArenaExperiment::new(resolved().with_rankings(vec![(1, broken)]).unwrap(), None);
        let err = execute(&e, &Plan::new(5, 2), &|_| {}).unwrap_err();
        assert_eq!(
            err.field().as_deref(),
            Some("platforms[1].ranking"),
            "{err}"
        );
        let msg = err.to_string();
        assert!(
            msg.contains("platform \"learner\": ranking \"broken\" of replicate")
                && msg.contains("at step 1: rank returned 1 items"),
            "{msg}"
        );
    }
}
