//! Thompson sampling's cheap exact answer to "does this arm's Beta draw beat the running
//! maximum m, and by how much?": Bernoulli thinning against a bound on the Beta upper tail
//! ([`TailBounds::beat`]).
//!
//! **Why hand-written.** Thompson sampling draws every arm every round, but only the draws that
//! exceed the running maximum decide the argmax. Take an arm whose Beta(a, b) density f is
//! decreasing on (tau, 1) (b >= 1 and tau at or above the mode) and an envelope h >= f on
//! (tau, 1) of mass B >= P(theta > tau). For any running maximum m >= tau the draw is then
//! decided by one exponential variate and a comparison, instead of two Gamma variates:
//!
//! 1. with probability 1 - B, theta <= tau <= m: the arm cannot win and its value is never
//!    needed;
//! 2. otherwise Y ~ h / B is proposed and accepted as theta with probability f(Y) / h(Y)
//!    (else theta <= tau); an accepted Y beats m when Y > m.
//!
//! P(theta in dy, theta > tau) = B (h(y) / B) (f(y) / h(y)) dy = f(y) dy: the law of the pair
//! (whether theta > m, theta on that event) is exactly the Beta law, which is all the argmax
//! and the running maximum depend on. This is the classical thinning / rejection construction
//! (Devroye, "Non-Uniform Random Variate Generation", 1986, II.3). The envelope is the constant
//! f(tau) on (tau, 1), or, when a, b >= 1 (ln f concave) and it is smaller, the tangent
//! exponential f(tau) exp(-lambda (y - tau)), lambda = -(ln f)'(tau): B = f(tau) / lambda.
//!
//! **The leader's lower tail.** The same construction on (0, sigma) bounds P(theta < sigma)
//! for the leader of a round (a >= 1): the envelope f(sigma) exp(rate (y - sigma)), rate at
//! most (a - 1) / sigma - max(b - 1, 0) / (1 - sigma) (tangents of the concave parts, the value
//! at sigma of the increasing convex part), mass B = f(sigma) / rate. sigma is taken three
//! posterior standard deviations below the leader's mean and kept while B stays in
//! [1e-5, 0.3]; through the leader's pulls f(sigma) is updated by one multiplication and the
//! rate lowered when the slope falls, so a round costs one uniform for the leader.
//!
//! tau is the running maximum at which the arm was tested first since its posterior last
//! changed, or a lower one later, so the logarithms behind B are taken about once per change
//! of the arm's posterior, not once per round. ln B(a, b), the density's normaliser, is kept as
//! a logarithm divided by a running product of the factors (a + b) / a or (a + b) / b of each
//! pull (B(a + 1, b) = B(a, b) a / (a + b)), whose logarithm is taken only when a bound is, and
//! recomputed from `ln_gamma` every [`TailBounds::REFRESH`] pulls of an arm. Its error stays
//! near 1e-13 |ln B|, and the thinned law is the Beta law to that relative error (as for any
//! floating-point sampler). A user who needs every arm's draw uses `ArgmaxTie::Random`, where
//! Thompson sampling draws all of them.

use super::special::ln_gamma;
use super::squeeze::Bounds;
use rand::Rng;
use rand_distr::Exp1;

/// ln B(a, b) = ln Gamma(a) + ln Gamma(b) - ln Gamma(a + b), computed afresh.
pub(crate) fn ln_beta(a: f64, b: f64) -> f64 {
    ln_gamma(a) + ln_gamma(b) - ln_gamma(a + b)
}

/// ln(f(y) / f(t)) for the Beta(a, b) density f, from ln t and ln(1 - t): the acceptance
/// ratio of both tails' envelopes before their own terms.
#[inline]
pub(super) fn ln_density_ratio(a: f64, b: f64, y: f64, ln_t: f64, ln_1t: f64) -> f64 {
    (a - 1.0) * (y.ln() - ln_t) + (b - 1.0) * ((-y).ln_1p() - ln_1t)
}

