//! Response functions: how an arriving user picks a firm from the firms' reputations
//! ([`ResponseFunction`]): [`HardMax`] (fair or biased ties), [`HardMaxRandom`] and
//! [`SoftMax`]. Their randomness comes from the run's `Source::Response` stream.
//!
//! Reputations are exact ratios of integers ([`Reputation`]); HardMax compares them by cross
//! multiplication, so two windows with the same average always tie.

use super::BanditError;
use rand::Rng;
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;

/// A firm's reputation: the sum of the rewards in its window over the window's length
/// (0 for a firm that served nobody).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Reputation {
    /// Sum of the rewards in the window.
    pub sum: u32,
    /// Users in the window (0 before the first user).
    pub n: u32,
}

impl Reputation {
    /// The reputation as a number in [0, 1].
    #[inline]
    pub fn value(self) -> f64 {
        if self.n == 0 {
            0.0
        } else {
            f64::from(self.sum) / f64::from(self.n)
        }
    }

    /// Exact comparison of the two ratios.
    #[inline]
    pub fn cmp_exact(self, other: Reputation) -> Ordering {
        let d1 = u64::from(self.n.max(1));
        let d2 = u64::from(other.n.max(1));
        (u64::from(self.sum) * d2).cmp(&(u64::from(other.sum) * d1))
    }
}

/// How a user chooses among firms from their reputations.
pub trait ResponseFunction {
    /// The index of the chosen firm (`reps` has at least one entry).
    fn choose<R: Rng + ?Sized>(&self, reps: &[Reputation], rng: &mut R) -> usize;
    /// The probability that firm `i` is chosen (for tests and analysis).
    fn probability(&self, reps: &[Reputation], i: usize) -> f64;
}

/// HardMax: the firm with the highest reputation. Ties: with two firms, firm 0 wins a tie
/// with probability `bias` (1/2 is fair); with more, uniform among the tied firms.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct HardMax {
    bias: f64,
}

impl HardMax {
    /// Fair ties.
    pub fn fair() -> Self {
        HardMax { bias: 0.5 }
    }

    /// Firm 0 wins a two-firm tie with probability `bias` in [0, 1].
    pub fn with_bias(bias: f64) -> Result<Self, BanditError> {
        if !(0.0..=1.0).contains(&bias) {
            return Err(BanditError::range("HardMax tie bias b", bias, "[0, 1]"));
        }
        Ok(HardMax { bias })
    }

    fn maxima(reps: &[Reputation]) -> (usize, u32) {
        let mut best = 0;
        let mut ties = 1;
        for i in 1..reps.len() {
            match reps[i].cmp_exact(reps[best]) {
                Ordering::Greater => {
                    best = i;
                    ties = 1;
                }
                Ordering::Equal => ties += 1,
                Ordering::Less => {}
            }
        }
        (best, ties)
    }
}

impl ResponseFunction for HardMax {
    #[inline]
    fn choose<R: Rng + ?Sized>(&self, reps: &[Reputation], rng: &mut R) -> usize {
        if reps.len() == 2 {
            return match reps[0].cmp_exact(reps[1]) {
                Ordering::Greater => 0,
                Ordering::Less => 1,
                Ordering::Equal => usize::from(rng.random::<f64>() >= self.bias),
            };
        }
        let (best, ties) = Self::maxima(reps);
        if ties == 1 {
            return best;
        }
        let pick = rng.random_range(0..ties) as usize;
        (0..reps.len())
            .filter(|&i| reps[i].cmp_exact(reps[best]) == Ordering::Equal)
            .nth(pick)
            .unwrap_or(best)
    }

    fn probability(&self, reps: &[Reputation], i: usize) -> f64 {
        let (best, ties) = Self::maxima(reps);
        if reps[i].cmp_exact(reps[best]) != Ordering::Equal {
            return 0.0;
        }
        if ties == 1 {
            return 1.0;
        }
        if reps.len() == 2 {
            return if i == 0 { self.bias } else { 1.0 - self.bias };
        }
        1.0 / f64::from(ties)
    }
}

/// HardMax&Random(eps): with probability eps a uniformly random firm, else HardMax (fair ties).
/// One uniform coin per user.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct HardMaxRandom {
    eps: f64,
    hard: HardMax,
}

