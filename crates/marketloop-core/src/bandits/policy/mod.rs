//! Bandit algorithms (the firms' strategies) behind one trait, [`BanditPolicy`].
//!
//! The Bayesian algorithms keep an independent Beta(alpha0, beta0) posterior per arm
//! ([`BetaPosterior`], Beta(1, 1) by default): reward 1 adds 1 to alpha, reward 0 adds 1 to beta.
//! Posterior means are cached and only the pulled arm's is recomputed.
//!
//! **Ties.** Every argmax inside an algorithm follows its [`ArgmaxTie`]: `LowestIndex` (the
//! default, as in the authors' code: the first maximal arm) or `Random` (uniform among the
//! maximal arms, drawn from the firm's exploration stream only when there is a tie). Posterior
//! means are ratios of small integers (with the default prior), computed by one correctly rounded
//! division, so equal ratios compare equal.
//!
//! **Contract.** [`BanditPolicy::select`] may draw from `rng` and may fix a decision it will keep
//! (the arm of StaticGreedy, the arm Explore-First commits to), but learns only in
//! [`BanditPolicy::update`]; calling `select` without `update` (as the greedy modification does)
//! never corrupts the learned state.
//!
//! **Rewards.** [`BanditPolicy::update`] receives the reward as a real number: exactly 0.0 or
//! 1.0 under Bernoulli rewards, mu_a + sigma z under Gaussian ones. Which reward models an
//! algorithm accepts is declared by [`AlgorithmKind::accepts`]; `gaussian` holds the Gaussian
//! Thompson sampling and Bayes-greedy ([`GaussianThompsonSampling`], [`GaussianBayesGreedy`],
//! their Normal posteriors [`GaussianPosterior`]).
//!
//! Layout: this module holds the trait, [`ArgmaxTie`] and [`argmax`]; `posterior` the Beta
//! prior and posteriors; `greedy` StaticGreedy, BayesGreedy and BayesEpsilonGreedy;
//! `thompson` Thompson sampling, with its exact samplers in `beta_sampler` (Gamma and Beta) and
//! `tail_thinning` (weak arms' draws decided by thinning against a tail bound); `ucb`, `elimination` and `explore_first` the
//! three frequentist algorithms; `kl_ucb` the Bernoulli index algorithms KL-UCB and Bayes-UCB
//! (their special functions in `special`); `exp3` EXP3; `empirical` the non-Bayesian
//! epsilon-greedy and explore-then-exploit; `greedy_modified` the paper's greedy modification; `kind` the
//! names ([`AlgorithmKind`] and its parser) and the dispatch enum [`Policy`]; `dynamic` the
//! object-safe form [`DynBanditPolicy`] (implemented by every `BanditPolicy`) and
//! [`BoxedPolicy`]. Every item is re-exported here.

mod beta_sampler;
mod dynamic;
mod elimination;
mod empirical;
mod exp3;
mod explore_first;
mod gaussian;
mod greedy;
mod greedy_modified;
mod kind;
mod kl_ucb;
mod posterior;
mod special;
mod squeeze;
mod tail_thinning;
pub(crate) use tail_thinning::{ln_beta, Beat, UpperBound};
mod thompson;
mod ucb;

pub use beta_sampler::{BetaSampler, GammaSampler};
pub use dynamic::{BoxedPolicy, DynBanditPolicy};
pub use elimination::SuccessiveElimination;
pub use empirical::{EpsilonGreedy, ExploreThenExploit};
pub use exp3::Exp3;
pub use explore_first::ExploreFirst;
pub use gaussian::{GaussianBayesGreedy, GaussianPosterior, GaussianThompsonSampling, NormalPrior};
pub use greedy::{BayesEpsilonGreedy, BayesGreedy, StaticGreedy};
pub use greedy_modified::GreedyModified;
pub use kind::{AlgorithmKind, Policy, ALGORITHM_NAMES};
pub use kl_ucb::{BayesUcb, KlUcb};
pub use posterior::{BetaPosterior, BetaPrior};
/// The regularized incomplete Beta function (the Bayesian-choice model's posterior means under
/// a uniform prior use it).
pub(crate) use special::beta_cdf;
pub use thompson::ThompsonSampling;
pub use ucb::Ucb1;

use super::BanditError;
use rand::Rng;
use serde::{Deserialize, Serialize};

