//! The eight tables, each built from its simulation grid: the display table (labelled as in
//! the spec), the long numeric table, the report prose and the paper's claims checked on it.
//! Builders read only the grids of [`super::compute`], so they are tested on hand-made grids.

use super::cells::{agrees, comparison_table, pm, winner, CellComparison, LongTable};
use super::compute::{FirstMover, HardMaxRandom, RegretByCompetition, SimultaneousEntry};
use super::figures::regret_figures;
use super::games::{describe, entrant_game, symmetric_game};
use super::paper::{table1_reference, table_info, DISPLAY_ALGS, TABLE2_REF};
use super::summary::ProducedTable;
use crate::report::Finding;
use crate::table::{Column, Table};
use crate::IoError;
use marketloop_core::bandits::{BanditError, CellSummary, Estimate, Scenario};

/// The pair label "A vs B".
fn vs((a, b): (&str, &str)) -> String {
    format!("{a} vs {b}")
}

/// The simultaneous-entry columns "INSTANCE T0", instance-major, with their grid indices.
fn entry_columns(se: &SimultaneousEntry) -> Vec<(String, usize, usize)> {
    let mut cols = Vec::new();
    for (i, l) in se.instances.iter().enumerate() {
        for (t, t0) in se.t0s.iter().enumerate() {
            cols.push((format!("{l} {t0}"), i, t));
        }
    }
    cols
}

/// The share of the first-named algorithm in every simultaneous-entry cell (tables 1 and 7):
/// display, long form and the game each column describes; with `reference`, the cell-by-cell
/// comparison with the paper's Table 1 and its finding.
fn shares_table(
    se: &SimultaneousEntry,
    number: u32,
    with_reference: bool,
) -> Result<ProducedTable, IoError> {
    let cols = entry_columns(se);
    let mut display = Table::new().with(
        "pair",
        Column::Str(se.pairs.iter().map(|&p| vs(p)).collect()),
    )?;
    for (name, i, t) in &cols {
        display.push(
            name,
            Column::Str(
                (0..se.pairs.len())
                    .map(|p| pm(&se.cells[*i][p][*t].share[0]))
                    .collect(),
            ),
        )?;
    }
    let mut long = LongTable::default();
    let mut comparison = Vec::new();
    for (p, &pair) in se.pairs.iter().enumerate() {
        for (name, i, t) in &cols {
            let e = se.cells[*i][p][*t].share[0];
            long.row(
                &[
                    ("instance", se.instances[*i].into()),
                    ("t0", se.t0s[*t].to_string()),
                    ("pair", vs(pair)),
                ],
                &e,
            );
            let reference = table1_reference(pair, se.instances[*i], se.t0s[*t]);
            if let (true, Some(r)) = (with_reference, reference) {
                comparison.push(CellComparison {
                    row: vs(pair),
                    col: name.clone(),
                    ours: e,
                    paper: r,
                    within: agrees(&e, r),
                    same_winner: Some(winner(e.mean) == winner(r.0) || (r.0 - 0.5).abs() <= r.1),
                });
            }
        }
    }
    let mut p = ProducedTable::new(
        table_info(number),
        display.clone(),
        long.finish()?,
        se.seconds,
    );
    p.section.tables.push((
        "Market share of the first-named algorithm (mean ± 95% half-width)".into(),
        display,
    ));
    if with_reference {
        let total = comparison.len();
        let agree = comparison.iter().filter(|c| c.within).count();
        let direction = comparison
            .iter()
            .filter(|c| c.same_winner == Some(true))
            .count();
        p.section.tables.push((
            "Cell-by-cell comparison with the paper".into(),
            comparison_table(["pair", "cell"], &comparison)?,
        ));
        p.findings.push(Finding {
            claim: format!("Table {number} matches the paper's values within about two combined half-widths"),
            holds: agree * 10 >= total * 9,
            evidence: format!("{agree} of {total} cells within 2 combined half-widths; {direction} of {total} with the same winner"),
        });
    }
    for (_, i, t) in &cols {
        let (l, t0) = (se.instances[*i], se.t0s[*t]);
        if let Some(g) = symmetric_game(&se.pairs, &se.cells[*i], *t) {
            p.section.paragraphs.push(format!(
                "{l}, T0 = {t0}: {}",
                describe(&g, "firm 1", "firm 2", true)
            ));
        }
    }
    Ok(p)
}

