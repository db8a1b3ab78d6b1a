//! A sweep's run folder, written the same way for every front end (the CLI's `marketloop sweep
//! --out DIR` and Python's `marketloop.sweep(..., out=DIR)`): `run.json` and the marker first,
//! each finished cell under `cells/` as it completes (resume), `results.{csv,parquet}`, the
//! sweep report (per-cell summary and a figure per swept parameter) and `manifest.json` last.

use crate::manifest::Manifest;
use crate::sweep::{admit, run_sweep_local, CellRunner, SweepSpec};
use crate::sweep_report::write_sweep_report;
use crate::table::Table;
use crate::{IoError, RunDir};
use serde_json::json;
use std::path::Path;
use std::time::Instant;

/// A finished sweep written to its folder.
#[derive(Debug)]
pub struct SweepRun {
    /// The long table of every cell (`results.csv`).
    pub results: Table,
    /// The number of cells.
    pub cells: usize,
    /// Seconds spent on the cells (computed or loaded).
    pub cell_seconds: f64,
}

/// Runs `sweep` into the run folder `out`. `source` is the sweep file, if there is one, and
/// `base` the folder its file references are relative to (both recorded in the manifest);
/// `on_cell` is called with the number of finished cells. Every cell is validated and its
/// memory estimated before the folder is created; `resume` continues an interrupted sweep
/// (see [`RunDir::open`]).
pub fn run_sweep_in(
    sweep: &SweepSpec,
    runner: &dyn CellRunner,
    source: Option<&Path>,
    base: &Path,
    out: &Path,
    resume: bool,
    on_cell: &(dyn Fn(usize) + Sync),
) -> Result<SweepRun, IoError> {
    let cells = sweep.cells()?;
    admit(sweep, &cells, runner)?;
    let config = json!({
        "sweep_file": source,
        "kind": sweep.kind,
        "runs": sweep.runs,
        "spec": sweep.spec,
        "grid": sweep.grid,
        "base": base,
        "cells": cells.len(),
    });
    let mut dir = RunDir::open(out, Manifest::new("sweep", sweep.seed, config), resume)?;
    let start = Instant::now();
    let results = run_sweep_local(sweep, runner, Some(dir.root()), on_cell)?;
    let cell_seconds = start.elapsed().as_secs_f64();
    dir.manifest_mut()
        .timings
        .insert("cells".into(), cell_seconds);
    dir.write_table("results", &results)?;
    write_sweep_report(&mut dir, sweep, &results)?;
    dir.manifest_mut()
        .timings
        .insert("total".into(), start.elapsed().as_secs_f64());
    dir.finish()?;
    Ok(SweepRun {
        results,
        cells: cells.len(),
        cell_seconds,
    })
}
