//! Dense numeric matrices on disk: NumPy `.npy` files (format versions 1, 2 and 3) and plain
//! CSV, read into one row-major [`Matrix`] of `f64`, and written back (`.npy` v1 `'<f8'` C order,
//! or CSV), atomically. Also the JSON list-of-groups format (`[[0, 5, 9], [1, 2], ...]`).
//!
//! Reading is strict: a wrong magic string, an unsupported dtype, a truncated or over-long
//! payload, a ragged CSV row or a non-finite value is an error that names the file and the place.
//!
//! This file owns [`Matrix`], the checks every format shares and the choice of format by file
//! extension; `npy`, `csv` and `groups` own one file format each (re-exported here).

mod csv;
mod groups;
mod npy;

pub use csv::{csv_string, parse_csv, read_csv, write_csv};
pub use groups::{parse_json_groups, read_json_groups, write_json_groups};
pub use npy::{npy_bytes, parse_npy, read_npy, read_npy_f32, write_npy};

use crate::IoError;
use marketloop_core::market::model::{Matrix as CoreMatrix, Precision};
use std::path::Path;

/// A dense matrix of `f64`, stored row-major: entry (i, j) is `data[i * cols + j]`.
///
/// A one-dimensional `.npy` array of length n is read as a 1 x n matrix.
#[derive(Clone, Debug, PartialEq)]
pub struct Matrix {
    /// Number of rows.
    pub rows: usize,
    /// Number of columns.
    pub cols: usize,
    /// The entries, row-major, `rows * cols` of them.
    pub data: Vec<f64>,
}

impl Matrix {
    /// A matrix from its dimensions and row-major entries.
    ///
    /// Errors when `data.len() != rows * cols`.
    pub fn new(rows: usize, cols: usize, data: Vec<f64>) -> Result<Self, IoError> {
        match rows.checked_mul(cols) {
            Some(n) if n == data.len() => Ok(Self { rows, cols, data }),
            _ => Err(IoError::Table(format!(
                "matrix of {rows} x {cols} needs {} entries, got {}",
                rows.saturating_mul(cols),
                data.len()
            ))),
        }
    }

    /// Entry (i, j). Panics on an index out of range, like slice indexing.
    pub fn get(&self, i: usize, j: usize) -> f64 {
        assert!(
            i < self.rows && j < self.cols,
            "index ({i}, {j}) out of range"
        );
        self.data[i * self.cols + j]
    }

    /// Row `i` as a slice. Panics on an index out of range, like slice indexing.
    pub fn row(&self, i: usize) -> &[f64] {
        &self.data[i * self.cols..(i + 1) * self.cols]
    }

    /// The position (row, column) of the first non-finite entry, if any.
    pub fn first_non_finite(&self) -> Option<(usize, usize, f64)> {
        let cols = self.cols.max(1);
        self.data
            .iter()
            .position(|x| !x.is_finite())
            .map(|k| (k / cols, k % cols, self.data[k]))
    }
}

/// An error about the file at `path`.
fn invalid(path: &Path, message: impl Into<String>) -> IoError {
    IoError::Invalid {
        path: path.to_path_buf(),
        message: message.into(),
    }
}

/// Errors naming the first non-finite entry of `m`, if any.
fn check_finite(path: &Path, m: &Matrix) -> Result<(), IoError> {
    if let Some((i, j, x)) = m.first_non_finite() {
        return Err(invalid(
            path,
            format!("entry (row {i}, column {j}) (0-based) is {x}; every entry must be finite"),
        ));
    }
    Ok(())
}

/// Reads a matrix from `path`, by extension: `.npy` or `.csv`.
///
/// Every entry must be finite; the first non-finite entry is reported with its position.
pub fn read_matrix(path: &Path) -> Result<Matrix, IoError> {
    match extension(path).as_deref() {
        Some("npy") => read_npy(path),
        Some("csv") => read_csv(path),
        other => Err(unknown_extension(path, other)),
    }
}

/// Reads a matrix from `path` (by extension, as [`read_matrix`]) into the storage a market
/// keeps: `f64`, or `f32` with [`Precision::F32`]. An `.npy` file read as `f32` goes straight
/// into the `f32` vector in bounded blocks (see [`read_npy_f32`]): peak memory is the `f32`
/// matrix, not an `f64` copy of it. `guard` (the allowed values and their range in words)
/// checks each value before it is rounded; a float32 file is widened exactly for `f64`.
/// Returns (rows, cols, values).
pub fn read_matrix_as(
    path: &Path,
    precision: Precision,
    guard: Option<(&dyn Fn(f64) -> bool, &str)>,
) -> Result<(usize, usize, CoreMatrix), IoError> {
    match (precision, extension(path).as_deref()) {
        (Precision::F32, Some("npy")) => {
            let (rows, cols, data) = read_npy_f32(path, guard)?;
            Ok((rows, cols, CoreMatrix::F32(data)))
        }
        (precision, _) => {
            let m = read_matrix(path)?;
            if let (Precision::F32, Some((ok, range))) = (precision, guard) {
                if let Some(k) = m.data.iter().position(|&x| !ok(x)) {
                    let (i, j) = (k / m.cols.max(1), k % m.cols.max(1));
                    return Err(invalid(
                        path,
                        format!(
                            "entry (row {i}, column {j}) (0-based) is {}; every entry must lie \
                             in {range}",
                            m.data[k]
                        ),
                    ));
                }
            }
            Ok((
                m.rows,
                m.cols,
                CoreMatrix::F64(m.data).into_precision(precision),
            ))
        }
    }
}

