//! Which algorithm a firm slot runs: the [`AlgorithmSpec`] trait that competitions, isolation
//! runs and experiments are generic over, its built-in implementation [`AlgorithmKind`] (names,
//! building the static-dispatch [`Policy`]) and [`FirmAlgorithm`], a built-in or a user's
//! algorithm ([`CustomAlgorithm`]: a named constructor of any [`DynBanditPolicy`]).
//!
//! Every config type (`CompetitionConfig`, `FirmSpec`, `Experiment`, `IsolationConfig`) takes
//! the algorithm type as a parameter that defaults to [`AlgorithmKind`], so built-in runs keep
//! their types and their static dispatch, and a run with user algorithms uses
//! `CompetitionConfig<FirmAlgorithm>`: the same engine code, with each firm's algorithm boxed.

use super::{
    AlgorithmKind, ArgmaxTie, BanditError, BetaPrior, BoxedPolicy, DynBanditPolicy, Policy,
    RewardModel,
};
use std::fmt;
use std::sync::Arc;

/// A description of one firm's algorithm that the engine can validate, name and build.
pub trait AlgorithmSpec: Clone + PartialEq + fmt::Debug + Send + Sync {
    /// The algorithm it builds.
    type Policy: DynBanditPolicy + Clone + fmt::Debug;
    /// Builds the algorithm on `k` arms (`prior`, `tie` and `rewards` are the config's, for
    /// algorithms that use them).
    fn build_policy(
        &self,
        k: usize,
        prior: BetaPrior,
        tie: ArgmaxTie,
        rewards: &RewardModel,
    ) -> Result<Self::Policy, BanditError>;
    /// Short label ("TS", "KL-UCB", ...).
    fn label(&self) -> String;
    /// Checks the parameters (independently of K).
    fn check(&self) -> Result<(), BanditError>;
    /// Errors, naming the config field `field` (e.g. `algorithms[1]`), unless the algorithm
    /// accepts rewards `rewards` (see [`AlgorithmKind::accepts`]; user algorithms accept every
    /// reward model).
    fn check_rewards(&self, field: &str, rewards: &RewardModel) -> Result<(), BanditError>;
}

impl AlgorithmSpec for AlgorithmKind {
    type Policy = Policy;
    fn build_policy(
        &self,
        k: usize,
        prior: BetaPrior,
        tie: ArgmaxTie,
        rewards: &RewardModel,
    ) -> Result<Policy, BanditError> {
        self.build_for(k, prior, tie, rewards)
    }
    fn label(&self) -> String {
        self.short()
    }
    fn check(&self) -> Result<(), BanditError> {
        self.validate()
    }
    fn check_rewards(&self, field: &str, rewards: &RewardModel) -> Result<(), BanditError> {
        AlgorithmKind::check_rewards(self, field, rewards)
    }
}

type Constructor = dyn Fn(usize) -> Result<BoxedPolicy, BanditError> + Send + Sync;

/// A user's algorithm: a name and a constructor that builds a fresh instance on K arms (once
/// per firm and run). It receives the rewards as real numbers ([`DynBanditPolicy::dyn_update`])
/// and is accepted under every reward model: making sense of Gaussian rewards is the user's
/// responsibility. Two `CustomAlgorithm`s are equal only if they are clones of one another
/// (the same constructor), so the engine never confuses two different algorithms of one name.
#[derive(Clone)]
pub struct CustomAlgorithm {
    name: String,
    make: Arc<Constructor>,
}

impl CustomAlgorithm {
    /// A named algorithm built by `make(k)`.
    pub fn new<P, F>(name: impl Into<String>, make: F) -> Self
    where
        P: DynBanditPolicy + 'static,
        F: Fn(usize) -> Result<P, BanditError> + Send + Sync + 'static,
    {
        CustomAlgorithm {
            name: name.into(),
            make: Arc::new(move |k| make(k).map(BoxedPolicy::new)),
        }
    }

