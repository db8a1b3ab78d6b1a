//! `marketloop report DIR`: rebuilds a run folder's `report.html` from its manifest, tables and
//! figures (see [`marketloop_io::rerender`]), e.g. after copying a folder or upgrading.

use std::path::PathBuf;

/// Arguments of `marketloop report`.
#[derive(clap::Args, Debug)]
pub struct ReportArgs {
    /// A finished run folder (one with manifest.json).
    pub dir: PathBuf,
}

/// Rebuilds the report and prints its path.
pub fn run(a: ReportArgs) -> anyhow::Result<()> {
    let out = marketloop_io::rerender::rerender_report(&a.dir)?;
    println!("{}", out.display());
    Ok(())
}
