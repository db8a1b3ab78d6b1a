//! Limits on every size a spec can ask for, checked before anything is allocated or written:
//! a documented maximum per size ([`at_most`] and the `MAX_*` constants) and an estimate of the
//! memory a run needs ([`Footprint`]) against a budget ([`memory_budget`]).
//!
//! The budget is, in this order: the process-wide value set with [`set_memory_budget`] (the
//! CLI's `--memory-budget`), the environment variable `MARKETLOOP_MEMORY_BUDGET` (bytes, with
//! an optional `K`/`M`/`G`/`T` suffix, powers of 1024, or a percentage of the machine's memory
//! such as `75%`), or [`DEFAULT_BUDGET_FRACTION`] of the machine's memory (`MemTotal` of
//! `/proc/meminfo`; 8 GiB where that cannot be read).
//!
//! Every estimate is computed in `u128` with saturating products, so no product of user numbers
//! can wrap around.

use crate::IoError;
use std::sync::atomic::{AtomicU64, Ordering};

/// Most replicates (runs) of one experiment or sweep cell.
pub const MAX_RUNS: u64 = 10_000_000;
/// Most worker threads of one run (each needs its own stack; results never depend on it).
pub const MAX_THREADS: u64 = 1024;
/// Most users (steps) of one simulated market run.
pub const MAX_STEPS: u64 = 1 << 40;
/// Most items of a market.
pub const MAX_ITEMS: u64 = 1 << 20;
/// Most user types of a market.
pub const MAX_TYPES: u64 = 1 << 16;
/// Most iterations of the deterministic dynamic or the fixed-point solver.
pub const MAX_ITERATIONS: u64 = 1 << 32;
/// Most arms K of a bandit instance.
pub const MAX_ARMS: u64 = 1 << 20;
/// Most rounds of any phase of a competition (T, T0, X) and the longest reputation window M.
pub const MAX_ROUNDS: u64 = 1_000_000_000;
/// Most firms (algorithms) of a competition.
pub const MAX_FIRMS: u64 = 1024;
/// Most checkpoints of a competition.
pub const MAX_CHECKPOINTS: u64 = 100_000;
/// Most Monte Carlo paths (prior draws) of the Bayesian-choice reward curves.
pub const MAX_PATHS: u64 = 1 << 40;
/// Most cells of a sweep.
pub const MAX_CELLS: u64 = 10_000_000;
/// The default budget: this fraction of the machine's memory.
pub const DEFAULT_BUDGET_FRACTION: f64 = 0.5;

/// 0 = not set.
static BUDGET_OVERRIDE: AtomicU64 = AtomicU64::new(0);

/// Sets the memory budget of this process (`None` goes back to the environment variable or the
/// default).
pub fn set_memory_budget(bytes: Option<u64>) {
    BUDGET_OVERRIDE.store(bytes.map_or(0, |b| b.max(1)), Ordering::Relaxed);
}

/// The machine's memory in bytes, if known.
pub fn machine_memory() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = text.lines().find(|l| l.starts_with("MemTotal:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    kb.checked_mul(1024)
}

/// Parses a budget: bytes with an optional `K`/`M`/`G`/`T` suffix (powers of 1024), or a
/// percentage of the machine's memory (`"75%"`).
pub fn parse_budget(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let bad = || {
        format!(
            "memory budget {text:?} must be a number of bytes (optionally with K, M, G or T) or a \
             percentage of the machine's memory such as \"50%\""
        )
    };
    if let Some(p) = t.strip_suffix('%') {
        let p: f64 = p.trim().parse().map_err(|_| bad())?;
        if !(p > 0.0 && p <= 100.0) {
            return Err(bad());
        }
        let total = machine_memory().unwrap_or(8 << 30) as f64;
        return Ok((total * p / 100.0) as u64);
    }
    let (digits, shift) = match t.chars().last().map(|c| c.to_ascii_uppercase()) {
        Some('K') => (&t[..t.len() - 1], 10),
        Some('M') => (&t[..t.len() - 1], 20),
        Some('G') => (&t[..t.len() - 1], 30),
        Some('T') => (&t[..t.len() - 1], 40),
        _ => (t, 0),
    };
    let n: u64 = digits.trim().parse().map_err(|_| bad())?;
    n.checked_mul(1u64 << shift)
        .filter(|&b| b > 0)
        .ok_or_else(bad)
}

/// The memory budget in bytes and where it comes from (for messages).
pub fn memory_budget() -> (u64, String) {
    let set = BUDGET_OVERRIDE.load(Ordering::Relaxed);
    if set > 0 {
        return (set, "set with --memory-budget".into());
    }
    if let Ok(v) = std::env::var("MARKETLOOP_MEMORY_BUDGET") {
        if let Ok(b) = parse_budget(&v) {
            return (b, format!("MARKETLOOP_MEMORY_BUDGET={v}"));
        }
    }
    match machine_memory() {
        Some(total) => (
            (total as f64 * DEFAULT_BUDGET_FRACTION) as u64,
            format!(
                "{:.0}% of this machine's {}; set MARKETLOOP_MEMORY_BUDGET to change it",
                DEFAULT_BUDGET_FRACTION * 100.0,
                human(u128::from(total))
            ),
        ),
        None => (
            8 << 30,
            "the default when the machine's memory is unknown; set MARKETLOOP_MEMORY_BUDGET to \
             change it"
                .into(),
        ),
    }
}

/// Bytes in human units (`"3.2 TB"`, decimal).
pub fn human(bytes: u128) -> String {
    let units = ["B", "kB", "MB", "GB", "TB", "PB", "EB"];
    let mut x = bytes as f64;
    let mut u = 0;
    while x >= 1000.0 && u + 1 < units.len() {
        x /= 1000.0;
        u += 1;
    }
    if u == 0 {
        format!("{bytes} B")
    } else {
        format!("{x:.1} {}", units[u])
    }
}

/// `field = value` must not exceed `max`: an error naming the field, the value and the maximum.
pub fn at_most(field: &str, value: u64, max: u64) -> Result<(), IoError> {
    if value > max {
        return Err(IoError::spec(
            field,
            format!("{field} = {value} is above the maximum {max}"),
        ));
    }
    Ok(())
}

/// An estimate of the memory a run needs: named parts, each blamed on the spec field that
/// sizes it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Footprint {
    parts: Vec<(String, String, u128)>,
}

