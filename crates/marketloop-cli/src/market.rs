//! `marketloop market ...`: the trial-offer cultural market of a market TOML (every field:
//! `marketloop spec market`, or the user guide): its equilibrium, replicated stochastic
//! simulations, and the deterministic dynamic.

use crate::common::{emit, AlsoOut, Context, Format, OutArgs};
use anyhow::Result;
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
    /// (optionally shares), summary tables, figures and report.html in a run folder.
    Simulate(SimulateArgs),
    /// The deterministic dynamic (eq. 6): efficiency, entropy, Psi or Gamma per iteration.
    Dynamics(DynamicsArgs),
}

/// What every market command reads and prints.
#[derive(clap::Args, Debug)]
pub struct MarketArgs {
    /// The market TOML (`marketloop spec market` prints an annotated example).
    pub market: PathBuf,
    /// Output format (`json` prints the summary as JSON on stdout).
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// Arguments of `marketloop market equilibrium`.
#[derive(clap::Args, Debug)]
pub struct EquilibriumArgs {
    #[command(flatten)]
    m: MarketArgs,
    /// Fixed-point tolerance on |p(phi) - phi|_1.
    #[arg(long, default_value_t = DEFAULT_TOLERANCE)]
    tolerance: f64,
    /// Fixed-point iteration cap.
    #[arg(long, default_value_t = DEFAULT_MAX_ITERATIONS)]
    max_iterations: usize,
    #[command(flatten)]
    also: AlsoOut,
}

/// Arguments of `marketloop market simulate`.
#[derive(clap::Args, Debug)]
pub struct SimulateArgs {
    #[command(flatten)]
    m: MarketArgs,
    /// Users (steps) per run.
    #[arg(long)]
    steps: u64,
    /// Number of runs (replicates).
    #[arg(long, default_value_t = 1)]
    runs: u64,
    /// Master seed.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// A measurement every K steps (and after the last step).
    #[arg(long, value_name = "K", default_value_t = 1000)]
    every: u64,
    /// Also record the full market shares at every measurement (share_j columns).
    #[arg(long)]
    shares: bool,
    #[command(flatten)]
    out: OutArgs,
}

/// Arguments of `marketloop market dynamics`.
#[derive(clap::Args, Debug)]
pub struct DynamicsArgs {
    #[command(flatten)]
    m: MarketArgs,
    /// Iterations of eq. (6).
    #[arg(long)]
    iterations: usize,
    /// Also print the shares at every iteration.
    #[arg(long)]
    shares: bool,
    #[command(flatten)]
    also: AlsoOut,
}

/// Runs the command.
pub fn run(cmd: MarketCommand, ctx: &Context) -> Result<()> {
    match cmd {
        MarketCommand::Equilibrium(a) => equilibrium(a),
        MarketCommand::Simulate(a) => simulate(a, ctx),
        MarketCommand::Dynamics(a) => dynamics(a),
    }
}

/// Runs `e` into `out` if given, else without a folder. The spec's errors name its file.
fn finish<E: Experiment>(e: &E, out: Option<&Path>) -> Result<E::Summary> {
    let plan = Plan::new(0, 0);
    let done = match out {
        Some(dir) => execute_in(e, &plan, dir, false, &|_| {})?,
        None => execute(e, &plan, &|_| {})?,
    };
    Ok(done.summary)
}

fn equilibrium(a: EquilibriumArgs) -> Result<()> {
    let (path, r) = (&a.m.market, ResolvedMarket::load(&a.m.market)?);
    let e = MarketEquilibrium::new(r, Some(path.clone()), a.tolerance, a.max_iterations, false)?;
    let rep = finish(&e, a.also.out.as_deref())?;
    emit(
        a.m.format,
        || print::equilibrium_json(&rep, path),
        || print::equilibrium_text(&rep, path),
    )
}

fn dynamics(a: DynamicsArgs) -> Result<()> {
    let (path, r) = (&a.m.market, ResolvedMarket::load(&a.m.market)?);
    let e = MarketDynamics::new(r, Some(path.clone()), a.iterations, a.shares)?;
    let rows = finish(&e, a.also.out.as_deref())?;
    let note = e.note();
    emit(
        a.m.format,
        || print::dynamics_json(&rows, path, note),
        || print::dynamics_text(&rows, path, note),
    )
}

fn simulate(a: SimulateArgs, ctx: &Context) -> Result<()> {
    let r = ResolvedMarket::load(&a.m.market)?;
    let e = MarketSimulate::new(r, Some(a.m.market.clone()), a.steps, a.every, a.shares)?;
    let plan = Plan::new(a.seed, a.runs);
    let out = a.out.dir("simulate");
    let pb = ctx.progress(a.runs, "runs");
    let done = execute_in(&e, &plan, &out, a.out.resume, &|_| pb.inc(1))?;
    pb.finish_and_clear();
    let r = emit(
        a.m.format,
        || print::simulate_json(&e, &plan, &done, &out),
        || print::simulate_text(&e, &plan, &done, &out),
    );
    a.out.announce(&out);
    r
}
