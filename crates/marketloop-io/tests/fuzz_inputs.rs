//! Fuzz tests (proptest on stable; `cargo fuzz` needs nightly): every parser and spec of the
//! IO layer gets mutated versions of a valid input — characters inserted, deleted or replaced
//! from an alphabet of digits, huge numbers, quotes, brackets, control characters and a
//! byte-order mark — and must return `Ok` or an error, never panic. One proptest per target:
//! market TOML, compete TOML, sweep TOML, arena TOML, bayes TOML, `.npy`, CSV matrix, `u.data`
//! and groups JSON. A spec that parses also has its memory estimated (the check before
//! allocation), which must not panic either.
//!
//! The number of cases per target is `MARKETLOOP_FUZZ_CASES` (default 256, a few seconds);
//! `scripts/fuzz.sh` runs them with a large count.

use marketloop_io::compete_spec::CompeteFile;
use marketloop_io::experiment::{ArenaExperiment, Bayes, Experiment, Plan};
use marketloop_io::market_spec::ResolvedMarket;
use marketloop_io::matrix::{npy_bytes, parse_csv, parse_json_groups, parse_npy, Matrix};
use marketloop_io::spec::{ArenaSpec, BayesSpec};
use marketloop_io::sweep::SweepFile;
use proptest::prelude::*;
use proptest::test_runner::Config;
use std::path::Path;

fn config() -> Config {
    let cases = std::env::var("MARKETLOOP_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(256);
    Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    }
}

/// Pieces inserted by the mutations: the characters and tokens that break parsers.
const PIECES: &[&str] = &[
    "0",
    "1",
    "-1",
    "9",
    ".",
    "e",
    "e308",
    "1e309",
    "-0",
    "nan",
    "inf",
    "18446744073709551616",
    "9223372036854775807",
    "4294967295",
    "1e12",
    "\"",
    "'",
    "[",
    "]",
    "{",
    "}",
    "=",
    ",",
    "\n",
    "\t",
    " ",
    "#",
    "\0",
    "\u{feff}",
    "\u{1}",
    "é",
    "true",
    "\"random\"",
    "[[",
    "]]",
    "x",
];

/// Edits: (position as a fraction of the length, kind: insert | delete | replace, piece).
fn edits() -> impl Strategy<Value = Vec<(f64, u8, usize)>> {
    proptest::collection::vec((0.0f64..1.0, 0u8..3, 0..PIECES.len()), 1..6)
}

/// `seed` with the edits applied (at character boundaries).
fn mutate(seed: &str, edits: &[(f64, u8, usize)]) -> String {
    let mut chars: Vec<char> = seed.chars().collect();
    for &(at, kind, piece) in edits {
        let i = (((chars.len() as f64) * at) as usize).min(chars.len());
        let piece: Vec<char> = PIECES[piece].chars().collect();
        match kind {
            0 => {
                chars.splice(i..i, piece);
            }
            1 => {
                let end = (i + piece.len()).min(chars.len());
                chars.splice(i..end, std::iter::empty());
            }
            _ => {
                let end = (i + 1).min(chars.len());
                chars.splice(i..end, piece);
            }
        }
    }
    chars.into_iter().collect()
}

const MARKET: &str = r#"weights = [0.4, 0.6]
visibility = [[1.0, 0.8, 0.6], [0.2, 0.4, 1.0]]
quality = [[0.9, 0.5, 0.6], [0.3, 0.4, 0.8]]
feedback = [0.5, 0.75]
initial_counts = { uniform = [2, 3] }
[ranking]
strategy = "popularity"
position_bias = [1.0, 0.5, 0.25]
ties = "random"
"#;

const COMPETE: &str = r#"seed = 3
runs = 10
instance = "needle-in-haystack"
k = 5
needle = 2
algorithms = ["TS", "BEG(eps=0.1)"]
scenario = "first-mover"
x = 20
response = "hardmax-random"
eps = 0.1
t = 200
t0 = 10
window = 50
prior = [1.0, 1.0]
checkpoints = [50, 100]
isolation = true
"#;

const SWEEP: &str = r#"kind = "market"
runs = 2
seed = 1
[spec]
weights = [1.0]
visibility = [[1.0, 0.5]]
quality = [[0.5, 0.9]]
feedback = 0.5
initial_counts = 1
steps = 100
every = 50
ranking = { strategy = "random" }
[grid]
feedback = [0.25, 0.5]
"ranking.strategy" = ["random", "quality"]
"#;

const ARENA: &str = r#"steps = 2000
every = 500
window = 50
reputation = "per-type"
response = { kind = "hard-max-random", eps = 0.1 }
position_bias = [0.9, 0.5]
[market]
weights = [0.5, 0.5]
visibility = [[1.0, 0.5, 0.2], [0.3, 0.9, 0.4]]
quality = [[0.9, 0.5, 0.1], [0.2, 0.3, 0.4]]
feedback = 0.5
[[platforms]]
name = "TS"
ranking = "thompson"
prior = [1, 2]
warm_start = 20
[[platforms]]
ranking = "popularity"
ties = "random"
personalised = false
entry = 100
"#;

