//! Groups of indices (e.g. users grouped into types) as a JSON list of lists: `[[0, 5, 9], [1, 2]]`.

use crate::atomic::write_atomic;
use crate::IoError;
use std::path::{Path, PathBuf};

/// Reads a JSON list of groups, each a list of 0-based member indices: `[[392], [44, 125], ...]`.
pub fn read_json_groups(path: &Path) -> Result<Vec<Vec<usize>>, IoError> {
    let bytes = std::fs::read(path).map_err(|e| IoError::os(path, e))?;
    serde_json::from_slice(&bytes).map_err(|source| IoError::Json {
        path: PathBuf::from(path),
        source,
    })
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
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
