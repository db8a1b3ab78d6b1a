//! The TOML spec of `marketloop compete`: one competing-bandits experiment (instance, firms,
//! scenario, response function, horizons, runs, seed), resolved into the core's validated
//! types. Every error names the field, the bad value and what is allowed.
//!
//! ```toml
//! seed = 2019
//! runs = 1000                    # N mean vectors (one game each)
//! instance = "heavy-tail"        # needle-in-haystack | uniform | heavy-tail | means
//! k = 10                         # arms (not for "means")
//! # needle = "random"            # or an arm index (needle-in-haystack only)
//! # means = [0.2, 0.5, 0.7]      # instance = "means" only
//! algorithms = ["TS", "BG"]      # one per firm; SG BG BEG BEG(eps=0.1) TS UCB1 SE EF(m=20) GM(TS, p=0.5)
//! scenario = "simultaneous-entry" # monopoly | first-mover | data-advantage | reputation-advantage
//! # x = 200                      # monopoly period X (first-mover scenarios)
//! response = "hardmax"           # hardmax | hardmax-random | softmax
//! # bias = 0.5                   # hardmax: probability that firm 1 wins a tie
//! # eps = 0.1                    # hardmax-random
//! # temperature = 0.05           # softmax
//! t = 2000                       # game rounds T
//! t0 = 20                        # warm-start rounds T0 per firm
//! window = 100                   # reputation window M
//! tie_rule = "lowest-index"      # or "random" (argmax ties inside the algorithms)
//! prior = [1.0, 1.0]             # Beta prior of the Bayesian algorithms
//! warm_start_rows = "per-firm"   # or "shared" (the authors' code)
//! checkpoints = [500, 1000]      # extra horizons at which shares are reported
//! isolation = true               # also run each algorithm alone for T0 + T rounds
//! rewards = "bernoulli"          # or { gaussian = { sigma = 1.0 } }: mu_a + sigma z per pull
//! ```
//!
//! Under `rewards = { gaussian = { sigma = S } }` (S in (0, 1e6]) a pull of arm a pays
//! mu_a + S z; user-given `means` may then be any numbers in [-1e6, 1e6], and every algorithm
//! must accept Gaussian rewards (UCB1, SE, EF, EG, ETE, GTS, GBG; the Beta-Bernoulli ones and
//! EXP3 are refused naming `algorithms[i]`).

use crate::experiment::Plan;
use crate::spec::limits::{
    at_most, Footprint, MAX_ARMS, MAX_CHECKPOINTS, MAX_FIRMS, MAX_ROUNDS, MAX_RUNS,
};
use crate::spec::values::{type_name, unknown_key, Checked};
use crate::IoError;
use marketloop_core::bandits::{
    AlgorithmKind, ArgmaxTie, BanditError, BetaPrior, CompetitionConfig, InstanceSpec,
    NeedlePosition, ResponseSpec, RewardModel, Scenario, WarmStartRows,
};
use serde::{Deserialize, Serialize};
use std::path::Path;

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
struct RawSpec {
    seed: Option<i64>,
    runs: Option<i64>,
    instance: Option<String>,
    k: Option<i64>,
    needle: Option<serde_json::Value>,
    means: Option<Vec<f64>>,
    algorithms: Option<Vec<String>>,
    scenario: Option<String>,
    x: Option<i64>,
    response: Option<String>,
    bias: Option<f64>,
    eps: Option<f64>,
    temperature: Option<f64>,
    t: Option<i64>,
    t0: Option<i64>,
    window: Option<i64>,
    tie_rule: Option<String>,
    prior: Option<Vec<f64>>,
    warm_start_rows: Option<String>,
    checkpoints: Option<Vec<i64>>,
    isolation: Option<bool>,
    rewards: Option<Checked<RewardModel>>,
}

/// The paper's number of runs N, when neither the spec file nor the front end gives one.
pub const DEFAULT_RUNS: u64 = 1000;

/// A resolved, validated `compete` spec: the game, without the master seed and the number of
/// runs, which come from the executor's [`Plan`] like every other kind's (a spec file may hold
/// defaults for them: [`CompeteFile`]).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CompeteSpec {
    /// The MAB instance.
    pub instance: InstanceSpec,
    /// The game.
    pub game: CompetitionConfig,
    /// Whether to also run each algorithm alone for T0 + T rounds.
    pub isolation: bool,
}

