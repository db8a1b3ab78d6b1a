//! How the cost of one market step grows with the catalogue and the population: each ranking
//! (static visibility with 50 visible items, random, popularity with first-to-reach and with
//! NumPy ties, quality) with the 50 MusicLab positions, as the number of items n grows (1,682,
//! 20,000, 200,000 at M = 100 types) and as the number of types M grows (1, 100, 1,000 at
//! n = 1,682). A step should cost O(positions), whatever n and M: this bench shows it rather
//! than assuming it (memory traffic still grows with the matrices).
//!
//! Run: `cargo bench -p marketloop-core --bench market_scaling` (or `scripts/bench-scaling.sh`).
//! Synthetic preferences (fixed seed); the matrices are generated, never read from disk.

use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion};
use marketloop_core::market::{
    Engine, InitialCounts, Market, PopularityRanking, PositionBias, QualityRanking, RandomRanking,
    Ranked, StaticVisibility, Streams, TieRule, TrialSampler,
};
use marketloop_core::rng::{SeedSequence, Source};
use rand::Rng;

/// A market of `m` types and `n` items with every item visible (v, q uniform in [0.2, 1)),
/// or with `visible` random items per type for static visibility.
fn market(m: usize, n: usize, visible: Option<usize>) -> Market {
    let mut rng = SeedSequence::new(7).stream(0, Source::Instance);
    let mut v = vec![0.0; m * n];
    for i in 0..m {
        match visible {
            Some(k) => {
                for _ in 0..k {
                    let j = rng.random_range(0..n);
                    v[i * n + j] = rng.random_range(0.2..1.0);
                }
            }
            None => v[i * n..(i + 1) * n]
                .iter_mut()
                .for_each(|x| *x = rng.random_range(0.2..1.0)),
        }
    }
    let q: Vec<f64> = (0..m * n).map(|_| rng.random_range(0.2..1.0)).collect();
    Market::builder()
        .items(n)
        .weights(vec![1.0 / m as f64; m])
        .visibility(v)
        .quality(q)
        .feedback(vec![0.5; m])
        .initial_counts(InitialCounts::Uniform { low: 2, high: 3 })
        .build()
        .unwrap()
}

/// Times one step of `sampler` on `mk` after 20,000 warm-up steps.
fn bench<S: TrialSampler>(
    g: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    name: &str,
    size: &str,
    mk: &Market,
    sampler: S,
) {
    let seeds = SeedSequence::new(1);
    let counts = mk.initial_counts(&mut seeds.stream(0, Source::Initial));
    let mut streams = Streams::new(seeds, 0);
    let mut engine = Engine::new(mk, sampler, counts, &mut streams.ranking).unwrap();
    for _ in 0..20_000 {
        engine.step(&mut streams);
    }
    g.bench_function(BenchmarkId::new(name, size), |b| {
        b.iter(|| black_box(engine.step(&mut streams)))
    });
}

/// Every ranking on a market of `m` types and `n` items.
fn rankings(
    g: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    m: usize,
    n: usize,
) {
    let size = format!("n={n} M={m}");
    let bias = PositionBias::musiclab();
    let p = bias.positions();
    bench(
        g,
        "static (50 visible)",
        &size,
        &market(m, n, Some(50)),
        StaticVisibility::new(),
    );
    let mk = market(m, n, None);
    bench(
        g,
        "random",
        &size,
        &mk,
        Ranked::new(RandomRanking::new(n, p), &bias),
    );
    for ties in [TieRule::FirstToReach, TieRule::NumpyArgsortReversed] {
        let sampler = Ranked::new(PopularityRanking::new(n, p, ties), &bias);
        bench(g, &format!("popularity ({ties})"), &size, &mk, sampler);
    }
    bench(
        g,
        "quality",
        &size,
        &mk,
        Ranked::new(QualityRanking::new(&mk, p), &bias),
    );
}

fn items(c: &mut Criterion) {
    let mut g = c.benchmark_group("step as n grows (M = 100)");
    g.sample_size(20);
    for n in [1682, 20_000, 200_000] {
        rankings(&mut g, 100, n);
    }
    g.finish();
}

fn types(c: &mut Criterion) {
    let mut g = c.benchmark_group("step as M grows (n = 1682)");
    g.sample_size(20);
    for m in [1, 100, 1000] {
        rankings(&mut g, m, 1682);
    }
    g.finish();
}

criterion_group!(benches, items, types);
criterion_main!(benches);
