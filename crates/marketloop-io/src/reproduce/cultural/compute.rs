//! The simulations: one market per setting (homogeneous, then each heterogeneous M), three
//! ranking strategies per market (the arms), and every (arm, replicate) pair run through the
//! run folder's resumable map. Common random numbers: every arm runs replicate r from the same
//! master seed, so the initial counts and the arrival, choice and purchase streams are shared
//! across arms.

use super::config::CulturalConfig;
use super::Progress;
use crate::run::RunDir;
use crate::IoError;
use marketloop_core::market::{
    InitialCounts, Market, PositionBias, QualityRanking, RankingSpec, Simulation, TieRule,
    Trajectory, Visibility,
};
use marketloop_core::rng::SeedSequence;
use marketloop_core::runner::Schedule;
use marketloop_data::{Preferences, Variant};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

/// Which arm a result belongs to: its setting (index, M) and its ranking strategy.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct ArmLabel {
    /// Index of the setting (0: the homogeneous market).
    pub setting: usize,
    /// Number of user types M of the setting.
    pub groups: usize,
    /// "random", "popularity" or "quality".
    pub strategy: &'static str,
}

impl ArmLabel {
    /// "homogeneous" (M = 1) or "heterogeneous".
    pub fn setting_name(&self) -> &'static str {
        setting_name(self.groups)
    }
}

/// The arm of `setting` under `strategy` (the first arm if there is none).
pub(super) fn find_arm(labels: &[ArmLabel], setting: usize, strategy: &str) -> usize {
    labels
        .iter()
        .position(|a| a.setting == setting && a.strategy == strategy)
        .unwrap_or(0)
}

/// "homogeneous" for M = 1, else "heterogeneous".
pub(super) fn setting_name(groups: usize) -> &'static str {
    if groups == 1 {
        "homogeneous"
    } else {
        "heterogeneous"
    }
}

/// One arm: a setting's market under one ranking strategy.
pub(super) struct Arm {
    /// What it is.
    pub label: ArmLabel,
    /// Its name in the run folder's `replicates/`.
    pub key: String,
    /// The simulation.
    pub sim: Simulation,
    /// For a quality arm whose ties are not ordered by index: its ranking (run through
    /// [`Simulation::ranked`], the path any user ranking takes).
    pub quality: Option<QualityRanking>,
}

/// The three strategies of Section 5, in the figure's order.
fn strategies(ties: TieRule) -> [RankingSpec; 3] {
    [
        RankingSpec::Random,
        RankingSpec::Popularity { ties },
        RankingSpec::Quality,
    ]
}

/// The market of one setting's preferences under `cfg`'s feedback and initial counts.
pub(super) fn market_from(prefs: &Preferences, cfg: &CulturalConfig) -> Result<Market, IoError> {
    // Normalise the weights so they sum to 1 to machine precision.
    let total: f64 = prefs.weights.iter().sum();
    let weights: Vec<f64> = prefs.weights.iter().map(|w| w / total).collect();
    Ok(Market::new(
        prefs.n_items,
        weights,
        prefs.visibility.clone(),
        prefs.quality.clone(),
        vec![cfg.feedback; prefs.n_types],
        InitialCounts::Uniform {
            low: cfg.initial_low,
            high: cfg.initial_high,
        },
    )?)
}

/// Every (setting, strategy) arm, settings in order, strategies in the figure's order. `ms`
/// holds each setting's M.
pub(super) fn arms(
    cfg: &CulturalConfig,
    ms: &[usize],
    markets: &[Market],
) -> Result<Vec<Arm>, IoError> {
    let (_, steps, every) = cfg.runs_steps_every();
    let bias = PositionBias::musiclab();
    let suffix = match cfg.variant {
        Variant::All => "",
        Variant::Unseen => "-unseen",
    };
    let mut arms = Vec::new();
    for (s, (&groups, market)) in ms.iter().zip(markets).enumerate() {
        for spec in strategies(cfg.popularity_ties()) {
            let strategy = spec.name();
            let quality = match (&spec, cfg.quality_order_ties()) {
                (RankingSpec::Quality, TieRule::LowestIndex | TieRule::FirstToReach) => None,
                (RankingSpec::Quality, ties) => {
                    Some(QualityRanking::with_ties(market, bias.positions(), ties)?)
                }
                _ => None,
            };
            let visibility = Visibility::Ranked {
                ranking: spec,
                bias: bias.clone(),
            };
            arms.push(Arm {
                label: ArmLabel {
                    setting: s,
                    groups,
                    strategy,
                },
                key: format!("M{groups}{suffix}-{strategy}"),
                sim: Simulation::new(market.clone(), visibility, steps, every, false)?,
                quality,
            });
        }
    }
    Ok(arms)
}