/// One arm: its normaliser ln B(a, b) = `ln_base` - ln(`grow`), its upper-tail bound at tau
/// and its lower-tail bound at sigma.
#[derive(Clone, Copy, Debug)]
struct ArmTail {
    ln_base: f64,
    grow: f64,
    /// Pulls since ln B was computed afresh.
    since_fresh: u32,
    /// The upper-tail bound.
    upper: UpperBound,
    /// The lower-tail bound: NaN while there is none.
    sigma: f64,
    ln_sigma: f64,
    ln_1sigma: f64,
    /// 1 / sigma and 1 / (1 - sigma).
    inv_sigma: f64,
    inv_1sigma: f64,
    /// f(sigma), kept up to date through pulls by one multiplication each.
    f_sigma: f64,
    /// The envelope's rate going left from sigma (at most -(ln f)'(sigma) of the posterior).
    rate_lo: f64,
    /// Pulls to wait before trying a lower bound again after one was refused.
    lower_wait: u32,
}

/// An upper-tail bound of one Beta(a, b) posterior at a threshold tau (see the module docs),
/// for any running maximum m >= tau, until the posterior changes ([`UpperBound::forget`]).
#[derive(Clone, Copy, Debug)]
pub(crate) struct UpperBound {
    /// NaN while there is no bound.
    tau: f64,
    ln_tau: f64,
    ln_1tau: f64,
    /// The pass test: a uniform u64 below `pass` (probability B' = pass / 2^64 >= B, the
    /// envelope's mass B rounded up); 0 when the bound is refused (B too large or no bound).
    pass: u64,
    /// ln(B / B') <= 0: scales the envelope to the mass B' that the pass test uses.
    ln_pass_gap: f64,
    /// The exponential envelope's rate; 0 for the constant envelope.
    rate: f64,
}

/// Every arm's normaliser and tail bounds (see the module docs).
#[derive(Clone, Debug)]
pub(super) struct TailBounds {
    arms: Vec<ArmTail>,
}

/// The outcome of [`TailBounds::beat`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Beat {
    /// The arm's draw is at most its tau ([`UpperBound::tau`], at most m).
    Below,
    /// The arm's draw, which exceeds its tau (compare it with m).
    Value(f64),
    /// The bound does not apply (or would rarely save a draw): draw the arm in full.
    DrawInFull,
}

impl TailBounds {
    /// Pulls of an arm between two fresh computations of its ln B(a, b).
    pub(super) const REFRESH: u32 = 256;
    /// The running product is folded into the logarithm above this (long before overflow).
    const MAX_GROW: f64 = 1e200;
    /// A leader's sigma sits this many posterior standard deviations below its mean.
    const SIGMA_SDS: f64 = 3.0;
    /// A leader's lower bound B is taken again when it leaves this range (too loose, or so
    /// tight that sigma could move up and tighten the other arms' bounds).
    const LOWER_RANGE: (f64, f64) = (1e-5, 0.3);

    /// `k` arms, all at Beta(a, b), none with a bound yet.
    pub(super) fn new(k: usize, a: f64, b: f64) -> Self {
        let arm = ArmTail {
            ln_base: ln_beta(a, b),
            grow: 1.0,
            since_fresh: 0,
            upper: UpperBound::NONE,
            sigma: f64::NAN,
            ln_sigma: 0.0,
            ln_1sigma: 0.0,
            inv_sigma: 0.0,
            inv_1sigma: 0.0,
            f_sigma: 0.0,
            rate_lo: 0.0,
            lower_wait: 0,
        };
        TailBounds { arms: vec![arm; k] }
    }

