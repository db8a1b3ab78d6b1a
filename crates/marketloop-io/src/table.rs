//! Typed column tables: the one in-memory form of every result that marketloop writes, with
//! writers for CSV, JSON (records), and Markdown. Every writer refuses non-finite numbers, naming
//! the column and row, so no NaN or infinity ever reaches an output file.

use crate::IoError;
use serde_json::{Map, Value};

/// One column of a [`Table`].
#[derive(Clone, Debug, PartialEq)]
pub enum Column {
    /// Floating-point values (must be finite to be written).
    F64(Vec<f64>),
    /// Signed integers.
    I64(Vec<i64>),
    /// Text.
    Str(Vec<String>),
}

impl Column {
    /// Number of rows.
    pub fn len(&self) -> usize {
        match self {
            Column::F64(v) => v.len(),
            Column::I64(v) => v.len(),
            Column::Str(v) => v.len(),
        }
    }

    /// Whether the column has no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn cell_text(&self, row: usize) -> String {
        match self {
            Column::F64(v) => format_f64(v[row]),
            Column::I64(v) => v[row].to_string(),
            Column::Str(v) => v[row].clone(),
        }
    }

    fn cell_json(&self, row: usize) -> Value {
        match self {
            Column::F64(v) => serde_json::Number::from_f64(v[row])
                .map(Value::Number)
                .unwrap_or(Value::Null),
            Column::I64(v) => Value::from(v[row]),
            Column::Str(v) => Value::from(v[row].clone()),
        }
    }
}

/// Shortest text that reads back as the same `f64`.
pub fn format_f64(x: f64) -> String {
    let s = format!("{x}");
    if s.contains('.') || s.contains('e') || s.contains("inf") || s.contains("NaN") {
        s
    } else {
        format!("{s}.0")
    }
}

/// A table of named, typed columns of equal length.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Table {
    names: Vec<String>,
    columns: Vec<Column>,
}

impl Table {
    /// An empty table.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a column; its length must equal that of the columns already present and its name
    /// must be new.
    pub fn with(mut self, name: &str, column: Column) -> Result<Self, IoError> {
        self.push(name, column)?;
        Ok(self)
    }

    /// Adds a column in place (see [`Table::with`]).
    pub fn push(&mut self, name: &str, column: Column) -> Result<(), IoError> {
        if self.names.iter().any(|n| n == name) {
            return Err(IoError::Table(format!("column {name:?} appears twice")));
        }
        if let Some(first) = self.columns.first() {
            if first.len() != column.len() {
                return Err(IoError::Table(format!(
                    "column {name:?} has {} rows but column {:?} has {}",
                    column.len(),
                    self.names[0],
                    first.len()
                )));
            }
        }
        self.names.push(name.to_string());
        self.columns.push(column);
        Ok(())
    }

    /// Column names in order.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Columns in order.
    pub fn columns(&self) -> &[Column] {
        &self.columns
    }

