//! Experiment kinds by name, for the front ends that name a kind at run time (sweeps, Python):
//! [`Kind`] (a serde enum), spec documents (JSON values: the fields of the kind's TOML) resolved
//! into the kind's [`Experiment`] type, and [`Experiments`], which runs a document of any kind
//! through the one executor and returns its long result table.
//!
//! Kinds (a document is one table of fields):
//! - `"market"`: the market TOML of [`crate::market_spec`] plus `steps` (required), `every`
//!   (default 1000) and `shares` (default false); replicated stochastic simulations, one row per
//!   run x measurement: `run, step, efficiency, entropy[, share_0, ..]` — the same table
//!   `marketloop market simulate` writes as `trajectories.csv`, with the same numbers.
//! - `"market-equilibrium"`: the market TOML plus `tolerance` (1e-12), `max_iterations`
//!   (100000) and `shares` (false); the TOME and its objectives as `measure, value` rows.
//! - `"market-dynamics"`: the market TOML plus `iterations` (required) and `shares` (false);
//!   the deterministic dynamic (eq. 6) as `iteration, measure, value` rows.
//! - `"compete"`: a [`crate::compete_spec`] document; one row per run (shares, EEOG, regrets).
//! - `"bayes"`: a [`crate::spec::bayes`] document; one row per round of the Bayesian-choice game
//!   (p_t, the reward estimates, flagged decisions, the expected share). `runs` is not used.
//! - `"arena"`: a [`crate::spec::arena`] document (its `market` a market table); one row per
//!   run x measurement x platform x measure: `run, step, platform, measure, value`.
//!
//! File references in a market document (`{ file = "v.npy" }`) are relative to the
//! [`Experiments`] base folder.

use super::equilibrium::{DEFAULT_MAX_ITERATIONS, DEFAULT_TOLERANCE};
use super::{
    execute, ArenaExperiment, Bayes, Compete, Experiment, MarketDynamics, MarketEquilibrium,
    MarketSimulate, Plan,
};
use crate::compete_spec::CompeteSpec;
use crate::market_spec::ResolvedMarket;
use crate::table::Table;
use crate::IoError;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::path::{Path, PathBuf};

/// The experiment kinds marketloop can run from a spec document.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// `"market"`: [`MarketSimulate`].
    #[serde(rename = "market")]
    MarketSimulate,
    /// `"market-equilibrium"`: [`MarketEquilibrium`].
    MarketEquilibrium,
    /// `"market-dynamics"`: [`MarketDynamics`].
    MarketDynamics,
    /// `"compete"`: [`Compete`].
    Compete,
    /// `"bayes"`: [`Bayes`].
    Bayes,
    /// `"arena"`: [`ArenaExperiment`].
    Arena,
}

impl Kind {
    /// Every kind.
    pub const ALL: [Kind; 6] = [
        Kind::MarketSimulate,
        Kind::MarketEquilibrium,
        Kind::MarketDynamics,
        Kind::Compete,
        Kind::Bayes,
        Kind::Arena,
    ];

    /// The kind's name in specs (`"market"`, `"market-equilibrium"`, ...).
    pub fn name(self) -> &'static str {
        match self {
            Kind::MarketSimulate => "market",
            Kind::MarketEquilibrium => "market-equilibrium",
            Kind::MarketDynamics => "market-dynamics",
            Kind::Compete => "compete",
            Kind::Bayes => "bayes",
            Kind::Arena => "arena",
        }
    }

    /// Whether the kind runs replicates (its [`Experiment::REPLICATED`]): kinds without them
    /// compute one deterministic result, so `runs` means nothing to them.
    pub fn replicated(self) -> bool {
        match self {
            Kind::MarketSimulate => MarketSimulate::REPLICATED,
            Kind::MarketEquilibrium => MarketEquilibrium::REPLICATED,
            Kind::MarketDynamics => MarketDynamics::REPLICATED,
            Kind::Compete => <Compete as Experiment>::REPLICATED,
            Kind::Bayes => Bayes::REPLICATED,
            Kind::Arena => ArenaExperiment::REPLICATED,
        }
    }

    /// Every kind's name.
    pub fn names() -> Vec<&'static str> {
        Kind::ALL.iter().map(|k| k.name()).collect()
    }

    /// The run settings a market document of this kind may hold besides the market's fields.
    fn market_keys(self) -> &'static [&'static str] {
        match self {
            Kind::MarketEquilibrium => &["tolerance", "max_iterations", "shares"],
            Kind::MarketDynamics => &["iterations", "shares"],
            Kind::MarketSimulate | Kind::Compete | Kind::Bayes => &["steps", "every", "shares"],
            Kind::Arena => &[],
        }
    }
}

