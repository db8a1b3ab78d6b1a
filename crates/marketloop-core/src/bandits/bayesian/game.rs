//! The game of the Bayesian-choice model: agent t's reward estimate of each principal
//! (PMR_j(t) = E[rew_j(n_j(t) + 1)]), its choice probability p_t by a response function
//! ([`BayesResponse`]), and the exact distribution of n_1(t) carried forward round by round
//! ([`BayesGame::run`] -> [`GameOutcome`]).
//!
//! Because agents observe nothing, p_t is deterministic and n_1(t) = sum of independent
//! Bernoulli(p_s), s < t, is Poisson-binomial: `P(n_1(t+1) = n) = P(n_1(t) = n) (1 - p_t) +
//! P(n_1(t) = n - 1) p_t`. This is exact (no truncation), O(t) per round and O(T^2) in all, in
//! O(T) memory.
//!
//! **Warm starts.** With `warm_start = T0`, each principal has served T0 agents alone before
//! round 1, so principal j is at local step T0 + n_j(t) + 1 (Section 5's simultaneous entry).
//!
//! **Monte Carlo error.** rew is estimated; the standard deviation of a sum is at most the sum
//! of the standard deviations, whatever the correlations, so with w_n = P(n_1(t) = n) and
//! w'_n = P(n_2(t) = n) = w_{t-1-n}, the standard error of PMR_1(t) - PMR_2(t) is at most each of
//! - `sum_n (w_n se_1(n) + w'_n se_2(n))`,
//! - `sum_n w_n se_12(n) + sum_n |w_n - w'_n| se_2(n)`, from
//!   `PMR_1 - PMR_2 = sum_n w_n (rew_1(n) - rew_2(n)) + sum_n (w_n - w'_n) rew_2(n)`,
//! - `sum_n w'_n se_12(n) + sum_n |w_n - w'_n| se_1(n)` (the same with the roles swapped),
//!
//! where se_12 is the paired standard error of rew_1(n) - rew_2(n) on the same paths (small
//! for similar algorithms: common random numbers); the band uses the smallest. A HardMax (or
//! HardMax&Random) decision with `|PMR_1 - PMR_2| <= z * that bound` and the two estimates not
//! bit-identical is **flagged** and decided by the [`BandRule`]: as a tie (default) or by the
//! estimate. Bit-identical estimates (algorithms that coincide up to that step on every path)
//! are real ties, decided by the tie bias and not flagged. PMR_2 is summed in the order of
//! n_2(t), so two equal curves under a symmetric distribution give bit-identical estimates.

use super::curves::RewCurves;
use crate::bandits::{BanditError, ResponseSpec};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::sync::Arc;

type ResponseFn = dyn Fn(f64, f64) -> f64 + Send + Sync;

/// A response function on the two principals' reward estimates: the probability that the agent
/// chooses principal 1.
#[derive(Clone)]
pub enum BayesResponse {
    /// The larger estimate; an exact tie goes to principal 1 with probability `bias`.
    HardMax {
        /// Tie bias b in [0, 1] (1/2: fair).
        bias: f64,
    },
    /// With probability eps a uniformly random principal, else HardMax with fair ties.
    HardMaxRandom {
        /// eps in [0, 1].
        eps: f64,
    },
    /// The logistic function of (PMR_1 - PMR_2) / temperature (symmetric, smooth).
    SoftMax {
        /// Temperature > 0.
        temperature: f64,
    },
    /// With probability eps a uniformly random principal, else SoftMax.
    SoftMaxRandom {
        /// eps in [0, 1].
        eps: f64,
        /// Temperature > 0.
        temperature: f64,
    },
    /// Each principal with probability 1/2, whatever the estimates.
    Uniform,
    /// A user's function of (PMR_1, PMR_2), returning a probability in [0, 1].
    Custom(String, Arc<ResponseFn>),
}

impl fmt::Debug for BayesResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.short())
    }
}

