//! One started replicate of an arena, stepped by the caller ([`ArenaRun`]: `step(n)` at a
//! time; stepping to T in any chunks equals one whole run), and the step itself:
//!
//! 1. platforms whose entry time is now join: each first serves its warm-start users alone
//!    (their types, trials and purchase coins from the platform's own `WarmStart` stream);
//! 2. a user of type i arrives (the `Arrival` stream, one uniform, none when m = 1);
//! 3. her purchase coin (the `Purchase` stream, one uniform, always);
//! 4. she picks a platform among those that have entered, by the response function over the
//!    reputations she sees (the `Response` stream; no draw when only one platform is there);
//! 5. inside the platform (`Platform::serve`): the ranking ranks
//!    (the platform's `Ranking` stream), she tries an item (the `Choice` stream), buys it if the
//!    coin is below q_ij, and the counts, the ranking and the reputations learn the outcome.
//!
//! A user's ranking ([`CustomRanking`](super::CustomRanking)) that breaks its contract stops
//! the run at the next check (before every chunk of at most [`STOP_CHECK_STEPS`] steps and at
//! the end); [`ArenaRun::error`] names the platform, the step and the replicate, and
//! [`Arena::run_replicate`] returns it.
//!
//! With one platform, no warm start and no entry delay these are exactly the market engine's
//! draws in the market engine's order (platform 0's ranking stream is the replicate's `Ranking`
//! stream, the initial counts come from the `Initial` stream), so the arena equals
//! `market simulate` bit for bit (test). Platform p >= 1 draws from the child seed
//! `derive("arena-platform-p")` ([`platform_stream`]).

use super::choice::ArenaChoice;
use super::error::ArenaError;
use super::measures::{gini, specialisation, ArenaPoint, ArenaTrajectory, PlatformPoint};
use super::model::Arena;
use super::oracle::OracleSlates;
use super::platform::Platform;
use crate::bandits::{Reputation, ResponseFunction};
use crate::market::sampling::AliasTable;
use crate::market::{CountState, DynRankingPolicy};
use crate::rng::{PortableRng, SeedSequence, Source};
use crate::runner::{stop_requested, STOP_CHECK_STEPS};
use rand::Rng;
use std::borrow::Cow;

/// The stream of `source` for platform `platform` in `replicate`: platform 0 uses the master
/// seed's own streams, platform p >= 1 those of the child seed `derive("arena-platform-p")`, so a
/// platform's draws do not depend on how many platforms there are.
pub fn platform_stream(
    seeds: &SeedSequence,
    replicate: u64,
    platform: usize,
    source: Source,
) -> PortableRng {
    match platform {
        0 => seeds.stream(replicate, source),
        p => seeds
            .derive(&format!("arena-platform-{p}"))
            .stream(replicate, source),
    }
}

/// One started replicate of an arena.
#[derive(Clone, Debug)]
pub struct ArenaRun<'a, C: ArenaChoice> {
    arena: Cow<'a, Arena<C>>,
    seeds: SeedSequence,
    replicate: u64,
    platforms: Vec<Platform>,
    /// The quality oracle's slate per type, with its attention.
    oracle: OracleSlates,
    arrival: AliasTable,
    arrival_rng: PortableRng,
    choice_rng: PortableRng,
    purchase_rng: PortableRng,
    response_rng: PortableRng,
    step: u64,
    /// Platforms that have entered, in index order.
    active: Vec<usize>,
    /// Platforms still to enter, by decreasing entry time (the next one last).
    pending: Vec<usize>,
    reps: Vec<Reputation>,
    /// Users by (platform, type).
    joint: Vec<Vec<u64>>,
    initial: Vec<u64>,
    next: u64,
    points: Vec<ArenaPoint>,
    scratch: Vec<u64>,
}

