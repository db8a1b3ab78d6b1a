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
    fn dyn_update(&mut self, arm: usize, reward: f64);
    /// Forgets everything (back to the prior).
    fn dyn_reset(&mut self);
    /// The data the algorithm recorded, as per-arm Beta posteriors (counts and means).
    fn dyn_posterior(&self) -> &BetaPosterior;
    /// A boxed copy in the same state (the engine copies firms part-way through a warm start).
    fn dyn_clone(&self) -> Box<dyn DynBanditPolicy>;
    /// What went wrong, if the algorithm broke its contract (for example selected an arm
    /// outside `0..K`); the engine turns it into an error naming the firm and the run. The
    /// built-ins never fail: `None`.
    fn dyn_fault(&self) -> Option<&str> {
        None
    }
}

impl<P: BanditPolicy + Clone + Send + 'static> DynBanditPolicy for P {
    #[inline]
    fn dyn_k(&self) -> usize {
        BanditPolicy::k(self)
    }
    // Inlined, as `Policy`'s dispatch is, into the step loops that call a built-in directly.
    #[inline(always)]
    fn dyn_select(&mut self, rng: &mut PortableRng) -> usize {
        BanditPolicy::select(self, rng)
    }
    #[inline(always)]
    fn dyn_update(&mut self, arm: usize, reward: f64) {
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
///
/// It checks the boxed algorithm's contract: a selected arm outside `0..K` is recorded as a
/// fault (see [`DynBanditPolicy::dyn_fault`]), after which the firm recommends arm 0 without
/// calling the algorithm again, so the run finishes without a panic and the engine reports the
/// fault as an error.
pub struct BoxedPolicy {
    inner: Box<dyn DynBanditPolicy>,
    selects: u64,
    fault: Option<String>,
}

impl BoxedPolicy {
    /// Boxes `policy`.
    pub fn new(policy: impl DynBanditPolicy + 'static) -> Self {
        Self::from_box(Box::new(policy))
    }

    /// Wraps an already boxed algorithm.
    pub fn from_box(policy: Box<dyn DynBanditPolicy>) -> Self {
        BoxedPolicy {
            inner: policy,
            selects: 0,
            fault: None,
        }
    }

    /// The algorithm.
    pub fn get(&self) -> &dyn DynBanditPolicy {
        self.inner.as_ref()
    }
}

impl Clone for BoxedPolicy {
    fn clone(&self) -> Self {
        BoxedPolicy {
            inner: self.inner.dyn_clone(),
            selects: self.selects,
            fault: self.fault.clone(),
        }
    }
}

impl fmt::Debug for BoxedPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BoxedPolicy")
            .field("k", &self.inner.dyn_k())
            .field("fault", &self.fault)
            .finish_non_exhaustive()
    }
}

impl DynBanditPolicy for BoxedPolicy {
    #[inline]
    fn dyn_k(&self) -> usize {
        self.inner.dyn_k()
    }
    /// The boxed algorithm's arm; after a fault (an arm outside `0..K`), arm 0 without calling
    /// it.
    #[inline]
    fn dyn_select(&mut self, rng: &mut PortableRng) -> usize {
        if self.fault.is_some() {
            return 0;
        }
        self.selects += 1;
        let arm = self.inner.dyn_select(rng);
        let k = self.inner.dyn_k();
        if arm >= k {
            self.fault = Some(format!(
                "selected arm {arm} at its select call {}, but the arms are 0..{k} (K = {k})",
                self.selects
            ));
            return 0;
        }
        arm
    }
    #[inline]
    fn dyn_update(&mut self, arm: usize, reward: f64) {
        if self.fault.is_none() {
            self.inner.dyn_update(arm, reward)
        }
    }
    fn dyn_reset(&mut self) {
        self.inner.dyn_reset()
    }
    fn dyn_posterior(&self) -> &BetaPosterior {
        self.inner.dyn_posterior()
    }
    fn dyn_clone(&self) -> Box<dyn DynBanditPolicy> {
        Box::new(self.clone())
    }
    fn dyn_fault(&self) -> Option<&str> {
        self.fault.as_deref().or_else(|| self.inner.dyn_fault())
    }
}
