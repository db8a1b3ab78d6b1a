//! `marketloop reproduce competing-bandits`: every table of Section 5 and Appendix F of Aridor,
//! Mansour, Slivkins & Wu, "Competing Bandits", and the figures. A thin layer over
//! [`marketloop_io::reproduce::bandits`] (table numbering in its docs): parse the flags, run,
//! print. Also holds small helpers shared with `marketloop compete`.

use crate::common::{print_stdout, Context, Format};
use anyhow::Context as _;
use marketloop_core::bandits::Estimate;
use marketloop_core::runner::{map_replicates, Schedule};
use marketloop_io::reproduce::bandits::{self, BanditsConfig};
use marketloop_io::reproduce::Progress;
use marketloop_io::RunDir;
use std::path::PathBuf;

/// Arguments of `marketloop reproduce competing-bandits`.
#[derive(clap::Args, Debug)]
pub struct BanditsArgs {
    /// Which tables: `all`, or a comma-separated list of numbers 1-8 and/or `figures`
    /// (the numbering is in the report's table index).
    #[arg(long, default_value = "all")]
    pub tables: String,
    /// Runs N (mean vectors per instance; the paper: 1000).
    #[arg(long, default_value_t = 1000)]
    pub runs: u64,
    /// Master seed.
    #[arg(long, default_value_t = 2019)]
    pub seed: u64,
    /// Needle-in-Haystack needle position: `random` (the paper's text) or an arm index (the
    /// authors' code used K/2 = 5).
    #[arg(long, default_value = "random")]
    pub needle: String,
    /// Continue an interrupted run in --out, reusing its finished pieces.
    #[arg(long)]
    pub resume: bool,
    /// `json` prints every table as JSON on stdout.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Output folder.
    #[arg(long)]
    pub out: PathBuf,
}

/// "mean±half-width" with three decimals.
pub(crate) fn pm(e: &Estimate) -> String {
    format!("{:.3}±{:.3}", e.mean, e.half_width)
}

/// Runs the command.
pub fn run(args: BanditsArgs, ctx: &Context) -> anyhow::Result<()> {
    let (tables, figures) = bandits::parse_tables(&args.tables).context("--tables")?;
    let needle = bandits::parse_needle(&args.needle).context("--needle")?;
    let config = BanditsConfig {
        tables,
        figures,
        runs: args.runs,
        seed: args.seed,
        needle,
    };
    if let Err(e) = config.resolve() {
        // Name the flag of the field the error is about.
        let flag = e
            .field()
            .map_or_else(|| bandits::COMMAND.into(), |f| format!("--{f}"));
        return Err(anyhow::Error::new(e).context(flag));
    }
    let pb = ctx.progress(config.pieces(), "bandits");
    let progress = |p: &Progress| pb.set_position(p.done);
    let summary = bandits::run(&config, &args.out, args.resume, &progress)
        .with_context(|| format!("reproduce competing-bandits into {}", args.out.display()))?;
    pb.finish_and_clear();
    match args.format {
        Format::Json => print_stdout(&serde_json::to_string_pretty(&summary.to_json()?)?),
        Format::Table => print_stdout(&summary.to_text()?),
    }
}

/// Maps over run indices with per-run results saved to (and reused from) the run folder.
pub(crate) fn resumable_runs<T, F>(
    dir: &RunDir,
    arm: &str,
    runs: u64,
    f: F,
) -> anyhow::Result<(Vec<T>, usize)>
where
    T: serde::Serialize + serde::de::DeserializeOwned + Send,
    F: Fn(u64) -> anyhow::Result<T> + Sync,
{
    let idx: Vec<u64> = (0..runs).collect();
    let loaded = std::sync::atomic::AtomicUsize::new(0);
    let out = map_replicates(
        &idx,
        Schedule::Parallel,
        |r| -> anyhow::Result<(T, bool)> {
            if let Some(v) = dir.load_replicate::<T>(arm, r)? {
                loaded.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                return Ok((v, true));
            }
            Ok((f(r)?, false))
        },
        |r, (v, was_loaded)| -> anyhow::Result<()> {
            if !*was_loaded {
                dir.save_replicate(arm, r, v)?;
            }
            Ok(())
        },
    )?;
    Ok((
        out.into_iter().map(|(v, _)| v).collect(),
        loaded.into_inner(),
    ))
}
