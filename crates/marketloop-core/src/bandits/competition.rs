//! The competition setup: scenarios (simultaneous entry, monopoly, first mover, data or
//! reputation advantage only), a game's config and outcome, the instance's streams, and every
//! firm's pre-game history (shared across cells through [`PrefixCache`]). The game itself is
//! played by [`CompetitionRun`](super::run::CompetitionRun); experiments of several cells are in
//! [`experiment`](super::experiment).
//!
//! Order of one run: (first-mover scenarios) the incumbent, firm slot 0, serves X users alone on
//! the monopoly rows; data-advantage-only then wipes its reputation, reputation-advantage-only
//! resets its algorithm to the prior. Then every firm warm-starts on its own T0 rows (slot 0
//! first), then T game rounds: the user compares reputations with the response function, the
//! chosen firm serves the game row of that round, the other firms see nothing.
//!
//! Streams of run `r` (from the instance's seed, see [`instance_seeds`]): means from
//! `Source::Instance`, rewards from `Source::Rewards`, firm slot s's algorithm from
//! [`SeedSequence::exploration_stream`] (the one slot-to-stream mapping, for any number of
//! firms), users' choices from `Source::Response`.
//!
//! **Rewards.** A config's [`RewardModel`] (Bernoulli by default, or Gaussian) says what the
//! run's table holds and what the algorithms learn from; [`CompetitionConfig::validated`]
//! refuses an algorithm that does not accept it, naming `algorithms[i]`, before anything runs.

use super::firm::check_window;
use super::table::{PhaseRows, WarmStartRows};
use super::{
    AlgorithmKind, AlgorithmSpec, ArgmaxTie, BanditError, BetaPrior, CustomResponse, Firm,
    FirmSpec, GameResponse, InstanceSpec, MeanVector, Phase, RealizationTable, ResponseSpec,
    RewardModel, TableLayout,
};
use crate::rng::{PortableRng, SeedSequence, Source};
use serde::{Deserialize, Serialize};

/// How the market starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Scenario {
    /// Every firm warm-starts, then the game.
    #[default]
    SimultaneousEntry,
    /// One firm alone: it warm-starts, then serves every game round (welfare benchmark).
    Monopoly,
    /// The incumbent (slot 0) serves X users alone first.
    FirstMover {
        /// Length X of the monopoly period.
        x: usize,
    },
    /// As first mover, but the incumbent's reputation is wiped after the monopoly period.
    DataAdvantage {
        /// Length X of the monopoly period.
        x: usize,
    },
    /// As first mover, but the incumbent's algorithm is reset to its prior after it.
    ReputationAdvantage {
        /// Length X of the monopoly period.
        x: usize,
    },
}

impl Scenario {
    /// Length of the monopoly period (0 without one).
    pub fn monopoly_rounds(&self) -> usize {
        match *self {
            Scenario::FirstMover { x }
            | Scenario::DataAdvantage { x }
            | Scenario::ReputationAdvantage { x } => x,
            _ => 0,
        }
    }

    /// Short label.
    pub fn short(&self) -> String {
        match *self {
            Scenario::SimultaneousEntry => "simultaneous entry".into(),
            Scenario::Monopoly => "monopoly".into(),
            Scenario::FirstMover { x } => format!("first mover X={x}"),
            Scenario::DataAdvantage { x } => format!("data advantage X={x}"),
            Scenario::ReputationAdvantage { x } => format!("reputation advantage X={x}"),
        }
    }
}

