//! Step-by-step control of one competition game: [`CompetitionRun`], a started game that owns
//! its firms, their exploration streams and the users' response stream, played `step(n)` rounds
//! at a time, with [`CompetitionRun::state`] between steps.
//!
//! [`run_competition`] is this object stepped to T in one
//! call, so stepping to T in any pieces gives exactly its outcome (same draws, same order, same
//! sums).

use super::competition::{draw_means_for, instance_seeds, pre_game, PrefixCache};
use super::{
    AlgorithmSpec, Arrival, BanditError, CompetitionConfig, CompetitionOutcome, DynBanditPolicy,
    DynResponseFunction, Firm, GameResponse, InstanceSpec, MeanVector, Phase, RealizationTable,
    Reputation,
};
use crate::rng::{PortableRng, SeedSequence};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;

/// A snapshot of a game between steps.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CompetitionState {
    /// Game rounds played so far.
    pub round: usize,
    /// Game rounds in all (T).
    pub horizon: usize,
    /// Game rounds won so far, by firm slot (users served in the game).
    pub chosen: Vec<u32>,
    /// Users served in every phase (monopoly period, warm start, game), by slot.
    pub served: Vec<u64>,
    /// Current reputations, by slot.
    pub reputation: Vec<f64>,
    /// Market shares so far (`chosen / round`; all 0 before the first round).
    pub shares: Vec<f64>,
    /// Cumulative market regret of the game so far.
    pub regret: f64,
    /// Cumulative game regret by slot.
    pub firm_regret: Vec<f64>,
}

/// A started game: its firms after their pre-game history (monopoly period, warm start), ready
/// to play game rounds. Built by [`CompetitionRun::start`] (owning its mean vector and table) or
/// [`CompetitionRun::start_on`] (borrowing them).
#[derive(Clone, Debug)]
pub struct CompetitionRun<'t, P, F = GameResponse> {
    means: Cow<'t, MeanVector>,
    table: Cow<'t, RealizationTable>,
    response: F,
    resp_rng: PortableRng,
    firms: Vec<Firm<P>>,
    rngs: Vec<PortableRng>,
    reps: Vec<Reputation>,
    /// Each firm's most recent game-round recommendation (for informed response functions).
    recent: Vec<Option<u32>>,
    horizon: usize,
    round: usize,
    chosen: Vec<u32>,
    firm_regret: Vec<f64>,
    regret: f64,
    last: usize,
    run_start: u32,
    /// (checkpoint round, index in the config's list), sorted.
    checkpoints: Vec<(usize, usize)>,
    next_cp: usize,
    checkpoint_chosen: Vec<Vec<u32>>,
    checkpoint_regret: Vec<f64>,
    warm_start_regret: Vec<f64>,
    monopoly_regret: f64,
}

impl<P: DynBanditPolicy + Clone> CompetitionRun<'static, P> {
    /// Starts run `run` of `cfg` on `instance` with master seed `seed`, exactly as
    /// [`Experiment::run_replicate`](super::Experiment::run_replicate) does: the run's mean
    /// vector and realization table (from the instance's seeds), then every firm's pre-game
    /// history. The game is at round 0.
    pub fn start<A: AlgorithmSpec<Policy = P>>(
        cfg: &CompetitionConfig<A>,
        instance: &InstanceSpec,
        seed: &SeedSequence,
        run: u64,
    ) -> Result<Self, BanditError> {
        let cfg = cfg.clone().validated()?;
        instance.validate_for(&cfg.rewards)?;
        let seeds = instance_seeds(seed, instance);
        let means = draw_means_for(instance, &cfg.rewards, &seeds, run)?;
        let table =
            RealizationTable::generate_for(&cfg.rewards, &means, &cfg.layout(), &seeds, run)?;
        let game = start_game(
            &cfg,
            &means,
            &table,
            &seeds,
            run,
            &mut PrefixCache::default(),
        )?;
        Ok(game.into_owned())
    }
}

