//! The Bayesian-expected reward curves rew(n) = E[mu(a_n)] of the principals' algorithms at
//! their own local steps n = 1..N, estimated by Monte Carlo with common random numbers
//! ([`CurvesConfig`] -> [`RewCurves`]).
//!
//! **Common random numbers.** Monte Carlo path `m` draws one mean vector from the prior
//! (`SeedSequence::stream(m, Source::Instance)`), one reward sequence per arm (the j-th pull of
//! arm a on path m reads the j-th u64 of `stream(m, Source::Rewards)` from word position
//! `a << 48`, Bernoulli by `u64 < mu_a 2^64`) and one exploration stream
//! (`stream(m, Source::Exploration)`), and every algorithm is run on that same draw, rewards and
//! stream. Two algorithms that pull the same arms up to a step on every path therefore have
//! *bit-identical* estimates up to that step, so HardMax's ties between them are real ties.
//!
//! **Determinism.** Paths are summed in blocks of [`BLOCK`] paths in path order, and the blocks
//! in block order, whatever the number of threads (blocks run in parallel in waves).
//!
//! **Errors.** Besides rew(n) the estimator keeps, per step, the sums of squares that give the
//! standard errors of rew(n), of the BIR E[max mu] - rew(n), of rew(n+1) - rew(n) (Bayesian
//! monotonicity) and of rew_i(n) - rew_j(n) for every pair (paired: the same paths). Memory is
//! O(algorithms^2 x N) per block in flight, never O(paths x N).
//!
//! **Deviation.** For every pair, the first local step at which the two algorithms pull
//! different arms on some path (Definition 4.1's deviation step as seen on the sampled
//! histories, an upper bound on it) and the first step at which their estimates differ.

use super::posterior::{ExactGreedy, GreedyRule};
use super::prior::{BayesPrior, Belief, ResolvedBelief};
use crate::bandits::table::Threshold;
use crate::bandits::RewardModel;
use crate::bandits::{
    AlgorithmKind, AlgorithmSpec, ArgmaxTie, BanditError, BanditPolicy, DynBanditPolicy,
    FirmAlgorithm,
};
use crate::rng::{PortableRng, SeedSequence, Source};
use crate::runner::{map_replicates, stop_requested, Schedule};
use rand::RngCore;
use serde::{Deserialize, Serialize};

/// Paths per block: the unit of summation (fixed, so sums never depend on the thread count).
pub const BLOCK: u64 = 64;

/// An algorithm the Bayesian-choice model can run: an [`AlgorithmSpec`] that also says whether
/// it is one of the greedy algorithms, which need the exact posterior of a non-conjugate true
/// prior.
pub trait BayesAlgorithm: AlgorithmSpec {
    /// `Some` for BayesGreedy, StaticGreedy and BayesEpsilonGreedy.
    fn greedy_rule(&self) -> Option<GreedyRule>;
    /// Whether it is a user's algorithm (it keeps its own beliefs).
    fn is_user(&self) -> bool;
}

impl BayesAlgorithm for AlgorithmKind {
    fn greedy_rule(&self) -> Option<GreedyRule> {
        match self {
            AlgorithmKind::BayesGreedy => Some(GreedyRule::Dynamic),
            AlgorithmKind::StaticGreedy => Some(GreedyRule::Static),
            AlgorithmKind::BayesEpsilonGreedy { eps } => Some(GreedyRule::Epsilon(*eps)),
            _ => None,
        }
    }
    fn is_user(&self) -> bool {
        false
    }
}

impl BayesAlgorithm for FirmAlgorithm {
    fn greedy_rule(&self) -> Option<GreedyRule> {
        match self {
            FirmAlgorithm::Builtin(k) => k.greedy_rule(),
            FirmAlgorithm::Custom(_) => None,
        }
    }
    fn is_user(&self) -> bool {
        matches!(self, FirmAlgorithm::Custom(_))
    }
}

