//! A firm: a bandit algorithm plus a sliding-window reputation.
//!
//! The reputation is the average reward of the last M users the firm served (M = 100 in the
//! paper); while it has served at most M users it is the mean of all its rewards, and it is 0
//! before the first user. The rewards sit in a ring buffer allocated once and the window sum is
//! kept as a running sum, so a round costs O(1) beyond the algorithm's own work. Under Bernoulli
//! rewards the buffer holds one byte per reward and the running sum is an exact integer. From
//! the first reward other than 0 or 1 on (Gaussian rewards) the buffer holds numbers; so that no
//! rounding accumulates over a long horizon, the sum is recomputed from the buffer (in
//! the order the rewards came) every time the ring wraps: it then equals a direct recomputation
//! of the window exactly, and in between it differs by the rounding of at most M additions and
//! M subtractions. A firm that is not chosen is not touched.

use super::table::PhaseRows;
use super::{
    AlgorithmKind, AlgorithmSpec, ArgmaxTie, BanditError, BanditPolicy, BetaPrior, DynBanditPolicy,
    MeanVector, Reputation, RewardModel,
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
    /// The reward model the firm's algorithm learns from.
    pub rewards: RewardModel,
}

impl<A: AlgorithmSpec> FirmSpec<A> {
    /// A new firm on `k` arms: the algorithm at its prior, an empty reputation window.
    pub fn build(&self, k: usize) -> Result<Firm<A::Policy>, BanditError> {
        Firm::new(
            self.algorithm
                .build_policy(k, self.prior, self.tie, &self.rewards)?,
            self.window,
        )
    }
}

/// A firm competing for users.
#[derive(Clone, Debug)]
pub struct Firm<P> {
    policy: P,
    window: Window,
    next: usize,
    in_window: u32,
    served: u64,
}

/// The rewards in the reputation window, as a ring buffer with a running sum.
#[derive(Clone, Debug)]
enum Window {
    /// Only 0/1 rewards so far: one byte each, an exact integer sum.
    Counts { values: Vec<u8>, sum: u32 },
    /// Real rewards (from the first reward other than 0 or 1 on).
    Reals { values: Vec<f64>, sum: f64 },
}

impl<P> Firm<P> {
    /// A firm using `policy` with a reputation window of `window` >= 1 users. The window holds
    /// 0/1 rewards compactly and switches to real numbers at the first other reward.
    pub fn new(policy: P, window: usize) -> Result<Self, BanditError> {
        check_window(window)?;
        Ok(Firm {
            policy,
            window: Window::Counts {
                values: vec![0; window],
                sum: 0,
            },
            next: 0,
            in_window: 0,
            served: 0,
        })
    }

    /// Adds one reward to the reputation window (see the module docs for the running sum).
    #[inline]
    pub fn record(&mut self, reward: f64) {
        let m = self.window_len();
        let full = self.in_window as usize == m;
        match &mut self.window {
            Window::Counts { values, sum } if reward == 0.0 || reward == 1.0 => {
                let r = u8::from(reward == 1.0);
                if full {
                    *sum -= u32::from(values[self.next]);
                } else {
                    self.in_window += 1;
                }
                values[self.next] = r;
                *sum += u32::from(r);
                self.next += 1;
                if self.next == m {
                    self.next = 0;
                }
                self.served += 1;
            }
            _ => self.record_real(reward),
        }
    }

    /// The window's length M.
    #[inline]
    fn window_len(&self) -> usize {
        match &self.window {
            Window::Counts { values, .. } => values.len(),
            Window::Reals { values, .. } => values.len(),
        }
    }

    /// [`Firm::record`] for a window of real numbers (converting a window of 0/1 rewards at
    /// the first other reward).
    fn record_real(&mut self, reward: f64) {
        if let Window::Counts { values, sum } = &self.window {
            // The 0/1 rewards so far convert exactly.
            self.window = Window::Reals {
                values: values.iter().map(|&x| f64::from(x)).collect(),
                sum: f64::from(*sum),
            };
        }
        let Window::Reals { values, sum } = &mut self.window else {
            return;
        };
        let m = values.len();
        if self.in_window as usize == m {
            *sum -= values[self.next];
        } else {
            self.in_window += 1;
        }
        values[self.next] = reward;
        *sum += reward;
        self.next += 1;
        if self.next == m {
            self.next = 0;
            // The ring is full and in arrival order: recompute the sum so that rounding never
            // accumulates past one window.
            *sum = values.iter().sum();
        }
        self.served += 1;
    }

