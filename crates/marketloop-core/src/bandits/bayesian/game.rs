//! The game of the Bayesian-choice model: agent t's reward estimate of each principal
//! (PMR_j(t) = E[rew_j(n_j(t) + 1)]), its choice probability p_t by a response function
//! ([`BayesResponse`]), and the exact distribution of n_1(t) carried forward round by round
//! ([`BayesGame::run`] -> [`GameOutcome`]).
//!
//! Because agents observe nothing, p_t is deterministic and n_1(t) = sum of independent
//! Bernoulli(p_s), s < t, is Poisson-binomial: `P(n_1(t+1) = n) = P(n_1(t) = n) (1 - p_t) +
//! P(n_1(t) = n - 1) p_t`. With `tail_tolerance = 0` this is exact, O(t) per round and O(T^2)
//! in all, in O(T) memory (under HardMax a takeover keeps the support narrow by itself).
//!
//! **Truncation.** Under HardMax&Random and SoftMax the support of n_1(t) stays about
//! sqrt(t) standard deviations wide but is carried over all of 0..t. With
//! `tail_tolerance = tau > 0`, after each round the lowest and the highest entries of the
//! distribution are dropped (set to zero) while the mass dropped on that side in that round stays
//! at most tau; the entries dropped are summed into [`GameOutcome::neglected`]. The propagation
//! is a Markov kernel (it moves mass, never creates or destroys it), so given the same choice
//! probabilities p_1..p_{t-1} the truncated distribution differs from the exact one by exactly
//! the mass neglected so far in total variation, and since rewards lie in [0, 1] each PMR_j(t)
//! is at most that much below its exact value. Each round then costs O(width of the kept
//! support), O(T sqrt(T log(1/tau))) in all.
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
use super::response::BayesResponse;
use crate::bandits::BanditError;
use crate::runner::stop_requested;
use serde::{Deserialize, Serialize};

/// Rounds of the game between two looks at the stop token (a few milliseconds of a wide game).
const STOP_CHECK_ROUNDS: usize = 256;

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