/// What to estimate: the prior, the algorithms and their belief, the number of local steps N
/// and of Monte Carlo paths.
#[derive(Clone, Debug, PartialEq)]
pub struct CurvesConfig<A = FirmAlgorithm> {
    /// The common prior.
    pub prior: BayesPrior,
    /// What the algorithms believe.
    pub belief: Belief,
    /// Argmax ties inside the algorithms.
    pub tie: ArgmaxTie,
    /// The algorithms (at least one).
    pub algorithms: Vec<A>,
    /// Local steps N (rew(n) for n = 1..N).
    pub steps: usize,
    /// Monte Carlo paths (prior draws), at least 2.
    pub paths: u64,
}

/// One algorithm as the estimator runs it.
#[derive(Clone, Debug)]
enum Algo<P> {
    Spec(P),
    Exact(ExactGreedy),
}

impl<P: DynBanditPolicy> Algo<P> {
    #[inline]
    fn select(&mut self, rng: &mut PortableRng) -> usize {
        match self {
            Algo::Spec(p) => p.dyn_select(rng),
            Algo::Exact(g) => g.select(rng),
        }
    }
    #[inline]
    fn update(&mut self, arm: usize, reward: f64) {
        match self {
            Algo::Spec(p) => p.dyn_update(arm, reward),
            Algo::Exact(g) => g.update(arm, reward),
        }
    }
}

impl<A: BayesAlgorithm> CurvesConfig<A> {
    /// Checks every field (errors name it) and builds each algorithm once.
    pub fn validate(&self) -> Result<(), BanditError> {
        self.prior.validate()?;
        if self.algorithms.is_empty() {
            return Err(BanditError::range(
                "algorithms: number of algorithms",
                0,
                "[1, infinity)",
            ));
        }
        if self.steps == 0 {
            return Err(BanditError::range(
                "steps (local steps N)",
                0,
                "[1, infinity)",
            ));
        }
        if self.paths < 2 {
            return Err(BanditError::range(
                "paths (Monte Carlo prior draws)",
                self.paths,
                "[2, infinity)",
            ));
        }
        let pairs = self.algorithms.len() * (self.algorithms.len() - 1) / 2;
        (self.algorithms.len() * 4 + pairs)
            .checked_mul(self.steps)
            .and_then(|x| x.checked_mul(8))
            .filter(|&b| b <= isize::MAX as usize)
            .ok_or_else(|| {
                BanditError::range(
                    "steps (local steps N)",
                    self.steps,
                    "a size that fits in memory",
                )
            })?;
        for a in &self.algorithms {
            a.check()?;
        }
        let belief = self.belief.resolve(&self.prior)?;
        for a in &self.algorithms {
            self.build(a, &belief)?;
        }
        Ok(())
    }

    fn build(&self, a: &A, belief: &ResolvedBelief) -> Result<Algo<A::Policy>, BanditError> {
        let k = self.prior.k();
        match belief {
            ResolvedBelief::Conjugate(bp) => Ok(Algo::Spec(a.build_policy(k, *bp, self.tie, &RewardModel::Bernoulli)?)),
            ResolvedBelief::Exact(pm) => match a.greedy_rule() {
                Some(rule) => Ok(Algo::Exact(ExactGreedy::new(k, rule, pm.clone(), self.tie)?)),
                None if a.is_user() => Ok(Algo::Spec(a.build_policy(k, Default::default(), self.tie, &RewardModel::Bernoulli)?)),
                None => Err(BanditError::range(
                    "belief",
                    format!("true (for {})", a.label()),
                    &format!(
                        "belief = true on the {} prior (not conjugate) is defined for BG, SG and BEG only; give belief = [1, 1] (a Beta(1, 1) belief per arm) for other algorithms",
                        self.prior.display_name()
                    ),
                )),
            },
        }
    }

    /// Estimates the curves with master seed `seeds` (see the module docs).
    pub fn estimate(
        &self,
        seeds: SeedSequence,
        schedule: Schedule,
    ) -> Result<RewCurves, BanditError> {
        self.estimate_with_progress(seeds, schedule, &|_| {})
    }

