//! `marketloop sweep SWEEP.toml --out DIR [--resume]`: a parameter grid over any experiment
//! spec (format: `marketloop_io::sweep`), every cell seeded from the master seed and its own
//! parameters, one tidy table `results.{csv,parquet}` and a report. A thin layer over
//! [`marketloop_io::sweep_folder::run_sweep_in`], which Python's `marketloop.sweep(out=...)`
//! calls too.

use crate::common::{Context, OutArgs};
use anyhow::Context as _;
use marketloop_io::experiment::Experiments;
use marketloop_io::sweep::SweepFile;
use marketloop_io::sweep_folder::run_sweep_in;
use std::path::PathBuf;

/// Arguments of `marketloop sweep`.
#[derive(clap::Args, Debug)]
pub struct SweepArgs {
    /// The sweep TOML: kind, runs, seed, the base spec (`spec_file` and/or `[spec]`) and `[grid]`.
    pub sweep: PathBuf,
    #[command(flatten)]
    pub out: OutArgs,
}

/// Runs the command.
pub fn run(a: SweepArgs, ctx: &Context) -> anyhow::Result<()> {
    // Every cell is validated before the output folder is created.
    let file = SweepFile::load(&a.sweep)
        .with_context(|| format!("cannot use sweep file {}", a.sweep.display()))?;
    let s = &file.sweep;
    let n = s
        .cells()
        .with_context(|| format!("sweep file {}", a.sweep.display()))?
        .len();
    let out = a.out.dir("sweep");
    let pb = ctx.progress(n as u64, "cells");
    let done = run_sweep_in(
        s,
        &Experiments::with_base(&file.base),
        Some(&a.sweep),
        &file.base,
        &out,
        a.out.resume,
        &|done| pb.set_position(done as u64),
    )
    .with_context(|| format!("sweep {}", a.sweep.display()))?;
    pb.finish_and_clear();
    a.out.announce(&out);
    println!(
        "{} cells x {} runs of {} in {:.2} s; {} rows in {}",
        done.cells,
        s.runs,
        s.kind,
        done.cell_seconds,
        done.results.n_rows(),
        out.join("results.csv").display()
    );
    Ok(())
}