/// A `compete` spec document as written: the game ([`CompeteSpec`]) and the run settings the
/// document may hold (`seed`, `runs`), which are only defaults for the front ends' own
/// (`--seed`/`--runs`, Python's `seed=`/`runs=`).
#[derive(Clone, Debug, PartialEq)]
pub struct CompeteFile {
    /// The game.
    pub spec: CompeteSpec,
    /// `seed`, if the document gives one.
    pub seed: Option<u64>,
    /// `runs`, if the document gives one.
    pub runs: Option<u64>,
}

impl CompeteFile {
    /// Reads and resolves a spec file.
    pub fn from_path(path: &Path) -> Result<Self, IoError> {
        let text = std::fs::read_to_string(path).map_err(|e| IoError::os(path, e))?;
        Self::from_toml(&text, path)
    }

    /// Resolves spec text; `path` is only used in error messages.
    pub fn from_toml(text: &str, path: &Path) -> Result<Self, IoError> {
        crate::spec::market::from_toml::<RawSpec>(text, path, "compete")?.resolve()
    }

    /// Resolves a spec given as a JSON value (Python keywords, sweep cells).
    pub fn from_value(spec: &serde_json::Value) -> Result<Self, IoError> {
        crate::spec::market::from_value::<RawSpec>(spec, "compete")?.resolve()
    }

    /// The plan: `seed` and `runs` given by the front end win over the document's, which win
    /// over seed 0 and [`DEFAULT_RUNS`].
    pub fn plan(&self, seed: Option<u64>, runs: Option<u64>) -> Plan {
        Plan::new(
            seed.or(self.seed).unwrap_or(0),
            runs.or(self.runs).unwrap_or(DEFAULT_RUNS),
        )
    }
}

impl CompeteSpec {
    /// Reads and resolves a spec file (its `seed` and `runs`, if any, are checked and dropped:
    /// use [`CompeteFile`] to keep them).
    pub fn from_path(path: &Path) -> Result<Self, IoError> {
        CompeteFile::from_path(path).map(|f| f.spec)
    }

    /// Resolves spec text; `path` is only used in error messages.
    pub fn from_toml(text: &str, path: &Path) -> Result<Self, IoError> {
        CompeteFile::from_toml(text, path).map(|f| f.spec)
    }

    /// Resolves a spec given as a JSON value (Python keywords, sweep cells).
    pub fn from_value(spec: &serde_json::Value) -> Result<Self, IoError> {
        CompeteFile::from_value(spec).map(|f| f.spec)
    }

    /// The memory a run of `plan` needs besides the executor's own (firms' state per worker,
    /// each run's outcome, the isolation curves).
    pub fn footprint(&self, plan: &Plan) -> Footprint {
        let g = &self.game;
        let firms = g.algorithms.len() as u128;
        let k = self.instance.k() as u128;
        let workers = rayon::current_num_threads() as u128;
        let mut f = Footprint::new();
        f.add(
            "window",
            "the firms' reputation windows",
            workers * firms,
            8 * g.window as u128,
        )
        .add("k", "the firms' posteriors", workers * firms, 48 * k)
        .add(
            "runs",
            "the runs' outcomes",
            u128::from(plan.runs),
            64 + firms * 48 + (g.checkpoints.len() as u128) * (firms + 1) * 24,
        );
        if let RewardModel::Gaussian { .. } = g.rewards {
            // Gaussian tables hold 8 bytes per (row, arm): every worker's run table (monopoly,
            // warm-start and game rows) and, with isolation, its isolation table.
            let layout = g.layout();
            let rows = (layout.monopoly as u128)
                .saturating_add(layout.warm_start.iter().map(|&r| r as u128).sum::<u128>())
                .saturating_add(layout.game as u128);
            let iso = if self.isolation {
                (g.t0 as u128).saturating_add(g.t as u128)
            } else {
                0
            };
            f.add(
                "rewards",
                "the Gaussian reward tables",
                workers.saturating_mul(rows.saturating_add(iso)),
                8 * k,
            );
        }
        if self.isolation {
            let rounds = (g.t0 as u128).saturating_add(g.t as u128);
            // Reputation, reward and regret curves per algorithm, the relative reputations of
            // every pair, and their table and figures (about three copies).
            f.add(
                "t",
                "the isolation curves",
                rounds,
                3 * 8 * (3 * firms + firms * firms.saturating_sub(1) / 2 + 1),
            );
        }
        f
    }
}

