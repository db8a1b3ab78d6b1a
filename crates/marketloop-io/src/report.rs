//! Reports as data: a [`Report`] is a sequence of [`Section`]s holding prose, tables, figures
//! and [`Finding`]s (a claim of the paper next to this run's numbers and whether it holds).
//! Rendering to a self-contained `report.html` (no network resources; SVG figures inlined)
//! lives in this module too.

use crate::table::Table;

/// A paper's claim checked against this run.
#[derive(Clone, Debug, PartialEq)]
pub struct Finding {
    /// The claim, in the paper's words where possible.
    pub claim: String,
    /// Whether this run supports it.
    pub holds: bool,
    /// This run's numbers behind the verdict.
    pub evidence: String,
}

/// One section of a report.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Section {
    /// Heading.
    pub heading: String,
    /// Paragraphs of plain text.
    pub paragraphs: Vec<String>,
    /// Tables with captions.
    pub tables: Vec<(String, Table)>,
    /// Figures with captions, by the stem of the files written with `RunDir::write_figure`.
    pub figures: Vec<(String, String)>,
    /// Findings checked.
    pub findings: Vec<Finding>,
}

/// A whole report.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Report {
    /// Title.
    pub title: String,
    /// Sections in order.
    pub sections: Vec<Section>,
}
