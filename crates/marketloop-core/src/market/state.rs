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

    /// d^r / 2^shift. With `shift = 0` exactly [`apply`](Self::apply) (every market whose
    /// powers stay below [`POW_HIGH`] keeps its bits); otherwise computed in the log domain,
    /// because d^r itself may overflow (relative error about |r log2 d| * 2^-52, far below
    /// any sampling error).
    #[inline]
    fn apply_scaled(self, d: u64, shift: i32) -> f64 {
        if shift == 0 {
            self.apply(d)
        } else {
            self.apply_shifted(d, shift)
        }
    }

    /// [`apply_scaled`](Self::apply_scaled) once the powers have been rescaled. Out of line
    /// and cold on purpose: inlined, the compiler hoisted the `log2` above the `shift == 0`
    /// test, so every purchase paid for a logarithm it then threw away (callgrind: 53
    /// instructions per purchase, 2.5% of a Figure 2 run).
    #[cold]
    #[inline(never)]
    fn apply_shifted(self, d: u64, shift: i32) -> f64 {
        match self {
            PowKind::Other(r) => (r * (d as f64).log2() - f64::from(shift)).exp2(),
            // r <= 1: d^r <= 2^64 never needs a shift.
            _ => self.apply(d) * (-f64::from(shift)).exp2(),
        }
    }
}

/// The largest cached power d^r / 2^shift before the powers of that exponent are rescaled
/// (relative to the largest, which becomes about 1): with visibility and position factors
/// at most 2^300 as well (see `Market::sampling_visibility`), every trial weight is at most
/// 2^900 and a sum over 2^32 items stays finite.
pub(crate) const POW_HIGH: f64 = 2e90; // about 2^300

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
    /// Per distinct exponent: the cached powers are d^r / 2^shift (0 unless they would be too
    /// large: see [`POW_HIGH`]).
    shift: Vec<i32>,
    /// How many times the cached powers were rescaled (a sampler holding weights built from
    /// them rebuilds when this changes).
    epoch: u64,
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
            shift: vec![0; pow_kind.len()],
            pow_kind,
            pow,
            epoch: 0,
        };
        for k in 0..s.pow_kind.len() {
            if s.pow[k].iter().any(|&g| g > POW_HIGH || g.is_nan()) {
                s.rescale(k);
            }
        }
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
        for k in 0..self.pow_kind.len() {
            let g = self.pow_kind[k].apply_scaled(c1, self.shift[k]);
            self.pow[k][j] = g;
            if g > POW_HIGH || g.is_nan() {
                self.rescale(k);
            }
        }
    }

    /// Rescales the cached powers of the k-th exponent relative to the largest count, so the
    /// largest becomes about 1 (exact trial probabilities: they do not depend on a common
    /// factor). Happens at most a few times per run (each multiplies the scale by >= 2^300).
    #[cold]
    fn rescale(&mut self, k: usize) {
        let kind = self.pow_kind[k];
        let top = self.counts.iter().copied().max().unwrap_or(1);
        let PowKind::Other(r) = kind else {
            return;
        };
        self.shift[k] = (r * (top as f64).log2()).floor() as i32;
        let shift = self.shift[k];
        for (g, &d) in self.pow[k].iter_mut().zip(&self.counts) {
            *g = kind.apply_scaled(d, shift);
        }
        self.epoch += 1;
    }

    /// How many times the cached powers ([`powers`](Self::powers)) were rescaled; a sampler
    /// that holds weights built from them must rebuild them when this changes.
    pub fn epoch(&self) -> u64 {
        self.epoch
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

    /// d_j^r for the k-th distinct exponent of the market, up to a common power-of-two factor
    /// when d^r would be too large to hold (see [`epoch`](Self::epoch)).
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
