//! A sweep's report: one summary row per cell (its parameters, then the mean of every numeric
//! result column over the cell's rows at its last `step`, or over all its rows when the kind
//! has no steps) and one figure per swept parameter (the first result measure against the
//! parameter's values: mean over the cells with that value, bars from the lowest to the highest
//! cell), written into the sweep's run folder with `report.html`.

use crate::figure::{Figure, Series, SeriesStyle};
use crate::report::{Report, Section};
use crate::run::RunDir;
use crate::sweep::SweepSpec;
use crate::table::{Column, Table};
use crate::IoError;

/// Columns that identify rows rather than measure something.
const KEYS: [&str; 5] = ["cell", "cell_seed", "run", "step", "iteration"];

/// The per-cell summary of a sweep's results table (see the module docs).
pub fn cell_summary(results: &Table) -> Result<Table, IoError> {
    let Some(Column::Str(cells)) = results.column("cell") else {
        return Err(IoError::Table("sweep results have no `cell` column".into()));
    };
    let mut order: Vec<&String> = Vec::new();
    for c in cells {
        if !order.contains(&c) {
            order.push(c);
        }
    }
    let steps = match results.column("step") {
        Some(Column::I64(v)) => Some(v),
        _ => None,
    };
    // The rows each cell is summarised over.
    let rows: Vec<Vec<usize>> = order
        .iter()
        .map(|&cell| {
            let mine: Vec<usize> = (0..cells.len()).filter(|&i| &cells[i] == cell).collect();
            match steps {
                Some(s) => {
                    let last = mine.iter().map(|&i| s[i]).max().unwrap_or(0);
                    mine.into_iter().filter(|&i| s[i] == last).collect()
                }
                None => mine,
            }
        })
        .collect();
    let mut out = Table::new().with(
        "cell",
        Column::Str(order.iter().map(|c| (*c).clone()).collect()),
    )?;
    for (name, col) in results.names().iter().zip(results.columns()) {
        if let (Some(_), Column::Str(v)) = (name.strip_prefix("param:"), col) {
            out.push(
                name,
                Column::Str(rows.iter().map(|r| v[r[0]].clone()).collect()),
            )?;
        }
    }
    if let Some(s) = steps {
        out.push("step", Column::I64(rows.iter().map(|r| s[r[0]]).collect()))?;
    }
    out.push(
        "rows",
        Column::I64(rows.iter().map(|r| r.len() as i64).collect()),
    )?;
    for (name, col) in results.names().iter().zip(results.columns()) {
        if KEYS.contains(&name.as_str()) || name.starts_with("param:") {
            continue;
        }
        let value = |i: usize| match col {
            Column::F64(v) => Some(v[i]),
            Column::I64(v) => Some(v[i] as f64),
            Column::Str(_) => None,
        };
        if value(0).is_none() {
            continue;
        }
        let means = rows
            .iter()
            .map(|r| r.iter().filter_map(|&i| value(i)).sum::<f64>() / r.len() as f64)
            .collect();
        out.push(&format!("mean {name}"), Column::F64(means))?;
    }
    Ok(out)
}

/// One figure per swept parameter: the summary's first measure against the parameter's values.
pub fn parameter_figures(summary: &Table) -> Vec<(String, Figure)> {
    let names = summary.names();
    let Some((measure, Column::F64(y))) = names
        .iter()
        .zip(summary.columns())
        .find(|(n, _)| n.starts_with("mean "))
    else {
        return Vec::new();
    };
    let mut figs = Vec::new();
    for (name, col) in names.iter().zip(summary.columns()) {
        let (Some(path), Column::Str(values)) = (name.strip_prefix("param:"), col) else {
            continue;
        };
        let mut distinct: Vec<&String> = Vec::new();
        for v in values {
            if !distinct.contains(&v) {
                distinct.push(v);
            }
        }
        let numeric: Option<Vec<f64>> = distinct.iter().map(|v| v.parse().ok()).collect();
        let xs: Vec<f64> = numeric
            .clone()
            .unwrap_or_else(|| (1..=distinct.len()).map(|k| k as f64).collect());
        let stats: Vec<(f64, f64, f64)> = distinct
            .iter()
            .map(|d| {
                let ys: Vec<f64> = (0..values.len())
                    .filter(|&i| &values[i] == *d)
                    .map(|i| y[i])
                    .collect();
                let mean = ys.iter().sum::<f64>() / ys.len() as f64;
                let lo = ys.iter().copied().fold(f64::INFINITY, f64::min);
                let hi = ys.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                (mean, lo, hi)
            })
            .collect();
        let x_label = if numeric.is_some() {
            path.to_string()
        } else {
            let legend: Vec<String> = distinct
                .iter()
                .enumerate()
                .map(|(k, v)| format!("{} = {}", k + 1, v.trim_matches('"')))
                .collect();
            format!("{path} ({})", legend.join(", "))
        };
        let measure = measure.trim_start_matches("mean ");
        let fig = Figure::new(
            format!("Mean {measure} by {path} (bars: lowest to highest cell)"),
            x_label,
            format!("mean {measure}"),
        )
        .with(
            Series::line("mean over cells", xs, stats.iter().map(|s| s.0).collect())
                .styled(SeriesStyle::LinePoints)
                .with_y_err(
                    stats.iter().map(|s| s.1).collect(),
                    stats.iter().map(|s| s.2).collect(),
                ),
        );
        let stem: String = path
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect();
        figs.push((format!("fig_sweep_{stem}"), fig));
    }
    figs
}

