//! `marketloop market ...`: the trial-offer cultural market of a market TOML (format:
//! `marketloop_io::market_spec`): its equilibrium, replicated stochastic simulations, and the
//! deterministic dynamic.

use crate::common::{print_stdout, Context, Format};
use anyhow::Context as _;
use marketloop_io::experiment::equilibrium::{DEFAULT_MAX_ITERATIONS, DEFAULT_TOLERANCE};
use marketloop_io::experiment::{
    execute, execute_in, print, Experiment, MarketDynamics, MarketEquilibrium, MarketSimulate, Plan,
};
use marketloop_io::market_spec::ResolvedMarket;
use std::path::{Path, PathBuf};

/// `marketloop market` commands.
#[derive(clap::Subcommand, Debug)]
pub enum MarketCommand {
    /// The trial-offer market equilibrium (TOME): shares, iterations, residual, efficiency,
    /// entropy and every objective that applies.
    Equilibrium(EquilibriumArgs),
    /// Replicated stochastic simulations: per-run trajectories of efficiency and entropy
    /// (optionally shares), summary tables, figures and report.html in --out.
    Simulate(SimulateArgs),
    /// The deterministic dynamic (eq. 6): efficiency, entropy, Psi or Gamma per iteration.
    Dynamics(DynamicsArgs),
}

/// Arguments of `marketloop market equilibrium`.
#[derive(clap::Args, Debug)]
pub struct EquilibriumArgs {
    /// The market TOML.
    pub market: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Fixed-point tolerance on |p(phi) - phi|_1.
    #[arg(long, default_value_t = DEFAULT_TOLERANCE)]
    pub tolerance: f64,
    /// Fixed-point iteration cap.
    #[arg(long, default_value_t = DEFAULT_MAX_ITERATIONS)]
    pub max_iterations: usize,
    /// Also write a run folder (equilibrium table, report, manifest) here.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// Arguments of `marketloop market simulate`.
#[derive(clap::Args, Debug)]
pub struct SimulateArgs {
    /// The market TOML.
    pub market: PathBuf,
    /// Users (steps) per run.
    #[arg(long)]
    pub steps: u64,
    /// Number of runs (replicates).
    #[arg(long, default_value_t = 1)]
    pub runs: u64,
    /// Master seed.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// A measurement every K steps (and after the last step).
    #[arg(long, value_name = "K", default_value_t = 1000)]
    pub every: u64,
    /// Output folder (must not exist or be empty, unless --resume).
    #[arg(long)]
    pub out: PathBuf,
    /// Also record the full market shares at every measurement (share_j columns).
    #[arg(long)]
    pub shares: bool,
    /// Continue an interrupted run in --out, reusing its finished runs.
    #[arg(long)]
    pub resume: bool,
    /// `json` prints the summary as JSON on stdout.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// Arguments of `marketloop market dynamics`.
#[derive(clap::Args, Debug)]
pub struct DynamicsArgs {
    /// The market TOML.
    pub market: PathBuf,
    /// Iterations of eq. (6).
    #[arg(long)]
    pub iterations: usize,
    /// Also print the shares at every iteration.
    #[arg(long)]
    pub shares: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Also write a run folder (dynamics table, report, manifest) here.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// Runs the command.
pub fn run(cmd: MarketCommand, ctx: &Context) -> anyhow::Result<()> {
    match cmd {
        MarketCommand::Equilibrium(a) => equilibrium(a),
        MarketCommand::Simulate(a) => simulate(a, ctx),
        MarketCommand::Dynamics(a) => dynamics(a),
    }
}

fn load(path: &Path) -> anyhow::Result<ResolvedMarket> {
    ResolvedMarket::load(path).with_context(|| format!("cannot use market spec {}", path.display()))
}

/// Runs `e` into `out` if given, else without a folder.
fn finish<E: Experiment>(e: &E, out: Option<&Path>) -> anyhow::Result<E::Summary> {
    let plan = Plan::new(0, 0);
    let done = match out {
        Some(dir) => execute_in(e, &plan, dir, false, &|_| {})?,
        None => execute(e, &plan, &|_| {})?,
    };
    Ok(done.summary)
}

fn equilibrium(a: EquilibriumArgs) -> anyhow::Result<()> {
    let r = load(&a.market)?;
    let e = MarketEquilibrium::new(
        r,
        Some(a.market.clone()),
        a.tolerance,
        a.max_iterations,
        false,
    )
    .with_context(|| format!("market spec {}", a.market.display()))?;
    let rep = finish(&e, a.out.as_deref()).context("no equilibrium")?;
    match a.format {
        Format::Json => print_stdout(&serde_json::to_string_pretty(&print::equilibrium_json(
            &rep, &a.market,
        ))?),
        Format::Table => print_stdout(&print::equilibrium_text(&rep, &a.market)),
    }
}

fn dynamics(a: DynamicsArgs) -> anyhow::Result<()> {
    let r = load(&a.market)?;
    let e = MarketDynamics::new(r, Some(a.market.clone()), a.iterations, a.shares)
        .with_context(|| format!("market spec {}", a.market.display()))?;
    let rows = finish(&e, a.out.as_deref()).context("the deterministic dynamic cannot start")?;
    match a.format {
        Format::Json => print_stdout(&serde_json::to_string_pretty(&print::dynamics_json(
            &rows,
            &a.market,
            e.note(),
        ))?),
        Format::Table => print_stdout(&print::dynamics_text(&rows, &a.market, e.note())),
    }
}

fn simulate(a: SimulateArgs, ctx: &Context) -> anyhow::Result<()> {
    let r = load(&a.market)?;
    let e = MarketSimulate::new(r, Some(a.market.clone()), a.steps, a.every, a.shares)?;
    let plan = Plan::new(a.seed, a.runs);
    let pb = ctx.progress(a.runs, "runs");
    let done = execute_in(&e, &plan, &a.out, a.resume, &|_| pb.inc(1))?;
    pb.finish_and_clear();
    match a.format {
        Format::Json => print_stdout(&serde_json::to_string_pretty(&print::simulate_json(
            &e, &plan, &done, &a.out,
        ))?),
        Format::Table => print_stdout(&print::simulate_text(&e, &plan, &done, &a.out)),
    }
}