/// One game's setup: firms, response, scenario, horizons. Validated by [`CompetitionConfig::validated`].
///
/// `A` describes each firm's algorithm: built-in names ([`AlgorithmKind`], the default: static
/// dispatch) or any [`AlgorithmSpec`], e.g. [`FirmAlgorithm`](super::FirmAlgorithm) to mix user
/// algorithms with built-ins. Both run through the same engine code.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CompetitionConfig<A = AlgorithmKind> {
    /// Algorithms by firm slot (slot 0 is the incumbent in first-mover scenarios).
    pub algorithms: Vec<A>,
    /// Prior of the Bayesian algorithms.
    pub prior: BetaPrior,
    /// Tie rule inside the algorithms.
    pub tie: ArgmaxTie,
    /// How users choose.
    pub response: ResponseSpec,
    /// A user's response function, in place of `response` when given (configs name built-ins
    /// only: not serialised).
    #[serde(skip)]
    pub custom_response: Option<CustomResponse>,
    /// How the market starts.
    pub scenario: Scenario,
    /// Game rounds T.
    pub t: usize,
    /// Warm-start rounds T0 per firm.
    pub t0: usize,
    /// Reputation window M.
    pub window: usize,
    /// Which warm-start rows firms read.
    pub warm_start_rows: WarmStartRows,
    /// Game rounds after which market shares and regret are also recorded (each in 1..=T).
    pub checkpoints: Vec<usize>,
    /// What a pull pays (Bernoulli by default; absent from older configs).
    #[serde(default)]
    pub rewards: RewardModel,
}

impl CompetitionConfig {
    /// The paper's defaults for two algorithms: Beta(1,1), lowest-index ties, HardMax, T = 2000,
    /// M = 100, simultaneous entry with warm start `t0`.
    pub fn paper(a: AlgorithmKind, b: AlgorithmKind, t0: usize) -> Result<Self, BanditError> {
        CompetitionConfig {
            algorithms: vec![a, b],
            prior: BetaPrior::default(),
            tie: ArgmaxTie::LowestIndex,
            response: ResponseSpec::default(),
            custom_response: None,
            scenario: Scenario::SimultaneousEntry,
            t: 2000,
            t0,
            window: 100,
            warm_start_rows: WarmStartRows::PerFirm,
            checkpoints: Vec::new(),
            rewards: RewardModel::Bernoulli,
        }
        .validated()
    }
}

impl<A: AlgorithmSpec> CompetitionConfig<A> {
    /// Validates every field and returns the config.
    pub fn validated(self) -> Result<Self, BanditError> {
        let n = self.algorithms.len();
        match self.scenario {
            Scenario::Monopoly if n != 1 => {
                return Err(BanditError::range(
                    "number of algorithms for the monopoly scenario",
                    n,
                    "{1}",
                ))
            }
            Scenario::Monopoly => {}
            _ if n < 2 => {
                return Err(BanditError::range(
                    format!("number of algorithms for {}", self.scenario.short()),
                    n,
                    "[2, infinity)",
                ))
            }
            _ => {}
        }
        for a in &self.algorithms {
            a.check()?;
        }
        self.rewards.validate()?;
        for (i, a) in self.algorithms.iter().enumerate() {
            a.check_rewards(&format!("algorithms[{i}]"), &self.rewards)?;
        }
        BetaPrior::new(self.prior.alpha, self.prior.beta)?;
        self.response.build()?;
        if self.t == 0 {
            return Err(BanditError::range("game rounds T", 0, "[1, infinity)"));
        }
        if self.t0 == 0 {
            return Err(BanditError::range(
                "warm-start rounds T0",
                0,
                "[1, infinity)",
            ));
        }
        check_window(self.window)?;
        if self.t > u32::MAX as usize {
            return Err(BanditError::range(
                "game rounds T",
                self.t,
                "[1, 4294967295]",
            ));
        }
        let x = self.scenario.monopoly_rounds();
        if x > self.t {
            return Err(BanditError::range(
                "monopoly period X",
                x,
                &format!("[0, {}] (T = {}: no longer than the game)", self.t, self.t),
            ));
        }
        for (i, &c) in self.checkpoints.iter().enumerate() {
            if self.checkpoints[..i].contains(&c) {
                return Err(BanditError::range(
                    "checkpoint",
                    c,
                    "distinct horizons (each given once)",
                ));
            }
            if c == 0 || c > self.t {
                return Err(BanditError::range(
                    "checkpoint",
                    c,
                    &format!("[1, {}] (T = {})", self.t, self.t),
                ));
            }
        }
        Ok(self)
    }

