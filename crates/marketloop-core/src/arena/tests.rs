//! The arena against the two models it joins (P = 1 is `market simulate` bit for bit; items =
//! arms under the first-position rule with P = 2 is the competing-bandits game), its validation,
//! and properties of the learning, reputation and specialisation dynamics.

use super::*;
use crate::bandits::{
    AlgorithmKind, CompetitionConfig, CompetitionRun, InstanceSpec, NeedlePosition, ResponseSpec,
};
use crate::market::{
    ChoiceModel, InitialCounts, Market, MultinomialLogit, PositionBias, RankingSpec, Simulation,
    TieRule, Visibility,
};
use crate::rng::SeedSequence;

pub(super) fn hetero_market() -> Market {
    market_with_feedback([0.5, 0.8, 1.2])
}

/// The three-type test market with feedback exponents `r`.
fn market_with_feedback(r: [f64; 3]) -> Market {
    let (m, n) = (3, 30);
    let v: Vec<f64> = (0..m * n)
        .map(|k| 0.1 + ((k * 7) % 11) as f64 / 11.0)
        .collect();
    let q: Vec<f64> = (0..m * n)
        .map(|k| 0.05 + ((k * 13) % 17) as f64 / 20.0)
        .collect();
    Market::builder()
        .items(n)
        .weights([0.2, 0.3, 0.5])
        .visibility(v)
        .quality(q)
        .feedback(r)
        .initial_counts(InitialCounts::Uniform { low: 2, high: 3 })
        .build()
        .unwrap()
}

fn one_platform(market: &Market, ranking: ArenaRankingSpec, bias: &PositionBias) -> Arena {
    Arena::builder()
        .market(market.clone())
        .position_bias(bias.clone())
        .platforms(vec![PlatformSpec::new("only", ranking)])
        .steps(20_000)
        .every(1000)
        .build()
        .unwrap()
}

#[test]
fn one_platform_with_a_market_ranking_is_market_simulate_bit_for_bit() {
    let mk = hetero_market();
    let bias = PositionBias::log_discount(12).unwrap();
    let cases = [
        (RankingSpec::Quality, ArenaRankingSpec::Quality),
        (RankingSpec::Random, ArenaRankingSpec::Random),
        (
            RankingSpec::Popularity {
                ties: TieRule::FirstToReach,
            },
            ArenaRankingSpec::Popularity {
                ties: TieRule::FirstToReach,
            },
        ),
        (
            RankingSpec::Popularity {
                ties: TieRule::Random,
            },
            ArenaRankingSpec::Popularity {
                ties: TieRule::Random,
            },
        ),
    ];
    for (market_ranking, arena_ranking) in cases {
        let sim = Simulation::new(
            mk.clone(),
            Visibility::Ranked {
                ranking: market_ranking.clone(),
                bias: bias.clone(),
            },
            20_000,
            1000,
            false,
        )
        .unwrap();
        let arena = one_platform(&mk, arena_ranking, &bias);
        for rep in [0, 3] {
            let seeds = SeedSequence::new(77);
            let want = sim.run_replicate(seeds, rep);
            let got = arena.run_replicate(seeds, rep).unwrap();
            assert_eq!(got.initial_counts, want.initial_counts);
            assert_eq!(got.final_counts[0], want.final_counts, "{market_ranking:?}");
            assert_eq!(got.trials[0], want.trials);
            assert_eq!(got.points.len(), want.measurements.len());
            for (a, b) in got.points.iter().zip(&want.measurements) {
                assert_eq!(a.step, b.step);
                assert_eq!(a.platforms[0].efficiency.to_bits(), b.efficiency.to_bits());
                assert_eq!(a.platforms[0].entropy.to_bits(), b.entropy.to_bits());
                assert_eq!(a.platforms[0].share, 1.0);
                assert_eq!(a.welfare.to_bits(), b.efficiency.to_bits());
            }
        }
    }
}

