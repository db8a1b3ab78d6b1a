//! The first k items of every group by a score that changes one item at a time (greedy and
//! epsilon-greedy learning rankings): an ordered set of every item's key plus the first k keys
//! in an array, so a ranking copies k entries instead of walking k nodes of the set.
//!
//! A trial or a purchase moves one item's key: O(log n) in the set and O(k) in the array (a
//! removal and an insertion by binary search, and at most one look-up of the set's next key
//! after the array's last when the moved item leaves the first k). The array always equals the
//! set's first k keys (tested against the set after every move).

use std::cmp::Reverse;
use std::collections::BTreeSet;
use std::ops::Bound::{Excluded, Unbounded};

/// An item's key: its score's bits descending (they order like the float for scores >= 0),
/// then the item ascending.
pub(crate) type Key = (Reverse<u64>, u32);

/// The key of a non-negative score.
#[inline]
pub(crate) fn key(score: f64, item: usize) -> Key {
    (Reverse(score.max(0.0).to_bits()), item as u32)
}

/// Every group's items ordered by key, with the first k at hand.
#[derive(Clone, Debug)]
pub(crate) struct GreedyTop {
    n: usize,
    k: usize,
    sets: Vec<BTreeSet<Key>>,
    /// Each (group, item)'s current key, row-major.
    keys: Vec<Key>,
    /// Per group, the set's first min(k, n) keys in order.
    first: Vec<Vec<Key>>,
}

impl GreedyTop {
    /// `groups` groups of `n` items, keeping the first `k`, each item keyed by
    /// `score(group, item)`.
    pub(crate) fn new(
        groups: usize,
        n: usize,
        k: usize,
        score: impl Fn(usize, usize) -> f64,
    ) -> Self {
        let mut t = Self {
            n,
            k: k.min(n),
            sets: vec![BTreeSet::new(); groups],
            keys: vec![key(0.0, 0); groups * n],
            first: vec![Vec::with_capacity(k.min(n)); groups],
        };
        t.reset(score);
        t
    }

    /// Sets every item's key to `score(group, item)`'s.
    pub(crate) fn reset(&mut self, score: impl Fn(usize, usize) -> f64) {
        for (g, set) in self.sets.iter_mut().enumerate() {
            set.clear();
            for j in 0..self.n {
                let kk = key(score(g, j), j);
                self.keys[g * self.n + j] = kk;
                set.insert(kk);
            }
            self.first[g].clear();
            self.first[g].extend(set.iter().take(self.k).copied());
        }
    }

    /// The first k items of group `group`, best first.
    pub(crate) fn first(&self, group: usize) -> impl Iterator<Item = u32> + '_ {
        self.first[group].iter().map(|&(_, j)| j)
    }

    /// Moves item `item` of group `group` to the key of score `score`.
    pub(crate) fn rekey(&mut self, group: usize, item: usize, score: f64) {
        let x = group * self.n + item;
        let (old, new) = (self.keys[x], key(score, item));
        if new == old {
            return;
        }
        let set = &mut self.sets[group];
        set.remove(&old);
        set.insert(new);
        self.keys[x] = new;
        // The array holds the set's first k keys (every key is set from the start).
        let first = &mut self.first[group];
        let Some(&last) = first.last() else {
            return;
        };
        match first.binary_search(&old) {
            Ok(p) => {
                first.remove(p);
                // The first k - 1 keys stay among the first k; the k-th is `new` if it goes
                // before the old last, else the set's next key after the array's end (which
                // may be `new`).
                if new < last {
                    let q = first.binary_search(&new).unwrap_or_else(|q| q);
                    first.insert(q, new);
                } else {
                    // Every key of the set after the array's end (or after `old`, the set's
                    // least key, when the array is now empty) is past the first k - 1.
                    let end = first.last().copied().unwrap_or(last);
                    if let Some(&next) = set.range((Excluded(end), Unbounded)).next() {
                        first.push(next);
                    }
                }
            }
            Err(_) => {
                if new < last {
                    let q = first.binary_search(&new).unwrap_or_else(|q| q);
                    first.insert(q, new);
                    first.pop();
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
    fn the_array_equals_the_sets_first_k_after_every_move() {
        // Random score moves with many ties (scores on a coarse grid), for k = 1, 5, n - 1
        // and n (= every item).
        let (groups, n) = (3, 12);
        for k in [1, 5, n - 1, n, n + 3] {
            let mut t = GreedyTop::new(groups, n, k, |g, j| ((g + j) % 4) as f64 / 4.0);
            let mut rng = SeedSequence::new(k as u64).stream(0, Source::Ranking);
            for _ in 0..4000 {
                let g = rng.random_range(0..groups);
                let j = rng.random_range(0..n);
                let s = f64::from(rng.random_range(0..6u32)) / 5.0;
                t.rekey(g, j, s);
                for (g, set) in t.sets.iter().enumerate() {
                    let want: Vec<u32> = set.iter().take(k.min(n)).map(|&(_, j)| j).collect();
                    let got: Vec<u32> = t.first(g).collect();
                    assert_eq!(got, want, "k = {k}");
                }
            }
        }
    }
}
