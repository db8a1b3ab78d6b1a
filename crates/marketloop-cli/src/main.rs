//! The `marketloop` command-line tool: a thin layer over marketloop-core, -data and -io.
//! Each command group lives in its own module; this file only dispatches and maps errors to
//! exit codes (0 success, 1 failure, 2 bad usage; a closed output pipe is not an error).

mod arena;
mod bayes;
mod common;
mod compete;
mod data;
mod market;
mod report_cmd;
mod reproduce;
mod reproduce_bandits;
mod reproduce_cultural;
mod spec;
mod sweep;

use clap::{Parser, Subcommand};

/// marketloop: fast, reproducible simulations of feedback loops in attention markets.
#[derive(Parser, Debug)]
#[command(name = "marketloop", version, about, long_about = None)]
struct Cli {
    /// Worker threads (default: all cores). Results never depend on it.
    #[arg(long, global = true, value_name = "N")]
    threads: Option<usize>,
    /// No progress bars.
    #[arg(long, short, global = true)]
    quiet: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Trial-offer cultural markets: equilibrium, simulation, deterministic dynamics.
    #[command(subcommand)]
    Market(market::MarketCommand),
    /// Data sets: fetch and inspect MovieLens-100K, build preference matrices.
    #[command(subcommand)]
    Data(data::DataCommand),
    /// Competing bandits: platforms that learn, competing for users.
    Compete(compete::CompeteArgs),
    /// Reproduce the papers' experiments (figures, tables and a report).
    #[command(subcommand)]
    Reproduce(reproduce::ReproduceCommand),
    /// Parameter sweeps: every combination of a grid over any spec, seeded per cell, resumable.
    Sweep(sweep::SweepArgs),
    /// The Bayesian-choice model (Section 4 of competing bandits): one game, simulated exactly.
    Bayes(bayes::BayesArgs),
    /// The arena: platforms that rank a catalogue (learning it in the loop) compete for typed
    /// users.
    Arena(arena::ArenaArgs),
    /// Rebuild a run folder's report.html from its tables and figures.
    Report(report_cmd::ReportArgs),
    /// Print an annotated example spec (market, compete, sweep) to start from.
    Spec(spec::SpecArgs),
}

fn main() {
    let cli = Cli::parse();
    let ctx = common::Context {
        quiet: cli.quiet,
        threads: cli.threads,
    };
    let result = ctx.init_threads().and_then(|()| match cli.command {
        Command::Market(c) => market::run(c, &ctx),
        Command::Data(c) => data::run(c, &ctx),
        Command::Compete(a) => compete::run(a, &ctx),
        Command::Reproduce(c) => reproduce::run(c, &ctx),
        Command::Sweep(a) => sweep::run(a, &ctx),
        Command::Bayes(a) => bayes::run(a, &ctx),
        Command::Arena(a) => arena::run(a, &ctx),
        Command::Report(a) => report_cmd::run(a),
        Command::Spec(a) => spec::run(a),
    });
    std::process::exit(common::exit_code(result));
}
