//! The arena spec of `marketloop arena SPEC.toml` ([`ArenaSpec`]), resolved once into the core's
//! validated [`Arena`] ([`ResolvedArena`]). The `[market]` table is a market spec (the fields
//! of `marketloop market`, resolved by the same code, so `{ file = "v.npy" }` matrices from
//! `marketloop data preferences` or the authors' inputs work as there); the platforms rank it
//! themselves, so it has no `[market.ranking]`.
//!
//! ```toml
//! steps = 100000                  # users per run (required)
//! every = 1000                    # a measurement every K steps (and after the last)
//! window = 100                    # reputation window (users)
//! reputation = "overall"          # or "per-type": word of mouth inside a user type
//! response = { kind = "hard-max" }   # or { kind = "hard-max-random", eps = 0.1 },
//!                                 #    { kind = "soft-max", temperature = 0.05 }
//! choice = "logit"                # or "first-position" (items = arms: the bandit game)
//! position_bias = "musiclab"      # or [0.8, 0.5, ..], { log_discount = 50 },
//!                                 #    { exponential = 50, decay = 0.9 }
//!
//! [market]                        # a market spec (weights, visibility, quality, ...)
//! visibility = { file = "v.npy" }
//! quality = { file = "q.npy" }
//! weights = { file = "w.npy" }
//! feedback = 0.5
//!
//! [[platforms]]
//! name = "oracle"                 # default "platform p"
//! ranking = "quality"             # random | popularity | quality | fixed | performance |
//!                                 #    greedy | eps-greedy | thompson | ucb
//! personalised = true             # sees the user's type (default true)
//! warm_start = 0                  # users served alone at entry
//! entry = 0                       # the step it becomes available
//! # ties = "first-to-reach"       # popularity only (the market's tie rules)
//! # order = [3, 1, 2]             # fixed only
//! # prior = [1.0, 1.0]            # learning rankings: Beta(alpha, beta), default [1, 1]
//! # eps = 0.05                    # eps-greedy only (default 0.05)
//! # c = 1.4142                    # ucb only (default sqrt(2))
//! # popularity_weighted = false   # learning rankings: rank by score * vhat * d^r
//! ```

use super::market::{from_toml, from_value, MarketSpec, TABLE_MARK};
use super::ranking::{BiasValue, OrderValue, RankingTable};
use super::values::Checked;
use crate::spec::limits::{at_most, MAX_FIRMS, MAX_ROUNDS, MAX_STEPS};
use crate::IoError;
use marketloop_core::arena::{
    Arena, ArenaChoice, ArenaError, ArenaRankingSpec, CustomRanking, FirstPosition, LearningRule,
    LearningSpec, PlatformSpec, ReputationScope, DEFAULT_WINDOW,
};
use marketloop_core::bandits::ResponseSpec;
use marketloop_core::market::{MultinomialLogit, RankingSpec};
use serde::Deserialize;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

/// The default measurement interval.
pub const DEFAULT_EVERY: u64 = 1000;

/// Names of the ranking strategies a platform may use.
pub const STRATEGIES: &str = "random, popularity, quality, fixed, performance, greedy, \
                              eps-greedy, thompson, ucb";

/// An arena spec as written (TOML file, Python keywords, sweep cell).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArenaSpec {
    /// Users per run.
    pub steps: Option<u64>,
    /// A measurement every this many steps (default 1000).
    pub every: Option<u64>,
    /// The reputation window (default 100).
    pub window: Option<u64>,
    /// `"overall"` (default) or `"per-type"`.
    pub reputation: Option<String>,
    /// The response function (default HardMax with fair ties).
    pub response: Option<ResponseSpec>,
    /// `"logit"` (default) or `"first-position"`.
    pub choice: Option<String>,
    /// The position bias (default `"musiclab"`).
    pub position_bias: Option<Checked<BiasValue>>,
    /// The market (a market spec as a table).
    pub market: Option<Value>,
    /// The platforms.
    #[serde(default, deserialize_with = "platforms_table")]
    pub platforms: Vec<PlatformTable>,
}

fn platforms_table<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<PlatformTable>, D::Error> {
    use serde::de::Error;
    Vec::<PlatformTable>::deserialize(d)
        .map_err(|e| D::Error::custom(format!("{TABLE_MARK}platforms] {e}")))
}

