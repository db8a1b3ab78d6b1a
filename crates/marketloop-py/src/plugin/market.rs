//! Python plug-ins in the trial-offer market: a user's ranking ([`PyRanking`], the engine's
//! [`RankingPolicy`]), measurements ([`PyObserver`], the engine's [`Observer`]), and
//! step-by-step control of one replicate ([`PyMarketRun`], `Market.start`), on the engine's
//! own [`Run`]: stepping to T gives exactly `Market.simulate`'s numbers. A user's choice rule
//! ([`PyChoice`](super::choice::PyChoice), the engine's `ChoiceModel`) replaces the logit under
//! the market's visibility or ranking, or under a Python ranking.
//!
//! A Python ranking draws from its own stream, seeded at the start of each replicate by one
//! draw from the replicate's `Ranking` stream (the stream a built-in ranking draws from), so it
//! is as reproducible as a built-in; the other streams (arrivals, choices, purchases) are
//! untouched. A ranking that raises or returns a wrong order (not `min(P, n)` distinct items in
//! `0..n`), or an observer that raises or returns a wrong number of values or a NaN, stops the
//! run with a `MarketloopError` naming the plug-in, the step and the replicate.

use super::bandit::deepcopy;
use super::choice::PyChoice;
use super::exec;
use super::observer::call_observer;
use super::{Context, Origin};
use crate::convert::{columns_to_py, int_array, py_err, Columns};
use crate::rng::PyRng;
use crate::{MarketloopError, PyMarket};
use marketloop_core::market::ranking::OrderCheck;
use marketloop_core::market::{
    BoxedObserver, BuiltinSampler, CountState, DynRankingPolicy, Market, Observations, Observer,
    PlatformState, PositionBias, Ranked, RankingPolicy, Run, RunView, Simulation, StepOutcome,
    Trajectory, TrialSampler, Visibility,
};
use marketloop_core::rng::{PortableRng, SeedSequence};
use marketloop_io::experiment::simulate::trajectories_table;
use marketloop_io::experiment::{Experiment, MarketPlugins, MarketReplicate, MarketSimulate, Plan};
use marketloop_io::table::{Column, Table};
use marketloop_io::IoError;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use rand::SeedableRng;
use std::borrow::Cow;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};

/// A Python ranking (`marketloop.RankingPolicy`: `reset(n_items, positions)`,
/// `rank(user_type, counts, step, rng)` -> the items at positions 1..min(P, n), optionally
/// `observe(user_type, tried, bought, step)`): the market's [`RankingPolicy`] and, on an arena
/// platform, a [`DynRankingPolicy`] (through which the platform drives it with its `Ranking`
/// stream: the same calls, the same draws).
pub struct PyRanking {
    obj: Py<PyAny>,
    rank: Py<PyAny>,
    observe: Option<Py<PyAny>>,
    rng: Py<PyRng>,
    own: PortableRng,
    /// The check of every order `rank` returns (n items, k = min(P, n) positions).
    check: OrderCheck,
    shown: Vec<u32>,
    origin: Arc<Origin>,
    step: u64,
}

impl PyRanking {
    /// A fresh copy of `template` for a market of `n` items and `p` positions.
    pub fn build(
        py: Python<'_>,
        template: &Py<PyAny>,
        n: usize,
        p: usize,
        observes: bool,
        origin: Arc<Origin>,
    ) -> PyResult<Self> {
        let obj = deepcopy(template.bind(py))?;
        Self::bind(obj, observes, OrderCheck::new(n, p), origin)
    }

    /// The ranking of `obj` (already a copy), its methods looked up once.
    fn bind(
        obj: Bound<'_, PyAny>,
        observes: bool,
        check: OrderCheck,
        origin: Arc<Origin>,
    ) -> PyResult<Self> {
        let py = obj.py();
        Ok(PyRanking {
            rank: obj.getattr("rank")?.unbind(),
            observe: if observes {
                Some(obj.getattr("observe")?.unbind())
            } else {
                None
            },
            obj: obj.unbind(),
            rng: Py::new(py, PyRng::lendable())?,
            own: PortableRng::seed_from_u64(0),
            shown: (0..check.k() as u32).collect(),
            check,
            origin,
            step: 0,
        })
    }