/// How an argmax inside a bandit algorithm breaks ties between equally good arms.
///
/// Not to be confused with [`crate::market::TieRule`], which orders popularity ties in the
/// market's ranking. Spec files and Python name the variants `"lowest-index"` and `"random"`
/// (the serde form).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum ArgmaxTie {
    /// The lowest maximal index (the authors' code). Draws nothing.
    #[default]
    LowestIndex,
    /// Uniform among the maximal indices (one draw, only when there is a tie).
    Random,
}

/// Argmax of `values` under `tie`. `values` must be non-empty.
#[inline]
pub fn argmax<R: Rng + ?Sized>(values: &[f64], tie: ArgmaxTie, rng: &mut R) -> usize {
    let best = first_max(values);
    if tie == ArgmaxTie::LowestIndex {
        return best;
    }
    let best_v = values[best];
    let ties = values[best + 1..].iter().filter(|&&v| v == best_v).count() + 1;
    if ties == 1 {
        return best;
    }
    let pick = rng.random_range(0..ties as u32);
    values
        .iter()
        .enumerate()
        .filter(|&(_, &v)| v == best_v)
        .nth(pick as usize)
        .map_or(best, |(i, _)| i)
}

/// The lowest index among the largest of `values` (non-empty), [`argmax`] under
/// [`ArgmaxTie::LowestIndex`]: a value replaces the best only when strictly larger (so a NaN
/// first value is never replaced, and a later NaN never chosen).
#[inline]
pub(crate) fn first_max(values: &[f64]) -> usize {
    let mut best = 0;
    let mut best_v = values[0];
    for (i, &v) in values.iter().enumerate().skip(1) {
        if v > best_v {
            best = i;
            best_v = v;
        }
    }
    best
}

/// A bandit algorithm: picks an arm, learns from the reward.
pub trait BanditPolicy {
    /// Number of arms.
    fn k(&self) -> usize;
    /// The arm to pull now. May draw from `rng`; learns nothing (see the module docs).
    fn select<R: Rng + ?Sized>(&mut self, rng: &mut R) -> usize;
    /// Learns the reward of the arm just pulled: exactly 0.0 or 1.0 under Bernoulli rewards,
    /// mu + sigma z under Gaussian ones (see [`RewardModel`](crate::bandits::RewardModel)).
    fn update(&mut self, arm: usize, reward: f64);
    /// Forgets everything: back to the prior (used by the reputation-advantage-only scenario).
    fn reset(&mut self);
    /// The posterior the algorithm keeps on the data it recorded (for greedy choices).
    fn posterior(&self) -> &BetaPosterior;
}

/// Rejects K = 0 (every algorithm needs an arm).
fn check_k(k: usize) -> Result<(), BanditError> {
    if k == 0 {
        return Err(BanditError::range("number of arms K", 0, "[1, infinity)"));
    }
    Ok(())
}

/// Rejects a probability `x` (named `name` in the error) outside [0, 1].
fn check_unit(name: &str, x: f64) -> Result<(), BanditError> {
    if (0.0..=1.0).contains(&x) {
        Ok(())
    } else {
        Err(BanditError::range(name, x, "[0, 1]"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::SeedSequence;

    #[test]
    fn argmax_tie_rules() {
        let mut rng = SeedSequence::new(1).exploration_stream(0, 0);
        assert_eq!(
            argmax(&[0.5, 0.7, 0.7, 0.1], ArgmaxTie::LowestIndex, &mut rng),
            1
        );
        let mut seen = [0u32; 4];
        for _ in 0..2000 {
            seen[argmax(&[0.5, 0.7, 0.7, 0.1], ArgmaxTie::Random, &mut rng)] += 1;
        }
        assert_eq!(seen[0] + seen[3], 0);
        // Binomial(2000, 1/2): sd 22.4; 5 sd.
        assert!((seen[1] as i64 - 1000).abs() < 112, "{seen:?}");
        assert_eq!(argmax(&[0.1, 0.9, 0.2], ArgmaxTie::Random, &mut rng), 1);
    }

    /// The exact Beta(a, b) CDF for integer a, b: P(Binomial(a + b - 1, x) >= a).
    pub(super) fn beta_cdf_int(a: u32, b: u32, x: f64) -> f64 {
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
}
