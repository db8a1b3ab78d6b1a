//! Response functions: how an arriving user picks a firm ([`ResponseFunction`]) from the firms'
//! reputations and, for response functions that use it, what each firm recommended last
//! ([`Arrival`]). Built in: [`HardMax`] (fair or biased ties), [`HardMaxRandom`], [`SoftMax`]
//! (with temperature 1, the authors' multinomial-logit agent), [`SoftMaxRandom`], [`Uniform`]
//! and [`HeterogeneousHardMax`]; [`ResponseSpec`] names them for configs. Their randomness comes
//! from the run's `Source::Response` stream. A response function chosen at run time (a user's,
//! e.g. a Python plug-in) takes the same path through [`DynResponseFunction`] and
//! [`CustomResponse`] (`custom.rs`); a game's users choose by a [`GameResponse`].
//!
//! Reputations are ratios of a reward sum and a count ([`Reputation`]); HardMax compares them by
//! cross multiplication. Under Bernoulli rewards the sums are whole numbers and the comparison
//! is exact in integers, so two windows with the same average always tie; under Gaussian
//! rewards it is the comparison of the two rounded cross products.

mod custom;
mod hardmax;
mod heterogeneous;
mod softmax;
mod spec;
mod uniform;

pub use custom::{CustomResponse, DynResponseFunction, GameResponse};
pub use hardmax::{HardMax, HardMaxRandom, WithRandom};
pub use heterogeneous::HeterogeneousHardMax;
pub use softmax::{SoftMax, SoftMaxRandom};
pub use spec::{Response, ResponseSpec};
pub use uniform::Uniform;

use rand::Rng;
use std::cmp::Ordering;

/// A firm's reputation: the sum of the rewards in its window over the window's length
/// (0 for a firm that served nobody).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Reputation {
    /// Sum of the rewards in the window (a whole number under Bernoulli rewards).
    pub sum: f64,
    /// Users in the window (0 before the first user).
    pub n: u32,
}

/// Windows up to this length compare in doubles exactly: whole-number sums and counts below
/// 2^26 have cross products below 2^52.
const EXACT_IN_DOUBLES: u32 = 1 << 26;

/// Whether `x` is a whole number in [0, 2^32) (a sum of 0/1 rewards in a window).
#[inline]
fn is_count(x: f64) -> bool {
    (0.0..4_294_967_296.0).contains(&x) && (x as u64) as f64 == x
}

impl Reputation {
    /// The reputation as a number (in [0, 1] under Bernoulli rewards).
    #[inline]
    pub fn value(self) -> f64 {
        if self.n == 0 {
            0.0
        } else {
            self.sum / f64::from(self.n)
        }
    }

    /// Comparison of the two ratios by cross multiplication, sum * n' against sum' * n: exact
    /// whenever both sums are whole numbers, as under Bernoulli rewards (in doubles for windows
    /// below 2^26 users, in integers above); for real sums, the comparison of the two rounded
    /// products (ties between real-valued averages are then a matter of rounding).
    #[inline]
    pub fn cmp_exact(self, other: Reputation) -> Ordering {
        let (n1, n2) = (self.n.max(1), other.n.max(1));
        if (n1 >= EXACT_IN_DOUBLES || n2 >= EXACT_IN_DOUBLES)
            && is_count(self.sum)
            && is_count(other.sum)
        {
            let (d1, d2) = (u64::from(n1), u64::from(n2));
            return (self.sum as u64 * d2).cmp(&(other.sum as u64 * d1));
        }
        let a = self.sum * f64::from(n2);
        let b = other.sum * f64::from(n1);
        if a > b {
            Ordering::Greater
        } else if a < b {
            Ordering::Less
        } else {
            Ordering::Equal
        }
    }
}

/// What an arriving user can know about the firms: their reputations and, for each firm, the
/// arm it recommended to its most recent game-round user (`None` before its first one).
#[derive(Clone, Copy, Debug)]
pub struct Arrival<'a> {
    /// Each firm's reputation (at least one firm).
    pub reps: &'a [Reputation],
    /// Each firm's most recent recommendation in the game (same length as `reps`).
    pub recent: &'a [Option<u32>],
    /// The number of arms K.
    pub arms: usize,
}

