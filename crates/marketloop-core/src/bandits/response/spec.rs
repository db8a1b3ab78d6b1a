//! The built-in response functions by name ([`ResponseSpec`], serde-friendly) and built
//! ([`Response`], dispatched by `match`).

use super::{
    Arrival, HardMax, HardMaxRandom, HeterogeneousHardMax, Reputation, ResponseFunction, SoftMax,
    SoftMaxRandom, Uniform, WithRandom,
};
use crate::bandits::BanditError;
use rand::Rng;
use serde::{Deserialize, Serialize};

/// The response functions by name, with parameters (serde-friendly, for configs).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum ResponseSpec {
    /// [`HardMax`]; `bias` = probability that firm 1 wins a tie (0.5 = fair).
    HardMax {
        /// Tie bias b (default 0.5).
        #[serde(default = "half")]
        bias: f64,
    },
    /// [`HardMaxRandom`].
    HardMaxRandom {
        /// Probability of a uniformly random firm (paper: 0.1).
        eps: f64,
    },
    /// [`SoftMax`].
    SoftMax {
        /// Temperature > 0.
        temperature: f64,
    },
    /// [`SoftMaxRandom`]: SoftMax with random agents.
    SoftMaxRandom {
        /// Probability of a uniformly random firm.
        eps: f64,
        /// SoftMax temperature > 0.
        temperature: f64,
    },
    /// The authors' multinomial-logit agent: [`SoftMax`] with temperature 1 (firm i with
    /// probability proportional to exp(rep_i)).
    MultinomialLogit,
    /// [`Uniform`]: every firm equally likely, reputations ignored.
    Uniform,
    /// [`HeterogeneousHardMax`]: users with a uniformly random preferred arm.
    HeterogeneousHardMax,
}

fn half() -> f64 {
    0.5
}

impl Default for ResponseSpec {
    fn default() -> Self {
        ResponseSpec::HardMax { bias: 0.5 }
    }
}

impl ResponseSpec {
    /// Builds the response function (validating its parameters).
    pub fn build(&self) -> Result<Response, BanditError> {
        Ok(match *self {
            ResponseSpec::HardMax { bias } => Response::HardMax(HardMax::with_bias(bias)?),
            ResponseSpec::HardMaxRandom { eps } => {
                Response::HardMaxRandom(HardMaxRandom::new(eps)?)
            }
            ResponseSpec::SoftMax { temperature } => Response::SoftMax(SoftMax::new(temperature)?),
            ResponseSpec::SoftMaxRandom { eps, temperature } => {
                Response::SoftMaxRandom(WithRandom::soft(eps, temperature)?)
            }
            ResponseSpec::MultinomialLogit => Response::SoftMax(SoftMax::new(1.0)?),
            ResponseSpec::Uniform => Response::Uniform(Uniform),
            ResponseSpec::HeterogeneousHardMax => {
                Response::HeterogeneousHardMax(HeterogeneousHardMax)
            }
        })
    }

    /// Short label: "HardMax", "HardMax(b=0.6)", "HardMax&Random(0.1)", "SoftMax(0.05)",
    /// "SoftMax&Random(0.1, 0.05)", "MNL", "Uniform", "HeterogeneousHardMax".
    #[allow(clippy::redundant_guards)] // no float literal patterns
    pub fn short(&self) -> String {
        match *self {
            ResponseSpec::HardMax { bias } if bias == 0.5 => "HardMax".into(),
            ResponseSpec::HardMax { bias } => format!("HardMax(b={bias})"),
            ResponseSpec::HardMaxRandom { eps } => format!("HardMax&Random({eps})"),
            ResponseSpec::SoftMax { temperature } => format!("SoftMax({temperature})"),
            ResponseSpec::SoftMaxRandom { eps, temperature } => {
                format!("SoftMax&Random({eps}, {temperature})")
            }
            ResponseSpec::MultinomialLogit => "MNL".into(),
            ResponseSpec::Uniform => "Uniform".into(),
            ResponseSpec::HeterogeneousHardMax => "HeterogeneousHardMax".into(),
        }
    }
}

/// Any response function of [`ResponseSpec`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Response {
    /// See [`HardMax`].
    HardMax(HardMax),
    /// See [`HardMaxRandom`].
    HardMaxRandom(HardMaxRandom),
    /// See [`SoftMax`].
    SoftMax(SoftMax),
    /// See [`SoftMaxRandom`].
    SoftMaxRandom(SoftMaxRandom),
    /// See [`Uniform`].
    Uniform(Uniform),
    /// See [`HeterogeneousHardMax`].
    HeterogeneousHardMax(HeterogeneousHardMax),
}

/// Calls `$body` with `$r` bound to the built response function inside.
macro_rules! each {
    ($self:expr, $r:ident => $body:expr) => {
        match $self {
            Response::HardMax($r) => $body,
            Response::HardMaxRandom($r) => $body,
            Response::SoftMax($r) => $body,
            Response::SoftMaxRandom($r) => $body,
            Response::Uniform($r) => $body,
            Response::HeterogeneousHardMax($r) => $body,
        }
    };
}

impl ResponseFunction for Response {
    #[inline]
    fn choose<R: Rng + ?Sized>(&self, reps: &[Reputation], rng: &mut R) -> usize {
        each!(self, r => r.choose(reps, rng))
    }

    fn probability(&self, reps: &[Reputation], i: usize) -> f64 {
        each!(self, r => r.probability(reps, i))
    }

    #[inline]
    fn choose_informed<R: Rng + ?Sized>(&self, arrival: &Arrival<'_>, rng: &mut R) -> usize {
        each!(self, r => r.choose_informed(arrival, rng))
    }

    fn probability_informed(&self, arrival: &Arrival<'_>, i: usize) -> f64 {
        each!(self, r => r.probability_informed(arrival, i))
    }
}
