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

use super::Progress;
use crate::figure::{Figure, Series, SeriesStyle};
use crate::report::{Finding, Report, Section};
use crate::run::{Manifest, RunDir};
use crate::table::{Column, Table};
use crate::IoError;
use marketloop_core::bandits::{
    disadvantaged_period, AlgorithmKind, BanditError, CellSummary, CompetitionConfig,
    CompetitionGame, Estimate, Experiment, GameAnalysis, InstanceSpec, IsolationConfig,
    IsolationSummary, NeedlePosition, ResponseSpec, Scenario,
};
use marketloop_core::rng::SeedSequence;
use marketloop_core::runner::Schedule;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Instant;

/// The command name recorded in manifests (and checked on resume).
pub const COMMAND: &str = "reproduce competing-bandits";

/// Table numbers that exist.
pub const TABLE_NUMBERS: std::ops::RangeInclusive<u32> = 1..=8;

type Res<T> = Result<T, IoError>;

fn invalid(message: String) -> IoError {
    IoError::Invalid {
        path: PathBuf::from("competing-bandits config"),
        message,
    }
}

fn bandit(e: BanditError) -> IoError {
    invalid(e.to_string())
}

/// Settings of the reproduction (serde-friendly; `Default` is the paper's full run).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BanditsConfig {
    /// Which tables (numbers 1-8, see the module docs); default all.
    pub tables: Vec<u32>,
    /// Whether to make the performance-in-isolation figures; default true.
    pub figures: bool,
    /// Runs N (mean vectors per instance; the paper: 1000). At least 2.
    pub runs: u64,
    /// Master seed.
    pub seed: u64,
    /// Needle-in-Haystack needle position: random (the paper's text, default) or a fixed arm
    /// index in [0, 9] (the authors' code used K/2 = 5).
    pub needle: NeedlePosition,
}

impl Default for BanditsConfig {
    fn default() -> Self {
        BanditsConfig {
            tables: TABLE_NUMBERS.collect(),
            figures: true,
            runs: 1000,
            seed: 2019,
            needle: NeedlePosition::Random,
        }
    }
}

impl BanditsConfig {
    /// Validates every setting and returns the resolved config (tables sorted, deduplicated).
    /// The result is what the manifest records and what `resume` compares.
    pub fn resolve(&self) -> Res<BanditsConfig> {
        let mut c = self.clone();
        for &n in &c.tables {
            if !TABLE_NUMBERS.contains(&n) {
                return Err(invalid(format!(
                    "tables: {n} is not a table number; allowed: 1-8"
                )));
            }
        }
        c.tables.sort_unstable();
        c.tables.dedup();
        if c.tables.is_empty() && !c.figures {
            return Err(invalid(
                "tables = [] and figures = false: nothing selected".into(),
            ));
        }
        if c.runs < 2 {
            return Err(invalid(format!(
                "runs = {} must be at least 2 (half-widths need two runs)",
                c.runs
            )));
        }
        if let NeedlePosition::Fixed(i) = c.needle {
            if i >= 10 {
                return Err(invalid(format!(
                    "needle = {i} must be \"random\" or an arm index in [0, 9]"
                )));
            }
        }
        Ok(c)
    }

    fn want(&self, n: u32) -> bool {
        self.tables.contains(&n)
    }

    /// The number of pieces (experiments and isolation studies) this config runs.
    pub fn pieces(&self) -> u64 {
        let w = |n: u32| u64::from(self.want(n));
        let per_instance = u64::from(self.want(1) || self.want(3))
            + u64::from(self.want(2) || self.want(4))
            + w(5)
            + w(6)
            + w(8)
            + u64::from(self.figures);
        3 * per_instance + w(7)
    }
}

/// Parses a table selection: `all` (every table and the figures), or a comma-separated list of
/// numbers 1-8 and/or `figures`. Returns (tables, figures).
pub fn parse_tables(text: &str) -> Res<(Vec<u32>, bool)> {
    let allowed = "allowed: all, or a comma-separated list of 1-8 and figures";
    if text.trim() == "all" {
        return Ok((TABLE_NUMBERS.collect(), true));
    }
    let mut nums = Vec::new();
    let mut figures = false;
    for part in text.split(',') {
        let p = part.trim();
        if p == "figures" {
            figures = true;
            continue;
        }
        let n: u32 = p
            .parse()
            .ok()
            .filter(|n| TABLE_NUMBERS.contains(n))
            .ok_or_else(|| invalid(format!("tables: {p:?} is not a table number; {allowed}")))?;
        if !nums.contains(&n) {
            nums.push(n);
        }
    }
    nums.sort_unstable();
    if nums.is_empty() && !figures {
        return Err(invalid(format!("tables: nothing selected; {allowed}")));
    }
    Ok((nums, figures))
}

/// Parses a needle position: `random` or an arm index in [0, 9].
pub fn parse_needle(text: &str) -> Res<NeedlePosition> {
    if text == "random" {
        return Ok(NeedlePosition::Random);
    }
    text.parse::<usize>()
        .ok()
        .filter(|&i| i < 10)
        .map(NeedlePosition::Fixed)
        .ok_or_else(|| {
            invalid(format!(
                "needle = {text:?} must be \"random\" or an arm index in [0, 9]"
            ))
        })
}

/// A finding with its verdict and evidence.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BanditsFinding {
    /// The claim.
    pub claim: String,
    /// Whether this run supports it.
    pub holds: bool,
    /// The numbers behind the verdict.
    pub evidence: String,
}

/// One produced table.
#[derive(Clone, Debug, PartialEq)]
pub struct ProducedTable {
    /// Our table number ("1"-"8").
    pub number: String,
    /// Title.
    pub title: String,
    /// File stem in the run folder.
    pub stem: String,
    /// Wall seconds spent simulating it (0 when it shares its experiments with another table,
    /// or when they were resumed).
    pub seconds: f64,
    /// The display table, labelled as in the spec (cells "mean±half-width").
    pub display: Table,
    /// The long numeric form: label columns, then mean, half_width, variance (or EEOG columns).
    pub long: Table,
    /// The table's findings.
    pub findings: Vec<BanditsFinding>,
}

/// What a reproduction returns (everything is also in the run folder).
#[derive(Clone, Debug, PartialEq)]
pub struct BanditsSummary {
    /// The run folder.
    pub out: PathBuf,
    /// The resolved config.
    pub config: BanditsConfig,
    /// The tables, in the order written (1, 3, 2, 4, 5, 6, 7, 8 of those selected).
    pub tables: Vec<ProducedTable>,
    /// The findings of the isolation figures (empty without figures).
    pub figure_findings: Vec<BanditsFinding>,
    /// Wall-clock timings in seconds ("table N", "figures (isolation)", "total").
    pub timings: BTreeMap<String, f64>,
    /// Pieces simulated in this call.
    pub simulated_pieces: usize,
    /// Pieces loaded from an earlier interrupted run.
    pub resumed_pieces: usize,
}

impl BanditsSummary {
    /// The JSON printed by `--format json`: every table (number, title, stem, seconds, rows,
    /// long), the timings and the folder.
    pub fn to_json(&self) -> Res<serde_json::Value> {
        let mut tables = Vec::new();
        for p in &self.tables {
            let mut j = table_json(p)?;
            j["seconds"] = serde_json::json!(p.seconds);
            tables.push(j);
        }
        Ok(serde_json::json!({
            "tables": tables,
            "timings": self.timings,
            "out": self.out,
            "simulated_pieces": self.simulated_pieces,
            "resumed_pieces": self.resumed_pieces,
        }))
    }

