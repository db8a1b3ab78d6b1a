//! Python rankings on arena platforms (`marketloop.Arena(platforms=[{"ranking": obj}, ...])`)
//! and step-by-step arena runs ([`PyArenaRun`], `Arena.start`).
//!
//! The arena spec travels as JSON with each plug-in platform's ranking holding a built-in
//! placeholder; the plug-ins come beside it as `(platform, object, name, has observe)` and
//! replace the placeholders as users' rankings ([`ResolvedArena::with_rankings`]), each a
//! [`PyRanking`] built afresh (a deep copy of the object) for every replicate. The platform
//! drives it exactly where it drives a built-in, with its own `Ranking` stream: `reset(n_items,
//! positions)`, then `rank(user_type, counts, step, rng)` for every user it serves (warm-start
//! users included; `counts` and `step` are the platform's own; a pooled platform's ranking is
//! handed type 0) and `observe(user_type, tried, bought, step)` after each. As in the market,
//! `rank` is handed the ranking's own stream, seeded by one draw from the platform's `Ranking`
//! stream at the start of the replicate.
//!
//! Whole runs go through the one executor ([`run_arena_plugins`]: GIL held, replicates one
//! after the other, run folders and resume as for built-ins). A ranking that raises, returns a
//! wrong order (not min(P, n) distinct items in `0..n`) or cannot be copied stops the run with a
//! `MarketloopError` naming the ranking, the platform, the step and the replicate.

use super::market::PyRanking;
use super::{exec, Context, Origin};
use crate::convert::{columns_to_py, py_err, Columns};
use crate::{json_err, resolve_arena};
use marketloop_core::arena::{
    ArenaChoice, ArenaError, ArenaRun, CustomRanking, FirstPosition, RankingSetup,
};
use marketloop_core::market::MultinomialLogit;
use marketloop_core::rng::SeedSequence;
use marketloop_io::experiment::{ArenaExperiment, Experiment, Plan};
use marketloop_io::spec::arena::{arena_error, ArenaModel};
use marketloop_io::spec::ResolvedArena;
use pyo3::prelude::*;
use std::borrow::Cow;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};

/// `(platform index, object, name, has observe)` of each Python ranking.
pub type RankingPlugins = Vec<(usize, Py<PyAny>, String, bool)>;

/// `(platform index, object, name, has observe)` of each Python ranking, shared by the cells
/// of a sweep.
pub type SharedRankings = Vec<(usize, Arc<Py<PyAny>>, String, bool)>;

/// The Python rankings in a form every cell of a sweep can use.
pub fn shared(rankings: RankingPlugins) -> SharedRankings {
    rankings
        .into_iter()
        .map(|(p, obj, name, observes)| (p, Arc::new(obj), name, observes))
        .collect()
}

/// The arena of the JSON `spec` with the Python `rankings` in their platforms' slots, their
/// failures recorded in `ctx`.
fn resolve_with(
    spec: &str,
    rankings: RankingPlugins,
    ctx: &Arc<Context>,
) -> PyResult<ResolvedArena> {
    let resolved = resolve_arena(spec)?;
    if rankings.is_empty() {
        return Ok(resolved);
    }
    with_rankings(resolved, &shared(rankings), ctx).map_err(py_err)
}

/// `resolved` with the Python `rankings` in their platforms' slots (each platform builds a
/// fresh copy per replicate), their failures recorded in `ctx`.
pub fn with_rankings(
    resolved: ResolvedArena,
    rankings: &SharedRankings,
    ctx: &Arc<Context>,
) -> Result<ResolvedArena, marketloop_io::IoError> {
    let names = resolved.arena.platform_names();
    let custom = rankings
        .iter()
        .map(|(p, obj, name, observes)| {
            let (p, observes) = (*p, *observes);
            let platform = names.get(p).map_or_else(String::new, |n| format!("{n:?} "));
            let origin = Arc::new(Origin {
                label: format!("ranking {name:?} of platform {platform}(platforms[{p}])"),
                field: format!("platforms[{p}].ranking").into(),
                ctx: Arc::clone(ctx),
            });
            let obj = Arc::clone(obj);
            let ranking = CustomRanking::new(name.clone(), move |s: &RankingSetup<'_>| {
                build(&obj, s, observes, &origin)
            });
            (p, ranking)
        })
        .collect();
    resolved.with_rankings(custom)
}

