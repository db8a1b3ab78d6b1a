//! The top k of a Thompson-sampling draw without a draw per item.
//!
//! A popularity-free Thompson ranking draws X_j ~ Beta(a_j, b_j) for every item j of the arriving
//! user's group and shows the k largest. Most items share their posterior: every untried item has
//! the prior, and items tried only with failures (or only with successes) have one of a few
//! posteriors. The items of such a class are i.i.d., so the class's contribution to the top k is
//! its largest order statistics, assigned to a uniformly random subset of its items in random
//! order (exchangeability). With a prior parameter equal to 1 the class's quantile function has a
//! closed form, Beta(1, b): 1 - (1 - u)^(1/b) and Beta(a, 1): u^(1/a), so its order statistics
//! come from the top down at one exponential each (U_(m) = V^(1/m), U_(i) = U_(i+1) V^(1/i), in
//! logarithms). Items whose posterior has no closed-form quantile (both a, b != 1) are "direct":
//! when the classes hold at least k items, the k-th largest class draw m is a threshold no item
//! of the top k is below, and a direct item's draw is decided against m by its tail bound
//! (Thompson sampling's thinning, `bandits::policy::UpperBound`, kept until the item's
//! posterior changes): one random word when it is below m, its exact value otherwise. A merge of
//! the direct items above m and the class draws then yields exactly the distribution of the
//! full per-item draw's top k, at a cost of O(D + C + k log C) per user (D direct items, C
//! non-empty classes) with one random word, not two Gamma variates, per direct item below m.
//!
//! Hand-written: no sampling crate offers order statistics of a Beta class.

use super::thompson_direct::{Direct, DirectItems, Found};
use crate::market::ranking::bounded_u32;
use rand::Rng;
use rand_distr::Exp1;
use std::cmp::Ordering;
use std::collections::binary_heap::PeekMut;
use std::collections::BinaryHeap;

/// A class of items with a closed-form quantile.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Closed {
    /// Beta(1, beta0 + f): no success yet (prior alpha0 = 1).
    FailOnly(u32),
    /// Beta(alpha0 + s, 1): no failure yet (prior beta0 = 1).
    SuccOnly(u32),
}

/// Which list an item of a group is in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Class {
    /// A closed-form class.
    Closed(Closed),
    /// Any other posterior: drawn directly.
    Direct,
}

#[derive(Clone, Copy, Debug)]
struct Place {
    class: Class,
    pos: u32,
}

#[derive(Clone, Debug, Default)]
struct GroupLists {
    fail_only: Vec<Vec<u32>>,
    succ_only: Vec<Vec<u32>>,
    direct: DirectItems,
}

impl GroupLists {
    /// The list of a closed-form class.
    fn list(&mut self, class: Closed) -> &mut Vec<u32> {
        let grow = |v: &mut Vec<Vec<u32>>, i: u32| {
            let i = i as usize;
            if v.len() <= i {
                v.resize_with(i + 1, Vec::new);
            }
        };
        match class {
            Closed::FailOnly(f) => {
                grow(&mut self.fail_only, f);
                &mut self.fail_only[f as usize]
            }
            Closed::SuccOnly(s) => {
                grow(&mut self.succ_only, s);
                &mut self.succ_only[s as usize]
            }
        }
    }

    /// Removes the entry at `pos` of `class`'s list; returns the item moved into `pos`, if any.
    fn remove(&mut self, class: Class, pos: usize) -> Option<u32> {
        match class {
            Class::Direct => self.direct.swap_remove(pos),
            Class::Closed(c) => {
                let list = self.list(c);
                list.swap_remove(pos);
                list.get(pos).copied()
            }
        }
    }
}

/// A class's next order statistic in the merge.
#[derive(Clone, Copy, Debug)]
struct Head {
    x: f64,
    class: Closed,
    /// ln U of the current uniform order statistic.
    log_u: f64,
    taken: u32,
    size: u32,
}

impl PartialEq for Head {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
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
        self.x.total_cmp(&other.x)
    }
}

/// The classes of every group's items and the merge's working space (see the module docs).
#[derive(Clone, Debug)]
pub(crate) struct ThompsonTop {
    n: usize,
    alpha0: f64,
    beta0: f64,
    lists: Vec<GroupLists>,
    places: Vec<Place>,
    heap: BinaryHeap<Head>,
    /// The classes' largest order statistics of a draw: (value, class, class size).
    class_draws: Vec<(f64, Closed, u32)>,
    /// The k largest draws found so far in a draw, and the direct items' draws among them.
    found: Found,
    /// Per item: the number of the draw that last put it in `out` (`draw`: the current one),
    /// so that the merge tells a taken item in O(1) rather than by a search of `out`.
    taken: Vec<u32>,
    draw: u32,
}

