//! A firm: a bandit algorithm plus a sliding-window reputation.
//!
//! The reputation is the average reward of the last M users the firm served (M = 100 in the
//! paper); while it has served at most M users it is the mean of all its rewards, and it is 0
//! before the first user. Window sums are exact integers in a ring buffer allocated once, so a
//! round costs O(1) beyond the algorithm's own work. A firm that is not chosen is not touched.

use super::table::PhaseRows;
use super::{
    AlgorithmKind, AlgorithmSpec, ArgmaxTie, BanditError, BanditPolicy, BetaPrior, DynBanditPolicy,
    MeanVector, Reputation,
};
use crate::rng::PortableRng;
use rand::Rng;
use std::ops::Range;

/// What a new firm is made of besides the number of arms: its algorithm, the prior of the
/// Bayesian algorithms, the argmax tie rule and the reputation window. Competition and isolation
/// build every firm from one. `A` is the algorithm description: a built-in name
/// ([`AlgorithmKind`], the default, building the static-dispatch [`Policy`](super::Policy)) or
/// any [`AlgorithmSpec`] (e.g. [`FirmAlgorithm`](super::FirmAlgorithm) for user algorithms).
#[derive(Clone, Debug, PartialEq)]
pub struct FirmSpec<A = AlgorithmKind> {
    /// The algorithm.
    pub algorithm: A,
    /// Prior of the Bayesian algorithms.
    pub prior: BetaPrior,
    /// Tie rule inside the algorithm.
    pub tie: ArgmaxTie,
    /// Reputation window M.
    pub window: usize,
}

impl<A: AlgorithmSpec> FirmSpec<A> {
    /// A new firm on `k` arms: the algorithm at its prior, an empty reputation window.
    pub fn build(&self, k: usize) -> Result<Firm<A::Policy>, BanditError> {
        Firm::new(
            self.algorithm.build_policy(k, self.prior, self.tie)?,
            self.window,
        )
    }
}

/// A firm competing for users.
#[derive(Clone, Debug)]
pub struct Firm<P> {
    policy: P,
    window: Vec<u8>,
    next: usize,
    in_window: u32,
    sum: u32,
    served: u64,
}

impl<P> Firm<P> {
    /// A firm using `policy` with a reputation window of `window` >= 1 users.
    pub fn new(policy: P, window: usize) -> Result<Self, BanditError> {
        check_window(window)?;
        Ok(Firm {
            policy,
            window: vec![0; window],
            next: 0,
            in_window: 0,
            sum: 0,
            served: 0,
        })
    }

    /// Adds one reward to the reputation window.
    #[inline]
    pub fn record(&mut self, reward: bool) {
        let r = u8::from(reward);
        let m = self.window.len();
        if (self.in_window as usize) < m {
            self.in_window += 1;
        } else {
            self.sum -= u32::from(self.window[self.next]);
        }
        self.window[self.next] = r;
        self.sum += u32::from(r);
        self.next += 1;
        if self.next == m {
            self.next = 0;
        }
        self.served += 1;
    }

    /// The current reputation.
    #[inline]
    pub fn reputation(&self) -> Reputation {
        Reputation {
            sum: self.sum,
            n: self.in_window,
        }
    }

    /// Users served so far (all phases).
    pub fn served(&self) -> u64 {
        self.served
    }

    /// Forgets the reputation (back to 0, empty window); the algorithm keeps its data.
    pub fn wipe_reputation(&mut self) {
        self.window.iter_mut().for_each(|x| *x = 0);
        self.next = 0;
        self.in_window = 0;
        self.sum = 0;
    }

    /// The algorithm.
    pub fn policy(&self) -> &P {
        &self.policy
    }
}

/// The engine's form, for any algorithm ([`DynBanditPolicy`]: built-ins by static dispatch,
/// user algorithms boxed), on the firm's own [`PortableRng`] stream.
impl<P: DynBanditPolicy> Firm<P> {
    /// Serves one user: the algorithm picks an arm, the user gets `rows`' reward for `row`, the
    /// algorithm and the reputation learn it. Returns (arm, reward).
    #[inline]
    pub fn serve_on(
        &mut self,
        rows: PhaseRows<'_>,
        row: usize,
        rng: &mut PortableRng,
    ) -> (usize, bool) {
        let arm = self.policy.dyn_select(rng);
        let reward = rows.reward(row, arm);
        self.policy.dyn_update(arm, reward);
        self.record(reward);
        (arm, reward)
    }

    /// Serves one user alone per row of `rows` in `range`, in order, adding each round's regret
    /// (from the means) to `regret` as it goes (so a stage served in several pieces sums its
    /// regret in the same order as one served at once).
    #[inline]
    pub fn serve_rows_on(
        &mut self,
        rows: PhaseRows<'_>,
        range: Range<usize>,
        means: &MeanVector,
        rng: &mut PortableRng,
        regret: &mut f64,
    ) {
        for t in range {
            let (arm, _) = self.serve_on(rows, t, rng);
            *regret += means.gap(arm);
        }
    }

