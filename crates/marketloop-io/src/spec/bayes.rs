//! The TOML spec of `marketloop bayes` (and of `kind = "bayes"` in sweeps and Python): one game
//! of the Bayesian-choice model (Section 4), resolved into the core's validated types. Unknown
//! keys are rejected; every error names the field, the bad value and what is allowed.
//!
//! ```toml
//! seed = 1
//! prior = "heavy-tail"          # heavy-tail | uniform | needle-in-haystack | beta | means | custom
//!                               #   (custom: a Python sampler, `BayesianChoice(prior=callable)`)
//! k = 3                         # arms (not for "means" or "beta")
//! # a = 0.6                     # heavy-tail: Beta(a, b) per arm (default 0.6, 0.6)
//! # b = 0.6
//! # low = 0.25                  # uniform: U[low, high] (default 1/4, 3/4)
//! # high = 0.75
//! # needle_mean = 0.7           # needle-in-haystack (default 0.7 and 0.5, random needle)
//! # base_mean = 0.5
//! # beta = [[2, 1], [1, 1]]     # beta: (a_k, b_k) per arm
//! # means = [0.3, 0.6]          # means: a point-mass prior
//! belief = "true"               # "true" (the theorems) or [alpha, beta] (e.g. [1, 1], Section 5)
//! algorithms = ["BG", "TS"]     # principal 1, principal 2 (any built-in name)
//! response = "hardmax"          # hardmax | hardmax-random | softmax
//! # bias = 0.5                  # hardmax: probability that principal 1 wins a tie
//! # eps = 0.1                   # hardmax-random
//! # temperature = 0.05          # softmax
//! t = 2000                      # rounds (agents) T
//! t0 = 0                        # warm start: agents each principal served alone before round 1
//! paths = 10000                 # Monte Carlo prior draws for the reward curves
//! band = 3.0                    # HardMax decisions within band x standard errors are flagged
//! band_rule = "tie"             # flagged decisions taken as ties, or "estimate"
//! tail_tolerance = 1e-15        # mass of n_1(t) dropped per side and round (0: exact game;
//!                               #   default 1e-15, 0 with hardmax)
//! tie_rule = "lowest-index"     # argmax ties inside the algorithms, or "random"
//! ```

use crate::spec::limits::{at_most, MAX_ARMS, MAX_PATHS, MAX_ROUNDS};
use crate::IoError;
use marketloop_core::bandits::bayesian::{
    BandRule, BayesGame, BayesPrior, BayesResponse, Belief, CurvesConfig, MAX_TAIL_TOLERANCE,
};
use marketloop_core::bandits::{
    AlgorithmKind, ArgmaxTie, BetaPrior, InstanceSpec, NeedlePosition, ResponseSpec,
};
use serde::{Deserialize, Serialize};
use std::path::Path;

#[derive(Deserialize, Debug, Default)]
#[serde(deny_unknown_fields)]
struct RawSpec {
    seed: Option<u64>,
    prior: Option<String>,
    k: Option<u64>,
    a: Option<f64>,
    b: Option<f64>,
    low: Option<f64>,
    high: Option<f64>,
    needle_mean: Option<f64>,
    base_mean: Option<f64>,
    beta: Option<Vec<[f64; 2]>>,
    means: Option<Vec<f64>>,
    belief: Option<serde_json::Value>,
    algorithms: Option<Vec<String>>,
    response: Option<String>,
    bias: Option<f64>,
    eps: Option<f64>,
    temperature: Option<f64>,
    t: Option<u64>,
    t0: Option<u64>,
    paths: Option<u64>,
    band: Option<f64>,
    band_rule: Option<BandRule>,
    tail_tolerance: Option<f64>,
    tie_rule: Option<ArgmaxTie>,
}

/// The prior of a spec (serde form, recorded in the manifest).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum PriorSpec {
    /// One of the paper's instances or given means.
    Instance {
        /// The instance.
        instance: InstanceSpec,
    },
    /// Independent Beta(a_k, b_k) per arm.
    Beta {
        /// (a_k, b_k) per arm.
        params: Vec<(f64, f64)>,
    },
    /// A user's sampler of mean vectors on K arms, given beside the spec (Python's
    /// `BayesianChoice(prior=callable)`; see [`crate::experiment::Bayes::with_sampler`]).
    Custom {
        /// Number of arms K.
        k: usize,
    },
}

