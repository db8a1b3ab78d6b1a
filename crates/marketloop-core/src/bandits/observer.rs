//! Measurements of a competition game: the **observer** ([`GameObserver`]) sees the game's state
//! every K rounds and returns named values, which the experiment layer collects into the
//! trajectory tables (as the market's [`Observer`](crate::market::Observer) does for markets).
//!
//! The built-in measurements are ordinary observers: [`MarketShares`], [`Reputations`],
//! [`FirmRegrets`] and [`MarketRegret`] ([`builtin_observers`] lists them in the order of the
//! recorded trajectories); a user's observer takes exactly their path.

use super::{CompetitionState, MeanVector};

/// What an observer sees at a recording point of one game.
#[derive(Clone, Copy, Debug)]
pub struct GameView<'a> {
    /// The game's state (rounds played, shares, reputations, regrets, users served).
    pub state: &'a CompetitionState,
    /// The game's mean rewards (the realised instance).
    pub means: &'a MeanVector,
    /// The replicate (run) index.
    pub replicate: u64,
}

/// A measurement of a competition game, taken every K rounds: named values.
pub trait GameObserver {
    /// The names of the values, in order, for a game of `firms` firms.
    fn names(&self, firms: usize) -> Vec<String>;
    /// Writes the values (as many as [`names`](Self::names) gives) into `out`.
    fn observe(&mut self, view: &GameView<'_>, out: &mut [f64]);
}

/// A boxed observer (a user's, or a built-in one).
pub type BoxedGameObserver = Box<dyn GameObserver + Send>;

fn per_firm(prefix: &str, firms: usize) -> Vec<String> {
    (1..=firms).map(|j| format!("{prefix}_{j}")).collect()
}

/// Each firm's market share so far (`share_1`, `share_2`, ...).
#[derive(Clone, Copy, Debug, Default)]
pub struct MarketShares;

impl GameObserver for MarketShares {
    fn names(&self, firms: usize) -> Vec<String> {
        per_firm("share", firms)
    }
    fn observe(&mut self, view: &GameView<'_>, out: &mut [f64]) {
        out.copy_from_slice(&view.state.shares);
    }
}

/// Each firm's current reputation (`reputation_1`, ...).
#[derive(Clone, Copy, Debug, Default)]
pub struct Reputations;

impl GameObserver for Reputations {
    fn names(&self, firms: usize) -> Vec<String> {
        per_firm("reputation", firms)
    }
    fn observe(&mut self, view: &GameView<'_>, out: &mut [f64]) {
        out.copy_from_slice(&view.state.reputation);
    }
}

/// Each firm's cumulative game regret (`firm_regret_1`, ...).
#[derive(Clone, Copy, Debug, Default)]
pub struct FirmRegrets;

impl GameObserver for FirmRegrets {
    fn names(&self, firms: usize) -> Vec<String> {
        per_firm("firm_regret", firms)
    }
    fn observe(&mut self, view: &GameView<'_>, out: &mut [f64]) {
        out.copy_from_slice(&view.state.firm_regret);
    }
}

/// The market's cumulative regret (`market_regret`).
#[derive(Clone, Copy, Debug, Default)]
pub struct MarketRegret;

impl GameObserver for MarketRegret {
    fn names(&self, _: usize) -> Vec<String> {
        vec!["market_regret".into()]
    }
    fn observe(&mut self, view: &GameView<'_>, out: &mut [f64]) {
        out[0] = view.state.regret;
    }
}

/// The built-in measurements of a recorded game, in the order of its trajectory: shares,
/// reputations, firm regrets, market regret.
pub fn builtin_observers() -> Vec<BoxedGameObserver> {
    vec![
        Box::new(MarketShares),
        Box::new(Reputations),
        Box::new(FirmRegrets),
        Box::new(MarketRegret),
    ]
}

/// Records `observers` on one game: every observer's values in one row per recording point.
pub struct GameRecorder {
    observers: Vec<BoxedGameObserver>,
    widths: Vec<usize>,
    names: Vec<String>,
    row: Vec<f64>,
}

impl GameRecorder {
    /// A recorder of `observers` for a game of `firms` firms.
    pub fn new(observers: Vec<BoxedGameObserver>, firms: usize) -> Self {
        let mut names = Vec::new();
        let mut widths = Vec::with_capacity(observers.len());
        for o in &observers {
            let n = o.names(firms);
            widths.push(n.len());
            names.extend(n);
        }
        let row = vec![0.0; names.len()];
        GameRecorder {
            observers,
            widths,
            names,
            row,
        }
    }

    /// Every value's name, in row order.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// One row: every observer's values at `view`.
    pub fn record(&mut self, view: &GameView<'_>) -> &[f64] {
        let mut at = 0;
        for (o, &w) in self.observers.iter_mut().zip(&self.widths) {
            o.observe(view, &mut self.row[at..at + w]);
            at += w;
        }
        &self.row
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_recorder_lays_out_every_observer_in_order() {
        let state = CompetitionState {
            round: 10,
            horizon: 20,
            chosen: vec![6, 4],
            served: vec![6, 4],
            reputation: vec![0.5, 0.25],
            shares: vec![0.6, 0.4],
            regret: 1.5,
            firm_regret: vec![1.0, 0.5],
        };
        let means = MeanVector::new(vec![0.2, 0.7]).unwrap();
        struct Leader;
        impl GameObserver for Leader {
            fn names(&self, _: usize) -> Vec<String> {
                vec!["leader".into()]
            }
            fn observe(&mut self, v: &GameView<'_>, out: &mut [f64]) {
                out[0] = if v.state.shares[0] > v.state.shares[1] {
                    1.0
                } else {
                    2.0
                };
            }
        }
        let mut all = builtin_observers();
        all.push(Box::new(Leader));
        let mut rec = GameRecorder::new(all, 2);
        assert_eq!(
            rec.names(),
            [
                "share_1",
                "share_2",
                "reputation_1",
                "reputation_2",
                "firm_regret_1",
                "firm_regret_2",
                "market_regret",
                "leader"
            ]
        );
        let view = GameView {
            state: &state,
            means: &means,
            replicate: 3,
        };
        assert_eq!(rec.record(&view), [0.6, 0.4, 0.5, 0.25, 1.0, 0.5, 1.5, 1.0]);
    }
}