#[test]
fn stepping_in_chunks_equals_one_whole_run() {
    let mk = hetero_market();
    let bias = PositionBias::log_discount(8).unwrap();
    let learn = |rule| {
        ArenaRankingSpec::Learning(LearningSpec {
            rule,
            alpha: 1.0,
            beta: 1.0,
            popularity_weighted: true,
        })
    };
    let mut late = PlatformSpec::new("late", learn(LearningRule::Thompson));
    late.entry = 777;
    late.warm_start = 50;
    late.personalised = false;
    let arena = Arena::builder()
        .market(mk)
        .position_bias(bias)
        .platforms(vec![
            PlatformSpec::new("greedy", learn(LearningRule::EpsilonGreedy { eps: 0.1 })),
            late,
            PlatformSpec::new("perf", ArenaRankingSpec::Performance),
        ])
        .reputation(ReputationScope::PerType)
        .response(ResponseSpec::SoftMax { temperature: 0.1 })
        .steps(5000)
        .every(600)
        .build()
        .unwrap();
    let seeds = SeedSequence::new(4);
    let whole = arena.run_replicate(seeds, 2).unwrap();
    let mut run = arena.start(seeds, 2).unwrap();
    for chunk in [1, 7, 600, 1, 2000, 9999] {
        run.step(chunk);
    }
    assert!(run.is_finished());
    assert_eq!(run.trajectory(), whole);
    assert_eq!(arena.run_replicate(seeds, 2).unwrap(), whole, "run twice");
    // A stop request (Ctrl-C) ends the run at its next measurement; outside the stop scope the
    // same run goes on to exactly the uninterrupted trajectory.
    let stop = crate::runner::Stop::new();
    stop.request();
    let mut run = arena.start(seeds, 2).unwrap();
    assert_eq!(stop.scope(|| run.step(5000)), 600);
    assert_eq!(run.step(5000), 4400);
    assert_eq!(run.trajectory(), whole);
    // the late platform served nobody before its entry, then competed
    let first = &whole.points[0];
    assert_eq!(first.platforms[1].share, 0.0);
    assert!(whole.points.last().unwrap().platforms[1].share > 0.0);
    let users: u64 = whole.chosen_by_type.iter().flatten().sum();
    assert_eq!(users, 5000);
    // shares on the simplex at every measurement
    for pt in &whole.points {
        let s: f64 = pt.platforms.iter().map(|p| p.share).sum();
        assert!((s - 1.0).abs() < 1e-12);
        assert!(pt.specialisation <= pt.specialisation_max + 1e-12);
    }
}

/// The mean and the standard error of the mean.
fn mean_se(x: &[f64]) -> (f64, f64) {
    let n = x.len() as f64;
    let m = x.iter().sum::<f64>() / n;
    let v = x.iter().map(|y| (y - m).powi(2)).sum::<f64>() / (n - 1.0);
    (m, (v / n).sqrt())
}

#[test]
fn items_as_arms_under_the_first_position_rule_is_the_competing_bandits_game() {
    // Needle-in-Haystack with the needle at K/2 (the authors' code), TS vs BG, warm start 20,
    // HardMax, T = 2000, M = 100: the share of TS through the arena and through `compete`
    // agree within 4 combined standard errors (independent runs, so only in distribution).
    let k = 10;
    let runs = 400;
    let instance = InstanceSpec::NeedleInHaystack {
        k,
        needle: NeedlePosition::Fixed(k / 2),
        needle_mean: 0.7,
        base_mean: 0.5,
    };
    let cfg = CompetitionConfig::paper(
        AlgorithmKind::ThompsonSampling,
        AlgorithmKind::BayesGreedy,
        20,
    )
    .unwrap();
    let seed = SeedSequence::new(2019);
    let compete: Vec<f64> = (0..runs)
        .map(|r| {
            let mut game = CompetitionRun::start(&cfg, &instance, &seed, r).unwrap();
            game.step(cfg.t);
            game.state().shares[0]
        })
        .collect();
    let mut q = vec![0.5; k];
    q[k / 2] = 0.7;
    let market =
        Market::homogeneous(vec![1.0; k], q, 0.0, InitialCounts::Fixed(vec![1; k])).unwrap();
    let platform = |name: &str, rule| {
        let mut p = PlatformSpec::new(
            name,
            ArenaRankingSpec::Learning(LearningSpec {
                rule,
                alpha: 1.0,
                beta: 1.0,
                popularity_weighted: false,
            }),
        );
        p.warm_start = 20;
        p
    };
    let arena = Arena::builder()
        .market(market)
        .position_bias(PositionBias::new(vec![1.0]).unwrap())
        .platforms(vec![
            platform("TS", LearningRule::Thompson),
            platform("BG", LearningRule::Greedy),
        ])
        .response(ResponseSpec::HardMax { bias: 0.5 })
        .window(100)
        .steps(2000)
        .every(2000)
        .choice(FirstPosition)
        .build()
        .unwrap();
    let seeds = SeedSequence::new(2020);
    let through_arena: Vec<f64> = (0..runs)
        .map(|r| arena.run_replicate(seeds, r).unwrap().points[0].platforms[0].share)
        .collect();
    let (a, sa) = mean_se(&through_arena);
    let (c, sc) = mean_se(&compete);
    let tol = 4.0 * (sa * sa + sc * sc).sqrt();
    assert!(
        (a - c).abs() < tol,
        "TS share: arena {a:.3} +- {sa:.3}, compete {c:.3} +- {sc:.3}"
    );
    // and both lie near the paper's cell (0.68 +- 0.03 with a random needle): TS wins NiH 20
    assert!(a > 0.5 && c > 0.5, "arena {a}, compete {c}");
}

