//! The simulations behind the tables and figures. The work is split into *pieces*: one
//! [`Experiment`] (all the cells of one table group on one instance, sharing each run's mean
//! vector and realization table) or one isolation study per instance. [`Pieces`] runs each
//! piece through [`RunDir::map_resumable`], so a finished piece is saved at once and reused on
//! resume. Each function here returns a grid of cell summaries that knows its own axes; the
//! table builders read only these grids. Table groups whose games coincide up to their horizon
//! run as one experiment per instance ([`hardmax_games`]), so those games are played once.

use super::config::BanditsConfig;
use super::paper::{alg, instances, table1_pairs, DISPLAY_ALGS, HORIZONS, T0S};
use crate::reproduce::Progress;
use crate::run::RunDir;
use crate::IoError;
use marketloop_core::bandits::{
    BanditError, CellSummary, CompetitionConfig, Estimate, Experiment, InstanceSpec,
    IsolationConfig, IsolationSummary, ResponseSpec, Scenario,
};
use marketloop_core::rng::SeedSequence;
use marketloop_core::runner::Schedule;
use serde::{de::DeserializeOwned, Serialize};
use std::time::Instant;

/// A pair of algorithms by short name (first-named, second-named).
pub(super) type Pair = (&'static str, &'static str);

/// Runs the pieces of one reproduction in a run folder, reporting progress and counting the
/// pieces simulated and resumed.
pub(super) struct Pieces<'a> {
    dir: &'a mut RunDir,
    runs: u64,
    total: u64,
    done: u64,
    simulated: usize,
    resumed: usize,
    progress: &'a (dyn Fn(&Progress) + Sync),
}

impl<'a> Pieces<'a> {
    /// Pieces of `runs` runs each, `total` of them expected (for progress), saved in `dir`.
    pub(super) fn new(
        dir: &'a mut RunDir,
        runs: u64,
        total: u64,
        progress: &'a (dyn Fn(&Progress) + Sync),
    ) -> Self {
        Pieces {
            dir,
            runs,
            total,
            done: 0,
            simulated: 0,
            resumed: 0,
            progress,
        }
    }

    /// (pieces simulated, pieces loaded from an earlier run) so far.
    pub(super) fn counts(&self) -> (usize, usize) {
        (self.simulated, self.resumed)
    }

    /// One piece: loaded from the run folder if an earlier run saved it under `key`, else
    /// computed and saved (one unit of [`RunDir::map_resumable`]).
    fn piece<T, F>(&mut self, key: &str, compute: F) -> Result<T, IoError>
    where
        T: Serialize + DeserializeOwned + Send,
        F: Fn() -> Result<T, IoError> + Sync,
    {
        let resumed_before = self.dir.manifest_mut().resumed_replicates;
        let (done, total, progress) = (self.done + 1, self.total, self.progress);
        let mut out = self.dir.map_resumable(
            key,
            &[0],
            Schedule::Serial,
            |_| compute(),
            |_| {
                progress(&Progress {
                    phase: "simulate",
                    done,
                    total,
                })
            },
        )?;
        let resumed = self.dir.manifest_mut().resumed_replicates - resumed_before;
        self.done = done;
        self.resumed += resumed;
        self.simulated += 1 - resumed;
        Ok(out
            .pop()
            .expect("map_resumable returns one result per index"))
    }

    /// The per-cell summaries of `exp` over the config's runs, one per cell of `exp`.
    fn experiment(&mut self, key: &str, exp: &Experiment) -> Result<Vec<CellSummary>, IoError> {
        let runs = self.runs;
        let cells: Vec<CellSummary> = self.piece(key, || {
            exp.run(runs, Schedule::Parallel)?
                .iter()
                .map(|c| {
                    CellSummary::new(c)
                        .ok_or_else(|| IoError::spec("runs", "runs = 0: a cell has no runs"))
                })
                .collect()
        })?;
        if cells.len() != exp.cells.len() {
            return Err(BanditError::Mismatch(format!(
                "piece {key:?} holds {} cell summaries but its experiment has {} cells",
                cells.len(),
                exp.cells.len()
            ))
            .into());
        }
        Ok(cells)
    }

    /// The isolation study `cfg` over the config's runs.
    fn isolation(&mut self, key: &str, cfg: &IsolationConfig) -> Result<IsolationSummary, IoError> {
        let runs = self.runs;
        self.piece(key, || Ok(cfg.run(runs, Schedule::Parallel)?))
    }
}