impl<'t, P: DynBanditPolicy + Clone> CompetitionRun<'t, P> {
    /// Starts the game of `cfg` on `means` and `table` (which must hold `cfg.layout()`) with
    /// the streams of run `run` of the instance seeds `seeds` (as
    /// [`run_competition`]).
    pub fn start_on<A: AlgorithmSpec<Policy = P>>(
        cfg: &CompetitionConfig<A>,
        means: &'t MeanVector,
        table: &'t RealizationTable,
        seeds: &SeedSequence,
        run: u64,
    ) -> Result<Self, BanditError> {
        start_game(cfg, means, table, seeds, run, &mut PrefixCache::default())
    }

    /// Assembles a game at round 0 from its firms after their pre-game history.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn from_parts<A: AlgorithmSpec>(
        cfg: &CompetitionConfig<A>,
        means: &'t MeanVector,
        table: Cow<'t, RealizationTable>,
        firms: Vec<Firm<P>>,
        rngs: Vec<PortableRng>,
        resp_rng: PortableRng,
        warm_start_regret: Vec<f64>,
        monopoly_regret: f64,
    ) -> Result<Self, BanditError> {
        let n = firms.len();
        let mut checkpoints: Vec<(usize, usize)> = cfg
            .checkpoints
            .iter()
            .copied()
            .enumerate()
            .map(|(i, c)| (c, i))
            .collect();
        checkpoints.sort_unstable();
        Ok(CompetitionRun {
            means: Cow::Borrowed(means),
            table,
            response: cfg.game_response()?,
            resp_rng,
            reps: firms.iter().map(|f| f.reputation()).collect(),
            recent: vec![None; n],
            firms,
            rngs,
            horizon: cfg.t,
            round: 0,
            chosen: vec![0; n],
            firm_regret: vec![0.0; n],
            regret: 0.0,
            last: usize::MAX,
            run_start: 0,
            checkpoint_chosen: vec![Vec::new(); checkpoints.len()],
            checkpoint_regret: vec![0.0; checkpoints.len()],
            checkpoints,
            next_cp: 0,
            warm_start_regret,
            monopoly_regret,
        })
    }
}

