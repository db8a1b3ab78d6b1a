//! `marketloop market equilibrium | simulate | dynamics` end to end on small market TOMLs:
//! every command works, matrices can come from `.npy`/`.csv` files, bad input fails with a
//! message naming the field and leaves no output folder, `--resume` after losing replicate files
//! and `--threads 1` vs `2` give byte-identical results.

use marketloop_io::matrix::{write_csv, write_npy, Matrix};
use std::path::Path;
use std::process::Output;

mod common;
use common::{ok, run_args as run, stderr, stdout, tmp};

/// Two user types, four items, q_ij = q_j (so Gamma applies), r = 0.5.
const HETERO: &str = r#"
weights = [0.4, 0.6]
visibility = [[0.9, 0.3, 0.6, 0.8],
              [0.2, 0.9, 0.4, 0.3]]
quality = [[0.7, 0.9, 0.4, 0.5],
           [0.7, 0.9, 0.4, 0.5]]
feedback = 0.5
initial_counts = { uniform = [2, 3] }
"#;

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.to_string_lossy().into_owned()
}

fn json(o: &Output) -> serde_json::Value {
    serde_json::from_str(&stdout(o)).unwrap_or_else(|e| panic!("{e}: {}", stdout(o)))
}

#[test]
fn equilibrium_table_and_json() {
    let dir = tmp("eq");
    let m = write(&dir, "m.toml", HETERO);
    let t = stdout(&ok(run(&["market", "equilibrium", &m])));
    assert!(
        t.contains("TOME of") && t.contains("Gamma") && t.contains("efficiency"),
        "{t}"
    );
    let j = json(&ok(run(&["market", "equilibrium", &m, "--format", "json"])));
    let shares: Vec<f64> = serde_json::from_value(j["shares"].clone()).unwrap();
    assert!((shares.iter().sum::<f64>() - 1.0).abs() < 1e-12);
    assert!(j["residual"].as_f64().unwrap() < 1e-10);
    assert_eq!(j["converged"], true);
    assert_eq!(j["proven_unique"], true);
    assert!(j["gamma"].as_f64().is_some(), "{j}");
    assert!(j["psi"]["not_applicable"].is_string(), "{j}");
    assert_eq!(j["nash_welfare"]["exponents"].as_array().unwrap().len(), 2);

    // homogeneous closed form: phi ∝ (v q)^(1/(1-r)) = (v q)^2 for r = 0.5
    let h = write(
        &dir,
        "h.toml",
        "visibility = [0.5, 1.0]\nquality = [0.8, 0.2]\nfeedback = 0.5\n",
    );
    let j = json(&ok(run(&["market", "equilibrium", &h, "--format", "json"])));
    let a: f64 = 0.4f64.powi(2);
    let b: f64 = 0.2f64.powi(2);
    assert!((j["shares"][0].as_f64().unwrap() - a / (a + b)).abs() < 1e-14);
    assert_eq!(j["method"], "closed_form");
    assert!(j["psi"].as_f64().is_some());
}

#[test]
fn equilibrium_regimes_are_reported_not_nan() {
    let dir = tmp("regimes");
    for (r, regime) in [
        ("1.0", "level_set"),
        ("1.5", "winner_takes_all"),
        ("0.0", "no_feedback"),
    ] {
        let m = write(
            &dir,
            "m.toml",
            &format!("visibility = [0.5, 1.0, 0.3]\nquality = [0.8, 0.6, 0.2]\nfeedback = {r}\n"),
        );
        let o = ok(run(&["market", "equilibrium", &m, "--format", "json"]));
        assert!(!stdout(&o).contains("NaN"));
        let j = json(&o);
        let got = match &j["regime"] {
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Object(o) => o.keys().next().unwrap().clone(),
            other => panic!("{other}"),
        };
        assert_eq!(got, regime, "r = {r}: {j}");
    }
}

