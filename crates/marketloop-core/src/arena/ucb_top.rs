//! The top k of a popularity-free UCB ranking without recomputing every index.
//!
//! The index of item j in a group is mean_j + c sqrt(ln N / n_j) (N trials of the group, n_j of
//! the item; an untried item's index is infinite). ln N changes every step, so a full ranking
//! recomputes n indices per user. But items with the same trial count n share the bonus, so
//! inside such a class the order by index is the order by posterior mean. Each group keeps one
//! class per trial count, its items sorted by (mean descending, item ascending), and the
//! classes' trial counts, head means and head items side by side in arrays; a ranking computes
//! each class's bonus and head index in one pass over those arrays, keeps the k best heads (a
//! class whose head ranks below k other heads has no item in the top k) and merges their
//! classes by (index descending, mean descending, item ascending): O(C + k log k) per user for
//! C non-empty trial counts. The untried items (infinite index) come first in key order
//! without a merge, which is all a ranking needs while a group has k of them. The order is
//! exactly the full sort's by that key.
//!
//! A class stores its items best last, so that the items a ranking shows (its classes' best)
//! leave it from the end: a trial moves one item from its class to the next by two binary
//! searches and two shifts of the items better than it.

use std::cmp::{Ordering, Reverse};
use std::collections::binary_heap::PeekMut;
use std::collections::BinaryHeap;

/// An item's key inside its trial-count class: mean descending (its bits order like the float
/// for a mean in [0, 1]), then the item ascending.
type Key = (Reverse<u64>, u32);

/// A class's current head in the merge.
#[derive(Clone, Copy, Debug)]
struct Head {
    /// The index's and the mean's bits in total order (see [`ordered`]): one integer
    /// comparison each instead of a float total order per comparison.
    index: u64,
    mean: u64,
    item: u32,
    /// The class (its place in the group's arrays) and how many of its items the merge took.
    slot: u32,
    taken: u32,
    /// The class's bonus.
    bonus: f64,
}

impl Head {
    /// The merge's order: larger index, then larger mean, then smaller item first.
    fn rank(&self, other: &Self) -> Ordering {
        (self.index, self.mean, other.item).cmp(&(other.index, other.mean, self.item))
    }
}

/// A float's bits mapped so that unsigned order is `f64::total_cmp`'s order.
#[inline]
fn ordered(x: f64) -> u64 {
    let b = x.to_bits();
    if b >> 63 == 1 {
        !b
    } else {
        b | (1 << 63)
    }
}

impl PartialEq for Head {
    fn eq(&self, other: &Self) -> bool {
        self.rank(other) == Ordering::Equal
    }
}
impl Eq for Head {}
impl PartialOrd for Head {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Head {
    fn cmp(&self, other: &Self) -> Ordering {
        self.rank(other)
    }
}

/// The UCB index of a class with `trials` trials: `mean + c sqrt(ln_n / trials)`, infinite when
/// untried (the same expression as the full ranking's, so equal inputs give equal indices).
#[cfg(test)]
fn ucb_index(mean: f64, trials: u32, c: f64, ln_n: f64) -> f64 {
    mean + ucb_bonus(trials, c, ln_n)
}

/// The bonus `c sqrt(ln_n / trials)` every item of a class adds to its mean; infinite when
/// untried (a mean is finite, so the index is infinite too).
#[inline]
fn ucb_bonus(trials: u32, c: f64, ln_n: f64) -> f64 {
    if trials == 0 {
        f64::INFINITY
    } else {
        c * (ln_n / f64::from(trials)).sqrt()
    }
}

/// One group's classes, in ascending trial count, as parallel arrays.
#[derive(Clone, Debug, Default)]
struct Classes {
    trials: Vec<u32>,
    /// Each class's best key's mean and item (its head).
    head_mean: Vec<f64>,
    head_item: Vec<u32>,
    /// Each class's keys, best last.
    keys: Vec<Vec<Key>>,
}

impl Classes {
    /// Class `c`'s head fields from its keys (it is not empty).
    fn set_head(&mut self, c: usize) {
        if let Some(&(Reverse(bits), item)) = self.keys[c].last() {
            self.head_mean[c] = f64::from_bits(bits);
            self.head_item[c] = item;
        }
    }

