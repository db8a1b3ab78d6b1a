//! The top k of a popularity-free UCB ranking without recomputing every index.
//!
//! The index of item j in a group is mean_j + c sqrt(ln N / n_j) (N trials of the group, n_j of
//! the item; an untried item's index is infinite). ln N changes every step, so a full ranking
//! recomputes n indices per user. But items with the same trial count n share the bonus, so
//! inside such a class the order by index is the order by posterior mean. Each group keeps its
//! items in one ordered set per trial count, keyed by (mean descending, item ascending); a
//! ranking is a k-way merge of the classes' heads by (index descending, mean descending, item
//! ascending), and a trial moves one item between two sets (O(log n)). The order is exactly
//! the full sort's by that key.
//!
//! **Lazy merge.** The classes enter the merge in increasing trial count, that is decreasing
//! bonus c sqrt(ln N / n). Every item's mean is at most the group's largest mean M (kept in a
//! count of the group's means), so no item of a class not yet entered, with n trials or more,
//! has an index above M + c sqrt(ln N / n) (the operations of an index, which are monotone).
//! The merge's best head is taken only when its index is above that bound; otherwise the next
//! class enters first. So a ranking costs O((C' + k) log C'), C' the classes entered: those few
//! trials whose bonus can still lift an item into the top k, not every trial count.

use std::cmp::{Ordering, Reverse};
use std::collections::{BTreeMap, BTreeSet, BinaryHeap};

/// An item's key inside its trial-count class: mean descending (its bits order like the float
/// for a mean in [0, 1]), then the item ascending.
type Key = (Reverse<u64>, u32);

/// A class's current head in the merge.
#[derive(Clone, Copy, Debug)]
struct Head {
    index: f64,
    mean: f64,
    item: u32,
    /// The class's place in the merge's list of class iterators.
    slot: u32,
}

impl Head {
    /// The merge's order: larger index, then larger mean, then smaller item first.
    fn rank(&self, other: &Self) -> Ordering {
        self.index
            .total_cmp(&other.index)
            .then(self.mean.total_cmp(&other.mean))
            .then(other.item.cmp(&self.item))
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
#[inline]
pub(crate) fn ucb_index(mean: f64, trials: u32, c: f64, ln_n: f64) -> f64 {
    if trials == 0 {
        f64::INFINITY
    } else {
        mean + c * (ln_n / f64::from(trials)).sqrt()
    }
}

/// Every group's items by trial count and mean (see the module docs).
#[derive(Clone, Debug)]
pub(crate) struct UcbTop {
    n: usize,
    prior_mean: f64,
    classes: Vec<BTreeMap<u32, BTreeSet<Key>>>,
    /// Per group, how many items have each mean (keyed by its bits): the largest is M.
    means: Vec<BTreeMap<u64, u32>>,
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
            classes: vec![BTreeMap::new(); groups],
            means: vec![BTreeMap::new(); groups],
            heap: BinaryHeap::new(),
        };
        t.reset();
        t
    }

    /// Back to every item untried.
    pub(crate) fn reset(&mut self) {
        for g in &mut self.classes {
            g.clear();
            g.insert(0, (0..self.n).map(|j| key(self.prior_mean, j)).collect());
        }
        for g in &mut self.means {
            g.clear();
            g.insert(self.prior_mean.max(0.0).to_bits(), self.n as u32);
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
        let classes = &mut self.classes[group];
        if let Some(set) = classes.get_mut(&old_trials) {
            set.remove(&key(old_mean, item));
            if set.is_empty() {
                classes.remove(&old_trials);
            }
        }
        classes
            .entry(old_trials + 1)
            .or_default()
            .insert(key(mean, item));
        let means = &mut self.means[group];
        let old_bits = old_mean.max(0.0).to_bits();
        if let Some(count) = means.get_mut(&old_bits) {
            *count -= 1;
            if *count == 0 {
                means.remove(&old_bits);
            }
        }
        *means.entry(mean.max(0.0).to_bits()).or_insert(0) += 1;
    }

    /// The `k` items of group `group` with the largest UCB index (constant `c`, `ln_n` = ln N),
    /// in order, into `out`.
    pub(crate) fn top_k(&mut self, group: usize, k: usize, c: f64, ln_n: f64, out: &mut Vec<u32>) {
        out.clear();
        self.heap.clear();
        let classes = &self.classes[group];
        let head = |trials: u32, slot: usize, &(Reverse(bits), item): &Key| {
            let mean = f64::from_bits(bits);
            Head {
                index: ucb_index(mean, trials, c, ln_n),
                mean,
                item,
                slot: slot as u32,
            }
        };
        // The group's largest mean M bounds every item's mean.
        let largest = self.means[group]
            .keys()
            .next_back()
            .map_or(f64::INFINITY, |&bits| f64::from_bits(bits));
        // One iterator per entered class, in key order: a class's next head is its iterator's
        // next item (no search per item taken). Classes enter in increasing trial count.
        let mut pending = classes.iter().peekable();
        let mut iters: Vec<(u32, std::collections::btree_set::Iter<'_, Key>)> = Vec::new();
        // No item of a class yet to enter has an index above `bound` (None: none is left).
        let bound_of = |p: Option<(&u32, &BTreeSet<Key>)>| {
            p.map(|(&trials, _)| ucb_index(largest, trials, c, ln_n))
        };
        let mut bound = bound_of(pending.peek().copied());
        while out.len() < k {
            let take = match (self.heap.peek(), bound) {
                (Some(_), None) => true,
                (Some(h), Some(b)) => h.index > b,
                (None, _) => false,
            };
            if take {
                let Some(h) = self.heap.pop() else { break };
                out.push(h.item);
                let slot = h.slot as usize;
                if let Some(next) = iters[slot].1.next() {
                    let (trials, _) = iters[slot];
                    self.heap.push(head(trials, slot, next));
                }
            } else {
                let Some((&trials, set)) = pending.next() else {
                    break;
                };
                bound = bound_of(pending.peek().copied());
                let mut it = set.iter();
                if let Some(first) = it.next() {
                    self.heap.push(head(trials, iters.len(), first));
                    iters.push((trials, it));
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