    /// A human-readable text: each table in Markdown with its findings, then the timings.
    pub fn to_text(&self) -> Res<String> {
        let mut s = String::new();
        for p in &self.tables {
            s.push_str(&format!(
                "## Table {}: {}  ({:.2} s)\n\n{}\n",
                p.number,
                p.title,
                p.seconds,
                p.display.to_markdown(3)?
            ));
            for f in &p.findings {
                s.push_str(&finding_line(f));
            }
            s.push('\n');
        }
        if !self.figure_findings.is_empty() {
            s.push_str("## Figures (performance in isolation)\n\n");
            for f in &self.figure_findings {
                s.push_str(&finding_line(f));
            }
            s.push('\n');
        }
        if let Some(t) = self.timings.get("figures (isolation)") {
            s.push_str(&format!("figures (isolation): {t:.2} s\n"));
        }
        s.push_str(&format!(
            "total wall time: {:.2} s ({} pieces simulated, {} resumed); results in {}\n",
            self.timings.get("total").copied().unwrap_or(0.0),
            self.simulated_pieces,
            self.resumed_pieces,
            self.out.display()
        ));
        Ok(s)
    }
}

/// The JSON form of a table written to `STEM.json` (deterministic: no timings).
fn table_json(p: &ProducedTable) -> Res<serde_json::Value> {
    Ok(
        serde_json::json!({"number": p.number, "title": p.title, "stem": p.stem,
                          "rows": p.display.to_json()?, "long": p.long.to_json()?}),
    )
}

fn findings_of(section: &Section) -> Vec<BanditsFinding> {
    section
        .findings
        .iter()
        .map(|f| BanditsFinding {
            claim: f.claim.clone(),
            holds: f.holds,
            evidence: f.evidence.clone(),
        })
        .collect()
}

/// Runs pieces of work, saving each finished piece in the run folder and reusing saved ones.
struct Store<'a> {
    dir: &'a RunDir,
    runs: u64,
    total: u64,
    done: AtomicU64,
    resumed: AtomicUsize,
    simulated: AtomicUsize,
    progress: &'a (dyn Fn(&Progress) + Sync),
}

impl Store<'_> {
    fn piece<T, F>(&self, key: &str, f: F) -> Res<T>
    where
        T: Serialize + serde::de::DeserializeOwned,
        F: FnOnce() -> Res<T>,
    {
        let v = if let Some(v) = self.dir.load_replicate::<T>(key, 0)? {
            self.resumed.fetch_add(1, Ordering::Relaxed);
            v
        } else {
            let v = f()?;
            self.dir.save_replicate(key, 0, &v)?;
            self.simulated.fetch_add(1, Ordering::Relaxed);
            v
        };
        let done = self.done.fetch_add(1, Ordering::Relaxed) + 1;
        (self.progress)(&Progress {
            phase: "simulate",
            done,
            total: self.total,
        });
        Ok(v)
    }

    /// The per-cell summaries of `exp` over the config's runs.
    fn experiment(&self, key: &str, exp: &Experiment) -> Res<Vec<CellSummary>> {
        self.piece(key, || {
            let res = exp.run(self.runs, Schedule::Parallel).map_err(bandit)?;
            res.iter()
                .map(|c| {
                    CellSummary::new(c)
                        .ok_or_else(|| invalid("runs = 0: a cell has no runs".into()))
                })
                .collect()
        })
    }

    fn isolation(&self, key: &str, cfg: &IsolationConfig) -> Res<IsolationSummary> {
        self.piece(key, || {
            cfg.run(self.runs, Schedule::Parallel).map_err(bandit)
        })
    }
}

/// Reference values of Table 1 (share of the first-named algorithm, half-width), columns
/// HT 20, 250, 500, NiH 20, 250, 500, U 20, 250, 500.
#[allow(clippy::type_complexity)]
const TABLE1_REF: [(&str, &str, [(f64, f64); 9]); 3] = [
    (
        "TS",
        "BG",
        [
            (0.31, 0.03),
            (0.72, 0.02),
            (0.75, 0.02),
            (0.68, 0.03),
            (0.62, 0.03),
            (0.65, 0.03),
            (0.44, 0.03),
            (0.52, 0.02),
            (0.58, 0.02),
        ],
    ),
    (
        "TS",
        "BEG",
        [
            (0.30, 0.03),
            (0.89, 0.01),
            (0.90, 0.01),
            (0.60, 0.03),
            (0.52, 0.03),
            (0.55, 0.02),
            (0.41, 0.03),
            (0.47, 0.02),
            (0.55, 0.02),
        ],
    ),
    (
        "BG",
        "BEG",
        [
            (0.63, 0.03),
            (0.60, 0.02),
            (0.56, 0.03),
            (0.42, 0.03),
            (0.41, 0.03),
            (0.39, 0.02),
            (0.50, 0.03),
            (0.46, 0.02),
            (0.45, 0.02),
        ],
    ),
];

/// Reference values of Table 2: rows entrant TS, BEG, BG; columns incumbent TS, BEG, BG.
const TABLE2_REF: [[(f64, f64); 3]; 3] = [
    [(0.003, 0.003), (0.083, 0.02), (0.17, 0.02)],
    [(0.045, 0.01), (0.25, 0.02), (0.23, 0.02)],
    [(0.12, 0.02), (0.36, 0.03), (0.30, 0.02)],
];

const T0S: [usize; 3] = [20, 250, 500];
const XS_FIRST_MOVER: [usize; 4] = [50, 200, 300, 500];
const XS_ADVANTAGE: [usize; 2] = [200, 500];
const HORIZONS: [usize; 3] = [2000, 5000, 10000];
/// Algorithms of the competition game, simplest first (ties go to the simpler one).
const GAME_ALGS: [&str; 3] = ["BG", "BEG", "TS"];
/// Display order of the spec's Table 2 (TS, BEG, BG).
const DISPLAY_ALGS: [&str; 3] = ["TS", "BEG", "BG"];

/// The three algorithms of the paper's tables by their short names ("TS", "BG", "BEG").
fn alg(name: &str) -> AlgorithmKind {
    match name {
        "TS" => AlgorithmKind::ThompsonSampling,
        "BG" => AlgorithmKind::BayesGreedy,
        _ => AlgorithmKind::beg(),
    }
}

/// The three instances in the spec's column order, with their short labels.
fn instances(needle: NeedlePosition, k: usize) -> Vec<(&'static str, InstanceSpec)> {
    vec![
        ("HT", InstanceSpec::heavy_tail(k)),
        (
            "NiH",
            InstanceSpec::NeedleInHaystack {
                k,
                needle,
                needle_mean: 0.7,
                base_mean: 0.5,
            },
        ),
        ("U", InstanceSpec::uniform(k)),
    ]
}

/// A produced table: its display form (labelled as in the spec), its long numeric form, and
/// the report material.
struct Produced {
    pub number: String,
    pub stem: String,
    pub title: String,
    pub display: Table,
    pub long: Table,
    pub section: Section,
    pub seconds: f64,
}

fn pm(e: &Estimate) -> String {
    format!("{:.3}±{:.3}", e.mean, e.half_width)
}

/// The row labels of Table 1 ("TS vs BG", ...).
fn table1_pairs() -> Column {
    strings(
        TABLE1_REF
            .iter()
            .map(|(a, b, _)| format!("{a} vs {b}"))
            .collect(),
    )
}

fn strings(v: Vec<String>) -> Column {
    Column::Str(v)
}

/// Cell agreement with a reference value: within two combined half-widths.
fn agrees(ours: &Estimate, reference: (f64, f64)) -> bool {
    (ours.mean - reference.0).abs() <= 2.0 * ours.half_width.hypot(reference.1)
}

fn winner(share: f64) -> &'static str {
    if share > 0.5 {
        "first"
    } else {
        "second"
    }
}