    fn fail(&self, what: String, cause: Option<PyErr>) {
        self.origin
            .ctx
            .fail(&self.origin, Some(self.step), &what, cause);
    }

    /// Checks an order ([`OrderCheck`]: `k` distinct items in `0..n`) and keeps it.
    fn accept(&mut self, v: &Bound<'_, PyAny>) -> Result<(), String> {
        let items: Vec<i64> = v.extract().map_err(|_| {
            format!(
                "rank returned {}, not a sequence of {} item indices",
                v.repr().map(|r| r.to_string()).unwrap_or_default(),
                self.check.k()
            )
        })?;
        self.check.check(&items)?;
        for (s, &j) in self.shown.iter_mut().zip(&items) {
            *s = j as u32;
        }
        Ok(())
    }
}

impl RankingPolicy for PyRanking {
    fn reset<R: rand::Rng + ?Sized>(&mut self, _counts: &[u64], rng: &mut R) {
        // The plug-in's own stream: one draw from the replicate's Ranking stream.
        self.own = PortableRng::seed_from_u64(rng.next_u64());
        self.step = 0;
        if self.origin.ctx.failed() {
            return;
        }
        let (n, k) = (self.check.n(), self.check.k());
        Python::attach(|py| {
            if let Err(e) = self.obj.bind(py).call_method1("reset", (n, k)) {
                self.fail("reset(n_items, positions) raised".into(), Some(e));
            }
        });
    }

    fn shown<R: rand::Rng + ?Sized>(&mut self, _user_type: usize, _rng: &mut R) -> &[u32] {
        &self.shown
    }

    fn on_purchase<R: rand::Rng + ?Sized>(&mut self, _: usize, _: &[u64], _: &mut R) {}

    fn is_static(&self) -> bool {
        false
    }

    fn rank<R: rand::Rng + ?Sized>(&mut self, platform: &PlatformState<'_>, _: &mut R) -> &[u32] {
        self.step = platform.step + 1;
        if self.origin.ctx.failed() {
            return &self.shown;
        }
        Python::attach(|py| {
            let counts = match int_array(py, platform.counts()) {
                Ok(c) => c,
                Err(e) => return self.fail("could not pass the counts".into(), Some(e)),
            };
            let cell = self.rng.bind(py).clone();
            let (rank, mut own) = (self.rank.clone_ref(py), self.own.clone());
            let got = PyRng::lend(&cell, &mut own, || {
                rank.call1(
                    py,
                    (platform.user_type, counts, platform.step, cell.clone()),
                )
            });
            self.own = own;
            match got {
                Err(e) => self.fail("could not lend its Rng".into(), Some(e)),
                Ok(Err(e)) => self.fail("rank raised".into(), Some(e)),
                Ok(Ok(v)) => {
                    if let Err(what) = self.accept(v.bind(py)) {
                        self.fail(what, None);
                    }
                }
            }
        });
        if self.origin.ctx.failed() {
            self.shown
                .iter_mut()
                .enumerate()
                .for_each(|(i, s)| *s = i as u32);
        }
        &self.shown
    }

    fn observe<R: rand::Rng + ?Sized>(
        &mut self,
        step: u64,
        outcome: &StepOutcome,
        _: &CountState,
        _: &mut R,
    ) {
        let Some(observe) = &self.observe else {
            return;
        };
        if self.origin.ctx.failed() {
            return;
        }
        Python::attach(|py| {
            let args = (outcome.user_type, outcome.tried, outcome.bought, step);
            if let Err(e) = observe.call1(py, args) {
                self.fail("observe raised".into(), Some(e));
            }
        });
    }
}

impl DynRankingPolicy for PyRanking {
    fn dyn_reset(&mut self, counts: &[u64], rng: &mut PortableRng) {
        RankingPolicy::reset(self, counts, rng)
    }

    fn dyn_rank(&mut self, platform: &PlatformState<'_>, rng: &mut PortableRng) -> &[u32] {
        RankingPolicy::rank(self, platform, rng)
    }

