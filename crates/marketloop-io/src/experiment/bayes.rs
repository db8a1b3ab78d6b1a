//! `bayes`: one game of the Bayesian-choice model (Section 4) from a [`BayesSpec`]: both
//! algorithms' reward curves by Monte Carlo (common random numbers), then the exact
//! Poisson-binomial game. No replicates (the Monte Carlo paths are summed as they finish, in a
//! fixed order); the master seed of the [`Plan`] seeds the paths.
//!
//! Run folder: `game` (per round: p_t, the reward estimates and their error bound, flagged
//! decisions, the expected share), `curves` (per local step: rew, BIR and their standard errors,
//! the paired standard error of the difference), `summary` (metric, value), two figures and
//! `report.html`.

use super::{Experiment, Outputs, Plan};
use crate::figure::Dash;
use crate::report::{Finding, Report, Section};
use crate::spec::{BayesSpec, PriorSpec};
use crate::table::{Column, Table};
use crate::{Figure, IoError, Series};
use marketloop_core::bandits::bayesian::{
    BandRule, BayesGame, BayesPrior, CurvesConfig, CustomPrior, GameOutcome, RewCurves,
};
use marketloop_core::bandits::AlgorithmKind;
use marketloop_core::rng::SeedSequence;
use marketloop_core::runner::Schedule;
use std::sync::Arc;
use std::time::Instant;

/// A validated Bayesian-choice experiment.
#[derive(Clone, Debug)]
pub struct Bayes {
    spec: BayesSpec,
    curves: CurvesConfig<AlgorithmKind>,
    game: BayesGame,
    progress: PathProgress,
}

/// Who hears how many Monte Carlo paths of the curves are done (progress bars).
#[derive(Clone, Default)]
struct PathProgress(Option<Arc<dyn Fn(u64) + Send + Sync>>);

impl std::fmt::Debug for PathProgress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() { "Some(..)" } else { "None" })
    }
}

/// The results: the curves, the game, and how long each took.
#[derive(Clone, Debug)]
pub struct BayesSummary {
    /// The estimated reward curves of principal 1's and principal 2's algorithms.
    pub curves: RewCurves,
    /// The game's exact outcome given the curves.
    pub outcome: GameOutcome,
    /// Seconds spent on the curves.
    pub curve_seconds: f64,
    /// Seconds spent on the game.
    pub game_seconds: f64,
}

impl Bayes {
    /// Validates the spec (prior, belief, algorithms, response, horizons).
    pub fn new(spec: BayesSpec) -> Result<Self, IoError> {
        let curves = spec.curves()?;
        Self::build(spec, curves)
    }

    /// A spec with `prior = "custom"` on K arms, drawn by the user's `sampler` (on the same
    /// K arms; each draw is checked: K means in [0, 1]).
    pub fn with_sampler(spec: BayesSpec, sampler: CustomPrior) -> Result<Self, IoError> {
        let sampler = BayesPrior::Custom(sampler);
        match spec.prior {
            PriorSpec::Custom { k } if k == sampler.k() => {}
            PriorSpec::Custom { k } => {
                return Err(IoError::spec(
                    "prior",
                    format!(
                        "the sampler {:?} is on K = {} arms but the spec's k = {k}",
                        sampler.display_name(),
                        sampler.k()
                    ),
                ))
            }
            _ => {
                return Err(IoError::spec(
                    "prior",
                    "a sampler was given but the spec's prior is not \"custom\"",
                ))
            }
        }
        let curves = spec.curves_on(sampler)?;
        Self::build(spec, curves)
    }

    fn build(spec: BayesSpec, curves: CurvesConfig<AlgorithmKind>) -> Result<Self, IoError> {
        curves.validate()?;
        let game = spec.game()?;
        game.validate(curves.steps, 2)?;
        Ok(Self {
            spec,
            curves,
            game,
            progress: PathProgress::default(),
        })
    }