    /// `arm` went from Beta(a, b) to Beta(a + reward, b + 1 - reward): its upper bound no
    /// longer holds, its normaliser and its lower bound take the pull's factor.
    #[inline]
    pub(super) fn update(&mut self, arm: usize, a: f64, b: f64, reward: f64) {
        let t = &mut self.arms[arm];
        t.upper.forget();
        t.lower_wait = t.lower_wait.saturating_sub(1);
        t.since_fresh += 1;
        let whole = reward == 0.0 || reward == 1.0;
        // B(a + 1, b) = B(a, b) a / (a + b) and B(a, b + 1) = B(a, b) b / (a + b): the pull's
        // factor, inverted (one division serves the normaliser and f(sigma)).
        let inv = (a + b) / if reward == 1.0 { a } else { b };
        if t.since_fresh >= Self::REFRESH || !whole {
            t.since_fresh = 0;
            t.ln_base = ln_beta(a + reward, b + 1.0 - reward);
            t.grow = 1.0;
        } else {
            t.grow *= inv;
            if t.grow > Self::MAX_GROW {
                t.ln_base -= t.grow.ln();
                t.grow = 1.0;
            }
        }
        if t.sigma.is_nan() {
            return;
        }
        if !whole {
            t.sigma = f64::NAN;
            return;
        }
        // f(sigma) = sigma^(a-1) (1-sigma)^(b-1) / B(a, b) gains sigma (a + b) / a on a success
        // and (1 - sigma) (a + b) / b on a failure.
        let (a1, b1) = (a + reward, b + 1.0 - reward);
        t.f_sigma *= inv
            * if reward == 1.0 {
                t.sigma
            } else {
                1.0 - t.sigma
            };
        // The envelope stays valid with any rate up to the new -(ln f)'(sigma) (module docs).
        let slope = (a1 - 1.0) * t.inv_sigma - (b1 - 1.0).max(0.0) * t.inv_1sigma;
        t.rate_lo = t.rate_lo.min(slope);
        if !(a1 >= 1.0 && t.rate_lo > 0.0) {
            t.sigma = f64::NAN;
        }
    }

    /// The arm's tau: after [`Beat::Below`], its draw is at most this.
    #[inline]
    pub(super) fn tau(&self, arm: usize) -> f64 {
        self.arms[arm].upper.tau()
    }

    /// The current ln B(a, b) = `ln_base` - ln(`grow`), the running product folded in.
    fn ln_beta_now(ln_base: &mut f64, grow: &mut f64) -> f64 {
        if *grow != 1.0 {
            *ln_base -= grow.ln();
            *grow = 1.0;
        }
        *ln_base
    }

    /// A leader's threshold sigma with P(theta < sigma) <= 0.3 bounded by an envelope (taken
    /// again when needed), or None when `arm`'s Beta(a, b) has none: a < 1 (the density is
    /// unbounded at 0) or the bound would be loose. Draws nothing.
    #[inline]
    pub(super) fn leader_sigma(&mut self, arm: usize, a: f64, b: f64) -> Option<f64> {
        let t = &mut self.arms[arm];
        let (lo, hi) = Self::LOWER_RANGE;
        let held = !t.sigma.is_nan() && t.f_sigma >= lo * t.rate_lo && t.f_sigma <= hi * t.rate_lo;
        if !held && (t.lower_wait > 0 || !Self::take_lower_bound(t, a, b)) {
            return None;
        }
        Some(t.sigma)
    }

