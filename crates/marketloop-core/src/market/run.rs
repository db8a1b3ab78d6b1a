//! Step-by-step control of one replicate (Gymnasium's `reset(seed)` / `step()`): a started
//! [`Run`] owns its state, its trial sampler and its four random streams, measures with its
//! [`Observer`]s every K steps and after the last step, and yields the same [`Trajectory`] as
//! [`Simulation::run_replicate`](crate::market::Simulation::run_replicate) whatever the chunks
//! it is stepped in (1, 7 or T steps at a time): the chunks only decide when the caller looks.
//!
//! The market is borrowed from the simulation ([`Simulation::start`]) or owned
//! ([`Run::new`] with `Cow::Owned`), so a run can outlive the simulation that made it (for
//! bindings that hold runs across calls).
//!
//! [`Simulation::start`]: crate::market::Simulation::start

use super::engine::{advance, Streams, TrialSampler};
use super::error::MarketError;
use super::model::Market;
use super::observer::{Efficiency, Entropy, Observations, Observer, RunView, Shares};
use super::sampling::AliasTable;
use super::state::CountState;
use super::trajectory::{Measurement, Trajectory};
use super::StepOutcome;
use crate::rng::{SeedSequence, Source};
use crate::runner::{stop_requested, STOP_CHECK_STEPS};
use std::borrow::Cow;

/// An observer a run holds (called once per measurement, through `dyn`).
pub type BoxedObserver<'m> = Box<dyn Observer + Send + 'm>;

/// One started replicate of the stochastic market, stepped by the caller.
pub struct Run<'m, S> {
    market: Cow<'m, Market>,
    state: CountState,
    sampler: S,
    arrival: AliasTable,
    streams: Streams,
    replicate: u64,
    initial: Vec<u64>,
    horizon: u64,
    every: u64,
    /// The next measurement step (`u64::MAX` after the last).
    next: u64,
    record_shares: bool,
    observers: Vec<BoxedObserver<'m>>,
    widths: Vec<usize>,
    table: Observations,
}

impl<S> std::fmt::Debug for Run<'_, S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Run")
            .field("replicate", &self.replicate)
            .field("step", &self.state.arrivals())
            .field("horizon", &self.horizon)
            .field("every", &self.every)
            .field("columns", &self.table.names())
            .finish_non_exhaustive()
    }
}

impl<'m, S: TrialSampler> Run<'m, S> {
    /// Replicate `replicate` of `market` under `sampler`, with master seed `seeds`: initial
    /// counts from the `Initial` stream, then the replicate's `Arrival`, `Choice`, `Purchase`
    /// and `Ranking` streams. `horizon` >= 1 steps, a measurement every `every` >= 1 steps and
    /// after the last; the built-in observers [`Efficiency`], [`Entropy`] and (if
    /// `record_shares`) [`Shares`] come first, in that order.
    pub fn new(
        market: Cow<'m, Market>,
        mut sampler: S,
        seeds: SeedSequence,
        replicate: u64,
        horizon: u64,
        every: u64,
        record_shares: bool,
    ) -> Result<Self, MarketError> {
        check_schedule(horizon, every)?;
        let initial = market.initial_counts(&mut seeds.stream(replicate, Source::Initial));
        let mut streams = Streams::new(seeds, replicate);
        let state = CountState::new(&market, initial.clone())?;
        sampler.start(&market, &state, &mut streams.ranking);
        let arrival = AliasTable::new(market.weights());
        let mut run = Self {
            market,
            state,
            sampler,
            arrival,
            streams,
            replicate,
            initial,
            horizon,
            every,
            next: every.min(horizon),
            record_shares,
            observers: Vec::new(),
            widths: Vec::new(),
            table: Observations::default(),
        };
        run.table
            .reserve((horizon / every + 1).min(1 << 20) as usize);
        run.add_observer(Box::new(Efficiency))?;
        run.add_observer(Box::new(Entropy))?;
        if record_shares {
            run.add_observer(Box::new(Shares))?;
        }
        Ok(run)
    }

