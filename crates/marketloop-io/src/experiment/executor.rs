//! The one executor of every [`Experiment`]: validates the plan, computes the replicates (in
//! parallel; the results never depend on the worker count), and either returns the results
//! ([`execute`], for Python and sweeps) or writes the run folder ([`execute_in`]): `run.json`
//! first, each finished replicate as it completes (resume), the tables (CSV and Parquet), the
//! figures (SVG and PNG), `report.html`, and `manifest.json` last.

use super::{Artifact, Experiment};
use crate::manifest::Manifest;
use crate::run::RunDir;
use crate::spec::limits::{at_most, MAX_RUNS};
use crate::IoError;
use marketloop_core::rng::SeedSequence;
use marketloop_core::runner::{map_replicates, Schedule};
use std::path::Path;
use std::time::Instant;

/// How much of an experiment to run: the master seed and the number of replicates, given the
/// same way for every kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Plan {
    /// The master seed (every random stream derives from it).
    pub seed: u64,
    /// Replicates `0..runs` (ignored by kinds without replicates).
    pub runs: u64,
}

impl Plan {
    /// A plan of `runs` replicates under master seed `seed`.
    pub fn new(seed: u64, runs: u64) -> Self {
        Self { seed, runs }
    }

    /// Checks the plan for kind `E`: a replicated kind needs at least one run and at most
    /// [`MAX_RUNS`].
    pub fn check<E: Experiment>(&self) -> Result<(), IoError> {
        if E::REPLICATED && self.runs == 0 {
            return Err(IoError::spec("runs", "runs = 0: at least 1 run is needed"));
        }
        if E::REPLICATED {
            at_most("runs", self.runs, MAX_RUNS)?;
        }
        Ok(())
    }

    /// Checks the plan for `exp` before anything is allocated or written: [`Plan::check`],
    /// then the memory the run needs (the kind's [`Experiment::footprint`] plus the executor's
    /// own) against the memory budget.
    pub fn admit<E: Experiment>(&self, exp: &E) -> Result<(), IoError> {
        self.check::<E>()?;
        let mut f = exp.footprint(self);
        if E::REPLICATED {
            f.add(
                "runs",
                "the replicate indices and results",
                u128::from(self.runs),
                8 + 2 * std::mem::size_of::<E::Replicate>() as u128,
            );
        }
        f.check()
    }

    fn indices<E: Experiment>(&self) -> Vec<u64> {
        if E::REPLICATED {
            (0..self.runs).collect()
        } else {
            Vec::new()
        }
    }
}

/// A finished experiment.
#[derive(Debug)]
pub struct Finished<S> {
    /// The results.
    pub summary: S,
    /// Replicates loaded from an earlier interrupted run (0 without a folder).
    pub resumed: usize,
    /// Seconds spent computing the replicates and summarising them.
    pub compute_seconds: f64,
    /// Seconds of the whole run (with a folder: up to the manifest).
    pub seconds: f64,
}

/// Runs `exp` without a run folder (Python and sweeps without `out`). `on_done` is called with
/// each finished replicate's index (progress bars). A stop request (see
/// [`IoError::check_stop`]) ends it with [`IoError::Interrupted`] before the next replicate.
pub fn execute<E: Experiment>(
    exp: &E,
    plan: &Plan,
    on_done: &(dyn Fn(u64) + Sync),
) -> Result<Finished<E::Summary>, IoError> {
    plan.admit(exp)?;
    let start = Instant::now();
    let seeds = SeedSequence::new(plan.seed);
    let replicates = map_replicates(
        &plan.indices::<E>(),
        Schedule::Parallel,
        |r| {
            IoError::check_stop()?;
            let v = exp.replicate(seeds, r)?;
            // A replicate that saw a stop request may be cut short: never returned.
            IoError::check_stop()?;
            Ok::<_, IoError>(v)
        },
        |r, _| {
            on_done(r);
            Ok(())
        },
    )?;
    let summary = exp.summarize(plan, replicates)?;
    let seconds = start.elapsed().as_secs_f64();
    Ok(Finished {
        summary,
        resumed: 0,
        compute_seconds: seconds,
        seconds,
    })
}

/// Runs `exp` into the run folder `out` (see [`RunDir`] for the layout and `resume`). Nothing
/// is written before the plan is admitted ([`Plan::admit`]); `exp` itself was validated when it was built.
pub fn execute_in<E: Experiment>(
    exp: &E,
    plan: &Plan,
    out: &Path,
    resume: bool,
    on_done: &(dyn Fn(u64) + Sync),
) -> Result<Finished<E::Summary>, IoError> {
    plan.admit(exp)?;
    let manifest = Manifest::new(E::COMMAND, plan.seed, exp.config(plan));
    let mut dir = RunDir::open(out, manifest, resume)?;
    let start = Instant::now();
    let seeds = SeedSequence::new(plan.seed);
    let before = dir.manifest_mut().resumed_replicates;
    let replicates = dir.map_resumable(
        E::ARM,
        &plan.indices::<E>(),
        Schedule::Parallel,
        |r| exp.replicate(seeds, r),
        on_done,
    )?;
    let resumed = dir.manifest_mut().resumed_replicates - before;
    let summary = exp.summarize(plan, replicates)?;
    let compute_seconds = start.elapsed().as_secs_f64();
    dir.manifest_mut()
        .timings
        .insert(E::PHASE.into(), compute_seconds);
    let outputs = exp.outputs(plan, &summary)?;
    for (phase, secs) in outputs.timings {
        dir.manifest_mut().timings.insert(phase, secs);
    }
    for a in &outputs.artifacts {
        match a {
            Artifact::Table(stem, t) => dir.write_table(stem, t)?,
            Artifact::Figure(stem, f) => dir.write_figure(stem, f)?,
        }
    }
    if let Some(report) = &outputs.report {
        dir.write_report(report)?;
    }
    let seconds = start.elapsed().as_secs_f64();
    dir.manifest_mut().timings.insert("total".into(), seconds);
    dir.finish()?;
    Ok(Finished {
        summary,
        resumed,
        compute_seconds,
        seconds,
    })
}
