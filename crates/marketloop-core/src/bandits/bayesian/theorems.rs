//! The paper's Section 4 results as tests, on the paper's instances (small K and horizons so
//! that they run in seconds), with tolerances from the Monte Carlo error: a difference of
//! reward curves counts when it exceeds [`Z`] standard errors, and the game's HardMax decisions
//! within [`Z`] error bounds are flagged and decided as ties.

use super::{
    BandRule, BayesGame, BayesPrior, BayesResponse, Belief, CurvesConfig, GameOutcome, RewCurves,
};
use crate::bandits::{AlgorithmKind, ArgmaxTie, BetaPrior, InstanceSpec, ResponseSpec};
use crate::rng::SeedSequence;
use crate::runner::Schedule;

/// Standard errors that make a Monte Carlo difference count.
const Z: f64 = 5.0;

fn curves(
    prior: BayesPrior,
    belief: Belief,
    algorithms: Vec<AlgorithmKind>,
    steps: usize,
    paths: u64,
    seed: u64,
) -> RewCurves {
    CurvesConfig {
        prior,
        belief,
        tie: ArgmaxTie::LowestIndex,
        algorithms,
        steps,
        paths,
    }
    .estimate(SeedSequence::new(seed), Schedule::Parallel)
    .unwrap()
}

fn play(
    c: &RewCurves,
    response: BayesResponse,
    rounds: usize,
    first: usize,
    second: usize,
) -> GameOutcome {
    BayesGame {
        response,
        rounds,
        warm_start: 0,
        band: Z,
        band_rule: BandRule::Tie,
        tail_tolerance: 0.0,
        first,
        second,
    }
    .run(c)
    .unwrap()
}

fn heavy_tail(k: usize) -> BayesPrior {
    BayesPrior::Instance(InstanceSpec::heavy_tail(k))
}

/// Lemma 4.5 on computed probabilities: once p_t is 0 or 1, it stays there.
fn sudden_death(o: &GameOutcome) -> Result<(), String> {
    for (t, &p) in o.p.iter().enumerate() {
        if p == 1.0 || p == 0.0 {
            if let Some(s) = o.p[t..].iter().position(|&q| q != p) {
                return Err(format!(
                    "p_{} = {p} but p_{} = {}",
                    t + 1,
                    t + s + 1,
                    o.p[t + s]
                ));
            }
            return Ok(());
        }
    }
    Ok(())
}

/// Theorem 4.2 / Corollary 4.3 and Lemmas 4.4, 4.5 on Heavy-Tail (K = 3, true prior):
/// HardMax with fair ties, BayesGreedy against TS, BEG and UCB1, in both positions.
#[test]
fn theorem_4_2_bayes_greedy_takes_every_agent_after_the_deviation() {
    let rounds = 200;
    let algs = vec![
        AlgorithmKind::BayesGreedy,
        AlgorithmKind::ThompsonSampling,
        AlgorithmKind::beg(),
        AlgorithmKind::Ucb1,
    ];
    let c = curves(heavy_tail(3), Belief::True, algs, rounds, 20_000, 42);
    let fair = BayesResponse::Spec(ResponseSpec::HardMax { bias: 0.5 });
    for rival in 1..4 {
        let pair = c.pair(0, rival).unwrap();
        let n0 = pair.path_deviation.expect("the rival deviates from BG");
        // Lemma 4.4: at the first step where the curves differ significantly, BG is ahead, and
        // the rival is never significantly ahead before it.
        let (bg, other) = (&c.algorithms[0], &c.algorithms[rival]);
        let first_sig = (0..rounds)
            .find(|&n| (bg.rew[n] - other.rew[n]).abs() > Z * pair.diff_se[n])
            .expect("a significant difference");
        assert!(
            bg.rew[first_sig] > other.rew[first_sig],
            "{}: step {}",
            other.label,
            first_sig + 1
        );
        for (position, (a, b), bg_slot) in [("first", (0, rival), 0), ("second", (rival, 0), 1)] {
            let o = play(&c, fair.clone(), rounds, a, b);
            let (winner, t_star) = o
                .takeover
                .unwrap_or_else(|| panic!("BG vs {}: no takeover", other.label));
            assert_eq!(winner, bg_slot, "BG {position} vs {}", other.label);
            let bg_share = if bg_slot == 0 { o.share } else { 1.0 - o.share };
            eprintln!(
                "Thm 4.2: BG {position} vs {}: deviation step {n0}, first significant difference at step {}, takeover from round {t_star}, BG share {bg_share:.4}, flagged rounds {:?}",
                other.label, first_sig + 1, o.flagged
            );
            // "Shortly after the deviation step": within a few rounds of it.
            assert!(t_star <= n0 + 10, "takeover at {t_star}, deviation at {n0}");
            assert!(bg_share >= 0.5, "Corollary 4.3: BG's share {bg_share}");
            sudden_death(&o).unwrap();
        }
    }
}