    /// The current reputation.
    #[inline]
    pub fn reputation(&self) -> Reputation {
        let sum = match &self.window {
            Window::Counts { sum, .. } => f64::from(*sum),
            Window::Reals { sum, .. } => *sum,
        };
        Reputation {
            sum,
            n: self.in_window,
        }
    }

    /// The rewards in the reputation window, oldest first (for checks and analysis).
    pub fn window_rewards(&self) -> Vec<f64> {
        let n = self.in_window as usize;
        let all: Vec<f64> = match &self.window {
            Window::Counts { values, .. } => values.iter().map(|&x| f64::from(x)).collect(),
            Window::Reals { values, .. } => values.clone(),
        };
        let m = all.len();
        // The oldest entry sits at `next` when the ring is full, at 0 before.
        let start = if n == m { self.next } else { 0 };
        (0..n).map(|i| all[(start + i) % m]).collect()
    }

    /// Users served so far (all phases).
    pub fn served(&self) -> u64 {
        self.served
    }

    /// Forgets the reputation (back to 0, empty window); the algorithm keeps its data.
    pub fn wipe_reputation(&mut self) {
        match &mut self.window {
            Window::Counts { values, sum } => {
                values.iter_mut().for_each(|x| *x = 0);
                *sum = 0;
            }
            Window::Reals { values, sum } => {
                values.iter_mut().for_each(|x| *x = 0.0);
                *sum = 0.0;
            }
        }
        self.next = 0;
        self.in_window = 0;
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
    ) -> (usize, f64) {
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
    ) -> (usize, f64) {
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

/// Checks a reputation window M: at least one user, at most 2^32 - 1 (window counts are `u32`).
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
        let rewards = [1.0, 0.0, 1.0, 1.0, 0.0, 0.0, 0.0];
        let mut hist = Vec::new();
        for (i, &r) in rewards.iter().enumerate() {
            f.record(r);
            hist.push(r);
            let w = &hist[hist.len().saturating_sub(3)..];
            let want = w.iter().filter(|&&x| x == 1.0).count() as f64 / w.len() as f64;
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
    fn gaussian_window_equals_a_direct_recomputation() {
        // Real rewards around 1000 (large against their spread, the hard case for a running
        // sum) over 50 windows of M = 37: the reputation equals the direct mean of the last M
        // rewards exactly whenever the ring wraps, and within the rounding of 2M additions in
        // between.
        use rand::Rng;
        let m = 37;
        let mut f = Firm::new((), m).unwrap();
        let mut rng = SeedSequence::new(4).exploration_stream(0, 0);
        let mut hist: Vec<f64> = Vec::new();
        for i in 0..50 * m {
            let r = 1000.0 + rng.random::<f64>() - 0.5;
            f.record(r);
            hist.push(r);
            let w = &hist[hist.len().saturating_sub(m)..];
            let direct: f64 = w.iter().sum::<f64>();
            let got = f.reputation();
            assert_eq!(got.n as usize, w.len());
            assert_eq!(f.window_rewards(), w.to_vec(), "after {} rewards", i + 1);
            let bound = 2.0 * m as f64 * f64::EPSILON * w.iter().map(|x| x.abs()).sum::<f64>();
            assert!((got.sum - direct).abs() <= bound, "after {} rewards", i + 1);
            if (i + 1) % m == 0 {
                assert_eq!(got.sum, direct, "at the wrap after {} rewards", i + 1);
                assert_eq!(got.value(), direct / w.len() as f64);
            }
        }
        // 0/1 rewards first, then a real one: the window converts exactly.
        let mut g = Firm::new((), 3).unwrap();
        g.record(1.0);
        g.record(0.0);
        g.record(-2.5);
        assert_eq!(g.reputation().sum, -1.5);
        g.record(1.0);
        assert_eq!(g.window_rewards(), vec![0.0, -2.5, 1.0]);
        g.wipe_reputation();
        assert_eq!(g.reputation(), Reputation::default());
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
