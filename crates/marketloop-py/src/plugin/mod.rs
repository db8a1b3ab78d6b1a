//! Python plug-ins on the engine's own path: user bandit algorithms (`marketloop.BanditAlgorithm`)
//! in competitions, isolation runs and sweeps, run by the one executor (the same run folders,
//! resume and tables as the built-ins); step-by-step games ([`PyCompetitionRun`]); user
//! rankings and measurements in the market, and step-by-step market runs ([`market`]); users'
//! rankings on arena platforms, and step-by-step arena runs ([`arena`]); a user's prior sampler
//! in the Bayesian-choice model ([`prior`]).
//!
//! A competition spec travels as JSON with each plug-in slot holding a built-in placeholder
//! name; the plug-ins come beside it as `(slot, name, object)`. The resolved
//! [`Compete`] then takes them as [`FirmAlgorithm::Custom`] slots
//! ([`Compete::with_algorithms`]), built per firm and run by [`bandit::PyBandit`]. The
//! competition-wide options come beside them ([`Options`]): a Python response function, run by
//! [`response::PyResponse`] in every game ([`Compete::with_response`]), and the batch size of
//! the Python algorithms.
//!
//! **The GIL.** A run with Python plug-ins holds the GIL while it computes and runs its
//! replicates (and sweep cells) one after the other, on one worker thread: [`WithPlugins`]
//! attaches to Python once per replicate, so each plug-in call inside only checks that it is
//! attached. The numbers do not depend on this (every replicate draws from its own streams).
//!
//! **Failures.** A failing plug-in is recorded in the run's [`Context`] (the plug-in, its step,
//! what went wrong and the Python exception); [`WithPlugins`] turns it into an error naming the
//! replicate, and the Python function re-raises it as `MarketloopError` with the exception as
//! its `__cause__`. Replicates finished before it stay saved in the run folder (`out=`), so
//! `resume=True` continues after the plug-in is fixed.

pub mod arena;
pub mod bandit;
pub mod choice;
pub mod market;
pub mod observer;
pub mod prior;
pub mod response;

use crate::convert::{columns_to_py, py_err, Columns};
use crate::interrupt::{install, interruptible};
use crate::progress::Progress;
use crate::{parse_cell, parse_json, parse_sweep, pool, progress_total, run_kind};
use bandit::PyBandit;
use marketloop_core::bandits::{
    AlgorithmSpec, BoxedPolicy, CompetitionRun, CustomAlgorithm, FirmAlgorithm,
};
use marketloop_core::rng::SeedSequence;
use marketloop_io::experiment::kind::Resolved;
use marketloop_io::experiment::{
    execute, execute_in, ArenaExperiment, Compete, CompeteTrajectories, Experiment, Experiments,
    Kind, ObserverSpec, Outputs, Plan,
};
use marketloop_io::spec::ResolvedArena;
use marketloop_io::sweep::{self, Cell, CellRunner};
use marketloop_io::table::Table;
use marketloop_io::IoError;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use response::PyResponse;
use serde_json::Value;
use std::borrow::Cow;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// The first failure of a plug-in in a run.
struct Failure {
    plugin: String,
    field: Cow<'static, str>,
    step: Option<u64>,
    what: String,
}

/// Who a plug-in is (for error messages) and the run it reports to.
pub struct Origin {
    /// E.g. `bandit algorithm "MyUCB" (firm 2)`.
    pub label: String,
    /// The spec field it stands in (`algorithms`, `ranking`, `observers`,
    /// `platforms[1].ranking`).
    pub field: Cow<'static, str>,
    /// The run's failure record.
    pub ctx: Arc<Context>,
}

/// A run's failure record, shared by all its plug-ins.
#[derive(Default)]
pub struct Context {
    failed: AtomicBool,
    failure: Mutex<Option<Failure>>,
    cause: Mutex<Option<PyErr>>,
}

impl Context {
    /// Whether a plug-in has failed (then plug-ins stop calling Python).
    #[inline]
    pub fn failed(&self) -> bool {
        self.failed.load(Ordering::Relaxed)
    }

    /// Records a failure of the plug-in `origin` at `step` (the first failure only).
    pub fn fail(&self, origin: &Origin, step: Option<u64>, what: &str, cause: Option<PyErr>) {
        if self.failed.swap(true, Ordering::Relaxed) {
            return;
        }
        if let Ok(mut f) = self.failure.lock() {
            *f = Some(Failure {
                plugin: origin.label.clone(),
                field: origin.field.clone(),
                step,
                what: what.into(),
            });
        }
        if let Ok(mut c) = self.cause.lock() {
            *c = cause;
        }
    }