/// How a user chooses among firms from their reputations.
///
/// Implement `choose` and `probability`; a response function that also looks at the firms'
/// recent recommendations overrides `choose_informed` and `probability_informed` (the engine
/// always calls `choose_informed`, whose default is `choose` on the reputations).
pub trait ResponseFunction {
    /// The index of the chosen firm (`reps` has at least one entry).
    fn choose<R: Rng + ?Sized>(&self, reps: &[Reputation], rng: &mut R) -> usize;
    /// The probability that firm `i` is chosen (for tests and analysis).
    fn probability(&self, reps: &[Reputation], i: usize) -> f64;
    /// The index of the chosen firm, knowing the firms' recent recommendations as well.
    #[inline]
    fn choose_informed<R: Rng + ?Sized>(&self, arrival: &Arrival<'_>, rng: &mut R) -> usize {
        self.choose(arrival.reps, rng)
    }
    /// The probability that firm `i` is chosen, knowing the firms' recent recommendations.
    fn probability_informed(&self, arrival: &Arrival<'_>, i: usize) -> f64 {
        self.probability(arrival.reps, i)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{SeedSequence, Source};

    fn rep(sum: u32, n: u32) -> Reputation {
        Reputation {
            sum: f64::from(sum),
            n,
        }
    }

    #[test]
    fn exact_comparison_of_equal_ratios() {
        assert_eq!(rep(50, 100).cmp_exact(rep(1, 2)), Ordering::Equal);
        assert_eq!(rep(0, 0).cmp_exact(rep(0, 5)), Ordering::Equal);
        assert_eq!(rep(34, 100).cmp_exact(rep(1, 3)), Ordering::Greater);
        assert_eq!(rep(0, 0).value(), 0.0);
        // Real sums: compared by the cross products.
        let real = |sum: f64, n: u32| Reputation { sum, n };
        assert_eq!(real(1.5, 3).cmp_exact(real(0.4, 1)), Ordering::Greater);
        assert_eq!(real(-1.5, 3).cmp_exact(real(-0.4, 1)), Ordering::Less);
        assert_eq!(real(1.25, 2).cmp_exact(rep(5, 8)), Ordering::Equal);
        assert_eq!(real(-0.5, 1).value(), -0.5);
        // Long windows: whole-number sums still compare exactly (in integers).
        let big = 4_000_000_000u32;
        assert_eq!(
            rep(big - 1, big).cmp_exact(rep(big - 2, big - 1)),
            Ordering::Greater
        );
        assert_eq!(rep(big / 2, big).cmp_exact(rep(1, 2)), Ordering::Equal);
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
            ResponseSpec::SoftMaxRandom {
                eps: 0.2,
                temperature: 0.1,
            },
            ResponseSpec::MultinomialLogit,
            ResponseSpec::Uniform,
            ResponseSpec::HeterogeneousHardMax,
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

    #[test]
    fn named_agents_are_their_textbook_formulas() {
        let reps = [rep(3, 5), rep(60, 100), rep(1, 4)];
        // The authors' multinomial-logit agent: exp(score) normalised.
        let mnl = ResponseSpec::MultinomialLogit.build().unwrap();
        let z: f64 = reps.iter().map(|r| r.value().exp()).sum();
        for (i, r) in reps.iter().enumerate() {
            assert!((mnl.probability(&reps, i) - r.value().exp() / z).abs() < 1e-15);
            assert_eq!(Uniform.probability(&reps, i), 1.0 / 3.0);
        }
        // SoftMax with random agents, two firms: the authors' logistic curve with a floor,
        // eps/2 + (1 - eps) / (1 + exp(-(s0 - s1) / temperature)).
        let (eps, temp) = (0.2, 0.05);
        let f = SoftMaxRandom::soft(eps, temp).unwrap();
        let two = [rep(7, 10), rep(13, 20)];
        let x = two[0].value() - two[1].value();
        let want = eps / 2.0 + (1.0 - eps) / (1.0 + (-x / temp).exp());
        assert!((f.probability(&two, 0) - want).abs() < 1e-15);
        // A mixture with eps = 0 is the inner function.
        let pure = WithRandom::with(0.0, HardMax::fair(), "test").unwrap();
        assert_eq!(pure.probability(&two, 0), 1.0);
        assert!(SoftMaxRandom::soft(1.5, 1.0)
            .unwrap_err()
            .to_string()
            .contains("epsilon of SoftMax&Random"));
        assert!(SoftMaxRandom::soft(0.5, 0.0).is_err());
    }

    #[test]
    fn heterogeneous_users_follow_their_preferred_arm() {
        let f = HeterogeneousHardMax;
        let reps = [rep(9, 10), rep(1, 10)];
        // Nobody recommended anything yet: HardMax.
        let none = Arrival {
            reps: &reps,
            recent: &[None, None],
            arms: 4,
        };
        assert_eq!(f.probability_informed(&none, 0), 1.0);
        // Two arms, each firm last recommended a different one: each user goes to the firm
        // of their preferred arm, whatever the reputations.
        let split = Arrival {
            reps: &reps,
            recent: &[Some(0), Some(1)],
            arms: 2,
        };
        assert_eq!(f.probability_informed(&split, 1), 0.5);
        assert_eq!(f.probability_informed(&split, 0), 0.5);
        // Firm 1 (worse reputation) last recommended arm 2 of 4: users preferring arm 2 go to
        // it; users preferring arm 3 go to firm 0; the others consider both and pick firm 0.
        let one = Arrival {
            reps: &reps,
            recent: &[Some(3), Some(2)],
            arms: 4,
        };
        assert_eq!(f.probability_informed(&one, 1), 0.25);
        // Frequencies agree with the probabilities (5-sd binomial band).
        let mut rng = SeedSequence::new(6).stream(0, Source::Response);
        let n = 40_000;
        for arrival in [none, split, one] {
            let ones = (0..n)
                .filter(|_| f.choose_informed(&arrival, &mut rng) == 1)
                .count() as f64;
            let p = f.probability_informed(&arrival, 1);
            let sd = (p * (1.0 - p) / n as f64).sqrt();
            assert!(
                (ones / n as f64 - p).abs() <= 5.0 * sd + 1e-12,
                "{ones} vs {p}"
            );
        }
    }
}
