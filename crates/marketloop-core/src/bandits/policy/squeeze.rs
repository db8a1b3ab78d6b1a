//! Squeezes for the tail thinning's acceptance tests: most tests `w < exp(L)` decided from a
//! second-order bound on L, without the three transcendental functions that L and exp(L)
//! cost.
//!
//! **Why hand-written.** The thinning ([`super::tail_thinning`]) accepts a proposal Y of an
//! envelope of the Beta(a, b) density f with probability exp(L), L = ln f(Y) - ln f(t) plus the
//! envelope's terms, t the bound's threshold. With g(y) = (a - 1) ln y + (b - 1) ln(1 - y) and
//! d = |Y - t|, Taylor's theorem gives L = s d + g''(xi) d^2 / 2 for some xi between t and Y,
//! where s is the envelope's slope gap at t; g'' = -(a - 1) / y^2 - (b - 1) / (1 - y)^2 is
//! monotone in each term, so its extremes on the interval bound L from both sides: lo <= L <= up.
//! Then 1 + lo <= exp(L) accepts and exp(L) <= 1 / (1 - up) (for up < 1) rejects, the classical
//! squeeze (Devroye, "Non-Uniform Random Variate Generation", 1986, II.5; Marsaglia and Tsang's
//! Gamma sampler uses one). Only the undecided w between the two need the exact test.
//!
//! **Same decisions, bit for bit.** The squeeze consumes no random word and decides only with a
//! margin of 1e-8 over the floating-point error of the exact test's L (bounded by 2^-48 times
//! the sum of the magnitudes of its terms, `scale`, and not used when that bound exceeds a
//! quarter of the margin), so every decision it takes is the one the exact test takes: outputs
//! are byte-identical with and without it (tested against the exact test on random inputs).

/// The margin of a squeezed decision over the exact test's rounding.
const MARGIN: f64 = 1e-8;
/// The exact test's floating-point error per unit of `scale`: 2^-48 = 32 units of roundoff
/// (the error is a few units per unit of scale when ln, ln_1p and exp are within a few ulps, as
/// glibc's are), and the margin is 4 times the largest error the gate lets through.
const ERROR_PER_SCALE: f64 = 1.0 / 281_474_976_710_656.0; // 2^-48

/// (1 / x, 1 / (1 - x)) from one division (each within a few ulps: the bounds are only
/// compared with the margin).
#[inline]
fn reciprocals(x: f64) -> (f64, f64) {
    let q = 1.0 / (x * (1.0 - x));
    ((1.0 - x) * q, x * q)
}

/// The least and largest value of a term -c / x^2 of g'' for x between two points given by
/// their reciprocals: the term is monotone in x, so its extremes are its values at the ends.
#[inline]
fn term_range(c: f64, inv_p: f64, inv_q: f64) -> (f64, f64) {
    let (u, v) = (-c * inv_p * inv_p, -c * inv_q * inv_q);
    (u.min(v), u.max(v))
}

/// Taylor's bounds (lo, up) on L = s d + g''(xi) d^2 / 2 + gap for xi between t and y (d their
/// distance), g'' = -a1 / x^2 - b1 / (1 - x)^2 taken at its extremes over the interval; `at_t`
/// and `at_y` are (1 / x, 1 / (1 - x)) at either end.
#[inline]
fn taylor(
    s: f64,
    d: f64,
    a1: f64,
    b1: f64,
    at_t: (f64, f64),
    at_y: (f64, f64),
    gap: f64,
) -> (f64, f64) {
    let a = term_range(a1, at_t.0, at_y.0);
    let b = term_range(b1, at_t.1, at_y.1);
    let half_d2 = 0.5 * d * d;
    (
        s * d + (a.0 + b.0) * half_d2 + gap,
        s * d + (a.1 + b.1) * half_d2 + gap,
    )
}

/// Bounds lo <= L <= up on an acceptance test's log-ratio L, and the sum of the magnitudes of
/// the terms of the exact L (which bounds its rounding error).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct Bounds {
    lo: f64,
    up: f64,
    scale: f64,
}

impl Bounds {
    /// The decision of the exact test `w < exp(L)` when the bounds settle it with the margin,
    /// else None (NaN bounds never decide).
    #[inline]
    pub(super) fn decide(self, w: f64) -> Option<bool> {
        // A NaN scale fails the test too.
        let trusted = self.scale * ERROR_PER_SCALE <= 0.25 * MARGIN;
        if !trusted {
            return None;
        }
        if w < 1.0 + self.lo - MARGIN {
            return Some(true);
        }
        if self.up < 1.0 && w >= 1.0 / (1.0 - self.up) + MARGIN {
            return Some(false);
        }
        None
    }

