//! The reward model: what a pull of an arm pays, given the arm's mean ([`RewardModel`]).
//!
//! - [`RewardModel::Bernoulli`] (the default, the paper's model): a pull of arm a pays 1 with
//!   probability mu_a and 0 otherwise, exactly `0.0` or `1.0`; the means lie in [0, 1].
//! - [`RewardModel::Gaussian`]: a pull of arm a pays mu_a + sigma z with z standard normal,
//!   sigma the same known noise level for every arm. The means are locations: the instances'
//!   families (Needle-in-Haystack, Uniform, Heavy-Tail) give means in [0, 1] as before, and
//!   user-given means may be any numbers in [-10^6, 10^6].
//!
//! The realisations come from the run's reward table ([`RealizationTable`](super::RealizationTable)),
//! so every firm and algorithm of one run sees the same reward for the same (phase, row, arm):
//! common random numbers under either model.

use super::BanditError;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The largest Gaussian noise level sigma: beyond it a reward mu + sigma z no longer resolves
/// differences of means of order 10^-9 (the spacing of doubles near 10^7 is 2^-29).
pub const MAX_SIGMA: f64 = 1e6;

/// The largest magnitude of a mean under Gaussian rewards (user-given means).
pub const MAX_GAUSSIAN_MEAN: f64 = 1e6;

/// What a pull of an arm pays (see the module docs). Spec files and Python write it
/// `"bernoulli"` or `{ gaussian = { sigma = 1.0 } }` (the serde form); build a Gaussian model
/// with [`RewardModel::gaussian`], which validates sigma.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub enum RewardModel {
    /// 0/1 rewards with success probability mu_a (the paper's model).
    #[default]
    Bernoulli,
    /// mu_a + sigma z, z ~ N(0, 1): known noise level sigma in (0, 10^6].
    Gaussian {
        /// The noise standard deviation sigma (finite, > 0, at most [`MAX_SIGMA`]).
        sigma: f64,
    },
}

impl RewardModel {
    /// Gaussian rewards with noise standard deviation `sigma` in (0, 10^6].
    pub fn gaussian(sigma: f64) -> Result<Self, BanditError> {
        let model = RewardModel::Gaussian { sigma };
        model.validate()?;
        Ok(model)
    }

    /// Checks the parameters (a model read from a file or built as a literal).
    pub fn validate(&self) -> Result<(), BanditError> {
        match *self {
            RewardModel::Bernoulli => Ok(()),
            RewardModel::Gaussian { sigma } => {
                if sigma.is_finite() && sigma > 0.0 && sigma <= MAX_SIGMA {
                    Ok(())
                } else {
                    Err(BanditError::range(
                        "noise sigma of the Gaussian rewards",
                        sigma,
                        "(0, 1e6] (finite)",
                    ))
                }
            }
        }
    }

    /// Whether rewards are 0/1.
    #[inline]
    pub fn is_bernoulli(&self) -> bool {
        matches!(self, RewardModel::Bernoulli)
    }

    /// The Gaussian noise level, `None` for Bernoulli rewards.
    #[inline]
    pub fn sigma(&self) -> Option<f64> {
        match *self {
            RewardModel::Bernoulli => None,
            RewardModel::Gaussian { sigma } => Some(sigma),
        }
    }

    /// The family's name as spec files write it: "bernoulli" or "gaussian".
    pub fn family(&self) -> &'static str {
        match self {
            RewardModel::Bernoulli => "bernoulli",
            RewardModel::Gaussian { .. } => "gaussian",
        }
    }

    /// Checks the mean of arm `arm` under this model ("mean of arm {arm}" in the error): [0, 1]
    /// for Bernoulli rewards, a finite number in [-10^6, 10^6] for Gaussian ones.
    #[inline]
    pub fn check_mean(&self, arm: usize, mean: f64) -> Result<(), BanditError> {
        match self {
            RewardModel::Bernoulli if (0.0..=1.0).contains(&mean) => Ok(()),
            RewardModel::Bernoulli => Err(BanditError::range(
                format!("mean of arm {arm}"),
                mean,
                "[0, 1]",
            )),
            RewardModel::Gaussian { .. } if mean.abs() <= MAX_GAUSSIAN_MEAN => Ok(()),
            RewardModel::Gaussian { .. } => Err(BanditError::range(
                format!("mean of arm {arm}"),
                mean,
                "[-1e6, 1e6] (Gaussian rewards)",
            )),
        }
    }
}