impl PartialEq for BayesResponse {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (BayesResponse::Custom(a, f), BayesResponse::Custom(b, g)) => {
                a == b && Arc::ptr_eq(f, g)
            }
            (BayesResponse::HardMax { bias: a }, BayesResponse::HardMax { bias: b }) => a == b,
            (BayesResponse::HardMaxRandom { eps: a }, BayesResponse::HardMaxRandom { eps: b }) => {
                a == b
            }
            (
                BayesResponse::SoftMax { temperature: a },
                BayesResponse::SoftMax { temperature: b },
            ) => a == b,
            (
                BayesResponse::SoftMaxRandom {
                    eps: a,
                    temperature: s,
                },
                BayesResponse::SoftMaxRandom {
                    eps: b,
                    temperature: t,
                },
            ) => a == b && s == t,
            (BayesResponse::Uniform, BayesResponse::Uniform) => true,
            _ => false,
        }
    }
}

impl BayesResponse {
    /// The response of a [`ResponseSpec`] (validated: b and eps in [0, 1], temperature > 0).
    /// The multinomial logit is SoftMax with temperature 1. The heterogeneous HardMax is not a
    /// response of this model (its users prefer an arm, and Bayesian agents observe none), so it
    /// is an error naming it.
    pub fn from_spec(spec: &ResponseSpec) -> Result<Self, BanditError> {
        spec.build()?;
        Ok(match *spec {
            ResponseSpec::HardMax { bias } => BayesResponse::HardMax { bias },
            ResponseSpec::HardMaxRandom { eps } => BayesResponse::HardMaxRandom { eps },
            ResponseSpec::SoftMax { temperature } => BayesResponse::SoftMax { temperature },
            ResponseSpec::SoftMaxRandom { eps, temperature } => {
                BayesResponse::SoftMaxRandom { eps, temperature }
            }
            ResponseSpec::MultinomialLogit => BayesResponse::SoftMax { temperature: 1.0 },
            ResponseSpec::Uniform => BayesResponse::Uniform,
            ResponseSpec::HeterogeneousHardMax => {
                return Err(BanditError::UnknownName {
                    what: "response of the Bayesian-choice model".into(),
                    name: spec.short(),
                    allowed: "HardMax, HardMax&Random, SoftMax, SoftMax&Random, MNL, Uniform"
                        .into(),
                })
            }
        })
    }

    /// A user's response function named `name`.
    pub fn custom<F>(name: impl Into<String>, f: F) -> Self
    where
        F: Fn(f64, f64) -> f64 + Send + Sync + 'static,
    {
        BayesResponse::Custom(name.into(), Arc::new(f))
    }

    /// Short label, as [`ResponseSpec::short`].
    pub fn short(&self) -> String {
        match self {
            BayesResponse::HardMax { bias } => ResponseSpec::HardMax { bias: *bias }.short(),
            BayesResponse::HardMaxRandom { eps } => {
                ResponseSpec::HardMaxRandom { eps: *eps }.short()
            }
            BayesResponse::SoftMax { temperature } => ResponseSpec::SoftMax {
                temperature: *temperature,
            }
            .short(),
            BayesResponse::SoftMaxRandom { eps, temperature } => ResponseSpec::SoftMaxRandom {
                eps: *eps,
                temperature: *temperature,
            }
            .short(),
            BayesResponse::Uniform => ResponseSpec::Uniform.short(),
            BayesResponse::Custom(name, _) => name.clone(),
        }
    }

    /// Checks the parameter.
    pub fn validate(&self) -> Result<(), BanditError> {
        let spec = match *self {
            BayesResponse::HardMax { bias } => ResponseSpec::HardMax { bias },
            BayesResponse::HardMaxRandom { eps } => ResponseSpec::HardMaxRandom { eps },
            BayesResponse::SoftMax { temperature } => ResponseSpec::SoftMax { temperature },
            BayesResponse::SoftMaxRandom { eps, temperature } => {
                ResponseSpec::SoftMaxRandom { eps, temperature }
            }
            BayesResponse::Uniform | BayesResponse::Custom(..) => return Ok(()),
        };
        spec.build().map(|_| ())
    }

    /// Whether the response jumps where the estimates cross (HardMax, HardMax&Random), so a
    /// decision within the Monte Carlo error band is uncertain.
    pub fn is_hard(&self) -> bool {
        matches!(
            self,
            BayesResponse::HardMax { .. } | BayesResponse::HardMaxRandom { .. }
        )
    }