    /// The lower bound at sigma = mean - 3 sd; false (and a wait of a few pulls) when refused.
    fn take_lower_bound(t: &mut ArmTail, a: f64, b: f64) -> bool {
        t.sigma = f64::NAN;
        let n = a + b;
        let sigma = a / n - Self::SIGMA_SDS * (a * b / (n * n * (n + 1.0))).sqrt();
        let rate = (a - 1.0) / sigma - (b - 1.0).max(0.0) / (1.0 - sigma);
        if !(a >= 1.0 && sigma > 0.0 && rate > 0.0) {
            t.lower_wait = 8;
            return false;
        }
        let (ln_sigma, ln_1sigma) = (sigma.ln(), (-sigma).ln_1p());
        let f_sigma = ((a - 1.0) * ln_sigma + (b - 1.0) * ln_1sigma
            - Self::ln_beta_now(&mut t.ln_base, &mut t.grow))
        .exp();
        if f_sigma.is_nan() || f_sigma > Self::LOWER_RANGE.1 * rate {
            t.lower_wait = 8;
            return false;
        }
        *t = ArmTail {
            sigma,
            ln_sigma,
            ln_1sigma,
            inv_sigma: 1.0 / sigma,
            inv_1sigma: 1.0 / (1.0 - sigma),
            f_sigma,
            rate_lo: rate,
            ..*t
        };
        true
    }

    /// For an arm whose [`leader_sigma`](Self::leader_sigma) is Some(sigma): Some(its draw) when
    /// that is below sigma, None when it is at least sigma (the module docs' construction on
    /// the lower tail, with the envelope f(sigma) exp(rate (y - sigma)) for y < sigma).
    #[inline]
    pub(super) fn below_sigma<R: Rng + ?Sized>(
        &self,
        arm: usize,
        a: f64,
        b: f64,
        rng: &mut R,
    ) -> Option<f64> {
        let t = &self.arms[arm];
        // U < B = f(sigma) / rate.
        if rng.random::<f64>() * t.rate_lo >= t.f_sigma {
            return None;
        }
        let y = t.sigma - rng.sample::<f64, _>(Exp1) / t.rate_lo;
        if y <= 0.0 {
            return None;
        }
        let w: f64 = rng.random();
        let squeeze = Bounds::lower_tail(
            a,
            b,
            t.sigma,
            t.inv_sigma,
            t.inv_1sigma,
            t.ln_sigma,
            t.ln_1sigma,
            y,
            t.rate_lo,
        );
        let accept = squeeze.decide(w).unwrap_or_else(|| {
            w < (ln_density_ratio(a, b, y, t.ln_sigma, t.ln_1sigma) - t.rate_lo * (y - t.sigma))
                .exp()
        });
        accept.then_some(y)
    }

    /// ln B(a, b) of `arm`'s current posterior.
    #[cfg(test)]
    fn ln_beta(&self, arm: usize) -> f64 {
        self.arms[arm].ln_base - self.arms[arm].grow.ln()
    }

    /// Whether `arm`'s Beta(a, b) draw beats the running maximum `m` ([`UpperBound::beat`]).
    #[inline(always)]
    pub(super) fn beat<R: Rng + ?Sized>(
        &mut self,
        arm: usize,
        a: f64,
        b: f64,
        m: f64,
        rng: &mut R,
    ) -> Beat {
        let t = &mut self.arms[arm];
        t.upper.beat(
            a,
            b,
            m,
            || Self::ln_beta_now(&mut t.ln_base, &mut t.grow),
            rng,
        )
    }
}

impl UpperBound {
    /// No bound.
    pub(crate) const NONE: UpperBound = UpperBound {
        tau: f64::NAN,
        ln_tau: 0.0,
        ln_1tau: 0.0,
        pass: 0,
        ln_pass_gap: 0.0,
        rate: 0.0,
    };
    /// Thinning pays only when the bound B is below this; above it the full draw is as cheap.
    const MAX_BOUND_LN: f64 = -0.7;

    /// The posterior changed: the bound no longer holds.
    #[inline]
    pub(crate) fn forget(&mut self) {
        self.tau = f64::NAN;
    }

    /// The threshold: after [`Beat::Below`], the draw is at most this.
    #[inline]
    pub(crate) fn tau(&self) -> f64 {
        self.tau
    }

    /// The pass test's word: a held bound lets a draw above tau through only when a uniform u64
    /// is below this (0: no bound held).
    #[inline]
    pub(crate) fn pass(&self) -> u64 {
        self.pass
    }

