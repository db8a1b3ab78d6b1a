//! `compete`: one competing-bandits experiment of a [`CompeteSpec`] — one game per run on its
//! own mean vector; per-run results, summaries by firm and for the market, shares at the
//! checkpoints, the share histogram, and optionally every algorithm's performance in isolation.

use super::{Experiment, Outputs, Plan};
use crate::compete_spec::CompeteSpec;
use crate::report::{Finding, Report, Section};
use crate::table::{Column, Table};
use crate::{Figure, IoError, Series, SeriesStyle};
use marketloop_core::bandits::{
    disadvantaged_period, metrics::histogram, AlgorithmKind, AlgorithmSpec, CellSummary,
    CompetitionOutcome, CustomResponse, Estimate, Experiment as Games, FirmAlgorithm,
    IsolationConfig, RewardModel,
};
use marketloop_core::rng::SeedSequence;
use marketloop_core::runner::Schedule;
use std::time::Instant;

/// A validated competing-bandits experiment: the game of a [`CompeteSpec`]; the master seed and
/// the number of runs come from the executor's [`Plan`], as for every kind.
///
/// `A` is the firms' algorithm description: built-in names ([`AlgorithmKind`], what a spec
/// holds; static dispatch) or [`FirmAlgorithm`] once user algorithms (plug-ins) take some slots
/// ([`Compete::with_algorithms`]): the same engine, executor and run folder.
#[derive(Clone, Debug)]
pub struct Compete<A = AlgorithmKind> {
    spec: CompeteSpec,
    games: Games<A>,
    /// The firms' labels recorded in the manifest in place of the spec's names, when some
    /// slots hold user algorithms.
    plugin_labels: Option<Vec<String>>,
}

/// The results of the games.
#[derive(Clone, Debug)]
pub struct CompeteSummary {
    /// Every run's outcome, in run order.
    pub outcomes: Vec<CompetitionOutcome>,
    /// Means and confidence half-widths over runs.
    pub cell: CellSummary,
}

/// "mean±half-width" with three decimals.
pub fn pm(e: &Estimate) -> String {
    format!("{:.3}±{:.3}", e.mean, e.half_width)
}

impl Compete {
    /// Validates the instance and the game of `spec`.
    pub fn new(spec: CompeteSpec) -> Result<Self, IoError> {
        let games = Games::new(
            spec.instance.clone(),
            vec![spec.game.clone()],
            // Replaced by the plan's seed in every replicate.
            SeedSequence::new(0),
        )?;
        Ok(Self {
            spec,
            games,
            plugin_labels: None,
        })
    }

    /// The same experiment with the firms' algorithms replaced by `algorithms` (one per slot of
    /// the spec, built-ins or user algorithms), validated again. The manifest records their
    /// labels in place of the spec's names.
    pub fn with_algorithms(
        self,
        algorithms: Vec<FirmAlgorithm>,
    ) -> Result<Compete<FirmAlgorithm>, IoError> {
        let n = self.spec.game.algorithms.len();
        if algorithms.len() != n {
            return Err(IoError::spec(
                "algorithms",
                format!(
                    "{} algorithms given for a spec of {n} firms",
                    algorithms.len()
                ),
            ));
        }
        let labels = algorithms.iter().map(|a| a.label()).collect();
        let games = Games::new(
            self.spec.instance.clone(),
            vec![self.spec.game.clone().with_algorithms(algorithms)],
            self.games.seed,
        )?;
        Ok(Compete {
            spec: self.spec,
            games,
            plugin_labels: Some(labels),
        })
    }
}

impl<A: AlgorithmSpec> Compete<A> {
    /// The spec.
    pub fn spec(&self) -> &CompeteSpec {
        &self.spec
    }

    /// The games (one cell: the spec's game with these algorithms).
    pub fn games(&self) -> &Games<A> {
        &self.games
    }

    fn names(&self) -> Vec<String> {
        self.games.cells[0]
            .algorithms
            .iter()
            .map(|a| a.label())
            .collect()
    }

    fn slot(&self, i: usize) -> String {
        format!("firm {} ({})", i + 1, self.names()[i])
    }

