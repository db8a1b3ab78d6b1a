//! Conversions between engine values and Python: tables <-> typed columns, and every library
//! error -> `MarketloopError` (a `ValueError`) with the same message the CLI prints.

use crate::MarketloopError;
use marketloop_io::{Column, IoError, Table};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyList};

/// Columns as Python sees them: (name, "f64" | "i64" | "str", bytes | list[str]).
pub type Columns = Vec<(String, &'static str, Py<PyAny>)>;

/// Counts (or any u64 slice) as a read-only numpy int64 array.
pub fn int_array<'py>(py: Python<'py>, v: &[u64]) -> PyResult<Bound<'py, PyAny>> {
    let bytes: Vec<u8> = v.iter().flat_map(|&x| (x as i64).to_le_bytes()).collect();
    py.import("numpy")?
        .getattr("frombuffer")?
        .call1((PyBytes::new(py, &bytes), "<i8"))
}

/// A library error -> `MarketloopError` with the full message, and the spec field it is about
/// as `.field` (`None` when it names none).
pub fn py_err(e: IoError) -> PyErr {
    let field = e.field();
    let err = MarketloopError::new_err(e.to_string());
    Python::attach(|py| match err.value(py).setattr("field", field) {
        Ok(()) => err,
        Err(set) => set,
    })
}

/// A table -> typed columns (numbers as little-endian bytes).
pub fn columns_to_py(py: Python<'_>, table: &Table) -> PyResult<Columns> {
    table.check_finite().map_err(py_err)?;
    let mut out = Vec::with_capacity(table.names().len());
    for (name, col) in table.names().iter().zip(table.columns()) {
        let (dtype, obj): (&'static str, Py<PyAny>) = match col {
            Column::F64(v) => {
                let bytes: Vec<u8> = v.iter().flat_map(|x| x.to_le_bytes()).collect();
                ("f64", PyBytes::new(py, &bytes).into_any().unbind())
            }
            Column::I64(v) => {
                let bytes: Vec<u8> = v.iter().flat_map(|x| x.to_le_bytes()).collect();
                ("i64", PyBytes::new(py, &bytes).into_any().unbind())
            }
            Column::Str(v) => ("str", PyList::new(py, v)?.into_any().unbind()),
        };
        out.push((name.clone(), dtype, obj));
    }
    Ok(out)
}

/// Typed columns from Python -> a table.
pub fn columns_from_py(columns: &Bound<'_, PyAny>) -> PyResult<Table> {
    let items: Vec<(String, String, Bound<'_, PyAny>)> = columns.extract()?;
    let mut t = Table::new();
    for (name, dtype, payload) in items {
        let col = match dtype.as_str() {
            "f64" | "i64" => {
                let bytes: Vec<u8> = payload.extract()?;
                if !bytes.len().is_multiple_of(8) {
                    return Err(MarketloopError::new_err(format!(
                        "column {name:?}: {} bytes is not a whole number of 8-byte values",
                        bytes.len()
                    )));
                }
                let words = bytes.chunks_exact(8).map(|c| {
                    let mut a = [0u8; 8];
                    a.copy_from_slice(c);
                    a
                });
                if dtype == "f64" {
                    Column::F64(words.map(f64::from_le_bytes).collect())
                } else {
                    Column::I64(words.map(i64::from_le_bytes).collect())
                }
            }
            "str" => Column::Str(payload.extract()?),
            other => {
                return Err(MarketloopError::new_err(format!(
                    "column {name:?} has type {other:?}; allowed: f64, i64, str"
                )))
            }
        };
        t.push(&name, col).map_err(py_err)?;
    }
    Ok(t)
}
