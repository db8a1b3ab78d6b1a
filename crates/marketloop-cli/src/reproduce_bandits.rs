//! `marketloop reproduce competing-bandits`: every table of Section 5 and Appendix F of Aridor,
//! Mansour, Slivkins & Wu, "Competing Bandits", and the figures. A thin layer over
//! [`marketloop_io::reproduce::bandits`] (table numbering in its docs): parse the flags, run,
//! print.

use crate::common::{print_stdout, Context, Format, OutArgs};
use anyhow::Context as _;
use marketloop_io::reproduce::bandits::{self, BanditsConfig};
use marketloop_io::reproduce::Progress;

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
    /// `paper` (the text's reading) or `authors-code` (the authors' code's conventions: the
    /// needle at arm 5, one shared table of warm-start rewards); the two options below override
    /// it.
    #[arg(long, default_value = "paper")]
    pub protocol: String,
    /// Needle-in-Haystack needle position: `random` (the paper's text) or an arm index (the
    /// authors' code used K/2 = 5). Default: the protocol's.
    #[arg(long)]
    pub needle: Option<String>,
    /// Warm-start rows: `per-firm` (the paper's text), `shared` (one table for both firms, as
    /// the authors' code) or `shared-overlap` (shared, with the game's rows starting 200 rows
    /// after the warm start's first, as the authors' code: a longer warm start's last rows are
    /// the game's first). Default: the protocol's.
    #[arg(long)]
    pub warm_start_rows: Option<String>,
    /// `json` prints every table as JSON on stdout.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    #[command(flatten)]
    pub out: OutArgs,
}

/// Runs the command.
pub fn run(args: BanditsArgs, ctx: &Context) -> anyhow::Result<()> {
    let (tables, figures) = bandits::parse_tables(&args.tables).context("--tables")?;
    let needle = args
        .needle
        .as_deref()
        .map(bandits::parse_needle)
        .transpose()
        .context("--needle")?;
    let warm_start_rows = args
        .warm_start_rows
        .as_deref()
        .map(bandits::parse_warm_start_rows)
        .transpose()
        .context("--warm-start-rows")?;
    let config = BanditsConfig {
        tables,
        figures,
        runs: args.runs,
        seed: args.seed,
        needle,
        warm_start_rows,
        protocol: args.protocol.parse().context("--protocol")?,
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
    let out = args.out.dir("competing-bandits");
    let summary = bandits::run(&config, &out, args.out.resume, &progress)
        .with_context(|| format!("reproduce competing-bandits into {}", out.display()))?;
    pb.finish_and_clear();
    args.out.announce(&out);
    match args.format {
        Format::Json => print_stdout(&serde_json::to_string_pretty(&summary.to_json()?)?),
        Format::Table => print_stdout(&summary.to_text()?),
    }
}
