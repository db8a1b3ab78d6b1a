//! The markets' preference matrices: from MovieLens-100K through `marketloop-data`'s pipeline
//! (see [`super::movielens`]) or from the authors' own matrices (`InputKind::Zhu2023`), read
//! and checked here.

use super::config::{CulturalConfig, InputKind};
use super::movielens::movielens_preferences;
use super::Progress;
use crate::matrix::{read_json_groups, read_matrix, Matrix};
use crate::IoError;
use marketloop_data::Preferences;
use std::path::Path;

/// The preferences of every setting (homogeneous first, then each heterogeneous M in the
/// config's order) and notes on where they came from.
pub(super) struct Inputs {
    /// One per setting.
    pub preferences: Vec<Preferences>,
    /// Sources, cache use, held-out RMSE (for the report).
    pub notes: Vec<String>,
}

/// Loads (or builds) the preferences of the settings `ms` (M = 1 first) of `cfg`.
pub(super) fn load(
    cfg: &CulturalConfig,
    ms: &[usize],
    progress: &(dyn Fn(&Progress) + Sync),
) -> Result<Inputs, IoError> {
    let (preferences, notes) = match cfg.inputs {
        InputKind::Zhu2023 => {
            let dir = cfg.inputs_dir.clone().unwrap_or_default();
            zhu2023_preferences(&dir, cfg.groups[0])?
        }
        InputKind::Movielens => movielens_preferences(cfg, ms, progress)?,
    };
    Ok(Inputs { preferences, notes })
}

fn read_npy_checked(path: &Path, rows: Option<usize>) -> Result<Matrix, IoError> {
    if !path.is_file() {
        return Err(IoError::Invalid {
            path: path.to_path_buf(),
            message: "missing: the zhu2023 inputs folder must hold appeals.npy, qualities.npy, \
                      groups_M.json, appeals_homo.npy and qualities_homo.npy"
                .into(),
        });
    }
    let m = read_matrix(path)?;
    if let Some(r) = rows {
        if m.rows != r {
            return Err(IoError::Invalid {
                path: path.to_path_buf(),
                message: format!("has {} rows, expected {r}", m.rows),
            });
        }
    }
    Ok(m)
}

/// The authors' four matrices, checked against each other and against `groups`.
struct AuthorsMatrices {
    homo_visibility: Matrix,
    homo_quality: Matrix,
    visibility: Matrix,
    quality: Matrix,
}

fn read_authors_matrices(dir: &Path, groups: usize) -> Result<AuthorsMatrices, IoError> {
    let av = read_npy_checked(&dir.join("appeals_homo.npy"), Some(1))?;
    let aq = read_npy_checked(&dir.join("qualities_homo.npy"), Some(1))?;
    let hv = read_npy_checked(&dir.join("appeals.npy"), None)?;
    let hq = read_npy_checked(&dir.join("qualities.npy"), Some(hv.rows))?;
    let n = av.cols;
    for (m, name) in [
        (&aq, "qualities_homo.npy"),
        (&hv, "appeals.npy"),
        (&hq, "qualities.npy"),
    ] {
        if m.cols != n {
            return Err(IoError::Invalid {
                path: dir.join(name),
                message: format!("has {} columns (items), appeals_homo.npy has {n}", m.cols),
            });
        }
    }
    if hv.rows != groups {
        return Err(IoError::Invalid {
            path: dir.join("appeals.npy"),
            message: format!(
                "holds {} groups but groups M = {groups} was asked for; pass --groups {}",
                hv.rows, hv.rows
            ),
        });
    }
    Ok(AuthorsMatrices {
        homo_visibility: av,
        homo_quality: aq,
        visibility: hv,
        quality: hq,
    })
}

/// The members of each of the `groups` groups in `groups_M.json`; none may be empty.
fn read_authors_groups(dir: &Path, groups: usize) -> Result<Vec<Vec<usize>>, IoError> {
    let gpath = dir.join(format!("groups_{groups}.json"));
    let members = read_json_groups(&gpath)?;
    if members.len() != groups {
        return Err(IoError::Invalid {
            path: gpath,
            message: format!(
                "lists {} groups, appeals.npy has {groups} rows",
                members.len()
            ),
        });
    }
    if let Some(i) = members.iter().position(Vec::is_empty) {
        return Err(IoError::Invalid {
            path: gpath,
            message: format!("group {i} is empty: every group needs at least one user"),
        });
    }
    Ok(members)
}