/// One `[[platforms]]` table as written.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlatformTable {
    /// A name (default `platform p`).
    pub name: Option<String>,
    /// The ranking strategy.
    pub ranking: Option<String>,
    /// Whether the platform sees the user's type (default true).
    pub personalised: Option<bool>,
    /// Users served alone at entry (default 0).
    pub warm_start: Option<u64>,
    /// The step the platform becomes available (default 0).
    pub entry: Option<u64>,
    /// Popularity: the tie rule.
    pub ties: Option<Checked<String>>,
    /// Fixed: the order(s).
    pub order: Option<Checked<OrderValue>>,
    /// Learning: the Beta prior `[alpha, beta]`.
    pub prior: Option<Vec<f64>>,
    /// Eps-greedy: the exploration probability.
    pub eps: Option<f64>,
    /// UCB: the exploration constant.
    pub c: Option<f64>,
    /// Learning: rank by score * vhat * d^r.
    pub popularity_weighted: Option<bool>,
}

/// An arena under either built-in choice rule.
#[derive(Clone, Debug)]
pub enum ArenaModel {
    /// Under the multinomial logit.
    Logit(Arena<MultinomialLogit>),
    /// Under the first-position rule.
    FirstPosition(Arena<FirstPosition>),
}

impl ArenaModel {
    /// The platforms' names.
    pub fn platform_names(&self) -> Vec<String> {
        let p = match self {
            ArenaModel::Logit(a) => a.platforms(),
            ArenaModel::FirstPosition(a) => a.platforms(),
        };
        p.iter().map(|x| x.name.clone()).collect()
    }
}

/// A resolved, validated arena spec.
#[derive(Clone, Debug)]
pub struct ResolvedArena {
    /// The arena.
    pub arena: ArenaModel,
    /// The resolved configuration for manifests (every default filled in).
    pub config: Value,
}

/// An arena error as a spec error naming the field.
pub fn arena_error(e: ArenaError) -> IoError {
    match e {
        ArenaError::Market(m) => IoError::Market(m),
        other => IoError::spec(
            other.field().unwrap_or_else(|| "arena".into()),
            other.to_string(),
        ),
    }
}

fn prefixed(prefix: &str, e: IoError) -> IoError {
    match e.field() {
        Some(f) => IoError::spec(format!("{prefix}.{f}"), format!("{prefix}: {e}")),
        None => IoError::spec(prefix, format!("{prefix}: {e}")),
    }
}