#[test]
fn dynamics_gamma_never_decreases() {
    let dir = tmp("dyn");
    let m = write(&dir, "m.toml", HETERO);
    let t = stdout(&ok(run(&["market", "dynamics", &m, "--iterations", "5"])));
    assert!(
        t.contains("Gamma(b^t)") && t.contains("Psi: not applicable"),
        "{t}"
    );
    let j = json(&ok(run(&[
        "market",
        "dynamics",
        &m,
        "--iterations",
        "40",
        "--format",
        "json",
        "--shares",
    ])));
    let rows = j["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 41);
    let g: Vec<f64> = rows[1..]
        .iter()
        .map(|r| r["gamma"].as_f64().unwrap())
        .collect();
    for w in g.windows(2) {
        assert!(w[1] >= w[0] - 1e-12 * w[0].abs().max(1.0), "{g:?}");
    }
    // it ends at the equilibrium
    let eq = json(&ok(run(&["market", "equilibrium", &m, "--format", "json"])));
    let last = rows[40]["shares"].as_array().unwrap();
    for (a, b) in last.iter().zip(eq["shares"].as_array().unwrap()) {
        assert!((a.as_f64().unwrap() - b.as_f64().unwrap()).abs() < 1e-9);
    }
}

#[test]
fn simulate_writes_every_output() {
    let dir = tmp("sim");
    let m = write(&dir, "m.toml", HETERO);
    let out = dir.join("out");
    let o = ok(run(&[
        "--quiet",
        "market",
        "simulate",
        &m,
        "--steps",
        "3000",
        "--runs",
        "3",
        "--seed",
        "5",
        "--every",
        "1000",
        "--shares",
        "--out",
        out.to_str().unwrap(),
    ]));
    assert!(stdout(&o).contains("ns per step"), "{}", stdout(&o));
    for f in [
        "trajectories.csv",
        "trajectories.parquet",
        "summary.csv",
        "runs.csv",
        "fig_efficiency.svg",
        "fig_efficiency.png",
        "fig_entropy.svg",
        "report.html",
        "manifest.json",
        "run.json",
    ] {
        assert!(out.join(f).is_file(), "missing {f}");
    }
    let csv = std::fs::read_to_string(out.join("trajectories.csv")).unwrap();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next().unwrap(),
        "run,step,efficiency,entropy,share_0,share_1,share_2,share_3"
    );
    assert_eq!(lines.count(), 9);
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["seed"], 5);
    assert_eq!(manifest["config"]["market"]["types"], 2);
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(
        html.contains("TOME"),
        "the report compares with the equilibrium"
    );
}

#[test]
fn matrices_from_npy_and_csv_files_and_rankings() {
    let dir = tmp("files");
    write_npy(
        &dir.join("v.npy"),
        &Matrix::new(2, 4, vec![0.9, 0.3, 0.6, 0.8, 0.2, 0.9, 0.4, 0.3]).unwrap(),
    )
    .unwrap();
    write_csv(
        &dir.join("q.csv"),
        &Matrix::new(2, 4, vec![0.7, 0.9, 0.4, 0.5, 0.6, 0.8, 0.1, 0.5]).unwrap(),
    )
    .unwrap();
    std::fs::write(dir.join("groups.json"), "[[0, 1], [2, 3, 4]]").unwrap();
    let base = "weights = { groups = \"groups.json\" }\nvisibility = { file = \"v.npy\" }\nquality = { file = \"q.csv\" }\nfeedback = [0.5, 0.7]\n";
    let m = write(&dir, "m.toml", base);
    let j = json(&ok(run(&["market", "equilibrium", &m, "--format", "json"])));
    assert_eq!(j["types"], 2);
    assert_eq!(j["method"], "fixed_point");
    for (strategy, extra) in [
        ("popularity", "ties = \"random\"\n"),
        ("random", ""),
        ("quality", ""),
        ("fixed", "order = [[3, 2], [0]]\n"),
    ] {
        let m = write(
            &dir,
            "r.toml",
            &format!(
                "{base}[ranking]\nstrategy = \"{strategy}\"\nposition_bias = [0.8, 0.5]\n{extra}"
            ),
        );
        let out = dir.join(format!("out-{strategy}"));
        ok(run(&[
            "--quiet",
            "market",
            "simulate",
            &m,
            "--steps",
            "2000",
            "--runs",
            "2",
            "--out",
            out.to_str().unwrap(),
        ]));
        assert!(out.join("manifest.json").is_file());
        let eq = run(&["market", "equilibrium", &m]);
        if strategy == "random" || strategy == "popularity" {
            assert!(!eq.status.success());
            assert!(stderr(&eq).contains("ranking.strategy"), "{}", stderr(&eq));
        } else {
            assert!(eq.status.success(), "{}", stderr(&eq));
            assert!(stdout(&eq).contains("effective visibility"));
        }
    }
}

