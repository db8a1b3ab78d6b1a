//! The uniform agent (the authors' `Uniform`): every firm with the same probability, whatever
//! the reputations — the no-competition baseline.

use super::{Reputation, ResponseFunction};
use rand::Rng;

/// Picks a firm uniformly at random (one uniform index per user).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Uniform;

impl ResponseFunction for Uniform {
    #[inline]
    fn choose<R: Rng + ?Sized>(&self, reps: &[Reputation], rng: &mut R) -> usize {
        rng.random_range(0..reps.len())
    }

    fn probability(&self, reps: &[Reputation], _i: usize) -> f64 {
        1.0 / reps.len() as f64
    }
}