    /// The recorded failure as an error of `during` (e.g. "replicate 3"), if any.
    fn error(&self, during: &str) -> Option<IoError> {
        if !self.failed() {
            return None;
        }
        let f = self.failure.lock().ok()?;
        let f = f.as_ref()?;
        let cause = self
            .cause
            .lock()
            .ok()
            .and_then(|c| c.as_ref().map(|e| format!(": {e}")))
            .unwrap_or_default();
        let at = f.step.map(|s| format!(" at step {s}")).unwrap_or_default();
        Some(IoError::spec(
            f.field.clone(),
            format!("{}{at} of {during}: {}{cause}", f.plugin, f.what),
        ))
    }

    /// The Python exception behind the failure, once.
    fn take_cause(&self) -> Option<PyErr> {
        self.cause.lock().ok().and_then(|mut c| c.take())
    }

    /// `err` as a `MarketloopError`, with the plug-in's exception as its `__cause__`; a
    /// `KeyboardInterrupt` raised inside the plug-in's Python code (Ctrl-C while it ran) is
    /// raised as it is, since the user asked to stop rather than the plug-in failing.
    fn to_py(&self, py: Python<'_>, err: IoError) -> PyErr {
        let cause = self.take_cause();
        match cause {
            Some(c) if c.is_instance_of::<pyo3::exceptions::PyKeyboardInterrupt>(py) => c,
            cause => {
                let e = py_err(err);
                if let Some(cause) = cause {
                    e.set_cause(py, Some(cause));
                }
                e
            }
        }
    }
}

/// An experiment whose replicates call Python plug-ins: attached to Python for each replicate
/// (and for the outputs, where isolation runs happen), and failing with the plug-in's error.
pub struct WithPlugins<'a, E> {
    inner: &'a E,
    ctx: &'a Context,
}

impl<E: Experiment> Experiment for WithPlugins<'_, E> {
    const COMMAND: &'static str = E::COMMAND;
    const ARM: &'static str = E::ARM;
    const PHASE: &'static str = E::PHASE;
    const REPLICATED: bool = E::REPLICATED;
    type Replicate = E::Replicate;
    type Summary = E::Summary;

    fn config(&self, plan: &Plan) -> Value {
        self.inner.config(plan)
    }

    fn replicate(&self, seeds: SeedSequence, r: u64) -> Result<E::Replicate, IoError> {
        Python::attach(|_| {
            let out = self.inner.replicate(seeds, r);
            match self.ctx.error(&format!("replicate {r}")) {
                Some(e) => Err(e),
                None => out,
            }
        })
    }

    fn summarize(&self, plan: &Plan, replicates: Vec<E::Replicate>) -> Result<E::Summary, IoError> {
        self.inner.summarize(plan, replicates)
    }

    fn table(&self, summary: &E::Summary) -> Result<Table, IoError> {
        self.inner.table(summary)
    }

    fn outputs(&self, plan: &Plan, summary: &E::Summary) -> Result<Outputs, IoError> {
        Python::attach(|_| {
            let out = self.inner.outputs(plan, summary);
            match self.ctx.error("the isolation runs") {
                Some(e) => Err(e),
                None => out,
            }
        })
    }
}

/// The plug-ins of a competition: `(slot, name, object)`, objects being
/// `marketloop.BanditAlgorithm`s (anything with `reset(k)`, `select(rng)`, `update(arm,
/// reward)` and deep-copyable).
pub type Plugins = Vec<(usize, String, Py<PyAny>)>;

/// The competition-wide plug-in options: the response function plug-in `(name, object)`, if
/// any, and the batch size B >= 1 of the Python bandit algorithms (1: one `select` and one
/// `update` call per round).
pub type Options = (Option<(String, Py<PyAny>)>, usize);

/// [`Options`] shared by the runs of a competition (and the cells of a sweep).
#[derive(Clone)]
struct Shared {
    response: Option<(String, Arc<Py<PyAny>>)>,
    batch: usize,
}

impl Shared {
    fn new(options: Option<Options>) -> PyResult<Self> {
        let (response, batch) = options.unwrap_or((None, 1));
        if batch == 0 {
            return Err(crate::MarketloopError::new_err(
                "batch = 0: a batch holds at least 1 arm (1: one select and one update call \
                 per round)",
            ));
        }
        Ok(Shared {
            response: response.map(|(n, o)| (n, Arc::new(o))),
            batch,
        })
    }

