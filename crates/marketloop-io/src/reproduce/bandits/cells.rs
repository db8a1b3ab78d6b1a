//! How one cell of a table is shown and checked: "mean±half-width" text, the long numeric
//! table (label columns, then mean, half-width, variance), and the cell-by-cell comparison with
//! the paper's reference values.

use super::paper::Reference;
use crate::table::{Column, Table};
use crate::IoError;
use marketloop_core::bandits::Estimate;

/// "mean±half-width" with three decimals.
pub(super) fn pm(e: &Estimate) -> String {
    format!("{:.3}±{:.3}", e.mean, e.half_width)
}

/// "yes" or "no".
pub(super) fn yes(b: bool) -> String {
    if b { "yes" } else { "no" }.into()
}

/// Cell agreement with a reference value: within two combined half-widths.
pub(super) fn agrees(ours: &Estimate, reference: Reference) -> bool {
    (ours.mean - reference.0).abs() <= 2.0 * ours.half_width.hypot(reference.1)
}

/// Which player a share of the first-named one makes the winner.
pub(super) fn winner(share: f64) -> &'static str {
    if share > 0.5 {
        "first"
    } else {
        "second"
    }
}

/// A long-format table being built: label columns (named by the first row) plus mean,
/// half-width, variance.
#[derive(Default)]
pub(super) struct LongTable {
    labels: Vec<(String, Vec<String>)>,
    mean: Vec<f64>,
    hw: Vec<f64>,
    var: Vec<f64>,
}

impl LongTable {
    /// Adds the row `labels` (name, value) with the estimate `e`.
    pub(super) fn row(&mut self, labels: &[(&str, String)], e: &Estimate) {
        for (i, (name, v)) in labels.iter().enumerate() {
            if i == self.labels.len() {
                self.labels.push((name.to_string(), Vec::new()));
            }
            self.labels[i].1.push(v.clone());
        }
        self.mean.push(e.mean);
        self.hw.push(e.half_width);
        self.var.push(e.variance);
    }

    /// The table: label columns (strings), then `mean`, `half_width`, `variance`.
    pub(super) fn finish(self) -> Result<Table, IoError> {
        let mut t = Table::new();
        for (name, v) in self.labels {
            t.push(&name, Column::Str(v))?;
        }
        t.push("mean", Column::F64(self.mean))?;
        t.push("half_width", Column::F64(self.hw))?;
        t.push("variance", Column::F64(self.var))?;
        Ok(t)
    }
}

/// One cell of a table next to the paper's value.
pub(super) struct CellComparison {
    /// Row label.
    pub row: String,
    /// Column label.
    pub col: String,
    /// Our estimate.
    pub ours: Estimate,
    /// The paper's value.
    pub paper: Reference,
    /// Whether they agree ([`agrees`]).
    pub within: bool,
    /// Whether the same player wins, when the table says who wins.
    pub same_winner: Option<bool>,
}

/// The cell-by-cell comparison with the paper: the two label columns `keys`, ours, the
/// paper's, whether they agree (and whether the winner is the same, when known for every cell).
pub(super) fn comparison_table(
    keys: [&str; 2],
    cells: &[CellComparison],
) -> Result<Table, IoError> {
    let col = |f: &dyn Fn(&CellComparison) -> String| Column::Str(cells.iter().map(f).collect());
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

#[cfg(test)]
mod tests {
    use super::*;

    fn est(mean: f64, half_width: f64) -> Estimate {
        Estimate {
            mean,
            half_width,
            variance: 0.25,
            n: 40,
        }
    }

    #[test]
    fn agreement_uses_two_combined_half_widths() {
        // 2 * hypot(0.03, 0.04) = 0.1.
        assert!(agrees(&est(0.5, 0.03), (0.6, 0.04)));
        assert!(!agrees(&est(0.5, 0.03), (0.61, 0.04)));
        assert_eq!(pm(&est(0.12345, 0.0216)), "0.123±0.022");
        assert_eq!((winner(0.51), winner(0.5)), ("first", "second"));
    }

    #[test]
    fn long_table_has_labels_then_numbers() {
        let mut l = LongTable::default();
        l.row(
            &[("instance", "HT".into()), ("t0", "20".into())],
            &est(0.3, 0.01),
        );
        l.row(
            &[("instance", "U".into()), ("t0", "500".into())],
            &est(0.7, 0.02),
        );
        let t = l.finish().unwrap();
        assert_eq!(
            t.names(),
            vec!["instance", "t0", "mean", "half_width", "variance"]
        );
        assert_eq!(
            t.column("t0"),
            Some(&Column::Str(vec!["20".into(), "500".into()]))
        );
        assert_eq!(t.column("mean"), Some(&Column::F64(vec![0.3, 0.7])));
        assert_eq!(t.column("variance"), Some(&Column::F64(vec![0.25, 0.25])));
    }

    #[test]
    fn comparison_table_adds_same_winner_only_when_every_cell_knows_it() {
        let c = |same_winner| CellComparison {
            row: "TS vs BG".into(),
            col: "HT 20".into(),
            ours: est(0.3, 0.01),
            paper: (0.31, 0.03),
            within: true,
            same_winner,
        };
        let t = comparison_table(["pair", "cell"], &[c(Some(true)), c(Some(false))]).unwrap();
        assert_eq!(
            t.names(),
            vec![
                "pair",
                "cell",
                "ours",
                "paper",
                "within 2 combined half-widths",
                "same winner"
            ]
        );
        assert_eq!(
            t.column("same winner"),
            Some(&Column::Str(vec!["yes".into(), "no".into()]))
        );
        assert_eq!(
            t.column("paper"),
            Some(&Column::Str(vec!["0.31±0.03".into(), "0.31±0.03".into()]))
        );
        let t = comparison_table(["entrant", "incumbent"], &[c(None)]).unwrap();
        assert!(t.column("same winner").is_none());
    }
}
