//! Bandit algorithms (the firms' strategies) behind one trait, [`BanditPolicy`].
//!
//! The Bayesian algorithms keep an independent Beta(alpha0, beta0) posterior per arm
//! ([`BetaPosterior`], Beta(1, 1) by default): reward 1 adds 1 to alpha, reward 0 adds 1 to beta.
//! Posterior means are cached and only the pulled arm's is recomputed.
//!
//! **Ties.** Every argmax inside an algorithm follows its [`TieRule`]: `LowestIndex` (the
//! default, as in the authors' code: the first maximal arm) or `Random` (uniform among the
//! maximal arms, drawn from the firm's exploration stream only when there is a tie). Posterior
//! means are ratios of small integers (with the default prior), computed by one correctly rounded
//! division, so equal ratios compare equal.
//!
//! **Contract.** [`BanditPolicy::select`] may draw from `rng` and may fix a decision it will keep
//! (the arm of StaticGreedy, the arm Explore-First commits to), but learns only in
//! [`BanditPolicy::update`]; calling `select` without `update` (as the greedy modification does)
//! never corrupts the learned state.

use super::BanditError;
use rand::Rng;
use rand_distr::{Exp1, StandardNormal};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// How an argmax breaks ties.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum TieRule {
    /// The lowest maximal index (the authors' code). Draws nothing.
    #[default]
    LowestIndex,
    /// Uniform among the maximal indices (one draw, only when there is a tie).
    Random,
}

/// Argmax of `values` under `tie`. `values` must be non-empty.
#[inline]
pub fn argmax<R: Rng + ?Sized>(values: &[f64], tie: TieRule, rng: &mut R) -> usize {
    let mut best = 0;
    let mut best_v = values[0];
    let mut ties = 1u32;
    for (i, &v) in values.iter().enumerate().skip(1) {
        if v > best_v {
            best = i;
            best_v = v;
            ties = 1;
        } else if v == best_v {
            ties += 1;
        }
    }
    if ties == 1 || tie == TieRule::LowestIndex {
        return best;
    }
    let pick = rng.random_range(0..ties);
    values
        .iter()
        .enumerate()
        .filter(|&(_, &v)| v == best_v)
        .nth(pick as usize)
        .map_or(best, |(i, _)| i)
}

/// An independent Beta prior per arm.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct BetaPrior {
    /// alpha0 > 0 (default 1).
    pub alpha: f64,
    /// beta0 > 0 (default 1).
    pub beta: f64,
}

impl Default for BetaPrior {
    fn default() -> Self {
        BetaPrior {
            alpha: 1.0,
            beta: 1.0,
        }
    }
}

impl BetaPrior {
    /// Validates alpha0, beta0 > 0 and finite.
    pub fn new(alpha: f64, beta: f64) -> Result<Self, BanditError> {
        for (n, x) in [("prior alpha", alpha), ("prior beta", beta)] {
            if !(x.is_finite() && x > 0.0) {
                return Err(BanditError::range(n, x, "(0, infinity)"));
            }
        }
        Ok(BetaPrior { alpha, beta })
    }
}

/// Per-arm Beta posteriors from 0/1 rewards, with cached posterior means.
#[derive(Clone, Debug, PartialEq)]
pub struct BetaPosterior {
    prior: BetaPrior,
    successes: Vec<u32>,
    failures: Vec<u32>,
    mean: Vec<f64>,
}

impl BetaPosterior {
    /// The prior on `k` arms.
    pub fn new(k: usize, prior: BetaPrior) -> Self {
        let m = prior.alpha / (prior.alpha + prior.beta);
        BetaPosterior {
            prior,
            successes: vec![0; k],
            failures: vec![0; k],
            mean: vec![m; k],
        }
    }

    /// Records one reward of `arm`.
    #[inline]
    pub fn update(&mut self, arm: usize, reward: bool) {
        if reward {
            self.successes[arm] += 1;
        } else {
            self.failures[arm] += 1;
        }
        let (a, b) = self.params(arm);
        self.mean[arm] = a / (a + b);
    }

    /// Back to the prior.
    pub fn reset(&mut self) {
        let k = self.successes.len();
        *self = BetaPosterior::new(k, self.prior);
    }

    /// Posterior (alpha, beta) of `arm`.
    #[inline]
    pub fn params(&self, arm: usize) -> (f64, f64) {
        (
            self.prior.alpha + f64::from(self.successes[arm]),
            self.prior.beta + f64::from(self.failures[arm]),
        )
    }

    /// Posterior means.
    #[inline]
    pub fn means(&self) -> &[f64] {
        &self.mean
    }

    /// Pulls of `arm`.
    #[inline]
    pub fn pulls(&self, arm: usize) -> u32 {
        self.successes[arm] + self.failures[arm]
    }

    /// Successes of `arm`.
    #[inline]
    pub fn successes(&self, arm: usize) -> u32 {
        self.successes[arm]
    }

    /// Number of arms.
    pub fn k(&self) -> usize {
        self.successes.len()
    }
}

/// A bandit algorithm: picks an arm, learns from the reward.
pub trait BanditPolicy {
    /// Number of arms.
    fn k(&self) -> usize;
    /// The arm to pull now. May draw from `rng`; learns nothing (see the module docs).
    fn select<R: Rng + ?Sized>(&mut self, rng: &mut R) -> usize;
    /// Learns the reward of the arm just pulled.
    fn update(&mut self, arm: usize, reward: bool);
    /// Forgets everything: back to the prior (used by the reputation-advantage-only scenario).
    fn reset(&mut self);
    /// The posterior the algorithm keeps on the data it recorded (for greedy choices).
    fn posterior(&self) -> &BetaPosterior;
}

/// StaticGreedy: the arm with the largest prior mean, forever (with equal priors, arm 0 under
/// the lowest-index rule, a uniformly random arm fixed at the first round under `Random`).
#[derive(Clone, Debug)]
pub struct StaticGreedy {
    post: BetaPosterior,
    tie: TieRule,
    arm: Option<usize>,
}

impl StaticGreedy {
    /// On `k` arms.
    pub fn new(k: usize, prior: BetaPrior, tie: TieRule) -> Result<Self, BanditError> {
        check_k(k)?;
        Ok(StaticGreedy {
            post: BetaPosterior::new(k, prior),
            tie,
            arm: None,
        })
    }
}

impl BanditPolicy for StaticGreedy {
    fn k(&self) -> usize {
        self.post.k()
    }
    fn select<R: Rng + ?Sized>(&mut self, rng: &mut R) -> usize {
        if let Some(a) = self.arm {
            return a;
        }
        let prior = BetaPosterior::new(self.post.k(), self.post.prior);
        let a = argmax(prior.means(), self.tie, rng);
        self.arm = Some(a);
        a
    }
    fn update(&mut self, arm: usize, reward: bool) {
        self.post.update(arm, reward);
    }
    fn reset(&mut self) {
        self.post.reset();
        self.arm = None;
    }
    fn posterior(&self) -> &BetaPosterior {
        &self.post
    }
}

/// BayesGreedy (DynamicGreedy): argmax of the posterior mean.
#[derive(Clone, Debug)]
pub struct BayesGreedy {
    post: BetaPosterior,
    tie: TieRule,
}

impl BayesGreedy {
    /// On `k` arms.
    pub fn new(k: usize, prior: BetaPrior, tie: TieRule) -> Result<Self, BanditError> {
        check_k(k)?;
        Ok(BayesGreedy {
            post: BetaPosterior::new(k, prior),
            tie,
        })
    }
}