/// Each bad input: non-zero exit, a message with all `needles`, and no output folder.
fn bad(dir: &Path, toml: &str, extra: &[&str], needles: &[&str]) {
    let m = write(dir, "bad.toml", toml);
    let out = dir.join("never");
    let mut args = vec!["--quiet", "market", "simulate", &m, "--steps", "100"];
    args.extend_from_slice(extra);
    let o_str = out.to_string_lossy().into_owned();
    args.extend_from_slice(&["--out", &o_str]);
    let o = run(&args);
    assert!(!o.status.success(), "accepted: {toml}");
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    for n in needles {
        assert!(e.contains(n), "{e:?} lacks {n:?}");
    }
    assert!(!out.exists(), "an output folder was left for {toml}");
}

#[test]
fn bad_input_names_the_field_and_leaves_no_folder() {
    let dir = tmp("bad");
    let rep = |from: &str, to: &str| HETERO.replace(from, to);
    bad(
        &dir,
        &rep("[0.4, 0.6]", "[0.4, 0.5]"),
        &[],
        &["weights", "0.9", "sum to 1"],
    );
    bad(
        &dir,
        &rep("[0.4, 0.6]", "[-0.4, 1.4]"),
        &[],
        &["weights", "-0.4", "(0, 1]"],
    );
    bad(
        &dir,
        &rep(
            "[0.7, 0.9, 0.4, 0.5],\n           [0.7",
            "[0.7, 1.9, 0.4, 0.5],\n           [0.7",
        ),
        &[],
        &["quality", "1.9", "[0, 1]"],
    );
    bad(
        &dir,
        &rep("[0.9, 0.3, 0.6, 0.8]", "[0.9, nan, 0.6, 0.8]"),
        &[],
        &["visibility", "NaN", "finite"],
    );
    bad(
        &dir,
        &rep("[0.9, 0.3, 0.6, 0.8]", "[0.9, inf, 0.6, 0.8]"),
        &[],
        &["visibility", "inf", "finite"],
    );
    bad(
        &dir,
        &rep("[0.2, 0.9, 0.4, 0.3]", "[0.2, 0.9, 0.4]"),
        &[],
        &["visibility", "row 1", "3 entries"],
    );
    bad(
        &dir,
        &rep(
            "quality = [[0.7, 0.9, 0.4, 0.5],\n           [0.7, 0.9, 0.4, 0.5]]",
            "quality = [[0.7, 0.9, 0.4], [0.7, 0.9, 0.4]]",
        ),
        &[],
        &["quality", "2 x 3", "2 x 4"],
    );
    bad(
        &dir,
        "visibility = []\nquality = []\nfeedback = 0.5\n",
        &[],
        &["items", "n = 0"],
    );
    bad(
        &dir,
        &rep("{ uniform = [2, 3] }", "[1, 0, 2, 2]"),
        &[],
        &["initial_counts[1] = 0", ">= 1"],
    );
    bad(
        &dir,
        &rep("feedback = 0.5", "feedback = -0.5"),
        &[],
        &["feedback", "-0.5", "[0, 1000]"],
    );
    bad(
        &dir,
        &rep("weights = [0.4, 0.6]", "weights = [0.4, 0.6"),
        &[],
        &["malformed TOML", "line", "column"],
    );
    bad(
        &dir,
        &rep(
            "visibility = [[0.9, 0.3, 0.6, 0.8],\n              [0.2, 0.9, 0.4, 0.3]]",
            "visibility = { file = \"nope.npy\" }",
        ),
        &[],
        &["visibility", "nope.npy"],
    );
    std::fs::write(dir.join("corrupt.npy"), b"\x93NUMPY\x01\x00garbage").unwrap();
    bad(
        &dir,
        &rep(
            "visibility = [[0.9, 0.3, 0.6, 0.8],\n              [0.2, 0.9, 0.4, 0.3]]",
            "visibility = { file = \"corrupt.npy\" }",
        ),
        &[],
        &["visibility", "corrupt.npy"],
    );
    bad(&dir, HETERO, &["--runs", "0"], &["runs = 0", "at least 1"]);
    bad(&dir, HETERO, &["--every", "0"], &["every"]);
    let m = write(&dir, "ok.toml", HETERO);
    let o = run(&[
        "market",
        "simulate",
        &m,
        "--steps",
        "0",
        "--out",
        dir.join("never").to_str().unwrap(),
    ]);
    assert!(!o.status.success() && stderr(&o).contains("steps"));
    assert!(!dir.join("never").exists());
}

