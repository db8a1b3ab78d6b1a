//! End-to-end tests of `marketloop arena`: the example specs run, write every output and print
//! JSON; a rerun and a resumed run give identical numbers; bad specs fail naming the field before
//! anything is written.

use std::path::{Path, PathBuf};

mod common;
use common::{ok, run_args, stderr, stdout, tmp};

fn example(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/arena")
        .join(name)
}

fn arena(spec: &Path, out: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec![
        "--quiet".to_string(),
        "arena".into(),
        spec.display().to_string(),
        "--out".into(),
        out.display().to_string(),
    ];
    args.extend(extra.iter().map(|s| s.to_string()));
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    run_args(&refs)
}

#[test]
fn the_example_runs_writes_its_folder_and_reruns_identically() {
    let base = tmp("example");
    let out = base.join("a");
    let o = ok(arena(
        &example("learning-vs-oracle.toml"),
        &out,
        &["--runs", "3", "--seed", "7", "--format", "json"],
    ));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON on stdout");
    assert_eq!(v["platforms"].as_array().unwrap().len(), 3);
    let shares: f64 = v["final"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["measure"] == "share")
        .map(|r| r["mean"].as_f64().unwrap())
        .sum();
    assert!((shares - 1.0).abs() < 1e-9, "{shares}");
    for f in [
        "trajectories.csv",
        "trajectories.parquet",
        "summary.csv",
        "type_shares.csv",
        "fig_shares.svg",
        "fig_type_shares.svg",
        "fig_efficiency_entropy.png",
        "report.html",
        "manifest.json",
        "run.json",
    ] {
        assert!(out.join(f).exists(), "missing {f}");
    }
    let b = base.join("b");
    ok(arena(
        &example("learning-vs-oracle.toml"),
        &b,
        &["--runs", "3", "--seed", "7", "--threads", "1"],
    ));
    let read = |d: &Path| std::fs::read(d.join("trajectories.csv")).unwrap();
    assert_eq!(
        read(&out),
        read(&b),
        "same seed, same numbers, any thread count"
    );
    // an interrupted run: resume reuses the saved replicates and gives the same table
    std::fs::remove_file(b.join("manifest.json")).unwrap();
    std::fs::remove_file(b.join("trajectories.csv")).unwrap();
    let o = ok(arena(
        &example("learning-vs-oracle.toml"),
        &b,
        &["--runs", "3", "--seed", "7", "--resume"],
    ));
    assert!(stdout(&o).contains("share"));
    assert_eq!(read(&out), read(&b));
}

#[test]
fn the_bandit_game_example_runs() {
    let base = tmp("game");
    let o = ok(arena(
        &example("bandit-game.toml"),
        &base.join("g"),
        &["--runs", "20", "--seed", "1"],
    ));
    let text = stdout(&o);
    assert!(text.contains("TS") && text.contains("BG"), "{text}");
}

#[test]
fn bad_specs_fail_naming_the_field_before_writing() {
    let base = tmp("bad");
    let good = std::fs::read_to_string(example("bandit-game.toml")).unwrap();
    for (from, to, field) in [
        ("window = 100", "window = 0", "window"),
        (
            "warm_start = 20\n\n[[platforms]]",
            "entry = 5000\n\n[[platforms]]",
            "platforms[0].entry",
        ),
        (
            "ranking = \"greedy\"",
            "ranking = \"greedy\"\nprior = [0, 1]",
            "platforms[1].ranking.alpha",
        ),
        ("steps = 2000", "steps = 2000\ncolour = 1", "colour"),
    ] {
        let text = good.replacen(from, to, 1);
        assert_ne!(text, good, "{from}");
        let spec = base.join("spec.toml");
        std::fs::write(&spec, text).unwrap();
        let out = base.join("out");
        let o = arena(&spec, &out, &["--runs", "2"]);
        assert!(!o.status.success());
        let err = stderr(&o);
        assert!(err.contains(field), "{field}: {err}");
        assert!(!out.exists(), "nothing written for a bad spec");
    }
    // P = 0
    let spec = base.join("none.toml");
    std::fs::write(&spec, good.split("[[platforms]]").next().unwrap()).unwrap();
    let o = arena(&spec, &base.join("out"), &[]);
    assert!(stderr(&o).contains("platforms"), "{}", stderr(&o));
}
