//! The popularity ranking (MusicLab): items by descending purchase count, kept sorted
//! incrementally (O(1) to O(P) per purchase, never O(n) except for the NumPy tie rules when a
//! purchase can change NumPy's sort), with
//! ties ordered by a [`TieRule`].

use super::numpy_order::{numpy_best_first, NumpyArgsort};
use super::random::bounded_u32;
use super::{RankingPolicy, TieRule};
use rand::Rng;
use std::collections::HashMap;

const NONE: u32 = u32::MAX;

/// The NumPy expression a `numpy-argsort-*` tie rule reproduces (only asked for those two).
fn argsort_of(ties: TieRule) -> NumpyArgsort {
    if ties == TieRule::NumpyArgsortNegated {
        NumpyArgsort::Negated
    } else {
        NumpyArgsort::Reversed
    }
}

#[derive(Clone, Copy, Debug, Default)]
struct Block {
    /// First position of the block in `order`.
    head: u32,
    len: u32,
}

/// Items by descending purchase count, in O(P) or better per purchase, never O(n):
///
/// - [`TieRule::Random`]: the whole order is kept in an array of count blocks; a purchase swaps
///   the item to the front of its block, which makes it the last of the next block, then to a
///   uniformly random place in that block: O(1).
/// - The deterministic rules rank by a key (count, then a tie stamp) of which a purchase
///   changes only the buyer's. So only the top P are kept, sorted: the buyer bubbles up inside
///   the list, or enters it by replacing the last item if it now beats it. O(distance moved),
///   at most O(P). (For [`TieRule::FirstToReach`] the stamp is the time the item reached its
///   count.)
#[derive(Clone, Debug)]
pub struct PopularityRanking {
    ties: TieRule,
    k: usize,
    n: usize,
    counts: Vec<u64>,
    // Deterministic rules: tie stamps (smaller ranks higher), the sorted top k, positions in it.
    stamp: Vec<u64>,
    clock: u64,
    top: Vec<u32>,
    top_pos: Vec<u32>,
    // Numpy rules: how many items hold each count (to skip re-sorts that cannot change).
    census: HashMap<u64, u32>,
    // Random ties: the full order, positions, count blocks.
    order: Vec<u32>,
    pos: Vec<u32>,
    blocks: Vec<Block>,
    free_blocks: Vec<u32>,
    block_of: Vec<u32>,
}

impl PopularityRanking {
    /// For `n_items` items, `positions` positions and the tie rule.
    pub fn new(n_items: usize, positions: usize, ties: TieRule) -> Self {
        Self {
            ties,
            k: positions.min(n_items),
            n: n_items,
            counts: vec![0; n_items],
            stamp: vec![0; n_items],
            clock: 0,
            top: Vec::with_capacity(positions.min(n_items)),
            top_pos: vec![NONE; n_items],
            census: HashMap::new(),
            order: Vec::new(),
            pos: vec![0; n_items],
            blocks: Vec::new(),
            free_blocks: Vec::new(),
            block_of: vec![0; n_items],
        }
    }

    /// The tie rule.
    pub fn ties(&self) -> TieRule {
        self.ties
    }

    /// Whether item `a` ranks above item `b` (deterministic rules).
    #[inline]
    fn better(&self, a: usize, b: usize) -> bool {
        let (ca, cb) = (self.counts[a], self.counts[b]);
        ca > cb || (ca == cb && self.stamp[a] < self.stamp[b])
    }

    /// The full current order, best first (O(n log n) except for random ties; for tests and
    /// reports).
    pub fn full_order(&self) -> Vec<u32> {
        match self.ties {
            TieRule::Random => self.order.clone(),
            TieRule::NumpyArgsortNegated | TieRule::NumpyArgsortReversed => {
                let (mut scratch, mut all) = (Vec::new(), Vec::new());
                numpy_best_first(
                    argsort_of(self.ties),
                    &self.counts,
                    self.n,
                    &mut scratch,
                    &mut all,
                );
                all
            }
            _ => {
                let mut all: Vec<u32> = (0..self.n as u32).collect();
                all.sort_by(|&a, &b| {
                    let (a, b) = (a as usize, b as usize);
                    self.counts[b]
                        .cmp(&self.counts[a])
                        .then(self.stamp[a].cmp(&self.stamp[b]))
                });
                all
            }
        }
    }

