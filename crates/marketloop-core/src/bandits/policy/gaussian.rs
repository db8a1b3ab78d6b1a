//! The Gaussian-reward Bayesian algorithms: an independent Normal prior N(m0, s0^2) per arm and
//! rewards mu_a + sigma z with known sigma (the reward model's), so each arm's posterior is
//! Normal in closed form ([`GaussianPosterior`]); [`GaussianThompsonSampling`] draws from it,
//! [`GaussianBayesGreedy`] takes the argmax of its means.
//!
//! With n pulls of arm a and reward sum S, the posterior precision is 1/s0^2 + n/sigma^2 and the
//! posterior mean (m0/s0^2 + S/sigma^2) / (1/s0^2 + n/sigma^2), computed from (n, S) at every
//! update (no running product of rounding errors).

use super::{argmax, check_k, ArgmaxTie, BanditError, BanditPolicy, BetaPosterior, BetaPrior};
use rand::Rng;
use rand_distr::{Distribution, StandardNormal};
use serde::{Deserialize, Serialize};

/// An independent Normal prior N(mean, sd^2) on every arm's mean.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct NormalPrior {
    /// Prior mean m0 (default 0.5, the middle of the instances' [0, 1]).
    pub mean: f64,
    /// Prior standard deviation s0 > 0 (default 1).
    pub sd: f64,
}

impl Default for NormalPrior {
    fn default() -> Self {
        NormalPrior { mean: 0.5, sd: 1.0 }
    }
}

impl NormalPrior {
    /// Validates m0 (finite, in [-10^6, 10^6]) and s0 (finite, in (0, 10^6]); `algorithm` names
    /// the algorithm in errors.
    pub fn new(mean: f64, sd: f64, algorithm: &str) -> Result<Self, BanditError> {
        if !(mean.is_finite() && mean.abs() <= 1e6) {
            return Err(BanditError::range(
                format!("prior mean m0 of {algorithm}"),
                mean,
                "[-1e6, 1e6]",
            ));
        }
        if !(sd.is_finite() && sd > 0.0 && sd <= 1e6) {
            return Err(BanditError::range(
                format!("prior standard deviation s0 of {algorithm}"),
                sd,
                "(0, 1e6]",
            ));
        }
        Ok(NormalPrior { mean, sd })
    }
}

/// Per-arm Normal posteriors of the arms' means under Gaussian rewards with known noise level
/// sigma, with cached posterior means and standard deviations.
#[derive(Clone, Debug, PartialEq)]
pub struct GaussianPosterior {
    prior: NormalPrior,
    sigma: f64,
    record: BetaPosterior,
    mean: Vec<f64>,
    sd: Vec<f64>,
}

impl GaussianPosterior {
    /// The prior on `k` arms, for noise level `sigma` > 0.
    pub fn new(k: usize, prior: NormalPrior, sigma: f64) -> Self {
        GaussianPosterior {
            prior,
            sigma,
            record: BetaPosterior::new(k, BetaPrior::default()),
            mean: vec![prior.mean; k],
            sd: vec![prior.sd; k],
        }
    }

    /// Records one reward of `arm` and recomputes its posterior from (pulls, reward sum).
    #[inline]
    pub fn update(&mut self, arm: usize, reward: f64) {
        self.record.update(arm, reward);
        let (m, s) = self.closed_form(arm);
        self.mean[arm] = m;
        self.sd[arm] = s;
    }

    /// The posterior (mean, sd) of `arm` from its pulls n and reward sum S: precision
    /// 1/s0^2 + n/sigma^2, mean (m0/s0^2 + S/sigma^2) / precision.
    fn closed_form(&self, arm: usize) -> (f64, f64) {
        let p0 = 1.0 / (self.prior.sd * self.prior.sd);
        let pn = 1.0 / (self.sigma * self.sigma);
        let n = f64::from(self.record.pulls(arm));
        let precision = p0 + n * pn;
        let mean = (self.prior.mean * p0 + self.record.reward_sum(arm) * pn) / precision;
        (mean, 1.0 / precision.sqrt())
    }

    /// Back to the prior.
    pub fn reset(&mut self) {
        *self = GaussianPosterior::new(self.k(), self.prior, self.sigma);
    }

    /// Posterior means.
    #[inline]
    pub fn means(&self) -> &[f64] {
        &self.mean
    }

    /// Posterior standard deviations.
    #[inline]
    pub fn sds(&self) -> &[f64] {
        &self.sd
    }

