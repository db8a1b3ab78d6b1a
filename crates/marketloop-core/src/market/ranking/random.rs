//! The random ranking: a fresh uniformly random ranking every step (partial Fisher-Yates over
//! the first P positions, [`PartialShuffle`], also used by the exploring rankings), and the
//! portable bounded integer draw the random tie rules use.

use super::RankingPolicy;
use rand::Rng;

/// A fresh uniformly random ranking every step.
#[derive(Clone, Debug)]
pub struct RandomRanking {
    perm: Vec<u32>,
    shuffle: PartialShuffle,
}

impl RandomRanking {
    /// For `n_items` items and `positions` positions.
    pub fn new(n_items: usize, positions: usize) -> Self {
        Self {
            perm: (0..n_items as u32).collect(),
            shuffle: PartialShuffle::new(n_items, positions.min(n_items)),
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
        self.shuffle.apply(&mut self.perm, rng)
    }

    fn on_purchase<R: Rng + ?Sized>(&mut self, _item: usize, _counts: &[u64], _rng: &mut R) {}

    fn is_static(&self) -> bool {
        false
    }
}

/// A partial Fisher-Yates shuffle of the first `k` of `n` entries, planned once: afterwards
/// the first k entries are a uniformly random ordered k-subset of all n, whatever their order
/// before. The random ranking, and the exploring rankings' random steps, draw with it.
///
/// Position p swaps with a uniform index in `p..n`. The k indices are drawn in batches from
/// one 64-bit word each (Brackett-Rozinsky & Lemire, "Batched ranged random integer
/// generation", Software: Practice and Experience, 2025): consecutive ranges n - p are grouped
/// while their product fits in 64 bits, and multiplying the word by each range in turn gives
/// the mixed-radix digits of Lemire's single draw in `0..product`, which Lemire's rejection
/// on the low word makes exactly uniform. A 50-position ranking of 1,682 items takes 10 words
/// where one 32-bit draw per position took 25. Hand-written because no crate offers the
/// batched method; the random-ranking arm of `scripts/bench-figure2.sh` measures it.
#[derive(Clone, Debug)]
pub struct PartialShuffle {
    n: u64,
    /// Per batch: its first position, its end and the product of its ranges (>= 1).
    batches: Vec<(usize, usize, u64)>,
    k: usize,
}

impl PartialShuffle {
    /// The plan for the first `k` of `n` entries (`k <= n <= u32::MAX + 1`; a larger `k` is
    /// clamped to `n`).
    pub fn new(n: usize, k: usize) -> Self {
        let k = k.min(n);
        let n64 = n as u64;
        let mut batches = Vec::new();
        let mut p = 0;
        while p < k {
            let mut product = n64 - p as u64;
            let mut end = p + 1;
            while end < k {
                match product.checked_mul(n64 - end as u64) {
                    Some(next) => {
                        product = next;
                        end += 1;
                    }
                    None => break,
                }
            }
            batches.push((p, end, product));
            p = end;
        }
        Self { n: n64, batches, k }
    }

    /// Shuffles the first k entries of `perm` (of length n) and returns them.
    #[inline]
    pub fn apply<'a, R: Rng + ?Sized>(&self, perm: &'a mut [u32], rng: &mut R) -> &'a [u32] {
        debug_assert_eq!(perm.len() as u64, self.n);
        for &(start, end, product) in &self.batches {
            let word = loop {
                let word = rng.next_u64();
                // The low word of word * product; reject the biased low values (Lemire).
                let low = word.wrapping_mul(product);
                if low >= product || low >= product.wrapping_neg() % product {
                    break word;
                }
            };
            let mut rest = word;
            for p in start..end {
                let m = u128::from(rest) * u128::from(self.n - p as u64);
                perm.swap(p, p + (m >> 64) as usize);
                rest = m as u64;
            }
        }
        &perm[..self.k]
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

