//! Helpers shared by the CLI integration tests (each test binary uses a subset).
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The `marketloop` binary under test.
pub fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_marketloop"))
}

/// A fresh, empty scratch folder for test `name` of this test binary.
pub fn tmp(name: &str) -> PathBuf {
    let p = std::env::temp_dir().join(format!(
        "ml-{}-{name}-{}",
        env!("CARGO_CRATE_NAME"),
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&p);
    std::fs::create_dir_all(&p).unwrap();
    p
}

/// Runs the binary with `args`.
pub fn run_args(args: &[&str]) -> Output {
    bin().args(args).output().expect("the binary runs")
}

/// Standard output as text.
pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Standard error as text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Asserts that the command succeeded, showing its output otherwise.
pub fn ok(o: Output) -> Output {
    assert!(o.status.success(), "failed: {}\n{}", stderr(&o), stdout(&o));
    o
}

/// 40 users in 2 taste groups over 70 items; users 0-4 rated every item (so the unseen variant
/// masks items for groups made only of them), the others about 35% of the items.
pub fn fake_movielens(root: &Path) -> PathBuf {
    let dir = root.join("ml-100k");
    std::fs::create_dir_all(&dir).unwrap();
    let mut s = String::new();
    let mut x: u64 = 12345;
    let mut next = || {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (x >> 33) as f64 / (1u64 << 31) as f64
    };
    for u in 1..=40u32 {
        for i in 1..=70u32 {
            if u <= 5 || next() < 0.35 {
                let likes = (i % 2) == (u % 2);
                let r = if likes {
                    4 + (next() < 0.5) as u32
                } else {
                    1 + (next() < 0.6) as u32
                };
                s.push_str(&format!("{u}\t{i}\t{r}\t{}\n", 880_000_000 + u * 100 + i));
            }
        }
    }
    std::fs::write(dir.join("u.data"), s).unwrap();
    dir
}