    /// The same experiment with users who choose by `response` (a user's response function,
    /// built afresh for every game) in place of the spec's. The manifest records its name.
    pub fn with_response(mut self, response: CustomResponse) -> Self {
        for cell in &mut self.games.cells {
            cell.custom_response = Some(response.clone());
        }
        self
    }

    /// The report's heading: the game, instance, scenario and response.
    /// Under Gaussian rewards the heading also names them ("..., gaussian(sigma=1) rewards").
    pub fn heading(&self) -> String {
        let g = &self.spec.game;
        let rewards = match g.rewards {
            RewardModel::Bernoulli => String::new(),
            other => format!(", {other} rewards"),
        };
        format!(
            "{} on {} ({}, {}{rewards})",
            self.games.cells[0].label(),
            self.spec.instance.display_name(),
            g.scenario.short(),
            self.games.cells[0].response_label()
        )
    }

    /// Market share and regret by firm.
    pub fn firms_table(&self, s: &CompeteSummary) -> Result<Table, IoError> {
        let c = &s.cell;
        let mean = |v: &[Estimate]| Column::F64(v.iter().map(|e| e.mean).collect());
        Table::new()
            .with(
                "firm",
                Column::Str((0..self.names().len()).map(|i| self.slot(i)).collect()),
            )?
            .with("algorithm", Column::Str(self.names()))?
            .with("share_mean", mean(&c.share))?
            .with(
                "share_half_width",
                Column::F64(c.share.iter().map(|e| e.half_width).collect()),
            )?
            .with(
                "share_variance",
                Column::F64(c.share.iter().map(|e| e.variance).collect()),
            )?
            .with("game_regret_mean", mean(&c.firm_regret))?
            .with("warm_start_regret_mean", mean(&c.warm_start_regret))
    }

    /// Market regret, monopoly regret and EEOG.
    pub fn market_table(&self, s: &CompeteSummary) -> Result<Table, IoError> {
        let c = &s.cell;
        Table::new()
            .with(
                "metric",
                Column::Str(vec![
                    "market regret".into(),
                    "monopoly regret".into(),
                    "EEOG mean".into(),
                    "EEOG median".into(),
                ]),
            )?
            .with(
                "mean",
                Column::F64(vec![
                    c.regret.mean,
                    c.monopoly_regret.mean,
                    c.eeog_mean,
                    c.eeog_median,
                ]),
            )?
            .with(
                "half_width",
                Column::F64(vec![
                    c.regret.half_width,
                    c.monopoly_regret.half_width,
                    0.0,
                    0.0,
                ]),
            )
    }

    fn checkpoints_table(&self, s: &CompeteSummary) -> Result<Table, IoError> {
        let c = &s.cell;
        let mut t = Table::new().with(
            "t",
            Column::I64(
                self.spec
                    .game
                    .checkpoints
                    .iter()
                    .map(|&x| x as i64)
                    .collect(),
            ),
        )?;
        for i in 0..self.names().len() {
            t.push(
                &format!("share_firm{}", i + 1),
                Column::Str(c.checkpoint_share.iter().map(|x| pm(&x[i])).collect()),
            )?;
        }
        t.push(
            "market_regret",
            Column::Str(c.checkpoint_regret.iter().map(pm).collect()),
        )?;
        Ok(t)
    }