impl<'a, C: ArenaChoice> ArenaRun<'a, C> {
    /// Replicate `replicate` of `arena` under master seed `seeds`: the initial counts (one draw
    /// from the `Initial` stream, the same d^0 on every platform), every platform's ranking
    /// reset on its stream, and the platforms entering at step 0 (with their warm starts).
    /// Errors if a user's ranking cannot be built (naming the platform and the replicate); the
    /// built-ins always can.
    pub fn new(
        arena: Cow<'a, Arena<C>>,
        seeds: SeedSequence,
        replicate: u64,
    ) -> Result<Self, ArenaError> {
        let market = &arena.market;
        let initial = market.initial_counts(&mut seeds.stream(replicate, Source::Initial));
        let platforms: Vec<Platform> = arena
            .platforms
            .iter()
            .enumerate()
            .map(|(p, spec)| {
                let mut rng = platform_stream(&seeds, replicate, p, Source::Ranking);
                let mut ranking = spec
                    .ranking
                    .build(market, &arena.bias, spec.personalised)
                    .map_err(|e| {
                        ranking_error(&arena, p, replicate, &format!("could not be built: {e}"))
                    })?;
                let state = CountState::new(market, initial.clone())?;
                ranking.dyn_reset(state.counts(), &mut rng);
                Ok(Platform::new(&arena, ranking, state, rng))
            })
            .collect::<Result<_, ArenaError>>()?;
        // The quality ranking never draws; any generator will do.
        let oracle = OracleSlates::new(&arena, &mut seeds.stream(replicate, Source::Ranking));
        let mut pending: Vec<usize> = (0..platforms.len()).collect();
        pending.sort_by_key(|&p| std::cmp::Reverse((arena.platforms[p].entry, p)));
        let m = market.n_types();
        let n_platforms = platforms.len();
        let mut run = Self {
            arrival: AliasTable::new(market.weights()),
            arrival_rng: seeds.stream(replicate, Source::Arrival),
            choice_rng: seeds.stream(replicate, Source::Choice),
            purchase_rng: seeds.stream(replicate, Source::Purchase),
            response_rng: seeds.stream(replicate, Source::Response),
            seeds,
            replicate,
            platforms,
            oracle,
            step: 0,
            active: Vec::with_capacity(n_platforms),
            pending,
            reps: Vec::with_capacity(n_platforms),
            joint: vec![vec![0; m]; n_platforms],
            initial,
            next: arena.every.min(arena.steps),
            points: Vec::new(),
            scratch: Vec::new(),
            arena,
        };
        run.enter_due();
        Ok(run)
    }

    /// Platforms whose entry time is now join, each after its warm start.
    fn enter_due(&mut self) {
        while let Some(&p) = self.pending.last() {
            if self.arena.platforms[p].entry != self.step {
                break;
            }
            self.pending.pop();
            self.warm_start(p);
            let at = self.active.partition_point(|&q| q < p);
            self.active.insert(at, p);
        }
    }

    /// Platform `p` serves its warm-start users alone.
    fn warm_start(&mut self, p: usize) {
        let n = self.arena.platforms[p].warm_start;
        if n == 0 {
            return;
        }
        let mut rng = platform_stream(&self.seeds, self.replicate, p, Source::WarmStart);
        let arena: &Arena<C> = &self.arena;
        let m = arena.market.n_types();
        for _ in 0..n {
            let i = if m == 1 {
                0
            } else {
                self.arrival.sample(rng.random::<f64>())
            };
            let u_buy = rng.random::<f64>();
            self.platforms[p].serve(arena, &self.oracle, i, u_buy, &mut rng, false);
        }
    }

    /// One user of the game (steps 2-5 of the module docs).
    #[inline]
    fn advance(&mut self) {
        if self
            .pending
            .last()
            .is_some_and(|&p| self.arena.platforms[p].entry == self.step)
        {
            self.enter_due();
        }
        let arena: &Arena<C> = &self.arena;
        let m = arena.market.n_types();
        let i = if m == 1 {
            0
        } else {
            self.arrival.sample(self.arrival_rng.random::<f64>())
        };
        let u_buy = self.purchase_rng.random::<f64>();
        let p = if self.active.len() == 1 {
            self.active[0]
        } else {
            self.reps.clear();
            for &q in &self.active {
                self.reps.push(self.platforms[q].reputation(i));
            }
            self.active[arena.response.choose(&self.reps, &mut self.response_rng)]
        };
        self.platforms[p].serve(arena, &self.oracle, i, u_buy, &mut self.choice_rng, true);
        self.joint[p][i] += 1;
        self.step += 1;
    }

    /// Advances up to `n` users (never past the horizon), measuring on the way; returns the
    /// number of steps taken. Returns early, after a measurement, when the current stop token
    /// asks to stop (see [`crate::runner::Stop`]; never outside a stop scope), looking at the
    /// token at every measurement and every [`STOP_CHECK_STEPS`] steps.
    pub fn step(&mut self, n: u64) -> u64 {
        let start = self.step;
        let target = start + n.min(self.arena.steps - start);
        while self.step < target {
            if self.faulted() {
                break;
            }
            let stop = target.min(self.next).min(self.step + STOP_CHECK_STEPS);
            while self.step < stop {
                self.advance();
            }
            if self.step == self.next {
                self.measure();
            }
            if stop_requested() {
                break;
            }
        }
        self.step - start
    }

    /// Steps to the horizon.
    pub fn run_to_end(&mut self) {
        self.step(self.arena.steps);
    }

