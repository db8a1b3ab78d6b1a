//! Performance in isolation: each algorithm alone for a number of rounds on the same mean
//! vectors and isolation rows (common random numbers), summarised over runs: mean reputation
//! and mean instantaneous reward trajectories, mean cumulative regret, relative reputation of
//! every pair of algorithms, and reputation snapshots at chosen times (for distributions and
//! difference histograms).
//!
//! Runs are processed in fixed chunks of [`CHUNK`] runs (the parallel unit); chunk sums are
//! added in chunk order, so the summary is bit-identical for any thread count.

use super::competition::{draw_means_for, instance_seeds};
use super::firm::check_window;
use super::{
    AlgorithmKind, AlgorithmSpec, ArgmaxTie, BanditError, BetaPrior, DynBanditPolicy, FirmSpec,
    InstanceSpec, Phase, RealizationTable, Reputation, RewardModel, TableLayout,
};
use crate::rng::SeedSequence;
use crate::runner::{map_replicates, Schedule};
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;

/// Runs per parallel chunk.
pub const CHUNK: u64 = 25;

/// What to run in isolation. `A` describes the algorithms (built-in names by default, or any
/// [`AlgorithmSpec`], e.g. [`FirmAlgorithm`](super::FirmAlgorithm) with user algorithms).
#[derive(Clone, Debug, PartialEq)]
pub struct IsolationConfig<A = AlgorithmKind> {
    /// The instance.
    pub instance: InstanceSpec,
    /// The algorithms (each runs alone, all on the same tables).
    pub algorithms: Vec<A>,
    /// Prior of the Bayesian algorithms.
    pub prior: BetaPrior,
    /// Tie rule inside the algorithms.
    pub tie: ArgmaxTie,
    /// Reputation window M.
    pub window: usize,
    /// Rounds per run (the paper: T0 + T).
    pub rounds: usize,
    /// Rounds t (1-based counts of users served) at which every run's reputations are kept.
    pub snapshots: Vec<usize>,
    /// The master seed.
    pub seed: SeedSequence,
    /// What a pull pays (every algorithm must accept it).
    pub rewards: RewardModel,
}

/// The summary over runs. Trajectories are indexed by round t - 1 (value after t users).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IsolationSummary {
    /// Number of runs.
    pub runs: u64,
    /// Mean reputation, `[algorithm][t]`.
    pub mean_reputation: Vec<Vec<f64>>,
    /// Mean instantaneous mean reward mu(a_t), `[algorithm][t]`.
    pub mean_reward: Vec<Vec<f64>>,
    /// Mean cumulative regret, `[algorithm][t]`.
    pub mean_regret: Vec<Vec<f64>>,
    /// Final cumulative regret of every run, `[algorithm][run]`.
    pub final_regret: Vec<Vec<f64>>,
    /// Relative reputation of pair (a, b), a < b: the fraction of runs with a's reputation above
    /// b's, ties counting 1/2, `[pair][t]`; pairs in the order (0,1), (0,2), ..., (1,2), ...
    pub relative: Vec<((usize, usize), Vec<f64>)>,
    /// Fraction of runs in which the pair's reputations tie exactly, `[pair][t]`.
    pub ties: Vec<Vec<f64>>,
    /// Reputations at each snapshot, `[snapshot][algorithm][run]`.
    pub snapshots: Vec<Vec<Vec<f64>>>,
}

struct Chunk {
    rep: Vec<Vec<f64>>,
    reward: Vec<Vec<f64>>,
    regret: Vec<Vec<f64>>,
    final_regret: Vec<Vec<f64>>,
    wins2: Vec<Vec<u32>>,
    ties: Vec<Vec<u32>>,
    snaps: Vec<Vec<Vec<f64>>>,
}

