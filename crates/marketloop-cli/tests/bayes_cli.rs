//! End-to-end tests of `marketloop bayes`: the command writes its run folder, prints valid
//! JSON, is reproducible, runs the example specs, and bad specs fail naming the field.

use std::path::{Path, PathBuf};
use std::process::Command;

mod common;
use common::{bin, stderr, tmp};

fn write_spec(dir: &Path, text: &str) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    let p = dir.join("spec.toml");
    std::fs::write(&p, text).unwrap();
    p
}

fn json(cmd: &mut Command) -> serde_json::Value {
    let o = cmd.output().expect("the binary runs");
    assert!(o.status.success(), "{}", stderr(&o));
    serde_json::from_slice(&o.stdout).expect("valid JSON on stdout")
}

#[test]
fn bayes_runs_writes_outputs_and_is_reproducible() {
    let base = tmp("bayes");
    let spec = write_spec(
        &base,
        "seed = 5\nprior = \"heavy-tail\"\nk = 3\nalgorithms = [\"BG\", \"TS\"]\nt = 80\npaths = 3000\nband = 5.0\n",
    );
    let out = base.join("out");
    let v = json(
        bin()
            .args(["--quiet", "bayes"])
            .arg(&spec)
            .arg("--out")
            .arg(&out)
            .args(["--format", "json"]),
    );
    assert_eq!(v["takeover"]["principal"], 1, "{v}");
    assert!(v["share"].as_f64().unwrap() > 0.5);
    for f in [
        "game.csv",
        "game.parquet",
        "curves.csv",
        "summary.csv",
        "fig_choice.svg",
        "fig_bir.png",
        "report.html",
        "manifest.json",
        "run.json",
    ] {
        assert!(out.join(f).exists(), "missing {f}");
    }
    let out2 = base.join("out2");
    let v2 = json(
        bin()
            .args(["--quiet", "--threads", "1", "bayes"])
            .arg(&spec)
            .arg("--out")
            .arg(&out2)
            .args(["--format", "json"]),
    );
    assert_eq!(v["share"], v2["share"]);
    assert_eq!(
        std::fs::read(out.join("curves.csv")).unwrap(),
        std::fs::read(out2.join("curves.csv")).unwrap()
    );
    let text = bin()
        .args(["--quiet", "bayes"])
        .arg(&spec)
        .arg("--out")
        .arg(base.join("out3"))
        .output()
        .unwrap();
    assert!(text.status.success());
    assert!(String::from_utf8_lossy(&text.stdout).contains("expected share of principal 1"));
}

#[test]
fn bad_bayes_specs_name_the_field() {
    let base = tmp("bayes-bad");
    for (text, needle) in [
        ("t = 0\n", "`t` = 0"),
        ("bias = 1.5\n", "tie bias b = 1.5"),
        (
            "response = \"softmax\"\ntemperature = -1.0\n",
            "temperature = -1",
        ),
        ("k = 1\n", "K = 1"),
        (
            "prior = \"beta\"\nbeta = [[0.0, 1.0], [1.0, 1.0]]\n",
            "Beta parameter a of arm 0 = 0",
        ),
        ("colour = 3\n", "colour"),
    ] {
        let spec = write_spec(&base, text);
        let out = base.join("out");
        let o = bin()
            .args(["--quiet", "bayes"])
            .arg(&spec)
            .arg("--out")
            .arg(&out)
            .output()
            .unwrap();
        assert!(!o.status.success(), "{text}");
        assert!(stderr(&o).contains(needle), "{text}: {}", stderr(&o));
        assert!(
            !out.join("run.json").exists(),
            "nothing is written for a bad spec"
        );
    }
}

#[test]
fn the_example_specs_parse() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/bayes");
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        marketloop_io::spec::BayesSpec::from_toml(&text, &path)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    }
}

#[test]
fn reproduce_bayesian_choice_quick() {
    let out = tmp("bayes-reproduce").join("out");
    let o = bin()
        .args([
            "--quiet",
            "reproduce",
            "bayesian-choice",
            "--quick",
            "--paths",
            "2000",
            "--runs",
            "10",
            "--out",
        ])
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.contains("Theorem 4.2") && text.contains("side by side: 27 cells"),
        "{text}"
    );
    for f in [
        "theorems.csv",
        "side_by_side.csv",
        "report.html",
        "manifest.json",
    ] {
        assert!(out.join(f).exists(), "missing {f}");
    }
}
