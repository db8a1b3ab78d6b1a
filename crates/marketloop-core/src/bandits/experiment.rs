//! Experiments: several games on one instance that share each run's mean vector and
//! realization table across all their cells (common random numbers), replicated over runs.

use super::competition::{
    draw_means, instance_seeds, CompetitionConfig, CompetitionOutcome, PrefixCache,
};
use super::run::run_competition_cached;
use super::{
    AlgorithmKind, AlgorithmSpec, BanditError, InstanceSpec, RealizationTable, TableLayout,
};
use crate::rng::SeedSequence;
use crate::runner::{map_replicates, Schedule};

/// Several games on one instance, all sharing each run's mean vector and table.
#[derive(Clone, Debug, PartialEq)]
pub struct Experiment<A = AlgorithmKind> {
    /// The instance.
    pub instance: InstanceSpec,
    /// The games (cells).
    pub cells: Vec<CompetitionConfig<A>>,
    /// The master seed (the instance's seed is derived from it).
    pub seed: SeedSequence,
}

impl<A: AlgorithmSpec> Experiment<A> {
    /// Validates the instance and the cells.
    pub fn new(
        instance: InstanceSpec,
        cells: Vec<CompetitionConfig<A>>,
        seed: SeedSequence,
    ) -> Result<Self, BanditError> {
        instance.validate()?;
        let cells = cells
            .into_iter()
            .map(CompetitionConfig::validated)
            .collect::<Result<_, _>>()?;
        Ok(Experiment {
            instance,
            cells,
            seed,
        })
    }

    /// The rows every run's table holds (the union of the cells' layouts).
    pub fn layout(&self) -> TableLayout {
        self.cells
            .iter()
            .fold(TableLayout::default(), |acc, c| acc.union(&c.layout()))
    }

    /// Run `run` of every cell: one mean vector, one table, then each cell's game.
    pub fn run_replicate(&self, run: u64) -> Result<Vec<CompetitionOutcome>, BanditError> {
        let seeds = instance_seeds(&self.seed, &self.instance);
        let means = draw_means(&self.instance, &seeds, run)?;
        let table = RealizationTable::generate(&means, &self.layout(), &seeds, run)?;
        let mut cache = PrefixCache::default();
        self.cells
            .iter()
            .map(|c| run_competition_cached(c, &means, &table, &seeds, run, &mut cache))
            .collect()
    }

    /// Runs 0..runs of every cell; returns `[cell][run]`.
    pub fn run(
        &self,
        runs: u64,
        schedule: Schedule,
    ) -> Result<Vec<Vec<CompetitionOutcome>>, BanditError> {
        let idx: Vec<u64> = (0..runs).collect();
        let per_run = map_replicates(&idx, schedule, |r| self.run_replicate(r), |_, _| Ok(()))?;
        Ok(transpose(per_run, self.cells.len()))
    }
}

/// Turns `[run][cell]` into `[cell][run]`.
pub fn transpose<T>(per_run: Vec<Vec<T>>, cells: usize) -> Vec<Vec<T>> {
    let mut out: Vec<Vec<T>> = (0..cells)
        .map(|_| Vec::with_capacity(per_run.len()))
        .collect();
    for row in per_run {
        for (c, x) in row.into_iter().enumerate() {
            out[c].push(x);
        }
    }
    out
}