/// Theorems 4.6 and 4.7 on Heavy-Tail (K = 3, true prior): biased ties.
#[test]
fn theorems_4_6_and_4_7_biased_ties() {
    let rounds = 200;
    let algs = vec![
        AlgorithmKind::BayesGreedy,
        AlgorithmKind::ThompsonSampling,
        AlgorithmKind::StaticGreedy,
        AlgorithmKind::Ucb1,
    ];
    let c = curves(heavy_tail(3), Belief::True, algs, rounds, 20_000, 7);
    // Theorem 4.6: b = 1, BG first: every agent chooses BG.
    for rival in [1, 2, 3] {
        let o = play(
            &c,
            BayesResponse::Spec(ResponseSpec::HardMax { bias: 1.0 }),
            rounds,
            0,
            rival,
        );
        assert!(
            o.p.iter().all(|&p| p == 1.0),
            "BG vs {}: {:?}",
            c.algorithms[rival].label,
            &o.p[..5]
        );
        eprintln!(
            "Thm 4.6: BG vs {} with b = 1: share {}, flagged {:?}",
            c.algorithms[rival].label, o.share, o.flagged
        );
    }
    // Theorem 4.7: 1/2 < b < 1, SG deviates from BG at n0; all agents but the first n0 - 1 choose BG.
    let n0 = c.pair(0, 2).unwrap().path_deviation.unwrap();
    assert_eq!(
        c.pair(0, 2).unwrap().first_difference,
        Some(n0),
        "BG and SG coincide exactly before n0"
    );
    for b in [0.6, 0.75, 0.9] {
        let o = play(
            &c,
            BayesResponse::Spec(ResponseSpec::HardMax { bias: b }),
            rounds,
            0,
            2,
        );
        let (winner, t_star) = o.takeover.unwrap();
        eprintln!("Thm 4.7: BG vs SG with b = {b}: n0 = {n0}, takeover from round {t_star}, share {:.4}, p_1..3 = {:?}", o.share, &o.p[..3]);
        assert_eq!(winner, 0);
        assert!(t_star <= n0, "takeover at {t_star}, n0 = {n0}");
        assert_eq!(
            o.exact_ties,
            (1..n0).collect::<Vec<_>>(),
            "real ties before n0"
        );
        sudden_death(&o).unwrap();
    }
}

