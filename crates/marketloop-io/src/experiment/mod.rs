//! The experiment layer: an experiment kind is a type implementing [`Experiment`] (a resolved,
//! validated spec that computes replicates and turns them into results), and one executor
//! ([`execute`], [`execute_in`]) runs any kind — with or without a run folder — so the CLI,
//! Python and sweeps share every step and give the same numbers and files.
//!
//! Modules:
//! - [`executor`]: the one run-folder writer (seeding, replicate fan-out, resume, tables, figures,
//!   report, manifest) and its folder-less twin.
//! - [`simulate`]: `market simulate`, replicated stochastic simulations of a market.
//! - [`equilibrium`]: `market equilibrium`, the TOME and every objective at it.
//! - [`dynamics`]: `market dynamics`, the deterministic dynamic (eq. 6).
//! - [`compete`]: `compete`, one competing-bandits experiment.
//! - [`compete_trajectories`]: the same games recorded round by round (Python's
//!   `trajectories=True`).
//! - [`bayes`]: `bayes`, one game of the Bayesian-choice model (Section 4).
//! - [`arena`](mod@arena): `arena`, platforms competing for typed users, each ranking a catalogue.
//! - [`print`](mod@print): what the command line prints for each kind (text and `--format json`).
//! - [`kind`]: the kinds by name ([`Kind`]), spec documents (JSON values, as sweeps and Python
//!   give them) resolved into the kinds, and [`Experiments`], which runs a document of any kind.
//!
//! A new experiment kind is one new module here: a type holding its resolved spec, an
//! `impl Experiment` (how to compute a replicate, which tables, figures and report it yields, and
//! its one long result table), and a [`Kind`] variant so sweeps and Python can name it. The CLI
//! subcommand and the Python method stay thin: spec -> kind -> executor -> print/return.

pub mod arena;
pub mod bayes;
pub mod compete;
pub mod compete_trajectories;
pub mod dynamics;
pub mod equilibrium;
pub mod executor;
pub mod kind;
pub mod print;
pub mod simulate;

pub use arena::ArenaExperiment;
pub use bayes::Bayes;
pub use compete::Compete;
pub use compete_trajectories::{CompeteTrajectories, ObserverSpec};
pub use dynamics::MarketDynamics;
pub use equilibrium::{EquilibriumReport, MarketEquilibrium};
pub use executor::{execute, execute_in, Finished, Plan};
pub use kind::{Experiments, Kind};
pub use simulate::{MarketPlugins, MarketReplicate, MarketSimulate};

use crate::figure::Figure;
use crate::report::Report;
use crate::table::Table;
use crate::IoError;
use marketloop_core::rng::SeedSequence;
use serde::{de::DeserializeOwned, Serialize};

/// One kind of experiment, resolved and validated: everything but the master seed and the
/// number of replicates (those come in a [`Plan`], the same way for every kind).
///
/// The executor computes replicates `0..plan.runs` with [`Experiment::replicate`] (in parallel,
/// resumable), hands them to [`Experiment::summarize`], and then asks for the one long result
/// table ([`Experiment::table`], what Python and sweeps return) or, with a run folder, for every
/// file ([`Experiment::outputs`]).
pub trait Experiment: Sync {
    /// The command recorded in the manifest and `run.json` (e.g. `"market simulate"`).
    const COMMAND: &'static str;
    /// The folder under `replicates/` that holds this kind's finished replicates.
    const ARM: &'static str;
    /// The manifest timing of the replicate phase (e.g. `"simulation"`).
    const PHASE: &'static str;
    /// Whether the kind has replicates at all (an equilibrium has none; `plan.runs` is then
    /// ignored).
    const REPLICATED: bool;
    /// One finished replicate, as saved to the run folder for `--resume`.
    type Replicate: Serialize + DeserializeOwned + Send;
    /// Every result the front ends print or return, computed once from the replicates.
    type Summary;

    /// The fully resolved configuration for the manifest and `run.json` (every default filled
    /// in).
    fn config(&self, plan: &Plan) -> serde_json::Value;

    /// Computes replicate `r` from the master seed's streams. Must depend on nothing else, so
    /// results never depend on the order, the worker count or an interruption.
    fn replicate(&self, seeds: SeedSequence, r: u64) -> Result<Self::Replicate, IoError>;

    /// The results of the replicates (in replicate order).
    fn summarize(
        &self,
        plan: &Plan,
        replicates: Vec<Self::Replicate>,
    ) -> Result<Self::Summary, IoError>;

    /// The one long (tidy) table of the results: what Python and sweeps return.
    fn table(&self, summary: &Self::Summary) -> Result<Table, IoError>;

    /// Every file of the run folder (tables and figures, in writing order) and the report.
    fn outputs(&self, plan: &Plan, summary: &Self::Summary) -> Result<Outputs, IoError>;

    /// An estimate of the memory a run of `plan` needs (checked against the memory budget by
    /// the executor before anything is allocated or written; see [`crate::spec::limits`]).
    /// The default: nothing beyond the executor's own bookkeeping.
    fn footprint(&self, plan: &Plan) -> crate::spec::limits::Footprint {
        let _ = plan;
        crate::spec::limits::Footprint::new()
    }
}

/// One file (two encodings) of a run folder.
#[derive(Clone, Debug)]
pub enum Artifact {
    /// `STEM.csv` and `STEM.parquet`.
    Table(String, Table),
    /// `STEM.svg` and `STEM.png`.
    Figure(String, Figure),
}

/// What an experiment writes into its run folder, besides `run.json` and `manifest.json`.
#[derive(Clone, Debug, Default)]
pub struct Outputs {
    /// Tables and figures, written in this order.
    pub artifacts: Vec<Artifact>,
    /// `report.html`, written after them.
    pub report: Option<Report>,
    /// Extra manifest timings (phase -> seconds) of work done while making the outputs.
    pub timings: Vec<(String, f64)>,
}

impl Outputs {
    /// Adds a table.
    pub fn table(&mut self, stem: &str, table: Table) {
        self.artifacts.push(Artifact::Table(stem.into(), table));
    }

    /// Adds a figure.
    pub fn figure(&mut self, stem: &str, figure: Figure) {
        self.artifacts.push(Artifact::Figure(stem.into(), figure));
    }
}

/// The last `k` rows of `t` (report excerpts).
pub fn tail(t: &Table, k: usize) -> Result<Table, IoError> {
    use crate::table::Column;
    let from = t.n_rows().saturating_sub(k);
    let mut out = Table::new();
    for (name, col) in t.names().iter().zip(t.columns()) {
        let c = match col {
            Column::F64(v) => Column::F64(v[from..].to_vec()),
            Column::I64(v) => Column::I64(v[from..].to_vec()),
            Column::Str(v) => Column::Str(v[from..].to_vec()),
        };
        out.push(name, c)?;
    }
    Ok(out)
}

/// How a market spec is named in reports: its file, or `<market spec>` when it has none.
fn source_name(source: Option<&std::path::Path>) -> String {
    source.map_or_else(|| "<market spec>".into(), |p| p.display().to_string())
}