    /// The pass test's probability, `pass() / 2^64` (exact: a power-of-two scaling).
    #[inline]
    pub(crate) fn pass_probability(&self) -> f64 {
        self.pass as f64 / TWO_64
    }

    /// Whether the bound serves a running maximum `m` (held, at tau <= m).
    #[inline]
    pub(crate) fn serves(&self, m: f64) -> bool {
        self.tau <= m && self.pass != 0
    }

    /// Whether a Beta(a, b) draw beats the running maximum `m` (see the module docs), drawing
    /// from `rng` only what the answer needs: in most calls one random word. `ln_beta` gives
    /// ln B(a, b) when a bound must be taken.
    #[inline(always)]
    pub(crate) fn beat<R: Rng + ?Sized>(
        &mut self,
        a: f64,
        b: f64,
        m: f64,
        ln_beta: impl FnOnce() -> f64,
        rng: &mut R,
    ) -> Beat {
        // A bound held at tau <= m serves m (tau = NaN: no bound).
        if !self.serves(m) && (!self.worth_taking(m) || !self.take(a, b, m, ln_beta)) {
            return Beat::DrawInFull;
        }
        // theta > tau is possible only with probability B <= B' = pass / 2^64.
        if rng.next_u64() >= self.pass {
            return Beat::Below;
        }
        self.propose(a, b, rng)
    }

    /// Whether a bound at `m` is worth its logarithms: always without a bound or below a held
    /// one; after a refusal at tau (the tail above tau too heavy, or no bound for this
    /// posterior, tau = 1), only once m has risen a quarter of the way from tau to 1 (a lower
    /// or nearby m would be refused again).
    #[inline]
    fn worth_taking(&self, m: f64) -> bool {
        self.tau.is_nan() || self.pass != 0 || m - self.tau >= 0.25 * (1.0 - self.tau)
    }

    /// After the pass test: Y from the envelope (scaled to mass B'), accepted with probability
    /// f(Y) / h'(Y).
    #[inline(never)]
    pub(crate) fn propose<R: Rng + ?Sized>(&self, a: f64, b: f64, rng: &mut R) -> Beat {
        let (y, ln_h_gap) = if self.rate > 0.0 {
            let y = self.tau + rng.sample::<f64, _>(Exp1) / self.rate;
            if y >= 1.0 {
                return Beat::Below;
            }
            (y, self.rate * (y - self.tau))
        } else {
            (self.tau + (1.0 - self.tau) * rng.random::<f64>(), 0.0)
        };
        let w: f64 = rng.random();
        let squeeze = Bounds::upper_tail(
            a,
            b,
            self.tau,
            self.ln_tau,
            self.ln_1tau,
            y,
            self.rate,
            self.ln_pass_gap,
        );
        // y = 1 (by rounding, constant envelope) gives ratio 0 when b > 1 (and no squeeze).
        let accept = squeeze.decide(w).unwrap_or_else(|| {
            w < (ln_density_ratio(a, b, y, self.ln_tau, self.ln_1tau) + ln_h_gap + self.ln_pass_gap)
                .exp()
        });
        if accept {
            Beat::Value(y)
        } else {
            Beat::Below
        }
    }