    /// Calls `on_paths(done)` as the reward curves' Monte Carlo paths finish (never
    /// decreasing, at most [`paths`](Self::paths)); the results do not depend on it.
    pub fn with_progress(mut self, on_paths: impl Fn(u64) + Send + Sync + 'static) -> Self {
        self.progress = PathProgress(Some(Arc::new(on_paths)));
        self
    }

    /// The number of Monte Carlo paths: the units of [`with_progress`](Self::with_progress).
    pub fn paths(&self) -> u64 {
        self.curves.paths
    }

    /// The spec.
    pub fn spec(&self) -> &BayesSpec {
        &self.spec
    }

    /// The spec's own seed (the number of runs is not used: one game).
    pub fn plan(&self) -> Plan {
        Plan::new(self.spec.seed, 1)
    }

    /// "principal 1 (BG)", "principal 2 (TS)".
    pub fn principal(&self, i: usize) -> String {
        format!("principal {} ({})", i + 1, self.spec.algorithms[i].short())
    }

    /// The report's heading.
    pub fn heading(&self) -> String {
        let s = &self.spec;
        format!(
            "{} vs {} on {} ({}, belief {}, {})",
            s.algorithms[0].short(),
            s.algorithms[1].short(),
            self.curves.prior.display_name(),
            format_args!("K = {}", self.curves.prior.k()),
            s.belief.map_or("true prior".into(), |b| format!(
                "Beta({}, {})",
                b.alpha, b.beta
            )),
            s.response.short()
        )
    }

    /// Per local step: rew, its standard error, BIR and its standard error for both
    /// algorithms, and the paired standard error of their difference.
    pub fn curves_table(&self, c: &RewCurves) -> Result<Table, IoError> {
        let steps = c.steps();
        let mut t = Table::new().with("n", Column::I64((1..=steps as i64).collect()))?;
        for (i, a) in c.algorithms.iter().enumerate() {
            let p = i + 1;
            t.push(&format!("rew_{p}"), Column::F64(a.rew.clone()))?;
            t.push(&format!("rew_se_{p}"), Column::F64(a.rew_se.clone()))?;
            t.push(&format!("bir_{p}"), Column::F64(a.bir(c.best)))?;
            t.push(&format!("bir_se_{p}"), Column::F64(a.bir_se.clone()))?;
        }
        if let Some(pair) = c.pair(0, 1) {
            t.push("diff_se", Column::F64(pair.diff_se.clone()))?;
        }
        Ok(t)
    }

    /// Metric/value rows of the summary.
    pub fn summary_table(&self, s: &BayesSummary) -> Result<Table, IoError> {
        let o = &s.outcome;
        let c = &s.curves;
        let pair = c.pair(0, 1);
        // A metric that does not apply (no takeover, nothing flagged, no deviation within the
        // horizon) has no row: tables hold finite numbers only.
        let opt = |x: Option<usize>| x.map(|v| v as f64);
        let rows: Vec<(&str, Option<f64>)> = vec![
            ("expected share of principal 1", Some(o.share)),
            ("sd of principal 1's share", Some(o.share_sd)),
            (
                "takeover principal (1 or 2)",
                o.takeover.map(|(p, _)| (p + 1) as f64),
            ),
            ("takeover round", o.takeover.map(|(_, t)| t as f64)),
            ("flagged rounds", Some(o.flagged.len() as f64)),
            ("first flagged round", opt(o.flagged.first().copied())),
            ("last flagged round", opt(o.flagged.last().copied())),
            ("exact ties", Some(o.exact_ties.len() as f64)),
            (
                "deviation step (on some path)",
                opt(pair.and_then(|p| p.path_deviation)),
            ),
            (
                "first step the estimates differ",
                opt(pair.and_then(|p| p.first_difference)),
            ),
            ("neglected mass (truncation bound)", Some(o.neglected)),
            ("E[max mu]", Some(c.best)),
            ("Monte Carlo paths", Some(c.paths as f64)),
        ];
        let rows: Vec<(&str, f64)> = rows
            .into_iter()
            .filter_map(|(m, v)| v.map(|v| (m, v)))
            .collect();
        Table::new()
            .with(
                "metric",
                Column::Str(rows.iter().map(|r| r.0.to_string()).collect()),
            )?
            .with("value", Column::F64(rows.iter().map(|r| r.1).collect()))
    }
}

