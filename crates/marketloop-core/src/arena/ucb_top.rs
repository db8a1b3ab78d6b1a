//! The top k of a popularity-free UCB ranking without recomputing every index.
//!
//! The index of item j in a group is mean_j + c sqrt(ln N / n_j) (N trials of the group, n_j of
//! the item; an untried item's index is infinite). ln N changes every step, so a full ranking
//! recomputes n indices per user. But items with the same trial count n share the bonus, so
//! inside such a class the order by index is the order by posterior mean; and items with the
//! same trial count and the same mean (the same successes, under the ranking's common prior)
//! share the whole key but the item, so they form a bucket ordered by item alone. Each group
//! keeps one class per trial count, each class its buckets by mean, and the classes' trial
//! counts, head means and head items side by side in arrays; a ranking computes each class's
//! bonus and head index in one pass over those arrays, keeps the k best heads (a class whose
//! head ranks below k other heads has no item in the top k) and merges their classes by
//! (index descending, mean descending, item ascending). In the merge a head emits the items of
//! its bucket for as long as they rank above the next-best head (one or two comparisons per item
//! shown), and a re-placement of the head only when its bucket runs out or its next item ties with
//! another class's head (equal index and mean, ordered by item). Up to 16 heads are kept in a
//! sorted vector (a re-placement is a binary search and one rotation), more in a heap (one
//! sift). The untried items (infinite index) come first in key order without a merge, which is
//! all a ranking needs while a group has k of them. The order is exactly the full sort's by
//! that key, at O(C + k log k) per user for C non-empty trial counts.
//!
//! A bucket stores its items in descending order, so that the items a ranking shows (its
//! buckets' smallest) leave it from the end; a trial moves one item from its bucket to one of
//! the next class by binary searches and shifts of one bucket's items, not a whole class's.

use std::cmp::Ordering;
use std::collections::binary_heap::PeekMut;
use std::collections::BinaryHeap;

/// A class's current head in the merge.
#[derive(Clone, Copy, Debug)]
struct Head {
    /// The index's and the mean's bits in total order (see [`ordered`]): one integer
    /// comparison each instead of a float total order per comparison.
    index: u64,
    mean: u64,
    item: u32,
    /// The class (its place in the group's arrays), the bucket (its place in the class's
    /// buckets) and how many of the bucket's items the merge took.
    slot: u32,
    bucket: u32,
    taken: u32,
    /// The class's bonus.
    bonus: f64,
}

impl Head {
    /// The merge's order: larger index, then larger mean, then smaller item first.
    fn rank(&self, other: &Self) -> Ordering {
        (self.index, self.mean, other.item).cmp(&(other.index, other.mean, self.item))
    }