    /// Adds an observer; its columns follow those already there. Only before the first
    /// measurement (an error after, which would leave its column short).
    pub fn add_observer(&mut self, observer: BoxedObserver<'m>) -> Result<(), MarketError> {
        if !self.table.is_empty() {
            return Err(MarketError::Simulation {
                field: "observers",
                message: format!(
                    "an observer was added at step {} after {} measurement(s); add observers \
                     before the first measurement (step {})",
                    self.state.arrivals(),
                    self.table.len(),
                    self.every.min(self.horizon)
                ),
            });
        }
        let names = observer.names(&self.market);
        self.widths.push(names.len());
        self.table.add_columns(names);
        self.observers.push(observer);
        Ok(())
    }

    /// `self` with `observer` added (see [`add_observer`](Self::add_observer)).
    pub fn with_observer(
        mut self,
        observer: impl Observer + Send + 'm,
    ) -> Result<Self, MarketError> {
        self.add_observer(Box::new(observer))?;
        Ok(self)
    }

    /// Advances up to `n` steps (never past the horizon), measuring on the way; returns the
    /// number of steps taken. Returns early, after a measurement, when the current stop token
    /// asks to stop (see [`crate::runner::Stop`]; never outside a stop scope), looking at the
    /// token at every measurement and every [`STOP_CHECK_STEPS`] steps.
    pub fn step(&mut self, n: u64) -> u64 {
        let start = self.state.arrivals();
        let target = start + n.min(self.horizon - start);
        while self.state.arrivals() < target {
            let stop = target
                .min(self.next)
                .min(self.state.arrivals() + STOP_CHECK_STEPS);
            self.advance_to(stop);
            if stop == self.next {
                self.measure();
            }
            if stop_requested() {
                break;
            }
        }
        self.state.arrivals() - start
    }

    /// One step, returning what happened (`None` at the horizon).
    pub fn step_one(&mut self) -> Option<StepOutcome> {
        if self.is_finished() {
            return None;
        }
        let o = advance(
            &self.market,
            &mut self.state,
            &mut self.sampler,
            &self.arrival,
            &mut self.streams,
        );
        if self.state.arrivals() == self.next {
            self.measure();
        }
        Some(o)
    }

    /// Steps to the horizon.
    pub fn run_to_end(&mut self) {
        self.step(self.horizon);
    }

    /// Steps from the current step to `target` (no measurement in between).
    #[inline]
    fn advance_to(&mut self, target: u64) {
        let market: &Market = &self.market;
        for _ in self.state.arrivals()..target {
            advance(
                market,
                &mut self.state,
                &mut self.sampler,
                &self.arrival,
                &mut self.streams,
            );
        }
    }

    fn measure(&mut self) {
        let step = self.state.arrivals();
        let view = RunView {
            market: &self.market,
            state: &self.state,
            step,
            replicate: self.replicate,
        };
        let row = self.table.push_row(step);
        let mut at = 0;
        for (o, &w) in self.observers.iter_mut().zip(&self.widths) {
            o.observe(&view, &mut row[at..at + w]);
            at += w;
        }
        self.next = if step >= self.horizon {
            u64::MAX
        } else {
            (step + self.every).min(self.horizon)
        };
    }
}

impl<'m, S> Run<'m, S> {
    /// The counts and running totals now: counts, shares, purchases, trials, idle users, and
    /// the step (`arrivals()`).
    pub fn state(&self) -> &CountState {
        &self.state
    }

    /// Users arrived so far.
    pub fn current_step(&self) -> u64 {
        self.state.arrivals()
    }

    /// The number of steps of the run.
    pub fn horizon(&self) -> u64 {
        self.horizon
    }

    /// Whether the run has reached its horizon.
    pub fn is_finished(&self) -> bool {
        self.state.arrivals() >= self.horizon
    }

    /// The replicate index.
    pub fn replicate(&self) -> u64 {
        self.replicate
    }

    /// The market.
    pub fn market(&self) -> &Market {
        &self.market
    }