impl Experiment for Bayes {
    const COMMAND: &'static str = "bayes";
    const ARM: &'static str = "bayes";
    const PHASE: &'static str = "curves and game";
    const REPLICATED: bool = false;
    type Replicate = ();
    type Summary = BayesSummary;

    fn config(&self, plan: &Plan) -> serde_json::Value {
        let mut spec = self.spec.clone();
        spec.seed = plan.seed;
        serde_json::to_value(&spec).unwrap_or_default()
    }

    /// The curves' accumulators (a wave of blocks per worker, then their sum), each holding
    /// sums per algorithm and step, and the game's arrays and Poisson-binomial distribution,
    /// all linear in T + T0; per worker: the paths' trajectories.
    fn footprint(&self, _: &Plan) -> crate::spec::limits::Footprint {
        use crate::spec::limits::{mul, Footprint};
        let steps = (self.spec.t as u128).saturating_add(self.spec.t0 as u128);
        let workers = rayon::current_num_threads() as u128;
        let waves = 4 * workers + 1;
        let mut f = Footprint::new();
        f.add(
            "t",
            "the reward curves' accumulators",
            waves,
            mul(steps, 192u128),
        )
        .add("t", "the game", 1, mul(steps, 96u128))
        .add(
            "t",
            "the workers' trajectories",
            workers,
            mul(steps, 24u128),
        );
        f
    }

    fn replicate(&self, _: SeedSequence, _: u64) -> Result<(), IoError> {
        Ok(())
    }

    fn summarize(&self, plan: &Plan, _: Vec<()>) -> Result<BayesSummary, IoError> {
        let start = Instant::now();
        let curves = self.curves.estimate_with_progress(
            SeedSequence::new(plan.seed),
            Schedule::Parallel,
            &|done| {
                if let Some(f) = &self.progress.0 {
                    f(done)
                }
            },
        )?;
        let curve_seconds = start.elapsed().as_secs_f64();
        let start = Instant::now();
        let outcome = self.game.run(&curves)?;
        Ok(BayesSummary {
            curves,
            outcome,
            curve_seconds,
            game_seconds: start.elapsed().as_secs_f64(),
        })
    }

    /// One row per round t: p_t, PMR_1, PMR_2, the error bound, whether the decision was
    /// flagged or an exact tie, and principal 1's expected share of the first t agents.
    fn table(&self, s: &BayesSummary) -> Result<Table, IoError> {
        let o = &s.outcome;
        let n = o.p.len();
        let mark = |rounds: &[usize]| {
            let mut v = vec![0i64; n];
            for &t in rounds {
                v[t - 1] = 1;
            }
            Column::I64(v)
        };
        Table::new()
            .with("t", Column::I64((1..=n as i64).collect()))?
            .with("p", Column::F64(o.p.clone()))?
            .with("pmr_1", Column::F64(o.pmr1.clone()))?
            .with("pmr_2", Column::F64(o.pmr2.clone()))?
            .with("pmr_se", Column::F64(o.pmr_se.clone()))?
            .with("flagged", mark(&o.flagged))?
            .with("exact_tie", mark(&o.exact_ties))?
            .with("expected_share", Column::F64(o.share_curve.clone()))
    }