    fn dyn_on_purchase(&mut self, _: usize, _: &[u64], _: &mut PortableRng) {}

    fn dyn_observe(
        &mut self,
        step: u64,
        outcome: &StepOutcome,
        state: &CountState,
        rng: &mut PortableRng,
    ) {
        RankingPolicy::observe(self, step, outcome, state, rng)
    }

    fn dyn_is_static(&self) -> bool {
        false
    }

    /// A deep copy of the Python object in the same state (its own stream included).
    fn dyn_clone(&self) -> Box<dyn DynRankingPolicy> {
        Python::attach(|py| {
            let observes = self.observe.is_some();
            let copy = deepcopy(self.obj.bind(py))
                .and_then(|obj| Self::bind(obj, observes, self.check.clone(), self.origin.clone()));
            let copy = match copy {
                Ok(c) => c,
                Err(e) => {
                    self.fail("could not be copied (copy.deepcopy)".into(), Some(e));
                    // Inert from now on (the run has failed): share the object.
                    PyRanking {
                        obj: self.obj.clone_ref(py),
                        rank: self.rank.clone_ref(py),
                        observe: self.observe.as_ref().map(|o| o.clone_ref(py)),
                        rng: self.rng.clone_ref(py),
                        own: self.own.clone(),
                        check: self.check.clone(),
                        shown: self.shown.clone(),
                        origin: self.origin.clone(),
                        step: self.step,
                    }
                }
            };
            Box::new(PyRanking {
                own: self.own.clone(),
                shown: self.shown.clone(),
                step: self.step,
                ..copy
            }) as Box<dyn DynRankingPolicy>
        })
    }

    /// A plug-in of the run failed (this one or another): the arena stops; the run's
    /// [`Context`](super::Context) holds what happened.
    fn dyn_fault(&self) -> Option<String> {
        self.origin
            .ctx
            .failed()
            .then(|| "a Python plug-in of the run failed".to_string())
    }
}

/// A Python measurement: column names and `f(view) -> values` (one per name), called at each
/// measurement step with a dict `step, replicate, counts, trials, purchases, efficiency,
/// entropy`.
pub struct PyObserver {
    names: Vec<String>,
    f: Py<PyAny>,
    origin: Arc<Origin>,
}

impl Observer for PyObserver {
    fn names(&self, _: &Market) -> Vec<String> {
        self.names.clone()
    }

    fn observe(&mut self, view: &RunView<'_>, out: &mut [f64]) {
        out.iter_mut().for_each(|o| *o = 0.0);
        if self.origin.ctx.failed() {
            return;
        }
        let fail = |what: String, cause| {
            self.origin
                .ctx
                .fail(&self.origin, Some(view.step), &what, cause)
        };
        Python::attach(|py| {
            let d = PyDict::new(py);
            let s = view.state;
            let filled = (|| -> PyResult<()> {
                d.set_item("step", view.step)?;
                d.set_item("replicate", view.replicate)?;
                d.set_item("counts", int_array(py, s.counts())?)?;
                d.set_item("trials", int_array(py, s.trials())?)?;
                d.set_item("purchases", s.purchases())?;
                d.set_item("efficiency", s.efficiency())?;
                d.set_item("entropy", s.entropy())?;
                Ok(())
            })();
            if let Err(e) = filled {
                return fail("could not be handed the state".into(), Some(e));
            }
            if let Err((what, cause)) = call_observer(py, &self.f, d, &self.names, out) {
                fail(what, cause);
            }
        });
    }
}

/// The plug-ins of a market run (a ranking replacing the market's, under a position bias, and
/// observers) and the run's failure record: how each replicate is started, for `Market.start`
/// and, as the io layer's [`MarketPlugins`], for whole runs with `out=`, resume and sweeps.
pub struct MarketArgs {
    /// The ranking plug-in (object, name, has observe) and its position bias.
    ranking: Option<(Py<PyAny>, String, bool, PositionBias)>,
    observers: ObserverArgs,
    /// The choice rule plug-in (object, name).
    choice: ChoiceArg,
    ctx: Arc<Context>,
}