/// The largest `tail_tolerance` allowed (beyond it the bound is no longer small).
pub const MAX_TAIL_TOLERANCE: f64 = 1e-3;

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
    /// The largest mass of n_1(t)'s distribution dropped from each end of its support per
    /// round, in [0, 1e-3] (0: the exact game; see the module docs).
    pub tail_tolerance: f64,
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
    /// The total mass of n_1(t)'s distribution dropped by truncation over all rounds: an upper
    /// bound on how far below its exact value (given the same p_t) any PMR_j(t) lies
    /// (0 for the exact game).
    pub neglected: f64,
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
        if !(0.0..=MAX_TAIL_TOLERANCE).contains(&self.tail_tolerance) {
            return Err(BanditError::range(
                "tail_tolerance (mass dropped per side and round)",
                self.tail_tolerance,
                "[0, 0.001]",
            ));
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
            neglected: 0.0,
            takeover: None,
        };
        let (mut cum, mut var) = (0.0, 0.0);
        // dist[n] is exactly zero outside lo..=hi: every sum below skips those terms, which
        // add exactly +0.0 (the rewards and their errors are finite and >= 0), so with
        // tail_tolerance = 0 the results are bit-identical to summing over all of 0..t. Under
        // HardMax a takeover (p = 0 or 1) keeps the support's width fixed, so a game whose
        // decisions are hard costs O(T x width) instead of O(T^2) (measured: see the bayes
        // bench); otherwise truncation keeps it O(sqrt(t)) wide.
        let (mut lo, mut hi) = (0usize, 0usize);
        for t in 1..=big_t {
            if t % STOP_CHECK_ROUNDS == 0 && stop_requested() {
                return Err(BanditError::Interrupted);
            }
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
            out.neglected += self.truncate(&mut dist, &mut lo, &mut hi);
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

    /// Drops the ends of `dist[lo..=hi]` while the mass dropped on each side stays at most the
    /// tolerance (exact zeros only when it is 0, which changes no sum); returns the mass
    /// dropped. At least one entry is always kept.
    fn truncate(&self, dist: &mut [f64], lo: &mut usize, hi: &mut usize) -> f64 {
        let tol = self.tail_tolerance;
        let (mut low, mut high) = (0.0, 0.0);
        while *lo < *hi && low + dist[*lo] <= tol {
            low += dist[*lo];
            dist[*lo] = 0.0;
            *lo += 1;
        }
        while *hi > *lo && high + dist[*hi] <= tol {
            high += dist[*hi];
            dist[*hi] = 0.0;
            *hi -= 1;
        }
        low + high
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bandits::bayesian::curves::{Curve, RewCurves};
    use crate::bandits::ResponseSpec;

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
            BayesResponse::Spec(ResponseSpec::HardMax { bias: 0.5 }),
            BayesResponse::Spec(ResponseSpec::HardMax { bias: 1.0 }),
            BayesResponse::Spec(ResponseSpec::HardMaxRandom { eps: 0.1 }),
            BayesResponse::Spec(ResponseSpec::SoftMax { temperature: 0.05 }),
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
            tail_tolerance: 0.0,
            first: 0,
            second: 1,
        }
    }

    #[test]
    fn a_requested_stop_ends_a_long_game_with_interrupted() {
        let c = curves(vec![0.5; 600], vec![0.4; 600]);
        let g = game(
            BayesResponse::Spec(ResponseSpec::SoftMax { temperature: 0.1 }),
            600,
        );
        let stop = crate::runner::Stop::new();
        stop.request();
        assert!(matches!(
            stop.scope(|| g.run(&c)),
            Err(BanditError::Interrupted)
        ));
        assert!(g.run(&c).is_ok(), "outside a stop scope the game runs");
    }

    #[test]
    fn constant_curves_give_constant_probabilities_and_the_binomial_share() {
        let c = curves(vec![0.5; 50], vec![0.4; 50]);
        let o = game(
            BayesResponse::Spec(ResponseSpec::SoftMax { temperature: 0.1 }),
            50,
        )
        .run(&c)
        .unwrap();
        let p = 1.0 / (1.0 + (-1.0f64).exp());
        assert!(o.p.iter().all(|&x| (x - p).abs() < 1e-15));
        assert!((o.share - p).abs() < 1e-12);
        assert!((o.share_sd - (p * (1.0 - p) / 50.0).sqrt()).abs() < 1e-12);
        let h = game(
            BayesResponse::Spec(ResponseSpec::HardMaxRandom { eps: 0.2 }),
            50,
        )
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
        let o = game(BayesResponse::from_spec(spec).unwrap(), 20)
            .run(&c)
            .unwrap();
        assert!(o.p.iter().all(|&x| (x - (0.1 + 0.8 * p)).abs() < 1e-15));
        let u = game(BayesResponse::from_spec(ResponseSpec::Uniform).unwrap(), 20)
            .run(&c)
            .unwrap();
        assert!(u.p.iter().all(|&x| x == 0.5));
        let err = game(ResponseSpec::HeterogeneousHardMax.into(), 20)
            .run(&c)
            .unwrap_err();
        assert!(err.to_string().contains("HeterogeneousHardMax"), "{err}");
    }

    #[test]
    fn equal_curves_tie_exactly_and_fair_ties_stay_fair() {
        let rising: Vec<f64> = (0..80)
            .map(|n| 0.3 + 0.4 * (n as f64 / 80.0).sqrt())
            .collect();
        let c = curves(rising.clone(), rising);
        let o = game(BayesResponse::Spec(ResponseSpec::HardMax { bias: 0.5 }), 80)
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
        let g = game(
            BayesResponse::Spec(ResponseSpec::SoftMax { temperature: 0.05 }),
            60,
        );
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
        let e = game(BayesResponse::Spec(ResponseSpec::HardMax { bias: 1.5 }), 5)
            .run(&c)
            .unwrap_err()
            .to_string();
        assert!(e.contains("tie bias b = 1.5"), "{e}");
        let e = game(
            BayesResponse::Spec(ResponseSpec::SoftMax { temperature: 0.0 }),
            5,
        )
        .run(&c)
        .unwrap_err()
        .to_string();
        assert!(e.contains("temperature = 0"), "{e}");
        let e = game(
            BayesResponse::Spec(ResponseSpec::HardMaxRandom { eps: -0.1 }),
            5,
        )
        .run(&c)
        .unwrap_err()
        .to_string();
        assert!(e.contains("epsilon"), "{e}");
        let e = game(BayesResponse::Spec(ResponseSpec::HardMax { bias: 0.5 }), 0)
            .run(&c)
            .unwrap_err()
            .to_string();
        assert!(e.contains("rounds T = 0"), "{e}");
        let e = game(BayesResponse::Spec(ResponseSpec::HardMax { bias: 0.5 }), 11)
            .run(&c)
            .unwrap_err()
            .to_string();
        assert!(e.contains("10 local steps"), "{e}");
        let wild = BayesResponse::custom("wild", |_, _| 2.0);
        let e = game(wild, 3).run(&c).unwrap_err().to_string();
        assert!(e.contains("\"wild\"") && e.contains("= 2"), "{e}");
    }

    /// PMR_1(t), PMR_2(t) from the exact distribution of n_1(t) given the probabilities `p`.
    fn exact_given(p: &[f64], curves: &RewCurves) -> (Vec<f64>, Vec<f64>) {
        let (c1, c2) = (&curves.algorithms[0], &curves.algorithms[1]);
        let mut dist = vec![1.0];
        let (mut v1s, mut v2s) = (vec![], vec![]);
        for (t, &pt) in (1..).zip(p) {
            v1s.push(dist.iter().zip(&c1.rew).map(|(w, r)| w * r).sum());
            v2s.push((0..t).map(|n2| dist[t - 1 - n2] * c2.rew[n2]).sum());
            dist.push(0.0);
            for n in (1..=t).rev() {
                dist[n] = dist[n] * (1.0 - pt) + dist[n - 1] * pt;
            }
            dist[0] *= 1.0 - pt;
        }
        (v1s, v2s)
    }

    #[test]
    fn truncation_neglects_at_most_the_reported_mass_and_zero_tolerance_is_exact() {
        let rounds = 3000;
        let a: Vec<f64> = (0..rounds)
            .map(|n| 0.5 + 0.2 * (1.0 - (-(n as f64) / 80.0).exp()))
            .collect();
        let b: Vec<f64> = (0..rounds)
            .map(|n| 0.55 + 0.1 * (1.0 - (-(n as f64) / 30.0).exp()))
            .collect();
        let c = curves(a, b);
        for response in [
            BayesResponse::Spec(ResponseSpec::SoftMax { temperature: 0.05 }),
            BayesResponse::Spec(ResponseSpec::HardMaxRandom { eps: 0.1 }),
        ] {
            let exact = game(response.clone(), rounds).run(&c).unwrap();
            assert_eq!(exact.neglected, 0.0);
            for tol in [1e-15, 1e-6] {
                let mut g = game(response.clone(), rounds);
                g.tail_tolerance = tol;
                let o = g.run(&c).unwrap();
                assert!(o.neglected > 0.0, "{response:?} {tol}: nothing dropped");
                // Each side of each round drops at most tol.
                assert!(o.neglected <= 2.0 * tol * rounds as f64, "{}", o.neglected);
                // Given the same p_t, the exact distribution's estimates lie above the
                // truncated ones by at most the neglected mass (plus the rounding of sums of
                // t terms in [0, 1]).
                let (v1, v2) = exact_given(&o.p, &c);
                for t in 0..rounds {
                    let slack = o.neglected + (t + 1) as f64 * f64::EPSILON;
                    for (x, y) in [(v1[t], o.pmr1[t]), (v2[t], o.pmr2[t])] {
                        assert!(
                            x - y <= slack && y - x <= (t + 1) as f64 * f64::EPSILON,
                            "{response:?} tol {tol} round {}: exact {x} truncated {y}",
                            t + 1
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn a_tail_tolerance_outside_its_range_names_the_field() {
        let c = curves(vec![0.5; 10], vec![0.5; 10]);
        for bad in [-1e-9, 0.1, f64::NAN] {
            let mut g = game(ResponseSpec::Uniform.into(), 5);
            g.tail_tolerance = bad;
            let e = g.run(&c).unwrap_err().to_string();
            assert!(
                e.contains("tail_tolerance") && e.contains("[0, 0.001]"),
                "{e}"
            );
        }
    }
}