    fn outputs(&self, plan: &Plan, s: &BayesSummary) -> Result<Outputs, IoError> {
        let o = &s.outcome;
        let mut out = Outputs::default();
        out.table("game", self.table(s)?);
        out.table("curves", self.curves_table(&s.curves)?);
        let summary = self.summary_table(s)?;
        out.table("summary", summary.clone());
        let rounds: Vec<f64> = (1..=o.p.len()).map(|t| t as f64).collect();
        let fig_p = Figure::new(
            "Choice probability of principal 1",
            "round t",
            "probability",
        )
        // Colour = principal (principal 1's colour in every figure), dash = quantity.
        .with(
            Series::line(
                format!("p_t, {}", self.principal(0)),
                rounds.clone(),
                o.p.clone(),
            )
            .coloured(0),
        )
        .with(
            Series::line(
                format!("E[n_1(t+1)] / t, {}", self.principal(0)),
                rounds,
                o.share_curve.clone(),
            )
            .coloured(0)
            .dashed(Dash::Dashed),
        );
        let steps: Vec<f64> = (1..=s.curves.steps()).map(|n| n as f64).collect();
        let mut fig_bir = Figure::new("Bayesian instantaneous regret", "local step n", "BIR(n)");
        for (i, a) in s.curves.algorithms.iter().enumerate() {
            fig_bir = fig_bir.with(
                Series::line(self.principal(i), steps.clone(), a.bir(s.curves.best)).coloured(i),
            );
        }
        let takeover = match o.takeover {
            Some((p, t)) => format!(
                "from round {t} on, every p_t is {}'s extreme probability",
                self.principal(p)
            ),
            None => "no principal holds its extreme probability to the end".into(),
        };
        let mut section = Section {
            heading: self.heading(),
            paragraphs: vec![
                format!(
                    "T = {}, T0 = {}, {} Monte Carlo paths, seed {}. Expected share of {}: {:.4} (sd {:.4}); {takeover}.",
                    self.spec.t, self.spec.t0, s.curves.paths, plan.seed, self.principal(0), o.share, o.share_sd
                ),
                format!(
                    "{} HardMax decisions were within {} standard errors (flagged; band_rule = \"{}\"){}; {} exact ties.",
                    o.flagged.len(),
                    self.spec.band,
                    match self.spec.band_rule {
                        BandRule::Tie => "tie",
                        BandRule::Estimate => "estimate",
                    },
                    flagged_rounds(&o.flagged),
                    o.exact_ties.len()
                ),
                truncation(self.spec.tail_tolerance, o.neglected),
            ],
            tables: vec![("Summary".into(), summary)],
            ..Section::default()
        };
        let sd = lemma_4_5(o);
        section.findings.push(Finding {
            claim: "Lemma 4.5 (sudden death): once an agent chooses a principal with certainty, every later agent does".into(),
            holds: sd.is_none(),
            evidence: sd.unwrap_or_else(|| "no round with p_t in {0, 1} is followed by another value".into()),
        });
        for (stem, f) in [("fig_choice", fig_p), ("fig_bir", fig_bir)] {
            section.figures.push((f.title.clone(), stem.into()));
            out.figure(stem, f);
        }
        out.report = Some(Report {
            title: format!("marketloop bayes: {}", self.heading()),
            sections: vec![section],
        });
        out.timings.push(("curves".into(), s.curve_seconds));
        out.timings.push(("game".into(), s.game_seconds));
        Ok(out)
    }
}

/// What `marketloop bayes` prints: the heading, the summary table, the timings and the folder.
pub fn text(
    e: &Bayes,
    f: &super::Finished<BayesSummary>,
    out: &std::path::Path,
) -> Result<String, IoError> {
    Ok(format!(
        "{}\n{}\ncurves {:.2} s, game {:.2} s; results in {}\n",
        e.heading(),
        e.summary_table(&f.summary)?.to_markdown(4)?,
        f.summary.curve_seconds,
        f.summary.game_seconds,
        out.display()
    ))
}

/// The summary as JSON (`--format json`): every summary metric, the flagged rounds, the folder.
pub fn json(
    e: &Bayes,
    f: &super::Finished<BayesSummary>,
    out: &std::path::Path,
) -> serde_json::Value {
    let o = &f.summary.outcome;
    serde_json::json!({
        "heading": e.heading(),
        "share": o.share,
        "share_sd": o.share_sd,
        "takeover": o.takeover.map(|(p, t)| serde_json::json!({"principal": p + 1, "round": t})),
        "flagged": o.flagged,
        "exact_ties": o.exact_ties.len(),
        "neglected": o.neglected,
        "best": f.summary.curves.best,
        "paths": f.summary.curves.paths,
        "out": out.display().to_string(),
    })
}