/// A step-by-step run: the simulation and the plug-ins (`Market.start`).
struct Parts {
    sim: Simulation,
    args: MarketArgs,
}

/// The run's sampler: the market's built-in one, or a Python ranking under a position bias;
/// each under the logit or a Python choice rule.
enum AnyRun<'m> {
    Builtin(Run<'m, BuiltinSampler>),
    Ranked(Run<'m, Ranked<PyRanking>>),
    BuiltinChoice(Run<'m, BuiltinSampler<PyChoice>>),
    RankedChoice(Run<'m, Ranked<PyRanking, PyChoice>>),
}

/// Calls `$body` with `$r` bound to the run inside an [`AnyRun`].
macro_rules! each_run {
    ($run:expr, $r:ident => $body:expr) => {
        match $run {
            AnyRun::Builtin($r) => $body,
            AnyRun::Ranked($r) => $body,
            AnyRun::BuiltinChoice($r) => $body,
            AnyRun::RankedChoice($r) => $body,
        }
    };
}

impl MarketArgs {
    /// The plug-ins for runs of `sim`, reporting failures to `ctx`.
    pub fn new(
        sim: &Simulation,
        ranking: RankingArg,
        observers: ObserverArgs,
        choice: ChoiceArg,
        ctx: Arc<Context>,
    ) -> PyResult<Self> {
        let ranking = match ranking {
            None => None,
            Some((obj, name, observes, bias)) => {
                let bias = match (bias, sim.visibility()) {
                    (Some(w), _) => PositionBias::new(w).map_err(|e| py_err(IoError::from(e)))?,
                    (None, Visibility::Ranked { bias, .. }) => bias.clone(),
                    (None, Visibility::Static) => {
                        return Err(MarketloopError::new_err(format!(
                            "ranking plug-in {name:?} needs a position bias: give the ranking \
                             a position_bias (a list of weights, one per position) or the \
                             market a ranking with one"
                        )))
                    }
                };
                Some((obj, name, observes, bias))
            }
        };
        Ok(MarketArgs {
            ranking,
            observers,
            choice,
            ctx,
        })
    }

    fn origin(&self, label: String, field: &'static str) -> Arc<Origin> {
        Arc::new(Origin {
            label,
            field: field.into(),
            ctx: Arc::clone(&self.ctx),
        })
    }

    /// Starts replicate `r` (master seed `seeds`) of `sim` on `market` (the simulation's,
    /// borrowed or owned): its own copies of the plug-ins.
    fn start<'m>(
        &self,
        py: Python<'_>,
        sim: &Simulation,
        market: Cow<'m, Market>,
        seeds: SeedSequence,
        r: u64,
    ) -> PyResult<AnyRun<'m>> {
        let bias = match (&self.ranking, sim.visibility()) {
            (Some((.., bias)), _) => Some(bias),
            (None, Visibility::Ranked { bias, .. }) => Some(bias),
            (None, Visibility::Static) => None,
        };
        let choice = match &self.choice {
            None => None,
            Some((obj, name)) => {
                let origin = self.origin(format!("choice rule {name:?}"), "choice");
                let factors = bias.map(|b| b.weights());
                match PyChoice::build(py, obj, sim.market(), factors, Arc::clone(&origin)) {
                    Ok(c) => Some(c),
                    Err(e) => {
                        let what = "reset(visibility, position_factors, feedback) raised";
                        self.ctx.fail(&origin, None, what, Some(e));
                        return Err(MarketloopError::new_err(format!(
                            "choice rule {name:?} could not be reset"
                        )));
                    }
                }
            }
        };
        let mut run = match (&self.ranking, choice) {
            (None, None) => AnyRun::Builtin(new_run(sim, market, sim.sampler(), seeds, r)?),
            (None, Some(c)) => {
                AnyRun::BuiltinChoice(new_run(sim, market, sim.sampler_with(c), seeds, r)?)
            }
            (Some((obj, name, observes, bias)), c) => {
                let origin = self.origin(format!("ranking {name:?}"), "ranking");
                let n = sim.market().n_items();
                let p = PyRanking::build(py, obj, n, bias.positions(), *observes, origin)?;
                match c {
                    None => AnyRun::Ranked(new_run(sim, market, sim.ranked(p, bias), seeds, r)?),
                    Some(c) => {
                        let sampler = Ranked::with_choice(p, bias, c);
                        AnyRun::RankedChoice(new_run(sim, market, sampler, seeds, r)?)
                    }
                }
            }
        };
        for (names, f, label) in &self.observers {
            let o: BoxedObserver<'m> = Box::new(PyObserver {
                names: names.clone(),
                f: deepcopy(f.bind(py))?.unbind(),
                origin: self.origin(format!("observer {label:?}"), "observers"),
            });
            let added = each_run!(&mut run, x => x.add_observer(o));
            added.map_err(|e| py_err(IoError::from(e)))?;
        }
        Ok(run)
    }

    /// The failure of a plug-in (if any) as a `MarketloopError` of replicate `r`.
    fn check(&self, py: Python<'_>, r: u64) -> PyResult<()> {
        match self.ctx.error(&format!("replicate {r}")) {
            Some(e) => Err(self.ctx.to_py(py, e)),
            None => Ok(()),
        }
    }

    /// The number of built-in measurement columns of `sim` (efficiency, entropy, the shares).
    fn builtin_columns(sim: &Simulation) -> usize {
        2 + if sim.record_shares() {
            sim.market().n_items()
        } else {
            0
        }
    }
}

