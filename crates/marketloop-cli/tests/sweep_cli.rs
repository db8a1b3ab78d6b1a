//! `marketloop sweep SWEEP.toml --out DIR [--resume]` end to end: a market grid gives one tidy
//! table whose every cell equals `marketloop market simulate` with the cell's seed and
//! parameters; a cell's rows do not depend on the other cells, the grid order or the thread
//! count; `--resume` after losing cells gives byte-identical results; bad input fails naming the
//! field and leaves no folder.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

mod common;
use common::{ok, run_args as run, tmp};

const MARKET: &str = r#"
weights = [0.4, 0.6]
visibility = [[0.9, 0.3, 0.6, 0.8],
              [0.2, 0.9, 0.4, 0.3]]
quality = [[0.7, 0.9, 0.4, 0.5],
           [0.6, 0.8, 0.5, 0.5]]
feedback = 0.5
initial_counts = { uniform = [2, 3] }
"#;

fn sweep_toml(grid: &str) -> String {
    format!(
        "kind = \"market\"\nruns = 3\nseed = 17\nspec_file = \"market.toml\"\n\
         [spec]\nsteps = 1500\nevery = 500\n[grid]\n{grid}\n"
    )
}

// An unquoted dotted key: TOML makes it a table, the sweep reads it back as a path.
const GRID: &str = "feedback = [0.25, 0.75]\nranking.strategy = [\"random\", \"popularity\"]\n";

fn setup(name: &str, grid: &str) -> (PathBuf, String) {
    let dir = tmp(name);
    std::fs::write(dir.join("market.toml"), MARKET).unwrap();
    // A [ranking] table must exist for the "ranking.strategy" path.
    let market = format!(
        "{MARKET}\n[ranking]\nstrategy = \"random\"\nposition_bias = [1.0, 0.6, 0.3, 0.1]\n"
    );
    std::fs::write(dir.join("market.toml"), market).unwrap();
    let sweep = dir.join("sweep.toml");
    std::fs::write(&sweep, sweep_toml(grid)).unwrap();
    (dir.clone(), sweep.to_string_lossy().into_owned())
}

/// results.csv -> rows grouped by cell label (the CSV lines after the label and seed columns).
fn cells(csv: &Path) -> BTreeMap<String, Vec<String>> {
    let text = std::fs::read_to_string(csv).unwrap();
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for line in text.lines().skip(1) {
        // The label holds ';' and '=' but no ','; it is the first column.
        let (label, rest) = line.split_once(',').unwrap();
        out.entry(label.trim_matches('"').to_string())
            .or_default()
            .push(rest.to_string());
    }
    out
}

#[test]
fn every_cell_equals_market_simulate_with_its_seed() {
    let (dir, sweep) = setup("equal", GRID);
    let out = dir.join("out");
    ok(run(&[
        "sweep",
        &sweep,
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ]));
    let text = std::fs::read_to_string(out.join("results.csv")).unwrap();
    let header: Vec<&str> = text.lines().next().unwrap().split(',').collect();
    assert_eq!(
        header,
        [
            "cell",
            "cell_seed",
            "param:feedback",
            "param:ranking.strategy",
            "run",
            "step",
            "efficiency",
            "entropy"
        ]
    );
    assert!(out.join("results.parquet").exists() && out.join("manifest.json").exists());
    let by_cell = cells(&out.join("results.csv"));
    assert_eq!(by_cell.len(), 4);
    // Cell feedback = 0.75, popularity: rerun it with `market simulate` and its own seed.
    let (label, rows) = by_cell
        .iter()
        .find(|(l, _)| l.contains("feedback=0.75") && l.contains("popularity"))
        .unwrap();
    assert_eq!(rows.len(), 3 * 3);
    let seed = rows[0].split(',').next().unwrap().to_string();
    let market = std::fs::read_to_string(dir.join("market.toml"))
        .unwrap()
        .replace("feedback = 0.5", "feedback = 0.75")
        .replace("strategy = \"random\"", "strategy = \"popularity\"");
    std::fs::write(dir.join("cell.toml"), market).unwrap();
    let sim = dir.join("sim");
    ok(run(&[
        "market",
        "simulate",
        dir.join("cell.toml").to_str().unwrap(),
        "--steps",
        "1500",
        "--every",
        "500",
        "--runs",
        "3",
        "--seed",
        &seed,
        "--out",
        sim.to_str().unwrap(),
        "--quiet",
    ]));
    let traj = std::fs::read_to_string(sim.join("trajectories.csv")).unwrap();
    let expected: Vec<String> = traj.lines().skip(1).map(str::to_string).collect();
    // Our rows: seed, feedback, strategy, then run,step,efficiency,entropy.
    let got: Vec<String> = rows
        .iter()
        .map(|r| r.splitn(4, ',').nth(3).unwrap().to_string())
        .collect();
    assert_eq!(got, expected, "cell {label}");
}