    /// Moves to the class's next item (`buckets`: its class's buckets) after the merge took
    /// this one; false when the class has no more.
    #[inline]
    fn advance(&mut self, buckets: &[Bucket]) -> bool {
        let items = &buckets[self.bucket as usize].items;
        self.taken += 1;
        if let Some(p) = items.len().checked_sub(1 + self.taken as usize) {
            // The bucket's next item: the same index and mean, a larger item.
            self.item = items[p];
        } else if self.bucket > 0 {
            // The class's next bucket: a lower mean.
            self.bucket -= 1;
            self.taken = 0;
            let b = &buckets[self.bucket as usize];
            let mean = f64::from_bits(b.mean);
            self.index = ordered(mean + self.bonus);
            self.mean = ordered(mean);
            self.item = b.items[b.items.len() - 1];
        } else {
            return false;
        }
        true
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

/// The items of one class that share one mean.
#[derive(Clone, Debug)]
struct Bucket {
    /// The mean's bits (a mean in [0, 1]: its bits order like the float).
    mean: u64,
    /// The items, descending (the best, the smallest, last).
    items: Vec<u32>,
}

/// One group's classes, in ascending trial count, as parallel arrays.
#[derive(Clone, Debug, Default)]
struct Classes {
    trials: Vec<u32>,
    /// Each class's best item's mean and item (its head).
    head_mean: Vec<f64>,
    head_item: Vec<u32>,
    /// Each class's buckets, in ascending mean (the best last); none is empty.
    buckets: Vec<Vec<Bucket>>,
    /// Emptied buckets' storage, reused by new buckets (late in a run most buckets hold one
    /// item, and a trial empties one and makes another).
    spare: Vec<Vec<u32>>,
    /// Emptied classes' bucket storage, likewise.
    spare_classes: Vec<Vec<Bucket>>,
}

/// The bits a mean is bucketed and ordered by: its own for a positive mean (their order is
/// the floats'), 0 for +0.0 and anything else (-0.0 too, which `f64::max` may keep).
fn mean_bits(mean: f64) -> u64 {
    if mean > 0.0 {
        mean.to_bits()
    } else {
        0
    }
}

impl Classes {
    /// Class `c`'s head fields from its best bucket (it is not empty).
    fn set_head(&mut self, c: usize) {
        if let Some(b) = self.buckets[c].last() {
            self.head_mean[c] = f64::from_bits(b.mean);
            self.head_item[c] = b.items[b.items.len() - 1];
        }
    }

    /// Removes `item` (of mean bits `mean`) from the class of `trials` (where it is).
    fn remove(&mut self, trials: u32, mean: u64, item: u32) {
        let Ok(c) = self.trials.binary_search(&trials) else {
            return;
        };
        let buckets = &mut self.buckets[c];
        let Ok(b) = buckets.binary_search_by(|probe| probe.mean.cmp(&mean)) else {
            return;
        };
        let items = &mut buckets[b].items;
        // Descending: the search compares the other way round.
        let Ok(p) = items.binary_search_by(|probe| item.cmp(probe)) else {
            return;
        };
        items.remove(p);
        let (left, last) = (items.len(), b + 1 == buckets.len());
        let head_changed = last && p == left;
        if left == 0 {
            self.spare.push(buckets.remove(b).items);
        }
        if buckets.is_empty() {
            self.trials.remove(c);
            self.head_mean.remove(c);
            self.head_item.remove(c);
            self.spare_classes.push(self.buckets.remove(c));
        } else if head_changed {
            self.set_head(c);
        }
    }

    /// Adds `item` (of mean bits `mean`) to the class of `trials` (made if there is none).
    fn insert(&mut self, trials: u32, mean: u64, item: u32) {
        let c = match self.trials.binary_search(&trials) {
            Ok(c) => c,
            Err(c) => {
                self.trials.insert(c, trials);
                self.head_mean.insert(c, 0.0);
                self.head_item.insert(c, 0);
                let buckets = self.spare_classes.pop().unwrap_or_default();
                self.buckets.insert(c, buckets);
                c
            }
        };
        let buckets = &mut self.buckets[c];
        let b = match buckets.binary_search_by(|probe| probe.mean.cmp(&mean)) {
            Ok(b) => b,
            Err(b) => {
                let items = self.spare.pop().unwrap_or_default();
                buckets.insert(b, Bucket { mean, items });
                b
            }
        };
        let items = &mut buckets[b].items;
        let p = items
            .binary_search_by(|probe| item.cmp(probe))
            .unwrap_or_else(|p| p);
        items.insert(p, item);
        let at_end = p + 1 == items.len();
        if b + 1 == buckets.len() && at_end {
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
    /// The merge's heads (their storage kept between rankings).
    heads: Vec<Head>,
}

impl UcbTop {
    /// Up to this many heads the merge keeps them in a sorted vector, above it in a heap (at
    /// most k heads enter the merge. Measured: the sorted vector is the faster with the few
    /// trial counts of a 300,000-user run, the heap when the hundreds of a 3,000,000-user run
    /// send k heads to the merge).
    const SORTED_HEADS: usize = 16;

    /// Every item of every group untried, with the prior mean `prior_mean`.
    pub(crate) fn new(groups: usize, n: usize, prior_mean: f64) -> Self {
        let mut t = UcbTop {
            n,
            prior_mean,
            groups: vec![Classes::default(); groups],
            heads: Vec::new(),
        };
        t.reset();
        t
    }

    /// Back to every item untried.
    pub(crate) fn reset(&mut self) {
        for g in &mut self.groups {
            *g = Classes::default();
            if self.n > 0 {
                // Descending: the items share the prior mean.
                let items: Vec<u32> = (0..self.n as u32).rev().collect();
                g.trials.push(0);
                g.head_mean.push(0.0);
                g.head_item.push(0);
                g.buckets.push(vec![Bucket {
                    mean: mean_bits(self.prior_mean),
                    items,
                }]);
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
        g.remove(old_trials, mean_bits(old_mean), item as u32);
        g.insert(old_trials + 1, mean_bits(mean), item as u32);
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
            for b in g.buckets[0].iter().rev() {
                out.extend(b.items.iter().rev().take(k - out.len()));
            }
        }
        // Places left for the merge.
        let rest = k - out.len();
        if rest == 0 {
            return;
        }
        // Every other class's head, from the side-by-side arrays.
        let heads = &mut self.heads;
        heads.clear();
        heads.extend(
            g.trials
                .iter()
                .zip(&g.head_mean)
                .zip(&g.head_item)
                .zip(&g.buckets)
                .enumerate()
                .skip(untried)
                .map(|(slot, (((&t, &mean), &item), buckets))| {
                    let bonus = ucb_bonus(t, c, ln_n);
                    Head {
                        index: ordered(mean + bonus),
                        mean: ordered(mean),
                        item,
                        slot: slot as u32,
                        bucket: buckets.len() as u32 - 1,
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
        if heads.len() <= Self::SORTED_HEADS {
            // Few heads: kept sorted, the best last; a head that no longer ranks best moves
            // to its place by a binary search and one rotation.
            heads.sort_unstable_by(Head::rank);
            while out.len() < k {
                let Some(top) = heads.last_mut() else {
                    break;
                };
                out.push(top.item);
                let slot = top.slot as usize;
                if !top.advance(&g.buckets[slot]) {
                    heads.pop();
                    continue;
                }
                let last = heads.len() - 1;
                if last > 0 && heads[last].rank(&heads[last - 1]) == Ordering::Less {
                    let top = heads[last];
                    let to = heads[..last].partition_point(|h| h.rank(&top) == Ordering::Less);
                    heads[to..].rotate_right(1);
                }
            }
        } else {
            // Many heads (long runs: many trial counts, buckets of one item): a heap, whose
            // sift stops at once while the best head still ranks best.
            let mut heap = BinaryHeap::from(std::mem::take(heads));
            while out.len() < k {
                let Some(mut top) = heap.peek_mut() else {
                    break;
                };
                out.push(top.item);
                let slot = top.slot as usize;
                if !top.advance(&g.buckets[slot]) {
                    PeekMut::pop(top);
                }
            }
            *heads = heap.into_vec();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{SeedSequence, Source};
    use rand::Rng;

    #[test]
    fn a_negative_zero_mean_shares_the_bucket_of_zero() {
        assert_eq!(mean_bits(-0.0), mean_bits(0.0));
        assert!(mean_bits(1e-300) > mean_bits(-0.0));
        let mut top = UcbTop::new(1, 3, 0.5);
        top.observe(0, 2, 0, 0.5, 0.0);
        top.observe(0, 1, 0, 0.5, -0.0);
        let mut out = Vec::new();
        top.top_k(0, 3, 0.0, 1.0, &mut out);
        assert_eq!(out, [0, 1, 2]);
        // Item 1 leaves the zero bucket by its -0.0 (found there), then item 2 by its 0.0.
        top.observe(0, 1, 1, -0.0, 0.25);
        top.top_k(0, 3, 0.0, 1.0, &mut out);
        assert_eq!(out, [0, 1, 2]);
        top.observe(0, 2, 1, 0.0, 0.5);
        top.top_k(0, 3, 0.0, 1.0, &mut out);
        assert_eq!(out, [0, 2, 1]);
    }

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
        // by (index desc, mean desc, item asc), for k = 1, 7 and all items. With c = 0 every
        // tried index is its mean, so classes tie on (index, mean) (for example 1 success in 2
        // trials and 2 in 4) and the merge must interleave their buckets by item.
        for c in [1.3, 0.0] {
            merge_equals_full_sort(c);
        }
    }

    fn merge_equals_full_sort(c: f64) {
        let (n, groups) = (60, 3);
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
                assert_eq!(out, want[..k], "c {c}, step {step}, k {k}");
            }
        }
    }
}