    fn new_block(&mut self, b: Block) -> u32 {
        match self.free_blocks.pop() {
            Some(id) => {
                self.blocks[id as usize] = b;
                id
            }
            None => {
                self.blocks.push(b);
                (self.blocks.len() - 1) as u32
            }
        }
    }

    fn swap_positions(&mut self, a: usize, b: usize) {
        let (ia, ib) = (self.order[a], self.order[b]);
        self.order[a] = ib;
        self.order[b] = ia;
        self.pos[ib as usize] = a as u32;
        self.pos[ia as usize] = b as u32;
    }

    fn purchase_random<R: Rng + ?Sized>(&mut self, j: usize, rng: &mut R) {
        let b = self.block_of[j] as usize;
        let s = self.blocks[b].head as usize;
        self.swap_positions(s, self.pos[j] as usize);
        self.blocks[b].head += 1;
        self.blocks[b].len -= 1;
        if self.blocks[b].len == 0 {
            self.free_blocks.push(b as u32);
        }
        let c1 = self.counts[j];
        if s > 0 && self.counts[self.order[s - 1] as usize] == c1 {
            let t = self.block_of[self.order[s - 1] as usize];
            let blk = &mut self.blocks[t as usize];
            blk.len += 1;
            let start = blk.head as usize;
            self.block_of[j] = t;
            let place = start + bounded_u32(rng, (s - start + 1) as u32) as usize;
            self.swap_positions(place, s);
        } else {
            let id = self.new_block(Block {
                head: s as u32,
                len: 1,
            });
            self.block_of[j] = id;
        }
    }

    /// The numpy tie rules after item `j`'s count changed from `old`: argsort from scratch,
    /// keep the top k — unless the sort cannot come out differently.
    ///
    /// NumPy's introsort looks at the counts only through comparisons `a < b`, so its whole
    /// trace (pivots, partitions, the final permutation) is a function of the outcomes of
    /// those comparisons. Moving j's count from `old` to `new` flips the outcome of a
    /// comparison of j with item x only if x's count lies in [old, new]; if no other item holds
    /// a count in that range, every comparison comes out as before, hence the same order and
    /// no re-sort. With one-unit purchases that is "no other item has count old or old + 1",
    /// checked in O(1) with the census of counts. (This skips most purchases of popular items;
    /// `numpy_rules_skip_only_re_sorts_that_change_nothing` checks it against the full
    /// emulation on every step of long runs.)
    fn numpy_purchase(&mut self, j: usize, old: u64) {
        let new = self.counts[j];
        let others_at = |census: &HashMap<u64, u32>, c: u64, own: u32| {
            census.get(&c).copied().unwrap_or(0) > own
        };
        let must_sort = if new == old + 1 {
            others_at(&self.census, old, 1) || others_at(&self.census, new, 0)
        } else {
            new != old
        };
        if let Some(c) = self.census.get_mut(&old) {
            *c -= 1;
            if *c == 0 {
                self.census.remove(&old);
            }
        }
        *self.census.entry(new).or_insert(0) += 1;
        if must_sort {
            self.numpy_order();
        }
    }

    /// The numpy tie rules: argsort from scratch, keep the top k.
    fn numpy_order(&mut self) {
        numpy_best_first(
            argsort_of(self.ties),
            &self.counts,
            self.k,
            &mut self.order,
            &mut self.top,
        );
    }

    fn purchase_keyed(&mut self, j: usize) {
        if self.ties == TieRule::FirstToReach {
            self.stamp[j] = self.clock;
            self.clock += 1;
        }
        let mut p = match self.top_pos[j] {
            NONE => {
                let last = self.k - 1;
                let l = self.top[last] as usize;
                if !self.better(j, l) {
                    return;
                }
                self.top_pos[l] = NONE;
                self.top[last] = j as u32;
                last
            }
            p => p as usize,
        };
        while p > 0 && self.better(j, self.top[p - 1] as usize) {
            let above = self.top[p - 1];
            self.top[p] = above;
            self.top_pos[above as usize] = p as u32;
            p -= 1;
        }
        self.top[p] = j as u32;
        self.top_pos[j] = p as u32;
    }
}