    /// The largest and smallest probability principal 1 can get, for the hard responses
    /// ((1, 0) for HardMax, (1 - eps/2, eps/2) for HardMax&Random).
    pub fn extremes(&self) -> Option<(f64, f64)> {
        if !self.is_hard() {
            return None;
        }
        // Computed as the probabilities themselves are, so they compare equal.
        let hi = self.probability(0.0, 0.0, Some(true)).ok()?;
        let lo = self.probability(0.0, 0.0, Some(false)).ok()?;
        Some((hi, lo))
    }

    /// The probability of principal 1 when the hard part is decided as `order` (`Some(true)`:
    /// principal 1 ahead, `Some(false)`: behind, `None`: a tie); the smooth responses use the
    /// estimates.
    fn probability(&self, v1: f64, v2: f64, order: Option<bool>) -> Result<f64, BanditError> {
        let hard = |bias: f64| match order {
            Some(true) => 1.0,
            Some(false) => 0.0,
            None => bias,
        };
        Ok(match self {
            BayesResponse::HardMax { bias } => hard(*bias),
            BayesResponse::HardMaxRandom { eps } => eps / 2.0 + (1.0 - eps) * hard(0.5),
            BayesResponse::SoftMax { temperature } => logistic(v1, v2, *temperature),
            BayesResponse::SoftMaxRandom { eps, temperature } => {
                eps / 2.0 + (1.0 - eps) * logistic(v1, v2, *temperature)
            }
            BayesResponse::Uniform => 0.5,
            BayesResponse::Custom(name, f) => {
                let p = f(v1, v2);
                if !(0.0..=1.0).contains(&p) {
                    return Err(BanditError::range(
                        format!("response {name:?} at estimates ({v1}, {v2})"),
                        p,
                        "[0, 1]",
                    ));
                }
                p
            }
        })
    }
}

/// SoftMax's probability of principal 1: the logistic function of (v1 - v2) / temperature.
fn logistic(v1: f64, v2: f64, temperature: f64) -> f64 {
    1.0 / (1.0 + ((v2 - v1) / temperature).exp())
}

/// How a HardMax decision inside the Monte Carlo error band is taken (it is flagged either way).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum BandRule {
    /// As a tie (the tie bias decides): the estimates cannot tell the principals apart.
    #[default]
    Tie,
    /// By the point estimates.
    Estimate,
}

/// The game between principal 1 (algorithm `first` of the curves) and principal 2 (`second`).
#[derive(Clone, Debug, PartialEq)]
pub struct BayesGame {
    /// The response function.
    pub response: BayesResponse,
    /// Rounds (agents) T >= 1.
    pub rounds: usize,
    /// Agents each principal served alone before round 1 (T0).
    pub warm_start: usize,
    /// Width of the Monte Carlo error band in standard errors (z >= 0).
    pub band: f64,
    /// How decisions inside the band are taken.
    pub band_rule: BandRule,
    /// Principal 1's algorithm (index into the curves).
    pub first: usize,
    /// Principal 2's algorithm (index into the curves).
    pub second: usize,
}

/// The exact outcome of the game (given the estimated curves).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GameOutcome {
    /// p_t, the probability that agent t chooses principal 1 (index t - 1).
    pub p: Vec<f64>,
    /// PMR_1(t).
    pub pmr1: Vec<f64>,
    /// PMR_2(t).
    pub pmr2: Vec<f64>,
    /// The bound on the standard error of PMR_1(t) - PMR_2(t).
    pub pmr_se: Vec<f64>,
    /// Rounds (1-based) whose hard decision was inside the error band.
    pub flagged: Vec<usize>,
    /// Rounds (1-based) decided as exact ties (bit-identical estimates).
    pub exact_ties: Vec<usize>,
    /// E[n_1(t + 1)] / t: principal 1's expected share of the first t agents.
    pub share_curve: Vec<f64>,
    /// Principal 1's expected market share at T.
    pub share: f64,
    /// Standard deviation of principal 1's market share at T (over the choices).
    pub share_sd: f64,
    /// (principal 0 or 1, round): from that round on every p_t is that principal's extreme
    /// probability (every agent, or 1 - eps/2 under HardMax&Random); None if no principal
    /// holds it to the end (or the response is smooth).
    pub takeover: Option<(usize, usize)>,
}

