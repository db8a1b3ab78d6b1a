//! `marketloop reproduce cultural-market` end to end on a tiny synthetic MovieLens folder:
//! every output file, byte-identical resume, the unseen variant, and bad flags.

use std::path::Path;

mod common;
use common::{fake_movielens, run_args as run_cli, tmp};

fn tiny_args<'a>(data: &'a str, cache: &'a str, out: &'a str) -> Vec<&'a str> {
    vec![
        "--quiet",
        "reproduce",
        "cultural-market",
        "--groups",
        "3",
        "--runs",
        "4",
        "--steps",
        "3000",
        "--every",
        "500",
        "--data",
        data,
        "--cache",
        cache,
        "--out",
        out,
    ]
}

const FILES: [&str; 17] = [
    "trajectories.csv",
    "trajectories.parquet",
    "replicates.csv",
    "replicates.parquet",
    "summary.csv",
    "summary.parquet",
    "efficiency_vs_entropy.csv",
    "efficiency_vs_entropy.parquet",
    "published_comparison.csv",
    "published_comparison.parquet",
    "efficiency_over_time_M3.svg",
    "efficiency_over_time_M3.png",
    "efficiency_vs_entropy_M3.svg",
    "efficiency_vs_entropy_M3.png",
    "report.html",
    "manifest.json",
    "run.json",
];

const CSVS: [&str; 5] = [
    "trajectories.csv",
    "replicates.csv",
    "summary.csv",
    "efficiency_vs_entropy.csv",
    "published_comparison.csv",
];

#[test]
fn tiny_run_writes_every_file_and_resume_is_byte_identical() {
    let root = tmp("files");
    let data = fake_movielens(&root);
    let cache = root.join("cache");
    let out = root.join("out");
    let (d, c, o) = (
        data.to_str().unwrap(),
        cache.to_str().unwrap(),
        out.to_str().unwrap(),
    );
    let r = run_cli(&tiny_args(d, c, o));
    let stdout = String::from_utf8_lossy(&r.stdout);
    assert!(
        r.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&r.stderr)
    );
    for f in FILES {
        let p = out.join(f);
        assert!(
            p.is_file() && std::fs::metadata(&p).unwrap().len() > 0,
            "missing {f}"
        );
    }
    assert!(
        stdout.contains("popularity") && stdout.contains("ns/step"),
        "{stdout}"
    );
    let report = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(
        report.contains("Quality ranking is the most efficient"),
        "report lacks findings"
    );
    assert!(
        report.contains("Not comparable"),
        "quick-scale note missing"
    );
    let before: Vec<Vec<u8>> = CSVS
        .iter()
        .map(|f| std::fs::read(out.join(f)).unwrap())
        .collect();
    let traj = String::from_utf8(before[0].clone()).unwrap();
    assert_eq!(
        traj.lines().count(),
        1 + 6 * 4 * 6,
        "header + 6 arms x 4 runs x 6 measurements"
    );
    assert!(!traj.contains("NaN") && !traj.contains("inf"));
    // The preferences are cached: one file per M (homogeneous and M = 3).
    let cached = std::fs::read_dir(cache.join("cultural-preferences"))
        .unwrap()
        .count();
    assert_eq!(cached, 2);

    // Without --resume the folder is refused.
    let r = run_cli(&tiny_args(d, c, o));
    assert!(!r.status.success());
    assert!(String::from_utf8_lossy(&r.stderr).contains("--resume"));

    // Delete some replicates and the results; resume recomputes exactly those.
    std::fs::remove_file(out.join("replicates/M3-popularity/r000001.json")).unwrap();
    std::fs::remove_file(out.join("replicates/M1-random/r000000.json")).unwrap();
    std::fs::remove_file(out.join("trajectories.csv")).unwrap();
    std::fs::remove_file(out.join("manifest.json")).unwrap();
    let mut args = tiny_args(d, c, o);
    args.push("--resume");
    let r = run_cli(&args);
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["resumed_replicates"], 6 * 4 - 2);
    for (f, b) in CSVS.iter().zip(&before) {
        assert_eq!(
            &std::fs::read(out.join(f)).unwrap(),
            b,
            "{f} differs after resume"
        );
    }

    // Same seed, fresh folder, cached preferences: identical tables again.
    let out2 = root.join("out2");
    let r = run_cli(&tiny_args(d, c, out2.to_str().unwrap()));
    assert!(r.status.success());
    for (f, b) in CSVS.iter().zip(&before) {
        assert_eq!(
            &std::fs::read(out2.join(f)).unwrap(),
            b,
            "{f} differs on a cached rerun"
        );
    }
    std::fs::remove_dir_all(&root).unwrap();
}