    /// [`estimate`](Self::estimate), calling `on_paths(done)` with the number of paths summed
    /// so far after each wave of blocks (in order, never decreasing, the last call with
    /// `done = paths`). Reporting touches no random stream: the curves do not depend on it.
    pub fn estimate_with_progress(
        &self,
        seeds: SeedSequence,
        schedule: Schedule,
        on_paths: &(dyn Fn(u64) + Sync),
    ) -> Result<RewCurves, BanditError> {
        self.validate()?;
        let belief = self.belief.resolve(&self.prior)?;
        let n_alg = self.algorithms.len();
        let blocks = self.paths.div_ceil(BLOCK);
        let wave = (rayon::current_num_threads() as u64 * 4).max(1);
        let mut total = Acc::new(n_alg, self.steps);
        let mut start = 0;
        while start < blocks {
            if stop_requested() {
                return Err(BanditError::Interrupted);
            }
            let end = (start + wave).min(blocks);
            let idx: Vec<u64> = (start..end).collect();
            let parts = map_replicates(
                &idx,
                schedule,
                |b| self.block(&belief, seeds, b),
                |_, _| Ok(()),
            )?;
            for p in &parts {
                total.merge(p);
            }
            on_paths(total.paths);
            start = end;
        }
        Ok(total.finish(
            self.algorithms.iter().map(|a| a.label()).collect(),
            self.paths,
        ))
    }

    /// The partial sums of block `b` (its paths in order).
    fn block(
        &self,
        belief: &ResolvedBelief,
        seeds: SeedSequence,
        b: u64,
    ) -> Result<Acc, BanditError> {
        let templates: Vec<Algo<A::Policy>> = self
            .algorithms
            .iter()
            .map(|a| self.build(a, belief))
            .collect::<Result<_, _>>()?;
        let n_alg = templates.len();
        let steps = self.steps;
        let mut acc = Acc::new(n_alg, steps);
        let mut mu_traj = vec![0.0; n_alg * steps];
        let mut arm_traj = vec![0u32; n_alg * steps];
        let first = b * BLOCK;
        let last = (first + BLOCK).min(self.paths);
        for m in first..last {
            let means = self.prior.draw(&mut seeds.stream(m, Source::Instance))?;
            let thresholds: Vec<Threshold> =
                means.means().iter().map(|&p| Threshold::new(p)).collect();
            let base = seeds.stream(m, Source::Rewards);
            let arm_streams: Vec<PortableRng> = (0..means.k())
                .map(|a| {
                    let mut r = base.clone();
                    r.set_word_pos((a as u128) << 48);
                    r
                })
                .collect();
            for (i, t) in templates.iter().enumerate() {
                let mut algo = t.clone();
                let mut explore = seeds.stream(m, Source::Exploration);
                let mut rewards = arm_streams.clone();
                let mu = &mut mu_traj[i * steps..(i + 1) * steps];
                let arms = &mut arm_traj[i * steps..(i + 1) * steps];
                for n in 0..steps {
                    let a = algo.select(&mut explore);
                    let r = thresholds[a].sample(rewards[a].next_u64());
                    algo.update(a, if r { 1.0 } else { 0.0 });
                    mu[n] = means.means()[a];
                    arms[n] = a as u32;
                }
            }
            acc.add_path(means.best(), &mu_traj, &arm_traj);
        }
        Ok(acc)
    }
}

/// Bernoulli(p) from one u64 (`x < p 2^64`, p = 1 always true), as the realization tables.
/// Partial sums over some paths.
#[derive(Clone, Debug)]
struct Acc {
    n_alg: usize,
    steps: usize,
    paths: u64,
    best: f64,
    best_sq: f64,
    sum: Vec<f64>,
    sum_sq: Vec<f64>,
    regret_sq: Vec<f64>,
    gain_sq: Vec<f64>,
    pair_sq: Vec<f64>,
    deviation: Vec<Option<usize>>,
}