impl std::fmt::Display for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Kind {
    type Err = IoError;

    fn from_str(s: &str) -> Result<Self, IoError> {
        Kind::ALL
            .into_iter()
            .find(|k| k.name() == s)
            .ok_or_else(|| {
                IoError::spec(
                    "kind",
                    format!(
                        "kind = {s:?} is not known; allowed: {}",
                        Kind::names().join(", ")
                    ),
                )
            })
    }
}

/// The default measurement interval of `"market"` (as `marketloop market simulate --every`).
pub const DEFAULT_EVERY: u64 = 1000;

/// Runs any kind of experiment from its spec document; file references in market documents
/// are relative to `base`.
#[derive(Clone, Debug)]
pub struct Experiments {
    base: PathBuf,
}

impl Default for Experiments {
    fn default() -> Self {
        Self::new()
    }
}

/// A spec document resolved into its kind's experiment.
#[derive(Clone, Debug)]
pub enum Resolved {
    /// `"market"`.
    MarketSimulate(MarketSimulate),
    /// `"market-equilibrium"`.
    MarketEquilibrium(MarketEquilibrium),
    /// `"market-dynamics"`.
    MarketDynamics(MarketDynamics),
    /// `"compete"`.
    Compete(Compete),
    /// `"bayes"`.
    Bayes(Bayes),
    /// `"arena"`.
    Arena(ArenaExperiment),
}

fn long_table<E: Experiment>(e: &E, plan: &Plan) -> Result<Table, IoError> {
    let done = execute(e, plan, &|_| {})?;
    e.table(&done.summary)
}

impl Resolved {
    /// Runs the experiment without a folder under `plan` and returns its long result table.
    pub fn table(&self, plan: &Plan) -> Result<Table, IoError> {
        match self {
            Resolved::MarketSimulate(e) => long_table(e, plan),
            Resolved::MarketEquilibrium(e) => long_table(e, plan),
            Resolved::MarketDynamics(e) => long_table(e, plan),
            Resolved::Compete(e) => long_table(e, plan),
            Resolved::Bayes(e) => long_table(e, plan),
            Resolved::Arena(e) => long_table(e, plan),
        }
    }

    /// The memory a run under `plan` needs (see [`Plan::admit`]), after checking `plan`.
    pub fn footprint(&self, plan: &Plan) -> Result<crate::spec::limits::Footprint, IoError> {
        self.check(plan)?;
        Ok(match self {
            Resolved::MarketSimulate(e) => e.footprint(plan),
            Resolved::MarketEquilibrium(e) => e.footprint(plan),
            Resolved::MarketDynamics(e) => e.footprint(plan),
            Resolved::Compete(e) => e.footprint(plan),
            Resolved::Bayes(e) => e.footprint(plan),
            Resolved::Arena(e) => e.footprint(plan),
        })
    }

    /// Checks `plan` for this kind.
    pub fn check(&self, plan: &Plan) -> Result<(), IoError> {
        match self {
            Resolved::MarketSimulate(_) => plan.check::<MarketSimulate>(),
            Resolved::MarketEquilibrium(_) => plan.check::<MarketEquilibrium>(),
            Resolved::MarketDynamics(_) => plan.check::<MarketDynamics>(),
            Resolved::Compete(_) => plan.check::<Compete>(),
            Resolved::Bayes(_) => plan.check::<Bayes>(),
            Resolved::Arena(_) => plan.check::<ArenaExperiment>(),
        }
    }
}

