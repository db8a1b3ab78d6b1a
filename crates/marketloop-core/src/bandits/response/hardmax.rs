//! HardMax (the highest reputation wins; fair or biased ties) and the mixture of any response
//! function with uniformly random users ([`WithRandom`]; HardMax&Random is
//! `WithRandom<HardMax>`).

use super::{Reputation, ResponseFunction};
use crate::bandits::BanditError;
use rand::Rng;
use std::cmp::Ordering;

/// HardMax: the firm with the highest reputation. Ties: with two firms, firm 0 wins a tie
/// with probability `bias` (1/2 is fair); with more, uniform among the tied firms.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct HardMax {
    bias: f64,
}

impl HardMax {
    /// Fair ties.
    pub fn fair() -> Self {
        HardMax { bias: 0.5 }
    }

    /// Firm 0 wins a two-firm tie with probability `bias` in [0, 1].
    pub fn with_bias(bias: f64) -> Result<Self, BanditError> {
        if !(0.0..=1.0).contains(&bias) {
            return Err(BanditError::range("HardMax tie bias b", bias, "[0, 1]"));
        }
        Ok(HardMax { bias })
    }

    pub(super) fn maxima(reps: &[Reputation]) -> (usize, u32) {
        let mut best = 0;
        let mut ties = 1;
        for i in 1..reps.len() {
            match reps[i].cmp_exact(reps[best]) {
                Ordering::Greater => {
                    best = i;
                    ties = 1;
                }
                Ordering::Equal => ties += 1,
                Ordering::Less => {}
            }
        }
        (best, ties)
    }

    /// [`choose`](ResponseFunction::choose) among three or more firms.
    #[inline(never)]
    fn choose_among_many<R: Rng + ?Sized>(&self, reps: &[Reputation], rng: &mut R) -> usize {
        let (best, ties) = Self::maxima(reps);
        if ties == 1 {
            return best;
        }
        let pick = rng.random_range(0..ties) as usize;
        (0..reps.len())
            .filter(|&i| reps[i].cmp_exact(reps[best]) == Ordering::Equal)
            .nth(pick)
            .unwrap_or(best)
    }
}

impl ResponseFunction for HardMax {
    /// Two firms (every game of the paper) inline into the game's step; more go out of line.
    #[inline(always)]
    fn choose<R: Rng + ?Sized>(&self, reps: &[Reputation], rng: &mut R) -> usize {
        if reps.len() == 2 {
            return match reps[0].cmp_exact(reps[1]) {
                Ordering::Greater => 0,
                Ordering::Less => 1,
                Ordering::Equal => usize::from(rng.random::<f64>() >= self.bias),
            };
        }
        self.choose_among_many(reps, rng)
    }

    fn probability(&self, reps: &[Reputation], i: usize) -> f64 {
        let (best, ties) = Self::maxima(reps);
        if reps[i].cmp_exact(reps[best]) != Ordering::Equal {
            return 0.0;
        }
        if ties == 1 {
            return 1.0;
        }
        if reps.len() == 2 {
            return if i == 0 { self.bias } else { 1.0 - self.bias };
        }
        1.0 / f64::from(ties)
    }
}

/// A response function mixed with uniformly random users: with probability `eps` the user
/// picks a firm uniformly at random, else the inner response function decides. One uniform
/// coin per user, then (for a random user) one uniform firm index.
///
/// [`HardMaxRandom`] (the paper's HardMax&Random) and [`SoftMaxRandom`](super::SoftMaxRandom)
/// (the authors' SoftMax with random agents) are instances.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct WithRandom<F> {
    eps: f64,
    inner: F,
}

impl<F> WithRandom<F> {
    /// `inner` mixed with probability `eps` in [0, 1] of a random user; `name` names the
    /// response function in the error.
    pub fn with(eps: f64, inner: F, name: &str) -> Result<Self, BanditError> {
        if !(0.0..=1.0).contains(&eps) {
            return Err(BanditError::range(
                format!("epsilon of {name}"),
                eps,
                "[0, 1]",
            ));
        }
        Ok(WithRandom { eps, inner })
    }

    /// The probability of a uniformly random user.
    pub fn eps(&self) -> f64 {
        self.eps
    }
}

/// HardMax&Random(eps): with probability eps a uniformly random firm, else HardMax (fair ties).
pub type HardMaxRandom = WithRandom<HardMax>;

impl WithRandom<HardMax> {
    /// With eps in [0, 1] (paper: 0.1).
    pub fn new(eps: f64) -> Result<Self, BanditError> {
        WithRandom::with(eps, HardMax::fair(), "HardMax&Random")
    }
}

impl<F: ResponseFunction> ResponseFunction for WithRandom<F> {
    #[inline]
    fn choose<R: Rng + ?Sized>(&self, reps: &[Reputation], rng: &mut R) -> usize {
        if rng.random::<f64>() < self.eps {
            rng.random_range(0..reps.len())
        } else {
            self.inner.choose(reps, rng)
        }
    }

    fn probability(&self, reps: &[Reputation], i: usize) -> f64 {
        self.eps / reps.len() as f64 + (1.0 - self.eps) * self.inner.probability(reps, i)
    }
}
