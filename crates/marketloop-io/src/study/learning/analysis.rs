//! What the runs show, per experiment: the numbers behind each table row and each finding
//! (means with 95% t half-widths over runs; differences between rankings of experiment 1 are
//! paired run by run, since the arms share their random streams).

use super::cells::{Cell, LEARNERS};
use crate::experiment::arena::ArenaSummary;
use crate::report::Finding;
use marketloop_core::arena::ArenaTrajectory;
use marketloop_core::bandits::Estimate;
use marketloop_core::stats::quartiles;

/// A finished cell: its definition and the arena's results.
pub struct CellResult<'a> {
    /// The cell.
    pub cell: &'a Cell,
    /// Its replicates and their summary over runs.
    pub summary: ArenaSummary,
}

/// Experiment 1, one ranking on one market, at the end of the runs.
#[derive(Clone, Debug, PartialEq)]
pub struct LearnerRow {
    /// The market.
    pub input: String,
    /// The ranking.
    pub ranking: String,
    /// Efficiency (purchases per user) over the whole run.
    pub efficiency: Estimate,
    /// Entropy of the item shares at the end (nats).
    pub entropy: Estimate,
    /// Cumulative regret against the quality oracle's slate, per user.
    pub regret_per_user: Estimate,
    /// ||q_hat - q|| of a learner at the end (`None` for other rankings).
    pub q_error: Option<Estimate>,
    /// The quality oracle's efficiency minus this ranking's (paired by run).
    pub gap: Estimate,
    /// Efficiency of the users of the last fifth of the run.
    pub late_efficiency: Estimate,
    /// The change of windowed efficiency from the fourth fifth to the last (paired by run).
    pub efficiency_change: Estimate,
    /// The change of entropy over the last fifth (nats).
    pub entropy_change: Estimate,
}

/// Experiment 2, one (response, warm start) cell.
#[derive(Clone, Debug, PartialEq)]
pub struct CompetitionRow {
    /// The response function.
    pub response: String,
    /// The warm start T0 of each platform.
    pub warm_start: u64,
    /// The greedy platform's final market share.
    pub greedy_share: Estimate,
    /// Its quartiles over runs.
    pub greedy_quartiles: (f64, f64, f64),
    /// Runs the greedy platform won (share > 1/2).
    pub greedy_wins: usize,
    /// Efficiency of the Thompson platform and the greedy platform.
    pub efficiency: (Estimate, Estimate),
    /// Purchases per user over both platforms.
    pub welfare: Estimate,
}

/// Experiment 3, one (reputation scope, P) cell.
#[derive(Clone, Debug, PartialEq)]
pub struct PlatformsRow {
    /// `per-type` or `overall`.
    pub scope: String,
    /// The number of platforms.
    pub platforms: usize,
    /// Mutual information between user type and chosen platform (bits).
    pub specialisation: Estimate,
    /// Its largest possible value (bits).
    pub specialisation_max: f64,
    /// Purchases per user over all platforms.
    pub welfare: Estimate,
    /// Entropy of the market's item purchases summed over platforms at the end (nats).
    pub diversity: Estimate,
    /// The smallest platform's final share.
    pub smallest_share: Estimate,
}

fn est(x: &[f64]) -> Estimate {
    Estimate::from_samples(x)
}

/// `mean ± half-width` with `d` decimals.
pub fn pm(e: &Estimate, d: usize) -> String {
    format!("{:.d$} ± {:.d$}", e.mean, e.half_width)
}

/// The index of the last measurement at or before step `t` (0 if none).
fn at_or_before(t: &ArenaTrajectory, step: u64) -> usize {
    t.points.iter().rposition(|p| p.step <= step).unwrap_or(0)
}

/// Purchases of platform 0 up to measurement k (one platform, no warm start: efficiency x step).
fn purchases(t: &ArenaTrajectory, k: usize) -> f64 {
    let p = &t.points[k];
    p.platforms[0].efficiency * p.step as f64
}

/// Efficiency of the users between measurements a and b (b > a), of a one-platform run.
fn window_efficiency(t: &ArenaTrajectory, a: usize, b: usize) -> f64 {
    let (sa, sb) = (t.points[a].step, t.points[b].step);
    if sb <= sa {
        return t.points[b].platforms[0].efficiency;
    }
    (purchases(t, b) - purchases(t, a)) / (sb - sa) as f64
}