impl PriorSpec {
    /// The core prior. A user's sampler travels beside the spec, so for `custom` this is an
    /// error naming `prior`.
    pub fn prior(&self) -> Result<BayesPrior, IoError> {
        match self {
            PriorSpec::Instance { instance } => Ok(BayesPrior::Instance(instance.clone())),
            PriorSpec::Beta { params } => Ok(BayesPrior::Beta(params.clone())),
            PriorSpec::Custom { k } => Err(bad(
                "prior",
                format!("prior = \"custom\" (K = {k}) is drawn by a user's sampler, which only Python can give: marketloop.BayesianChoice(prior=callable, k={k}, belief=[1, 1], ...)"),
            )),
        }
    }

    /// What the spec's checks run on: the prior itself, or for a user's sampler (known only
    /// at run time) Beta(1, 1) on the same K arms: with the Beta belief a sampler requires,
    /// what the algorithms accept depends on K only.
    fn checked(&self) -> BayesPrior {
        match self {
            PriorSpec::Custom { k } => BayesPrior::Beta(vec![(1.0, 1.0); *k]),
            other => other.prior().unwrap_or(BayesPrior::Beta(Vec::new())),
        }
    }
}

/// A resolved, validated `bayes` spec (every default filled in; recorded in the manifest).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BayesSpec {
    /// Master seed.
    pub seed: u64,
    /// The common prior.
    pub prior: PriorSpec,
    /// The algorithms' belief: `None` = the true prior, else a Beta prior per arm.
    pub belief: Option<BetaPrior>,
    /// Principal 1's and principal 2's algorithms.
    pub algorithms: [AlgorithmKind; 2],
    /// The response function.
    pub response: ResponseSpec,
    /// Rounds T.
    pub t: usize,
    /// Warm start T0.
    pub t0: usize,
    /// Monte Carlo paths.
    pub paths: u64,
    /// Band width in standard errors.
    pub band: f64,
    /// How flagged decisions are taken.
    pub band_rule: BandRule,
    /// Mass of n_1(t)'s distribution dropped per side and round (0: the exact game).
    #[serde(default)]
    pub tail_tolerance: f64,
    /// Argmax ties inside the algorithms.
    pub tie_rule: ArgmaxTie,
}

/// The default `tail_tolerance` of the responses other than HardMax (whose default is 0, the
/// exact game): at most 2e-15 T of neglected mass, far below any Monte Carlo error, for an
/// O(T sqrt(T)) game under HardMax&Random and SoftMax.
pub const DEFAULT_TAIL_TOLERANCE: f64 = 1e-15;

fn bad(field: &str, message: String) -> IoError {
    IoError::spec(field, message)
}

impl BayesSpec {
    /// Reads and resolves a spec file.
    pub fn from_path(path: &Path) -> Result<Self, IoError> {
        let text = std::fs::read_to_string(path).map_err(|e| IoError::os(path, e))?;
        Self::from_toml(&text, path)
    }

    /// Resolves spec text; `path` is only used in error messages.
    pub fn from_toml(text: &str, path: &Path) -> Result<Self, IoError> {
        super::market::from_toml::<RawSpec>(text, path, "bayes")?.resolve()
    }

    /// Resolves a spec given as a JSON value (Python keywords, sweep cells).
    pub fn from_value(spec: &serde_json::Value) -> Result<Self, IoError> {
        super::market::from_value::<RawSpec>(spec, "bayes")?.resolve()
    }

    /// The core's reward-curve estimator of this spec (both algorithms, T0 + T local steps).
    pub fn curves(&self) -> Result<CurvesConfig<AlgorithmKind>, IoError> {
        self.curves_on(self.prior.prior()?)
    }

    /// [`curves`](Self::curves) on `prior` (a user's sampler, or the spec's own).
    pub fn curves_on(&self, prior: BayesPrior) -> Result<CurvesConfig<AlgorithmKind>, IoError> {
        let steps = self
            .t
            .checked_add(self.t0)
            .ok_or_else(|| bad("t0", format!("t0 = {} + t = {} overflows", self.t0, self.t)))?;
        Ok(CurvesConfig {
            prior,
            belief: self.belief.map_or(Belief::True, Belief::Beta),
            tie: self.tie_rule,
            algorithms: self.algorithms.to_vec(),
            steps,
            paths: self.paths,
        })
    }

    /// The core's game of this spec (principal 1 = curve 0, principal 2 = curve 1).
    pub fn game(&self) -> Result<BayesGame, IoError> {
        Ok(BayesGame {
            response: BayesResponse::from_spec(self.response)?,
            rounds: self.t,
            warm_start: self.t0,
            band: self.band,
            band_rule: self.band_rule,
            tail_tolerance: self.tail_tolerance,
            first: 0,
            second: 1,
        })
    }
}

