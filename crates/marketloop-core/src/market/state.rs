//! The state of one running replicate: purchase counts d_j (initial counts included), the running
//! totals behind every measurement (arrivals, purchases, idle users, trials per item, D = sum d
//! and S = sum d ln d as a compensated sum, so the entropy ln D - S / D is O(1)), and d_j^r cached
//! for each distinct feedback exponent (sqrt for r = 0.5), refreshed on purchase, for choice
//! rules that weigh popularity.

use super::error::MarketError;
use super::model::{check_initial_counts, Market};

#[derive(Clone, Copy, Debug, PartialEq)]
enum PowKind {
    Zero,
    Half,
    One,
    Other(f64),
}

impl PowKind {
    fn of(r: f64) -> Self {
        if r == 0.0 {
            PowKind::Zero
        } else if r == 0.5 {
            PowKind::Half
        } else if r == 1.0 {
            PowKind::One
        } else {
            PowKind::Other(r)
        }
    }

    #[inline]
    fn apply(self, d: u64) -> f64 {
        let x = d as f64;
        match self {
            PowKind::Zero => 1.0,
            PowKind::Half => x.sqrt(),
            PowKind::One => x,
            PowKind::Other(r) => x.powf(r),
        }
    }
}

/// Purchase counts and the running totals behind every measurement.
#[derive(Clone, Debug)]
pub struct CountState {
    counts: Vec<u64>,
    total: u64,
    dlnd: Vec<f64>,
    s_sum: f64,
    s_comp: f64,
    arrivals: u64,
    purchases: u64,
    idle: u64,
    trials: Vec<u64>,
    pow_kind: Vec<PowKind>,
    pow: Vec<Vec<f64>>,
}

fn xlnx(d: u64) -> f64 {
    let x = d as f64;
    x * x.ln()
}

impl CountState {
    /// The state at the initial counts `counts` (one whole number >= 1 per item).
    pub(crate) fn new(market: &Market, counts: Vec<u64>) -> Result<Self, MarketError> {
        let n = market.n_items();
        check_initial_counts(&counts, n)?;
        let pow_kind: Vec<PowKind> = market
            .distinct_feedback()
            .iter()
            .map(|&r| PowKind::of(r))
            .collect();
        let pow = pow_kind
            .iter()
            .map(|k| counts.iter().map(|&d| k.apply(d)).collect())
            .collect();
        let dlnd: Vec<f64> = counts.iter().map(|&d| xlnx(d)).collect();
        let mut s = Self {
            total: counts.iter().sum(),
            counts,
            dlnd: Vec::new(),
            s_sum: 0.0,
            s_comp: 0.0,
            arrivals: 0,
            purchases: 0,
            idle: 0,
            trials: vec![0; n],
            pow_kind,
            pow,
        };
        for &x in &dlnd {
            s.add_s(x);
        }
        s.dlnd = dlnd;
        Ok(s)
    }

    /// Neumaier-compensated S += x.
    #[inline]
    fn add_s(&mut self, x: f64) {
        let t = self.s_sum + x;
        if self.s_sum.abs() >= x.abs() {
            self.s_comp += (self.s_sum - t) + x;
        } else {
            self.s_comp += (x - t) + self.s_sum;
        }
        self.s_sum = t;
    }

    /// One user arrived and tried `tried` (`None`: nothing, her trial denominator was 0).
    #[inline]
    pub(crate) fn record_trial(&mut self, tried: Option<usize>) {
        self.arrivals += 1;
        match tried {
            None => self.idle += 1,
            Some(j) => self.trials[j] += 1,
        }
    }

    /// Item `j` was bought: d_j += 1 and every running total follows.
    #[inline]
    pub(crate) fn purchase(&mut self, j: usize) {
        let c1 = self.counts[j] + 1;
        self.counts[j] = c1;
        self.total += 1;
        self.purchases += 1;
        let new = xlnx(c1);
        let delta = new - self.dlnd[j];
        self.dlnd[j] = new;
        self.add_s(delta);
        for (kind, pow) in self.pow_kind.iter().zip(self.pow.iter_mut()) {
            pow[j] = kind.apply(c1);
        }
    }

    /// Purchase counts d_j (initial counts included).
    pub fn counts(&self) -> &[u64] {
        &self.counts
    }

    /// D = sum_j d_j.
    pub fn total(&self) -> u64 {
        self.total
    }

    /// Users arrived so far.
    pub fn arrivals(&self) -> u64 {
        self.arrivals
    }

    /// Purchases so far (initial counts excluded).
    pub fn purchases(&self) -> u64 {
        self.purchases
    }

    /// Users who tried nothing (zero trial denominator).
    pub fn idle(&self) -> u64 {
        self.idle
    }

    /// Trials per item so far.
    pub fn trials(&self) -> &[u64] {
        &self.trials
    }

    /// d_j^r for the k-th distinct exponent of the market.
    pub fn powers(&self, k: usize) -> &[f64] {
        &self.pow[k]
    }

    /// Purchases / arrivals so far (0 before the first arrival).
    pub fn efficiency(&self) -> f64 {
        if self.arrivals == 0 {
            0.0
        } else {
            self.purchases as f64 / self.arrivals as f64
        }
    }

    /// Entropy of the shares, ln D - S / D, in O(1) (clamped at 0 against rounding).
    pub fn entropy(&self) -> f64 {
        let d = self.total as f64;
        (d.ln() - (self.s_sum + self.s_comp) / d).max(0.0)
    }

    /// Market shares phi_j = d_j / D (O(n)).
    pub fn shares(&self) -> Vec<f64> {
        let d = self.total as f64;
        self.counts.iter().map(|&c| c as f64 / d).collect()
    }
}
