//! `market simulate`: replicated stochastic simulations of one market — per-run trajectories of
//! efficiency and entropy (optionally the shares), their median and quartiles over runs, the
//! end state of every run, two figures and a report with its findings.
//!
//! A user's ranking or observers (the Python bindings' plug-ins) take the same path: a
//! [`MarketPlugins`] computes each replicate in place of the built-in ranking, and its
//! observers' columns follow the built-in ones in every table, so such a run gets the same run
//! folder, resume and sweeps as a built-in one.

use super::{tail, Experiment, Outputs, Plan};
use crate::market_spec::ResolvedMarket;
use crate::report::{Finding, Report, Section};
use crate::spec::limits::{at_most, mul, Footprint, MAX_STEPS};
use crate::table::{Column, Table};
use crate::{Figure, IoError, Series};
use marketloop_core::market::choice::LogitSampler;
use marketloop_core::market::equilibrium::residual;
use marketloop_core::market::measures::entropy;
use marketloop_core::market::{solve_tome, Simulation, TomeOptions, Trajectory, Visibility};
use marketloop_core::rng::SeedSequence;
use marketloop_core::stats::quartiles;
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

/// A user's plug-ins in a market simulation (a ranking that replaces the market's, observers
/// that add measurement columns): computes replicate `r` of `sim` from the master seed's
/// streams, exactly as the built-in path would with the plug-ins in place.
pub trait MarketPlugins: Send + Sync {
    /// What the plug-ins are (names), for the resolved config of the run folder and resume.
    fn describe(&self) -> serde_json::Value;
    /// The names of the observers' columns, in order (after the built-in ones).
    fn observer_names(&self) -> Vec<String>;
    /// The name of the ranking plug-in, if it replaces the market's ranking.
    fn ranking_name(&self) -> Option<String>;
    /// Replicate `r` of `sim`: its trajectory and, per measurement, the observers' values.
    fn replicate(
        &self,
        sim: &Simulation,
        seeds: SeedSequence,
        r: u64,
    ) -> Result<MarketReplicate, IoError>;
}

/// One finished replicate of a market simulation, as saved for resume: the trajectory and, with
/// observer plug-ins, their values at each measurement (one row per measurement; absent from
/// the saved file when there are none, so a built-in replicate is saved as its trajectory).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MarketReplicate {
    /// The built-in measurements and end state.
    #[serde(flatten)]
    pub trajectory: Trajectory,
    /// The observer plug-ins' values, one row per measurement.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub observed: Vec<Vec<f64>>,
}

/// The plug-ins of a simulation (shared by its clones).
#[derive(Clone)]
struct Plugins(Arc<dyn MarketPlugins>);

impl fmt::Debug for Plugins {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Plugins").field(&self.0.describe()).finish()
    }
}

/// Replicated simulations of a resolved market: `steps` users per run, a measurement every
/// `every` steps and after the last.
#[derive(Clone, Debug)]
pub struct MarketSimulate {
    /// The resolved market's config record (the market itself lives in `sim`: a large
    /// catalogue is held once).
    market_config: serde_json::Value,
    /// Whether visibility is fixed (no ranking).
    static_visibility: bool,
    sim: Simulation,
    shares: bool,
    source: Option<PathBuf>,
    plugins: Option<Plugins>,
}

/// The median and quartiles over runs of one measure, at every measurement.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Quartiles {
    /// 25% quantile.
    pub q25: Vec<f64>,
    /// Median.
    pub median: Vec<f64>,
    /// 75% quantile.
    pub q75: Vec<f64>,
}

impl Quartiles {
    fn push(&mut self, values: &mut [f64]) {
        let (a, b, c) = quartiles(values);
        self.q25.push(a);
        self.median.push(b);
        self.q75.push(c);
    }
}

