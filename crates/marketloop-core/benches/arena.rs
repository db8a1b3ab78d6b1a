//! Benchmarks of the arena's hot path on the workload shape: n = 1682 items, 100 user
//! types, r = 0.5, 50 MusicLab positions. One user (arrival, platform choice, ranking, trial,
//! purchase, learning, reputation) for one platform with each learning ranking (greedy, UCB,
//! Thompson sampling) and the quality oracle, and for two platforms (greedy vs Thompson).
//! Targets (issue 11): greedy or UCB <= 400 ns per user, Thompson <= 3 us, two platforms
//! <= 1.5x one.
//!
//! Run: `cargo bench -p marketloop-core --bench arena` (on a quiet machine).
//! Synthetic preferences (fixed seed) stand in for MovieLens: the cost does not depend on them.

use criterion::{criterion_group, criterion_main, Criterion};
use marketloop_core::arena::{Arena, ArenaRankingSpec, LearningRule, LearningSpec, PlatformSpec};
use marketloop_core::market::{InitialCounts, Market, PositionBias};
use marketloop_core::rng::{SeedSequence, Source};
use rand::Rng;

const N: usize = 1682;
const M: usize = 100;

fn market() -> Market {
    let mut rng = SeedSequence::new(7).stream(0, Source::Instance);
    let v: Vec<f64> = (0..M * N).map(|_| rng.random_range(0.2..1.0)).collect();
    let q: Vec<f64> = (0..M * N).map(|_| rng.random_range(0.2..1.0)).collect();
    Market::builder()
        .items(N)
        .weights(vec![1.0 / M as f64; M])
        .visibility(v)
        .quality(q)
        .feedback(vec![0.5; M])
        .initial_counts(InitialCounts::Uniform { low: 2, high: 3 })
        .build()
        .unwrap()
}

fn learning(rule: LearningRule) -> ArenaRankingSpec {
    ArenaRankingSpec::Learning(LearningSpec {
        rule,
        alpha: 1.0,
        beta: 1.0,
        popularity_weighted: false,
    })
}

fn bench_arena(c: &mut Criterion, name: &str, mk: &Market, rankings: Vec<ArenaRankingSpec>) {
    let platforms = rankings
        .into_iter()
        .enumerate()
        .map(|(p, r)| PlatformSpec::new(format!("p{p}"), r))
        .collect();
    let arena = Arena::builder()
        .market(mk.clone())
        .position_bias(PositionBias::musiclab())
        .platforms(platforms)
        .steps(u64::MAX / 2)
        .every(u64::MAX / 4)
        .build()
        .unwrap();
    let mut run = arena.start(SeedSequence::new(1), 0).unwrap();
    // past the first, unrepresentative users
    run.step(20_000);
    c.bench_function(&format!("arena_user/{name}"), |b| {
        b.iter(|| run.step(1));
    });
}

fn benches(c: &mut Criterion) {
    let mk = market();
    bench_arena(c, "quality-oracle", &mk, vec![ArenaRankingSpec::Quality]);
    bench_arena(c, "greedy", &mk, vec![learning(LearningRule::Greedy)]);
    bench_arena(
        c,
        "ucb",
        &mk,
        vec![learning(LearningRule::Ucb {
            c: std::f64::consts::SQRT_2,
        })],
    );
    bench_arena(c, "thompson", &mk, vec![learning(LearningRule::Thompson)]);
    bench_arena(
        c,
        "greedy-vs-thompson",
        &mk,
        vec![
            learning(LearningRule::Greedy),
            learning(LearningRule::Thompson),
        ],
    );
}

criterion_group!(arena, benches);
criterion_main!(arena);