    /// Whether anything calls Python (then runs go one after the other, GIL held).
    fn any(&self, plugins: &[(usize, String, Arc<Py<PyAny>>)]) -> bool {
        !plugins.is_empty() || self.response.is_some()
    }
}

/// A compete spec document resolved.
fn resolve_compete(spec: &Value) -> Result<Compete, IoError> {
    match Experiments::new().resolve(Kind::Compete, spec)? {
        Resolved::Compete(e) => Ok(e),
        _ => unreachable!("a compete spec resolves to a competition"),
    }
}

/// `compete` resolved from `spec` with the plug-ins in their slots and the options' response
/// function.
fn compete_with(
    spec: &Value,
    plugins: &[(usize, String, Arc<Py<PyAny>>)],
    options: &Shared,
    ctx: &Arc<Context>,
) -> Result<Compete<FirmAlgorithm>, IoError> {
    let e = resolve_compete(spec)?;
    let n = e.spec().game.algorithms.len();
    let mut algorithms: Vec<FirmAlgorithm> = e
        .spec()
        .game
        .algorithms
        .iter()
        .map(|k| FirmAlgorithm::Builtin(k.clone()))
        .collect();
    for (slot, name, obj) in plugins {
        if *slot >= n {
            return Err(IoError::spec(
                "algorithms",
                format!("plug-in {name:?} is for firm slot {slot}, but there are {n} firms"),
            ));
        }
        let origin = Arc::new(Origin {
            label: format!("bandit algorithm {name:?} (firm {})", slot + 1),
            field: "algorithms".into(),
            ctx: Arc::clone(ctx),
        });
        let obj = Arc::clone(obj);
        let batch = options.batch;
        algorithms[*slot] = FirmAlgorithm::Custom(CustomAlgorithm::new(name.clone(), move |k| {
            PyBandit::build(&obj, k, batch, Arc::clone(&origin))
        }));
    }
    let e = e.with_algorithms(algorithms)?;
    Ok(match &options.response {
        None => e,
        Some((name, obj)) => {
            let origin = Arc::new(Origin {
                label: format!("response function {name:?}"),
                field: "response".into(),
                ctx: Arc::clone(ctx),
            });
            e.with_response(PyResponse::custom(name.clone(), Arc::clone(obj), origin))
        }
    })
}

fn shared(plugins: Plugins) -> Vec<(usize, String, Arc<Py<PyAny>>)> {
    plugins
        .into_iter()
        .map(|(s, n, o)| (s, n, Arc::new(o)))
        .collect()
}

/// Sweep cells of a competition with plug-ins: each cell's spec with the plug-ins in their
/// slots, run (replicates one after the other) by the executor.
struct PluginRunner {
    plugins: Vec<(usize, String, Arc<Py<PyAny>>)>,
    /// A market's ranking and observer plug-ins (`kind = "market"` sweeps).
    market: Option<MarketPluginArgs>,
    /// An arena's Python rankings (`kind = "arena"` sweeps).
    arena: Option<arena::SharedRankings>,
    /// A competition's response function and batch size.
    options: Shared,
    ctx: Arc<Context>,
}

/// A market sweep's plug-ins: the ranking, the observers and the choice rule, as
/// `Market.simulate` takes them.
type MarketPluginArgs = market::PluginArgs;

impl PluginRunner {
    /// `runs` replicates of `e` (which calls Python plug-ins) under master seed `seed`, as the
    /// long table of a sweep cell.
    fn table<E: Experiment>(&self, e: &E, seed: u64, runs: u64) -> Result<Table, IoError> {
        let w = WithPlugins {
            inner: e,
            ctx: &self.ctx,
        };
        let done = execute(&w, &Plan::new(seed, runs), &|_| {})?;
        e.table(&done.summary)
    }

    /// A market-simulate cell with the market plug-ins in place.
    fn market_cell(
        &self,
        args: &MarketPluginArgs,
        spec: &Value,
        seed: u64,
        runs: u64,
    ) -> Result<Table, IoError> {
        let Resolved::MarketSimulate(e) = Experiments::new().resolve(Kind::MarketSimulate, spec)?
        else {
            unreachable!("a market spec resolves to a simulation")
        };
        let plugins = Python::attach(|py| {
            let (ranking, observers, choice) = market::clone_args(py, args);
            let ctx = Arc::clone(&self.ctx);
            market::MarketArgs::new(e.simulation(), ranking, observers, choice, ctx)
        })
        .map_err(|err| IoError::spec("ranking", err.to_string()))?;
        let e = e.with_plugins(Arc::new(plugins));
        self.table(&e, seed, runs)
    }

