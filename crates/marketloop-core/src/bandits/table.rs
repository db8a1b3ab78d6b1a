//! Realization tables: the rewards every experiment on one (instance, run) shares (common
//! random numbers), 0/1 rewards bit-packed or Gaussian rewards as numbers.
//!
//! A table has one block of rows per [`Phase`]: the monopoly period, one warm-start block per
//! firm slot, the game and performance-in-isolation runs. Rows are addressed by
//! (phase, row), never by a running counter, so a longer warm start or monopoly never shifts
//! the game's rows.
//!
//! Row `t` of phase `p` holds `W[t][a] ~ Bernoulli(mu_a)` for every arm `a`. The bits come from
//! one ChaCha8 stream per run (`SeedSequence::stream(run, Source::Rewards)` of the instance's
//! seed); phase `p` starts at word position `p << 56` and entry (t, a) is the `t * K + a`-th
//! 64-bit draw from there (Bernoulli by `u64 < p * 2^64`, as `rand::distr::Bernoulli`). So a
//! block's first rows do not depend on how many rows are generated: a table generated with
//! longer phases holds exactly the same bits in the shorter prefixes.
//!
//! **Gaussian rewards** ([`RewardModel::Gaussian`]): row `t` of phase `p` holds
//! `W[t][a] = mu_a + sigma z[t][a]`, the z standard normal, drawn from the same stream and word
//! positions: phase `p` starts at word position `p << 56` and the z are drawn in order
//! (row by row, arm by arm) with `rand_distr::StandardNormal` (the ziggurat method, which takes
//! one 64-bit word per draw and, rarely, a few more). A block is generated sequentially from its
//! start, so again a block's first rows never depend on how many rows are generated, and the
//! Bernoulli tables' draws are untouched (a Gaussian table is a separate table of the run, for
//! games with Gaussian rewards). The rewards are stored (8 bytes per entry), so every firm and
//! algorithm reading (phase, row, arm) gets the same number.
//!
//! **Warm-start rows.** Each firm slot has its own warm-start block by default
//! ([`WarmStartRows::PerFirm`]): the two firms serve different users, whose rewards are
//! independent. The authors' code let both firms' warm starts read the same rows
//! ([`WarmStartRows::Shared`], offered for comparison); with identical deterministic algorithms
//! that makes the two firms identical after the warm start, which the model does not intend.
//! The authors' code also took the game's rows from the same table, starting a fixed number of
//! rows (200) after the warm start's first row whatever the warm start's length, so a warm start
//! longer than that replays its last rows as the game's first ones
//! ([`WarmStartRows::SharedOverlapping`]); the paper's text (game row t = W(T_max + t)) has
//! no such overlap.

use super::{BanditError, MeanVector, RewardModel};
use crate::rng::{PortableRng, SeedSequence, Source};
use rand::RngCore;
use rand_distr::{Distribution, StandardNormal};
use serde::{Deserialize, Serialize};

/// A block of rows of a realization table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Phase {
    /// The incumbent's monopoly period (first mover scenarios).
    Monopoly,
    /// The competition game.
    Game,
    /// An algorithm run alone (performance in isolation).
    Isolation,
    /// The warm start of firm slot `s` (0-based).
    WarmStart(usize),
}

impl Phase {
    fn id(self) -> u128 {
        match self {
            Phase::Monopoly => 0,
            Phase::Game => 1,
            Phase::Isolation => 2,
            Phase::WarmStart(s) => 3 + s as u128,
        }
    }
}

/// Which warm-start rows the firms read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum WarmStartRows {
    /// Firm slot `s` reads the block `Phase::WarmStart(s)` (default; independent users).
    #[default]
    PerFirm,
    /// Every firm reads `Phase::WarmStart(0)` (the authors' code).
    Shared,
    /// As `Shared`, and the game's rows start `game_start` rows after the warm start's first
    /// row of one table (the authors' code: 200, its maximal warm start): with T0 > game_start
    /// the game's first T0 - game_start rows are the warm start's last ones.
    SharedOverlapping {
        /// The table row (counted from the warm start's first) of the game's first row.
        game_start: usize,
    },
}

