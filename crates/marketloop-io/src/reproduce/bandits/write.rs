//! Writing a reproduction's results into its run folder: each table in its display form
//! (`.csv`, `.parquet`, `.md`, `.json`) and long form (`_long.csv`, `_long.parquet`), the
//! isolation data tables, every figure (SVG + PNG), and the timings in the manifest.

use super::agreement::Agreement;
use super::figures::IsolationFigures;
use super::summary::ProducedTable;
use crate::run::RunDir;
use crate::IoError;

/// Writes the tables (in order), the comparison with the published numbers (`agreement`,
/// `agreement_cells`), then the isolation data tables, then the figures (the tables' then the
/// isolation study's), and records the timings "table N" and "figures (isolation)".
pub(super) fn write_results(
    dir: &mut RunDir,
    tables: &[ProducedTable],
    isolation: Option<&IsolationFigures>,
    agreement: &Agreement,
) -> Result<(), IoError> {
    for p in tables {
        write_table(dir, p)?;
    }
    dir.write_table("agreement", &agreement.summary()?)?;
    dir.write_table("agreement_cells", &agreement.cells_table()?)?;
    for (stem, t) in isolation.iter().flat_map(|i| &i.tables) {
        dir.write_table(stem, t)?;
    }
    let figures = tables
        .iter()
        .flat_map(|p| &p.figures)
        .chain(isolation.iter().flat_map(|i| &i.figures));
    for (stem, f) in figures {
        dir.write_figure(stem, f)?;
    }
    if let Some(i) = isolation {
        dir.manifest_mut()
            .timings
            .insert("figures (isolation)".into(), i.seconds);
    }
    Ok(())
}

/// One table's files and its timing.
fn write_table(dir: &mut RunDir, p: &ProducedTable) -> Result<(), IoError> {
    dir.write_table(&p.stem, &p.display)?;
    dir.write_table(&format!("{}_long", p.stem), &p.long)?;
    dir.write_file(&format!("{}.md", p.stem), p.to_markdown()?.as_bytes())?;
    let json_name = format!("{}.json", p.stem);
    let bytes = serde_json::to_vec_pretty(&p.to_json()?).map_err(|source| IoError::Json {
        path: dir.root().join(&json_name),
        source,
    })?;
    dir.write_file(&json_name, &bytes)?;
    dir.manifest_mut()
        .timings
        .insert(format!("table {}", p.number), p.seconds);
    Ok(())
}