    /// The trial sampler (e.g. [`Ranked::policy`](crate::market::Ranked::policy) to read a
    /// learning ranking's estimates).
    pub fn sampler(&self) -> &S {
        &self.sampler
    }

    /// The initial counts d^0.
    pub fn initial_counts(&self) -> &[u64] {
        &self.initial
    }

    /// Everything the observers have measured so far.
    pub fn observations(&self) -> &Observations {
        &self.table
    }

    /// The measurements so far as a [`Trajectory`] (from the built-in observers' columns; final
    /// counts, trials and idle users as of now).
    pub fn trajectory(&self) -> Trajectory {
        let n = self.market.n_items();
        let measurements = (0..self.table.len())
            .map(|k| {
                let row = self.table.row(k);
                Measurement {
                    step: self.table.steps()[k],
                    efficiency: row[0],
                    entropy: row[1],
                    shares: self.record_shares.then(|| row[2..2 + n].to_vec()),
                }
            })
            .collect();
        Trajectory {
            replicate: self.replicate,
            initial_counts: self.initial.clone(),
            measurements,
            final_counts: self.state.counts().to_vec(),
            trials: self.state.trials().to_vec(),
            idle: self.state.idle(),
        }
    }

    /// The trajectory and the full observation table, consuming the run.
    pub fn finish(self) -> (Trajectory, Observations) {
        let t = self.trajectory();
        (t, self.table)
    }
}

