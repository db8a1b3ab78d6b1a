//! The figures: market regret by competition level (drawn from table 8's grid), and the
//! performance-in-isolation study (mean reputation and reward trajectories, relative reputation
//! TS vs BG, reputation distributions and differences) with its data tables, report section
//! and exploration-disadvantage findings.

use super::compute::{Isolation, RegretByCompetition, ISOLATION_ALGS};
use crate::figure::{Dash, Figure, Series, SeriesStyle};
use crate::report::{Finding, Section};
use crate::table::{Column, Table};
use crate::IoError;
use marketloop_core::bandits::metrics::histogram;
use marketloop_core::bandits::{disadvantaged_period, IsolationSummary};

/// A figure with the file stem it is written under.
pub(super) type NamedFigure = (String, Figure);

/// One figure per instance: each pair's market regret against the competition level (1 up to
/// the last level), and each monopoly's at level 0.
pub(super) fn regret_figures(rc: &RegretByCompetition) -> Vec<NamedFigure> {
    let mut figs = Vec::new();
    for (i, label) in rc.instances.iter().enumerate() {
        let mut fig = Figure::new(
            format!("Market regret by competition level ({label}, T0 = 20, T = 2000)"),
            "competition level (0 = monopoly, 1 = random split, 4 = HardMax)",
            "market regret over the game",
        );
        for (&(a, b), per_level) in rc.pairs.iter().zip(&rc.competition[i]) {
            let xs = (1..=per_level.len()).map(|li| li as f64).collect();
            let ys = per_level.iter().map(|e| e.mean).collect();
            let lo = per_level.iter().map(|e| e.mean - e.half_width).collect();
            let hi = per_level.iter().map(|e| e.mean + e.half_width).collect();
            fig = fig.with(
                Series::line(format!("{a} vs {b}"), xs, ys)
                    .styled(SeriesStyle::LinePoints)
                    .with_y_err(lo, hi),
            );
        }
        for (a, e) in rc.algorithms.iter().zip(&rc.monopoly[i]) {
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
    figs
}

/// What the isolation study yields: its figures, its data tables (`isolation_*`), its report
/// section (with the findings) and the seconds it took.
pub(super) struct IsolationFigures {
    /// The report section, findings included.
    pub section: Section,
    /// The figures.
    pub figures: Vec<NamedFigure>,
    /// The per-round data, one table per instance, as (file stem, table).
    pub tables: Vec<(String, Table)>,
    /// Wall seconds spent.
    pub seconds: f64,
}

/// When TS's reputation is significantly behind BG's on one instance: the period (first, last
/// round), if any, and the minimum relative reputation.
type Disadvantage = (&'static str, Option<(usize, usize)>, f64);

/// The figures, tables, prose and findings of the isolation study.
pub(super) fn isolation_figures(iso: &Isolation) -> Result<IsolationFigures, IoError> {
    let rounds = iso.rounds;
    let t: Vec<f64> = (1..=rounds).map(|x| x as f64).collect();
    let mut figures = Vec::new();
    let mut tables = Vec::new();
    let mut rel_fig = Figure::new(
        "Relative reputation TS vs BG in isolation",
        "round t",
        "P(rep TS > rep BG), ties 1/2",
    );
    let mut disadvantaged: Vec<Disadvantage> = Vec::new();
    for (&label, s) in iso.instances.iter().zip(&iso.summaries) {
        let lower = label.to_lowercase();
        let (rep_fig, rew_fig) = trajectory_figures(label, &t, s);
        // Pair (0, 1) is TS vs BG.
        let rel = &s.relative[0].1;
        rel_fig = rel_fig.with(Series::line(label, t.clone(), rel.clone()));
        disadvantaged.push((
            label,
            disadvantaged_period(rel, s.runs, 20),
            rel.iter().copied().fold(f64::INFINITY, f64::min),
        ));
        figures.push((format!("fig_reputation_{lower}"), rep_fig));
        figures.push((format!("fig_reward_{lower}"), rew_fig));
        figures.extend(snapshot_figures(label, &iso.snapshots, s));
        tables.push((format!("isolation_{lower}"), isolation_table(rounds, s)?));
    }
    figures.push((
        "fig_relative_ts_bg".into(),
        // The reference line: grey (palette 7) and dotted, apart from the instances' colours.
        rel_fig.with(
            Series::line(
                "1/2 (no difference)",
                vec![1.0, rounds as f64],
                vec![0.5, 0.5],
            )
            .coloured(7)
            .dashed(Dash::Dotted),
        ),
    ));
    let mut section = isolation_section(iso, &disadvantaged);
    section.figures = figures
        .iter()
        .map(|(stem, f)| (f.title.clone(), stem.clone()))
        .collect();
    Ok(IsolationFigures {
        section,
        figures,
        tables,
        seconds: iso.seconds,
    })
}

/// Mean reputation and mean instantaneous reward against the round, one series per algorithm.
fn trajectory_figures(label: &str, t: &[f64], s: &IsolationSummary) -> (Figure, Figure) {
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
    for (a, name) in ISOLATION_ALGS.iter().enumerate() {
        rep_fig = rep_fig.with(Series::line(
            *name,
            t.to_vec(),
            s.mean_reputation[a].clone(),
        ));
        rew_fig = rew_fig.with(Series::line(*name, t.to_vec(), s.mean_reward[a].clone()));
    }
    (rep_fig, rew_fig)
}

/// At each snapshot: the reputation distributions of TS and BG, and the histogram of their
/// difference.
fn snapshot_figures(label: &str, snapshots: &[usize], s: &IsolationSummary) -> Vec<NamedFigure> {
    let lower = label.to_lowercase();
    let mut figs = Vec::new();
    for (si, snap) in snapshots.iter().enumerate() {
        let mut dist = Figure::new(
            format!("Reputation distribution at t = {snap} ({label})"),
            "reputation",
            "fraction of runs",
        );
        for (a, name) in ISOLATION_ALGS[..2].iter().enumerate() {
            let (c, f) = histogram(&s.snapshots[si][a], 0.0, 1.0, 20);
            dist = dist.with(Series::line(*name, c, f).styled(SeriesStyle::LinePoints));
        }
        let diff: Vec<f64> = s.snapshots[si][0]
            .iter()
            .zip(&s.snapshots[si][1])
            .map(|(x, y)| x - y)
            .collect();
        let (c, f) = histogram(&diff, -1.0, 1.0, 40);
        let dfig = Figure::new(
            format!("Reputation difference TS - BG at t = {snap} ({label})"),
            "rep TS - rep BG",
            "fraction of runs",
        )
        .with(Series::line("TS - BG", c, f).styled(SeriesStyle::Bars));
        figs.push((format!("fig_repdist_{lower}_t{snap}"), dist));
        figs.push((format!("fig_repdiff_{lower}_t{snap}"), dfig));
    }
    figs
}

/// The per-round data of one instance: t, then reputation, reward and regret of each
/// algorithm, then the relative reputation TS vs BG.
fn isolation_table(rounds: usize, s: &IsolationSummary) -> Result<Table, IoError> {
    let mut tab = Table::new().with("t", Column::I64((1..=rounds as i64).collect()))?;
    for (a, name) in ISOLATION_ALGS.iter().enumerate() {
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
    tab.push("relative_TS_vs_BG", Column::F64(s.relative[0].1.clone()))?;
    Ok(tab)
}

/// The section's prose and its findings: Heavy-Tail is exploration-disadvantaged,
/// Needle-in-Haystack is not.
fn isolation_section(iso: &Isolation, disadvantaged: &[Disadvantage]) -> Section {
    let mut section = Section {
        heading: "Performance in isolation (figures)".into(),
        paragraphs: vec![format!(
            "Each algorithm alone for {} rounds on the same {} mean vectors and isolation rows per instance. Relative reputation of TS vs BG at t = the fraction of runs in which TS's reputation exceeds BG's, exact ties counting 1/2. An instance is exploration-disadvantaged when that fraction is significantly below 1/2 (upper 95% bound below 1/2) for at least 20 consecutive rounds.",
            iso.rounds, iso.runs
        )],
        ..Section::default()
    };
    for (label, period, min) in disadvantaged {
        section.paragraphs.push(match period {
            Some((a, b)) => format!("{label}: exploration-disadvantaged (TS vs BG relative reputation significantly below 1/2 from round {a} to {b}; minimum {min:.3})"),
            None => format!("{label}: not exploration-disadvantaged (minimum relative reputation {min:.3})"),
        });
    }
    let is_disadvantaged = |inst: &str| {
        disadvantaged
            .iter()
            .find(|d| d.0 == inst)
            .map(|d| d.1.is_some())
    };
    let evidence = disadvantaged
        .iter()
        .map(|(label, period, min)| match period {
            Some((a, b)) => format!("{label}: behind from round {a} to {b} (minimum {min:.3})"),
            None => format!("{label}: never significantly behind (minimum {min:.3})"),
        })
        .collect::<Vec<_>>()
        .join("; ");
    section.findings.push(Finding {
        claim: "Heavy-Tail is exploration-disadvantaged: TS's reputation falls behind BG's for a period early on".into(),
        holds: is_disadvantaged("HT").unwrap_or(false),
        evidence: evidence.clone(),
    });
    section.findings.push(Finding {
        claim: "Needle-in-Haystack is not exploration-disadvantaged".into(),
        holds: !is_disadvantaged("NiH").unwrap_or(true),
        evidence,
    });
    section
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two algorithms' worth of isolation data over `rounds` rounds with TS's relative
    /// reputation `rel` (the third algorithm repeats the second).
    fn summary(rounds: usize, rel: f64) -> IsolationSummary {
        let line = |v: f64| vec![v; rounds];
        IsolationSummary {
            runs: 100,
            mean_reputation: vec![line(0.6), line(0.5), line(0.5)],
            mean_reward: vec![line(0.61), line(0.51), line(0.51)],
            mean_regret: vec![line(1.0), line(2.0), line(2.0)],
            final_regret: vec![vec![1.0; 100]; 3],
            relative: vec![
                ((0, 1), line(rel)),
                ((0, 2), line(0.5)),
                ((1, 2), line(0.5)),
            ],
            ties: vec![line(0.0); 3],
            snapshots: vec![vec![vec![0.6; 100], vec![0.5; 100], vec![0.5; 100]]],
        }
    }

    #[test]
    fn isolation_figures_tables_and_findings() {
        // HT: TS always far behind (disadvantaged); NiH: TS ahead.
        let iso = Isolation {
            instances: vec!["HT", "NiH"],
            runs: 100,
            rounds: 30,
            snapshots: vec![20],
            summaries: vec![summary(30, 0.1), summary(30, 0.9)],
            seconds: 3.0,
        };
        let out = isolation_figures(&iso).unwrap();
        assert_eq!(out.seconds, 3.0);
        let stems: Vec<&str> = out.figures.iter().map(|f| f.0.as_str()).collect();
        assert_eq!(
            stems,
            vec![
                "fig_reputation_ht",
                "fig_reward_ht",
                "fig_repdist_ht_t20",
                "fig_repdiff_ht_t20",
                "fig_reputation_nih",
                "fig_reward_nih",
                "fig_repdist_nih_t20",
                "fig_repdiff_nih_t20",
                "fig_relative_ts_bg"
            ]
        );
        assert_eq!(out.section.figures.len(), 9);
        let (stem, t) = &out.tables[1];
        assert_eq!(stem, "isolation_nih");
        assert_eq!(t.n_rows(), 30);
        assert_eq!(
            t.names(),
            vec![
                "t",
                "reputation_TS",
                "reward_TS",
                "regret_TS",
                "reputation_BG",
                "reward_BG",
                "regret_BG",
                "reputation_BEG",
                "reward_BEG",
                "regret_BEG",
                "relative_TS_vs_BG"
            ]
        );
        assert!(out.section.paragraphs[0]
            .starts_with("Each algorithm alone for 30 rounds on the same 100 mean vectors"));
        assert!(out.section.paragraphs[1].starts_with("HT: exploration-disadvantaged (TS vs BG relative reputation significantly below 1/2 from round 1 to 30"));
        assert_eq!(
            out.section.paragraphs[2],
            "NiH: not exploration-disadvantaged (minimum relative reputation 0.900)"
        );
        assert!(out.section.findings.iter().all(|f| f.holds));
    }
}