/// The per-run values of experiment 1's measures for one arm.
struct ArmRuns {
    efficiency: Vec<f64>,
    entropy: Vec<f64>,
    regret: Vec<f64>,
    q_error: Vec<f64>,
    late: Vec<f64>,
    change: Vec<f64>,
    entropy_change: Vec<f64>,
}

fn arm_runs(s: &ArenaSummary) -> ArmRuns {
    let mut r = ArmRuns {
        efficiency: vec![],
        entropy: vec![],
        regret: vec![],
        q_error: vec![],
        late: vec![],
        change: vec![],
        entropy_change: vec![],
    };
    for t in &s.trajectories {
        let last = t.points.len() - 1;
        let end = t.points[last].step;
        let k4 = at_or_before(t, end * 4 / 5);
        let k3 = at_or_before(t, end * 3 / 5);
        let p = &t.points[last].platforms[0];
        r.efficiency.push(p.efficiency);
        r.entropy.push(p.entropy);
        r.regret.push(p.regret / end.max(1) as f64);
        if let Some(q) = p.q_error {
            r.q_error.push(q);
        }
        let late = window_efficiency(t, k4, last);
        r.late.push(late);
        r.change.push(late - window_efficiency(t, k3, k4));
        r.entropy_change
            .push(p.entropy - t.points[k4].platforms[0].entropy);
    }
    r
}

/// Experiment 1's rows (one per input and ranking, in cell order).
pub fn learners(results: &[CellResult<'_>]) -> Vec<LearnerRow> {
    let mut rows = Vec::new();
    let e1: Vec<&CellResult<'_>> = results.iter().filter(|r| r.cell.experiment == 1).collect();
    for r in &e1 {
        let oracle = e1
            .iter()
            .find(|o| o.cell.input == r.cell.input && o.cell.label == "quality oracle")
            .map(|o| arm_runs(&o.summary));
        let a = arm_runs(&r.summary);
        let gap: Vec<f64> = match &oracle {
            Some(o) => o
                .efficiency
                .iter()
                .zip(&a.efficiency)
                .map(|(x, y)| x - y)
                .collect(),
            None => vec![],
        };
        rows.push(LearnerRow {
            input: r.cell.input.name().into(),
            ranking: r.cell.label.clone(),
            efficiency: est(&a.efficiency),
            entropy: est(&a.entropy),
            regret_per_user: est(&a.regret),
            q_error: (!a.q_error.is_empty()).then(|| est(&a.q_error)),
            gap: est(&gap),
            late_efficiency: est(&a.late),
            efficiency_change: est(&a.change),
            entropy_change: est(&a.entropy_change),
        });
    }
    rows
}

fn final_platform<'a>(
    t: &'a ArenaTrajectory,
    names: &[String],
    name: &str,
) -> &'a marketloop_core::arena::PlatformPoint {
    let p = names.iter().position(|n| n == name).unwrap_or(0);
    &t.points[t.points.len() - 1].platforms[p]
}

