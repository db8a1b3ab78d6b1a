//! Experiments: several games on one instance that share each run's mean vector and
//! realization table across all their cells (common random numbers), replicated over runs.
//!
//! Cells that are the same game up to their horizon T and checkpoints (e.g. a T = 2000 cell and
//! a T = 10000 cell with checkpoints) are played once per run, to the longest T, and each is
//! read when the game reaches its own T: a game round never depends on T or the checkpoints
//! (see [`CompetitionRun::step`](super::CompetitionRun::step)), so the outcomes are
//! bit-identical to playing every cell on its own.

use super::competition::{
    draw_means_for, instance_seeds, CompetitionConfig, CompetitionOutcome, PrefixCache,
};
use super::run::{outcome_or_fault, start_game};
use super::{
    AlgorithmKind, AlgorithmSpec, BanditError, InstanceSpec, RealizationTable, RewardModel,
    TableLayout,
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
    /// Validates the instance and the cells (which share each run's table, so they must have
    /// the same reward model).
    pub fn new(
        instance: InstanceSpec,
        cells: Vec<CompetitionConfig<A>>,
        seed: SeedSequence,
    ) -> Result<Self, BanditError> {
        let cells: Vec<CompetitionConfig<A>> = cells
            .into_iter()
            .map(CompetitionConfig::validated)
            .collect::<Result<_, _>>()?;
        let rewards = cells.first().map(|c| c.rewards).unwrap_or_default();
        if let Some((i, c)) = cells.iter().enumerate().find(|(_, c)| c.rewards != rewards) {
            return Err(BanditError::Mismatch(format!(
                "the cells of one experiment share each run's reward table, so they need one reward model: cell 0 has rewards = {rewards}, cell {i} rewards = {}",
                c.rewards
            )));
        }
        instance.validate_for(&rewards)?;
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

    /// The reward model of the cells (Bernoulli without cells).
    pub fn rewards(&self) -> RewardModel {
        self.cells.first().map(|c| c.rewards).unwrap_or_default()
    }

    /// Run `run` of every cell: one mean vector, one table, then each cell's game.
    pub fn run_replicate(&self, run: u64) -> Result<Vec<CompetitionOutcome>, BanditError> {
        let seeds = instance_seeds(&self.seed, &self.instance);
        let rewards = self.rewards();
        let means = draw_means_for(&self.instance, &rewards, &seeds, run)?;
        let table = RealizationTable::generate_for(&rewards, &means, &self.layout(), &seeds, run)?;
        let mut cache = PrefixCache::default();
        let mut out: Vec<Option<CompetitionOutcome>> = vec![None; self.cells.len()];
        for group in horizon_groups(&self.cells) {
            // The group's game: its longest horizon, every member's checkpoints.
            let mut checkpoints: Vec<usize> = group
                .iter()
                .flat_map(|&c| self.cells[c].checkpoints.iter().copied())
                .collect();
            checkpoints.sort_unstable();
            checkpoints.dedup();
            let longest = &self.cells[group[group.len() - 1]];
            let shared = CompetitionConfig {
                checkpoints: checkpoints.clone(),
                ..longest.clone()
            };
            let mut game = start_game(&shared, &means, &table, &seeds, run, &mut cache)?;
            for &c in &group {
                let cell = &self.cells[c];
                game.step(cell.t - game.round());
                let o = outcome_or_fault(&game, cell, run)?;
                out[c] = Some(own_checkpoints(o, &checkpoints, &cell.checkpoints));
            }
        }
        out.into_iter()
            .map(|o| o.ok_or_else(|| BanditError::Mismatch("a cell was not played".into())))
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

/// The cells grouped by game up to horizon and checkpoints: each group's indices sorted by T
/// (ties in cell order), groups in the order of their first cell.
fn horizon_groups<A: AlgorithmSpec>(cells: &[CompetitionConfig<A>]) -> Vec<Vec<usize>> {
    let game = |c: &CompetitionConfig<A>| CompetitionConfig {
        t: 0,
        checkpoints: Vec::new(),
        ..c.clone()
    };
    let mut keys: Vec<CompetitionConfig<A>> = Vec::new();
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for (i, c) in cells.iter().enumerate() {
        let key = game(c);
        match keys.iter().position(|k| *k == key) {
            Some(g) => groups[g].push(i),
            None => {
                keys.push(key);
                groups.push(vec![i]);
            }
        }
    }
    for g in &mut groups {
        g.sort_by_key(|&i| (cells[i].t, i));
    }
    groups
}

/// `o` (recorded at the checkpoints `played`, sorted) with the checkpoints of its own cell,
/// `wanted` (each one of `played`), in the cell's order.
fn own_checkpoints(
    mut o: CompetitionOutcome,
    played: &[usize],
    wanted: &[usize],
) -> CompetitionOutcome {
    let at = |c: &usize| played.binary_search(c).unwrap_or(0);
    o.checkpoint_chosen = wanted
        .iter()
        .map(|c| o.checkpoint_chosen[at(c)].clone())
        .collect();
    o.checkpoint_regret = wanted.iter().map(|c| o.checkpoint_regret[at(c)]).collect();
    o
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bandits::run::run_competition;
    use crate::bandits::{AlgorithmKind as A, ResponseSpec, Scenario};

    #[test]
    fn games_shared_up_to_their_horizon_are_bit_identical_to_games_played_alone() {
        let base = CompetitionConfig::paper(A::ThompsonSampling, A::beg(), 20).unwrap();
        let cells = vec![
            CompetitionConfig {
                t: 300,
                ..base.clone()
            },
            CompetitionConfig {
                t: 1000,
                checkpoints: vec![700, 300, 1000],
                ..base.clone()
            },
            CompetitionConfig {
                response: ResponseSpec::HardMaxRandom { eps: 0.1 },
                t: 500,
                checkpoints: vec![100],
                ..base.clone()
            },
            CompetitionConfig {
                t: 300,
                checkpoints: vec![100, 300],
                ..base.clone()
            },
            CompetitionConfig {
                response: ResponseSpec::HardMaxRandom { eps: 0.1 },
                t: 200,
                ..base.clone()
            },
            CompetitionConfig {
                scenario: Scenario::FirstMover { x: 50 },
                t: 400,
                ..base.clone()
            },
        ];
        assert_eq!(
            horizon_groups(&cells),
            vec![vec![0, 3, 1], vec![4, 2], vec![5]]
        );
        let instance = InstanceSpec::heavy_tail(10);
        let seed = SeedSequence::new(77);
        let exp = Experiment::new(instance.clone(), cells.clone(), seed).unwrap();
        let seeds = instance_seeds(&seed, &instance);
        for run in 0..5 {
            let shared = exp.run_replicate(run).unwrap();
            let means = crate::bandits::draw_means(&instance, &seeds, run).unwrap();
            for (cell, got) in cells.iter().zip(&shared) {
                // Alone: its own table (only its own rows) and no cache.
                let table =
                    RealizationTable::generate(&means, &cell.layout(), &seeds, run).unwrap();
                let alone = run_competition(cell, &means, &table, &seeds, run).unwrap();
                assert_eq!(got, &alone, "run {run}, {}", cell.label());
                assert_eq!(got.checkpoint_chosen.len(), cell.checkpoints.len());
            }
        }
    }
}
