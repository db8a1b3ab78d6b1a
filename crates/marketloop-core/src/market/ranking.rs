//! Ranking strategies (Section 5): which item a user sees at each rank position. With a
//! [`PositionBias`](super::position_bias::PositionBias) of P positions, item j at position k gets
//! visibility v_ij^t = vhat_ij * iota_k (eq. 20); only the first P positions matter, so every
//! policy here hands out its top P items in O(P) per step, whatever the catalogue size:
//!
//! - [`RandomRanking`]: a fresh uniformly random ranking every step (partial Fisher-Yates: P
//!   random draws from the `Ranking` stream).
//! - [`PopularityRanking`]: items by descending purchase count (MusicLab), kept sorted
//!   incrementally in O(1) per purchase; ties follow a [`TieRule`].
//! - [`QualityRanking`]: per user type, items by descending q_ij (an oracle; precomputed; ties
//!   by lower item index).
//! - [`FixedRanking`]: a user-supplied order, global or per type.

use super::error::MarketError;
use super::model::Market;
use rand::Rng;
use serde::{Deserialize, Serialize};

/// A platform's ranking of items, queried once per arriving user.
pub trait RankingPolicy {
    /// Starts a replicate with the given initial counts (random choices use `rng`, the
    /// replicate's `Ranking` stream).
    fn reset<R: Rng + ?Sized>(&mut self, counts: &[u64], rng: &mut R);

    /// The items at positions 1, 2, ..., min(P, n) for a user of type `user_type` now.
    fn shown<R: Rng + ?Sized>(&mut self, user_type: usize, rng: &mut R) -> &[u32];

    /// Item `item` was bought; `counts` already include the purchase.
    fn on_purchase<R: Rng + ?Sized>(&mut self, item: usize, counts: &[u64], rng: &mut R);

    /// Whether the ranking depends on the user type only (then visibility is static and the
    /// equilibrium theory applies to the effective visibility).
    fn is_static(&self) -> bool;
}

/// How tied purchase counts are ordered by [`PopularityRanking`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TieRule {
    /// Among items with equal counts, the one that reached the count first ranks higher (a
    /// stable sort by count); items tied from the start are ordered by index.
    #[default]
    FirstToReach,
    /// Ties in uniformly random order: the initial ties are shuffled, and an item that reaches
    /// a count takes a uniformly random place among the items already holding it (so at every
    /// step the order within each tie block is uniformly random, persisting between purchases).
    /// One draw from the `Ranking` stream per purchase.
    Random,
    /// Ties by lower item index first.
    LowestIndex,
    /// Ties by higher item index first.
    HighestIndex,
    /// The order NumPy's default `np.argsort(-shares)` gives (introsort, as in NumPy before its
    /// SIMD sorts): its tie order is a deterministic scramble that changes whenever a count
    /// changes. Recomputed after every purchase, sorting only the partitions that reach the top
    /// positions: O(n) per purchase (about 5 us for n = 1682), for comparisons with Python code.
    NumpyArgsortNegated,
    /// As [`TieRule::NumpyArgsortNegated`] for `np.argsort(shares)[::-1]`, the reading of
    /// "arg sort_desc" that reproduces the published popularity results of Zhu, Cheung & Xie
    /// (Figure 2) with the authors' inputs.
    NumpyArgsortReversed,
}

/// A ranking strategy as written in a config.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "strategy")]
pub enum RankingSpec {
    /// A fresh uniformly random ranking every step.
    Random,
    /// By descending purchase count.
    Popularity {
        /// The tie rule.
        #[serde(default)]
        ties: TieRule,
    },
    /// Per type by descending quality q_ij.
    Quality,
    /// A user-supplied order.
    Fixed {
        /// The order(s).
        order: FixedOrder,
    },
}

impl RankingSpec {
    /// A short name: "random", "popularity", "quality" or "fixed".
    pub fn name(&self) -> &'static str {
        match self {
            RankingSpec::Random => "random",
            RankingSpec::Popularity { .. } => "popularity",
            RankingSpec::Quality => "quality",
            RankingSpec::Fixed { .. } => "fixed",
        }
    }
}

