//! Experiments by kind: the bridge from a spec document (TOML or JSON, as the CLI and the Python
//! package give it) to the engine and back to a tidy [`Table`]. The CLI, the Python bindings and
//! parameter sweeps all go through these functions, so the same spec and seed give the same
//! numbers everywhere.
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
//!
//! File references in a market document (`{ file = "v.npy" }`) are relative to the
//! [`Experiments`] base folder.

use crate::compete_spec::CompeteSpec;
use crate::market_spec::ResolvedMarket;
use crate::sweep::CellRunner;
use crate::table::{Column, Table};
use crate::IoError;
use marketloop_core::bandits::{CompetitionOutcome, Experiment};
use marketloop_core::market::measures::Measures;
use marketloop_core::market::ranking::effective_visibility;
use marketloop_core::market::{
    deterministic_dynamics, solve_tome, Market, Objective, Regime, Simulation, TomeMethod,
    TomeOptions, Trajectory, Visibility,
};
use marketloop_core::rng::SeedSequence;
use marketloop_core::runner::Schedule;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The experiment kinds marketloop can run from a spec document.
pub const KINDS: &[&str] = &["market", "market-equilibrium", "market-dynamics", "compete"];

/// The fields of a market TOML (see [`crate::market_spec`]).
pub const MARKET_KEYS: &[&str] = crate::market_spec::TOP_KEYS;

/// Extra fields of a `"market"` document.
pub const SIMULATE_KEYS: &[&str] = &["steps", "every", "shares"];
/// Extra fields of a `"market-equilibrium"` document.
pub const EQUILIBRIUM_KEYS: &[&str] = &["tolerance", "max_iterations", "shares"];
/// Extra fields of a `"market-dynamics"` document.
pub const DYNAMICS_KEYS: &[&str] = &["iterations", "shares"];

/// The default measurement interval of `"market"` (as `marketloop market simulate --every`).
pub const DEFAULT_EVERY: u64 = 1000;
/// The default fixed-point tolerance (as `marketloop market equilibrium --tolerance`).
pub const DEFAULT_TOLERANCE: f64 = 1e-12;
/// The default iteration cap (as `marketloop market equilibrium --max-iterations`).
pub const DEFAULT_MAX_ITERATIONS: usize = 100_000;

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
}

fn unknown_kind(other: &str) -> IoError {
    IoError::Table(format!(
        "experiment kind {other:?} is not known; allowed: {}",
        KINDS.join(", ")
    ))
}

impl CellRunner for Experiments {
    fn run_cell(&self, kind: &str, spec: &Value, seed: u64, runs: u64) -> Result<Table, IoError> {
        match kind {
            "compete" => {
                let spec = compete_spec_from_value(spec, Some(seed), Some(runs))?;
                let outcomes = run_compete(&spec)?;
                compete_runs_table(&spec, &outcomes)
            }
            "market" => {
                let (r, opts) = market_document_kind(kind, spec, &self.base)?;
                let sim = market_simulation(&r, &opts)?;
                let t = simulate_market(&sim, seed, runs)?;
                trajectories_table(&sim, &t)
            }
            "market-equilibrium" => {
                let (r, opts) = market_document_kind(kind, spec, &self.base)?;
                equilibrium_table(&market_equilibrium(&r, &opts)?, opts.shares)
            }
            "market-dynamics" => {
                let (r, opts) = market_document_kind(kind, spec, &self.base)?;
                market_dynamics(&r, &opts)
            }
            other => Err(unknown_kind(other)),
        }
    }
}

/// Checks a spec document of `kind` without running it (market files are read relative to
/// `base`).
pub fn validate_spec_in(kind: &str, spec: &Value, base: &Path) -> Result<(), IoError> {
    match kind {
        "compete" => compete_spec_from_value(spec, None, None).map(|_| ()),
        "market" => {
            let (r, opts) = market_document_kind(kind, spec, base)?;
            market_simulation(&r, &opts).map(|_| ())
        }
        "market-equilibrium" | "market-dynamics" => {
            let (_, opts) = market_document_kind(kind, spec, base)?;
            if kind == "market-equilibrium" {
                tome_options(&opts)?;
            }
            Ok(())
        }
        other => Err(unknown_kind(other)),
    }
}

/// Checks a spec document of `kind` without running it (market files relative to `.`).
pub fn validate_spec(kind: &str, spec: &Value) -> Result<(), IoError> {
    validate_spec_in(kind, spec, Path::new("."))
}

