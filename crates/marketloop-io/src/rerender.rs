//! Re-rendering a run folder's `report.html` from what the folder holds (`marketloop report
//! DIR`): the manifest's facts, every table (`STEM.csv`, read back with [`Table::from_csv`]) and
//! every figure (`STEM.svg`), in the order the manifest lists them. Prose and findings are made
//! by the experiment that wrote the folder and are not stored as data, so the re-rendered
//! report holds tables and figures only (the experiment's own report is replaced).

use crate::atomic::write_atomic;
use crate::manifest::Manifest;
use crate::report::{Report, Section};
use crate::table::Table;
use crate::IoError;
use std::path::{Path, PathBuf};

/// Tables with more rows than this are left out of the re-rendered report (named in a note):
/// per-run tables are for analysis, not reading.
const MAX_ROWS: usize = 2000;

/// The report of the run folder `dir` rebuilt from its manifest, tables and figures.
pub fn report_from_folder(dir: &Path) -> Result<(Report, Manifest), IoError> {
    let path = dir.join("manifest.json");
    let bytes = std::fs::read(&path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            IoError::Invalid {
                path: dir.to_path_buf(),
                message: "is not a finished run folder (it has no manifest.json)".into(),
            }
        } else {
            IoError::os(&path, e)
        }
    })?;
    let manifest: Manifest =
        serde_json::from_slice(&bytes).map_err(|source| IoError::Json { path, source })?;
    let mut tables = Section {
        heading: "Tables".into(),
        ..Section::default()
    };
    let mut figures = Section {
        heading: "Figures".into(),
        ..Section::default()
    };
    let mut skipped = Vec::new();
    for name in &manifest.outputs {
        if let Some(stem) = name.strip_suffix(".csv") {
            let p = dir.join(name);
            let bytes = std::fs::read(&p).map_err(|e| IoError::os(&p, e))?;
            let t = Table::from_csv(&bytes).map_err(|e| IoError::Invalid {
                path: p.clone(),
                message: e.to_string(),
            })?;
            if t.n_rows() > MAX_ROWS {
                skipped.push(format!("{name} ({} rows)", t.n_rows()));
            } else {
                tables.tables.push((stem.to_string(), t));
            }
        } else if let Some(stem) = name.strip_suffix(".svg") {
            figures.figures.push((stem.to_string(), stem.to_string()));
        }
    }
    if !skipped.is_empty() {
        tables.paragraphs.push(format!(
            "Long tables not shown (open the files): {}.",
            skipped.join(", ")
        ));
    }
    let sections = [tables, figures]
        .into_iter()
        .filter(|s| !s.tables.is_empty() || !s.figures.is_empty() || !s.paragraphs.is_empty())
        .collect();
    let report = Report {
        title: format!("{} {}", manifest.tool, manifest.command),
        sections,
    };
    Ok((report, manifest))
}

/// Rebuilds `dir/report.html` (see [`report_from_folder`]) and returns its path.
pub fn rerender_report(dir: &Path) -> Result<PathBuf, IoError> {
    let (report, manifest) = report_from_folder(dir)?;
    let html = report.to_html_with_manifest(dir, Some(&manifest))?;
    let out = dir.join("report.html");
    write_atomic(&out, html.as_bytes())?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::figure::{Figure, Series};
    use crate::run::RunDir;
    use crate::table::Column;

    #[test]
    fn a_run_folder_report_is_rebuilt_from_its_tables_and_figures() {
        let dir = std::env::temp_dir().join(format!("ml-rerender-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let mut run =
            RunDir::open(&dir, Manifest::new("test", 7, serde_json::json!({})), false).unwrap();
        let t = Table::new()
            .with("step", Column::I64(vec![1, 2]))
            .unwrap()
            .with("efficiency", Column::F64(vec![0.25, 0.5]))
            .unwrap();
        run.write_table("summary", &t).unwrap();
        let f = Figure::new("Efficiency", "step", "efficiency").with(Series::line(
            "median",
            vec![1.0, 2.0],
            vec![0.25, 0.5],
        ));
        run.write_figure("fig_efficiency", &f).unwrap();
        run.finish().unwrap();
        let out = rerender_report(&dir).unwrap();
        let html = std::fs::read_to_string(out).unwrap();
        assert!(html.contains("<caption>summary</caption>"), "{html}");
        assert!(html.contains("<td class=\"num\">0.2500</td>"));
        assert!(html.contains("id=\"figure-fig_efficiency\""));
        assert!(html.contains("<dd>7</dd>"), "the manifest's seed");
        std::fs::remove_dir_all(&dir).unwrap();
        let e = rerender_report(&dir).unwrap_err().to_string();
        assert!(e.contains("no manifest.json"), "{e}");
    }
}