/// A user-supplied ranking: item indices, best position first. Items not listed are not shown.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum FixedOrder {
    /// The same order for every user type.
    Global(Vec<usize>),
    /// One order per user type.
    PerType(Vec<Vec<usize>>),
}

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

const NONE: u32 = u32::MAX;

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
                numpy_best_first(self.ties, &self.counts, self.n, &mut scratch, &mut all);
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

    /// The numpy tie rules: argsort from scratch, keep the top k.
    fn numpy_order(&mut self) {
        numpy_best_first(
            self.ties,
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
            TieRule::NumpyArgsortNegated | TieRule::NumpyArgsortReversed => self.numpy_order(),
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
        self.counts[item] = counts[item];
        if self.k == 0 {
            return;
        }
        match self.ties {
            TieRule::Random => self.purchase_random(item, rng),
            TieRule::NumpyArgsortNegated | TieRule::NumpyArgsortReversed => self.numpy_order(),
            _ => self.purchase_keyed(item),
        }
    }

    fn is_static(&self) -> bool {
        false
    }
}

/// The first `k` items, best first, in the order of a numpy tie rule (`ties` is
/// [`TieRule::NumpyArgsortNegated`] or [`TieRule::NumpyArgsortReversed`]), written to `out`;
/// `scratch` is the argsort buffer. Sorts only the partitions that reach the first k places.
fn numpy_best_first(
    ties: TieRule,
    counts: &[u64],
    k: usize,
    scratch: &mut Vec<u32>,
    out: &mut Vec<u32>,
) {
    let n = counts.len();
    scratch.clear();
    scratch.extend(0..n as u32);
    out.clear();
    if ties == TieRule::NumpyArgsortNegated {
        // ascending in -count == descending in count, numpy's tie order
        numpy_aquicksort(scratch, 0..k, |a, b| counts[a] > counts[b]);
        out.extend_from_slice(&scratch[..k]);
    } else {
        numpy_aquicksort(scratch, n - k..n, |a, b| counts[a] < counts[b]);
        out.extend(scratch.iter().rev().take(k));
    }
}

/// numpy's `aquicksort` (introsort for argsort, `npysort/quicksort.cpp` before the SIMD
/// dispatch), on an index array that starts as `0..n`: median-of-three quicksort down to
/// partitions of 16, insertion sort below, heapsort when the depth limit 2 floor(log2 n) runs
/// out. `less(a, b)` compares the keys of items `a` and `b`. Reproduces numpy's tie order.
///
/// Only the slots in `keep` are guaranteed to end in numpy's order: a partition lying wholly
/// outside `keep` is left unsorted, which changes nothing inside `keep` (sorting a segment only
/// permutes that segment). With `keep` the top 50 this costs O(n + 50 log 50) per call, not
/// O(n log n).
fn numpy_aquicksort(
    tosort: &mut [u32],
    keep: std::ops::Range<usize>,
    less: impl Fn(usize, usize) -> bool,
) {
    const SMALL_QUICKSORT: usize = 16;
    let num = tosort.len();
    if num < 2 || keep.is_empty() {
        return;
    }
    // whether the segment [l, r] holds a kept slot
    let wanted = |l: usize, r: usize| l < keep.end && r >= keep.start;
    let lt = |t: &[u32], i: usize, j: usize| less(t[i] as usize, t[j] as usize);
    let mut stack: Vec<(usize, usize, i64)> = Vec::new();
    let (mut pl, mut pr) = (0usize, num - 1);
    let mut cdepth: i64 = 2 * i64::from(usize::BITS - 1 - num.leading_zeros());
    loop {
        if !wanted(pl, pr) {
            // nothing to do here
        } else if cdepth < 0 {
            numpy_aheapsort(&mut tosort[pl..=pr], &less);
        } else {
            while pr - pl > SMALL_QUICKSORT {
                let pm = pl + ((pr - pl) >> 1);
                if lt(tosort, pm, pl) {
                    tosort.swap(pm, pl);
                }
                if lt(tosort, pr, pm) {
                    tosort.swap(pr, pm);
                }
                if lt(tosort, pm, pl) {
                    tosort.swap(pm, pl);
                }
                let vp = tosort[pm] as usize;
                let mut pi = pl;
                let mut pj = pr - 1;
                tosort.swap(pm, pj);
                loop {
                    pi += 1;
                    while less(tosort[pi] as usize, vp) {
                        pi += 1;
                    }
                    pj -= 1;
                    while less(vp, tosort[pj] as usize) {
                        pj -= 1;
                    }
                    if pi >= pj {
                        break;
                    }
                    tosort.swap(pi, pj);
                }
                let pk = pr - 1;
                tosort.swap(pi, pk);
                // push the larger partition, iterate on the smaller
                cdepth -= 1;
                if pi - pl < pr - pi {
                    stack.push((pi + 1, pr, cdepth));
                    pr = pi - 1;
                } else {
                    stack.push((pl, pi - 1, cdepth));
                    pl = pi + 1;
                }
                if !wanted(pl, pr) {
                    break;
                }
            }
            if !wanted(pl, pr) {
                // the segment numpy would insertion-sort now lies outside `keep`
                pr = pl;
            }
            // insertion sort
            for pi in pl + 1..=pr {
                let vi = tosort[pi];
                let mut pj = pi;
                while pj > pl && less(vi as usize, tosort[pj - 1] as usize) {
                    tosort[pj] = tosort[pj - 1];
                    pj -= 1;
                }
                tosort[pj] = vi;
            }
        }
        match stack.pop() {
            Some((l, r, d)) => {
                pl = l;
                pr = r;
                cdepth = d;
            }
            None => break,
        }
    }
}