const BAYES: &str = r#"seed = 3
prior = "needle-in-haystack"
k = 4
needle_mean = 0.7
base_mean = 0.5
algorithms = ["BEG", "BG"]
response = "hardmax-random"
eps = 0.1
t = 200
t0 = 10
paths = 1000
band = 3.0
"#;

const CSV: &str = "a,b,c\n1,2,3\n0.5,1e-3,7\n";
const U_DATA: &str = "196\t242\t3\t881250949\n186\t302\t3\t891717742\n22\t377\t1\t878887116\n";
const GROUPS: &str = "[[0, 5, 9], [1, 2], [3]]";

proptest! {
    #![proptest_config(config())]

    #[test]
    fn fuzz_market_toml(e in edits()) {
        let text = mutate(MARKET, &e);
        let _ = ResolvedMarket::parse(&text, Path::new("m.toml"), Path::new("."));
    }

    #[test]
    fn fuzz_compete_toml(e in edits()) {
        let text = mutate(COMPETE, &e);
        if let Ok(f) = CompeteFile::from_toml(&text, Path::new("c.toml")) {
            let _ = f.spec.footprint(&f.plan(None, None)).check_against(1 << 30, "fuzz");
        }
    }

    #[test]
    fn fuzz_sweep_toml(e in edits()) {
        let text = mutate(SWEEP, &e);
        if let Ok(f) = SweepFile::parse(&text, Path::new("s.toml")) {
            let _ = f.sweep.cells();
        }
    }

    #[test]
    fn fuzz_arena_toml(e in edits()) {
        let text = mutate(ARENA, &e);
        if let Ok(r) = ArenaSpec::from_toml(&text, Path::new("a.toml"))
            .and_then(|s| s.resolve(Path::new(".")))
        {
            let _ = ArenaExperiment::new(r, None)
                .footprint(&Plan::new(0, 4))
                .check_against(1 << 30, "fuzz");
        }
    }

    #[test]
    fn fuzz_bayes_toml(e in edits()) {
        let text = mutate(BAYES, &e);
        if let Ok(b) = BayesSpec::from_toml(&text, Path::new("b.toml")).and_then(Bayes::new) {
            let _ = b.footprint(&b.plan()).check_against(1 << 30, "fuzz");
        }
    }

    #[test]
    fn fuzz_npy(e in edits(), flips in proptest::collection::vec((0usize..200, any::<u8>()), 0..4)) {
        let m = Matrix { rows: 2, cols: 3, data: vec![0.5, 1.0, 2.0, 3.0, 4.0, 5.0] };
        let bytes = npy_bytes(&m);
        // Mutations of the header text, then raw byte flips anywhere.
        let end = bytes.iter().position(|&b| b == b'\n').map_or(bytes.len(), |p| p + 1);
        let header = String::from_utf8_lossy(&bytes[..end]).into_owned();
        let mut out = mutate(&header, &e).into_bytes();
        out.extend_from_slice(&bytes[end..]);
        for (at, b) in flips {
            if at < out.len() {
                out[at] = b;
            }
        }
        let _ = parse_npy(&out, Path::new("m.npy"));
    }

    #[test]
    fn fuzz_csv_matrix(e in edits()) {
        let _ = parse_csv(&mutate(CSV, &e), Path::new("m.csv"));
    }

    #[test]
    fn fuzz_u_data(e in edits()) {
        let text = mutate(U_DATA, &e);
        let _ = marketloop_data::movielens::parse_u_data(&text, Path::new("u.data"));
    }

    #[test]
    fn fuzz_groups_json(e in edits()) {
        let _ = parse_json_groups(mutate(GROUPS, &e).as_bytes(), Path::new("g.json"));
    }
}

#[test]
fn the_seeds_are_valid_inputs() {
    // Each target's mutations start from a valid input, so they reach deep into the parser.
    assert!(ResolvedMarket::parse(MARKET, Path::new("m.toml"), Path::new(".")).is_ok());
    assert!(CompeteFile::from_toml(COMPETE, Path::new("c.toml")).is_ok());
    let arena = ArenaSpec::from_toml(ARENA, Path::new("a.toml")).unwrap();
    assert!(arena.resolve(Path::new(".")).is_ok());
    assert!(BayesSpec::from_toml(BAYES, Path::new("b.toml"))
        .and_then(Bayes::new)
        .is_ok());
    let sweep = SweepFile::parse(SWEEP, Path::new("s.toml")).unwrap();
    assert_eq!(sweep.sweep.cells().unwrap().len(), 4);
    let m = Matrix {
        rows: 1,
        cols: 2,
        data: vec![1.0, 2.0],
    };
    assert_eq!(parse_npy(&npy_bytes(&m), Path::new("m.npy")).unwrap(), m);
    assert_eq!(parse_csv(CSV, Path::new("m.csv")).unwrap().rows, 2);
    let ratings = marketloop_data::movielens::parse_u_data(U_DATA, Path::new("u.data")).unwrap();
    assert_eq!(ratings.len(), 3);
    let groups = parse_json_groups(GROUPS.as_bytes(), Path::new("g.json")).unwrap();
    assert_eq!(groups.len(), 3);
}
