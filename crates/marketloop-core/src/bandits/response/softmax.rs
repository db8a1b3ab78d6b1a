//! SoftMax (logit) choice over reputations, the authors' multinomial-logit agent (temperature
//! 1) and SoftMax with random agents ([`SoftMaxRandom`]).

use super::{Reputation, ResponseFunction, WithRandom};
use crate::bandits::BanditError;
use rand::Rng;

/// SoftMax (logit) choice: firm i with probability proportional to exp(rep_i / temperature).
/// With two firms this is the logistic function of the reputation difference, bounded away
/// from 0 and 1 (the paper's Definition 4.16).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SoftMax {
    temperature: f64,
}

impl SoftMax {
    /// With temperature > 0.
    pub fn new(temperature: f64) -> Result<Self, BanditError> {
        if !(temperature.is_finite() && temperature > 0.0) {
            return Err(BanditError::range(
                "SoftMax temperature",
                temperature,
                "(0, infinity)",
            ));
        }
        Ok(SoftMax { temperature })
    }

    fn weight(&self, reps: &[Reputation], i: usize, top: f64) -> f64 {
        ((reps[i].value() - top) / self.temperature).exp()
    }
}

impl ResponseFunction for SoftMax {
    fn choose<R: Rng + ?Sized>(&self, reps: &[Reputation], rng: &mut R) -> usize {
        let u = rng.random::<f64>();
        if reps.len() == 2 {
            let p0 = 1.0 / (1.0 + ((reps[1].value() - reps[0].value()) / self.temperature).exp());
            return usize::from(u >= p0);
        }
        let top = reps
            .iter()
            .map(|r| r.value())
            .fold(f64::NEG_INFINITY, f64::max);
        let total: f64 = (0..reps.len()).map(|i| self.weight(reps, i, top)).sum();
        let mut acc = 0.0;
        for i in 0..reps.len() {
            acc += self.weight(reps, i, top) / total;
            if u < acc {
                return i;
            }
        }
        reps.len() - 1
    }

    fn probability(&self, reps: &[Reputation], i: usize) -> f64 {
        let top = reps
            .iter()
            .map(|r| r.value())
            .fold(f64::NEG_INFINITY, f64::max);
        let total: f64 = (0..reps.len()).map(|j| self.weight(reps, j, top)).sum();
        self.weight(reps, i, top) / total
    }
}

/// SoftMax with random agents (the authors' `SoftMaxWithRandom`): with probability eps a
/// uniformly random firm, else [`SoftMax`].
pub type SoftMaxRandom = WithRandom<SoftMax>;

impl WithRandom<SoftMax> {
    /// With eps in [0, 1] and temperature > 0.
    pub fn soft(eps: f64, temperature: f64) -> Result<Self, BanditError> {
        WithRandom::with(eps, SoftMax::new(temperature)?, "SoftMax&Random")
    }
}