#[test]
fn cells_do_not_depend_on_other_cells_order_or_threads_and_resume_is_exact() {
    let (dir, sweep) = setup("indep", GRID);
    let full = dir.join("full");
    ok(run(&[
        "sweep",
        &sweep,
        "--out",
        full.to_str().unwrap(),
        "--quiet",
    ]));
    let a = cells(&full.join("results.csv"));

    // One cell alone, with the grid written in another order.
    let one = dir.join("one.toml");
    std::fs::write(
        &one,
        sweep_toml("\"ranking.strategy\" = [\"popularity\"]\nfeedback = [0.25]\n"),
    )
    .unwrap();
    let single = dir.join("single");
    ok(run(&[
        "sweep",
        one.to_str().unwrap(),
        "--out",
        single.to_str().unwrap(),
        "--quiet",
    ]));
    let b = cells(&single.join("results.csv"));
    assert_eq!(b.len(), 1);
    let (label, rows) = b.iter().next().unwrap();
    assert_eq!(&a[label], rows);

    // One worker thread.
    let serial = dir.join("serial");
    ok(run(&[
        "sweep",
        &sweep,
        "--out",
        serial.to_str().unwrap(),
        "--quiet",
        "--threads",
        "1",
    ]));
    let full_csv = std::fs::read(full.join("results.csv")).unwrap();
    assert_eq!(std::fs::read(serial.join("results.csv")).unwrap(), full_csv);

    // Lose two cells and the results, then resume.
    let mut stored: Vec<PathBuf> = std::fs::read_dir(full.join("cells"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    stored.sort();
    assert_eq!(stored.len(), 4);
    std::fs::remove_file(&stored[0]).unwrap();
    std::fs::remove_file(&stored[3]).unwrap();
    std::fs::remove_file(full.join("results.csv")).unwrap();
    std::fs::remove_file(full.join("manifest.json")).unwrap();
    let o = run(&["sweep", &sweep, "--out", full.to_str().unwrap(), "--quiet"]);
    assert!(
        !o.status.success(),
        "a used folder without --resume must be refused"
    );
    ok(run(&[
        "sweep",
        &sweep,
        "--out",
        full.to_str().unwrap(),
        "--quiet",
        "--resume",
    ]));
    assert_eq!(std::fs::read(full.join("results.csv")).unwrap(), full_csv);
}

#[test]
fn compete_and_equilibrium_kinds() {
    let dir = tmp("kinds");
    let compete = dir.join("compete.toml");
    std::fs::write(
        &compete,
        "kind = \"compete\"\nruns = 4\nseed = 3\n[spec]\ninstance = \"uniform\"\nk = 5\n\
         algorithms = [\"TS\", \"BG\"]\nt = 200\nt0 = 10\n[grid]\nt0 = [5, 20]\n",
    )
    .unwrap();
    let out = dir.join("c");
    ok(run(&[
        "sweep",
        compete.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ]));
    let text = std::fs::read_to_string(out.join("results.csv")).unwrap();
    assert_eq!(text.lines().count(), 1 + 2 * 4);
    assert!(text.lines().next().unwrap().contains("share_firm1"));

    std::fs::write(dir.join("market.toml"), MARKET).unwrap();
    let eq = dir.join("eq.toml");
    std::fs::write(
        &eq,
        "kind = \"market-equilibrium\"\nruns = 1\nspec_file = \"market.toml\"\n\
         [grid]\nfeedback = [0.0, 0.5, 0.9]\n",
    )
    .unwrap();
    let out = dir.join("e");
    ok(run(&[
        "sweep",
        eq.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ]));
    let text = std::fs::read_to_string(out.join("results.csv")).unwrap();
    let effs = text.lines().filter(|l| l.contains(",efficiency,")).count();
    assert_eq!(effs, 3, "{text}");
}

#[test]
fn bad_sweeps_name_the_field_and_leave_no_folder() {
    let (dir, _) = setup("bad", GRID);
    for (name, text, needle) in [
        (
            "path",
            sweep_toml("nope.deep = [1]\n"),
            "\"nope\" does not exist",
        ),
        ("empty", sweep_toml("feedback = []\n"), "no values"),
        (
            "scalar",
            sweep_toml("feedback = 0.5\n"),
            "must be a list of values",
        ),
        ("value", sweep_toml("feedback = [0.5, -1.0]\n"), "feedback"),
        (
            "kind",
            sweep_toml(GRID).replace("\"market\"", "\"markt\""),
            "kind = \"markt\"",
        ),
        (
            "key",
            sweep_toml(GRID).replacen("kind", "colour = 1\nkind", 1),
            "unknown key `colour`",
        ),
        (
            "runs",
            sweep_toml(GRID).replace("runs = 3", "runs = 0"),
            "runs = 0",
        ),
        (
            "malformed",
            "kind = \"market\"\nruns = [".to_string(),
            "malformed TOML",
        ),
    ] {
        let sweep = dir.join(format!("{name}.toml"));
        std::fs::write(&sweep, text).unwrap();
        let out = dir.join(format!("out-{name}"));
        let o = run(&[
            "sweep",
            sweep.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(!o.status.success(), "{name} should fail");
        assert!(err.contains(needle), "{name}: {err:?} lacks {needle:?}");
        assert!(!out.exists(), "{name} left a folder");
    }
}