fn platform(k: usize, t: &PlatformTable) -> Result<PlatformSpec, IoError> {
    let field = |f: &str| format!("platforms[{k}].{f}");
    let strategy = t.ranking.as_deref().ok_or_else(|| {
        IoError::spec(
            field("ranking"),
            format!("platforms[{k}].ranking is missing: a platform needs a ranking ({STRATEGIES})"),
        )
    })?;
    const KNOWN: [&str; 9] = [
        "random",
        "popularity",
        "quality",
        "fixed",
        "performance",
        "greedy",
        "eps-greedy",
        "thompson",
        "ucb",
    ];
    if !KNOWN.contains(&strategy) {
        return Err(IoError::spec(
            field("ranking"),
            format!("platforms[{k}].ranking = {strategy:?}; allowed: {STRATEGIES}"),
        ));
    }
    let learning = matches!(strategy, "greedy" | "eps-greedy" | "thompson" | "ucb");
    let only = |name: &str, set: bool, applies: bool, to: &str| -> Result<(), IoError> {
        if set && !applies {
            return Err(IoError::spec(
                field(name),
                format!(
                    "platforms[{k}].{name} applies to ranking = {to} only (ranking is {strategy:?})"
                ),
            ));
        }
        Ok(())
    };
    only(
        "ties",
        t.ties.is_some(),
        strategy == "popularity",
        "\"popularity\"",
    )?;
    only("order", t.order.is_some(), strategy == "fixed", "\"fixed\"")?;
    only(
        "eps",
        t.eps.is_some(),
        strategy == "eps-greedy",
        "\"eps-greedy\"",
    )?;
    only("c", t.c.is_some(), strategy == "ucb", "\"ucb\"")?;
    only("prior", t.prior.is_some(), learning, "a learning ranking")?;
    only(
        "popularity_weighted",
        t.popularity_weighted.is_some(),
        learning,
        "a learning ranking",
    )?;
    let ranking = match strategy {
        "random" | "popularity" | "quality" | "fixed" => {
            let table = RankingTable {
                strategy: Some(Checked::Valid(strategy.to_string())),
                position_bias: None,
                ties: t.ties.clone(),
                order: t.order.clone(),
                explore: None,
            };
            let (spec, _) = table.resolve().map_err(|e| {
                let f = e.field().unwrap_or_default().replace("ranking.", "");
                IoError::spec(
                    field(&f),
                    e.to_string()
                        .replace("ranking.", &format!("platforms[{k}].")),
                )
            })?;
            match spec {
                RankingSpec::Random => ArenaRankingSpec::Random,
                RankingSpec::Popularity { ties } => ArenaRankingSpec::Popularity { ties },
                RankingSpec::Quality => ArenaRankingSpec::Quality,
                RankingSpec::Fixed { order } => ArenaRankingSpec::Fixed { order },
                RankingSpec::ExploreThenExploit { .. } => {
                    unreachable!("only the four market strategies reach this table")
                }
            }
        }
        "performance" => ArenaRankingSpec::Performance,
        "greedy" | "eps-greedy" | "thompson" | "ucb" => {
            let (alpha, beta) = match t.prior.as_deref() {
                None => (1.0, 1.0),
                Some([a, b]) => (*a, *b),
                Some(other) => {
                    return Err(IoError::spec(
                        field("prior"),
                        format!(
                            "platforms[{k}].prior has {} entries; give [alpha, beta] of a Beta \
                             prior (both > 0)",
                            other.len()
                        ),
                    ))
                }
            };
            let rule = match strategy {
                "greedy" => LearningRule::Greedy,
                "eps-greedy" => LearningRule::EpsilonGreedy {
                    eps: t.eps.unwrap_or(0.05),
                },
                "thompson" => LearningRule::Thompson,
                _ => LearningRule::Ucb {
                    c: t.c.unwrap_or(std::f64::consts::SQRT_2),
                },
            };
            ArenaRankingSpec::Learning(LearningSpec {
                rule,
                alpha,
                beta,
                popularity_weighted: t.popularity_weighted.unwrap_or(false),
            })
        }
        other => {
            return Err(IoError::spec(
                field("ranking"),
                format!("platforms[{k}].ranking = {other:?}; allowed: {STRATEGIES}"),
            ))
        }
    };
    let warm_start = t.warm_start.unwrap_or(0);
    at_most(&format!("platforms[{k}].warm_start"), warm_start, MAX_STEPS)?;
    let entry = t.entry.unwrap_or(0);
    at_most(&format!("platforms[{k}].entry"), entry, MAX_STEPS)?;
    Ok(PlatformSpec {
        name: t.name.clone().unwrap_or_else(|| format!("platform {k}")),
        ranking,
        personalised: t.personalised.unwrap_or(true),
        warm_start,
        entry,
    })
}

impl ArenaSpec {
    /// Parses arena TOML `text`; `path` names it in errors.
    pub fn from_toml(text: &str, path: &Path) -> Result<Self, IoError> {
        from_toml(text, path, "arena")
    }

    /// Builds the spec from a JSON value (Python keywords, sweep cells).
    pub fn from_value(spec: &Value) -> Result<Self, IoError> {
        from_value(spec, "arena")
    }

