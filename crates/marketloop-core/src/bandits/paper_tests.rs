//! The paper's claims as tests: Table 1 directions at reduced N, regret growth of the
//! algorithms, symmetry of identical firms, HardMax&Random(1) as a fair coin.

use super::*;
use crate::rng::SeedSequence;
use crate::runner::Schedule;

/// Table 1 of the spec: (pair, instance, T0) -> reference share of the first-named algorithm.
pub(crate) const TABLE1: [(&str, &str, [f64; 9]); 3] = [
    (
        "TS",
        "BG",
        [0.31, 0.72, 0.75, 0.68, 0.62, 0.65, 0.44, 0.52, 0.58],
    ),
    (
        "TS",
        "BEG",
        [0.30, 0.89, 0.90, 0.60, 0.52, 0.55, 0.41, 0.47, 0.55],
    ),
    (
        "BG",
        "BEG",
        [0.63, 0.60, 0.56, 0.42, 0.41, 0.39, 0.50, 0.46, 0.45],
    ),
];

fn instances() -> [InstanceSpec; 3] {
    [
        InstanceSpec::heavy_tail(10),
        InstanceSpec::needle_in_haystack(10),
        InstanceSpec::uniform(10),
    ]
}

fn table1(runs: u64, seed: u64) -> Vec<[Estimate; 9]> {
    let mut out = vec![[Estimate::default(); 9]; 3];
    for (ii, inst) in instances().into_iter().enumerate() {
        let mut cells = Vec::new();
        for &(a, b, _) in &TABLE1 {
            for t0 in [20, 250, 500] {
                cells.push(
                    CompetitionConfig::paper(a.parse().unwrap(), b.parse().unwrap(), t0).unwrap(),
                );
            }
        }
        let exp = Experiment::new(inst, cells, SeedSequence::new(seed)).unwrap();
        let res = exp.run(runs, Schedule::Parallel).unwrap();
        for p in 0..3 {
            for t in 0..3 {
                out[p][ii * 3 + t] = CellSummary::new(&res[p * 3 + t]).unwrap().share[0];
            }
        }
    }
    out
}

#[test]
#[ignore = "prints Table 1 at N = 1000 (run with --release -- --ignored --nocapture)"]
fn table1_at_paper_scale() {
    let start = std::time::Instant::now();
    let t = table1(1000, 2019);
    eprintln!("Table 1 grid in {:.2} s", start.elapsed().as_secs_f64());
    for (p, &(a, b, refs)) in TABLE1.iter().enumerate() {
        let cells: Vec<String> = (0..9)
            .map(|c| {
                format!(
                    "{:.3}±{:.3} ({:.2})",
                    t[p][c].mean, t[p][c].half_width, refs[c]
                )
            })
            .collect();
        eprintln!("{a} vs {b}: {}", cells.join(" | "));
    }
}

#[test]
fn table1_directions_at_reduced_n() {
    // N = 200: our half-widths are about 0.065. Every cell must be consistent with the paper
    // (within 3 combined half-widths), and every cell whose reference is more than 0.1 away
    // from 1/2 must have the same winner.
    let t = table1(200, 7);
    let mut checked = 0;
    for (p, &(a, b, refs)) in TABLE1.iter().enumerate() {
        for c in 0..9 {
            let e = t[p][c];
            let ref_hw = 0.03;
            assert!(
                (e.mean - refs[c]).abs() <= 3.0 * e.half_width.hypot(ref_hw),
                "{a} vs {b}, cell {c}: {:.3} ± {:.3} vs paper {:.2}",
                e.mean,
                e.half_width,
                refs[c]
            );
            if (refs[c] - 0.5).abs() > 0.1 {
                assert_eq!(
                    e.mean > 0.5,
                    refs[c] > 0.5,
                    "{a} vs {b}, cell {c}: {:.3} vs paper {:.2}",
                    e.mean,
                    refs[c]
                );
                checked += 1;
            }
        }
    }
    assert_eq!(checked, 11);
}

fn isolation_regret(alg: AlgorithmKind, rounds: usize, runs: u64) -> Estimate {
    let cfg = isolation::IsolationConfig {
        instance: InstanceSpec::Means {
            means: vec![0.45, 0.55, 0.5, 0.65, 0.4],
        },
        algorithms: vec![alg],
        prior: BetaPrior::default(),
        tie: ArgmaxTie::LowestIndex,
        window: 100,
        rounds,
        snapshots: vec![],
        seed: SeedSequence::new(31),
        rewards: RewardModel::default(),
    };
    let s = cfg.run(runs, Schedule::Parallel).unwrap();
    Estimate::from_samples(&s.final_regret[0])
}