impl BanditPolicy for BayesGreedy {
    fn k(&self) -> usize {
        self.post.k()
    }
    #[inline]
    fn select<R: Rng + ?Sized>(&mut self, rng: &mut R) -> usize {
        argmax(self.post.means(), self.tie, rng)
    }
    #[inline]
    fn update(&mut self, arm: usize, reward: bool) {
        self.post.update(arm, reward);
    }
    fn reset(&mut self) {
        self.post.reset();
    }
    fn posterior(&self) -> &BetaPosterior {
        &self.post
    }
}

/// BayesEpsilonGreedy (DynamicEpsilonGreedy): with probability eps a uniformly random arm (of
/// all K), else BayesGreedy's. One uniform coin is drawn every round.
#[derive(Clone, Debug)]
pub struct BayesEpsilonGreedy {
    post: BetaPosterior,
    tie: TieRule,
    eps: f64,
}

impl BayesEpsilonGreedy {
    /// On `k` arms with exploration probability `eps` in [0, 1] (paper: 0.05).
    pub fn new(k: usize, eps: f64, prior: BetaPrior, tie: TieRule) -> Result<Self, BanditError> {
        check_k(k)?;
        check_unit("epsilon of BayesEpsilonGreedy", eps)?;
        Ok(BayesEpsilonGreedy {
            post: BetaPosterior::new(k, prior),
            tie,
            eps,
        })
    }
}

impl BanditPolicy for BayesEpsilonGreedy {
    fn k(&self) -> usize {
        self.post.k()
    }
    #[inline]
    fn select<R: Rng + ?Sized>(&mut self, rng: &mut R) -> usize {
        if rng.random::<f64>() < self.eps {
            rng.random_range(0..self.post.k())
        } else {
            argmax(self.post.means(), self.tie, rng)
        }
    }
    #[inline]
    fn update(&mut self, arm: usize, reward: bool) {
        self.post.update(arm, reward);
    }
    fn reset(&mut self) {
        self.post.reset();
    }
    fn posterior(&self) -> &BetaPosterior {
        &self.post
    }
}

/// An exact Gamma(shape, 1) sampler: Marsaglia & Tsang's (2000) squeeze-rejection method for
/// shape >= 1 (one standard normal from rand_distr's ziggurat and one uniform per attempt,
/// acceptance probability above 0.95, a logarithm only when the squeeze fails); for shape < 1,
/// Gamma(shape + 1) * U^(1/shape) (their boost). The constants d = shape - 1/3 and
/// c = 1/sqrt(9d) are computed once, so a draw is a handful of flops beyond its random words.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GammaSampler {
    d: f64,
    c: f64,
    /// 1/shape for shape < 1 (the boost), else 0.
    inv_shape: f64,
}

impl GammaSampler {
    /// For shape > 0 and finite (validated by the callers; other shapes are treated as 1
    /// rather than panic or return NaN).
    pub fn new(shape: f64) -> Self {
        let ok = shape.is_finite() && shape > 0.0;
        let shape = if ok { shape } else { 1.0 };
        let (s, inv_shape) = if shape < 1.0 {
            (shape + 1.0, 1.0 / shape)
        } else {
            (shape, 0.0)
        };
        let d = s - 1.0 / 3.0;
        GammaSampler {
            d,
            c: 1.0 / (9.0 * d).sqrt(),
            inv_shape,
        }
    }

    /// One draw.
    #[inline]
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        let x = self.large(rng);
        if self.inv_shape > 0.0 {
            // U^(1/shape) = exp(-E/shape) with E ~ Exp(1).
            let e: f64 = rng.sample(Exp1);
            x * (-e * self.inv_shape).exp()
        } else {
            x
        }
    }

    #[inline]
    fn large<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        loop {
            let x: f64 = rng.sample(StandardNormal);
            let v = 1.0 + self.c * x;
            if v <= 0.0 {
                continue;
            }
            let v = v * v * v;
            let u: f64 = rng.random();
            let x2 = x * x;
            // u = 0 has ln = -inf: accepted, as it should be (the test is u < f(x, v)).
            if u < 1.0 - 0.0331 * x2 * x2 || u.ln() < 0.5 * x2 + self.d * (1.0 - v + v.ln()) {
                return self.d * v;
            }
        }
    }
}

/// An exact Beta(a, b) sampler. Beta(1, 1) is U(0, 1); Beta(a, 1) is U^(1/a) = exp(-E/a) and
/// Beta(1, b) is 1 - U^(1/b) = -expm1(-E/b), with E ~ Exp(1) from rand_distr's ziggurat (one
/// random word and one exponential each: arms with no success or no failure are common and
/// cheap); every other case is X / (X + Y) with X ~ Gamma(a), Y ~ Gamma(b) ([`GammaSampler`]).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum BetaSampler {
    /// Beta(1, 1).
    Uniform,
    /// Beta(1, b).
    AlphaOne {
        /// b.
        b: f64,
        /// 1/b.
        inv_b: f64,
    },
    /// Beta(a, 1).
    BetaOne {
        /// a.
        a: f64,
        /// 1/a.
        inv_a: f64,
    },
    /// The Gamma ratio.
    Gammas(GammaSampler, GammaSampler),
}

impl BetaSampler {
    /// For Beta(a, b) with a, b > 0 (validated by the callers; other shapes fall back to
    /// Beta(1, 1) rather than panic).
    pub fn new(a: f64, b: f64) -> Self {
        let ok = |x: f64| x.is_finite() && x > 0.0;
        if !(ok(a) && ok(b)) {
            return BetaSampler::Uniform;
        }
        match (a == 1.0, b == 1.0) {
            (true, true) => BetaSampler::Uniform,
            (true, false) => BetaSampler::AlphaOne { b, inv_b: 1.0 / b },
            (false, true) => BetaSampler::BetaOne { a, inv_a: 1.0 / a },
            (false, false) => BetaSampler::Gammas(GammaSampler::new(a), GammaSampler::new(b)),
        }
    }

    /// One draw.
    #[inline]
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match *self {
            BetaSampler::Uniform => rng.random::<f64>(),
            BetaSampler::AlphaOne { inv_b, .. } => {
                let e: f64 = rng.sample(Exp1);
                -(-e * inv_b).exp_m1()
            }
            BetaSampler::BetaOne { inv_a, .. } => {
                let e: f64 = rng.sample(Exp1);
                (-e * inv_a).exp()
            }
            BetaSampler::Gammas(ref ga, ref gb) => {
                let x = ga.sample(rng);
                let y = gb.sample(rng);
                let s = x + y;
                // x + y > 0 almost surely; guard the measure-zero case without a NaN.
                if s > 0.0 {
                    x / s
                } else {
                    0.5
                }
            }
        }
    }
}

/// ThompsonSampling: one Beta(alpha, beta) draw per arm ([`BetaSampler`]), argmax. An arm's
/// sampler is rebuilt only when that arm's posterior changes.
///
/// **Draw order (lowest-index ties).** First the arms that need the Gamma ratio are drawn, in
/// index order; then the one-uniform arms (Beta(1, 1), Beta(1, b), Beta(a, 1)), in index order,
/// each by inversion of one uniform U: theta = U, 1 - U^(1/b) or U^(1/a). Their value is only
/// computed when U shows that it can reach the running maximum m (U <= (1 - m)^b, resp.
/// U >= m^a, with a 1e-9 relative margin so rounding never drops a contender): every arm still
/// gets an independent exact Beta draw and the chosen arm is the argmax of all of them, lowest
/// index first among equal draws, but a weak arm costs one random word and one power. Under
/// [`TieRule::Random`] every draw is computed (with [`BetaSampler::sample`]) and ties are
/// broken by [`argmax`].
#[derive(Clone, Debug)]
pub struct ThompsonSampling {
    post: BetaPosterior,
    tie: TieRule,
    samplers: Vec<BetaSampler>,
    draws: Vec<f64>,
    integer_prior: bool,
}

