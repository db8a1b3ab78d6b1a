//! Groups of indices (e.g. users grouped into types) as a JSON list of lists: `[[0, 5, 9], [1, 2]]`.

use crate::atomic::write_atomic;
use crate::IoError;
use std::path::{Path, PathBuf};

/// Reads a JSON list of groups, each a list of 0-based member indices: `[[392], [44, 125], ...]`.
///
/// A member in two groups (or twice in one) is an error naming it and both groups.
pub fn read_json_groups(path: &Path) -> Result<Vec<Vec<usize>>, IoError> {
    let bytes = std::fs::read(path).map_err(|e| IoError::os(path, e))?;
    parse_json_groups(&bytes, path)
}

/// Parses a JSON list of groups (see [`read_json_groups`]); `path` names it in errors.
pub fn parse_json_groups(bytes: &[u8], path: &Path) -> Result<Vec<Vec<usize>>, IoError> {
    let groups: Vec<Vec<usize>> =
        serde_json::from_slice(bytes).map_err(|source| IoError::Json {
            path: PathBuf::from(path),
            source,
        })?;
    let mut seen = std::collections::HashMap::new();
    for (g, members) in groups.iter().enumerate() {
        for &u in members {
            if let Some(first) = seen.insert(u, g) {
                return Err(IoError::Invalid {
                    path: path.to_path_buf(),
                    message: format!(
                        "member {u} is in group {first} and again in group {g}; each member \
                         belongs to one group"
                    ),
                });
            }
        }
    }
    Ok(groups)
}

/// Writes groups as a JSON list of lists of member indices, atomically.
pub fn write_json_groups(path: &Path, groups: &[Vec<usize>]) -> Result<(), IoError> {
    let mut s = String::from("[");
    for (k, g) in groups.iter().enumerate() {
        if k > 0 {
            s.push_str(", ");
        }
        s.push('[');
        let members: Vec<String> = g.iter().map(usize::to_string).collect();
        s.push_str(&members.join(", "));
        s.push(']');
    }
    s.push_str("]\n");
    write_atomic(path, s.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::super::tests::tmp;
    use super::*;

    #[test]
    fn groups_round_trip() {
        let dir = tmp("groups");
        let p = dir.join("g.json");
        let g = vec![vec![3, 1], vec![0], vec![2, 4, 5]];
        write_json_groups(&p, &g).unwrap();
        assert_eq!(read_json_groups(&p).unwrap(), g);
        std::fs::write(&p, "[[1, -2]]").unwrap();
        assert!(read_json_groups(&p)
            .unwrap_err()
            .to_string()
            .contains("g.json"));
        let e = parse_json_groups(b"[[1, 2], [3, 2]]", &p)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("member 2 is in group 0 and again in group 1"),
            "{e}"
        );
        let e = parse_json_groups(b"[[4, 4]]", &p).unwrap_err().to_string();
        assert!(
            e.contains("member 4 is in group 0 and again in group 0"),
            "{e}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