impl WarmStartRows {
    /// The phase firm slot `slot` reads during its warm start.
    pub fn phase(self, slot: usize) -> Phase {
        match self {
            WarmStartRows::PerFirm => Phase::WarmStart(slot),
            WarmStartRows::Shared | WarmStartRows::SharedOverlapping { .. } => Phase::WarmStart(0),
        }
    }

    /// How many of the game's first rows are warm-start rows after a warm start of `t0` rounds
    /// (0 unless `SharedOverlapping` with `t0 > game_start`).
    pub fn overlap(self, t0: usize) -> usize {
        match self {
            WarmStartRows::SharedOverlapping { game_start } => t0.saturating_sub(game_start),
            _ => 0,
        }
    }
}

/// How many rows each block of a table needs.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct TableLayout {
    /// Rows of the monopoly block.
    pub monopoly: usize,
    /// Rows of each warm-start block, by firm slot.
    pub warm_start: Vec<usize>,
    /// Rows of the game block.
    pub game: usize,
    /// Rows of the isolation block.
    pub isolation: usize,
}

impl TableLayout {
    /// The layout holding both `self` and `other` (row counts are maxima).
    pub fn union(&self, other: &TableLayout) -> TableLayout {
        let n = self.warm_start.len().max(other.warm_start.len());
        let ws = (0..n)
            .map(|i| {
                self.warm_start
                    .get(i)
                    .copied()
                    .unwrap_or(0)
                    .max(other.warm_start.get(i).copied().unwrap_or(0))
            })
            .collect();
        TableLayout {
            monopoly: self.monopoly.max(other.monopoly),
            warm_start: ws,
            game: self.game.max(other.game),
            isolation: self.isolation.max(other.isolation),
        }
    }

    fn rows(&self, phase: Phase) -> usize {
        match phase {
            Phase::Monopoly => self.monopoly,
            Phase::Game => self.game,
            Phase::Isolation => self.isolation,
            Phase::WarmStart(s) => self.warm_start.get(s).copied().unwrap_or(0),
        }
    }
}

#[derive(Clone, Debug, Default)]
struct Block {
    rows: usize,
    /// Bernoulli rewards, bit-packed (`words_per_row` words per row).
    bits: Vec<u64>,
    /// Gaussian rewards (K per row).
    reals: Vec<f64>,
}

/// The rewards of one (instance, run), by phase, row and arm: bit-packed 0/1 rewards, or
/// Gaussian rewards as numbers.
#[derive(Clone, Debug)]
pub struct RealizationTable {
    k: usize,
    rewards: RewardModel,
    words_per_row: usize,
    monopoly: Block,
    game: Block,
    isolation: Block,
    warm_start: Vec<Block>,
}

impl RealizationTable {
    /// Generates the Bernoulli rows of `layout` for mean vector `means`, run `run`, from the
    /// instance's seed sequence (see the module docs for the stream layout).
    pub fn generate(
        means: &MeanVector,
        layout: &TableLayout,
        seeds: &SeedSequence,
        run: u64,
    ) -> Result<Self, BanditError> {
        Self::generate_for(&RewardModel::Bernoulli, means, layout, seeds, run)
    }

