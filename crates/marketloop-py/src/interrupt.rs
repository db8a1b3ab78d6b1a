//! Ctrl-C during a long call. The engine runs on a helper thread with the GIL released, under
//! a fresh [`Stop`] token, while the calling Python thread waits for it and checks for signals
//! every [`INTERVAL`] (Python runs signal handlers only on its main thread, so the check cannot
//! be made from the engine's workers). On a signal (`KeyboardInterrupt`, or whatever the
//! handler raises) the token is asked to stop: the run finishes no further replicate, writes
//! nothing more (finished replicates stay saved, an `out=` folder stays marked incomplete, so
//! `resume` continues it), and the call raises the signal's exception.
//!
//! This runs whether or not a progress bar is shown, and never changes a result: a run that is
//! not interrupted computes exactly what it would have without the watcher.

use crate::guard::panic_message;
use crate::progress::INTERVAL;
use crate::MarketloopError;
use marketloop_core::runner::Stop;
use pyo3::prelude::*;
use std::sync::mpsc;

/// Runs `work` on a helper thread (GIL released) under a new stop token, checking for signals
/// on this thread until it returns; see the module docs. `Err` is the signal's exception (or a
/// panic of `work` as `MarketloopError`); otherwise what `work` returned.
pub fn interruptible<R: Send>(py: Python<'_>, work: impl FnOnce() -> R + Send) -> PyResult<R> {
    let stop = Stop::new();
    let (result, signal) = py.detach(move || {
        let (done_tx, done_rx) = mpsc::channel::<()>();
        std::thread::scope(|s| {
            let worker = s.spawn(|| {
                let out = stop.scope(work);
                // The receiver only goes away once this thread is joined.
                let _ = done_tx.send(());
                out
            });
            let mut signal: Option<PyErr> = None;
            while let Err(mpsc::RecvTimeoutError::Timeout) = done_rx.recv_timeout(INTERVAL) {
                if signal.is_none() {
                    if let Err(e) = Python::attach(|py| py.check_signals()) {
                        stop.request();
                        signal = Some(e);
                    }
                }
            }
            let result = worker
                .join()
                .map_err(|payload| MarketloopError::new_err(panic_message(payload.as_ref())));
            (result, signal)
        })
    });
    // A signal wins over whatever the stopped run returned (a partial result or the
    // `interrupted` error): the caller sees the KeyboardInterrupt.
    match signal {
        Some(e) => Err(e),
        None => result,
    }
}

/// Runs `f` on a worker of `pool`, carrying this thread's stop token to it (rayon's `install`
/// moves the work to another thread, which has no token of its own).
pub fn install<T: Send>(pool: &rayon::ThreadPool, f: impl FnOnce() -> T + Send) -> T {
    let stop = Stop::current().unwrap_or_default();
    pool.install(|| stop.scope(f))
}
