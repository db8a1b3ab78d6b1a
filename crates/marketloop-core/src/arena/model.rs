//! The arena as configured and validated: the market, the position bias, the platforms (each a
//! ranking, personalised or pooled, a warm start and an entry time), how users pick a platform
//! (a response function over reputations, overall or per user type, in a sliding window), the
//! horizon and the measurement interval. Built by named field with [`Arena::builder`], validated
//! once in [`ArenaBuilder::build`] before anything is allocated; immutable afterwards.

use super::choice::ArenaChoice;
use super::error::ArenaError;
use super::ranking::ArenaRankingSpec;
use crate::bandits::{Response, ResponseSpec};
use crate::market::choice::MultinomialLogit;
use crate::market::{Market, PositionBias};
use serde::{Deserialize, Serialize};

/// The reputation window of the paper (M = 100).
pub const DEFAULT_WINDOW: usize = 100;

/// Limit on the entries the platforms' state may hold (P x M x n posteriors, P x M x window
/// reputation slots): 2^31, about 10 GB of posteriors. A larger arena is an error, not an
/// out-of-memory abort.
pub const MAX_STATE_ENTRIES: u64 = 1 << 31;

/// Limit on the measurements a replicate keeps (measurement steps x platforms): 2^24.
pub const MAX_MEASUREMENTS: u64 = 1 << 24;

/// Whose purchases a platform's reputation averages.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReputationScope {
    /// The platform's last `window` users, whatever their type.
    #[default]
    Overall,
    /// The platform's last `window` users of the arriving user's type (word of mouth inside a
    /// type).
    PerType,
}

/// One platform as configured.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlatformSpec {
    /// A name for tables and reports.
    pub name: String,
    /// The ranking policy.
    pub ranking: ArenaRankingSpec,
    /// Whether the platform sees the arriving user's type.
    pub personalised: bool,
    /// Users served alone at entry, before competing (they feed counts, the ranking and the
    /// reputation; they are not market share).
    pub warm_start: u64,
    /// The step at which the platform becomes available (0: from the start).
    pub entry: u64,
}

impl PlatformSpec {
    /// A personalised platform from the start, without a warm start.
    pub fn new(name: impl Into<String>, ranking: ArenaRankingSpec) -> Self {
        Self {
            name: name.into(),
            ranking,
            personalised: true,
            warm_start: 0,
            entry: 0,
        }
    }
}

/// A validated arena under the choice rule `C` (default: the multinomial logit).
#[derive(Clone, Debug)]
pub struct Arena<C = MultinomialLogit> {
    pub(super) market: Market,
    pub(super) bias: PositionBias,
    pub(super) platforms: Vec<PlatformSpec>,
    pub(super) response_spec: ResponseSpec,
    pub(super) response: Response,
    pub(super) scope: ReputationScope,
    pub(super) window: usize,
    pub(super) steps: u64,
    pub(super) every: u64,
    pub(super) choice: C,
}

/// Builds an [`Arena`] from named fields; see [`Arena::builder`].
#[derive(Clone, Debug)]
#[must_use = "a builder does nothing until `build()`"]
pub struct ArenaBuilder<C = MultinomialLogit> {
    market: Option<Market>,
    bias: PositionBias,
    platforms: Vec<PlatformSpec>,
    response: ResponseSpec,
    scope: ReputationScope,
    window: usize,
    steps: Option<u64>,
    every: u64,
    choice: C,
}

impl Arena {
    /// A builder: `market`, `platforms` and `steps` are required; the position bias defaults
    /// to MusicLab's, the response to HardMax with fair ties, reputations to overall ones in a
    /// window of [`DEFAULT_WINDOW`], measurements to every 1000 steps, the choice rule to the
    /// logit.
    pub fn builder() -> ArenaBuilder {
        ArenaBuilder {
            market: None,
            bias: PositionBias::musiclab(),
            platforms: Vec::new(),
            response: ResponseSpec::default(),
            scope: ReputationScope::Overall,
            window: DEFAULT_WINDOW,
            steps: None,
            every: 1000,
            choice: MultinomialLogit,
        }
    }
}

impl<C> ArenaBuilder<C> {
    /// The market (its visibility is vhat, before the position bias).
    pub fn market(mut self, market: Market) -> Self {
        self.market = Some(market);
        self
    }

    /// The position bias iota.
    pub fn position_bias(mut self, bias: PositionBias) -> Self {
        self.bias = bias;
        self
    }

    /// The platforms (P >= 1).
    pub fn platforms(mut self, platforms: Vec<PlatformSpec>) -> Self {
        self.platforms = platforms;
        self
    }

    /// How users pick a platform from reputations.
    pub fn response(mut self, response: ResponseSpec) -> Self {
        self.response = response;
        self
    }

    /// Whose purchases a reputation averages.
    pub fn reputation(mut self, scope: ReputationScope) -> Self {
        self.scope = scope;
        self
    }

    /// The reputation window (>= 1 users).
    pub fn window(mut self, window: usize) -> Self {
        self.window = window;
        self
    }

    /// Users per replicate (>= 1).
    pub fn steps(mut self, steps: u64) -> Self {
        self.steps = Some(steps);
        self
    }

    /// A measurement every `every` >= 1 steps (and after the last).
    pub fn every(mut self, every: u64) -> Self {
        self.every = every;
        self
    }

    /// The choice rule inside a platform.
    pub fn choice<D: ArenaChoice>(self, choice: D) -> ArenaBuilder<D> {
        ArenaBuilder {
            market: self.market,
            bias: self.bias,
            platforms: self.platforms,
            response: self.response,
            scope: self.scope,
            window: self.window,
            steps: self.steps,
            every: self.every,
            choice,
        }
    }
}