    /// The upper tail: proposal `y` in (t, 1) of the envelope at `t` (`ln_t` = ln t and
    /// `ln_1t` = ln(1 - t) as the exact test uses them) for Beta(a, b) with b >= 1. The exact L
    /// is (a - 1)(ln y - ln t) + (b - 1)(ln(1 - y) - ln(1 - t)) + rate (y - t) + gap, with `rate`
    /// the exponential envelope's rate (0 for the constant envelope). The caller's contract,
    /// as [`UpperBound`](super::tail_thinning) keeps it: b >= 1, and a positive `rate` with
    /// a >= 1 is the tangent's rate computed as (b - 1) / (1 - t) - (a - 1) / t (the slope gap
    /// is then taken as 0, its rounding being within `scale`).
    #[inline]
    #[allow(clippy::too_many_arguments)]
    pub(super) fn upper_tail(
        a: f64,
        b: f64,
        t: f64,
        ln_t: f64,
        ln_1t: f64,
        y: f64,
        rate: f64,
        gap: f64,
    ) -> Self {
        debug_assert!(b >= 1.0, "the upper tail's squeeze needs b >= 1, got {b}");
        let d = y - t;
        let (inv_t, inv_1t) = reciprocals(t);
        let (inv_y, inv_1y) = reciprocals(y);
        let (a1, b1) = (a - 1.0, b - 1.0);
        // The slope gap s = g'(t) + rate: exactly 0 for the tangent envelope (a >= 1, rate > 0).
        let s = if rate > 0.0 && a1 >= 0.0 {
            0.0
        } else {
            a1 * inv_t - b1 * inv_1t + rate
        };
        let (lo, up) = taylor(s, d, a1, b1, (inv_t, inv_1t), (inv_y, inv_1y), gap);
        // The exact L's terms (|ln y| <= |ln t|, |ln(1 - y)| <= |ln(1 - t)| + d / (1 - y)) and
        // those of the slope gap s.
        let scale = a1.abs() * (2.0 * ln_t.abs() + d * inv_t)
            + b1 * (2.0 * ln_1t.abs() + d * (inv_1y + inv_1t))
            + rate
            + gap.abs()
            + lo.abs()
            + up.abs();
        Bounds { lo, up, scale }
    }

