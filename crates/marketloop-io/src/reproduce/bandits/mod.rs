//! Reproduction of Aridor, Mansour, Slivkins & Wu, "Competing Bandits: The Perils of
//! Exploration under Competition": every table of Section 5 and Appendix F and the figures,
//! with a report that checks the paper's findings (spec `competing-bandits.md`).
//!
//! [`run`] takes a [`BanditsConfig`] (defaults = the paper's: N = 1000 runs, K = 10, T = 2000,
//! M = 100, Beta(1,1) priors, BEG eps = 0.05) and writes into a run folder, per table `tableN_*`:
//! the display table (`.csv`, `.parquet`, `.md`, `.json`, labelled as in the spec) and its long
//! numeric form (`tableN_*_long.{csv,parquet}`); the figures (SVG + PNG), `isolation_*.csv`,
//! `report.html` and `manifest.json`. It returns a [`BanditsSummary`] holding every table.
//!
//! Table numbering (also written as the table index of the report):
//!
//! | ours | content | paper |
//! |---|---|---|
//! | 1 | simultaneous entry, HardMax, share of the first-named algorithm; 3 instances x T0 in {20, 250, 500} | Table 1 (spec reference values) |
//! | 2 | first mover, Heavy-Tail, X = 200, T0 = 20, entrant's share (rows entrant, columns incumbent) | Table 2 (spec reference values) |
//! | 3 | effective end of game (mean and median) for the games of table 1 | EEOG table |
//! | 4 | first mover X in {50, 200, 300, 500}, T0 = 20, every instance, entrant's share | first-mover tables (Appendix F) |
//! | 5 | data advantage only vs reputation advantage only, X in {200, 500}, T0 = 20, entrant's share | data vs reputation advantage tables |
//! | 6 | HardMax&Random(0.1) vs HardMax, T0 = 20, share of the first-named algorithm at t = 2000, 5000, 10000 | HardMax&Random table |
//! | 7 | K = 3, T = 5000, Heavy-Tail, simultaneous entry, T0 in {20, 250, 500} | K = 3 table (Appendix F) |
//! | 8 | market regret by competition level (monopoly, HardMax&Random eps = 1, 0.5, 0.1, HardMax), T0 = 20 | welfare / competition figure data |
//!
//! Figures ([`BanditsConfig::figures`]): mean reputation and mean instantaneous reward
//! trajectories in isolation, relative reputation TS vs BG per instance, reputation
//! distributions and difference histograms, market regret by competition level.
//!
//! **Resume.** The work is split into *pieces*: one experiment (all the cells of one table group
//! on one instance, sharing each run's mean vector and realization table) or one isolation
//! study per instance. Each piece's summaries are saved atomically in the run folder
//! (`replicates/PIECE/r000000.json`, exact float round trip) as soon as it finishes; with
//! `resume`, saved pieces are loaded instead of simulated, so an interrupted run resumed gives
//! byte-identical tables (the manifest and report differ only in their timings).
//!
//! Modules, in the order a run uses them: `config` (what to run), `paper` (the paper's design,
//! reference values and our table catalogue), `compute` (the resumable simulations, one grid per
//! table group), `games` (the grids read as games), `cells` (cell text, long tables,
//! comparisons), `tables` (the eight tables), `figures`, `published` (every published number
//! of the paper, keyed by our long tables' labels), `agreement` (each compared within a
//! Monte Carlo tolerance, per published table: `agreement.csv`, `agreement_cells.csv` and a
//! report section), `summary` (what [`run`] returns), `report` and `write` (the run folder).

mod agreement;
mod cells;
mod compute;
mod config;
mod figures;
mod games;
pub(crate) mod paper;
mod published;
mod report;
mod summary;
mod tables;
mod transposed;
mod write;

pub use config::{
    parse_needle, parse_tables, parse_warm_start_rows, BanditsConfig, COMMAND, TABLE_NUMBERS,
};
pub use summary::{BanditsFinding, BanditsSummary, ProducedTable};

use super::Progress;
use crate::run::{Manifest, RunDir};
use crate::IoError;
use compute::Pieces;
use marketloop_core::bandits::Scenario;
use paper::{XS_ADVANTAGE, XS_FIRST_MOVER};
use std::path::Path;
use std::time::Instant;