/// A run of `sim`'s schedule on `market` with `sampler`.
fn new_run<'m, S: TrialSampler>(
    sim: &Simulation,
    market: Cow<'m, Market>,
    sampler: S,
    seeds: SeedSequence,
    r: u64,
) -> PyResult<Run<'m, S>> {
    Run::new(
        market,
        sampler,
        seeds,
        r,
        sim.steps(),
        sim.every(),
        sim.record_shares(),
    )
    .map_err(|e| py_err(IoError::from(e)))
}

impl MarketPlugins for MarketArgs {
    fn describe(&self) -> serde_json::Value {
        let observers: Vec<&String> = self.observers.iter().map(|(_, _, l)| l).collect();
        serde_json::json!({
            "ranking": self.ranking.as_ref().map(|(_, name, _, bias)| serde_json::json!({
                "name": name,
                "position_bias": bias.weights(),
            })),
            "observers": observers,
            "observer_columns": self.observer_names(),
            "choice": self.choice.as_ref().map(|(_, name)| name),
        })
    }

    fn observer_names(&self) -> Vec<String> {
        self.observers
            .iter()
            .flat_map(|(names, _, _)| names.iter().cloned())
            .collect()
    }

    fn ranking_name(&self) -> Option<String> {
        self.ranking.as_ref().map(|(_, name, _, _)| name.clone())
    }

    fn replicate(
        &self,
        sim: &Simulation,
        seeds: SeedSequence,
        r: u64,
    ) -> Result<MarketReplicate, IoError> {
        Python::attach(|py| {
            let started = self.start(py, sim, Cow::Borrowed(sim.market()), seeds, r);
            let mut run = match started {
                Ok(run) => run,
                Err(e) => {
                    // Could not copy a plug-in: recorded like any other plug-in failure.
                    let origin = self.origin("a plug-in".into(), "ranking");
                    self.ctx.fail(&origin, None, "could not be set up", Some(e));
                    return Err(IoError::spec("ranking", "a plug-in could not be set up"));
                }
            };
            run.step(sim.steps());
            let builtin = Self::builtin_columns(sim);
            let (trajectory, obs) = run.finish();
            let observed = if self.observers.is_empty() {
                Vec::new()
            } else {
                (0..obs.len())
                    .map(|k| obs.row(k)[builtin..].to_vec())
                    .collect()
            };
            Ok(MarketReplicate {
                trajectory,
                observed,
            })
        })
    }
}

/// A market's plug-ins as `Market.simulate` takes them: the ranking, the observers and the
/// choice rule.
pub type PluginArgs = (RankingArg, ObserverArgs, ChoiceArg);

