//! The greedy family: StaticGreedy (the prior's best arm, forever), BayesGreedy (argmax of the
//! posterior mean) and BayesEpsilonGreedy (BayesGreedy with a uniform exploration coin).

use super::{
    argmax, check_k, check_unit, ArgmaxTie, BanditError, BanditPolicy, BetaPosterior, BetaPrior,
};
use rand::Rng;

/// StaticGreedy: the arm with the largest prior mean, forever (with equal priors, arm 0 under
/// the lowest-index rule, a uniformly random arm fixed at the first round under `Random`).
#[derive(Clone, Debug)]
pub struct StaticGreedy {
    post: BetaPosterior,
    tie: ArgmaxTie,
    arm: Option<usize>,
}

impl StaticGreedy {
    /// On `k` arms.
    pub fn new(k: usize, prior: BetaPrior, tie: ArgmaxTie) -> Result<Self, BanditError> {
        check_k(k)?;
        Ok(StaticGreedy {
            post: BetaPosterior::new(k, prior),
            tie,
            arm: None,
        })
    }
}

impl BanditPolicy for StaticGreedy {
    fn k(&self) -> usize {
        self.post.k()
    }
    fn select<R: Rng + ?Sized>(&mut self, rng: &mut R) -> usize {
        if let Some(a) = self.arm {
            return a;
        }
        let prior = BetaPosterior::new(self.post.k(), self.post.prior());
        let a = argmax(prior.means(), self.tie, rng);
        self.arm = Some(a);
        a
    }
    fn update(&mut self, arm: usize, reward: f64) {
        self.post.update(arm, reward);
    }
    fn reset(&mut self) {
        self.post.reset();
        self.arm = None;
    }
    fn posterior(&self) -> &BetaPosterior {
        &self.post
    }
}

/// The arm with the largest posterior mean under `tie`: the posterior's kept leader under
/// lowest-index ties, else a scan that breaks ties at random.
#[inline]
pub(super) fn greedy_arm<R: Rng + ?Sized>(
    post: &BetaPosterior,
    tie: ArgmaxTie,
    rng: &mut R,
) -> usize {
    match tie {
        ArgmaxTie::LowestIndex => post.leader(),
        ArgmaxTie::Random => argmax(post.means(), tie, rng),
    }
}

/// BayesGreedy (DynamicGreedy): argmax of the posterior mean.
#[derive(Clone, Debug)]
pub struct BayesGreedy {
    post: BetaPosterior,
    tie: ArgmaxTie,
}

impl BayesGreedy {
    /// On `k` arms.
    pub fn new(k: usize, prior: BetaPrior, tie: ArgmaxTie) -> Result<Self, BanditError> {
        check_k(k)?;
        Ok(BayesGreedy {
            post: BetaPosterior::new(k, prior),
            tie,
        })
    }
}

impl BanditPolicy for BayesGreedy {
    fn k(&self) -> usize {
        self.post.k()
    }
    #[inline]
    fn select<R: Rng + ?Sized>(&mut self, rng: &mut R) -> usize {
        greedy_arm(&self.post, self.tie, rng)
    }
    #[inline]
    fn update(&mut self, arm: usize, reward: f64) {
        self.post.update(arm, reward);
    }
    fn reset(&mut self) {
        self.post.reset();
    }
    fn posterior(&self) -> &BetaPosterior {
        &self.post
    }
}

/// BayesEpsilonGreedy (DynamicEpsilonGreedy): with probability eps a uniformly random arm (of
/// all K), else BayesGreedy's. One uniform coin is drawn every round.
#[derive(Clone, Debug)]
pub struct BayesEpsilonGreedy {
    post: BetaPosterior,
    tie: ArgmaxTie,
    eps: f64,
}

impl BayesEpsilonGreedy {
    /// On `k` arms with exploration probability `eps` in [0, 1] (paper: 0.05).
    pub fn new(k: usize, eps: f64, prior: BetaPrior, tie: ArgmaxTie) -> Result<Self, BanditError> {
        check_k(k)?;
        check_unit("epsilon of BayesEpsilonGreedy", eps)?;
        Ok(BayesEpsilonGreedy {
            post: BetaPosterior::new(k, prior),
            tie,
            eps,
        })
    }
}

impl BanditPolicy for BayesEpsilonGreedy {
    fn k(&self) -> usize {
        self.post.k()
    }
    #[inline]
    fn select<R: Rng + ?Sized>(&mut self, rng: &mut R) -> usize {
        if rng.random::<f64>() < self.eps {
            rng.random_range(0..self.post.k())
        } else {
            greedy_arm(&self.post, self.tie, rng)
        }
    }
    #[inline]
    fn update(&mut self, arm: usize, reward: f64) {
        self.post.update(arm, reward);
    }
    fn reset(&mut self) {
        self.post.reset();
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
    fn greedy_sticks_and_static_greedy_never_moves() {
        let mut rng = SeedSequence::new(2).exploration_stream(0, 0);
        let mut bg = BayesGreedy::new(3, BetaPrior::default(), ArgmaxTie::LowestIndex).unwrap();
        assert_eq!(bg.select(&mut rng), 0);
        bg.update(0, 0.0);
        assert_eq!(bg.select(&mut rng), 1);
        bg.update(1, 1.0);
        assert_eq!(bg.select(&mut rng), 1);
        let mut sg = StaticGreedy::new(3, BetaPrior::default(), ArgmaxTie::LowestIndex).unwrap();
        for _ in 0..10 {
            let a = sg.select(&mut rng);
            assert_eq!(a, 0);
            sg.update(a, 0.0);
        }
    }

    #[test]
    fn eps_greedy_explores_at_rate_eps() {
        let mut beg =
            BayesEpsilonGreedy::new(4, 0.2, BetaPrior::default(), ArgmaxTie::LowestIndex).unwrap();
        beg.update(0, 1.0);
        let mut rng = SeedSequence::new(6).exploration_stream(0, 0);
        let n = 20_000;
        let off = (0..n).filter(|_| beg.select(&mut rng) != 0).count() as f64 / n as f64;
        let p = 0.2 * 0.75;
        let sd = (p * (1.0 - p) / n as f64).sqrt();
        assert!((off - p).abs() < 5.0 * sd, "{off} vs {p}");
    }
}