impl<A: AlgorithmSpec> IsolationConfig<A> {
    /// Validates and runs `runs` runs.
    pub fn run(&self, runs: u64, schedule: Schedule) -> Result<IsolationSummary, BanditError> {
        self.rewards.validate()?;
        self.instance.validate_for(&self.rewards)?;
        if self.algorithms.is_empty() {
            return Err(BanditError::range(
                "number of algorithms in isolation",
                0,
                "[1, infinity)",
            ));
        }
        for (i, a) in self.algorithms.iter().enumerate() {
            a.check()?;
            a.check_rewards(&format!("algorithms[{i}]"), &self.rewards)?;
        }
        if self.rounds == 0 {
            return Err(BanditError::range(
                "rounds in isolation",
                0,
                "[1, infinity)",
            ));
        }
        check_window(self.window)?;
        if runs == 0 {
            return Err(BanditError::range("number of runs N", 0, "[1, infinity)"));
        }
        for &s in &self.snapshots {
            if s == 0 || s > self.rounds {
                return Err(BanditError::range(
                    "snapshot round",
                    s,
                    &format!("[1, {}]", self.rounds),
                ));
            }
        }
        let chunks: Vec<u64> = (0..runs.div_ceil(CHUNK)).collect();
        let parts = map_replicates(
            &chunks,
            schedule,
            |c| self.chunk(c * CHUNK, ((c + 1) * CHUNK).min(runs)),
            |_, _| Ok(()),
        )?;
        let na = self.algorithms.len();
        let np = na * (na - 1) / 2;
        let l = self.rounds;
        let mut rep = vec![vec![0.0; l]; na];
        let mut reward = vec![vec![0.0; l]; na];
        let mut regret = vec![vec![0.0; l]; na];
        let mut final_regret = vec![Vec::new(); na];
        let mut wins2 = vec![vec![0u64; l]; np];
        let mut ties = vec![vec![0u64; l]; np];
        let mut snaps = vec![vec![Vec::new(); na]; self.snapshots.len()];
        for p in parts {
            for a in 0..na {
                add(&mut rep[a], &p.rep[a]);
                add(&mut reward[a], &p.reward[a]);
                add(&mut regret[a], &p.regret[a]);
                final_regret[a].extend_from_slice(&p.final_regret[a]);
            }
            for q in 0..np {
                for t in 0..l {
                    wins2[q][t] += u64::from(p.wins2[q][t]);
                    ties[q][t] += u64::from(p.ties[q][t]);
                }
            }
            for (s, per_alg) in p.snaps.into_iter().enumerate() {
                for (a, v) in per_alg.into_iter().enumerate() {
                    snaps[s][a].extend(v);
                }
            }
        }
        let nr = runs as f64;
        let scale = |v: Vec<Vec<f64>>| -> Vec<Vec<f64>> {
            v.into_iter()
                .map(|x| x.into_iter().map(|y| y / nr).collect())
                .collect()
        };
        let mut relative = Vec::new();
        let mut q = 0;
        for a in 0..na {
            for b in a + 1..na {
                relative.push((
                    (a, b),
                    wins2[q].iter().map(|&w| w as f64 / (2.0 * nr)).collect(),
                ));
                q += 1;
            }
        }
        Ok(IsolationSummary {
            runs,
            mean_reputation: scale(rep),
            mean_reward: scale(reward),
            mean_regret: scale(regret),
            final_regret,
            relative,
            ties: ties
                .into_iter()
                .map(|v| v.into_iter().map(|x| x as f64 / nr).collect())
                .collect(),
            snapshots: snaps,
        })
    }

    /// The firm of algorithm `a` (which must be below the number of algorithms).
    pub fn firm(&self, a: usize) -> FirmSpec<A> {
        FirmSpec {
            algorithm: self.algorithms[a].clone(),
            prior: self.prior,
            tie: self.tie,
            window: self.window,
            rewards: self.rewards,
        }
    }

    #[allow(clippy::needless_range_loop)] // per-round arrays of several algorithms
    fn chunk(&self, from: u64, to: u64) -> Result<Chunk, BanditError> {
        let na = self.algorithms.len();
        let np = na * (na - 1) / 2;
        let l = self.rounds;
        let mut c = Chunk {
            rep: vec![vec![0.0; l]; na],
            reward: vec![vec![0.0; l]; na],
            regret: vec![vec![0.0; l]; na],
            final_regret: vec![Vec::new(); na],
            wins2: vec![vec![0; l]; np],
            ties: vec![vec![0; l]; np],
            snaps: vec![vec![Vec::new(); na]; self.snapshots.len()],
        };
        let seeds = instance_seeds(&self.seed, &self.instance);
        let layout = TableLayout {
            isolation: l,
            ..TableLayout::default()
        };
        let firms: Vec<FirmSpec<A>> = (0..na).map(|a| self.firm(a)).collect();
        let mut reps: Vec<Vec<Reputation>> = vec![vec![Reputation::default(); l]; na];
        for run in from..to {
            let means = draw_means_for(&self.instance, &self.rewards, &seeds, run)?;
            let table =
                RealizationTable::generate_for(&self.rewards, &means, &layout, &seeds, run)?;
            let rows = table.phase(Phase::Isolation);
            for (a, spec) in firms.iter().enumerate() {
                let mut firm = spec.build(means.k())?;
                let mut rng = seeds.exploration_stream(run, a);
                let mut cum = 0.0;
                for t in 0..l {
                    let (arm, _) = firm.serve_on(rows, t, &mut rng);
                    let r = firm.reputation();
                    reps[a][t] = r;
                    c.rep[a][t] += r.value();
                    c.reward[a][t] += means.means()[arm];
                    cum += means.gap(arm);
                    c.regret[a][t] += cum;
                }
                if let Some(message) = DynBanditPolicy::dyn_fault(firm.policy()) {
                    return Err(BanditError::Plugin {
                        algorithm: spec.algorithm.label(),
                        slot: a,
                        run,
                        message: message.to_string(),
                    });
                }
                c.final_regret[a].push(cum);
                for (s, &t) in self.snapshots.iter().enumerate() {
                    c.snaps[s][a].push(reps[a][t - 1].value());
                }
            }
            let mut q = 0;
            for a in 0..na {
                for b in a + 1..na {
                    for t in 0..l {
                        match reps[a][t].cmp_exact(reps[b][t]) {
                            Ordering::Greater => c.wins2[q][t] += 2,
                            Ordering::Equal => {
                                c.wins2[q][t] += 1;
                                c.ties[q][t] += 1;
                            }
                            Ordering::Less => {}
                        }
                    }
                    q += 1;
                }
            }
        }
        Ok(c)
    }
}