/// Preferences given as they are (nothing filled or masked).
fn given(n_items: usize, weights: Vec<f64>, visibility: Matrix, quality: Matrix) -> Preferences {
    Preferences {
        n_types: weights.len(),
        n_items,
        weights,
        visibility: visibility.data,
        quality: quality.data,
        filled_visibility: 0,
        filled_quality: 0,
        masked: 0,
    }
}

/// Reads the authors' matrices: the homogeneous market and one heterogeneous one, whose type
/// weights are the groups' shares of the users.
fn zhu2023_preferences(
    dir: &Path,
    groups: usize,
) -> Result<(Vec<Preferences>, Vec<String>), IoError> {
    let m = read_authors_matrices(dir, groups)?;
    let members = read_authors_groups(dir, groups)?;
    let n = m.homo_visibility.cols;
    let users: usize = members.iter().map(Vec::len).sum();
    let weights = members
        .iter()
        .map(|g| g.len() as f64 / users as f64)
        .collect();
    let homo = given(n, vec![1.0], m.homo_visibility, m.homo_quality);
    let het = given(n, weights, m.visibility, m.quality);
    let note = format!(
        "Preferences: the authors' matrices from {} ({n} items, {groups} groups of {users} users).",
        dir.display()
    );
    Ok((vec![homo, het], vec![note]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matrix::{npy_bytes, write_json_groups};

    fn folder(name: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("ml-cultural-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn put(dir: &Path, name: &str, rows: usize, cols: usize) {
        let data = (0..rows * cols).map(|k| 0.1 + k as f64 / 100.0).collect();
        let m = Matrix::new(rows, cols, data).unwrap();
        std::fs::write(dir.join(name), npy_bytes(&m)).unwrap();
    }

    #[test]
    fn authors_inputs_weigh_types_by_group_size() {
        let dir = folder("zhu-ok");
        put(&dir, "appeals_homo.npy", 1, 4);
        put(&dir, "qualities_homo.npy", 1, 4);
        put(&dir, "appeals.npy", 2, 4);
        put(&dir, "qualities.npy", 2, 4);
        write_json_groups(&dir.join("groups_2.json"), &[vec![0], vec![1, 2, 3]]).unwrap();
        let (p, notes) = zhu2023_preferences(&dir, 2).unwrap();
        assert_eq!(p.len(), 2);
        assert_eq!((p[0].n_types, p[0].weights.clone()), (1, vec![1.0]));
        assert_eq!((p[1].n_types, p[1].weights.clone()), (2, vec![0.25, 0.75]));
        assert_eq!(p[1].visibility.len(), 8);
        assert!(notes[0].contains("2 groups of 4 users"), "{notes:?}");
        let e = zhu2023_preferences(&dir, 3).unwrap_err().to_string();
        assert!(
            e.contains("holds 2 groups") && e.contains("--groups 2"),
            "{e}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn authors_inputs_are_checked() {
        let dir = folder("zhu-bad");
        let e = zhu2023_preferences(&dir, 2).unwrap_err().to_string();
        assert!(
            e.contains("appeals_homo.npy") && e.contains("missing"),
            "{e}"
        );
        put(&dir, "appeals_homo.npy", 1, 4);
        put(&dir, "qualities_homo.npy", 1, 3);
        put(&dir, "appeals.npy", 2, 4);
        put(&dir, "qualities.npy", 2, 4);
        let e = zhu2023_preferences(&dir, 2).unwrap_err().to_string();
        assert!(
            e.contains("qualities_homo.npy") && e.contains("3 columns"),
            "{e}"
        );
        put(&dir, "qualities_homo.npy", 1, 4);
        write_json_groups(&dir.join("groups_2.json"), &[vec![0, 1], vec![]]).unwrap();
        let e = zhu2023_preferences(&dir, 2).unwrap_err().to_string();
        assert!(e.contains("group 1 is empty"), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