impl ThompsonSampling {
    /// On `k` arms.
    pub fn new(k: usize, prior: BetaPrior, tie: TieRule) -> Result<Self, BanditError> {
        check_k(k)?;
        let post = BetaPosterior::new(k, prior);
        Ok(ThompsonSampling {
            post,
            tie,
            samplers: vec![BetaSampler::new(prior.alpha, prior.beta); k],
            draws: vec![0.0; k],
            integer_prior: prior.alpha.fract() == 0.0 && prior.beta.fract() == 0.0,
        })
    }
}

impl BanditPolicy for ThompsonSampling {
    fn k(&self) -> usize {
        self.post.k()
    }
    #[inline]
    fn select<R: Rng + ?Sized>(&mut self, rng: &mut R) -> usize {
        if self.tie == TieRule::Random {
            for (d, s) in self.draws.iter_mut().zip(&self.samplers) {
                *d = s.sample(rng);
            }
            return argmax(&self.draws, self.tie, rng);
        }
        // The leader (largest posterior mean) first, then the other Gamma-ratio arms (fully, or
        // by exact inversion when they are weak), then the one-uniform arms.
        let means = self.post.means();
        let leader = argmax(means, TieRule::LowestIndex, rng);
        let mut best = leader;
        let mut m = self.samplers[leader].sample(rng);
        for (i, s) in self.samplers.iter().enumerate() {
            if i == leader {
                continue;
            }
            if let BetaSampler::Gammas(..) = s {
                let d = if self.integer_prior && means[i] < m {
                    let (a, b) = self.post.params(i);
                    match WeakArm::new(a, b, m) {
                        Some(w) => match w.draw(rng.random::<f64>()) {
                            Some(d) => d,
                            None => continue,
                        },
                        None => s.sample(rng),
                    }
                } else {
                    s.sample(rng)
                };
                if d > m || (d == m && i < best) {
                    m = d;
                    best = i;
                }
            }
        }
        for (i, s) in self.samplers.iter().enumerate() {
            if i == leader {
                continue;
            }
            let d = match *s {
                BetaSampler::Gammas(..) => continue,
                BetaSampler::Uniform => rng.random::<f64>(),
                BetaSampler::AlphaOne { b, inv_b } => {
                    let u: f64 = rng.random();
                    if m > 0.0 && u > power(1.0 - m, b) * (1.0 + 1e-9) {
                        continue;
                    }
                    1.0 - u.powf(inv_b)
                }
                BetaSampler::BetaOne { a, inv_a } => {
                    let u: f64 = rng.random();
                    if m > 0.0 && u < power(m, a) * (1.0 - 1e-9) {
                        continue;
                    }
                    u.powf(inv_a)
                }
            };
            if d > m || (d == m && i < best) {
                m = d;
                best = i;
            }
        }
        best
    }
    #[inline]
    fn update(&mut self, arm: usize, reward: bool) {
        self.post.update(arm, reward);
        let (a, b) = self.post.params(arm);
        // A Gamma-ratio arm stays one (a, b > 0 and != 1 stay != 1); only the changed
        // parameter's Gamma sampler is rebuilt.
        self.samplers[arm] = match self.samplers[arm] {
            BetaSampler::Gammas(_, gb) if reward => BetaSampler::Gammas(GammaSampler::new(a), gb),
            BetaSampler::Gammas(ga, _) => BetaSampler::Gammas(ga, GammaSampler::new(b)),
            _ => BetaSampler::new(a, b),
        };
    }
    fn reset(&mut self) {
        self.post.reset();
        let s = BetaSampler::new(self.post.prior.alpha, self.post.prior.beta);
        self.samplers.iter_mut().for_each(|x| *x = s);
    }
    fn posterior(&self) -> &BetaPosterior {
        &self.post
    }
}

/// A weak arm of Thompson sampling: Beta(a, b) with whole a, b >= 2, a + b - 1 <= 400 and
/// min(a, b) <= 24, against a running maximum m above its posterior mean. Its draw is taken by
/// inversion, theta = F^-1(U) with the exact CDF F(x) = P(Binomial(a + b - 1, x) >= a) (a finite
/// sum of min(a, b) terms): when U < F(m) the draw is below m and its value is never needed;
/// otherwise (probability 1 - F(m), small for a weak arm) F(theta) = U is solved by safeguarded
/// Newton steps to 1e-14. One random word and min(a, b) multiply-adds instead of two Gamma
/// draws; the draw is still an exact Beta(a, b) draw.
struct WeakArm {
    a: u32,
    b: u32,
    n: u32,
    u_below_m: f64,
    m: f64,
}

impl WeakArm {
    const MAX_TERMS: u32 = 24;
    const MAX_N: u32 = 400;

    fn new(a: f64, b: f64, m: f64) -> Option<Self> {
        if !(m > 0.0 && m < 1.0 && a >= 2.0 && b >= 2.0) {
            return None;
        }
        let (a, b) = (a as u32, b as u32);
        let n = a + b - 1;
        if a.min(b) > Self::MAX_TERMS || n > Self::MAX_N {
            return None;
        }
        let f = beta_cdf_whole(a, b, m)?;
        Some(WeakArm {
            a,
            b,
            n,
            u_below_m: f,
            m,
        })
    }

    /// The draw F^-1(u), or None when it is below m.
    fn draw(&self, u: f64) -> Option<f64> {
        if u < self.u_below_m {
            return None;
        }
        // Newton on F(x) = u in [m, 1], kept inside the bracket by bisection.
        let (mut lo, mut hi) = (self.m, 1.0);
        let mut x = self.m;
        let c = binomial(self.n - 1, self.a - 1) * f64::from(self.n);
        for _ in 0..200 {
            let f = beta_cdf_whole(self.a, self.b, x).unwrap_or(0.5 * (lo + hi));
            if f < u {
                lo = x;
            } else {
                hi = x;
            }
            if hi - lo < 1e-14 {
                break;
            }
            let dens = c * x.powi(self.a as i32 - 1) * (1.0 - x).powi(self.b as i32 - 1);
            let next = x - (f - u) / dens;
            x = if next > lo && next < hi && dens > 0.0 {
                next
            } else {
                0.5 * (lo + hi)
            };
            if (next - x).abs() < 1e-15 && (f - u).abs() < 1e-15 {
                break;
            }
        }
        Some(x)
    }
}

/// C(n, k) as a float (k small).
fn binomial(n: u32, k: u32) -> f64 {
    let k = k.min(n - k);
    (0..k).fold(1.0, |acc, j| acc * f64::from(n - j) / f64::from(j + 1))
}

/// The Beta(a, b) CDF at x for whole a, b >= 1: P(Binomial(a + b - 1, x) >= a), summed over the
/// shorter tail (min(a, b) terms). None when a term underflows (then the caller draws directly).
fn beta_cdf_whole(a: u32, b: u32, x: f64) -> Option<f64> {
    let n = a + b - 1;
    if x <= 0.0 {
        return Some(0.0);
    }
    if x >= 1.0 {
        return Some(1.0);
    }
    if a <= b {
        // 1 - sum_{j < a} C(n, j) x^j (1 - x)^(n - j), from j = 0 up.
        let mut pmf = (1.0 - x).powi(n as i32);
        if pmf < 1e-280 {
            return None;
        }
        let r = x / (1.0 - x);
        let mut below = 0.0;
        for j in 0..a {
            below += pmf;
            pmf *= f64::from(n - j) / f64::from(j + 1) * r;
        }
        Some((1.0 - below).max(0.0))
    } else {
        // sum_{j >= a} C(n, j) x^j (1 - x)^(n - j), from j = n down.
        let mut pmf = x.powi(n as i32);
        if pmf < 1e-280 {
            return None;
        }
        let r = (1.0 - x) / x;
        let mut above = 0.0;
        let mut j = n;
        while j >= a {
            above += pmf;
            pmf *= f64::from(j) / f64::from(n - j + 1) * r;
            j -= 1;
        }
        Some(above.min(1.0))
    }
}

