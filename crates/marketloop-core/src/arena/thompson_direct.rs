//! The directly drawn items of a Thompson ranking's group (those whose posterior has no
//! closed-form quantile), and the walk that finds which of their draws beat a threshold without
//! touching most of them.
//!
//! The list is kept in descending order of posterior means, so that a walk meets first the
//! items that raise its threshold m (the k-th largest draw found so far); any order gives the
//! same law. Each item keeps its upper-tail bound (`bandits::policy::UpperBound`) until its
//! posterior changes: its draw can exceed the bound's tau only through a pass test of
//! probability p = pass / 2^64. Inside a block of [`BLOCK`] consecutive items that all hold a
//! bound at tau <= m, the pass tests are thinned from the block's largest p, P, with geometric
//! skips: an exponential budget E ~ Exp(1) is spent at the hazard h = -ln(1 - P) per item, the
//! item where it runs out is a candidate, and a candidate passes with probability p / P. Each
//! item then passes with probability P (p / P) = p, independently, as in the item-by-item test
//! (a Bernoulli sequence's first success is where its summed hazards first exceed an Exp(1)
//! variate; Devroye, "Non-Uniform Random Variate Generation", 1986, VI.5), and a passed item's
//! value comes from the bound's proposal as before. A walk then costs O(blocks + candidates)
//! plus the items of the blocks walked one by one (the items near the top, those without a
//! bound, and the blocks whose posteriors changed since the last walk).
//!
//! Hand-written: no crate samples a thinned Bernoulli sequence against tail bounds.

use crate::bandits::policy::{ln_beta, Beat, UpperBound};
use crate::bandits::BetaSampler;
use rand::Rng;
use rand_distr::Exp1;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// Items per block of the skip walk.
const BLOCK: usize = 32;

/// A directly drawn item: its successes, failures and tail bound (kept here so that a draw
/// reads one contiguous list rather than the (group, item) tables at random places).
#[derive(Clone, Copy, Debug)]
pub(super) struct Direct {
    pub(super) item: u32,
    succ: u32,
    fail: u32,
    /// Its upper-tail bound while its posterior is unchanged.
    bound: UpperBound,
    /// ln B(a, b) of its posterior once a bound needed it (NaN before).
    ln_b: f64,
}

impl Direct {
    pub(super) fn new(item: u32, succ: u32, fail: u32) -> Self {
        Direct {
            item,
            succ,
            fail,
            bound: UpperBound::NONE,
            ln_b: f64::NAN,
        }
    }
}

/// What a walk knows of a block of [`BLOCK`] items.
#[derive(Clone, Copy, Debug)]
struct Block {
    /// An item changed (or took a bound) since the rest was computed.
    dirty: bool,
    /// Every item holds a bound.
    held: bool,
    /// The largest tau among the items' bounds.
    max_tau: f64,
    /// The largest pass probability P among the items that are not loose, and its hazard
    /// -ln(1 - P).
    max_p: f64,
    hazard: f64,
    /// The items whose pass word is above [`LOOSE`] (bit i: the block's i-th item): tested one
    /// by one, so that they do not raise the others' common rate.
    loose: u32,
}

/// A pass word above this (probability 1/16) is tested on its own rather than in the skips.
const LOOSE: u64 = 1 << 60;

impl Block {
    const DIRTY: Block = Block {
        dirty: true,
        held: false,
        max_tau: f64::NAN,
        max_p: 0.0,
        hazard: 0.0,
        loose: 0,
    };

    /// Of `items` (the first item without a bound ends the look).
    fn of(items: &[Direct]) -> Block {
        let (mut max_tau, mut max_p, mut loose) = (f64::NEG_INFINITY, 0.0f64, 0u32);
        for (i, d) in items.iter().enumerate() {
            if !d.bound.serves(f64::INFINITY) {
                return Block {
                    dirty: false,
                    ..Block::DIRTY
                };
            }
            max_tau = max_tau.max(d.bound.tau());
            if d.bound.pass() > LOOSE {
                loose |= 1 << i;
            } else {
                max_p = max_p.max(d.bound.pass_probability());
            }
        }
        Block {
            dirty: false,
            held: true,
            max_tau,
            max_p,
            hazard: -(-max_p).ln_1p(),
            loose,
        }
    }
}

