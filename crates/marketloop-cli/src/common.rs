//! What every command shares: the run context, progress bars, output formats, the run folder
//! flags (`--out`, `--resume`) and exit codes.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

/// The run folder of a command that writes one: `--out DIR`, else a new folder under `runs/`
/// named by the command and the time (printed on stderr at the end).
#[derive(clap::Args, Debug, Clone)]
pub struct OutArgs {
    /// Output folder (must not exist or be empty, unless --resume) [default: a new folder
    /// runs/COMMAND-YYYYMMDD-HHMMSS]
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Continue an interrupted run in --out, reusing its finished parts.
    #[arg(long, requires = "out")]
    pub resume: bool,
}

impl OutArgs {
    /// `--out`, or a folder `runs/COMMAND-YYYYMMDD-HHMMSS` (UTC) that does not exist yet
    /// (`-2`, `-3`, ... appended when it does).
    pub fn dir(&self, command: &str) -> PathBuf {
        if let Some(out) = &self.out {
            return out.clone();
        }
        default_run_dir(Path::new("runs"), command, unix_now())
    }

    /// Says where the run folder is when it was chosen for the user (with `--out` they know).
    pub fn announce(&self, dir: &Path) {
        if self.out.is_none() {
            eprintln!("run folder: {}", dir.display());
        }
    }
}

/// `--out` of the commands that print their result and write a folder only when asked.
#[derive(clap::Args, Debug)]
pub struct AlsoOut {
    /// Also write a run folder (table, report, manifest) here.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// Prints the JSON (`--format json`) or the text of a result on stdout.
pub fn emit(
    format: Format,
    json: impl FnOnce() -> serde_json::Value,
    text: impl FnOnce() -> String,
) -> anyhow::Result<()> {
    print_stdout(&match format {
        Format::Json => serde_json::to_string_pretty(&json())?,
        Format::Table => text(),
    })
}

fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// `root/COMMAND-YYYYMMDD-HHMMSS` for `secs` (UTC), made unique among existing entries.
fn default_run_dir(root: &Path, command: &str, secs: u64) -> PathBuf {
    // "YYYY-MM-DD HH:MM:SS UTC" -> "YYYYMMDD-HHMMSS".
    let stamp: String = marketloop_io::report::utc(secs)
        .trim_end_matches(" UTC")
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            '-' | ':' => None,
            c => Some(c),
        })
        .collect();
    let base = root.join(format!("{command}-{stamp}"));
    let mut dir = base.clone();
    let mut k = 2;
    while dir.exists() {
        dir = PathBuf::from(format!("{}-{k}", base.display()));
        k += 1;
    }
    dir
}

/// Global options of a `marketloop` invocation.
#[derive(Debug, Clone)]
pub struct Context {
    /// No progress bars.
    pub quiet: bool,
    /// Worker threads, if set.
    pub threads: Option<usize>,
}

impl Context {
    /// Sizes rayon's global pool.
    pub fn init_threads(&self) -> anyhow::Result<()> {
        if let Some(n) = self.threads {
            if n == 0 {
                anyhow::bail!("--threads = 0 is not allowed: give at least 1");
            }
            let max = marketloop_io::spec::limits::MAX_THREADS;
            if n as u64 > max {
                anyhow::bail!("--threads = {n} is above the maximum {max}");
            }
            rayon::ThreadPoolBuilder::new()
                .num_threads(n)
                .build_global()
                .map_err(|e| anyhow::anyhow!("cannot start {n} worker threads: {e}"))?;
        }
        Ok(())
    }

    /// A progress bar of `len` steps, hidden with `--quiet` or when stderr is not a terminal.
    pub fn progress(&self, len: u64, what: &str) -> ProgressBar {
        if self.quiet || !std::io::stderr().is_terminal() {
            return ProgressBar::hidden();
        }
        let pb = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
        pb.set_style(
            ProgressStyle::with_template("{msg:>12} [{bar:40}] {pos}/{len} ({eta} left)")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        pb.set_message(what.to_string());
        pb
    }
}

/// Output format of commands that print results.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Format {
    /// Human-readable table.
    #[default]
    Table,
    /// JSON on stdout.
    Json,
}

/// Maps a command's result to the process exit code, printing the error chain.
pub fn exit_code(result: anyhow::Result<()>) -> i32 {
    match result {
        Ok(()) => 0,
        Err(e) => {
            let closed_pipe = e.chain().any(|c| {
                c.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            });
            if closed_pipe {
                return 0;
            }
            eprintln!("error: {e:#}");
            1
        }
    }
}

/// Prints to stdout; a closed pipe surfaces as a BrokenPipe error, which the exit-code mapping
/// treats as success.
pub(crate) fn print_stdout(s: &str) -> anyhow::Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    out.write_all(s.as_bytes())?;
    if !s.ends_with('\n') {
        out.write_all(b"\n")?;
    }
    out.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_run_dirs_are_named_by_command_and_time_and_never_reused() {
        let root = std::env::temp_dir().join(format!("ml-runs-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        // 2026-12-01 03:14:02 UTC.
        let secs = 1_796_094_842;
        let a = default_run_dir(&root, "simulate", secs);
        assert_eq!(a, root.join("simulate-20261201-031402"));
        std::fs::create_dir_all(&a).unwrap();
        let b = default_run_dir(&root, "simulate", secs);
        assert_eq!(b, root.join("simulate-20261201-031402-2"));
        std::fs::remove_dir_all(&root).unwrap();
    }
}
