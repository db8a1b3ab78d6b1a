//! The Bernoulli index algorithms: KL-UCB (the upper KL confidence bound of the empirical mean)
//! and Bayes-UCB (an upper quantile of the Beta posterior).

use super::special::{beta_quantile, kl_upper_bound};
use super::{argmax, check_k, ArgmaxTie, BanditError, BanditPolicy, BetaPosterior, BetaPrior};
use rand::Rng;

/// KL-UCB for Bernoulli rewards (Garivier and Cappé 2011): each arm once (in index order), then
/// the argmax of the index max{q >= p_a : n_a kl(p_a, q) <= ln t}, with p_a the empirical mean,
/// n_a the pulls of arm a and t the pulls so far (the exploration function c = 0 of their
/// experiments).
#[derive(Clone, Debug)]
pub struct KlUcb {
    post: BetaPosterior,
    tie: ArgmaxTie,
    scores: Vec<f64>,
    total: u64,
}

impl KlUcb {
    /// On `k` arms.
    pub fn new(k: usize, prior: BetaPrior, tie: ArgmaxTie) -> Result<Self, BanditError> {
        check_k(k)?;
        Ok(KlUcb {
            post: BetaPosterior::new(k, prior),
            tie,
            scores: vec![0.0; k],
            total: 0,
        })
    }

    /// The index of `arm` now (1 for an arm never pulled).
    pub fn index(&self, arm: usize) -> f64 {
        let n = self.post.pulls(arm);
        if n == 0 {
            return 1.0;
        }
        let p = self.post.reward_sum(arm) / f64::from(n);
        kl_upper_bound(p, (self.total as f64).ln() / f64::from(n))
    }
}

impl BanditPolicy for KlUcb {
    fn k(&self) -> usize {
        self.post.k()
    }
    fn select<R: Rng + ?Sized>(&mut self, rng: &mut R) -> usize {
        if let Some(a) = self.post.first_unpulled() {
            return a;
        }
        for a in 0..self.post.k() {
            self.scores[a] = self.index(a);
        }
        argmax(&self.scores, self.tie, rng)
    }
    fn update(&mut self, arm: usize, reward: f64) {
        self.post.update(arm, reward);
        self.total += 1;
    }
    fn reset(&mut self) {
        self.post.reset();
        self.total = 0;
    }
    fn posterior(&self) -> &BetaPosterior {
        &self.post
    }
}

/// Bayes-UCB for Bernoulli rewards (Kaufmann, Cappé and Garivier 2012): the argmax of the
/// quantile of level 1 - 1/t of each arm's Beta posterior, t the current round (pulls so far
/// plus one; the horizon-free form, c = 0).
#[derive(Clone, Debug)]
pub struct BayesUcb {
    post: BetaPosterior,
    tie: ArgmaxTie,
    scores: Vec<f64>,
    total: u64,
}

impl BayesUcb {
    /// On `k` arms with Beta prior `prior`.
    pub fn new(k: usize, prior: BetaPrior, tie: ArgmaxTie) -> Result<Self, BanditError> {
        check_k(k)?;
        Ok(BayesUcb {
            post: BetaPosterior::new(k, prior),
            tie,
            scores: vec![0.0; k],
            total: 0,
        })
    }

    /// The index of `arm` now: its posterior quantile of level 1 - 1/t.
    pub fn index(&self, arm: usize) -> f64 {
        let (a, b) = self.post.params(arm);
        beta_quantile(a, b, 1.0 - 1.0 / (self.total + 1) as f64)
    }
}

impl BanditPolicy for BayesUcb {
    fn k(&self) -> usize {
        self.post.k()
    }
    fn select<R: Rng + ?Sized>(&mut self, rng: &mut R) -> usize {
        for a in 0..self.post.k() {
            self.scores[a] = self.index(a);
        }
        argmax(&self.scores, self.tie, rng)
    }
    fn update(&mut self, arm: usize, reward: f64) {
        self.post.update(arm, reward);
        self.total += 1;
    }
    fn reset(&mut self) {
        self.post.reset();
        self.total = 0;
    }
    fn posterior(&self) -> &BetaPosterior {
        &self.post
    }
}

#[cfg(test)]
mod tests {
    use super::super::special::kl_bernoulli as kl;
    use super::*;
    use crate::bandits::policy::tests::beta_cdf_int;
    use crate::rng::{SeedSequence, Source};