    /// An arena cell with the Python rankings in their platforms' slots.
    fn arena_cell(
        &self,
        rankings: &arena::SharedRankings,
        spec: &Value,
        seed: u64,
        runs: u64,
    ) -> Result<Table, IoError> {
        let resolved = ResolvedArena::from_value(spec, Experiments::new().base())?;
        let e = ArenaExperiment::new(arena::with_rankings(resolved, rankings, &self.ctx)?, None);
        self.table(&e, seed, runs)
    }
}

/// An error unless a sweep's `kind` is the one its plug-ins (`what`) run in.
fn expect_kind(kind: Kind, want: Kind, what: &str) -> Result<(), IoError> {
    if kind == want {
        return Ok(());
    }
    Err(IoError::spec(
        "kind",
        format!("{what} run in {want} sweeps, not {kind}"),
    ))
}

impl CellRunner for PluginRunner {
    fn run_cell(&self, kind: Kind, spec: &Value, seed: u64, runs: u64) -> Result<Table, IoError> {
        if let Some(rankings) = &self.arena {
            expect_kind(kind, Kind::Arena, "Python rankings of arena platforms")?;
            return self.arena_cell(rankings, spec, seed, runs);
        }
        if let Some(args) = &self.market {
            expect_kind(kind, Kind::MarketSimulate, "ranking and observer plug-ins")?;
            return self.market_cell(args, spec, seed, runs);
        }
        expect_kind(kind, Kind::Compete, "bandit-algorithm plug-ins")?;
        let e = compete_with(spec, &self.plugins, &self.options, &self.ctx)?;
        self.table(&e, seed, runs)
    }
}

/// Runs `e` under `plan`: with plug-ins (`ctx`), replicates one after the other on one worker
/// attached to Python, else as every other kind (GIL released, `threads` workers).
/// `progress(done, total)` is called with finished replicates.
#[allow(clippy::too_many_arguments)] // the Python keyword arguments
fn exec<E>(
    py: Python<'_>,
    e: &E,
    ctx: Option<&Context>,
    plan: Plan,
    threads: Option<usize>,
    out: Option<PathBuf>,
    resume: bool,
    progress: Option<Py<PyAny>>,
) -> PyResult<E::Summary>
where
    E: Experiment,
    E::Summary: Send,
{
    let Some(ctx) = ctx else {
        return run_kind(py, e, plan, threads, out, resume, progress);
    };
    let w = WithPlugins { inner: e, ctx };
    let one = pool(1)?;
    let bar = Progress::new(progress, progress_total::<E>(&plan));
    let summary = interruptible(py, || {
        install(&one, || {
            match &out {
                Some(dir) => execute_in(&w, &plan, dir, resume, &|_| bar.tick()),
                None => execute(&w, &plan, &|_| bar.tick()),
            }
            .map(|d| d.summary)
        })
    })?
    .map_err(|err| ctx.to_py(py, err))?;
    bar.finish(py)?;
    Ok(summary)
}

/// The per-run columns, and with trajectories the per-round and band columns.
type CompeteColumns = (Columns, Option<Columns>, Option<Columns>);

#[allow(clippy::too_many_arguments)] // the Python keyword arguments
fn compete_columns<A: AlgorithmSpec>(
    py: Python<'_>,
    e: Compete<A>,
    ctx: Option<&Context>,
    every: Option<usize>,
    observers: Vec<ObserverSpec>,
    plan: Plan,
    threads: Option<usize>,
    out: Option<PathBuf>,
    resume: bool,
    progress: Option<Py<PyAny>>,
) -> PyResult<CompeteColumns> {
    let Some(every) = every else {
        let s = exec(py, &e, ctx, plan, threads, out, resume, progress)?;
        return Ok((
            columns_to_py(py, &e.table(&s).map_err(py_err)?)?,
            None,
            None,
        ));
    };
    let t = CompeteTrajectories::new(e, every)
        .and_then(|t| t.with_observers(observers))
        .map_err(py_err)?;
    let s = exec(py, &t, ctx, plan, threads, out, resume, progress)?;
    let cols = |table: Result<Table, IoError>| columns_to_py(py, &table.map_err(py_err)?);
    Ok((
        cols(t.table(&s))?,
        Some(cols(t.trajectory_table(&s))?),
        Some(cols(t.bands_table(&s))?),
    ))
}

