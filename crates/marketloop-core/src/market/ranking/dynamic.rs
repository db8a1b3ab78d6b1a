//! The object-safe form of [`RankingPolicy`]: [`DynRankingPolicy`], which every
//! `RankingPolicy` (built-in or a user's) implements automatically and which a ranking chosen at
//! run time (a Python object, a plug-in) implements directly; and [`OrderCheck`], the one check
//! of what a ranking chosen at run time returns (exactly min(P, n) distinct items in `0..n`).
//!
//! [`RankingPolicy`]'s methods are generic over the random generator, so `dyn RankingPolicy`
//! does not exist. An arena platform hands its ranking its own `Ranking` stream, always a
//! [`PortableRng`], so the object-safe form takes `&mut PortableRng`: the blanket
//! implementation calls the `RankingPolicy` methods with that very stream (the same
//! monomorphised code, the same draws in the same order as a built-in), and a binding to
//! another language can lend the concrete generator to foreign code.
//!
//! The method names carry a `dyn_` prefix so that code with both traits in scope never sees two
//! candidate `rank` methods on one type.

use super::{PlatformState, RankingPolicy};
use crate::market::engine::StepOutcome;
use crate::market::state::CountState;
use crate::rng::PortableRng;

/// A ranking policy as an arena platform drives it (object-safe).
///
/// Implemented automatically for every [`RankingPolicy`] that is `Clone + Send + 'static` (the
/// built-ins, a user's Rust type). Implement it directly only for rankings that need the
/// concrete generator (bindings to other languages). The contract is `RankingPolicy`'s: draws
/// come only from `rng`, the platform's `Ranking` stream.
pub trait DynRankingPolicy: Send {
    /// Starts a replicate with the given initial counts (see [`RankingPolicy::reset`]).
    fn dyn_reset(&mut self, counts: &[u64], rng: &mut PortableRng);
    /// The items at positions 1, 2, ..., min(P, n) for the user arriving in `platform` (see
    /// [`RankingPolicy::rank`]).
    fn dyn_rank(&mut self, platform: &PlatformState<'_>, rng: &mut PortableRng) -> &[u32];
    /// Item `item` was bought; `counts` already include the purchase.
    fn dyn_on_purchase(&mut self, item: usize, counts: &[u64], rng: &mut PortableRng);
    /// User `step` arrived and `outcome` happened (see [`RankingPolicy::observe`]).
    fn dyn_observe(
        &mut self,
        step: u64,
        outcome: &StepOutcome,
        state: &CountState,
        rng: &mut PortableRng,
    );
    /// Whether the ranking depends on the user type only (see [`RankingPolicy::is_static`]).
    fn dyn_is_static(&self) -> bool;
    /// A boxed copy in the same state.
    fn dyn_clone(&self) -> Box<dyn DynRankingPolicy>;
    /// What went wrong, if the ranking failed by itself (for example a Python ranking that
    /// raised); the engine stops the run and reports it as an error. The built-ins never fail:
    /// `None`.
    fn dyn_fault(&self) -> Option<String> {
        None
    }
}

impl<P: RankingPolicy + Clone + Send + 'static> DynRankingPolicy for P {
    fn dyn_reset(&mut self, counts: &[u64], rng: &mut PortableRng) {
        RankingPolicy::reset(self, counts, rng)
    }
    #[inline]
    fn dyn_rank(&mut self, platform: &PlatformState<'_>, rng: &mut PortableRng) -> &[u32] {
        RankingPolicy::rank(self, platform, rng)
    }
    #[inline]
    fn dyn_on_purchase(&mut self, item: usize, counts: &[u64], rng: &mut PortableRng) {
        RankingPolicy::on_purchase(self, item, counts, rng)
    }
    #[inline]
    fn dyn_observe(
        &mut self,
        step: u64,
        outcome: &StepOutcome,
        state: &CountState,
        rng: &mut PortableRng,
    ) {
        RankingPolicy::observe(self, step, outcome, state, rng)
    }
    fn dyn_is_static(&self) -> bool {
        RankingPolicy::is_static(self)
    }
    fn dyn_clone(&self) -> Box<dyn DynRankingPolicy> {
        Box::new(self.clone())
    }
}

/// Checks the orders a ranking chosen at run time returns: exactly `k` = min(P, n) distinct
/// item indices in `0..n`, best position first. Keeps its working space (one flag per item),
/// so a check costs O(k), whatever the catalogue size.
#[derive(Clone, Debug)]
pub struct OrderCheck {
    k: usize,
    seen: Vec<bool>,
}

impl OrderCheck {
    /// The check for a catalogue of `n` items shown in `positions` positions (k = min(P, n)).
    pub fn new(n: usize, positions: usize) -> Self {
        OrderCheck {
            k: positions.min(n),
            seen: vec![false; n],
        }
    }

    /// The number of items n.
    pub fn n(&self) -> usize {
        self.seen.len()
    }

    /// The number of items a ranking returns, k = min(P, n).
    pub fn k(&self) -> usize {
        self.k
    }

    /// `Ok` if `items` (what `rank` returned, position 1 first) are `k` distinct items in
    /// `0..n`; otherwise what is wrong, e.g. "rank returned item 7 twice".
    pub fn check<T: Copy + Into<i64>>(&mut self, items: &[T]) -> Result<(), String> {
        let (n, k) = (self.n(), self.k);
        if items.len() != k {
            return Err(format!(
                "rank returned {} items; it must return the items at positions 1..{k} (P = \
                 min(positions, n) = {k})",
                items.len()
            ));
        }
        let mut bad = None;
        let mut marked = 0;
        for (pos, &j) in items.iter().enumerate() {
            let j: i64 = j.into();
            if j < 0 || j as u64 >= n as u64 {
                bad = Some(format!(
                    "rank returned item {j} at position {}, outside 0..{n}",
                    pos + 1
                ));
                break;
            }
            if std::mem::replace(&mut self.seen[j as usize], true) {
                bad = Some(format!("rank returned item {j} twice"));
                break;
            }
            marked = pos + 1;
        }
        // Leave the working space clean: unmark exactly the items marked above.
        for &j in &items[..marked] {
            self.seen[Into::<i64>::into(j) as usize] = false;
        }
        bad.map_or(Ok(()), Err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_k_distinct_items_and_names_what_is_wrong() {
        let mut c = OrderCheck::new(5, 3);
        assert_eq!(c.k(), 3);
        assert_eq!(c.check(&[4u32, 0, 2]), Ok(()));
        assert_eq!(
            c.check(&[2i64, 0, 4]),
            Ok(()),
            "the working space is left clean"
        );
        let err = |c: &mut OrderCheck, items: &[i64]| c.check(items).unwrap_err();
        assert!(err(&mut c, &[0, 1]).contains("returned 2 items"));
        assert!(err(&mut c, &[0, 1, 2, 3]).contains("returned 4 items"));
        assert_eq!(
            err(&mut c, &[0, 5, 1]),
            "rank returned item 5 at position 2, outside 0..5"
        );
        assert!(err(&mut c, &[-1, 0, 1]).contains("item -1 at position 1"));
        assert_eq!(err(&mut c, &[3, 1, 3]), "rank returned item 3 twice");
        // After every failure, a good order still passes (no flag left behind).
        assert_eq!(c.check(&[3u32, 1, 0]), Ok(()));
        let mut small = OrderCheck::new(2, 10);
        assert_eq!(small.k(), 2);
        assert_eq!(small.check(&[1u32, 0]), Ok(()));
    }
}