    /// Pulls of arm 0 (mean 0.4; arm 1 has 0.6) after each horizon in `horizons`, averaged over
    /// `runs` runs of `policy`.
    fn bad_pulls<P: BanditPolicy>(make: impl Fn() -> P, horizons: &[usize], runs: u64) -> Vec<f64> {
        let mu = [0.4, 0.6];
        let mut out = vec![0.0; horizons.len()];
        for r in 0..runs {
            let s = SeedSequence::new(77);
            let mut rng = s.exploration_stream(r, 0);
            let mut env = s.stream(r, Source::Rewards);
            let mut p = make();
            let mut bad = 0u32;
            let mut h = 0;
            for t in 1..=*horizons.last().unwrap() {
                let a = p.select(&mut rng);
                bad += u32::from(a == 0);
                p.update(a, f64::from(env.random::<f64>() < mu[a]));
                if t == horizons[h] {
                    out[h] += f64::from(bad) / runs as f64;
                    h += 1;
                }
            }
        }
        out
    }

    #[test]
    fn kl_ucb_index_is_the_kl_bound_and_its_regret_is_logarithmic() {
        let mut p = KlUcb::new(3, BetaPrior::default(), ArgmaxTie::LowestIndex).unwrap();
        let mut rng = SeedSequence::new(3).exploration_stream(0, 0);
        for t in 0..40 {
            let a = p.select(&mut rng);
            p.update(a, f64::from(t % 3 != a));
        }
        for a in 0..3 {
            let n = f64::from(p.posterior().pulls(a));
            let mean = f64::from(p.posterior().successes(a)) / n;
            let level = (40f64).ln() / n;
            // An independent bisection on kl(mean, q) = level.
            let (mut lo, mut hi) = (mean, 1.0 - 1e-15);
            for _ in 0..200 {
                let mid = 0.5 * (lo + hi);
                if kl(mean, mid) > level {
                    hi = mid;
                } else {
                    lo = mid;
                }
            }
            assert!(
                (p.index(a) - lo).abs() < 1e-9,
                "arm {a}: {} vs {lo}",
                p.index(a)
            );
        }
        // Lai and Robbins: E[pulls of the bad arm] ~ ln T / kl(0.4, 0.6) (= 113.6 at T = 10^4),
        // which KL-UCB attains; a linear-regret algorithm would pull it about T/2 times. With 40
        // runs the mean pull count has a standard error of a few pulls: the bounds leave a
        // factor of 2 for the finite-time terms.
        let got = bad_pulls(
            || KlUcb::new(2, BetaPrior::default(), ArgmaxTie::LowestIndex).unwrap(),
            &[1000, 10_000],
            40,
        );
        let lai_robbins = (10_000f64).ln() / kl(0.4, 0.6);
        assert!(got[1] < 2.0 * lai_robbins, "{got:?} vs {lai_robbins}");
        // Logarithmic growth: 10 times the horizon, far less than 10 times the pulls
        // (ln 10^4 / ln 10^3 = 1.33).
        assert!(got[1] < 2.0 * got[0], "{got:?}");
    }

    #[test]
    fn bayes_ucb_index_is_the_posterior_quantile_and_its_regret_is_logarithmic() {
        let mut p = BayesUcb::new(3, BetaPrior::default(), ArgmaxTie::LowestIndex).unwrap();
        let mut rng = SeedSequence::new(3).exploration_stream(0, 0);
        for t in 0..30 {
            let a = p.select(&mut rng);
            p.update(a, f64::from(t % 2 == 0));
        }
        for a in 0..3 {
            let s = p.posterior().successes(a);
            let f = p.posterior().pulls(a) - s;
            // The exact Beta(1 + s, 1 + f) CDF at the index is the level 1 - 1/31.
            let cdf = beta_cdf_int(1 + s, 1 + f, p.index(a));
            assert!((cdf - (1.0 - 1.0 / 31.0)).abs() < 1e-9, "arm {a}: {cdf}");
        }
        let got = bad_pulls(
            || BayesUcb::new(2, BetaPrior::default(), ArgmaxTie::LowestIndex).unwrap(),
            &[1000, 10_000],
            40,
        );
        let lai_robbins = (10_000f64).ln() / kl(0.4, 0.6);
        assert!(got[1] < 2.0 * lai_robbins, "{got:?} vs {lai_robbins}");
        assert!(got[1] < 2.0 * got[0], "{got:?}");
    }
}
