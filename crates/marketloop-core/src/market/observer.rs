//! Measurements as observers (Mesa's `DataCollector`, argmin's observers): an [`Observer`] is
//! called by a [`Run`](crate::market::Run) at each measurement step (every K steps and after
//! the last), sees the state, and writes named values; the run collects them into the named
//! columns of an [`Observations`] table (one row per measurement). The built-in measurements —
//! [`Efficiency`], [`Entropy`] and [`Shares`] — are ordinary observers; [`FnObserver`] makes
//! one from a closure.
//!
//! Observers cost nothing between measurements: a run steps straight to the next measurement
//! step and calls them there (through `dyn`, once per measurement, never per step).

use super::model::Market;
use super::state::CountState;

/// What an observer sees at a measurement.
#[derive(Clone, Copy, Debug)]
pub struct RunView<'a> {
    /// The market.
    pub market: &'a Market,
    /// Counts, shares (via [`CountState::shares`]), purchases, trials, idle users.
    pub state: &'a CountState,
    /// Users arrived so far.
    pub step: u64,
    /// The replicate index.
    pub replicate: u64,
}

/// A measurement of a running market, called every K steps.
pub trait Observer {
    /// The names of the values it writes, in order (asked once, when the run is started). They
    /// become column names, so they should be unique within a run.
    fn names(&self, market: &Market) -> Vec<String>;

    /// Writes one value per name into `out` (exactly `names().len()` entries, in that order).
    fn observe(&mut self, view: &RunView<'_>, out: &mut [f64]);
}

/// Purchases / arrivals so far (column `efficiency`).
#[derive(Clone, Copy, Debug, Default)]
pub struct Efficiency;

impl Observer for Efficiency {
    fn names(&self, _market: &Market) -> Vec<String> {
        vec!["efficiency".into()]
    }

    fn observe(&mut self, view: &RunView<'_>, out: &mut [f64]) {
        out[0] = view.state.efficiency();
    }
}

/// Entropy of the market shares in nats (column `entropy`; O(1)).
#[derive(Clone, Copy, Debug, Default)]
pub struct Entropy;

impl Observer for Entropy {
    fn names(&self, _market: &Market) -> Vec<String> {
        vec!["entropy".into()]
    }

    fn observe(&mut self, view: &RunView<'_>, out: &mut [f64]) {
        out[0] = view.state.entropy();
    }
}

/// The market shares phi_j = d_j / D (columns `share_0` .. `share_{n-1}`).
#[derive(Clone, Copy, Debug, Default)]
pub struct Shares;

impl Observer for Shares {
    fn names(&self, market: &Market) -> Vec<String> {
        (0..market.n_items())
            .map(|j| format!("share_{j}"))
            .collect()
    }

    fn observe(&mut self, view: &RunView<'_>, out: &mut [f64]) {
        let d = view.state.total() as f64;
        for (o, &c) in out.iter_mut().zip(view.state.counts()) {
            *o = c as f64 / d;
        }
    }
}

/// An observer from column names and a closure `f(view, out)`.
#[derive(Clone, Debug)]
pub struct FnObserver<F> {
    names: Vec<String>,
    f: F,
}

impl<F: FnMut(&RunView<'_>, &mut [f64])> FnObserver<F> {
    /// Values named `names`, written by `f`.
    pub fn new<S: Into<String>>(names: impl IntoIterator<Item = S>, f: F) -> Self {
        Self {
            names: names.into_iter().map(Into::into).collect(),
            f,
        }
    }
}

impl<F: FnMut(&RunView<'_>, &mut [f64])> Observer for FnObserver<F> {
    fn names(&self, _market: &Market) -> Vec<String> {
        self.names.clone()
    }

    fn observe(&mut self, view: &RunView<'_>, out: &mut [f64]) {
        (self.f)(view, out)
    }
}

/// The values collected by a run's observers: one row per measurement step, one column per name.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Observations {
    names: Vec<String>,
    steps: Vec<u64>,
    /// Row-major rows x names.
    values: Vec<f64>,
}

impl Observations {
    /// Reserves room for `rows` more rows.
    pub(crate) fn reserve(&mut self, rows: usize) {
        self.steps.reserve(rows);
        self.values.reserve(rows * self.names.len());
    }

    /// Appends the columns `names` (only while the table is empty).
    pub(crate) fn add_columns(&mut self, names: Vec<String>) {
        debug_assert!(self.steps.is_empty());
        self.names.extend(names);
    }

    /// Appends a row of zeros at `step` and returns it to be filled.
    pub(crate) fn push_row(&mut self, step: u64) -> &mut [f64] {
        let w = self.names.len();
        self.steps.push(step);
        let start = self.values.len();
        self.values.resize(start + w, 0.0);
        &mut self.values[start..]
    }

    /// The column names.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// The measurement steps (users arrived), one per row.
    pub fn steps(&self) -> &[u64] {
        &self.steps
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.steps.len()
    }

    /// Whether no measurement was taken yet.
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }

    /// Row `k` (one value per name).
    pub fn row(&self, k: usize) -> &[f64] {
        let w = self.names.len();
        &self.values[k * w..(k + 1) * w]
    }

    /// The index of column `name`.
    pub fn position(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|n| n == name)
    }

    /// Column `name`, one value per row, or `None` if no observer wrote it.
    pub fn column(&self, name: &str) -> Option<Vec<f64>> {
        let c = self.position(name)?;
        Some((0..self.len()).map(|k| self.row(k)[c]).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_and_columns() {
        let mut t = Observations::default();
        t.add_columns(vec!["a".into()]);
        t.add_columns(vec!["b".into(), "c".into()]);
        t.reserve(2);
        t.push_row(10).copy_from_slice(&[1.0, 2.0, 3.0]);
        t.push_row(20).copy_from_slice(&[4.0, 5.0, 6.0]);
        assert_eq!(t.len(), 2);
        assert_eq!(t.steps(), &[10, 20]);
        assert_eq!(t.row(1), &[4.0, 5.0, 6.0]);
        assert_eq!(t.column("b"), Some(vec![2.0, 5.0]));
        assert_eq!(t.column("z"), None);
    }
}