impl Experiments {
    /// File references relative to the current folder.
    pub fn new() -> Self {
        Self {
            base: PathBuf::from("."),
        }
    }

    /// File references relative to `base`.
    pub fn with_base(base: impl Into<PathBuf>) -> Self {
        Self { base: base.into() }
    }

    /// The folder file references are relative to.
    pub fn base(&self) -> &Path {
        &self.base
    }

    /// Resolves and validates a spec document of `kind`.
    pub fn resolve(&self, kind: Kind, spec: &Value) -> Result<Resolved, IoError> {
        if kind == Kind::Compete {
            return Ok(Resolved::Compete(Compete::new(compete_spec_from_value(
                spec,
            )?)?));
        }
        if kind == Kind::Bayes {
            return Ok(Resolved::Bayes(Bayes::new(
                crate::spec::BayesSpec::from_value(spec)?,
            )?));
        }
        if kind == Kind::Arena {
            let r = crate::spec::arena::ResolvedArena::from_value(spec, &self.base)?;
            return Ok(Resolved::Arena(ArenaExperiment::new(r, None)));
        }
        let (r, o) = market_document_kind(kind, spec, &self.base)?;
        let missing =
            |field: &str, what: &str| IoError::spec(field, format!("{field} is missing ({what})"));
        Ok(match kind {
            Kind::MarketSimulate => {
                let steps = o
                    .steps
                    .ok_or_else(|| missing("steps", "users per run, e.g. steps = 100000"))?;
                Resolved::MarketSimulate(MarketSimulate::new(r, None, steps, o.every, o.shares)?)
            }
            Kind::MarketEquilibrium => Resolved::MarketEquilibrium(MarketEquilibrium::new(
                r,
                None,
                o.tolerance,
                o.max_iterations,
                o.shares,
            )?),
            Kind::MarketDynamics => {
                let iterations = o
                    .iterations
                    .ok_or_else(|| missing("iterations", "the number of iterations of eq. 6"))?;
                Resolved::MarketDynamics(MarketDynamics::new(r, None, iterations, o.shares)?)
            }
            Kind::Compete | Kind::Bayes | Kind::Arena => unreachable!("handled above"),
        })
    }

    /// Runs `runs` replicates of a spec document of `kind` with master seed `seed` (without a
    /// folder) and returns the long result table.
    pub fn run(&self, kind: Kind, spec: &Value, seed: u64, runs: u64) -> Result<Table, IoError> {
        self.resolve(kind, spec)?.table(&Plan::new(seed, runs))
    }

    /// Checks a spec document of `kind` without running it.
    pub fn validate(&self, kind: Kind, spec: &Value) -> Result<(), IoError> {
        if kind == Kind::Bayes {
            // Resolving checks the whole spec; one with `prior = "custom"` runs only with the
            // user's sampler beside it (Python), so it is checked without building the run.
            return crate::spec::BayesSpec::from_value(spec).map(|_| ());
        }
        self.resolve(kind, spec).map(|_| ())
    }
}

/// The run settings of a market document (the fields besides the market's own).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MarketOptions {
    /// Users per run (`"market"`).
    pub steps: Option<u64>,
    /// A measurement every this many steps and after the last (`"market"`).
    pub every: u64,
    /// Record full share vectors.
    pub shares: bool,
    /// Fixed-point tolerance (`"market-equilibrium"`).
    pub tolerance: f64,
    /// Fixed-point iteration cap (`"market-equilibrium"`).
    pub max_iterations: usize,
    /// Iterations of eq. (6) (`"market-dynamics"`).
    pub iterations: Option<usize>,
}

impl Default for MarketOptions {
    fn default() -> Self {
        Self {
            steps: None,
            every: DEFAULT_EVERY,
            shares: false,
            tolerance: DEFAULT_TOLERANCE,
            max_iterations: DEFAULT_MAX_ITERATIONS,
            iterations: None,
        }
    }
}

fn whole(field: &str, v: &Value) -> Result<u64, IoError> {
    v.as_u64()
        .or_else(|| {
            v.as_f64()
                .filter(|x| x.fract() == 0.0 && *x >= 0.0 && *x < 9.0e15)
                .map(|x| x as u64)
        })
        .ok_or_else(|| IoError::spec(field, format!("{field} = {v} must be a whole number >= 0")))
}

