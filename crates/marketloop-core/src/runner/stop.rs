//! Stopping a run early (Ctrl-C): one cancellation token, [`Stop`], made by whoever can be
//! interrupted (the Python bindings on a signal) and handed to the run as the *current* token
//! of the threads that compute it.
//!
//! A token is installed for the length of a closure with [`Stop::scope`]; [`map_replicates`]
//! carries the scope of its calling thread onto the worker threads that run each replicate,
//! so a replicate computed anywhere below sees the token of the run that asked for it.
//! Long replicates ask [`stop_requested`] at each measurement (one thread-local read and one
//! relaxed atomic load, far below the cost of a measurement) and return early; the experiment
//! layer then discards that replicate and writes nothing (see `marketloop-io`'s
//! `IoError::Interrupted`). Outside any scope [`stop_requested`] is `false`, so code that is
//! never interrupted runs exactly as before.
//!
//! Why an ambient token instead of an argument: every engine entry point (replicates of every
//! experiment kind, the reproductions' pieces) would otherwise take one more parameter that
//! only the bindings ever set; a stop request never changes a result, it only discards one.
//!
//! [`map_replicates`]: super::map_replicates

use std::cell::RefCell;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// A request to stop a run early, shared between the thread that asks (a signal watcher) and
/// the threads that compute. Cloning shares the same request.
#[derive(Clone, Debug, Default)]
pub struct Stop(Arc<AtomicBool>);

thread_local! {
    static CURRENT: RefCell<Option<Stop>> = const { RefCell::new(None) };
}

impl Stop {
    /// A token nobody has asked to stop yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Asks every run under this token to stop at its next check (any thread).
    pub fn request(&self) {
        self.0.store(true, Ordering::Relaxed);
    }

    /// Whether a stop was requested.
    pub fn is_requested(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }

    /// Runs `f` with this token as the current one of this thread (restoring the previous one
    /// afterwards, also if `f` panics).
    pub fn scope<T>(&self, f: impl FnOnce() -> T) -> T {
        struct Restore(Option<Stop>);
        impl Drop for Restore {
            fn drop(&mut self) {
                let previous = self.0.take();
                CURRENT.with(|c| *c.borrow_mut() = previous);
            }
        }
        let previous = CURRENT.with(|c| c.borrow_mut().replace(self.clone()));
        let _restore = Restore(previous);
        f()
    }

    /// The current token of this thread, if a scope installed one.
    pub fn current() -> Option<Stop> {
        CURRENT.with(|c| c.borrow().clone())
    }
}

/// How many steps a market or arena run takes between two looks at the stop token when its
/// measurements are further apart: about a millisecond of simulation, so a stop is noticed well
/// within the 0.2 s Python promises, and the look (a thread-local read and an atomic load) costs
/// nothing measurable per step.
pub const STOP_CHECK_STEPS: u64 = 1 << 14;

/// Whether the current token of this thread (see [`Stop::scope`]) asks to stop; `false`
/// outside any scope.
pub fn stop_requested() -> bool {
    CURRENT.with(|c| c.borrow().as_ref().is_some_and(Stop::is_requested))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_nest_and_restore() {
        assert!(!stop_requested());
        let outer = Stop::new();
        let inner = Stop::new();
        outer.scope(|| {
            inner.scope(|| {
                inner.request();
                assert!(stop_requested());
            });
            assert!(!stop_requested(), "the outer token was not asked");
            outer.request();
            assert!(stop_requested());
        });
        assert!(!stop_requested(), "no token outside a scope");
        assert!(Stop::current().is_none());
    }

    #[test]
    fn a_panic_inside_a_scope_restores_the_previous_token() {
        let s = Stop::new();
        s.request();
        let caught = std::panic::catch_unwind(|| s.scope(|| panic!("boom")));
        assert!(caught.is_err());
        assert!(!stop_requested());
    }
}