#[test]
fn learning_rankings_approach_the_oracle_and_learn_q() {
    // One platform, one type: the learners' q error shrinks over time and their efficiency
    // ends within reach of the quality oracle's, far above the random ranking's.
    let n = 40;
    let q: Vec<f64> = (0..n)
        .map(|j| if j % 10 == 3 { 0.9 } else { 0.1 })
        .collect();
    let mk = Market::homogeneous(vec![1.0; n], q, 0.5, InitialCounts::Fixed(vec![1; n])).unwrap();
    let bias = PositionBias::log_discount(5).unwrap();
    let eff = |ranking: ArenaRankingSpec| {
        let a = Arena::builder()
            .market(mk.clone())
            .position_bias(bias.clone())
            .platforms(vec![PlatformSpec::new("p", ranking)])
            .steps(30_000)
            .every(3000)
            .build()
            .unwrap();
        let runs: Vec<ArenaTrajectory> = (0..6)
            .map(|r| a.run_replicate(SeedSequence::new(8), r).unwrap())
            .collect();
        let e = runs
            .iter()
            .map(|t| t.points.last().unwrap().platforms[0].efficiency)
            .sum::<f64>()
            / 6.0;
        (e, runs)
    };
    let (oracle, _) = eff(ArenaRankingSpec::Quality);
    let (random, _) = eff(ArenaRankingSpec::Random);
    for rule in [
        LearningRule::Thompson,
        LearningRule::Ucb { c: 1.0 },
        LearningRule::EpsilonGreedy { eps: 0.05 },
    ] {
        let (e, runs) = eff(ArenaRankingSpec::Learning(LearningSpec {
            rule,
            alpha: 1.0,
            beta: 1.0,
            popularity_weighted: false,
        }));
        assert!(
            e > random + 0.5 * (oracle - random),
            "{rule:?}: efficiency {e}, oracle {oracle}, random {random}"
        );
        for t in &runs {
            let errs: Vec<f64> = t
                .points
                .iter()
                .map(|p| p.platforms[0].q_error.unwrap())
                .collect();
            assert!(errs.last().unwrap() < &0.2, "{rule:?}: {errs:?}");
            // the oracle's regret against itself is 0; a learner's grows, but sublinearly
            let r = &t.points;
            let early = r[0].platforms[0].regret / r[0].step as f64;
            let late = r.last().unwrap().platforms[0].regret / r.last().unwrap().step as f64;
            assert!(late < early, "{rule:?}: regret per user {early} -> {late}");
        }
    }
}

#[test]
fn performance_ranking_beats_the_quality_oracle_on_purchase_probability() {
    // Its slate maximises the purchase probability step by step, so its regret against the
    // quality oracle is never positive.
    let mk = hetero_market();
    let a = one_platform(
        &mk,
        ArenaRankingSpec::Performance,
        &PositionBias::musiclab(),
    );
    let t = a.run_replicate(SeedSequence::new(3), 0).unwrap();
    for p in &t.points {
        assert!(p.platforms[0].regret <= 1e-9, "{}", p.platforms[0].regret);
    }
    assert!(t.points.last().unwrap().platforms[0].regret < 0.0);
    let q = one_platform(&mk, ArenaRankingSpec::Quality, &PositionBias::musiclab())
        .run_replicate(SeedSequence::new(3), 0)
        .unwrap();
    assert_eq!(q.points.last().unwrap().platforms[0].regret, 0.0);
}