/// A copy of the plug-in arguments (new references to the same Python objects).
pub fn clone_args(py: Python<'_>, args: &PluginArgs) -> PluginArgs {
    let (ranking, observers, choice) = args;
    let ranking = ranking
        .as_ref()
        .map(|(o, n, obs, b)| (o.clone_ref(py), n.clone(), *obs, b.clone()));
    let observers = observers
        .iter()
        .map(|(names, f, l)| (names.clone(), f.clone_ref(py), l.clone()))
        .collect();
    let choice = choice.as_ref().map(|(o, n)| (o.clone_ref(py), n.clone()));
    (ranking, observers, choice)
}

impl Parts {
    fn new(
        market: &PyMarket,
        steps: u64,
        every: u64,
        shares: bool,
        ranking: RankingArg,
        observers: ObserverArgs,
        choice: ChoiceArg,
    ) -> PyResult<Self> {
        let r = &market.resolved;
        let sim = Simulation::new(r.market.clone(), r.visibility.clone(), steps, every, shares)
            .map_err(|e| py_err(IoError::from(e)))?;
        let ctx = Arc::new(Context::default());
        let args = MarketArgs::new(&sim, ranking, observers, choice, ctx)?;
        Ok(Parts { sim, args })
    }

    /// Starts replicate `r` (master seed `seed`) with its own copy of the market; a plug-in
    /// that failed while being set up is reported with its exception as the cause.
    fn start(&self, py: Python<'_>, seed: u64, r: u64) -> PyResult<AnyRun<'static>> {
        let market = Cow::Owned(self.sim.market().clone());
        self.args
            .start(py, &self.sim, market, SeedSequence::new(seed), r)
            .map_err(|e| self.check(py, r).err().unwrap_or(e))
    }

    fn check(&self, py: Python<'_>, r: u64) -> PyResult<()> {
        self.args.check(py, r)
    }
}

impl AnyRun<'_> {
    fn step(&mut self, n: u64) -> u64 {
        each_run!(self, r => r.step(n))
    }

    fn state(&self) -> (&CountState, u64) {
        each_run!(self, r => (r.state(), r.horizon()))
    }

    fn trajectory(&self) -> Trajectory {
        each_run!(self, r => r.trajectory())
    }

    fn observations(&self) -> &Observations {
        each_run!(self, r => r.observations())
    }

    fn finish(self) -> (Trajectory, Observations) {
        each_run!(self, r => r.finish())
    }
}

