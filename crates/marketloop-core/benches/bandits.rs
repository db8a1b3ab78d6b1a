//! Benchmarks of the competing-bandits hot paths: one policy selection and update per
//! algorithm, one competition round, one whole game, and table generation.
//!
//! Run: `cargo bench -p marketloop-core --bench bandits`.

use criterion::{black_box, criterion_group, criterion_main, BatchSize, Criterion};
use marketloop_core::bandits::{
    AlgorithmKind, ArgmaxTie, BanditPolicy, BetaPrior, CompetitionConfig, Experiment, InstanceSpec,
    MeanVector, RealizationTable, TableLayout,
};
use marketloop_core::rng::SeedSequence;

fn warmed(kind: &AlgorithmKind, rounds: usize) -> marketloop_core::bandits::Policy {
    let mut p = kind
        .build(10, BetaPrior::default(), ArgmaxTie::LowestIndex)
        .unwrap();
    let mut rng = SeedSequence::new(1).exploration_stream(0, 0);
    for t in 0..rounds {
        let a = p.select(&mut rng);
        p.update(a, f64::from(t % 3 == 0));
    }
    p
}

fn policies(c: &mut Criterion) {
    let mut g = c.benchmark_group("policy (K = 10, after 200 rounds)");
    for kind in [
        AlgorithmKind::BayesGreedy,
        AlgorithmKind::beg(),
        AlgorithmKind::ThompsonSampling,
        AlgorithmKind::Ucb1,
    ] {
        let mut p = warmed(&kind, 200);
        let mut rng = SeedSequence::new(2).exploration_stream(0, 0);
        g.bench_function(format!("{} select", kind.short()), |b| {
            b.iter(|| black_box(p.select(&mut rng)))
        });
        let mut t = 0u32;
        g.bench_function(format!("{} update", kind.short()), |b| {
            b.iter(|| {
                t = t.wrapping_add(1);
                p.update(black_box((t % 10) as usize), f64::from(t.is_multiple_of(2)))
            })
        });
    }
    // Thompson sampling in the state it spends most of a game in: one arm well explored, the
    // others weak (after 2000 rounds alone on a Needle-in-Haystack table).
    let means = MeanVector::new((0..10).map(|i| if i == 5 { 0.7 } else { 0.5 }).collect()).unwrap();
    let layout = TableLayout {
        isolation: 2000,
        ..TableLayout::default()
    };
    let seeds = SeedSequence::new(5);
    let table = RealizationTable::generate(&means, &layout, &seeds, 0).unwrap();
    let mut firm = marketloop_core::bandits::Firm::new(
        AlgorithmKind::ThompsonSampling
            .build(10, BetaPrior::default(), ArgmaxTie::LowestIndex)
            .unwrap(),
        100,
    )
    .unwrap();
    let mut rng = seeds.exploration_stream(0, 0);
    firm.serve_alone(
        table.phase(marketloop_core::bandits::Phase::Isolation),
        2000,
        &means,
        &mut rng,
    );
    let mut p = firm.policy().clone();
    g.bench_function("TS select (after 2000 rounds on Needle-in-Haystack)", |b| {
        b.iter(|| black_box(p.select(&mut rng)))
    });
    g.finish();
}

fn games(c: &mut Criterion) {
    let mut g = c.benchmark_group("competition");
    g.sample_size(20);
    for (a, b) in [("TS", "BG"), ("BG", "BEG")] {
        let cell = CompetitionConfig::paper(a.parse().unwrap(), b.parse().unwrap(), 250).unwrap();
        let exp =
            Experiment::new(InstanceSpec::uniform(10), vec![cell], SeedSequence::new(3)).unwrap();
        let mut r = 0u64;
        // One game = 2 x 250 warm-start rounds + 2000 game rounds, plus the table (2500 rows).
        g.bench_function(
            format!("one game {a} vs {b} (T0 = 250, T = 2000, with table)"),
            |bch| {
                bch.iter(|| {
                    r += 1;
                    black_box(exp.run_replicate(r).unwrap())
                })
            },
        );
    }
    let means = MeanVector::new(vec![0.5; 10]).unwrap();
    let layout = TableLayout {
        warm_start: vec![500, 500],
        game: 2000,
        ..TableLayout::default()
    };
    g.bench_function("realization table 3000 rows x 10 arms", |bch| {
        bch.iter_batched(
            || SeedSequence::new(4),
            |s| black_box(RealizationTable::generate(&means, &layout, &s, 0).unwrap()),
            BatchSize::SmallInput,
        )
    });
    g.finish();
}

criterion_group!(benches, policies, games);
criterion_main!(benches);