fn describe(
    game: &CompetitionGame,
    a: &GameAnalysis,
    row: &str,
    col: &str,
    symmetric: bool,
) -> String {
    let name = |i: Option<usize>| i.map_or("none".to_string(), |i| game.strategies[i].clone());
    let eq: Vec<String> = a
        .equilibria
        .iter()
        .map(|&(i, j)| {
            format!(
                "({} {row}, {} {col})",
                game.strategies[i], game.strategies[j]
            )
        })
        .collect();
    if symmetric {
        format!(
            "weakly dominant: {}; strictly dominant: {}; pure Nash equilibria: {}",
            name(a.row_weakly_dominant),
            name(a.row_strictly_dominant),
            if eq.is_empty() {
                "none".into()
            } else {
                eq.join(", ")
            }
        )
    } else {
        format!(
            "{row}: weakly dominant {}, strictly dominant {}; {col}: weakly dominant {}, strictly dominant {}; pure Nash equilibria: {}",
            name(a.row_weakly_dominant),
            name(a.row_strictly_dominant),
            name(a.col_weakly_dominant),
            name(a.col_strictly_dominant),
            if eq.is_empty() { "none".into() } else { eq.join(", ") }
        )
    }
}

/// The simultaneous-entry experiment behind tables 1 and 3 (or 7 with K = 3, T = 5000).
struct SimultaneousEntry {
    /// `[instance][pair][t0]` summaries.
    cells: Vec<Vec<Vec<CellSummary>>>,
    labels: Vec<&'static str>,
    seconds: f64,
}

fn simultaneous_entry(
    cfg: &BanditsConfig,
    store: &Store<'_>,
    needle: NeedlePosition,
    k: usize,
    t: usize,
) -> Res<SimultaneousEntry> {
    let start = Instant::now();
    let mut cells = Vec::new();
    let mut labels = Vec::new();
    let insts = if k == 10 {
        instances(needle, k)
    } else {
        vec![("HT", InstanceSpec::heavy_tail(k))]
    };
    for (label, inst) in insts {
        let mut configs = Vec::new();
        for &(a, b, _) in &TABLE1_REF {
            for t0 in T0S {
                configs.push(
                    CompetitionConfig {
                        t,
                        ..CompetitionConfig::paper(alg(a), alg(b), t0).map_err(bandit)?
                    }
                    .validated()
                    .map_err(bandit)?,
                );
            }
        }
        let exp = Experiment::new(inst, configs, SeedSequence::new(cfg.seed)).map_err(bandit)?;
        let s = store.experiment(&format!("simultaneous-k{k}-t{t}-{label}"), &exp)?;
        check_len(&s, 9)?;
        cells.push(s.chunks(3).map(|c| c.to_vec()).collect());
        labels.push(label);
    }
    Ok(SimultaneousEntry {
        cells,
        labels,
        seconds: start.elapsed().as_secs_f64(),
    })
}

fn symmetric_game(se: &SimultaneousEntry, inst: usize, t0: usize) -> CompetitionGame {
    // Pairs in TABLE1_REF: (TS,BG), (TS,BEG), (BG,BEG); game order BG=0, BEG=1, TS=2.
    let cells = &se.cells[inst];
    CompetitionGame::symmetric(
        GAME_ALGS.iter().map(|s| s.to_string()).collect(),
        |a, b| match (a, b) {
            (0, 1) => cells[2][t0].share[0],
            (0, 2) => cells[0][t0].share[0].complement(),
            (1, 2) => cells[1][t0].share[0].complement(),
            _ => Estimate::exact(0.5),
        },
    )
}

fn table_shares(
    se: &SimultaneousEntry,
    number: &str,
    stem: &str,
    title: &str,
    with_reference: bool,
) -> Res<Produced> {
    let mut cols: Vec<String> = Vec::new();
    for l in &se.labels {
        for t0 in T0S {
            cols.push(format!("{l} {t0}"));
        }
    }
    let mut display = Table::new().with("pair", table1_pairs())?;
    for (c, name) in cols.iter().enumerate() {
        let (i, t) = (c / 3, c % 3);
        display.push(
            name,
            strings((0..3).map(|p| pm(&se.cells[i][p][t].share[0])).collect()),
        )?;
    }
    let mut long = LongTable::default();
    let mut section = Section {
        heading: format!("Table {number}: {title}"),
        ..Section::default()
    };
    let mut agree = 0;
    let mut direction = 0;
    let mut total = 0;
    let mut comparison = Vec::new();
    for (p, (a, b, refs)) in TABLE1_REF.iter().enumerate() {
        for (c, name) in cols.iter().enumerate() {
            let (i, t) = (c / 3, c % 3);
            let e = se.cells[i][p][t].share[0];
            long.row(
                &[
                    ("instance", se.labels[i].into()),
                    ("t0", T0S[t].to_string()),
                    ("pair", format!("{a} vs {b}")),
                ],
                &e,
            );
            if with_reference {
                let ok = agrees(&e, refs[c]);
                let same_dir =
                    winner(e.mean) == winner(refs[c].0) || (refs[c].0 - 0.5).abs() <= refs[c].1;
                agree += usize::from(ok);
                direction += usize::from(same_dir);
                total += 1;
                comparison.push(CellComparison {
                    row: format!("{a} vs {b}"),
                    col: name.clone(),
                    ours: e,
                    paper: refs[c],
                    within: ok,
                    same_winner: Some(same_dir),
                });
            }
        }
    }
    if with_reference {
        let cmp = comparison_table(["pair", "cell"], &comparison)?;
        section
            .tables
            .push(("Cell-by-cell comparison with the paper".into(), cmp));
        section.findings.push(Finding {
            claim: format!("Table {number} matches the paper's values within about two combined half-widths"),
            holds: agree * 10 >= total * 9,
            evidence: format!("{agree} of {total} cells within 2 combined half-widths; {direction} of {total} with the same winner"),
        });
    }
    section.tables.insert(
        0,
        (
            format!(
                "Market share of the first-named algorithm ({})",
                "mean ± 95% half-width"
            ),
            display.clone(),
        ),
    );
    for (i, l) in se.labels.iter().enumerate() {
        for (t, t0) in T0S.iter().enumerate() {
            let g = symmetric_game(se, i, t);
            let a = g.analyse();
            section.paragraphs.push(format!(
                "{l}, T0 = {t0}: {}",
                describe(&g, &a, "firm 1", "firm 2", true)
            ));
        }
    }
    Ok(Produced {
        number: number.into(),
        stem: stem.into(),
        title: title.into(),
        display,
        long: long.finish()?,
        section,
        seconds: se.seconds,
    })
}

fn check_len(s: &[CellSummary], want: usize) -> Res<()> {
    if s.len() == want {
        Ok(())
    } else {
        Err(invalid(format!(
            "an experiment returned {} cell summaries but {want} were expected",
            s.len()
        )))
    }
}

/// One cell of a table next to the paper's value.
struct CellComparison {
    row: String,
    col: String,
    ours: Estimate,
    paper: (f64, f64),
    within: bool,
    same_winner: Option<bool>,
}

/// The cell-by-cell comparison with the paper: the two label columns `keys`, ours, the
/// paper's, whether they agree (and whether the winner is the same, when known).
fn comparison_table(keys: [&str; 2], cells: &[CellComparison]) -> Result<Table, IoError> {
    let col = |f: &dyn Fn(&CellComparison) -> String| strings(cells.iter().map(f).collect());
    let mut t = Table::new()
        .with(keys[0], col(&|c| c.row.clone()))?
        .with(keys[1], col(&|c| c.col.clone()))?
        .with("ours", col(&|c| pm(&c.ours)))?
        .with("paper", col(&|c| format!("{}±{}", c.paper.0, c.paper.1)))?
        .with("within 2 combined half-widths", col(&|c| yes(c.within)))?;
    if cells.iter().all(|c| c.same_winner.is_some()) && !cells.is_empty() {
        t.push("same winner", col(&|c| yes(c.same_winner.unwrap_or(false))))?;
    }
    Ok(t)
}

/// A finding as one Markdown list line.
fn finding_line(f: &BanditsFinding) -> String {
    format!(
        "- [{}] {} — {}\n",
        if f.holds { "holds" } else { "does not hold" },
        f.claim,
        f.evidence
    )
}