/// A fresh copy of the Python ranking `obj` for one platform and replicate.
fn build(
    obj: &Py<PyAny>,
    s: &RankingSetup<'_>,
    observes: bool,
    origin: &Arc<Origin>,
) -> Result<PyRanking, ArenaError> {
    let (n, positions) = (s.n_items(), s.bias.positions());
    Python::attach(|py| PyRanking::build(py, obj, n, positions, observes, Arc::clone(origin)))
        .map_err(|e| {
            let what = "could not be set up (copy.deepcopy, then its rank and observe methods)";
            let message = format!("{} {what}: {e}", origin.label);
            origin.ctx.fail(origin, None, what, Some(e));
            ArenaError::invalid(origin.field.to_string(), message)
        })
}

/// `runs` whole replicates of the arena `spec` (JSON) with the Python `rankings` (one after
/// the other, GIL held), through the one executor: the long columns of `run_arena` (`run,
/// step, platform, measure, value`); with `out`, the run folder of `marketloop arena --out`,
/// resumable.
#[pyfunction]
#[pyo3(signature = (spec, rankings, seed, runs, out=None, resume=false, progress=None))]
#[allow(clippy::too_many_arguments)] // the Python keyword arguments
pub fn run_arena_plugins(
    py: Python<'_>,
    spec: &str,
    rankings: RankingPlugins,
    seed: u64,
    runs: u64,
    out: Option<PathBuf>,
    resume: bool,
    progress: Option<Py<PyAny>>,
) -> PyResult<Columns> {
    let ctx = Arc::new(Context::default());
    let e = ArenaExperiment::new(resolve_with(spec, rankings, &ctx)?, None);
    let plan = Plan::new(seed, runs);
    let summary = exec(py, &e, Some(&ctx), plan, None, out, resume, progress)?;
    columns_to_py(py, &e.table(&summary).map_err(py_err)?)
}