    /// Removes `key` from the class of `trials` (where it is).
    fn remove(&mut self, trials: u32, key: Key) {
        let Ok(c) = self.trials.binary_search(&trials) else {
            return;
        };
        let keys = &mut self.keys[c];
        // Best last: the keys descend, so the search compares the other way round.
        let Ok(p) = keys.binary_search_by(|probe| key.cmp(probe)) else {
            return;
        };
        keys.remove(p);
        if keys.is_empty() {
            self.trials.remove(c);
            self.head_mean.remove(c);
            self.head_item.remove(c);
            self.keys.remove(c);
        } else if p == keys.len() {
            self.set_head(c);
        }
    }

    /// Adds `key` to the class of `trials` (made if there is none).
    fn insert(&mut self, trials: u32, key: Key) {
        let c = match self.trials.binary_search(&trials) {
            Ok(c) => c,
            Err(c) => {
                self.trials.insert(c, trials);
                self.head_mean.insert(c, 0.0);
                self.head_item.insert(c, 0);
                self.keys.insert(c, Vec::new());
                c
            }
        };
        let keys = &mut self.keys[c];
        let p = keys
            .binary_search_by(|probe| key.cmp(probe))
            .unwrap_or_else(|p| p);
        keys.insert(p, key);
        if p + 1 == keys.len() {
            self.set_head(c);
        }
    }
}

/// Every group's items by trial count and mean (see the module docs).
#[derive(Clone, Debug)]
pub(crate) struct UcbTop {
    n: usize,
    prior_mean: f64,
    groups: Vec<Classes>,
    heap: BinaryHeap<Head>,
}

fn key(mean: f64, item: usize) -> Key {
    (Reverse(mean.max(0.0).to_bits()), item as u32)
}

impl UcbTop {
    /// Every item of every group untried, with the prior mean `prior_mean`.
    pub(crate) fn new(groups: usize, n: usize, prior_mean: f64) -> Self {
        let mut t = UcbTop {
            n,
            prior_mean,
            groups: vec![Classes::default(); groups],
            heap: BinaryHeap::new(),
        };
        t.reset();
        t
    }

    /// Back to every item untried.
    pub(crate) fn reset(&mut self) {
        for g in &mut self.groups {
            *g = Classes::default();
            // Best last: the items descending (they share the prior mean).
            let keys: Vec<Key> = (0..self.n).rev().map(|j| key(self.prior_mean, j)).collect();
            if !keys.is_empty() {
                g.trials.push(0);
                g.head_mean.push(0.0);
                g.head_item.push(0);
                g.keys.push(keys);
                g.set_head(0);
            }
        }
    }

    /// Item `item` of group `group` went from (`old_trials`, `old_mean`) to one more trial with
    /// posterior mean `mean`.
    pub(crate) fn observe(
        &mut self,
        group: usize,
        item: usize,
        old_trials: u32,
        old_mean: f64,
        mean: f64,
    ) {
        let g = &mut self.groups[group];
        g.remove(old_trials, key(old_mean, item));
        g.insert(old_trials + 1, key(mean, item));
    }

