//! How faithful a run is: every published number of the paper ([`super::published`]) next
//! to this run's counterpart, within a tolerance derived from the Monte Carlo error of both
//! at their numbers of runs, summarised per published table with the cells that disagree and
//! their known cause (the evidence that some published numbers sit in another cell is in
//! [`super::transposed`]).
//!
//! **Tolerance rule** (z = 3, about 99.7% for each cell; N = this run's runs, the paper's
//! N = 1000; u = the unit of the printed value's last digit, added as u/2 for its rounding):
//! - a mean share agrees when |ours - paper| <= 3 sqrt(var/N + se_paper^2) + u/2, with
//!   se_paper = the printed 95% half-width / 1.96;
//! - a variance v of shares in [0, 1] agrees when |ours - paper| <= 3 sqrt(v(1 - v)(1/N +
//!   1/1000)) + u/2 (the fourth central moment of a [0, 1] variable is at most v, so
//!   Var(sample variance) <= v(1 - v)/n);
//! - an EEOG mean m in [0, T] agrees when |ours - paper| <= 3 sqrt(m(T - m)(1/N + 1/1000)) + u/2
//!   (Bhatia-Davis: a variable in [0, T] with mean m has variance at most m(T - m));
//! - an EEOG median agrees when the paper's lies in our distribution-free band (the order
//!   statistics of ranks N/2 -+ 1.5 sqrt(N), z = 3) with each side widened by sqrt(1 + N/1000)
//!   for the paper's own sampling error at its N.

use super::config::BanditsConfig;
use super::published::{published, Published, Quantity};
use super::summary::ProducedTable;
use crate::report::{Finding, Section};
use crate::reproduce::Protocol;
use crate::table::{Column, Table};
use crate::IoError;
use marketloop_core::bandits::NeedlePosition;

/// Standard errors of tolerance (about 99.7% per cell).
pub(super) const Z: f64 = 3.0;
/// The paper's runs per cell.
const PAPER_RUNS: f64 = 1000.0;
/// The 95% normal quantile the paper's half-widths use (t with 999 degrees of freedom:
/// 1.962; the difference is below the printed precision).
const Z95: f64 = 1.96;

/// One published number next to ours.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct CellCheck {
    /// The published number.
    pub published: Published,
    /// Our value.
    pub ours: f64,
    /// How far below and above ours the published value may lie.
    pub tolerance: (f64, f64),
    /// Whether it does.
    pub within: bool,
    /// Why it does not, when known (empty when it agrees).
    pub cause: String,
}

impl CellCheck {
    /// |ours - paper| over the tolerance on that side (at most 1 when within).
    pub(super) fn ratio(&self) -> f64 {
        let d = self.published.value - self.ours;
        let tol = if d < 0.0 {
            self.tolerance.0
        } else {
            self.tolerance.1
        };
        if tol > 0.0 {
            d.abs() / tol
        } else if d == 0.0 {
            0.0
        } else {
            f64::INFINITY
        }
    }
}

/// The comparison of a run with every published number its tables hold.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Agreement {
    /// The protocol that ran.
    pub protocol: Protocol,
    /// Every published number this run's tables hold.
    pub cells: Vec<CellCheck>,
}

/// The value of column `name` in the row of `t` whose label columns equal `labels` (numbers
/// compared as their text).
fn lookup(t: &Table, labels: &[(&str, String)], name: &str) -> Option<f64> {
    let text = |c: &Column, row: usize| match c {
        Column::Str(v) => v[row].clone(),
        Column::I64(v) => v[row].to_string(),
        Column::F64(v) => v[row].to_string(),
    };
    let keys: Vec<(&Column, &String)> = labels
        .iter()
        .map(|(n, v)| t.column(n).map(|c| (c, v)))
        .collect::<Option<_>>()?;
    let row = (0..t.n_rows()).find(|&r| keys.iter().all(|(c, v)| text(c, r) == **v))?;
    match t.column(name)? {
        Column::F64(v) => Some(v[row]),
        Column::I64(v) => Some(v[row] as f64),
        Column::Str(_) => None,
    }
}

/// The game horizon T of our table `ours` (for the EEOG bound).
fn horizon(ours: u32) -> f64 {
    if ours == 7 {
        5000.0
    } else {
        2000.0
    }
}

