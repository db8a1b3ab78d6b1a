//! Parquet output for [`Table`]: one flat schema of required columns (`DOUBLE`, `INT64`, and
//! UTF-8 `BYTE_ARRAY`), written with the `parquet` crate's low-level column writers (no Arrow),
//! Snappy-compressed, in row groups of at most [`ROW_GROUP_ROWS`] rows. pandas, pyarrow,
//! polars and DuckDB read the files as they are.

use crate::table::{Column, Table};
use crate::IoError;
use parquet::basic::{Compression, LogicalType, Repetition, Type as PhysicalType};
use parquet::data_type::{ByteArray, ByteArrayType, DoubleType, Int64Type};
use parquet::file::metadata::KeyValue;
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::types::Type;
use std::sync::Arc;

/// Rows per Parquet row group (readers can then stream a large table one group at a time).
pub const ROW_GROUP_ROWS: usize = 1 << 20;

fn err(e: parquet::errors::ParquetError) -> IoError {
    IoError::Table(format!("parquet: {e}"))
}

impl Table {
    /// The table as the bytes of a Parquet file.
    ///
    /// Every column is `required` (no nulls): `F64` as `DOUBLE`, `I64` as `INT64`, `Str` as
    /// `BYTE_ARRAY` annotated `STRING`. Non-finite numbers are refused like every other writer
    /// (naming the column and row); a table without columns is refused because a Parquet schema
    /// needs at least one.
    pub fn to_parquet(&self) -> Result<Vec<u8>, IoError> {
        self.check_finite()?;
        if self.names().is_empty() {
            return Err(IoError::Table(
                "a table with no columns cannot be written as Parquet (add at least one column)"
                    .into(),
            ));
        }
        let fields = self
            .names()
            .iter()
            .zip(self.columns())
            .map(|(name, col)| {
                let (physical, logical) = match col {
                    Column::F64(_) => (PhysicalType::DOUBLE, None),
                    Column::I64(_) => (PhysicalType::INT64, None),
                    Column::Str(_) => (PhysicalType::BYTE_ARRAY, Some(LogicalType::String)),
                };
                Type::primitive_type_builder(name, physical)
                    .with_repetition(Repetition::REQUIRED)
                    .with_logical_type(logical)
                    .build()
                    .map(Arc::new)
                    .map_err(err)
            })
            .collect::<Result<Vec<_>, _>>()?;
        let schema = Type::group_type_builder("marketloop")
            .with_fields(fields)
            .build()
            .map_err(err)?;
        let props = WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .set_key_value_metadata(Some(vec![KeyValue::new(
                "marketloop.version".to_string(),
                marketloop_core::VERSION.to_string(),
            )]))
            .build();
        let mut writer = SerializedFileWriter::new(Vec::new(), Arc::new(schema), Arc::new(props))
            .map_err(err)?;
        let n = self.n_rows();
        let mut start = 0;
        // A table with no rows still gets its schema (and no row group).
        while start < n {
            let end = (start + ROW_GROUP_ROWS).min(n);
            let mut group = writer.next_row_group().map_err(err)?;
            for col in self.columns() {
                let mut w = group
                    .next_column()
                    .map_err(err)?
                    .ok_or_else(|| IoError::Table("parquet: schema has fewer columns".into()))?;
                match col {
                    Column::F64(v) => w
                        .typed::<DoubleType>()
                        .write_batch(&v[start..end], None, None)
                        .map_err(err)?,
                    Column::I64(v) => w
                        .typed::<Int64Type>()
                        .write_batch(&v[start..end], None, None)
                        .map_err(err)?,
                    Column::Str(v) => {
                        let bytes: Vec<ByteArray> = v[start..end]
                            .iter()
                            .map(|s| ByteArray::from(s.as_str()))
                            .collect();
                        w.typed::<ByteArrayType>()
                            .write_batch(&bytes, None, None)
                            .map_err(err)?
                    }
                };
                w.close().map_err(err)?;
            }
            group.close().map_err(err)?;
            start = end;
        }
        writer.into_inner().map_err(err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use parquet::file::reader::{FileReader, SerializedFileReader};
    use parquet::record::RowAccessor;

    fn read(bytes: Vec<u8>) -> SerializedFileReader<bytes::Bytes> {
        SerializedFileReader::new(bytes::Bytes::from(bytes)).unwrap()
    }

    #[test]
    fn round_trips_names_types_and_values() {
        let t = Table::new()
            .with("step", Column::I64(vec![0, 10, -3]))
            .unwrap()
            .with("efficiency", Column::F64(vec![0.5, 1e-300, -2.25]))
            .unwrap()
            .with(
                "param:market.r",
                Column::Str(vec!["a".into(), "b,\"c\"".into(), "ψ ünïcode".into()]),
            )
            .unwrap();
        let bytes = t.to_parquet().unwrap();
        if let Ok(dir) = std::env::var("MARKETLOOP_GALLERY") {
            // For reading back with pyarrow/pandas by hand.
            let p = std::path::Path::new(&dir).join("sample.parquet");
            crate::atomic::write_atomic(&p, &bytes).unwrap();
        }
        assert_eq!(&bytes[..4], b"PAR1");
        assert_eq!(&bytes[bytes.len() - 4..], b"PAR1");
        let r = read(bytes);
        let meta = r.metadata();
        assert_eq!(meta.file_metadata().num_rows(), 3);
        let kv = meta.file_metadata().key_value_metadata().unwrap();
        assert_eq!(kv[0].key, "marketloop.version");
        assert_eq!(kv[0].value.as_deref(), Some(marketloop_core::VERSION));
        let schema = meta.file_metadata().schema_descr();
        let names: Vec<&str> = schema.columns().iter().map(|c| c.name()).collect();
        assert_eq!(names, ["step", "efficiency", "param:market.r"]);
        assert_eq!(
            schema.column(2).logical_type_ref(),
            Some(&LogicalType::String)
        );
        let rows: Vec<_> = r.get_row_iter(None).unwrap().map(|r| r.unwrap()).collect();
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[1].get_long(0).unwrap(), 10);
        assert_eq!(rows[2].get_long(0).unwrap(), -3);
        assert_eq!(rows[1].get_double(1).unwrap(), 1e-300);
        assert_eq!(rows[2].get_double(1).unwrap(), -2.25);
        assert_eq!(rows[1].get_string(2).unwrap(), "b,\"c\"");
        assert_eq!(rows[2].get_string(2).unwrap(), "ψ ünïcode");
    }

    #[test]
    fn many_rows_span_row_groups() {
        let n = ROW_GROUP_ROWS + 7;
        let t = Table::new()
            .with("i", Column::I64((0..n as i64).collect()))
            .unwrap();
        let r = read(t.to_parquet().unwrap());
        assert_eq!(r.metadata().num_row_groups(), 2);
        assert_eq!(r.metadata().file_metadata().num_rows(), n as i64);
        let last = r.get_row_iter(None).unwrap().last().unwrap().unwrap();
        assert_eq!(last.get_long(0).unwrap(), n as i64 - 1);
    }

    #[test]
    fn empty_rows_keep_the_schema_and_bad_tables_are_refused() {
        let t = Table::new().with("x", Column::F64(vec![])).unwrap();
        let r = read(t.to_parquet().unwrap());
        assert_eq!(r.metadata().file_metadata().num_rows(), 0);
        assert_eq!(
            r.metadata().file_metadata().schema_descr().column(0).name(),
            "x"
        );
        let e = Table::new().to_parquet().unwrap_err().to_string();
        assert!(e.contains("no columns"), "{e}");
        let t = Table::new()
            .with("y", Column::F64(vec![1.0, f64::INFINITY]))
            .unwrap();
        let e = t.to_parquet().unwrap_err().to_string();
        assert!(e.contains("\"y\"") && e.contains("row 1"), "{e}");
    }
}
