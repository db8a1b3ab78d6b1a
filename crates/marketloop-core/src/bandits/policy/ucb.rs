//! UCB1: optimism in the face of uncertainty with the Auer, Cesa-Bianchi and Fischer bonus.

use super::{argmax, check_k, ArgmaxTie, BanditError, BanditPolicy, BetaPosterior, BetaPrior};
use rand::Rng;

/// UCB1 (Auer, Cesa-Bianchi, Fischer 2002): each arm once (in index order), then the argmax of
/// the empirical mean plus sqrt(2 ln t / n_a), t the number of pulls so far. Under Gaussian
/// rewards with noise level sigma ([`Ucb1::sub_gaussian`]) the bonus is the sub-Gaussian
/// sigma sqrt(2 ln t / n_a).
#[derive(Clone, Debug)]
pub struct Ucb1 {
    post: BetaPosterior,
    tie: ArgmaxTie,
    scores: Vec<f64>,
    total: u64,
    /// The bonus's factor: 1 for 0/1 rewards (multiplying by 1 is exact), sigma otherwise.
    scale: f64,
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
            scale: 1.0,
        })
    }

    /// On `k` arms for sigma-sub-Gaussian rewards (Gaussian with noise level `sigma` > 0): the
    /// bonus is sigma sqrt(2 ln t / n_a).
    pub fn sub_gaussian(
        k: usize,
        prior: BetaPrior,
        tie: ArgmaxTie,
        sigma: f64,
    ) -> Result<Self, BanditError> {
        if !(sigma.is_finite() && sigma > 0.0) {
            return Err(BanditError::range(
                "noise sigma of UCB1",
                sigma,
                "(0, infinity)",
            ));
        }
        let mut u = Ucb1::new(k, prior, tie)?;
        u.scale = sigma;
        Ok(u)
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
            *s = self.post.reward_sum(a) / n + self.scale * (2.0 * ln_t / n).sqrt();
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
    use super::*;
    use crate::rng::SeedSequence;

    #[test]
    fn ucb_pulls_each_arm_once_then_the_best_bound() {
        let mut rng = SeedSequence::new(7).exploration_stream(0, 0);
        let mut ucb = Ucb1::new(3, BetaPrior::default(), ArgmaxTie::LowestIndex).unwrap();
        for want in 0..3 {
            let a = ucb.select(&mut rng);
            assert_eq!(a, want);
            ucb.update(a, if a == 2 { 1.0 } else { 0.0 });
        }
        assert_eq!(ucb.select(&mut rng), 2);
    }
}
