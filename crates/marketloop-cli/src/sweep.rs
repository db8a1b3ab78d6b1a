//! `marketloop sweep SWEEP.toml --out DIR [--resume]`: a parameter grid over any experiment
//! spec (format: `marketloop_io::sweep`), every cell seeded from the master seed and its own
//! parameters, one tidy table `results.{csv,parquet}`. A thin layer over
//! [`marketloop_io::sweep::run_sweep_local`], the same code the Python `marketloop.sweep` runs.

use crate::common::Context;
use anyhow::Context as _;
use marketloop_io::experiment::Experiments;
use marketloop_io::sweep::{admit, run_sweep_local, SweepFile};
use marketloop_io::{Manifest, RunDir};
use serde_json::json;
use std::path::PathBuf;
use std::time::Instant;

/// Arguments of `marketloop sweep`.
#[derive(clap::Args, Debug)]
pub struct SweepArgs {
    /// The sweep TOML: kind, runs, seed, the base spec (`spec_file` and/or `[spec]`) and `[grid]`.
    pub sweep: PathBuf,
    /// Output folder (must not exist or be empty, unless --resume).
    #[arg(long)]
    pub out: PathBuf,
    /// Continue an interrupted sweep in --out, reusing its finished cells.
    #[arg(long)]
    pub resume: bool,
}

/// Runs the command.
pub fn run(a: SweepArgs, ctx: &Context) -> anyhow::Result<()> {
    // Validate every cell before the output folder is created.
    let file = SweepFile::load(&a.sweep)
        .with_context(|| format!("cannot use sweep file {}", a.sweep.display()))?;
    let s = &file.sweep;
    let cells = s
        .cells()
        .with_context(|| format!("sweep file {}", a.sweep.display()))?;
    let runner = Experiments::with_base(&file.base);
    admit(s, &cells, &runner).with_context(|| format!("sweep file {}", a.sweep.display()))?;
    let config = json!({
        "sweep_file": a.sweep,
        "kind": s.kind,
        "runs": s.runs,
        "spec": s.spec,
        "grid": s.grid,
        "base": file.base,
        "cells": cells.len(),
    });
    let mut dir = RunDir::open(&a.out, Manifest::new("sweep", s.seed, config), a.resume)?;
    let start = Instant::now();
    let pb = ctx.progress(cells.len() as u64, "cells");
    let table = run_sweep_local(s, &runner, Some(dir.root()), &|done| {
        pb.set_position(done as u64)
    })
    .with_context(|| format!("sweep {}", a.sweep.display()))?;
    pb.finish_and_clear();
    let secs = start.elapsed().as_secs_f64();
    dir.manifest_mut().timings.insert("cells".into(), secs);
    dir.write_table("results", &table)?;
    marketloop_io::sweep_report::write_sweep_report(&mut dir, s, &table)?;
    dir.manifest_mut()
        .timings
        .insert("total".into(), start.elapsed().as_secs_f64());
    dir.finish()?;
    println!(
        "{} cells x {} runs of {} in {:.2} s; {} rows in {}",
        cells.len(),
        s.runs,
        s.kind,
        secs,
        table.n_rows(),
        a.out.join("results.csv").display()
    );
    Ok(())
}
