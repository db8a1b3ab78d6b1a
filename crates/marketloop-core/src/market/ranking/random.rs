//! The random ranking: a fresh uniformly random ranking every step (partial Fisher-Yates over
//! the first P positions), and the portable bounded integer draw it and the random tie rule use.

use super::RankingPolicy;
use rand::Rng;

/// A fresh uniformly random ranking every step.
#[derive(Clone, Debug)]
pub struct RandomRanking {
    perm: Vec<u32>,
    k: usize,
}

impl RandomRanking {
    /// For `n_items` items and `positions` positions.
    pub fn new(n_items: usize, positions: usize) -> Self {
        Self {
            perm: (0..n_items as u32).collect(),
            k: positions.min(n_items),
        }
    }
}

impl RankingPolicy for RandomRanking {
    fn reset<R: Rng + ?Sized>(&mut self, _counts: &[u64], _rng: &mut R) {
        for (k, p) in self.perm.iter_mut().enumerate() {
            *p = k as u32;
        }
    }

    #[inline]
    fn shown<R: Rng + ?Sized>(&mut self, _user_type: usize, rng: &mut R) -> &[u32] {
        // Partial Fisher-Yates: the first k entries become a uniformly random ordered k-subset,
        // whatever the current order of the array.
        let n = self.perm.len() as u32;
        for p in 0..self.k {
            let j = p + bounded_u32(rng, n - p as u32) as usize;
            self.perm.swap(p, j);
        }
        &self.perm[..self.k]
    }

    fn on_purchase<R: Rng + ?Sized>(&mut self, _item: usize, _counts: &[u64], _rng: &mut R) {}

    fn is_static(&self) -> bool {
        false
    }
}

/// A uniform integer in `0..range` (`range >= 1`) from one 32-bit draw (rarely more): Lemire's
/// multiply-and-reject method, exact (no modulo bias) and portable.
#[inline]
pub fn bounded_u32<R: Rng + ?Sized>(rng: &mut R, range: u32) -> u32 {
    let mut m = u64::from(rng.next_u32()) * u64::from(range);
    let mut low = m as u32;
    if low < range {
        let threshold = range.wrapping_neg() % range;
        while low < threshold {
            m = u64::from(rng.next_u32()) * u64::from(range);
            low = m as u32;
        }
    }
    (m >> 32) as u32
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{SeedSequence, Source};

    #[test]
    fn bounded_u32_is_uniform() {
        let mut rng = SeedSequence::new(9).stream(0, Source::Ranking);
        let mut c = [0u32; 7];
        for _ in 0..70_000 {
            c[bounded_u32(&mut rng, 7) as usize] += 1;
        }
        // 5 sigma of Binomial(70000, 1/7) = 5 * sqrt(8571) = 463
        assert!(
            c.iter().all(|&x| (x as f64 - 10_000.0).abs() < 463.0),
            "{c:?}"
        );
        assert_eq!(bounded_u32(&mut rng, 1), 0);
        assert!(bounded_u32(&mut rng, u32::MAX) < u32::MAX);
    }

    #[test]
    fn random_ranking_is_a_uniform_prefix() {
        // 5 items, 2 positions: each of the 20 ordered pairs has probability 1/20.
        let mut rr = RandomRanking::new(5, 2);
        let mut rng = SeedSequence::new(8).stream(0, Source::Ranking);
        let mut c = [[0u32; 5]; 5];
        let trials = 100_000;
        for _ in 0..trials {
            let s = rr.shown(0, &mut rng);
            c[s[0] as usize][s[1] as usize] += 1;
        }
        // 5 sigma of Binomial(100000, 1/20) = 5 * sqrt(4750) = 345
        for a in 0..5 {
            for b in 0..5 {
                if a == b {
                    assert_eq!(c[a][b], 0);
                } else {
                    assert!((c[a][b] as f64 - 5000.0).abs() < 345.0, "{c:?}");
                }
            }
        }
    }
}