impl Acc {
    fn new(n_alg: usize, steps: usize) -> Self {
        let pairs = n_alg * n_alg.saturating_sub(1) / 2;
        Acc {
            n_alg,
            steps,
            paths: 0,
            best: 0.0,
            best_sq: 0.0,
            sum: vec![0.0; n_alg * steps],
            sum_sq: vec![0.0; n_alg * steps],
            regret_sq: vec![0.0; n_alg * steps],
            gain_sq: vec![0.0; n_alg * steps],
            pair_sq: vec![0.0; pairs * steps],
            deviation: vec![None; pairs],
        }
    }

    fn add_path(&mut self, best: f64, mu: &[f64], arms: &[u32]) {
        let s = self.steps;
        self.paths += 1;
        self.best += best;
        self.best_sq += best * best;
        // Element-wise sums over zipped rows (no index checks; the compiler vectorises them):
        // each entry takes the same operations as one at a time.
        for i in 0..self.n_alg {
            let range = i * s..(i + 1) * s;
            let row = &mu[range.clone()];
            let sums = self.sum[range.clone()]
                .iter_mut()
                .zip(&mut self.sum_sq[range.clone()])
                .zip(&mut self.regret_sq[range.clone()]);
            for (((sum, sum_sq), regret_sq), &x) in sums.zip(row) {
                *sum += x;
                *sum_sq += x * x;
                let r = best - x;
                *regret_sq += r * r;
            }
            for (gain_sq, w) in self.gain_sq[range].iter_mut().zip(row.windows(2)) {
                let d = w[1] - w[0];
                *gain_sq += d * d;
            }
        }
        let mut p = 0;
        for i in 0..self.n_alg {
            for j in i + 1..self.n_alg {
                for n in 0..s {
                    let d = mu[i * s + n] - mu[j * s + n];
                    self.pair_sq[p * s + n] += d * d;
                }
                let dev = (0..s)
                    .find(|&n| arms[i * s + n] != arms[j * s + n])
                    .map(|n| n + 1);
                self.deviation[p] = match (self.deviation[p], dev) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                };
                p += 1;
            }
        }
    }

    fn merge(&mut self, o: &Acc) {
        self.paths += o.paths;
        self.best += o.best;
        self.best_sq += o.best_sq;
        for (a, b) in [
            (&mut self.sum, &o.sum),
            (&mut self.sum_sq, &o.sum_sq),
            (&mut self.regret_sq, &o.regret_sq),
            (&mut self.gain_sq, &o.gain_sq),
            (&mut self.pair_sq, &o.pair_sq),
        ] {
            for (x, y) in a.iter_mut().zip(b) {
                *x += y;
            }
        }
        for (d, e) in self.deviation.iter_mut().zip(&o.deviation) {
            *d = match (*d, *e) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
        }
    }

    fn finish(self, labels: Vec<String>, paths: u64) -> RewCurves {
        let s = self.steps;
        let m = paths as f64;
        // The standard error of a mean from the sum and the sum of squares (sample variance).
        let se = |sum: f64, sq: f64| ((sq - sum * sum / m).max(0.0) / (m - 1.0) / m).sqrt();
        let mut algorithms = Vec::with_capacity(self.n_alg);
        for (i, label) in labels.into_iter().enumerate() {
            let r = i * s..(i + 1) * s;
            let sum = &self.sum[r.clone()];
            let rew: Vec<f64> = sum.iter().map(|x| x / m).collect();
            let rew_se = sum
                .iter()
                .zip(&self.sum_sq[r.clone()])
                .map(|(&a, &b)| se(a, b))
                .collect();
            let bir_se = sum
                .iter()
                .zip(&self.regret_sq[r.clone()])
                .map(|(&a, &b)| se(self.best - a, b))
                .collect();
            let gain_se = (0..s.saturating_sub(1))
                .map(|n| se(sum[n + 1] - sum[n], self.gain_sq[i * s + n]))
                .collect();
            algorithms.push(Curve {
                label,
                rew,
                rew_se,
                bir_se,
                gain_se,
            });
        }
        let mut pairs = Vec::new();
        let mut p = 0;
        for i in 0..self.n_alg {
            for j in i + 1..self.n_alg {
                let diff_se = (0..s)
                    .map(|n| {
                        se(
                            self.sum[i * s + n] - self.sum[j * s + n],
                            self.pair_sq[p * s + n],
                        )
                    })
                    .collect();
                let first_difference = (0..s)
                    .find(|&n| self.sum[i * s + n] != self.sum[j * s + n])
                    .map(|n| n + 1);
                pairs.push(Pair {
                    i,
                    j,
                    diff_se,
                    path_deviation: self.deviation[p],
                    first_difference,
                });
                p += 1;
            }
        }
        RewCurves {
            paths,
            best: self.best / m,
            best_se: se(self.best, self.best_sq),
            algorithms,
            pairs,
        }
    }
}