impl RawSpec {
    fn resolve(self) -> Result<BayesSpec, IoError> {
        let r = self;
        let prior_name = r.prior.clone().unwrap_or_else(|| "heavy-tail".into());
        let allowed: &[&str] = match prior_name.as_str() {
            "heavy-tail" => &["k", "a", "b"],
            "uniform" => &["k", "low", "high"],
            "needle-in-haystack" => &["k", "needle_mean", "base_mean"],
            "beta" => &["beta"],
            "means" => &["means"],
            "custom" => &["k"],
            other => {
                return Err(bad(
                    "prior",
                    format!("prior = {other:?} is not known; allowed: heavy-tail, uniform, needle-in-haystack, beta, means, custom (a Python sampler)"),
                ))
            }
        };
        for (field, given) in [
            ("k", r.k.is_some()),
            ("a", r.a.is_some()),
            ("b", r.b.is_some()),
            ("low", r.low.is_some()),
            ("high", r.high.is_some()),
            ("needle_mean", r.needle_mean.is_some()),
            ("base_mean", r.base_mean.is_some()),
            ("beta", r.beta.is_some()),
            ("means", r.means.is_some()),
        ] {
            if given && !allowed.contains(&field) {
                return Err(bad(
                    field,
                    format!(
                        "field `{field}` is not used with prior = {prior_name:?} (its fields: {})",
                        allowed.join(", ")
                    ),
                ));
            }
        }
        let k = r.k.unwrap_or(10);
        at_most("k", k, MAX_ARMS)?;
        let k = k as usize;
        if let Some(beta) = &r.beta {
            at_most("beta", beta.len() as u64, MAX_ARMS)?;
        }
        if let Some(means) = &r.means {
            at_most("means", means.len() as u64, MAX_ARMS)?;
        }
        let prior = match prior_name.as_str() {
            "heavy-tail" => PriorSpec::Instance {
                instance: InstanceSpec::HeavyTail {
                    k,
                    a: r.a.unwrap_or(0.6),
                    b: r.b.unwrap_or(0.6),
                },
            },
            "uniform" => PriorSpec::Instance {
                instance: InstanceSpec::Uniform {
                    k,
                    low: r.low.unwrap_or(0.25),
                    high: r.high.unwrap_or(0.75),
                },
            },
            "needle-in-haystack" => PriorSpec::Instance {
                instance: InstanceSpec::NeedleInHaystack {
                    k,
                    needle: NeedlePosition::Random,
                    needle_mean: r.needle_mean.unwrap_or(0.7),
                    base_mean: r.base_mean.unwrap_or(0.5),
                },
            },
            "beta" => PriorSpec::Beta {
                params: r
                    .beta
                    .clone()
                    .ok_or_else(|| {
                        bad(
                            "beta",
                            "field `beta` is missing: prior = \"beta\" needs [[a, b], ...] per arm"
                                .into(),
                        )
                    })?
                    .into_iter()
                    .map(|[a, b]| (a, b))
                    .collect(),
            },
            "custom" => PriorSpec::Custom { k },
            _ => PriorSpec::Instance {
                instance: InstanceSpec::Means {
                    means: r.means.clone().ok_or_else(|| {
                        bad(
                            "means",
                            "field `means` is missing: prior = \"means\" needs the arm means"
                                .into(),
                        )
                    })?,
                },
            },
        };
        prior
            .checked()
            .validate()
            .map_err(|e| bad("prior", format!("field `prior`: {e}")))?;
        let belief = match &r.belief {
            None => None,
            Some(serde_json::Value::String(s)) if s == "true" => None,
            Some(serde_json::Value::Array(v))
                if v.len() == 2 && v.iter().all(|x| x.is_number()) =>
            {
                let (a, b) = (
                    v[0].as_f64().unwrap_or(f64::NAN),
                    v[1].as_f64().unwrap_or(f64::NAN),
                );
                Some(
                    BetaPrior::new(a, b)
                        .map_err(|e| bad("belief", format!("field `belief`: {e}")))?,
                )
            }
            Some(v) => {
                return Err(bad(
                    "belief",
                    format!(
                    "field `belief` = {v} must be \"true\" or [alpha, beta] with alpha, beta > 0"
                ),
                ))
            }
        };
        if matches!(prior, PriorSpec::Custom { .. }) && belief.is_none() {
            return Err(bad(
                "belief",
                "field `belief` = \"true\" is not defined for prior = \"custom\" (a user's sampler has no posterior marketloop can compute); give belief = [alpha, beta], e.g. [1, 1]".into(),
            ));
        }
        let names = r
            .algorithms
            .clone()
            .unwrap_or_else(|| vec!["BG".into(), "TS".into()]);
        if names.len() != 2 {
            return Err(bad(
                "algorithms",
                format!("field `algorithms` has {} entries; the Bayesian-choice model has exactly 2 principals", names.len()),
            ));
        }
        let parse = |i: usize| {
            names[i]
                .parse::<AlgorithmKind>()
                .map_err(|e| bad("algorithms", format!("field `algorithms[{i}]`: {e}")))
        };
        let algorithms = [parse(0)?, parse(1)?];
        let response_name = r.response.clone().unwrap_or_else(|| "hardmax".into());
        for (field, v, with) in [
            ("bias", r.bias, "hardmax"),
            ("eps", r.eps, "hardmax-random"),
            ("temperature", r.temperature, "softmax"),
        ] {
            if v.is_some() && response_name != with {
                return Err(bad(field, format!("field `{field}` is only used with response = {with:?} (response = {response_name:?})")));
            }
        }
        let response = match response_name.as_str() {
            "hardmax" => ResponseSpec::HardMax {
                bias: r.bias.unwrap_or(0.5),
            },
            "hardmax-random" => ResponseSpec::HardMaxRandom {
                eps: r.eps.unwrap_or(0.1),
            },
            "softmax" => ResponseSpec::SoftMax {
                temperature: r.temperature.ok_or_else(|| {
                    bad(
                        "temperature",
                        "field `temperature` is missing: response = \"softmax\" needs it".into(),
                    )
                })?,
            },
            other => {
                return Err(bad(
                    "response",
                    format!(
                    "response = {other:?} is not known; allowed: hardmax, hardmax-random, softmax"
                ),
                ))
            }
        };
        response
            .build()
            .map_err(|e| bad("response", format!("field `response`: {e}")))?;
        let t = r.t.unwrap_or(2000);
        if t == 0 {
            return Err(bad(
                "t",
                "field `t` = 0 must lie in [1, infinity) (the rounds T)".into(),
            ));
        }
        at_most("t", t, MAX_ROUNDS)?;
        if let Some(t0) = r.t0 {
            at_most("t0", t0, MAX_ROUNDS)?;
        }
        let paths = r.paths.unwrap_or(10_000);
        at_most("paths", paths, MAX_PATHS)?;
        if paths < 2 {
            return Err(bad(
                "paths",
                format!(
                    "field `paths` = {paths} must lie in [2, infinity) (Monte Carlo prior draws)"
                ),
            ));
        }
        let band = r.band.unwrap_or(3.0);
        if !(band.is_finite() && band >= 0.0) {
            return Err(bad(
                "band",
                format!("field `band` = {band} must lie in [0, infinity) (standard errors)"),
            ));
        }
        // HardMax keeps the exact game by default: its takeovers keep the support narrow
        // anyway, and its ties must stay bit-exact.
        let tail_tolerance = r.tail_tolerance.unwrap_or(match response {
            ResponseSpec::HardMax { .. } => 0.0,
            _ => DEFAULT_TAIL_TOLERANCE,
        });
        if !(0.0..=MAX_TAIL_TOLERANCE).contains(&tail_tolerance) {
            return Err(bad(
                "tail_tolerance",
                format!("field `tail_tolerance` = {tail_tolerance} must lie in [0, {MAX_TAIL_TOLERANCE}] (mass dropped per side and round; 0: the exact game)"),
            ));
        }
        let to_usize = |field: &str, v: u64| {
            usize::try_from(v)
                .map_err(|_| bad(field, format!("field `{field}` = {v} is too large")))
        };
        let spec = BayesSpec {
            seed: r.seed.unwrap_or(0),
            prior,
            belief,
            algorithms,
            response,
            t: to_usize("t", t)?,
            t0: to_usize("t0", r.t0.unwrap_or(0))?,
            paths,
            band,
            band_rule: r.band_rule.unwrap_or_default(),
            tail_tolerance,
            tie_rule: r.tie_rule.unwrap_or_default(),
        };
        spec.curves_on(spec.prior.checked())?
            .validate()
            .map_err(|e| {
                let field = if e.to_string().contains("belief") {
                    "belief"
                } else {
                    "algorithms"
                };
                bad(field, format!("field `{field}`: {e}"))
            })?;
        Ok(spec)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<BayesSpec, IoError> {
        BayesSpec::from_toml(text, Path::new("b.toml"))
    }

    fn err(text: &str, field: &str, needle: &str) {
        let e = parse(text).unwrap_err();
        assert!(e.to_string().contains(needle), "{e} lacks {needle:?}");
        assert_eq!(e.field().as_deref(), Some(field), "{e}");
    }

    #[test]
    fn defaults_and_every_prior() {
        let s = parse("").unwrap();
        assert_eq!(s.t, 2000);
        assert_eq!(s.algorithms[0], AlgorithmKind::BayesGreedy);
        assert_eq!(s.prior.prior().unwrap().k(), 10);
        for text in [
            "prior = \"uniform\"\nk = 3\nalgorithms = [\"BG\", \"SG\"]",
            "prior = \"needle-in-haystack\"\nk = 4\nalgorithms = [\"BEG\", \"BG\"]",
            "prior = \"beta\"\nbeta = [[2, 1], [1, 3]]\nbelief = [1, 1]",
            "prior = \"means\"\nmeans = [0.2, 0.6]\nalgorithms = [\"BG\", \"SG\"]",
            "response = \"softmax\"\ntemperature = 0.1\nband_rule = \"estimate\"\ntie_rule = \"random\"",
        ] {
            parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
        }
    }

    #[test]
    fn oversized_numbers_are_errors_before_allocation() {
        let max = u64::MAX;
        err(&format!("k = {}", i64::MAX), "k", "above the maximum");
        err(&format!("t = {}", i64::MAX), "t", "above the maximum");
        err(&format!("t0 = {}", i64::MAX), "t0", "above the maximum");
        err(
            &format!("paths = {}", i64::MAX),
            "paths",
            "above the maximum",
        );
        let many = vec!["0.5"; (MAX_ARMS + 1) as usize].join(",");
        err(
            &format!("prior = \"means\"\nmeans = [{many}]"),
            "means",
            "above the maximum",
        );
        let e = BayesSpec::from_value(&serde_json::json!({ "t": max })).unwrap_err();
        assert_eq!(e.field().as_deref(), Some("t"), "{e}");
    }

    #[test]
    fn bad_input_names_the_field() {
        err("prior = \"heavy-tail\"\na = -1.0", "prior", "= -1");
        err("k = 1", "prior", "K = 1");
        err("t = 0", "t", "`t` = 0");
        err(
            "response = \"hardmax-random\"\neps = 1.5",
            "response",
            "1.5",
        );
        err("bias = 2.0", "response", "tie bias b = 2");
        err(
            "response = \"softmax\"\ntemperature = 0.0",
            "response",
            "temperature = 0",
        );
        err("response = \"softmax\"", "temperature", "missing");
        err(
            "eps = 0.1",
            "eps",
            "only used with response = \"hardmax-random\"",
        );
        err("belief = [0, 1]", "belief", "prior alpha = 0");
        err("belief = \"maybe\"", "belief", "must be \"true\"");
        err(
            "prior = \"uniform\"\nalgorithms = [\"TS\", \"BG\"]",
            "belief",
            "BG, SG and BEG",
        );
        err("algorithms = [\"TS\"]", "algorithms", "exactly 2");
        err("algorithms = [\"TS\", \"XYZ\"]", "algorithms", "XYZ");
        err("paths = 1", "paths", "`paths` = 1");
        err("band = -1.0", "band", "`band` = -1");
        err(
            "tail_tolerance = 0.5",
            "tail_tolerance",
            "`tail_tolerance` = 0.5 must lie in [0, 0.001]",
        );
        err(
            "tail_tolerance = -1e-20",
            "tail_tolerance",
            "= -0.00000000000000000001",
        );
        assert_eq!(parse("").unwrap().tail_tolerance, 0.0, "HardMax: exact");
        let soft = parse("response = \"softmax\"\ntemperature = 0.1").unwrap();
        assert_eq!(soft.tail_tolerance, DEFAULT_TAIL_TOLERANCE);
        let hmr = parse("response = \"hardmax-random\"\ntail_tolerance = 0").unwrap();
        assert_eq!(hmr.tail_tolerance, 0.0);
        err(
            "prior = \"uniform\"\na = 0.5",
            "a",
            "not used with prior = \"uniform\"",
        );
        let e = parse("unknown = 3").unwrap_err().to_string();
        assert!(e.contains("unknown"), "{e}");
    }
}