impl RankingPolicy for PopularityRanking {
    fn reset<R: Rng + ?Sized>(&mut self, counts: &[u64], rng: &mut R) {
        let n = self.n;
        self.counts.copy_from_slice(counts);
        match self.ties {
            TieRule::Random => {
                let mut order: Vec<u32> = (0..n as u32).collect();
                order.sort_by(|&a, &b| counts[b as usize].cmp(&counts[a as usize]));
                self.blocks.clear();
                self.free_blocks.clear();
                let mut start = 0;
                while start < n {
                    let c = counts[order[start] as usize];
                    let mut end = start;
                    while end < n && counts[order[end] as usize] == c {
                        end += 1;
                    }
                    // Fisher-Yates within the tie block.
                    for p in (start + 1..end).rev() {
                        let q = start + bounded_u32(rng, (p - start + 1) as u32) as usize;
                        order.swap(p, q);
                    }
                    self.blocks.push(Block {
                        head: start as u32,
                        len: (end - start) as u32,
                    });
                    let id = (self.blocks.len() - 1) as u32;
                    for &it in &order[start..end] {
                        self.block_of[it as usize] = id;
                    }
                    start = end;
                }
                for (p, &it) in order.iter().enumerate() {
                    self.pos[it as usize] = p as u32;
                }
                self.order = order;
            }
            TieRule::NumpyArgsortNegated | TieRule::NumpyArgsortReversed => {
                self.census.clear();
                for &c in counts {
                    *self.census.entry(c).or_insert(0) += 1;
                }
                self.numpy_order();
            }
            rule => {
                for (j, s) in self.stamp.iter_mut().enumerate() {
                    *s = if rule == TieRule::HighestIndex {
                        (n - 1 - j) as u64
                    } else {
                        j as u64
                    };
                }
                self.clock = n as u64;
                let all = self.full_order();
                self.top.clear();
                self.top.extend_from_slice(&all[..self.k]);
                self.top_pos.iter_mut().for_each(|p| *p = NONE);
                for (p, &j) in self.top.iter().enumerate() {
                    self.top_pos[j as usize] = p as u32;
                }
            }
        }
    }

    #[inline]
    fn shown<R: Rng + ?Sized>(&mut self, _user_type: usize, _rng: &mut R) -> &[u32] {
        match self.ties {
            TieRule::Random => &self.order[..self.k],
            _ => &self.top,
        }
    }

    #[inline]
    fn on_purchase<R: Rng + ?Sized>(&mut self, item: usize, counts: &[u64], rng: &mut R) {
        let old = std::mem::replace(&mut self.counts[item], counts[item]);
        if self.k == 0 {
            return;
        }
        match self.ties {
            TieRule::Random => self.purchase_random(item, rng),
            TieRule::NumpyArgsortNegated | TieRule::NumpyArgsortReversed => {
                self.numpy_purchase(item, old)
            }
            _ => self.purchase_keyed(item),
        }
    }

    fn is_static(&self) -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{SeedSequence, Source};

    /// Brute force: sort by (count desc, tie key asc).
    fn reference_order(counts: &[u64], key: &[i64]) -> Vec<u32> {
        let mut idx: Vec<u32> = (0..counts.len() as u32).collect();
        idx.sort_by_key(|&j| (std::cmp::Reverse(counts[j as usize]), key[j as usize]));
        idx
    }

    /// Golden: numpy 1.24.4's `np.argsort(-phi)[:60]` and `np.argsort(phi)[::-1][:60]` for

