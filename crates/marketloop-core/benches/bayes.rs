//! Benchmarks of the Bayesian-choice model's two phases at the scale targets:
//! the reward curves for T = 2,000 from 100,000 prior draws (target <= 10 s on 2 cores) of BG
//! alone at K = 10 and of BG with TS at K = 3 (the Theorem 4.2 example's instance), and the exact
//! game for T = 20,000 with 2 principals once the curves exist (target <= 5 s). The whole
//! command at K = 3 and K = 10 is timed by `scripts/bench-bayes.sh`.
//! Fixed seeds; run by the lead on a quiet machine (`cargo bench --bench bayes`).

use criterion::{criterion_group, criterion_main, Criterion};
use marketloop_core::bandits::bayesian::{
    BandRule, BayesGame, BayesPrior, Belief, Curve, CurvesConfig, RewCurves,
};
use marketloop_core::bandits::{AlgorithmKind, ArgmaxTie, InstanceSpec, ResponseSpec};
use marketloop_core::rng::SeedSequence;
use marketloop_core::runner::Schedule;
use std::hint::black_box;

fn curves_bg_2000_by_100000(c: &mut Criterion) {
    let cfg = CurvesConfig {
        prior: BayesPrior::Instance(InstanceSpec::heavy_tail(10)),
        belief: Belief::True,
        tie: ArgmaxTie::LowestIndex,
        algorithms: vec![AlgorithmKind::BayesGreedy],
        steps: 2000,
        paths: 100_000,
    };
    let mut g = c.benchmark_group("bayes curves");
    g.sample_size(10);
    g.bench_function("BG, Heavy-Tail K=10, T=2000, 100000 paths", |b| {
        b.iter(|| {
            cfg.estimate(SeedSequence::new(1), Schedule::Parallel)
                .unwrap()
        })
    });
    let with_ts = CurvesConfig {
        prior: BayesPrior::Instance(InstanceSpec::heavy_tail(3)),
        algorithms: vec![AlgorithmKind::BayesGreedy, AlgorithmKind::ThompsonSampling],
        ..cfg.clone()
    };
    g.bench_function("BG and TS, Heavy-Tail K=3, T=2000, 100000 paths", |b| {
        b.iter(|| {
            with_ts
                .estimate(SeedSequence::new(1), Schedule::Parallel)
                .unwrap()
        })
    });
    g.finish();
}

/// Synthetic rising curves (the game's cost does not depend on their values).
fn synthetic(steps: usize) -> RewCurves {
    let curve = |label: &str, top: f64| {
        let rew: Vec<f64> = (0..steps)
            .map(|n| 0.5 + (top - 0.5) * (1.0 - (-(n as f64) / 50.0).exp()))
            .collect();
        Curve {
            label: label.into(),
            rew_se: vec![1e-3; steps],
            bir_se: vec![1e-3; steps],
            gain_se: vec![1e-3; steps - 1],
            rew,
        }
    };
    RewCurves {
        paths: 100_000,
        best: 0.8,
        best_se: 1e-3,
        algorithms: vec![curve("A", 0.78), curve("B", 0.75)],
        pairs: vec![],
    }
}

fn game_20000(c: &mut Criterion) {
    let curves = synthetic(20_000);
    let mut g = c.benchmark_group("bayes game");
    g.sample_size(10);
    for (name, response, tail_tolerance) in [
        ("exact, HardMax", ResponseSpec::HardMax { bias: 0.5 }, 0.0),
        (
            "exact, SoftMax",
            ResponseSpec::SoftMax { temperature: 0.05 },
            0.0,
        ),
        (
            "tail 1e-15, SoftMax",
            ResponseSpec::SoftMax { temperature: 0.05 },
            1e-15,
        ),
        (
            "tail 1e-15, HardMax&Random",
            ResponseSpec::HardMaxRandom { eps: 0.1 },
            1e-15,
        ),
    ] {
        let game = BayesGame {
            response: response.into(),
            rounds: 20_000,
            warm_start: 0,
            band: 3.0,
            band_rule: BandRule::Tie,
            tail_tolerance,
            first: 0,
            second: 1,
        };
        g.bench_function(format!("game, T=20000, {name}"), |b| {
            b.iter(|| black_box(game.run(&curves).unwrap()))
        });
    }
    g.finish();
}

criterion_group!(benches, curves_bg_2000_by_100000, game_20000);
criterion_main!(benches);