/// The tolerance (below, above) of `p` against our row `labels` of `t`, or `None` if the row
/// lacks a column it needs.
fn tolerance(p: &Published, t: &Table, ours: f64, runs: f64) -> Option<(f64, f64)> {
    let half_unit = p.quantity.rounding_unit(p.value) / 2.0;
    let both = 1.0 / runs + 1.0 / PAPER_RUNS;
    let sym = |se2: f64| Some((Z * se2.sqrt() + half_unit, Z * se2.sqrt() + half_unit));
    match p.quantity {
        Quantity::Share => {
            let var = lookup(t, &p.labels, "variance")?;
            let se_paper = p.half_width.map_or(var / PAPER_RUNS, |h| (h / Z95).powi(2));
            sym(var / runs + se_paper)
        }
        Quantity::Variance => sym(ours * (1.0 - ours).max(0.0) * both),
        Quantity::EeogMean => sym(ours * (horizon(p.ours) - ours).max(0.0) * both),
        Quantity::EeogMedian => {
            let lo = lookup(t, &p.labels, "eeog_median_low")?;
            let hi = lookup(t, &p.labels, "eeog_median_high")?;
            let widen = (1.0 + runs / PAPER_RUNS).sqrt();
            Some((
                (ours - lo) * widen + half_unit,
                (hi - ours) * widen + half_unit,
            ))
        }
    }
}

/// Compares every published number whose table this run made.
pub(super) fn check(cfg: &BanditsConfig, tables: &[ProducedTable]) -> Agreement {
    let runs = cfg.runs as f64;
    let all = published();
    let mut cells = Vec::new();
    for p in &all {
        let Some(t) = tables.iter().find(|t| t.number == p.ours.to_string()) else {
            continue;
        };
        let Some(ours) = lookup(&t.long, &p.labels, p.quantity.column()) else {
            continue;
        };
        let Some(tol) = tolerance(p, &t.long, ours, runs) else {
            continue;
        };
        let d = p.value - ours;
        let within = -tol.0 <= d && d <= tol.1;
        cells.push(CellCheck {
            published: p.clone(),
            ours,
            tolerance: tol,
            within,
            cause: String::new(),
        });
    }
    let mut agreement = Agreement {
        protocol: cfg.protocol,
        cells,
    };
    let causes: Vec<String> = (0..agreement.cells.len())
        .map(|i| known_cause(cfg, &agreement, i))
        .collect();
    for (c, cause) in agreement.cells.iter_mut().zip(causes) {
        if !c.within {
            c.cause = cause;
        }
    }
    agreement
}

/// The known cause of a disagreement of cell `i`, or "no known cause".
fn known_cause(cfg: &BanditsConfig, a: &Agreement, i: usize) -> String {
    let p = &a.cells[i].published;
    if p.label("instance") == Some("NiH") && cfg.needle_position() == NeedlePosition::Random {
        return "needle position: this run draws it at random (the paper's text); the authors' code fixes it at arm 5 (--protocol authors-code)".into();
    }
    if cfg.warm_rows() == marketloop_core::bandits::WarmStartRows::PerFirm
        && p.label("pair") == Some("BG vs BEG")
    {
        return "per-firm warm-start rows (the paper's text); the authors' code lets both firms read one table (--protocol authors-code)".into();
    }
    "no known cause".into()
}

/// The paper's tables in order, with our table and what is compared.
fn paper_tables(a: &Agreement) -> Vec<(u32, u32)> {
    let mut v: Vec<(u32, u32)> = a
        .cells
        .iter()
        .map(|c| (c.published.paper_table, c.published.ours))
        .collect();
    v.dedup();
    v
}

impl Agreement {
    /// The per-table summary: paper table, our table, numbers compared, within tolerance,
    /// disagreeing with a known cause, without one, and the worst cell.
    pub(super) fn summary(&self) -> Result<Table, IoError> {
        let (mut paper, mut ours, mut what) = (Vec::new(), Vec::new(), Vec::new());
        let (mut compared, mut within, mut known, mut unknown, mut worst) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for (pt, ot) in paper_tables(self) {
            let cells: Vec<&CellCheck> = self
                .cells
                .iter()
                .filter(|c| c.published.paper_table == pt)
                .collect();
            let mut quantities: Vec<&str> = Vec::new();
            for c in &cells {
                if !quantities.contains(&c.published.quantity.name()) {
                    quantities.push(c.published.quantity.name());
                }
            }
            let off: Vec<&&CellCheck> = cells.iter().filter(|c| !c.within).collect();
            let explained = off.iter().filter(|c| c.cause != "no known cause").count();
            let w = cells
                .iter()
                .max_by(|a, b| a.ratio().total_cmp(&b.ratio()))
                .map(|c| {
                    format!(
                        "{} {} {}: ours {} vs {} ({:.2} x tolerance)",
                        c.published.cell(),
                        c.published.quantity.name(),
                        if c.within { "within" } else { "off" },
                        short(c.ours),
                        short(c.published.value),
                        c.ratio()
                    )
                })
                .unwrap_or_default();
            paper.push(i64::from(pt));
            ours.push(i64::from(ot));
            what.push(quantities.join(", "));
            compared.push(cells.len() as i64);
            within.push((cells.len() - off.len()) as i64);
            known.push(explained as i64);
            unknown.push((off.len() - explained) as i64);
            worst.push(w);
        }
        Table::new()
            .with("paper table", Column::I64(paper))?
            .with("our table", Column::I64(ours))?
            .with("numbers", Column::Str(what))?
            .with("compared", Column::I64(compared))?
            .with("within tolerance", Column::I64(within))?
            .with("off, known cause", Column::I64(known))?
            .with("off, no known cause", Column::I64(unknown))?
            .with("worst cell", Column::Str(worst))
    }

