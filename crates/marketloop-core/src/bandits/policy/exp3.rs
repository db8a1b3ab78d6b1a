//! EXP3: exponential weights for adversarial bandits, with uniform exploration.

use super::{check_k, BanditError, BanditPolicy, BetaPosterior, BetaPrior};
use rand::Rng;

/// EXP3 (Auer, Cesa-Bianchi, Freund and Schapire 2002) with exploration rate gamma in (0, 1]:
/// arm i is played with probability p_i = (1 - gamma) w_i / sum_j w_j + gamma / K, where
/// w_i = exp(gamma S_i / K) and S_i is the sum of the importance-weighted rewards
/// reward / p_i of the rounds in which i was played. One uniform per round picks the arm by
/// inversion of the cumulative probabilities (lowest index first). Weights are kept as
/// exponents and normalised by the largest, so they never overflow.
#[derive(Clone, Debug)]
pub struct Exp3 {
    post: BetaPosterior,
    gamma: f64,
    sums: Vec<f64>,
    probs: Vec<f64>,
}

impl Exp3 {
    /// On `k` arms with exploration rate `gamma` in (0, 1].
    pub fn new(k: usize, gamma: f64, prior: BetaPrior) -> Result<Self, BanditError> {
        check_k(k)?;
        check_gamma(gamma)?;
        Ok(Exp3 {
            post: BetaPosterior::new(k, prior),
            gamma,
            sums: vec![0.0; k],
            probs: vec![1.0 / k as f64; k],
        })
    }

    /// The probabilities with which the next round plays each arm.
    pub fn probabilities(&self) -> Vec<f64> {
        let mut p = vec![0.0; self.sums.len()];
        self.fill_probabilities(&mut p);
        p
    }

    fn fill_probabilities(&self, p: &mut [f64]) {
        let k = self.sums.len() as f64;
        let eta = self.gamma / k;
        let top = self.sums.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let mut total = 0.0;
        for (x, &s) in p.iter_mut().zip(&self.sums) {
            *x = (eta * (s - top)).exp();
            total += *x;
        }
        for x in p.iter_mut() {
            *x = (1.0 - self.gamma) * *x / total + self.gamma / k;
        }
    }
}

/// Rejects an exploration rate outside (0, 1].
pub(super) fn check_gamma(gamma: f64) -> Result<(), BanditError> {
    if gamma > 0.0 && gamma <= 1.0 {
        Ok(())
    } else {
        Err(BanditError::range(
            "exploration rate gamma of EXP3",
            gamma,
            "(0, 1]",
        ))
    }
}

impl BanditPolicy for Exp3 {
    fn k(&self) -> usize {
        self.post.k()
    }
    fn select<R: Rng + ?Sized>(&mut self, rng: &mut R) -> usize {
        let mut probs = std::mem::take(&mut self.probs);
        self.fill_probabilities(&mut probs);
        self.probs = probs;
        let u: f64 = rng.random();
        let mut cum = 0.0;
        for (i, &p) in self.probs.iter().enumerate() {
            cum += p;
            if u < cum {
                return i;
            }
        }
        // Rounding left the cumulative sum a hair below 1: the last arm with positive mass.
        self.probs.len() - 1
    }
    fn update(&mut self, arm: usize, reward: f64) {
        self.post.update(arm, reward);
        // Importance-weighted reward (EXP3 assumes rewards in [0, 1]: it accepts only Bernoulli
        // rewards in a competition).
        if reward != 0.0 {
            self.sums[arm] += reward / self.probs[arm];
        }
    }
    fn reset(&mut self) {
        self.post.reset();
        self.sums.iter_mut().for_each(|s| *s = 0.0);
        let k = self.sums.len() as f64;
        self.probs.iter_mut().for_each(|p| *p = 1.0 / k);
    }
    fn posterior(&self) -> &BetaPosterior {
        &self.post
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{SeedSequence, Source};

    #[test]
    fn exp3_probabilities_sum_to_one_and_the_draws_follow_them() {
        let mu = [0.2, 0.8, 0.5];
        let s = SeedSequence::new(12);
        let mut rng = s.exploration_stream(0, 0);
        let mut env = s.stream(0, Source::Rewards);
        let mut p = Exp3::new(3, 0.1, BetaPrior::default()).unwrap();
        let t = 5000;
        let mut best = 0;
        for _ in 0..t {
            let q = p.probabilities();
            assert!((q.iter().sum::<f64>() - 1.0).abs() < 1e-12, "{q:?}");
            assert!(q.iter().all(|&x| x >= 0.1 / 3.0 - 1e-15), "{q:?}");
            let a = p.select(&mut rng);
            best += usize::from(a == 1);
            p.update(a, f64::from(env.random::<f64>() < mu[a]));
        }
        // Easy instance: the best arm is played most (well above the 1/3 of uniform play).
        assert!(best as f64 > 0.7 * t as f64, "{best}");

        // Frozen state: selection frequencies match the probabilities (5 binomial sd).
        let q = p.probabilities();
        let n = 40_000;
        let mut counts = [0u32; 3];
        for _ in 0..n {
            counts[p.select(&mut rng)] += 1;
        }
        for i in 0..3 {
            let f = f64::from(counts[i]) / f64::from(n);
            let sd = (q[i] * (1.0 - q[i]) / f64::from(n)).sqrt();
            assert!(
                (f - q[i]).abs() < 5.0 * sd + 1e-9,
                "arm {i}: {f} vs {}",
                q[i]
            );
        }
        assert!(Exp3::new(3, 0.0, BetaPrior::default()).is_err());
        assert!(Exp3::new(3, 1.5, BetaPrior::default()).is_err());
    }
}
