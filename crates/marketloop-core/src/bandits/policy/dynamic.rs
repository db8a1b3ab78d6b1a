//! The object-safe form of [`BanditPolicy`]: [`DynBanditPolicy`], which every `BanditPolicy`
//! (built-in or a user's) implements automatically and which an algorithm chosen at run time (a
//! Python object, a plug-in) implements directly, and [`BoxedPolicy`], one boxed algorithm of
//! any type.
//!
//! [`BanditPolicy::select`] is generic over the random generator, so `dyn BanditPolicy` does not
//! exist. The competition engine hands every firm its own stream, always a [`PortableRng`], so
//! the object-safe form takes `&mut PortableRng`: the blanket implementation calls
//! `BanditPolicy::select` with that very stream (the same monomorphised code, the same draws in
//! the same order as before: static dispatch for the built-ins), and a plug-in that holds the
//! concrete generator can lend it (by value, for the duration of a call) to foreign code.
//!
//! The method names carry a `dyn_` prefix so that code with both traits in scope never sees two
//! candidate `select` methods on one type.

use super::{BanditPolicy, BetaPosterior};
use crate::rng::PortableRng;
use std::fmt;

/// A bandit algorithm as the competition engine drives it (object-safe).
///
/// Implemented automatically for every [`BanditPolicy`] that is `Clone + Send + 'static`
/// (the built-ins, [`Policy`](super::Policy), a user's Rust type). Implement it directly only
/// for algorithms whose selection needs the concrete generator (bindings to other languages).
/// The contract is [`BanditPolicy`]'s: `dyn_select` may draw from `rng` and may fix a decision,
/// but learns only in `dyn_update`.
pub trait DynBanditPolicy: Send {
    /// Number of arms.
    fn dyn_k(&self) -> usize;
    /// The arm to pull now, in `0..dyn_k()`, drawing only from `rng` (the firm's own stream).
    fn dyn_select(&mut self, rng: &mut PortableRng) -> usize;
    /// Learns the reward of the arm just pulled.
    fn dyn_update(&mut self, arm: usize, reward: bool);
    /// Forgets everything (back to the prior).
    fn dyn_reset(&mut self);
    /// The data the algorithm recorded, as per-arm Beta posteriors (counts and means).
    fn dyn_posterior(&self) -> &BetaPosterior;
    /// A boxed copy in the same state (the engine copies firms part-way through a warm start).
    fn dyn_clone(&self) -> Box<dyn DynBanditPolicy>;
}

impl<P: BanditPolicy + Clone + Send + 'static> DynBanditPolicy for P {
    #[inline]
    fn dyn_k(&self) -> usize {
        BanditPolicy::k(self)
    }
    #[inline]
    fn dyn_select(&mut self, rng: &mut PortableRng) -> usize {
        BanditPolicy::select(self, rng)
    }
    #[inline]
    fn dyn_update(&mut self, arm: usize, reward: bool) {
        BanditPolicy::update(self, arm, reward)
    }
    fn dyn_reset(&mut self) {
        BanditPolicy::reset(self)
    }
    fn dyn_posterior(&self) -> &BetaPosterior {
        BanditPolicy::posterior(self)
    }
    fn dyn_clone(&self) -> Box<dyn DynBanditPolicy> {
        Box::new(self.clone())
    }
}

/// One algorithm of any type behind a box: what a competition with user algorithms hands each
/// firm (one virtual call per select and update).
pub struct BoxedPolicy(Box<dyn DynBanditPolicy>);

impl BoxedPolicy {
    /// Boxes `policy`.
    pub fn new(policy: impl DynBanditPolicy + 'static) -> Self {
        BoxedPolicy(Box::new(policy))
    }

    /// Wraps an already boxed algorithm.
    pub fn from_box(policy: Box<dyn DynBanditPolicy>) -> Self {
        BoxedPolicy(policy)
    }

    /// The algorithm.
    pub fn get(&self) -> &dyn DynBanditPolicy {
        self.0.as_ref()
    }
}

impl Clone for BoxedPolicy {
    fn clone(&self) -> Self {
        BoxedPolicy(self.0.dyn_clone())
    }
}

impl fmt::Debug for BoxedPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BoxedPolicy")
            .field("k", &self.0.dyn_k())
            .finish_non_exhaustive()
    }
}

impl DynBanditPolicy for BoxedPolicy {
    #[inline]
    fn dyn_k(&self) -> usize {
        self.0.dyn_k()
    }
    /// Panics (naming the arm and K) if the boxed algorithm returns an arm outside `0..K`.
    #[inline]
    fn dyn_select(&mut self, rng: &mut PortableRng) -> usize {
        let arm = self.0.dyn_select(rng);
        let k = self.0.dyn_k();
        assert!(
            arm < k,
            "a bandit algorithm selected arm {arm}, outside 0..{k} (K = {k})"
        );
        arm
    }
    #[inline]
    fn dyn_update(&mut self, arm: usize, reward: bool) {
        self.0.dyn_update(arm, reward)
    }
    fn dyn_reset(&mut self) {
        self.0.dyn_reset()
    }
    fn dyn_posterior(&self) -> &BetaPosterior {
        self.0.dyn_posterior()
    }
    fn dyn_clone(&self) -> Box<dyn DynBanditPolicy> {
        self.0.dyn_clone()
    }
}