/// The results of a simulation.
#[derive(Clone, Debug)]
pub struct SimulateSummary {
    /// Every run, in run order.
    pub trajectories: Vec<Trajectory>,
    /// Per run, the observer plug-ins' values (one row per measurement; empty without them).
    pub observed: Vec<Vec<Vec<f64>>>,
    /// The steps at which measurements were taken.
    pub steps: Vec<u64>,
    /// Efficiency over runs, per measurement.
    pub efficiency: Quartiles,
    /// Entropy over runs, per measurement.
    pub entropy: Quartiles,
}

impl MarketSimulate {
    /// Validates the simulation of `market`; `source` names the spec file (recorded in the
    /// manifest and shown in the report), if there is one.
    pub fn new(
        market: ResolvedMarket,
        source: Option<PathBuf>,
        steps: u64,
        every: u64,
        shares: bool,
    ) -> Result<Self, IoError> {
        at_most("steps", steps, MAX_STEPS)?;
        let static_visibility = matches!(market.visibility, Visibility::Static);
        let sim = Simulation::new(market.market, market.visibility, steps, every, shares)?;
        Ok(Self {
            market_config: market.config,
            static_visibility,
            sim,
            shares,
            source,
            plugins: None,
        })
    }

    /// The same simulation computed with a user's plug-ins (a ranking replacing the market's,
    /// observers adding columns). Their names enter the resolved config, so a run folder made
    /// with other plug-ins is not resumed by mistake.
    pub fn with_plugins(mut self, plugins: Arc<dyn MarketPlugins>) -> Self {
        if plugins.ranking_name().is_some() {
            self.static_visibility = false;
        }
        self.plugins = Some(Plugins(plugins));
        self
    }

    /// The observer plug-ins' column names (empty without them).
    fn observer_names(&self) -> Vec<String> {
        self.plugins
            .as_ref()
            .map_or_else(Vec::new, |p| p.0.observer_names())
    }

    /// What ranks the items: the plug-in's name, or the market's visibility.
    fn ranking_label(&self) -> String {
        match self.plugins.as_ref().and_then(|p| p.0.ranking_name()) {
            Some(name) => format!("ranking plug-in {name:?}"),
            None => self.sim.visibility().name().into(),
        }
    }

    /// The validated simulation.
    pub fn simulation(&self) -> &Simulation {
        &self.sim
    }

    fn source_name(&self) -> String {
        super::source_name(self.source.as_deref())
    }
}

impl Experiment for MarketSimulate {
    const COMMAND: &'static str = "market simulate";
    const ARM: &'static str = "market";
    const PHASE: &'static str = "simulation";
    const REPLICATED: bool = true;
    type Replicate = MarketReplicate;
    type Summary = SimulateSummary;

    fn config(&self, plan: &Plan) -> serde_json::Value {
        let mut c = json!({
            "market_file": self.source,
            "market": self.market_config,
            "steps": self.sim.steps(),
            "runs": plan.runs,
            "every": self.sim.every(),
            "shares": self.shares,
        });
        if let Some(p) = &self.plugins {
            c["plugins"] = p.0.describe();
        }
        c
    }

    /// Per run: its measurements (with the shares if recorded) and end state, about three
    /// times over (the replicates, the long table and its text); per busy worker (no more
    /// than the runs): the engine's state, 64 bytes per item and, under fixed visibility, the
    /// logit sampler's trees and lists as built (`LogitSampler::layout`: at most 64 MiB or
    /// 2 bytes per (type, item), plus 8 per visible (type, item) unless every type sees every
    /// item), else the ranking's, at most 16 bytes per (type, item) (explore-then-exploit's
    /// counts); and the market's visibility and quality as stored (8 bytes per value, 4 with
    /// `precision = "f32"`; the trees' 2 bytes per (type, item) become 1).
    fn footprint(&self, plan: &Plan) -> Footprint {
        let n = self.sim.market().n_items() as u128;
        let m = self.sim.market().n_types() as u128;
        let every = self.sim.every().max(1);
        let measurements = u128::from(self.sim.steps() / every) + 1;
        let per_measurement = 48 + if self.shares { 24 + 8 * n } else { 0 };
        let per_run = mul(measurements, per_measurement).saturating_add(128 + 32 * n);
        let workers = (rayon::current_num_threads() as u128).min(u128::from(plan.runs).max(1));
        let mut f = Footprint::new();
        f.add(
            "runs",
            "the runs' trajectories",
            u128::from(plan.runs),
            3 * per_run,
        );
        let engine = if self.static_visibility {
            LogitSampler::layout(self.sim.market()).1 as u128
        } else {
            16 * n * m
        };
        f.add("items", "the engines' state", workers, engine + 64 * n);
        let market = self.sim.market();
        f.add(
            "visibility",
            "the market's visibility and quality matrices (as stored: see precision)",
            1,
            (market.visibility().bytes() + market.quality().bytes()) as u128,
        );
        f
    }