impl fmt::Display for RewardModel {
    /// "bernoulli" or "gaussian(sigma=1)".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RewardModel::Bernoulli => f.write_str("bernoulli"),
            RewardModel::Gaussian { sigma } => write!(f, "gaussian(sigma={sigma})"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_sigma_is_refused_naming_the_field() {
        for s in [
            0.0,
            -1.0,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            1e7,
            1e300,
        ] {
            let e = RewardModel::gaussian(s).unwrap_err().to_string();
            assert!(
                e.contains("noise sigma of the Gaussian rewards") && e.contains("(0, 1e6]"),
                "{s}: {e}"
            );
        }
        assert_eq!(
            RewardModel::gaussian(0.5).unwrap(),
            RewardModel::Gaussian { sigma: 0.5 }
        );
        assert_eq!(RewardModel::gaussian(0.5).unwrap().sigma(), Some(0.5));
        assert!(RewardModel::default().is_bernoulli());
    }

    #[test]
    fn means_are_checked_per_model() {
        let g = RewardModel::gaussian(1.0).unwrap();
        assert!(RewardModel::Bernoulli.check_mean(0, 1.5).is_err());
        assert!(RewardModel::Bernoulli.check_mean(0, 0.5).is_ok());
        assert!(g.check_mean(0, -3.0).is_ok());
        assert!(g.check_mean(0, f64::NAN).is_err());
        assert!(g.check_mean(0, 2e6).is_err());
    }

    #[test]
    fn display_form() {
        assert_eq!(
            RewardModel::Gaussian { sigma: 2.0 }.to_string(),
            "gaussian(sigma=2)"
        );
        assert_eq!(RewardModel::Bernoulli.to_string(), "bernoulli");
        assert_eq!(RewardModel::Gaussian { sigma: 2.0 }.family(), "gaussian");
    }

    /// Games, tables, firms and algorithms under Gaussian rewards, end to end.
    mod gaussian_games {
        use crate::bandits::{
            AlgorithmKind as A, BanditError, BetaPosterior, BetaPrior, CompetitionConfig,
            CompetitionRun, DynBanditPolicy, Experiment, FirmAlgorithm, InstanceSpec,
            IsolationConfig, Phase, RealizationTable, RewardModel, Scenario, TableLayout,
            WarmStartRows,
        };
        use crate::rng::{PortableRng, SeedSequence};
        use crate::runner::Schedule;
        use std::sync::{Arc, Mutex};

        fn gauss(sigma: f64) -> RewardModel {
            RewardModel::gaussian(sigma).unwrap()
        }

        fn game(algorithms: Vec<A>, rewards: RewardModel) -> CompetitionConfig {
            CompetitionConfig {
                algorithms,
                t: 400,
                rewards,
                ..CompetitionConfig::paper(A::Ucb1, A::Ucb1, 20).unwrap()
            }
        }

        #[test]
        fn a_gaussian_table_has_the_right_mean_and_variance() {
            let means = [-1.0, 0.5, 2.0];
            let sigma = 1.5;
            let mv =
                crate::bandits::MeanVector::for_rewards(means.to_vec(), &gauss(sigma)).unwrap();
            let n = 20_000;
            let layout = TableLayout {
                game: n,
                ..TableLayout::default()
            };
            let s = SeedSequence::new(21);
            let t = RealizationTable::generate_for(&gauss(sigma), &mv, &layout, &s, 3).unwrap();
            for (a, &m) in means.iter().enumerate() {
                let x: Vec<f64> = (0..n).map(|r| t.reward(Phase::Game, r, a)).collect();
                let mean = x.iter().sum::<f64>() / n as f64;
                let var = x.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / (n - 1) as f64;
                // Standard errors: sigma / sqrt(n) for the mean, sigma^2 sqrt(2 / (n - 1)) for
                // the variance of normal data; 5 of them.
                let nf = n as f64;
                assert!(
                    (mean - m).abs() < 5.0 * sigma / nf.sqrt(),
                    "arm {a}: {mean}"
                );
                assert!(
                    (var - sigma * sigma).abs() < 5.0 * sigma * sigma * (2.0 / (nf - 1.0)).sqrt(),
                    "arm {a}: {var}"
                );
            }
            // The same (seed, run) gives the same table; a longer game block keeps the prefix.
            let longer = TableLayout {
                game: n + 500,
                monopoly: 40,
                ..TableLayout::default()
            };
            let u = RealizationTable::generate_for(&gauss(sigma), &mv, &longer, &s, 3).unwrap();
            for r in (0..n).step_by(97) {
                for a in 0..3 {
                    assert_eq!(t.reward(Phase::Game, r, a), u.reward(Phase::Game, r, a));
                }
            }
            // The Bernoulli table of the same run is untouched by the Gaussian one.
            let b = crate::bandits::MeanVector::new(vec![0.2, 0.5, 0.9]).unwrap();
            let b1 = RealizationTable::generate(&b, &layout, &s, 3).unwrap();
            let b2 = RealizationTable::generate_for(&RewardModel::Bernoulli, &b, &layout, &s, 3)
                .unwrap();
            assert!((0..200).all(|r| (0..3).all(|a| {
                let x = b1.reward(Phase::Game, r, a);
                x == b2.reward(Phase::Game, r, a) && (x == 0.0 || x == 1.0)
            })));
            // Bernoulli tables need means in [0, 1].
            assert!(RealizationTable::generate(&mv, &layout, &s, 3).is_err());
        }

        /// A user's algorithm that always pulls arm `arm` and records every reward it gets.
        #[derive(Clone)]
        struct Recorder {
            post: BetaPosterior,
            arm: usize,
            seen: Arc<Mutex<Vec<f64>>>,
        }

        impl DynBanditPolicy for Recorder {
            fn dyn_k(&self) -> usize {
                self.post.k()
            }
            fn dyn_select(&mut self, _rng: &mut PortableRng) -> usize {
                self.arm
            }
            fn dyn_update(&mut self, arm: usize, reward: f64) {
                self.post.update(arm, reward);
                self.seen.lock().unwrap().push(reward);
            }
            fn dyn_reset(&mut self) {
                self.post.reset();
            }
            fn dyn_posterior(&self) -> &BetaPosterior {
                &self.post
            }
            fn dyn_clone(&self) -> Box<dyn DynBanditPolicy> {
                Box::new(self.clone())
            }
        }

        #[test]
        fn every_firm_sees_the_same_gaussian_rewards_and_user_algorithms_get_them_as_numbers() {
            // Two recorders on arm 1 with shared warm-start rows: both warm starts read the same
            // rows, so the two firms must get exactly the same rewards (common random numbers),
            // and those are the table's mu_1 + sigma z.
            let sigma = 0.7;
            let logs: Vec<Arc<Mutex<Vec<f64>>>> = (0..2).map(|_| Arc::default()).collect();
            let algorithms: Vec<FirmAlgorithm> = logs
                .iter()
                .map(|log| {
                    let log = log.clone();
                    FirmAlgorithm::custom("recorder", move |k| {
                        Ok::<_, BanditError>(Recorder {
                            post: BetaPosterior::new(k, BetaPrior::default()),
                            arm: 1,
                            seen: log.clone(),
                        })
                    })
                })
                .collect();
            let cfg = CompetitionConfig {
                warm_start_rows: WarmStartRows::Shared,
                t0: 50,
                t: 10,
                ..game(vec![A::Ucb1, A::Ucb1], gauss(sigma))
            }
            .with_algorithms(algorithms);
            let instance = InstanceSpec::Means {
                means: vec![0.0, 3.0],
            };
            let seed = SeedSequence::new(5);
            let run = CompetitionRun::start(&cfg, &instance, &seed, 2).unwrap();
            let a = logs[0].lock().unwrap()[..50].to_vec();
            let b = logs[1].lock().unwrap()[..50].to_vec();
            assert_eq!(a, b);
            assert!(
                a.iter().any(|&x| x != 0.0 && x != 1.0),
                "real rewards: {a:?}"
            );
            let mean = a.iter().sum::<f64>() / 50.0;
            assert!((mean - 3.0).abs() < 5.0 * sigma / 50f64.sqrt(), "{mean}");
            assert_eq!(run.firm(0).served(), 50);
        }

        #[test]
        fn gaussian_ts_and_ucb1_concentrate_on_the_best_arm() {
            // Means [0, 0, 1], sigma = 1, 600 rounds alone. UCB1's suboptimal pulls up to t are
            // at most about 8 sigma^2 ln t / gap^2 per arm (<= 100 at t = 600 for both), so over
            // rounds 401..600 the expected fraction of best-arm pulls is above 0.9 (a few
            // suboptimal pulls per arm in that stretch); Thompson sampling does at least as
            // well. A run's fraction lies in [0, 1] (sd <= 1/2): over N = 200 runs the mean is
            // within 5 * 0.5 / sqrt(200) = 0.18 of its expectation, so each must exceed 0.72.
            let runs = 200;
            let cfg = IsolationConfig {
                instance: InstanceSpec::Means {
                    means: vec![0.0, 0.0, 1.0],
                },
                algorithms: vec![
                    A::GaussianThompsonSampling {
                        prior: Default::default(),
                    },
                    A::Ucb1,
                ],
                prior: BetaPrior::default(),
                tie: crate::bandits::ArgmaxTie::LowestIndex,
                window: 100,
                rounds: 600,
                snapshots: vec![],
                seed: SeedSequence::new(8),
                rewards: gauss(1.0),
            };
            let s = cfg.run(runs, Schedule::Parallel).unwrap();
            for (a, name) in ["GTS", "UCB1"].iter().enumerate() {
                // mean_reward[t] = P(best arm at t) here (the best mean is 1, the others 0).
                let late = &s.mean_reward[a][400..600];
                let frac = late.iter().sum::<f64>() / late.len() as f64;
                assert!(frac > 0.72, "{name}: {frac}");
            }
            // The same under any schedule (bit-identical).
            assert_eq!(s, cfg.run(runs, Schedule::Serial).unwrap());
        }

        #[test]
        fn bernoulli_only_algorithms_are_refused_under_gaussian_rewards() {
            let e = game(vec![A::Ucb1, A::ThompsonSampling], gauss(1.0))
                .validated()
                .unwrap_err();
            assert!(
                matches!(&e, BanditError::UnsupportedRewards { field, .. } if field == "algorithms[1]"),
                "{e}"
            );
            let m = e.to_string();
            assert!(
                m.contains("algorithms[1] = TS does not accept gaussian(sigma=1) rewards"),
                "{m}"
            );
            assert!(
                m.contains("UCB1, SE, EF, EG, ETE, GTS, GBG and user algorithms"),
                "{m}"
            );
            for bad in [
                A::BayesGreedy,
                A::beg(),
                A::StaticGreedy,
                A::KlUcb,
                A::BayesUcb,
                A::Exp3 { gamma: 0.1 },
                A::GreedyModified {
                    base: Box::new(A::ThompsonSampling),
                    p: 0.5,
                },
            ] {
                assert!(!bad.accepts(&gauss(1.0)), "{bad}");
                assert!(bad.accepts(&RewardModel::Bernoulli), "{bad}");
            }
            for good in [
                A::Ucb1,
                A::SuccessiveElimination,
                A::ExploreFirst { per_arm: 5 },
                A::EpsilonGreedy { eps: 0.1 },
                A::ExploreThenExploit { budget: 30 },
            ] {
                assert!(good.accepts(&gauss(1.0)) && good.accepts(&RewardModel::Bernoulli));
            }
            let gts = A::GaussianThompsonSampling {
                prior: Default::default(),
            };
            assert!(gts.accepts(&gauss(1.0)) && !gts.accepts(&RewardModel::Bernoulli));
            let e = game(vec![gts, A::Ucb1], RewardModel::Bernoulli)
                .validated()
                .unwrap_err()
                .to_string();
            assert!(
                e.contains("algorithms[0] = GTS does not accept bernoulli rewards"),
                "{e}"
            );
            // User algorithms are accepted under any reward model.
            let user = FirmAlgorithm::custom("mine", |k| {
                Ok::<_, BanditError>(crate::bandits::Policy::Ucb1(
                    crate::bandits::Ucb1::new(k, BetaPrior::default(), Default::default()).unwrap(),
                ))
            });
            let cfg = game(vec![A::Ucb1, A::Ucb1], gauss(2.0))
                .with_algorithms(vec![user, FirmAlgorithm::Builtin(A::SuccessiveElimination)]);
            assert!(cfg.validated().is_ok());
            // A bad sigma in a config is refused; cells of one experiment share a reward model.
            assert!(game(
                vec![A::Ucb1, A::Ucb1],
                RewardModel::Gaussian { sigma: -1.0 }
            )
            .validated()
            .is_err());
            let e = Experiment::new(
                InstanceSpec::heavy_tail(4),
                vec![
                    game(vec![A::Ucb1, A::Ucb1], gauss(1.0)),
                    game(vec![A::Ucb1, A::Ucb1], gauss(2.0)),
                ],
                SeedSequence::new(1),
            )
            .unwrap_err();
            assert!(e.to_string().contains("one reward model"), "{e}");
        }

        #[test]
        fn gaussian_games_in_every_scenario_step_and_replicate_exactly() {
            let instance = InstanceSpec::Means {
                means: vec![-0.5, 0.2, 1.1, 0.9],
            };
            let seed = SeedSequence::new(17);
            let gts = A::GaussianThompsonSampling {
                prior: Default::default(),
            };
            let gbg = A::GaussianBayesGreedy {
                prior: Default::default(),
            };
            let mut cells = Vec::new();
            for scenario in [
                Scenario::SimultaneousEntry,
                Scenario::FirstMover { x: 100 },
                Scenario::DataAdvantage { x: 100 },
                Scenario::ReputationAdvantage { x: 100 },
            ] {
                cells.push(CompetitionConfig {
                    scenario,
                    ..game(vec![gts.clone(), gbg.clone()], gauss(0.8))
                });
            }
            cells.push(CompetitionConfig {
                algorithms: vec![
                    A::Ucb1,
                    A::SuccessiveElimination,
                    A::ExploreFirst { per_arm: 3 },
                ],
                ..game(vec![], gauss(0.8))
            });
            let exp = Experiment::new(instance.clone(), cells.clone(), seed).unwrap();
            let serial = exp.run(12, Schedule::Serial).unwrap();
            assert_eq!(serial, exp.run(12, Schedule::Parallel).unwrap());
            // A game stepped in pieces equals the whole game, and the experiment's cell.
            for (c, cell) in cells.iter().enumerate() {
                let mut g = CompetitionRun::start(cell, &instance, &seed, 5).unwrap();
                while g.step(37) > 0 {}
                assert_eq!(g.outcome(), serial[c][5], "cell {c}");
                let total: u32 = g.outcome().chosen.iter().sum();
                assert_eq!(total as usize, cell.t);
                assert!(g.outcome().regret >= 0.0);
            }
        }
    }
}