impl<'t, P: DynBanditPolicy + Clone, F: DynResponseFunction> CompetitionRun<'t, P, F> {
    /// The same game owning its mean vector and table (copied if borrowed).
    pub fn into_owned(self) -> CompetitionRun<'static, P, F> {
        self.convert(|means, table, response| {
            (
                Cow::Owned(means.into_owned()),
                Cow::Owned(table.into_owned()),
                response,
            )
        })
    }

    /// The same game, from now on with users who choose by `response` (a user's
    /// [`ResponseFunction`](super::ResponseFunction), or any [`DynResponseFunction`]) instead
    /// of the config's; their draws still come from the run's `Source::Response` stream.
    pub fn with_response<G: DynResponseFunction>(self, response: G) -> CompetitionRun<'t, P, G> {
        self.convert(|means, table, _| (means, table, response))
    }

    /// Moves every part into a new run, mapping the mean vector, table and response function.
    #[allow(clippy::type_complexity)]
    fn convert<'u, G>(
        self,
        map: impl FnOnce(
            Cow<'t, MeanVector>,
            Cow<'t, RealizationTable>,
            F,
        ) -> (Cow<'u, MeanVector>, Cow<'u, RealizationTable>, G),
    ) -> CompetitionRun<'u, P, G> {
        let (means, table, response) = map(self.means, self.table, self.response);
        CompetitionRun {
            means,
            table,
            response,
            resp_rng: self.resp_rng,
            firms: self.firms,
            rngs: self.rngs,
            reps: self.reps,
            recent: self.recent,
            horizon: self.horizon,
            round: self.round,
            chosen: self.chosen,
            firm_regret: self.firm_regret,
            regret: self.regret,
            last: self.last,
            run_start: self.run_start,
            checkpoints: self.checkpoints,
            next_cp: self.next_cp,
            checkpoint_chosen: self.checkpoint_chosen,
            checkpoint_regret: self.checkpoint_regret,
            warm_start_regret: self.warm_start_regret,
            monopoly_regret: self.monopoly_regret,
        }
    }

    /// Plays up to `n` game rounds (fewer once the horizon T is reached); returns how many were
    /// played. In each: the user compares reputations with the response function (no draw with
    /// one firm), the chosen firm serves the round's game row, the others see nothing.
    pub fn step(&mut self, n: usize) -> usize {
        let CompetitionRun {
            means,
            table,
            response,
            resp_rng,
            firms,
            rngs,
            reps,
            recent,
            horizon,
            round,
            chosen,
            firm_regret,
            regret,
            last,
            run_start,
            checkpoints,
            next_cp,
            checkpoint_chosen,
            checkpoint_regret,
            ..
        } = self;
        let means: &MeanVector = means;
        let game = table.phase(Phase::Game);
        let single = firms.len() == 1;
        let arms = means.k();
        let from = *round;
        let to = from.saturating_add(n).min(*horizon);
        for t in from..to {
            let i = if single {
                0
            } else {
                let arrival = Arrival { reps, recent, arms };
                response.dyn_choose(&arrival, resp_rng)
            };
            let (arm, _) = firms[i].serve_on(game, t, &mut rngs[i]);
            recent[i] = Some(arm as u32);
            reps[i] = firms[i].reputation();
            let gap = means.gap(arm);
            *regret += gap;
            firm_regret[i] += gap;
            chosen[i] += 1;
            if i != *last {
                *run_start = t as u32;
                *last = i;
            }
            while *next_cp < checkpoints.len() && checkpoints[*next_cp].0 == t + 1 {
                let slot = checkpoints[*next_cp].1;
                checkpoint_chosen[slot] = chosen.clone();
                checkpoint_regret[slot] = *regret;
                *next_cp += 1;
            }
        }
        *round = to;
        to - from
    }

    /// The first firm (slot, message) whose algorithm broke its contract so far (see
    /// [`DynBanditPolicy::dyn_fault`]); its later rounds recommended arm 0.
    pub fn fault(&self) -> Option<(usize, &str)> {
        self.firms
            .iter()
            .enumerate()
            .find_map(|(slot, f)| f.policy().dyn_fault().map(|m| (slot, m)))
    }

    /// Game rounds played so far.
    pub fn round(&self) -> usize {
        self.round
    }

    /// Whether all T game rounds have been played.
    pub fn is_finished(&self) -> bool {
        self.round == self.horizon
    }

    /// The firm of slot `slot` (its algorithm through [`Firm::policy`]).
    pub fn firm(&self, slot: usize) -> &Firm<P> {
        &self.firms[slot]
    }

    /// The run's mean vector.
    pub fn means(&self) -> &MeanVector {
        &self.means
    }

    /// A snapshot of the game now.
    pub fn state(&self) -> CompetitionState {
        let shares = self
            .chosen
            .iter()
            .map(|&c| {
                if self.round == 0 {
                    0.0
                } else {
                    f64::from(c) / self.round as f64
                }
            })
            .collect();
        CompetitionState {
            round: self.round,
            horizon: self.horizon,
            chosen: self.chosen.clone(),
            served: self.firms.iter().map(|f| f.served()).collect(),
            reputation: self.reps.iter().map(|r| r.value()).collect(),
            shares,
            regret: self.regret,
            firm_regret: self.firm_regret.clone(),
        }
    }

    /// The outcome of the rounds played so far (the game's outcome once finished; the
    /// effective end of game counts within the rounds played, checkpoints not yet reached are
    /// empty with regret 0).
    pub fn outcome(&self) -> CompetitionOutcome {
        CompetitionOutcome {
            chosen: self.chosen.clone(),
            eeog: self.run_start,
            regret: self.regret,
            firm_regret: self.firm_regret.clone(),
            warm_start_regret: self.warm_start_regret.clone(),
            monopoly_regret: self.monopoly_regret,
            final_reputation: self.firms.iter().map(|f| f.reputation().value()).collect(),
            checkpoint_chosen: self.checkpoint_chosen.clone(),
            checkpoint_regret: self.checkpoint_regret.clone(),
        }
    }
}