/// Resolves a market document of `kind`: the market itself (file references relative to
/// `base`) and the run settings of that kind; any other field is an error naming it and the
/// allowed ones.
pub fn market_document_kind(
    kind: Kind,
    spec: &Value,
    base: &Path,
) -> Result<(ResolvedMarket, MarketOptions), IoError> {
    let extra = kind.market_keys();
    let Value::Object(map) = spec else {
        return Err(IoError::spec(
            kind.name(),
            format!("a {kind} spec must be a table of fields, not {spec}"),
        ));
    };
    let mut market = Map::new();
    let mut opts = MarketOptions::default();
    for (k, v) in map {
        if crate::market_spec::TOP_KEYS.contains(&k.as_str()) {
            market.insert(k.clone(), v.clone());
            continue;
        }
        if !extra.contains(&k.as_str()) {
            let mut allowed: Vec<&str> = crate::market_spec::TOP_KEYS.to_vec();
            allowed.extend(extra);
            return Err(IoError::spec(
                k.as_str(),
                format!(
                    "{kind} spec: unknown key `{k}`; allowed: {}",
                    allowed.join(", ")
                ),
            ));
        }
        match k.as_str() {
            "steps" => opts.steps = Some(whole("steps", v)?),
            "every" => opts.every = whole("every", v)?,
            "iterations" => opts.iterations = Some(whole("iterations", v)? as usize),
            "max_iterations" => opts.max_iterations = whole("max_iterations", v)? as usize,
            "shares" => {
                opts.shares = v.as_bool().ok_or_else(|| {
                    IoError::spec("shares", format!("shares = {v} must be true or false"))
                })?
            }
            "tolerance" => {
                opts.tolerance = v.as_f64().ok_or_else(|| {
                    IoError::spec("tolerance", format!("tolerance = {v} must be a number > 0"))
                })?
            }
            _ => unreachable!("every extra key is handled"),
        }
    }
    let r = ResolvedMarket::from_value(&Value::Object(market), base)?;
    Ok((r, opts))
}