    /// The pulls and reward sums recorded (its Beta means are not used).
    pub fn record(&self) -> &BetaPosterior {
        &self.record
    }

    /// Number of arms.
    pub fn k(&self) -> usize {
        self.mean.len()
    }

    /// The prior.
    pub fn prior(&self) -> NormalPrior {
        self.prior
    }

    /// The noise level sigma.
    pub fn sigma(&self) -> f64 {
        self.sigma
    }
}

/// Rejects a noise level outside (0, infinity) (the reward model validates its own range).
fn check_sigma(sigma: f64) -> Result<(), BanditError> {
    if sigma.is_finite() && sigma > 0.0 {
        Ok(())
    } else {
        Err(BanditError::range(
            "noise sigma of the Gaussian rewards",
            sigma,
            "(0, 1e6] (finite)",
        ))
    }
}

/// Gaussian Thompson sampling ("GTS"): one draw per arm from its Normal posterior
/// ([`GaussianPosterior`]), in index order, each mean + sd z with z from `StandardNormal` of
/// the firm's stream, then the argmax under the tie rule.
#[derive(Clone, Debug)]
pub struct GaussianThompsonSampling {
    post: GaussianPosterior,
    tie: ArgmaxTie,
    draws: Vec<f64>,
}

impl GaussianThompsonSampling {
    /// On `k` arms with prior `prior` and known noise level `sigma` > 0.
    pub fn new(
        k: usize,
        prior: NormalPrior,
        sigma: f64,
        tie: ArgmaxTie,
    ) -> Result<Self, BanditError> {
        check_k(k)?;
        check_sigma(sigma)?;
        let prior = NormalPrior::new(prior.mean, prior.sd, "GaussianThompsonSampling")?;
        Ok(GaussianThompsonSampling {
            post: GaussianPosterior::new(k, prior, sigma),
            tie,
            draws: vec![0.0; k],
        })
    }

    /// The Normal posteriors.
    pub fn gaussian_posterior(&self) -> &GaussianPosterior {
        &self.post
    }
}

impl BanditPolicy for GaussianThompsonSampling {
    fn k(&self) -> usize {
        self.post.k()
    }
    #[inline]
    fn select<R: Rng + ?Sized>(&mut self, rng: &mut R) -> usize {
        for ((d, &m), &s) in self
            .draws
            .iter_mut()
            .zip(&self.post.mean)
            .zip(&self.post.sd)
        {
            let z: f64 = StandardNormal.sample(rng);
            *d = m + s * z;
        }
        argmax(&self.draws, self.tie, rng)
    }
    #[inline]
    fn update(&mut self, arm: usize, reward: f64) {
        self.post.update(arm, reward);
    }
    fn reset(&mut self) {
        self.post.reset();
    }
    fn posterior(&self) -> &BetaPosterior {
        self.post.record()
    }
}

/// Gaussian Bayes-greedy ("GBG"): the argmax of the Normal posterior means, ties under the tie
/// rule (at the start every arm has the prior mean: arm 0 under the lowest-index rule).
#[derive(Clone, Debug)]
pub struct GaussianBayesGreedy {
    post: GaussianPosterior,
    tie: ArgmaxTie,
}

impl GaussianBayesGreedy {
    /// On `k` arms with prior `prior` and known noise level `sigma` > 0.
    pub fn new(
        k: usize,
        prior: NormalPrior,
        sigma: f64,
        tie: ArgmaxTie,
    ) -> Result<Self, BanditError> {
        check_k(k)?;
        check_sigma(sigma)?;
        let prior = NormalPrior::new(prior.mean, prior.sd, "GaussianBayesGreedy")?;
        Ok(GaussianBayesGreedy {
            post: GaussianPosterior::new(k, prior, sigma),
            tie,
        })
    }

    /// The Normal posteriors.
    pub fn gaussian_posterior(&self) -> &GaussianPosterior {
        &self.post
    }
}