impl HardMaxRandom {
    /// With eps in [0, 1] (paper: 0.1).
    pub fn new(eps: f64) -> Result<Self, BanditError> {
        if !(0.0..=1.0).contains(&eps) {
            return Err(BanditError::range(
                "epsilon of HardMax&Random",
                eps,
                "[0, 1]",
            ));
        }
        Ok(HardMaxRandom {
            eps,
            hard: HardMax::fair(),
        })
    }
}

impl ResponseFunction for HardMaxRandom {
    #[inline]
    fn choose<R: Rng + ?Sized>(&self, reps: &[Reputation], rng: &mut R) -> usize {
        if rng.random::<f64>() < self.eps {
            rng.random_range(0..reps.len())
        } else {
            self.hard.choose(reps, rng)
        }
    }

    fn probability(&self, reps: &[Reputation], i: usize) -> f64 {
        self.eps / reps.len() as f64 + (1.0 - self.eps) * self.hard.probability(reps, i)
    }
}

/// SoftMax (logit) choice: firm i with probability proportional to exp(rep_i / temperature).
/// With two firms this is the logistic function of the reputation difference, bounded away
/// from 0 and 1 (the paper's Definition 4.16).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SoftMax {
    temperature: f64,
}

impl SoftMax {
    /// With temperature > 0.
    pub fn new(temperature: f64) -> Result<Self, BanditError> {
        if !(temperature.is_finite() && temperature > 0.0) {
            return Err(BanditError::range(
                "SoftMax temperature",
                temperature,
                "(0, infinity)",
            ));
        }
        Ok(SoftMax { temperature })
    }

    fn weight(&self, reps: &[Reputation], i: usize, top: f64) -> f64 {
        ((reps[i].value() - top) / self.temperature).exp()
    }
}

impl ResponseFunction for SoftMax {
    fn choose<R: Rng + ?Sized>(&self, reps: &[Reputation], rng: &mut R) -> usize {
        let u = rng.random::<f64>();
        if reps.len() == 2 {
            let p0 = 1.0 / (1.0 + ((reps[1].value() - reps[0].value()) / self.temperature).exp());
            return usize::from(u >= p0);
        }
        let top = reps
            .iter()
            .map(|r| r.value())
            .fold(f64::NEG_INFINITY, f64::max);
        let total: f64 = (0..reps.len()).map(|i| self.weight(reps, i, top)).sum();
        let mut acc = 0.0;
        for i in 0..reps.len() {
            acc += self.weight(reps, i, top) / total;
            if u < acc {
                return i;
            }
        }
        reps.len() - 1
    }

    fn probability(&self, reps: &[Reputation], i: usize) -> f64 {
        let top = reps
            .iter()
            .map(|r| r.value())
            .fold(f64::NEG_INFINITY, f64::max);
        let total: f64 = (0..reps.len()).map(|j| self.weight(reps, j, top)).sum();
        self.weight(reps, i, top) / total
    }
}

/// The response functions by name, with parameters (serde-friendly, for configs).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum ResponseSpec {
    /// [`HardMax`]; `bias` = probability that firm 1 wins a tie (0.5 = fair).
    HardMax {
        /// Tie bias b (default 0.5).
        #[serde(default = "half")]
        bias: f64,
    },
    /// [`HardMaxRandom`].
    HardMaxRandom {
        /// Probability of a uniformly random firm (paper: 0.1).
        eps: f64,
    },
    /// [`SoftMax`].
    SoftMax {
        /// Temperature > 0.
        temperature: f64,
    },
}

fn half() -> f64 {
    0.5
}

impl Default for ResponseSpec {
    fn default() -> Self {
        ResponseSpec::HardMax { bias: 0.5 }
    }
}

impl ResponseSpec {
    /// Builds the response function (validating its parameter).
    pub fn build(&self) -> Result<Response, BanditError> {
        Ok(match *self {
            ResponseSpec::HardMax { bias } => Response::HardMax(HardMax::with_bias(bias)?),
            ResponseSpec::HardMaxRandom { eps } => {
                Response::HardMaxRandom(HardMaxRandom::new(eps)?)
            }
            ResponseSpec::SoftMax { temperature } => Response::SoftMax(SoftMax::new(temperature)?),
        })
    }

    /// Short label: "HardMax", "HardMax(b=0.6)", "HardMax&Random(0.1)", "SoftMax(0.05)".
    #[allow(clippy::redundant_guards)] // no float literal patterns
    pub fn short(&self) -> String {
        match *self {
            ResponseSpec::HardMax { bias } if bias == 0.5 => "HardMax".into(),
            ResponseSpec::HardMax { bias } => format!("HardMax(b={bias})"),
            ResponseSpec::HardMaxRandom { eps } => format!("HardMax&Random({eps})"),
            ResponseSpec::SoftMax { temperature } => format!("SoftMax({temperature})"),
        }
    }
}