fn yes(b: bool) -> String {
    if b { "yes" } else { "no" }.into()
}

/// A long-format table: label columns plus mean, half-width, variance.
#[derive(Default)]
struct LongTable {
    labels: BTreeMap<usize, (String, Vec<String>)>,
    mean: Vec<f64>,
    hw: Vec<f64>,
    var: Vec<f64>,
}

impl LongTable {
    fn row(&mut self, labels: &[(&str, String)], e: &Estimate) {
        for (i, (name, v)) in labels.iter().enumerate() {
            self.labels
                .entry(i)
                .or_insert_with(|| (name.to_string(), Vec::new()))
                .1
                .push(v.clone());
        }
        self.mean.push(e.mean);
        self.hw.push(e.half_width);
        self.var.push(e.variance);
    }

    fn finish(self) -> Res<Table> {
        let mut t = Table::new();
        for (_, (name, v)) in self.labels {
            t.push(&name, Column::Str(v))?;
        }
        t.push("mean", Column::F64(self.mean))?;
        t.push("half_width", Column::F64(self.hw))?;
        t.push("variance", Column::F64(self.var))?;
        Ok(t)
    }
}

fn table_eeog(se: &SimultaneousEntry) -> Res<Produced> {
    let mut display = Table::new().with("pair", table1_pairs())?;
    let mut long_inst = Vec::new();
    let mut long_t0 = Vec::new();
    let mut long_pair = Vec::new();
    let mut mean = Vec::new();
    let mut med = Vec::new();
    for (i, l) in se.labels.iter().enumerate() {
        for (t, t0) in T0S.iter().enumerate() {
            display.push(
                &format!("{l} {t0}"),
                strings(
                    (0..3)
                        .map(|p| {
                            format!(
                                "{:.0} / {:.0}",
                                se.cells[i][p][t].eeog_mean, se.cells[i][p][t].eeog_median
                            )
                        })
                        .collect(),
                ),
            )?;
            for (p, (a, b, _)) in TABLE1_REF.iter().enumerate() {
                long_inst.push(l.to_string());
                long_t0.push(*t0 as i64);
                long_pair.push(format!("{a} vs {b}"));
                mean.push(se.cells[i][p][t].eeog_mean);
                med.push(se.cells[i][p][t].eeog_median);
            }
        }
    }
    let long = Table::new()
        .with("instance", Column::Str(long_inst))?
        .with("t0", Column::I64(long_t0))?
        .with("pair", Column::Str(long_pair))?
        .with("eeog_mean", Column::F64(mean))?
        .with("eeog_median", Column::F64(med))?;
    let section = Section {
        heading: "Table 3: effective end of game (simultaneous entry, HardMax, T = 2000)".into(),
        paragraphs: vec![
            "EEOG = the number of game rounds before the final run of rounds in which every user chose the same firm (0 if one firm won every round). Cells: mean / median over the runs.".into(),
        ],
        tables: vec![("EEOG mean / median".into(), display.clone())],
        ..Section::default()
    };
    Ok(Produced {
        number: "3".into(),
        stem: "table3_eeog".into(),
        title: "effective end of game (mean / median), simultaneous entry".into(),
        display,
        long,
        section,
        seconds: 0.0,
    })
}

/// First-mover style experiments: `[instance][x][scenario][entrant][incumbent]` summaries, with
/// the incumbent in firm slot 0.
struct FirstMover {
    labels: Vec<&'static str>,
    xs: Vec<usize>,
    scenarios: Vec<Scenario>,
    cells: Vec<Vec<Vec<Vec<Vec<CellSummary>>>>>,
    seconds: f64,
}

fn first_mover(
    cfg: &BanditsConfig,
    store: &Store<'_>,
    name: &str,
    needle: NeedlePosition,
    xs: &[usize],
    kinds: &[fn(usize) -> Scenario],
) -> Res<FirstMover> {
    let start = Instant::now();
    let mut cells = Vec::new();
    let mut labels = Vec::new();
    let mut scenarios = Vec::new();
    for (label, inst) in instances(needle, 10) {
        let mut configs = Vec::new();
        for &x in xs {
            for kind in kinds {
                for e in DISPLAY_ALGS {
                    for inc in DISPLAY_ALGS {
                        configs.push(
                            CompetitionConfig {
                                algorithms: vec![alg(inc), alg(e)],
                                scenario: kind(x),
                                ..CompetitionConfig::paper(alg(inc), alg(e), 20).map_err(bandit)?
                            }
                            .validated()
                            .map_err(bandit)?,
                        );
                    }
                }
            }
        }
        let exp = Experiment::new(inst, configs, SeedSequence::new(cfg.seed)).map_err(bandit)?;
        let s = store.experiment(&format!("{name}-{label}"), &exp)?;
        check_len(&s, xs.len() * kinds.len() * 9)?;
        // Cells in order x, scenario, entrant, incumbent.
        let per_x: Vec<Vec<Vec<Vec<CellSummary>>>> = (0..xs.len())
            .map(|xi| {
                (0..kinds.len())
                    .map(|ki| {
                        (0..3)
                            .map(|e| {
                                let base = ((xi * kinds.len() + ki) * 3 + e) * 3;
                                s[base..base + 3].to_vec()
                            })
                            .collect()
                    })
                    .collect()
            })
            .collect();
        cells.push(per_x);
        labels.push(label);
    }
    for kind in kinds {
        scenarios.push(kind(0));
    }
    Ok(FirstMover {
        labels,
        xs: xs.to_vec(),
        scenarios,
        cells,
        seconds: start.elapsed().as_secs_f64(),
    })
}

/// The entrant-vs-incumbent game of one first-mover cell block (row = entrant).
fn entrant_game(m: &[Vec<CellSummary>]) -> CompetitionGame {
    // m[e][i] in display order TS, BEG, BG; game order BG, BEG, TS.
    let to_display = |g: usize| 2 - g;
    CompetitionGame {
        strategies: GAME_ALGS.iter().map(|s| s.to_string()).collect(),
        row_share: (0..3)
            .map(|ge| {
                (0..3)
                    .map(|gi| m[to_display(ge)][to_display(gi)].share[1])
                    .collect()
            })
            .collect(),
    }
}

fn first_mover_table(
    fm: &FirstMover,
    number: &str,
    stem: &str,
    title: &str,
    only: Option<(usize, usize)>,
) -> Res<Produced> {
    let mut rows = Vec::new();
    let mut cols: Vec<Vec<String>> = vec![Vec::new(); 3];
    let mut long = LongTable::default();
    let mut section = Section {
        heading: format!("Table {number}: {title}"),
        ..Section::default()
    };
    for (ii, l) in fm.labels.iter().enumerate() {
        for (xi, x) in fm.xs.iter().enumerate() {
            if let Some((oi, ox)) = only {
                if oi != ii || ox != xi {
                    continue;
                }
            }
            for (si, sc) in fm.scenarios.iter().enumerate() {
                let m = &fm.cells[ii][xi][si];
                let scen = match sc {
                    Scenario::FirstMover { .. } => "first mover",
                    Scenario::DataAdvantage { .. } => "data advantage only",
                    Scenario::ReputationAdvantage { .. } => "reputation advantage only",
                    _ => "other",
                };
                for (e, en) in DISPLAY_ALGS.iter().enumerate() {
                    rows.push(if only.is_some() {
                        en.to_string()
                    } else {
                        format!("{l} X={x} {scen}: {en}")
                    });
                    for (i, inc) in DISPLAY_ALGS.iter().enumerate() {
                        let s = m[e][i].share[1];
                        cols[i].push(pm(&s));
                        long.row(
                            &[
                                ("instance", l.to_string()),
                                ("x", x.to_string()),
                                ("scenario", scen.into()),
                                ("entrant", en.to_string()),
                                ("incumbent", inc.to_string()),
                            ],
                            &s,
                        );
                    }
                }
                let g = entrant_game(m);
                let a = g.analyse();
                section.paragraphs.push(format!(
                    "{l}, X = {x}, {scen}: {}",
                    describe(&g, &a, "entrant", "incumbent", false)
                ));
            }
        }
    }
    let mut display = Table::new().with("entrant \\ incumbent", Column::Str(rows))?;
    for (i, inc) in DISPLAY_ALGS.iter().enumerate() {
        display.push(inc, Column::Str(cols[i].clone()))?;
    }
    section.tables.push((
        "Entrant's market share (mean ± 95% half-width)".into(),
        display.clone(),
    ));
    Ok(Produced {
        number: number.into(),
        stem: stem.into(),
        title: title.into(),
        display,
        long: long.finish()?,
        section,
        seconds: fm.seconds,
    })
}

