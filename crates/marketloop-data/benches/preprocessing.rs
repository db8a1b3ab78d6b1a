//! Benchmarks of the MovieLens preprocessing on the MovieLens-100K shape (943 users x 1682
//! movies, 100,000 ratings), with synthetic ratings so no data is needed: one biased-SVD fit
//! (100 factors, 20 epochs), the completion of all 1.6 M cells, one k-means run (M = 100, one
//! restart) on the completed rows, and the group preference matrices.
//!
//! Run: `cargo bench -p marketloop-data --bench preprocessing`.

use criterion::{criterion_group, criterion_main, Criterion};
use marketloop_core::rng::{SeedSequence, Source};
use marketloop_data::completion::{BiasedSvd, CompletedMatrix, SvdConfig};
use marketloop_data::kmeans::{KMeans, KMeansConfig};
use marketloop_data::preferences::{group_preferences, PreferenceConfig};
use marketloop_data::{Rating, RatingMatrix};
use rand::Rng;
use std::hint::black_box;

/// 100,000 distinct (user, item) ratings in 1..=5 with a low-rank signal.
fn ratings() -> RatingMatrix {
    let (nu, ni) = (943usize, 1682usize);
    let mut rng = SeedSequence::new(1).stream(0, Source::Preprocessing);
    let a: Vec<f64> = (0..nu).map(|_| rng.random_range(-1.0..1.0)).collect();
    let b: Vec<f64> = (0..ni).map(|_| rng.random_range(-1.0..1.0)).collect();
    let mut seen = std::collections::HashSet::new();
    let mut v = Vec::with_capacity(100_000);
    while v.len() < 100_000 {
        let (u, i) = (rng.random_range(0..nu), rng.random_range(0..ni));
        if seen.insert((u, i)) {
            let r = (3.0 + 1.5 * a[u] * b[i] + rng.random_range(-0.7..0.7f64))
                .round()
                .clamp(1.0, 5.0);
            v.push(Rating {
                user: u as u32,
                item: i as u32,
                value: r,
            });
        }
    }
    RatingMatrix::new(nu, ni, v).unwrap()
}

fn preprocessing(c: &mut Criterion) {
    let data = ratings();
    let svd = BiasedSvd::new(SvdConfig::default()).unwrap();
    let mut g = c.benchmark_group("movielens-100k shape");
    g.sample_size(10);
    g.bench_function("svd fit (100 factors, 20 epochs)", |b| {
        b.iter(|| {
            let mut rng = SeedSequence::new(2).stream(0, Source::Preprocessing);
            black_box(svd.fit(&data, &mut rng).unwrap())
        })
    });
    let model = svd
        .fit(
            &data,
            &mut SeedSequence::new(2).stream(0, Source::Preprocessing),
        )
        .unwrap();
    g.bench_function("complete 943 x 1682", |b| {
        b.iter(|| black_box(CompletedMatrix::new(&data, &model).unwrap()))
    });
    let completed = CompletedMatrix::new(&data, &model).unwrap();
    let gamma = completed.preferences();
    let km = KMeans::new(KMeansConfig {
        k: 100,
        restarts: 1,
        ..KMeansConfig::default()
    })
    .unwrap();
    g.bench_function("k-means M = 100, one restart", |b| {
        b.iter(|| black_box(km.fit(&gamma, 943, 1682, SeedSequence::new(3)).unwrap()))
    });
    let labels = km
        .fit(&gamma, 943, 1682, SeedSequence::new(3))
        .unwrap()
        .labels;
    g.bench_function("group preferences M = 100", |b| {
        b.iter(|| {
            black_box(
                group_preferences(
                    &gamma,
                    &completed.observed,
                    943,
                    1682,
                    &labels,
                    100,
                    PreferenceConfig::default(),
                )
                .unwrap(),
            )
        })
    });
    g.finish();
}

criterion_group!(benches, preprocessing);
criterion_main!(benches);