/// Any response function of [`ResponseSpec`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Response {
    /// See [`HardMax`].
    HardMax(HardMax),
    /// See [`HardMaxRandom`].
    HardMaxRandom(HardMaxRandom),
    /// See [`SoftMax`].
    SoftMax(SoftMax),
}

impl ResponseFunction for Response {
    #[inline]
    fn choose<R: Rng + ?Sized>(&self, reps: &[Reputation], rng: &mut R) -> usize {
        match self {
            Response::HardMax(r) => r.choose(reps, rng),
            Response::HardMaxRandom(r) => r.choose(reps, rng),
            Response::SoftMax(r) => r.choose(reps, rng),
        }
    }

    fn probability(&self, reps: &[Reputation], i: usize) -> f64 {
        match self {
            Response::HardMax(r) => r.probability(reps, i),
            Response::HardMaxRandom(r) => r.probability(reps, i),
            Response::SoftMax(r) => r.probability(reps, i),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{SeedSequence, Source};

    fn rep(sum: u32, n: u32) -> Reputation {
        Reputation { sum, n }
    }

    #[test]
    fn exact_comparison_of_equal_ratios() {
        assert_eq!(rep(50, 100).cmp_exact(rep(1, 2)), Ordering::Equal);
        assert_eq!(rep(0, 0).cmp_exact(rep(0, 5)), Ordering::Equal);
        assert_eq!(rep(34, 100).cmp_exact(rep(1, 3)), Ordering::Greater);
        assert_eq!(rep(0, 0).value(), 0.0);
    }

    #[test]
    fn probabilities_are_on_the_simplex_and_match_frequencies() {
        let cases: Vec<Vec<Reputation>> = vec![
            vec![rep(3, 5), rep(60, 100)],
            vec![rep(1, 2), rep(2, 3)],
            vec![rep(1, 2), rep(2, 3), rep(4, 6)],
        ];
        let fns = [
            ResponseSpec::HardMax { bias: 0.5 },
            ResponseSpec::HardMax { bias: 0.8 },
            ResponseSpec::HardMaxRandom { eps: 0.1 },
            ResponseSpec::SoftMax { temperature: 0.1 },
        ];
        let mut rng = SeedSequence::new(4).stream(0, Source::Response);
        let n = 20_000;
        for spec in fns {
            let f = spec.build().unwrap();
            for reps in &cases {
                let total: f64 = (0..reps.len()).map(|i| f.probability(reps, i)).sum();
                assert!((total - 1.0).abs() < 1e-12);
                let mut counts = vec![0u32; reps.len()];
                for _ in 0..n {
                    counts[f.choose(reps, &mut rng)] += 1;
                }
                for (i, &c) in counts.iter().enumerate() {
                    let p = f.probability(reps, i);
                    let sd = (p * (1.0 - p) / n as f64).sqrt();
                    let freq = f64::from(c) / n as f64;
                    assert!(
                        (freq - p).abs() <= 5.0 * sd + 1e-12,
                        "{spec:?} {reps:?} firm {i}: {freq} vs {p}"
                    );
                }
            }
        }
    }

    #[test]
    fn hardmax_random_with_eps_one_is_a_fair_coin() {
        // Binomial(100000, 1/2): sd = 158; a 5-sd band.
        let f = HardMaxRandom::new(1.0).unwrap();
        let mut rng = SeedSequence::new(5).stream(0, Source::Response);
        let n = 100_000u32;
        let ones = (0..n)
            .filter(|_| f.choose(&[rep(9, 10), rep(1, 10)], &mut rng) == 1)
            .count() as f64;
        assert!((ones - 50_000.0).abs() < 5.0 * 158.2, "{ones}");
        assert_eq!(f.probability(&[rep(9, 10), rep(1, 10)], 1), 0.5);
    }

    #[test]
    fn bad_parameters_are_rejected() {
        assert!(HardMaxRandom::new(1.5)
            .unwrap_err()
            .to_string()
            .contains("epsilon of HardMax&Random = 1.5"));
        assert!(HardMaxRandom::new(-0.1).is_err());
        assert!(HardMax::with_bias(2.0).is_err());
        assert!(SoftMax::new(0.0).is_err());
    }
}
