//! The Bayesian algorithms' beliefs: an independent Beta prior per arm and the per-arm Beta
//! posteriors of 0/1 rewards, with cached posterior means. The same record (pulls and reward
//! sums per arm) is what every algorithm reports as the data it recorded.

use super::{first_max, BanditError};
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

/// Per-arm records of the rewards (pulls and reward sums) and the Beta posteriors they give,
/// with cached posterior means.
///
/// Arm a's posterior is Beta(alpha0 + S_a, beta0 + n_a - S_a), n_a its pulls and S_a the sum of
/// its rewards: for 0/1 rewards the conjugate update (S_a counts the successes, exactly, as a
/// whole number), for rewards in [0, 1] the usual fractional update. The posterior means are
/// only meaningful for such rewards; the pulls and sums (and the empirical means S_a / n_a)
/// are meaningful for any real rewards, which is how the frequentist algorithms use this
/// record under Gaussian rewards.
#[derive(Clone, Debug, PartialEq)]
pub struct BetaPosterior {
    prior: BetaPrior,
    pulls: Vec<u32>,
    sums: Vec<f64>,
    mean: Vec<f64>,
    /// `first_max(mean)`, kept through updates.
    leader: usize,
}

impl BetaPosterior {
    /// The prior on `k` arms.
    pub fn new(k: usize, prior: BetaPrior) -> Self {
        let m = prior.alpha / (prior.alpha + prior.beta);
        BetaPosterior {
            prior,
            pulls: vec![0; k],
            sums: vec![0.0; k],
            mean: vec![m; k],
            leader: 0,
        }
    }

    /// Records one reward of `arm` (0.0 or 1.0 under Bernoulli rewards; any real number is
    /// recorded, see the type's docs).
    #[inline(always)]
    pub fn update(&mut self, arm: usize, reward: f64) {
        self.pulls[arm] += 1;
        self.sums[arm] += reward;
        let (a, b) = self.params(arm);
        let (old, new) = (self.mean[arm], a / (a + b));
        self.mean[arm] = new;
        // The leader moves only if its own mean fell (or is NaN), or another arm's passed it.
        let l = self.leader;
        if (arm == l && (new < old || old.is_nan())) || new.is_nan() {
            self.leader = first_max(&self.mean);
        } else if arm != l && (new > self.mean[l] || (new == self.mean[l] && arm < l)) {
            self.leader = arm;
        }
    }

    /// The arm with the largest posterior mean, lowest index first among equal means (what
    /// [`argmax`](super::argmax) gives under [`ArgmaxTie::LowestIndex`](super::ArgmaxTie)),
    /// kept through the updates: O(1) unless the leader's own mean fell.
    #[inline]
    pub fn leader(&self) -> usize {
        self.leader
    }

    /// Back to the prior.
    pub fn reset(&mut self) {
        let k = self.pulls.len();
        *self = BetaPosterior::new(k, self.prior);
    }

    /// Posterior (alpha, beta) of `arm`: (alpha0 + S, beta0 + n - S). For 0/1 rewards n - S
    /// is the number of failures, exactly.
    #[inline]
    pub fn params(&self, arm: usize) -> (f64, f64) {
        let s = self.sums[arm];
        (
            self.prior.alpha + s,
            self.prior.beta + (f64::from(self.pulls[arm]) - s),
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
        self.pulls[arm]
    }

    /// The sum of `arm`'s rewards (its number of successes under 0/1 rewards, exactly).
    #[inline]
    pub fn reward_sum(&self, arm: usize) -> f64 {
        self.sums[arm]
    }

    /// The successes of `arm` under 0/1 rewards: its reward sum as a whole number (truncated;
    /// for other rewards use [`BetaPosterior::reward_sum`]).
    #[inline]
    pub fn successes(&self, arm: usize) -> u32 {
        self.sums[arm] as u32
    }

    /// The empirical mean reward of every arm (reward sum / pulls; 0 for an arm never pulled)
    /// into `out` (length K): what the non-Bayesian algorithms rank by.
    pub fn empirical_means(&self, out: &mut [f64]) {
        for (a, m) in out.iter_mut().enumerate() {
            *m = self.reward_sum(a) / f64::from(self.pulls(a).max(1));
        }
    }

    /// The lowest-index arm never pulled, if any (how the index policies start: each arm once,
    /// in index order, drawing nothing).
    pub fn first_unpulled(&self) -> Option<usize> {
        (0..self.k()).find(|&a| self.pulls(a) == 0)
    }

    /// Number of arms.
    pub fn k(&self) -> usize {
        self.pulls.len()
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
        p.update(0, 1.0);
        p.update(0, 0.0);
        p.update(1, 1.0);
        p.update(1, 1.0);
        p.update(1, 0.0);
        p.update(1, 0.0);
        // 2/4 and 3/6 are both exactly 0.5; the untouched arm is 1/2 too.
        assert_eq!(p.means()[0], p.means()[1]);
        assert_eq!(p.means()[0], p.means()[2]);
        p.reset();
        assert_eq!(p.pulls(1), 0);
    }

    #[test]
    fn the_leader_is_the_lowest_index_argmax_after_every_update() {
        // 0/1 rewards (many exact ties), fractional and out-of-range real rewards (means outside
        // [0, 1], infinite or NaN): after each of 20,000 updates the kept leader equals a fresh
        // scan, with NaN and ties handled as argmax handles them.
        use crate::bandits::policy::{argmax, ArgmaxTie};
        use crate::rng::SeedSequence;
        use rand::Rng;
        let mut rng = SeedSequence::new(8).exploration_stream(0, 0);
        for (k, prior, wild) in [
            (1, 1.0, false),
            (4, 1.0, false),
            (10, 0.6, false),
            (6, 1.0, true),
        ] {
            let mut p = BetaPosterior::new(k, BetaPrior::new(prior, prior).unwrap());
            for n in 0..20_000 {
                let arm = if rng.random::<f64>() < 0.5 {
                    p.leader()
                } else {
                    rng.random_range(0..k)
                };
                let reward = match (wild, rng.random_range(0..8)) {
                    (true, 0) => -3.0,
                    (true, 1) => f64::NAN,
                    (true, 2) => 0.25,
                    (true, 3) => f64::INFINITY,
                    _ => f64::from(rng.random::<f64>() < 0.4),
                };
                p.update(arm, reward);
                let scan = argmax(p.means(), ArgmaxTie::LowestIndex, &mut rng);
                assert_eq!(p.leader(), scan, "k {k}, update {n}: {:?}", p.means());
            }
            p.reset();
            assert_eq!(p.leader(), 0);
        }
    }
}