/// Writes `m` to `path`, by extension: `.npy` or `.csv`.
pub fn write_matrix(path: &Path, m: &Matrix) -> Result<(), IoError> {
    match extension(path).as_deref() {
        Some("npy") => write_npy(path, m),
        Some("csv") => write_csv(path, m),
        other => Err(unknown_extension(path, other)),
    }
}

fn extension(path: &Path) -> Option<String> {
    path.extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
}

fn unknown_extension(path: &Path, extension: Option<&str>) -> IoError {
    invalid(
        path,
        format!(
            "unknown matrix file extension {}; use .npy or .csv",
            extension.map_or("(none)".to_string(), |e| format!("'.{e}'"))
        ),
    )
}

/// Errors when the dimensions of `m` do not match its data.
fn check_shape(path: &Path, m: &Matrix) -> Result<(), IoError> {
    if m.rows.checked_mul(m.cols) != Some(m.data.len()) {
        return Err(invalid(
            path,
            format!(
                "matrix of {} x {} holds {} entries",
                m.rows,
                m.cols,
                m.data.len()
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    /// A fresh scratch directory for one test.
    pub(super) fn tmp(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("ml-matrix-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    /// A small matrix with awkward values.
    pub(super) fn sample() -> Matrix {
        Matrix::new(2, 3, vec![0.1, -2.5, 3.0, 1e-300, 7.25, 1.0 / 3.0]).unwrap()
    }

    /// The text of the error `r` must be.
    pub(super) fn err_text(r: Result<Matrix, IoError>) -> String {
        r.expect_err("must fail").to_string()
    }

    #[test]
    fn corrupt_files_on_disk_report_their_path() {
        let dir = tmp("corrupt");
        let p = dir.join("corrupt.npy");
        std::fs::write(&p, b"\x93NUMPY\x01\x00\xff\x00{'descr'").unwrap();
        let e = err_text(read_matrix(&p));
        assert!(e.contains("corrupt.npy") && e.contains("truncated"), "{e}");
        let e = err_text(read_matrix(&dir.join("missing.npy")));
        assert!(e.contains("missing.npy"), "{e}");
        let e = err_text(read_matrix(&dir.join("m.txt")));
        assert!(e.contains("'.txt'"), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn writers_refuse_non_finite_and_bad_shapes() {
        let dir = tmp("refuse");
        let m = Matrix {
            rows: 1,
            cols: 2,
            data: vec![1.0, f64::INFINITY],
        };
        let e = write_npy(&dir.join("a.npy"), &m).unwrap_err().to_string();
        assert!(e.contains("row 0, column 1") && e.contains("inf"), "{e}");
        assert!(write_csv(&dir.join("a.csv"), &m).is_err());
        let m = Matrix {
            rows: 2,
            cols: 2,
            data: vec![1.0],
        };
        assert!(write_npy(&dir.join("b.npy"), &m).is_err());
        assert!(Matrix::new(2, 2, vec![1.0]).is_err());
        assert!(!dir.join("a.npy").exists() && !dir.join("b.npy").exists());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn reads_the_authors_inputs_when_present() {
        let dir = Path::new("/work/shared/data/zhu2023-inputs");
        if !dir.join("appeals.npy").exists() {
            eprintln!("skipped: {} is absent", dir.display());
            return;
        }
        for (name, rows) in [
            ("appeals.npy", 100),
            ("qualities.npy", 100),
            ("appeals_homo.npy", 1),
            ("qualities_homo.npy", 1),
        ] {
            let m = read_matrix(&dir.join(name)).unwrap();
            assert_eq!((m.rows, m.cols), (rows, 1682), "{name}");
            assert!(
                m.data.iter().all(|&x| (0.0..=1.0).contains(&x)),
                "{name}: preferences are ratings / 5"
            );
            // Re-encoding gives back the authors' bytes exactly (same header layout as NumPy).
            assert_eq!(
                npy_bytes(&m),
                std::fs::read(dir.join(name)).unwrap(),
                "{name}"
            );
        }
        let groups = read_json_groups(&dir.join("groups_100.json")).unwrap();
        assert_eq!(groups.len(), 100);
        let mut all: Vec<usize> = groups.concat();
        all.sort_unstable();
        assert_eq!(
            all,
            (0..943).collect::<Vec<_>>(),
            "groups partition the 943 users"
        );
    }
}
