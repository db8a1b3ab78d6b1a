//! `--protocol paper|authors-code` on both reproductions: the switch sets the authors' code's
//! conventions (needle at arm 5 and shared warm-start rows; NumPy's tie order for tied shares
//! and tied qualities), each option still overrides it, the manifest records what ran and the
//! report says so; the paper protocol's numbers are those of the individual defaults.

use std::path::Path;

mod common;
use common::{ok, run_args, stderr, tmp};

fn manifest_config(dir: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(dir.join("manifest.json")).unwrap();
    let m: serde_json::Value = serde_json::from_str(&text).unwrap();
    m["config"].clone()
}

fn read(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name)).unwrap()
}

fn bandits(out: &Path, extra: &[&str]) {
    let mut args = vec![
        "--quiet",
        "reproduce",
        "competing-bandits",
        "--tables",
        "1,7",
        "--runs",
        "8",
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    ok(run_args(&args));
}

#[test]
fn competing_bandits_protocols() {
    let root = tmp("bandits");
    let (paper, code, mixed) = (root.join("paper"), root.join("code"), root.join("mixed"));
    bandits(&paper, &[]);
    bandits(&code, &["--protocol", "authors-code"]);
    bandits(
        &mixed,
        &["--protocol", "authors-code", "--needle", "random"],
    );
    let c = manifest_config(&paper);
    assert_eq!(
        (c["protocol"].as_str(), c["needle"].as_str()),
        (Some("paper"), Some("random"))
    );
    assert_eq!(c["warm_start_rows"], "per-firm");
    let c = manifest_config(&code);
    assert_eq!(c["protocol"], "authors-code");
    assert_eq!(c["needle"], serde_json::json!({"fixed": 5}));
    assert_eq!(c["warm_start_rows"], "shared");
    let c = manifest_config(&mixed);
    assert_eq!(
        (c["needle"].as_str(), c["warm_start_rows"].as_str()),
        (Some("random"), Some("shared"))
    );
    assert!(read(&code, "report.html").contains("Protocol: authors-code"));
    assert!(read(&paper, "report.html").contains("Protocol: paper"));
    // Shared warm-start rows change the games; the paper protocol is the defaults' run.
    let t1 = "table1_simultaneous_entry_long.csv";
    assert_ne!(read(&paper, t1), read(&code, t1));
    // Table 7 (the paper's Table 21) carries the effective end of game of every cell.
    let long = read(&paper, "table7_k3_heavy_tail_long.csv");
    assert!(
        long.starts_with("instance,t0,pair,mean,half_width,variance,eeog_mean,eeog_median"),
        "{long}"
    );
    let bad = run_args(&[
        "--quiet",
        "reproduce",
        "competing-bandits",
        "--protocol",
        "authors",
        "--out",
        root.join("bad").to_str().unwrap(),
    ]);
    assert!(!bad.status.success());
    assert!(
        stderr(&bad).contains("allowed: paper, authors-code"),
        "{}",
        stderr(&bad)
    );
    assert!(
        !root.join("bad").exists(),
        "nothing is written for a bad flag"
    );
    std::fs::remove_dir_all(&root).unwrap();
}

/// A CSV table written by the run, as rows of text fields.
fn csv_rows(dir: &Path, name: &str) -> Vec<Vec<String>> {
    use marketloop_io::{Column, Table};
    let t = Table::from_csv(&std::fs::read(dir.join(name)).unwrap()).unwrap();
    (0..t.n_rows())
        .map(|r| {
            t.columns()
                .iter()
                .map(|c| match c {
                    Column::Str(v) => v[r].clone(),
                    Column::I64(v) => v[r].to_string(),
                    Column::F64(v) => v[r].to_string(),
                })
                .collect()
        })
        .collect()
}

#[test]
fn competing_bandits_agreement_summary_is_consistent() {
    // Tables 3 and 6 at 8 runs: the paper's Tables 3, 5 and 6 are compared number by number;
    // the summary's counts add up to the cells' file, the Tables 5/6 note sits at table 6 and
    // the Table 3 note at table 3.
    let root = tmp("agreement");
    let out = root.join("code");
    ok(run_args(&[
        "--quiet",
        "reproduce",
        "competing-bandits",
        "--tables",
        "3,6",
        "--runs",
        "8",
        "--protocol",
        "authors-code",
        "--warm-start-rows",
        "shared-overlap",
        "--out",
        out.to_str().unwrap(),
    ]));
    let summary = csv_rows(&out, "agreement.csv");
    let cells = csv_rows(&out, "agreement_cells.csv");
    let paper_tables: Vec<&str> = summary.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(paper_tables, ["3", "5", "6"]);
    // 27 cells x (mean, median); 18 cells x (share, variance) in each of Tables 5 and 6.
    let compared: Vec<usize> = summary.iter().map(|r| r[3].parse().unwrap()).collect();
    assert_eq!(compared, [54, 36, 36]);
    for r in &summary {
        let n: Vec<usize> = r[3..7].iter().map(|x| x.parse().unwrap()).collect();
        assert_eq!(n[0], n[1] + n[2] + n[3], "{r:?}");
        let table_cells: Vec<&Vec<String>> = cells.iter().filter(|c| c[0] == r[0]).collect();
        assert_eq!(table_cells.len(), n[0]);
        let within = table_cells.iter().filter(|c| c[8] == "yes").count();
        assert_eq!(within, n[1], "{r:?}");
    }
    for c in &cells {
        let (ours, paper) = (c[5].parse::<f64>().unwrap(), c[4].parse::<f64>().unwrap());
        let (below, above) = (c[6].parse::<f64>().unwrap(), c[7].parse::<f64>().unwrap());
        let inside = ours - below <= paper && paper <= ours + above;
        assert_eq!(inside, c[8] == "yes", "{c:?}");
        assert_eq!(
            c[9].is_empty(),
            c[8] == "yes",
            "a cause exactly for the cells off: {c:?}"
        );
    }
    let report = read(&out, "report.html");
    assert!(report.contains("Agreement with the published numbers"));
    assert!(report.contains("analysis_code/non_md_tables.R"));
    // Next to table 3, the evidence on its Heavy-Tail and Needle-in-Haystack BG-vs-BEG EEOG.
    assert!(report.contains("ec19paper/content/inverted_u.tex"));
    assert!(report.contains("Table 3 has the Heavy-Tail and Needle-in-Haystack EEOG"));
    let c = manifest_config(&out);
    assert_eq!(
        c["warm_start_rows"],
        serde_json::json!({"shared-overlapping": {"game_start": 200}})
    );
    std::fs::remove_dir_all(&root).unwrap();
}

#[test]
fn cultural_market_protocols_on_the_authors_inputs() {
    let inputs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/zhu2023-inputs");
    if !inputs.is_dir() {
        eprintln!("skipped: {} is not there", inputs.display());
        return;
    }
    let root = tmp("cultural");
    let run = |out: &Path, extra: &[&str]| {
        let mut args = vec![
            "--quiet",
            "reproduce",
            "cultural-market",
            "--inputs",
            "zhu2023",
            "--inputs-dir",
            inputs.to_str().unwrap(),
            "--runs",
            "1",
            "--steps",
            "4000",
            "--out",
            out.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        ok(run_args(&args));
    };
    let (paper, code) = (root.join("paper"), root.join("code"));
    run(&paper, &[]);
    run(&code, &["--protocol", "authors-code"]);
    let c = manifest_config(&code);
    assert_eq!(c["ties"], "numpy-argsort-reversed");
    assert_eq!(c["quality_ties"], "numpy-argsort-reversed");
    let c = manifest_config(&paper);
    assert_eq!(
        (c["ties"].as_str(), c["quality_ties"].as_str()),
        (Some("first-to-reach"), Some("lowest-index"))
    );
    let rows = |dir: &Path, what: &str| -> Vec<String> {
        read(dir, "summary.csv")
            .lines()
            .filter(|l| l.contains(what))
            .map(String::from)
            .collect()
    };
    // 13 of the 100 groups tie among their top qualities: the heterogeneous quality ranking
    // changes with NumPy's order; the homogeneous one (no ties at the top) does not.
    assert_ne!(
        rows(&paper, "heterogeneous,100,quality"),
        rows(&code, "heterogeneous,100,quality")
    );
    assert_eq!(
        rows(&paper, "homogeneous,1,quality"),
        rows(&code, "homogeneous,1,quality")
    );
    assert_eq!(rows(&paper, ",random,"), rows(&code, ",random,"));
    assert!(read(&code, "report.html")
        .contains("protocol authors-code (quality ties: numpy-argsort-reversed)"));
    std::fs::remove_dir_all(&root).unwrap();
}