#[test]
fn unseen_variant_runs_without_nan() {
    let root = tmp("unseen");
    let data = fake_movielens(&root);
    let cache = root.join("cache");
    let out = root.join("out");
    let (d, c, o) = (
        data.to_str().unwrap(),
        cache.to_str().unwrap(),
        out.to_str().unwrap(),
    );
    let mut args = tiny_args(d, c, o);
    args.extend(["--variant", "unseen", "--groups", "8"]);
    let r = run_cli(&args);
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    for f in CSVS {
        let text = std::fs::read_to_string(out.join(f)).unwrap();
        assert!(!text.contains("NaN") && !text.contains("inf"), "{f}");
    }
    assert!(out.join("efficiency_over_time_M8_unseen.svg").is_file());
    std::fs::remove_dir_all(&root).unwrap();
}

#[test]
fn bad_flags_fail_with_a_clear_message() {
    let root = tmp("bad");
    let out = root.join("out");
    let o = out.to_str().unwrap();
    let r = run_cli(&[
        "reproduce",
        "cultural-market",
        "--scale",
        "huge",
        "--out",
        o,
    ]);
    assert_eq!(r.status.code(), Some(2));
    let e = String::from_utf8_lossy(&r.stderr);
    assert!(e.contains("huge") && e.contains("quick"), "{e}");
    // The tie rule is parsed by the core's own names (no mirror enum in the CLI).
    let r = run_cli(&[
        "reproduce",
        "cultural-market",
        "--ties",
        "lowest",
        "--out",
        o,
    ]);
    assert_eq!(r.status.code(), Some(2));
    let e = String::from_utf8_lossy(&r.stderr);
    for name in marketloop_core::market::TieRule::NAMES {
        assert!(e.contains(name), "{name} missing from: {e}");
    }
    let r = run_cli(&["reproduce", "cultural-market", "--groups", "0", "--out", o]);
    assert_eq!(r.status.code(), Some(1));
    let e = String::from_utf8_lossy(&r.stderr);
    assert!(e.contains("groups M = 0 must be at least 2"), "{e}");
    let r = run_cli(&["reproduce", "cultural-market", "--every", "0", "--out", o]);
    assert!(String::from_utf8_lossy(&r.stderr).contains("every = 0"));
    let r = run_cli(&[
        "reproduce",
        "cultural-market",
        "--inputs",
        "zhu2023",
        "--inputs-dir",
        root.join("nowhere").to_str().unwrap(),
        "--out",
        o,
    ]);
    assert_eq!(r.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&r.stderr).contains("appeals_homo.npy"));
    assert!(!out.exists(), "bad input must not leave an output folder");
    std::fs::remove_dir_all(&root).unwrap();
}

/// The real thing at quick scale with the authors' inputs (needs ../shared/data/zhu2023-inputs).
#[test]
#[ignore]
fn quick_scale_with_the_authors_inputs() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/zhu2023-inputs");
    let root = tmp("zhu");
    let out = root.join("out");
    let r = run_cli(&[
        "--quiet",
        "reproduce",
        "cultural-market",
        "--inputs",
        "zhu2023",
        "--inputs-dir",
        dir.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let s = String::from_utf8_lossy(&r.stdout);
    assert!(s.matches("[holds]").count() >= 5, "{s}");
    std::fs::remove_dir_all(&root).unwrap();
}
