//! End-to-end tests of `marketloop compete` and `marketloop reproduce competing-bandits` on
//! small N: the commands work, `--format json` prints valid JSON, bad specs fail naming the
//! field, and a run is reproducible.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

mod common;
use common::{bin, stderr, tmp};

fn run(cmd: &mut Command) -> Output {
    cmd.output().expect("the binary runs")
}

fn write_spec(dir: &Path, text: &str) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    let p = dir.join("spec.toml");
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn compete_runs_writes_outputs_and_prints_json() {
    let base = tmp("compete");
    let spec = write_spec(
        &base,
        "seed = 5\nruns = 30\ninstance = \"needle-in-haystack\"\nalgorithms = [\"TS\", \"BG\"]\nt = 300\nt0 = 20\ncheckpoints = [100]\n",
    );
    let out_dir = base.join("out");
    let o = run(bin()
        .args(["--quiet", "compete"])
        .arg(&spec)
        .arg("--out")
        .arg(&out_dir)
        .args(["--format", "json"]));
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("valid JSON on stdout");
    let firms = v["firms"].as_array().unwrap();
    assert_eq!(firms.len(), 2);
    let total: f64 = firms
        .iter()
        .map(|f| f["share_mean"].as_f64().unwrap())
        .sum();
    assert!((total - 1.0).abs() < 1e-9, "{total}");
    for f in [
        "runs.csv",
        "runs.parquet",
        "summary_firms.csv",
        "checkpoints.csv",
        "isolation.csv",
        "report.html",
        "manifest.json",
        "fig_isolation_relative.svg",
    ] {
        assert!(out_dir.join(f).exists(), "missing {f}");
    }
    // Same spec, same numbers: a second run into another folder is identical.
    let out2 = base.join("out2");
    let o2 = run(bin()
        .args(["--quiet", "--threads", "1", "compete"])
        .arg(&spec)
        .arg("--out")
        .arg(&out2)
        .args(["--format", "json"]));
    assert!(o2.status.success(), "{}", stderr(&o2));
    assert_eq!(
        std::fs::read(out_dir.join("runs.csv")).unwrap(),
        std::fs::read(out2.join("runs.csv")).unwrap()
    );
    // Resume into a finished folder reuses every run and gives the same table.
    let o3 = run(bin()
        .args(["--quiet", "compete"])
        .arg(&spec)
        .arg("--out")
        .arg(&out_dir)
        .args(["--resume", "--format", "json"]));
    assert!(o3.status.success(), "{}", stderr(&o3));
    let v3: serde_json::Value = serde_json::from_slice(&o3.stdout).unwrap();
    assert_eq!(v3["resumed_runs"], 30);
    assert_eq!(v3["firms"], v["firms"]);
    std::fs::remove_dir_all(&base).unwrap();
}

#[test]
fn bad_specs_fail_naming_the_field() {
    let base = tmp("bad");
    let cases = [
        ("algorithms = [\"TS\", \"Greedy9\"]", "algorithms[1]"),
        ("k = 0", "field `k` = 0"),
        (
            "algorithms = [\"BEG(eps=1.5)\", \"BG\"]",
            "epsilon of BayesEpsilonGreedy = 1.5",
        ),
        ("t0 = 0", "field `t0` = 0"),
        ("window = 0", "field `window` = 0"),
        ("scenario = \"first-mover\"\nx = -3", "field `x` = -3"),
        (
            "instance = \"means\"\nmeans = [0.3, 1.4]",
            "mean of arm 1 = 1.4",
        ),
        (
            "response = \"hardmax-random\"\neps = -0.5",
            "epsilon of HardMax&Random = -0.5",
        ),
    ];
    for (i, (text, want)) in cases.iter().enumerate() {
        let spec = write_spec(&base.join(format!("c{i}")), text);
        let out_dir = base.join(format!("out{i}"));
        let o = run(bin()
            .args(["--quiet", "compete"])
            .arg(&spec)
            .arg("--out")
            .arg(&out_dir));
        assert_eq!(o.status.code(), Some(1), "{text}");
        let e = stderr(&o);
        assert!(e.contains(want), "{text}: {e}");
        assert!(
            !out_dir.exists(),
            "bad input must not leave an output folder"
        );
    }
    std::fs::remove_dir_all(&base).unwrap();
}

#[test]
fn reproduce_small_n_prints_json_tables() {
    let base = tmp("reproduce");
    let out_dir = base.join("out");
    let o = run(bin()
        .args([
            "--quiet",
            "reproduce",
            "competing-bandits",
            "--tables",
            "1,2,3,7",
            "--runs",
            "20",
            "--format",
            "json",
            "--out",
        ])
        .arg(&out_dir));
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("valid JSON on stdout");
    let tables = v["tables"].as_array().unwrap();
    let numbers: Vec<&str> = tables
        .iter()
        .map(|t| t["number"].as_str().unwrap())
        .collect();
    assert_eq!(numbers, ["1", "3", "2", "7"]);
    // Table 1 is labelled as in the spec.
    let t1 = &tables[0]["rows"];
    assert_eq!(t1[0]["pair"], "TS vs BG");
    assert!(t1[2]["U 500"].as_str().unwrap().contains('±'));
    for f in [
        "table1_simultaneous_entry.csv",
        "table1_simultaneous_entry.md",
        "table1_simultaneous_entry_long.parquet",
        "table2_first_mover_ht_x200.json",
        "report.html",
        "manifest.json",
    ] {
        assert!(out_dir.join(f).exists(), "missing {f}");
    }
    let html = std::fs::read_to_string(out_dir.join("report.html")).unwrap();
    assert!(html.contains("Table index") && html.contains("pure Nash equilibria"));
    // Bad selections are refused before anything is written.
    let bad = base.join("bad");
    let o = run(bin()
        .args([
            "--quiet",
            "reproduce",
            "competing-bandits",
            "--tables",
            "1,12",
            "--out",
        ])
        .arg(&bad));
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("--tables"), "{}", stderr(&o));
    assert!(!bad.exists());
    std::fs::remove_dir_all(&base).unwrap();
}