    fn replicate(&self, seeds: SeedSequence, r: u64) -> Result<MarketReplicate, IoError> {
        match &self.plugins {
            Some(p) => p.0.replicate(&self.sim, seeds, r),
            None => Ok(MarketReplicate {
                trajectory: self.sim.run_replicate(seeds, r),
                observed: Vec::new(),
            }),
        }
    }

    fn summarize(
        &self,
        _: &Plan,
        replicates: Vec<MarketReplicate>,
    ) -> Result<SimulateSummary, IoError> {
        let steps = self.sim.measurement_steps();
        let columns = self.observer_names().len();
        let mut trajectories = Vec::with_capacity(replicates.len());
        let mut observed = Vec::with_capacity(replicates.len());
        for rep in replicates {
            let rows_ok = rep.trajectory.measurements.len() == steps.len()
                && (columns == 0 && rep.observed.is_empty()
                    || rep.observed.len() == steps.len()
                        && rep.observed.iter().all(|row| row.len() == columns));
            if !rows_ok {
                return Err(IoError::spec(
                    "observers",
                    format!(
                        "replicate {} has {} measurements and {} observer rows, expected {} \
                         measurements of {columns} observer values: rerun into a new folder",
                        rep.trajectory.replicate,
                        rep.trajectory.measurements.len(),
                        rep.observed.len(),
                        steps.len()
                    ),
                ));
            }
            trajectories.push(rep.trajectory);
            observed.push(rep.observed);
        }
        let mut efficiency = Quartiles::default();
        let mut entropy = Quartiles::default();
        for k in 0..steps.len() {
            let mut e: Vec<f64> = trajectories
                .iter()
                .map(|t| t.measurements[k].efficiency)
                .collect();
            let mut h: Vec<f64> = trajectories
                .iter()
                .map(|t| t.measurements[k].entropy)
                .collect();
            efficiency.push(&mut e);
            entropy.push(&mut h);
        }
        Ok(SimulateSummary {
            trajectories,
            observed,
            steps,
            efficiency,
            entropy,
        })
    }

    fn table(&self, s: &SimulateSummary) -> Result<Table, IoError> {
        let mut t = trajectories_table(&self.sim, self.shares, &s.trajectories)?;
        for (c, name) in self.observer_names().iter().enumerate() {
            let col = s.observed.iter().flatten().map(|row| row[c]).collect();
            t.push(name, Column::F64(col))?;
        }
        Ok(t)
    }

    fn outputs(&self, plan: &Plan, s: &SimulateSummary) -> Result<Outputs, IoError> {
        let mut out = Outputs::default();
        out.table("trajectories", self.table(s)?);
        let (e, h) = (&s.efficiency, &s.entropy);
        let summary = Table::new()
            .with(
                "step",
                Column::I64(s.steps.iter().map(|&x| x as i64).collect()),
            )?
            .with("efficiency_median", Column::F64(e.median.clone()))?
            .with("efficiency_q25", Column::F64(e.q25.clone()))?
            .with("efficiency_q75", Column::F64(e.q75.clone()))?
            .with("entropy_median", Column::F64(h.median.clone()))?
            .with("entropy_q25", Column::F64(h.q25.clone()))?
            .with("entropy_q75", Column::F64(h.q75.clone()))?;
        out.table("summary", summary.clone());
        out.table("runs", runs_table(&s.trajectories)?);
        let figures = self.figures(plan, s);
        let report = self.report(plan, s, &summary, &figures)?;
        for (stem, f) in figures {
            out.figure(stem, f);
        }
        out.report = Some(report);
        Ok(out)
    }
}