    /// Resets the algorithm to its prior; the reputation is kept.
    pub fn reset_algorithm(&mut self) {
        self.policy.dyn_reset();
    }
}

/// The generic-generator form for statically typed algorithms ([`BanditPolicy`]); the same
/// rounds as [`Firm::serve_on`] when `rng` is the firm's stream.
impl<P: BanditPolicy> Firm<P> {
    /// Serves one user: the algorithm picks an arm, the user gets `rows`' reward for `row`, the
    /// algorithm and the reputation learn it. Returns (arm, reward).
    #[inline]
    pub fn serve<R: Rng + ?Sized>(
        &mut self,
        rows: PhaseRows<'_>,
        row: usize,
        rng: &mut R,
    ) -> (usize, bool) {
        let arm = self.policy.select(rng);
        let reward = rows.reward(row, arm);
        self.policy.update(arm, reward);
        self.record(reward);
        (arm, reward)
    }

    /// Resets the algorithm to its prior; the reputation is kept.
    pub fn reset_policy(&mut self) {
        self.policy.reset();
    }

    /// Serves `n` users alone from rows 0..n of `rows` (warm start, monopoly, isolation) and
    /// returns the regret accrued (from the means).
    pub fn serve_alone<R: Rng + ?Sized>(
        &mut self,
        rows: PhaseRows<'_>,
        n: usize,
        means: &MeanVector,
        rng: &mut R,
    ) -> f64 {
        let mut regret = 0.0;
        self.serve_rows(rows, 0..n, means, rng, &mut regret);
        regret
    }

    /// Serves one user alone per row of `rows` in `range`, in order, adding each round's regret
    /// (from the means) to `regret` as it goes (so a stage served in several pieces sums its
    /// regret in the same order as one served at once).
    #[inline]
    pub fn serve_rows<R: Rng + ?Sized>(
        &mut self,
        rows: PhaseRows<'_>,
        range: Range<usize>,
        means: &MeanVector,
        rng: &mut R,
        regret: &mut f64,
    ) {
        for t in range {
            let (arm, _) = self.serve(rows, t, rng);
            *regret += means.gap(arm);
        }
    }
}

/// Checks a reputation window M: at least one user, at most 2^32 - 1 (window sums are `u32`).
pub(super) fn check_window(window: usize) -> Result<(), BanditError> {
    if window == 0 || window > u32::MAX as usize {
        return Err(BanditError::range(
            "reputation window M",
            window,
            "[1, 4294967295]",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bandits::{
        AlgorithmKind, ArgmaxTie, BetaPrior, Phase, RealizationTable, TableLayout,
    };
    use crate::rng::SeedSequence;

    #[test]
    fn sliding_window_is_exact() {
        let p = AlgorithmKind::BayesGreedy
            .build(2, BetaPrior::default(), ArgmaxTie::LowestIndex)
            .unwrap();
        let mut f = Firm::new(p, 3).unwrap();
        assert_eq!(f.reputation().value(), 0.0);
        let rewards = [true, false, true, true, false, false, false];
        let mut hist = Vec::new();
        for (i, &r) in rewards.iter().enumerate() {
            f.record(r);
            hist.push(r);
            let w = &hist[hist.len().saturating_sub(3)..];
            let want = w.iter().filter(|&&x| x).count() as f64 / w.len() as f64;
            assert_eq!(f.reputation().value(), want, "after {} rewards", i + 1);
        }
        f.wipe_reputation();
        assert_eq!(f.reputation(), Reputation::default());
        assert!(Firm::new(
            AlgorithmKind::BayesGreedy
                .build(2, BetaPrior::default(), ArgmaxTie::LowestIndex)
                .unwrap(),
            0
        )
        .is_err());
    }

    #[test]
    fn serving_learns_and_counts() {
        let means = MeanVector::new(vec![0.2, 0.8]).unwrap();
        let s = SeedSequence::new(1);
        let layout = TableLayout {
            isolation: 50,
            ..TableLayout::default()
        };
        let table = RealizationTable::generate(&means, &layout, &s, 0).unwrap();
        let p = AlgorithmKind::ThompsonSampling
            .build(2, BetaPrior::default(), ArgmaxTie::LowestIndex)
            .unwrap();
        let mut f = Firm::new(p, 100).unwrap();
        let mut rng = s.exploration_stream(0, 0);
        let regret = f.serve_alone(table.phase(Phase::Isolation), 50, &means, &mut rng);
        assert_eq!(f.served(), 50);
        assert_eq!(
            f.policy().posterior().pulls(0) + f.policy().posterior().pulls(1),
            50
        );
        assert!((0.0..=50.0 * 0.6 + 1e-9).contains(&regret));
        assert_eq!(f.reputation().n, 50);
    }
}