#[test]
fn per_type_reputations_make_platforms_specialise() {
    // Two types with opposite tastes; platform 0 shows type 0's good items, platform 1 type 1's.
    // With per-type reputations (word of mouth inside a type) under HardMax each type ends on
    // its platform: the specialisation index approaches its maximum of 1 bit.
    let n = 4;
    let q = vec![0.9, 0.9, 0.1, 0.1, 0.1, 0.1, 0.9, 0.9];
    let mk = Market::builder()
        .items(n)
        .weights([0.5, 0.5])
        .visibility(vec![1.0; 2 * n])
        .quality(q)
        .feedback([0.0, 0.0])
        .initial_counts(InitialCounts::Fixed(vec![1; n]))
        .build()
        .unwrap();
    let fixed = |order: Vec<usize>| ArenaRankingSpec::Fixed {
        order: crate::market::FixedOrder::Global(order),
    };
    let build = |scope| {
        Arena::builder()
            .market(mk.clone())
            .position_bias(PositionBias::new(vec![1.0, 0.5]).unwrap())
            .platforms(vec![
                PlatformSpec::new("A", fixed(vec![0, 1])),
                PlatformSpec::new("B", fixed(vec![2, 3])),
            ])
            .reputation(scope)
            .steps(20_000)
            .every(20_000)
            .build()
            .unwrap()
    };
    let per_type = build(ReputationScope::PerType)
        .run_replicate(SeedSequence::new(1), 0)
        .unwrap();
    let last = per_type.points.last().unwrap();
    assert!(last.specialisation > 0.8, "{}", last.specialisation);
    assert!((last.specialisation_max - 1.0).abs() < 0.01);
    assert!(last.welfare > 0.8);
    let overall = build(ReputationScope::Overall)
        .run_replicate(SeedSequence::new(1), 0)
        .unwrap();
    let o = overall.points.last().unwrap();
    assert!(o.specialisation < last.specialisation);
    assert!(o.welfare < last.welfare);
}

#[test]
fn bad_arenas_are_rejected_naming_the_field() {
    let mk = hetero_market();
    let base = || {
        Arena::builder()
            .market(mk.clone())
            .platforms(vec![PlatformSpec::new("a", ArenaRankingSpec::Quality)])
            .steps(100)
    };
    let field = |e: ArenaError| e.field().unwrap();
    assert_eq!(
        field(base().platforms(vec![]).build().unwrap_err()),
        "platforms"
    );
    assert_eq!(field(base().window(0).build().unwrap_err()), "window");
    assert_eq!(field(base().steps(0).build().unwrap_err()), "steps");
    let mut late = PlatformSpec::new("late", ArenaRankingSpec::Random);
    late.entry = 100;
    let e = base()
        .platforms(vec![
            PlatformSpec::new("a", ArenaRankingSpec::Random),
            late.clone(),
        ])
        .build()
        .unwrap_err();
    assert_eq!(field(e.clone()), "platforms[1].entry");
    assert!(e.to_string().contains("entry = 100"));
    late.entry = 5;
    assert_eq!(
        field(base().platforms(vec![late]).build().unwrap_err()),
        "platforms"
    );
    let improper = ArenaRankingSpec::Learning(LearningSpec {
        rule: LearningRule::Thompson,
        alpha: -1.0,
        beta: 1.0,
        popularity_weighted: false,
    });
    let e = base()
        .platforms(vec![PlatformSpec::new("x", improper)])
        .build()
        .unwrap_err();
    assert_eq!(field(e), "platforms[0].ranking.alpha");
    let mut pooled = PlatformSpec::new("x", ArenaRankingSpec::Performance);
    pooled.personalised = false;
    assert_eq!(
        field(base().platforms(vec![pooled]).build().unwrap_err()),
        "platforms[0].ranking.strategy"
    );
    let e = base()
        .response(ResponseSpec::SoftMax { temperature: 0.0 })
        .build()
        .unwrap_err();
    assert_eq!(field(e), "response");
    let e = base()
        .platforms(vec![PlatformSpec::new(
            "f",
            ArenaRankingSpec::Fixed {
                order: crate::market::FixedOrder::Global(vec![0, 99]),
            },
        )])
        .build()
        .unwrap_err();
    assert_eq!(field(e), "platforms[0].ranking.order");
    // a state that would not fit in memory is an error before anything is allocated
    let many = vec![PlatformSpec::new("p", ArenaRankingSpec::Random); 1000];
    let e = base()
        .platforms(many)
        .window(4_000_000)
        .build()
        .unwrap_err();
    assert_eq!(field(e), "platforms");
}