/// Every arm's replicates and what simulating them cost.
pub(super) struct Simulated {
    /// Per arm, its runs in replicate order.
    pub by_arm: Vec<Vec<Trajectory>>,
    /// Per arm, (CPU nanoseconds, steps) of the replicates simulated in this call.
    pub cpu: Vec<(u64, u64)>,
    /// Replicates loaded from an earlier run.
    pub resumed: usize,
    /// Steps simulated in this call.
    pub simulated_steps: u64,
}

/// Runs (or loads from `dir`, for a resumed run) `runs` replicates of every arm.
pub(super) fn simulate(
    dir: &mut RunDir,
    arms: &[Arm],
    runs: usize,
    seeds: SeedSequence,
    progress: &(dyn Fn(&Progress) + Sync),
) -> Result<Simulated, IoError> {
    let total = (arms.len() * runs) as u64;
    let done = AtomicU64::new(0);
    progress(&Progress {
        phase: "simulate",
        done: 0,
        total,
    });
    let replicates: Vec<u64> = (0..runs as u64).collect();
    let mut out = Simulated {
        by_arm: Vec::with_capacity(arms.len()),
        cpu: Vec::with_capacity(arms.len()),
        resumed: 0,
        simulated_steps: 0,
    };
    for arm in arms {
        let (ns, computed) = (AtomicU64::new(0), AtomicU64::new(0));
        let before = dir.manifest_mut().resumed_replicates;
        let trajectories = dir.map_resumable(
            &arm.key,
            &replicates,
            Schedule::Parallel,
            |r| {
                let start = Instant::now();
                let t = match &arm.quality {
                    None => arm.sim.run_replicate(seeds, r),
                    Some(q) => {
                        let ranked = arm.sim.ranked(q.clone(), &PositionBias::musiclab());
                        arm.sim.run_replicate_with(seeds, r, ranked)
                    }
                };
                ns.fetch_add(start.elapsed().as_nanos() as u64, Ordering::Relaxed);
                computed.fetch_add(1, Ordering::Relaxed);
                Ok(t)
            },
            |_| {
                let d = done.fetch_add(1, Ordering::Relaxed) + 1;
                progress(&Progress {
                    phase: "simulate",
                    done: d,
                    total,
                });
            },
        )?;
        check_resumed(dir, arm, &trajectories)?;
        let steps = computed.into_inner() * arm.sim.steps();
        out.resumed += dir.manifest_mut().resumed_replicates - before;
        out.simulated_steps += steps;
        out.cpu.push((ns.into_inner(), steps));
        out.by_arm.push(trajectories);
    }
    Ok(out)
}

/// A replicate loaded from the run folder must be the one asked for, measured at this
/// simulation's steps.
fn check_resumed(dir: &RunDir, arm: &Arm, trajectories: &[Trajectory]) -> Result<(), IoError> {
    let expected = arm.sim.measurement_steps().len();
    for (r, t) in trajectories.iter().enumerate() {
        if t.replicate != r as u64 || t.measurements.len() != expected {
            return Err(IoError::RunDir {
                path: dir.root().to_path_buf(),
                message: format!(
                    "cannot resume: replicate {r} of arm {} holds replicate {} with {} \
                     measurements, expected {expected}; delete replicates/{}/ to recompute it",
                    arm.key,
                    t.replicate,
                    t.measurements.len(),
                    arm.key
                ),
            });
        }
    }
    Ok(())
}