    /// Takes the bound of Beta(a, b) at tau = m; false when there is none or it is refused.
    /// The envelope is f(tau) exp(-lambda (y - tau)) on (tau, 1), with lambda =
    /// (b - 1) / (1 - tau) - max(a - 1, 0) / tau (the tangent of ln y when a >= 1, its value at
    /// tau when a < 1, and the tangent of ln(1 - y)); for lambda (1 - tau) <= 1 the constant
    /// envelope f(tau) (valid as lambda >= 0); none when b < 1 (the density is unbounded at 1)
    /// or lambda < 0 (it still rises after tau).
    #[inline(never)]
    fn take(&mut self, a: f64, b: f64, m: f64, ln_beta: impl FnOnce() -> f64) -> bool {
        self.pass = 0;
        if !(m > 0.0 && m < 1.0 && b >= 1.0) {
            // No bound for this posterior (or this m) until it changes.
            self.tau = 1.0;
            return false;
        }
        self.tau = m;
        let (ln_tau, ln_1tau) = (m.ln(), (-m).ln_1p());
        let ln_f = (a - 1.0) * ln_tau + (b - 1.0) * ln_1tau - ln_beta();
        let lambda = (b - 1.0) / (1.0 - m) - (a - 1.0).max(0.0) / m;
        let (ln_bound, rate) = if lambda * (1.0 - m) > 1.0 {
            (ln_f - lambda.ln(), lambda)
        } else if lambda >= 0.0 {
            (ln_f + ln_1tau, 0.0)
        } else {
            return false;
        };
        // A NaN comes from parameters no posterior has.
        if ln_bound.is_nan() || ln_bound > Self::MAX_BOUND_LN {
            return false;
        }
        // B' = ceil(B 2^64) / 2^64: exact in f64 and as a u64 (B < 1/2), at least 2^-64.
        let scaled = (ln_bound.exp() * TWO_64).ceil().max(1.0);
        *self = UpperBound {
            tau: m,
            ln_tau,
            ln_1tau,
            rate,
            pass: scaled as u64,
            ln_pass_gap: ln_bound - (scaled / TWO_64).ln(),
        };
        true
    }
}

