//! Exact posterior means under the non-conjugate true priors of the Bayesian-choice model, and
//! the greedy algorithms that use them ([`ExactGreedy`]: BayesGreedy, StaticGreedy and
//! BayesEpsilonGreedy for the *true* prior, as Section 4 assumes).
//!
//! - Uniform U[low, high] per arm: with s successes and f failures the posterior is a Beta(s+1,
//!   f+1) truncated to [low, high], whose mean is
//!   `(s+1)/(s+f+2) * D(s+2, f+1) / D(s+1, f+1)` with `D(a, b) = I_high(a, b) - I_low(a, b)`
//!   (a ratio of regularized incomplete Beta integrals, computed by the bandits module's
//!   continued fraction). D is taken on the side where it is a difference of small numbers
//!   (`I_x(a, b) = 1 - I_{1-x}(b, a)`), so it keeps its relative precision. When both D
//!   underflow (histories of probability below 1e-300), the mass sits at one end of the
//!   interval and the mean is that end moved inwards by one over the log-density's slope there
//!   (the exponential tail's mean).
//! - Needle-in-Haystack with a uniformly random needle: P(needle = k | data) is proportional to
//!   (h/l)^(s_k) ((1-h)/(1-l))^(f_k), and the posterior mean of arm k is
//!   `l + (h - l) P(needle = k | data)` (log weights, normalised by their maximum).
//! - A point-mass prior (given means, a fixed needle): the posterior is the prior.

use crate::bandits::policy::{argmax, beta_cdf};
use crate::bandits::{ArgmaxTie, BanditError, BanditPolicy, BetaPosterior, BetaPrior};
use rand::Rng;

/// The posterior-mean rule of a non-conjugate true prior.
#[derive(Clone, Debug, PartialEq)]
pub enum PosteriorMean {
    /// Independent U[low, high] per arm.
    Uniform {
        /// Lower end.
        low: f64,
        /// Upper end.
        high: f64,
    },
    /// One arm (uniformly random) has mean `needle`, the others `base`.
    Needle {
        /// The needle's mean.
        needle: f64,
        /// The other arms' mean.
        base: f64,
    },
    /// Known means (a point-mass prior).
    Known(Vec<f64>),
}

/// D(a, b) = I_high(a, b) - I_low(a, b), on the side where it is a difference of small numbers.
fn mass(a: f64, b: f64, low: f64, high: f64) -> f64 {
    let lo = beta_cdf(a, b, low);
    if lo < 0.5 {
        beta_cdf(a, b, high) - lo
    } else {
        beta_cdf(b, a, 1.0 - low) - beta_cdf(b, a, 1.0 - high)
    }
}

/// The posterior mean of an arm with `s` successes and `f` failures under U[low, high].
pub fn uniform_posterior_mean(s: u32, f: u32, low: f64, high: f64) -> f64 {
    if low >= high {
        return low;
    }
    let (a, b) = (f64::from(s) + 1.0, f64::from(f) + 1.0);
    let num = mass(a + 1.0, b, low, high);
    let den = mass(a, b, low, high);
    if den > 0.0 && num > 0.0 && num.is_finite() && den.is_finite() {
        return (a / (a + b) * num / den).clamp(low, high);
    }
    // All the mass at one end: the mean of the exponential tail (see the module docs).
    let (s, f) = (f64::from(s), f64::from(f));
    let mode = if s + f > 0.0 { s / (s + f) } else { 0.5 };
    if mode <= low {
        let slope = f / (1.0 - low) - s / low.max(f64::MIN_POSITIVE);
        (low + 1.0 / slope.max(f64::MIN_POSITIVE)).min(high)
    } else {
        let slope = s / high - f / (1.0 - high).max(f64::MIN_POSITIVE);
        (high - 1.0 / slope.max(f64::MIN_POSITIVE)).max(low)
    }
}