/// numpy's `aheapsort` (the introsort fallback), on a 1-based heap over `a`.
fn numpy_aheapsort(a: &mut [u32], less: &impl Fn(usize, usize) -> bool) {
    // Sift `tmp` down from 1-based slot `i` of the heap a[..n].
    let sift = |a: &mut [u32], tmp: u32, mut i: usize, n: usize| {
        let mut j = 2 * i;
        while j <= n {
            if j < n && less(a[j - 1] as usize, a[j] as usize) {
                j += 1;
            }
            if !less(tmp as usize, a[j - 1] as usize) {
                break;
            }
            a[i - 1] = a[j - 1];
            i = j;
            j += j;
        }
        a[i - 1] = tmp;
    };
    let mut n = a.len();
    for l in (1..=n >> 1).rev() {
        sift(a, a[l - 1], l, n);
    }
    while n > 1 {
        let tmp = a[n - 1];
        a[n - 1] = a[0];
        n -= 1;
        sift(a, tmp, 1, n);
    }
}

/// Per user type, items by descending quality q_ij (ties by lower index); fixed over time.
#[derive(Clone, Debug)]
pub struct QualityRanking {
    k: usize,
    lists: Vec<u32>,
}

impl QualityRanking {
    /// The top `positions` items of every type of `market`, precomputed.
    pub fn new(market: &Market, positions: usize) -> Self {
        let n = market.n_items();
        let k = positions.min(n);
        let mut lists = Vec::with_capacity(market.n_types() * k);
        for i in 0..market.n_types() {
            let q = market.quality_row(i);
            let mut idx: Vec<u32> = (0..n as u32).collect();
            idx.sort_by(|&a, &b| q[b as usize].total_cmp(&q[a as usize]));
            lists.extend_from_slice(&idx[..k]);
        }
        Self { k, lists }
    }
}

impl RankingPolicy for QualityRanking {
    fn reset<R: Rng + ?Sized>(&mut self, _counts: &[u64], _rng: &mut R) {}

    #[inline]
    fn shown<R: Rng + ?Sized>(&mut self, user_type: usize, _rng: &mut R) -> &[u32] {
        &self.lists[user_type * self.k..(user_type + 1) * self.k]
    }

    fn on_purchase<R: Rng + ?Sized>(&mut self, _item: usize, _counts: &[u64], _rng: &mut R) {}