/// Checks that `table` fits `cfg` and `means`, plays every firm's pre-game history (from
/// `cache` where it can) and returns the game at round 0.
pub(super) fn start_game<'t, A: AlgorithmSpec>(
    cfg: &CompetitionConfig<A>,
    means: &'t MeanVector,
    table: &'t RealizationTable,
    seeds: &SeedSequence,
    run: u64,
    cache: &mut PrefixCache<A>,
) -> Result<CompetitionRun<'t, A::Policy>, BanditError> {
    let g = pre_game(cfg, means, table, seeds, run, cache)?;
    // With overlapping rows the game's first rows are the warm start's last ones.
    let overlap = cfg.warm_start_rows.overlap(cfg.t0);
    let table = if overlap > 0 {
        Cow::Owned(table.with_game_prefix(cfg.t0 - overlap, overlap)?)
    } else {
        Cow::Borrowed(table)
    };
    CompetitionRun::from_parts(
        cfg,
        means,
        table,
        g.firms,
        g.rngs,
        g.resp_rng,
        g.warm_start_regret,
        g.monopoly_regret,
    )
}

/// Plays one game of `cfg` on `means` and `table` (which must hold `cfg.layout()`), with the
/// streams of run `run` of the instance seeds `seeds`.
pub fn run_competition<A: AlgorithmSpec>(
    cfg: &CompetitionConfig<A>,
    means: &MeanVector,
    table: &RealizationTable,
    seeds: &SeedSequence,
    run: u64,
) -> Result<CompetitionOutcome, BanditError> {
    run_competition_cached(cfg, means, table, seeds, run, &mut PrefixCache::default())
}

/// As [`run_competition`], reusing (and filling) `cache`, which must only hold states of the
/// same run, mean vector and table.
pub fn run_competition_cached<A: AlgorithmSpec>(
    cfg: &CompetitionConfig<A>,
    means: &MeanVector,
    table: &RealizationTable,
    seeds: &SeedSequence,
    run: u64,
    cache: &mut PrefixCache<A>,
) -> Result<CompetitionOutcome, BanditError> {
    let mut game = start_game(cfg, means, table, seeds, run, cache)?;
    game.step(cfg.t);
    outcome_or_fault(&game, cfg, run)
}