fn table2(fm: &FirstMover) -> Res<Produced> {
    let x200 = fm
        .xs
        .iter()
        .position(|&x| x == 200)
        .ok_or_else(|| invalid("X = 200 is missing from the first-mover grid".into()))?;
    let mut p = first_mover_table(
        fm,
        "2",
        "table2_first_mover_ht_x200",
        "first mover, Heavy-Tail, X = 200, T0 = 20, entrant's share",
        Some((0, x200)),
    )?;
    let m = &fm.cells[0][x200][0];
    let mut agree = 0;
    let mut entrant_behind = 0;
    let mut comparison = Vec::new();
    for (e, en) in DISPLAY_ALGS.iter().enumerate() {
        for (i, inc) in DISPLAY_ALGS.iter().enumerate() {
            let s = m[e][i].share[1];
            let ok = agrees(&s, TABLE2_REF[e][i]);
            agree += usize::from(ok);
            entrant_behind += usize::from(s.mean < 0.5);
            comparison.push(CellComparison {
                row: en.to_string(),
                col: inc.to_string(),
                ours: s,
                paper: TABLE2_REF[e][i],
                within: ok,
                same_winner: None,
            });
        }
    }
    let cmp = comparison_table(["entrant", "incumbent"], &comparison)?;
    p.section
        .tables
        .push(("Cell-by-cell comparison with the paper".into(), cmp));
    p.section.findings.push(Finding {
        claim: "Table 2 matches the paper's values within about two combined half-widths".into(),
        holds: agree >= 8,
        evidence: format!("{agree} of 9 cells within 2 combined half-widths"),
    });
    p.section.findings.push(Finding {
        claim: "A first mover with X = 200 keeps most of the market whatever the algorithms (entrant's share below 1/2 in every cell)".into(),
        holds: entrant_behind == 9,
        evidence: format!("{entrant_behind} of 9 cells below 1/2"),
    });
    Ok(p)
}

/// Table 5: data advantage only vs reputation advantage only.
fn table_advantage(
    cfg: &BanditsConfig,
    store: &Store<'_>,
    needle: NeedlePosition,
) -> Res<Produced> {
    let fm = first_mover(
        cfg,
        store,
        "advantage",
        needle,
        &XS_ADVANTAGE,
        &[
            |x| Scenario::DataAdvantage { x },
            |x| Scenario::ReputationAdvantage { x },
        ],
    )?;
    let mut p = first_mover_table(
        &fm,
        "5",
        "table5_data_vs_reputation",
        "data advantage only vs reputation advantage only, X in {200, 500}, T0 = 20, entrant's share",
        None,
    )?;
    // Finding: which advantage matters more (the entrant's mean share against it).
    let mut data = Vec::new();
    let mut rep = Vec::new();
    for inst in &fm.cells {
        for per_x in inst {
            for (si, m) in per_x.iter().enumerate() {
                let v = m
                    .iter()
                    .flat_map(|r| r.iter().map(|c| c.share[1].mean))
                    .sum::<f64>()
                    / 9.0;
                if si == 0 {
                    data.push(v)
                } else {
                    rep.push(v)
                }
            }
        }
    }
    let d = data.iter().sum::<f64>() / data.len().max(1) as f64;
    let r = rep.iter().sum::<f64>() / rep.len().max(1) as f64;
    p.section.findings.push(Finding {
        claim: "Either advantage alone still protects the incumbent: the entrant's mean share stays below 1/2 with only data or only reputation".into(),
        holds: d < 0.5 && r < 0.5,
        evidence: format!("entrant's mean share over all cells: {d:.3} against data advantage only, {r:.3} against reputation advantage only"),
    });
    p.section.paragraphs.push(format!(
        "Which advantage protects more in this run: {} (entrant's mean share {d:.3} vs data advantage only, {r:.3} vs reputation advantage only).",
        if d < r { "data" } else { "reputation" }
    ));
    Ok(p)
}

/// The HardMax&Random experiment: `[instance][pair][response]` summaries with checkpoints.
fn table_hmr(cfg: &BanditsConfig, store: &Store<'_>, needle: NeedlePosition) -> Res<Produced> {
    let start = Instant::now();
    let responses = [
        ResponseSpec::HardMax { bias: 0.5 },
        ResponseSpec::HardMaxRandom { eps: 0.1 },
    ];
    let tmax = HORIZONS[HORIZONS.len() - 1];
    let mut rows = Vec::new();
    let mut cols: Vec<Vec<String>> = vec![Vec::new(); responses.len() * HORIZONS.len()];
    let mut long = LongTable::default();
    let mut section = Section {
        heading: "Table 6: HardMax&Random(0.1) vs HardMax, T0 = 20, share of the first-named algorithm at t = 2000, 5000, 10000".into(),
        paragraphs: vec!["One game of 10000 rounds per run; the share at t is the share of the first t game rounds (a game with horizon t).".into()],
        ..Section::default()
    };
    let mut ts_gains = Vec::new();
    for (label, inst) in instances(needle, 10) {
        let mut configs = Vec::new();
        for &(a, b, _) in &TABLE1_REF {
            for r in responses {
                configs.push(
                    CompetitionConfig {
                        t: tmax,
                        response: r,
                        checkpoints: HORIZONS.to_vec(),
                        ..CompetitionConfig::paper(alg(a), alg(b), 20).map_err(bandit)?
                    }
                    .validated()
                    .map_err(bandit)?,
                );
            }
        }
        let exp = Experiment::new(inst, configs, SeedSequence::new(cfg.seed)).map_err(bandit)?;
        let s = store.experiment(&format!("hardmax-random-{label}"), &exp)?;
        check_len(&s, TABLE1_REF.len() * responses.len())?;
        for (p, &(a, b, _)) in TABLE1_REF.iter().enumerate() {
            rows.push(format!("{label}: {a} vs {b}"));
            for (ri, r) in responses.iter().enumerate() {
                let cell = &s[p * responses.len() + ri];
                for (h, t) in HORIZONS.iter().enumerate() {
                    let e = cell.checkpoint_share[h][0];
                    cols[ri * HORIZONS.len() + h].push(pm(&e));
                    long.row(
                        &[
                            ("instance", label.into()),
                            ("pair", format!("{a} vs {b}")),
                            ("response", r.short()),
                            ("t", t.to_string()),
                        ],
                        &e,
                    );
                }
                if a == "TS" && b == "BG" && ri == 1 {
                    ts_gains.push((
                        label,
                        cell.checkpoint_share[0][0],
                        cell.checkpoint_share[HORIZONS.len() - 1][0],
                    ));
                }
            }
        }
    }
    let mut display = Table::new().with("instance: pair", Column::Str(rows))?;
    for (ri, r) in responses.iter().enumerate() {
        for (h, t) in HORIZONS.iter().enumerate() {
            display.push(
                &format!("{} t={t}", r.short()),
                Column::Str(cols[ri * HORIZONS.len() + h].clone()),
            )?;
        }
    }
    let grows = ts_gains.iter().filter(|(_, a, b)| b.mean >= a.mean).count();
    section.findings.push(Finding {
        claim: "Under HardMax&Random, the better learner (TS) gains market share against BG as the horizon grows".into(),
        holds: grows == ts_gains.len(),
        evidence: ts_gains
            .iter()
            .map(|(l, a, b)| format!("{l}: {} at t=2000 -> {} at t=10000", pm(a), pm(b)))
            .collect::<Vec<_>>()
            .join("; "),
    });
    section.tables.push((
        "Share of the first-named algorithm (mean ± 95% half-width)".into(),
        display.clone(),
    ));
    Ok(Produced {
        number: "6".into(),
        stem: "table6_hardmax_random".into(),
        title: "HardMax&Random(0.1) vs HardMax at t = 2000, 5000, 10000".into(),
        display,
        long: long.finish()?,
        section,
        seconds: start.elapsed().as_secs_f64(),
    })
}