    /// The name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// A fresh instance on `k` arms; errors if it reports another number of arms.
    pub fn build(&self, k: usize) -> Result<BoxedPolicy, BanditError> {
        let p = (self.make)(k)?;
        if p.dyn_k() != k {
            return Err(BanditError::Mismatch(format!(
                "algorithm {:?} built for K = {k} arms reports {} arms",
                self.name,
                p.dyn_k()
            )));
        }
        Ok(p)
    }
}

impl PartialEq for CustomAlgorithm {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.make, &other.make) && self.name == other.name
    }
}

impl fmt::Debug for CustomAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CustomAlgorithm")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

/// One firm's algorithm in a competition that may hold user algorithms.
#[derive(Clone, Debug, PartialEq)]
pub enum FirmAlgorithm {
    /// A built-in, by name (boxed in such a competition, so it draws exactly as unboxed).
    Builtin(AlgorithmKind),
    /// A user's algorithm.
    Custom(CustomAlgorithm),
}

impl FirmAlgorithm {
    /// A user's algorithm named `name`, built by `make(k)` (see [`CustomAlgorithm::new`]).
    pub fn custom<P, F>(name: impl Into<String>, make: F) -> Self
    where
        P: DynBanditPolicy + 'static,
        F: Fn(usize) -> Result<P, BanditError> + Send + Sync + 'static,
    {
        FirmAlgorithm::Custom(CustomAlgorithm::new(name, make))
    }
}

impl From<AlgorithmKind> for FirmAlgorithm {
    fn from(kind: AlgorithmKind) -> Self {
        FirmAlgorithm::Builtin(kind)
    }
}

impl From<CustomAlgorithm> for FirmAlgorithm {
    fn from(custom: CustomAlgorithm) -> Self {
        FirmAlgorithm::Custom(custom)
    }
}