impl Footprint {
    /// An empty estimate.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `count` values of `each` bytes for `what`, sized by `field`.
    pub fn add(&mut self, field: &str, what: &str, count: u128, each: u128) -> &mut Self {
        self.parts
            .push((field.into(), what.into(), count.saturating_mul(each)));
        self
    }

    /// Adds every part of `other` (parts of the same field and meaning are summed, so the
    /// estimate of many cells stays small).
    pub fn extend(&mut self, other: Footprint) -> &mut Self {
        for (field, what, bytes) in other.parts {
            match self.parts.iter_mut().find(|p| p.0 == field && p.1 == what) {
                Some(p) => p.2 = p.2.saturating_add(bytes),
                None => self.parts.push((field, what, bytes)),
            }
        }
        self
    }

    /// The estimated bytes.
    pub fn total(&self) -> u128 {
        self.parts.iter().fold(0u128, |a, p| a.saturating_add(p.2))
    }

    /// Checks the estimate against the budget: above it, an error naming the field of the
    /// largest part, the estimate and the budget.
    pub fn check(&self) -> Result<(), IoError> {
        let (budget, source) = memory_budget();
        self.check_against(budget, &source)
    }

    /// [`check`](Self::check) against an explicit budget (`source` says where it comes from).
    pub fn check_against(&self, budget: u64, source: &str) -> Result<(), IoError> {
        let total = self.total();
        if total <= u128::from(budget) {
            return Ok(());
        }
        let Some((field, what, bytes)) = self.parts.iter().max_by_key(|p| p.2) else {
            return Ok(());
        };
        Err(IoError::spec(
            field.as_str(),
            format!(
                "this run needs about {} of memory ({what}: {}), above the memory \
                 budget of {} ({source}); ask for less",
                human(total),
                human(*bytes),
                human(u128::from(budget)),
            ),
        ))
    }
}

/// `a * b` in `u128`, saturating (estimates only).
pub fn mul(a: impl Into<u128>, b: impl Into<u128>) -> u128 {
    a.into().saturating_mul(b.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budgets_parse_with_units_and_percentages() {
        assert_eq!(parse_budget("1024").unwrap(), 1024);
        assert_eq!(parse_budget("2G").unwrap(), 2 << 30);
        assert_eq!(parse_budget("3 m").unwrap(), 3 << 20);
        assert!(parse_budget("50%").unwrap() > 0);
        for bad in ["", "x", "0", "-1", "150%", "99999999999T"] {
            assert!(parse_budget(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_largest_part_is_named_with_the_estimate() {
        let mut f = Footprint::new();
        f.add("runs", "trajectories", 4_000_000_000_000, 24)
            .add("items", "state", 10, 8);
        let e = f.check_against(1 << 30, "test").unwrap_err();
        assert_eq!(e.field().as_deref(), Some("runs"));
        let m = e.to_string();
        assert!(m.contains("96.0 TB") && m.contains("1.1 GB"), "{m}");
        assert!(Footprint::new().check_against(1, "test").is_ok());
        f.add("x", "huge", u128::MAX, 2);
        assert_eq!(f.total(), u128::MAX);
    }

    #[test]
    fn maxima_name_the_field() {
        let e = at_most("k", 1 << 40, MAX_ARMS).unwrap_err();
        assert_eq!(e.field().as_deref(), Some("k"));
        assert!(e
            .to_string()
            .contains("k = 1099511627776 is above the maximum 1048576"));
        assert!(at_most("k", 10, MAX_ARMS).is_ok());
    }
}