fn simulate_to(m: &str, out: &Path, extra: &[&str]) {
    let mut args = vec![
        "--quiet", "market", "simulate", m, "--steps", "5000", "--runs", "6", "--seed", "11",
        "--every", "500", "--out",
    ];
    let o = out.to_string_lossy().into_owned();
    args.push(&o);
    args.extend_from_slice(extra);
    ok(run(&args));
}

#[test]
fn resume_after_lost_replicates_is_byte_identical() {
    let dir = tmp("resume");
    let m = write(&dir, "m.toml", HETERO);
    let a = dir.join("a");
    let b = dir.join("b");
    simulate_to(&m, &a, &[]);
    simulate_to(&m, &b, &[]);
    // lose some finished replicates and the results, as an interrupted run would
    let reps = b.join("replicates").join("market");
    for r in [1, 4] {
        std::fs::remove_file(reps.join(format!("r{r:06}.json"))).unwrap();
    }
    std::fs::remove_file(b.join("trajectories.csv")).unwrap();
    std::fs::remove_file(b.join("manifest.json")).unwrap();
    // without --resume the folder is refused
    let o = run(&[
        "--quiet",
        "market",
        "simulate",
        &m,
        "--steps",
        "5000",
        "--runs",
        "6",
        "--seed",
        "11",
        "--every",
        "500",
        "--out",
        b.to_str().unwrap(),
    ]);
    assert!(!o.status.success() && stderr(&o).contains("--resume"));
    simulate_to(&m, &b, &["--resume"]);
    for f in ["trajectories.csv", "summary.csv", "runs.csv"] {
        assert_eq!(
            std::fs::read(a.join(f)).unwrap(),
            std::fs::read(b.join(f)).unwrap(),
            "{f} differs after --resume"
        );
    }
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(b.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["resumed_replicates"], 4);
    // a different seed cannot resume here
    let o = run(&[
        "--quiet",
        "market",
        "simulate",
        &m,
        "--steps",
        "5000",
        "--runs",
        "6",
        "--seed",
        "12",
        "--every",
        "500",
        "--out",
        b.to_str().unwrap(),
        "--resume",
    ]);
    assert!(!o.status.success() && stderr(&o).contains("seed"));
}

#[test]
fn thread_count_does_not_change_results() {
    let dir = tmp("threads");
    let m = write(
        &dir,
        "m.toml",
        &format!("{HETERO}\n[ranking]\nstrategy = \"popularity\"\nties = \"random\"\nposition_bias = [0.8, 0.5, 0.3]\n"),
    );
    let a = dir.join("t1");
    let b = dir.join("t2");
    simulate_to(&m, &a, &["--threads", "1"]);
    simulate_to(&m, &b, &["--threads", "2"]);
    assert_eq!(
        std::fs::read(a.join("trajectories.csv")).unwrap(),
        std::fs::read(b.join("trajectories.csv")).unwrap()
    );
}