    /// Generates the rows of `layout` for rewards `rewards` and mean vector `means`, run `run`,
    /// from the instance's seed sequence (see the module docs). Bernoulli rewards need every
    /// mean in [0, 1].
    pub fn generate_for(
        rewards: &RewardModel,
        means: &MeanVector,
        layout: &TableLayout,
        seeds: &SeedSequence,
        run: u64,
    ) -> Result<Self, BanditError> {
        rewards.validate()?;
        for (a, &m) in means.means().iter().enumerate() {
            rewards.check_mean(a, m)?;
        }
        let k = means.k();
        let dists: Vec<Threshold> = means.means().iter().map(|&m| Threshold::new(m)).collect();
        let words_per_row = k.div_ceil(64);
        let mut rng = seeds.stream(run, Source::Rewards);
        let mut block = |phase: Phase| -> Block {
            let rows = layout.rows(phase);
            match rewards.sigma() {
                None => {
                    let mut bits = vec![0u64; rows * words_per_row];
                    if rows > 0 {
                        fill_block(&mut rng, phase, &dists, words_per_row, rows, &mut bits);
                    }
                    Block {
                        rows,
                        bits,
                        reals: Vec::new(),
                    }
                }
                Some(sigma) => {
                    let mut reals = vec![0.0; rows * k];
                    if rows > 0 {
                        fill_gaussian(&mut rng, phase, means.means(), sigma, &mut reals);
                    }
                    Block {
                        rows,
                        bits: Vec::new(),
                        reals,
                    }
                }
            }
        };
        let monopoly = block(Phase::Monopoly);
        let game = block(Phase::Game);
        let isolation = block(Phase::Isolation);
        let warm_start = (0..layout.warm_start.len())
            .map(|s| block(Phase::WarmStart(s)))
            .collect();
        Ok(Self {
            k,
            rewards: *rewards,
            words_per_row,
            monopoly,
            game,
            isolation,
            warm_start,
        })
    }

    /// Number of arms.
    pub fn k(&self) -> usize {
        self.k
    }

    /// The reward model of the table.
    pub fn rewards(&self) -> &RewardModel {
        &self.rewards
    }

    /// Rows available in `phase`.
    pub fn rows(&self, phase: Phase) -> usize {
        self.block(phase).map_or(0, |b| b.rows)
    }

    fn block(&self, phase: Phase) -> Option<&Block> {
        match phase {
            Phase::Monopoly => Some(&self.monopoly),
            Phase::Game => Some(&self.game),
            Phase::Isolation => Some(&self.isolation),
            Phase::WarmStart(s) => self.warm_start.get(s),
        }
    }

    /// Errors unless `phase` has at least `rows` rows.
    pub fn require(&self, phase: Phase, rows: usize) -> Result<(), BanditError> {
        let have = self.rows(phase);
        if have < rows {
            return Err(BanditError::Mismatch(format!(
                "the realization table has {have} rows for {phase:?} but {rows} are needed"
            )));
        }
        Ok(())
    }

    /// A view of one phase's rows (check the length with [`RealizationTable::require`]).
    #[inline]
    pub fn phase(&self, phase: Phase) -> PhaseRows<'_> {
        let bits = self.block(phase).map_or(&[][..], |b| &b.bits[..]);
        let reals = self.block(phase).map_or(&[][..], |b| &b.reals[..]);
        PhaseRows {
            bits,
            reals,
            gaussian: !self.rewards.is_bernoulli(),
            words_per_row: self.words_per_row,
            k: self.k,
        }
    }

    /// A copy whose game rows start with rows `from..from + count` of `WarmStart(0)`, followed
    /// by this table's game rows (the layout of [`WarmStartRows::SharedOverlapping`]).
    pub fn with_game_prefix(&self, from: usize, count: usize) -> Result<Self, BanditError> {
        self.require(Phase::WarmStart(0), from + count)?;
        // Rows from..from + count of the warm start, then the game's rows.
        fn spliced<T: Copy>(
            warm: &[T],
            per_row: usize,
            rows: (usize, usize),
            game: &[T],
        ) -> Vec<T> {
            let warm = &warm[rows.0 * per_row..(rows.0 + rows.1) * per_row];
            let mut out = Vec::with_capacity(warm.len() + game.len());
            out.extend_from_slice(warm);
            out.extend_from_slice(game);
            out
        }
        let ws = &self.warm_start[0];
        let (bits, reals) = if self.rewards.is_bernoulli() {
            let bits = spliced(&ws.bits, self.words_per_row, (from, count), &self.game.bits);
            (bits, Vec::new())
        } else {
            let reals = spliced(&ws.reals, self.k, (from, count), &self.game.reals);
            (Vec::new(), reals)
        };
        Ok(Self {
            game: Block {
                rows: count + self.game.rows,
                bits,
                reals,
            },
            ..self.clone()
        })
    }

    /// The reward of `arm` in row `row` of `phase` (0.0 or 1.0 under Bernoulli rewards).
    /// Panics if out of range (use [`RealizationTable::require`]).
    #[inline]
    pub fn reward(&self, phase: Phase, row: usize, arm: usize) -> f64 {
        self.phase(phase).reward(row, arm)
    }
}