impl ThompsonTop {
    /// Every item of every group untried, under the prior Beta(alpha0, beta0).
    pub(crate) fn new(groups: usize, n: usize, alpha0: f64, beta0: f64) -> Self {
        let mut t = ThompsonTop {
            n,
            alpha0,
            beta0,
            lists: vec![GroupLists::default(); groups],
            places: vec![
                Place {
                    class: Class::Direct,
                    pos: 0
                };
                groups * n
            ],
            heap: BinaryHeap::new(),
            class_draws: Vec::new(),
            found: Found::default(),
            taken: vec![0; n],
            draw: 0,
        };
        t.reset();
        t
    }

    /// Back to every item untried.
    pub(crate) fn reset(&mut self) {
        let class = self.class_of(0, 0);
        for (g, lists) in self.lists.iter_mut().enumerate() {
            *lists = GroupLists::default();
            match class {
                Class::Direct => (0..self.n as u32).for_each(|j| {
                    lists.direct.push(Direct::new(j, 0, 0));
                }),
                Class::Closed(c) => lists.list(c).extend(0..self.n as u32),
            }
            for j in 0..self.n {
                self.places[g * self.n + j] = Place {
                    class,
                    pos: j as u32,
                };
            }
        }
    }

    fn class_of(&self, succ: u32, fail: u32) -> Class {
        if self.alpha0 == 1.0 && succ == 0 {
            Class::Closed(Closed::FailOnly(fail))
        } else if self.beta0 == 1.0 && fail == 0 {
            Class::Closed(Closed::SuccOnly(succ))
        } else {
            Class::Direct
        }
    }

    /// Item `item` of group `group` now has `succ` successes and `fail` failures.
    pub(crate) fn observe(&mut self, group: usize, item: usize, succ: u32, fail: u32) {
        let class = self.class_of(succ, fail);
        let x = group * self.n + item;
        let old = self.places[x];
        if old.class == class {
            if class == Class::Direct {
                self.lists[group]
                    .direct
                    .set(old.pos as usize, Direct::new(item as u32, succ, fail));
                self.reorder(group, old.pos as usize);
            }
            return;
        }
        let lists = &mut self.lists[group];
        if let Some(moved) = lists.remove(old.class, old.pos as usize) {
            self.places[group * self.n + moved as usize].pos = old.pos;
        }
        let pos = match class {
            Class::Direct => lists.direct.push(Direct::new(item as u32, succ, fail)),
            Class::Closed(c) => {
                let list = lists.list(c);
                list.push(item as u32);
                list.len() - 1
            }
        };
        self.places[x] = Place {
            class,
            pos: pos as u32,
        };
        if class == Class::Direct {
            self.reorder(group, pos);
        }
    }

    /// Moves the direct item at `pos` of `group` to its place in the list's order, and
    /// records the new positions of the items that moved.
    fn reorder(&mut self, group: usize, pos: usize) {
        let direct = &mut self.lists[group].direct;
        let moved = direct.reorder(pos, self.alpha0, self.beta0);
        for p in moved {
            let item = direct.items()[p].item as usize;
            self.places[group * self.n + item].pos = p as u32;
        }
    }
}

/// The value of a class's uniform order statistic exp(log_u) under the class's quantile, for the
/// prior Beta(alpha0, beta0).
#[inline]
fn quantile(alpha0: f64, beta0: f64, class: Closed, log_u: f64) -> f64 {
    match class {
        Closed::FailOnly(f) => {
            let b = beta0 + f64::from(f);
            if b == 1.0 {
                log_u.exp()
            } else {
                // 1 - (1 - u)^(1/b), with 1 - u = -expm1(ln u) kept accurate near u = 1.
                -((-log_u.exp_m1()).ln() / b).exp_m1()
            }
        }
        Closed::SuccOnly(s) => (log_u / (alpha0 + f64::from(s))).exp(),
    }
}

/// Moves a class's head to its next (lower) order statistic: with `left` items not yet taken,
/// U_(left) = U_(left + 1) V^(1/left), V uniform, in logarithms.
#[inline]
fn next<R: Rng + ?Sized>(alpha0: f64, beta0: f64, head: &mut Head, rng: &mut R) {
    let left = head.size - head.taken;
    let e: f64 = rng.sample(Exp1);
    head.log_u -= e / f64::from(left);
    head.x = quantile(alpha0, beta0, head.class, head.log_u);
}