/// A spec document (JSON value) as TOML text, so every front end shares one parser and its
/// error messages.
fn to_toml_text(spec: &Value, what: &str) -> Result<String, IoError> {
    toml::to_string(spec).map_err(|e| {
        IoError::Table(format!(
            "{what} spec cannot be read as a TOML document ({e}); give a table of fields"
        ))
    })
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

fn spec_err(message: String) -> IoError {
    IoError::Invalid {
        path: PathBuf::from("<market spec>"),
        message,
    }
}

fn whole(field: &str, v: &Value) -> Result<u64, IoError> {
    v.as_u64()
        .or_else(|| {
            v.as_f64()
                .filter(|x| x.fract() == 0.0 && *x >= 0.0 && *x < 9.0e15)
                .map(|x| x as u64)
        })
        .ok_or_else(|| spec_err(format!("{field} = {v} must be a whole number >= 0")))
}

/// Resolves a market document of any market kind: the market itself (file references relative
/// to `base`) and the run settings; fields that belong to no market kind are errors.
pub fn market_document(
    spec: &Value,
    base: &Path,
) -> Result<(ResolvedMarket, MarketOptions), IoError> {
    market_document_kind("market", spec, base)
}

/// Like [`market_document`], allowing only the run settings of `kind`.
pub fn market_document_kind(
    kind: &str,
    spec: &Value,
    base: &Path,
) -> Result<(ResolvedMarket, MarketOptions), IoError> {
    let extra: &[&str] = match kind {
        "market-equilibrium" => EQUILIBRIUM_KEYS,
        "market-dynamics" => DYNAMICS_KEYS,
        _ => SIMULATE_KEYS,
    };
    let Value::Object(map) = spec else {
        return Err(spec_err(format!(
            "a {kind} spec must be a table of fields, not {spec}"
        )));
    };
    let mut market = Map::new();
    let mut opts = MarketOptions::default();
    for (k, v) in map {
        if MARKET_KEYS.contains(&k.as_str()) {
            market.insert(k.clone(), v.clone());
            continue;
        }
        if !extra.contains(&k.as_str()) {
            let mut allowed: Vec<&str> = MARKET_KEYS.to_vec();
            allowed.extend(extra);
            return Err(spec_err(format!(
                "{kind} spec: unknown key `{k}`; allowed: {}",
                allowed.join(", ")
            )));
        }
        match k.as_str() {
            "steps" => opts.steps = Some(whole("steps", v)?),
            "every" => opts.every = whole("every", v)?,
            "iterations" => opts.iterations = Some(whole("iterations", v)? as usize),
            "max_iterations" => opts.max_iterations = whole("max_iterations", v)? as usize,
            "shares" => {
                opts.shares = v
                    .as_bool()
                    .ok_or_else(|| spec_err(format!("shares = {v} must be true or false")))?
            }
            "tolerance" => {
                opts.tolerance = v
                    .as_f64()
                    .ok_or_else(|| spec_err(format!("tolerance = {v} must be a number > 0")))?
            }
            _ => unreachable!("every extra key is handled"),
        }
    }
    let text = to_toml_text(&Value::Object(market), "market")?;
    let r = ResolvedMarket::parse(&text, Path::new("<market spec>"), base)?;
    if kind == "market-dynamics" && opts.iterations.is_none() {
        return Err(spec_err(
            "market-dynamics spec: iterations is missing (the number of iterations of eq. 6)"
                .into(),
        ));
    }
    Ok((r, opts))
}

/// The validated simulation of a `"market"` document (steps, every, shares).
pub fn market_simulation(r: &ResolvedMarket, opts: &MarketOptions) -> Result<Simulation, IoError> {
    let steps = opts.steps.ok_or_else(|| {
        spec_err("market spec: steps is missing (users per run, e.g. steps = 100000)".into())
    })?;
    Simulation::new(
        r.market.clone(),
        r.visibility.clone(),
        steps,
        opts.every,
        opts.shares,
    )
    .map_err(|e| spec_err(e.to_string()))
}

/// Runs replicates `0..runs` of `sim` with master seed `seed`, in parallel on rayon's current
/// pool (the results never depend on the thread count). Exactly what
/// `marketloop market simulate --seed SEED --runs RUNS` computes.
pub fn simulate_market(sim: &Simulation, seed: u64, runs: u64) -> Result<Vec<Trajectory>, IoError> {
    if runs == 0 {
        return Err(spec_err("runs = 0: at least 1 run is needed".into()));
    }
    let idx: Vec<u64> = (0..runs).collect();
    Ok(sim.run(SeedSequence::new(seed), &idx, Schedule::Parallel))
}

/// One row per run x measurement: `run, step, efficiency, entropy` and, if recorded,
/// `share_0 .. share_{n-1}` (the columns of `trajectories.csv` of `marketloop market simulate`).
pub fn trajectories_table(sim: &Simulation, trajectories: &[Trajectory]) -> Result<Table, IoError> {
    let n = sim.market().n_items();
    let rows: usize = trajectories.iter().map(|t| t.measurements.len()).sum();
    let mut run = Vec::with_capacity(rows);
    let mut step = Vec::with_capacity(rows);
    let mut eff = Vec::with_capacity(rows);
    let mut ent = Vec::with_capacity(rows);
    let with_shares = trajectories
        .iter()
        .any(|t| t.measurements.iter().any(|m| m.shares.is_some()));
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
                let sh = m.shares.as_ref().ok_or_else(|| {
                    IoError::Table("a measurement without shares among ones with shares".into())
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

/// The market with fixed visibility that the equilibrium theory applies to: the market itself,
/// or under a quality/fixed ranking its effective visibility vhat * iota(rank) (as
/// `marketloop market equilibrium` does), with a note saying so.
pub fn static_market(r: &ResolvedMarket) -> Result<(Market, Option<String>), IoError> {
    match &r.visibility {
        Visibility::Static => Ok((r.market.clone(), None)),
        Visibility::Ranked { ranking, bias } => {
            let v = effective_visibility(&r.market, ranking, bias)
                .map_err(|e| spec_err(e.to_string()))?;
            let note = format!(
                "under the {} ranking, with the effective visibility v_ij = vhat_ij * iota(rank)",
                ranking.name()
            );
            let mk = r
                .market
                .with_visibility(v)
                .map_err(|e| spec_err(e.to_string()))?;
            Ok((mk, Some(note)))
        }
    }
}

/// The equilibrium of a market and every objective at it (the numbers of
/// `marketloop market equilibrium --format json`). Objectives that do not apply are `None`,
/// with the reason in `not_applicable`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EquilibriumReport {
    /// Why the effective visibility was used, if it was.
    pub note: Option<String>,
    /// Items n.
    pub items: usize,
    /// User types m.
    pub types: usize,
    /// The TOME phi*.
    pub shares: Vec<f64>,
    /// How it was computed.
    pub method: TomeMethod,
    /// The regime.
    pub regime: Regime,
    /// Fixed-point iterations (0 for closed forms).
    pub iterations: usize,
    /// |p(phi*) - phi*|_1.
    pub residual: f64,
    /// Whether the residual met the tolerance.
    pub converged: bool,
    /// Whether the paper proves uniqueness here.
    pub proven_unique: bool,
    /// Efficiency E(phi*) (Def. 2.4).
    pub efficiency: f64,
    /// Entropy H(phi*) in nats (eq. 5).
    pub entropy: f64,
    /// Total utility (7).
    pub total_utility: Option<f64>,
    /// Psi (8), homogeneous markets.
    pub psi: Option<f64>,
    /// Gamma (14), q_ij = q_j.
    pub gamma: Option<f64>,
    /// ln of the ex-post Nash social welfare (13).
    pub log_nash_welfare: Option<f64>,
    /// Its exponents a_i*.
    pub nash_exponents: Option<Vec<f64>>,
    /// Objective -> why it does not apply (or why its value is not finite).
    pub not_applicable: BTreeMap<String, String>,
}

fn tome_options(opts: &MarketOptions) -> Result<TomeOptions, IoError> {
    TomeOptions::new(opts.tolerance, opts.max_iterations).map_err(|e| spec_err(e.to_string()))
}

/// Solves the TOME of a resolved market (see [`static_market`]) with the tolerance and
/// iteration cap of `opts`, and evaluates every objective at it.
pub fn market_equilibrium(
    r: &ResolvedMarket,
    opts: &MarketOptions,
) -> Result<EquilibriumReport, IoError> {
    let options = tome_options(opts)?;
    let (mk, note) = static_market(r)?;
    let tome = solve_tome(&mk, options).map_err(|e| spec_err(format!("no equilibrium: {e}")))?;
    let meas = Measures::at(&mk, &tome.shares);
    let mut not_applicable = BTreeMap::new();
    let mut obj = |name: &str, o: &Objective| -> Option<f64> {
        match o {
            Objective::Value(v) if v.is_finite() => Some(*v),
            Objective::Value(v) => {
                not_applicable.insert(name.to_string(), format!("the value is {v}"));
                None
            }
            Objective::NotApplicable(why) => {
                not_applicable.insert(name.to_string(), why.clone());
                None
            }
        }
    };
    let total_utility = obj("total_utility", &meas.total_utility);
    let psi = obj("psi", &meas.psi);
    let gamma = obj("gamma", &meas.gamma);
    let (log_nash_welfare, nash_exponents) = match &meas.nash_welfare {
        Ok(nw) if nw.log_welfare.is_finite() => (Some(nw.log_welfare), Some(nw.exponents.clone())),
        Ok(nw) => {
            not_applicable.insert(
                "log_nash_welfare".into(),
                format!("the value is {}", nw.log_welfare),
            );
            (None, Some(nw.exponents.clone()))
        }
        Err(why) => {
            not_applicable.insert("log_nash_welfare".into(), why.clone());
            (None, None)
        }
    };
    Ok(EquilibriumReport {
        note,
        items: mk.n_items(),
        types: mk.n_types(),
        shares: tome.shares,
        method: tome.method,
        regime: tome.regime,
        iterations: tome.iterations,
        residual: tome.residual,
        converged: tome.converged,
        proven_unique: tome.proven_unique,
        efficiency: meas.efficiency,
        entropy: meas.entropy,
        total_utility,
        psi,
        gamma,
        log_nash_welfare,
        nash_exponents,
        not_applicable,
    })
}

/// An equilibrium as `measure, value` rows (objectives that do not apply are left out), with
/// the method and regime on every row; with `shares`, one `share_j` row per item.
pub fn equilibrium_table(e: &EquilibriumReport, shares: bool) -> Result<Table, IoError> {
    let mut rows: Vec<(String, f64)> = vec![
        ("efficiency".into(), e.efficiency),
        ("entropy".into(), e.entropy),
        ("iterations".into(), e.iterations as f64),
        ("residual".into(), e.residual),
        ("converged".into(), f64::from(u8::from(e.converged))),
        ("proven_unique".into(), f64::from(u8::from(e.proven_unique))),
    ];
    for (name, v) in [
        ("total_utility", e.total_utility),
        ("psi", e.psi),
        ("gamma", e.gamma),
        ("log_nash_welfare", e.log_nash_welfare),
    ] {
        if let Some(v) = v {
            rows.push((name.into(), v));
        }
    }
    if shares {
        rows.extend(
            e.shares
                .iter()
                .enumerate()
                .map(|(j, &s)| (format!("share_{j}"), s)),
        );
    }
    rows.retain(|(_, v)| v.is_finite());
    let n = rows.len();
    let method = serde_json::to_value(e.method)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default();
    let regime = match e.regime {
        Regime::WinnerTakesAll { item } => format!("winner_takes_all(item {item})"),
        other => serde_json::to_value(other)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_else(|| format!("{other:?}")),
    };
    Table::new()
        .with(
            "measure",
            Column::Str(rows.iter().map(|r| r.0.clone()).collect()),
        )?
        .with("value", Column::F64(rows.iter().map(|r| r.1).collect()))?
        .with("method", Column::Str(vec![method; n]))?
        .with("regime", Column::Str(vec![regime; n]))
}

/// The deterministic dynamic (eq. 6) of a resolved market for `opts.iterations` iterations
/// (see [`static_market`]) as long rows `iteration, measure, value`: efficiency and entropy
/// at every iteration, Psi and Gamma where they apply, and with `opts.shares` one `share_j`
/// row per item.
pub fn market_dynamics(r: &ResolvedMarket, opts: &MarketOptions) -> Result<Table, IoError> {
    let iterations = opts.iterations.ok_or_else(|| {
        spec_err("iterations is missing (the number of iterations of eq. 6)".into())
    })?;
    let (mk, _) = static_market(r)?;
    let steps = deterministic_dynamics(&mk, iterations, opts.shares)
        .map_err(|e| spec_err(format!("the deterministic dynamic cannot start: {e}")))?;
    let mut it = Vec::new();
    let mut measure = Vec::new();
    let mut value = Vec::new();
    for s in &steps {
        let mut push = |name: String, v: f64| {
            if v.is_finite() {
                it.push(s.iteration as i64);
                measure.push(name);
                value.push(v);
            }
        };
        push("efficiency".into(), s.efficiency);
        push("entropy".into(), s.entropy);
        if let Objective::Value(v) = s.psi {
            push("psi".into(), v);
        }
        if let Objective::Value(v) = s.gamma {
            push("gamma".into(), v);
        }
        if let Some(sh) = &s.shares {
            for (j, &p) in sh.iter().enumerate() {
                push(format!("share_{j}"), p);
            }
        }
    }
    Table::new()
        .with("iteration", Column::I64(it))?
        .with("measure", Column::Str(measure))?
        .with("value", Column::F64(value))
}

/// Resolves a `compete` spec given as a JSON value, optionally overriding its seed and runs.
pub fn compete_spec_from_value(
    spec: &Value,
    seed: Option<u64>,
    runs: Option<u64>,
) -> Result<CompeteSpec, IoError> {
    let mut doc = spec.clone();
    if let Value::Object(map) = &mut doc {
        // Overridden below, after parsing: a u64 seed (sweep cells use the full range) does not
        // fit the TOML integer (i64) of the spec.
        if seed.is_some() {
            map.remove("seed");
        }
        if let Some(r) = runs {
            map.insert("runs".into(), Value::from(r));
        }
    }
    let text = to_toml_text(&doc, "compete")?;
    let mut resolved = CompeteSpec::from_toml(&text, Path::new("<compete spec>"))?;
    if let Some(s) = seed {
        resolved.seed = s;
    }
    Ok(resolved)
}

/// Runs every game of a resolved `compete` spec (parallel over runs; deterministic).
pub fn run_compete(spec: &CompeteSpec) -> Result<Vec<CompetitionOutcome>, IoError> {
    let exp = Experiment::new(
        spec.instance.clone(),
        vec![spec.game.clone()],
        SeedSequence::new(spec.seed),
    )
    .map_err(|e| IoError::Table(e.to_string()))?;
    let mut cells = exp
        .run(spec.runs, Schedule::Parallel)
        .map_err(|e| IoError::Table(e.to_string()))?;
    Ok(cells.remove(0))
}

/// One row per run: each firm's market share, EEOG, market regret, per-firm game and
/// warm-start regret, final reputations and the monopoly regret.
pub fn compete_runs_table(
    spec: &CompeteSpec,
    outcomes: &[CompetitionOutcome],
) -> Result<Table, IoError> {
    let firms = spec.game.algorithms.len();
    let t = spec.game.t as f64;
    let mut runs = Table::new().with("run", Column::I64((0..outcomes.len() as i64).collect()))?;
    for i in 0..firms {
        runs.push(
            &format!("share_firm{}", i + 1),
            Column::F64(
                outcomes
                    .iter()
                    .map(|o| f64::from(o.chosen[i]) / t)
                    .collect(),
            ),
        )?;
    }
    runs.push(
        "eeog",
        Column::I64(outcomes.iter().map(|o| i64::from(o.eeog)).collect()),
    )?;
    runs.push(
        "market_regret",
        Column::F64(outcomes.iter().map(|o| o.regret).collect()),
    )?;
    for i in 0..firms {
        runs.push(
            &format!("regret_firm{}", i + 1),
            Column::F64(outcomes.iter().map(|o| o.firm_regret[i]).collect()),
        )?;
        runs.push(
            &format!("warm_start_regret_firm{}", i + 1),
            Column::F64(outcomes.iter().map(|o| o.warm_start_regret[i]).collect()),
        )?;
        runs.push(
            &format!("final_reputation_firm{}", i + 1),
            Column::F64(outcomes.iter().map(|o| o.final_reputation[i]).collect()),
        )?;
    }
    runs.push(
        "monopoly_regret",
        Column::F64(outcomes.iter().map(|o| o.monopoly_regret).collect()),
    )?;
    Ok(runs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn spec() -> Value {
        json!({"instance": "uniform", "k": 5, "algorithms": ["TS", "BG"], "t": 200, "t0": 10})
    }

    #[test]
    fn compete_cell_is_seeded_and_shares_sum_to_one() {
        let a = Experiments::new()
            .run_cell("compete", &spec(), 7, 20)
            .unwrap();
        let b = Experiments::new()
            .run_cell("compete", &spec(), 7, 20)
            .unwrap();
        let c = Experiments::new()
            .run_cell("compete", &spec(), 8, 20)
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
        let t = Experiments::new().run_cell("market", &doc, 5, 3).unwrap();
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
        let (r, opts) = market_document(&doc, Path::new(".")).unwrap();
        let sim = market_simulation(&r, &opts).unwrap();
        let direct = sim.run(SeedSequence::new(5), &[0, 1, 2], Schedule::Serial);
        let eff: Vec<f64> = direct
            .iter()
            .flat_map(|t| t.measurements.iter().map(|m| m.efficiency))
            .collect();
        assert_eq!(t.column("efficiency"), Some(&Column::F64(eff)));
        let mut with_shares = doc.clone();
        with_shares["shares"] = json!(true);
        let s = Experiments::new()
            .run_cell("market", &with_shares, 5, 3)
            .unwrap();
        assert_eq!(s.names().len(), 4 + 3);
        assert_eq!(s.column("efficiency"), t.column("efficiency"));
    }

    #[test]
    fn market_ranking_table_travels_through_toml() {
        let mut doc = market();
        doc["ranking"] = json!({"strategy": "popularity", "position_bias": [1.0, 0.5, 0.25]});
        let a = Experiments::new().run_cell("market", &doc, 1, 2).unwrap();
        doc["ranking"]["strategy"] = json!("random");
        let b = Experiments::new().run_cell("market", &doc, 1, 2).unwrap();
        assert_eq!(a.n_rows(), 6);
        assert_ne!(a.column("efficiency"), b.column("efficiency"));
    }

    #[test]
    fn equilibrium_and_dynamics_tables() {
        let mut doc = market();
        doc.as_object_mut().unwrap().remove("steps");
        doc.as_object_mut().unwrap().remove("every");
        let eq = Experiments::new()
            .run_cell("market-equilibrium", &doc, 0, 1)
            .unwrap();
        let Some(Column::Str(measures)) = eq.column("measure") else {
            panic!("measure column");
        };
        assert!(measures.iter().any(|m| m == "efficiency"));
        assert!(measures.iter().any(|m| m == "residual"));
        let (r, opts) = market_document_kind("market-equilibrium", &doc, Path::new(".")).unwrap();
        let rep = market_equilibrium(&r, &opts).unwrap();
        assert!(rep.converged && rep.residual < 1e-9, "{rep:?}");
        assert!((rep.shares.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        // Heterogeneous market: Psi does not apply and says why.
        assert!(rep.psi.is_none() && rep.not_applicable.contains_key("psi"));
        doc["iterations"] = json!(5);
        let dy = Experiments::new()
            .run_cell("market-dynamics", &doc, 0, 1)
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
            .run_cell("market", &bad, 1, 1)
            .unwrap_err()
            .to_string();
        assert!(e.contains("weights") && e.contains("sum to 1"), "{e}");
        let mut bad = market();
        bad["iterations"] = json!(3);
        let e = Experiments::new()
            .run_cell("market", &bad, 1, 1)
            .unwrap_err()
            .to_string();
        assert!(e.contains("unknown key `iterations`"), "{e}");
        let mut bad = market();
        bad.as_object_mut().unwrap().remove("steps");
        let e = Experiments::new()
            .run_cell("market", &bad, 1, 1)
            .unwrap_err()
            .to_string();
        assert!(e.contains("steps is missing"), "{e}");
        let mut bad = market();
        bad["every"] = json!(0);
        let e = Experiments::new()
            .run_cell("market", &bad, 1, 1)
            .unwrap_err()
            .to_string();
        assert!(e.contains("every = 0"), "{e}");
        let e = Experiments::new()
            .run_cell("market", &market(), 1, 0)
            .unwrap_err()
            .to_string();
        assert!(e.contains("runs = 0"), "{e}");
        let mut bad = market();
        bad["quality"][0][1] = json!(1.5);
        let e = validate_spec("market", &bad).unwrap_err().to_string();
        assert!(e.contains("quality") && e.contains("1.5"), "{e}");
    }

    #[test]
    fn compete_seeds_use_the_full_u64_range() {
        let a = Experiments::new()
            .run_cell("compete", &spec(), u64::MAX - 5, 4)
            .unwrap();
        let b = Experiments::new()
            .run_cell("compete", &spec(), u64::MAX - 6, 4)
            .unwrap();
        assert_eq!(a.n_rows(), 4);
        assert_ne!(a, b);
    }

    #[test]
    fn unknown_kind_and_bad_fields_are_named() {
        let e = Experiments::new()
            .run_cell("nope", &spec(), 1, 1)
            .unwrap_err();
        assert!(e.to_string().contains("\"nope\""), "{e}");
        let mut bad = spec();
        bad["algorithms"] = json!(["TS", "XYZ"]);
        let e = Experiments::new()
            .run_cell("compete", &bad, 1, 1)
            .unwrap_err();
        assert!(e.to_string().contains("XYZ"), "{e}");
    }
}