/// x^e for x in [0, 1] and e > 0: by repeated multiplication for whole e up to 10^6 (relative
/// error below 1e-10), else `powf`.
#[inline]
fn power(x: f64, e: f64) -> f64 {
    if e <= 1e6 && e.fract() == 0.0 {
        x.powi(e as i32)
    } else {
        x.powf(e)
    }
}

/// UCB1 (Auer, Cesa-Bianchi, Fischer 2002): each arm once (in index order), then the argmax of
/// the empirical mean plus sqrt(2 ln t / n_a), t the number of pulls so far.
#[derive(Clone, Debug)]
pub struct Ucb1 {
    post: BetaPosterior,
    tie: TieRule,
    scores: Vec<f64>,
    total: u64,
}

impl Ucb1 {
    /// On `k` arms.
    pub fn new(k: usize, prior: BetaPrior, tie: TieRule) -> Result<Self, BanditError> {
        check_k(k)?;
        Ok(Ucb1 {
            post: BetaPosterior::new(k, prior),
            tie,
            scores: vec![0.0; k],
            total: 0,
        })
    }
}

impl BanditPolicy for Ucb1 {
    fn k(&self) -> usize {
        self.post.k()
    }
    fn select<R: Rng + ?Sized>(&mut self, rng: &mut R) -> usize {
        if let Some(a) = (0..self.post.k()).find(|&a| self.post.pulls(a) == 0) {
            return a;
        }
        let ln_t = (self.total as f64).ln();
        for (a, s) in self.scores.iter_mut().enumerate() {
            let n = f64::from(self.post.pulls(a));
            *s = f64::from(self.post.successes(a)) / n + (2.0 * ln_t / n).sqrt();
        }
        argmax(&self.scores, self.tie, rng)
    }
    fn update(&mut self, arm: usize, reward: bool) {
        self.post.update(arm, reward);
        self.total += 1;
    }
    fn reset(&mut self) {
        self.post.reset();
        self.total = 0;
    }
    fn posterior(&self) -> &BetaPosterior {
        &self.post
    }
}

/// Successive Elimination: pulls the active arms in turn (the least-pulled active arm, lowest
/// index first); whenever all active arms have equal pulls n, deactivates every arm whose upper
/// confidence bound mean + r is below the largest lower bound mean - r, with the anytime radius
/// r = sqrt(2 ln t / n), t the number of pulls so far.
#[derive(Clone, Debug)]
pub struct SuccessiveElimination {
    post: BetaPosterior,
    active: Vec<bool>,
    total: u64,
}

impl SuccessiveElimination {
    /// On `k` arms.
    pub fn new(k: usize, prior: BetaPrior) -> Result<Self, BanditError> {
        check_k(k)?;
        Ok(SuccessiveElimination {
            post: BetaPosterior::new(k, prior),
            active: vec![true; k],
            total: 0,
        })
    }

    /// Which arms are still active.
    pub fn active(&self) -> &[bool] {
        &self.active
    }
}

impl BanditPolicy for SuccessiveElimination {
    fn k(&self) -> usize {
        self.post.k()
    }
    fn select<R: Rng + ?Sized>(&mut self, _rng: &mut R) -> usize {
        let mut best = usize::MAX;
        let mut best_n = u32::MAX;
        for a in 0..self.post.k() {
            if self.active[a] && self.post.pulls(a) < best_n {
                best = a;
                best_n = self.post.pulls(a);
            }
        }
        best
    }
    fn update(&mut self, arm: usize, reward: bool) {
        self.post.update(arm, reward);
        self.total += 1;
        let k = self.post.k();
        let n = self.post.pulls(arm);
        if (0..k).any(|a| self.active[a] && self.post.pulls(a) != n) {
            return;
        }
        let r = (2.0 * (self.total.max(2) as f64).ln() / f64::from(n)).sqrt();
        let mean = |a: usize| f64::from(self.post.successes(a)) / f64::from(n);
        let best_lcb = (0..k)
            .filter(|&a| self.active[a])
            .map(|a| mean(a) - r)
            .fold(f64::NEG_INFINITY, f64::max);
        for a in 0..k {
            if self.active[a] && mean(a) + r < best_lcb {
                self.active[a] = false;
            }
        }
    }
    fn reset(&mut self) {
        self.post.reset();
        self.active.iter_mut().for_each(|x| *x = true);
        self.total = 0;
    }
    fn posterior(&self) -> &BetaPosterior {
        &self.post
    }
}

/// Explore-First: pulls the arms in turn (arm t mod K) for the first `per_arm * K` pulls, then
/// commits to the arm with the best empirical mean over those pulls, forever.
#[derive(Clone, Debug)]
pub struct ExploreFirst {
    post: BetaPosterior,
    tie: TieRule,
    per_arm: u32,
    total: u64,
    explore_means: Vec<f64>,
    committed: Option<usize>,
}

impl ExploreFirst {
    /// On `k` arms, exploring each arm `per_arm` >= 1 times.
    pub fn new(
        k: usize,
        per_arm: u32,
        prior: BetaPrior,
        tie: TieRule,
    ) -> Result<Self, BanditError> {
        check_k(k)?;
        if per_arm == 0 {
            return Err(BanditError::range(
                "pulls per arm of ExploreFirst",
                0,
                "[1, infinity)",
            ));
        }
        Ok(ExploreFirst {
            post: BetaPosterior::new(k, prior),
            tie,
            per_arm,
            total: 0,
            explore_means: vec![0.0; k],
            committed: None,
        })
    }
}

impl BanditPolicy for ExploreFirst {
    fn k(&self) -> usize {
        self.post.k()
    }
    fn select<R: Rng + ?Sized>(&mut self, rng: &mut R) -> usize {
        let k = self.post.k() as u64;
        if self.total < u64::from(self.per_arm) * k {
            return (self.total % k) as usize;
        }
        if let Some(a) = self.committed {
            return a;
        }
        for (a, m) in self.explore_means.iter_mut().enumerate() {
            *m = f64::from(self.post.successes(a)) / f64::from(self.post.pulls(a).max(1));
        }
        let a = argmax(&self.explore_means, self.tie, rng);
        self.committed = Some(a);
        a
    }
    fn update(&mut self, arm: usize, reward: bool) {
        self.post.update(arm, reward);
        self.total += 1;
    }
    fn reset(&mut self) {
        self.post.reset();
        self.total = 0;
        self.committed = None;
    }
    fn posterior(&self) -> &BetaPosterior {
        &self.post
    }
}

/// The greedy modification of a base algorithm with mixing parameter p (the paper's Theorem
/// 4.11). Until the base algorithm first deviates from the greedy choice (argmax posterior mean
/// on the data the base recorded) it is followed and records every reward. From the deviating
/// round on, each round runs the base algorithm with probability p (its reward is recorded),
/// else plays the greedy choice on the base's data and records nothing.
#[derive(Clone, Debug)]
pub struct GreedyModified<P> {
    base: P,
    p: f64,
    tie: TieRule,
    deviated: bool,
    record: bool,
}

impl<P: BanditPolicy> GreedyModified<P> {
    /// Wraps `base` with mixing parameter `p` in [0, 1].
    pub fn new(base: P, p: f64, tie: TieRule) -> Result<Self, BanditError> {
        check_unit("mixing parameter p of the greedy modification", p)?;
        Ok(GreedyModified {
            base,
            p,
            tie,
            deviated: false,
            record: true,
        })
    }

    /// Whether the base algorithm has deviated from greedy yet.
    pub fn deviated(&self) -> bool {
        self.deviated
    }

