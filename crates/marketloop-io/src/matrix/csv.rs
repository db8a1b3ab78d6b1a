//! Matrices as CSV text: numbers only, one row per line, an optional header line; written with
//! the shortest decimal that reads back to the same `f64`.

use super::{check_finite, check_shape, invalid, Matrix};
use crate::atomic::write_atomic;
use crate::IoError;
use std::path::Path;

/// Reads a CSV file of numbers, one matrix row per line.
///
/// A first line whose every field is a name (starts with a letter or `_`, then letters,
/// digits, spaces or `_ - . ( ) [ ]`) is taken as a header and skipped; a first line mixing
/// numbers and text is data (so a typo is reported, never dropped). A leading byte-order mark is
/// ignored; a NUL or other control character is an error naming its line. Blank lines are
/// skipped. Every row must have as many fields as the first data row; a ragged row, an
/// empty field or a field that is not a number is an error naming its line (1-based) and column.
pub fn read_csv(path: &Path) -> Result<Matrix, IoError> {
    let text = std::fs::read_to_string(path).map_err(|e| IoError::os(path, e))?;
    parse_csv(&text, path)
}

/// Parses CSV text (see [`read_csv`]); `path` is only used in error messages.
pub fn parse_csv(text: &str, path: &Path) -> Result<Matrix, IoError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut data = Vec::new();
    let mut cols: Option<usize> = None;
    let mut rows = 0usize;
    let mut first_nonblank = true;
    for (k, line) in text.lines().enumerate() {
        let lineno = k + 1;
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        if let Some((col, c)) = line
            .chars()
            .enumerate()
            .find(|(_, c)| c.is_control() && *c != '\t')
        {
            return Err(invalid(
                path,
                format!(
                    "line {lineno}, character {}: control character {c:?} (U+{:04X}); a CSV \
                     matrix holds numbers separated by commas",
                    col + 1,
                    u32::from(c)
                ),
            ));
        }
        let fields: Vec<&str> = line
            .split(',')
            .map(|f| f.trim().trim_matches('"'))
            .collect();
        if first_nonblank {
            first_nonblank = false;
            if fields.iter().all(|f| is_name(f)) {
                continue; // a header line
            }
        }
        match cols {
            None => cols = Some(fields.len()),
            Some(c) if c != fields.len() => {
                return Err(invalid(
                    path,
                    format!(
                        "line {lineno}: ragged row with {} fields; earlier rows have {c}",
                        fields.len()
                    ),
                ))
            }
            Some(_) => {}
        }
        for (j, f) in fields.iter().enumerate() {
            let x: f64 = f.parse().map_err(|_| {
                invalid(
                    path,
                    format!("line {lineno}, column {}: '{f}' is not a number", j + 1),
                )
            })?;
            if !x.is_finite() {
                return Err(invalid(
                    path,
                    format!(
                        "line {lineno}, column {}: value {x} is not finite; every entry must be \
                         finite",
                        j + 1
                    ),
                ));
            }
            data.push(x);
        }
        rows += 1;
    }
    let cols = cols.ok_or_else(|| invalid(path, "no data rows"))?;
    Ok(Matrix { rows, cols, data })
}

/// Whether a field is a column name (a header field), not a number or a typo of one.
fn is_name(f: &str) -> bool {
    let mut chars = f.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_alphabetic() || c == '_');
    first_ok
        && f.parse::<f64>().is_err()
        && chars.all(|c| c.is_alphanumeric() || " _-.()[]".contains(c))
}

/// The text of `m` as CSV: no header, one row per line, shortest round-trip decimal numbers.
pub fn csv_string(m: &Matrix) -> String {
    use std::fmt::Write as _;
    let mut s = String::with_capacity(m.data.len() * 20);
    for i in 0..m.rows {
        for (j, x) in m.row(i).iter().enumerate() {
            if j > 0 {
                s.push(',');
            }
            let _ = write!(s, "{x:?}");
        }
        s.push('\n');
    }
    s
}

/// Writes `m` to `path` as CSV (see [`csv_string`]), atomically.
///
/// Errors when an entry is not finite or the dimensions do not match the data.
pub fn write_csv(path: &Path, m: &Matrix) -> Result<(), IoError> {
    check_shape(path, m)?;
    check_finite(path, m)?;
    write_atomic(path, csv_string(m).as_bytes())
}

#[cfg(test)]
mod tests {
    use super::super::read_matrix;
    use super::super::tests::{err_text, sample, tmp};
    use super::*;

    #[test]
    fn csv_round_trip_is_exact() {
        let dir = tmp("csv");
        let p = dir.join("m.csv");
        write_csv(&p, &sample()).unwrap();
        assert_eq!(read_matrix(&p).unwrap(), sample());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn csv_header_ragged_and_bad_values() {
        let p = Path::new("m.csv");
        let m = parse_csv("a,b\n1,2\n\n3,4.5\n", p).unwrap();
        assert_eq!((m.rows, m.cols, m.data), (2, 2, vec![1.0, 2.0, 3.0, 4.5]));
        let m = parse_csv("1, 2\n3, 4\n", p).unwrap();
        assert_eq!(m.rows, 2);
        let e = err_text(parse_csv("x,y\n1,2\n3,4,5\n", p));
        assert!(
            e.contains("m.csv") && e.contains("line 3") && e.contains("ragged"),
            "{e}"
        );
        let e = err_text(parse_csv("1,2\n3,oops\n", p));
        assert!(
            e.contains("line 2, column 2") && e.contains("'oops'"),
            "{e}"
        );
        let e = err_text(parse_csv("1,2\n3,\n", p));
        assert!(e.contains("line 2, column 2"), "{e}");
        let e = err_text(parse_csv("1,inf\n", p));
        assert!(
            e.contains("line 1, column 2") && e.contains("not finite"),
            "{e}"
        );
        let e = err_text(parse_csv("h1,h2\n", p));
        assert!(e.contains("no data rows"), "{e}");
    }

    #[test]
    fn only_a_line_of_names_is_a_header() {
        let p = Path::new("m.csv");
        // A typo, text cells and a stray quote in the first line are data errors, not a header.
        for (text, want) in [
            (
                "0.5,0.3x,0.2\n1,2,3\n",
                "line 1, column 2: '0.3x' is not a number",
            ),
            (
                "1.0,abc,2\n1,2,3\n",
                "line 1, column 2: 'abc' is not a number",
            ),
            ("O.5,0.3\n1,2\n", "line 1, column 1: 'O.5' is not a number"),
            ("1,2\0\n3,4\n", "line 1, character 4: control character"),
            ("\0\n1,2\n", "line 1, character 1: control character"),
        ] {
            let e = err_text(parse_csv(text, p));
            assert!(e.contains(want), "{text:?}: {e}");
        }
        // A byte-order mark is not part of the first field.
        let m = parse_csv("\u{feff}1,2\n3,4\n", p).unwrap();
        assert_eq!(m.data, vec![1.0, 2.0, 3.0, 4.0]);
        let m = parse_csv("\u{feff}item 1,item_2\n3,4\n", p).unwrap();
        assert_eq!(m.data, vec![3.0, 4.0]);
        let m = parse_csv("\"q(1)\",\"q[2]\"\n3,4\n", p).unwrap();
        assert_eq!(m.rows, 1);
    }
}