/// One algorithm's estimated curve.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Curve {
    /// The algorithm's label.
    pub label: String,
    /// rew(n) for n = 1..N (index n - 1).
    pub rew: Vec<f64>,
    /// Standard error of rew(n).
    pub rew_se: Vec<f64>,
    /// Standard error of BIR(n) = E[max mu] - rew(n) (paired with the same paths' maxima).
    pub bir_se: Vec<f64>,
    /// Standard error of rew(n+1) - rew(n) (length N - 1).
    pub gain_se: Vec<f64>,
}

impl Curve {
    /// BIR(n) = E[max mu] - rew(n), given E[max mu] = `best`.
    pub fn bir(&self, best: f64) -> Vec<f64> {
        self.rew.iter().map(|r| best - r).collect()
    }

    /// The first step n (1-based) with rew(n+1) < rew(n) by more than `z` standard errors of
    /// the difference, if any: evidence against Bayesian monotonicity.
    pub fn monotonicity_violation(&self, z: f64) -> Option<usize> {
        (0..self.gain_se.len())
            .find(|&n| self.rew[n + 1] - self.rew[n] < -z * self.gain_se[n])
            .map(|n| n + 1)
    }
}

/// Two algorithms compared on the same paths.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Pair {
    /// The first algorithm's index.
    pub i: usize,
    /// The second algorithm's index (> i).
    pub j: usize,
    /// Standard error of rew_i(n) - rew_j(n) (paired).
    pub diff_se: Vec<f64>,
    /// The first local step at which they pulled different arms on some path (None: never in
    /// N steps on any path).
    pub path_deviation: Option<usize>,
    /// The first local step at which their estimates differ (None: equal up to N).
    pub first_difference: Option<usize>,
}

/// The estimated curves of every algorithm, on the same paths.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RewCurves {
    /// Monte Carlo paths.
    pub paths: u64,
    /// E[max_k mu_k].
    pub best: f64,
    /// Its standard error.
    pub best_se: f64,
    /// One curve per algorithm, in config order.
    pub algorithms: Vec<Curve>,
    /// Every pair (i < j), in order (0,1), (0,2), .., (1,2), ...
    pub pairs: Vec<Pair>,
}

impl RewCurves {
    /// Local steps N.
    pub fn steps(&self) -> usize {
        self.algorithms.first().map_or(0, |c| c.rew.len())
    }