fn purchases(t: &Trajectory) -> u64 {
    t.final_counts.iter().sum::<u64>() - t.initial_counts.iter().sum::<u64>()
}

/// Per-run end state: `run, efficiency, entropy, purchases, idle_users`.
fn runs_table(trajectories: &[Trajectory]) -> Result<Table, IoError> {
    let last = |f: fn(&marketloop_core::market::Measurement) -> f64| -> Vec<f64> {
        trajectories
            .iter()
            .map(|t| t.measurements.last().map_or(0.0, f))
            .collect()
    };
    Table::new()
        .with(
            "run",
            Column::I64(trajectories.iter().map(|t| t.replicate as i64).collect()),
        )?
        .with("efficiency", Column::F64(last(|m| m.efficiency)))?
        .with("entropy", Column::F64(last(|m| m.entropy)))?
        .with(
            "purchases",
            Column::I64(trajectories.iter().map(|t| purchases(t) as i64).collect()),
        )?
        .with(
            "idle_users",
            Column::I64(trajectories.iter().map(|t| t.idle as i64).collect()),
        )
}

impl MarketSimulate {
    fn figures(&self, plan: &Plan, s: &SimulateSummary) -> Vec<(&'static str, Figure)> {
        let x: Vec<f64> = s.steps.iter().map(|&v| v as f64).collect();
        let label = format!("{} ({} runs)", self.ranking_label(), plan.runs);
        let figure = |title: &str, y: &str, q: &Quartiles| {
            Figure::new(title, "step (users arrived)", y).with(
                Series::line(format!("median, {label}"), x.clone(), q.median.clone())
                    .with_band(q.q25.clone(), q.q75.clone()),
            )
        };
        vec![
            (
                "fig_efficiency",
                figure(
                    "Market efficiency over time",
                    "efficiency (purchases / users)",
                    &s.efficiency,
                ),
            ),
            (
                "fig_entropy",
                figure(
                    "Diversity over time",
                    "entropy of market shares (nats)",
                    &s.entropy,
                ),
            ),
        ]
    }

