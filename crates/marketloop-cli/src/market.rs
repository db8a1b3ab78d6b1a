//! `marketloop market` (being built).

use crate::common::Context;

/// Arguments (being built).
#[derive(clap::Subcommand, Debug)]
pub enum MarketCommand {
    /// Placeholder until this command group is built.
    Pending,
}

/// Runs the command.
pub fn run(_cmd: MarketCommand, _ctx: &Context) -> anyhow::Result<()> {
    anyhow::bail!("this command is being built")
}