    /// The pair of algorithms `i` and `j` (either order).
    pub fn pair(&self, i: usize, j: usize) -> Option<&Pair> {
        let (i, j) = if i < j { (i, j) } else { (j, i) };
        self.pairs.iter().find(|p| p.i == i && p.j == j)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bandits::{BetaPrior, InstanceSpec};

    fn cfg(algorithms: Vec<AlgorithmKind>, paths: u64) -> CurvesConfig<AlgorithmKind> {
        CurvesConfig {
            prior: BayesPrior::Instance(InstanceSpec::heavy_tail(3)),
            belief: Belief::True,
            tie: ArgmaxTie::LowestIndex,
            algorithms,
            steps: 40,
            paths,
        }
    }

    #[test]
    fn curves_are_bit_identical_for_any_thread_count() {
        let c = cfg(
            vec![AlgorithmKind::ThompsonSampling, AlgorithmKind::BayesGreedy],
            300,
        );
        let a = c.estimate(SeedSequence::new(3), Schedule::Serial).unwrap();
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(3)
            .build()
            .unwrap();
        let b = pool
            .install(|| c.estimate(SeedSequence::new(3), Schedule::Parallel))
            .unwrap();
        assert_eq!(a, b);
        let d = c
            .estimate(SeedSequence::new(4), Schedule::Parallel)
            .unwrap();
        assert_ne!(a, d);
    }

    #[test]
    fn progress_counts_paths_in_order_and_changes_nothing() {
        use std::sync::Mutex;
        let c = cfg(
            vec![AlgorithmKind::ThompsonSampling, AlgorithmKind::BayesGreedy],
            1000,
        );
        let seen = Mutex::new(Vec::new());
        let a = c
            .estimate_with_progress(SeedSequence::new(3), Schedule::Parallel, &|d| {
                seen.lock().unwrap().push(d)
            })
            .unwrap();
        let seen = seen.into_inner().unwrap();
        assert!(seen.windows(2).all(|w| w[0] < w[1]), "{seen:?}");
        assert_eq!(seen.last(), Some(&1000));
        assert_eq!(
            a,
            c.estimate(SeedSequence::new(3), Schedule::Serial).unwrap()
        );
    }

    #[test]
    fn an_algorithm_against_itself_has_equal_curves_and_never_deviates() {
        let c = cfg(
            vec![
                AlgorithmKind::ThompsonSampling,
                AlgorithmKind::ThompsonSampling,
            ],
            200,
        );
        let r = c
            .estimate(SeedSequence::new(1), Schedule::Parallel)
            .unwrap();
        assert_eq!(r.algorithms[0].rew, r.algorithms[1].rew);
        assert_eq!(r.pairs[0].path_deviation, None);
        assert_eq!(r.pairs[0].first_difference, None);
        assert!(r.pairs[0].diff_se.iter().all(|&x| x == 0.0));
    }

    #[test]
    fn step_one_reward_is_the_prior_mean_and_greedy_is_no_worse_at_step_two() {
        let c = cfg(
            vec![AlgorithmKind::BayesGreedy, AlgorithmKind::ThompsonSampling],
            20_000,
        );
        let r = c
            .estimate(SeedSequence::new(5), Schedule::Parallel)
            .unwrap();
        for a in &r.algorithms {
            // E[mu] = 1/2 under Beta(0.6, 0.6); 5 standard errors.
            assert!(
                (a.rew[0] - 0.5).abs() < 5.0 * a.rew_se[0],
                "{}: {}",
                a.label,
                a.rew[0]
            );
            assert!(a.rew.iter().all(|&x| x <= r.best + 1e-12));
        }
        let (bg, ts) = (&r.algorithms[0], &r.algorithms[1]);
        let se = r.pairs[0].diff_se[1];
        assert!(
            bg.rew[1] - ts.rew[1] > 5.0 * se,
            "{} vs {} (se {se})",
            bg.rew[1],
            ts.rew[1]
        );
    }

    #[test]
    fn bad_configs_name_the_field() {
        let mut c = cfg(vec![AlgorithmKind::BayesGreedy], 10);
        c.steps = 0;
        let e = c.validate().unwrap_err().to_string();
        assert!(e.contains("steps"), "{e}");
        let mut c = cfg(vec![AlgorithmKind::BayesGreedy], 1);
        let e = c.validate().unwrap_err().to_string();
        assert!(e.contains("paths") && e.contains("= 1"), "{e}");
        c.paths = 10;
        c.algorithms.clear();
        assert!(c.validate().unwrap_err().to_string().contains("algorithms"));
        let c = CurvesConfig {
            prior: BayesPrior::Instance(InstanceSpec::uniform(3)),
            ..cfg(vec![AlgorithmKind::ThompsonSampling], 10)
        };
        let e = c.validate().unwrap_err().to_string();
        assert!(e.contains("BG, SG and BEG"), "{e}");
        let ok = CurvesConfig {
            belief: Belief::Beta(BetaPrior::default()),
            ..c
        };
        ok.validate().unwrap();
    }
}
