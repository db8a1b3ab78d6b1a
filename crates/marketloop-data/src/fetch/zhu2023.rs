//! The authors' inputs behind the published Figure 2 of Zhu, Cheung & Xie (their SVD and
//! k-means run on MovieLens-100K, 100 user types): `appeals.npy`, `qualities.npy` (100 x 1682),
//! the homogeneous pair `appeals_homo.npy`, `qualities_homo.npy` (1 x 1682) and the groups as
//! `groups_100.json` (lists of 0-based user indices). They live in the authors' public
//! repository [`ZHU2023_REPOSITORY`] at commit [`ZHU2023_COMMIT`], the groups as a Python pickle
//! named [`ZHU2023_GROUPS_PICKLE`]. marketloop downloads them ([`download_zhu2023_inputs`]) or
//! installs them from a local copy ([`install_zhu2023_inputs`]) into its cache, converts the
//! pickle to JSON with a data-only decoder (nothing in the file is ever imported or called), and
//! checks every file against the SHA-256 recorded here before anything is written. The files
//! are never shipped with marketloop.

use super::{agent, get, write_files, FetchOptions, Files};
use crate::error::DataError;
use crate::movielens::sha256_hex;
use std::path::{Path, PathBuf};

/// The authors' repository.
pub const ZHU2023_REPOSITORY: &str =
    "https://github.com/haiqingzhu543/Stability-and-Efficiency-of-Personalised-Cultural-Markets";

/// The commit of [`ZHU2023_REPOSITORY`] the files come from.
pub const ZHU2023_COMMIT: &str = "2772ea3";

/// [`ZHU2023_COMMIT`] in full.
pub const ZHU2023_COMMIT_FULL: &str = "2772ea3a94974018311851442b39445b3d0cd6c0";

/// Where the raw files of [`ZHU2023_REPOSITORY`] at [`ZHU2023_COMMIT_FULL`] are downloaded from
/// (the default of [`FetchOptions::zhu2023_url`]; a mirror holding the same files works too).
pub const ZHU2023_RAW_URL: &str = "https://raw.githubusercontent.com/haiqingzhu543/\
Stability-and-Efficiency-of-Personalised-Cultural-Markets/2772ea3a94974018311851442b39445b3d0cd6c0";

/// The cache subfolder the files are installed into.
pub const ZHU2023_DIR: &str = "zhu2023-inputs";

/// The name of the groups pickle in the authors' repository (`pickle.dump` of a list of lists of
/// 0-based user indices).
pub const ZHU2023_GROUPS_PICKLE: &str = "groups";

/// The name the groups are installed under, as JSON.
pub const ZHU2023_GROUPS_JSON: &str = "groups_100.json";

/// The five files and their SHA-256 (hex). The groups' hash is that of the JSON text
/// [`groups_json_from_pickle`] writes.
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
        ZHU2023_GROUPS_JSON,
        "ec215127ea73b5e20d06a951cf0197f2be329d413c62f6d38132a0ffda6b2975",
    ),
];