/// The rows of one phase.
#[derive(Clone, Copy, Debug)]
pub struct PhaseRows<'a> {
    bits: &'a [u64],
    reals: &'a [f64],
    gaussian: bool,
    words_per_row: usize,
    k: usize,
}

impl PhaseRows<'_> {
    /// The reward of `arm` in row `row`: exactly 0.0 or 1.0 under Bernoulli rewards.
    #[inline]
    pub fn reward(&self, row: usize, arm: usize) -> f64 {
        if self.gaussian {
            return self.reals[row * self.k + arm];
        }
        let w = self.bits[row * self.words_per_row + (arm >> 6)];
        if (w >> (arm & 63)) & 1 == 1 {
            1.0
        } else {
            0.0
        }
    }
}

/// Bernoulli(p) from one u64: `x < p * 2^64` (as `rand::distr::Bernoulli`), except that
/// p = 1 is always true; every entry consumes exactly one u64 so entry (t, a) sits at a fixed
/// stream position.
/// A Bernoulli(p) draw from one 64-bit word: `x < p 2^64` (exact for every p the word can
/// resolve), shared by the reward tables and the Bayesian-choice curves.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Threshold {
    always: bool,
    p_int: u64,
}

impl Threshold {
    /// The threshold of probability `p`.
    pub(crate) fn new(p: f64) -> Self {
        if p >= 1.0 {
            Threshold {
                always: true,
                p_int: 0,
            }
        } else {
            // 2^64 * p < 2^64 for p < 1; `as` saturates and maps 0 to 0.
            Threshold {
                always: false,
                p_int: (p * 18_446_744_073_709_551_616.0) as u64,
            }
        }
    }

    /// The draw for the word `x`.
    #[inline]
    pub(crate) fn sample(self, x: u64) -> bool {
        self.always || x < self.p_int
    }
}

fn fill_block(
    rng: &mut PortableRng,
    phase: Phase,
    dists: &[Threshold],
    words_per_row: usize,
    rows: usize,
    bits: &mut [u64],
) {
    // Each u64 draw takes two 32-bit words of the ChaCha stream.
    rng.set_word_pos(phase.id() << 56);
    for t in 0..rows {
        let row = &mut bits[t * words_per_row..(t + 1) * words_per_row];
        for (a, d) in dists.iter().enumerate() {
            // Branch-free: the bit is a coin flip, which a branch would mispredict half the time.
            row[a >> 6] |= u64::from(d.sample(rng.next_u64())) << (a & 63);
        }
    }
}

