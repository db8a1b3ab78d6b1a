//! Benchmarks of the trial-offer market's hot path: one market step (arrival, trial, purchase
//! coin, bookkeeping) on the Figure-2 workload shape: n = 1682 items, r = 0.5, initial counts
//! uniform in {2, 3}, homogeneous (m = 1) and heterogeneous (m = 100) users; static visibility
//! with 50 visible items per type, and each ranking strategy with the 50 MusicLab positions.
//! Plus one whole 300,000-step replicate per ranking strategy (the Figure-2 unit of work), run
//! whole and stepped by the caller; and a step of the learning explore-then-exploit ranking.
//!
//! Run: `cargo bench -p marketloop-core --bench market_step`.
//! Synthetic preferences (fixed seed) stand in for MovieLens: the cost does not depend on them.

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use marketloop_core::market::{
    Engine, ExploreThenExploit, InitialCounts, Market, PopularityRanking, PositionBias,
    QualityRanking, RandomRanking, Ranked, RankingSpec, Simulation, StaticVisibility, Streams,
    TieRule, TrialSampler, Visibility,
};
use marketloop_core::rng::{SeedSequence, Source};
use rand::Rng;

const N: usize = 1682;

/// A market of `m` types; with `visible = Some(k)` each type sees k random items (v = 0
/// elsewhere), else every item.
fn market(m: usize, visible: Option<usize>) -> Market {
    let mut rng = SeedSequence::new(7).stream(0, Source::Instance);
    let mut v = vec![0.0; m * N];
    for i in 0..m {
        match visible {
            Some(k) => {
                let mut items: Vec<usize> = (0..N).collect();
                for p in 0..k {
                    let j = rng.random_range(p..N);
                    items.swap(p, j);
                }
                for &j in &items[..k] {
                    v[i * N + j] = rng.random_range(0.2..1.0);
                }
            }
            None => {
                for j in 0..N {
                    v[i * N + j] = rng.random_range(0.2..1.0);
                }
            }
        }
    }
    let q: Vec<f64> = (0..m * N).map(|_| rng.random_range(0.2..1.0)).collect();
    Market::builder()
        .items(N)
        .weights(vec![1.0 / m as f64; m])
        .visibility(v)
        .quality(q)
        .feedback(vec![0.5; m])
        .initial_counts(InitialCounts::Uniform { low: 2, high: 3 })
        .build()
        .unwrap()
}

fn bench_engine<S: TrialSampler>(c: &mut Criterion, name: &str, mk: &Market, sampler: S) {
    let seeds = SeedSequence::new(1);
    let counts = mk.initial_counts(&mut seeds.stream(0, Source::Initial));
    let mut streams = Streams::new(seeds, 0);
    let mut engine = Engine::new(mk, sampler, counts, &mut streams.ranking).unwrap();
    // warm up to a state like the middle of a Figure-2 run
    for _ in 0..100_000 {
        engine.step(&mut streams);
    }
    c.bench_function(name, |b| b.iter(|| black_box(engine.step(&mut streams))));
}

fn steps(c: &mut Criterion) {
    let bias = PositionBias::musiclab();
    for m in [1usize, 100] {
        let sparse = market(m, Some(50));
        bench_engine(
            c,
            &format!("step static m={m} n={N} 50 visible"),
            &sparse,
            StaticVisibility::new(),
        );
        let mk = market(m, None);
        let p = bias.positions();
        bench_engine(
            c,
            &format!("step random m={m}"),
            &mk,
            Ranked::new(RandomRanking::new(N, p), &bias),
        );
        bench_engine(
            c,
            &format!("step popularity(first-to-reach) m={m}"),
            &mk,
            Ranked::new(PopularityRanking::new(N, p, TieRule::FirstToReach), &bias),
        );
        bench_engine(
            c,
            &format!("step popularity(random ties) m={m}"),
            &mk,
            Ranked::new(PopularityRanking::new(N, p, TieRule::Random), &bias),
        );
        bench_engine(
            c,
            &format!("step quality m={m}"),
            &mk,
            Ranked::new(QualityRanking::new(&mk, p), &bias),
        );
        // exploring for the first 50k of the 100k warm-up steps, then exploiting
        bench_engine(
            c,
            &format!("step explore-then-exploit (exploiting) m={m}"),
            &mk,
            Ranked::new(ExploreThenExploit::new(&mk, p, 50_000), &bias),
        );
    }
}

fn replicate(c: &mut Criterion) {
    let mut g = c.benchmark_group("one 300k-step replicate, m=100");
    g.sample_size(10);
    let mk = market(100, None);
    for ranking in [
        RankingSpec::Random,
        RankingSpec::Popularity {
            ties: TieRule::FirstToReach,
        },
        RankingSpec::Quality,
    ] {
        let name = ranking.name();
        let sim = Simulation::new(
            mk.clone(),
            Visibility::Ranked {
                ranking,
                bias: PositionBias::musiclab(),
            },
            300_000,
            1000,
            false,
        )
        .unwrap();
        g.bench_function(name, |b| {
            b.iter(|| black_box(sim.run_replicate(SeedSequence::new(3), 0)))
        });
        // the same replicate stepped by the caller, 1000 steps per call (Simulation::start)
        g.bench_function(format!("{name}, stepped"), |b| {
            b.iter(|| {
                let mut run = sim.start(SeedSequence::new(3), 0);
                while run.step(1000) > 0 {}
                black_box(run.trajectory())
            })
        });
    }
    g.finish();
}

criterion_group!(benches, steps, replicate);
criterion_main!(benches);
