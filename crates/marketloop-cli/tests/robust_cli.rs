//! Hostile input (issue 13): every reproducer of the issue that runs through the command line
//! fails with a clear error naming the field, exit code 1 (never a panic's 101 or an abort),
//! and leaves no output folder; failed runs can be rerun without `--resume`.

use std::path::Path;
use std::process::Output;

mod common;
use common::{ok, run_args as run, stderr, tmp};

const MARKET: &str = r#"
weights = [0.4, 0.6]
visibility = [[1.0, 0.8, 0.6, 0.4, 0.2],
              [0.2, 0.4, 0.6, 0.8, 1.0]]
quality = [[0.9, 0.5, 0.6, 0.3, 0.2],
           [0.3, 0.4, 0.7, 0.6, 0.8]]
feedback = 0.5
initial_counts = 1
"#;

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.to_string_lossy().into_owned()
}

/// Exit code 1 (a clear error, not a panic or an abort), a message holding every needle.
fn refused(o: Output, needles: &[&str]) {
    let e = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{e}");
    assert!(!e.contains("panicked"), "{e}");
    for n in needles {
        assert!(e.contains(n), "{e:?} lacks {n:?}");
    }
}

#[test]
fn oversized_runs_and_steps_are_refused_before_the_folder_exists() {
    let dir = tmp("sizes");
    let m = write(&dir, "m.toml", MARKET);
    let out = dir.join("out");
    let o = out.to_str().unwrap();
    let max = u64::MAX.to_string();
    for (args, needles) in [
        (
            vec!["--steps", "1", "--runs", max.as_str()],
            vec!["runs = 18446744073709551615 is above the maximum 10000000"],
        ),
        (
            vec!["--steps", max.as_str()],
            vec!["steps = 18446744073709551615 is above the maximum"],
        ),
        (
            vec!["--steps", "1", "--runs", "4000000000000"],
            vec!["runs = 4000000000000 is above the maximum"],
        ),
        (
            vec!["--steps", "1", "--runs", "1000000000"],
            vec!["runs = 1000000000 is above the maximum"],
        ),
    ] {
        let mut all = vec!["market", "simulate", m.as_str(), "--out", o, "--quiet"];
        all.extend(args);
        refused(run(&all), &needles);
        assert!(!out.exists(), "{all:?} left {}", out.display());
    }
    // Within the maxima, the memory budget refuses a run that would not fit, naming the field.
    refused(
        run(&[
            "market",
            "simulate",
            &m,
            "--out",
            o,
            "--steps",
            "1000000",
            "--every",
            "1",
            "--shares",
            "--runs",
            "1000",
            "--memory-budget",
            "1G",
        ]),
        &[
            "runs: this run needs about",
            "above the memory budget of 1.1 GB",
        ],
    );
    assert!(!out.exists());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn oversized_compete_specs_are_refused_naming_the_field() {
    let dir = tmp("compete");
    let out = dir.join("out");
    let huge = i64::MAX;
    for (text, needle) in [
        (
            format!("k = {huge}"),
            "k = 9223372036854775807 is above the maximum",
        ),
        (
            format!("t0 = {huge}"),
            "t0 = 9223372036854775807 is above the maximum",
        ),
        (
            format!("runs = {huge}"),
            "runs = 9223372036854775807 is above the maximum",
        ),
        (
            format!("scenario = \"first-mover\"\nx = {huge}"),
            "x = 9223372036854775807 is above the maximum",
        ),
        (
            "scenario = \"first-mover\"\nx = 4294967295".into(),
            "x = 4294967295 is above the maximum",
        ),
        (
            "k = 100000000000".into(),
            "k = 100000000000 is above the maximum",
        ),
        ("t = 1000000000".into(), "above the memory budget"),
        ("window = 1000000000".into(), "above the memory budget"),
        (
            "scenario = \"first-mover\"\nx = 3000".into(),
            "field `x` = 3000 must lie in [0, 2000]",
        ),
        (
            "checkpoints = [100, 100]".into(),
            "field `checkpoints[1]` = 100 repeats `checkpoints[0]`",
        ),
    ] {
        let spec = write(&dir, "c.toml", &text);
        refused(
            run(&[
                "compete",
                &spec,
                "--out",
                out.to_str().unwrap(),
                "--quiet",
                "--memory-budget",
                "1G",
            ]),
            &[needle],
        );
        assert!(!out.exists(), "{text}");
    }
    refused(
        run(&[
            "compete",
            &write(&dir, "c.toml", "t = 10"),
            "--runs",
            &u64::MAX.to_string(),
            "--out",
            out.to_str().unwrap(),
        ]),
        &["runs = 18446744073709551615 is above the maximum"],
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn compete_takes_runs_and_seed_from_flags_or_the_spec() {
    let dir = tmp("plan");
    let spec = write(
        &dir,
        "c.toml",
        "instance = \"uniform\"\nk = 3\nt = 30\nt0 = 2\nisolation = false\nruns = 5\nseed = 9\n",
    );
    let a = dir.join("a");
    ok(run(&[
        "compete",
        &spec,
        "--out",
        a.to_str().unwrap(),
        "--quiet",
    ]));
    let b = dir.join("b");
    ok(run(&[
        "compete",
        &spec,
        "--out",
        b.to_str().unwrap(),
        "--runs",
        "5",
        "--seed",
        "9",
        "--quiet",
    ]));
    let read = |d: &Path| std::fs::read(d.join("runs.csv")).unwrap();
    assert_eq!(read(&a), read(&b));
    let c = dir.join("c");
    ok(run(&[
        "compete",
        &spec,
        "--out",
        c.to_str().unwrap(),
        "--runs",
        "3",
        "--quiet",
    ]));
    let rows = String::from_utf8(read(&c)).unwrap().lines().count();
    assert_eq!(rows, 1 + 3);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn sweeps_with_too_many_cells_or_overridden_settings_are_refused() {
    let dir = tmp("sweep");
    let out = dir.join("out");
    let grid: String = (0..64).map(|k| format!("k{k} = [0, 1]\n")).collect();
    let s = write(
        &dir,
        "s.toml",
        &format!("kind = \"compete\"\nruns = 2\n[spec]\nt = 10\n[grid]\n{grid}"),
    );
    refused(
        run(&["sweep", &s, "--out", out.to_str().unwrap()]),
        &["18446744073709551616 cells", "above the maximum"],
    );
    let grid: String = (0..30).map(|k| format!("k{k} = [0, 1]\n")).collect();
    let s = write(
        &dir,
        "s.toml",
        &format!("kind = \"compete\"\nruns = 2\n[spec]\nt = 10\n[grid]\n{grid}"),
    );
    refused(
        run(&["sweep", &s, "--out", out.to_str().unwrap()]),
        &["1073741824 cells"],
    );
    let s = write(
        &dir,
        "s.toml",
        "kind = \"compete\"\nruns = 100000000000000\n[spec]\nt = 10\n[grid]\nt0 = [1, 2]\n",
    );
    refused(
        run(&["sweep", &s, "--out", out.to_str().unwrap()]),
        &["runs = 100000000000000 is above the maximum"],
    );
    write(&dir, "c.toml", "t = 10\nruns = 50\n");
    let s = write(
        &dir,
        "s.toml",
        "kind = \"compete\"\nruns = 2\nspec_file = \"c.toml\"\n[grid]\nt0 = [1, 2]\n",
    );
    refused(
        run(&["sweep", &s, "--out", out.to_str().unwrap()]),
        &["spec.runs = 50", "the sweep's runs = 2"],
    );
    assert!(!out.exists());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn oversized_position_bias_is_refused() {
    let dir = tmp("bias");
    let out = dir.join("out");
    for bias in ["{ exponential = 1e12 }", "{ log_discount = 1e12 }"] {
        let m = write(
            &dir,
            "m.toml",
            &format!("{MARKET}\n[ranking]\nstrategy = \"popularity\"\nposition_bias = {bias}\n"),
        );
        let o = run(&[
            "market",
            "simulate",
            &m,
            "--steps",
            "10",
            "--out",
            out.to_str().unwrap(),
        ]);
        refused(o, &["position_bias"]);
        assert!(!out.exists());
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn an_interrupted_run_is_continued_by_a_plain_rerun() {
    let dir = tmp("rerun");
    let m = write(&dir, "m.toml", MARKET);
    let out = dir.join("out");
    let o = out.to_str().unwrap();
    let args = [
        "market", "simulate", &m, "--steps", "200", "--every", "50", "--runs", "3", "--out", o,
        "--quiet",
    ];
    ok(run(&args));
    let full = std::fs::read(out.join("trajectories.csv")).unwrap();
    // Simulate a kill: the manifest never written, the marker still there, a stale temporary.
    std::fs::remove_file(out.join("manifest.json")).unwrap();
    std::fs::remove_file(out.join("trajectories.csv")).unwrap();
    std::fs::write(out.join(".incomplete"), b"").unwrap();
    std::fs::write(out.join(".trajectories.csv.tmp-999999"), b"half").unwrap();
    ok(run(&args));
    assert_eq!(std::fs::read(out.join("trajectories.csv")).unwrap(), full);
    assert!(!out.join(".trajectories.csv.tmp-999999").exists());
    assert!(!out.join(".incomplete").exists());
    // A finished folder is kept: a rerun needs --resume, and a different config is refused
    // naming the differing field.
    refused(run(&args), &["pass --resume"]);
    let mut other = args.to_vec();
    other[4] = "300";
    other.push("--resume");
    refused(run(&other), &["steps: 200 vs 300"]);
    std::fs::remove_dir_all(&dir).unwrap();
}
