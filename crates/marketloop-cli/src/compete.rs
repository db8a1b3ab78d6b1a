//! `marketloop compete SPEC.toml --out DIR [--runs N] [--seed S] [--resume]`: one competing-bandits experiment of any
//! scenario, algorithms, instance and response function (spec format:
//! `marketloop_io::compete_spec`). A thin layer over [`marketloop_io::experiment::Compete`]:
//! per-run results, summaries, the performance in isolation (optional), figures,
//! `report.html` and the manifest.

use crate::common::{print_stdout, Context, Format, OutArgs};
use marketloop_io::compete_spec::CompeteFile;
use marketloop_io::experiment::{execute_in, print, Compete};
use std::path::PathBuf;

/// Arguments of `marketloop compete`.
#[derive(clap::Args, Debug)]
pub struct CompeteArgs {
    /// The experiment spec (TOML; an annotated example: `marketloop spec compete`; every field: docs/specs.md).
    pub spec: PathBuf,
    /// Number of runs N (default: the spec's `runs`, else 1000).
    #[arg(long)]
    pub runs: Option<u64>,
    /// Master seed (default: the spec's `seed`, else 0).
    #[arg(long)]
    pub seed: Option<u64>,
    #[command(flatten)]
    pub out: OutArgs,
    /// `json` prints the summary as JSON on stdout.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// Runs the command.
pub fn run(args: CompeteArgs, ctx: &Context) -> anyhow::Result<()> {
    let file = CompeteFile::from_path(&args.spec)?;
    let plan = file.plan(args.seed, args.runs);
    let e = Compete::new(file.spec)?;
    let pb = ctx.progress(plan.runs, "games");
    let out = args.out.dir("compete");
    let done = execute_in(&e, &plan, &out, args.out.resume, &|_| pb.inc(1))?;
    pb.finish_and_clear();
    args.out.announce(&out);
    match args.format {
        Format::Json => print_stdout(&serde_json::to_string_pretty(&print::compete_json(
            &e, &done, &out,
        )?)?),
        Format::Table => print_stdout(&print::compete_text(&e, &plan, &done, &out)?),
    }
}