/// The first violation of Lemma 4.5 on the computed probabilities, if any.
pub fn lemma_4_5(o: &GameOutcome) -> Option<String> {
    let t = o.p.iter().position(|&p| p == 0.0 || p == 1.0)?;
    let s = o.p[t..].iter().position(|&q| q != o.p[t])?;
    Some(format!(
        "p_{} = {} but p_{} = {}",
        t + 1,
        o.p[t],
        t + s + 1,
        o.p[t + s]
    ))
}

/// The flagged rounds for a report sentence: ": rounds 3, 4, 9" (the first 20, then how many
/// more), or nothing when there are none.
fn flagged_rounds(rounds: &[usize]) -> String {
    if rounds.is_empty() {
        return String::new();
    }
    let shown: Vec<String> = rounds.iter().take(20).map(|r| r.to_string()).collect();
    let more = rounds.len().saturating_sub(20);
    let tail = if more > 0 {
        format!(" and {more} more")
    } else {
        String::new()
    };
    format!(": rounds {}{tail}", shown.join(", "))
}

/// The report's sentence on the truncation of n_1(t)'s support.
fn truncation(tolerance: f64, neglected: f64) -> String {
    if tolerance == 0.0 {
        "The distribution of n_1(t) was carried exactly (tail_tolerance = 0).".into()
    } else {
        format!(
            "The support of n_1(t) was truncated at {tolerance:e} of mass per side and round: {neglected:.3e} of mass was neglected in all, an upper bound on how far any PMR_j(t) lies below its exact value given the same p_t."
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiment::execute;
    use std::path::Path;

    #[test]
    fn a_small_game_runs_and_is_seeded() {
        let spec = BayesSpec::from_toml(
            "prior = \"heavy-tail\"\nk = 3\nalgorithms = [\"BG\", \"TS\"]\nt = 60\npaths = 2000\nseed = 3",
            Path::new("b.toml"),
        )
        .unwrap();
        let e = Bayes::new(spec).unwrap();
        let a = execute(&e, &e.plan(), &|_| {}).unwrap();
        let b = execute(&e, &e.plan(), &|_| {}).unwrap();
        assert_eq!(a.summary.outcome, b.summary.outcome);
        let t = e.table(&a.summary).unwrap();
        assert_eq!(t.n_rows(), 60);
        assert_eq!(
            a.summary.outcome.takeover.map(|x| x.0),
            Some(0),
            "BG takes over (Theorem 4.2)"
        );
        assert!(lemma_4_5(&a.summary.outcome).is_none());
        let c = execute(&e, &Plan::new(4, 1), &|_| {}).unwrap();
        assert_ne!(a.summary.curves, c.summary.curves);
    }

    #[test]
    fn a_user_sampler_runs_seeded_and_bad_ones_name_the_prior() {
        let spec = |text: &str| BayesSpec::from_toml(text, Path::new("b.toml"));
        let base = "prior = \"custom\"\nk = 3\nbelief = [1, 1]\nt = 40\npaths = 300";
        let e = Bayes::new(spec(base).unwrap()).unwrap_err();
        assert_eq!(e.field().as_deref(), Some("prior"), "{e}");
        assert!(e.to_string().contains("prior=callable"), "{e}");
        let e = spec("prior = \"custom\"\nk = 3").unwrap_err();
        assert_eq!(e.field().as_deref(), Some("belief"), "{e}");
        let uniform = |rng: &mut marketloop_core::rng::PortableRng| {
            let u = BayesPrior::Instance(marketloop_core::bandits::InstanceSpec::uniform(3));
            u.draw(rng).map(|m| m.means().to_vec()).unwrap_or_default()
        };
        let run = |sampler: CustomPrior| -> Result<BayesSummary, IoError> {
            let e = Bayes::with_sampler(spec(base)?, sampler)?;
            Ok(execute(&e, &e.plan(), &|_| {})?.summary)
        };
        let a = run(CustomPrior::new("u3", 3, uniform)).unwrap();
        let b = run(CustomPrior::new("u3", 3, uniform)).unwrap();
        assert_eq!(a.curves, b.curves);
        // E[mu] = 1/2 at step 1 (5 standard errors).
        let c = &a.curves.algorithms[0];
        assert!((c.rew[0] - 0.5).abs() < 5.0 * c.rew_se[0], "{}", c.rew[0]);
        let e = run(CustomPrior::new("two", 2, |_| vec![0.5, 0.5])).unwrap_err();
        assert!(
            e.to_string().contains("K = 2") && e.to_string().contains("k = 3"),
            "{e}"
        );
        let e = run(CustomPrior::new("short", 3, |_| vec![0.5, 0.5])).unwrap_err();
        assert!(
            e.to_string()
                .contains("\"short\" on K = 3 arms drew 2 means"),
            "{e}"
        );
        let e = run(CustomPrior::new("nan", 3, |_| vec![0.5, f64::NAN, 0.5])).unwrap_err();
        assert!(
            e.to_string().contains("\"nan\": drawn mean of arm 1 = NaN"),
            "{e}"
        );
    }

    #[test]
    fn a_horizon_too_long_for_memory_is_refused_before_running() {
        let spec = BayesSpec::from_toml("t = 1000000000", Path::new("b.toml")).unwrap();
        let e = Bayes::new(spec).unwrap();
        let err = e
            .footprint(&e.plan())
            .check_against(1 << 30, "test budget")
            .unwrap_err();
        assert_eq!(err.field().as_deref(), Some("t"), "{err}");
    }

    #[test]
    fn a_game_without_takeover_writes_its_folder() {
        // Few paths: the decisions stay inside the error band, so nobody takes over and the
        // takeover metrics do not apply (they used to be NaN, which tables refuse).
        let spec = BayesSpec::from_toml(
            "prior = \"heavy-tail\"\nk = 3\nalgorithms = [\"BG\", \"TS\"]\nt = 200\npaths = 500",
            Path::new("b.toml"),
        )
        .unwrap();
        let e = Bayes::new(spec).unwrap();
        let dir = std::env::temp_dir().join(format!("bayes-no-takeover-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let done = crate::experiment::execute_in(&e, &e.plan(), &dir, false, &|_| {}).unwrap();
        let t = e.summary_table(&done.summary).unwrap();
        let Some(Column::F64(v)) = t.column("value") else {
            panic!("value column")
        };
        assert!(v.iter().all(|x| x.is_finite()));
        assert!(dir.join("manifest.json").is_file());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn kind_bayes_runs_from_a_document() {
        use crate::experiment::{Experiments, Kind};
        let doc = serde_json::json!({"prior": "uniform", "k": 3, "algorithms": ["BG", "SG"], "t": 30, "paths": 500, "response": "hardmax", "bias": 0.75});
        let t = Experiments::new().run(Kind::Bayes, &doc, 9, 1).unwrap();
        assert_eq!(t.n_rows(), 30);
        let Some(Column::F64(p)) = t.column("p") else {
            panic!("p column")
        };
        // Theorem 4.7 on Uniform with the exact posterior: a real tie at round 1, then ties
        // inside the error band or BG, and BG from some round on.
        assert_eq!(p[0], 0.75);
        assert!(p.iter().all(|&x| x == 0.75 || x == 1.0), "{p:?}");
        assert_eq!(p[29], 1.0);
        let bad = serde_json::json!({"prior": "uniform", "t": 0});
        let e = Experiments::new().run(Kind::Bayes, &bad, 9, 1).unwrap_err();
        assert_eq!(e.field().as_deref(), Some("t"));
    }
}