    /// The base algorithm.
    pub fn base(&self) -> &P {
        &self.base
    }
}

impl<P: BanditPolicy> BanditPolicy for GreedyModified<P> {
    fn k(&self) -> usize {
        self.base.k()
    }
    fn select<R: Rng + ?Sized>(&mut self, rng: &mut R) -> usize {
        if self.deviated {
            if rng.random::<f64>() < self.p {
                self.record = true;
                return self.base.select(rng);
            }
            self.record = false;
            return argmax(self.base.posterior().means(), self.tie, rng);
        }
        let a = self.base.select(rng);
        let g = argmax(self.base.posterior().means(), self.tie, rng);
        if a == g {
            self.record = true;
            return a;
        }
        self.deviated = true;
        if rng.random::<f64>() < self.p {
            self.record = true;
            a
        } else {
            self.record = false;
            g
        }
    }
    fn update(&mut self, arm: usize, reward: bool) {
        if self.record {
            self.base.update(arm, reward);
        }
    }
    fn reset(&mut self) {
        self.base.reset();
        self.deviated = false;
        self.record = true;
    }
    fn posterior(&self) -> &BetaPosterior {
        self.base.posterior()
    }
}

fn check_k(k: usize) -> Result<(), BanditError> {
    if k == 0 {
        return Err(BanditError::range("number of arms K", 0, "[1, infinity)"));
    }
    Ok(())
}

fn check_unit(name: &str, x: f64) -> Result<(), BanditError> {
    if (0.0..=1.0).contains(&x) {
        Ok(())
    } else {
        Err(BanditError::range(name, x, "[0, 1]"))
    }
}

/// The algorithms by name, with their parameters (serde-friendly, for configs).
///
/// Text form (see [`AlgorithmKind::from_str`]): `SG`, `BG`, `BEG`, `BEG(eps=0.1)`, `TS`, `UCB1`,
/// `SE`, `EF(m=20)`, `GM(TS, p=0.5)`; long names (`StaticGreedy`, `BayesGreedy`,
/// `DynamicGreedy`, `BayesEpsilonGreedy`, `ThompsonSampling`, `SuccessiveElimination`,
/// `ExploreFirst`, `GreedyModified`) are accepted too, case-insensitively.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "name", rename_all = "kebab-case")]
pub enum AlgorithmKind {
    /// [`StaticGreedy`].
    StaticGreedy,
    /// [`BayesGreedy`].
    BayesGreedy,
    /// [`BayesEpsilonGreedy`].
    BayesEpsilonGreedy {
        /// Exploration probability (paper: 0.05).
        eps: f64,
    },
    /// [`ThompsonSampling`].
    ThompsonSampling,
    /// [`Ucb1`].
    Ucb1,
    /// [`SuccessiveElimination`].
    SuccessiveElimination,
    /// [`ExploreFirst`].
    ExploreFirst {
        /// Pulls per arm before committing.
        per_arm: u32,
    },
    /// [`GreedyModified`].
    GreedyModified {
        /// The base algorithm.
        base: Box<AlgorithmKind>,
        /// Mixing parameter p.
        p: f64,
    },
}

/// Names accepted by [`AlgorithmKind::from_str`], for error messages.
pub const ALGORITHM_NAMES: &str = "SG (StaticGreedy), BG (BayesGreedy, DynamicGreedy), BEG[(eps=0.05)] (BayesEpsilonGreedy), TS (ThompsonSampling), UCB1, SE (SuccessiveElimination), EF(m=M) (ExploreFirst), GM(BASE, p=P) (GreedyModified)";

impl AlgorithmKind {
    /// BayesEpsilonGreedy with the paper's eps = 0.05.
    pub fn beg() -> Self {
        AlgorithmKind::BayesEpsilonGreedy { eps: 0.05 }
    }

    /// Short label: "TS", "BG", "BEG", "BEG(eps=0.1)", "GM(TS, p=0.5)", ...
    pub fn short(&self) -> String {
        match self {
            AlgorithmKind::StaticGreedy => "SG".into(),
            AlgorithmKind::BayesGreedy => "BG".into(),
            AlgorithmKind::BayesEpsilonGreedy { eps } if *eps == 0.05 => "BEG".into(),
            AlgorithmKind::BayesEpsilonGreedy { eps } => format!("BEG(eps={eps})"),
            AlgorithmKind::ThompsonSampling => "TS".into(),
            AlgorithmKind::Ucb1 => "UCB1".into(),
            AlgorithmKind::SuccessiveElimination => "SE".into(),
            AlgorithmKind::ExploreFirst { per_arm } => format!("EF(m={per_arm})"),
            AlgorithmKind::GreedyModified { base, p } => format!("GM({}, p={p})", base.short()),
        }
    }

    /// Checks the parameters (independently of K).
    pub fn validate(&self) -> Result<(), BanditError> {
        match self {
            AlgorithmKind::BayesEpsilonGreedy { eps } => {
                check_unit("epsilon of BayesEpsilonGreedy", *eps)
            }
            AlgorithmKind::ExploreFirst { per_arm: 0 } => Err(BanditError::range(
                "pulls per arm of ExploreFirst",
                0,
                "[1, infinity)",
            )),
            AlgorithmKind::GreedyModified { base, p } => {
                check_unit("mixing parameter p of the greedy modification", *p)?;
                base.validate()
            }
            _ => Ok(()),
        }
    }

    /// Builds the algorithm on `k` arms.
    pub fn build(&self, k: usize, prior: BetaPrior, tie: TieRule) -> Result<Policy, BanditError> {
        Ok(match self {
            AlgorithmKind::StaticGreedy => Policy::StaticGreedy(StaticGreedy::new(k, prior, tie)?),
            AlgorithmKind::BayesGreedy => Policy::BayesGreedy(BayesGreedy::new(k, prior, tie)?),
            AlgorithmKind::BayesEpsilonGreedy { eps } => {
                Policy::BayesEpsilonGreedy(BayesEpsilonGreedy::new(k, *eps, prior, tie)?)
            }
            AlgorithmKind::ThompsonSampling => {
                Policy::ThompsonSampling(ThompsonSampling::new(k, prior, tie)?)
            }
            AlgorithmKind::Ucb1 => Policy::Ucb1(Ucb1::new(k, prior, tie)?),
            AlgorithmKind::SuccessiveElimination => {
                Policy::SuccessiveElimination(SuccessiveElimination::new(k, prior)?)
            }
            AlgorithmKind::ExploreFirst { per_arm } => {
                Policy::ExploreFirst(ExploreFirst::new(k, *per_arm, prior, tie)?)
            }
            AlgorithmKind::GreedyModified { base, p } => {
                let b = base.build(k, prior, tie)?;
                Policy::GreedyModified(Box::new(GreedyModified::new(b, *p, tie)?))
            }
        })
    }
}

impl fmt::Display for AlgorithmKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.short())
    }
}

impl FromStr for AlgorithmKind {
    type Err = BanditError;

