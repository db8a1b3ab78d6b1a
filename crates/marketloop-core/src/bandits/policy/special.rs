//! Special functions of the index algorithms: the Bernoulli KL divergence and its upper
//! confidence bound (KL-UCB), ln Gamma, the regularized incomplete Beta function and the Beta
//! quantile (Bayes-UCB).

/// kl(p, q) = p ln(p/q) + (1-p) ln((1-p)/(1-q)), the KL divergence of Bernoulli(p) from
/// Bernoulli(q), with 0 ln 0 = 0; q is clamped to [1e-15, 1 - 1e-15] so it stays finite.
pub(super) fn kl_bernoulli(p: f64, q: f64) -> f64 {
    let q = q.clamp(1e-15, 1.0 - 1e-15);
    let term = |x: f64, y: f64| if x == 0.0 { 0.0 } else { x * (x / y).ln() };
    term(p, q) + term(1.0 - p, 1.0 - q)
}

/// The KL upper confidence bound max{q in [p, 1] : kl(p, q) <= level} by bisection (kl(p, .) is
/// increasing on [p, 1]), to within 1e-12.
pub(super) fn kl_upper_bound(p: f64, level: f64) -> f64 {
    if level <= 0.0 {
        return p;
    }
    let (mut lo, mut hi) = (p, 1.0);
    if kl_bernoulli(p, hi) <= level {
        return 1.0;
    }
    while hi - lo > 1e-12 {
        let mid = 0.5 * (lo + hi);
        if kl_bernoulli(p, mid) <= level {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    lo
}

/// ln Gamma(x) for x > 0 (Lanczos, g = 7, 9 terms: relative error about 1e-15).
pub(super) fn ln_gamma(x: f64) -> f64 {
    const G: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        // Reflection: Gamma(x) Gamma(1 - x) = pi / sin(pi x).
        let pi = std::f64::consts::PI;
        return (pi / (pi * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let mut a = G[0];
    let t = x + 7.5;
    for (i, &g) in G.iter().enumerate().skip(1) {
        a += g / (x + i as f64);
    }
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + a.ln()
}

/// The regularized incomplete Beta function I_x(a, b) (the Beta(a, b) CDF at x), by the
/// continued fraction (modified Lentz) on the side where it converges fast.
pub(crate) fn beta_cdf(a: f64, b: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let ln_front = ln_gamma(a + b) - ln_gamma(a) - ln_gamma(b) + a * x.ln() + b * (1.0 - x).ln();
    let front = ln_front.exp();
    if x < (a + 1.0) / (a + b + 2.0) {
        front * beta_cf(a, b, x) / a
    } else {
        1.0 - front * beta_cf(b, a, 1.0 - x) / b
    }
}

/// One step of the modified Lentz method with coefficient `aa`: updates the running `c` and
/// `d` (kept away from 0) and returns the factor the fraction is multiplied by.
fn lentz_step(aa: f64, c: &mut f64, d: &mut f64) -> f64 {
    const TINY: f64 = 1e-300;
    *d = 1.0 + aa * *d;
    if d.abs() < TINY {
        *d = TINY;
    }
    *c = 1.0 + aa / *c;
    if c.abs() < TINY {
        *c = TINY;
    }
    *d = 1.0 / *d;
    *d * *c
}

/// The continued fraction of the incomplete Beta function.
fn beta_cf(a: f64, b: f64, x: f64) -> f64 {
    const TINY: f64 = 1e-300;
    let (qab, qap, qam) = (a + b, a + 1.0, a - 1.0);
    let mut c = 1.0;
    let mut d = 1.0 - qab * x / qap;
    if d.abs() < TINY {
        d = TINY;
    }
    d = 1.0 / d;
    let mut h = d;
    for m in 1..=300 {
        let m = f64::from(m);
        let m2 = 2.0 * m;
        h *= lentz_step(m * (b - m) * x / ((qam + m2) * (a + m2)), &mut c, &mut d);
        let del = lentz_step(
            -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2)),
            &mut c,
            &mut d,
        );
        h *= del;
        if (del - 1.0).abs() < 1e-15 {
            break;
        }
    }
    h
}

/// The Beta(a, b) quantile at level `u` in [0, 1]: the x with I_x(a, b) = u, by bisection to
/// within 1e-12.
pub(super) fn beta_quantile(a: f64, b: f64, u: f64) -> f64 {
    if u <= 0.0 {
        return 0.0;
    }
    if u >= 1.0 {
        return 1.0;
    }
    let (mut lo, mut hi) = (0.0, 1.0);
    while hi - lo > 1e-12 {
        let mid = 0.5 * (lo + hi);
        if beta_cdf(a, b, mid) < u {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bandits::policy::tests::beta_cdf_int;

    #[test]
    fn incomplete_beta_matches_the_exact_integer_cdf_and_the_quantile_inverts_it() {
        for (a, b) in [(1u32, 1u32), (2, 5), (7, 3), (30, 12), (1, 40), (120, 80)] {
            for x in [0.01, 0.2, 0.5, 0.63, 0.9, 0.999] {
                let want = beta_cdf_int(a, b, x);
                let got = beta_cdf(f64::from(a), f64::from(b), x);
                assert!(
                    (got - want).abs() < 1e-10,
                    "I_{x}({a}, {b}) = {got} vs {want}"
                );
            }
            for u in [1e-6, 0.05, 0.5, 0.9, 0.999] {
                let q = beta_quantile(f64::from(a), f64::from(b), u);
                assert!(
                    (beta_cdf_int(a, b, q) - u).abs() < 1e-8,
                    "({a}, {b}) at {u}"
                );
            }
        }
        // Gamma(5) = 24, Gamma(1/2) = sqrt(pi).
        assert!((ln_gamma(5.0) - 24f64.ln()).abs() < 1e-13);
        assert!((ln_gamma(0.5) - std::f64::consts::PI.sqrt().ln()).abs() < 1e-13);
    }

    #[test]
    fn kl_bound_is_the_largest_q_within_the_level() {
        assert_eq!(kl_bernoulli(0.3, 0.3), 0.0);
        for p in [0.0, 0.1, 0.5, 0.93, 1.0] {
            for level in [0.001, 0.05, 0.7, 3.0] {
                let q = kl_upper_bound(p, level);
                assert!((p..=1.0).contains(&q));
                if q < 1.0 {
                    // Within the level, and just above it the bound is exceeded.
                    assert!(kl_bernoulli(p, q) <= level, "p {p} level {level}");
                    assert!(kl_bernoulli(p, q + 1e-9) > level, "p {p} level {level}");
                } else {
                    assert!(kl_bernoulli(p, 1.0 - 1e-12) <= level + 1e-9);
                }
            }
        }
    }
}
