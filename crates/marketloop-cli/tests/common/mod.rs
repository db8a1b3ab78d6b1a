//! Helpers shared by the CLI integration tests (each test binary uses a subset).
#![allow(dead_code)]

use std::path::PathBuf;
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