    #[test]
    fn numpy_tie_rules_reproduce_numpy_argsort() {
        let cases: [(usize, TieRule, [u32; 60]); 4] = [
            (
                1682,
                TieRule::NumpyArgsortNegated,
                [
                    97, 1261, 679, 970, 388, 1552, 1455, 194, 1164, 485, 291, 0, 1358, 776, 873,
                    582, 1649, 1067, 862, 835, 877, 874, 838, 871, 844, 868, 847, 850, 865, 853,
                    856, 859, 841, 832, 820, 826, 757, 760, 763, 766, 769, 772, 775, 778, 781, 784,
                    787, 790, 793, 796, 799, 802, 805, 808, 811, 814, 817, 880, 823, 829,
                ],
            ),
            (
                1682,
                TieRule::NumpyArgsortReversed,
                [
                    97, 388, 1552, 1261, 970, 679, 0, 291, 1067, 485, 194, 776, 1649, 873, 582,
                    1164, 1358, 1455, 898, 823, 847, 844, 841, 838, 835, 832, 829, 826, 820, 853,
                    817, 814, 919, 922, 925, 811, 808, 805, 850, 856, 895, 877, 901, 904, 892, 889,
                    907, 886, 883, 880, 874, 859, 910, 913, 799, 871, 916, 868, 865, 862,
                ],
            ),
            (
                300,
                TieRule::NumpyArgsortNegated,
                [
                    97, 0, 194, 291, 205, 241, 85, 142, 82, 244, 79, 202, 247, 76, 73, 88, 250, 70,
                    148, 253, 67, 298, 199, 64, 256, 61, 145, 178, 91, 259, 217, 121, 214, 127,
                    118, 220, 115, 223, 112, 130, 211, 238, 109, 106, 133, 229, 103, 208, 100, 232,
                    136, 235, 94, 139, 226, 58, 151, 28, 31, 166,
                ],
            ),
            (
                300,
                TieRule::NumpyArgsortReversed,
                [
                    97, 0, 291, 194, 151, 211, 157, 214, 55, 94, 217, 154, 52, 220, 223, 49, 226,
                    118, 46, 229, 298, 148, 232, 43, 235, 82, 40, 238, 145, 58, 208, 241, 190, 175,
                    79, 178, 169, 181, 76, 85, 184, 73, 187, 166, 70, 61, 88, 193, 163, 196, 67,
                    199, 64, 202, 160, 91, 205, 100, 172, 37,
                ],
            ),
        ];
        let mut rng = SeedSequence::new(1).stream(0, Source::Ranking);
        for (n, rule, want) in cases {
            let counts: Vec<u64> = (0..n as u64)
                .map(|j| 2 + (31 * j * j + 7 * j) % 3 + if j % 97 == 0 { 5 } else { 0 })
                .collect();
            let mut pr = PopularityRanking::new(n, 60, rule);
            pr.reset(&counts, &mut rng);
            assert_eq!(pr.shown(0, &mut rng), &want[..], "{rule:?}, n = {n}");
            assert_eq!(pr.full_order()[..60], want[..], "{rule:?}, n = {n}");
        }
    }

    #[test]
    fn deterministic_tie_rules_match_a_brute_force_sort() {
        for rule in [
            TieRule::FirstToReach,
            TieRule::LowestIndex,
            TieRule::HighestIndex,
        ] {
            for (n, k) in [(40, 10), (8, 50), (30, 30)] {
                let mut rng = SeedSequence::new(5).stream(0, Source::Choice);
                let mut counts: Vec<u64> = (0..n).map(|_| rng.random_range(1..4)).collect();
                // FirstToReach: reached-at time, ties from the start by index
                let mut key: Vec<i64> = (0..n as i64)
                    .map(|j| if rule == TieRule::HighestIndex { -j } else { j })
                    .collect();
                let mut pr = PopularityRanking::new(n, k, rule);
                pr.reset(&counts, &mut rng);
                let want = reference_order(&counts, &key);
                assert_eq!(pr.full_order(), want);
                assert_eq!(pr.shown(0, &mut rng), &want[..k.min(n)]);
                for t in 1..3000i64 {
                    // skewed purchases so that blocks merge and split
                    let j = if rng.random::<f64>() < 0.5 {
                        rng.random_range(0..5)
                    } else {
                        rng.random_range(0..n)
                    };
                    counts[j] += 1;
                    if rule == TieRule::FirstToReach {
                        key[j] = n as i64 + t;
                    }
                    pr.on_purchase(j, &counts, &mut rng);
                    let want = reference_order(&counts, &key);
                    assert_eq!(
                        pr.shown(0, &mut rng),
                        &want[..k.min(n)],
                        "{rule:?} n={n} k={k}: after purchase {t} of item {j}"
                    );
                }
            }
        }
    }

