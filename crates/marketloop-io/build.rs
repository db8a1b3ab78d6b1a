//! Records the git commit marketloop is built from, for every manifest
//! (`Manifest::git_commit`). An explicit `MARKETLOOP_GIT_COMMIT` in the build environment wins
//! (builds from a source archive); otherwise `git rev-parse HEAD` in the source tree, with
//! `-dirty` when tracked files differ from it. Without git, the commit stays unknown.

use std::path::Path;
use std::process::Command;

fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

fn main() {
    println!("cargo:rerun-if-env-changed=MARKETLOOP_GIT_COMMIT");
    if std::env::var_os("MARKETLOOP_GIT_COMMIT").is_some() {
        return;
    }
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let Some(commit) = git(dir, &["rev-parse", "HEAD"]).filter(|c| !c.is_empty()) else {
        return;
    };
    // Rebuild when HEAD moves or the index changes (commits, checkouts, staged edits).
    let mut watched = vec![
        "HEAD".to_string(),
        "index".to_string(),
        "packed-refs".to_string(),
    ];
    watched.extend(git(dir, &["symbolic-ref", "-q", "HEAD"]));
    for name in &watched {
        if let Some(p) = git(dir, &["rev-parse", "--git-path", name]) {
            let p = dir.join(p);
            println!("cargo:rerun-if-changed={}", p.display());
        }
    }
    let dirty =
        git(dir, &["status", "--porcelain", "--untracked-files=no"]).is_some_and(|s| !s.is_empty());
    let suffix = if dirty { "-dirty" } else { "" };
    println!("cargo:rustc-env=MARKETLOOP_GIT_COMMIT={commit}{suffix}");
}
