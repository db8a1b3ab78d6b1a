//! `marketloop bayes SPEC.toml --out DIR`: one game of the Bayesian-choice model (Section 4 of
//! the competing-bandits paper; spec format: `marketloop_io::spec::bayes`). A thin layer over
//! [`marketloop_io::experiment::Bayes`]: reward curves, the exact game, figures, `report.html`
//! and the manifest.

use crate::common::{print_stdout, Context, Format, OutArgs};
use marketloop_io::experiment::{bayes, execute_in, Bayes};
use marketloop_io::spec::BayesSpec;
use std::path::PathBuf;

/// Arguments of `marketloop bayes`.
#[derive(clap::Args, Debug)]
pub struct BayesArgs {
    /// The spec (TOML; an annotated example: `marketloop spec bayes`; every field: docs/specs.md).
    pub spec: PathBuf,
    #[command(flatten)]
    pub out: OutArgs,
    /// `json` prints the summary as JSON on stdout.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// Runs the command.
pub fn run(args: BayesArgs, ctx: &Context) -> anyhow::Result<()> {
    let e = Bayes::new(BayesSpec::from_path(&args.spec)?)?;
    let pb = ctx.progress(e.paths(), "paths");
    let bar = pb.clone();
    let e = e.with_progress(move |done| bar.set_position(done));
    let out = args.out.dir("bayes");
    let done = execute_in(&e, &e.plan(), &out, args.out.resume, &|_| {})?;
    pb.finish_and_clear();
    args.out.announce(&out);
    match args.format {
        Format::Json => print_stdout(&serde_json::to_string_pretty(&bayes::json(
            &e, &done, &out,
        ))?),
        Format::Table => print_stdout(&bayes::text(&e, &done, &out)?),
    }
}

/// Arguments of `marketloop reproduce bayesian-choice`.
#[derive(clap::Args, Debug)]
pub struct ReproduceArgs {
    #[command(flatten)]
    pub out: OutArgs,
    /// Master seed.
    #[arg(long, default_value_t = 2019)]
    pub seed: u64,
    /// A small, fast configuration (for a quick look; the default is the report's scale).
    #[arg(long)]
    pub quick: bool,
    /// Monte Carlo paths of the theorem cases (default 20000; quick 4000).
    #[arg(long)]
    pub paths: Option<u64>,
    /// Reputation-choice runs per side-by-side cell (default 300; quick 30).
    #[arg(long)]
    pub runs: Option<u64>,
}

/// Runs `marketloop reproduce bayesian-choice`.
pub fn run_reproduce(args: ReproduceArgs, _ctx: &Context) -> anyhow::Result<()> {
    use marketloop_io::reproduce::bayesian::{run, theorems_table, BayesianConfig};
    let base = if args.quick {
        BayesianConfig::quick()
    } else {
        BayesianConfig::default()
    };
    let cfg = BayesianConfig {
        seed: args.seed,
        paths: args.paths.unwrap_or(base.paths),
        runs: args.runs.unwrap_or(base.runs),
        ..base
    };
    if args.out.resume {
        anyhow::bail!(
            "--resume: reproduce bayesian-choice has no replicates to reuse; run it again into \
             a new --out"
        );
    }
    let out = args.out.dir("bayesian-choice");
    let s = run(&cfg, &out)?;
    args.out.announce(&out);
    let held = s.theorems.iter().filter(|c| c.holds).count();
    let mut text = theorems_table(&s.theorems)?.to_markdown(4)?;
    text.push_str(&format!(
        "\n{held} of {} checks hold; side by side: {} cells; results in {}\n",
        s.theorems.len(),
        s.side.len(),
        out.display()
    ));
    print_stdout(&text)
}
