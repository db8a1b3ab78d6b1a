//! What every command shares: the run context, progress bars, output formats, exit codes.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;

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