#[test]
fn regret_growth_thompson_sublinear_greedy_linear() {
    let runs = 400;
    let (t1, t2) = (1000, 4000);
    // Thompson sampling: regret grows like log T, so quadrupling T far less than doubles it.
    let a = isolation_regret(AlgorithmKind::ThompsonSampling, t1, runs);
    let b = isolation_regret(AlgorithmKind::ThompsonSampling, t2, runs);
    assert!(
        b.mean + b.half_width < 2.0 * (a.mean - a.half_width),
        "TS: R(1000) = {a:?}, R(4000) = {b:?}"
    );
    // BayesGreedy gets stuck on a suboptimal arm with constant probability: linear regret.
    let a = isolation_regret(AlgorithmKind::BayesGreedy, t1, runs);
    let b = isolation_regret(AlgorithmKind::BayesGreedy, t2, runs);
    assert!(
        b.mean - b.half_width > 3.0 * (a.mean + a.half_width),
        "BG: R(1000) = {a:?}, R(4000) = {b:?}"
    );
    // Epsilon-greedy with a constant eps pays eps * (mean gap) per round for exploring (a
    // linear term by design); beyond that cost its regret is sublinear: it finds the best arm.
    let eps = 0.2;
    let means = [0.45, 0.55, 0.5, 0.65, 0.4];
    let mean_gap = means.iter().map(|m| 0.65 - m).sum::<f64>() / 5.0;
    let a = isolation_regret(AlgorithmKind::BayesEpsilonGreedy { eps }, t1, runs);
    let b = isolation_regret(AlgorithmKind::BayesEpsilonGreedy { eps }, t2, runs);
    let ea = a.mean - eps * mean_gap * t1 as f64;
    let eb = b.mean - eps * mean_gap * t2 as f64;
    assert!(
        ea - a.half_width > 0.0,
        "excess regret at T = 1000 must be measurable: {ea}"
    );
    assert!(
        eb + b.half_width < 2.0 * (ea - a.half_width),
        "BEG excess: {ea} at 1000, {eb} at 4000 ({a:?}, {b:?})"
    );
}

#[test]
fn identical_algorithms_split_the_market_evenly_and_shares_sum_to_one() {
    let runs = 1000;
    for alg in [AlgorithmKind::ThompsonSampling, AlgorithmKind::beg()] {
        let cell = CompetitionConfig::paper(alg.clone(), alg.clone(), 20).unwrap();
        let exp =
            Experiment::new(InstanceSpec::uniform(10), vec![cell], SeedSequence::new(12)).unwrap();
        let res = exp.run(runs, Schedule::Parallel).unwrap();
        let s = CellSummary::new(&res[0]).unwrap();
        assert!((s.share[0].mean + s.share[1].mean - 1.0).abs() < 1e-12);
        // 4 standard errors (the half-width is 1.96 of them).
        let se = s.share[0].half_width / 1.96;
        assert!(
            (s.share[0].mean - 0.5).abs() < 4.0 * se,
            "{} vs {}: {:?}",
            alg.short(),
            alg.short(),
            s.share[0]
        );
    }
}

#[test]
fn hardmax_random_with_eps_one_splits_exactly_in_half_in_expectation() {
    // Every user flips a fair coin whatever the reputations: firm 1's total count over all
    // runs is Binomial(N T, 1/2); allow 5 standard deviations.
    let runs = 300u64;
    let cell = CompetitionConfig {
        response: ResponseSpec::HardMaxRandom { eps: 1.0 },
        ..CompetitionConfig::paper(
            AlgorithmKind::ThompsonSampling,
            AlgorithmKind::BayesGreedy,
            20,
        )
        .unwrap()
    };
    let exp = Experiment::new(
        InstanceSpec::heavy_tail(10),
        vec![cell],
        SeedSequence::new(13),
    )
    .unwrap();
    let res = exp.run(runs, Schedule::Parallel).unwrap();
    let total: u64 = res[0].iter().map(|o| u64::from(o.chosen[0])).sum();
    let n = (runs * 2000) as f64;
    assert!(
        (total as f64 - n / 2.0).abs() < 5.0 * (n / 4.0).sqrt(),
        "{total} of {n}"
    );
}