/// Runs a competition whose firm slots may hold Python bandit algorithms (`plugins`: slot,
/// name, object) and whose users may choose by a Python response function (`options`; with
/// any plug-in, replicates run one after the other with the GIL held), into the run folder
/// `out` if given; with `every`, also records every game every `every` rounds.
/// Returns the per-run columns (as `run_compete`) and, with `every`, the per-round columns
/// (`run, round, firm, share, reputation, firm_regret, market_regret`) and the bands over runs.
#[pyfunction]
#[pyo3(signature = (spec, plugins, seed, runs, threads=None, out=None, resume=false, every=None, progress=None, observers=Vec::new(), options=None))]
#[allow(clippy::too_many_arguments)] // the Python keyword arguments
fn run_compete_with(
    py: Python<'_>,
    spec: &str,
    plugins: Plugins,
    seed: u64,
    runs: u64,
    threads: Option<usize>,
    out: Option<PathBuf>,
    resume: bool,
    every: Option<usize>,
    progress: Option<Py<PyAny>>,
    observers: market::ObserverArgs,
    options: Option<Options>,
) -> PyResult<CompeteColumns> {
    let value = parse_json("compete spec", spec)?;
    let plan = Plan::new(seed, runs);
    if !observers.is_empty() && every.is_none() {
        return Err(py_err(IoError::spec(
            "observers",
            "observers are recorded with the trajectories: give trajectories=True (and every)",
        )));
    }
    let options = Shared::new(options)?;
    let plugins = shared(plugins);
    let ctx = Arc::new(Context::default());
    let observers = observer::game_observers(observers, &ctx);
    if !options.any(&plugins) {
        let e = resolve_compete(&value).map_err(py_err)?;
        let ctx = (!observers.is_empty()).then_some(&*ctx);
        return compete_columns(
            py, e, ctx, every, observers, plan, threads, out, resume, progress,
        );
    }
    let e = compete_with(&value, &plugins, &options, &ctx).map_err(py_err)?;
    compete_columns(
        py,
        e,
        Some(&ctx),
        every,
        observers,
        plan,
        threads,
        out,
        resume,
        progress,
    )
}

/// Runs a whole sweep with Python plug-ins on this machine (cells and replicates one after the
/// other, GIL held), resuming from `out` if given: a compete sweep with plug-in algorithms
/// (`plugins`), a market sweep with a ranking and observer plug-ins (`market`), or an arena
/// sweep whose platforms rank by Python rankings (`arena`).
#[pyfunction]
#[pyo3(signature = (sweep, plugins, out=None, progress=None, market=None, options=None, arena=None))]
#[allow(clippy::too_many_arguments)] // the Python keyword arguments
fn run_sweep_plugins(
    py: Python<'_>,
    sweep: &str,
    plugins: Plugins,
    out: Option<String>,
    progress: Option<Py<PyAny>>,
    market: Option<MarketPluginArgs>,
    options: Option<Options>,
    arena: Option<arena::RankingPlugins>,
) -> PyResult<Columns> {
    let s = parse_sweep(sweep)?;
    let bar = Progress::new(progress, s.cells().map_err(py_err)?.len() as u64);
    let ctx = Arc::new(Context::default());
    let runner = PluginRunner {
        plugins: shared(plugins),
        market,
        arena: arena.map(arena::shared),
        options: Shared::new(options)?,
        ctx: Arc::clone(&ctx),
    };
    let one = pool(1)?;
    let table = interruptible(py, || {
        install(&one, || {
            sweep::run_sweep_local(&s, &runner, out.as_deref().map(Path::new), &|done| {
                bar.reached(done as u64)
            })
        })
    })?
    .map_err(|e| ctx.to_py(py, e))?;
    bar.finish(py)?;
    columns_to_py(py, &table)
}

