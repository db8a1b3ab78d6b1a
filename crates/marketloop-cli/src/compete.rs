//! `marketloop compete` (being built).

use crate::common::Context;

/// Arguments (being built).
#[derive(clap::Args, Debug)]
pub struct CompeteArgs {}

/// Runs the command.
pub fn run(_cmd: CompeteArgs, _ctx: &Context) -> anyhow::Result<()> {
    anyhow::bail!("this command is being built")
}