/// Table 1: simultaneous entry with K = 10, compared with the paper, and the paper's
/// headline findings on it.
pub(super) fn table1(se: &SimultaneousEntry) -> Result<ProducedTable, IoError> {
    let mut p = shares_table(se, 1, true)?;
    p.findings.extend(headline_findings(se));
    Ok(p)
}

/// Table 7: simultaneous entry with K = 3, T = 5000 (no reference values), with the effective
/// end of game of every cell next to the share, as in the paper's Table 21 (long table: the
/// columns `eeog_mean` and `eeog_median`).
pub(super) fn table7(se: &SimultaneousEntry) -> Result<ProducedTable, IoError> {
    let mut p = shares_table(se, 7, false)?;
    let mut cells = Vec::new();
    for pair in 0..se.pairs.len() {
        for (_, i, t) in entry_columns(se) {
            cells.push(&se.cells[i][pair][t]);
        }
    }
    for (name, col) in eeog_columns(&cells) {
        p.long.push(name, col)?;
    }
    p.section
        .tables
        .push(("EEOG mean / median".into(), eeog_display(se)?));
    p.section.paragraphs.push(EEOG_DEFINITION.into());
    Ok(p)
}

/// The long-table columns of the effective end of game of `cells`: mean, median and the
/// median's band (order statistics, [`marketloop_core::bandits::median_band`] with z = 3).
fn eeog_columns(cells: &[&CellSummary]) -> [(&'static str, Column); 4] {
    let col = |f: &dyn Fn(&CellSummary) -> f64| Column::F64(cells.iter().map(|c| f(c)).collect());
    [
        ("eeog_mean", col(&|c| c.eeog_mean)),
        ("eeog_median", col(&|c| c.eeog_median)),
        ("eeog_median_low", col(&|c| c.eeog_median_band[0])),
        ("eeog_median_high", col(&|c| c.eeog_median_band[1])),
    ]
}

/// What the effective end of game is, for the report.
const EEOG_DEFINITION: &str = "EEOG = the number of game rounds before the final run of rounds in which every user chose the same firm (0 if one firm won every round). Cells: mean / median over the runs.";

/// The effective end of game of every cell: pairs by rows, (instance, T0) by columns, cells
/// "mean / median".
fn eeog_display(se: &SimultaneousEntry) -> Result<Table, IoError> {
    let mut display = Table::new().with(
        "pair",
        Column::Str(se.pairs.iter().map(|&p| vs(p)).collect()),
    )?;
    for (name, i, t) in entry_columns(se) {
        display.push(
            &name,
            Column::Str(
                se.cells[i]
                    .iter()
                    .map(|per_t0| {
                        let c = &per_t0[t];
                        format!("{:.0} / {:.0}", c.eeog_mean, c.eeog_median)
                    })
                    .collect(),
            ),
        )?;
    }
    Ok(display)
}

/// The paper's headline findings on Table 1 (each needs its cells in the grid; the
/// Needle-in-Haystack one is always stated).
fn headline_findings(se: &SimultaneousEntry) -> Vec<Finding> {
    let get = |inst: &str, t0: usize, pair: (&str, &str)| -> Option<f64> {
        let i = se.instances.iter().position(|&l| l == inst)?;
        let t = se.t0s.iter().position(|&x| x == t0)?;
        let p = se.pairs.iter().position(|&x| x == pair)?;
        Some(se.cells[i][p][t].share[0].mean)
    };
    let mut findings = Vec::new();
    if let (Some(a), Some(b)) = (get("HT", 20, ("TS", "BG")), get("HT", 20, ("TS", "BEG"))) {
        findings.push(Finding {
            claim: "Heavy-Tail with a small warm start (T0 = 20): the greedy algorithms beat Thompson sampling (exploration is punished by competition)".into(),
            holds: a < 0.5 && b < 0.5,
            evidence: format!("TS's share: {a:.3} vs BG, {b:.3} vs BEG"),
        });
    }
    if let (Some(a), Some(b)) = (get("HT", 250, ("TS", "BG")), get("HT", 500, ("TS", "BG"))) {
        findings.push(Finding {
            claim: "Heavy-Tail with a long warm start (T0 = 250, 500): Thompson sampling wins"
                .into(),
            holds: a > 0.5 && b > 0.5,
            evidence: format!("TS's share vs BG: {a:.3} (T0 = 250), {b:.3} (T0 = 500)"),
        });
    }
    let nih: Vec<f64> = [20, 250, 500]
        .iter()
        .filter_map(|&t| get("NiH", t, ("TS", "BG")))
        .collect();
    findings.push(Finding {
        claim: "Needle-in-Haystack: Thompson sampling beats BayesGreedy for every warm start"
            .into(),
        holds: nih.len() == 3 && nih.iter().all(|&x| x > 0.5),
        evidence: format!("TS's share vs BG: {nih:.3?}"),
    });
    findings
}

/// Table 3: effective end of game (mean / median) of the simultaneous-entry games.
pub(super) fn table3(se: &SimultaneousEntry) -> Result<ProducedTable, IoError> {
    let display = eeog_display(se)?;
    let (mut inst, mut t0s, mut pairs, mut cells) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for (_, i, t) in entry_columns(se) {
        for (&pair, per_t0) in se.pairs.iter().zip(&se.cells[i]) {
            inst.push(se.instances[i].to_string());
            t0s.push(se.t0s[t] as i64);
            pairs.push(vs(pair));
            cells.push(&per_t0[t]);
        }
    }
    let mut long = Table::new()
        .with("instance", Column::Str(inst))?
        .with("t0", Column::I64(t0s))?
        .with("pair", Column::Str(pairs))?;
    for (name, col) in eeog_columns(&cells) {
        long.push(name, col)?;
    }
    let mut p = ProducedTable::new(table_info(3), display.clone(), long, se.seconds);
    p.section.paragraphs.push(EEOG_DEFINITION.into());
    p.section
        .tables
        .push(("EEOG mean / median".into(), display));
    Ok(p)
}

/// The words for a first-mover scenario.
fn scenario_name(s: &Scenario) -> &'static str {
    match s {
        Scenario::FirstMover { .. } => "first mover",
        Scenario::DataAdvantage { .. } => "data advantage only",
        Scenario::ReputationAdvantage { .. } => "reputation advantage only",
        _ => "other",
    }
}

