//! The guard around every engine call from Python: a panic inside the engine (a bug, never bad
//! input) becomes `MarketloopError` with a clear internal-error message, instead of pyo3's
//! `PanicException`, which derives from `BaseException` and escapes `except Exception`.

use crate::convert::py_err;
use crate::MarketloopError;
use marketloop_io::IoError;
use pyo3::PyResult;
use std::panic::{catch_unwind, AssertUnwindSafe};

/// Runs `f`, mapping its error with [`py_err`] and a panic to `MarketloopError`.
pub fn guarded<T>(f: impl FnOnce() -> Result<T, IoError>) -> PyResult<T> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(result) => result.map_err(py_err),
        Err(payload) => Err(MarketloopError::new_err(panic_message(payload.as_ref()))),
    }
}

/// The message of a caught panic.
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    let what = payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into());
    format!(
        "internal error in marketloop {}: {what}. This is a bug, not a problem with your input: \
         please report it with the call you made",
        marketloop_core::VERSION
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn panics_become_messages() {
        let m = panic_message(&"boom");
        assert!(m.contains("internal error") && m.contains("boom"), "{m}");
        let m = panic_message(&String::from("capacity overflow"));
        assert!(m.contains("capacity overflow"), "{m}");
        let m = panic_message(&3u8);
        assert!(m.contains("unknown panic"), "{m}");
    }
}