/// The paper's game between `first` and `second` with warm start `t0`, the warm-start rows of
/// `cfg`'s protocol, and `change` applied.
fn game(
    cfg: &BanditsConfig,
    first: &str,
    second: &str,
    t0: usize,
    change: impl FnOnce(CompetitionConfig) -> CompetitionConfig,
) -> Result<CompetitionConfig, IoError> {
    let paper = CompetitionConfig {
        warm_start_rows: cfg.warm_rows(),
        ..CompetitionConfig::paper(alg(first), alg(second), t0)?
    };
    Ok(change(paper).validated()?)
}

/// Simultaneous entry under HardMax (tables 1, 3 and 7): every pair at every warm start.
pub(super) struct SimultaneousEntry {
    /// Instance labels.
    pub instances: Vec<&'static str>,
    /// The pairs; the share reported is the first-named algorithm's (firm slot 0).
    pub pairs: Vec<Pair>,
    /// The warm starts T0.
    pub t0s: Vec<usize>,
    /// `[instance][pair][t0]` summaries.
    pub cells: Vec<Vec<Vec<CellSummary>>>,
    /// Wall seconds spent.
    pub seconds: f64,
}

/// The games of one table group, the same on every instance of a reproduction, and the grid
/// their summaries fill. Groups run on one instance together ([`run_together`]) form one
/// experiment, in which games that coincide up to their horizon are played once (tables 1, 6
/// and 8 share their HardMax games at T0 = 20, table 8 shares table 6's HardMax&Random games).
trait GameGroup {
    /// The key of the group's piece on instance `label` when it runs alone.
    fn key(&self, label: &str) -> String;
    /// Its games.
    fn configs(&self, cfg: &BanditsConfig) -> Result<Vec<CompetitionConfig>, IoError>;
    /// Takes the summaries of its games on instance `label` (in the order of `configs`).
    fn take(&mut self, label: &'static str, cells: &[CellSummary]);
}

/// Runs `groups` on every instance of `insts`, as one experiment (one piece) per instance: the
/// piece keeps a lone group's key; several groups get the key `games-KEY1+KEY2+...`.
fn run_together(
    pieces: &mut Pieces<'_>,
    cfg: &BanditsConfig,
    insts: Vec<(&'static str, InstanceSpec)>,
    groups: &mut [&mut dyn GameGroup],
) -> Result<(), IoError> {
    let configs = groups
        .iter()
        .map(|g| g.configs(cfg))
        .collect::<Result<Vec<_>, _>>()?;
    for (label, inst) in insts {
        let key = match groups {
            [g] => g.key(label),
            _ => {
                let keys: Vec<String> = groups.iter().map(|g| g.key(label)).collect();
                format!("games-{}", keys.join("+"))
            }
        };
        let exp = Experiment::new(inst, configs.concat(), SeedSequence::new(cfg.seed))?;
        let mut rest = &pieces.experiment(&key, &exp)?[..];
        for (g, c) in groups.iter_mut().zip(&configs) {
            let (mine, tail) = rest.split_at(c.len());
            g.take(label, mine);
            rest = tail;
        }
    }
    Ok(())
}

/// Simultaneous entry with `k` arms and horizon `t`, as a [`GameGroup`].
struct Simultaneous {
    k: usize,
    t: usize,
    grid: SimultaneousEntry,
}

impl Simultaneous {
    fn new(k: usize, t: usize) -> Self {
        Simultaneous {
            k,
            t,
            grid: SimultaneousEntry {
                instances: Vec::new(),
                pairs: table1_pairs(),
                t0s: T0S.to_vec(),
                cells: Vec::new(),
                seconds: 0.0,
            },
        }
    }
}

impl GameGroup for Simultaneous {
    fn key(&self, label: &str) -> String {
        format!("simultaneous-k{}-t{}-{label}", self.k, self.t)
    }
    fn configs(&self, cfg: &BanditsConfig) -> Result<Vec<CompetitionConfig>, IoError> {
        let mut configs = Vec::new();
        for &(a, b) in &self.grid.pairs {
            for &t0 in &self.grid.t0s {
                configs.push(game(cfg, a, b, t0, |c| CompetitionConfig {
                    t: self.t,
                    ..c
                })?);
            }
        }
        Ok(configs)
    }
    fn take(&mut self, label: &'static str, cells: &[CellSummary]) {
        let se = &mut self.grid;
        se.cells
            .push(cells.chunks(se.t0s.len()).map(<[_]>::to_vec).collect());
        se.instances.push(label);
    }
}

/// Simultaneous entry with `k` arms and horizon `t`: the three instances for K = 10, Heavy-Tail
/// alone otherwise.
pub(super) fn simultaneous_entry(
    pieces: &mut Pieces<'_>,
    cfg: &BanditsConfig,
    k: usize,
    t: usize,
) -> Result<SimultaneousEntry, IoError> {
    let start = Instant::now();
    let insts = if k == 10 {
        instances(cfg.needle_position(), k)
    } else {
        vec![("HT", InstanceSpec::heavy_tail(k))]
    };
    let mut g = Simultaneous::new(k, t);
    run_together(pieces, cfg, insts, &mut [&mut g])?;
    g.grid.seconds = start.elapsed().as_secs_f64();
    Ok(g.grid)
}

/// The grids of the HardMax games at K = 10 that tables 1 and 3, 6 and 8 read, each `Some`
/// when asked for.
pub(super) struct HardMaxGames {
    /// Simultaneous entry at T = 2000 (tables 1 and 3).
    pub simultaneous: Option<SimultaneousEntry>,
    /// HardMax&Random vs HardMax (table 6).
    pub hardmax_random: Option<HardMaxRandom>,
    /// Market regret by competition level (table 8).
    pub regret: Option<RegretByCompetition>,
}

/// The experiments of tables 1 and 3 (`simultaneous`), 6 (`hardmax_random`) and 8 (`regret`),
/// those asked for, run together on each instance so that their common games are played once
/// (the wall seconds go to the first grid; the others report 0).
pub(super) fn hardmax_games(
    pieces: &mut Pieces<'_>,
    cfg: &BanditsConfig,
    simultaneous: bool,
    hardmax_random: bool,
    regret: bool,
) -> Result<HardMaxGames, IoError> {
    let start = Instant::now();
    let mut se = simultaneous.then(|| Simultaneous::new(10, 2000));
    let mut hmr = hardmax_random.then(HardMaxRandom::new);
    let mut rc = regret.then(RegretByCompetition::new);
    let mut groups: Vec<&mut dyn GameGroup> = Vec::new();
    if let Some(g) = se.as_mut() {
        groups.push(g);
    }
    if let Some(g) = hmr.as_mut() {
        groups.push(g);
    }
    if let Some(g) = rc.as_mut() {
        groups.push(g);
    }
    if !groups.is_empty() {
        run_together(
            pieces,
            cfg,
            instances(cfg.needle_position(), 10),
            &mut groups,
        )?;
    }
    let seconds = start.elapsed().as_secs_f64();
    let mut out = HardMaxGames {
        simultaneous: se.map(|g| g.grid),
        hardmax_random: hmr,
        regret: rc,
    };
    if let Some(g) = out.simultaneous.as_mut() {
        g.seconds = seconds;
    } else if let Some(g) = out.hardmax_random.as_mut() {
        g.seconds = seconds;
    } else if let Some(g) = out.regret.as_mut() {
        g.seconds = seconds;
    }
    Ok(out)
}

/// One block of a first-mover grid: `[entrant][incumbent]` summaries, algorithms in
/// [`DISPLAY_ALGS`] order, the incumbent in firm slot 0 and the entrant in slot 1.
pub(super) type Block = Vec<Vec<CellSummary>>;

/// First-mover style experiments (tables 2, 4 and 5): the incumbent enters X rounds early, or
/// gets only its data or only its reputation advantage.
pub(super) struct FirstMover {
    /// Instance labels.
    pub instances: Vec<&'static str>,
    /// The head starts X.
    pub xs: Vec<usize>,
    /// The scenarios (with X = 0: only their kind matters).
    pub scenarios: Vec<Scenario>,
    /// `[instance][x][scenario]` blocks.
    pub cells: Vec<Vec<Vec<Block>>>,
    /// Wall seconds spent.
    pub seconds: f64,
}

/// First-mover experiments saved under `name`, with head starts `xs` and scenario `kinds`, at
/// T0 = 20 on the three instances.
pub(super) fn first_mover(
    pieces: &mut Pieces<'_>,
    cfg: &BanditsConfig,
    name: &str,
    xs: &[usize],
    kinds: &[fn(usize) -> Scenario],
) -> Result<FirstMover, IoError> {
    let start = Instant::now();
    let mut fm = FirstMover {
        instances: Vec::new(),
        xs: xs.to_vec(),
        scenarios: kinds.iter().map(|kind| kind(0)).collect(),
        cells: Vec::new(),
        seconds: 0.0,
    };
    for (label, inst) in instances(cfg.needle_position(), 10) {
        let mut configs = Vec::new();
        for &x in xs {
            for kind in kinds {
                for e in DISPLAY_ALGS {
                    for inc in DISPLAY_ALGS {
                        configs.push(game(cfg, inc, e, 20, |c| CompetitionConfig {
                            algorithms: vec![alg(inc), alg(e)],
                            scenario: kind(x),
                            ..c
                        })?);
                    }
                }
            }
        }
        let exp = Experiment::new(inst, configs, SeedSequence::new(cfg.seed))?;
        let s = pieces.experiment(&format!("{name}-{label}"), &exp)?;
        // Cells in order x, scenario, entrant, incumbent.
        let n = DISPLAY_ALGS.len();
        let blocks: Vec<Block> = s
            .chunks(n * n)
            .map(|b| b.chunks(n).map(<[_]>::to_vec).collect())
            .collect();
        fm.cells
            .push(blocks.chunks(kinds.len()).map(<[_]>::to_vec).collect());
        fm.instances.push(label);
    }
    fm.seconds = start.elapsed().as_secs_f64();
    Ok(fm)
}

/// The responses of table 6: HardMax, then HardMax&Random(0.1).
const HMR_RESPONSES: [ResponseSpec; 2] = [
    ResponseSpec::HardMax { bias: 0.5 },
    ResponseSpec::HardMaxRandom { eps: 0.1 },
];

/// HardMax&Random vs HardMax (table 6): one game of the longest horizon per run, with the
/// shares at every horizon as checkpoints.
pub(super) struct HardMaxRandom {
    /// Instance labels.
    pub instances: Vec<&'static str>,
    /// The pairs (share of the first-named algorithm).
    pub pairs: Vec<Pair>,
    /// The responses compared.
    pub responses: Vec<ResponseSpec>,
    /// The horizons t (checkpoints).
    pub horizons: Vec<usize>,
    /// `[instance][pair][response]` summaries; `checkpoint_share[h]` is the share at
    /// `horizons[h]`.
    pub cells: Vec<Vec<Vec<CellSummary>>>,
    /// Wall seconds spent.
    pub seconds: f64,
}

impl HardMaxRandom {
    /// The grid of table 6 (T0 = 20), empty.
    fn new() -> Self {
        HardMaxRandom {
            instances: Vec::new(),
            pairs: table1_pairs(),
            responses: HMR_RESPONSES.to_vec(),
            horizons: HORIZONS.to_vec(),
            cells: Vec::new(),
            seconds: 0.0,
        }
    }
}

impl GameGroup for HardMaxRandom {
    fn key(&self, label: &str) -> String {
        format!("hardmax-random-{label}")
    }
    fn configs(&self, cfg: &BanditsConfig) -> Result<Vec<CompetitionConfig>, IoError> {
        let tmax = self.horizons[self.horizons.len() - 1];
        let mut configs = Vec::new();
        for &(a, b) in &self.pairs {
            for &r in &self.responses {
                configs.push(game(cfg, a, b, 20, |c| CompetitionConfig {
                    t: tmax,
                    response: r,
                    checkpoints: self.horizons.clone(),
                    ..c
                })?);
            }
        }
        Ok(configs)
    }
    fn take(&mut self, label: &'static str, cells: &[CellSummary]) {
        self.cells.push(
            cells
                .chunks(self.responses.len())
                .map(<[_]>::to_vec)
                .collect(),
        );
        self.instances.push(label);
    }
}

/// A level of competition: its label and the response (`None`: a monopoly).
pub(super) type Level = (&'static str, Option<ResponseSpec>);

/// The competition levels of table 8, from none (monopoly) to HardMax.
const LEVELS: [Level; 5] = [
    ("monopoly", None),
    (
        "HardMax&Random eps=1",
        Some(ResponseSpec::HardMaxRandom { eps: 1.0 }),
    ),
    (
        "HardMax&Random eps=0.5",
        Some(ResponseSpec::HardMaxRandom { eps: 0.5 }),
    ),
    (
        "HardMax&Random eps=0.1",
        Some(ResponseSpec::HardMaxRandom { eps: 0.1 }),
    ),
    ("HardMax", Some(ResponseSpec::HardMax { bias: 0.5 })),
];

/// Market regret by competition level (table 8): each algorithm alone, and each pair under
/// every response.
pub(super) struct RegretByCompetition {
    /// Instance labels.
    pub instances: Vec<&'static str>,
    /// The algorithms run as monopolies.
    pub algorithms: Vec<&'static str>,
    /// The pairs run under competition.
    pub pairs: Vec<Pair>,
    /// The levels; the first is the monopoly, the others are responses.
    pub levels: Vec<Level>,
    /// `[instance][algorithm]` market regret of each monopoly.
    pub monopoly: Vec<Vec<Estimate>>,
    /// `[instance][pair][level - 1]` market regret under competition.
    pub competition: Vec<Vec<Vec<Estimate>>>,
    /// Wall seconds spent.
    pub seconds: f64,
}

impl RegretByCompetition {
    /// The grid of table 8 (T0 = 20, T = 2000), empty.
    fn new() -> Self {
        RegretByCompetition {
            instances: Vec::new(),
            algorithms: DISPLAY_ALGS.to_vec(),
            pairs: table1_pairs(),
            levels: LEVELS.to_vec(),
            monopoly: Vec::new(),
            competition: Vec::new(),
            seconds: 0.0,
        }
    }

    fn responses(&self) -> Vec<ResponseSpec> {
        self.levels.iter().filter_map(|l| l.1).collect()
    }
}

impl GameGroup for RegretByCompetition {
    fn key(&self, label: &str) -> String {
        format!("regret-{label}")
    }
    fn configs(&self, cfg: &BanditsConfig) -> Result<Vec<CompetitionConfig>, IoError> {
        let mut configs = Vec::new();
        for &a in &self.algorithms {
            configs.push(game(cfg, a, a, 20, |c| CompetitionConfig {
                algorithms: vec![alg(a)],
                scenario: Scenario::Monopoly,
                ..c
            })?);
        }
        for &(a, b) in &self.pairs {
            for r in self.responses() {
                configs.push(game(cfg, a, b, 20, |c| CompetitionConfig {
                    response: r,
                    ..c
                })?);
            }
        }
        Ok(configs)
    }
    fn take(&mut self, label: &'static str, cells: &[CellSummary]) {
        let (alone, paired) = cells.split_at(self.algorithms.len());
        self.monopoly.push(alone.iter().map(|c| c.regret).collect());
        let levels = self.responses().len();
        self.competition.push(
            paired
                .chunks(levels)
                .map(|p| p.iter().map(|c| c.regret).collect())
                .collect(),
        );
        self.instances.push(label);
    }
}

/// The algorithms of the isolation study, in the order of its summaries (pair 0 is TS vs BG).
pub(super) const ISOLATION_ALGS: [&str; 3] = ["TS", "BG", "BEG"];

/// Performance in isolation (the figures): each algorithm alone on every instance.
pub(super) struct Isolation {
    /// Instance labels.
    pub instances: Vec<&'static str>,
    /// Runs per instance.
    pub runs: u64,
    /// Rounds per run.
    pub rounds: usize,
    /// The rounds at which reputations are kept.
    pub snapshots: Vec<usize>,
    /// One summary per instance, algorithms in [`ISOLATION_ALGS`] order.
    pub summaries: Vec<IsolationSummary>,
    /// Wall seconds spent.
    pub seconds: f64,
}

/// The isolation studies: 2000 rounds, reputations kept at t = 20, 250, 500.
pub(super) fn isolation(
    pieces: &mut Pieces<'_>,
    cfg: &BanditsConfig,
) -> Result<Isolation, IoError> {
    let start = Instant::now();
    let mut iso = Isolation {
        instances: Vec::new(),
        runs: cfg.runs,
        rounds: 2000,
        snapshots: vec![20, 250, 500],
        summaries: Vec::new(),
        seconds: 0.0,
    };
    for (label, inst) in instances(cfg.needle_position(), 10) {
        let study = IsolationConfig {
            instance: inst,
            algorithms: ISOLATION_ALGS.iter().map(|a| alg(a)).collect(),
            prior: Default::default(),
            tie: Default::default(),
            window: 100,
            rounds: iso.rounds,
            snapshots: iso.snapshots.clone(),
            seed: SeedSequence::new(cfg.seed),
            rewards: marketloop_core::bandits::RewardModel::Bernoulli,
        };
        let s = pieces.isolation(&format!("isolation-{label}"), &study)?;
        iso.summaries.push(s);
        iso.instances.push(label);
    }
    iso.seconds = start.elapsed().as_secs_f64();
    Ok(iso)
}
