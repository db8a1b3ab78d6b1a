//! Progress reports to Python: an optional callable `progress(done, total)`, called from the
//! engine's worker threads while the GIL is released, at most every [`INTERVAL`] (each call
//! re-acquires the GIL briefly), with `done` never decreasing, and once more with
//! `(total, total)` when the run finishes. Reporting only counts finished units (replicates,
//! sweep cells): it never touches a random stream, so the numbers do not depend on it.
//!
//! A run in phases (the reproductions: "preferences", then "simulate") reports each phase's own
//! `(done, total)` with [`Progress::phase`]: `done` starts again from 0 when a phase begins.
//!
//! A callable that raises is not called again; its exception is raised when the run ends.
//! Reports are independent of Ctrl-C, which [`crate::interrupt`] watches for every call.

use pyo3::prelude::*;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The least time between two reports.
pub const INTERVAL: Duration = Duration::from_millis(200);

/// What was last reported.
struct Last {
    at: Instant,
    done: u64,
    failed: Option<PyErr>,
}

/// A progress reporter for one run of `total` units.
pub struct Progress {
    callback: Option<Py<PyAny>>,
    total: AtomicU64,
    done: AtomicU64,
    phase: Mutex<&'static str>,
    last: Mutex<Last>,
}

impl Progress {
    /// A reporter calling `callback(done, total)` (none: a counter only).
    pub fn new(callback: Option<Py<PyAny>>, total: u64) -> Self {
        Self {
            callback,
            total: AtomicU64::new(total),
            done: AtomicU64::new(0),
            phase: Mutex::new(""),
            last: Mutex::new(Last {
                at: Instant::now(),
                done: 0,
                failed: None,
            }),
        }
    }

    /// One more unit finished (any thread).
    pub fn tick(&self) {
        let done = self.done.fetch_add(1, Ordering::Relaxed) + 1;
        self.report(done);
    }

    /// `done` units finished (any thread; counts from the engine may arrive out of order).
    pub fn reached(&self, done: u64) {
        let done = self.done.fetch_max(done, Ordering::Relaxed).max(done);
        self.report(done);
    }

    /// `done` of the `total` units of `phase` finished (any thread): a run in phases. A new
    /// phase (another name or total) restarts the count, so the callable sees `done` go back
    /// to 0 once per phase.
    pub fn phase(&self, phase: &'static str, done: u64, total: u64) {
        {
            let mut current = self.phase.lock().unwrap_or_else(|p| p.into_inner());
            if *current != phase || self.total.load(Ordering::Relaxed) != total {
                *current = phase;
                self.total.store(total, Ordering::Relaxed);
                self.done.store(0, Ordering::Relaxed);
                self.last.lock().unwrap_or_else(|p| p.into_inner()).done = 0;
            }
        }
        self.reached(done);
    }

    fn report(&self, done: u64) {
        let Some(callback) = &self.callback else {
            return;
        };
        // Another thread reporting right now: skip this one (reports are a sample).
        let Ok(mut last) = self.last.try_lock() else {
            return;
        };
        let total = self.total.load(Ordering::Relaxed);
        let done = done.min(total);
        if last.failed.is_some() || done <= last.done || last.at.elapsed() < INTERVAL {
            return;
        }
        last.at = Instant::now();
        last.done = done;
        if let Err(e) = Python::attach(|py| callback.call1(py, (done, total)).map(drop)) {
            last.failed = Some(e);
        }
    }

    /// The run finished: reports `(total, total)` unless that was the last report, and
    /// returns the callable's exception if it raised. Call it holding the GIL, after the run.
    pub fn finish(self, py: Python<'_>) -> PyResult<()> {
        let last = self
            .last
            .into_inner()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(e) = last.failed {
            return Err(e);
        }
        let total = self.total.into_inner();
        match self.callback {
            Some(cb) if last.done < total || total == 0 => cb.call1(py, (total, total)).map(drop),
            _ => Ok(()),
        }
    }
}
