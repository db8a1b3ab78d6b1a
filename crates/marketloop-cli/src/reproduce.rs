//! `marketloop reproduce ...`: the papers' experiments.

use crate::common::Context;
use clap::Subcommand;

/// Which paper to reproduce.
#[derive(Subcommand, Debug)]
pub enum ReproduceCommand {
    /// Zhu, Cheung & Xie: personalised cultural markets (Figure 2, Appendix E).
    CulturalMarket(crate::reproduce_cultural::CulturalArgs),
    /// Aridor, Mansour, Slivkins & Wu: competing bandits (Section 5, Appendix F).
    CompetingBandits(crate::reproduce_bandits::BanditsArgs),
    /// Aridor, Mansour, Slivkins & Wu: the Bayesian-choice model (Section 4), simulated, with
    /// its theorems checked and its shares next to Section 5's.
    BayesianChoice(crate::bayes::ReproduceArgs),
}

/// Runs a reproduce command.
pub fn run(cmd: ReproduceCommand, ctx: &Context) -> anyhow::Result<()> {
    match cmd {
        ReproduceCommand::CulturalMarket(a) => crate::reproduce_cultural::run(a, ctx),
        ReproduceCommand::CompetingBandits(a) => crate::reproduce_bandits::run(a, ctx),
        ReproduceCommand::BayesianChoice(a) => crate::bayes::run_reproduce(a, ctx),
    }
}