    fn is_static(&self) -> bool {
        true
    }
}

/// A user-supplied ranking, global or per type.
#[derive(Clone, Debug)]
pub struct FixedRanking {
    lists: Vec<Vec<u32>>,
    per_type: bool,
}

impl FixedRanking {
    /// Validates `order` for `market` (indices < n, no repeats; one list per type if per type)
    /// and keeps the first `positions` entries of each list.
    pub fn new(market: &Market, order: &FixedOrder, positions: usize) -> Result<Self, MarketError> {
        let n = market.n_items();
        let check = |list: &[usize], what: String| -> Result<Vec<u32>, MarketError> {
            let mut seen = vec![false; n];
            for (p, &j) in list.iter().enumerate() {
                if j >= n {
                    return Err(MarketError::Ranking {
                        field: "ranking.order",
                        message: format!(
                            "{what}position {} holds item {j}, but items are 0..{} (n = {n})",
                            p + 1,
                            n - 1
                        ),
                    });
                }
                if std::mem::replace(&mut seen[j], true) {
                    return Err(MarketError::Ranking {
                        field: "ranking.order",
                        message: format!(
                            "{what}item {j} appears twice (position {}); each item at most once",
                            p + 1
                        ),
                    });
                }
            }
            Ok(list.iter().take(positions).map(|&j| j as u32).collect())
        };
        match order {
            FixedOrder::Global(list) => Ok(Self {
                lists: vec![check(list, String::new())?],
                per_type: false,
            }),
            FixedOrder::PerType(lists) => {
                if lists.len() != market.n_types() {
                    return Err(MarketError::Ranking {
                        field: "ranking.order",
                        message: format!(
                            "{} per-type orders given for m = {} user types (give one per type, \
                             or one flat list for all)",
                            lists.len(),
                            market.n_types()
                        ),
                    });
                }
                let lists = lists
                    .iter()
                    .enumerate()
                    .map(|(i, l)| check(l, format!("user type {i}: ")))
                    .collect::<Result<_, _>>()?;
                Ok(Self {
                    lists,
                    per_type: true,
                })
            }
        }
    }
}

impl RankingPolicy for FixedRanking {
    fn reset<R: Rng + ?Sized>(&mut self, _counts: &[u64], _rng: &mut R) {}

    #[inline]
    fn shown<R: Rng + ?Sized>(&mut self, user_type: usize, _rng: &mut R) -> &[u32] {
        if self.per_type {
            &self.lists[user_type]
        } else {
            &self.lists[0]
        }
    }

    fn on_purchase<R: Rng + ?Sized>(&mut self, _item: usize, _counts: &[u64], _rng: &mut R) {}

    fn is_static(&self) -> bool {
        true
    }
}

