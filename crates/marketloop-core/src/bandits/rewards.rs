//! The reward model: what a pull of an arm pays, given the arm's mean ([`RewardModel`]).
//!
//! - [`RewardModel::Bernoulli`] (the default, the paper's model): a pull of arm a pays 1 with
//!   probability mu_a and 0 otherwise, exactly `0.0` or `1.0`; the means lie in [0, 1].
//! - [`RewardModel::Gaussian`]: a pull of arm a pays mu_a + sigma z with z standard normal,
//!   sigma the same known noise level for every arm. The means are locations: the instances'
//!   families (Needle-in-Haystack, Uniform, Heavy-Tail) give means in [0, 1] as before, and
//!   user-given means may be any numbers in [-10^6, 10^6].
//!
//! The realisations come from the run's reward table ([`RealizationTable`](super::RealizationTable)),
//! so every firm and algorithm of one run sees the same reward for the same (phase, row, arm):
//! common random numbers under either model.

use super::BanditError;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The largest Gaussian noise level sigma: beyond it a reward mu + sigma z no longer resolves
/// differences of means of order 10^-9 (the spacing of doubles near 10^7 is 2^-29).
pub const MAX_SIGMA: f64 = 1e6;

/// The largest magnitude of a mean under Gaussian rewards (user-given means).
pub const MAX_GAUSSIAN_MEAN: f64 = 1e6;

/// What a pull of an arm pays (see the module docs). Spec files and Python write it
/// `"bernoulli"` or `{ gaussian = { sigma = 1.0 } }` (the serde form); build a Gaussian model
/// with [`RewardModel::gaussian`], which validates sigma.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub enum RewardModel {
    /// 0/1 rewards with success probability mu_a (the paper's model).
    #[default]
    Bernoulli,
    /// mu_a + sigma z, z ~ N(0, 1): known noise level sigma in (0, 10^6].
    Gaussian {
        /// The noise standard deviation sigma (finite, > 0, at most [`MAX_SIGMA`]).
        sigma: f64,
    },
}

impl RewardModel {
    /// Gaussian rewards with noise standard deviation `sigma` in (0, 10^6].
    pub fn gaussian(sigma: f64) -> Result<Self, BanditError> {
        let model = RewardModel::Gaussian { sigma };
        model.validate()?;
        Ok(model)
    }

    /// Checks the parameters (a model read from a file or built as a literal).
    pub fn validate(&self) -> Result<(), BanditError> {
        match *self {
            RewardModel::Bernoulli => Ok(()),
            RewardModel::Gaussian { sigma } => {
                if sigma.is_finite() && sigma > 0.0 && sigma <= MAX_SIGMA {
                    Ok(())
                } else {
                    Err(BanditError::range(
                        "noise sigma of the Gaussian rewards",
                        sigma,
                        "(0, 1e6] (finite)",
                    ))
                }
            }
        }
    }

    /// Whether rewards are 0/1.
    #[inline]
    pub fn is_bernoulli(&self) -> bool {
        matches!(self, RewardModel::Bernoulli)
    }

    /// The Gaussian noise level, `None` for Bernoulli rewards.
    #[inline]
    pub fn sigma(&self) -> Option<f64> {
        match *self {
            RewardModel::Bernoulli => None,
            RewardModel::Gaussian { sigma } => Some(sigma),
        }
    }

    /// The family's name as spec files write it: "bernoulli" or "gaussian".
    pub fn family(&self) -> &'static str {
        match self {
            RewardModel::Bernoulli => "bernoulli",
            RewardModel::Gaussian { .. } => "gaussian",
        }
    }

    /// Checks the mean of arm `arm` under this model ("mean of arm {arm}" in the error): [0, 1]
    /// for Bernoulli rewards, a finite number in [-10^6, 10^6] for Gaussian ones.
    #[inline]
    pub fn check_mean(&self, arm: usize, mean: f64) -> Result<(), BanditError> {
        match self {
            RewardModel::Bernoulli if (0.0..=1.0).contains(&mean) => Ok(()),
            RewardModel::Bernoulli => Err(BanditError::range(
                format!("mean of arm {arm}"),
                mean,
                "[0, 1]",
            )),
            RewardModel::Gaussian { .. } if mean.abs() <= MAX_GAUSSIAN_MEAN => Ok(()),
            RewardModel::Gaussian { .. } => Err(BanditError::range(
                format!("mean of arm {arm}"),
                mean,
                "[-1e6, 1e6] (Gaussian rewards)",
            )),
        }
    }
}

impl fmt::Display for RewardModel {
    /// "bernoulli" or "gaussian(sigma=1)".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RewardModel::Bernoulli => f.write_str("bernoulli"),
            RewardModel::Gaussian { sigma } => write!(f, "gaussian(sigma={sigma})"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_sigma_is_refused_naming_the_field() {
        for s in [
            0.0,
            -1.0,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            1e7,
            1e300,
        ] {
            let e = RewardModel::gaussian(s).unwrap_err().to_string();
            assert!(
                e.contains("noise sigma of the Gaussian rewards") && e.contains("(0, 1e6]"),
                "{s}: {e}"
            );
        }
        assert_eq!(
            RewardModel::gaussian(0.5).unwrap(),
            RewardModel::Gaussian { sigma: 0.5 }
        );
        assert_eq!(RewardModel::gaussian(0.5).unwrap().sigma(), Some(0.5));
        assert!(RewardModel::default().is_bernoulli());
    }

    #[test]
    fn means_are_checked_per_model() {
        let g = RewardModel::gaussian(1.0).unwrap();
        assert!(RewardModel::Bernoulli.check_mean(0, 1.5).is_err());
        assert!(RewardModel::Bernoulli.check_mean(0, 0.5).is_ok());
        assert!(g.check_mean(0, -3.0).is_ok());
        assert!(g.check_mean(0, f64::NAN).is_err());
        assert!(g.check_mean(0, 2e6).is_err());
    }

    #[test]
    fn display_form() {
        assert_eq!(
            RewardModel::Gaussian { sigma: 2.0 }.to_string(),
            "gaussian(sigma=2)"
        );
        assert_eq!(RewardModel::Bernoulli.to_string(), "bernoulli");
        assert_eq!(RewardModel::Gaussian { sigma: 2.0 }.family(), "gaussian");
    }
}
