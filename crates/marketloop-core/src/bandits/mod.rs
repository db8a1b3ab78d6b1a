//! Competing bandits: firms that learn (multi-armed bandit algorithms) compete for a stream of
//! users who choose by reputation (Aridor, Mansour, Slivkins and Wu, "Competing Bandits: The
//! Perils of Exploration under Competition").
//!
//! - [`instance`]: MAB instances (Needle-in-Haystack, Uniform, Heavy-Tail, given means).
//! - [`rewards`]: the reward model ([`RewardModel`]: Bernoulli, the default, or Gaussian).
//! - [`table`]: realization tables with per-phase row blocks (common random numbers), 0/1
//!   rewards bit-packed or Gaussian rewards as numbers.
//! - [`policy`]: the [`BanditPolicy`] trait, [`ArgmaxTie`] and the algorithms (one file per
//!   family: greedy, Thompson sampling and its exact samplers, UCB1, Successive Elimination,
//!   Explore-First, the greedy modification, KL-UCB and Bayes-UCB, EXP3, the non-Bayesian
//!   epsilon-greedy and explore-then-exploit), [`AlgorithmKind`] and the dispatch enum [`Policy`].
//! - [`plugin`]: [`AlgorithmSpec`], what every config is generic over: built-in names
//!   ([`AlgorithmKind`], static dispatch) or [`FirmAlgorithm`] (built-ins and user algorithms,
//!   any [`DynBanditPolicy`], boxed).
//! - [`response`]: the [`ResponseFunction`] trait: HardMax, HardMax&Random, SoftMax, SoftMax&Random,
//!   the multinomial-logit, uniform and heterogeneous-HardMax agents.
//! - [`firm`]: a firm = algorithm + sliding-window reputation, built from a [`FirmSpec`]; its
//!   exploration stream is [`SeedSequence::exploration_stream`](crate::rng::SeedSequence::exploration_stream)
//!   of its slot.
//! - [`competition`]: scenarios, a game's config and outcome, the pre-game history of firms.
//! - [`run`]: one game, step by step ([`CompetitionRun`]: start, `step(n)`, `state()`), and
//!   whole games ([`run_competition`]).
//! - [`experiment`]: several games sharing each run's mean vector and table across cells.
//! - [`isolation`]: performance in isolation, relative reputation, exploration disadvantage.
//! - [`metrics`]: estimates with t half-widths, medians, histograms, per-cell summaries.
//! - [`observer`]: the [`GameObserver`] trait (named measurements of a game every K rounds);
//!   shares, reputations and regrets are built-in observers.
//! - [`game`]: the competition game: dominant strategies and pure Nash equilibria.
//! - [`bayesian`]: the Bayesian-choice model of Section 4 (reward curves by Monte Carlo, the
//!   exact Poisson-binomial game, the theorems as tests).

pub mod bayesian;
pub mod competition;
mod error;
pub mod experiment;
pub mod firm;
pub mod game;
pub mod instance;
pub mod isolation;
pub mod metrics;
pub mod observer;
pub mod plugin;
pub mod policy;
pub mod response;
pub mod rewards;
pub mod run;
pub mod table;

pub use competition::{
    draw_means, draw_means_for, instance_seeds, CompetitionConfig, CompetitionOutcome, Scenario,
};
pub use error::BanditError;
pub use experiment::Experiment;
pub use firm::{Firm, FirmSpec};
pub use game::{CompetitionGame, GameAnalysis};
pub use instance::{InstanceSpec, MeanVector, NeedlePosition};
pub use isolation::{disadvantaged_period, IsolationConfig, IsolationSummary};
pub use metrics::{median, median_band, CellSummary, Estimate};
pub use observer::{
    builtin_observers, BoxedGameObserver, FirmRegrets, GameObserver, GameRecorder, GameView,
    MarketRegret, MarketShares, Reputations,
};
pub use plugin::{AlgorithmSpec, CustomAlgorithm, FirmAlgorithm};
pub use policy::{
    AlgorithmKind, ArgmaxTie, BanditPolicy, BayesEpsilonGreedy, BayesGreedy, BayesUcb,
    BetaPosterior, BetaPrior, BetaSampler, BoxedPolicy, DynBanditPolicy, EpsilonGreedy, Exp3,
    ExploreFirst, ExploreThenExploit, GammaSampler, GaussianBayesGreedy, GaussianPosterior,
    GaussianThompsonSampling, GreedyModified, KlUcb, NormalPrior, Policy, StaticGreedy,
    SuccessiveElimination, ThompsonSampling, Ucb1,
};
pub use response::{
    Arrival, CustomResponse, DynResponseFunction, GameResponse, HardMax, HardMaxRandom,
    HeterogeneousHardMax, Reputation, Response, ResponseFunction, ResponseSpec, SoftMax,
    SoftMaxRandom, Uniform, WithRandom,
};
pub use rewards::RewardModel;
pub use run::run_competition;
pub use run::{CompetitionRun, CompetitionState};
pub use table::{Phase, RealizationTable, TableLayout, WarmStartRows};
#[cfg(test)]
mod paper_tests;