/// Runs the reproduction described by `config` into the folder `out` and returns its summary.
///
/// With `resume`, an earlier interrupted run of the same resolved config in `out` is continued:
/// its finished pieces are reused and the tables come out byte-identical. `progress` is called
/// (phase "simulate", one unit per piece) as pieces finish.
pub fn run(
    config: &BanditsConfig,
    out: &Path,
    resume: bool,
    progress: &(dyn Fn(&Progress) + Sync),
) -> Result<BanditsSummary, IoError> {
    let cfg = config.resolve()?;
    let manifest = Manifest::new(COMMAND, cfg.seed, cfg.manifest_json());
    let mut dir = RunDir::open(out, manifest, resume)?;
    let total = Instant::now();
    let mut pieces = Pieces::new(&mut dir, cfg.runs, cfg.pieces(), progress);
    let mut tables = produce_tables(&cfg, &mut pieces)?;
    let mut agreement = agreement::check(&cfg, &tables);
    transposed::explain(&mut agreement);
    transposed::annotate(&mut tables, &agreement)?;
    let isolation = if cfg.figures {
        let iso = compute::isolation(&mut pieces, &cfg)?;
        Some(figures::isolation_figures(&iso)?)
    } else {
        None
    };
    let (simulated_pieces, resumed_pieces) = pieces.counts();

    write::write_results(&mut dir, &tables, isolation.as_ref(), &agreement)?;
    let elapsed = total.elapsed().as_secs_f64();
    dir.manifest_mut().timings.insert("total".into(), elapsed);
    dir.write_report(&report::report(
        &cfg,
        &tables,
        isolation.as_ref(),
        &agreement,
    )?)?;
    let manifest = dir.finish()?;
    Ok(BanditsSummary {
        out: out.to_path_buf(),
        config: cfg,
        tables,
        figure_findings: isolation.map(|i| i.section.findings).unwrap_or_default(),
        timings: manifest.timings,
        simulated_pieces,
        resumed_pieces,
    })
}

/// Simulates and builds the selected tables, in the order 1, 3, 2, 4, 5, 6, 7, 8 (tables 1
/// and 3 share their experiments, as do 2 and 4, and 1, 6 and 8 run together; a table whose
/// experiments were timed with another reports 0 seconds).
fn produce_tables(
    cfg: &BanditsConfig,
    pieces: &mut Pieces<'_>,
) -> Result<Vec<ProducedTable>, IoError> {
    let want = |n: u32| cfg.want(n);
    let mut out = Vec::new();
    // Tables 1 and 3, 6 and 8 share their HardMax games at T0 = 20: one experiment each instance.
    let games = compute::hardmax_games(pieces, cfg, want(1) || want(3), want(6), want(8))?;
    if let Some(se) = games.simultaneous {
        if want(1) {
            out.push(tables::table1(&se)?);
        }
        if want(3) {
            out.push(shared(tables::table3(&se)?, want(1)));
        }
    }
    if want(2) || want(4) {
        let fm = compute::first_mover(
            pieces,
            cfg,
            "first-mover",
            &XS_FIRST_MOVER,
            &[|x| Scenario::FirstMover { x }],
        )?;
        if want(2) {
            out.push(tables::table2(&fm)?);
        }
        if want(4) {
            out.push(shared(tables::table4(&fm)?, want(2)));
        }
    }
    if want(5) {
        let fm = compute::first_mover(
            pieces,
            cfg,
            "advantage",
            &XS_ADVANTAGE,
            &[
                |x| Scenario::DataAdvantage { x },
                |x| Scenario::ReputationAdvantage { x },
            ],
        )?;
        out.push(tables::table5(&fm)?);
    }
    if let Some(hmr) = games.hardmax_random {
        out.push(tables::table6(&hmr)?);
    }
    if want(7) {
        out.push(tables::table7(&compute::simultaneous_entry(
            pieces, cfg, 3, 5000,
        )?)?);
    }
    if let Some(rc) = games.regret {
        out.push(tables::table8(&rc)?);
    }
    Ok(out)
}

/// `p`, with its seconds zeroed when its experiments were timed with another table.
fn shared(mut p: ProducedTable, timed_elsewhere: bool) -> ProducedTable {
    if timed_elsewhere {
        p.seconds = 0.0;
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_run_together_equal_the_tables_run_alone() {
        // Tables 1, 6 and 8 share games and run as one experiment per instance; each must come
        // out exactly as when it is simulated on its own.
        let dir = std::env::temp_dir().join(format!("ml-bandits-together-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let cfg = |tables: Vec<u32>| BanditsConfig {
            tables,
            figures: false,
            runs: 3,
            ..BanditsConfig::default()
        };
        let together = run(&cfg(vec![1, 6, 8]), &dir.join("together"), false, &|_| {}).unwrap();
        assert_eq!(together.simulated_pieces, 3);
        for (i, n) in [1, 6, 8].into_iter().enumerate() {
            let alone = run(&cfg(vec![n]), &dir.join(format!("t{n}")), false, &|_| {}).unwrap();
            assert_eq!(alone.tables[0].number, n.to_string());
            assert_eq!(alone.tables[0].long, together.tables[i].long, "table {n}");
            assert_eq!(alone.tables[0].display, together.tables[i].display);
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