    /// The column called `name`, if any.
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.names
            .iter()
            .position(|n| n == name)
            .map(|i| &self.columns[i])
    }

    /// Number of rows.
    pub fn n_rows(&self) -> usize {
        self.columns.first().map_or(0, Column::len)
    }

    /// Appends the rows of `other`, which must have the same column names and types.
    pub fn append(&mut self, other: &Table) -> Result<(), IoError> {
        if self.names.is_empty() {
            *self = other.clone();
            return Ok(());
        }
        if self.names != other.names {
            return Err(IoError::Table(format!(
                "cannot append a table with columns {:?} to one with columns {:?}",
                other.names, self.names
            )));
        }
        for (name, (a, b)) in self
            .names
            .iter()
            .zip(self.columns.iter_mut().zip(&other.columns))
        {
            match (a, b) {
                (Column::F64(a), Column::F64(b)) => a.extend_from_slice(b),
                (Column::I64(a), Column::I64(b)) => a.extend_from_slice(b),
                (Column::Str(a), Column::Str(b)) => a.extend_from_slice(b),
                _ => {
                    return Err(IoError::Table(format!(
                        "column {name:?} has different types in the two tables"
                    )))
                }
            }
        }
        Ok(())
    }

    /// Errors if any floating-point cell is NaN or infinite, naming the column and row.
    pub fn check_finite(&self) -> Result<(), IoError> {
        for (name, col) in self.names.iter().zip(&self.columns) {
            if let Column::F64(v) = col {
                if let Some(row) = v.iter().position(|x| !x.is_finite()) {
                    return Err(IoError::Table(format!(
                        "column {name:?} row {row} is {} (only finite numbers are written)",
                        v[row]
                    )));
                }
            }
        }
        Ok(())
    }

    /// The table as CSV bytes (header line, then one line per row).
    pub fn to_csv(&self) -> Result<Vec<u8>, IoError> {
        self.check_finite()?;
        let mut w = csv::Writer::from_writer(Vec::new());
        let err = |e: csv::Error| IoError::Table(e.to_string());
        w.write_record(&self.names).map_err(err)?;
        for row in 0..self.n_rows() {
            w.write_record(self.columns.iter().map(|c| c.cell_text(row)))
                .map_err(err)?;
        }
        w.into_inner().map_err(|e| IoError::Table(e.to_string()))
    }

    /// Reads a table written by [`Table::to_csv`]: a header row, then one record per row. A
    /// column whose every cell reads as a whole number without a decimal point is `I64`, one
    /// whose every cell reads as a number is `F64` (shortest round-trip text reads back as the
    /// same `f64`), any other `Str`. An empty table has `Str` columns.
    pub fn from_csv(bytes: &[u8]) -> Result<Self, IoError> {
        let err = |e: csv::Error| IoError::Table(format!("CSV: {e}"));
        let mut r = csv::Reader::from_reader(bytes);
        let names: Vec<String> = r.headers().map_err(err)?.iter().map(String::from).collect();
        let mut cells: Vec<Vec<String>> = vec![Vec::new(); names.len()];
        for rec in r.records() {
            let rec = rec.map_err(err)?;
            for (col, v) in cells.iter_mut().zip(rec.iter()) {
                col.push(v.to_string());
            }
        }
        let mut t = Table::new();
        for (name, col) in names.into_iter().zip(cells) {
            let int = |v: &String| !v.contains(['.', 'e', 'E']) && v.parse::<i64>().is_ok();
            let column = if !col.is_empty() && col.iter().all(int) {
                Column::I64(col.iter().filter_map(|v| v.parse().ok()).collect())
            } else if !col.is_empty() && col.iter().all(|v| v.parse::<f64>().is_ok()) {
                Column::F64(col.iter().filter_map(|v| v.parse().ok()).collect())
            } else {
                Column::Str(col)
            };
            t.push(&name, column)?;
        }
        Ok(t)
    }

    /// The table as a JSON array of records (one object per row).
    pub fn to_json(&self) -> Result<Value, IoError> {
        self.check_finite()?;
        let rows = (0..self.n_rows())
            .map(|row| {
                let mut m = Map::new();
                for (name, col) in self.names.iter().zip(&self.columns) {
                    m.insert(name.clone(), col.cell_json(row));
                }
                Value::Object(m)
            })
            .collect();
        Ok(Value::Array(rows))
    }

    /// The table as a GitHub-flavoured Markdown table; floats shown with `digits` decimals.
    pub fn to_markdown(&self, digits: usize) -> Result<String, IoError> {
        self.check_finite()?;
        let mut s = String::new();
        s.push_str(&format!("| {} |\n", self.names.join(" | ")));
        s.push_str(&format!(
            "|{}|\n",
            self.names
                .iter()
                .map(|_| "---")
                .collect::<Vec<_>>()
                .join("|")
        ));
        for row in 0..self.n_rows() {
            let cells: Vec<String> = self
                .columns
                .iter()
                .map(|c| match c {
                    Column::F64(v) => format!("{:.*}", digits, v[row]),
                    other => other.cell_text(row),
                })
                .collect();
            s.push_str(&format!("| {} |\n", cells.join(" | ")));
        }
        Ok(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Table {
        Table::new()
            .with("step", Column::I64(vec![1, 2]))
            .unwrap()
            .with("efficiency", Column::F64(vec![0.5, 0.25]))
            .unwrap()
            .with("strategy", Column::Str(vec!["a".into(), "b,c".into()]))
            .unwrap()
    }

    #[test]
    fn csv_round_trips_text() {
        let csv = String::from_utf8(sample().to_csv().unwrap()).unwrap();
        assert_eq!(csv, "step,efficiency,strategy\n1,0.5,a\n2,0.25,\"b,c\"\n");
    }

    #[test]
    fn refuses_nan_naming_the_cell() {
        let t = Table::new()
            .with("x", Column::F64(vec![1.0, f64::NAN]))
            .unwrap();
        let e = t.to_csv().unwrap_err().to_string();
        assert!(e.contains("\"x\"") && e.contains("row 1"), "{e}");
    }

    #[test]
    fn refuses_ragged_columns() {
        let e = Table::new()
            .with("a", Column::I64(vec![1]))
            .unwrap()
            .with("b", Column::I64(vec![1, 2]))
            .unwrap_err();
        assert!(e.to_string().contains("\"b\" has 2 rows"));
    }

    #[test]
    fn json_and_markdown() {
        let j = sample().to_json().unwrap();
        assert_eq!(j[1]["efficiency"], 0.25);
        let md = sample().to_markdown(2).unwrap();
        assert!(md.contains("| 2 | 0.25 | b,c |"));
    }

    #[test]
    fn append_checks_names() {
        let mut a = sample();
        a.append(&sample()).unwrap();
        assert_eq!(a.n_rows(), 4);
        let other = Table::new().with("z", Column::I64(vec![1])).unwrap();
        assert!(a.append(&other).is_err());
    }
}

#[cfg(test)]
mod csv_round_trip {
    use super::{Column, Table};

    #[test]
    fn csv_reads_back_every_type_and_every_bit() {
        let xs = vec![0.1 + 0.2, 1.0, -2.5e-300, 6.02e23];
        let t = Table::new()
            .with("i", Column::I64(vec![1, -2, 3, 4]))
            .unwrap()
            .with("x", Column::F64(xs.clone()))
            .unwrap()
            .with(
                "s",
                Column::Str(vec!["a".into(), "b, c".into(), "1".into(), "".into()]),
            )
            .unwrap();
        let back = Table::from_csv(&t.to_csv().unwrap()).unwrap();
        assert_eq!(back.column("i"), Some(&Column::I64(vec![1, -2, 3, 4])));
        let Some(Column::F64(ys)) = back.column("x") else {
            panic!("x is not F64")
        };
        assert!(xs.iter().zip(ys).all(|(a, b)| a.to_bits() == b.to_bits()));
        assert!(matches!(back.column("s"), Some(Column::Str(_))));
    }
}