/// The k largest draws found so far in a draw of the top k, their least as the threshold m,
/// and the direct items' draws above the threshold at the time they were found.
#[derive(Clone, Debug, Default)]
pub(super) struct Found {
    /// The k largest draws so far (a min-heap of at most k).
    kept: BinaryHeap<Reverse<Key>>,
    /// (draw, item) of every direct item whose draw beat the threshold of its time.
    pub(super) drawn: Vec<(f64, u32)>,
    k: usize,
}

impl Found {
    /// A new draw of the top `k`, with the draws `first` (the classes', at most k) found
    /// before the direct items'.
    pub(super) fn start(&mut self, k: usize, first: impl IntoIterator<Item = f64>) {
        self.k = k;
        self.drawn.clear();
        self.kept.clear();
        self.kept.extend(first.into_iter().map(|x| Reverse(Key(x))));
    }

    /// The k-th largest draw so far, or -inf while there are fewer than k.
    fn threshold(&self) -> f64 {
        match self.kept.peek() {
            Some(Reverse(Key(m))) if self.kept.len() == self.k => *m,
            _ => f64::NEG_INFINITY,
        }
    }

    /// Records item `item`'s draw `x` when it beats the threshold; returns the threshold.
    #[inline]
    fn offer(&mut self, x: f64, item: u32, m: f64) -> f64 {
        if x <= m {
            return m;
        }
        self.drawn.push((x, item));
        if self.k == 0 {
            return m;
        }
        // A full heap's least is replaced in place (one sift down, not a push and a pop).
        if self.kept.len() < self.k {
            self.kept.push(Reverse(Key(x)));
        } else if let Some(mut least) = self.kept.peek_mut() {
            *least = Reverse(Key(x));
        }
        self.threshold()
    }
}

/// A draw's value, ordered totally (for the heap of the k largest).
#[derive(Clone, Copy, Debug)]
struct Key(f64);

impl PartialEq for Key {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == std::cmp::Ordering::Equal
    }
}
impl Eq for Key {}
impl PartialOrd for Key {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Key {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.total_cmp(&other.0)
    }
}

/// A group's directly drawn items, in descending order of posterior means, with their blocks.
#[derive(Clone, Debug, Default)]
pub(super) struct DirectItems {
    items: Vec<Direct>,
    blocks: Vec<Block>,
    /// Blocks walked by skips (for the tests).
    #[cfg(test)]
    skipped: u64,
}

impl DirectItems {
    /// The items, in list order.
    pub(super) fn items(&self) -> &[Direct] {
        &self.items
    }

    /// Marks the blocks of positions `lo..=hi` as changed.
    fn touch(&mut self, lo: usize, hi: usize) {
        let need = self.items.len().div_ceil(BLOCK).max(hi / BLOCK + 1);
        if self.blocks.len() < need {
            self.blocks.resize(need, Block::DIRTY);
        }
        for b in &mut self.blocks[lo / BLOCK..=hi / BLOCK] {
            b.dirty = true;
        }
    }

    /// Appends an item; returns its position.
    pub(super) fn push(&mut self, d: Direct) -> usize {
        self.items.push(d);
        let pos = self.items.len() - 1;
        self.touch(pos, pos);
        pos
    }

    /// Replaces the item at `pos`.
    pub(super) fn set(&mut self, pos: usize, d: Direct) {
        self.items[pos] = d;
        self.touch(pos, pos);
    }

    /// Removes the item at `pos` (the last moves there); returns the moved item, if any.
    pub(super) fn swap_remove(&mut self, pos: usize) -> Option<u32> {
        let last = self.items.len() - 1;
        self.items.swap_remove(pos);
        self.touch(pos.min(last), pos.min(last));
        self.touch(last, last);
        self.items.get(pos).map(|e| e.item)
    }