/// The logit through [`ArenaChoice`]'s default paths: the oracle's purchase probability computed
/// afresh for every user, the shown slate's in a pass of its own after the trial.
#[derive(Clone, Copy, Debug, Default)]
struct PlainLogit;

impl ChoiceModel for PlainLogit {
    type Sampler = crate::market::LogitSampler;
    fn trial_probabilities(&self, market: &Market, i: usize, s: &[f64], out: &mut [f64]) -> f64 {
        MultinomialLogit.trial_probabilities(market, i, s, out)
    }
    fn sampler(&self, market: &Market, state: &crate::market::CountState) -> Self::Sampler {
        MultinomialLogit.sampler(market, state)
    }
    fn sample_slate<R: rand::Rng + ?Sized>(
        &self,
        market: &Market,
        state: &crate::market::CountState,
        i: usize,
        slate: &crate::market::Slate<'_>,
        scratch: &mut [f64],
        rng: &mut R,
    ) -> Option<usize> {
        MultinomialLogit.sample_slate(market, state, i, slate, scratch, rng)
    }
}

impl ArenaChoice for PlainLogit {
    fn purchase_probability(
        &self,
        market: &Market,
        state: &crate::market::CountState,
        i: usize,
        slate: &crate::market::Slate<'_>,
    ) -> f64 {
        MultinomialLogit.purchase_probability(market, state, i, slate)
    }
    fn sampled_purchase_probability(
        &self,
        market: &Market,
        state: &crate::market::CountState,
        i: usize,
        slate: &crate::market::Slate<'_>,
        scratch: &[f64],
    ) -> f64 {
        MultinomialLogit.sampled_purchase_probability(market, state, i, slate, scratch)
    }
    fn name(&self) -> &'static str {
        "plain-logit"
    }
}

#[test]
fn the_kept_oracle_probabilities_and_the_fused_pass_give_the_plain_regret_to_the_bit() {
    // The logit keeps each type's oracle purchase probability until one of its slate's items is
    // bought, and sums the shown slate's in the trial's pass; the default paths recompute both.
    // Two platforms (greedy and Thompson, one with a warm start) on the three-type market, and
    // on the same market with exponents so large that the powers are rescaled during the run
    // (which forgets every kept probability): every measurement equal to the bit, the regrets
    // included.
    let learner = |rule| {
        ArenaRankingSpec::Learning(LearningSpec {
            rule,
            alpha: 1.0,
            beta: 1.0,
            popularity_weighted: false,
        })
    };
    let mut greedy = PlatformSpec::new("greedy", learner(LearningRule::Greedy));
    greedy.warm_start = 200;
    let platforms = vec![
        greedy,
        PlatformSpec::new("thompson", learner(LearningRule::Thompson)),
    ];
    for (r, rescaled) in [([0.5, 0.8, 1.2], false), ([0.5, 60.0, 120.0], true)] {
        let build = || {
            Arena::builder()
                .market(market_with_feedback(r))
                .position_bias(PositionBias::log_discount(8).unwrap())
                .platforms(platforms.clone())
                .steps(6000)
                .every(500)
        };
        let kept = build().build().unwrap();
        let plain = build().choice(PlainLogit).build().unwrap();
        for rep in 0..3 {
            let mut run = kept.start(SeedSequence::new(17), rep).unwrap();
            run.run_to_end();
            let epochs = (0..2).map(|p| run.platform(p).state().epoch()).max();
            assert_eq!(epochs > Some(0), rescaled, "{r:?}: epochs {epochs:?}");
            let a = run.trajectory();
            let b = plain.run_replicate(SeedSequence::new(17), rep).unwrap();
            assert_eq!(a, b, "{r:?}, replicate {rep}");
            let regret = a.points.last().unwrap().platforms[0].regret;
            assert!(regret != 0.0, "the regret is exercised: {regret}");
        }
    }
}