/// Resolves a `compete` spec given as a JSON value.
pub fn compete_spec_from_value(spec: &Value) -> Result<CompeteSpec, IoError> {
    CompeteSpec::from_value(spec)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::Column;
    use marketloop_core::rng::SeedSequence;
    use marketloop_core::runner::Schedule;
    use serde_json::json;

    fn spec() -> Value {
        json!({"instance": "uniform", "k": 5, "algorithms": ["TS", "BG"], "t": 200, "t0": 10})
    }

    #[test]
    fn compete_cell_is_seeded_and_shares_sum_to_one() {
        let a = Experiments::new()
            .run(Kind::Compete, &spec(), 7, 20)
            .unwrap();
        let b = Experiments::new()
            .run(Kind::Compete, &spec(), 7, 20)
            .unwrap();
        let c = Experiments::new()
            .run(Kind::Compete, &spec(), 8, 20)
            .unwrap();
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_eq!(a.n_rows(), 20);
        let (Some(Column::F64(s1)), Some(Column::F64(s2))) =
            (a.column("share_firm1"), a.column("share_firm2"))
        else {
            panic!("share columns missing");
        };
        for (x, y) in s1.iter().zip(s2) {
            assert!((x + y - 1.0).abs() < 1e-12);
        }
    }

    #[test]
    fn a_compete_sweep_varies_the_gaussian_noise_level() {
        use crate::sweep::{run_sweep_local, SweepSpec};
        use std::collections::BTreeMap;
        let base = json!({
            "instance": "means", "means": [0.0, 1.0], "algorithms": ["GTS", "UCB1"],
            "t": 200, "t0": 10, "isolation": false,
            "rewards": {"gaussian": {"sigma": 1.0}},
        });
        let mut grid = BTreeMap::new();
        grid.insert(
            "rewards.gaussian.sigma".to_string(),
            vec![json!(0.1), json!(3.0)],
        );
        let sweep = SweepSpec {
            kind: Kind::Compete,
            runs: 30,
            seed: 4,
            spec: base,
            grid,
        };
        let t = run_sweep_local(&sweep, &Experiments::new(), None, &|_| {}).unwrap();
        assert_eq!(t.n_rows(), 60);
        let Some(Column::F64(regret)) = t.column("market_regret") else {
            panic!("regret column missing: {:?}", t.names());
        };
        // More noise, more regret: the mean over 30 runs (sigma = 0.1 separates the arms at
        // once; sigma = 3 needs dozens of pulls per arm).
        let low: f64 = regret[..30].iter().sum::<f64>() / 30.0;
        let high: f64 = regret[30..].iter().sum::<f64>() / 30.0;
        assert!(high > low, "{low} vs {high}");
        // A bad sigma in a cell names the field.
        let mut bad = sweep.clone();
        bad.grid
            .insert("rewards.gaussian.sigma".into(), vec![json!(-1.0)]);
        let e = run_sweep_local(&bad, &Experiments::new(), None, &|_| {}).unwrap_err();
        assert!(format!("{e:#}").contains("rewards.gaussian.sigma"), "{e:#}");
    }

    fn market() -> Value {
        json!({
            "weights": [0.25, 0.75],
            "visibility": [[1.0, 0.5, 0.2], [0.3, 0.9, 0.4]],
            "quality": [[0.9, 0.5, 0.1], [0.2, 0.3, 0.4]],
            "feedback": 0.5,
            "initial_counts": {"uniform": [2, 3]},
            "steps": 2500,
            "every": 1000,
        })
    }

    #[test]
    fn market_cell_is_the_simulation_of_the_cli() {
        let doc = market();
        let t = Experiments::new()
            .run(Kind::MarketSimulate, &doc, 5, 3)
            .unwrap();
        assert_eq!(t.names(), ["run", "step", "efficiency", "entropy"]);
        // 3 runs x measurements at 1000, 2000, 2500.
        assert_eq!(t.n_rows(), 9);
        assert_eq!(
            t.column("step"),
            Some(&Column::I64(vec![
                1000, 2000, 2500, 1000, 2000, 2500, 1000, 2000, 2500
            ]))
        );
        // The same numbers as the core's simulation with the same seed, run serially.
        let (r, opts) = market_document_kind(Kind::MarketSimulate, &doc, Path::new(".")).unwrap();
        let e = MarketSimulate::new(r, None, opts.steps.unwrap(), opts.every, false).unwrap();
        let direct = e
            .simulation()
            .run(SeedSequence::new(5), &[0, 1, 2], Schedule::Serial);
        let eff: Vec<f64> = direct
            .iter()
            .flat_map(|t| t.measurements.iter().map(|m| m.efficiency))
            .collect();
        assert_eq!(t.column("efficiency"), Some(&Column::F64(eff)));
        let mut with_shares = doc.clone();
        with_shares["shares"] = json!(true);
        let s = Experiments::new()
            .run(Kind::MarketSimulate, &with_shares, 5, 3)
            .unwrap();
        assert_eq!(s.names().len(), 4 + 3);
        assert_eq!(s.column("efficiency"), t.column("efficiency"));
    }

    #[test]
    fn market_ranking_table_travels_through_toml() {
        let mut doc = market();
        doc["ranking"] = json!({"strategy": "popularity", "position_bias": [1.0, 0.5, 0.25]});
        let a = Experiments::new()
            .run(Kind::MarketSimulate, &doc, 1, 2)
            .unwrap();
        doc["ranking"]["strategy"] = json!("random");
        let b = Experiments::new()
            .run(Kind::MarketSimulate, &doc, 1, 2)
            .unwrap();
        assert_eq!(a.n_rows(), 6);
        assert_ne!(a.column("efficiency"), b.column("efficiency"));
    }

    #[test]
    fn equilibrium_and_dynamics_tables() {
        let mut doc = market();
        doc.as_object_mut().unwrap().remove("steps");
        doc.as_object_mut().unwrap().remove("every");
        let eq = Experiments::new()
            .run(Kind::MarketEquilibrium, &doc, 0, 1)
            .unwrap();
        let Some(Column::Str(measures)) = eq.column("measure") else {
            panic!("measure column");
        };
        assert!(measures.iter().any(|m| m == "efficiency"));
        assert!(measures.iter().any(|m| m == "residual"));
        let (r, opts) =
            market_document_kind(Kind::MarketEquilibrium, &doc, Path::new(".")).unwrap();
        let rep = MarketEquilibrium::new(r, None, opts.tolerance, opts.max_iterations, false)
            .unwrap()
            .solve()
            .unwrap();
        assert!(rep.tome.converged && rep.tome.residual < 1e-9, "{rep:?}");
        assert!((rep.tome.shares.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        // Heterogeneous market: Psi does not apply and says why.
        assert!(rep.psi.is_none() && rep.not_applicable.contains_key("psi"));
        doc["iterations"] = json!(5);
        let dy = Experiments::new()
            .run(Kind::MarketDynamics, &doc, 0, 1)
            .unwrap();
        assert_eq!(dy.names(), ["iteration", "measure", "value"]);
        let Some(Column::I64(its)) = dy.column("iteration") else {
            panic!("iteration column");
        };
        assert_eq!(its.iter().max(), Some(&5));
    }

    #[test]
    fn market_errors_name_the_field() {
        let mut bad = market();
        bad["weights"] = json!([0.25, 0.5]);
        let e = Experiments::new()
            .run(Kind::MarketSimulate, &bad, 1, 1)
            .unwrap_err()
            .to_string();
        assert!(e.contains("weights") && e.contains("sum to 1"), "{e}");
        let mut bad = market();
        bad["iterations"] = json!(3);
        let e = Experiments::new()
            .run(Kind::MarketSimulate, &bad, 1, 1)
            .unwrap_err()
            .to_string();
        assert!(e.contains("unknown key `iterations`"), "{e}");
        let mut bad = market();
        bad.as_object_mut().unwrap().remove("steps");
        let e = Experiments::new()
            .run(Kind::MarketSimulate, &bad, 1, 1)
            .unwrap_err()
            .to_string();
        assert!(e.contains("steps is missing"), "{e}");
        let mut bad = market();
        bad["every"] = json!(0);
        let e = Experiments::new()
            .run(Kind::MarketSimulate, &bad, 1, 1)
            .unwrap_err()
            .to_string();
        assert!(e.contains("every = 0"), "{e}");
        let e = Experiments::new()
            .run(Kind::MarketSimulate, &market(), 1, 0)
            .unwrap_err()
            .to_string();
        assert!(e.contains("runs = 0"), "{e}");
        let mut bad = market();
        bad["quality"][0][1] = json!(1.5);
        let e = Experiments::new()
            .validate(Kind::MarketSimulate, &bad)
            .unwrap_err()
            .to_string();
        assert!(e.contains("quality") && e.contains("1.5"), "{e}");
    }

    #[test]
    fn compete_seeds_use_the_full_u64_range() {
        let a = Experiments::new()
            .run(Kind::Compete, &spec(), u64::MAX - 5, 4)
            .unwrap();
        let b = Experiments::new()
            .run(Kind::Compete, &spec(), u64::MAX - 6, 4)
            .unwrap();
        assert_eq!(a.n_rows(), 4);
        assert_ne!(a, b);
    }

    #[test]
    fn unknown_kind_and_bad_fields_are_named() {
        let e = "nope".parse::<Kind>().unwrap_err();
        assert!(e.to_string().contains("\"nope\""), "{e}");
        assert_eq!(e.field().as_deref(), Some("kind"));
        for k in Kind::ALL {
            assert_eq!(k.name().parse::<Kind>().unwrap(), k);
            assert_eq!(serde_json::to_value(k).unwrap(), json!(k.name()));
        }
        let mut bad = spec();
        bad["algorithms"] = json!(["TS", "XYZ"]);
        let e = Experiments::new()
            .run(Kind::Compete, &bad, 1, 1)
            .unwrap_err();
        assert!(e.to_string().contains("XYZ"), "{e}");
    }
}
