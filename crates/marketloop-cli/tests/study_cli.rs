//! End-to-end tests of `marketloop study learning-in-the-loop`: the ci scale runs into a folder
//! with every table, figure and the report; `--resume` on the finished folder gives identical
//! tables; bad flags fail naming the problem before anything is written.

mod common;
use common::{ok, run_args, stderr, stdout, tmp};

#[test]
fn the_ci_study_runs_end_to_end_and_resumes_identically() {
    let base = tmp("learning");
    let out = base.join("study");
    let out_s = out.display().to_string();
    let args = [
        "--quiet",
        "study",
        "learning-in-the-loop",
        "--scale",
        "ci",
        "--out",
        out_s.as_str(),
    ];
    let o = ok(run_args(&args));
    let text = stdout(&o);
    assert!(text.contains("study learning-in-the-loop"), "{text}");
    assert!(text.contains("holds") || text.contains("FAILS"), "{text}");
    for f in [
        "exp1_learners.csv",
        "exp2_competition.parquet",
        "exp3_platforms.csv",
        "findings.csv",
        "summary.csv",
        "runs.csv",
        "cells.csv",
        "fig1_efficiency_synthetic.svg",
        "fig2_greedy_share.png",
        "fig3_specialisation.svg",
        "report.html",
        "manifest.json",
    ] {
        assert!(out.join(f).is_file(), "{f}");
    }
    let before = std::fs::read_to_string(out.join("exp2_competition.csv")).unwrap();
    let mut resumed = args.to_vec();
    resumed.push("--resume");
    let o = ok(run_args(&resumed));
    assert!(stdout(&o).contains("replicates resumed"), "{}", stdout(&o));
    let after = std::fs::read_to_string(out.join("exp2_competition.csv")).unwrap();
    assert_eq!(before, after);
    // A finished folder without --resume is refused.
    let o = run_args(&args);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("--resume"), "{}", stderr(&o));
    std::fs::remove_dir_all(&base).unwrap();
}

#[test]
fn bad_flags_are_refused_before_anything_is_written() {
    let base = tmp("learning-bad");
    let out = base.join("study");
    let out_s = out.display().to_string();
    let o = run_args(&[
        "--quiet",
        "study",
        "learning-in-the-loop",
        "--experiments",
        "4",
        "--out",
        &out_s,
    ]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("experiment 4"), "{}", stderr(&o));
    let o = run_args(&[
        "--quiet",
        "study",
        "learning-in-the-loop",
        "--inputs",
        "zhu2023",
        "--inputs-dir",
        base.join("nothing-here").to_str().unwrap(),
        "--out",
        &out_s,
    ]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("inputs zhu2023"), "{}", stderr(&o));
    assert!(!out.exists());
    std::fs::remove_dir_all(&base).unwrap();
}

#[test]
fn the_study_runs_on_our_own_movielens_types() {
    // A tiny MovieLens folder through the cultural reproduction's preprocessing into 3 types;
    // the matrices are cached, so a second study reuses them.
    let base = tmp("learning-movielens");
    let data = common::fake_movielens(&base);
    let cache = base.join("cache");
    let args = |out: &str| {
        [
            "--quiet",
            "study",
            "learning-in-the-loop",
            "--inputs",
            "movielens",
            "--data",
            data.to_str().unwrap(),
            "--cache",
            cache.to_str().unwrap(),
            "--groups",
            "3",
            "--experiments",
            "1",
            "--runs",
            "2",
            "--steps",
            "600",
            "--compete-steps",
            "600",
            "--every",
            "200",
            "--out",
            out,
        ]
        .map(String::from)
        .to_vec()
    };
    let run = |out: &std::path::Path| {
        let a = args(out.to_str().unwrap());
        ok(run_args(&a.iter().map(String::as_str).collect::<Vec<_>>()))
    };
    let out = base.join("study");
    run(&out);
    assert!(out.join("fig1_efficiency_movielens.svg").is_file());
    let cells = std::fs::read_to_string(out.join("cells.csv")).unwrap();
    assert!(
        cells.contains("movielens") && cells.contains("visibility.npy"),
        "{cells}"
    );
    let prefs: Vec<_> = std::fs::read_dir(cache.join("study-movielens"))
        .unwrap()
        .collect();
    assert_eq!(prefs.len(), 1, "one cached preprocessing");
    let again = base.join("again");
    run(&again);
    assert_eq!(
        std::fs::read_to_string(out.join("exp1_learners.csv")).unwrap(),
        std::fs::read_to_string(again.join("exp1_learners.csv")).unwrap()
    );
    std::fs::remove_dir_all(&base).unwrap();
}