impl<C: ArenaChoice> ArenaBuilder<C> {
    /// The validated arena. Errors name the field: P = 0 (`platforms`), a window of 0
    /// (`window`), an entry at or after the horizon (`platforms[p].entry`), no platform
    /// from step 0, a learning ranking with an improper prior (`platforms[p].ranking.alpha`),
    /// a bad response parameter (`response`), a state too large for memory.
    pub fn build(self) -> Result<Arena<C>, ArenaError> {
        let market = self
            .market
            .ok_or_else(|| ArenaError::invalid("market", "not set: an arena needs a market"))?;
        let steps = self.steps.ok_or_else(|| {
            ArenaError::invalid("steps", "not set: the number of users per run, e.g. 100000")
        })?;
        if steps == 0 {
            return Err(ArenaError::invalid(
                "steps",
                "steps = 0: at least 1 is needed",
            ));
        }
        if self.every == 0 {
            return Err(ArenaError::invalid(
                "every",
                "every = 0: at least 1 is needed",
            ));
        }
        let p = self.platforms.len();
        if p == 0 {
            return Err(ArenaError::invalid(
                "platforms",
                "P = 0 platforms: an arena needs at least one platform",
            ));
        }
        if self.window == 0 || self.window > u32::MAX as usize {
            return Err(ArenaError::invalid(
                "window",
                format!(
                    "reputation window = {}: must lie in [1, 4294967295] users",
                    self.window
                ),
            ));
        }
        let response = self
            .response
            .build()
            .map_err(|e| ArenaError::from_bandit("response", e))?;
        let (m, n) = (market.n_types() as u64, market.n_items() as u64);
        let groups = if self.scope == ReputationScope::PerType {
            m + 1
        } else {
            1
        };
        let size = (p as u64)
            .checked_mul(m)
            .and_then(|x| x.checked_mul(n))
            .and_then(|x| {
                (p as u64)
                    .checked_mul(groups)?
                    .checked_mul(self.window as u64)?
                    .checked_add(x)
            });
        match size {
            Some(s) if s <= MAX_STATE_ENTRIES => {}
            _ => {
                return Err(ArenaError::invalid(
                    "platforms",
                    format!(
                        "P = {p} platforms x m = {m} types x n = {n} items (and reputation \
                         windows of {}) exceed {MAX_STATE_ENTRIES} state entries",
                        self.window
                    ),
                ))
            }
        }
        let points = (steps / self.every + 1).saturating_mul(p as u64);
        if points > MAX_MEASUREMENTS {
            return Err(ArenaError::invalid(
                "every",
                format!(
                    "every = {}: {} measurements of {p} platforms over steps = {steps} exceed \
                     {MAX_MEASUREMENTS}; measure less often",
                    self.every,
                    steps / self.every + 1
                ),
            ));
        }
        for (k, plat) in self.platforms.iter().enumerate() {
            let field = format!("platforms[{k}]");
            if plat.entry >= steps {
                return Err(ArenaError::invalid(
                    format!("{field}.entry"),
                    format!(
                        "entry = {} is not before the horizon steps = {steps}: the platform \
                         would never serve anybody",
                        plat.entry
                    ),
                ));
            }
            plat.ranking.check(
                &market,
                &self.bias,
                plat.personalised,
                &format!("{field}.ranking"),
            )?;
        }
        if self.platforms.iter().all(|x| x.entry > 0) {
            return Err(ArenaError::invalid(
                "platforms",
                "every platform enters after step 0: at least one needs entry = 0, so the first \
                 users have somewhere to go",
            ));
        }
        Ok(Arena {
            market,
            bias: self.bias,
            platforms: self.platforms,
            response_spec: self.response,
            response,
            scope: self.scope,
            window: self.window,
            steps,
            every: self.every,
            choice: self.choice,
        })
    }
}

impl<C> Arena<C> {
    /// A builder holding this arena's fields, to change some (e.g. a platform's ranking) and
    /// build (validate) again.
    pub fn into_builder(self) -> ArenaBuilder<C> {
        ArenaBuilder {
            market: Some(self.market),
            bias: self.bias,
            platforms: self.platforms,
            response: self.response_spec,
            scope: self.scope,
            window: self.window,
            steps: Some(self.steps),
            every: self.every,
            choice: self.choice,
        }
    }

    /// The market.
    pub fn market(&self) -> &Market {
        &self.market
    }

    /// The position bias.
    pub fn position_bias(&self) -> &PositionBias {
        &self.bias
    }

    /// The platforms.
    pub fn platforms(&self) -> &[PlatformSpec] {
        &self.platforms
    }

    /// The response function as configured.
    pub fn response(&self) -> &ResponseSpec {
        &self.response_spec
    }

    /// Whose purchases a reputation averages.
    pub fn reputation(&self) -> ReputationScope {
        self.scope
    }

    /// The reputation window.
    pub fn window(&self) -> usize {
        self.window
    }

    /// Users per replicate.
    pub fn steps(&self) -> u64 {
        self.steps
    }

    /// Measurement interval.
    pub fn every(&self) -> u64 {
        self.every
    }

    /// The choice rule.
    pub fn choice(&self) -> &C {
        &self.choice
    }

    /// The steps at which measurements are taken: every `every` steps and the last.
    pub fn measurement_steps(&self) -> Vec<u64> {
        let mut s: Vec<u64> = (1..=self.steps / self.every)
            .map(|k| k * self.every)
            .collect();
        if !self.steps.is_multiple_of(self.every) {
            s.push(self.steps);
        }
        s
    }
}