impl PosteriorMean {
    /// Every arm's posterior mean given the counts in `post` into `out`.
    pub fn means(&self, post: &BetaPosterior, out: &mut [f64]) {
        match self {
            PosteriorMean::Uniform { low, high } => {
                for (a, m) in out.iter_mut().enumerate() {
                    let s = post.successes(a);
                    *m = uniform_posterior_mean(s, post.pulls(a) - s, *low, *high);
                }
            }
            PosteriorMean::Needle { needle, base } => {
                let (h, l) = (*needle, *base);
                let log_w = |a: usize| -> f64 {
                    let s = post.successes(a);
                    let f = post.pulls(a) - s;
                    let mut w = 0.0;
                    // Terms only for counts > 0, so a mean of 0 or 1 never gives 0 * ln 0.
                    if s > 0 {
                        w += f64::from(s) * (h / l).ln();
                    }
                    if f > 0 {
                        w += f64::from(f) * ((1.0 - h) / (1.0 - l)).ln();
                    }
                    w
                };
                let k = out.len();
                for (a, m) in out.iter_mut().enumerate() {
                    *m = log_w(a);
                }
                let top = out.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                let mut total = 0.0;
                for m in out.iter_mut() {
                    *m = (*m - top).exp();
                    total += *m;
                }
                for m in out.iter_mut().take(k) {
                    *m = l + (h - l) * *m / total;
                }
            }
            PosteriorMean::Known(means) => out.copy_from_slice(means),
        }
    }
}

/// Which greedy algorithm an [`ExactGreedy`] is.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum GreedyRule {
    /// BayesGreedy (DynamicGreedy): argmax of the posterior mean.
    Dynamic,
    /// StaticGreedy: argmax of the prior mean, fixed at the first round.
    Static,
    /// BayesEpsilonGreedy: a uniformly random arm with probability eps, else Dynamic.
    Epsilon(f64),
}

/// A greedy algorithm (BG, SG or BEG) for a non-conjugate true prior: it ranks arms by their
/// exact posterior means ([`PosteriorMean`]); its draws are those of the built-ins (BEG: one
/// uniform coin per round, then a uniform arm; argmax ties by [`ArgmaxTie`]).
#[derive(Clone, Debug)]
pub struct ExactGreedy {
    post: BetaPosterior,
    rule: GreedyRule,
    posterior: PosteriorMean,
    means: Vec<f64>,
    tie: ArgmaxTie,
    fixed: Option<usize>,
}

impl ExactGreedy {
    /// On `k` arms (K >= 1; eps in [0, 1]).
    pub fn new(
        k: usize,
        rule: GreedyRule,
        posterior: PosteriorMean,
        tie: ArgmaxTie,
    ) -> Result<Self, BanditError> {
        if k == 0 {
            return Err(BanditError::range("number of arms K", 0, "[1, infinity)"));
        }
        if let GreedyRule::Epsilon(eps) = rule {
            if !(0.0..=1.0).contains(&eps) {
                return Err(BanditError::range(
                    "epsilon of BayesEpsilonGreedy",
                    eps,
                    "[0, 1]",
                ));
            }
        }
        if let PosteriorMean::Known(m) = &posterior {
            if m.len() != k {
                return Err(BanditError::Mismatch(format!(
                    "known means of {} arms for K = {k}",
                    m.len()
                )));
            }
        }
        let post = BetaPosterior::new(k, BetaPrior::default());
        let mut means = vec![0.0; k];
        posterior.means(&post, &mut means);
        Ok(ExactGreedy {
            post,
            rule,
            posterior,
            means,
            tie,
            fixed: None,
        })
    }

    /// The current posterior means.
    pub fn means(&self) -> &[f64] {
        &self.means
    }
}