    /// Moves the item at `pos` to its place in the descending order of posterior means under
    /// the prior Beta(alpha0, beta0); returns the range of positions whose items moved.
    pub(super) fn reorder(
        &mut self,
        pos: usize,
        alpha0: f64,
        beta0: f64,
    ) -> std::ops::RangeInclusive<usize> {
        let mean = |d: &Direct| {
            let a = alpha0 + f64::from(d.succ);
            a / (a + beta0 + f64::from(d.fail))
        };
        let key = mean(&self.items[pos]);
        let mut to = pos;
        while to > 0 && mean(&self.items[to - 1]) < key {
            to -= 1;
        }
        if to == pos {
            while to + 1 < self.items.len() && mean(&self.items[to + 1]) > key {
                to += 1;
            }
        }
        let (lo, hi) = (pos.min(to), pos.max(to));
        if to < pos {
            self.items[lo..=hi].rotate_right(1);
        } else if to > pos {
            self.items[lo..=hi].rotate_left(1);
        }
        self.touch(lo, hi);
        lo..=hi
    }

    /// Every item whose Beta(alpha0 + succ, beta0 + fail) draw beats the running threshold of
    /// `found` (which the draws found raise), exact in law (see the module docs).
    pub(super) fn walk<R: Rng + ?Sized>(
        &mut self,
        alpha0: f64,
        beta0: f64,
        found: &mut Found,
        rng: &mut R,
    ) {
        let params = |d: &Direct| (alpha0 + f64::from(d.succ), beta0 + f64::from(d.fail));
        let mut m = found.threshold();
        // The skip walk's exponential budget (NaN: none drawn yet).
        let mut budget = f64::NAN;
        let n = self.items.len();
        if self.blocks.len() < n.div_ceil(BLOCK) {
            self.blocks.resize(n.div_ceil(BLOCK), Block::DIRTY);
        }
        for (bi, block) in self.blocks.iter_mut().enumerate() {
            let (lo, hi) = (bi * BLOCK, ((bi + 1) * BLOCK).min(n));
            if lo >= hi {
                break;
            }
            let items = &mut self.items[lo..hi];
            if block.dirty {
                *block = Block::of(items);
            }
            if m > 0.0 && block.held && block.max_tau <= m {
                // The skip walk (module docs).
                #[cfg(test)]
                {
                    self.skipped += 1;
                }
                let mut loose = block.loose;
                while loose != 0 {
                    let d = &items[loose.trailing_zeros() as usize];
                    loose &= loose - 1;
                    if rng.next_u64() < d.bound.pass() {
                        let (a, b) = params(d);
                        if let Beat::Value(y) = d.bound.propose(a, b, rng) {
                            m = found.offer(y, d.item, m);
                        }
                    }
                }
                let mut i = 0;
                loop {
                    if budget.is_nan() {
                        budget = rng.sample(Exp1);
                    }
                    let left = items.len() - i;
                    let q = budget / block.hazard;
                    if q > left as f64 {
                        budget -= left as f64 * block.hazard;
                        break;
                    }
                    // The budget runs out at the ceil(q)-th item from i (the first when q = 0).
                    let c = i + (q.ceil() as usize).max(1) - 1;
                    budget = f64::NAN;
                    i = c + 1;
                    let d = &items[c];
                    if block.loose & (1 << c) != 0 {
                        // Tested on its own above.
                    } else if rng.random::<f64>() * block.max_p < d.bound.pass_probability() {
                        let (a, b) = params(d);
                        if let Beat::Value(y) = d.bound.propose(a, b, rng) {
                            m = found.offer(y, d.item, m);
                        }
                    }
                    if i >= items.len() {
                        break;
                    }
                }
                continue;
            }
            // Item by item (bounds may be taken: the block is looked at again next time).
            for d in items.iter_mut() {
                let (a, b) = params(d);
                let x = if m > 0.0 {
                    let ln_b = &mut d.ln_b;
                    let normaliser = || {
                        if ln_b.is_nan() {
                            *ln_b = ln_beta(a, b);
                        }
                        *ln_b
                    };
                    match d.bound.beat(a, b, m, normaliser, rng) {
                        Beat::Below => continue,
                        Beat::Value(y) => y,
                        Beat::DrawInFull => BetaSampler::new(a, b).sample(rng),
                    }
                } else {
                    BetaSampler::new(a, b).sample(rng)
                };
                m = found.offer(x, d.item, m);
            }
            block.dirty = true;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{SeedSequence, Source};

    /// The top k of `found`'s draws, ties to the lower item.
    fn top(drawn: &mut [(f64, u32)], k: usize) -> Vec<u32> {
        drawn.sort_by(|p, q| q.0.total_cmp(&p.0).then(p.1.cmp(&q.1)));
        drawn.iter().take(k).map(|&(_, j)| j).collect()
    }

    #[test]
    fn the_skip_walk_finds_the_top_k_with_the_law_of_the_full_draw() {
        // 200 items with mixed posteriors (means 0.2-0.8, 5-16 trials), k = 20, 20,000 walks
        // against 20,000 full draws: how often each item is in the top k, by a two-sample
        // chi-square test over the items (199 degrees of freedom; 0.999 quantile by
        // Wilson-Hilferty). Most blocks hold their bounds after the first walks, so nearly every
        // walk after those skips; the test checks that it did.
        let (n, k, reps) = (200u32, 20, 20_000);
        let params: Vec<(u32, u32)> = (0..n).map(|j| (1 + j % 9, 1 + (j * 7) % 11)).collect();
        let mut items = DirectItems::default();
        for (j, &(s, f)) in params.iter().enumerate() {
            let pos = items.push(Direct::new(j as u32, s, f));
            items.reorder(pos, 1.0, 1.0);
        }
        let means: Vec<f64> = items
            .items()
            .iter()
            .map(|d| f64::from(d.succ + 1) / f64::from(d.succ + d.fail + 2))
            .collect();
        assert!(means.windows(2).all(|w| w[0] >= w[1]), "descending means");
        let mut rng = SeedSequence::new(21).stream(0, Source::Ranking);
        let mut rng_ref = SeedSequence::new(22).stream(0, Source::Ranking);
        let (mut inc, mut inc_ref) = (vec![0u64; n as usize], vec![0u64; n as usize]);
        let mut found = Found::default();
        for _ in 0..reps {
            found.start(k, []);
            items.walk(1.0, 1.0, &mut found, &mut rng);
            for j in top(&mut found.drawn, k) {
                inc[j as usize] += 1;
            }
            let mut full: Vec<(f64, u32)> = params
                .iter()
                .enumerate()
                .map(|(j, &(s, f))| {
                    let x =
                        BetaSampler::new(f64::from(s + 1), f64::from(f + 1)).sample(&mut rng_ref);
                    (x, j as u32)
                })
                .collect();
            for j in top(&mut full, k) {
                inc_ref[j as usize] += 1;
            }
        }
        let chi2: f64 = inc
            .iter()
            .zip(&inc_ref)
            .filter(|(x, y)| **x + **y > 0)
            .map(|(&x, &y)| (x as f64 - y as f64).powi(2) / (x + y) as f64)
            .sum();
        let df = inc
            .iter()
            .zip(&inc_ref)
            .filter(|(x, y)| **x + **y > 0)
            .count() as f64
            - 1.0;
        let v = 2.0 / (9.0 * df);
        let crit = df * (1.0 - v + 3.09 * v.sqrt()).powi(3);
        assert!(chi2 < crit, "chi2 {chi2} >= {crit} ({df} df)");
        assert!(df > 150.0, "most items reach the top k sometimes: {df} df");
        let blocks = n.div_ceil(BLOCK as u32) as u64;
        assert!(
            items.skipped > reps as u64 * (blocks / 2),
            "{} skip walks over {reps} walks of {blocks} blocks",
            items.skipped
        );
    }

    #[test]
    fn blocks_follow_the_items_through_moves_and_removals() {
        let mut items = DirectItems::default();
        for j in 0..100u32 {
            let pos = items.push(Direct::new(j, j % 5, 3));
            items.reorder(pos, 1.0, 1.0);
        }
        assert_eq!(items.blocks.len(), 100usize.div_ceil(BLOCK));
        items.blocks.iter_mut().for_each(|b| b.dirty = false);
        // A move from the end to the front marks every block in between.
        let last = items.items().len() - 1;
        items.set(last, Direct::new(items.items()[last].item, 50, 0));
        let moved = items.reorder(last, 1.0, 1.0);
        assert_eq!(moved, 0..=last);
        assert!(items.blocks.iter().all(|b| b.dirty));
        items.blocks.iter_mut().for_each(|b| b.dirty = false);
        items.swap_remove(3);
        assert!(items.blocks[0].dirty && items.blocks[3].dirty && !items.blocks[1].dirty);
    }
}