/// Theorem 4.9: HardMax&Random(0.1); TS BIR-dominates StaticGreedy (whose BIR never falls) on
/// Heavy-Tail, and BayesGreedy on Needle-in-Haystack with Beta(1, 1) beliefs, where greedy gets
/// stuck: after a learning phase TS wins each agent with probability exactly 1 - eps/2.
#[test]
fn theorem_4_9_bir_dominance_wins_one_minus_eps_over_two() {
    let eps = 0.1;
    let hmr = BayesResponse::Spec(ResponseSpec::HardMaxRandom { eps });
    let rounds = 300;
    let c = curves(
        heavy_tail(3),
        Belief::True,
        vec![AlgorithmKind::ThompsonSampling, AlgorithmKind::StaticGreedy],
        rounds,
        10_000,
        3,
    );
    let o = play(&c, hmr.clone(), rounds, 0, 1);
    let (w, t_star) = o.takeover.unwrap();
    eprintln!("Thm 4.9: TS vs SG (Heavy-Tail): takeover at 1 - eps/2 from round {t_star}, share {:.4}, flagged {:?}", o.share, o.flagged);
    assert_eq!(w, 0);
    let top = hmr.extremes().unwrap().0;
    assert!((top - (1.0 - eps / 2.0)).abs() < 1e-15);
    assert!(o.p[t_star - 1..].iter().all(|&p| p == top));
    assert!(t_star <= 10, "learning phase {t_star}");

    let rounds = 3000;
    let nih = BayesPrior::Instance(InstanceSpec::needle_in_haystack(3));
    let c = curves(
        nih,
        Belief::Beta(BetaPrior::default()),
        vec![AlgorithmKind::ThompsonSampling, AlgorithmKind::BayesGreedy],
        rounds,
        4_000,
        9,
    );
    let (ts, bg) = (&c.algorithms[0], &c.algorithms[1]);
    eprintln!(
        "NiH rew: TS at 50/150/300/3000: {:.4} {:.4} {:.4} {:.4}; BG: {:.4} {:.4} {:.4} {:.4}",
        ts.rew[49],
        ts.rew[149],
        ts.rew[299],
        ts.rew[2999],
        bg.rew[49],
        bg.rew[149],
        bg.rew[299],
        bg.rew[2999]
    );
    let o = play(&c, hmr, rounds, 0, 1);
    eprintln!(
        "Thm 4.9: TS vs BG (NiH, Beta(1,1)): takeover {:?}, share {:.4}, flagged {} rounds",
        o.takeover,
        o.share,
        o.flagged.len()
    );
    let (w, t_star) = o.takeover.unwrap();
    assert_eq!(w, 0);
    assert!(t_star < rounds / 2);
}

/// Theorem 4.11 / Lemma 4.12: the greedy modification of TS (p = 0.1) against TS. What holds
/// and is checked: the modification stays Bayesian-monotone (Lemma 4.12), and a symmetric
/// response treats the two principals symmetrically (swapping them gives 1 - p_t exactly). The
/// game's numbers are printed for the report: with the greedy steps not recorded (the
/// definition implemented by `GreedyModified`) and a deviation at step 1 where greedy has no
/// strict advantage (a symmetric prior, lowest-index ties), TS's curve overtakes the
/// modification's from step 3 and TS wins the game; see the report of `reproduce
/// bayesian-choice`.
#[test]
fn lemma_4_12_the_greedy_modification_stays_monotone_and_symmetric_responses_are_symmetric() {
    let rounds = 300;
    let gm = AlgorithmKind::GreedyModified {
        base: Box::new(AlgorithmKind::ThompsonSampling),
        p: 0.1,
    };
    let c = curves(
        heavy_tail(3),
        Belief::True,
        vec![gm, AlgorithmKind::ThompsonSampling],
        rounds,
        20_000,
        11,
    );
    let (g, ts) = (&c.algorithms[0], &c.algorithms[1]);
    assert_eq!(
        g.monotonicity_violation(Z),
        None,
        "GM stays Bayesian-monotone"
    );
    assert_eq!(
        ts.monotonicity_violation(Z),
        None,
        "TS is Bayesian-monotone"
    );
    // The monotonicity check can fail: a decreasing curve is caught.
    let mut bent = g.clone();
    bent.rew[100] += 0.5;
    assert_eq!(bent.monotonicity_violation(Z), Some(101));
    for response in [
        BayesResponse::Spec(ResponseSpec::SoftMax { temperature: 0.05 }),
        BayesResponse::Spec(ResponseSpec::HardMaxRandom { eps: 0.1 }),
    ] {
        let a = play(&c, response.clone(), rounds, 0, 1);
        let b = play(&c, response.clone(), rounds, 1, 0);
        for t in 0..rounds {
            assert!(
                (a.p[t] + b.p[t] - 1.0).abs() < 1e-12,
                "{response:?} round {}",
                t + 1
            );
        }
        eprintln!(
            "Thm 4.11: GM(TS, 0.1) vs TS under {}: GM's share {:.4}, takeover {:?}, flagged {:?}; rew at 1/2/3/50/300: GM {:.4} {:.4} {:.4} {:.4} {:.4}, TS {:.4} {:.4} {:.4} {:.4} {:.4}",
            response.short(), a.share, a.takeover, a.flagged,
            g.rew[0], g.rew[1], g.rew[2], g.rew[49], g.rew[299], ts.rew[0], ts.rew[1], ts.rew[2], ts.rew[49], ts.rew[299]
        );
    }
}