    /// The lower tail: proposal `y` in (0, t) of the envelope f(t) exp(rate (y - t)) for
    /// Beta(a, b) with a >= 1 (`inv_t` = 1 / t and `inv_1t` = 1 / (1 - t), `ln_t`, `ln_1t` as
    /// the exact test uses them). The exact L is (a - 1)(ln y - ln t) + (b - 1)(ln(1 - y) -
    /// ln(1 - t)) - rate (y - t). The caller's contract, as the leader's lower bound keeps it:
    /// a >= 1 and `rate` at most the slope (a - 1) / t - max(b - 1, 0) / (1 - t).
    #[inline]
    #[allow(clippy::too_many_arguments)]
    pub(super) fn lower_tail(
        a: f64,
        b: f64,
        t: f64,
        inv_t: f64,
        inv_1t: f64,
        ln_t: f64,
        ln_1t: f64,
        y: f64,
        rate: f64,
    ) -> Self {
        debug_assert!(a >= 1.0, "the lower tail's squeeze needs a >= 1, got {a}");
        let d = t - y;
        let (inv_y, inv_1y) = reciprocals(y);
        let (a1, b1) = (a - 1.0, b - 1.0);
        // L = (rate - g'(t)) d + g''(xi) d^2 / 2, xi in (y, t).
        let s = rate - (a1 * inv_t - b1 * inv_1t);
        let (lo, up) = taylor(s, d, a1, b1, (inv_t, inv_1t), (inv_y, inv_1y), 0.0);
        // The exact L's terms (|ln y| <= |ln t| + d / y, |ln(1 - y)| <= |ln(1 - t)|) and those
        // of the slope gap s.
        let scale = a1 * (2.0 * ln_t.abs() + d * (inv_y + inv_t))
            + b1.abs() * (2.0 * ln_1t.abs() + d * inv_1t)
            + rate * (t + d)
            + lo.abs()
            + up.abs();
        Bounds { lo, up, scale }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tail_thinning::ln_density_ratio;
    use super::*;
    use crate::rng::SeedSequence;
    use rand::Rng;
    use rand_distr::Exp1;

    /// Random Beta posteriors as games make them: (a, b) from the prior 0.6 or 1 plus counts
    /// from 0 to 10^4.
    fn posterior<R: Rng>(rng: &mut R) -> (f64, f64) {
        let prior = if rng.random::<bool>() { 0.6 } else { 1.0 };
        let n = 10f64.powf(rng.random_range(0.0..4.0)).floor();
        let s = (n * rng.random::<f64>()).floor();
        (prior + s, prior + n - s)
    }

    /// Checks `bounds` against the exact L: lo <= L <= up up to rounding, and a squeezed
    /// decision for `w` equal to the exact test's. Whether it decided.
    fn agrees(bounds: Bounds, l: f64, w: f64) -> bool {
        let slack = 1e-9 * (1.0 + bounds.scale);
        assert!(
            bounds.lo <= l + slack && l <= bounds.up + slack,
            "{bounds:?} {l}"
        );
        let decided = bounds.decide(w);
        if let Some(accept) = decided {
            assert_eq!(accept, w < l.exp(), "{bounds:?} L {l} w {w}");
        }
        decided.is_some()
    }

    #[test]
    fn squeezed_decisions_are_the_exact_tests_decisions() {
        // Upper and lower tails over 200,000 random draws (about 175,000 and 145,000 tests):
        // every decision the squeeze takes equals the exact test's, the bounds hold
        // (lo <= L <= up up to rounding), and the squeeze decides most tests (else it would be
        // a slowdown).
        let mut rng = SeedSequence::new(41).exploration_stream(0, 0);
        let n = 200_000;
        let (mut decided_up, mut decided_lo, mut tried_up, mut tried_lo) = (0, 0, 0, 0);
        for _ in 0..n {
            let (a, b) = posterior(&mut rng);
            let mean = a / (a + b);
            let sd = (a * b / ((a + b) * (a + b) * (a + b + 1.0))).sqrt();
            let k: f64 = rng.random_range(0.0..4.0);
            let w: f64 = rng.random();
            // The upper tail at t = mean + k sd (b >= 1), tangent or constant envelope.
            let t = mean + k * sd;
            if b >= 1.0 && t > 0.0 && t < 1.0 {
                let (ln_t, ln_1t) = (t.ln(), (-t).ln_1p());
                let lambda = (b - 1.0) / (1.0 - t) - (a - 1.0).max(0.0) / t;
                let rate = if lambda * (1.0 - t) > 1.0 {
                    lambda
                } else {
                    0.0
                };
                if lambda >= 0.0 {
                    let y = if rate > 0.0 {
                        t + rng.sample::<f64, _>(Exp1) / rate
                    } else {
                        t + (1.0 - t) * rng.random::<f64>()
                    };
                    let gap = -1e-6 * rng.random::<f64>();
                    if y < 1.0 {
                        tried_up += 1;
                        let l = ln_density_ratio(a, b, y, ln_t, ln_1t) + rate * (y - t) + gap;
                        let bounds = Bounds::upper_tail(a, b, t, ln_t, ln_1t, y, rate, gap);
                        decided_up += usize::from(agrees(bounds, l, w));
                    }
                }
            }
            // The lower tail at t = mean - 3 sd (a >= 1), rate at most the slope there.
            let t = mean - 3.0 * sd;
            let slope = (a - 1.0) / t - (b - 1.0).max(0.0) / (1.0 - t);
            if a >= 1.0 && t > 0.0 && slope > 0.0 {
                let rate = slope * rng.random_range(0.5..1.0);
                let y = t - rng.sample::<f64, _>(Exp1) / rate;
                if y > 0.0 {
                    tried_lo += 1;
                    let (ln_t, ln_1t) = (t.ln(), (-t).ln_1p());
                    let l = ln_density_ratio(a, b, y, ln_t, ln_1t) - rate * (y - t);
                    let (inv_t, inv_1t) = (1.0 / t, 1.0 / (1.0 - t));
                    let bounds = Bounds::lower_tail(a, b, t, inv_t, inv_1t, ln_t, ln_1t, y, rate);
                    decided_lo += usize::from(agrees(bounds, l, w));
                }
            }
        }
        assert!(
            tried_up > n / 4 && tried_lo > n / 4,
            "{tried_up} {tried_lo}"
        );
        assert!(
            decided_up * 2 > tried_up && decided_lo * 2 > tried_lo,
            "upper {decided_up} of {tried_up}, lower {decided_lo} of {tried_lo}"
        );
    }

    #[test]
    fn no_decision_without_a_trustworthy_scale() {
        let b = Bounds {
            lo: -0.1,
            up: -0.05,
            scale: f64::NAN,
        };
        assert_eq!(b.decide(0.0), None);
        let b = Bounds { scale: 1e12, ..b };
        assert_eq!(b.decide(0.0), None);
        let b = Bounds { scale: 1.0, ..b };
        assert_eq!(b.decide(0.5), Some(true));
        assert_eq!(b.decide(0.99), Some(false));
        assert_eq!(b.decide(0.92), None);
    }
}