/// Runs several cells of a sweep with Python plug-ins one after the other: one Ray task (the
/// plug-ins travel pickled with it); `plugins` and `market` as in `run_sweep_plugins`.
#[pyfunction]
#[pyo3(signature = (sweep, cells, plugins, market=None, options=None, arena=None))]
fn run_cells_plugins(
    py: Python<'_>,
    sweep: &str,
    cells: Vec<String>,
    plugins: Plugins,
    market: Option<MarketPluginArgs>,
    options: Option<Options>,
    arena: Option<arena::RankingPlugins>,
) -> PyResult<Vec<Columns>> {
    let s = parse_sweep(sweep)?;
    let cells: Vec<Cell> = cells
        .iter()
        .map(|c| parse_cell(c))
        .collect::<PyResult<_>>()?;
    let ctx = Arc::new(Context::default());
    let runner = PluginRunner {
        plugins: shared(plugins),
        market,
        arena: arena.map(arena::shared),
        options: Shared::new(options)?,
        ctx: Arc::clone(&ctx),
    };
    let one = pool(1)?;
    let tables = interruptible(py, || {
        install(&one, || {
            cells
                .iter()
                .map(|c| sweep::run_one_cell(s.kind, s.runs, c, &runner))
                .collect::<Result<Vec<_>, IoError>>()
        })
    })?
    .map_err(|e| ctx.to_py(py, e))?;
    tables.iter().map(|t| columns_to_py(py, t)).collect()
}

/// One started game of a competition (its firms may be Python plug-ins), stepped from Python
/// (`Competition.start`): stepping to T gives exactly the game `Competition.run` plays.
#[pyclass(name = "PyCompetitionRun", module = "marketloop._core")]
pub struct PyCompetitionRun {
    /// Behind a lock: a boxed algorithm is `Send` but not `Sync`.
    game: Mutex<CompetitionRun<'static, BoxedPolicy>>,
    ctx: Arc<Context>,
    replicate: u64,
}

#[pymethods]
impl PyCompetitionRun {
    /// Starts game (run) `replicate` of the compete spec `spec` with master seed `seed`.
    #[new]
    #[pyo3(signature = (spec, plugins, seed, replicate, options=None))]
    fn new(
        py: Python<'_>,
        spec: &str,
        plugins: Plugins,
        seed: u64,
        replicate: u64,
        options: Option<Options>,
    ) -> PyResult<Self> {
        let value = parse_json("compete spec", spec)?;
        let ctx = Arc::new(Context::default());
        let options = Shared::new(options)?;
        let e = compete_with(&value, &shared(plugins), &options, &ctx).map_err(py_err)?;
        let game = CompetitionRun::start(
            &e.games().cells[0],
            &e.spec().instance,
            &SeedSequence::new(seed),
            replicate,
        );
        if let Some(err) = ctx.error(&format!("replicate {replicate}")) {
            return Err(ctx.to_py(py, err));
        }
        Ok(PyCompetitionRun {
            game: Mutex::new(game.map_err(|e| py_err(IoError::from(e)))?),
            ctx,
            replicate,
        })
    }

    /// Plays up to `n` game rounds (never past T); returns how many were played.
    fn step(&self, py: Python<'_>, n: usize) -> PyResult<usize> {
        let played = self.game()?.step(n);
        match self.ctx.error(&format!("replicate {}", self.replicate)) {
            Some(err) => Err(self.ctx.to_py(py, err)),
            None => Ok(played),
        }
    }

    /// The game now: round, horizon, chosen, served, reputation, shares, regret, firm_regret.
    fn state<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let s = self.game()?.state();
        let d = PyDict::new(py);
        d.set_item("round", s.round)?;
        d.set_item("horizon", s.horizon)?;
        d.set_item("chosen", s.chosen)?;
        d.set_item("served", s.served)?;
        d.set_item("reputation", s.reputation)?;
        d.set_item("shares", s.shares)?;
        d.set_item("regret", s.regret)?;
        d.set_item("firm_regret", s.firm_regret)?;
        Ok(d)
    }
}

impl PyCompetitionRun {
    fn game(&self) -> PyResult<std::sync::MutexGuard<'_, CompetitionRun<'static, BoxedPolicy>>> {
        self.game.lock().map_err(|_| {
            crate::MarketloopError::new_err("this game failed earlier and cannot be used")
        })
    }
}

/// Adds the plug-in functions and `Rng` to the module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<crate::rng::PyRng>()?;
    m.add_function(wrap_pyfunction!(run_compete_with, m)?)?;
    m.add_function(wrap_pyfunction!(run_sweep_plugins, m)?)?;
    m.add_function(wrap_pyfunction!(run_cells_plugins, m)?)?;
    m.add_class::<market::PyMarketRun>()?;
    m.add_class::<arena::PyArenaRun>()?;
    m.add_function(wrap_pyfunction!(arena::run_arena_plugins, m)?)?;
    m.add_class::<PyCompetitionRun>()?;
    m.add_function(wrap_pyfunction!(market::simulate_plugins, m)?)?;
    Ok(())
}
