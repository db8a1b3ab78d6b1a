//! The first k items of every group by a score that changes one item at a time (greedy and
//! epsilon-greedy learning rankings): the first k keys in a sorted array and every other key in
//! an ordered set, so a ranking copies k entries instead of walking k nodes of a set.
//!
//! A trial or a purchase moves one item's key. An item of the first k that stays there (the
//! common case: users try the items they are shown) moves inside the array only, by two binary
//! searches and an O(k) shift; the set is touched (O(log n)) only when a key crosses the
//! boundary between the two, and then one key crosses back. Every key of the array precedes
//! every key of the set, so the array is always the first k keys of all of them (tested
//! against a full sort after every move).

use std::cmp::Reverse;
use std::collections::BTreeSet;

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
    /// Per group, the keys after the first min(k, n).
    rest: Vec<BTreeSet<Key>>,
    /// Each (group, item)'s current key, row-major.
    keys: Vec<Key>,
    /// Per group, the first min(k, n) keys in order.
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
            rest: vec![BTreeSet::new(); groups],
            keys: vec![key(0.0, 0); groups * n],
            first: vec![Vec::with_capacity(k.min(n)); groups],
        };
        t.reset(score);
        t
    }

    /// Sets every item's key to `score(group, item)`'s.
    pub(crate) fn reset(&mut self, score: impl Fn(usize, usize) -> f64) {
        let mut all = Vec::with_capacity(self.n);
        for (g, rest) in self.rest.iter_mut().enumerate() {
            all.clear();
            for j in 0..self.n {
                let kk = key(score(g, j), j);
                self.keys[g * self.n + j] = kk;
                all.push(kk);
            }
            all.sort_unstable();
            self.first[g].clear();
            self.first[g].extend_from_slice(&all[..self.k]);
            *rest = all[self.k..].iter().copied().collect();
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
        self.keys[x] = new;
        let (first, rest) = (&mut self.first[group], &mut self.rest[group]);
        // Keys are distinct (they hold the item): `old` is in the array iff it is at most the
        // array's last.
        let in_first = first.last().is_some_and(|&last| old <= last);
        if in_first {
            // The array holds `old` (keys are distinct and every key is in one of the two).
            let Ok(p) = first.binary_search(&old) else {
                return;
            };
            // `new` stays in the array when it precedes every key of the set, and moves from
            // p to its place past the keys between (usually a few); else it enters the set and
            // the set's first key fills the array.
            match rest.first() {
                Some(&next) if next < new => {
                    first.remove(p);
                    rest.insert(new);
                    rest.pop_first();
                    first.push(next);
                }
                _ if new < old => {
                    let q = first[..p].partition_point(|k| *k < new);
                    first[q..=p].rotate_right(1);
                    first[q] = new;
                }
                _ => {
                    let q = p + first[p + 1..].partition_point(|k| *k < new);
                    first[p..=q].rotate_left(1);
                    first[q] = new;
                }
            }
        } else {
            rest.remove(&old);
            match first.last() {
                Some(&last) if new < last => {
                    first.pop();
                    insert_sorted(first, new);
                    rest.insert(last);
                }
                _ => {
                    rest.insert(new);
                }
            }
        }
    }
}

/// Inserts `key` into the sorted `keys` at its place.
#[inline]
fn insert_sorted(keys: &mut Vec<Key>, key: Key) {
    let q = keys.binary_search(&key).unwrap_or_else(|q| q);
    keys.insert(q, key);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{SeedSequence, Source};
    use rand::Rng;

    #[test]
    fn the_array_equals_the_first_k_keys_after_every_move() {
        // Random score moves with many ties (scores on a coarse grid), for k = 0, 1, 5, n - 1
        // and n (= every item), against a full sort of every key.
        let (groups, n) = (3, 12);
        for k in [0, 1, 5, n - 1, n, n + 3] {
            let mut t = GreedyTop::new(groups, n, k, |g, j| ((g + j) % 4) as f64 / 4.0);
            let mut rng = SeedSequence::new(k as u64).stream(0, Source::Ranking);
            for _ in 0..4000 {
                let g = rng.random_range(0..groups);
                let j = rng.random_range(0..n);
                let s = f64::from(rng.random_range(0..6u32)) / 5.0;
                t.rekey(g, j, s);
                for g in 0..groups {
                    let mut all = t.keys[g * n..(g + 1) * n].to_vec();
                    all.sort_unstable();
                    let want: Vec<u32> = all.iter().take(k.min(n)).map(|&(_, j)| j).collect();
                    let got: Vec<u32> = t.first(g).collect();
                    assert_eq!(got, want, "k = {k}");
                    assert_eq!(t.first[g].len() + t.rest[g].len(), n, "every key kept once");
                }
            }
        }
    }
}
