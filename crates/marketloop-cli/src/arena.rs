//! `marketloop arena SPEC.toml --runs N --seed S --out DIR [--resume]`: platforms that rank a
//! catalogue compete for typed users (spec format: `marketloop_io::spec::arena`). A thin layer
//! over [`marketloop_io::experiment::ArenaExperiment`]: the long table, the summary over runs,
//! per-type shares, figures, `report.html` and the manifest.

use crate::common::{print_stdout, Context, Format, OutArgs};
use marketloop_io::experiment::{execute_in, ArenaExperiment, Plan};
use marketloop_io::spec::ResolvedArena;
use std::path::PathBuf;

/// Arguments of `marketloop arena`.
#[derive(clap::Args, Debug)]
pub struct ArenaArgs {
    /// The arena spec (TOML; an annotated example: `marketloop spec arena`; every field: docs/specs.md).
    pub spec: PathBuf,
    /// Number of runs (replicates).
    #[arg(long, default_value_t = 10)]
    pub runs: u64,
    /// Master seed.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    #[command(flatten)]
    pub out: OutArgs,
    /// `json` prints the final summary as JSON on stdout.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// Runs the command.
pub fn run(args: ArenaArgs, ctx: &Context) -> anyhow::Result<()> {
    let e = ArenaExperiment::new(ResolvedArena::load(&args.spec)?, Some(args.spec.clone()));
    let plan = Plan::new(args.seed, args.runs);
    let pb = ctx.progress(plan.runs, "runs");
    let out = args.out.dir("arena");
    let done = execute_in(&e, &plan, &out, args.out.resume, &|_| pb.inc(1))?;
    pb.finish_and_clear();
    args.out.announce(&out);
    match args.format {
        Format::Json => print_stdout(&serde_json::to_string_pretty(
            &done.summary.json(plan.runs),
        )?),
        Format::Table => print_stdout(&done.summary.text(plan.runs, Some(&out))),
    }
}