    /// Resolves the spec into a validated arena; market file references are relative to
    /// `base`. Every check happens here, before anything is allocated or written.
    pub fn resolve(&self, base: &Path) -> Result<ResolvedArena, IoError> {
        let steps = self.steps.ok_or_else(|| {
            IoError::spec(
                "steps",
                "steps is missing (users per run, e.g. steps = 100000)",
            )
        })?;
        at_most("steps", steps, MAX_STEPS)?;
        let every = self.every.unwrap_or(DEFAULT_EVERY);
        let window = self.window.unwrap_or(DEFAULT_WINDOW as u64);
        at_most("window", window, MAX_ROUNDS)?;
        at_most("platforms", self.platforms.len() as u64, MAX_FIRMS)?;
        let window = usize::try_from(window)
            .map_err(|_| IoError::spec("window", format!("window = {window} is too large")))?;
        let scope = match self.reputation.as_deref() {
            None | Some("overall") => ReputationScope::Overall,
            Some("per-type") => ReputationScope::PerType,
            Some(other) => {
                return Err(IoError::spec(
                    "reputation",
                    format!("reputation = {other:?}; allowed: \"overall\", \"per-type\""),
                ))
            }
        };
        let response = self.response.unwrap_or_default();
        let market_value = self
            .market
            .as_ref()
            .ok_or_else(|| IoError::spec("market", "the [market] table is missing"))?;
        if market_value.get("ranking").is_some() {
            return Err(IoError::spec(
                "market.ranking",
                "market.ranking: in an arena every platform ranks by its own `ranking`; give the \
                 position bias as the top-level position_bias",
            ));
        }
        let market = MarketSpec::from_value(market_value)
            .and_then(|m| m.resolve(base))
            .map_err(|e| prefixed("market", e))?;
        let bias_spec = RankingTable {
            strategy: Some(Checked::Valid("random".into())),
            position_bias: self.position_bias.clone(),
            ties: None,
            order: None,
            explore: None,
        }
        .resolve()
        .map_err(|e| {
            IoError::spec(
                e.field().unwrap_or_default().replace("ranking.", ""),
                e.to_string().replace("ranking.", ""),
            )
        })?
        .1;
        let bias = bias_spec.build()?;
        if self.platforms.is_empty() {
            return Err(IoError::spec(
                "platforms",
                "P = 0 platforms: give at least one [[platforms]] table",
            ));
        }
        let platforms: Vec<PlatformSpec> = self
            .platforms
            .iter()
            .enumerate()
            .map(|(k, t)| platform(k, t))
            .collect::<Result<_, _>>()?;
        let builder = Arena::builder()
            .market(market.market.clone())
            .position_bias(bias)
            .platforms(platforms.clone())
            .response(response)
            .reputation(scope)
            .window(window)
            .steps(steps)
            .every(every);
        let choice = self.choice.as_deref().unwrap_or("logit");
        let arena = match choice {
            "logit" => ArenaModel::Logit(builder.build().map_err(arena_error)?),
            "first-position" => ArenaModel::FirstPosition(
                builder.choice(FirstPosition).build().map_err(arena_error)?,
            ),
            other => {
                return Err(IoError::spec(
                    "choice",
                    format!("choice = {other:?}; allowed: \"logit\", \"first-position\""),
                ))
            }
        };
        let config = json!({
            "steps": steps,
            "every": every,
            "window": window,
            "reputation": scope,
            "response": response,
            "choice": choice,
            "position_bias": bias_spec,
            "market": market.config,
            "platforms": platforms,
        });
        Ok(ResolvedArena { arena, config })
    }
}

impl ResolvedArena {
    /// Reads and resolves the arena TOML at `path` (market files relative to its folder).
    pub fn load(path: &Path) -> Result<Self, IoError> {
        let text = std::fs::read_to_string(path).map_err(|e| IoError::os(path, e))?;
        let base = path
            .parent()
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
        ArenaSpec::from_toml(&text, path)?.resolve(&base)
    }

    /// Resolves an arena given as a JSON value (file references relative to `base`).
    pub fn from_value(spec: &Value, base: &Path) -> Result<Self, IoError> {
        ArenaSpec::from_value(spec)?.resolve(base)
    }