fn files_with_ext(dir: &Path, exts: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| exts.iter().any(|x| n.ends_with(x)))
        .collect();
    v.sort();
    v
}

#[test]
fn reproduce_resume_after_losing_pieces_gives_byte_identical_tables() {
    let base = tmp("resume");
    let full = base.join("full");
    let args = [
        "--quiet",
        "reproduce",
        "competing-bandits",
        "--tables",
        "1,5,figures",
        "--runs",
        "12",
        "--format",
        "json",
        "--out",
    ];
    let o = run(bin().args(args).arg(&full));
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    // 3 instances x (table 1, table 5, isolation).
    assert_eq!(v["simulated_pieces"], 9);
    assert_eq!(v["resumed_pieces"], 0);

    // An "interrupted" copy: some pieces and every final output are missing.
    let cut = base.join("cut");
    let o = run(bin().args(["--threads", "1"]).args(args).arg(&cut));
    assert!(o.status.success(), "{}", stderr(&o));
    let pieces = cut.join("replicates");
    for lost in ["simultaneous-k10-t2000-NiH", "advantage-HT", "isolation-U"] {
        assert!(pieces.join(lost).is_dir(), "piece {lost} was saved");
        std::fs::remove_dir_all(pieces.join(lost)).unwrap();
    }
    for f in files_with_ext(
        &cut,
        &[".csv", ".parquet", ".md", ".json", ".svg", ".png", ".html"],
    ) {
        if f != "run.json" {
            std::fs::remove_file(cut.join(f)).unwrap();
        }
    }
    // Without --resume the folder is refused.
    let o = run(bin().args(args).arg(&cut));
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("--resume"), "{}", stderr(&o));
    let o = run(bin().args(args).arg(&cut).arg("--resume"));
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["simulated_pieces"], 3);
    assert_eq!(v["resumed_pieces"], 6);
    let tables = files_with_ext(&full, &[".csv", ".parquet", ".md"]);
    assert!(tables.len() >= 12, "{tables:?}");
    assert_eq!(tables, files_with_ext(&cut, &[".csv", ".parquet", ".md"]));
    for f in tables.iter().chain(&[
        "table1_simultaneous_entry.json".to_string(),
        "table5_data_vs_reputation.json".to_string(),
    ]) {
        assert_eq!(
            std::fs::read(full.join(f)).unwrap(),
            std::fs::read(cut.join(f)).unwrap(),
            "{f} differs after resume"
        );
    }
    // A different config cannot resume this folder.
    let o = run(bin()
        .args([
            "--quiet",
            "reproduce",
            "competing-bandits",
            "--tables",
            "1",
            "--runs",
            "12",
        ])
        .arg("--out")
        .arg(&cut)
        .arg("--resume"));
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("different run"), "{}", stderr(&o));
    std::fs::remove_dir_all(&base).unwrap();
}

#[test]
fn gaussian_compete_is_identical_for_any_thread_count_and_after_resume() {
    let base = tmp("compete-gaussian");
    let spec = write_spec(
        &base,
        "seed = 9\nruns = 24\ninstance = \"means\"\nmeans = [-0.5, 0.5, 1.5]\nalgorithms = [\"GTS\", \"UCB1\"]\nt = 300\nt0 = 10\nrewards = { gaussian = { sigma = 1.0 } }\n",
    );
    let go = |threads: &str, out: &Path, resume: bool| -> serde_json::Value {
        let mut cmd = bin();
        cmd.args(["--quiet", "--threads", threads, "compete"])
            .arg(&spec)
            .arg("--out")
            .arg(out)
            .args(["--format", "json"]);
        if resume {
            cmd.arg("--resume");
        }
        let o = run(&mut cmd);
        assert!(o.status.success(), "{}", stderr(&o));
        serde_json::from_slice(&o.stdout).unwrap()
    };
    let (one, two) = (base.join("t1"), base.join("t2"));
    go("1", &one, false);
    go("2", &two, false);
    for f in ["runs.csv", "isolation.csv", "summary_firms.csv"] {
        assert_eq!(
            std::fs::read(one.join(f)).unwrap(),
            std::fs::read(two.join(f)).unwrap(),
            "{f}"
        );
    }
    // The resolved config in the manifest records the reward model.
    let manifest = std::fs::read_to_string(one.join("manifest.json")).unwrap();
    assert!(manifest.contains("\"gaussian\""), "{manifest}");
    // Lose some runs and every table: resuming recomputes them to the same bytes.
    let reps = one.join("replicates");
    let mut lost = 0;
    for entry in walk(&reps) {
        if lost < 7 && entry.extension().is_some_and(|e| e == "json") {
            std::fs::remove_file(&entry).unwrap();
            lost += 1;
        }
    }
    assert_eq!(lost, 7, "replicates saved under {}", reps.display());
    let copy = std::fs::read(two.join("runs.csv")).unwrap();
    std::fs::remove_file(one.join("runs.csv")).unwrap();
    let v = go("2", &one, true);
    assert_eq!(v["resumed_runs"], 24 - 7);
    assert_eq!(std::fs::read(one.join("runs.csv")).unwrap(), copy);
    std::fs::remove_dir_all(&base).unwrap();
}

/// Every file below `dir`, sorted.
fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                todo.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}
