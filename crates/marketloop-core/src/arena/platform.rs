//! One platform's state in a running arena: its counts ([`CountState`]: its own shares
//! phi^(p)), its ranking policy and ranking stream, its reputation windows (overall, and per
//! user type if reputations are per type; the sliding windows of the competing-bandits
//! [`Firm`]), and its tallies (game users, purchases, regret). `Platform::serve` is the step
//! inside a platform, in the market engine's order: rank, try (one `Choice` uniform), record the
//! trial, buy if the purchase coin is below q_ij, tell the ranking (`on_purchase`, `observe`),
//! update the reputations.

use super::choice::ArenaChoice;
use super::model::{Arena, ReputationScope};
use super::oracle::OracleSlates;
use super::ranking::ArenaRanking;
use crate::bandits::{Firm, Reputation};
use crate::market::choice::Slate;
use crate::market::{CountState, DynRankingPolicy, PlatformState, StepOutcome};
use crate::rng::PortableRng;

/// One platform of a running arena.
#[derive(Clone, Debug)]
pub struct Platform {
    pub(super) ranking: ArenaRanking,
    pub(super) state: CountState,
    pub(super) rng: PortableRng,
    overall: Firm<()>,
    per_type: Vec<Firm<()>>,
    /// The choice rule's working space, one entry per position.
    buf: Vec<f64>,
    pub(super) chosen: u64,
    pub(super) bought: u64,
    pub(super) regret: f64,
    /// Per type, the purchase probability under the quality oracle's slate at the current
    /// counts, once computed and while none of that slate's items has been bought since (kept
    /// only for a choice rule whose probability reads the slate's counts alone), and the
    /// powers' epoch they were computed in (a rescaling of the powers forgets them all).
    oracle_value: Vec<Option<f64>>,
    oracle_epoch: u64,
}

impl Platform {
    /// A platform at `state` with its ranking (already reset) and ranking stream.
    pub(super) fn new<C>(
        arena: &Arena<C>,
        ranking: ArenaRanking,
        state: CountState,
        rng: PortableRng,
    ) -> Self {
        let window = arena.window;
        let firm = || Firm::new((), window).expect("window validated by the arena");
        let per_type = match arena.scope {
            ReputationScope::Overall => Vec::new(),
            ReputationScope::PerType => (0..arena.market.n_types()).map(|_| firm()).collect(),
        };
        Self {
            ranking,
            state,
            rng,
            overall: firm(),
            per_type,
            buf: vec![0.0; arena.bias.positions()],
            chosen: 0,
            bought: 0,
            regret: 0.0,
            oracle_value: vec![None; arena.market.n_types()],
            oracle_epoch: 0,
        }
    }

    /// The reputation a type-`user_type` user sees.
    #[inline]
    pub fn reputation(&self, user_type: usize) -> Reputation {
        match self.per_type.get(user_type) {
            Some(f) => f.reputation(),
            None => self.overall.reputation(),
        }
    }

    /// The overall reputation (whatever the scope).
    pub fn overall_reputation(&self) -> Reputation {
        self.overall.reputation()
    }

    /// The counts and running totals.
    pub fn state(&self) -> &CountState {
        &self.state
    }

    /// The ranking policy.
    pub fn ranking(&self) -> &ArenaRanking {
        &self.ranking
    }

    /// Game users who chose the platform so far.
    pub fn chosen(&self) -> u64 {
        self.chosen
    }

    /// Purchases of those users.
    pub fn bought(&self) -> u64 {
        self.bought
    }

    /// Cumulative regret against the quality oracle (game users).
    pub fn regret(&self) -> f64 {
        self.regret
    }

    /// Serves one type-`user_type` user with purchase coin `u_buy`, her trial drawn from
    /// `choice`. A `game` user counts in the tallies and the regret (against the quality
    /// oracle's slate for her type in `oracle`); a warm-start user does not.
    #[inline]
    #[allow(clippy::too_many_arguments)]
    pub(super) fn serve<C: ArenaChoice>(
        &mut self,
        arena: &Arena<C>,
        oracle: &OracleSlates,
        user_type: usize,
        u_buy: f64,
        choice: &mut PortableRng,
        game: bool,
    ) -> StepOutcome {
        let market = &arena.market;
        let iota = arena.bias.weights();
        let vhat = market.visibility_row(user_type);
        let step = self.state.arrivals();
        let ctx = PlatformState {
            market,
            state: &self.state,
            user_type,
            step,
        };
        let items = self.ranking.dyn_rank(&ctx, &mut self.rng);
        let slate = Slate::ranked(items, vhat, iota);
        // The shown slate's purchase probability comes with the trial (a warm-start user's
        // is not used: she is outside the regret).
        let (tried, shown) = arena.choice.sample_slate_and_purchase(
            market,
            &self.state,
            user_type,
            &slate,
            &mut self.buf,
            choice,
        );
        if game {
            if self.oracle_epoch != self.state.epoch() {
                self.oracle_epoch = self.state.epoch();
                self.oracle_value.fill(None);
            }
            let star = match self.oracle_value[user_type] {
                Some(star) => star,
                None => {
                    let slate = oracle.slate(user_type);
                    let star =
                        arena
                            .choice
                            .purchase_probability(market, &self.state, user_type, &slate);
                    if arena.choice.slate_counts_only() {
                        self.oracle_value[user_type] = Some(star);
                    }
                    star
                }
            };
            self.regret += star - shown;
        }
        self.state.record_trial(tried);
        let mut bought = false;
        if let Some(j) = tried {
            if u_buy < market.quality_at(user_type, j) {
                bought = true;
                self.state.purchase(j);
                for &i in oracle.types_showing(j) {
                    self.oracle_value[i as usize] = None;
                }
                self.ranking
                    .dyn_on_purchase(j, self.state.counts(), &mut self.rng);
            }
        }
        let outcome = StepOutcome {
            user_type,
            tried,
            bought,
        };
        self.ranking
            .dyn_observe(step, &outcome, &self.state, &mut self.rng);
        let reward = if bought { 1.0 } else { 0.0 };
        self.overall.record(reward);
        if let Some(f) = self.per_type.get_mut(user_type) {
            f.record(reward);
        }
        if game {
            self.chosen += 1;
            self.bought += u64::from(bought);
        }
        outcome
    }
}