    fn from_str(text: &str) -> Result<Self, BanditError> {
        let s = text.trim();
        let (name, args) = match s.find('(') {
            Some(i) => {
                let inner = s[i + 1..]
                    .strip_suffix(')')
                    .ok_or_else(|| BanditError::Parse {
                        what: "algorithm".into(),
                        text: text.into(),
                        reason: "missing closing parenthesis".into(),
                    })?;
                (s[..i].trim(), Some(inner))
            }
            None => (s, None),
        };
        let parse_err = |reason: String| BanditError::Parse {
            what: "algorithm".into(),
            text: text.into(),
            reason,
        };
        // key=value pairs (for GM, the base comes first and may itself hold parentheses).
        let kv =
            |args: &str, key: &str| -> Result<Option<f64>, BanditError> {
                for part in args.split(',') {
                    let part = part.trim();
                    if part.is_empty() {
                        continue;
                    }
                    let (k, v) = part
                        .split_once('=')
                        .ok_or_else(|| parse_err(format!("expected {key}=VALUE, got {part:?}")))?;
                    if k.trim().eq_ignore_ascii_case(key) {
                        return v.trim().parse::<f64>().map(Some).map_err(|_| {
                            parse_err(format!("{key} = {:?} is not a number", v.trim()))
                        });
                    }
                    return Err(parse_err(format!(
                        "unknown parameter {:?}; allowed: {key}",
                        k.trim()
                    )));
                }
                Ok(None)
            };
        let lower = name.to_ascii_lowercase().replace(['-', '_', ' '], "");
        let no_args = |kind: AlgorithmKind| -> Result<AlgorithmKind, BanditError> {
            match args {
                Some(a) if !a.trim().is_empty() => {
                    Err(parse_err(format!("{name} takes no parameters")))
                }
                _ => Ok(kind),
            }
        };
        let kind = match lower.as_str() {
            "sg" | "staticgreedy" => no_args(AlgorithmKind::StaticGreedy)?,
            "bg" | "bayesgreedy" | "dynamicgreedy" | "dg" => no_args(AlgorithmKind::BayesGreedy)?,
            "beg" | "bayesepsilongreedy" | "dynamicepsilongreedy" | "deg" => {
                let eps = match args {
                    Some(a) => kv(a, "eps")?.unwrap_or(0.05),
                    None => 0.05,
                };
                AlgorithmKind::BayesEpsilonGreedy { eps }
            }
            "ts" | "thompsonsampling" | "thompson" => no_args(AlgorithmKind::ThompsonSampling)?,
            "ucb1" | "ucb" => no_args(AlgorithmKind::Ucb1)?,
            "se" | "successiveelimination" => no_args(AlgorithmKind::SuccessiveElimination)?,
            "ef" | "explorefirst" => {
                let m = args
                    .map(|a| kv(a, "m"))
                    .transpose()?
                    .flatten()
                    .ok_or_else(|| {
                        parse_err("ExploreFirst needs m=PULLS_PER_ARM, e.g. EF(m=20)".into())
                    })?;
                if !(m >= 1.0 && m.fract() == 0.0 && m <= f64::from(u32::MAX)) {
                    return Err(BanditError::range(
                        "pulls per arm m of ExploreFirst",
                        m,
                        "whole numbers in [1, 4294967295]",
                    ));
                }
                AlgorithmKind::ExploreFirst { per_arm: m as u32 }
            }
            "gm" | "greedymodified" | "greedymodification" => {
                let a = args
                    .ok_or_else(|| parse_err("GM needs a base and p, e.g. GM(TS, p=0.5)".into()))?;
                let (base, rest) = a
                    .rsplit_once(',')
                    .ok_or_else(|| parse_err("GM needs a base and p, e.g. GM(TS, p=0.5)".into()))?;
                let p = kv(rest, "p")?.ok_or_else(|| parse_err("GM needs p=MIXING".into()))?;
                AlgorithmKind::GreedyModified {
                    base: Box::new(base.parse()?),
                    p,
                }
            }
            _ => {
                return Err(BanditError::UnknownName {
                    what: "algorithm".into(),
                    name: text.into(),
                    allowed: ALGORITHM_NAMES.into(),
                })
            }
        };
        kind.validate()?;
        Ok(kind)
    }
}

/// Any algorithm of [`AlgorithmKind`], dispatched by `match` (no boxing except for the greedy
/// modification's base).
#[derive(Clone, Debug)]
#[allow(clippy::large_enum_variant)]
pub enum Policy {
    /// See [`StaticGreedy`].
    StaticGreedy(StaticGreedy),
    /// See [`BayesGreedy`].
    BayesGreedy(BayesGreedy),
    /// See [`BayesEpsilonGreedy`].
    BayesEpsilonGreedy(BayesEpsilonGreedy),
    /// See [`ThompsonSampling`].
    ThompsonSampling(ThompsonSampling),
    /// See [`Ucb1`].
    Ucb1(Ucb1),
    /// See [`SuccessiveElimination`].
    SuccessiveElimination(SuccessiveElimination),
    /// See [`ExploreFirst`].
    ExploreFirst(ExploreFirst),
    /// See [`GreedyModified`].
    GreedyModified(Box<GreedyModified<Policy>>),
}

macro_rules! dispatch {
    ($self:ident, $p:ident => $e:expr) => {
        match $self {
            Policy::StaticGreedy($p) => $e,
            Policy::BayesGreedy($p) => $e,
            Policy::BayesEpsilonGreedy($p) => $e,
            Policy::ThompsonSampling($p) => $e,
            Policy::Ucb1($p) => $e,
            Policy::SuccessiveElimination($p) => $e,
            Policy::ExploreFirst($p) => $e,
            Policy::GreedyModified($p) => $e,
        }
    };
}