/// The effective static visibility v_ij = vhat_ij * iota(rank) of a static ranking (quality or
/// fixed), under which the equilibrium theory applies. Errors for random and popularity
/// rankings, whose visibility changes with the state.
pub fn effective_visibility(
    market: &Market,
    spec: &RankingSpec,
    bias: &super::position_bias::PositionBias,
) -> Result<Vec<f64>, MarketError> {
    let (m, n) = (market.n_types(), market.n_items());
    // Static rankings never draw; any generator will do.
    let mut rng = crate::rng::SeedSequence::new(0).stream(0, crate::rng::Source::Ranking);
    let lists: Vec<Vec<u32>> = match spec {
        RankingSpec::Quality => {
            let mut q = QualityRanking::new(market, bias.positions());
            (0..m).map(|i| q.shown(i, &mut rng).to_vec()).collect()
        }
        RankingSpec::Fixed { order } => {
            let mut f = FixedRanking::new(market, order, bias.positions())?;
            (0..m).map(|i| f.shown(i, &mut rng).to_vec()).collect()
        }
        RankingSpec::Random | RankingSpec::Popularity { .. } => {
            return Err(MarketError::NotApplicable(format!(
                "ranking.strategy = \"{}\": the visibility changes with every step, so the \
                 deterministic dynamic and the equilibrium (which assume fixed visibility) do \
                 not apply; use a quality or fixed ranking, or no ranking",
                spec.name()
            )))
        }
    };
    let mut out = vec![0.0; m * n];
    for (i, list) in lists.iter().enumerate() {
        for (p, &j) in list.iter().enumerate() {
            let k = i * n + j as usize;
            out[k] = market.visibility()[k] * bias.weights()[p];
        }
    }
    Ok(out)
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
    /// counts c_j = 2 + (31 j^2 + 7 j) mod 3 + 5 [97 | j], phi = c / sum c.
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
    fn numpy_sorts_sort() {
        let mut rng = SeedSequence::new(2).stream(0, Source::Ranking);
        for n in [0usize, 1, 2, 17, 18, 100, 1000] {
            let keys: Vec<u64> = (0..n).map(|_| rng.random_range(0..5)).collect();
            let mut idx: Vec<u32> = (0..n as u32).collect();
            numpy_aquicksort(&mut idx, 0..n, |a, b| keys[a] < keys[b]);
            assert!(idx
                .windows(2)
                .all(|w| keys[w[0] as usize] <= keys[w[1] as usize]));
            // a partial sort leaves the kept slots exactly as the full sort does
            for keep in [0..n.min(5), n / 3..n / 2, n.saturating_sub(50)..n] {
                let mut part: Vec<u32> = (0..n as u32).collect();
                numpy_aquicksort(&mut part, keep.clone(), |a, b| keys[a] < keys[b]);
                assert_eq!(part[keep.clone()], idx[keep], "n = {n}");
            }
            let mut heap: Vec<u32> = (0..n as u32).collect();
            numpy_aheapsort(&mut heap, &|a, b| keys[a] < keys[b]);
            assert!(heap
                .windows(2)
                .all(|w| keys[w[0] as usize] <= keys[w[1] as usize]));
            let mut seen = idx.clone();
            seen.sort_unstable();
            assert_eq!(seen, (0..n as u32).collect::<Vec<_>>());
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
    fn quality_ranking_per_type() {
        let mk = Market::new(
            3,
            vec![0.5, 0.5],
            vec![1.0; 6],
            vec![0.1, 0.9, 0.5, 0.7, 0.7, 0.2],
            vec![0.5, 0.5],
            crate::market::model::InitialCounts::Fixed(vec![1; 3]),
        )
        .unwrap();
        let mut qr = QualityRanking::new(&mk, 2);
        let mut rng = SeedSequence::new(0).stream(0, Source::Ranking);
        assert_eq!(qr.shown(0, &mut rng), &[1, 2]);
        assert_eq!(qr.shown(1, &mut rng), &[0, 1]);
    }

    #[test]
    fn fixed_ranking_is_validated() {
        let mk = Market::new(
            3,
            vec![0.5, 0.5],
            vec![1.0; 6],
            vec![0.5; 6],
            vec![0.5, 0.5],
            crate::market::model::InitialCounts::Fixed(vec![1; 3]),
        )
        .unwrap();
        let e = FixedRanking::new(&mk, &FixedOrder::Global(vec![0, 3]), 50)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("ranking.order") && e.contains("item 3") && e.contains("n = 3"),
            "{e}"
        );
        let e = FixedRanking::new(&mk, &FixedOrder::Global(vec![1, 1]), 50)
            .unwrap_err()
            .to_string();
        assert!(e.contains("twice"), "{e}");
        let e = FixedRanking::new(&mk, &FixedOrder::PerType(vec![vec![0]]), 50)
            .unwrap_err()
            .to_string();
        assert!(e.contains("m = 2"), "{e}");
        let mut f =
            FixedRanking::new(&mk, &FixedOrder::PerType(vec![vec![2, 0, 1], vec![1]]), 2).unwrap();
        let mut rng = SeedSequence::new(0).stream(0, Source::Ranking);
        assert_eq!(f.shown(0, &mut rng), &[2, 0]);
        assert_eq!(f.shown(1, &mut rng), &[1]);
    }
}
