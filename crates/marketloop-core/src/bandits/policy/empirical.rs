//! The non-Bayesian greedy variants, on empirical means (successes / pulls) instead of
//! posterior means: epsilon-greedy, and explore-then-exploit with a fixed exploration budget.

use super::{
    argmax, check_k, check_unit, ArgmaxTie, BanditError, BanditPolicy, BetaPosterior, BetaPrior,
};
use rand::Rng;

/// Epsilon-greedy on empirical means: each arm once (in index order, drawing nothing), then in
/// every round one uniform coin: with probability eps a uniformly random arm (of all K), else
/// the argmax of the empirical means (ties by the tie rule).
#[derive(Clone, Debug)]
pub struct EpsilonGreedy {
    post: BetaPosterior,
    tie: ArgmaxTie,
    eps: f64,
    means: Vec<f64>,
}

impl EpsilonGreedy {
    /// On `k` arms with exploration probability `eps` in [0, 1].
    pub fn new(k: usize, eps: f64, prior: BetaPrior, tie: ArgmaxTie) -> Result<Self, BanditError> {
        check_k(k)?;
        check_unit("epsilon of EpsilonGreedy", eps)?;
        Ok(EpsilonGreedy {
            post: BetaPosterior::new(k, prior),
            tie,
            eps,
            means: vec![0.0; k],
        })
    }
}

impl BanditPolicy for EpsilonGreedy {
    fn k(&self) -> usize {
        self.post.k()
    }
    fn select<R: Rng + ?Sized>(&mut self, rng: &mut R) -> usize {
        let k = self.post.k();
        if let Some(a) = self.post.first_unpulled() {
            return a;
        }
        if rng.random::<f64>() < self.eps {
            return rng.random_range(0..k);
        }
        self.post.empirical_means(&mut self.means);
        argmax(&self.means, self.tie, rng)
    }
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

/// Explore-then-exploit with a fixed budget: the first `budget` rounds each play a uniformly
/// random arm (one draw per round), then the algorithm commits, forever, to the arm with the
/// best empirical mean over those rounds (arms never pulled count 0; ties by the tie rule).
#[derive(Clone, Debug)]
pub struct ExploreThenExploit {
    post: BetaPosterior,
    tie: ArgmaxTie,
    budget: u64,
    total: u64,
    means: Vec<f64>,
    committed: Option<usize>,
}

impl ExploreThenExploit {
    /// On `k` arms with an exploration budget of `budget` >= 1 rounds.
    pub fn new(
        k: usize,
        budget: u64,
        prior: BetaPrior,
        tie: ArgmaxTie,
    ) -> Result<Self, BanditError> {
        check_k(k)?;
        check_budget(budget)?;
        Ok(ExploreThenExploit {
            post: BetaPosterior::new(k, prior),
            tie,
            budget,
            total: 0,
            means: vec![0.0; k],
            committed: None,
        })
    }

    /// The arm it committed to, once the budget is spent and it has chosen.
    pub fn committed(&self) -> Option<usize> {
        self.committed
    }
}

/// Rejects an exploration budget of 0.
pub(super) fn check_budget(budget: u64) -> Result<(), BanditError> {
    if budget == 0 {
        return Err(BanditError::range(
            "exploration budget n of ExploreThenExploit",
            0,
            "[1, infinity)",
        ));
    }
    Ok(())
}

impl BanditPolicy for ExploreThenExploit {
    fn k(&self) -> usize {
        self.post.k()
    }
    fn select<R: Rng + ?Sized>(&mut self, rng: &mut R) -> usize {
        if self.total < self.budget {
            return rng.random_range(0..self.post.k());
        }
        if let Some(a) = self.committed {
            return a;
        }
        self.post.empirical_means(&mut self.means);
        let a = argmax(&self.means, self.tie, rng);
        self.committed = Some(a);
        a
    }
    fn update(&mut self, arm: usize, reward: f64) {
        self.post.update(arm, reward);
        self.total += 1;
    }
    fn reset(&mut self) {
        self.post.reset();
        self.total = 0;
        self.committed = None;
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
    fn epsilon_greedy_pulls_each_arm_once_then_explores_at_rate_eps() {
        let mut rng = SeedSequence::new(4).exploration_stream(0, 0);
        let mut eg =
            EpsilonGreedy::new(4, 0.2, BetaPrior::default(), ArgmaxTie::LowestIndex).unwrap();
        for want in 0..4 {
            let a = eg.select(&mut rng);
            assert_eq!(a, want);
            eg.update(a, f64::from(a == 2));
        }
        // Empirical best is arm 2 (1/1); off it with probability eps * 3/4.
        let n = 20_000;
        let off = (0..n).filter(|_| eg.select(&mut rng) != 2).count() as f64 / n as f64;
        let p = 0.2 * 0.75;
        let sd = (p * (1.0 - p) / n as f64).sqrt();
        assert!((off - p).abs() < 5.0 * sd, "{off} vs {p}");
    }

    #[test]
    fn explore_then_exploit_explores_uniformly_for_its_budget_then_commits_to_the_best() {
        let mu = [0.3, 0.7, 0.5];
        let s = SeedSequence::new(8);
        let mut rng = s.exploration_stream(0, 0);
        let mut env = s.stream(0, Source::Rewards);
        let budget = 3000;
        let mut ete =
            ExploreThenExploit::new(3, budget, BetaPrior::default(), ArgmaxTie::LowestIndex)
                .unwrap();
        let mut counts = [0u32; 3];
        for t in 0..budget + 500 {
            let a = ete.select(&mut rng);
            if t < budget {
                counts[a] += 1;
            } else {
                // With 1000 pulls per arm, the empirical best is the true best (gap 0.2 is over
                // 9 standard errors).
                assert_eq!(a, 1);
            }
            ete.update(a, f64::from(env.random::<f64>() < mu[a]));
        }
        assert_eq!(ete.committed(), Some(1));
        // Uniform exploration: Binomial(3000, 1/3) per arm, 5 sd.
        let sd = (f64::from(budget as u32) * (1.0 / 3.0) * (2.0 / 3.0)).sqrt();
        for c in counts {
            assert!((f64::from(c) - 1000.0).abs() < 5.0 * sd, "{counts:?}");
        }
        assert!(ExploreThenExploit::new(3, 0, BetaPrior::default(), ArgmaxTie::Random).is_err());
        assert!(EpsilonGreedy::new(3, 1.2, BetaPrior::default(), ArgmaxTie::Random).is_err());
    }
}