/// Table 8: market regret by competition level; also returns the figure.
fn table_regret(
    cfg: &BanditsConfig,
    store: &Store<'_>,
    needle: NeedlePosition,
) -> Res<(Produced, Vec<(String, Figure)>)> {
    let start = Instant::now();
    let levels: [(&str, Option<ResponseSpec>); 5] = [
        ("monopoly", None),
        (
            "HardMax&Random eps=1",
            Some(ResponseSpec::HardMaxRandom { eps: 1.0 }),
        ),
        (
            "HardMax&Random eps=0.5",
            Some(ResponseSpec::HardMaxRandom { eps: 0.5 }),
        ),
        (
            "HardMax&Random eps=0.1",
            Some(ResponseSpec::HardMaxRandom { eps: 0.1 }),
        ),
        ("HardMax", Some(ResponseSpec::HardMax { bias: 0.5 })),
    ];
    let mut rows = Vec::new();
    let mut cols: Vec<Vec<String>> = vec![Vec::new(); levels.len()];
    let mut long = LongTable::default();
    let mut figs = Vec::new();
    for (label, inst) in instances(needle, 10) {
        let mut configs = Vec::new();
        for a in DISPLAY_ALGS {
            configs.push(
                CompetitionConfig {
                    algorithms: vec![alg(a)],
                    scenario: Scenario::Monopoly,
                    ..CompetitionConfig::paper(alg(a), alg(a), 20).map_err(bandit)?
                }
                .validated()
                .map_err(bandit)?,
            );
        }
        for &(a, b, _) in &TABLE1_REF {
            for r in levels.iter().skip(1).filter_map(|l| l.1) {
                configs.push(
                    CompetitionConfig {
                        response: r,
                        ..CompetitionConfig::paper(alg(a), alg(b), 20).map_err(bandit)?
                    }
                    .validated()
                    .map_err(bandit)?,
                );
            }
        }
        let exp = Experiment::new(inst, configs, SeedSequence::new(cfg.seed)).map_err(bandit)?;
        let s = store.experiment(&format!("regret-{label}"), &exp)?;
        check_len(&s, 3 + TABLE1_REF.len() * (levels.len() - 1))?;
        let mut fig = Figure::new(
            format!("Market regret by competition level ({label}, T0 = 20, T = 2000)"),
            "competition level (0 = monopoly, 1 = random split, 4 = HardMax)",
            "market regret over the game",
        );
        for (ai, a) in DISPLAY_ALGS.iter().enumerate() {
            rows.push(format!("{label}: {a} alone"));
            cols[0].push(pm(&s[ai].regret));
            for c in cols.iter_mut().skip(1) {
                c.push("-".into());
            }
            long.row(
                &[
                    ("instance", label.into()),
                    ("firms", format!("{a} alone")),
                    ("level", "monopoly".into()),
                ],
                &s[ai].regret,
            );
        }
        for (p, &(a, b, _)) in TABLE1_REF.iter().enumerate() {
            rows.push(format!("{label}: {a} vs {b}"));
            cols[0].push("-".into());
            let mut xs = Vec::new();
            let mut ys = Vec::new();
            let mut lo = Vec::new();
            let mut hi = Vec::new();
            for (li, (lname, _)) in levels.iter().enumerate().skip(1) {
                let e = s[3 + p * (levels.len() - 1) + (li - 1)].regret;
                cols[li].push(pm(&e));
                long.row(
                    &[
                        ("instance", label.into()),
                        ("firms", format!("{a} vs {b}")),
                        ("level", lname.to_string()),
                    ],
                    &e,
                );
                xs.push(li as f64);
                ys.push(e.mean);
                lo.push(e.mean - e.half_width);
                hi.push(e.mean + e.half_width);
            }
            fig = fig.with(
                Series::line(format!("{a} vs {b}"), xs, ys)
                    .styled(SeriesStyle::LinePoints)
                    .with_y_err(lo, hi),
            );
        }
        for (ai, a) in DISPLAY_ALGS.iter().enumerate() {
            let e = s[ai].regret;
            fig = fig.with(
                Series::line(format!("{a} monopoly"), vec![0.0], vec![e.mean])
                    .styled(SeriesStyle::Points)
                    .with_y_err(vec![e.mean - e.half_width], vec![e.mean + e.half_width]),
            );
        }
        figs.push((
            format!("fig_regret_competition_{}", label.to_lowercase()),
            fig,
        ));
    }
    let mut display = Table::new().with("instance: firms", Column::Str(rows))?;
    for (li, (lname, _)) in levels.iter().enumerate() {
        display.push(lname, Column::Str(cols[li].clone()))?;
    }
    let section = Section {
        heading: "Table 8: market regret by competition level (T0 = 20, T = 2000)".into(),
        paragraphs: vec!["Market regret = sum over the game rounds of (best mean - mean of the arm served), from the means. Competition grows from a monopoly (one firm serves everyone), through HardMax&Random with eps = 1 (users split at random: no competition on reputation), 0.5 and 0.1, to HardMax.".into()],
        tables: vec![("Market regret (mean ± 95% half-width)".into(), display.clone())],
        figures: figs.iter().map(|(stem, f)| (f.title.clone(), stem.clone())).collect(),
        ..Section::default()
    };
    Ok((
        Produced {
            number: "8".into(),
            stem: "table8_regret_by_competition".into(),
            title: "market regret by competition level".into(),
            display,
            long: long.finish()?,
            section,
            seconds: start.elapsed().as_secs_f64(),
        },
        figs,
    ))
}