/// A spec error naming `field` (as spelled in the spec).
fn bad(field: impl Into<String>, message: String) -> IoError {
    IoError::spec(field, message)
}

/// The spec field a game error of the core is about.
fn game_field(e: &BanditError) -> &'static str {
    let BanditError::OutOfRange { name, .. } = e else {
        return "compete";
    };
    [
        ("number of algorithms", "algorithms"),
        ("game rounds T", "t"),
        ("warm-start rounds T0", "t0"),
        ("window", "window"),
        ("checkpoint", "checkpoints"),
        ("monopoly period", "x"),
        ("prior", "prior"),
    ]
    .into_iter()
    .find(|(what, _)| name.contains(what))
    .map_or("compete", |(_, field)| field)
}

/// The `rewards` field: `"bernoulli"` or `{ gaussian = { sigma = S } }`, validated, every error
/// naming the field (`rewards`, `rewards.gaussian`, `rewards.gaussian.sigma`).
fn resolve_rewards(value: Checked<RewardModel>) -> Result<RewardModel, IoError> {
    const ALLOWED: &str = "\"bernoulli\" or { gaussian = { sigma = S } } with S in (0, 1e6]";
    match value {
        Checked::Valid(model) => {
            model.validate().map_err(|e| {
                bad(
                    "rewards.gaussian.sigma",
                    format!("field `rewards.gaussian.sigma`: {e}"),
                )
            })?;
            Ok(model)
        }
        Checked::Invalid(v) => Err(match &v {
            serde_json::Value::String(s) if s == "gaussian" => bad(
                "rewards",
                "field `rewards` = \"gaussian\" needs the noise level: write rewards = { gaussian = { sigma = S } } with S in (0, 1e6]".into(),
            ),
            serde_json::Value::Object(t) => {
                match unknown_key("rewards", t, &["bernoulli", "gaussian"]) {
                    Some(e) => e,
                    None if t.len() != 1 => bad(
                        "rewards",
                        format!("field `rewards` = {v} must name one reward model: {ALLOWED}"),
                    ),
                    None => match t.get("gaussian") {
                        Some(serde_json::Value::Object(g)) => {
                            unknown_key("rewards.gaussian", g, &["sigma"]).unwrap_or_else(|| {
                                match g.get("sigma") {
                                    None => bad(
                                        "rewards.gaussian.sigma",
                                        "field `rewards.gaussian.sigma` is missing: Gaussian rewards need the noise level sigma in (0, 1e6]".into(),
                                    ),
                                    Some(x) => bad(
                                        "rewards.gaussian.sigma",
                                        format!(
                                            "field `rewards.gaussian.sigma` is {} ({x}); a number in (0, 1e6] is needed",
                                            type_name(x)
                                        ),
                                    ),
                                }
                            })
                        }
                        Some(g) => bad(
                            "rewards.gaussian",
                            format!(
                                "field `rewards.gaussian` is {} ({g}); a table {{ sigma = S }} is needed",
                                type_name(g)
                            ),
                        ),
                        None => bad(
                            "rewards",
                            format!("field `rewards` = {v}: \"bernoulli\" takes no parameters; allowed: {ALLOWED}"),
                        ),
                    },
                }
            }
            other => bad(
                "rewards",
                format!(
                    "field `rewards` = {other} ({}): unknown reward model; allowed: {ALLOWED}",
                    type_name(other)
                ),
            ),
        }),
    }
}