/// The outcome of the rounds `game` (of `cfg`, run `run`) played so far, or the error of the
/// first algorithm that broke its contract.
pub(super) fn outcome_or_fault<A: AlgorithmSpec>(
    game: &CompetitionRun<'_, A::Policy>,
    cfg: &CompetitionConfig<A>,
    run: u64,
) -> Result<CompetitionOutcome, BanditError> {
    if let Some((slot, message)) = game.fault() {
        return Err(BanditError::Plugin {
            algorithm: cfg.algorithms[slot].label(),
            slot,
            run,
            message: message.to_string(),
        });
    }
    Ok(game.outcome())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bandits::{AlgorithmKind as A, Experiment, FirmAlgorithm, Scenario};

    #[test]
    fn stepping_to_t_gives_the_whole_run() {
        let base = CompetitionConfig {
            checkpoints: vec![7, 500, 2000],
            ..CompetitionConfig::paper(A::ThompsonSampling, A::BayesGreedy, 20).unwrap()
        };
        let cfgs = vec![
            base.clone(),
            CompetitionConfig {
                algorithms: vec![A::beg(), A::ThompsonSampling, A::BayesGreedy],
                scenario: Scenario::DataAdvantage { x: 100 },
                ..base.clone()
            },
        ];
        let instance = InstanceSpec::heavy_tail(10);
        let seed = SeedSequence::new(2019);
        let exp = Experiment::new(instance.clone(), cfgs.clone(), seed).unwrap();
        for run in 0..4 {
            let whole = exp.run_replicate(run).unwrap();
            for (cfg, want) in cfgs.iter().zip(&whole) {
                let mut game = CompetitionRun::start(cfg, &instance, &seed, run).unwrap();
                assert_eq!(game.state().round, 0);
                assert_eq!(game.state().shares, vec![0.0; cfg.algorithms.len()]);
                let mut played = 0;
                let mut last_regret = 0.0;
                for n in [1, 6, 0, 300, 193, 1000, 5000] {
                    played += game.step(n);
                    let s = game.state();
                    assert_eq!(s.round, played);
                    assert_eq!(s.chosen.iter().sum::<u32>() as usize, played);
                    assert!((s.shares.iter().sum::<f64>() - 1.0).abs() < 1e-12);
                    assert!(s.regret >= last_regret);
                    last_regret = s.regret;
                }
                assert_eq!(played, cfg.t);
                assert!(game.is_finished());
                assert_eq!(game.step(10), 0);
                assert_eq!(&game.outcome(), want, "run {run}, {}", cfg.label());
                let s = game.state();
                assert_eq!(s.reputation, want.final_reputation);
                assert_eq!(s.regret, want.regret);
            }
        }
    }

    #[test]
    fn a_started_game_with_user_algorithms_steps_like_the_built_ins() {
        let instance = InstanceSpec::uniform(6);
        let seed = SeedSequence::new(9);
        let cfg = CompetitionConfig::paper(A::ThompsonSampling, A::Ucb1, 30).unwrap();
        let boxed = cfg
            .clone()
            .with_algorithms(vec![
                FirmAlgorithm::from(A::ThompsonSampling),
                A::Ucb1.into(),
            ])
            .validated()
            .unwrap();
        let mut a = CompetitionRun::start(&cfg, &instance, &seed, 3).unwrap();
        let mut b = CompetitionRun::start(&boxed, &instance, &seed, 3).unwrap();
        for n in [10, 90, 1900] {
            a.step(n);
            b.step(n);
            assert_eq!(a.state(), b.state());
        }
        assert_eq!(a.outcome(), b.outcome());
        assert_eq!(a.firm(0).served(), 30 + u64::from(a.outcome().chosen[0]));
    }

    #[test]
    fn the_authors_agents_play_whole_games() {
        use crate::bandits::ResponseSpec;
        let instance = InstanceSpec::heavy_tail(10);
        let seed = SeedSequence::new(17);
        let base = CompetitionConfig::paper(A::ThompsonSampling, A::BayesGreedy, 20).unwrap();
        // Uniform agents ignore reputations: firm 0's game share over R runs of T rounds has
        // mean 1/2 and standard deviation 1/(2 sqrt(R T)); a 5-sd band.
        let uniform = CompetitionConfig {
            response: ResponseSpec::Uniform,
            ..base.clone()
        };
        let runs = 40;
        let mut won = 0u64;
        for run in 0..runs {
            let mut game = CompetitionRun::start(&uniform, &instance, &seed, run).unwrap();
            game.step(uniform.t);
            won += u64::from(game.outcome().chosen[0]);
        }
        let total = (runs as usize * uniform.t) as f64;
        let sd = 0.5 / total.sqrt();
        assert!(
            (won as f64 / total - 0.5).abs() < 5.0 * sd,
            "{won} of {total}"
        );
        for response in [
            ResponseSpec::HeterogeneousHardMax,
            ResponseSpec::MultinomialLogit,
            ResponseSpec::SoftMaxRandom {
                eps: 0.1,
                temperature: 0.05,
            },
        ] {
            let cfg = CompetitionConfig {
                response,
                ..base.clone()
            };
            let mut a = CompetitionRun::start(&cfg, &instance, &seed, 2).unwrap();
            let mut b = a.clone();
            a.step(cfg.t);
            for n in [1, 99, 1900] {
                b.step(n);
            }
            let (oa, ob) = (a.outcome(), b.outcome());
            assert_eq!(oa, ob, "{}", response.short());
            assert_eq!(oa.chosen.iter().sum::<u32>() as usize, cfg.t);
        }
    }

    #[test]
    fn a_users_response_function_replaces_the_configs() {
        use crate::bandits::{HardMax, Reputation, ResponseFunction};
        use rand::Rng;
        let instance = InstanceSpec::needle_in_haystack(5);
        let seed = SeedSequence::new(23);
        let cfg = CompetitionConfig::paper(A::ThompsonSampling, A::BayesGreedy, 20).unwrap();
        // The built-in HardMax handed in as a user's response function is the same game.
        let mut built_in = CompetitionRun::start(&cfg, &instance, &seed, 1).unwrap();
        let mut handed = CompetitionRun::start(&cfg, &instance, &seed, 1)
            .unwrap()
            .with_response(HardMax::fair());
        built_in.step(cfg.t);
        handed.step(cfg.t);
        assert_eq!(built_in.outcome(), handed.outcome());
        // A user's rule: loyal users who always pick the last firm.
        #[derive(Clone, Debug)]
        struct Loyal;
        impl ResponseFunction for Loyal {
            fn choose<R: Rng + ?Sized>(&self, reps: &[Reputation], _rng: &mut R) -> usize {
                reps.len() - 1
            }
            fn probability(&self, reps: &[Reputation], i: usize) -> f64 {
                f64::from(u8::from(i + 1 == reps.len()))
            }
        }
        let mut loyal = CompetitionRun::start(&cfg, &instance, &seed, 1)
            .unwrap()
            .with_response(Loyal);
        loyal.step(cfg.t);
        assert_eq!(loyal.outcome().chosen, vec![0, cfg.t as u32]);
    }

    #[test]
    fn a_custom_response_in_the_config_takes_the_built_ins_path() {
        use crate::bandits::{CustomResponse, HardMax, Response};
        let instance = InstanceSpec::needle_in_haystack(5);
        let seed = SeedSequence::new(29);
        let base = CompetitionConfig {
            algorithms: vec![A::BayesGreedy; 4],
            tie: crate::bandits::ArgmaxTie::Random,
            ..CompetitionConfig::paper(A::ThompsonSampling, A::BayesGreedy, 10).unwrap()
        };
        // HardMax handed in as a user's function (built afresh per game) is the same game, in
        // whole runs (with the prefix cache) and started ones.
        let custom = CompetitionConfig {
            custom_response: Some(CustomResponse::from_fn("my HardMax", HardMax::fair())),
            ..base.clone()
        };
        assert_eq!(custom.response_label(), "my HardMax");
        let a = Experiment::new(instance.clone(), vec![base.clone()], seed).unwrap();
        let b = Experiment::new(instance.clone(), vec![custom.clone()], seed).unwrap();
        for r in 0..4 {
            assert_eq!(a.run_replicate(r).unwrap(), b.run_replicate(r).unwrap());
        }
        // A different function is a different game.
        let first = CompetitionConfig {
            custom_response: Some(CustomResponse::from_fn(
                "uniform",
                Response::Uniform(crate::bandits::Uniform),
            )),
            ..base.clone()
        };
        let c = Experiment::new(instance, vec![first], seed).unwrap();
        assert!((0..4).any(|r| a.run_replicate(r).unwrap() != c.run_replicate(r).unwrap()));
        assert_eq!(custom.clone(), custom);
    }

    #[test]
    fn a_user_algorithm_out_of_range_is_an_error_naming_it() {
        use crate::bandits::{BanditPolicy, BetaPosterior, BetaPrior};
        use rand::Rng;
        /// Greedy, but after 50 selections it answers arm K (out of range).
        #[derive(Clone)]
        struct Broken(BetaPosterior, u32);
        impl BanditPolicy for Broken {
            fn k(&self) -> usize {
                self.0.k()
            }
            fn select<R: Rng + ?Sized>(&mut self, _: &mut R) -> usize {
                self.1 += 1;
                if self.1 > 50 {
                    self.k()
                } else {
                    0
                }
            }
            fn update(&mut self, arm: usize, reward: f64) {
                self.0.update(arm, reward)
            }
            fn reset(&mut self) {
                self.0.reset()
            }
            fn posterior(&self) -> &BetaPosterior {
                &self.0
            }
        }
        let instance = InstanceSpec::uniform(4);
        let seed = SeedSequence::new(3);
        let cfg = CompetitionConfig::paper(A::ThompsonSampling, A::BayesGreedy, 20)
            .unwrap()
            .with_algorithms(vec![
                FirmAlgorithm::from(A::ThompsonSampling),
                FirmAlgorithm::custom("broken", |k| {
                    Ok(Broken(BetaPosterior::new(k, BetaPrior::default()), 0))
                }),
            ])
            .validated()
            .unwrap();
        let exp = Experiment::new(instance.clone(), vec![cfg.clone()], seed).unwrap();
        let err = exp.run_replicate(2).unwrap_err().to_string();
        assert_eq!(
            err,
            "algorithm broken (firm slot 1) in run 2: selected arm 4 at its select call 51, but \
             the arms are 0..4 (K = 4)"
        );
        // Stepped, the game finishes and names the fault.
        let mut game = CompetitionRun::start(&cfg, &instance, &seed, 2).unwrap();
        game.step(cfg.t);
        assert_eq!(game.fault().map(|f| f.0), Some(1));
    }
}