    /// Every compared number: its table, cell, quantity, the two values, the tolerance,
    /// whether it agrees and the known cause of a disagreement.
    pub(super) fn cells_table(&self) -> Result<Table, IoError> {
        cells_table(&self.cells.iter().collect::<Vec<_>>())
    }

    /// The report section: the rule, the per-table summary and the disagreeing cells.
    pub(super) fn section(&self) -> Result<Section, IoError> {
        let total = self.cells.len();
        let agree = self.cells.iter().filter(|c| c.within).count();
        let off: Vec<&CellCheck> = self.cells.iter().filter(|c| !c.within).collect();
        let mut s = Section {
            heading: "Agreement with the published numbers".into(),
            ..Section::default()
        };
        s.paragraphs.push(format!(
            "Protocol: {}. {agree} of {total} published numbers of the tables made reproduced within tolerance (the whole comparison is in agreement_cells.csv, the summary in agreement.csv).",
            self.protocol
        ));
        s.paragraphs.push(RULE.into());
        s.tables
            .push(("Per published table".into(), self.summary()?));
        if !off.is_empty() {
            let t = cells_table(&off)?;
            s.tables.push(("Numbers outside the tolerance".into(), t));
        }
        s.findings.push(Finding {
            claim:
                "The run reproduces the paper's published numbers within the Monte Carlo tolerance"
                    .into(),
            holds: off.iter().all(|c| c.cause != "no known cause"),
            evidence: format!(
                "{agree} of {total} within tolerance; {} outside with a known cause, {} without",
                off.iter().filter(|c| c.cause != "no known cause").count(),
                off.iter().filter(|c| c.cause == "no known cause").count()
            ),
        });
        Ok(s)
    }
}

/// The table of `cells`: paper table, our table, cell, quantity, published, ours, the
/// tolerance below and above, within, cause.
fn cells_table(c: &[&CellCheck]) -> Result<Table, IoError> {
    let f = |g: &dyn Fn(&CellCheck) -> f64| Column::F64(c.iter().map(|x| g(x)).collect());
    let s = |g: &dyn Fn(&CellCheck) -> String| Column::Str(c.iter().map(|x| g(x)).collect());
    let i =
        |g: &dyn Fn(&CellCheck) -> u32| Column::I64(c.iter().map(|x| i64::from(g(x))).collect());
    Table::new()
        .with("paper_table", i(&|x| x.published.paper_table))?
        .with("our_table", i(&|x| x.published.ours))?
        .with("cell", s(&|x| x.published.cell()))?
        .with("quantity", s(&|x| x.published.quantity.name().into()))?
        .with("published", f(&|x| x.published.value))?
        .with("ours", f(&|x| x.ours))?
        .with("tolerance_below", f(&|x| x.tolerance.0))?
        .with("tolerance_above", f(&|x| x.tolerance.1))?
        .with("within", s(&|x| if x.within { "yes" } else { "no" }.into()))?
        .with("cause", s(&|x| x.cause.clone()))
}

/// The rule, for the report.
const RULE: &str = "Tolerance (z = 3 per number, N = this run's runs, the paper's N = 1000, u = the unit of the printed value's last digit): a share agrees within 3 sqrt(var/N + (paper's half-width/1.96)^2) + u/2; a variance v within 3 sqrt(v(1-v)(1/N + 1/1000)) + u/2 (a [0,1] variable's fourth central moment is at most v); an EEOG mean m within 3 sqrt(m(T-m)(1/N + 1/1000)) + u/2 (Bhatia-Davis bound on the variance of a value in [0, T]); an EEOG median when the paper's lies in our order-statistic band of ranks N/2 -+ 1.5 sqrt(N), each side widened by sqrt(1 + N/1000). Sources of the published numbers: the journal version's tables (arXiv 2007.10144, Tables 1-6, 9-21), as typeset in the authors' LaTeX.";