impl BanditPolicy for Policy {
    fn k(&self) -> usize {
        dispatch!(self, p => p.k())
    }
    #[inline]
    fn select<R: Rng + ?Sized>(&mut self, rng: &mut R) -> usize {
        dispatch!(self, p => p.select(rng))
    }
    #[inline]
    fn update(&mut self, arm: usize, reward: bool) {
        dispatch!(self, p => p.update(arm, reward))
    }
    fn reset(&mut self) {
        dispatch!(self, p => p.reset())
    }
    fn posterior(&self) -> &BetaPosterior {
        dispatch!(self, p => p.posterior())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{SeedSequence, Source};

    #[test]
    fn argmax_tie_rules() {
        let mut rng = SeedSequence::new(1).stream(0, Source::Exploration);
        assert_eq!(
            argmax(&[0.5, 0.7, 0.7, 0.1], TieRule::LowestIndex, &mut rng),
            1
        );
        let mut seen = [0u32; 4];
        for _ in 0..2000 {
            seen[argmax(&[0.5, 0.7, 0.7, 0.1], TieRule::Random, &mut rng)] += 1;
        }
        assert_eq!(seen[0] + seen[3], 0);
        // Binomial(2000, 1/2): sd 22.4; 5 sd.
        assert!((seen[1] as i64 - 1000).abs() < 112, "{seen:?}");
        assert_eq!(argmax(&[0.1, 0.9, 0.2], TieRule::Random, &mut rng), 1);
    }

    #[test]
    fn posterior_means_are_exact_ratios() {
        let mut p = BetaPosterior::new(3, BetaPrior::default());
        p.update(0, true);
        p.update(0, false);
        p.update(1, true);
        p.update(1, true);
        p.update(1, false);
        p.update(1, false);
        // 2/4 and 3/6 are both exactly 0.5; the untouched arm is 1/2 too.
        assert_eq!(p.means()[0], p.means()[1]);
        assert_eq!(p.means()[0], p.means()[2]);
        p.reset();
        assert_eq!(p.pulls(1), 0);
    }

    #[test]
    fn greedy_sticks_and_static_greedy_never_moves() {
        let mut rng = SeedSequence::new(2).stream(0, Source::Exploration);
        let mut bg = BayesGreedy::new(3, BetaPrior::default(), TieRule::LowestIndex).unwrap();
        assert_eq!(bg.select(&mut rng), 0);
        bg.update(0, false);
        assert_eq!(bg.select(&mut rng), 1);
        bg.update(1, true);
        assert_eq!(bg.select(&mut rng), 1);
        let mut sg = StaticGreedy::new(3, BetaPrior::default(), TieRule::LowestIndex).unwrap();
        for _ in 0..10 {
            let a = sg.select(&mut rng);
            assert_eq!(a, 0);
            sg.update(a, false);
        }
    }

    #[test]
    fn thompson_frequencies_match_posterior_probabilities() {
        // Two arms with Beta(3, 1) vs Beta(1, 3): P(theta_0 > theta_1)
        // = 1 - int_0^1 3 (1 - y)^2 y^3 dy = 1 - 3 B(4, 3) = 0.95.
        let mut ts = ThompsonSampling::new(2, BetaPrior::default(), TieRule::LowestIndex).unwrap();
        ts.update(0, true);
        ts.update(0, true);
        ts.update(1, false);
        ts.update(1, false);
        let mut rng = SeedSequence::new(5).stream(0, Source::Exploration);
        let n = 20_000;
        let zero = (0..n).filter(|_| ts.select(&mut rng) == 0).count() as f64 / n as f64;
        let p = 0.95;
        let sd = (p * (1.0 - p) / n as f64).sqrt();
        assert!((zero - p).abs() < 5.0 * sd, "{zero} vs {p}");
    }

    #[test]
    fn beta_sampler_moments_match_in_every_case() {
        // Mean and variance of 40000 draws within 5 standard errors, for each sampler kind.
        let mut rng = SeedSequence::new(9).stream(0, Source::Exploration);
        let n = 40_000;
        for (a, b) in [
            (1.0, 1.0),
            (1.0, 4.0),
            (3.0, 1.0),
            (3.0, 2.0),
            (0.5, 0.7),
            (40.0, 60.0),
        ] {
            let s = BetaSampler::new(a, b);
            let x: Vec<f64> = (0..n).map(|_| s.sample(&mut rng)).collect();
            let m = a / (a + b);
            let v = a * b / ((a + b).powi(2) * (a + b + 1.0));
            let mean = x.iter().sum::<f64>() / n as f64;
            let var = x.iter().map(|y| (y - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
            assert!(x.iter().all(|y| (0.0..=1.0).contains(y)));
            assert!(
                (mean - m).abs() < 5.0 * (v / n as f64).sqrt(),
                "Beta({a}, {b}) mean {mean} vs {m}"
            );
            // sd of the sample variance = sqrt((m4 - v^2) / n), and m4 - v^2 < 3 v^2 for these shapes.
            assert!(
                (var - v).abs() < 5.0 * v * (3.0 / n as f64).sqrt(),
                "Beta({a}, {b}) var {var} vs {v}"
            );
        }
    }

    /// The exact Beta(a, b) CDF for integer a, b: P(Binomial(a + b - 1, x) >= a).
    fn beta_cdf_int(a: u32, b: u32, x: f64) -> f64 {
        let n = a + b - 1;
        let mut pmf = (1.0 - x).powi(n as i32); // P(Bin = 0)
        let mut below = 0.0;
        for j in 0..a {
            below += pmf;
            // P(Bin = j + 1) from P(Bin = j).
            pmf *= f64::from(n - j) / f64::from(j + 1) * x / (1.0 - x);
        }
        1.0 - below
    }

    #[test]
    fn beta_sampler_passes_kolmogorov_smirnov_against_the_exact_cdf() {
        // 20000 draws per shape; the KS statistic exceeds 1.95 / sqrt(n) with probability 0.001
        // under the null (fixed seed, so the test is deterministic).
        let mut rng = SeedSequence::new(10).stream(0, Source::Exploration);
        let n = 20_000;
        let crit = 1.95 / (n as f64).sqrt();
        for (a, b) in [
            (1, 1),
            (1, 7),
            (7, 1),
            (2, 2),
            (5, 3),
            (2, 40),
            (30, 12),
            (300, 150),
        ] {
            let s = BetaSampler::new(f64::from(a), f64::from(b));
            let mut x: Vec<f64> = (0..n).map(|_| s.sample(&mut rng)).collect();
            x.sort_by(f64::total_cmp);
            let d = x
                .iter()
                .enumerate()
                .map(|(i, &v)| {
                    let f = beta_cdf_int(a, b, v.clamp(0.0, 1.0 - 1e-16));
                    (f - i as f64 / n as f64).max((i + 1) as f64 / n as f64 - f)
                })
                .fold(0.0, f64::max);
            assert!(d < crit, "Beta({a}, {b}): KS statistic {d} >= {crit}");
        }
        // The CDF itself: Beta(2, 2) has F(x) = 3x^2 - 2x^3.
        assert!((beta_cdf_int(2, 2, 0.3) - (3.0 * 0.09 - 2.0 * 0.027)).abs() < 1e-12);
    }

    #[test]
    fn thompson_choice_frequencies_match_the_exact_argmax_probabilities() {
        // Arms of every sampler kind: Beta(3, 2), Beta(1, 4), Beta(4, 1), Beta(1, 1), Beta(6, 3),
        // Beta(2, 9). P(arm i has the largest draw) = int f_i(x) prod_{j != i} F_j(x) dx,
        // integrated numerically (Simpson, 20000 intervals: error far below 1e-6).
        let shapes: [(u32, u32); 6] = [(3, 2), (1, 4), (4, 1), (1, 1), (6, 3), (2, 9)];
        let fact = |n: u32| (1..=n).map(f64::from).product::<f64>();
        let density = |a: u32, b: u32, x: f64| {
            x.powi(a as i32 - 1) * (1.0 - x).powi(b as i32 - 1) * fact(a + b - 1)
                / (fact(a - 1) * fact(b - 1))
        };
        let m = 20_000;
        let h = 1.0 / m as f64;
        let exact: Vec<f64> = (0..shapes.len())
            .map(|i| {
                let g = |x: f64| {
                    let (a, b) = shapes[i];
                    let mut v = density(a, b, x);
                    for (j, &(aj, bj)) in shapes.iter().enumerate() {
                        if j != i {
                            v *= beta_cdf_int(aj, bj, x.min(1.0 - 1e-16));
                        }
                    }
                    v
                };
                (0..=m)
                    .map(|k| {
                        let w = if k == 0 || k == m {
                            1.0
                        } else if k % 2 == 1 {
                            4.0
                        } else {
                            2.0
                        };
                        w * g(k as f64 * h)
                    })
                    .sum::<f64>()
                    * h
                    / 3.0
            })
            .collect();
        assert!((exact.iter().sum::<f64>() - 1.0).abs() < 1e-6, "{exact:?}");
        for tie in [TieRule::LowestIndex, TieRule::Random] {
            let mut ts = ThompsonSampling::new(6, BetaPrior::default(), tie).unwrap();
            for (arm, &(a, b)) in shapes.iter().enumerate() {
                for _ in 1..a {
                    ts.update(arm, true);
                }
                for _ in 1..b {
                    ts.update(arm, false);
                }
            }
            let mut rng = SeedSequence::new(13).stream(0, Source::Exploration);
            let n = 60_000;
            let mut counts = [0u32; 6];
            for _ in 0..n {
                counts[ts.select(&mut rng)] += 1;
            }
            for (i, &c) in counts.iter().enumerate() {
                let f = f64::from(c) / n as f64;
                let sd = (exact[i] * (1.0 - exact[i]) / n as f64).sqrt();
                assert!(
                    (f - exact[i]).abs() < 5.0 * sd + 1e-6,
                    "{tie:?}: arm {i} chosen {f}, exact {}",
                    exact[i]
                );
            }
        }
    }

    #[test]
    fn weak_arm_inversion_is_exact() {
        // F(F^-1(u)) = u, and inversion of uniforms passes the KS test against the exact CDF.
        for (a, b) in [(2u32, 2u32), (5, 3), (3, 20), (24, 30), (40, 7)] {
            let w = WeakArm::new(f64::from(a), f64::from(b), 1e-6).unwrap();
            assert_eq!(w.draw(0.0), None);
            for u in [0.001, 0.2, 0.5, 0.77, 0.999] {
                let x = w.draw(u).unwrap();
                let f = beta_cdf_whole(a, b, x).unwrap();
                assert!((f - u).abs() < 1e-10, "Beta({a}, {b}): F({x}) = {f} vs {u}");
                assert!((beta_cdf_int(a, b, x) - f).abs() < 1e-12, "two CDF forms");
            }
            let mut rng = SeedSequence::new(14).stream(0, Source::Exploration);
            let n = 20_000;
            let mut x: Vec<f64> = (0..n).filter_map(|_| w.draw(rng.random::<f64>())).collect();
            assert!(x.len() > n - 5);
            x.sort_by(f64::total_cmp);
            let nn = x.len() as f64;
            let d = x
                .iter()
                .enumerate()
                .map(|(i, &v)| {
                    let f = beta_cdf_int(a, b, v.min(1.0 - 1e-16));
                    (f - i as f64 / nn).max((i + 1) as f64 / nn - f)
                })
                .fold(0.0, f64::max);
            assert!(d < 1.95 / nn.sqrt(), "Beta({a}, {b}): KS {d}");
        }
        // Out of the weak range: drawn directly.
        assert!(WeakArm::new(30.0, 30.0, 0.9).is_none());
        assert!(WeakArm::new(1.0, 5.0, 0.9).is_none());
        assert!(WeakArm::new(3.0, 5.0, 1.0).is_none());
    }

    #[test]
    fn gamma_sampler_moments_including_the_boost() {
        let mut rng = SeedSequence::new(12).stream(0, Source::Exploration);
        let n = 40_000;
        for shape in [0.3, 1.0, 2.0, 7.5] {
            let g = GammaSampler::new(shape);
            let x: Vec<f64> = (0..n).map(|_| g.sample(&mut rng)).collect();
            let mean = x.iter().sum::<f64>() / n as f64;
            // Mean and variance of Gamma(shape, 1) are both `shape`.
            assert!(x.iter().all(|v| v.is_finite() && *v >= 0.0));
            assert!(
                (mean - shape).abs() < 5.0 * (shape / n as f64).sqrt(),
                "Gamma({shape}) mean {mean}"
            );
        }
        assert_eq!(GammaSampler::new(f64::NAN), GammaSampler::new(1.0));
        assert_eq!(BetaSampler::new(-1.0, 2.0), BetaSampler::Uniform);
    }

    #[test]
    fn eps_greedy_explores_at_rate_eps() {
        let mut beg =
            BayesEpsilonGreedy::new(4, 0.2, BetaPrior::default(), TieRule::LowestIndex).unwrap();
        beg.update(0, true);
        let mut rng = SeedSequence::new(6).stream(0, Source::Exploration);
        let n = 20_000;
        let off = (0..n).filter(|_| beg.select(&mut rng) != 0).count() as f64 / n as f64;
        let p = 0.2 * 0.75;
        let sd = (p * (1.0 - p) / n as f64).sqrt();
        assert!((off - p).abs() < 5.0 * sd, "{off} vs {p}");
    }

    #[test]
    fn ucb_se_ef_behave() {
        let mut rng = SeedSequence::new(7).stream(0, Source::Exploration);
        let mut ucb = Ucb1::new(3, BetaPrior::default(), TieRule::LowestIndex).unwrap();
        for want in 0..3 {
            let a = ucb.select(&mut rng);
            assert_eq!(a, want);
            ucb.update(a, a == 2);
        }
        assert_eq!(ucb.select(&mut rng), 2);
        let mut ef = ExploreFirst::new(3, 2, BetaPrior::default(), TieRule::LowestIndex).unwrap();
        for t in 0..6 {
            let a = ef.select(&mut rng);
            assert_eq!(a, t % 3);
            ef.update(a, a == 1);
        }
        for _ in 0..5 {
            let a = ef.select(&mut rng);
            assert_eq!(a, 1);
            ef.update(a, false);
        }
        let mut se = SuccessiveElimination::new(2, BetaPrior::default()).unwrap();
        for _ in 0..400 {
            let a = se.select(&mut rng);
            se.update(a, a == 0);
        }
        assert_eq!(se.active(), &[true, false]);
    }

    #[test]
    fn greedy_modification_with_p_one_is_the_base_and_p_zero_records_only_greedy_steps() {
        let mut rng1 = SeedSequence::new(8).stream(0, Source::Exploration);
        let mut rng2 = SeedSequence::new(8).stream(0, Source::Exploration);
        let base = AlgorithmKind::ThompsonSampling
            .build(4, BetaPrior::default(), TieRule::LowestIndex)
            .unwrap();
        let mut gm = GreedyModified::new(base, 0.0, TieRule::LowestIndex).unwrap();
        let mut bg = BayesGreedy::new(4, BetaPrior::default(), TieRule::LowestIndex).unwrap();
        let _ = (&mut rng1, &mut rng2);
        // With p = 0, after the deviation every round is greedy on frozen data: the same arm.
        let mut arms = Vec::new();
        for t in 0..200 {
            let a = gm.select(&mut rng1);
            gm.update(a, t % 3 == 0);
            arms.push(a);
            let _ = bg.select(&mut rng2);
        }
        assert!(gm.deviated());
        let last = *arms.last().unwrap();
        assert!(arms[150..].iter().all(|&a| a == last));
        let recorded: u32 = (0..4).map(|a| gm.posterior().pulls(a)).sum();
        assert!(
            recorded < 200,
            "greedy steps must not be recorded ({recorded})"
        );
    }

    #[test]
    fn parse_names_and_reject_unknown_ones() {
        assert_eq!(
            "TS".parse::<AlgorithmKind>().unwrap(),
            AlgorithmKind::ThompsonSampling
        );
        assert_eq!(
            "dynamic-greedy".parse::<AlgorithmKind>().unwrap(),
            AlgorithmKind::BayesGreedy
        );
        assert_eq!(
            "BEG".parse::<AlgorithmKind>().unwrap(),
            AlgorithmKind::beg()
        );
        assert_eq!(
            "BEG(eps=0.1)".parse::<AlgorithmKind>().unwrap(),
            AlgorithmKind::BayesEpsilonGreedy { eps: 0.1 }
        );
        assert_eq!(
            "GM(BEG(eps=0.2), p=0.5)"
                .parse::<AlgorithmKind>()
                .unwrap()
                .short(),
            "GM(BEG(eps=0.2), p=0.5)"
        );
        assert_eq!(
            "EF(m=5)".parse::<AlgorithmKind>().unwrap(),
            AlgorithmKind::ExploreFirst { per_arm: 5 }
        );
        let e = "XYZ".parse::<AlgorithmKind>().unwrap_err().to_string();
        assert!(
            e.contains("unknown algorithm \"XYZ\"") && e.contains("TS (ThompsonSampling)"),
            "{e}"
        );
        let e = "BEG(eps=1.5)"
            .parse::<AlgorithmKind>()
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("epsilon of BayesEpsilonGreedy = 1.5 must lie in [0, 1]"),
            "{e}"
        );
        let e = "BEG(eps=-0.1)"
            .parse::<AlgorithmKind>()
            .unwrap_err()
            .to_string();
        assert!(e.contains("-0.1"), "{e}");
        assert!("EF".parse::<AlgorithmKind>().is_err());
        assert!("EF(m=0)".parse::<AlgorithmKind>().is_err());
        assert!("GM(TS, p=2)".parse::<AlgorithmKind>().is_err());
        assert!(
            BayesEpsilonGreedy::new(3, 1.01, BetaPrior::default(), TieRule::LowestIndex).is_err()
        );
        assert!(BayesGreedy::new(0, BetaPrior::default(), TieRule::LowestIndex).is_err());
        assert!(BetaPrior::new(0.0, 1.0).is_err());
    }
}