    /// What the game's users choose by: the user's response function if given, else the
    /// built-in `response`.
    pub fn game_response(&self) -> Result<GameResponse, BanditError> {
        match &self.custom_response {
            Some(c) => Ok(GameResponse::Custom(c.build()?)),
            None => Ok(GameResponse::Builtin(self.response.build()?)),
        }
    }

    /// The label of the response function: its short name, or the user's function's name.
    pub fn response_label(&self) -> String {
        match &self.custom_response {
            Some(c) => c.name().to_string(),
            None => self.response.short(),
        }
    }

    /// The table rows this config reads.
    pub fn layout(&self) -> TableLayout {
        let n = self.algorithms.len();
        let slots = match self.warm_start_rows {
            WarmStartRows::PerFirm => n,
            WarmStartRows::Shared | WarmStartRows::SharedOverlapping { .. } => 1,
        };
        TableLayout {
            monopoly: self.scenario.monopoly_rounds(),
            warm_start: vec![self.t0; slots],
            game: self.t,
            isolation: 0,
        }
    }

    /// The firm of slot `slot` (which must be below the number of algorithms).
    pub fn firm(&self, slot: usize) -> FirmSpec<A> {
        FirmSpec {
            algorithm: self.algorithms[slot].clone(),
            prior: self.prior,
            tie: self.tie,
            window: self.window,
            rewards: self.rewards,
        }
    }

    /// The same game with other algorithms (e.g. built-ins replaced or joined by user
    /// algorithms, [`FirmAlgorithm`](super::FirmAlgorithm)); not validated.
    pub fn with_algorithms<B>(self, algorithms: Vec<B>) -> CompetitionConfig<B> {
        CompetitionConfig {
            algorithms,
            prior: self.prior,
            tie: self.tie,
            response: self.response,
            custom_response: self.custom_response,
            scenario: self.scenario,
            t: self.t,
            t0: self.t0,
            window: self.window,
            warm_start_rows: self.warm_start_rows,
            checkpoints: self.checkpoints,
            rewards: self.rewards,
        }
    }

    /// "TS vs BG" style label.
    pub fn label(&self) -> String {
        self.algorithms
            .iter()
            .map(|a| a.label())
            .collect::<Vec<_>>()
            .join(" vs ")
    }
}

/// What one game produced.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CompetitionOutcome {
    /// Game rounds won, by firm slot (sums to T).
    pub chosen: Vec<u32>,
    /// Effective end of game: the number of game rounds before the final run of rounds in which
    /// every user chose the same firm (0 if one firm won every round; at most T - 1).
    pub eeog: u32,
    /// Market regret over the game: sum of (best mean - mean of the arm served).
    pub regret: f64,
    /// Game regret by firm slot.
    pub firm_regret: Vec<f64>,
    /// Warm-start regret by firm slot.
    pub warm_start_regret: Vec<f64>,
    /// Regret of the incumbent's monopoly period.
    pub monopoly_regret: f64,
    /// Reputations at the end of the game, by slot.
    pub final_reputation: Vec<f64>,
    /// Rounds won by slot after each checkpoint (same order as the config's checkpoints).
    pub checkpoint_chosen: Vec<Vec<u32>>,
    /// Market regret after each checkpoint.
    pub checkpoint_regret: Vec<f64>,
}

/// The seed sequence every stream of an instance comes from: the master seed derived with the
/// instance's label, so all experiments on one instance share mean vectors and tables.
pub fn instance_seeds(master: &SeedSequence, instance: &InstanceSpec) -> SeedSequence {
    master.derive(&instance.label())
}