/// The rows of `runs` as `Market.simulate` gives them, then the observers' columns.
fn measurements(parts: &Parts, runs: &[&AnyRun<'_>]) -> Result<Table, IoError> {
    let trajectories: Vec<Trajectory> = runs.iter().map(|r| r.trajectory()).collect();
    let mut t = trajectories_table(&parts.sim, parts.sim.record_shares(), &trajectories)?;
    let builtin = MarketArgs::builtin_columns(&parts.sim);
    if let Some(first) = runs.first() {
        let names = first.observations().names().to_vec();
        for (c, name) in names.iter().enumerate().skip(builtin) {
            let col: Vec<f64> = runs
                .iter()
                .flat_map(|r| {
                    let obs = r.observations();
                    (0..obs.len())
                        .map(move |k| obs.row(k)[c])
                        .collect::<Vec<_>>()
                })
                .collect();
            t.push(name, Column::F64(col))?;
        }
    }
    Ok(t)
}

/// `(name, object, has observe, position bias)` of a ranking plug-in.
pub type RankingArg = Option<(Py<PyAny>, String, bool, Option<Vec<f64>>)>;
/// `(names, callable, label)` of each observer plug-in.
pub type ObserverArgs = Vec<(Vec<String>, Py<PyAny>, String)>;
/// `(object, name)` of a choice rule plug-in.
pub type ChoiceArg = Option<(Py<PyAny>, String)>;

/// One started replicate of a market, stepped from Python (`Market.start`).
#[pyclass(name = "PyMarketRun", module = "marketloop._core")]
pub struct PyMarketRun {
    parts: Parts,
    /// Behind a lock: a run's observers are `Send` but not `Sync`.
    run: Mutex<AnyRun<'static>>,
    replicate: u64,
}

impl PyMarketRun {
    fn run(&self) -> PyResult<MutexGuard<'_, AnyRun<'static>>> {
        self.run
            .lock()
            .map_err(|_| MarketloopError::new_err("this run failed earlier and cannot be used"))
    }
}

#[pymethods]
impl PyMarketRun {
    /// Starts replicate `replicate` of `market` (master seed `seed`) with the plug-ins given.
    #[new]
    #[pyo3(signature = (market, steps, every, shares, seed, replicate, ranking=None, observers=Vec::new(), choice=None))]
    #[allow(clippy::too_many_arguments)] // the Python keyword arguments
    fn new(
        py: Python<'_>,
        market: &PyMarket,
        steps: u64,
        every: u64,
        shares: bool,
        seed: u64,
        replicate: u64,
        ranking: RankingArg,
        observers: ObserverArgs,
        choice: ChoiceArg,
    ) -> PyResult<Self> {
        let parts = Parts::new(market, steps, every, shares, ranking, observers, choice)?;
        let run = parts.start(py, seed, replicate)?;
        parts.check(py, replicate)?;
        Ok(PyMarketRun {
            parts,
            run: Mutex::new(run),
            replicate,
        })
    }

    /// Advances up to `n` users (never past the horizon); returns how many arrived.
    fn step(&mut self, py: Python<'_>, n: u64) -> PyResult<u64> {
        let done = self.run()?.step(n);
        self.parts.check(py, self.replicate)?;
        Ok(done)
    }

    /// The state now: step, horizon, counts, shares, trials, purchases, idle users,
    /// efficiency, entropy.
    fn state<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let run = self.run()?;
        let (s, horizon) = run.state();
        let d = PyDict::new(py);
        d.set_item("step", s.arrivals())?;
        d.set_item("horizon", horizon)?;
        d.set_item("counts", int_array(py, s.counts())?)?;
        d.set_item("shares", s.shares())?;
        d.set_item("trials", int_array(py, s.trials())?)?;
        d.set_item("purchases", s.purchases())?;
        d.set_item("idle", s.idle())?;
        d.set_item("efficiency", s.efficiency())?;
        d.set_item("entropy", s.entropy())?;
        Ok(d)
    }

    /// The measurements so far: `Market.simulate`'s columns, then the observers'.
    fn measurements(&self, py: Python<'_>) -> PyResult<Columns> {
        let run = self.run()?;
        columns_to_py(py, &measurements(&self.parts, &[&*run]).map_err(py_err)?)
    }
}

/// `runs` whole replicates with the plug-ins (one after the other, GIL held), through the one
/// executor: the columns of `Market.simulate`, then the observers'; with `out`, the run folder
/// of `marketloop market simulate --out`, resumable.
#[pyfunction]
#[pyo3(signature = (market, steps, every, shares, seed, runs, ranking=None, observers=Vec::new(), choice=None, out=None, resume=false, progress=None))]
#[allow(clippy::too_many_arguments)] // the Python keyword arguments
pub fn simulate_plugins(
    py: Python<'_>,
    market: &PyMarket,
    steps: u64,
    every: u64,
    shares: bool,
    seed: u64,
    runs: u64,
    ranking: RankingArg,
    observers: ObserverArgs,
    choice: ChoiceArg,
    out: Option<PathBuf>,
    resume: bool,
    progress: Option<Py<PyAny>>,
) -> PyResult<Columns> {
    if runs == 0 {
        return Err(MarketloopError::new_err(
            "runs = 0: at least 1 run is needed",
        ));
    }
    let e = MarketSimulate::new(
        market.resolved.clone(),
        market.source.clone(),
        steps,
        every,
        shares,
    )
    .map_err(py_err)?;
    let ctx = Arc::new(Context::default());
    let args = MarketArgs::new(e.simulation(), ranking, observers, choice, Arc::clone(&ctx))?;
    let e = e.with_plugins(Arc::new(args));
    let summary = exec(
        py,
        &e,
        Some(&ctx),
        Plan::new(seed, runs),
        None,
        out,
        resume,
        progress,
    )?;
    columns_to_py(py, &e.table(&summary).map_err(py_err)?)
}
