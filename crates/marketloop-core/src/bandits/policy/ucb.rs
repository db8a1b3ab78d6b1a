//! UCB1: optimism in the face of uncertainty with the Auer, Cesa-Bianchi and Fischer bonus.

use super::{argmax, check_k, ArgmaxTie, BanditError, BanditPolicy, BetaPosterior, BetaPrior};
use rand::Rng;

/// UCB1 (Auer, Cesa-Bianchi, Fischer 2002): each arm once (in index order), then the argmax of
/// the empirical mean plus sqrt(2 ln t / n_a), t the number of pulls so far.
#[derive(Clone, Debug)]
pub struct Ucb1 {
    post: BetaPosterior,
    tie: ArgmaxTie,
    scores: Vec<f64>,
    total: u64,
}

impl Ucb1 {
    /// On `k` arms.
    pub fn new(k: usize, prior: BetaPrior, tie: ArgmaxTie) -> Result<Self, BanditError> {
        check_k(k)?;
        Ok(Ucb1 {
            post: BetaPosterior::new(k, prior),
            tie,
            scores: vec![0.0; k],
            total: 0,
        })
    }
}

impl BanditPolicy for Ucb1 {
    fn k(&self) -> usize {
        self.post.k()
    }
    fn select<R: Rng + ?Sized>(&mut self, rng: &mut R) -> usize {
        if let Some(a) = self.post.first_unpulled() {
            return a;
        }
        let ln_t = (self.total as f64).ln();
        for (a, s) in self.scores.iter_mut().enumerate() {
            let n = f64::from(self.post.pulls(a));
            *s = f64::from(self.post.successes(a)) / n + (2.0 * ln_t / n).sqrt();
        }
        argmax(&self.scores, self.tie, rng)
    }
    fn update(&mut self, arm: usize, reward: bool) {
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
    use super::*;
    use crate::rng::SeedSequence;

    #[test]
    fn ucb_pulls_each_arm_once_then_the_best_bound() {
        let mut rng = SeedSequence::new(7).exploration_stream(0, 0);
        let mut ucb = Ucb1::new(3, BetaPrior::default(), ArgmaxTie::LowestIndex).unwrap();
        for want in 0..3 {
            let a = ucb.select(&mut rng);
            assert_eq!(a, want);
            ucb.update(a, a == 2);
        }
        assert_eq!(ucb.select(&mut rng), 2);
    }
}