/// The mean vector of run `run` (Bernoulli rewards).
pub fn draw_means(
    instance: &InstanceSpec,
    seeds: &SeedSequence,
    run: u64,
) -> Result<MeanVector, BanditError> {
    draw_means_for(instance, &RewardModel::Bernoulli, seeds, run)
}

/// The mean vector of run `run` for rewards `rewards` (the same draws as [`draw_means`]; only
/// the validation of user-given means differs).
pub fn draw_means_for(
    instance: &InstanceSpec,
    rewards: &RewardModel,
    seeds: &SeedSequence,
    run: u64,
) -> Result<MeanVector, BanditError> {
    instance.draw_for(&mut seeds.stream(run, Source::Instance), rewards)
}

/// A firm and its exploration stream part-way through its pre-game history, with the regret
/// accrued in the current stage.
#[derive(Clone, Debug)]
struct Prepared<P> {
    firm: Firm<P>,
    rng: PortableRng,
    regret: f64,
}

/// What a firm went through before its current stage.
#[derive(Clone, Copy, Debug, PartialEq)]
enum History {
    /// Nothing: a new firm.
    Fresh,
    /// The monopoly period of the scenario (whose X is in the scenario) and its wipe or reset.
    AfterMonopoly { scenario: Scenario },
}

/// Everything a firm's state after `n` rounds of a stage depends on, besides `n` and the run.
#[derive(Clone, Debug, PartialEq)]
struct StageKey<A> {
    slot: usize,
    firm: FirmSpec<A>,
    phase: Phase,
    history: History,
}

/// The firms' pre-game states of one run, shared by the cells of an experiment.
///
/// A firm's state after n rounds of a stage (monopoly period or warm start) is a function of
/// the stage key, n, the realization table and the run's exploration stream of its slot; the
/// rounds are rows 0..n of the stage's phase, so the state after n rounds is a prefix of the
/// state after n' > n rounds. Cells that share a key (the same algorithm in the same slot with
/// the same history, e.g. TS in slot 0 against BG and against BEG, or the incumbent's monopoly
/// for every X) therefore start from a cached state and serve only the missing rounds: the
/// results are bit-identical to serving every round from scratch (same draws in the same order,
/// regret summed in the same order), at a fraction of the cost.
#[derive(Debug)]
#[allow(clippy::type_complexity)]
pub struct PrefixCache<A: AlgorithmSpec = AlgorithmKind> {
    entries: Vec<(StageKey<A>, Vec<(usize, Prepared<A::Policy>)>)>,
}

impl<A: AlgorithmSpec> Default for PrefixCache<A> {
    fn default() -> Self {
        PrefixCache {
            entries: Vec::new(),
        }
    }
}

impl PrefixCache {
    /// An empty cache (one per run) for built-in algorithms.
    pub fn new() -> Self {
        Self::default()
    }
}

impl<A: AlgorithmSpec> PrefixCache<A> {
    /// The state after `n` rounds of stage `key`, started from `start()` if the key is new.
    fn advance(
        &mut self,
        key: StageKey<A>,
        n: usize,
        start: impl FnOnce() -> Result<Prepared<A::Policy>, BanditError>,
        rows: PhaseRows<'_>,
        means: &MeanVector,
    ) -> Result<Prepared<A::Policy>, BanditError> {
        let i = match self.entries.iter().position(|(k, _)| *k == key) {
            Some(i) => i,
            None => {
                self.entries.push((key, vec![(0, start()?)]));
                self.entries.len() - 1
            }
        };
        let states = &mut self.entries[i].1;
        let (done, from) = states
            .iter()
            .filter(|(r, _)| *r <= n)
            .max_by_key(|(r, _)| *r)
            .map(|(r, p)| (*r, p))
            .ok_or_else(|| BanditError::Mismatch("prefix cache without a start state".into()))?;
        let mut p = from.clone();
        p.firm
            .serve_rows_on(rows, done..n, means, &mut p.rng, &mut p.regret);
        if done != n {
            states.push((n, p.clone()));
        }
        Ok(p)
    }
}

