//! The report of a reproduction: the table index (our numbering against the paper's), one
//! section per table made, and the isolation study's section.

use super::agreement::Agreement;
use super::cells::yes;
use super::config::BanditsConfig;
use super::figures::IsolationFigures;
use super::paper::TABLES;
use super::summary::ProducedTable;
use crate::report::{Report, Section};
use crate::table::{Column, Table};
use crate::IoError;
use marketloop_core::bandits::{NeedlePosition, WarmStartRows};

/// The report's title.
const TITLE: &str = "Competing bandits: the perils of exploration under competition (reproduction)";

/// The model common to every table, stated once at the top of the report.
const MODEL: &str = "Model: K = 10 Bernoulli arms, Beta(1,1) priors, BEG eps = 0.05, reputation = mean reward of the last M = 100 users, HardMax with fair ties unless stated. All experiments on an instance share the mean vectors and tables (common random numbers). Games: strategies ordered BG < BEG < TS; two shares tie unless they differ by more than their combined 95% half-width, and ties go to the simpler algorithm.";

/// The whole report: the index (with the protocol), the agreement with the published
/// numbers, each table's section, then the isolation study's.
pub(super) fn report(
    cfg: &BanditsConfig,
    tables: &[ProducedTable],
    isolation: Option<&IsolationFigures>,
    agreement: &Agreement,
) -> Result<Report, IoError> {
    let mut index = index_section(tables)?;
    index.paragraphs.push(protocol_line(cfg));
    let mut sections = vec![index, agreement.section()?];
    sections.extend(tables.iter().map(ProducedTable::report_section));
    sections.extend(isolation.map(|i| i.section.clone()));
    Ok(Report {
        title: TITLE.into(),
        sections,
    })
}

/// The table index: every table of the catalogue, what it holds, the paper's table it
/// reproduces, and whether this run made it.
fn index_section(tables: &[ProducedTable]) -> Result<Section, IoError> {
    let made: Vec<&str> = tables.iter().map(|p| p.number.as_str()).collect();
    let col = |f: &dyn Fn(&super::paper::TableInfo) -> String| {
        Column::Str(TABLES.iter().map(f).collect())
    };
    let t = Table::new()
        .with("ours", col(&|r| r.number.to_string()))?
        .with("content", col(&|r| r.content.to_string()))?
        .with("paper", col(&|r| r.paper.to_string()))?
        .with(
            "in this run",
            col(&|r| yes(made.contains(&r.number.to_string().as_str()))),
        )?;
    Ok(Section {
        heading: "Table index".into(),
        paragraphs: vec![MODEL.into()],
        tables: vec![("Our table numbers and the paper's content".into(), t)],
        ..Section::default()
    })
}

/// Which reading of the paper ran: the protocol and the conventions it resolved to.
fn protocol_line(cfg: &BanditsConfig) -> String {
    let needle = match cfg.needle_position() {
        NeedlePosition::Random => "a uniformly random arm per mean vector".to_string(),
        NeedlePosition::Fixed(i) => format!("arm {i}"),
    };
    let rows = match cfg.warm_rows() {
        WarmStartRows::PerFirm => {
            "each firm warm-starts on its own rows of the realization table".to_string()
        }
        WarmStartRows::Shared => {
            "both firms warm-start on the same rows (one shared table)".to_string()
        }
        WarmStartRows::SharedOverlapping { game_start } => format!(
            "both firms warm-start on the same rows of one table whose game rows start \
             {game_start} rows after the warm start's first (a longer warm start's last rows \
             are the game's first)"
        ),
    };
    format!(
        "Protocol: {} (--protocol paper follows the paper's text, authors-code the authors' \
         public code). Needle-in-Haystack needle: {needle}; warm start: {rows}.",
        cfg.protocol
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reproduce::bandits::paper::table_info;

    #[test]
    fn index_marks_the_tables_made() {
        let p = ProducedTable::new(table_info(3), Table::new(), Table::new(), 0.0);
        let cfg = BanditsConfig {
            protocol: crate::reproduce::Protocol::AuthorsCode,
            ..BanditsConfig::default()
        };
        let a = crate::reproduce::bandits::agreement::check(&cfg, std::slice::from_ref(&p));
        let r = report(&cfg, &[p], None, &a).unwrap();
        assert_eq!(r.title, TITLE);
        assert_eq!(
            r.sections[0].paragraphs[1],
            "Protocol: authors-code (--protocol paper follows the paper's text, authors-code the \
             authors' public code). Needle-in-Haystack needle: arm 5; warm start: both firms \
             warm-start on the same rows (one shared table)."
        );
        assert_eq!(r.sections.len(), 3);
        assert_eq!(
            r.sections[1].heading,
            "Agreement with the published numbers"
        );
        assert_eq!(r.sections[2].heading, table_info(3).heading);
        let (_, t) = &r.sections[0].tables[0];
        assert_eq!(t.names(), vec!["ours", "content", "paper", "in this run"]);
        let Some(Column::Str(made)) = t.column("in this run") else {
            panic!("no 'in this run' column");
        };
        assert_eq!(made, &["no", "no", "yes", "no", "no", "no", "no", "no"]);
        let Some(Column::Str(paper)) = t.column("paper") else {
            panic!("no 'paper' column");
        };
        assert_eq!(paper[7], "welfare vs competition");
    }
}