    /// The arena with the rankings of some platforms replaced by users' rankings (`(platform
    /// index, ranking)`: what the Python bindings put in the slots their spec holds a
    /// placeholder for), validated again; the resolved configuration records each as
    /// `{"strategy": "custom", "name": ...}`. Errors name the platform (`platforms[p]`) if the
    /// index is out of range.
    pub fn with_rankings(self, rankings: Vec<(usize, CustomRanking)>) -> Result<Self, IoError> {
        fn replace<C: ArenaChoice>(
            arena: Arena<C>,
            rankings: &[(usize, CustomRanking)],
        ) -> Result<Arena<C>, IoError> {
            let mut platforms = arena.platforms().to_vec();
            let n = platforms.len();
            for (p, ranking) in rankings {
                let slot = platforms.get_mut(*p).ok_or_else(|| {
                    IoError::spec(
                        format!("platforms[{p}]"),
                        format!(
                            "ranking {:?} is for platform {p}, but there are {n} platforms",
                            ranking.name()
                        ),
                    )
                })?;
                slot.ranking = ArenaRankingSpec::Custom(ranking.clone());
            }
            arena
                .into_builder()
                .platforms(platforms)
                .build()
                .map_err(arena_error)
        }
        let arena = match self.arena {
            ArenaModel::Logit(a) => ArenaModel::Logit(replace(a, &rankings)?),
            ArenaModel::FirstPosition(a) => ArenaModel::FirstPosition(replace(a, &rankings)?),
        };
        let platforms = match &arena {
            ArenaModel::Logit(a) => a.platforms(),
            ArenaModel::FirstPosition(a) => a.platforms(),
        };
        let mut config = self.config;
        config["platforms"] = json!(platforms);
        Ok(ResolvedArena { arena, config })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OK: &str = r#"
steps = 2000
every = 500
reputation = "per-type"
response = { kind = "hard-max-random", eps = 0.1 }
position_bias = [0.9, 0.5]

[market]
weights = [0.5, 0.5]
visibility = [[1.0, 0.5, 0.2], [0.3, 0.9, 0.4]]
quality = [[0.9, 0.5, 0.1], [0.2, 0.3, 0.4]]
feedback = 0.5

[[platforms]]
name = "TS"
ranking = "thompson"
prior = [1, 2]
warm_start = 20

[[platforms]]
ranking = "popularity"
ties = "random"
personalised = false
entry = 100
"#;

    fn parse(text: &str) -> Result<ResolvedArena, IoError> {
        ArenaSpec::from_toml(text, Path::new("a.toml"))?.resolve(Path::new("."))
    }

    fn field(text: &str) -> String {
        parse(text).unwrap_err().field().unwrap_or_default()
    }

    #[test]
    fn resolves_an_arena_with_defaults_filled_in() {
        let r = parse(OK).unwrap();
        let ArenaModel::Logit(a) = &r.arena else {
            panic!("logit by default")
        };
        assert_eq!(a.platforms().len(), 2);
        assert_eq!(a.platforms()[1].name, "platform 1");
        assert_eq!(a.platforms()[1].entry, 100);
        assert!(!a.platforms()[1].personalised);
        assert_eq!(a.window(), 100);
        assert_eq!(a.reputation(), ReputationScope::PerType);
        assert_eq!(r.config["platforms"][0]["ranking"]["beta"], 2.0);
        assert_eq!(r.config["platforms"][0]["ranking"]["strategy"], "learning");
        assert_eq!(r.config["every"], 500);
    }

    #[test]
    fn oversized_numbers_are_errors_before_allocation() {
        let big = i64::MAX;
        let cases = [
            ("steps = 2000", format!("steps = {big}"), "steps"),
            (
                "entry = 100",
                format!("entry = {big}"),
                "platforms[1].entry",
            ),
            (
                "warm_start = 20",
                format!("warm_start = {big}"),
                "platforms[0].warm_start",
            ),
            (
                "reputation = \"per-type\"",
                format!("window = {big}"),
                "window",
            ),
        ];
        for (from, to, want) in cases {
            let text = OK.replace(from, &to);
            assert_ne!(text, OK, "{from}");
            assert_eq!(field(&text), want, "{to}");
        }
    }

    #[test]
    fn bad_input_names_the_field() {
        assert_eq!(field(&OK.replace("steps = 2000", "")), "steps");
        assert_eq!(
            field(&OK.replace("steps = 2000", "steps = 2000\nwhat = 1")),
            "what"
        );
        assert_eq!(
            field(&OK.replace("prior = [1, 2]", "prior = [0, 2]")),
            "platforms[0].ranking.alpha"
        );
        assert_eq!(
            field(&OK.replace("prior = [1, 2]", "prior = [1]")),
            "platforms[0].prior"
        );
        assert_eq!(
            field(&OK.replace("entry = 100", "entry = 2000")),
            "platforms[1].entry"
        );
        assert_eq!(
            field(&OK.replace("ranking = \"thompson\"", "ranking = \"magic\"")),
            "platforms[0].ranking"
        );
        assert_eq!(
            field(&OK.replace("ties = \"random\"", "ties = \"coin\"")),
            "platforms[1].ties"
        );
        assert_eq!(
            field(&OK.replace("ties = \"random\"", "eps = 0.1")),
            "platforms[1].eps"
        );
        assert_eq!(
            field(&OK.replace("warm_start = 20", "warm_up = 20")),
            "platforms.warm_up"
        );
        assert_eq!(
            field(&OK.replace("feedback = 0.5", "feedback = -1")),
            "market.feedback"
        );
        assert_eq!(
            field(&OK.replace("feedback = 0.5", "feedback = 0.5\nsize = 2")),
            "market.size"
        );
        assert_eq!(
            field(&OK.replace("reputation = \"per-type\"", "reputation = \"global\"")),
            "reputation"
        );
        assert_eq!(
            field(&OK.replace("reputation = \"per-type\"", "window = 0")),
            "window"
        );
        assert_eq!(
            field(&OK.replace("position_bias = [0.9, 0.5]", "position_bias = \"steep\"")),
            "position_bias"
        );
        assert_eq!(
            field(&OK.replace("[market]", "choice = \"nested\"\n[market]")),
            "choice"
        );
        let none = OK.split("[[platforms]]").next().unwrap();
        assert_eq!(field(none), "platforms");
        let types = OK.replace("weights = [0.5, 0.5]", "weights = [0.2, 0.3, 0.5]");
        assert_eq!(field(&types), "market.visibility");
    }
}
