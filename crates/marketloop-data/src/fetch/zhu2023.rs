//! The authors' inputs behind the published Figure 2 of Zhu, Cheung & Xie (their SVD and
//! k-means run on MovieLens-100K, 100 user types): `appeals.npy`, `qualities.npy` (100 x 1682),
//! the homogeneous pair `appeals_homo.npy`, `qualities_homo.npy` (1 x 1682) and the groups as
//! `groups_100.json` (lists of 0-based user indices). They live in the authors' public
//! repository [`ZHU2023_REPOSITORY`] at commit [`ZHU2023_COMMIT`] (the groups as a Python
//! pickle, converted to JSON); marketloop installs them into its cache from a local copy
//! ([`install_zhu2023_inputs`]), checking every file against the SHA-256 recorded here, and
//! never ships them.

use crate::error::DataError;
use crate::movielens::sha256_hex;
use std::path::{Path, PathBuf};

/// The authors' repository.
pub const ZHU2023_REPOSITORY: &str =
    "https://github.com/haiqingzhu543/Stability-and-Efficiency-of-Personalised-Cultural-Markets";

/// The commit of [`ZHU2023_REPOSITORY`] the files come from.
pub const ZHU2023_COMMIT: &str = "2772ea3";

/// The cache subfolder the files are installed into.
pub const ZHU2023_DIR: &str = "zhu2023-inputs";

/// The five files and their SHA-256 (hex).
pub const ZHU2023_FILES: [(&str, &str); 5] = [
    (
        "appeals.npy",
        "755f3d841b8da6ad2810b9422cae01b68ec7511b0a725561fe5abb8d913c64c8",
    ),
    (
        "qualities.npy",
        "2f1ab4d64030b0b87256fc8bafd514c21f13779e2d2955dab8e0e8c866953cf3",
    ),
    (
        "appeals_homo.npy",
        "00a452ebfdbbda553721ab585dbbc9b4a65efdc5aa43253ceba764a1fa2c2d3f",
    ),
    (
        "qualities_homo.npy",
        "b66c812665c25fdb8f8bc8957efa4d0593a847aaffcff47af7194705aa9ef06d",
    ),
    (
        "groups_100.json",
        "ec215127ea73b5e20d06a951cf0197f2be329d413c62f6d38132a0ffda6b2975",
    ),
];

/// How to get the files, for error messages.
pub fn zhu2023_hint() -> String {
    format!(
        "install the authors' inputs with `marketloop data fetch zhu2023-inputs --from DIR`, DIR \
         holding {} (from {ZHU2023_REPOSITORY}, commit {ZHU2023_COMMIT}; the groups pickle \
         converted to JSON lists of 0-based user indices)",
        ZHU2023_FILES.map(|(n, _)| n).join(", ")
    )
}

/// The folder of the installed files in `cache_dir`, if all five are there.
pub fn zhu2023_installed(cache_dir: &Path) -> Option<PathBuf> {
    let dir = cache_dir.join(ZHU2023_DIR);
    ZHU2023_FILES
        .iter()
        .all(|(name, _)| dir.join(name).is_file())
        .then_some(dir)
}

/// Copies the five files from `from` into `cache_dir/zhu2023-inputs/`, each checked against its
/// SHA-256 before anything is written (a wrong or missing file is an error naming it, and
/// installs nothing). Files already installed are checked again and kept. Returns the folder.
pub fn install_zhu2023_inputs(from: &Path, cache_dir: &Path) -> Result<PathBuf, DataError> {
    let mut files = Vec::with_capacity(ZHU2023_FILES.len());
    for (name, expected) in ZHU2023_FILES {
        let path = from.join(name);
        let bytes = std::fs::read(&path).map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                DataError::Missing {
                    path: path.clone(),
                    message: format!("not found; {}", zhu2023_hint()),
                }
            } else {
                DataError::io(&path, e)
            }
        })?;
        let found = sha256_hex(&bytes);
        if found != expected {
            return Err(DataError::Fetch(format!(
                "{}: SHA-256 {found} differs from the expected {expected}: not the authors' \
                 {name} ({ZHU2023_REPOSITORY}, commit {ZHU2023_COMMIT})",
                path.display()
            )));
        }
        files.push((name, bytes));
    }
    let dir = cache_dir.join(ZHU2023_DIR);
    std::fs::create_dir_all(&dir).map_err(|e| DataError::io(&dir, e))?;
    for (name, bytes) in files {
        let path = dir.join(name);
        let tmp = dir.join(format!(".{name}.partial"));
        std::fs::write(&tmp, &bytes).map_err(|e| DataError::io(&tmp, e))?;
        std::fs::rename(&tmp, &path).map_err(|e| DataError::io(&path, e))?;
    }
    Ok(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tmp(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("ml-zhu-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn wrong_or_missing_files_install_nothing() {
        let from = tmp("from");
        let cache = tmp("cache");
        let e = install_zhu2023_inputs(&from, &cache)
            .unwrap_err()
            .to_string();
        assert!(e.contains("appeals.npy") && e.contains("--from DIR"), "{e}");
        for (name, _) in ZHU2023_FILES {
            std::fs::write(from.join(name), b"not the file").unwrap();
        }
        let e = install_zhu2023_inputs(&from, &cache)
            .unwrap_err()
            .to_string();
        assert!(e.contains("differs from the expected 755f3d84"), "{e}");
        assert!(zhu2023_installed(&cache).is_none());
        assert!(!cache.join(ZHU2023_DIR).exists());
        std::fs::remove_dir_all(&from).unwrap();
        std::fs::remove_dir_all(&cache).unwrap();
    }

    #[test]
    fn the_shared_copy_installs_when_present() {
        // The copy beside the repository (as in CI); skipped where it does not exist.
        let shared =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/zhu2023-inputs");
        if !shared.join("appeals.npy").is_file() {
            return;
        }
        let cache = tmp("shared");
        let dir = install_zhu2023_inputs(&shared, &cache).unwrap();
        assert_eq!(zhu2023_installed(&cache), Some(dir.clone()));
        let again = install_zhu2023_inputs(&shared, &cache).unwrap();
        assert_eq!(again, dir);
        std::fs::remove_dir_all(&cache).unwrap();
    }
}
