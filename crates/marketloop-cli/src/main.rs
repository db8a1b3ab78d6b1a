//! The `marketloop` command-line tool: a thin layer over marketloop-core, -data and -io.
//! Each command group lives in its own module; this file only dispatches and maps errors to
//! exit codes (0 success, 1 failure, 2 bad usage, 3 internal error; a closed output pipe is
//! not an error).

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
mod study;
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
    /// Memory a run may use (bytes with K/M/G/T, or a percentage such as 75%); a run that
    /// would need more is refused before it starts. Default: MARKETLOOP_MEMORY_BUDGET, else
    /// half of this machine's memory.
    #[arg(long, global = true, value_name = "BYTES", value_parser = parse_budget)]
    memory_budget: Option<u64>,
    #[command(subcommand)]
    command: Command,
}

fn parse_budget(text: &str) -> Result<u64, String> {
    marketloop_io::spec::limits::parse_budget(text)
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
    /// Studies of the papers' open questions (figures, tables and a report).
    #[command(subcommand)]
    Study(study::StudyCommand),
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

/// The exit code of an internal error (a panic: a bug in marketloop, never bad input).
const EXIT_INTERNAL: i32 = 3;

/// Every unexpected panic becomes a clear internal-error message (the hook) and exit code
/// [`EXIT_INTERNAL`] (the `catch_unwind` in [`main`]), never Rust's raw panic output and 101.
fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let what = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".into());
        let place = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        eprintln!(
            "error: internal error in marketloop {}: {what}{place}\n\
             This is a bug, not a problem with your input: please report it with the command \
             you ran.",
            env!("CARGO_PKG_VERSION")
        );
    }));
}

fn main() {
    install_panic_hook();
    let code = std::panic::catch_unwind(run_cli).unwrap_or(EXIT_INTERNAL);
    std::process::exit(code);
}

fn run_cli() -> i32 {
    let cli = Cli::parse();
    marketloop_io::spec::limits::set_memory_budget(cli.memory_budget);
    let ctx = common::Context {
        quiet: cli.quiet,
        threads: cli.threads,
    };
    let result = ctx.init_threads().and_then(|()| match cli.command {
        Command::Market(c) => market::run(c, &ctx),
        Command::Data(c) => data::run(c, &ctx),
        Command::Compete(a) => compete::run(a, &ctx),
        Command::Reproduce(c) => reproduce::run(c, &ctx),
        Command::Study(c) => study::run(c, &ctx),
        Command::Sweep(a) => sweep::run(a, &ctx),
        Command::Bayes(a) => bayes::run(a, &ctx),
        Command::Arena(a) => arena::run(a, &ctx),
        Command::Report(a) => report_cmd::run(a),
        Command::Spec(a) => spec::run(a),
    });
    common::exit_code(result)
}
