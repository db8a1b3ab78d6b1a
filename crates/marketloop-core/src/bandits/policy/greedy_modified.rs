//! The paper's greedy modification of a base algorithm (Theorem 4.11): follow the base until it
//! first deviates from greedy, then mix base rounds (recorded) with greedy rounds (not recorded).

use super::greedy::greedy_arm;
use super::{check_unit, ArgmaxTie, BanditError, BanditPolicy, BetaPosterior};
use rand::Rng;

/// The greedy modification of a base algorithm with mixing parameter p (the paper's Theorem
/// 4.11). Until the base algorithm first deviates from the greedy choice (argmax posterior mean
/// on the data the base recorded) it is followed and records every reward. From the deviating
/// round on, each round runs the base algorithm with probability p (its reward is recorded),
/// else plays the greedy choice on the base's data and records nothing.
#[derive(Clone, Debug)]
pub struct GreedyModified<P> {
    base: P,
    p: f64,
    tie: ArgmaxTie,
    deviated: bool,
    record: bool,
}

impl<P: BanditPolicy> GreedyModified<P> {
    /// Wraps `base` with mixing parameter `p` in [0, 1].
    pub fn new(base: P, p: f64, tie: ArgmaxTie) -> Result<Self, BanditError> {
        check_unit("mixing parameter p of the greedy modification", p)?;
        Ok(GreedyModified {
            base,
            p,
            tie,
            deviated: false,
            record: true,
        })
    }

    /// Whether the base algorithm has deviated from greedy yet.
    pub fn deviated(&self) -> bool {
        self.deviated
    }

    /// The base algorithm.
    pub fn base(&self) -> &P {
        &self.base
    }
}

impl<P: BanditPolicy> BanditPolicy for GreedyModified<P> {
    fn k(&self) -> usize {
        self.base.k()
    }
    fn select<R: Rng + ?Sized>(&mut self, rng: &mut R) -> usize {
        if self.deviated {
            if rng.random::<f64>() < self.p {
                self.record = true;
                return self.base.select(rng);
            }
            self.record = false;
            return greedy_arm(self.base.posterior(), self.tie, rng);
        }
        let a = self.base.select(rng);
        let g = greedy_arm(self.base.posterior(), self.tie, rng);
        if a == g {
            self.record = true;
            return a;
        }
        self.deviated = true;
        if rng.random::<f64>() < self.p {
            self.record = true;
            a
        } else {
            self.record = false;
            g
        }
    }
    fn update(&mut self, arm: usize, reward: f64) {
        if self.record {
            self.base.update(arm, reward);
        }
    }
    fn reset(&mut self) {
        self.base.reset();
        self.deviated = false;
        self.record = true;
    }
    fn posterior(&self) -> &BetaPosterior {
        self.base.posterior()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bandits::policy::{AlgorithmKind, BayesGreedy, BetaPrior};
    use crate::rng::SeedSequence;

    #[test]
    fn greedy_modification_with_p_one_is_the_base_and_p_zero_records_only_greedy_steps() {
        let mut rng1 = SeedSequence::new(8).exploration_stream(0, 0);
        let mut rng2 = SeedSequence::new(8).exploration_stream(0, 0);
        let base = AlgorithmKind::ThompsonSampling
            .build(4, BetaPrior::default(), ArgmaxTie::LowestIndex)
            .unwrap();
        let mut gm = GreedyModified::new(base, 0.0, ArgmaxTie::LowestIndex).unwrap();
        let mut bg = BayesGreedy::new(4, BetaPrior::default(), ArgmaxTie::LowestIndex).unwrap();
        let _ = (&mut rng1, &mut rng2);
        // With p = 0, after the deviation every round is greedy on frozen data: the same arm.
        let mut arms = Vec::new();
        for t in 0..200 {
            let a = gm.select(&mut rng1);
            gm.update(a, f64::from(t % 3 == 0));
            arms.push(a);
            let _ = bg.select(&mut rng2);
        }
        assert!(gm.deviated());
        let last = *arms.last().unwrap();
        assert!(arms[150..].iter().all(|&a| a == last));
        let recorded: u32 = (0..4).map(|a| gm.posterior().pulls(a)).sum();
        assert!(
            recorded < 200,
            "greedy steps must not be recorded ({recorded})"
        );
    }
}