    /// Each algorithm alone for T0 + T rounds on the same mean vectors: the table, figures
    /// and report section.
    fn isolation(&self, plan: &Plan, out: &mut Outputs) -> Result<Section, IoError> {
        let spec = &self.spec;
        let names = self.names();
        let rounds = spec.game.t0 + spec.game.t;
        let cfg = IsolationConfig {
            instance: spec.instance.clone(),
            algorithms: self.games.cells[0].algorithms.clone(),
            prior: spec.game.prior,
            tie: spec.game.tie,
            window: spec.game.window,
            rounds,
            snapshots: vec![spec.game.t0.min(rounds)],
            seed: SeedSequence::new(plan.seed),
            rewards: spec.game.rewards,
        };
        let iso = cfg.run(plan.runs, Schedule::Parallel)?;
        let t: Vec<f64> = (1..=rounds).map(|x| x as f64).collect();
        let mut tab = Table::new().with("t", Column::I64((1..=rounds as i64).collect()))?;
        let mut rep_fig = Figure::new("Mean reputation in isolation", "round t", "mean reputation");
        let mut rew_fig = Figure::new(
            "Mean instantaneous reward in isolation",
            "round t",
            "mean of mu(a_t)",
        );
        for (a, n) in names.iter().enumerate() {
            let col = format!("{}_{n}", a + 1);
            tab.push(
                &format!("reputation_{col}"),
                Column::F64(iso.mean_reputation[a].clone()),
            )?;
            tab.push(
                &format!("reward_{col}"),
                Column::F64(iso.mean_reward[a].clone()),
            )?;
            tab.push(
                &format!("regret_{col}"),
                Column::F64(iso.mean_regret[a].clone()),
            )?;
            rep_fig = rep_fig.with(Series::line(
                n.clone(),
                t.clone(),
                iso.mean_reputation[a].clone(),
            ));
            rew_fig = rew_fig.with(Series::line(
                n.clone(),
                t.clone(),
                iso.mean_reward[a].clone(),
            ));
        }
        let mut section = Section {
            heading: "Performance in isolation".into(),
            paragraphs: vec![format!("Each algorithm alone for T0 + T = {rounds} rounds on the same mean vectors. Relative reputation of A vs B = fraction of runs with A's reputation above B's, exact ties counting 1/2.")],
            ..Section::default()
        };
        let mut rel_fig = Figure::new(
            "Relative reputation in isolation",
            "round t",
            "P(rep A > rep B), ties 1/2",
        );
        for ((a, b), rel) in &iso.relative {
            let name = format!("{} vs {}", names[*a], names[*b]);
            tab.push(
                &format!(
                    "relative_{}_{}_vs_{}_{}",
                    a + 1,
                    names[*a],
                    b + 1,
                    names[*b]
                ),
                Column::F64(rel.clone()),
            )?;
            rel_fig = rel_fig.with(Series::line(name.clone(), t.clone(), rel.clone()));
            section
                .paragraphs
                .push(match disadvantaged_period(rel, iso.runs, 20) {
                    Some((s, e)) => format!(
                        "{name}: {} is significantly behind from round {s} to {e}",
                        names[*a]
                    ),
                    None => format!(
                        "{name}: {} is never significantly behind for 20 rounds or more",
                        names[*a]
                    ),
                });
        }
        out.table("isolation", tab);
        for (stem, f) in [
            ("fig_isolation_reputation", rep_fig),
            ("fig_isolation_reward", rew_fig),
            ("fig_isolation_relative", rel_fig),
        ] {
            section.figures.push((f.title.clone(), stem.into()));
            out.figure(stem, f);
        }
        Ok(section)
    }
}

impl<A: AlgorithmSpec> Experiment for Compete<A> {
    const COMMAND: &'static str = "compete";
    const ARM: &'static str = "game";
    const PHASE: &'static str = "games";
    const REPLICATED: bool = true;
    type Replicate = CompetitionOutcome;
    type Summary = CompeteSummary;

    fn config(&self, plan: &Plan) -> serde_json::Value {
        let mut config = serde_json::to_value(&self.spec).unwrap_or_default();
        if let Some(map) = config.as_object_mut() {
            map.insert("seed".into(), plan.seed.into());
            map.insert("runs".into(), plan.runs.into());
        }
        if let Some(labels) = &self.plugin_labels {
            config["game"]["algorithms"] = serde_json::json!(labels);
        }
        if let Some(c) = &self.games.cells[0].custom_response {
            config["game"]["response"] = serde_json::json!({ "plug-in": c.name() });
        }
        config
    }

    fn footprint(&self, plan: &Plan) -> crate::spec::limits::Footprint {
        self.spec.footprint(plan)
    }

    fn replicate(&self, seeds: SeedSequence, r: u64) -> Result<CompetitionOutcome, IoError> {
        let games = Games {
            seed: seeds,
            ..self.games.clone()
        };
        let mut cells = games.run_replicate(r)?;
        Ok(cells.remove(0))
    }

