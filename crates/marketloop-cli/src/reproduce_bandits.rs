//! `marketloop reproduce_bandits` (being built).

use crate::common::Context;

/// Arguments (being built).
#[derive(clap::Args, Debug)]
pub struct BanditsArgs {}

/// Runs the command.
pub fn run(_cmd: BanditsArgs, _ctx: &Context) -> anyhow::Result<()> {
    anyhow::bail!("this command is being built")
}