/// Figures of performance in isolation and the exploration-disadvantage findings.
#[allow(clippy::type_complexity)]
fn isolation_figures(
    cfg: &BanditsConfig,
    store: &Store<'_>,
    needle: NeedlePosition,
) -> Res<(Section, Vec<(String, Figure)>, Vec<(String, Table)>, f64)> {
    let start = Instant::now();
    let rounds = 2000;
    let snapshots = [20, 250, 500];
    let algs: Vec<AlgorithmKind> = ["TS", "BG", "BEG"].iter().map(|a| alg(a)).collect();
    let mut figs = Vec::new();
    let mut tables = Vec::new();
    let mut section = Section {
        heading: "Performance in isolation (figures)".into(),
        paragraphs: vec![format!(
            "Each algorithm alone for {rounds} rounds on the same {} mean vectors and isolation rows per instance. Relative reputation of TS vs BG at t = the fraction of runs in which TS's reputation exceeds BG's, exact ties counting 1/2. An instance is exploration-disadvantaged when that fraction is significantly below 1/2 (upper 95% bound below 1/2) for at least 20 consecutive rounds.",
            cfg.runs
        )],
        ..Section::default()
    };
    let mut rel_fig = Figure::new(
        "Relative reputation TS vs BG in isolation",
        "round t",
        "P(rep TS > rep BG), ties 1/2",
    );
    let mut disadvantaged = Vec::new();
    for (label, inst) in instances(needle, 10) {
        let iso = IsolationConfig {
            instance: inst,
            algorithms: algs.clone(),
            prior: Default::default(),
            tie: Default::default(),
            window: 100,
            rounds,
            snapshots: snapshots.to_vec(),
            seed: SeedSequence::new(cfg.seed),
        };
        let s: IsolationSummary = store.isolation(&format!("isolation-{label}"), &iso)?;
        let t: Vec<f64> = (1..=rounds).map(|x| x as f64).collect();
        let lower = label.to_lowercase();
        let mut rep_fig = Figure::new(
            format!("Mean reputation in isolation ({label})"),
            "round t",
            "mean reputation",
        );
        let mut rew_fig = Figure::new(
            format!("Mean instantaneous reward in isolation ({label})"),
            "round t",
            "mean of mu(a_t)",
        );
        for (a, name) in ["TS", "BG", "BEG"].iter().enumerate() {
            rep_fig = rep_fig.with(Series::line(*name, t.clone(), s.mean_reputation[a].clone()));
            rew_fig = rew_fig.with(Series::line(*name, t.clone(), s.mean_reward[a].clone()));
        }
        // Pair (0, 1) is TS vs BG.
        let rel = &s.relative[0].1;
        rel_fig = rel_fig.with(Series::line(label, t.clone(), rel.clone()));
        let period = disadvantaged_period(rel, s.runs, 20);
        disadvantaged.push((
            label,
            period,
            rel.iter().copied().fold(f64::INFINITY, f64::min),
        ));
        figs.push((format!("fig_reputation_{lower}"), rep_fig));
        figs.push((format!("fig_reward_{lower}"), rew_fig));
        for (si, snap) in snapshots.iter().enumerate() {
            let mut dist = Figure::new(
                format!("Reputation distribution at t = {snap} ({label})"),
                "reputation",
                "fraction of runs",
            );
            for (a, name) in ["TS", "BG"].iter().enumerate() {
                let (c, f) =
                    marketloop_core::bandits::metrics::histogram(&s.snapshots[si][a], 0.0, 1.0, 20);
                dist = dist.with(Series::line(*name, c, f).styled(SeriesStyle::LinePoints));
            }
            let diff: Vec<f64> = s.snapshots[si][0]
                .iter()
                .zip(&s.snapshots[si][1])
                .map(|(x, y)| x - y)
                .collect();
            let (c, f) = marketloop_core::bandits::metrics::histogram(&diff, -1.0, 1.0, 40);
            let dfig = Figure::new(
                format!("Reputation difference TS - BG at t = {snap} ({label})"),
                "rep TS - rep BG",
                "fraction of runs",
            )
            .with(Series::line("TS - BG", c, f).styled(SeriesStyle::Bars));
            figs.push((format!("fig_repdist_{lower}_t{snap}"), dist));
            figs.push((format!("fig_repdiff_{lower}_t{snap}"), dfig));
        }
        let mut tab = Table::new().with("t", Column::I64((1..=rounds as i64).collect()))?;
        for (a, name) in ["TS", "BG", "BEG"].iter().enumerate() {
            tab.push(
                &format!("reputation_{name}"),
                Column::F64(s.mean_reputation[a].clone()),
            )?;
            tab.push(
                &format!("reward_{name}"),
                Column::F64(s.mean_reward[a].clone()),
            )?;
            tab.push(
                &format!("regret_{name}"),
                Column::F64(s.mean_regret[a].clone()),
            )?;
        }
        tab.push("relative_TS_vs_BG", Column::F64(rel.clone()))?;
        tables.push((format!("isolation_{lower}"), tab));
    }
    figs.push((
        "fig_relative_ts_bg".into(),
        rel_fig.with(Series::line(
            "1/2",
            vec![1.0, rounds as f64],
            vec![0.5, 0.5],
        )),
    ));
    for (label, period, min) in &disadvantaged {
        section.paragraphs.push(match period {
            Some((a, b)) => format!("{label}: exploration-disadvantaged (TS vs BG relative reputation significantly below 1/2 from round {a} to {b}; minimum {min:.3})"),
            None => format!("{label}: not exploration-disadvantaged (minimum relative reputation {min:.3})"),
        });
    }
    let ht = disadvantaged
        .iter()
        .find(|d| d.0 == "HT")
        .map(|d| d.1.is_some())
        .unwrap_or(false);
    let nih = disadvantaged
        .iter()
        .find(|d| d.0 == "NiH")
        .map(|d| d.1.is_some())
        .unwrap_or(true);
    section.findings.push(Finding {
        claim: "Heavy-Tail is exploration-disadvantaged: TS's reputation falls behind BG's for a period early on".into(),
        holds: ht,
        evidence: format!("{:?}", disadvantaged.iter().map(|d| (d.0, d.1)).collect::<Vec<_>>()),
    });
    section.findings.push(Finding {
        claim: "Needle-in-Haystack is not exploration-disadvantaged".into(),
        holds: !nih,
        evidence: format!(
            "{:?}",
            disadvantaged.iter().map(|d| (d.0, d.1)).collect::<Vec<_>>()
        ),
    });
    section.figures = figs
        .iter()
        .map(|(stem, f)| (f.title.clone(), stem.clone()))
        .collect();
    Ok((section, figs, tables, start.elapsed().as_secs_f64()))
}

/// The paper's headline findings on Table 1.
fn add_headline_findings(produced: &mut [Produced]) {
    let Some(p) = produced.iter_mut().find(|p| p.number == "1") else {
        return;
    };
    let long = &p.long;
    let get = |inst: &str, t0: &str, pair: &str| -> Option<f64> {
        let (
            Some(Column::Str(i)),
            Some(Column::Str(t)),
            Some(Column::Str(pp)),
            Some(Column::F64(m)),
        ) = (
            long.column("instance"),
            long.column("t0"),
            long.column("pair"),
            long.column("mean"),
        )
        else {
            return None;
        };
        (0..m.len())
            .find(|&r| i[r] == inst && t[r] == t0 && pp[r] == pair)
            .map(|r| m[r])
    };
    if let (Some(a), Some(b)) = (get("HT", "20", "TS vs BG"), get("HT", "20", "TS vs BEG")) {
        p.section.findings.push(Finding {
            claim: "Heavy-Tail with a small warm start (T0 = 20): the greedy algorithms beat Thompson sampling (exploration is punished by competition)".into(),
            holds: a < 0.5 && b < 0.5,
            evidence: format!("TS's share: {a:.3} vs BG, {b:.3} vs BEG"),
        });
    }
    if let (Some(a), Some(b)) = (get("HT", "250", "TS vs BG"), get("HT", "500", "TS vs BG")) {
        p.section.findings.push(Finding {
            claim: "Heavy-Tail with a long warm start (T0 = 250, 500): Thompson sampling wins"
                .into(),
            holds: a > 0.5 && b > 0.5,
            evidence: format!("TS's share vs BG: {a:.3} (T0 = 250), {b:.3} (T0 = 500)"),
        });
    }
    let nih: Vec<f64> = ["20", "250", "500"]
        .iter()
        .filter_map(|t| get("NiH", t, "TS vs BG"))
        .collect();
    p.section.findings.push(Finding {
        claim: "Needle-in-Haystack: Thompson sampling beats BayesGreedy for every warm start"
            .into(),
        holds: nih.len() == 3 && nih.iter().all(|&x| x > 0.5),
        evidence: format!("TS's share vs BG: {nih:.3?}"),
    });
}

