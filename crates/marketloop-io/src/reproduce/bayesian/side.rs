//! Side by side with Section 5: on Heavy-Tail, Needle-in-Haystack and Uniform (K = 10, Beta(1, 1)
//! beliefs, HardMax with fair ties, T0 warm-start agents per principal), the Bayesian-choice
//! expected market share next to the reputation-choice market share of the same cell (the
//! paper's Table 1 value and this run's, from the competition engine).

use super::BayesianConfig;
use crate::reproduce::bandits::paper::TABLE1_REF;
use crate::table::{Column, Table};
use crate::IoError;
use marketloop_core::bandits::bayesian::{
    BandRule, BayesGame, BayesPrior, BayesResponse, Belief, CurvesConfig,
};
use marketloop_core::bandits::{
    AlgorithmKind, ArgmaxTie, BetaPrior, CellSummary, CompetitionConfig, Experiment, InstanceSpec,
    ResponseSpec,
};
use marketloop_core::rng::SeedSequence;
use marketloop_core::runner::Schedule;

/// The warm starts of Table 1.
pub const WARM_STARTS: [usize; 3] = [20, 250, 500];

/// One cell: instance, T0, pair, and the two models' shares of the first-named algorithm.
#[derive(Clone, Debug, PartialEq)]
pub struct SideCell {
    /// Instance name.
    pub instance: String,
    /// Warm start T0.
    pub t0: usize,
    /// "TS vs BG", ...
    pub pair: String,
    /// Bayesian-choice expected share.
    pub bayes_share: f64,
    /// Its standard deviation over the agents' choices.
    pub bayes_sd: f64,
    /// Flagged rounds of the Bayesian game.
    pub flagged: usize,
    /// Reputation-choice share (mean over runs) and its 95% half-width, this run.
    pub reputation: (f64, f64),
    /// The paper's Table 1 value (mean, half-width).
    pub paper: (f64, f64),
}

/// Computes every cell (3 instances x 3 T0 x 3 pairs).
pub fn side_by_side(cfg: &BayesianConfig) -> Result<Vec<SideCell>, IoError> {
    let k = 10;
    let instances = [
        InstanceSpec::heavy_tail(k),
        InstanceSpec::needle_in_haystack(k),
        InstanceSpec::uniform(k),
    ];
    let algs = [
        AlgorithmKind::ThompsonSampling,
        AlgorithmKind::BayesGreedy,
        AlgorithmKind::beg(),
    ];
    let pairs = [(0usize, 1usize), (0, 2), (1, 2)];
    let t = cfg.side_t;
    let seeds = SeedSequence::new(cfg.seed);
    let mut out = Vec::new();
    for (ii, inst) in instances.iter().enumerate() {
        let curves = CurvesConfig {
            prior: BayesPrior::Instance(inst.clone()),
            belief: Belief::Beta(BetaPrior::default()),
            tie: ArgmaxTie::LowestIndex,
            algorithms: algs.to_vec(),
            steps: t + WARM_STARTS[2],
            paths: cfg.side_paths,
        }
        .estimate(
            seeds.derive(&format!("side-{}", inst.label())),
            Schedule::Parallel,
        )?;
        let mut cells = Vec::new();
        for &t0 in &WARM_STARTS {
            for &(a, b) in &pairs {
                cells.push(CompetitionConfig {
                    t,
                    ..CompetitionConfig::paper(algs[a].clone(), algs[b].clone(), t0)?
                });
            }
        }
        let reputation =
            Experiment::new(inst.clone(), cells, seeds)?.run(cfg.runs, Schedule::Parallel)?;
        let mut cell = 0;
        for (ti, &t0) in WARM_STARTS.iter().enumerate() {
            for (pi, &(a, b)) in pairs.iter().enumerate() {
                let o = BayesGame {
                    response: BayesResponse::Spec(ResponseSpec::HardMax { bias: 0.5 }),
                    rounds: t,
                    warm_start: t0,
                    band: cfg.band,
                    band_rule: BandRule::Tie,
                    tail_tolerance: 0.0,
                    first: a,
                    second: b,
                }
                .run(&curves)?;
                let rep = CellSummary::new(&reputation[cell])
                    .ok_or_else(|| IoError::spec("runs", "no runs: give runs >= 1"))?;
                out.push(SideCell {
                    instance: inst.display_name().into(),
                    t0,
                    pair: format!("{} vs {}", algs[a].short(), algs[b].short()),
                    bayes_share: o.share,
                    bayes_sd: o.share_sd,
                    flagged: o.flagged.len(),
                    reputation: (rep.share[0].mean, rep.share[0].half_width),
                    paper: TABLE1_REF[pi].1[ii * 3 + ti],
                });
                cell += 1;
            }
        }
    }
    Ok(out)
}

/// The cells as a table.
pub fn side_table(cells: &[SideCell]) -> Result<Table, IoError> {
    let s = |f: &dyn Fn(&SideCell) -> String| Column::Str(cells.iter().map(f).collect());
    let x = |f: &dyn Fn(&SideCell) -> f64| Column::F64(cells.iter().map(f).collect());
    Table::new()
        .with("instance", s(&|c| c.instance.clone()))?
        .with(
            "t0",
            Column::I64(cells.iter().map(|c| c.t0 as i64).collect()),
        )?
        .with("pair", s(&|c| c.pair.clone()))?
        .with("bayesian_share", x(&|c| c.bayes_share))?
        .with("bayesian_sd", x(&|c| c.bayes_sd))?
        .with(
            "bayesian_flagged",
            Column::I64(cells.iter().map(|c| c.flagged as i64).collect()),
        )?
        .with("reputation_share", x(&|c| c.reputation.0))?
        .with("reputation_half_width", x(&|c| c.reputation.1))?
        .with("paper_share", x(&|c| c.paper.0))?
        .with("paper_half_width", x(&|c| c.paper.1))
}