/// Checks a run's schedule: `steps` >= 1 users and a measurement every `every` >= 1 steps.
pub(super) fn check_schedule(steps: u64, every: u64) -> Result<(), MarketError> {
    if steps == 0 {
        return Err(MarketError::Simulation {
            field: "steps",
            message: "steps = 0: at least 1 is needed".into(),
        });
    }
    if every == 0 {
        return Err(MarketError::Simulation {
            field: "every",
            message: "every = 0: the measurement interval must be at least 1 step".into(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::market::choice::{ChoiceModel, MultinomialLogit};
    use crate::market::engine::Engine;
    use crate::market::model::InitialCounts;
    use crate::market::observer::FnObserver;
    use crate::market::position_bias::PositionBias;
    use crate::market::ranking::{ExploreThenExploit, RankingSpec, TieRule};
    use crate::market::simulation::{BuiltinSampler, Simulation, Visibility};
    use crate::runner::Schedule;

    fn market() -> Market {
        Market::builder()
            .items(5)
            .weights(vec![0.4, 0.6])
            .visibility(vec![0.9, 0.2, 0.5, 0.7, 0.4, 0.1, 0.8, 0.6, 0.3, 1.0])
            .quality(vec![0.5, 0.9, 0.2, 0.7, 0.6, 0.8, 0.1, 0.6, 0.4, 0.3])
            .feedback(vec![0.5, 0.5])
            .initial_counts(InitialCounts::Uniform { low: 2, high: 3 })
            .build()
            .unwrap()
    }

    fn arms() -> Vec<Visibility> {
        let bias = PositionBias::new(vec![0.8, 0.5, 0.3]).unwrap();
        vec![
            Visibility::Static,
            Visibility::Ranked {
                ranking: RankingSpec::Random,
                bias: bias.clone(),
            },
            Visibility::Ranked {
                ranking: RankingSpec::Popularity {
                    ties: TieRule::Random,
                },
                bias: bias.clone(),
            },
            Visibility::Ranked {
                ranking: RankingSpec::Quality,
                bias: bias.clone(),
            },
            Visibility::Ranked {
                ranking: RankingSpec::ExploreThenExploit { explore: 200 },
                bias,
            },
        ]
    }

    #[test]
    fn a_stop_request_ends_a_run_at_its_next_measurement_and_nothing_else_changes() {
        let seeds = SeedSequence::new(2024);
        let sim = Simulation::new(market(), Visibility::Static, 1000, 70, false).unwrap();
        let want = sim.run_replicate(seeds, 3);
        let stop = crate::runner::Stop::new();
        stop.request();
        let mut run = sim.start(seeds, 3);
        assert_eq!(
            stop.scope(|| run.step(1000)),
            70,
            "stops at the first measurement"
        );
        assert_eq!(run.trajectory().measurements[..], want.measurements[..1]);
        // Outside the scope the same run goes on to exactly the uninterrupted trajectory.
        assert_eq!(run.step(1000), 930);
        assert_eq!(run.trajectory(), want);
    }

    #[test]
    fn stepping_in_any_chunks_gives_run_replicates_trajectory() {
        let seeds = SeedSequence::new(2024);
        for vis in arms() {
            for record in [false, true] {
                let sim = Simulation::new(market(), vis.clone(), 1000, 70, record).unwrap();
                let want = sim.run_replicate(seeds, 3);
                assert_eq!(want.measurements.len(), 15);
                for chunk in [1, 7, 70, 999, 1000, 5000] {
                    let mut run = sim.start(seeds, 3);
                    let mut taken = 0;
                    while !run.is_finished() {
                        taken += run.step(chunk);
                    }
                    assert_eq!(taken, 1000);
                    assert_eq!(run.step(5), 0);
                    assert_eq!(run.trajectory(), want, "{vis:?}, chunk {chunk}");
                }
                let mut run = sim.start_owned(seeds, 3);
                let mut outcomes = 0;
                while let Some(o) = run.step_one() {
                    assert!(o.tried.is_some() || !o.bought);
                    outcomes += 1;
                }
                assert_eq!(outcomes, 1000);
                assert_eq!(run.finish().0, want, "{vis:?}, one by one");
            }
        }
    }

    /// The whole-run loop as it was before runs and observers: an [`Engine`] stepped to each
    /// measurement step, measured in place.
    fn engine_loop<S: TrialSampler>(
        sim: &Simulation,
        sampler: S,
        seeds: SeedSequence,
        r: u64,
    ) -> Trajectory {
        let mk = sim.market();
        let initial = mk.initial_counts(&mut seeds.stream(r, Source::Initial));
        let mut streams = Streams::new(seeds, r);
        let mut e = Engine::new(mk, sampler, initial.clone(), &mut streams.ranking).unwrap();
        let mut measurements = Vec::new();
        let mut done = 0;
        for target in sim.measurement_steps() {
            while done < target {
                e.step(&mut streams);
                done += 1;
            }
            let st = e.state();
            measurements.push(Measurement {
                step: done,
                efficiency: st.efficiency(),
                entropy: st.entropy(),
                shares: sim.record_shares().then(|| st.shares()),
            });
        }
        Trajectory {
            replicate: r,
            initial_counts: initial,
            measurements,
            final_counts: e.state().counts().to_vec(),
            trials: e.state().trials().to_vec(),
            idle: e.state().idle(),
        }
    }

    #[test]
    fn observers_measure_exactly_what_the_engine_loop_measured() {
        let seeds = SeedSequence::new(31);
        for vis in arms() {
            for record in [false, true] {
                let sim = Simulation::new(market(), vis.clone(), 777, 100, record).unwrap();
                for r in [0, 5] {
                    let want = match sim.sampler() {
                        BuiltinSampler::Static(s) => engine_loop(&sim, s, seeds, r),
                        BuiltinSampler::Random(s) => engine_loop(&sim, s, seeds, r),
                        BuiltinSampler::Popularity(s) => engine_loop(&sim, s, seeds, r),
                        BuiltinSampler::Quality(s) => engine_loop(&sim, s, seeds, r),
                        BuiltinSampler::Fixed(s) => engine_loop(&sim, s, seeds, r),
                        BuiltinSampler::ExploreThenExploit(s) => engine_loop(&sim, s, seeds, r),
                    };
                    assert_eq!(sim.run_replicate(seeds, r), want, "{vis:?}");
                }
            }
        }
    }

    #[test]
    fn state_mid_run() {
        let sim = Simulation::new(market(), Visibility::Static, 500, 100, false).unwrap();
        let mut run = sim.start(SeedSequence::new(1), 0);
        run.step(250);
        let st = run.state();
        assert_eq!(run.current_step(), 250);
        assert_eq!(st.arrivals(), 250);
        let d0: u64 = run.initial_counts().iter().sum();
        assert_eq!(st.total(), d0 + st.purchases());
        let tried: u64 = st.trials().iter().sum();
        assert_eq!(tried + st.idle(), 250);
        assert!((st.shares().iter().sum::<f64>() - 1.0).abs() < 1e-12);
        assert_eq!(run.observations().steps(), &[100, 200]);
    }

    #[test]
    fn a_user_observer_is_collected_beside_the_built_ins() {
        let sim = Simulation::new(market(), Visibility::Static, 300, 100, true).unwrap();
        let seeds = SeedSequence::new(9);
        let top = FnObserver::new(["top_count", "purchases"], |v: &RunView<'_>, out| {
            out[0] = *v.state.counts().iter().max().unwrap() as f64;
            out[1] = v.state.purchases() as f64;
        });
        let mut run = sim.start(seeds, 1).with_observer(top).unwrap();
        run.step(150);
        assert!(run.add_observer(Box::new(Efficiency)).is_err());
        run.run_to_end();
        let (t, obs) = run.finish();
        assert_eq!(t, sim.run_replicate(seeds, 1));
        let names: Vec<&str> = obs.names().iter().map(String::as_str).collect();
        assert_eq!(
            names,
            [
                "efficiency",
                "entropy",
                "share_0",
                "share_1",
                "share_2",
                "share_3",
                "share_4",
                "top_count",
                "purchases"
            ]
        );
        assert_eq!(obs.steps(), &[100, 200, 300]);
        let purchases = obs.column("purchases").unwrap();
        let eff = obs.column("efficiency").unwrap();
        for (k, m) in t.measurements.iter().enumerate() {
            assert_eq!(purchases[k] / m.step as f64, eff[k]);
            let shares = m.shares.as_ref().unwrap();
            let top = shares.iter().cloned().fold(0.0, f64::max);
            let d0: u64 = t.initial_counts.iter().sum();
            assert_eq!(
                obs.column("top_count").unwrap()[k] / (d0 as f64 + purchases[k]),
                top
            );
        }
    }

    #[test]
    fn a_user_ranking_and_a_user_choice_rule_run_through_the_simulation() {
        let mk = market();
        let bias = PositionBias::new(vec![0.8, 0.5, 0.3]).unwrap();
        let sim = Simulation::new(mk.clone(), Visibility::Static, 2000, 500, false).unwrap();
        let seeds = SeedSequence::new(4);
        let make = |_| sim.ranked(ExploreThenExploit::new(&mk, 3, 1000), &bias);
        let a = sim.run_with(seeds, &[0, 1, 2], Schedule::Serial, make);
        let b = sim.run_with(seeds, &[0, 1, 2], Schedule::Parallel, make);
        assert_eq!(a, b);
        let mut run = sim.start_with(seeds, 1, make(1));
        run.run_to_end();
        assert_eq!(run.trajectory(), a[1]);
        assert!(run.sampler().policy().estimate(0, 1).is_some());
        // with a user observer, in parallel: the same trajectories plus the observer's column
        let observed = sim.run_observed(seeds, &[0, 1, 2], Schedule::Parallel, make, |r| {
            let o = FnObserver::new(["replicate"], move |v: &RunView<'_>, out: &mut [f64]| {
                assert_eq!(v.replicate, r);
                out[0] = r as f64;
            });
            vec![Box::new(o) as BoxedObserver<'_>]
        });
        for ((t, obs), want) in observed.iter().zip(&a) {
            assert_eq!(t, want);
            assert_eq!(obs.column("replicate"), Some(vec![t.replicate as f64; 4]));
        }
        // the same setup under an explicitly given logit is the same simulation
        let logit = sim.clone().with_choice(MultinomialLogit);
        assert_eq!(logit.run_replicate(seeds, 0), sim.run_replicate(seeds, 0));
        let mut p = [0.0; 5];
        assert!(
            logit
                .choice()
                .trial_probabilities(&mk, 0, &[1.0; 5], &mut p)
                > 0.0
        );
    }
}