/// Experiment 2's rows.
pub fn competition(results: &[CellResult<'_>]) -> Vec<CompetitionRow> {
    results
        .iter()
        .filter(|r| r.cell.experiment == 2)
        .map(|r| {
            let s = &r.summary;
            let mut share: Vec<f64> = s
                .trajectories
                .iter()
                .map(|t| final_platform(t, &s.names, "greedy").share)
                .collect();
            let eff = |n: &str| {
                est(&s
                    .trajectories
                    .iter()
                    .map(|t| final_platform(t, &s.names, n).efficiency)
                    .collect::<Vec<_>>())
            };
            let welfare: Vec<f64> = s
                .trajectories
                .iter()
                .map(|t| t.points[t.points.len() - 1].welfare)
                .collect();
            CompetitionRow {
                response: r.cell.response.unwrap_or_default().into(),
                warm_start: r.cell.warm_start.unwrap_or_default(),
                greedy_share: est(&share),
                greedy_wins: share.iter().filter(|&&x| x > 0.5).count(),
                greedy_quartiles: quartiles(&mut share),
                efficiency: (eff("Thompson"), eff("greedy")),
                welfare: est(&welfare),
            }
        })
        .collect()
}

/// Entropy (nats) of the item purchases summed over the platforms.
fn market_entropy(t: &ArenaTrajectory) -> f64 {
    let n = t.final_counts.first().map_or(0, Vec::len);
    let sums: Vec<f64> = (0..n)
        .map(|j| t.final_counts.iter().map(|c| c[j] as f64).sum())
        .collect();
    let total: f64 = sums.iter().sum();
    if total <= 0.0 {
        return 0.0;
    }
    -sums
        .iter()
        .filter(|&&x| x > 0.0)
        .map(|&x| (x / total) * (x / total).ln())
        .sum::<f64>()
}

/// Experiment 3's rows.
pub fn platforms(results: &[CellResult<'_>]) -> Vec<PlatformsRow> {
    results
        .iter()
        .filter(|r| r.cell.experiment == 3)
        .map(|r| {
            let ts = &r.summary.trajectories;
            let last = |t: &ArenaTrajectory| t.points.len() - 1;
            let col =
                |f: &dyn Fn(&ArenaTrajectory) -> f64| -> Vec<f64> { ts.iter().map(f).collect() };
            let maxes = col(&|t| t.points[last(t)].specialisation_max);
            PlatformsRow {
                scope: r.cell.scope.unwrap_or_default().into(),
                platforms: r.cell.platforms.unwrap_or_default(),
                specialisation: est(&col(&|t| t.points[last(t)].specialisation)),
                specialisation_max: maxes.iter().sum::<f64>() / maxes.len().max(1) as f64,
                welfare: est(&col(&|t| t.points[last(t)].welfare)),
                diversity: est(&col(&market_entropy)),
                smallest_share: est(&col(&|t| {
                    t.points[last(t)]
                        .platforms
                        .iter()
                        .map(|p| p.share)
                        .fold(f64::INFINITY, f64::min)
                })),
            }
        })
        .collect()
}

/// The findings of experiment 1 on each market (`tolerance`: the efficiency change per fifth of
/// the run below which a market counts as settled).
pub fn findings_1(rows: &[LearnerRow], tolerance: f64) -> Vec<(u32, Finding)> {
    let mut out = Vec::new();
    let mut inputs: Vec<&str> = rows.iter().map(|r| r.input.as_str()).collect();
    inputs.dedup();
    for input in inputs {
        let of = |name: &str| rows.iter().find(|r| r.input == input && r.ranking == name);
        let (Some(oracle), Some(random)) = (of("quality oracle"), of("random")) else {
            continue;
        };
        let span = oracle.efficiency.mean - random.efficiency.mean;
        for l in LEARNERS {
            let Some(r) = of(l) else { continue };
            let closed = if span.abs() > 1e-12 {
                (r.efficiency.mean - random.efficiency.mean) / span
            } else {
                f64::NAN
            };
            out.push((
                1,
                Finding {
                    claim: format!(
                        "[{input}] {l} learning ranking closes at least half of the efficiency gap \
                         between the random ranking and the quality oracle"
                    ),
                    holds: closed >= 0.5,
                    evidence: format!(
                        "efficiency {} vs oracle {} and random {}; gap to the oracle {} \
                         (paired); {:.0}% of the random-to-oracle gap closed",
                        pm(&r.efficiency, 4),
                        pm(&oracle.efficiency, 4),
                        pm(&random.efficiency, 4),
                        pm(&r.gap, 4),
                        100.0 * closed
                    ),
                },
            ));
        }
        if let Some(p) = of("performance") {
            out.push((
                1,
                Finding {
                    claim: format!(
                        "[{input}] the performance ranking (Abeliuk et al.) is at least as \
                         efficient as the quality ranking"
                    ),
                    holds: -p.gap.mean + p.gap.half_width >= 0.0,
                    evidence: format!(
                        "efficiency {} vs {}; quality minus performance {} (paired)",
                        pm(&p.efficiency, 4),
                        pm(&oracle.efficiency, 4),
                        pm(&p.gap, 4)
                    ),
                },
            ));
        }
        let settled: Vec<&LearnerRow> = LEARNERS
            .iter()
            .filter_map(|l| of(l))
            .filter(|r| {
                r.efficiency_change.mean.abs() + r.efficiency_change.half_width <= tolerance
            })
            .collect();
        let learners: Vec<&LearnerRow> = LEARNERS.iter().filter_map(|l| of(l)).collect();
        out.push((
            1,
            Finding {
                claim: format!(
                    "[{input}] the learning markets settle: for every learner the efficiency of \
                     the last fifth of the run differs from the fourth fifth's by at most \
                     {tolerance} (with its 95% CI)"
                ),
                holds: !learners.is_empty() && settled.len() == learners.len(),
                evidence: learners
                    .iter()
                    .map(|r| {
                        format!(
                            "{}: change {}, entropy change {} nats",
                            r.ranking,
                            pm(&r.efficiency_change, 4),
                            pm(&r.entropy_change, 4)
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("; "),
            },
        ));
    }
    out
}

/// The findings of experiment 2.
pub fn findings_2(rows: &[CompetitionRow]) -> Vec<(u32, Finding)> {
    let mut out = Vec::new();
    let of = |resp: &str, t0: u64| {
        rows.iter()
            .find(|r| r.response == resp && r.warm_start == t0)
    };
    if let Some(r) = of("HardMax", 20) {
        out.push((
            2,
            Finding {
                claim: "Greedy wins under strong competition with a short warm start: under \
                        HardMax with T0 = 20 the greedy platform's final share exceeds 1/2"
                    .into(),
                holds: r.greedy_share.mean - r.greedy_share.half_width > 0.5,
                evidence: format!(
                    "greedy share {} (median {:.3}); greedy won {} of {} runs",
                    pm(&r.greedy_share, 3),
                    r.greedy_quartiles.1,
                    r.greedy_wins,
                    r.greedy_share.n
                ),
            },
        ));
    }
    if let (Some(a), Some(b)) = (of("HardMax", 20), of("SoftMax", 500)) {
        out.push((
            2,
            Finding {
                claim: "Softer competition and a longer warm start favour Thompson sampling: the \
                        greedy share under SoftMax with T0 = 500 is below the greedy share under \
                        HardMax with T0 = 20"
                    .into(),
                holds: b.greedy_share.mean + b.greedy_share.half_width
                    < a.greedy_share.mean - a.greedy_share.half_width,
                evidence: format!(
                    "SoftMax, T0 = 500: {}; HardMax, T0 = 20: {}",
                    pm(&b.greedy_share, 3),
                    pm(&a.greedy_share, 3)
                ),
            },
        ));
    }
    out
}

/// The findings of experiment 3.
pub fn findings_3(rows: &[PlatformsRow]) -> Vec<(u32, Finding)> {
    let mut out = Vec::new();
    let per: Vec<&PlatformsRow> = rows.iter().filter(|r| r.scope == "per-type").collect();
    let of = |scope: &str, p: usize| rows.iter().find(|r| r.scope == scope && r.platforms == p);
    if !per.is_empty() {
        let above: Vec<String> = per
            .iter()
            .map(|r| {
                let ctl = of("overall", r.platforms)
                    .map_or_else(|| "-".into(), |c| pm(&c.specialisation, 4));
                format!(
                    "P = {}: {} bits of {:.3} (overall reputation: {ctl})",
                    r.platforms,
                    pm(&r.specialisation, 4),
                    r.specialisation_max
                )
            })
            .collect();
        let holds = per.iter().all(|r| {
            of("overall", r.platforms).is_some_and(|c| {
                r.specialisation.mean - r.specialisation.half_width
                    > c.specialisation.mean + c.specialisation.half_width
            })
        });
        out.push((
            3,
            Finding {
                claim: "Platforms specialise in user types under per-type reputation: for every \
                        P the type x platform mutual information exceeds that of the same market \
                        with one overall reputation"
                    .into(),
                holds,
                evidence: above.join("; "),
            },
        ));
        let (first, last) = (per[0], per[per.len() - 1]);
        out.push((
            3,
            Finding {
                claim: format!(
                    "Welfare does not fall as P grows: purchases per user with P = {} are no \
                     lower than with P = {} (within 95% CIs)",
                    last.platforms, first.platforms
                ),
                holds: last.welfare.mean + last.welfare.half_width
                    >= first.welfare.mean - first.welfare.half_width,
                evidence: per
                    .iter()
                    .map(|r| format!("P = {}: {}", r.platforms, pm(&r.welfare, 4)))
                    .collect::<Vec<_>>()
                    .join("; "),
            },
        ));
        out.push((
            3,
            Finding {
                claim: format!(
                    "Diversity grows with P: the entropy of the market's purchases with P = {} \
                     exceeds that with P = {}",
                    last.platforms, first.platforms
                ),
                holds: last.diversity.mean - last.diversity.half_width
                    > first.diversity.mean + first.diversity.half_width,
                evidence: per
                    .iter()
                    .map(|r| format!("P = {}: {} nats", r.platforms, pm(&r.diversity, 4)))
                    .collect::<Vec<_>>()
                    .join("; "),
            },
        ));
    }
    out
}
