//! The commands a new user meets first: `spec KIND` prints specs that run as they are, `--out`
//! is optional (a new folder under runs/, named by command and time, printed at the end),
//! `report DIR` rebuilds a report from a folder's tables, `data fetch zhu2023-inputs --from DIR`
//! installs the authors' inputs checked by SHA-256, and run folders hold 300-dpi PNGs and PDFs.

use std::path::Path;

mod common;
use common::{bin, ok, run_args as run, stderr, stdout, tmp};

#[test]
fn spec_examples_run_and_out_defaults_to_a_new_folder_under_runs() {
    let dir = tmp("spec");
    let spec = stdout(&ok(run(&["spec", "market"])));
    assert!(
        spec.contains("feedback = 0.5") && spec.contains("# "),
        "{spec}"
    );
    std::fs::write(dir.join("m.toml"), &spec).unwrap();
    let o = ok(bin()
        .current_dir(&dir)
        .args([
            "market", "simulate", "m.toml", "--steps", "500", "--every", "250",
        ])
        .output()
        .unwrap());
    let err = stderr(&o);
    let line = err
        .lines()
        .find_map(|l| l.strip_prefix("run folder: "))
        .unwrap_or_else(|| panic!("no run folder printed: {err}"));
    assert!(line.starts_with("runs/simulate-"), "{line}");
    let out = dir.join(line);
    for f in [
        "report.html",
        "fig_efficiency.png",
        "fig_efficiency.pdf",
        "manifest.json",
    ] {
        assert!(out.join(f).is_file(), "missing {f}");
    }
    // PNGs are 300 dpi: 1920 x 1200 pixels and pHYs = 11811 pixels per metre.
    let png = std::fs::read(out.join("fig_efficiency.png")).unwrap();
    assert_eq!(&png[16..24], &[0, 0, 7, 128, 0, 0, 4, 176]);
    let phys = png.windows(4).position(|w| w == b"pHYs").unwrap();
    assert_eq!(&png[phys + 4..phys + 8], &11_811u32.to_be_bytes());
    // --resume needs --out.
    let o = run(&["market", "simulate", "m.toml", "--steps", "5", "--resume"]);
    assert!(!o.status.success());
    let game = stdout(&ok(run(&["spec", "compete"])));
    std::fs::write(dir.join("g.toml"), game.replace("runs = 100", "runs = 3")).unwrap();
    ok(run(&[
        "compete",
        dir.join("g.toml").to_str().unwrap(),
        "--out",
        dir.join("g").to_str().unwrap(),
    ]));
    // `report DIR` rebuilds the report from the tables.
    std::fs::remove_file(out.join("report.html")).unwrap();
    let o = ok(run(&["report", out.to_str().unwrap()]));
    assert!(stdout(&o).trim_end().ends_with("report.html"));
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("<caption>summary</caption>"), "{html}");
    let o = run(&["report", dir.to_str().unwrap()]);
    assert!(stderr(&o).contains("no manifest.json"), "{}", stderr(&o));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn zhu2023_inputs_download_or_install_from_a_local_copy() {
    let shared = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/zhu2023-inputs");
    let dir = tmp("zhu");
    let cache = dir.join("cache");
    // A download that fails (a loopback port nobody listens on) says how to install by hand.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/repo", closed.local_addr().unwrap());
    drop(closed);
    let o = run(&[
        "data",
        "fetch",
        "zhu2023-inputs",
        "--cache",
        cache.to_str().unwrap(),
        "--url",
        &url,
    ]);
    assert!(
        stderr(&o).contains("could not download") && stderr(&o).contains("--from DIR"),
        "{}",
        stderr(&o)
    );
    let bad = dir.join("bad");
    std::fs::create_dir_all(&bad).unwrap();
    let args = |from: &Path| {
        let mut v = vec!["data", "fetch", "zhu2023-inputs", "--cache"];
        v.push(cache.to_str().unwrap());
        v.push("--from");
        v.push(from.to_str().unwrap());
        v.into_iter().map(String::from).collect::<Vec<_>>()
    };
    let o = bin().args(args(&bad)).output().unwrap();
    assert!(stderr(&o).contains("appeals.npy"), "{}", stderr(&o));
    if shared.join("appeals.npy").is_file() {
        let o = ok(bin().args(args(&shared)).output().unwrap());
        assert!(stdout(&o).contains("groups_100.json"), "{}", stdout(&o));
        assert!(cache.join("zhu2023-inputs/qualities_homo.npy").is_file());
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
