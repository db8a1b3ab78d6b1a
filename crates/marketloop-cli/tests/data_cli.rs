//! `marketloop data ...` end to end, on a small synthetic `ml-100k/u.data` passed with `--data`
//! (no network). Tests that need the real data or the network are ignored.

use marketloop_io::matrix::{read_json_groups, read_matrix};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

mod common;
use common::{bin, tmp};

/// 45 users in 3 taste groups over 30 movies, every user rating 12 of them (ids from 1).
fn synthetic_ml100k(root: &Path) -> PathBuf {
    let dir = root.join("ml-100k");
    std::fs::create_dir_all(&dir).unwrap();
    let mut s = String::new();
    for u in 0..45usize {
        for k in 0..12usize {
            let i = (u * 7 + k) % 30;
            let likes = i % 3 == u % 3;
            let r = if likes {
                4 + (u + i) % 2
            } else {
                1 + (u + i) % 3
            };
            s.push_str(&format!(
                "{}\t{}\t{r}\t{}\n",
                u + 1,
                i + 1,
                880_000_000 + u * 100 + k
            ));
        }
    }
    std::fs::write(dir.join("u.data"), s).unwrap();
    dir
}

fn run(cmd: &mut Command) -> Output {
    let out = cmd.output().expect("run marketloop");
    eprintln!(
        "stdout:\n{}\nstderr:\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

#[test]
fn preferences_from_a_local_copy_writes_matrices_groups_and_manifest() {
    let root = tmp("ok");
    let data = synthetic_ml100k(&root);
    let out_dir = root.join("out");
    let out = run(bin()
        .args([
            "data",
            "preferences",
            "--groups",
            "3",
            "--seed",
            "5",
            "--factors",
            "8",
            "--csv",
            "-q",
        ])
        .arg("--data")
        .arg(&data)
        .arg("--out")
        .arg(&out_dir));
    assert!(out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("held-out RMSE"), "{stdout}");
    assert!(
        stdout.contains("not GroupLens's MovieLens-100K: used as given"),
        "{stdout}"
    );
    let w = read_matrix(&out_dir.join("weights.npy")).unwrap();
    let v = read_matrix(&out_dir.join("visibility.npy")).unwrap();
    let q = read_matrix(&out_dir.join("quality.npy")).unwrap();
    assert_eq!((w.rows, w.cols), (1, 3));
    assert_eq!((v.rows, v.cols), (3, 30));
    assert_eq!((q.rows, q.cols), (3, 30));
    assert!((w.data.iter().sum::<f64>() - 1.0).abs() < 1e-12);
    assert!(
        v.data
            .iter()
            .chain(&q.data)
            .all(|x| (0.2 - 1e-12..=1.0 + 1e-12).contains(x)),
        "ratings / 5"
    );
    // The CSV copies hold the same numbers.
    assert_eq!(read_matrix(&out_dir.join("visibility.csv")).unwrap(), v);
    assert_eq!(read_matrix(&out_dir.join("weights.csv")).unwrap(), w);
    // The groups partition the 45 users and match the weights.
    let groups = read_json_groups(&out_dir.join("groups.json")).unwrap();
    let mut all: Vec<usize> = groups.concat();
    all.sort_unstable();
    assert_eq!(all, (0..45).collect::<Vec<_>>());
    for (g, members) in groups.iter().enumerate() {
        assert!((w.data[g] - members.len() as f64 / 45.0).abs() < 1e-12);
    }
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out_dir.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["command"], "data preferences");
    assert_eq!(manifest["seed"], 5);
    assert_eq!(manifest["config"]["groups"], 3);
    assert_eq!(manifest["config"]["svd"]["n_factors"], 8);
    let outputs: Vec<&str> = manifest["outputs"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|x| x.as_str())
        .collect();
    for f in [
        "weights.npy",
        "visibility.npy",
        "quality.npy",
        "groups.json",
        "summary.json",
        "manifest.json",
    ] {
        assert!(outputs.contains(&f), "{f} missing from {outputs:?}");
    }
    // Same seed, same matrices.
    let again = root.join("again");
    let out = run(bin()
        .args([
            "data",
            "preferences",
            "--groups",
            "3",
            "--seed",
            "5",
            "--factors",
            "8",
            "-q",
        ])
        .arg("--data")
        .arg(&data)
        .arg("--out")
        .arg(&again));
    assert!(out.status.success());
    assert_eq!(
        std::fs::read(again.join("quality.npy")).unwrap(),
        std::fs::read(out_dir.join("quality.npy")).unwrap()
    );
    // The unseen variant writes zeros where every member rated the movie.
    let unseen = root.join("unseen");
    let out = run(bin()
        .args([
            "data",
            "preferences",
            "--groups",
            "45",
            "--variant",
            "unseen",
            "--test-fraction",
            "0",
            "--factors",
            "4",
            "-q",
        ])
        .arg("--data")
        .arg(&data)
        .arg("--out")
        .arg(&unseen));
    assert!(out.status.success());
    let v = read_matrix(&unseen.join("visibility.npy")).unwrap();
    // 45 groups of one user: each user's 12 rated movies are masked.
    assert_eq!(v.data.iter().filter(|&&x| x == 0.0).count(), 45 * 12);
    std::fs::remove_dir_all(&root).unwrap();
}

#[test]
fn malformed_lines_and_bad_arguments_fail_cleanly() {
    let root = tmp("bad");
    let data = synthetic_ml100k(&root);
    let mut text = std::fs::read_to_string(data.join("u.data")).unwrap();
    text.push_str("7\t3\tfive\t881250949\n");
    std::fs::write(data.join("u.data"), &text).unwrap();
    let out_dir = root.join("out");
    let out = run(bin()
        .args(["data", "preferences", "--groups", "3", "-q"])
        .arg("--data")
        .arg(&data)
        .arg("--out")
        .arg(&out_dir));
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("u.data:541:") && err.contains("field 3 (rating) = 'five'"),
        "{err}"
    );
    assert!(
        !out_dir.exists(),
        "bad input must not leave an output folder"
    );

    // Too few fields.
    std::fs::write(data.join("u.data"), "1\t2\t3\t4\n2\t3\n").unwrap();
    let out = run(bin()
        .args(["data", "preferences", "--groups", "1", "-q"])
        .arg("--data")
        .arg(&data)
        .arg("--out")
        .arg(&out_dir));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success()
            && err.contains("u.data:2:")
            && err.contains("4 tab-separated fields"),
        "{err}"
    );

    // Invalid parameters are refused before anything is read or written.
    let out = run(bin()
        .args(["data", "preferences", "--groups", "0", "-q"])
        .arg("--data")
        .arg(&data)
        .arg("--out")
        .arg(&out_dir));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && err.contains("groups M = 0"),
        "{err}"
    );
    let out = run(bin()
        .args([
            "data",
            "preferences",
            "--groups",
            "2",
            "--test-fraction",
            "1.5",
            "-q",
        ])
        .arg("--data")
        .arg(&data)
        .arg("--out")
        .arg(&out_dir));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && err.contains("test fraction = 1.5"),
        "{err}"
    );
    // More groups than users.
    let good = synthetic_ml100k(&root.join("good"));
    let out = run(bin()
        .args(["data", "preferences", "--groups", "46", "-q"])
        .arg("--data")
        .arg(&good)
        .arg("--out")
        .arg(&out_dir));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && err.contains("at most the number of users 45"),
        "{err}"
    );
    assert!(!out_dir.exists(), "a refused run leaves no folder");
    // A folder without u.data says what to do.
    let empty = root.join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    let out = run(bin()
        .args(["data", "preferences", "--groups", "2", "-q"])
        .arg("--data")
        .arg(&empty)
        .arg("--out")
        .arg(&out_dir));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success()
            && err.contains("u.data")
            && err.contains("data fetch movielens-100k"),
        "{err}"
    );
    assert!(!out_dir.join("manifest.json").exists());
    // An existing non-empty output folder is not overwritten.
    std::fs::create_dir_all(&out_dir).unwrap();
    std::fs::write(out_dir.join("keep.txt"), "x").unwrap();
    let out = run(bin()
        .args(["data", "preferences", "--groups", "2", "-q"])
        .arg("--data")
        .arg(&good)
        .arg("--out")
        .arg(&out_dir));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && err.contains("not empty"), "{err}");
    std::fs::remove_dir_all(&root).unwrap();
}

#[test]
#[ignore = "needs the network (PyPI) or a cached copy; writes to the default cache"]
fn fetch_movielens_and_build_the_papers_matrices() {
    let out = run(bin().args(["data", "fetch", "movielens-100k"]));
    assert!(out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("06416e597f82b7342361e41163890c81036900f418ad91315590814211dca490 OK"),
        "{stdout}"
    );
    let root = tmp("real");
    let out = run(bin()
        .args(["data", "preferences", "--groups", "100", "-q"])
        .arg("--out")
        .arg(root.join("p")));
    assert!(out.status.success());
    let v = read_matrix(&root.join("p").join("visibility.npy")).unwrap();
    assert_eq!((v.rows, v.cols), (100, 1682));
    std::fs::remove_dir_all(&root).unwrap();
}