/// A started arena replicate of either choice rule.
enum ArenaRunAny {
    Logit(ArenaRun<'static, MultinomialLogit>),
    First(ArenaRun<'static, FirstPosition>),
}

/// Calls `$body` with `$r` bound to the run inside an [`ArenaRunAny`].
macro_rules! each_run {
    ($run:expr, $r:ident => $body:expr) => {
        match $run {
            ArenaRunAny::Logit($r) => $body,
            ArenaRunAny::First($r) => $body,
        }
    };
}

/// One started arena replicate, stepped from Python (`step(n)`, `state()`); its platforms may
/// rank by Python rankings. Stepping to the horizon gives the same numbers as `run_arena` (or
/// `run_arena_plugins`) for the same seed and replicate.
#[pyclass(name = "PyArenaRun", module = "marketloop._core")]
pub struct PyArenaRun {
    /// Behind a lock: a Python ranking is `Send` but not `Sync`.
    run: Mutex<ArenaRunAny>,
    names: Vec<String>,
    ctx: Arc<Context>,
    replicate: u64,
    plugins: bool,
}

fn arena_state<C: ArenaChoice>(run: &ArenaRun<'static, C>, names: &[String]) -> serde_json::Value {
    let t = run.current_step();
    let platforms: Vec<serde_json::Value> = names
        .iter()
        .enumerate()
        .map(|(p, name)| {
            let pl = run.platform(p);
            serde_json::json!({
                "name": name,
                "users": pl.chosen(),
                "purchases": pl.bought(),
                "share": if t == 0 { 0.0 } else { pl.chosen() as f64 / t as f64 },
                "reputation": pl.overall_reputation().value(),
                "regret": pl.regret(),
                "counts": pl.state().counts(),
                "entropy": pl.state().entropy(),
            })
        })
        .collect();
    serde_json::json!({
        "step": t,
        "finished": run.is_finished(),
        "platforms": platforms,
    })
}

impl PyArenaRun {
    fn run(&self) -> PyResult<MutexGuard<'_, ArenaRunAny>> {
        self.run.lock().map_err(|_| {
            crate::MarketloopError::new_err("this run failed earlier and cannot be used")
        })
    }

    /// The failure of a Python ranking (with its exception as the cause), else the run's own
    /// error (a wrong order from a ranking), as a `MarketloopError`.
    fn check(
        ctx: &Context,
        py: Python<'_>,
        replicate: u64,
        run: Option<ArenaError>,
    ) -> PyResult<()> {
        if let Some(e) = ctx.error(&format!("replicate {replicate}")) {
            return Err(ctx.to_py(py, e));
        }
        match run {
            Some(e) => Err(py_err(arena_error(e))),
            None => Ok(()),
        }
    }
}

#[pymethods]
impl PyArenaRun {
    /// Starts replicate `replicate` of the arena `spec` (JSON) under master seed `seed`, the
    /// platforms in `rankings` ranking by Python rankings.
    #[new]
    #[pyo3(signature = (spec, seed, replicate, rankings=Vec::new()))]
    fn new(
        py: Python<'_>,
        spec: &str,
        seed: u64,
        replicate: u64,
        rankings: RankingPlugins,
    ) -> PyResult<Self> {
        let ctx = Arc::new(Context::default());
        let plugins = !rankings.is_empty();
        let r = resolve_with(spec, rankings, &ctx)?;
        let names = r.arena.platform_names();
        let seeds = SeedSequence::new(seed);
        let run = match r.arena {
            ArenaModel::Logit(a) => {
                ArenaRun::new(Cow::Owned(a), seeds, replicate).map(ArenaRunAny::Logit)
            }
            ArenaModel::FirstPosition(a) => {
                ArenaRun::new(Cow::Owned(a), seeds, replicate).map(ArenaRunAny::First)
            }
        };
        let run = match run {
            Ok(run) => run,
            Err(e) => return Err(Self::check(&ctx, py, replicate, Some(e)).unwrap_err()),
        };
        let error = each_run!(&run, r => r.error());
        Self::check(&ctx, py, replicate, error)?;
        Ok(PyArenaRun {
            run: Mutex::new(run),
            names,
            ctx,
            replicate,
            plugins,
        })
    }

    /// Advances up to `n` users (never past the horizon; the GIL released unless a platform
    /// ranks by a Python ranking); returns the steps taken.
    fn step(&self, py: Python<'_>, n: u64) -> PyResult<u64> {
        let mut run = self.run()?;
        let run = &mut *run;
        let taken = if self.plugins {
            each_run!(run, r => r.step(n))
        } else {
            py.detach(|| each_run!(run, r => r.step(n)))
        };
        let error = each_run!(run, r => r.error());
        Self::check(&self.ctx, py, self.replicate, error)?;
        Ok(taken)
    }

    /// The state now as JSON: the step, and per platform its users, purchases, share,
    /// reputation, regret, counts and entropy.
    fn state(&self) -> PyResult<String> {
        let run = self.run()?;
        Ok(each_run!(&*run, r => arena_state(r, &self.names)).to_string())
    }

    /// The measurements so far as JSON (the replicate as the run folder saves it).
    fn trajectory(&self) -> PyResult<String> {
        let run = self.run()?;
        let t = each_run!(&*run, r => r.trajectory());
        serde_json::to_string(&t).map_err(|e| json_err("arena trajectory", e))
    }
}