impl RawSpec {
    /// Resolves the fields as written into a validated spec (every default filled in).
    fn resolve(self) -> Result<CompeteFile, IoError> {
        let raw = self;
        let nonneg =
            |field: &str, v: Option<i64>, default: i64, min: i64| -> Result<u64, IoError> {
                let v = v.unwrap_or(default);
                if v < min {
                    return Err(bad(
                        field,
                        format!("field `{field}` = {v} must lie in [{min}, infinity)"),
                    ));
                }
                Ok(v as u64)
            };
        let seed = raw
            .seed
            .map(|v| nonneg("seed", Some(v), 0, 0))
            .transpose()?;
        let runs = raw
            .runs
            .map(|v| nonneg("runs", Some(v), 1, 1))
            .transpose()?;
        if let Some(r) = runs {
            at_most("runs", r, MAX_RUNS)?;
        }
        let k = nonneg("k", raw.k, 10, 1)?;
        at_most("k", k, MAX_ARMS)?;
        let k = k as usize;
        let rewards = match raw.rewards.clone() {
            None => RewardModel::Bernoulli,
            Some(r) => resolve_rewards(r)?,
        };
        let instance_name = raw.instance.clone().unwrap_or_else(|| "heavy-tail".into());
        if raw.means.is_some() && instance_name != "means" {
            return Err(bad("means", format!("field `means` is only allowed with instance = \"means\" (instance = {instance_name:?})")));
        }
        if raw.needle.is_some() && instance_name != "needle-in-haystack" {
            return Err(bad("needle", format!(
                "field `needle` is only allowed with instance = \"needle-in-haystack\" (instance = {instance_name:?})"
            )));
        }
        let instance = match instance_name.as_str() {
            "needle-in-haystack" => {
                let needle = match &raw.needle {
                    None => NeedlePosition::Random,
                    Some(serde_json::Value::String(s)) if s == "random" => NeedlePosition::Random,
                    Some(serde_json::Value::Number(i)) if i.as_u64().is_some() => {
                        NeedlePosition::Fixed(i.as_u64().unwrap_or_default() as usize)
                    }
                    Some(v) => {
                        return Err(bad("needle", format!(
                            "field `needle` = {v} must be \"random\" or an arm index in [0, {}]",
                            k.saturating_sub(1)
                        )))
                    }
                };
                InstanceSpec::NeedleInHaystack {
                    k,
                    needle,
                    needle_mean: 0.7,
                    base_mean: 0.5,
                }
            }
            "uniform" => InstanceSpec::uniform(k),
            "heavy-tail" => InstanceSpec::heavy_tail(k),
            "means" => {
                if raw.k.is_some() {
                    return Err(bad("k", "field `k` is not allowed with instance = \"means\" (K is the length of `means`)".into()));
                }
                let means = raw.means.clone().ok_or_else(|| bad("means", "field `means` is missing: instance = \"means\" needs the arm means".into()))?;
                at_most("means", means.len() as u64, MAX_ARMS)?;
                InstanceSpec::Means { means }
            }
            other => {
                return Err(bad("instance", format!(
                    "field `instance`: unknown instance {other:?}; allowed: needle-in-haystack, uniform, heavy-tail, means"
                )))
            }
        };
        instance
            .validate_for(&rewards)
            .map_err(|e| bad("instance", format!("field `instance`: {e}")))?;

        let names = raw
            .algorithms
            .clone()
            .unwrap_or_else(|| vec!["TS".into(), "BG".into()]);
        at_most("algorithms", names.len() as u64, MAX_FIRMS)?;
        let algorithms = names
            .iter()
            .enumerate()
            .map(|(i, n)| {
                n.parse::<AlgorithmKind>().map_err(|e| {
                    bad(
                        format!("algorithms[{i}]"),
                        format!("field `algorithms[{i}]`: {e}"),
                    )
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        for (i, a) in algorithms.iter().enumerate() {
            a.check_rewards(&format!("algorithms[{i}]"), &rewards)
                .map_err(|e| {
                    bad(
                        format!("algorithms[{i}]"),
                        format!("field `algorithms[{i}]`: {e}"),
                    )
                })?;
        }

        let x = raw.x;
        let scenario_name = raw
            .scenario
            .clone()
            .unwrap_or_else(|| "simultaneous-entry".into());
        let x_of = || -> Result<usize, IoError> {
            match x {
                None => Err(bad(
                    "x",
                    format!(
                    "field `x` is missing: scenario = {scenario_name:?} needs the monopoly period X"
                ),
                )),
                Some(v) if v < 0 => Err(bad(
                    "x",
                    format!("field `x` = {v} must lie in [0, infinity)"),
                )),
                Some(v) => {
                    at_most("x", v as u64, MAX_ROUNDS)?;
                    Ok(v as usize)
                }
            }
        };
        let scenario = match scenario_name.as_str() {
            "simultaneous-entry" => Scenario::SimultaneousEntry,
            "monopoly" => Scenario::Monopoly,
            "first-mover" => Scenario::FirstMover { x: x_of()? },
            "data-advantage" => Scenario::DataAdvantage { x: x_of()? },
            "reputation-advantage" => Scenario::ReputationAdvantage { x: x_of()? },
            other => {
                return Err(bad("scenario", format!(
                    "field `scenario`: unknown scenario {other:?}; allowed: simultaneous-entry, monopoly, first-mover, data-advantage, reputation-advantage"
                )))
            }
        };
        let first_mover = matches!(
            scenario,
            Scenario::FirstMover { .. }
                | Scenario::DataAdvantage { .. }
                | Scenario::ReputationAdvantage { .. }
        );
        match x {
            Some(v) if v < 0 => return Err(bad("x", format!("field `x` = {v} must lie in [0, infinity)"))),
            Some(_) if !first_mover => {
                return Err(bad("x", format!(
                    "field `x` is only used by the first-mover scenarios (scenario = {scenario_name:?})"
                )))
            }
            _ => {}
        }
        let response_name = raw.response.clone().unwrap_or_else(|| "hardmax".into());
        let only = |field: &str, v: &Option<f64>, allowed_with: &str| -> Result<(), IoError> {
            if v.is_some() && response_name != allowed_with {
                return Err(bad(field, format!(
                    "field `{field}` is only used with response = {allowed_with:?} (response = {response_name:?})"
                )));
            }
            Ok(())
        };
        only("bias", &raw.bias, "hardmax")?;
        only("eps", &raw.eps, "hardmax-random")?;
        only("temperature", &raw.temperature, "softmax")?;
        let response = match response_name.as_str() {
            "hardmax" => ResponseSpec::HardMax {
                bias: raw.bias.unwrap_or(0.5),
            },
            "hardmax-random" => ResponseSpec::HardMaxRandom {
                eps: raw.eps.unwrap_or(0.1),
            },
            "softmax" => ResponseSpec::SoftMax {
                temperature: raw
                    .temperature
                    .ok_or_else(|| bad("temperature", "field `temperature` is missing: response = \"softmax\" needs it".into()))?,
            },
            other => {
                return Err(bad("response", format!(
                    "field `response`: unknown response function {other:?}; allowed: hardmax, hardmax-random, softmax"
                )))
            }
        };
        response
            .build()
            .map_err(|e| bad("response", format!("field `response`: {e}")))?;

        let tie = match raw.tie_rule.as_deref().unwrap_or("lowest-index") {
            "lowest-index" => ArgmaxTie::LowestIndex,
            "random" => ArgmaxTie::Random,
            other => {
                return Err(bad(
                    "tie_rule",
                    format!(
                    "field `tie_rule`: unknown tie rule {other:?}; allowed: lowest-index, random"
                ),
                ))
            }
        };
        let warm_start_rows = match raw.warm_start_rows.as_deref().unwrap_or("per-firm") {
            "per-firm" => WarmStartRows::PerFirm,
            "shared" => WarmStartRows::Shared,
            other => {
                return Err(bad(
                    "warm_start_rows",
                    format!(
                    "field `warm_start_rows`: unknown value {other:?}; allowed: per-firm, shared"
                ),
                ))
            }
        };
        let prior = match raw.prior.as_deref() {
            None => BetaPrior::default(),
            Some([a, b]) => {
                BetaPrior::new(*a, *b).map_err(|e| bad("prior", format!("field `prior`: {e}")))?
            }
            Some(v) => {
                return Err(bad(
                    "prior",
                    format!(
                        "field `prior` must hold two numbers [alpha, beta], got {} values",
                        v.len()
                    ),
                ))
            }
        };
        let rounds = |field: &str, v: Option<i64>, default: i64| -> Result<usize, IoError> {
            let v = nonneg(field, v, default, 1)?;
            at_most(field, v, MAX_ROUNDS)?;
            Ok(v as usize)
        };
        let t = rounds("t", raw.t, 2000)?;
        let t0 = rounds("t0", raw.t0, 20)?;
        let window = rounds("window", raw.window, 100)?;
        if let Some(x) = x.filter(|&x| x as u64 > t as u64) {
            return Err(bad(
                "x",
                format!("field `x` = {x} must lie in [0, {t}]: the monopoly period cannot be longer than the game (T = {t})"),
            ));
        }
        let given = raw.checkpoints.clone().unwrap_or_default();
        at_most("checkpoints", given.len() as u64, MAX_CHECKPOINTS)?;
        for (i, c) in given.iter().enumerate() {
            if let Some(j) = given[..i].iter().position(|d| d == c) {
                return Err(bad(
                    format!("checkpoints[{i}]"),
                    format!("field `checkpoints[{i}]` = {c} repeats `checkpoints[{j}]`: give each horizon once"),
                ));
            }
        }
        let checkpoints = given
            .into_iter()
            .enumerate()
            .map(|(i, c)| {
                if c < 1 || c as u64 > t as u64 {
                    Err(bad(
                        format!("checkpoints[{i}]"),
                        format!("field `checkpoints[{i}]` = {c} must lie in [1, {t}] (T = {t})"),
                    ))
                } else {
                    Ok(c as usize)
                }
            })
            .collect::<Result<Vec<_>, _>>()?;
        let game = CompetitionConfig {
            algorithms,
            prior,
            tie,
            response,
            custom_response: None,
            scenario,
            t,
            t0,
            window,
            warm_start_rows,
            checkpoints,
            rewards,
        }
        .validated()
        .map_err(|e| bad(game_field(&e), format!("invalid game: {e}")))?;
        Ok(CompeteFile {
            spec: CompeteSpec {
                instance,
                game,
                isolation: raw.isolation.unwrap_or(true),
            },
            seed,
            runs,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<CompeteSpec, String> {
        CompeteSpec::from_toml(text, Path::new("spec.toml")).map_err(|e| e.to_string())
    }

    #[test]
    fn defaults_are_the_papers() {
        let s = parse("").unwrap();
        let f = CompeteFile::from_toml("", Path::new("spec.toml")).unwrap();
        assert_eq!(f.plan(None, None), Plan::new(0, DEFAULT_RUNS));
        assert_eq!(DEFAULT_RUNS, 1000);
        let f = CompeteFile::from_toml("runs = 7\nseed = 3", Path::new("s.toml")).unwrap();
        assert_eq!(f.plan(None, None), Plan::new(3, 7));
        assert_eq!(f.plan(Some(4), Some(9)), Plan::new(4, 9));
        assert_eq!(s.game.t, 2000);
        assert_eq!(s.game.t0, 20);
        assert_eq!(s.game.window, 100);
        assert_eq!(s.instance, InstanceSpec::heavy_tail(10));
        let s = parse("instance = \"needle-in-haystack\"\nneedle = 5\nalgorithms = [\"BEG(eps=0.1)\", \"GM(TS, p=0.5)\", \"BG\"]\nscenario = \"first-mover\"\nx = 200\nresponse = \"hardmax-random\"\neps = 0.2\ncheckpoints = [100]").unwrap();
        assert_eq!(s.game.algorithms.len(), 3);
        assert_eq!(s.game.scenario, Scenario::FirstMover { x: 200 });
    }

    #[test]
    fn unknown_keys_and_bad_values_name_the_field() {
        let e = parse("t = 10\ncolour = 1").unwrap_err();
        assert!(
            e.contains("colour: compete spec: line 2, column 1: unknown key `colour`; allowed: seed, runs, instance"),
            "{e}"
        );
        let e = CompeteSpec::from_value(&serde_json::json!({"t0": 0})).unwrap_err();
        assert_eq!(e.field().as_deref(), Some("t0"));
        let e = CompeteSpec::from_value(
            &serde_json::json!({"needle": -1, "instance": "needle-in-haystack"}),
        )
        .unwrap_err();
        assert_eq!(e.field().as_deref(), Some("needle"));
    }

    #[test]
    fn oversized_numbers_are_refused_before_allocation_naming_the_field() {
        let huge = i64::MAX;
        for (text, field) in [
            (format!("k = {huge}"), "k"),
            (format!("t0 = {huge}"), "t0"),
            (format!("t = {huge}"), "t"),
            (format!("window = {huge}"), "window"),
            (format!("runs = {huge}"), "runs"),
            (format!("scenario = \"first-mover\"\nx = {huge}"), "x"),
            ("scenario = \"first-mover\"\nx = 4294967295".into(), "x"),
            ("k = 100000000000".into(), "k"),
            ("t = 1000000000\nwindow = 1000000000".into(), "t"),
        ] {
            let e = CompeteFile::from_toml(&text, Path::new("s.toml"))
                .and_then(|f| {
                    f.spec
                        .footprint(&f.plan(None, None))
                        .check_against(1 << 30, "test")?;
                    Ok(f)
                })
                .unwrap_err();
            assert_eq!(e.field().as_deref(), Some(field), "{text}: {e}");
        }
        // Within the limits, a long game is refused only by the memory budget, naming the field.
        let f =
            CompeteFile::from_toml("window = 1000000000\nt = 1000000000", Path::new("s")).unwrap();
        let e = f
            .spec
            .footprint(&Plan::new(0, 1))
            .check_against(1 << 30, "test")
            .unwrap_err();
        assert!(
            e.to_string().contains("above the memory budget of 1.1 GB"),
            "{e}"
        );
    }

    #[test]
    fn every_error_names_its_field_explicitly() {
        for (doc, field) in [
            (serde_json::json!({"t0": 0}), "t0"),
            (
                serde_json::json!({"algorithms": ["TS", "XYZ"]}),
                "algorithms[1]",
            ),
            (
                serde_json::json!({"checkpoints": [5, 5000]}),
                "checkpoints[1]",
            ),
            (serde_json::json!({"instance": "gaussian"}), "instance"),
            (serde_json::json!({"response": "softmax"}), "temperature"),
            (serde_json::json!({"scenario": "monopoly"}), "algorithms"),
            (serde_json::json!({"prior": [1.0]}), "prior"),
            (serde_json::json!({"x": 5}), "x"),
        ] {
            let e = CompeteSpec::from_value(&doc).unwrap_err();
            assert_eq!(e.field().as_deref(), Some(field), "{doc}: {e}");
        }
    }

    #[test]
    fn gaussian_rewards_are_read_validated_and_recorded() {
        let s = parse("instance = \"means\"\nmeans = [-2.0, 3.5]\nalgorithms = [\"UCB1\", \"GTS(m0=0, s0=5)\"]\nrewards = { gaussian = { sigma = 2.5 } }").unwrap();
        assert_eq!(s.game.rewards, RewardModel::Gaussian { sigma: 2.5 });
        // The resolved config (what every output records) holds the field.
        let json = serde_json::to_value(&s).unwrap();
        assert_eq!(json["game"]["rewards"]["gaussian"]["sigma"], 2.5);
        assert_eq!(parse("").unwrap().game.rewards, RewardModel::Bernoulli);
        assert_eq!(
            parse("rewards = \"bernoulli\"").unwrap().game.rewards,
            RewardModel::Bernoulli
        );
        // Means outside [0, 1] only with Gaussian rewards.
        let e = parse("instance = \"means\"\nmeans = [-2.0, 3.5]\nalgorithms = [\"UCB1\", \"SE\"]")
            .unwrap_err();
        assert!(e.contains("mean of arm 0 = -2 must lie in [0, 1]"), "{e}");
        // The Gaussian table is in the memory estimate.
        let plan = Plan::new(0, 10);
        let g = parse("rewards = { gaussian = { sigma = 1.0 } }\nalgorithms = [\"UCB1\", \"GBG\"]")
            .unwrap();
        assert!(g.footprint(&plan).total() > parse("").unwrap().footprint(&plan).total());
    }

    #[test]
    fn bad_rewards_are_refused_naming_the_field() {
        let gauss = |sigma: &str| {
            format!("algorithms = [\"UCB1\", \"GTS\"]\nrewards = {{ gaussian = {{ sigma = {sigma} }} }}")
        };
        for (sigma, shown) in [
            ("0.0", "= 0 "),
            ("-1.0", "= -1 "),
            ("nan", "= NaN "),
            ("inf", "= inf "),
            ("1e300", "= 1000000000000000000000000000000"),
        ] {
            let e = CompeteSpec::from_toml(&gauss(sigma), Path::new("s.toml")).unwrap_err();
            assert_eq!(
                e.field().as_deref(),
                Some("rewards.gaussian.sigma"),
                "{sigma}: {e}"
            );
            let m = e.to_string();
            assert!(
                m.contains("noise sigma of the Gaussian rewards")
                    && m.contains(shown)
                    && m.contains("(0, 1e6]"),
                "{sigma}: {m}"
            );
        }
        for (doc, field, text) in [
            ("rewards = \"gaussian\"", "rewards", "needs the noise level"),
            ("rewards = \"poisson\"", "rewards", "unknown reward model"),
            ("rewards = 3", "rewards", "unknown reward model"),
            (
                "rewards = { gaussian = { sd = 1.0 } }",
                "rewards.gaussian.sd",
                "allowed: sigma",
            ),
            (
                "rewards = { gaussian = {} }",
                "rewards.gaussian.sigma",
                "is missing",
            ),
            (
                "rewards = { gaussian = { sigma = \"x\" } }",
                "rewards.gaussian.sigma",
                "is a string",
            ),
            (
                "rewards = { laplace = { b = 1.0 } }",
                "rewards.laplace",
                "allowed: bernoulli, gaussian",
            ),
        ] {
            let e = CompeteSpec::from_toml(doc, Path::new("s.toml")).unwrap_err();
            assert_eq!(e.field().as_deref(), Some(field), "{doc}: {e}");
            assert!(e.to_string().contains(text), "{doc}: {e}");
        }
        // A Beta-Bernoulli algorithm under Gaussian rewards names its slot, the algorithm and
        // the algorithms that accept Gaussian rewards; GTS under Bernoulli rewards likewise.
        let e = CompeteSpec::from_toml(
            "algorithms = [\"UCB1\", \"TS\"]\nrewards = { gaussian = { sigma = 1.0 } }",
            Path::new("s.toml"),
        )
        .unwrap_err();
        assert_eq!(e.field().as_deref(), Some("algorithms[1]"), "{e}");
        let m = e.to_string();
        assert!(
            m.contains("algorithms[1] = TS does not accept gaussian(sigma=1) rewards")
                && m.contains("GTS, GBG"),
            "{m}"
        );
        let e =
            CompeteSpec::from_value(&serde_json::json!({"algorithms": ["GTS", "BG"]})).unwrap_err();
        assert_eq!(e.field().as_deref(), Some("algorithms[0]"), "{e}");
        assert!(
            e.to_string().contains("does not accept bernoulli rewards"),
            "{e}"
        );
    }

    #[test]
    fn bad_specs_name_the_field() {
        let cases = [
            ("k = 0", "field `k` = 0"),
            (
                "algorithms = [\"TS\", \"XYZ\"]",
                "field `algorithms[1]`: unknown algorithm \"XYZ\"; allowed: SG",
            ),
            (
                "algorithms = [\"BEG(eps=1.5)\", \"BG\"]",
                "epsilon of BayesEpsilonGreedy = 1.5 must lie in [0, 1]",
            ),
            ("t0 = 0", "field `t0` = 0 must lie in [1, infinity)"),
            ("window = 0", "field `window` = 0"),
            (
                "scenario = \"first-mover\"\nx = -5",
                "field `x` = -5 must lie in [0, infinity)",
            ),
            ("scenario = \"first-mover\"", "field `x` is missing"),
            (
                "instance = \"means\"\nmeans = [0.5, 1.5]",
                "mean of arm 1 = 1.5 must lie in [0, 1]",
            ),
            ("instance = \"means\"\nmeans = []", "number of arms K = 0"),
            (
                "response = \"hardmax-random\"\neps = 2.0",
                "epsilon of HardMax&Random = 2",
            ),
            ("response = \"softmax\"", "field `temperature` is missing"),
            ("instance = \"gaussian\"", "unknown instance \"gaussian\""),
            ("colour = 3", "colour"),
            ("runs = 0", "field `runs` = 0"),
            ("checkpoints = [3000]", "field `checkpoints[0]` = 3000"),
            (
                "checkpoints = [10, 500, 10]",
                "field `checkpoints[2]` = 10 repeats `checkpoints[0]`",
            ),
            (
                "scenario = \"first-mover\"\nx = 2001",
                "field `x` = 2001 must lie in [0, 2000]",
            ),
        ];
        for (text, want) in cases {
            let e = parse(text).unwrap_err();
            assert!(e.contains(want), "{text:?}: {e}");
        }
    }
}