/// Every firm of one game after its pre-game history, with its exploration stream, and the
/// users' response stream: what a game starts from at round 0.
pub(super) struct PreGame<P> {
    pub(super) firms: Vec<Firm<P>>,
    pub(super) rngs: Vec<PortableRng>,
    pub(super) resp_rng: PortableRng,
    pub(super) warm_start_regret: Vec<f64>,
    pub(super) monopoly_regret: f64,
}

/// Checks that `table` fits `cfg` and `means` and plays every firm's pre-game history (from
/// `cache` where it can).
pub(super) fn pre_game<A: AlgorithmSpec>(
    cfg: &CompetitionConfig<A>,
    means: &MeanVector,
    table: &RealizationTable,
    seeds: &SeedSequence,
    run: u64,
    cache: &mut PrefixCache<A>,
) -> Result<PreGame<A::Policy>, BanditError> {
    let k = means.k();
    if table.k() != k {
        return Err(BanditError::Mismatch(format!(
            "the realization table has {} arms but the mean vector has {k}",
            table.k()
        )));
    }
    if *table.rewards() != cfg.rewards {
        return Err(BanditError::Mismatch(format!(
            "the realization table holds {} rewards but the game has rewards = {}",
            table.rewards(),
            cfg.rewards
        )));
    }
    let layout = cfg.layout();
    table.require(Phase::Monopoly, layout.monopoly)?;
    table.require(Phase::Game, layout.game)?;
    for (s, &n) in layout.warm_start.iter().enumerate() {
        table.require(Phase::WarmStart(s), n)?;
    }
    let n = cfg.algorithms.len();

    // The pre-game history of every firm: (slot 0 in first-mover scenarios) the monopoly
    // period and the scenario's wipe or reset, then the warm start.
    let x = cfg.scenario.monopoly_rounds();
    let mut firms: Vec<Firm<A::Policy>> = Vec::with_capacity(n);
    let mut rngs: Vec<PortableRng> = Vec::with_capacity(n);
    let mut warm_start_regret = Vec::with_capacity(n);
    let mut monopoly_regret = 0.0;
    for s in 0..n {
        let spec = cfg.firm(s);
        let fresh = || -> Result<Prepared<A::Policy>, BanditError> {
            Ok(Prepared {
                firm: spec.build(k)?,
                rng: seeds.exploration_stream(run, s),
                regret: 0.0,
            })
        };
        let key = |phase: Phase, history: History| StageKey {
            slot: s,
            firm: spec.clone(),
            phase,
            history,
        };
        let (start, history) = if s == 0 && x > 0 {
            let rows = table.phase(Phase::Monopoly);
            let mut p =
                cache.advance(key(Phase::Monopoly, History::Fresh), x, fresh, rows, means)?;
            monopoly_regret = p.regret;
            p.regret = 0.0;
            match cfg.scenario {
                Scenario::DataAdvantage { .. } => p.firm.wipe_reputation(),
                Scenario::ReputationAdvantage { .. } => p.firm.reset_algorithm(),
                _ => {}
            }
            (
                Some(p),
                History::AfterMonopoly {
                    scenario: cfg.scenario,
                },
            )
        } else {
            (None, History::Fresh)
        };
        let phase = cfg.warm_start_rows.phase(s);
        let p = cache.advance(
            key(phase, history),
            cfg.t0,
            || start.map_or_else(fresh, Ok),
            table.phase(phase),
            means,
        )?;
        firms.push(p.firm);
        rngs.push(p.rng);
        warm_start_regret.push(p.regret);
    }

    Ok(PreGame {
        firms,
        rngs,
        resp_rng: seeds.stream(run, Source::Response),
        warm_start_regret,
        monopoly_regret,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bandits::{run_competition, Experiment};
    use crate::bandits::{AlgorithmKind as A, Reputation};
    use crate::runner::Schedule;

    fn nih() -> InstanceSpec {
        InstanceSpec::needle_in_haystack(10)
    }

    #[test]
    fn shares_sum_to_t_and_regret_is_consistent() {
        let cells = vec![
            CompetitionConfig::paper(A::ThompsonSampling, A::BayesGreedy, 20).unwrap(),
            CompetitionConfig {
                checkpoints: vec![10, 2000, 500],
                ..CompetitionConfig::paper(A::beg(), A::BayesGreedy, 250).unwrap()
            },
        ];
        let exp =
            Experiment::new(InstanceSpec::heavy_tail(10), cells, SeedSequence::new(3)).unwrap();
        let out = exp.run(20, Schedule::Serial).unwrap();
        for cell in &out {
            for o in cell {
                assert_eq!(o.chosen.iter().sum::<u32>(), 2000);
                let fr: f64 = o.firm_regret.iter().sum();
                assert!((fr - o.regret).abs() < 1e-9);
                assert!(o.regret >= 0.0 && o.eeog < 2000);
            }
        }
        let o = &out[1][0];
        assert_eq!(o.checkpoint_chosen[1], o.chosen);
        assert_eq!(o.checkpoint_chosen[0].iter().sum::<u32>(), 10);
        assert_eq!(o.checkpoint_chosen[2].iter().sum::<u32>(), 500);
        assert!(
            o.checkpoint_regret[0] <= o.checkpoint_regret[2]
                && o.checkpoint_regret[2] <= o.checkpoint_regret[1]
        );
    }

    #[test]
    fn serial_equals_parallel_and_cells_do_not_depend_on_each_other() {
        let c = CompetitionConfig::paper(A::ThompsonSampling, A::beg(), 20).unwrap();
        let big = CompetitionConfig {
            t0: 500,
            ..c.clone()
        };
        let a = Experiment::new(nih(), vec![c.clone()], SeedSequence::new(5)).unwrap();
        let b = Experiment::new(nih(), vec![big, c], SeedSequence::new(5)).unwrap();
        let sa = a.run(16, Schedule::Serial).unwrap();
        let pa = a.run(16, Schedule::Parallel).unwrap();
        let pb = b.run(16, Schedule::Parallel).unwrap();
        assert_eq!(sa, pa);
        assert_eq!(
            sa[0], pb[1],
            "adding a cell with a longer warm start must not change another cell"
        );
    }

    #[test]
    fn prefix_cache_gives_bit_identical_games() {
        // Cells that share warm starts and monopoly periods in every way the cache exploits
        // (prefixes of T0 and X, the same algorithm in the same slot against different
        // opponents, the three first-mover scenarios, shared warm-start rows), each compared
        // with the same game played from scratch.
        let mut cells = Vec::new();
        for (a, b) in [
            (A::ThompsonSampling, A::BayesGreedy),
            (A::ThompsonSampling, A::beg()),
            (A::BayesGreedy, A::beg()),
        ] {
            for t0 in [20, 250, 30, 500] {
                cells.push(CompetitionConfig::paper(a.clone(), b.clone(), t0).unwrap());
            }
            for x in [50, 200, 120] {
                for scenario in [
                    Scenario::FirstMover { x },
                    Scenario::DataAdvantage { x },
                    Scenario::ReputationAdvantage { x },
                ] {
                    cells.push(CompetitionConfig {
                        scenario,
                        ..CompetitionConfig::paper(a.clone(), b.clone(), 20).unwrap()
                    });
                }
            }
            cells.push(CompetitionConfig {
                warm_start_rows: WarmStartRows::Shared,
                ..CompetitionConfig::paper(a.clone(), b.clone(), 40).unwrap()
            });
            cells.push(CompetitionConfig {
                algorithms: vec![a.clone()],
                scenario: Scenario::Monopoly,
                ..CompetitionConfig::paper(a, b, 250).unwrap()
            });
        }
        let exp = Experiment::new(InstanceSpec::uniform(10), cells, SeedSequence::new(21)).unwrap();
        let seeds = instance_seeds(&exp.seed, &exp.instance);
        for run in 0..6 {
            let cached = exp.run_replicate(run).unwrap();
            let means = draw_means(&exp.instance, &seeds, run).unwrap();
            let table = RealizationTable::generate(&means, &exp.layout(), &seeds, run).unwrap();
            for (c, got) in exp.cells.iter().zip(&cached) {
                let alone = run_competition(c, &means, &table, &seeds, run).unwrap();
                assert_eq!(&alone, got, "run {run}, {} {:?}", c.label(), c.scenario);
            }
        }
    }

    #[test]
    fn golden_seeded_game() {
        let c = CompetitionConfig::paper(A::ThompsonSampling, A::BayesGreedy, 20).unwrap();
        let exp = Experiment::new(
            InstanceSpec::heavy_tail(10),
            vec![c],
            SeedSequence::new(2019),
        )
        .unwrap();
        let got: Vec<(u32, u32, u64)> = (0..8)
            .map(|r| {
                let o = exp.run_replicate(r).unwrap().remove(0);
                (o.chosen[0], o.eeog, o.regret.to_bits())
            })
            .collect();
        // Pinned: a change here changes every published number.
        assert_eq!(got, GOLDEN.to_vec());
    }

    // Re-pinned when Thompson sampling changed how it consumes its exploration stream (own
    // Gamma sampler, leader first, one-uniform arms by inversion; then weak arms by tail
    // thinning and the split round against the leader's lower bound): each arm's draw is still
    // an exact Beta draw in law (KS tests against the exact CDF, choice frequencies against the
    // exact argmax probabilities in policy::thompson and policy::tail_thinning), so only the
    // realised paths changed; every table at N = 1000 keeps its agreement with the paper
    // (387 of 423 numbers within tolerance against 385 before, none off without a known cause).
    const GOLDEN: [(u32, u32, u64); 8] = [
        (0, 0, 4645693618135331645),
        (0, 0, 4640382689713764427),
        (2000, 0, 4619127291342525745),
        (0, 0, 4630106950186405450),
        (2000, 0, 4628729386507510210),
        (0, 0, 4639392851975926388),
        (0, 0, 0),
        (1774, 226, 4635899837024813994),
    ];

    #[test]
    fn a_firm_never_chosen_never_changes() {
        // Firm 0 (StaticGreedy on arm 0 with mean 1) always has reputation 1 after its warm start;
        // firm 1 (mean-0 arms only reachable) loses every HardMax round and must stay as it was
        // after its warm start.
        let means = MeanVector::new(vec![1.0, 0.0, 0.0]).unwrap();
        let cfg = CompetitionConfig {
            algorithms: vec![A::StaticGreedy, A::ThompsonSampling],
            ..CompetitionConfig::paper(A::StaticGreedy, A::ThompsonSampling, 30).unwrap()
        }
        .validated()
        .unwrap();
        let seeds = SeedSequence::new(1);
        let table = RealizationTable::generate(&means, &cfg.layout(), &seeds, 0).unwrap();
        let o = run_competition(&cfg, &means, &table, &seeds, 0).unwrap();
        // TS on [1, 0, 0] might reach reputation 1 too only if it never pulled a bad arm during
        // warm start; with 30 rounds from a flat prior it does pull them.
        assert!(o.final_reputation[1] < 1.0);
        assert_eq!(o.chosen, vec![2000, 0]);
        assert_eq!(o.firm_regret[1], 0.0);

        // Rebuild firm 1 alone through its warm start and compare its whole state.
        let mut alone = Firm::new(
            A::ThompsonSampling
                .build(3, BetaPrior::default(), ArgmaxTie::LowestIndex)
                .unwrap(),
            100,
        )
        .unwrap();
        let mut rng = seeds.exploration_stream(0, 1);
        alone.serve_alone(table.phase(Phase::WarmStart(1)), 30, &means, &mut rng);
        assert_eq!(alone.reputation().value(), o.final_reputation[1]);
        let _ = Reputation::default();
    }

    #[test]
    fn monopoly_and_advantage_scenarios_run() {
        let base = CompetitionConfig::paper(A::ThompsonSampling, A::BayesGreedy, 20).unwrap();
        let mono = CompetitionConfig {
            algorithms: vec![A::ThompsonSampling],
            scenario: Scenario::Monopoly,
            ..base.clone()
        };
        let cells = vec![
            mono,
            CompetitionConfig {
                scenario: Scenario::FirstMover { x: 200 },
                ..base.clone()
            },
            CompetitionConfig {
                scenario: Scenario::DataAdvantage { x: 200 },
                ..base.clone()
            },
            CompetitionConfig {
                scenario: Scenario::ReputationAdvantage { x: 200 },
                ..base.clone()
            },
        ];
        let exp = Experiment::new(nih(), cells, SeedSequence::new(8)).unwrap();
        let out = exp.run(4, Schedule::Serial).unwrap();
        assert_eq!(out[0][0].chosen, vec![2000]);
        assert!(out[1][0].monopoly_regret > 0.0);
        // The three first-mover variants replay the same monopoly period.
        assert_eq!(out[1][0].monopoly_regret, out[2][0].monopoly_regret);
        assert_eq!(out[1][0].monopoly_regret, out[3][0].monopoly_regret);
    }

    #[test]
    fn bad_configs_name_the_field() {
        let base = CompetitionConfig::paper(A::ThompsonSampling, A::BayesGreedy, 20).unwrap();
        let e = CompetitionConfig {
            t0: 0,
            ..base.clone()
        }
        .validated()
        .unwrap_err()
        .to_string();
        assert!(e.contains("warm-start rounds T0 = 0"), "{e}");
        let e = CompetitionConfig {
            window: 0,
            ..base.clone()
        }
        .validated()
        .unwrap_err()
        .to_string();
        assert!(e.contains("reputation window M = 0"), "{e}");
        let e = CompetitionConfig {
            t: 0,
            ..base.clone()
        }
        .validated()
        .unwrap_err()
        .to_string();
        assert!(e.contains("game rounds T = 0"), "{e}");
        let e = CompetitionConfig {
            algorithms: vec![A::BayesEpsilonGreedy { eps: 1.5 }, A::BayesGreedy],
            ..base.clone()
        }
        .validated()
        .unwrap_err()
        .to_string();
        assert!(e.contains("epsilon of BayesEpsilonGreedy = 1.5"), "{e}");
        let e = CompetitionConfig {
            response: ResponseSpec::HardMaxRandom { eps: 2.0 },
            ..base.clone()
        }
        .validated()
        .unwrap_err()
        .to_string();
        assert!(e.contains("epsilon of HardMax&Random = 2"), "{e}");
        let e = CompetitionConfig {
            checkpoints: vec![2001],
            ..base.clone()
        }
        .validated()
        .unwrap_err()
        .to_string();
        assert!(e.contains("checkpoint = 2001"), "{e}");
        let e = CompetitionConfig {
            checkpoints: vec![10, 500, 10],
            ..base.clone()
        }
        .validated()
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("checkpoint = 10 must lie in distinct horizons"),
            "{e}"
        );
        let e = CompetitionConfig {
            scenario: Scenario::FirstMover { x: base.t + 1 },
            ..base.clone()
        }
        .validated()
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("monopoly period X = 2001 must lie in [0, 2000]"),
            "{e}"
        );
        assert!(CompetitionConfig {
            scenario: Scenario::DataAdvantage { x: base.t },
            ..base.clone()
        }
        .validated()
        .is_ok());
        assert!(CompetitionConfig {
            algorithms: vec![A::BayesGreedy],
            ..base
        }
        .validated()
        .is_err());
    }
}
