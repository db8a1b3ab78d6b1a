//! The Bayesian algorithms' beliefs: an independent Beta prior per arm and the per-arm Beta
//! posteriors of 0/1 rewards, with cached posterior means.

use super::BanditError;
use serde::{Deserialize, Serialize};

/// An independent Beta prior per arm.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct BetaPrior {
    /// alpha0 > 0 (default 1).
    pub alpha: f64,
    /// beta0 > 0 (default 1).
    pub beta: f64,
}

impl Default for BetaPrior {
    fn default() -> Self {
        BetaPrior {
            alpha: 1.0,
            beta: 1.0,
        }
    }
}

impl BetaPrior {
    /// Validates alpha0, beta0 > 0 and finite.
    pub fn new(alpha: f64, beta: f64) -> Result<Self, BanditError> {
        for (n, x) in [("prior alpha", alpha), ("prior beta", beta)] {
            if !(x.is_finite() && x > 0.0) {
                return Err(BanditError::range(n, x, "(0, infinity)"));
            }
        }
        Ok(BetaPrior { alpha, beta })
    }
}

/// Per-arm Beta posteriors from 0/1 rewards, with cached posterior means.
#[derive(Clone, Debug, PartialEq)]
pub struct BetaPosterior {
    prior: BetaPrior,
    successes: Vec<u32>,
    failures: Vec<u32>,
    mean: Vec<f64>,
}

impl BetaPosterior {
    /// The prior on `k` arms.
    pub fn new(k: usize, prior: BetaPrior) -> Self {
        let m = prior.alpha / (prior.alpha + prior.beta);
        BetaPosterior {
            prior,
            successes: vec![0; k],
            failures: vec![0; k],
            mean: vec![m; k],
        }
    }

    /// Records one reward of `arm`.
    #[inline]
    pub fn update(&mut self, arm: usize, reward: bool) {
        if reward {
            self.successes[arm] += 1;
        } else {
            self.failures[arm] += 1;
        }
        let (a, b) = self.params(arm);
        self.mean[arm] = a / (a + b);
    }

    /// Back to the prior.
    pub fn reset(&mut self) {
        let k = self.successes.len();
        *self = BetaPosterior::new(k, self.prior);
    }

    /// Posterior (alpha, beta) of `arm`.
    #[inline]
    pub fn params(&self, arm: usize) -> (f64, f64) {
        (
            self.prior.alpha + f64::from(self.successes[arm]),
            self.prior.beta + f64::from(self.failures[arm]),
        )
    }

    /// Posterior means.
    #[inline]
    pub fn means(&self) -> &[f64] {
        &self.mean
    }

    /// Pulls of `arm`.
    #[inline]
    pub fn pulls(&self, arm: usize) -> u32 {
        self.successes[arm] + self.failures[arm]
    }

    /// Successes of `arm`.
    #[inline]
    pub fn successes(&self, arm: usize) -> u32 {
        self.successes[arm]
    }

    /// The empirical mean reward of every arm (successes / pulls; 0 for an arm never pulled)
    /// into `out` (length K): what the non-Bayesian algorithms rank by.
    pub fn empirical_means(&self, out: &mut [f64]) {
        for (a, m) in out.iter_mut().enumerate() {
            *m = f64::from(self.successes(a)) / f64::from(self.pulls(a).max(1));
        }
    }

    /// The lowest-index arm never pulled, if any (how the index policies start: each arm once,
    /// in index order, drawing nothing).
    pub fn first_unpulled(&self) -> Option<usize> {
        (0..self.k()).find(|&a| self.pulls(a) == 0)
    }

    /// Number of arms.
    pub fn k(&self) -> usize {
        self.successes.len()
    }

    /// The prior.
    pub fn prior(&self) -> BetaPrior {
        self.prior
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn posterior_means_are_exact_ratios() {
        let mut p = BetaPosterior::new(3, BetaPrior::default());
        p.update(0, true);
        p.update(0, false);
        p.update(1, true);
        p.update(1, true);
        p.update(1, false);
        p.update(1, false);
        // 2/4 and 3/6 are both exactly 0.5; the untouched arm is 1/2 too.
        assert_eq!(p.means()[0], p.means()[1]);
        assert_eq!(p.means()[0], p.means()[2]);
        p.reset();
        assert_eq!(p.pulls(1), 0);
    }
}
