//! The response functions of the Bayesian-choice model ([`BayesResponse`]): a built-in response
//! named by the one description of the built-ins, [`ResponseSpec`], or a user's function of the
//! two principals' reward estimates.
//!
//! In this model an agent sees no reputations, only the two estimates PMR_1(t), PMR_2(t), and
//! the game needs the *probability* of principal 1 (not a draw): HardMax, HardMax&Random,
//! SoftMax, SoftMax&Random, the multinomial logit (SoftMax with temperature 1) and Uniform
//! give it in closed form. The heterogeneous HardMax is not a response of this model (its
//! users prefer an arm, and Bayesian agents observe none).

use crate::bandits::{BanditError, ResponseSpec};
use std::fmt;
use std::sync::Arc;

type ResponseFn = dyn Fn(f64, f64) -> f64 + Send + Sync;

/// A response function on the two principals' reward estimates: the probability that the agent
/// chooses principal 1.
#[derive(Clone)]
pub enum BayesResponse {
    /// A built-in response (any [`ResponseSpec`] but the heterogeneous HardMax).
    Spec(ResponseSpec),
    /// A user's function of (PMR_1, PMR_2), named, returning a probability in [0, 1].
    Custom(String, Arc<ResponseFn>),
}

impl fmt::Debug for BayesResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.short())
    }
}

impl PartialEq for BayesResponse {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (BayesResponse::Spec(a), BayesResponse::Spec(b)) => a == b,
            (BayesResponse::Custom(a, f), BayesResponse::Custom(b, g)) => {
                a == b && Arc::ptr_eq(f, g)
            }
            _ => false,
        }
    }
}

impl From<ResponseSpec> for BayesResponse {
    fn from(spec: ResponseSpec) -> Self {
        BayesResponse::Spec(spec)
    }
}

impl BayesResponse {
    /// The built-in response `spec`, validated (b and eps in [0, 1], temperature > 0; the
    /// heterogeneous HardMax is an error naming it).
    pub fn from_spec(spec: ResponseSpec) -> Result<Self, BanditError> {
        let r = BayesResponse::Spec(spec);
        r.validate()?;
        Ok(r)
    }

    /// A user's response function named `name`.
    pub fn custom<F>(name: impl Into<String>, f: F) -> Self
    where
        F: Fn(f64, f64) -> f64 + Send + Sync + 'static,
    {
        BayesResponse::Custom(name.into(), Arc::new(f))
    }

    /// Short label: [`ResponseSpec::short`], or the user's name.
    pub fn short(&self) -> String {
        match self {
            BayesResponse::Spec(s) => s.short(),
            BayesResponse::Custom(name, _) => name.clone(),
        }
    }

    /// Checks the parameters (errors name the field) and that the response is one of this
    /// model.
    pub fn validate(&self) -> Result<(), BanditError> {
        match self {
            BayesResponse::Spec(ResponseSpec::HeterogeneousHardMax) => {
                Err(BanditError::UnknownName {
                    what: "response of the Bayesian-choice model".into(),
                    name: ResponseSpec::HeterogeneousHardMax.short(),
                    allowed: "HardMax, HardMax&Random, SoftMax, SoftMax&Random, MNL, Uniform"
                        .into(),
                })
            }
            BayesResponse::Spec(s) => s.build().map(|_| ()),
            BayesResponse::Custom(..) => Ok(()),
        }
    }

    /// Whether the response jumps where the estimates cross (HardMax, HardMax&Random), so a
    /// decision within the Monte Carlo error band is uncertain.
    pub fn is_hard(&self) -> bool {
        matches!(
            self,
            BayesResponse::Spec(ResponseSpec::HardMax { .. } | ResponseSpec::HardMaxRandom { .. })
        )
    }

    /// The largest and smallest probability principal 1 can get, for the hard responses
    /// ((1, 0) for HardMax, (1 - eps/2, eps/2) for HardMax&Random).
    pub fn extremes(&self) -> Option<(f64, f64)> {
        if !self.is_hard() {
            return None;
        }
        // Computed as the probabilities themselves are, so they compare equal.
        let hi = self.probability(0.0, 0.0, Some(true)).ok()?;
        let lo = self.probability(0.0, 0.0, Some(false)).ok()?;
        Some((hi, lo))
    }

