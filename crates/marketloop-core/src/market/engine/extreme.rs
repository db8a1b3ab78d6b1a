//! Tests of the engine at extreme parameters (issue 13): huge feedback exponents, visibility
//! and position factors near the ends of the `f64` range give the same probabilities (hence
//! the same trajectories) as moderate ones, never an overflow's wrong numbers.

use crate::market::model::{InitialCounts, Market};
use crate::market::position_bias::PositionBias;
use crate::market::ranking::RankingSpec;
use crate::market::{Simulation, Visibility};
use crate::rng::SeedSequence;

fn two_types(r: f64, scale: f64) -> Market {
    Market::builder()
        .items(5)
        .weights(vec![0.4, 0.6])
        .visibility(
            [1.0, 0.8, 0.6, 0.4, 0.2, 0.2, 0.4, 0.6, 0.8, 1.0]
                .iter()
                .map(|v| v * scale)
                .collect::<Vec<_>>(),
        )
        .quality(vec![0.9, 0.5, 0.6, 0.3, 0.2, 0.3, 0.4, 0.7, 0.6, 0.8])
        .feedback(vec![r, r])
        .initial_counts(InitialCounts::Fixed(vec![1; 5]))
        .build()
        .unwrap()
}

fn final_shares(sim: &Simulation, replicate: u64) -> Vec<f64> {
    let t = sim.run_replicate(SeedSequence::new(7), replicate);
    let total: u64 = t.final_counts.iter().sum();
    t.final_counts
        .iter()
        .map(|&c| c as f64 / total as f64)
        .collect()
}

#[test]
fn a_huge_feedback_exponent_keeps_the_leader_leading() {
    // r = 100: d^100 overflows at d ~ 1200. The leader after 1000 steps must stay the leader
    // (with r = 100 the market is a winner-take-all: an item with count 1 has probability
    // ~ 1000^-100 of being tried).
    let mk = two_types(100.0, 1.0);
    for replicate in 0..3 {
        let early = final_shares(
            &Simulation::new(mk.clone(), Visibility::Static, 1000, 1000, false).unwrap(),
            replicate,
        );
        let late = final_shares(
            &Simulation::new(mk.clone(), Visibility::Static, 20_000, 1000, false).unwrap(),
            replicate,
        );
        let leader = (0..5)
            .max_by(|&a, &b| early[a].total_cmp(&early[b]))
            .unwrap();
        assert!(
            late[leader] > early[leader].min(0.99),
            "{early:?} -> {late:?}"
        );
        assert!(late.iter().all(|s| s.is_finite()));
    }
}

#[test]
fn visibility_scale_does_not_change_the_run() {
    // A common factor on a visibility row changes no trial probability: the runs are identical
    // for factors 2^-1000 .. 2^1000 (powers of two: exact) and the same market at scale 1.
    let reference = Simulation::new(two_types(0.5, 1.0), Visibility::Static, 3000, 1000, false)
        .unwrap()
        .run_replicate(SeedSequence::new(3), 0);
    for scale in [
        2f64.powi(-1000),
        2f64.powi(-500),
        2f64.powi(500),
        2f64.powi(1000),
    ] {
        let t = Simulation::new(two_types(0.5, scale), Visibility::Static, 3000, 1000, false)
            .unwrap()
            .run_replicate(SeedSequence::new(3), 0);
        assert_eq!(t.final_counts, reference.final_counts, "scale {scale:e}");
    }
    // Any other factor in [1e-300, 1e300]: the same efficiency up to sampling noise is not
    // needed: the probabilities agree to rounding, so the runs agree for these seeds.
    for scale in [1e-300, 1e300, 1e307] {
        let t = Simulation::new(two_types(0.5, scale), Visibility::Static, 3000, 1000, false)
            .unwrap()
            .run_replicate(SeedSequence::new(3), 0);
        let (a, b) = (
            t.measurements[2].efficiency,
            reference.measurements[2].efficiency,
        );
        assert!((a - b).abs() < 0.05, "scale {scale:e}: {a} vs {b}");
    }
}

#[test]
fn huge_position_factors_rank_like_equal_moderate_ones() {
    let mk = two_types(0.5, 1.0);
    let run = |bias: Vec<f64>| {
        Simulation::new(
            mk.clone(),
            Visibility::Ranked {
                ranking: RankingSpec::Quality,
                bias: PositionBias::new(bias).unwrap(),
            },
            3000,
            1000,
            false,
        )
        .unwrap()
        .run_replicate(SeedSequence::new(5), 0)
    };
    let one = run(vec![1.0; 5]);
    let huge = run(vec![2f64.powi(1000); 5]);
    assert_eq!(one.final_counts, huge.final_counts);
    let near_max = run(vec![1e307; 5]);
    let (a, b) = (
        near_max.measurements[2].efficiency,
        one.measurements[2].efficiency,
    );
    assert!((a - b).abs() < 0.05, "{a} vs {b}");
}