impl AlgorithmSpec for FirmAlgorithm {
    type Policy = BoxedPolicy;
    fn build_policy(
        &self,
        k: usize,
        prior: BetaPrior,
        tie: ArgmaxTie,
        rewards: &RewardModel,
    ) -> Result<BoxedPolicy, BanditError> {
        match self {
            FirmAlgorithm::Builtin(kind) => {
                Ok(BoxedPolicy::new(kind.build_for(k, prior, tie, rewards)?))
            }
            FirmAlgorithm::Custom(c) => c.build(k),
        }
    }
    fn label(&self) -> String {
        match self {
            FirmAlgorithm::Builtin(kind) => kind.short(),
            FirmAlgorithm::Custom(c) => c.name.clone(),
        }
    }
    fn check(&self) -> Result<(), BanditError> {
        match self {
            FirmAlgorithm::Builtin(kind) => kind.validate(),
            FirmAlgorithm::Custom(_) => Ok(()),
        }
    }
    fn check_rewards(&self, field: &str, rewards: &RewardModel) -> Result<(), BanditError> {
        match self {
            FirmAlgorithm::Builtin(kind) => kind.check_rewards(field, rewards),
            FirmAlgorithm::Custom(_) => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bandits::{
        BanditPolicy, BetaPosterior, CompetitionConfig, Experiment, InstanceSpec, IsolationConfig,
        ResponseSpec, Scenario,
    };
    use crate::rng::{PortableRng, SeedSequence};
    use crate::runner::Schedule;
    use rand::Rng;

    /// A user's Bayes-greedy written from the paper, object-safe form (as a binding to another
    /// language would write it): argmax of the posterior mean, ties uniformly at random with one
    /// `random_range(0..ties)` draw (u32) from the handed stream, only when there is a tie.
    #[derive(Clone)]
    struct UserBg {
        post: BetaPosterior,
    }

    impl DynBanditPolicy for UserBg {
        fn dyn_k(&self) -> usize {
            self.post.k()
        }
        fn dyn_select(&mut self, rng: &mut PortableRng) -> usize {
            let m = self.post.means();
            let top = m.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let tied: Vec<usize> = (0..m.len()).filter(|&a| m[a] == top).collect();
            if tied.len() == 1 {
                return tied[0];
            }
            tied[rng.random_range(0..tied.len() as u32) as usize]
        }
        fn dyn_update(&mut self, arm: usize, reward: f64) {
            self.post.update(arm, reward);
        }
        fn dyn_reset(&mut self) {
            self.post.reset();
        }
        fn dyn_posterior(&self) -> &BetaPosterior {
            &self.post
        }
        fn dyn_clone(&self) -> Box<dyn DynBanditPolicy> {
            Box::new(self.clone())
        }
    }

    /// The same algorithm as a statically typed [`BanditPolicy`] (as a Rust user would write it).
    #[derive(Clone)]
    struct StaticUserBg(UserBg);

    impl BanditPolicy for StaticUserBg {
        fn k(&self) -> usize {
            self.0.post.k()
        }
        fn select<R: Rng + ?Sized>(&mut self, rng: &mut R) -> usize {
            let m = self.0.post.means();
            let top = m.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let tied: Vec<usize> = (0..m.len()).filter(|&a| m[a] == top).collect();
            if tied.len() == 1 {
                return tied[0];
            }
            tied[rng.random_range(0..tied.len() as u32) as usize]
        }
        fn update(&mut self, arm: usize, reward: f64) {
            self.0.post.update(arm, reward);
        }
        fn reset(&mut self) {
            self.0.post.reset();
        }
        fn posterior(&self) -> &BetaPosterior {
            &self.0.post
        }
    }

    fn user_bg(k: usize) -> Result<UserBg, BanditError> {
        Ok(UserBg {
            post: BetaPosterior::new(k, BetaPrior::default()),
        })
    }

    /// Every scenario, two and three firms, random argmax ties (so the tie-break draws matter).
    fn cells<A: Clone>(ts: A, bg: A, beg: A) -> Vec<CompetitionConfig<A>> {
        let base = CompetitionConfig {
            algorithms: vec![ts.clone(), bg.clone()],
            prior: BetaPrior::default(),
            tie: ArgmaxTie::Random,
            response: ResponseSpec::default(),
            custom_response: None,
            scenario: Scenario::SimultaneousEntry,
            t: 600,
            t0: 20,
            window: 100,
            warm_start_rows: Default::default(),
            checkpoints: vec![100],
            rewards: RewardModel::default(),
        };
        let mut out = vec![
            base.clone(),
            CompetitionConfig {
                algorithms: vec![bg.clone(), ts.clone(), beg.clone()],
                ..base.clone()
            },
            CompetitionConfig {
                algorithms: vec![bg.clone()],
                scenario: Scenario::Monopoly,
                ..base.clone()
            },
        ];
        for scenario in [
            Scenario::FirstMover { x: 50 },
            Scenario::DataAdvantage { x: 50 },
            Scenario::ReputationAdvantage { x: 50 },
        ] {
            out.push(CompetitionConfig {
                algorithms: vec![bg.clone(), ts.clone()],
                scenario,
                ..base.clone()
            });
        }
        out.push(CompetitionConfig {
            algorithms: vec![bg.clone(), beg.clone()],
            response: ResponseSpec::HardMaxRandom { eps: 0.1 },
            ..base
        });
        out
    }

    #[test]
    fn a_user_bayes_greedy_gives_the_built_in_outcomes_bit_for_bit() {
        let builtin = Experiment::new(
            InstanceSpec::needle_in_haystack(5),
            cells(
                AlgorithmKind::ThompsonSampling,
                AlgorithmKind::BayesGreedy,
                AlgorithmKind::beg(),
            ),
            SeedSequence::new(31),
        )
        .unwrap();
        let want = builtin.run(12, Schedule::Serial).unwrap();
        let dyn_bg = FirmAlgorithm::custom("user BG", user_bg);
        let static_bg = FirmAlgorithm::custom("user BG (static)", |k| user_bg(k).map(StaticUserBg));
        for bg in [dyn_bg, static_bg] {
            let user = Experiment::new(
                InstanceSpec::needle_in_haystack(5),
                cells(
                    AlgorithmKind::ThompsonSampling.into(),
                    bg.clone(),
                    AlgorithmKind::beg().into(),
                ),
                SeedSequence::new(31),
            )
            .unwrap();
            let got = user.run(12, Schedule::Parallel).unwrap();
            assert_eq!(got, want, "{}", bg.label());
        }
        // Ties were actually broken by draws: without them BG would differ in some cell.
        let lowest = Experiment::new(
            InstanceSpec::needle_in_haystack(5),
            cells(
                AlgorithmKind::ThompsonSampling,
                AlgorithmKind::BayesGreedy,
                AlgorithmKind::beg(),
            )
            .into_iter()
            .map(|c| CompetitionConfig {
                tie: ArgmaxTie::LowestIndex,
                ..c
            })
            .collect(),
            SeedSequence::new(31),
        )
        .unwrap();
        assert_ne!(lowest.run(12, Schedule::Serial).unwrap(), want);
    }

    #[test]
    fn isolation_runs_take_user_algorithms() {
        let iso = |algorithms: Vec<FirmAlgorithm>| IsolationConfig {
            instance: InstanceSpec::uniform(4),
            algorithms,
            prior: BetaPrior::default(),
            tie: ArgmaxTie::Random,
            window: 100,
            rounds: 300,
            snapshots: vec![300],
            seed: SeedSequence::new(4),
            rewards: RewardModel::default(),
        };
        let a = iso(vec![
            AlgorithmKind::ThompsonSampling.into(),
            AlgorithmKind::BayesGreedy.into(),
        ])
        .run(30, Schedule::Serial)
        .unwrap();
        let b = iso(vec![
            AlgorithmKind::ThompsonSampling.into(),
            FirmAlgorithm::custom("user BG", user_bg),
        ])
        .run(30, Schedule::Parallel)
        .unwrap();
        assert_eq!(a, b);
    }

    #[test]
    fn every_built_in_competes_with_any_number_of_firms() {
        let names = [
            "KL-UCB",
            "Bayes-UCB",
            "EXP3",
            "EG",
            "ETE(n=50)",
            "TS",
            "GM(KL-UCB, p=0.5)",
        ];
        let algorithms: Vec<AlgorithmKind> = names.iter().map(|n| n.parse().unwrap()).collect();
        let cfg = CompetitionConfig {
            algorithms,
            t: 400,
            ..CompetitionConfig::paper(AlgorithmKind::BayesGreedy, AlgorithmKind::BayesGreedy, 20)
                .unwrap()
        };
        let exp =
            Experiment::new(InstanceSpec::uniform(5), vec![cfg], SeedSequence::new(2)).unwrap();
        for o in &exp.run(3, Schedule::Serial).unwrap()[0] {
            assert_eq!(o.chosen.len(), names.len());
            assert_eq!(o.chosen.iter().sum::<u32>(), 400);
            assert!(o.warm_start_regret.iter().all(|&r| r >= 0.0));
        }
    }

    #[test]
    fn bad_user_algorithms_are_reported() {
        let wrong_k = FirmAlgorithm::custom("wrong K", |k| user_bg(k + 1));
        let e = wrong_k
            .build_policy(
                3,
                BetaPrior::default(),
                ArgmaxTie::LowestIndex,
                &RewardModel::Bernoulli,
            )
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("\"wrong K\" built for K = 3 arms reports 4 arms"),
            "{e}"
        );
        // Two algorithms of one name are still different algorithms.
        assert_ne!(
            FirmAlgorithm::custom("x", user_bg),
            FirmAlgorithm::custom("x", user_bg)
        );
        let a = FirmAlgorithm::custom("x", user_bg);
        assert_eq!(a.clone(), a);
    }
}