/// How to get the files, for error messages.
pub fn zhu2023_hint() -> String {
    format!(
        "install the authors' inputs with `marketloop data fetch zhu2023-inputs` (downloads them \
         from {ZHU2023_REPOSITORY}, commit {ZHU2023_COMMIT}), or with `--from DIR`, DIR holding \
         {} (the groups as their pickle `{ZHU2023_GROUPS_PICKLE}` or as JSON lists of 0-based \
         user indices)",
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

/// Converts the authors' groups pickle (a list of lists of non-negative integers, any pickle
/// protocol) to the JSON text Python's `json.dumps` writes for it (`[[392], [44, 125]]`), the
/// form [`ZHU2023_FILES`] records the hash of.
///
/// The decoder only builds data: a pickle that names a Python global (a class, a function, the
/// way a malicious pickle runs code) or holds anything but lists of integers is an error.
pub fn groups_json_from_pickle(bytes: &[u8]) -> Result<String, String> {
    let groups: Vec<Vec<u64>> = serde_pickle::from_slice(bytes, serde_pickle::DeOptions::new())
        .map_err(|e| {
            format!(
                "not a pickle of lists of non-negative integer user indices, as the authors' \
                 `{ZHU2023_GROUPS_PICKLE}` is ({e})"
            )
        })?;
    let lists: Vec<String> = groups
        .iter()
        .map(|g| {
            let ids: Vec<String> = g.iter().map(u64::to_string).collect();
            format!("[{}]", ids.join(", "))
        })
        .collect();
    Ok(format!("[{}]", lists.join(", ")))
}

/// Checks every file against its recorded SHA-256 (all before anything is written), then
/// writes them atomically into `cache_dir/zhu2023-inputs/`. `origin` says where a file came
/// from, for the error.
fn verify_and_install(
    files: Files,
    cache_dir: &Path,
    origin: impl Fn(&str) -> String,
) -> Result<PathBuf, DataError> {
    for (name, bytes) in &files {
        let expected = ZHU2023_FILES
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, h)| *h)
            .unwrap_or_default();
        let found = sha256_hex(bytes);
        if found != expected {
            return Err(DataError::Fetch(format!(
                "{}: SHA-256 {found} differs from the expected {expected}: not the authors' \
                 {name} ({ZHU2023_REPOSITORY}, commit {ZHU2023_COMMIT})",
                origin(name)
            )));
        }
    }
    let dir = cache_dir.join(ZHU2023_DIR);
    write_files(&dir, &files, ZHU2023_GROUPS_JSON)?;
    Ok(dir)
}

/// Whether every file of an installation is there with its recorded hash.
fn verified(dir: &Path) -> bool {
    ZHU2023_FILES.iter().all(|(name, expected)| {
        std::fs::read(dir.join(name)).is_ok_and(|b| sha256_hex(&b) == *expected)
    })
}

/// Copies the five files from `from` into `cache_dir/zhu2023-inputs/`, each checked against its
/// SHA-256 before anything is written (a wrong or missing file is an error naming it, and
/// installs nothing). The groups may be `groups_100.json` or the authors' pickle `groups`
/// (converted). Files already installed are checked again and kept. Returns the folder.
pub fn install_zhu2023_inputs(from: &Path, cache_dir: &Path) -> Result<PathBuf, DataError> {
    let mut files = Files::with_capacity(ZHU2023_FILES.len());
    for (name, _) in ZHU2023_FILES {
        let mut path = from.join(name);
        let pickle = from.join(ZHU2023_GROUPS_PICKLE);
        if name == ZHU2023_GROUPS_JSON && !path.is_file() && pickle.is_file() {
            path = pickle;
        }
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
        let bytes = if path.ends_with(ZHU2023_GROUPS_PICKLE) {
            groups_json_from_pickle(&bytes)
                .map_err(|e| DataError::Fetch(format!("{}: {e}", path.display())))?
                .into_bytes()
        } else {
            bytes
        };
        files.push((name.to_string(), bytes));
    }
    verify_and_install(files, cache_dir, |name| {
        let json = from.join(name);
        if name == ZHU2023_GROUPS_JSON && !json.is_file() {
            format!("{} (converted)", from.join(ZHU2023_GROUPS_PICKLE).display())
        } else {
            json.display().to_string()
        }
    })
}

