//! Python bindings of marketloop: the `marketloop._core` extension module.
//!
//! The module is deliberately small: specs travel as JSON text (the Python layer builds them
//! from keyword arguments and numpy arrays), results come back as typed columns (`f64`/`i64` as
//! little-endian bytes for zero-parse numpy views, text as lists), and every call that simulates
//! releases the GIL and runs on the engine's own threads. The same library functions serve the
//! CLI, so the numbers are identical for the same spec and seed.
#![deny(missing_docs)]

mod convert;

use convert::{columns_from_py, columns_to_py, py_err, Columns};
use marketloop_io::experiment::Experiments;
use marketloop_io::sweep::{self, Cell, SweepSpec};
use pyo3::prelude::*;

pyo3::create_exception!(
    _core,
    MarketloopError,
    pyo3::exceptions::PyValueError,
    "Bad input to marketloop: the message names the field, the value and what is allowed."
);

fn parse_sweep(text: &str) -> PyResult<SweepSpec> {
    let s: SweepSpec = serde_json::from_str(text)
        .map_err(|e| MarketloopError::new_err(format!("sweep spec: {e}")))?;
    s.validate().map_err(py_err)?;
    Ok(s)
}

fn parse_cell(text: &str) -> PyResult<Cell> {
    serde_json::from_str(text).map_err(|e| MarketloopError::new_err(format!("sweep cell: {e}")))
}

/// The cells of a sweep as JSON (index, params, label, seed, spec).
#[pyfunction]
fn sweep_cells(sweep: &str) -> PyResult<String> {
    let s = parse_sweep(sweep)?;
    let cells = s.cells().map_err(py_err)?;
    serde_json::to_string(&cells).map_err(|e| MarketloopError::new_err(e.to_string()))
}

/// Runs a whole sweep on this machine (GIL released), resuming from `out` if given.
#[pyfunction]
#[pyo3(signature = (sweep, out=None))]
fn run_sweep_local(py: Python<'_>, sweep: &str, out: Option<String>) -> PyResult<Columns> {
    let s = parse_sweep(sweep)?;
    let table = py
        .detach(|| {
            let dir = out.as_deref().map(std::path::Path::new);
            sweep::run_sweep_local(&s, &Experiments, dir, &|_| {})
        })
        .map_err(py_err)?;
    columns_to_py(py, &table)
}

/// Runs one cell of a sweep (GIL released).
#[pyfunction]
fn run_cell(py: Python<'_>, sweep: &str, cell: &str) -> PyResult<Columns> {
    let s = parse_sweep(sweep)?;
    let c = parse_cell(cell)?;
    let table = py
        .detach(|| sweep::run_one_cell(&s.kind, s.runs, &c, &Experiments))
        .map_err(py_err)?;
    columns_to_py(py, &table)
}

/// A cell stored under `out` by an earlier run of the same sweep, if any.
#[pyfunction]
fn load_cell(py: Python<'_>, sweep: &str, cell: &str, out: &str) -> PyResult<Option<Columns>> {
    let s = parse_sweep(sweep)?;
    let c = parse_cell(cell)?;
    match sweep::load_cell(&s, &c, std::path::Path::new(out)).map_err(py_err)? {
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
    sweep::save_cell(&s, &c, &table, std::path::Path::new(out)).map_err(py_err)
}

/// Runs one experiment of `kind` ("market" or "compete") from its JSON spec: `runs`
/// replicates with master seed `seed` (GIL released). Returns the tidy result columns.
#[pyfunction]
fn run_experiment(py: Python<'_>, kind: &str, spec: &str, seed: u64, runs: u64) -> PyResult<Columns> {
    let value: serde_json::Value = serde_json::from_str(spec)
        .map_err(|e| MarketloopError::new_err(format!("{kind} spec: {e}")))?;
    let table = py
        .detach(|| {
            use marketloop_io::sweep::CellRunner;
            Experiments.run_cell(kind, &value, seed, runs)
        })
        .map_err(py_err)?;
    columns_to_py(py, &table)
}

/// Checks a spec of `kind` without running it.
#[pyfunction]
fn validate_spec(kind: &str, spec: &str) -> PyResult<()> {
    let value: serde_json::Value = serde_json::from_str(spec)
        .map_err(|e| MarketloopError::new_err(format!("{kind} spec: {e}")))?;
    marketloop_io::experiment::validate_spec(kind, &value).map_err(py_err)
}

/// The `marketloop._core` module.
#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("MarketloopError", m.py().get_type::<MarketloopError>())?;
    m.add("__version__", marketloop_core::VERSION)?;
    m.add("GENERATOR", marketloop_core::rng::GENERATOR)?;
    m.add_function(wrap_pyfunction!(sweep_cells, m)?)?;
    m.add_function(wrap_pyfunction!(run_sweep_local, m)?)?;
    m.add_function(wrap_pyfunction!(run_cell, m)?)?;
    m.add_function(wrap_pyfunction!(load_cell, m)?)?;
    m.add_function(wrap_pyfunction!(save_cell, m)?)?;
    m.add_function(wrap_pyfunction!(run_experiment, m)?)?;
    m.add_function(wrap_pyfunction!(validate_spec, m)?)?;
    Ok(())
}
