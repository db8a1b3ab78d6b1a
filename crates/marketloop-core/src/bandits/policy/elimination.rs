//! Successive Elimination: round-robin over the active arms, dropping arms whose confidence
//! interval lies below another's.

use super::{check_k, BanditError, BanditPolicy, BetaPosterior, BetaPrior};
use rand::Rng;

/// Successive Elimination: pulls the active arms in turn (the least-pulled active arm, lowest
/// index first); whenever all active arms have equal pulls n, deactivates every arm whose upper
/// confidence bound mean + r is below the largest lower bound mean - r, with the anytime radius
/// r = sqrt(2 ln t / n), t the number of pulls so far; under Gaussian rewards with noise level
/// sigma ([`SuccessiveElimination::sub_gaussian`]) the sub-Gaussian radius sigma sqrt(2 ln t / n).
#[derive(Clone, Debug)]
pub struct SuccessiveElimination {
    post: BetaPosterior,
    active: Vec<bool>,
    total: u64,
    /// The radius's factor: 1 for 0/1 rewards (exact), sigma otherwise.
    scale: f64,
}

impl SuccessiveElimination {
    /// On `k` arms.
    pub fn new(k: usize, prior: BetaPrior) -> Result<Self, BanditError> {
        check_k(k)?;
        Ok(SuccessiveElimination {
            post: BetaPosterior::new(k, prior),
            active: vec![true; k],
            total: 0,
            scale: 1.0,
        })
    }

    /// On `k` arms for sigma-sub-Gaussian rewards (Gaussian with noise level `sigma` > 0): the
    /// confidence radius is sigma sqrt(2 ln t / n).
    pub fn sub_gaussian(k: usize, prior: BetaPrior, sigma: f64) -> Result<Self, BanditError> {
        if !(sigma.is_finite() && sigma > 0.0) {
            return Err(BanditError::range(
                "noise sigma of SuccessiveElimination",
                sigma,
                "(0, infinity)",
            ));
        }
        let mut se = SuccessiveElimination::new(k, prior)?;
        se.scale = sigma;
        Ok(se)
    }

    /// Which arms are still active.
    pub fn active(&self) -> &[bool] {
        &self.active
    }
}

impl BanditPolicy for SuccessiveElimination {
    fn k(&self) -> usize {
        self.post.k()
    }
    fn select<R: Rng + ?Sized>(&mut self, _rng: &mut R) -> usize {
        let mut best = usize::MAX;
        let mut best_n = u32::MAX;
        for a in 0..self.post.k() {
            if self.active[a] && self.post.pulls(a) < best_n {
                best = a;
                best_n = self.post.pulls(a);
            }
        }
        best
    }
    fn update(&mut self, arm: usize, reward: f64) {
        self.post.update(arm, reward);
        self.total += 1;
        let k = self.post.k();
        let n = self.post.pulls(arm);
        if (0..k).any(|a| self.active[a] && self.post.pulls(a) != n) {
            return;
        }
        let r = self.scale * (2.0 * (self.total.max(2) as f64).ln() / f64::from(n)).sqrt();
        let mean = |a: usize| self.post.reward_sum(a) / f64::from(n);
        let best_lcb = (0..k)
            .filter(|&a| self.active[a])
            .map(|a| mean(a) - r)
            .fold(f64::NEG_INFINITY, f64::max);
        for a in 0..k {
            if self.active[a] && mean(a) + r < best_lcb {
                self.active[a] = false;
            }
        }
    }
    fn reset(&mut self) {
        self.post.reset();
        self.active.iter_mut().for_each(|x| *x = true);
        self.total = 0;
    }
    fn posterior(&self) -> &BetaPosterior {
        &self.post
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::SeedSequence;

    #[test]
    fn successive_elimination_drops_the_worse_arm() {
        let mut rng = SeedSequence::new(7).exploration_stream(0, 0);
        let mut se = SuccessiveElimination::new(2, BetaPrior::default()).unwrap();
        for _ in 0..400 {
            let a = se.select(&mut rng);
            se.update(a, f64::from(a == 0));
        }
        assert_eq!(se.active(), &[true, false]);
    }
}