/// Downloads the four matrices and the groups pickle from `opts.zhu2023_url` (by default the
/// authors' repository at [`ZHU2023_COMMIT_FULL`]), converts the pickle, checks all five against
/// their SHA-256 and installs them into `cache_dir/zhu2023-inputs/`. A verified installation is
/// reused without touching the network. Returns the folder and whether it was already there.
pub fn download_zhu2023_inputs(
    cache_dir: &Path,
    opts: &FetchOptions,
) -> Result<(PathBuf, bool), DataError> {
    let dir = cache_dir.join(ZHU2023_DIR);
    if verified(&dir) {
        return Ok((dir, true));
    }
    let agent = agent(opts);
    let base = opts.zhu2023_url.trim_end_matches('/');
    let url = |name: &str| format!("{base}/{name}");
    let failed = |e: String| {
        DataError::Fetch(format!(
            "could not download the authors' inputs: {e}\nfix: download {} and {ZHU2023_GROUPS_PICKLE} \
             from {ZHU2023_REPOSITORY} (commit {ZHU2023_COMMIT}) into a folder DIR and run \
             `marketloop data fetch zhu2023-inputs --from DIR`",
            ZHU2023_FILES[..4].iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", ")
        ))
    };
    let mut files = Files::with_capacity(ZHU2023_FILES.len());
    for (name, _) in &ZHU2023_FILES[..4] {
        files.push((name.to_string(), get(&agent, &url(name)).map_err(failed)?));
    }
    let pickle_url = url(ZHU2023_GROUPS_PICKLE);
    let pickle = get(&agent, &pickle_url).map_err(failed)?;
    let json =
        groups_json_from_pickle(&pickle).map_err(|e| failed(format!("{pickle_url}: {e}")))?;
    files.push((ZHU2023_GROUPS_JSON.to_string(), json.into_bytes()));
    let dir = verify_and_install(files, cache_dir, |name| {
        if name == ZHU2023_GROUPS_JSON {
            format!("{pickle_url} (converted)")
        } else {
            url(name)
        }
    })?;
    Ok((dir, false))
}