    #[test]
    fn random_ties_keep_counts_sorted() {
        let n = 30;
        let mut rng = SeedSequence::new(6).stream(0, Source::Choice);
        let mut counts: Vec<u64> = (0..n).map(|_| rng.random_range(1..3)).collect();
        let mut pr = PopularityRanking::new(n, 50, TieRule::Random);
        pr.reset(&counts, &mut rng);
        for _ in 0..3000 {
            let j = rng.random_range(0..n);
            counts[j] += 1;
            pr.on_purchase(j, &counts, &mut rng);
            let o = pr.full_order();
            let mut sorted = o.clone();
            sorted.sort();
            assert_eq!(sorted, (0..n as u32).collect::<Vec<_>>());
            for w in o.windows(2) {
                assert!(counts[w[0] as usize] >= counts[w[1] as usize]);
            }
            assert_eq!(pr.shown(0, &mut rng).len(), n);
        }
    }

    #[test]
    fn random_ties_place_a_newcomer_uniformly() {
        // counts [1, 2, 2]: buying item 0 makes a 3-way tie; item 0 must land at each place
        // with probability 1/3. 30000 trials: 5 sigma = 5 * sqrt(30000 * 2/9) = 408.
        let mut rng = SeedSequence::new(7).stream(0, Source::Ranking);
        let trials = 30_000;
        let mut at = [0u32; 3];
        for _ in 0..trials {
            let mut counts = vec![1, 2, 2];
            let mut pr = PopularityRanking::new(3, 3, TieRule::Random);
            pr.reset(&counts, &mut rng);
            counts[0] += 1;
            pr.on_purchase(0, &counts, &mut rng);
            let p = pr.full_order().iter().position(|&x| x == 0).unwrap();
            at[p] += 1;
        }
        for &c in &at {
            assert!((c as f64 - 10_000.0).abs() < 408.0, "{at:?}");
        }
    }

    #[test]
    fn numpy_rules_skip_only_re_sorts_that_change_nothing() {
        // Long runs of skewed purchases (many ties among the unpopular items, unique counts
        // among the popular ones): after every purchase the incrementally kept top k equals
        // a fresh emulation of NumPy's argsort.
        use rand::Rng;
        for ties in [TieRule::NumpyArgsortReversed, TieRule::NumpyArgsortNegated] {
            for (n, k) in [(200usize, 50usize), (40, 40), (7, 3)] {
                let mut rng = SeedSequence::new(n as u64).stream(0, Source::Ranking);
                let init: Vec<u64> = (0..n).map(|j| 2 + (j % 2) as u64).collect();
                let mut counts = init.clone();
                let mut p = PopularityRanking::new(n, k, ties);
                p.reset(&counts, &mut rng);
                let (mut scratch, mut fresh) = (Vec::new(), Vec::new());
                let mut skipped = 0;
                for step in 0..20_000 {
                    // item j with probability proportional to (j + 1)^3
                    let u: f64 = rng.random::<f64>();
                    let j = ((u.powf(0.25)) * n as f64) as usize % n;
                    counts[j] += 1;
                    let before = p.top.clone();
                    let old = p.counts[j];
                    let must = p.census.get(&old).copied().unwrap_or(0) > 1
                        || p.census.contains_key(&(old + 1));
                    p.on_purchase(j, &counts, &mut rng);
                    skipped += usize::from(!must);
                    numpy_best_first(argsort_of(ties), &counts, k, &mut scratch, &mut fresh);
                    assert_eq!(p.top, fresh, "{ties:?} n {n} step {step}");
                    if !must {
                        assert_eq!(before, fresh);
                    }
                }
                assert!(skipped > 1000, "{ties:?} n {n}: only {skipped} skips");
            }
        }
    }
}