/// Fills one phase's Gaussian rows: entry (t, a) = mu_a + sigma z, the z drawn in order from
/// the phase's start in the stream.
fn fill_gaussian(
    rng: &mut PortableRng,
    phase: Phase,
    means: &[f64],
    sigma: f64,
    reals: &mut [f64],
) {
    rng.set_word_pos(phase.id() << 56);
    for row in reals.chunks_exact_mut(means.len()) {
        for (x, &m) in row.iter_mut().zip(means) {
            let z: f64 = StandardNormal.sample(rng);
            *x = m + sigma * z;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layout(m: usize, ws: usize, g: usize) -> TableLayout {
        TableLayout {
            monopoly: m,
            warm_start: vec![ws, ws],
            game: g,
            isolation: 0,
        }
    }

    #[test]
    fn longer_phases_never_shift_other_rows() {
        let means = MeanVector::new(vec![0.1, 0.5, 0.9, 0.3, 0.7]).unwrap();
        let s = SeedSequence::new(9);
        let a = RealizationTable::generate(&means, &layout(0, 20, 100), &s, 4).unwrap();
        let b = RealizationTable::generate(&means, &layout(500, 500, 300), &s, 4).unwrap();
        for t in 0..100 {
            for arm in 0..5 {
                assert_eq!(a.reward(Phase::Game, t, arm), b.reward(Phase::Game, t, arm));
            }
        }
        for t in 0..20 {
            for arm in 0..5 {
                assert_eq!(
                    a.reward(Phase::WarmStart(1), t, arm),
                    b.reward(Phase::WarmStart(1), t, arm)
                );
            }
        }
        let c = RealizationTable::generate(&means, &layout(0, 20, 100), &s, 5).unwrap();
        let differs = (0..100).any(|t| {
            (0..5).any(|arm| a.reward(Phase::Game, t, arm) != c.reward(Phase::Game, t, arm))
        });
        assert!(differs, "run 5 must not repeat run 4");
        let w0: Vec<f64> = (0..20)
            .map(|t| a.reward(Phase::WarmStart(0), t, 2))
            .collect();
        let w1: Vec<f64> = (0..20)
            .map(|t| a.reward(Phase::WarmStart(1), t, 2))
            .collect();
        assert_ne!(w0, w1, "the two warm-start blocks must be distinct");
    }

    #[test]
    fn frequencies_match_the_means() {
        // 20000 rows per arm: the binomial standard deviation is at most 0.0036; allow 5 sd.
        let means = MeanVector::new(vec![0.0, 0.25, 0.5, 1.0]).unwrap();
        let s = SeedSequence::new(11);
        let n = 20_000;
        let t = RealizationTable::generate(&means, &layout(0, 0, n), &s, 0).unwrap();
        for (a, &m) in means.means().iter().enumerate() {
            let f = (0..n)
                .filter(|&r| t.reward(Phase::Game, r, a) == 1.0)
                .count() as f64
                / n as f64;
            let sd = (m * (1.0 - m) / n as f64).sqrt();
            assert!((f - m).abs() <= 5.0 * sd + 1e-12, "arm {a}: {f} vs {m}");
        }
    }

    #[test]
    fn many_arms_pack_across_words() {
        let means = MeanVector::new(
            (0..130)
                .map(|i| if i % 2 == 0 { 1.0 } else { 0.0 })
                .collect(),
        )
        .unwrap();
        let t =
            RealizationTable::generate(&means, &layout(0, 0, 3), &SeedSequence::new(1), 0).unwrap();
        for arm in 0..130 {
            assert_eq!(t.reward(Phase::Game, 2, arm), f64::from(arm % 2 == 0));
        }
        assert!(t.require(Phase::Game, 4).is_err());
        assert!(t.require(Phase::WarmStart(7), 1).is_err());
    }

    #[test]
    fn game_prefix_replays_warm_start_rows() {
        let means = MeanVector::new(vec![0.3, 0.5, 0.7]).unwrap();
        let s = SeedSequence::new(2);
        let t = RealizationTable::generate(&means, &layout(0, 250, 100), &s, 1).unwrap();
        let o = t.with_game_prefix(200, 50).unwrap();
        assert_eq!(o.rows(Phase::Game), 150);
        for arm in 0..3 {
            for r in 0..50 {
                assert_eq!(
                    o.reward(Phase::Game, r, arm),
                    t.reward(Phase::WarmStart(0), 200 + r, arm)
                );
            }
            for r in 0..100 {
                assert_eq!(
                    o.reward(Phase::Game, 50 + r, arm),
                    t.reward(Phase::Game, r, arm)
                );
            }
        }
        assert!(t.with_game_prefix(240, 20).is_err());
        let rows = WarmStartRows::SharedOverlapping { game_start: 200 };
        assert_eq!((rows.overlap(250), rows.overlap(20)), (50, 0));
        assert_eq!(rows.phase(1), Phase::WarmStart(0));
        assert_eq!(WarmStartRows::Shared.overlap(500), 0);
    }
}