/// Writes the sweep's summary table (`summary.csv`/`.parquet`), one figure per swept parameter
/// and `report.html` into `dir`.
pub fn write_sweep_report(
    dir: &mut RunDir,
    sweep: &SweepSpec,
    results: &Table,
) -> Result<(), IoError> {
    let summary = cell_summary(results)?;
    dir.write_table("summary", &summary)?;
    let figures = parameter_figures(&summary);
    for (stem, f) in &figures {
        dir.write_figure(stem, f)?;
    }
    let params: Vec<String> = sweep
        .grid
        .iter()
        .map(|(k, v)| format!("{k} ({} values)", v.len()))
        .collect();
    let section = Section {
        heading: format!("Sweep of {} over {}", sweep.kind, params.join(", ")),
        paragraphs: vec![format!(
            "{} cells x {} runs, master seed {}; each cell's seed derives from the master seed and \
             its parameters. Per cell: the mean of every measure over its runs at its last step. \
             Every row is in results.csv.",
            summary.n_rows(),
            sweep.runs,
            sweep.seed
        )],
        tables: vec![("Per-cell summary".into(), summary)],
        figures: figures
            .iter()
            .map(|(stem, f)| (f.title.clone(), stem.clone()))
            .collect(),
        ..Section::default()
    };
    dir.write_report(&Report {
        title: format!("marketloop sweep: {}", sweep.kind),
        sections: vec![section],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_row_per_cell_at_its_last_step_and_one_figure_per_parameter() {
        let t = Table::new()
            .with(
                "cell",
                Column::Str(
                    ["a", "a", "a", "a", "b", "b", "b", "b"]
                        .map(String::from)
                        .to_vec(),
                ),
            )
            .unwrap()
            .with("cell_seed", Column::Str(vec!["1".into(); 8]))
            .unwrap()
            .with(
                "param:feedback",
                Column::Str(
                    [
                        "0.25", "0.25", "0.25", "0.25", "0.75", "0.75", "0.75", "0.75",
                    ]
                    .map(String::from)
                    .to_vec(),
                ),
            )
            .unwrap()
            .with("run", Column::I64(vec![0, 0, 1, 1, 0, 0, 1, 1]))
            .unwrap()
            .with("step", Column::I64(vec![5, 10, 5, 10, 5, 10, 5, 10]))
            .unwrap()
            .with(
                "efficiency",
                Column::F64(vec![9.0, 0.5, 9.0, 0.7, 9.0, 0.2, 9.0, 0.4]),
            )
            .unwrap();
        let s = cell_summary(&t).unwrap();
        assert_eq!(s.n_rows(), 2);
        assert_eq!(s.column("rows"), Some(&Column::I64(vec![2, 2])));
        let Some(Column::F64(m)) = s.column("mean efficiency") else {
            panic!("{:?}", s.names())
        };
        assert!(
            (m[0] - 0.6).abs() < 1e-12 && (m[1] - 0.3).abs() < 1e-12,
            "{m:?}"
        );
        let figs = parameter_figures(&s);
        assert_eq!(figs.len(), 1);
        assert_eq!(figs[0].0, "fig_sweep_feedback");
        assert_eq!(figs[0].1.series[0].x, vec![0.25, 0.75]);
        figs[0].1.validate().unwrap();
    }
}