    fn report(
        &self,
        plan: &Plan,
        s: &SimulateSummary,
        summary: &Table,
        figures: &[(&'static str, Figure)],
    ) -> Result<Report, IoError> {
        let n = self.sim.market().n_items();
        let last = s.steps.len() - 1;
        let (e, h) = (&s.efficiency, &s.entropy);
        let source = self.source_name();
        let mut section = Section {
            heading: format!("{} on {source}", self.ranking_label()),
            paragraphs: vec![format!(
                "{} items, {} user types, {} runs of {} users (seed {}), a measurement every {} steps. \
                 At step {}: median efficiency {:.4} (25-75%: {:.4}-{:.4}), median entropy {:.4} nats \
                 (25-75%: {:.4}-{:.4}; maximum ln n = {:.4}).",
                n,
                self.sim.market().n_types(),
                plan.runs,
                self.sim.steps(),
                plan.seed,
                self.sim.every(),
                s.steps[last],
                e.median[last],
                e.q25[last],
                e.q75[last],
                h.median[last],
                h.q25[last],
                h.q75[last],
                (n as f64).ln()
            )],
            tables: vec![(
                "Median and quartiles over runs (last 10 measurements)".into(),
                tail(summary, 10)?,
            )],
            figures: figures
                .iter()
                .map(|(stem, f)| (f.title.clone(), (*stem).to_string()))
                .collect(),
            findings: Vec::new(),
            checks: Vec::new(),
        };
        let t = &s.trajectories;
        let bought: u64 = t.iter().map(purchases).sum();
        let tried: u64 = t.iter().map(|t| t.trials.iter().sum::<u64>()).sum();
        let idle: u64 = t.iter().map(|t| t.idle).sum();
        section.checks.push(Finding {
            claim: "Counts are conserved: every user tries at most one item and buys at most what she tried".into(),
            holds: tried + idle == plan.runs * self.sim.steps() && bought <= tried,
            evidence: format!("{tried} trials + {idle} idle users = {} users; {bought} purchases", tried + idle),
        });
        match self.tome_finding(t) {
            Tome::Found(f) => section.findings.push(f),
            Tome::TooBig(pairs) => section.paragraphs.push(format!(
                "The distance to the interior TOME is not checked here: its fixed point costs \
                 n x M = {pairs} (type, item) pairs per iteration, more than the report's \
                 {REPORT_TOME_MAX_PAIRS}. `marketloop market equilibrium` computes it."
            )),
            Tome::NotApplicable => {}
        }
        Ok(Report {
            title: format!("marketloop market simulate: {source}"),
            sections: vec![section],
        })
    }

    /// With fixed visibility and every r_i in (0, 1), the shares should approach the interior
    /// TOME (Thms 3.4, 3.7): compares the mean L1 distance of the initial and final shares to it.
    /// Markets beyond [`REPORT_TOME_MAX_PAIRS`] are not checked (the report says so).
    fn tome_finding(&self, trajectories: &[Trajectory]) -> Tome {
        let market = self.sim.market();
        if !self.static_visibility || !market.feedback().iter().all(|&x| x > 0.0 && x < 1.0) {
            return Tome::NotApplicable;
        }
        let pairs = market.n_items() * market.n_types();
        if pairs > REPORT_TOME_MAX_PAIRS {
            return Tome::TooBig(pairs);
        }
        let Some(tome) = solve_tome(market, TomeOptions::default())
            .ok()
            .filter(|t| t.converged)
        else {
            return Tome::NotApplicable;
        };
        let dist = |counts: &[u64]| -> f64 {
            let d: f64 = counts.iter().map(|&c| c as f64).sum();
            counts
                .iter()
                .zip(&tome.shares)
                .map(|(&c, s)| (c as f64 / d - s).abs())
                .sum()
        };
        let k = trajectories.len() as f64;
        let mean = |f: &dyn Fn(&Trajectory) -> f64| trajectories.iter().map(f).sum::<f64>() / k;
        let d0 = mean(&|t| dist(&t.initial_counts));
        let d1 = mean(&|t| dist(&t.final_counts));
        let final_h = mean(&|t| {
            let sh: Vec<f64> = t.final_counts.iter().map(|&c| c as f64).collect();
            entropy(&sh)
        });
        let res = residual(market, &tome.shares)
            .map(|x| format!("{x:.1e}"))
            .unwrap_or_else(|_| "undefined".into());
        Tome::Found(Finding {
            claim: "The market shares approach the interior TOME (Thms 3.4 / 3.7; guaranteed for \
                    homogeneous markets and for common r with v_ij = v_j or q_ij = q_j)"
                .into(),
            holds: d1 < d0,
            evidence: format!(
                "mean L1 distance to the TOME of {}: {d0:.4} at the start, {d1:.4} at the end \
                 (TOME residual {res}, TOME entropy {:.4}, final entropy {final_h:.4})",
                self.source_name(),
                entropy(&tome.shares)
            ),
        })
    }
}

/// The largest market (n items x M types) whose report checks the distance to the interior TOME:
/// each fixed-point iteration costs n x M powers and products, seconds per iteration beyond
/// this (Figure 2's market is 168,200 pairs).
pub const REPORT_TOME_MAX_PAIRS: usize = 10_000_000;

/// The report's TOME check.
enum Tome {
    /// The finding.
    Found(Finding),
    /// Not run: the market has this many (type, item) pairs.
    TooBig(usize),
    /// Not a fixed-visibility interior market, or no converged TOME.
    NotApplicable,
}

/// One row per run x measurement: `run, step, efficiency, entropy` and, if recorded,
/// `share_0 .. share_{n-1}` with `with_shares` (the columns of `trajectories.csv` of
/// `marketloop market simulate`).
pub fn trajectories_table(
    sim: &Simulation,
    with_shares: bool,
    trajectories: &[Trajectory],
) -> Result<Table, IoError> {
    let n = sim.market().n_items();
    let rows: usize = trajectories.iter().map(|t| t.measurements.len()).sum();
    let mut run = Vec::with_capacity(rows);
    let mut step = Vec::with_capacity(rows);
    let mut eff = Vec::with_capacity(rows);
    let mut ent = Vec::with_capacity(rows);
    let mut share_cols: Vec<Vec<f64>> = if with_shares {
        vec![Vec::with_capacity(rows); n]
    } else {
        Vec::new()
    };
    for t in trajectories {
        for m in &t.measurements {
            run.push(t.replicate as i64);
            step.push(m.step as i64);
            eff.push(m.efficiency);
            ent.push(m.entropy);
            if with_shares {
                let sh = m.shares.as_deref().ok_or_else(|| {
                    IoError::spec(
                        "shares",
                        "a saved replicate has no shares although shares = true; \
                         rerun into a new folder",
                    )
                })?;
                for (c, &s) in share_cols.iter_mut().zip(sh) {
                    c.push(s);
                }
            }
        }
    }
    let mut t = Table::new()
        .with("run", Column::I64(run))?
        .with("step", Column::I64(step))?
        .with("efficiency", Column::F64(eff))?
        .with("entropy", Column::F64(ent))?;
    for (j, c) in share_cols.into_iter().enumerate() {
        t.push(&format!("share_{j}"), Column::F64(c))?;
    }
    Ok(t)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiment::{execute, execute_in};
    use crate::spec::market::MarketSpec;
    use marketloop_core::market::{FnObserver, QualityRanking};
    use std::path::Path;
    use std::sync::atomic::{AtomicU64, Ordering};

    const MARKET: &str = r#"
weights = [0.4, 0.6]
visibility = [[1.0, 0.8, 0.6, 0.5], [0.2, 0.4, 0.6, 0.9]]
quality = [[0.9, 0.5, 0.6, 0.2], [0.3, 0.4, 0.7, 0.8]]
feedback = 0.5
initial_counts = 1

[ranking]
strategy = "popularity"
"#;

    fn simulate() -> MarketSimulate {
        let m = MarketSpec::from_toml(MARKET, Path::new("m.toml"))
            .unwrap()
            .resolve(Path::new("."))
            .unwrap();
        MarketSimulate::new(m, None, 3_000, 500, true).unwrap()
    }

    /// A quality ranking given as a plug-in, with an observer counting purchases; fails on
    /// replicate `fail_at` while `fail_at` holds it.
    struct QualityPlugin {
        fail_at: AtomicU64,
    }

    impl MarketPlugins for QualityPlugin {
        fn describe(&self) -> serde_json::Value {
            json!({"ranking": "quality (test)", "observers": ["bought"]})
        }
        fn observer_names(&self) -> Vec<String> {
            vec!["bought".into()]
        }
        fn ranking_name(&self) -> Option<String> {
            Some("quality (test)".into())
        }
        fn replicate(
            &self,
            sim: &Simulation,
            seeds: SeedSequence,
            r: u64,
        ) -> Result<MarketReplicate, IoError> {
            if self.fail_at.load(Ordering::Relaxed) == r {
                return Err(IoError::spec(
                    "ranking",
                    format!("plug-in failed in replicate {r}"),
                ));
            }
            let Visibility::Ranked { bias, .. } = sim.visibility() else {
                unreachable!("the test market is ranked")
            };
            let p = bias.positions();
            let sampler = sim.ranked(QualityRanking::new(sim.market(), p), bias);
            let mut run = sim.start_with(seeds, r, sampler);
            let bought = FnObserver::new(
                ["bought"],
                |v: &marketloop_core::market::RunView<'_>, out: &mut [f64]| {
                    out[0] = v.state.counts().iter().sum::<u64>() as f64;
                },
            );
            run.add_observer(Box::new(bought)).unwrap();
            run.run_to_end();
            let builtin = 2 + sim.market().n_items();
            let (trajectory, obs) = run.finish();
            let observed = (0..obs.len())
                .map(|k| obs.row(k)[builtin..].to_vec())
                .collect();
            Ok(MarketReplicate {
                trajectory,
                observed,
            })
        }
    }

    #[test]
    fn a_built_in_replicate_is_saved_exactly_as_its_trajectory() {
        let e = simulate();
        let rep = e.replicate(SeedSequence::new(3), 1).unwrap();
        let as_trajectory = serde_json::to_vec(&rep.trajectory).unwrap();
        assert_eq!(serde_json::to_vec(&rep).unwrap(), as_trajectory);
        let back: MarketReplicate = serde_json::from_slice(&as_trajectory).unwrap();
        assert_eq!(back, rep);
    }

    #[test]
    fn plug_ins_get_the_folder_their_columns_and_resume_after_a_failure() {
        let plugin = Arc::new(QualityPlugin {
            fail_at: AtomicU64::new(2),
        });
        let e = simulate().with_plugins(plugin.clone());
        let plan = Plan::new(11, 4);
        let dir = std::env::temp_dir().join(format!("sim-plugins-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        // Replicate 2 fails: the run stops with the plug-in's error, finished replicates stay.
        let err = execute_in(&e, &plan, &dir, false, &|_| {}).unwrap_err();
        assert_eq!(err.field().as_deref(), Some("ranking"), "{err}");
        assert!(dir.join(crate::run::INCOMPLETE).exists());
        // Fixed, the run resumes and equals an uninterrupted run.
        plugin.fail_at.store(u64::MAX, Ordering::Relaxed);
        let resumed = execute_in(&e, &plan, &dir, true, &|_| {}).unwrap();
        assert!(resumed.resumed >= 1, "{}", resumed.resumed);
        let whole = execute(&e, &plan, &|_| {}).unwrap();
        assert_eq!(resumed.summary.trajectories, whole.summary.trajectories);
        assert_eq!(resumed.summary.observed, whole.summary.observed);
        let t = e.table(&whole.summary).unwrap();
        let csv = std::fs::read_to_string(dir.join("trajectories.csv")).unwrap();
        let header = csv.lines().next().unwrap();
        assert!(header.ends_with(",share_3,bought"), "{header}");
        assert_eq!(t.n_rows(), 4 * 6);
        // The observer saw the counts: 4 initial + one per purchase, never decreasing.
        for run in &whole.summary.observed {
            assert!(run.windows(2).all(|w| w[0][0] <= w[1][0]), "{run:?}");
            assert!(run[0][0] >= 4.0);
        }
        // The built-in columns are those of the plug-in's ranking: the quality ranking.
        let quality = MarketSpec::from_toml(
            &MARKET.replace("\"popularity\"", "\"quality\""),
            Path::new("q.toml"),
        )
        .unwrap()
        .resolve(Path::new("."))
        .unwrap();
        let q = MarketSimulate::new(quality, None, 3_000, 500, true).unwrap();
        let want = execute(&q, &plan, &|_| {}).unwrap();
        assert_eq!(want.summary.trajectories, whole.summary.trajectories);
        let config = std::fs::read_to_string(dir.join("run.json")).unwrap();
        assert!(config.contains("quality (test)"), "{config}");
        assert!(std::fs::read_to_string(dir.join("report.html"))
            .unwrap()
            .contains("ranking plug-in"));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn the_memory_estimate_counts_one_engine_per_busy_worker() {
        // 4 items x 2 types under a popularity ranking: an engine is estimated at 16 n m +
        // 64 n = 384 bytes. With one run, a second worker holds no engine; with five runs, each
        // of two workers does.
        let sim = simulate();
        let with = |threads: usize, runs: u64| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap()
                .install(|| sim.footprint(&Plan::new(0, runs)).total())
        };
        assert_eq!(with(2, 1), with(1, 1));
        assert_eq!(with(2, 5) - with(1, 5), 384);
    }
}