    #[test]
    fn the_plan_batches_ranges_whose_product_fits_in_64_bits() {
        // 1,682 items: five ranges per word (1682^5 < 2^64 < 1682^6).
        let plan = PartialShuffle::new(1682, 50);
        assert_eq!(plan.batches.len(), 10);
        assert!(plan.batches.iter().all(|&(a, b, _)| b - a == 5));
        // Every range (n - p) appears once, in order, and each product is exact.
        for &(a, b, product) in &plan.batches {
            let exact: u128 = (a..b).map(|p| 1682u128 - p as u128).product();
            assert_eq!(u128::from(product), exact);
        }
        // Ranges down to 1 (a full shuffle) and k = 0; k above n is clamped.
        assert_eq!(PartialShuffle::new(3, 3).batches, vec![(0, 3, 6)]);
        assert!(PartialShuffle::new(3, 0).batches.is_empty());
        assert_eq!(PartialShuffle::new(2, 9).k, 2);
        // Ranges near 2^32: one range per word once two no longer fit.
        let big = PartialShuffle::new(u32::MAX as usize + 1, 3);
        assert_eq!(big.batches.len(), 2);
    }

    #[test]
    fn a_full_shuffle_of_five_gives_every_permutation_equally_often() {
        // One word per shuffle (5! = 120): the mixed-radix digits cover all 120 orders.
        let plan = PartialShuffle::new(5, 5);
        let mut perm: Vec<u32> = (0..5).collect();
        let mut rng = SeedSequence::new(11).stream(0, Source::Ranking);
        let mut seen = std::collections::HashMap::new();
        let trials = 240_000;
        for _ in 0..trials {
            let order = plan.apply(&mut perm, &mut rng).to_vec();
            *seen.entry(order).or_insert(0u64) += 1;
        }
        assert_eq!(seen.len(), 120);
        let counts: Vec<u64> = seen.values().copied().collect();
        crate::market::testing::assert_frequencies(
            &counts,
            &[1.0 / 120.0; 120],
            trials,
            "full shuffle of 5",
        );
    }

    #[test]
    fn positions_in_different_words_are_uniform_and_distinct() {
        // 70,000 items: three ranges per word, so positions 0-2, 3-5 and 6 come from three
        // words. Each position's item (by residue mod 10) is uniform; the items are distinct.
        let n = 70_000;
        let plan = PartialShuffle::new(n, 7);
        assert_eq!(plan.batches.len(), 3);
        let mut perm: Vec<u32> = (0..n as u32).collect();
        let mut rng = SeedSequence::new(12).stream(0, Source::Ranking);
        let trials = 50_000;
        let mut by_position = vec![[0u64; 10]; 7];
        let mut pairs = [0u64; 25];
        for _ in 0..trials {
            let shown = plan.apply(&mut perm, &mut rng);
            let mut distinct = shown.to_vec();
            distinct.sort_unstable();
            distinct.dedup();
            assert_eq!(distinct.len(), 7);
            for (p, &j) in shown.iter().enumerate() {
                by_position[p][j as usize % 10] += 1;
            }
            pairs[(shown[2] % 5 * 5 + shown[3] % 5) as usize] += 1;
        }
        for (p, counts) in by_position.iter().enumerate() {
            let what = format!("position {p}");
            crate::market::testing::assert_frequencies(counts, &[0.1; 10], trials, &what);
        }
        // Across the first word boundary, positions 2 and 3 are independent.
        crate::market::testing::assert_frequencies(&pairs, &[0.04; 25], trials, "pairs 2, 3");
    }

    /// Replays fixed 64-bit words.
    struct Words(Vec<u64>);

    impl rand::RngCore for Words {
        fn next_u32(&mut self) -> u32 {
            self.next_u64() as u32
        }
        fn next_u64(&mut self) -> u64 {
            self.0.remove(0)
        }
        fn fill_bytes(&mut self, _dst: &mut [u8]) {
            unreachable!("the shuffle draws whole words")
        }
    }

    #[test]
    fn a_word_in_the_biased_range_is_rejected() {
        // 3 items, 3 ranges: product 6, and 2^64 mod 6 = 4, so the words whose low product
        // word is below 4 (here the word 0) are rejected and the next word decides.
        let plan = PartialShuffle::new(3, 3);
        let mut perm = vec![0, 1, 2];
        let mut words = Words(vec![0, u64::MAX]);
        let shown = plan.apply(&mut perm, &mut words).to_vec();
        assert!(words.0.is_empty(), "both words were drawn");
        // u64::MAX: digits floor(x * 3 / 2^64) = 2, then 1 from the low word: swaps (0, 2),
        // (1, 2), (2, 2).
        assert_eq!(shown, vec![2, 0, 1]);
    }
}