/// A number in three significant digits (plain for integers).
fn short(x: f64) -> String {
    if x.fract() == 0.0 || x.abs() >= 100.0 {
        format!("{x:.1}")
    } else {
        format!("{x:.3}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reproduce::bandits::paper::table_info;

    /// Our table 3 with one cell: HT, T0 = 250, BG vs BEG, EEOG mean and median as given and
    /// the median's band median -+ `band`.
    fn table3(mean: f64, median: f64, band: f64) -> ProducedTable {
        let long = Table::new()
            .with("instance", Column::Str(vec!["HT".into()]))
            .unwrap()
            .with("t0", Column::I64(vec![250]))
            .unwrap()
            .with("pair", Column::Str(vec!["BG vs BEG".into()]))
            .unwrap()
            .with("eeog_mean", Column::F64(vec![mean]))
            .unwrap()
            .with("eeog_median", Column::F64(vec![median]))
            .unwrap()
            .with("eeog_median_low", Column::F64(vec![median - band]))
            .unwrap()
            .with("eeog_median_high", Column::F64(vec![median + band]))
            .unwrap();
        ProducedTable::new(table_info(3), Table::new(), long, 0.0)
    }

    fn cfg(runs: u64) -> BanditsConfig {
        BanditsConfig {
            runs,
            ..BanditsConfig::default()
        }
        .resolve()
        .unwrap()
    }

    #[test]
    fn eeog_cells_use_the_bound_and_the_band() {
        // The paper: mean 640, median 393. N = 1000: the mean's tolerance is
        // 3 sqrt(640 x 1360 x 2/1000) + 5 = 130.3; the median's band is widened by sqrt(2),
        // plus a quarter (half the median's step of 1/2).
        let a = check(&cfg(1000), &[table3(700.0, 400.0, 100.0)]);
        assert_eq!(a.cells.len(), 2);
        let mean = &a.cells[0];
        assert_eq!(mean.published.quantity, Quantity::EeogMean);
        let tol = 3.0 * (700.0f64 * 1300.0 * 0.002).sqrt() + 5.0;
        assert!((mean.tolerance.0 - tol).abs() < 1e-9 && mean.within);
        let median = &a.cells[1];
        let w = 2f64.sqrt();
        assert!((median.tolerance.0 - (100.0 * w + 0.25)).abs() < 1e-9);
        assert!((median.tolerance.1 - (100.0 * w + 0.25)).abs() < 1e-9);
        assert!(median.within && median.cause.is_empty());
        // A median of 600 puts 393 207 below: outside 141.4.
        let a = check(&cfg(1000), &[table3(640.0, 600.0, 100.0)]);
        assert!((a.cells[1].tolerance.0 - (100.0 * w + 0.25)).abs() < 1e-9);
        let median = &a.cells[1];
        assert!(!median.within);
        assert!(median.ratio() > 1.0);
        // The paper protocol's per-firm rows are the known cause for BG vs BEG.
        assert!(
            median.cause.starts_with("per-firm warm-start rows"),
            "{}",
            median.cause
        );
        let s = a.summary().unwrap();
        assert_eq!(s.column("compared"), Some(&Column::I64(vec![2])));
        assert_eq!(s.column("within tolerance"), Some(&Column::I64(vec![1])));
        assert_eq!(s.column("off, known cause"), Some(&Column::I64(vec![1])));
        assert_eq!(a.cells_table().unwrap().n_rows(), 2);
        let sec = a.section().unwrap();
        assert!(sec.paragraphs[0].contains("1 of 2 published numbers"));
        assert!(sec.findings[0].holds);
    }

    #[test]
    fn a_median_whose_band_is_one_point_keeps_a_positive_tolerance() {
        // More than half of the runs at EEOG 0: the median's band is [0, 0]. The paper's 393
        // is far off, a finite number of tolerances (0.25 each side) away, not infinitely many.
        let a = check(&cfg(1000), &[table3(640.0, 0.0, 0.0)]);
        let median = &a.cells[1];
        assert_eq!(median.tolerance, (0.25, 0.25));
        assert!(!median.within);
        assert!(median.ratio().is_finite() && median.ratio() > 1000.0);
        assert!(a.cells_table().is_ok());
    }
}