impl BanditPolicy for GaussianBayesGreedy {
    fn k(&self) -> usize {
        self.post.k()
    }
    #[inline]
    fn select<R: Rng + ?Sized>(&mut self, rng: &mut R) -> usize {
        argmax(self.post.means(), self.tie, rng)
    }
    #[inline]
    fn update(&mut self, arm: usize, reward: f64) {
        self.post.update(arm, reward);
    }
    fn reset(&mut self) {
        self.post.reset();
    }
    fn posterior(&self) -> &BetaPosterior {
        self.post.record()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::SeedSequence;

    #[test]
    fn posterior_equals_the_closed_form() {
        // Normal-Normal conjugacy written the other way round: mean (sigma^2 m0 + s0^2 S) /
        // (sigma^2 + n s0^2), variance sigma^2 s0^2 / (sigma^2 + n s0^2).
        let (m0, s0, sigma) = (0.3, 2.0, 1.5);
        let mut p = GaussianPosterior::new(2, NormalPrior::new(m0, s0, "t").unwrap(), sigma);
        let rewards = [0.7, -1.2, 2.5, 0.1, 3.3, -0.4, 1.0];
        let mut s = 0.0;
        for (i, &r) in rewards.iter().enumerate() {
            p.update(0, r);
            s += r;
            let n = (i + 1) as f64;
            let want_mean = (sigma * sigma * m0 + s0 * s0 * s) / (sigma * sigma + n * s0 * s0);
            let want_var = sigma * sigma * s0 * s0 / (sigma * sigma + n * s0 * s0);
            assert!(
                (p.means()[0] - want_mean).abs() <= 1e-14 * (1.0 + want_mean.abs()),
                "n = {n}: {} vs {want_mean}",
                p.means()[0]
            );
            assert!((p.sds()[0] - want_var.sqrt()).abs() <= 1e-14);
        }
        // The untouched arm keeps the prior.
        assert_eq!((p.means()[1], p.sds()[1]), (m0, s0));
        p.reset();
        assert_eq!(p.means()[0], m0);
        assert_eq!(p.record().pulls(0), 0);
    }

    #[test]
    fn thompson_draws_follow_the_posterior() {
        // After data, each arm's draw is N(mean, sd^2): check the mean and variance of 20000
        // draws of arm 1, with arm 0's posterior far below so that arm 1 always wins (its draw
        // is read back from `draws`).
        let mut gts =
            GaussianThompsonSampling::new(2, NormalPrior::default(), 1.0, ArgmaxTie::LowestIndex)
                .unwrap();
        for r in [1.0, 2.0, 0.5, 1.5] {
            gts.update(1, r);
        }
        for _ in 0..400 {
            gts.update(0, -50.0);
        }
        let (m, s) = (gts.post.means()[1], gts.post.sds()[1]);
        let mut rng = SeedSequence::new(3).exploration_stream(0, 0);
        let n = 20_000;
        let (mut sum, mut sq) = (0.0, 0.0);
        for _ in 0..n {
            assert_eq!(gts.select(&mut rng), 1);
            let d = gts.draws[1];
            sum += d;
            sq += d * d;
        }
        let mean = sum / n as f64;
        let var = sq / n as f64 - mean * mean;
        // Standard errors: s / sqrt(n) for the mean, s^2 sqrt(2 / n) for the variance; 5 se.
        assert!(
            (mean - m).abs() < 5.0 * s / (n as f64).sqrt(),
            "{mean} vs {m}"
        );
        assert!(
            (var - s * s).abs() < 5.0 * s * s * (2.0 / n as f64).sqrt(),
            "{var} vs {}",
            s * s
        );
    }

    #[test]
    fn greedy_follows_the_posterior_mean_and_ties_by_rule() {
        let mut rng = SeedSequence::new(2).exploration_stream(0, 0);
        let mut g =
            GaussianBayesGreedy::new(3, NormalPrior::default(), 1.0, ArgmaxTie::LowestIndex)
                .unwrap();
        assert_eq!(g.select(&mut rng), 0);
        g.update(0, -1.0);
        assert_eq!(g.select(&mut rng), 1);
        g.update(2, 3.0);
        assert_eq!(g.select(&mut rng), 2);
        let mut r =
            GaussianBayesGreedy::new(4, NormalPrior::default(), 1.0, ArgmaxTie::Random).unwrap();
        let mut seen = [0u32; 4];
        for _ in 0..400 {
            seen[r.select(&mut rng)] += 1;
        }
        assert!(seen.iter().all(|&c| c > 50), "{seen:?}");
    }

    #[test]
    fn bad_parameters_are_refused() {
        let bad = NormalPrior { mean: 0.0, sd: 0.0 };
        let e = GaussianThompsonSampling::new(2, bad, 1.0, ArgmaxTie::LowestIndex)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("prior standard deviation s0 of GaussianThompsonSampling"),
            "{e}"
        );
        assert!(
            GaussianBayesGreedy::new(2, NormalPrior::default(), 0.0, ArgmaxTie::LowestIndex)
                .is_err()
        );
        assert!(NormalPrior::new(f64::NAN, 1.0, "x").is_err());
    }
}