    fn summarize(
        &self,
        _: &Plan,
        outcomes: Vec<CompetitionOutcome>,
    ) -> Result<CompeteSummary, IoError> {
        let cell = CellSummary::new(&outcomes)
            .ok_or_else(|| IoError::spec("runs", "no runs to summarise: give runs >= 1"))?;
        Ok(CompeteSummary { outcomes, cell })
    }

    /// One row per run: each firm's market share, EEOG, market regret, per-firm game and
    /// warm-start regret, final reputations and the monopoly regret.
    fn table(&self, s: &CompeteSummary) -> Result<Table, IoError> {
        let outcomes = &s.outcomes;
        let firms = self.spec.game.algorithms.len();
        let t = self.spec.game.t as f64;
        let f64s =
            |f: &dyn Fn(&CompetitionOutcome) -> f64| Column::F64(outcomes.iter().map(f).collect());
        let mut runs =
            Table::new().with("run", Column::I64((0..outcomes.len() as i64).collect()))?;
        for i in 0..firms {
            runs.push(
                &format!("share_firm{}", i + 1),
                f64s(&|o| f64::from(o.chosen[i]) / t),
            )?;
        }
        runs.push(
            "eeog",
            Column::I64(outcomes.iter().map(|o| i64::from(o.eeog)).collect()),
        )?;
        runs.push("market_regret", f64s(&|o| o.regret))?;
        for i in 0..firms {
            runs.push(
                &format!("regret_firm{}", i + 1),
                f64s(&|o| o.firm_regret[i]),
            )?;
            runs.push(
                &format!("warm_start_regret_firm{}", i + 1),
                f64s(&|o| o.warm_start_regret[i]),
            )?;
            runs.push(
                &format!("final_reputation_firm{}", i + 1),
                f64s(&|o| o.final_reputation[i]),
            )?;
        }
        runs.push("monopoly_regret", f64s(&|o| o.monopoly_regret))?;
        Ok(runs)
    }

    fn outputs(&self, plan: &Plan, s: &CompeteSummary) -> Result<Outputs, IoError> {
        let spec = &self.spec;
        let c = &s.cell;
        let mut out = Outputs::default();
        out.table("runs", self.table(s)?);
        let firms = self.firms_table(s)?;
        out.table("summary_firms", firms.clone());
        out.table("summary_market", self.market_table(s)?);
        let mut section = Section {
            heading: self.heading(),
            paragraphs: vec![format!(
                "N = {} runs, T = {}, T0 = {}, M = {}, seed {}. EEOG mean {:.1}, median {:.1}; market regret {}.",
                plan.runs, spec.game.t, spec.game.t0, spec.game.window, plan.seed, c.eeog_mean, c.eeog_median, pm(&c.regret)
            )],
            tables: vec![("Market share and regret by firm".into(), firms)],
            ..Section::default()
        };
        let total: f64 = c.share.iter().map(|e| e.mean).sum();
        section.checks.push(Finding {
            claim: "Market shares sum to 1".into(),
            holds: (total - 1.0).abs() < 1e-9,
            evidence: format!("sum of mean shares = {total:.12}"),
        });
        if !spec.game.checkpoints.is_empty() {
            let t = self.checkpoints_table(s)?;
            out.table("checkpoints", t.clone());
            section.tables.push(("Shares at the checkpoints".into(), t));
        }
        let (centres, fractions) = histogram(
            &s.outcomes
                .iter()
                .map(|o| f64::from(o.chosen[0]) / spec.game.t as f64)
                .collect::<Vec<_>>(),
            0.0,
            1.0,
            20,
        );
        let fig = Figure::new(
            format!("Distribution of {}'s market share over runs", self.slot(0)),
            "market share",
            "fraction of runs",
        )
        .with(Series::line(self.slot(0), centres, fractions).styled(SeriesStyle::Bars));
        section
            .figures
            .push((fig.title.clone(), "fig_share_histogram".into()));
        out.figure("fig_share_histogram", fig);
        let mut report = Report {
            title: format!("marketloop compete: {}", self.games.cells[0].label()),
            sections: vec![section],
        };
        if spec.isolation {
            let start = Instant::now();
            report.sections.push(self.isolation(plan, &mut out)?);
            out.timings
                .push(("isolation".into(), start.elapsed().as_secs_f64()));
        }
        out.report = Some(report);
        Ok(out)
    }
}