#[cfg(test)]
mod tests {
    use super::super::test_server::serve_with;
    use super::*;
    use std::sync::atomic::Ordering;

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
        let Some(shared) = shared_copy() else { return };
        let cache = tmp("shared");
        let dir = install_zhu2023_inputs(&shared, &cache).unwrap();
        assert_eq!(zhu2023_installed(&cache), Some(dir.clone()));
        let again = install_zhu2023_inputs(&shared, &cache).unwrap();
        assert_eq!(again, dir);
        std::fs::remove_dir_all(&cache).unwrap();
    }

    /// `pickle.dumps([[392], [44, 125, 949]], protocol=p)` from CPython 3.11, p = 0, 2, 4, 5.
    const PICKLES: [&[u8]; 4] = [
        b"(lp0\n(lp1\nI392\naa(lp2\nI44\naI125\naI949\naa.",
        b"\x80\x02]q\x00(]q\x01M\x88\x01a]q\x02(K,K}M\xb5\x03ee.",
        b"\x80\x04\x95\x16\x00\x00\x00\x00\x00\x00\x00]\x94(]\x94M\x88\x01a]\x94(K,K}M\xb5\x03ee.",
        b"\x80\x05\x95\x16\x00\x00\x00\x00\x00\x00\x00]\x94(]\x94M\x88\x01a]\x94(K,K}M\xb5\x03ee.",
    ];

    #[test]
    fn the_groups_pickle_converts_to_json_dumps_text_for_every_protocol() {
        for p in PICKLES {
            assert_eq!(
                groups_json_from_pickle(p).unwrap(),
                "[[392], [44, 125, 949]]"
            );
        }
    }

    #[test]
    fn a_pickle_that_names_a_python_global_or_holds_other_data_is_refused() {
        // `pickle.dumps(os.system, protocol=0)`: what a code-running pickle starts with.
        for bad in [
            &b"cposix\nsystem\np0\n."[..],
            b"cos\nsystem\n(S'echo pwned'\ntR.",
            b"(lp0\nF1.5\na.",
            b"(lp0\n(lp1\nI-3\naa.",
            b"not a pickle",
            b"",
        ] {
            let e = groups_json_from_pickle(bad).unwrap_err();
            assert!(e.contains("not a pickle of lists"), "{e}");
        }
    }

    fn shared_copy() -> Option<PathBuf> {
        let shared =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/zhu2023-inputs");
        shared.join("appeals.npy").is_file().then_some(shared)
    }

    /// The shared JSON groups as the authors' pickle would hold them.
    fn groups_pickle(shared: &Path) -> Vec<u8> {
        let text = std::fs::read_to_string(shared.join(ZHU2023_GROUPS_JSON)).unwrap();
        let groups: Vec<Vec<u64>> = serde_json::from_str(&text).unwrap();
        serde_pickle::to_vec(&groups, serde_pickle::SerOptions::new()).unwrap()
    }

    #[test]
    fn a_folder_with_the_authors_pickle_instead_of_json_installs() {
        let Some(shared) = shared_copy() else { return };
        let from = tmp("pickle-from");
        for (name, _) in &ZHU2023_FILES[..4] {
            std::fs::copy(shared.join(name), from.join(name)).unwrap();
        }
        std::fs::write(from.join(ZHU2023_GROUPS_PICKLE), groups_pickle(&shared)).unwrap();
        let cache = tmp("pickle-cache");
        let dir = install_zhu2023_inputs(&from, &cache).unwrap();
        assert_eq!(
            std::fs::read(dir.join(ZHU2023_GROUPS_JSON)).unwrap(),
            std::fs::read(shared.join(ZHU2023_GROUPS_JSON)).unwrap()
        );
        std::fs::remove_dir_all(&from).unwrap();
        std::fs::remove_dir_all(&cache).unwrap();
    }

    fn routes(shared: &Path, pickle: Vec<u8>) -> Vec<(String, u16, Vec<u8>)> {
        let mut r: Vec<(String, u16, Vec<u8>)> = ZHU2023_FILES[..4]
            .iter()
            .map(|(n, _)| {
                (
                    format!("/repo/{n}"),
                    200,
                    std::fs::read(shared.join(n)).unwrap(),
                )
            })
            .collect();
        r.push((format!("/repo/{ZHU2023_GROUPS_PICKLE}"), 200, pickle));
        r
    }

    fn opts(addr: &str) -> FetchOptions {
        FetchOptions {
            zhu2023_url: format!("{addr}/repo/"),
            connect_timeout: std::time::Duration::from_secs(2),
            timeout: std::time::Duration::from_secs(10),
            ..FetchOptions::default()
        }
    }

    #[test]
    fn downloads_converts_verifies_and_then_reuses_the_cache() {
        let Some(shared) = shared_copy() else { return };
        let pickle = groups_pickle(&shared);
        let (addr, hits) = serve_with(|_| routes(&shared, pickle), 10);
        let cache = tmp("download");
        let (dir, cached) = download_zhu2023_inputs(&cache, &opts(&addr)).unwrap();
        assert!(!cached);
        assert_eq!(
            hits.load(Ordering::SeqCst),
            5,
            "four matrices and the pickle"
        );
        for (name, _) in ZHU2023_FILES {
            assert_eq!(
                std::fs::read(dir.join(name)).unwrap(),
                std::fs::read(shared.join(name)).unwrap(),
                "{name}"
            );
        }
        let (again, cached) = download_zhu2023_inputs(&cache, &opts(&addr)).unwrap();
        assert_eq!((again, cached), (dir, true));
        assert_eq!(
            hits.load(Ordering::SeqCst),
            5,
            "no request for a verified cache"
        );
        std::fs::remove_dir_all(&cache).unwrap();
    }

    #[test]
    fn a_changed_download_or_a_missing_file_installs_nothing_and_says_how_to_fix() {
        let Some(shared) = shared_copy() else { return };
        let other =
            serde_pickle::to_vec(&vec![vec![1u64, 2]], serde_pickle::SerOptions::new()).unwrap();
        let (addr, _) = serve_with(|_| routes(&shared, other), 10);
        let cache = tmp("changed");
        let e = download_zhu2023_inputs(&cache, &opts(&addr))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("groups (converted)") && e.contains("differs from the expected ec215127"),
            "{e}"
        );
        assert!(!cache.join(ZHU2023_DIR).exists());

        let (addr, _) = serve_with(|_| Vec::new(), 10);
        let e = download_zhu2023_inputs(&cache, &opts(&addr))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("appeals.npy") && e.contains("404") && e.contains("--from DIR"),
            "{e}"
        );
        assert!(!cache.join(ZHU2023_DIR).exists());
    }
}
