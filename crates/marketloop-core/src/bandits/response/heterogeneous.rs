//! Heterogeneous HardMax (after the authors' `HeterogenousHardMax` agent): users differ in the
//! arm they prefer. Each user draws a preferred arm uniformly from the K arms, restricts
//! attention to the firms whose most recent recommendation was that arm (all firms if none
//! was), and picks the best reputation among them, ties uniformly at random.
//!
//! The authors' prototype ("not well fleshed out") draws the preferred arm from {0, 1} and
//! reads a firm's "likely arm" from an exponentially weighted arm history whose weights make
//! the most recent arm dominate; here the preferred arm ranges over all K arms and the most
//! recent game-round recommendation is used directly.

use super::{Arrival, HardMax, Reputation, ResponseFunction};
use rand::Rng;
use std::cmp::Ordering;

/// Users with a uniformly random preferred arm (see the module docs). Without knowledge of the
/// recommendations (`choose`), it is HardMax with fair ties.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct HeterogeneousHardMax;

impl HeterogeneousHardMax {
    /// The firms a user preferring `arm` considers (all firms if none recommended it).
    fn considered(arrival: &Arrival<'_>, arm: u32, firm: usize) -> bool {
        let any = arrival.recent.contains(&Some(arm));
        !any || arrival.recent[firm] == Some(arm)
    }

    /// The best reputation among the considered firms and how many firms share it.
    fn best(arrival: &Arrival<'_>, arm: u32) -> (Reputation, u32) {
        let mut best: Option<Reputation> = None;
        let mut ties = 0;
        for (i, &r) in arrival.reps.iter().enumerate() {
            if !Self::considered(arrival, arm, i) {
                continue;
            }
            match best.map(|b| r.cmp_exact(b)) {
                None | Some(Ordering::Greater) => {
                    best = Some(r);
                    ties = 1;
                }
                Some(Ordering::Equal) => ties += 1,
                Some(Ordering::Less) => {}
            }
        }
        (best.unwrap_or_default(), ties)
    }
}

impl ResponseFunction for HeterogeneousHardMax {
    #[inline]
    fn choose<R: Rng + ?Sized>(&self, reps: &[Reputation], rng: &mut R) -> usize {
        HardMax::fair().choose(reps, rng)
    }

    fn probability(&self, reps: &[Reputation], i: usize) -> f64 {
        HardMax::fair().probability(reps, i)
    }

    /// One uniform preferred arm, then (if several considered firms tie) one uniform index
    /// among the tied firms.
    fn choose_informed<R: Rng + ?Sized>(&self, arrival: &Arrival<'_>, rng: &mut R) -> usize {
        if arrival.arms == 0 {
            return self.choose(arrival.reps, rng);
        }
        let arm = rng.random_range(0..u32::try_from(arrival.arms).unwrap_or(u32::MAX));
        let (best, ties) = Self::best(arrival, arm);
        let pick = if ties > 1 {
            rng.random_range(0..ties)
        } else {
            0
        };
        (0..arrival.reps.len())
            .filter(|&i| {
                Self::considered(arrival, arm, i)
                    && arrival.reps[i].cmp_exact(best) == Ordering::Equal
            })
            .nth(pick as usize)
            .unwrap_or(0)
    }

    fn probability_informed(&self, arrival: &Arrival<'_>, i: usize) -> f64 {
        if arrival.arms == 0 {
            return self.probability(arrival.reps, i);
        }
        let k = u32::try_from(arrival.arms).unwrap_or(u32::MAX);
        let total: f64 = (0..k)
            .map(|arm| {
                let (best, ties) = Self::best(arrival, arm);
                if Self::considered(arrival, arm, i)
                    && arrival.reps[i].cmp_exact(best) == Ordering::Equal
                {
                    1.0 / f64::from(ties)
                } else {
                    0.0
                }
            })
            .sum();
        total / f64::from(k)
    }
}