impl ThompsonTop {
    /// The `k` items with the largest Thompson draws in group `group`, largest first, into
    /// `out`.
    ///
    /// The classes' k largest order statistics come first; when there are k of them, the k-th,
    /// m, is a threshold no item of the top k is below, so a directly drawn item is first
    /// tested against m by its tail bound (`bandits::policy::UpperBound`: one random word when
    /// its draw is below m, the draw exact in law otherwise) and drawn in full only where the
    /// bound does not apply.
    pub(crate) fn top_k<R: Rng + ?Sized>(
        &mut self,
        group: usize,
        k: usize,
        rng: &mut R,
        out: &mut Vec<u32>,
    ) {
        out.clear();
        self.draw = self.draw.wrapping_add(1);
        if self.draw == 0 {
            // Wrapped: no entry may look taken by this draw.
            self.taken.fill(0);
            self.draw = 1;
        }
        // Each class's largest draw, then the k largest class draws.
        self.heap.clear();
        let lists = &self.lists[group];
        let heads = lists
            .fail_only
            .iter()
            .enumerate()
            .map(|(f, l)| (Closed::FailOnly(f as u32), l.len()))
            .chain(
                lists
                    .succ_only
                    .iter()
                    .enumerate()
                    .map(|(s, l)| (Closed::SuccOnly(s as u32), l.len())),
            )
            .filter(|&(_, m)| m > 0);
        for (class, m) in heads {
            let mut head = Head {
                x: 0.0,
                class,
                log_u: 0.0,
                taken: 0,
                size: m as u32,
            };
            next(self.alpha0, self.beta0, &mut head, rng);
            self.heap.push(head);
        }
        self.class_draws.clear();
        // The best head moves to its class's next order statistic in place (one sift down).
        while self.class_draws.len() < k {
            let Some(mut head) = self.heap.peek_mut() else {
                break;
            };
            self.class_draws.push((head.x, head.class, head.size));
            head.taken += 1;
            if head.taken < head.size {
                next(self.alpha0, self.beta0, &mut head, rng);
            } else {
                PeekMut::pop(head);
            }
        }
        // The k largest draws so far (class draws, then direct items' draws above the running
        // threshold): no item whose draw is at most their least, m, is in the top k.
        self.found
            .start(k, self.class_draws.iter().map(|&(x, ..)| x));
        self.lists[group]
            .direct
            .walk(self.alpha0, self.beta0, &mut self.found, rng);
        let drawn = &mut self.found.drawn;
        let better = |p: &(f64, u32), q: &(f64, u32)| q.0.total_cmp(&p.0).then(p.1.cmp(&q.1));
        if drawn.len() > k {
            drawn.select_nth_unstable_by(k, better);
            drawn.truncate(k);
        }
        drawn.sort_unstable_by(better);
        // The merge.
        let (mut d, mut c) = (0, 0);
        while out.len() < k {
            let from_class = match (self.class_draws.get(c), self.found.drawn.get(d)) {
                (Some(&(xc, ..)), Some(&(xd, _))) => xc > xd,
                (Some(_), None) => true,
                (None, Some(_)) => false,
                (None, None) => break,
            };
            if !from_class {
                let item = self.found.drawn[d].1;
                self.taken[item as usize] = self.draw;
                out.push(item);
                d += 1;
                continue;
            }
            let (_, class, size) = self.class_draws[c];
            c += 1;
            // A uniformly random item among the class's items not yet taken: uniform positions
            // of the class's list until one not taken before (the list stays as it is; at most
            // k positions are ever taken, so a draw is rejected with probability taken / size).
            // (An item is taken when it is in `out`, as `taken` records.)
            let list = self.lists[group].list(class);
            let item = loop {
                let j = list[bounded_u32(rng, size) as usize];
                if self.taken[j as usize] != self.draw {
                    break j;
                }
            };
            self.taken[item as usize] = self.draw;
            out.push(item);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bandits::BetaSampler;
    use crate::rng::{SeedSequence, Source};

    /// Posteriors of 12 items in one group: untried, failures only, successes only and mixed.
    const COUNTS: [(u32, u32); 12] = [
        (0, 0),
        (0, 0),
        (0, 0),
        (0, 1),
        (0, 1),
        (0, 3),
        (1, 0),
        (2, 0),
        (2, 0),
        (1, 1),
        (3, 2),
        (5, 1),
    ];

    fn classes(alpha0: f64, beta0: f64) -> ThompsonTop {
        let mut t = ThompsonTop::new(2, COUNTS.len(), alpha0, beta0);
        for (j, &(s, f)) in COUNTS.iter().enumerate() {
            // walk the item through its history, as observe() is called per trial
            let (mut s1, mut f1) = (0, 0);
            while (s1, f1) != (s, f) {
                if s1 < s {
                    s1 += 1;
                } else {
                    f1 += 1;
                }
                t.observe(1, j, s1, f1);
            }
        }
        t
    }

    #[test]
    fn items_move_between_classes_and_positions_stay_consistent() {
        let t = classes(1.0, 1.0);
        for g in 0..2 {
            let mut seen = vec![false; COUNTS.len()];
            let lists = &t.lists[g];
            let all = lists
                .fail_only
                .iter()
                .enumerate()
                .flat_map(|(f, l)| {
                    l.iter()
                        .enumerate()
                        .map(move |(p, &j)| (Class::Closed(Closed::FailOnly(f as u32)), p, j))
                })
                .chain(lists.succ_only.iter().enumerate().flat_map(|(s, l)| {
                    l.iter()
                        .enumerate()
                        .map(move |(p, &j)| (Class::Closed(Closed::SuccOnly(s as u32)), p, j))
                }))
                .chain(
                    lists
                        .direct
                        .items()
                        .iter()
                        .enumerate()
                        .map(|(p, e)| (Class::Direct, p, e.item)),
                );
            for (class, p, j) in all {
                let place = t.places[g * COUNTS.len() + j as usize];
                assert_eq!((place.class, place.pos as usize), (class, p));
                assert!(!seen[j as usize]);
                seen[j as usize] = true;
                if g == 1 {
                    let (s, f) = COUNTS[j as usize];
                    assert_eq!(class, t.class_of(s, f), "item {j}");
                }
            }
            assert!(seen.iter().all(|&s| s), "every item in one list");
        }
    }

    /// The full per-item draw's top k (the definition), ties to the lower index.
    fn reference<R: Rng>(params: &[(f64, f64)], k: usize, rng: &mut R) -> Vec<u32> {
        let mut x: Vec<(f64, u32)> = params
            .iter()
            .enumerate()
            .map(|(j, &(a, b))| (BetaSampler::new(a, b).sample(rng), j as u32))
            .collect();
        x.sort_by(|p, q| q.0.total_cmp(&p.0).then(p.1.cmp(&q.1)));
        x.into_iter().take(k).map(|(_, j)| j).collect()
    }

    #[test]
    fn the_merged_top_k_has_the_distribution_of_the_full_draw() {
        // For each prior (closed forms for both, one or neither parameter equal to 1), compare
        // how often each item is shown first and how often it is among the top 4, over 40,000
        // draws each, by a two-sample chi-square test per statistic. With 11 degrees of freedom
        // the 0.999 quantile is 31.26; the seeds are fixed, so the test is deterministic.
        let (n_draws, k) = (40_000, 4);
        for (alpha0, beta0) in [(1.0, 1.0), (1.0, 2.0), (0.5, 1.0), (2.0, 3.0)] {
            let mut t = classes(alpha0, beta0);
            let params: Vec<(f64, f64)> = COUNTS
                .iter()
                .map(|&(s, f)| (alpha0 + f64::from(s), beta0 + f64::from(f)))
                .collect();
            let mut rng = SeedSequence::new(11).stream(0, Source::Ranking);
            let mut rng_ref = SeedSequence::new(12).stream(0, Source::Ranking);
            let (mut first, mut first_ref) = (vec![0u64; 12], vec![0u64; 12]);
            let (mut inc, mut inc_ref) = (vec![0u64; 12], vec![0u64; 12]);
            let mut out = Vec::new();
            for _ in 0..n_draws {
                t.top_k(1, k, &mut rng, &mut out);
                assert_eq!(out.len(), k);
                first[out[0] as usize] += 1;
                out.iter().for_each(|&j| inc[j as usize] += 1);
                let r = reference(&params, k, &mut rng_ref);
                first_ref[r[0] as usize] += 1;
                r.iter().for_each(|&j| inc_ref[j as usize] += 1);
            }
            for (a, b, what) in [(&first, &first_ref, "first"), (&inc, &inc_ref, "top 4")] {
                let chi2: f64 = a
                    .iter()
                    .zip(b)
                    .filter(|(x, y)| **x + **y > 0)
                    .map(|(&x, &y)| {
                        let (x, y) = (x as f64, y as f64);
                        (x - y).powi(2) / (x + y)
                    })
                    .sum();
                assert!(
                    chi2 < 31.26,
                    "prior ({alpha0}, {beta0}), {what}: chi2 {chi2}\n{a:?}\n{b:?}"
                );
            }
        }
    }

    #[test]
    fn a_class_larger_than_k_and_k_equal_to_n_give_distinct_items() {
        let mut t = ThompsonTop::new(1, 1000, 1.0, 1.0);
        let mut rng = SeedSequence::new(3).stream(0, Source::Ranking);
        let mut out = Vec::new();
        for k in [1, 50, 1000] {
            t.top_k(0, k, &mut rng, &mut out);
            let mut s = out.clone();
            s.sort_unstable();
            s.dedup();
            assert_eq!(s.len(), k);
        }
    }
}