fn index_section(produced: &[Produced]) -> Res<Section> {
    let rows: Vec<(&str, &str, &str)> = vec![
        ("1", "simultaneous entry, HardMax, share of the first-named algorithm, 3 instances x T0 in {20, 250, 500}", "Table 1 (spec reference values)"),
        ("2", "first mover, Heavy-Tail, X = 200, T0 = 20, entrant's share", "Table 2 (spec reference values)"),
        ("3", "effective end of game (mean, median) of the table-1 games", "EEOG table"),
        ("4", "first mover X in {50, 200, 300, 500}, T0 = 20, every instance", "first-mover tables (Appendix F)"),
        ("5", "data advantage only vs reputation advantage only, X in {200, 500}", "data vs reputation advantage tables"),
        ("6", "HardMax&Random(0.1) vs HardMax at t = 2000, 5000, 10000 (T0 = 20)", "HardMax&Random table"),
        ("7", "K = 3, T = 5000, Heavy-Tail, simultaneous entry", "K = 3 table (Appendix F)"),
        ("8", "market regret by competition level (T0 = 20)", "welfare vs competition"),
    ];
    let made: Vec<&str> = produced.iter().map(|p| p.number.as_str()).collect();
    let t = Table::new()
        .with(
            "ours",
            Column::Str(rows.iter().map(|r| r.0.to_string()).collect()),
        )?
        .with(
            "content",
            Column::Str(rows.iter().map(|r| r.1.to_string()).collect()),
        )?
        .with(
            "paper",
            Column::Str(rows.iter().map(|r| r.2.to_string()).collect()),
        )?
        .with(
            "in this run",
            Column::Str(rows.iter().map(|r| yes(made.contains(&r.0))).collect()),
        )?;
    Ok(Section {
        heading: "Table index".into(),
        paragraphs: vec![
            "Model: K = 10 Bernoulli arms, Beta(1,1) priors, BEG eps = 0.05, reputation = mean reward of the last M = 100 users, HardMax with fair ties unless stated. Each firm warm-starts on its own rows of the realization table; all experiments on an instance share the mean vectors and tables (common random numbers). Games: strategies ordered BG < BEG < TS; two shares tie unless they differ by more than their combined 95% half-width, and ties go to the simpler algorithm.".into(),
        ],
        tables: vec![("Our table numbers and the paper's content".into(), t)],
        ..Section::default()
    })
}

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
    let needle = cfg.needle;
    let config_json = serde_json::json!({
        "paper": "Aridor, Mansour, Slivkins, Wu: Competing Bandits (Section 5, Appendix F)",
        "tables": cfg.tables, "figures": cfg.figures, "runs": cfg.runs, "needle": cfg.needle,
        "defaults": {"K": 10, "T": 2000, "M": 100, "eps_BEG": 0.05, "prior": [1.0, 1.0], "tie_rule": "lowest-index",
                     "warm_start_rows": "per-firm", "response": "HardMax (fair ties)"},
    });
    let mut dir = RunDir::open(out, Manifest::new(COMMAND, cfg.seed, config_json), resume)?;
    let total = Instant::now();
    let store = Store {
        dir: &dir,
        runs: cfg.runs,
        total: cfg.pieces(),
        done: AtomicU64::new(0),
        resumed: AtomicUsize::new(0),
        simulated: AtomicUsize::new(0),
        progress,
    };
    let mut produced: Vec<Produced> = Vec::new();
    let mut figs: Vec<(String, Figure)> = Vec::new();
    let mut extra_sections = Vec::new();
    let mut extra_tables = Vec::new();
    let want = |n: u32| cfg.want(n);
    if want(1) || want(3) {
        let se = simultaneous_entry(&cfg, &store, needle, 10, 2000)?;
        if want(1) {
            produced.push(table_shares(
                &se,
                "1",
                "table1_simultaneous_entry",
                "simultaneous entry, HardMax, T = 2000, market share of the first-named algorithm",
                true,
            )?);
        }
        if want(3) {
            let mut p = table_eeog(&se)?;
            p.seconds = if want(1) { 0.0 } else { se.seconds };
            produced.push(p);
        }
    }
    if want(2) || want(4) {
        let fm = first_mover(
            &cfg,
            &store,
            "first-mover",
            needle,
            &XS_FIRST_MOVER,
            &[|x| Scenario::FirstMover { x }],
        )?;
        if want(2) {
            produced.push(table2(&fm)?);
        }
        if want(4) {
            let mut p = first_mover_table(
                &fm,
                "4",
                "table4_first_mover",
                "first mover, X in {50, 200, 300, 500}, T0 = 20, entrant's share",
                None,
            )?;
            p.seconds = if want(2) { 0.0 } else { fm.seconds };
            produced.push(p);
        }
    }
    if want(5) {
        produced.push(table_advantage(&cfg, &store, needle)?);
    }
    if want(6) {
        produced.push(table_hmr(&cfg, &store, needle)?);
    }
    if want(7) {
        let se = simultaneous_entry(&cfg, &store, needle, 3, 5000)?;
        let mut p = table_shares(
            &se,
            "7",
            "table7_k3_heavy_tail",
            "K = 3, T = 5000, Heavy-Tail, simultaneous entry, share of the first-named algorithm",
            false,
        )?;
        p.seconds = se.seconds;
        produced.push(p);
    }
    if want(8) {
        let (p, f) = table_regret(&cfg, &store, needle)?;
        produced.push(p);
        figs.extend(f);
    }
    if cfg.figures {
        let (section, f, tabs, secs) = isolation_figures(&cfg, &store, needle)?;
        figs.extend(f);
        extra_tables.extend(tabs);
        extra_sections.push((section, secs));
    }
    if want(1) {
        add_headline_findings(&mut produced);
    }
    let simulated_pieces = store.simulated.load(Ordering::Relaxed);
    let resumed_pieces = store.resumed.load(Ordering::Relaxed);

    // Write everything.
    let tables: Vec<ProducedTable> = produced
        .iter()
        .map(|p| ProducedTable {
            number: p.number.clone(),
            title: p.title.clone(),
            stem: p.stem.clone(),
            seconds: p.seconds,
            display: p.display.clone(),
            long: p.long.clone(),
            findings: findings_of(&p.section),
        })
        .collect();
    for p in &tables {
        dir.write_table(&p.stem, &p.display)?;
        dir.write_table(&format!("{}_long", p.stem), &p.long)?;
        let md = format!(
            "## Table {}: {}\n\n{}",
            p.number,
            p.title,
            p.display.to_markdown(3)?
        );
        dir.write_file(&format!("{}.md", p.stem), md.as_bytes())?;
        let j = table_json(p)?;
        let path = dir.root().join(format!("{}.json", p.stem));
        let bytes =
            serde_json::to_vec_pretty(&j).map_err(|source| IoError::Json { path, source })?;
        dir.write_file(&format!("{}.json", p.stem), &bytes)?;
        dir.manifest_mut()
            .timings
            .insert(format!("table {}", p.number), p.seconds);
    }
    for (stem, t) in &extra_tables {
        dir.write_table(stem, t)?;
    }
    for (stem, f) in &figs {
        dir.write_figure(stem, f)?;
    }
    for (_, secs) in &extra_sections {
        dir.manifest_mut()
            .timings
            .insert("figures (isolation)".into(), *secs);
    }
    let figure_findings = extra_sections
        .iter()
        .flat_map(|(s, _)| findings_of(s))
        .collect();
    let elapsed = total.elapsed().as_secs_f64();
    dir.manifest_mut().timings.insert("total".into(), elapsed);
    dir.manifest_mut().resumed_replicates = resumed_pieces;

    let mut report = Report {
        title: "Competing bandits: the perils of exploration under competition (reproduction)"
            .into(),
        sections: Vec::new(),
    };
    report.sections.push(index_section(&produced)?);
    for p in &produced {
        report.sections.push(p.section.clone());
    }
    for (s, _) in extra_sections {
        report.sections.push(s);
    }
    dir.write_report(&report)?;
    let manifest = dir.finish()?;
    Ok(BanditsSummary {
        out: out.to_path_buf(),
        config: cfg,
        tables,
        figure_findings,
        timings: manifest.timings,
        simulated_pieces,
        resumed_pieces,
    })
}
