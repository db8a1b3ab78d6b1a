//! What a reproduction returns: one [`ProducedTable`] per table made (its display and long
//! forms, findings, report section and figures), and the [`BanditsSummary`] of the whole run
//! with its JSON and text forms (what the CLI prints and Python returns).

use super::config::BanditsConfig;
use super::paper::TableInfo;
use crate::figure::Figure;
use crate::report::{Finding, Section};
use crate::table::Table;
use crate::IoError;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// A finding with its verdict and evidence (the report's [`Finding`]).
pub type BanditsFinding = Finding;

/// One table of the reproduction, everything it yields: the display table (labelled as in
/// the spec), its long numeric form, the paper's claims checked on it, its report section and
/// any figures drawn from it.
#[derive(Clone, Debug, PartialEq)]
pub struct ProducedTable {
    /// Our table number ("1"-"8").
    pub number: String,
    /// Title.
    pub title: String,
    /// File stem in the run folder.
    pub stem: String,
    /// Which of the paper's tables it reproduces.
    pub paper: String,
    /// Wall seconds spent simulating it (0 when it shares its experiments with another table,
    /// or when they were resumed).
    pub seconds: f64,
    /// The display table, labelled as in the spec (cells "mean±half-width").
    pub display: Table,
    /// The long numeric form: label columns, then mean, half_width, variance (or EEOG columns).
    pub long: Table,
    /// The table's findings.
    pub findings: Vec<BanditsFinding>,
    /// Its report section without the findings (heading, prose, captioned tables, figure
    /// captions); [`ProducedTable::report_section`] adds them.
    pub section: Section,
    /// Figures drawn from it, as (file stem, figure).
    pub figures: Vec<(String, Figure)>,
}

impl ProducedTable {
    /// A table of the catalogue entry `info`, with the report heading of `info` and no
    /// findings, prose or figures yet.
    pub(super) fn new(info: &TableInfo, display: Table, long: Table, seconds: f64) -> Self {
        ProducedTable {
            number: info.number.to_string(),
            title: info.title.into(),
            stem: info.stem.into(),
            paper: info.paper.into(),
            seconds,
            display,
            long,
            findings: Vec::new(),
            section: Section {
                heading: info.heading.into(),
                ..Section::default()
            },
            figures: Vec::new(),
        }
    }

    /// Its section of the report: [`ProducedTable::section`] with the findings.
    pub fn report_section(&self) -> Section {
        Section {
            findings: self.findings.clone(),
            ..self.section.clone()
        }
    }

    /// The JSON form written to `STEM.json` (deterministic: no timings).
    pub fn to_json(&self) -> Result<serde_json::Value, IoError> {
        Ok(serde_json::json!({
            "number": self.number, "title": self.title, "stem": self.stem,
            "rows": self.display.to_json()?, "long": self.long.to_json()?,
        }))
    }

    /// The Markdown written to `STEM.md`.
    pub fn to_markdown(&self) -> Result<String, IoError> {
        Ok(format!(
            "## Table {}: {}\n\n{}",
            self.number,
            self.title,
            self.display.to_markdown(3)?
        ))
    }
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
    pub fn to_json(&self) -> Result<serde_json::Value, IoError> {
        let mut tables = Vec::new();
        for p in &self.tables {
            let mut j = p.to_json()?;
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
    pub fn to_text(&self) -> Result<String, IoError> {
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

/// A finding as one Markdown list line.
fn finding_line(f: &BanditsFinding) -> String {
    format!(
        "- [{}] {} — {}\n",
        if f.holds { "holds" } else { "does not hold" },
        f.claim,
        f.evidence
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reproduce::bandits::paper::table_info;
    use crate::table::Column;

    #[test]
    fn produced_table_forms_and_report_section() {
        let display = Table::new()
            .with("pair", Column::Str(vec!["TS vs BG".into()]))
            .unwrap();
        let long = Table::new().with("mean", Column::F64(vec![0.5])).unwrap();
        let mut p = ProducedTable::new(table_info(3), display, long, 1.5);
        p.findings.push(Finding {
            claim: "c".into(),
            holds: false,
            evidence: "e".into(),
        });
        assert_eq!((p.number.as_str(), p.stem.as_str()), ("3", "table3_eeog"));
        assert_eq!(p.paper, "EEOG table");
        let j = p.to_json().unwrap();
        assert_eq!(j["number"], "3");
        assert!(j.get("seconds").is_none());
        assert!(p.to_markdown().unwrap().starts_with(
            "## Table 3: effective end of game (mean / median), simultaneous entry\n\n"
        ));
        let s = p.report_section();
        assert_eq!(s.heading, table_info(3).heading);
        assert_eq!(s.findings, p.findings);
        assert!(p.section.findings.is_empty());
        let summary = BanditsSummary {
            out: "x".into(),
            config: BanditsConfig::default(),
            tables: vec![p],
            figure_findings: Vec::new(),
            timings: BTreeMap::from([("total".to_string(), 2.0)]),
            simulated_pieces: 3,
            resumed_pieces: 0,
        };
        assert_eq!(summary.to_json().unwrap()["tables"][0]["seconds"], 1.5);
        let text = summary.to_text().unwrap();
        assert!(text.contains("- [does not hold] c — e\n"), "{text}");
        assert!(text.contains("total wall time: 2.00 s (3 pieces simulated, 0 resumed)"));
    }
}