    fn measure(&mut self) {
        let market = &self.arena.market;
        let t = self.step.max(1) as f64;
        let platforms = self
            .platforms
            .iter()
            .map(|pl| PlatformPoint {
                share: pl.chosen as f64 / t,
                efficiency: if pl.chosen == 0 {
                    0.0
                } else {
                    pl.bought as f64 / pl.chosen as f64
                },
                entropy: pl.state.entropy(),
                gini: gini(pl.state.counts(), &mut self.scratch),
                regret: pl.regret,
                q_error: pl.ranking.learning().and_then(|l| l.estimate_error(market)),
                reputation: pl.overall_reputation().value(),
            })
            .collect();
        let bought: u64 = self.platforms.iter().map(|p| p.bought).sum();
        let (specialisation, specialisation_max) = specialisation(&self.joint, self.active.len());
        self.points.push(ArenaPoint {
            step: self.step,
            platforms,
            welfare: bought as f64 / t,
            specialisation,
            specialisation_max,
        });
        self.next = if self.step >= self.arena.steps {
            u64::MAX
        } else {
            (self.step + self.arena.every).min(self.arena.steps)
        };
    }

    /// Whether a platform's ranking (a user's) broke its contract.
    fn faulted(&self) -> bool {
        self.platforms.iter().any(|p| p.ranking.fault().is_some())
    }

    /// The error of a user's ranking that broke its contract (a wrong order, or a plug-in that
    /// failed by itself), naming the platform, the step and the replicate; `None` while every
    /// ranking keeps its contract (always, for the built-ins). After a fault the run stops
    /// advancing and its numbers are not to be used.
    pub fn error(&self) -> Option<ArenaError> {
        self.platforms.iter().enumerate().find_map(|(p, pl)| {
            let what = pl.ranking.fault()?;
            Some(ranking_error(&self.arena, p, self.replicate, &what))
        })
    }

    /// Users arrived so far (game users; warm starts excluded).
    pub fn current_step(&self) -> u64 {
        self.step
    }

    /// Whether the horizon is reached.
    pub fn is_finished(&self) -> bool {
        self.step >= self.arena.steps
    }

    /// The arena.
    pub fn arena(&self) -> &Arena<C> {
        &self.arena
    }

    /// Platform `p` now (counts, ranking, reputations, tallies).
    pub fn platform(&self, p: usize) -> &super::platform::Platform {
        &self.platforms[p]
    }

    /// The measurements so far.
    pub fn points(&self) -> &[ArenaPoint] {
        &self.points
    }

    /// The replicate so far as plain data.
    pub fn trajectory(&self) -> ArenaTrajectory {
        let m = self.arena.market.n_types();
        ArenaTrajectory {
            replicate: self.replicate,
            initial_counts: self.initial.clone(),
            points: self.points.clone(),
            chosen_by_type: self.joint.clone(),
            type_arrivals: (0..m)
                .map(|i| self.joint.iter().map(|r| r[i]).sum())
                .collect(),
            final_counts: self
                .platforms
                .iter()
                .map(|p| p.state.counts().to_vec())
                .collect(),
            trials: self
                .platforms
                .iter()
                .map(|p| p.state.trials().to_vec())
                .collect(),
        }
    }
}

/// The error of platform `p`'s ranking in `replicate`: `what` happened (e.g. "at step 12: rank
/// returned item 9 twice").
fn ranking_error<C>(arena: &Arena<C>, p: usize, replicate: u64, what: &str) -> ArenaError {
    let spec = &arena.platforms[p];
    ArenaError::Ranking {
        field: format!("platforms[{p}].ranking"),
        message: format!(
            "platform {:?}: ranking {:?} of replicate {replicate} {what}",
            spec.name,
            spec.ranking.name()
        ),
    }
}

impl<C: ArenaChoice> Arena<C> {
    /// Starts replicate `replicate` under master seed `seeds`, borrowing the arena (errors as
    /// [`ArenaRun::new`]).
    pub fn start(
        &self,
        seeds: SeedSequence,
        replicate: u64,
    ) -> Result<ArenaRun<'_, C>, ArenaError> {
        ArenaRun::new(Cow::Borrowed(self), seeds, replicate)
    }

    /// Runs replicate `replicate` to the horizon. Errors if a user's ranking cannot be built or
    /// breaks its contract ([`ArenaRun::error`]); with built-in rankings it never fails.
    pub fn run_replicate(
        &self,
        seeds: SeedSequence,
        replicate: u64,
    ) -> Result<ArenaTrajectory, ArenaError> {
        let mut run = self.start(seeds, replicate)?;
        run.run_to_end();
        match run.error() {
            Some(e) => Err(e),
            None => Ok(run.trajectory()),
        }
    }
}
