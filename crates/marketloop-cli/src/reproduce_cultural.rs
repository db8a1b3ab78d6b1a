//! `marketloop reproduce_cultural` (being built).

use crate::common::Context;

/// Arguments (being built).
#[derive(clap::Args, Debug)]
pub struct CulturalArgs {}

/// Runs the command.
pub fn run(_cmd: CulturalArgs, _ctx: &Context) -> anyhow::Result<()> {
    anyhow::bail!("this command is being built")
}
