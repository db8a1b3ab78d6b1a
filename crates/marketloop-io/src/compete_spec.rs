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
//! ```

use crate::IoError;
use marketloop_core::bandits::{
    AlgorithmKind, ArgmaxTie, BetaPrior, CompetitionConfig, InstanceSpec, NeedlePosition,
    ResponseSpec, Scenario, WarmStartRows,
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
}

/// A resolved, validated `compete` spec (every default filled in; recorded in the manifest).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CompeteSpec {
    /// Master seed.
    pub seed: u64,
    /// Number of runs N (mean vectors, one game each).
    pub runs: u64,
    /// The MAB instance.
    pub instance: InstanceSpec,
    /// The game.
    pub game: CompetitionConfig,
    /// Whether to also run each algorithm alone for T0 + T rounds.
    pub isolation: bool,
}

impl CompeteSpec {
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
}

/// A spec error whose field is the first name in backticks of `message` (`field \`t0\` = 0`).
fn bad(message: String) -> IoError {
    let field = message
        .split_once('`')
        .and_then(|(_, rest)| rest.split_once('`'))
        .map_or("compete", |(f, _)| f)
        .to_string();
    IoError::spec(field, message)
}

impl RawSpec {
    /// Resolves the fields as written into a validated spec (every default filled in).
    fn resolve(self) -> Result<CompeteSpec, IoError> {
        let raw = self;
        let nonneg =
            |field: &str, v: Option<i64>, default: i64, min: i64| -> Result<u64, IoError> {
                let v = v.unwrap_or(default);
                if v < min {
                    return Err(bad(format!(
                        "field `{field}` = {v} must lie in [{min}, infinity)"
                    )));
                }
                Ok(v as u64)
            };
        let seed = nonneg("seed", raw.seed, 0, 0)?;
        let runs = nonneg("runs", raw.runs, 1000, 1)?;
        let k = nonneg("k", raw.k, 10, 1)? as usize;
        let instance_name = raw.instance.clone().unwrap_or_else(|| "heavy-tail".into());
        if raw.means.is_some() && instance_name != "means" {
            return Err(bad(format!("field `means` is only allowed with instance = \"means\" (instance = {instance_name:?})")));
        }
        if raw.needle.is_some() && instance_name != "needle-in-haystack" {
            return Err(bad(format!(
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
                        return Err(bad(format!(
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
                    return Err(bad("field `k` is not allowed with instance = \"means\" (K is the length of `means`)".into()));
                }
                InstanceSpec::Means {
                    means: raw.means.clone().ok_or_else(|| bad("field `means` is missing: instance = \"means\" needs the arm means".into()))?,
                }
            }
            other => {
                return Err(bad(format!(
                    "field `instance`: unknown instance {other:?}; allowed: needle-in-haystack, uniform, heavy-tail, means"
                )))
            }
        };
        instance
            .validate()
            .map_err(|e| bad(format!("field `instance`: {e}")))?;

        let names = raw
            .algorithms
            .clone()
            .unwrap_or_else(|| vec!["TS".into(), "BG".into()]);
        let algorithms = names
            .iter()
            .enumerate()
            .map(|(i, n)| {
                n.parse::<AlgorithmKind>()
                    .map_err(|e| bad(format!("field `algorithms[{i}]`: {e}")))
            })
            .collect::<Result<Vec<_>, _>>()?;

        let x = raw.x;
        let scenario_name = raw
            .scenario
            .clone()
            .unwrap_or_else(|| "simultaneous-entry".into());
        let x_of = || -> Result<usize, IoError> {
            match x {
                None => Err(bad(format!(
                    "field `x` is missing: scenario = {scenario_name:?} needs the monopoly period X"
                ))),
                Some(v) if v < 0 => Err(bad(format!("field `x` = {v} must lie in [0, infinity)"))),
                Some(v) => Ok(v as usize),
            }
        };
        let scenario = match scenario_name.as_str() {
            "simultaneous-entry" => Scenario::SimultaneousEntry,
            "monopoly" => Scenario::Monopoly,
            "first-mover" => Scenario::FirstMover { x: x_of()? },
            "data-advantage" => Scenario::DataAdvantage { x: x_of()? },
            "reputation-advantage" => Scenario::ReputationAdvantage { x: x_of()? },
            other => {
                return Err(bad(format!(
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
            Some(v) if v < 0 => return Err(bad(format!("field `x` = {v} must lie in [0, infinity)"))),
            Some(_) if !first_mover => {
                return Err(bad(format!(
                    "field `x` is only used by the first-mover scenarios (scenario = {scenario_name:?})"
                )))
            }
            _ => {}
        }
        let response_name = raw.response.clone().unwrap_or_else(|| "hardmax".into());
        let only = |field: &str, v: &Option<f64>, allowed_with: &str| -> Result<(), IoError> {
            if v.is_some() && response_name != allowed_with {
                return Err(bad(format!(
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
                    .ok_or_else(|| bad("field `temperature` is missing: response = \"softmax\" needs it".into()))?,
            },
            other => {
                return Err(bad(format!(
                    "field `response`: unknown response function {other:?}; allowed: hardmax, hardmax-random, softmax"
                )))
            }
        };
        response
            .build()
            .map_err(|e| bad(format!("field `response`: {e}")))?;

        let tie = match raw.tie_rule.as_deref().unwrap_or("lowest-index") {
            "lowest-index" => ArgmaxTie::LowestIndex,
            "random" => ArgmaxTie::Random,
            other => {
                return Err(bad(format!(
                    "field `tie_rule`: unknown tie rule {other:?}; allowed: lowest-index, random"
                )))
            }
        };
        let warm_start_rows = match raw.warm_start_rows.as_deref().unwrap_or("per-firm") {
            "per-firm" => WarmStartRows::PerFirm,
            "shared" => WarmStartRows::Shared,
            other => {
                return Err(bad(format!(
                    "field `warm_start_rows`: unknown value {other:?}; allowed: per-firm, shared"
                )))
            }
        };
        let prior = match raw.prior.as_deref() {
            None => BetaPrior::default(),
            Some([a, b]) => {
                BetaPrior::new(*a, *b).map_err(|e| bad(format!("field `prior`: {e}")))?
            }
            Some(v) => {
                return Err(bad(format!(
                    "field `prior` must hold two numbers [alpha, beta], got {} values",
                    v.len()
                )))
            }
        };
        let t = nonneg("t", raw.t, 2000, 1)? as usize;
        let t0 = nonneg("t0", raw.t0, 20, 1)? as usize;
        let window = nonneg("window", raw.window, 100, 1)? as usize;
        let checkpoints = raw
            .checkpoints
            .clone()
            .unwrap_or_default()
            .into_iter()
            .enumerate()
            .map(|(i, c)| {
                if c < 1 || c as u64 > t as u64 {
                    Err(bad(format!(
                        "field `checkpoints[{i}]` = {c} must lie in [1, {t}] (T = {t})"
                    )))
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
            scenario,
            t,
            t0,
            window,
            warm_start_rows,
            checkpoints,
        }
        .validated()
        .map_err(|e| bad(format!("invalid game: {e}")))?;
        Ok(CompeteSpec {
            seed,
            runs,
            instance,
            game,
            isolation: raw.isolation.unwrap_or(true),
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
        assert_eq!(s.runs, 1000);
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
        ];
        for (text, want) in cases {
            let e = parse(text).unwrap_err();
            assert!(e.contains(want), "{text:?}: {e}");
        }
    }
}