    /// The probability of principal 1 when the hard part is decided as `order` (`Some(true)`:
    /// principal 1 ahead, `Some(false)`: behind, `None`: a tie); the smooth responses use the
    /// estimates.
    pub(crate) fn probability(
        &self,
        v1: f64,
        v2: f64,
        order: Option<bool>,
    ) -> Result<f64, BanditError> {
        let hard = |bias: f64| match order {
            Some(true) => 1.0,
            Some(false) => 0.0,
            None => bias,
        };
        let spec = match self {
            BayesResponse::Spec(s) => s,
            BayesResponse::Custom(name, f) => {
                let p = f(v1, v2);
                if !(0.0..=1.0).contains(&p) {
                    return Err(BanditError::range(
                        format!("response {name:?} at estimates ({v1}, {v2})"),
                        p,
                        "[0, 1]",
                    ));
                }
                return Ok(p);
            }
        };
        Ok(match *spec {
            ResponseSpec::HardMax { bias } => hard(bias),
            ResponseSpec::HardMaxRandom { eps } => eps / 2.0 + (1.0 - eps) * hard(0.5),
            ResponseSpec::SoftMax { temperature } => logistic(v1, v2, temperature),
            ResponseSpec::SoftMaxRandom { eps, temperature } => {
                eps / 2.0 + (1.0 - eps) * logistic(v1, v2, temperature)
            }
            ResponseSpec::MultinomialLogit => logistic(v1, v2, 1.0),
            ResponseSpec::Uniform => 0.5,
            ResponseSpec::HeterogeneousHardMax => {
                return self.validate().map(|_| 0.5);
            }
        })
    }
}

/// SoftMax's probability of principal 1: the logistic function of (v1 - v2) / temperature.
fn logistic(v1: f64, v2: f64, temperature: f64) -> f64 {
    1.0 / (1.0 + ((v2 - v1) / temperature).exp())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_responses_give_their_probabilities() {
        let soft = 1.0 / (1.0 + (-1.0f64).exp());
        let p = |spec: ResponseSpec, v1: f64, v2: f64, order| {
            BayesResponse::from_spec(spec)
                .unwrap()
                .probability(v1, v2, order)
                .unwrap()
        };
        assert_eq!(p(ResponseSpec::HardMax { bias: 0.7 }, 0.0, 0.0, None), 0.7);
        assert_eq!(
            p(
                ResponseSpec::HardMaxRandom { eps: 0.2 },
                0.0,
                0.0,
                Some(true)
            ),
            0.9
        );
        assert_eq!(
            p(ResponseSpec::SoftMax { temperature: 0.1 }, 0.5, 0.4, None),
            soft
        );
        let sr = ResponseSpec::SoftMaxRandom {
            eps: 0.2,
            temperature: 0.1,
        };
        assert!((p(sr, 0.5, 0.4, None) - (0.1 + 0.8 * soft)).abs() < 1e-15);
        assert_eq!(
            p(ResponseSpec::MultinomialLogit, 1.5, 0.5, None),
            p(ResponseSpec::SoftMax { temperature: 1.0 }, 1.5, 0.5, None)
        );
        assert_eq!(p(ResponseSpec::Uniform, 0.9, 0.1, Some(true)), 0.5);
        let (hi, lo) = BayesResponse::from(ResponseSpec::HardMaxRandom { eps: 0.1 })
            .extremes()
            .unwrap();
        assert!(
            (hi - 0.95).abs() < 1e-15 && (lo - 0.05).abs() < 1e-15,
            "{hi} {lo}"
        );
        assert_eq!(
            BayesResponse::from(ResponseSpec::SoftMax { temperature: 1.0 }).extremes(),
            None
        );
    }

    #[test]
    fn labels_and_equality_come_from_the_spec() {
        let spec = ResponseSpec::HardMaxRandom { eps: 0.1 };
        let r = BayesResponse::from(spec);
        assert_eq!(r.short(), spec.short());
        assert_eq!(r, BayesResponse::Spec(spec));
        let f = BayesResponse::custom("mine", |_, _| 0.5);
        assert_eq!(f, f.clone());
        assert_ne!(f, BayesResponse::custom("mine", |_, _| 0.5));
        assert_eq!(f.short(), "mine");
    }

    #[test]
    fn bad_responses_name_the_field() {
        let e = |spec| BayesResponse::from_spec(spec).unwrap_err().to_string();
        assert!(e(ResponseSpec::HardMax { bias: 1.5 }).contains("tie bias b = 1.5"));
        assert!(e(ResponseSpec::SoftMax { temperature: 0.0 }).contains("temperature = 0"));
        assert!(e(ResponseSpec::HardMaxRandom { eps: -0.1 }).contains("epsilon"));
        assert!(e(ResponseSpec::HeterogeneousHardMax).contains("HeterogeneousHardMax"));
        let wild = BayesResponse::custom("wild", |_, _| f64::NAN);
        let msg = wild.probability(0.1, 0.2, None).unwrap_err().to_string();
        assert!(msg.contains("\"wild\"") && msg.contains("NaN"), "{msg}");
    }
}