impl BanditPolicy for ExactGreedy {
    fn k(&self) -> usize {
        self.post.k()
    }
    fn select<R: Rng + ?Sized>(&mut self, rng: &mut R) -> usize {
        match self.rule {
            GreedyRule::Dynamic => argmax(&self.means, self.tie, rng),
            GreedyRule::Static => {
                if let Some(a) = self.fixed {
                    return a;
                }
                let a = argmax(&self.means, self.tie, rng);
                self.fixed = Some(a);
                a
            }
            GreedyRule::Epsilon(eps) => {
                if rng.random::<f64>() < eps {
                    rng.random_range(0..self.post.k())
                } else {
                    argmax(&self.means, self.tie, rng)
                }
            }
        }
    }
    fn update(&mut self, arm: usize, reward: f64) {
        self.post.update(arm, reward);
        if self.rule != GreedyRule::Static {
            self.posterior.means(&self.post, &mut self.means);
        }
    }
    fn reset(&mut self) {
        self.post.reset();
        self.fixed = None;
        self.posterior.means(&self.post, &mut self.means);
    }
    fn posterior(&self) -> &BetaPosterior {
        &self.post
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The truncated-Beta mean by the midpoint rule on a fine grid (a reference only).
    fn by_quadrature(s: u32, f: u32, low: f64, high: f64) -> f64 {
        let n = 200_000;
        let h = (high - low) / n as f64;
        let (mut num, mut den) = (0.0, 0.0);
        let peak = {
            let (s, f) = (f64::from(s), f64::from(f));
            let m = if s + f > 0.0 {
                (s / (s + f)).clamp(low, high)
            } else {
                0.5
            };
            s * m.ln() + f * (1.0 - m).ln()
        };
        for i in 0..n {
            let x = low + (i as f64 + 0.5) * h;
            let w = (f64::from(s) * x.ln() + f64::from(f) * (1.0 - x).ln() - peak).exp();
            num += x * w;
            den += w;
        }
        num / den
    }

    #[test]
    fn uniform_posterior_mean_matches_quadrature() {
        for (s, f) in [
            (0, 0),
            (1, 0),
            (0, 1),
            (3, 7),
            (40, 2),
            (2, 40),
            (300, 700),
            (0, 500),
            (900, 10),
        ] {
            let got = uniform_posterior_mean(s, f, 0.25, 0.75);
            let want = by_quadrature(s, f, 0.25, 0.75);
            assert!((got - want).abs() < 1e-7, "({s}, {f}): {got} vs {want}");
            assert!((0.25..=0.75).contains(&got));
        }
        assert!((uniform_posterior_mean(0, 0, 0.25, 0.75) - 0.5).abs() < 1e-15);
        // Far out in the tail the fallback still lies inside the interval, near its end.
        let m = uniform_posterior_mean(0, 5000, 0.25, 0.75);
        assert!((0.25..0.2505).contains(&m), "{m}");
    }

    #[test]
    fn needle_posterior_is_a_distribution_over_the_needle() {
        let mut post = BetaPosterior::new(3, BetaPrior::default());
        let pm = PosteriorMean::Needle {
            needle: 0.7,
            base: 0.5,
        };
        let mut out = vec![0.0; 3];
        pm.means(&post, &mut out);
        for m in &out {
            assert!((m - (0.5 + 0.2 / 3.0)).abs() < 1e-15);
        }
        post.update(0, 1.0);
        post.update(1, 0.0);
        pm.means(&post, &mut out);
        // Weights 1.4, 0.6, 1 (times 1/3): P(needle = k) = w_k / 3.
        let want = [1.4 / 3.0, 0.6 / 3.0, 1.0 / 3.0];
        for (m, w) in out.iter().zip(want) {
            assert!((m - (0.5 + 0.2 * w)).abs() < 1e-12, "{out:?}");
        }
        // A needle of mean 1: one failure rules an arm out.
        let one = PosteriorMean::Needle {
            needle: 1.0,
            base: 0.5,
        };
        one.means(&post, &mut out);
        assert!(out.iter().all(|m| m.is_finite()));
        assert_eq!(out[1], 0.5);
    }

    #[test]
    fn exact_greedy_follows_the_posterior() {
        let mut rng = crate::rng::SeedSequence::new(1).exploration_stream(0, 0);
        let mut bg = ExactGreedy::new(
            2,
            GreedyRule::Dynamic,
            PosteriorMean::Uniform {
                low: 0.25,
                high: 0.75,
            },
            ArgmaxTie::LowestIndex,
        )
        .unwrap();
        assert_eq!(bg.select(&mut rng), 0);
        bg.update(0, 0.0);
        assert_eq!(bg.select(&mut rng), 1);
        assert!(ExactGreedy::new(
            2,
            GreedyRule::Epsilon(1.5),
            PosteriorMean::Known(vec![0.1, 0.2]),
            ArgmaxTie::LowestIndex
        )
        .is_err());
    }
}