/// The entrant's share in every block of a first-mover grid (tables 2, 4 and 5), or only in
/// the block at `only` = (instance, x) (rows then named by the entrant alone); the game of each
/// block goes into the prose.
fn first_mover_table(
    fm: &FirstMover,
    number: u32,
    only: Option<(usize, usize)>,
) -> Result<ProducedTable, IoError> {
    let mut rows = Vec::new();
    let mut cols: Vec<Vec<String>> = vec![Vec::new(); DISPLAY_ALGS.len()];
    let mut long = LongTable::default();
    let mut paragraphs = Vec::new();
    for (ii, l) in fm.instances.iter().enumerate() {
        for (xi, x) in fm.xs.iter().enumerate() {
            if only.is_some_and(|o| o != (ii, xi)) {
                continue;
            }
            for (si, sc) in fm.scenarios.iter().enumerate() {
                let m = &fm.cells[ii][xi][si];
                let scen = scenario_name(sc);
                for (e, en) in DISPLAY_ALGS.iter().enumerate() {
                    rows.push(if only.is_some() {
                        en.to_string()
                    } else {
                        format!("{l}, X = {x}, {scen}, entrant {en}")
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
                paragraphs.push(format!(
                    "{l}, X = {x}, {scen}: {}",
                    describe(&entrant_game(m), "entrant", "incumbent", false)
                ));
            }
        }
    }
    let mut display = Table::new().with("entrant \\ incumbent", Column::Str(rows))?;
    for (inc, col) in DISPLAY_ALGS.iter().zip(cols) {
        display.push(inc, Column::Str(col))?;
    }
    let mut p = ProducedTable::new(
        table_info(number),
        display.clone(),
        long.finish()?,
        fm.seconds,
    );
    p.section.paragraphs = paragraphs;
    p.section.tables.push((
        "Entrant's market share (mean ± 95% half-width)".into(),
        display,
    ));
    Ok(p)
}

/// Table 2: the first mover on Heavy-Tail with X = 200, compared with the paper.
pub(super) fn table2(fm: &FirstMover) -> Result<ProducedTable, IoError> {
    let missing =
        |what: &str| BanditError::Mismatch(format!("{what} is missing from the first-mover grid"));
    let ht = fm
        .instances
        .iter()
        .position(|&l| l == "HT")
        .ok_or_else(|| missing("Heavy-Tail"))?;
    let x200 = fm
        .xs
        .iter()
        .position(|&x| x == 200)
        .ok_or_else(|| missing("X = 200"))?;
    let mut p = first_mover_table(fm, 2, Some((ht, x200)))?;
    let m = &fm.cells[ht][x200][0];
    let mut comparison = Vec::new();
    for (e, en) in DISPLAY_ALGS.iter().enumerate() {
        for (i, inc) in DISPLAY_ALGS.iter().enumerate() {
            let s = m[e][i].share[1];
            comparison.push(CellComparison {
                row: en.to_string(),
                col: inc.to_string(),
                ours: s,
                paper: TABLE2_REF[e][i],
                within: agrees(&s, TABLE2_REF[e][i]),
                same_winner: None,
            });
        }
    }
    let agree = comparison.iter().filter(|c| c.within).count();
    let entrant_behind = comparison.iter().filter(|c| c.ours.mean < 0.5).count();
    p.section.tables.push((
        "Cell-by-cell comparison with the paper".into(),
        comparison_table(["entrant", "incumbent"], &comparison)?,
    ));
    p.findings.push(Finding {
        claim: "Table 2 matches the paper's values within about two combined half-widths".into(),
        holds: agree >= 8,
        evidence: format!("{agree} of 9 cells within 2 combined half-widths"),
    });
    p.findings.push(Finding {
        claim: "A first mover with X = 200 keeps most of the market whatever the algorithms (entrant's share below 1/2 in every cell)".into(),
        holds: entrant_behind == 9,
        evidence: format!("{entrant_behind} of 9 cells below 1/2"),
    });
    Ok(p)
}

/// Table 4: the first mover at every X on every instance.
pub(super) fn table4(fm: &FirstMover) -> Result<ProducedTable, IoError> {
    first_mover_table(fm, 4, None)
}

/// Table 5: data advantage only (scenario 0) vs reputation advantage only (scenario 1), and
/// which protects the incumbent more.
pub(super) fn table5(fm: &FirstMover) -> Result<ProducedTable, IoError> {
    let mut p = first_mover_table(fm, 5, None)?;
    // The entrant's mean share over each block, by scenario.
    let mut data = Vec::new();
    let mut rep = Vec::new();
    for per_x in fm.cells.iter().flatten() {
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
    let d = data.iter().sum::<f64>() / data.len().max(1) as f64;
    let r = rep.iter().sum::<f64>() / rep.len().max(1) as f64;
    p.findings.push(Finding {
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

/// Table 6: the share of the first-named algorithm at every horizon under each response, and
/// whether TS gains on BG over time under HardMax&Random (the second response).
pub(super) fn table6(hmr: &HardMaxRandom) -> Result<ProducedTable, IoError> {
    let nh = hmr.horizons.len();
    let mut rows = Vec::new();
    let mut cols: Vec<Vec<String>> = vec![Vec::new(); hmr.responses.len() * nh];
    let mut long = LongTable::default();
    let mut ts_gains: Vec<(&str, Estimate, Estimate)> = Vec::new();
    for (label, per_pair) in hmr.instances.iter().zip(&hmr.cells) {
        for (&pair, per_response) in hmr.pairs.iter().zip(per_pair) {
            rows.push(format!("{label}: {}", vs(pair)));
            for (ri, (r, cell)) in hmr.responses.iter().zip(per_response).enumerate() {
                for (h, t) in hmr.horizons.iter().enumerate() {
                    let e = cell.checkpoint_share[h][0];
                    cols[ri * nh + h].push(pm(&e));
                    long.row(
                        &[
                            ("instance", label.to_string()),
                            ("pair", vs(pair)),
                            ("response", r.short()),
                            ("t", t.to_string()),
                        ],
                        &e,
                    );
                }
                if pair == ("TS", "BG") && ri == 1 {
                    ts_gains.push((
                        label,
                        cell.checkpoint_share[0][0],
                        cell.checkpoint_share[nh - 1][0],
                    ));
                }
            }
        }
    }
    let mut display = Table::new().with("instance: pair", Column::Str(rows))?;
    let names = hmr.responses.iter().flat_map(|r| {
        hmr.horizons
            .iter()
            .map(move |t| format!("{} t={t}", r.short()))
    });
    for (name, col) in names.zip(cols) {
        display.push(&name, Column::Str(col))?;
    }
    let mut p = ProducedTable::new(table_info(6), display.clone(), long.finish()?, hmr.seconds);
    p.section.paragraphs.push("One game of 10000 rounds per run; the share at t is the share of the first t game rounds (a game with horizon t).".into());
    let grows = ts_gains.iter().filter(|(_, a, b)| b.mean >= a.mean).count();
    p.findings.push(Finding {
        claim: "Under HardMax&Random, the better learner (TS) gains market share against BG as the horizon grows".into(),
        holds: grows == ts_gains.len(),
        evidence: ts_gains
            .iter()
            .map(|(l, a, b)| format!("{l}: {} at t=2000 -> {} at t=10000", pm(a), pm(b)))
            .collect::<Vec<_>>()
            .join("; "),
    });
    p.section.tables.push((
        "Share of the first-named algorithm (mean ± 95% half-width)".into(),
        display,
    ));
    Ok(p)
}

/// Table 8: market regret of each monopoly and of each pair at every competition level, with
/// its figures (one per instance).
pub(super) fn table8(rc: &RegretByCompetition) -> Result<ProducedTable, IoError> {
    let nl = rc.levels.len();
    let mut rows = Vec::new();
    let mut cols: Vec<Vec<String>> = vec![Vec::new(); nl];
    let mut long = LongTable::default();
    for (i, label) in rc.instances.iter().enumerate() {
        for (a, e) in rc.algorithms.iter().zip(&rc.monopoly[i]) {
            rows.push(format!("{label}: {a} alone"));
            cols[0].push(pm(e));
            for c in cols.iter_mut().skip(1) {
                c.push("-".into());
            }
            long.row(
                &[
                    ("instance", label.to_string()),
                    ("firms", format!("{a} alone")),
                    ("level", rc.levels[0].0.into()),
                ],
                e,
            );
        }
        for (&pair, per_level) in rc.pairs.iter().zip(&rc.competition[i]) {
            rows.push(format!("{label}: {}", vs(pair)));
            cols[0].push("-".into());
            for (li, e) in per_level.iter().enumerate() {
                cols[li + 1].push(pm(e));
                long.row(
                    &[
                        ("instance", label.to_string()),
                        ("firms", vs(pair)),
                        ("level", rc.levels[li + 1].0.into()),
                    ],
                    e,
                );
            }
        }
    }
    let mut display = Table::new().with("instance: firms", Column::Str(rows))?;
    for ((name, _), col) in rc.levels.iter().zip(cols) {
        display.push(name, Column::Str(col))?;
    }
    let mut p = ProducedTable::new(table_info(8), display.clone(), long.finish()?, rc.seconds);
    p.figures = regret_figures(rc);
    p.section.paragraphs.push("Market regret = sum over the game rounds of (best mean - mean of the arm served), from the means. Competition grows from a monopoly (one firm serves everyone), through HardMax&Random with eps = 1 (users split at random: no competition on reputation), 0.5 and 0.1, to HardMax.".into());
    p.section
        .tables
        .push(("Market regret (mean ± 95% half-width)".into(), display));
    p.section.figures = p
        .figures
        .iter()
        .map(|(stem, f)| (f.title.clone(), stem.clone()))
        .collect();
    Ok(p)
}

/// Hand-made cell summaries for the tests of this module's siblings.
#[cfg(test)]
pub(super) mod test_cells {
    use marketloop_core::bandits::{CellSummary, Estimate};

    /// An estimate with half-width 0.01 and variance 0.04 over 40 runs.
    pub fn est(mean: f64) -> Estimate {
        Estimate {
            mean,
            half_width: 0.01,
            variance: 0.04,
            n: 40,
        }
    }

    /// A cell with these shares by firm slot (also the shares at one checkpoint), EEOG mean
    /// 100 x the first share and median 10 less, market regret 10 x the first share.
    pub fn cell(shares: &[f64]) -> CellSummary {
        let share: Vec<Estimate> = shares.iter().map(|&s| est(s)).collect();
        CellSummary {
            share: share.clone(),
            eeog_mean: 100.0 * shares[0],
            eeog_median: 100.0 * shares[0] - 10.0,
            eeog_median_band: [100.0 * shares[0] - 20.0, 100.0 * shares[0]],
            regret: est(10.0 * shares[0]),
            firm_regret: Vec::new(),
            warm_start_regret: Vec::new(),
            monopoly_regret: est(0.0),
            checkpoint_share: vec![share],
            checkpoint_regret: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::test_cells::{cell, est};
    use super::*;
    use marketloop_core::bandits::ResponseSpec;

    fn strs(c: Option<&Column>) -> Vec<String> {
        match c {
            Some(Column::Str(v)) => v.clone(),
            other => panic!("not a string column: {other:?}"),
        }
    }

    /// One instance (HT), one pair (TS vs BG), two warm starts: TS's share 0.30 at T0 = 20
    /// (the paper: 0.31±0.03) and 0.40 at T0 = 250 (the paper: 0.72±0.02).
    fn two_cells() -> SimultaneousEntry {
        SimultaneousEntry {
            instances: vec!["HT"],
            pairs: vec![("TS", "BG")],
            t0s: vec![20, 250],
            cells: vec![vec![vec![cell(&[0.3, 0.7]), cell(&[0.4, 0.6])]]],
            seconds: 2.5,
        }
    }

    #[test]
    fn table1_on_a_two_cell_grid() {
        let p = table1(&two_cells()).unwrap();
        assert_eq!(p.number, "1");
        assert_eq!(p.stem, "table1_simultaneous_entry");
        assert_eq!(p.seconds, 2.5);
        assert_eq!(p.display.names(), vec!["pair", "HT 20", "HT 250"]);
        assert_eq!(strs(p.display.column("pair")), vec!["TS vs BG"]);
        assert_eq!(strs(p.display.column("HT 20")), vec!["0.300±0.010"]);
        assert_eq!(strs(p.display.column("HT 250")), vec!["0.400±0.010"]);
        assert_eq!(
            p.long.names(),
            vec!["instance", "t0", "pair", "mean", "half_width", "variance"]
        );
        assert_eq!(strs(p.long.column("t0")), vec!["20", "250"]);
        assert_eq!(p.long.column("mean"), Some(&Column::F64(vec![0.3, 0.4])));
        // The comparison: 0.30 agrees with 0.31±0.03, 0.40 does not agree with 0.72±0.02.
        let (caption, cmp) = &p.section.tables[1];
        assert_eq!(caption, "Cell-by-cell comparison with the paper");
        assert_eq!(
            strs(cmp.column("within 2 combined half-widths")),
            vec!["yes", "no"]
        );
        assert_eq!(strs(cmp.column("same winner")), vec!["yes", "no"]);
        assert_eq!(
            p.findings[0].evidence,
            "1 of 2 cells within 2 combined half-widths; 1 of 2 with the same winner"
        );
        assert!(!p.findings[0].holds);
        // Headline findings: only the Needle-in-Haystack one (always stated) fits this grid.
        assert_eq!(p.findings.len(), 2);
        assert_eq!(p.findings[1].evidence, "TS's share vs BG: []");
        // One pair is not a whole game: no game prose.
        assert!(p.section.paragraphs.is_empty());
        assert!(p.section.findings.is_empty());
    }

    #[test]
    fn table7_has_no_comparison_and_describes_whole_games() {
        let pairs = vec![("TS", "BG"), ("TS", "BEG"), ("BG", "BEG")];
        let se = SimultaneousEntry {
            instances: vec!["HT"],
            pairs,
            t0s: vec![20],
            cells: vec![vec![
                vec![cell(&[0.8, 0.2])],
                vec![cell(&[0.7, 0.3])],
                vec![cell(&[0.6, 0.4])],
            ]],
            seconds: 0.0,
        };
        let p = table7(&se).unwrap();
        assert_eq!(p.stem, "table7_k3_heavy_tail");
        assert!(p.findings.is_empty());
        assert_eq!(p.section.tables.len(), 2);
        // The effective end of game next to each share (the paper's Table 21).
        assert_eq!(p.section.tables[1].0, "EEOG mean / median");
        assert_eq!(
            strs(p.section.tables[1].1.column("HT 20")),
            vec!["80 / 70", "70 / 60", "60 / 50"]
        );
        assert_eq!(
            p.long.column("eeog_median"),
            Some(&Column::F64(vec![70.0, 60.0, 50.0]))
        );
        assert_eq!(
            strs(p.display.column("pair")),
            vec!["TS vs BG", "TS vs BEG", "BG vs BEG"]
        );
        assert_eq!(
            p.section.paragraphs,
            vec![
                "HT, T0 = 20: weakly dominant: TS; strictly dominant: TS; pure Nash equilibria: (TS firm 1, TS firm 2)",
                EEOG_DEFINITION
            ]
        );
    }

    #[test]
    fn table3_shows_eeog_mean_and_median() {
        let p = table3(&two_cells()).unwrap();
        assert_eq!(p.display.names(), vec!["pair", "HT 20", "HT 250"]);
        assert_eq!(strs(p.display.column("HT 20")), vec!["30 / 20"]);
        assert_eq!(strs(p.display.column("HT 250")), vec!["40 / 30"]);
        assert_eq!(
            p.long.names(),
            vec![
                "instance",
                "t0",
                "pair",
                "eeog_mean",
                "eeog_median",
                "eeog_median_low",
                "eeog_median_high"
            ]
        );
        assert_eq!(
            p.long.column("eeog_median_high"),
            Some(&Column::F64(vec![30.0, 40.0]))
        );
        assert_eq!(p.long.column("t0"), Some(&Column::I64(vec![20, 250])));
        assert_eq!(
            p.long.column("eeog_median"),
            Some(&Column::F64(vec![20.0, 30.0]))
        );
        assert_eq!(p.section.heading, table_info(3).heading);
    }

    /// One instance (HT), X = 200, one scenario; the entrant's share is 0.1 x (entrant + 1) +
    /// 0.01 x (incumbent + 1) in display order (TS, BEG, BG).
    fn first_mover_grid(scenarios: Vec<Scenario>) -> FirstMover {
        let block = |bump: f64| -> Vec<Vec<_>> {
            (0..3)
                .map(|e| {
                    (0..3)
                        .map(|i| {
                            let s = 0.1 * (e + 1) as f64 + 0.01 * (i + 1) as f64 + bump;
                            cell(&[1.0 - s, s])
                        })
                        .collect()
                })
                .collect()
        };
        FirstMover {
            instances: vec!["HT"],
            xs: vec![200],
            cells: vec![vec![(0..scenarios.len())
                .map(|s| block(0.5 * s as f64))
                .collect()]],
            scenarios,
            seconds: 1.0,
        }
    }

    #[test]
    fn table2_and_4_label_rows_by_entrant() {
        let fm = first_mover_grid(vec![Scenario::FirstMover { x: 0 }]);
        let p = table2(&fm).unwrap();
        assert_eq!(
            p.display.names(),
            vec!["entrant \\ incumbent", "TS", "BEG", "BG"]
        );
        assert_eq!(
            strs(p.display.column("entrant \\ incumbent")),
            vec!["TS", "BEG", "BG"]
        );
        // Entrant BEG (1) against incumbent BG (2): 0.2 + 0.03.
        assert_eq!(strs(p.display.column("BG"))[1], "0.230±0.010");
        assert_eq!(p.long.n_rows(), 9);
        assert_eq!(strs(p.long.column("incumbent"))[..3], ["TS", "BEG", "BG"]);
        // Every entrant's share is below 1/2; the paper's cells mostly disagree.
        assert!(p.findings[1].holds);
        assert_eq!(p.findings[1].evidence, "9 of 9 cells below 1/2");
        let within = strs(
            p.section.tables[1]
                .1
                .column("within 2 combined half-widths"),
        );
        assert_eq!(within.len(), 9);
        assert_eq!(
            p.findings[0].evidence,
            format!(
                "{} of 9 cells within 2 combined half-widths",
                within.iter().filter(|w| *w == "yes").count()
            )
        );
        assert_eq!(p.section.paragraphs.len(), 1);
        assert!(p.section.paragraphs[0].starts_with("HT, X = 200, first mover: entrant: "));

        let p = table4(&fm).unwrap();
        assert_eq!(p.stem, "table4_first_mover");
        assert_eq!(
            strs(p.display.column("entrant \\ incumbent"))[0],
            "HT, X = 200, first mover, entrant TS"
        );
        assert!(p.findings.is_empty());
    }

    #[test]
    fn table2_needs_x_200() {
        let mut fm = first_mover_grid(vec![Scenario::FirstMover { x: 0 }]);
        fm.xs = vec![50];
        let e = table2(&fm).unwrap_err().to_string();
        assert!(e.contains("X = 200 is missing"), "{e}");
    }

    #[test]
    fn table5_compares_the_two_advantages() {
        let fm = first_mover_grid(vec![
            Scenario::DataAdvantage { x: 0 },
            Scenario::ReputationAdvantage { x: 0 },
        ]);
        let p = table5(&fm).unwrap();
        assert_eq!(p.long.n_rows(), 18);
        assert_eq!(
            strs(p.display.column("entrant \\ incumbent"))[3],
            "HT, X = 200, reputation advantage only, entrant TS"
        );
        // Mean entrant's share: 0.2 + 0.02 = 0.22 (data), 0.72 (reputation).
        assert!(!p.findings[0].holds);
        assert_eq!(p.findings[0].evidence, "entrant's mean share over all cells: 0.220 against data advantage only, 0.720 against reputation advantage only");
        assert!(
            p.section.paragraphs[2].starts_with("Which advantage protects more in this run: data")
        );
    }

    #[test]
    fn table6_columns_per_response_and_horizon() {
        // TS's share at t = 2000, 5000, 10000: 0.1, 0.2, 0.3 under HardMax, and 0.4, 0.5, 0.45
        // under HardMax&Random (a gain from 2000 to 10000).
        let at = |shares: [f64; 3]| {
            let mut c = cell(&[0.4, 0.6]);
            c.checkpoint_share = shares.iter().map(|&s| vec![est(s)]).collect();
            c
        };
        let hmr = HardMaxRandom {
            instances: vec!["U"],
            pairs: vec![("TS", "BG")],
            responses: vec![
                ResponseSpec::HardMax { bias: 0.5 },
                ResponseSpec::HardMaxRandom { eps: 0.1 },
            ],
            horizons: vec![2000, 5000, 10000],
            cells: vec![vec![vec![at([0.1, 0.2, 0.3]), at([0.4, 0.5, 0.45])]]],
            seconds: 0.0,
        };
        let p = table6(&hmr).unwrap();
        assert_eq!(
            p.display.names(),
            vec![
                "instance: pair",
                "HardMax t=2000",
                "HardMax t=5000",
                "HardMax t=10000",
                "HardMax&Random(0.1) t=2000",
                "HardMax&Random(0.1) t=5000",
                "HardMax&Random(0.1) t=10000"
            ]
        );
        assert_eq!(
            strs(p.display.column("instance: pair")),
            vec!["U: TS vs BG"]
        );
        assert_eq!(
            strs(p.display.column("HardMax t=10000")),
            vec!["0.300±0.010"]
        );
        assert_eq!(
            strs(p.display.column("HardMax&Random(0.1) t=5000")),
            vec!["0.500±0.010"]
        );
        assert_eq!(p.long.n_rows(), 6);
        assert_eq!(strs(p.long.column("response"))[3], "HardMax&Random(0.1)");
        assert!(p.findings[0].holds);
        assert_eq!(
            p.findings[0].evidence,
            "U: 0.400±0.010 at t=2000 -> 0.450±0.010 at t=10000"
        );
    }

    #[test]
    fn table8_places_monopolies_and_pairs_and_draws_one_figure_per_instance() {
        let rc = RegretByCompetition {
            instances: vec!["NiH"],
            algorithms: vec!["TS", "BG"],
            pairs: vec![("TS", "BG")],
            levels: vec![
                ("monopoly", None),
                (
                    "HardMax&Random eps=1",
                    Some(ResponseSpec::HardMaxRandom { eps: 1.0 }),
                ),
                ("HardMax", Some(ResponseSpec::HardMax { bias: 0.5 })),
            ],
            monopoly: vec![vec![est(5.0), est(9.0)]],
            competition: vec![vec![vec![est(7.0), est(8.0)]]],
            seconds: 0.0,
        };
        let p = table8(&rc).unwrap();
        assert_eq!(
            p.display.names(),
            vec![
                "instance: firms",
                "monopoly",
                "HardMax&Random eps=1",
                "HardMax"
            ]
        );
        assert_eq!(
            strs(p.display.column("instance: firms")),
            vec!["NiH: TS alone", "NiH: BG alone", "NiH: TS vs BG"]
        );
        assert_eq!(
            strs(p.display.column("monopoly")),
            vec!["5.000±0.010", "9.000±0.010", "-"]
        );
        assert_eq!(
            strs(p.display.column("HardMax")),
            vec!["-", "-", "8.000±0.010"]
        );
        assert_eq!(
            strs(p.long.column("level")),
            vec!["monopoly", "monopoly", "HardMax&Random eps=1", "HardMax"]
        );
        assert_eq!(
            p.long.column("mean"),
            Some(&Column::F64(vec![5.0, 9.0, 7.0, 8.0]))
        );
        assert_eq!(p.figures.len(), 1);
        assert_eq!(p.figures[0].0, "fig_regret_competition_nih");
        assert_eq!(
            p.section.figures,
            vec![(p.figures[0].1.title.clone(), p.figures[0].0.clone())]
        );
    }
}
