//! Value shapes shared by the typed specs: [`Checked`] (a well-formed value, or the value as
//! written so the error can name it), [`PerType`] ("a number or one per user type"),
//! [`MatrixSpec`] ("an inline matrix or `{ file = ... }`"), and the helpers that describe a
//! malformed value in an error message (its type, the first entry that is not a number).

use crate::IoError;
use serde::Deserialize;
use serde_json::Value;

/// A value of the expected shape `T`, or — when it does not fit — the value as written, so that
/// the resolve step can report the field, the value and what is allowed (serde's untagged
/// errors name neither).
#[derive(Clone, Debug, Deserialize)]
#[serde(untagged)]
pub enum Checked<T> {
    /// The value has the expected shape.
    Valid(T),
    /// The value as written (any other shape).
    Invalid(Value),
}

/// A number for every user type, or one number per type.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum PerType {
    /// One number per user type.
    Each(Vec<f64>),
    /// The same number for every user type.
    One(f64),
}

/// A file reference `{ file = "name.npy" }` (relative to the spec's folder).
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileRef {
    /// The file name.
    pub file: String,
}

/// A matrix: inline rows, a flat list (one row), or a `.npy`/`.csv` file.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum MatrixSpec {
    /// A list of rows `[[..], [..]]`.
    Rows(Vec<Vec<f64>>),
    /// A flat list: one row.
    Flat(Vec<f64>),
    /// `{ file = "name.npy" }`.
    File(FileRef),
}

/// How a value is described in messages ("a string", "a list", ...).
pub(crate) fn type_name(v: &Value) -> &'static str {
    match v {
        Value::String(_) => "a string",
        Value::Number(n) if n.is_f64() => "a number",
        Value::Number(_) => "an integer",
        Value::Bool(_) => "a boolean",
        Value::Array(_) => "a list",
        Value::Object(_) => "a table",
        Value::Null => "nothing",
    }
}

/// The first entry of `list` that is not a number, as an error naming `field[k]`.
pub(crate) fn not_a_number(field: &str, list: &[Value]) -> Option<IoError> {
    list.iter().enumerate().find_map(|(k, v)| {
        (!v.is_number()).then(|| {
            IoError::spec(
                format!("{field}[{k}]"),
                format!("{field}[{k}] is {} ({v}); a number is needed", type_name(v)),
            )
        })
    })
}

/// The first key of table `t` not in `allowed`, as an error naming it and the allowed ones.
pub(crate) fn unknown_key(
    field: &str,
    t: &serde_json::Map<String, Value>,
    allowed: &[&str],
) -> Option<IoError> {
    t.keys().find(|k| !allowed.contains(&k.as_str())).map(|k| {
        IoError::spec(
            format!("{field}.{k}"),
            format!(
                "{field}: unknown key `{k}`; allowed: {}",
                allowed.join(", ")
            ),
        )
    })
}

/// Why a malformed matrix value `v` of `field` does not fit.
pub(crate) fn invalid_matrix(field: &str, v: &Value) -> IoError {
    match v {
        Value::Object(t) => {
            unknown_key(field, t, &["file"]).unwrap_or_else(|| match t.get("file") {
                None => IoError::spec(
                    field,
                    format!("{field}: a table needs `file = \"name.npy\"`"),
                ),
                Some(f) => IoError::spec(
                    format!("{field}.file"),
                    format!(
                        "{field}.file is {} ({f}); a file name (string) is needed",
                        type_name(f)
                    ),
                ),
            })
        }
        Value::Array(rows) if !rows.is_empty() && rows.iter().all(Value::is_array) => rows
            .iter()
            .enumerate()
            .find_map(|(i, r)| not_a_number(&format!("{field}[{i}]"), r.as_array()?))
            .unwrap_or_else(|| shape_error(field, v)),
        Value::Array(list) => not_a_number(field, list).unwrap_or_else(|| shape_error(field, v)),
        other => IoError::spec(
            field,
            format!(
                "{field} is {} ({other}); give a list of rows [[..], [..]], a flat list for one \
                 user type, or {{ file = \"name.npy\" }}",
                type_name(other)
            ),
        ),
    }
}

fn shape_error(field: &str, v: &Value) -> IoError {
    IoError::spec(
        field,
        format!(
            "{field} = {v}: give a list of rows [[..], [..]], a flat list for one user type, or \
             {{ file = \"name.npy\" }}"
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn shapes_deserialize_from_json_and_toml() {
        let m: MatrixSpec = serde_json::from_value(json!([[1, 0.5], [0.2, 0.3]])).unwrap();
        assert_eq!(m, MatrixSpec::Rows(vec![vec![1.0, 0.5], vec![0.2, 0.3]]));
        let t: std::collections::BTreeMap<String, MatrixSpec> =
            toml::from_str("v = { file = \"v.npy\" }\nw = [1, 2]").unwrap();
        assert_eq!(
            t["v"],
            MatrixSpec::File(FileRef {
                file: "v.npy".into()
            })
        );
        assert_eq!(t["w"], MatrixSpec::Flat(vec![1.0, 2.0]));
        let p: Checked<PerType> = serde_json::from_value(json!("high")).unwrap();
        assert!(matches!(p, Checked::Invalid(Value::String(_))));
    }

    #[test]
    fn malformed_matrices_name_the_entry() {
        let e = invalid_matrix("quality", &json!([[1, "x"]])).to_string();
        assert!(e.contains("quality[0][1] is a string"), "{e}");
        let e = invalid_matrix("quality", &json!({ "fil": "q.npy" })).to_string();
        assert!(e.contains("unknown key `fil`; allowed: file"), "{e}");
    }
}
