//! Explore-First: a fixed round-robin exploration phase, then commitment to the empirical best.

use super::{argmax, check_k, ArgmaxTie, BanditError, BanditPolicy, BetaPosterior, BetaPrior};
use rand::Rng;

/// Explore-First: pulls the arms in turn (arm t mod K) for the first `per_arm * K` pulls, then
/// commits to the arm with the best empirical mean over those pulls, forever.
#[derive(Clone, Debug)]
pub struct ExploreFirst {
    post: BetaPosterior,
    tie: ArgmaxTie,
    per_arm: u32,
    total: u64,
    explore_means: Vec<f64>,
    committed: Option<usize>,
}

impl ExploreFirst {
    /// On `k` arms, exploring each arm `per_arm` >= 1 times.
    pub fn new(
        k: usize,
        per_arm: u32,
        prior: BetaPrior,
        tie: ArgmaxTie,
    ) -> Result<Self, BanditError> {
        check_k(k)?;
        if per_arm == 0 {
            return Err(BanditError::range(
                "pulls per arm of ExploreFirst",
                0,
                "[1, infinity)",
            ));
        }
        Ok(ExploreFirst {
            post: BetaPosterior::new(k, prior),
            tie,
            per_arm,
            total: 0,
            explore_means: vec![0.0; k],
            committed: None,
        })
    }
}

impl BanditPolicy for ExploreFirst {
    fn k(&self) -> usize {
        self.post.k()
    }
    fn select<R: Rng + ?Sized>(&mut self, rng: &mut R) -> usize {
        let k = self.post.k() as u64;
        if self.total < u64::from(self.per_arm) * k {
            return (self.total % k) as usize;
        }
        if let Some(a) = self.committed {
            return a;
        }
        self.post.empirical_means(&mut self.explore_means);
        let a = argmax(&self.explore_means, self.tie, rng);
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
    use crate::rng::SeedSequence;

    #[test]
    fn explore_first_goes_round_robin_then_commits() {
        let mut rng = SeedSequence::new(7).exploration_stream(0, 0);
        let mut ef = ExploreFirst::new(3, 2, BetaPrior::default(), ArgmaxTie::LowestIndex).unwrap();
        for t in 0..6 {
            let a = ef.select(&mut rng);
            assert_eq!(a, t % 3);
            ef.update(a, f64::from(a == 1));
        }
        for _ in 0..5 {
            let a = ef.select(&mut rng);
            assert_eq!(a, 1);
            ef.update(a, 0.0);
        }
    }
}