fn add(acc: &mut [f64], x: &[f64]) {
    for (a, b) in acc.iter_mut().zip(x) {
        *a += b;
    }
}

/// The first period of at least `min_len` consecutive rounds in which a relative reputation
/// trajectory is significantly below 1/2: its upper 95% bound `rel + 1.96 * sqrt(1/(4N))`
/// (the indicator with ties as 1/2 has variance at most 1/4) is below 1/2. Returns the 1-based
/// rounds (first, last) of that period. An instance is *exploration-disadvantaged* for the
/// pair when this is `Some` for Thompson sampling vs BayesGreedy.
pub fn disadvantaged_period(relative: &[f64], runs: u64, min_len: usize) -> Option<(usize, usize)> {
    let bound = 1.96 * (0.25 / runs.max(1) as f64).sqrt();
    let mut start = None;
    for (t, &r) in relative.iter().enumerate() {
        if r + bound < 0.5 {
            start.get_or_insert(t);
        } else if let Some(s) = start.take() {
            if t - s >= min_len.max(1) {
                return Some((s + 1, t));
            }
        }
    }
    match start {
        Some(s) if relative.len() - s >= min_len.max(1) => Some((s + 1, relative.len())),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(instance: InstanceSpec, rounds: usize) -> IsolationConfig {
        IsolationConfig {
            instance,
            algorithms: vec![
                AlgorithmKind::ThompsonSampling,
                AlgorithmKind::BayesGreedy,
                AlgorithmKind::beg(),
            ],
            prior: BetaPrior::default(),
            tie: ArgmaxTie::LowestIndex,
            window: 100,
            rounds,
            snapshots: vec![10, rounds],
            seed: SeedSequence::new(77),
            rewards: RewardModel::default(),
        }
    }

    #[test]
    fn serial_equals_parallel() {
        let c = cfg(InstanceSpec::uniform(10), 300);
        let a = c.run(60, Schedule::Serial).unwrap();
        let b = c.run(60, Schedule::Parallel).unwrap();
        assert_eq!(a, b);
        assert_eq!(a.snapshots[1][0].len(), 60);
        for (_, rel) in &a.relative {
            assert!(rel.iter().all(|&x| (0.0..=1.0).contains(&x)));
        }
    }

    #[test]
    fn identical_algorithms_on_identical_tables_are_identical() {
        // The same deterministic algorithm twice (its two copies draw from different streams, but
        // BayesGreedy with lowest-index ties draws nothing): always tied, relative reputation 1/2.
        let mut c = cfg(InstanceSpec::heavy_tail(10), 200);
        c.algorithms = vec![AlgorithmKind::BayesGreedy, AlgorithmKind::BayesGreedy];
        let s = c.run(30, Schedule::Parallel).unwrap();
        assert!(s.relative[0].1.iter().all(|&x| x == 0.5));
        assert!(s.ties[0].iter().all(|&x| x == 1.0));
    }

    #[test]
    fn disadvantage_detection() {
        let mut rel = vec![0.5; 100];
        assert_eq!(disadvantaged_period(&rel, 1000, 5), None);
        for x in &mut rel[10..30] {
            *x = 0.4;
        }
        assert_eq!(disadvantaged_period(&rel, 1000, 5), Some((11, 30)));
        assert_eq!(disadvantaged_period(&rel, 1000, 25), None);
        // 0.49 is not significant with N = 1000 (bound 0.031).
        assert_eq!(disadvantaged_period(&[0.49; 50], 1000, 5), None);
    }
}