impl BayesGame {
    /// Checks the fields against curves with `steps` local steps and `n_alg` algorithms.
    pub fn validate(&self, steps: usize, n_alg: usize) -> Result<(), BanditError> {
        self.response.validate()?;
        if self.rounds == 0 {
            return Err(BanditError::range("rounds T", 0, "[1, infinity)"));
        }
        if !(self.band.is_finite() && self.band >= 0.0) {
            return Err(BanditError::range(
                "band (standard errors)",
                self.band,
                "[0, infinity)",
            ));
        }
        for (n, i) in [("first", self.first), ("second", self.second)] {
            if i >= n_alg {
                return Err(BanditError::range(
                    format!("{n} principal's algorithm index"),
                    i,
                    &format!("[0, {}]", n_alg.saturating_sub(1)),
                ));
            }
        }
        let need = self.rounds.checked_add(self.warm_start).ok_or_else(|| {
            BanditError::range(
                "warm_start T0",
                self.warm_start,
                "T0 + T must fit in memory",
            )
        })?;
        if steps < need {
            return Err(BanditError::Mismatch(format!(
                "the reward curves have {steps} local steps but warm_start T0 + rounds T = {need} are needed"
            )));
        }
        Ok(())
    }

    /// Plays the game on `curves` (see the module docs).
    pub fn run(&self, curves: &RewCurves) -> Result<GameOutcome, BanditError> {
        self.validate(curves.steps(), curves.algorithms.len())?;
        let (c1, c2) = (
            &curves.algorithms[self.first],
            &curves.algorithms[self.second],
        );
        let t0 = self.warm_start;
        let big_t = self.rounds;
        // The paired standard errors of rew_1(n) - rew_2(n) (infinite when the curves were
        // not estimated together, so the decomposed bounds never apply).
        let pair_se: Vec<f64> = if self.first == self.second {
            vec![0.0; c1.rew.len()]
        } else {
            match curves.pair(self.first, self.second) {
                Some(p) => p.diff_se.clone(),
                None => vec![f64::INFINITY; c1.rew.len()],
            }
        };
        let mut dist = Vec::with_capacity(big_t + 1);
        dist.push(1.0);
        let mut out = GameOutcome {
            p: Vec::with_capacity(big_t),
            pmr1: Vec::with_capacity(big_t),
            pmr2: Vec::with_capacity(big_t),
            pmr_se: Vec::with_capacity(big_t),
            flagged: Vec::new(),
            exact_ties: Vec::new(),
            share_curve: Vec::with_capacity(big_t),
            share: 0.0,
            share_sd: 0.0,
            takeover: None,
        };
        let (mut cum, mut var) = (0.0, 0.0);
        // dist[n] is exactly zero outside lo..=hi: every sum below skips those terms, which
        // add exactly +0.0 (the rewards and their errors are finite and >= 0), so the
        // results are bit-identical to summing over all of 0..t. Under HardMax a takeover
        // (p = 0 or 1) keeps the support's width fixed, so a game whose decisions are hard
        // costs O(T x width) instead of O(T^2) (measured: see the bayes bench).
        let (mut lo, mut hi) = (0usize, 0usize);
        for t in 1..=big_t {
            // dist[n] = P(n_1(t) = n), n = 0..t-1; principal 2 is then at n_2 = t - 1 - n.
            let (mut v1, mut v2) = (0.0, 0.0);
            let (mut naive, mut dec1, mut dec2) = (0.0, 0.0, 0.0);
            for (w, r) in dist[lo..=hi].iter().zip(&c1.rew[t0 + lo..=t0 + hi]) {
                v1 += w * r;
            }
            // In the order of n2 = t - 1 - n ascending, as the sum over principal 2's counts.
            for n in (lo..=hi).rev() {
                v2 += dist[n] * c2.rew[t0 + t - 1 - n];
            }
            // The terms with dist[n] or dist[t - 1 - n] nonzero, in ascending n.
            let (mlo, mhi) = (t - 1 - hi, t - 1 - lo);
            let spans = if mlo <= hi + 1 && lo <= mhi + 1 {
                [(lo.min(mlo), hi.max(mhi)), (1, 0)]
            } else if lo < mlo {
                [(lo, hi), (mlo, mhi)]
            } else {
                [(mlo, mhi), (lo, hi)]
            };
            for (a, b) in spans.into_iter().filter(|(a, b)| a <= b) {
                for n in a..=b {
                    let (w, w2) = (dist[n], dist[t - 1 - n]);
                    let at = t0 + n;
                    naive += w * c1.rew_se[at] + w2 * c2.rew_se[at];
                    let asym = (w - w2).abs();
                    dec1 += w * pair_se[at] + asym * c2.rew_se[at];
                    dec2 += w2 * pair_se[at] + asym * c1.rew_se[at];
                }
            }
            let se = naive.min(dec1).min(dec2);
            let order = if v1 == v2 {
                out.exact_ties.push(t);
                None
            } else if self.response.is_hard() && (v1 - v2).abs() <= self.band * se {
                out.flagged.push(t);
                match self.band_rule {
                    BandRule::Tie => None,
                    BandRule::Estimate => Some(v1 > v2),
                }
            } else {
                Some(v1 > v2)
            };
            let p = self.response.probability(v1, v2, order)?;
            out.p.push(p);
            out.pmr1.push(v1);
            out.pmr2.push(v2);
            out.pmr_se.push(se);
            cum += p;
            var += p * (1.0 - p);
            out.share_curve.push(cum / t as f64);
            dist.push(0.0);
            for n in (lo.max(1)..=hi + 1).rev() {
                dist[n] = dist[n] * (1.0 - p) + dist[n - 1] * p;
            }
            if lo == 0 {
                dist[0] *= 1.0 - p;
            }
            if p == 1.0 {
                lo += 1;
            }
            if p != 0.0 {
                hi += 1;
            }
        }
        out.share = cum / big_t as f64;
        out.share_sd = var.sqrt() / big_t as f64;
        if let Some((hi, lo)) = self.response.extremes() {
            for (principal, target) in [(0, hi), (1, lo)] {
                let last_off = out.p.iter().rposition(|&p| p != target);
                let start = last_off.map_or(1, |i| i + 2);
                if start <= big_t {
                    out.takeover = Some((principal, start));
                    break;
                }
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bandits::bayesian::curves::{Curve, RewCurves};

    /// The game's probabilities, estimates and error bounds summed over the whole support
    /// 0..t every round (the definition; `run` skips the exact zeros).
    fn reference(g: &BayesGame, curves: &RewCurves) -> (Vec<f64>, Vec<f64>, Vec<f64>, Vec<f64>) {
        let (c1, c2) = (&curves.algorithms[g.first], &curves.algorithms[g.second]);
        let pair_se = curves.pair(g.first, g.second).unwrap().diff_se.clone();
        let t0 = g.warm_start;
        let mut dist = vec![1.0];
        let (mut ps, mut v1s, mut v2s, mut ses) = (vec![], vec![], vec![], vec![]);
        for t in 1..=g.rounds {
            let (mut v1, mut v2) = (0.0, 0.0);
            let (mut naive, mut dec1, mut dec2) = (0.0, 0.0, 0.0);
            for (n, &w) in dist.iter().enumerate() {
                v1 += w * c1.rew[t0 + n];
            }
            for n2 in 0..t {
                v2 += dist[t - 1 - n2] * c2.rew[t0 + n2];
            }
            for n in 0..t {
                let (w, w2) = (dist[n], dist[t - 1 - n]);
                let at = t0 + n;
                naive += w * c1.rew_se[at] + w2 * c2.rew_se[at];
                let asym = (w - w2).abs();
                dec1 += w * pair_se[at] + asym * c2.rew_se[at];
                dec2 += w2 * pair_se[at] + asym * c1.rew_se[at];
            }
            let se = naive.min(dec1).min(dec2);
            let order = if v1 == v2 {
                None
            } else if g.response.is_hard() && (v1 - v2).abs() <= g.band * se {
                match g.band_rule {
                    BandRule::Tie => None,
                    BandRule::Estimate => Some(v1 > v2),
                }
            } else {
                Some(v1 > v2)
            };
            let p = g.response.probability(v1, v2, order).unwrap();
            ps.push(p);
            v1s.push(v1);
            v2s.push(v2);
            ses.push(se);
            dist.push(0.0);
            for n in (1..=t).rev() {
                dist[n] = dist[n] * (1.0 - p) + dist[n - 1] * p;
            }
            dist[0] *= 1.0 - p;
        }
        (ps, v1s, v2s, ses)
    }

    #[test]
    fn skipping_the_zeros_of_the_distribution_is_bit_identical_to_the_full_sums() {
        use crate::bandits::bayesian::curves::Pair;
        let rounds = 300;
        let len = rounds + 20;
        let wave = |f: f64, a: f64| -> Vec<f64> {
            (0..len).map(|n| 0.5 + a * (f * n as f64).sin()).collect()
        };
        let se = |s: f64| -> Vec<f64> { (0..len).map(|n| s / (1.0 + n as f64).sqrt()).collect() };
        let mut c = curves(wave(0.05, 0.2), wave(0.031, 0.15));
        c.algorithms[0].rew_se = se(0.01);
        c.algorithms[1].rew_se = se(0.02);
        c.pairs = vec![Pair {
            i: 0,
            j: 1,
            diff_se: se(0.005),
            path_deviation: None,
            first_difference: None,
        }];
        for response in [
            BayesResponse::HardMax { bias: 0.5 },
            BayesResponse::HardMax { bias: 1.0 },
            BayesResponse::HardMaxRandom { eps: 0.1 },
            BayesResponse::SoftMax { temperature: 0.05 },
        ] {
            for band in [0.0, 1.0, 50.0] {
                for warm_start in [0, 7] {
                    let mut g = game(response.clone(), rounds);
                    g.band = band;
                    g.warm_start = warm_start;
                    let o = g.run(&c).unwrap();
                    let (p, v1, v2, se) = reference(&g, &c);
                    let same = |a: &[f64], b: &[f64]| {
                        a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits())
                    };
                    assert!(same(&o.p, &p), "{response:?} band {band}: p");
                    assert!(
                        same(&o.pmr1, &v1) && same(&o.pmr2, &v2),
                        "{response:?}: PMR"
                    );
                    assert!(same(&o.pmr_se, &se), "{response:?} band {band}: se");
                }
            }
        }
    }

    fn curves(a: Vec<f64>, b: Vec<f64>) -> RewCurves {
        let mk = |label: &str, rew: Vec<f64>| Curve {
            label: label.into(),
            rew_se: vec![0.0; rew.len()],
            bir_se: vec![0.0; rew.len()],
            gain_se: vec![0.0; rew.len() - 1],
            rew,
        };
        RewCurves {
            paths: 2,
            best: 1.0,
            best_se: 0.0,
            algorithms: vec![mk("A", a), mk("B", b)],
            pairs: vec![],
        }
    }

    fn game(response: BayesResponse, rounds: usize) -> BayesGame {
        BayesGame {
            response,
            rounds,
            warm_start: 0,
            band: 3.0,
            band_rule: BandRule::Tie,
            first: 0,
            second: 1,
        }
    }

    #[test]
    fn constant_curves_give_constant_probabilities_and_the_binomial_share() {
        let c = curves(vec![0.5; 50], vec![0.4; 50]);
        let o = game(BayesResponse::SoftMax { temperature: 0.1 }, 50)
            .run(&c)
            .unwrap();
        let p = 1.0 / (1.0 + (-1.0f64).exp());
        assert!(o.p.iter().all(|&x| (x - p).abs() < 1e-15));
        assert!((o.share - p).abs() < 1e-12);
        assert!((o.share_sd - (p * (1.0 - p) / 50.0).sqrt()).abs() < 1e-12);
        let h = game(BayesResponse::HardMaxRandom { eps: 0.2 }, 50)
            .run(&c)
            .unwrap();
        assert!(h.p.iter().all(|&x| x == 0.9));
        assert_eq!(h.takeover, Some((0, 1)));
    }

    #[test]
    fn the_other_built_in_responses_map_to_their_probabilities() {
        let c = curves(vec![0.5; 20], vec![0.4; 20]);
        let p = 1.0 / (1.0 + (-1.0f64).exp());
        let spec = ResponseSpec::SoftMaxRandom {
            eps: 0.2,
            temperature: 0.1,
        };
        let o = game(BayesResponse::from_spec(&spec).unwrap(), 20)
            .run(&c)
            .unwrap();
        assert!(o.p.iter().all(|&x| (x - (0.1 + 0.8 * p)).abs() < 1e-15));
        let mnl = BayesResponse::from_spec(&ResponseSpec::MultinomialLogit).unwrap();
        assert_eq!(mnl, BayesResponse::SoftMax { temperature: 1.0 });
        let u = game(
            BayesResponse::from_spec(&ResponseSpec::Uniform).unwrap(),
            20,
        )
        .run(&c)
        .unwrap();
        assert!(u.p.iter().all(|&x| x == 0.5));
        let err = BayesResponse::from_spec(&ResponseSpec::HeterogeneousHardMax).unwrap_err();
        assert!(err.to_string().contains("HeterogeneousHardMax"), "{err}");
    }

    #[test]
    fn equal_curves_tie_exactly_and_fair_ties_stay_fair() {
        let rising: Vec<f64> = (0..80)
            .map(|n| 0.3 + 0.4 * (n as f64 / 80.0).sqrt())
            .collect();
        let c = curves(rising.clone(), rising);
        let o = game(BayesResponse::HardMax { bias: 0.5 }, 80)
            .run(&c)
            .unwrap();
        assert_eq!(o.exact_ties.len(), 80);
        assert!(o.p.iter().all(|&x| x == 0.5));
        assert!(o.flagged.is_empty());
        assert_eq!(o.takeover, None);
    }

    #[test]
    fn the_poisson_binomial_mean_is_the_sum_of_the_probabilities() {
        // A curve that rises for A and is flat for B: SoftMax probabilities change every round;
        // E[n_1(t)] from the propagated distribution equals sum_{s<t} p_s.
        let a: Vec<f64> = (0..60).map(|n| 0.2 + 0.01 * n as f64).collect();
        let c = curves(a, vec![0.45; 60]);
        let g = game(BayesResponse::SoftMax { temperature: 0.05 }, 60);
        let o = g.run(&c).unwrap();
        // PMR_1(t) = sum_n P(n_1(t) = n) a(n): linear in n, so PMR_1(t) = 0.2 + 0.01 E[n_1(t)].
        let mut e = 0.0;
        for t in 0..60 {
            assert!(
                (o.pmr1[t] - (0.2 + 0.01 * e)).abs() < 1e-12,
                "round {}",
                t + 1
            );
            e += o.p[t];
        }
    }

    #[test]
    fn bad_games_name_the_field() {
        let c = curves(vec![0.5; 10], vec![0.5; 10]);
        let e = game(BayesResponse::HardMax { bias: 1.5 }, 5)
            .run(&c)
            .unwrap_err()
            .to_string();
        assert!(e.contains("tie bias b = 1.5"), "{e}");
        let e = game(BayesResponse::SoftMax { temperature: 0.0 }, 5)
            .run(&c)
            .unwrap_err()
            .to_string();
        assert!(e.contains("temperature = 0"), "{e}");
        let e = game(BayesResponse::HardMaxRandom { eps: -0.1 }, 5)
            .run(&c)
            .unwrap_err()
            .to_string();
        assert!(e.contains("epsilon"), "{e}");
        let e = game(BayesResponse::HardMax { bias: 0.5 }, 0)
            .run(&c)
            .unwrap_err()
            .to_string();
        assert!(e.contains("rounds T = 0"), "{e}");
        let e = game(BayesResponse::HardMax { bias: 0.5 }, 11)
            .run(&c)
            .unwrap_err()
            .to_string();
        assert!(e.contains("10 local steps"), "{e}");
        let wild = BayesResponse::custom("wild", |_, _| 2.0);
        let e = game(wild, 3).run(&c).unwrap_err().to_string();
        assert!(e.contains("\"wild\"") && e.contains("= 2"), "{e}");
    }
}