    /// The `k` items of group `group` with the largest UCB index (constant `c`, `ln_n` = ln N),
    /// in order, into `out`.
    pub(crate) fn top_k(&mut self, group: usize, k: usize, c: f64, ln_n: f64, out: &mut Vec<u32>) {
        out.clear();
        let g = &self.groups[group];
        // The untried items' index is infinite and every other is finite (a mean is at most 1
        // and a bonus at most c sqrt(ln N), so a tried index is at most 1 + that, when that is
        // finite): the untried come first, in key order (the merge's order among equal
        // indices), and the merge only fills what they leave. With a c so large that a tried
        // index overflows too, every class goes through the merge.
        let finite = (1.0 + ucb_bonus(1, c, ln_n)).is_finite();
        let untried = usize::from(finite && g.trials.first() == Some(&0));
        if untried == 1 {
            out.extend(g.keys[0].iter().rev().take(k).map(|&(_, j)| j));
        }
        // Places left for the merge.
        let rest = k - out.len();
        if rest == 0 {
            return;
        }
        // Every other class's head, from the side-by-side arrays.
        let mut heads = std::mem::take(&mut self.heap).into_vec();
        heads.clear();
        heads.extend(
            g.trials
                .iter()
                .zip(&g.head_mean)
                .zip(&g.head_item)
                .enumerate()
                .skip(untried)
                .map(|(slot, ((&t, &mean), &item))| {
                    let bonus = ucb_bonus(t, c, ln_n);
                    Head {
                        index: ordered(mean + bonus),
                        mean: ordered(mean),
                        item,
                        slot: slot as u32,
                        taken: 0,
                        bonus,
                    }
                }),
        );
        // A class whose head ranks below k other heads has no item in the top k (its items
        // rank below its head): only the `rest` best heads enter the merge.
        if heads.len() > rest {
            heads.select_nth_unstable_by(rest - 1, |a, b| b.rank(a));
            heads.truncate(rest);
        }
        self.heap = BinaryHeap::from(heads);
        // The best head is replaced in place by its class's next item (one sift down, not a
        // pop and a push).
        while out.len() < k {
            let Some(mut top) = self.heap.peek_mut() else {
                break;
            };
            out.push(top.item);
            let keys = &g.keys[top.slot as usize];
            top.taken += 1;
            match keys.len().checked_sub(1 + top.taken as usize) {
                Some(p) => {
                    let (Reverse(bits), item) = keys[p];
                    let mean = f64::from_bits(bits);
                    top.index = ordered(mean + top.bonus);
                    top.mean = ordered(mean);
                    top.item = item;
                }
                None => {
                    PeekMut::pop(top);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{SeedSequence, Source};
    use rand::Rng;

    #[test]
    fn a_bonus_that_overflows_ranks_as_the_full_sort_does() {
        // c = f64::MAX: a tried item's index is infinite too, and ties with the untried are
        // broken by the mean (item 3, tried once with a success, first).
        let mut top = UcbTop::new(1, 4, 0.5);
        top.observe(0, 3, 0, 0.5, 2.0 / 3.0);
        let mut out = Vec::new();
        top.top_k(0, 4, f64::MAX, 3f64.ln(), &mut out);
        assert_eq!(out, [3, 0, 1, 2]);
        top.top_k(0, 4, 1.0, 3f64.ln(), &mut out);
        assert_eq!(out, [0, 1, 2, 3]);
    }

    #[test]
    fn the_merge_equals_a_full_sort_by_index_mean_and_item_at_every_step() {
        // 60 items, 3 groups, random trials; after each, the merged top k equals the full sort
        // by (index desc, mean desc, item asc), for k = 1, 7 and all items.
        let (n, groups, c) = (60, 3, 1.3);
        let mut top = UcbTop::new(groups, n, 0.5);
        let mut succ = vec![0u32; groups * n];
        let mut fail = vec![0u32; groups * n];
        let mut total = vec![0u64; groups];
        let mean = |s: u32, f: u32| (1.0 + f64::from(s)) / (2.0 + f64::from(s + f));
        let mut rng = SeedSequence::new(5).stream(0, Source::Ranking);
        let mut out = Vec::new();
        for step in 0..3000 {
            let g = rng.random_range(0..groups);
            // favour a few items so that trial counts spread
            let j = if rng.random::<f64>() < 0.5 {
                rng.random_range(0..5)
            } else {
                rng.random_range(0..n)
            };
            let x = g * n + j;
            let (old_t, old_m) = (succ[x] + fail[x], mean(succ[x], fail[x]));
            if rng.random::<f64>() < 0.3 + 0.1 * (j % 5) as f64 {
                succ[x] += 1;
            } else {
                fail[x] += 1;
            }
            total[g] += 1;
            top.observe(g, j, old_t, old_m, mean(succ[x], fail[x]));
            let ln_n = (total[g].max(1) as f64).ln();
            let mut want: Vec<u32> = (0..n as u32).collect();
            let idx = |j: u32| {
                let x = g * n + j as usize;
                let m = mean(succ[x], fail[x]);
                (ucb_index(m, succ[x] + fail[x], c, ln_n), m)
            };
            want.sort_by(|&a, &b| {
                let ((ia, ma), (ib, mb)) = (idx(a), idx(b));
                ib.total_cmp(&ia).then(mb.total_cmp(&ma)).then(a.cmp(&b))
            });
            for k in [1, 7, n] {
                top.top_k(g, k, c, ln_n, &mut out);
                assert_eq!(out, want[..k], "step {step}, k {k}");
            }
        }
    }
}