/// 2^64.
const TWO_64: f64 = 18_446_744_073_709_551_616.0;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bandits::policy::special::beta_cdf;
    use crate::rng::SeedSequence;

    #[test]
    fn the_normaliser_follows_the_fresh_value_through_many_pulls() {
        let mut t = TailBounds::new(2, 0.6, 0.6);
        let (mut a, mut b) = (0.6, 0.6);
        let mut rng = SeedSequence::new(3).exploration_stream(0, 0);
        for n in 0..5000 {
            let r = if rng.random::<f64>() < 0.3 { 1.0 } else { 0.0 };
            t.update(1, a, b, r);
            a += r;
            b += 1.0 - r;
            let fresh = ln_beta(a, b);
            assert!(
                (t.ln_beta(1) - fresh).abs() <= 1e-12 * (1.0 + fresh.abs()),
                "pull {n}: {} vs {fresh}",
                t.ln_beta(1)
            );
        }
        assert_eq!(t.ln_beta(0), ln_beta(0.6, 0.6));
        // A fractional reward recomputes.
        t.update(0, 0.6, 0.6, 0.25);
        assert_eq!(t.ln_beta(0), ln_beta(0.85, 1.35));
        // Lanczos against a known value: B(2, 3) = 1/12.
        assert!((ln_beta(2.0, 3.0) - (1.0f64 / 12.0).ln()).abs() < 1e-14);
    }

    #[test]
    fn thinned_draws_have_the_beta_law_above_the_threshold() {
        // For each (a, b, tau, m): the bound is taken at tau, then n draws are tested against
        // m >= tau. The frequency of "beats m" matches 1 - F(m) within 5 standard errors, and
        // the draws that beat m pass a KS test against the Beta law conditioned on (m, 1) at
        // the 0.001 level (critical value 1.95 / sqrt(count)). Both envelopes are exercised.
        let mut rng = SeedSequence::new(21).exploration_stream(0, 0);
        let n = 400_000;
        let mut envelopes = [0; 2];
        for (a, b, tau, m) in [
            (0.6, 3.6, 0.45, 0.45),
            (3.0, 7.0, 0.6, 0.6),
            (3.0, 7.0, 0.6, 0.7),
            (12.6, 30.6, 0.45, 0.5),
            (40.0, 60.0, 0.55, 0.55),
            (2.0, 1.5, 0.9, 0.93),
            (0.6, 1.6, 0.5, 0.5),
        ] {
            let mut t = TailBounds::new(1, a, b);
            // The bound is taken at tau by a first call (its outcome is not counted).
            let _ = t.beat(0, a, b, tau, &mut rng);
            assert_eq!(t.arms[0].upper.tau, tau);
            envelopes[usize::from(t.arms[0].upper.rate > 0.0)] += 1;
            let tail = 1.0 - beta_cdf(a, b, m);
            let mut above = Vec::new();
            for _ in 0..n {
                match t.beat(0, a, b, m, &mut rng) {
                    Beat::Below => {}
                    Beat::Value(y) if y > m => above.push(y),
                    Beat::Value(_) => {}
                    Beat::DrawInFull => panic!("Beta({a}, {b}) at tau = {tau} should thin"),
                }
            }
            assert_eq!(t.arms[0].upper.tau, tau, "the bound at tau serves m = {m}");
            let f = above.len() as f64 / n as f64;
            let sd = (tail * (1.0 - tail) / n as f64).sqrt();
            assert!(
                (f - tail).abs() < 5.0 * sd + 1e-9,
                "Beta({a}, {b}) beats {m}: {f} vs {tail}"
            );
            assert!(above.iter().all(|&y| y > m && y <= 1.0));
            if above.len() < 50 {
                continue;
            }
            above.sort_by(f64::total_cmp);
            let k = above.len() as f64;
            let f_m = beta_cdf(a, b, m);
            let d = above
                .iter()
                .enumerate()
                .map(|(i, &y)| {
                    let c = (beta_cdf(a, b, y) - f_m) / tail;
                    (c - i as f64 / k).max((i + 1) as f64 / k - c)
                })
                .fold(0.0, f64::max);
            assert!(
                d < 1.95 / k.sqrt(),
                "Beta({a}, {b}) above {m}: KS {d} over {k}"
            );
        }
        assert!(envelopes[0] >= 2 && envelopes[1] >= 2, "{envelopes:?}");
    }

    #[test]
    fn the_bound_is_retaken_below_tau_and_dropped_when_the_posterior_changes() {
        let mut rng = SeedSequence::new(23).exploration_stream(0, 0);
        let (a, b) = (3.0, 7.0);
        let mut t = TailBounds::new(2, a, b);
        let _ = t.beat(1, a, b, 0.7, &mut rng);
        assert_eq!(t.arms[1].upper.tau, 0.7);
        assert!(t.arms[0].upper.tau.is_nan());
        let _ = t.beat(1, a, b, 0.65, &mut rng);
        assert_eq!(t.arms[1].upper.tau, 0.65, "a lower m takes the bound again");
        let _ = t.beat(1, a, b, 0.8, &mut rng);
        assert_eq!(t.arms[1].upper.tau, 0.65, "a higher m keeps it");
        t.update(1, a, b, 0.0);
        assert!(t.arms[1].upper.tau.is_nan());
    }

    #[test]
    fn the_bound_is_skipped_where_it_does_not_hold() {
        let mut rng = SeedSequence::new(22).exploration_stream(0, 0);
        // Below the mode 1/2, b < 1, m outside (0, 1), a bound near 1 (m at the mode of a
        // wide Beta) and a NaN normaliser: drawn in full, and nothing is drawn from the stream.
        for (a, b, m, nan) in [
            (5.0, 5.0, 0.4, false),
            (3.0, 0.6, 0.9, false),
            (5.0, 5.0, 0.0, false),
            (5.0, 5.0, 1.0, false),
            (1.5, 1.5, 0.5, false),
            (5.0, 5.0, 0.7, true),
        ] {
            let before = rng.clone();
            let mut t = TailBounds::new(1, a, b);
            if nan {
                t.arms[0].ln_base = f64::NAN;
            }
            assert_eq!(t.beat(0, a, b, m, &mut rng), Beat::DrawInFull);
            assert_eq!(rng, before);
        }
    }
}
