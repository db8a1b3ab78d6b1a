//! The competition game: a two-player constant-sum game whose payoffs are market shares
//! (estimated, with confidence half-widths). Finds weakly and strictly dominant strategies and
//! pure Nash equilibria.
//!
//! Strategies are listed from simplest to most complex (the paper: BG < BEG < TS). Two payoffs
//! *tie* unless one is significantly above the other (the difference exceeds the combined 95%
//! half-width, [`Estimate::significantly_above`]); among tied best responses the simplest is
//! taken, so every analysis is robust to simulation noise and leans toward simpler algorithms.

use super::Estimate;
use serde::{Deserialize, Serialize};

/// A game: `row_share[i][j]` is the row player's market share when row plays strategy i and
/// column plays j; the column player's share is 1 minus it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CompetitionGame {
    /// Strategy names, simplest first.
    pub strategies: Vec<String>,
    /// Row player's shares.
    pub row_share: Vec<Vec<Estimate>>,
}

/// What the analysis of a game found (strategy indices).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GameAnalysis {
    /// The row player's weakly dominant strategy (simplest if several), if any.
    pub row_weakly_dominant: Option<usize>,
    /// The row player's strictly dominant strategy, if any.
    pub row_strictly_dominant: Option<usize>,
    /// The column player's weakly dominant strategy, if any.
    pub col_weakly_dominant: Option<usize>,
    /// The column player's strictly dominant strategy, if any.
    pub col_strictly_dominant: Option<usize>,
    /// Pure Nash equilibria (row, column) with ties broken toward the simpler strategy.
    pub equilibria: Vec<(usize, usize)>,
}

impl CompetitionGame {
    /// A symmetric game (simultaneous entry) from the shares of `a` against `b` for a < b
    /// (`pair_share(a, b)` = share of a when it plays b); the diagonal is exactly 1/2 by symmetry
    /// (identical algorithms, fair ties).
    #[allow(clippy::needless_range_loop)] // a symmetric matrix reads best with indices
    pub fn symmetric(
        strategies: Vec<String>,
        pair_share: impl Fn(usize, usize) -> Estimate,
    ) -> Self {
        let n = strategies.len();
        let mut row_share = vec![vec![Estimate::exact(0.5); n]; n];
        for a in 0..n {
            for b in a + 1..n {
                let e = pair_share(a, b);
                row_share[a][b] = e;
                row_share[b][a] = e.complement();
            }
        }
        CompetitionGame {
            strategies,
            row_share,
        }
    }

    fn col_share(&self, i: usize, j: usize) -> Estimate {
        self.row_share[i][j].complement()
    }

    /// Best response of the row player to column strategy j (simplest among ties).
    pub fn row_best_response(&self, j: usize) -> usize {
        let n = self.strategies.len();
        (0..n)
            .find(|&i| {
                !(0..n).any(|k| self.row_share[k][j].significantly_above(&self.row_share[i][j]))
            })
            .unwrap_or(0)
    }

    /// Best response of the column player to row strategy i (simplest among ties).
    pub fn col_best_response(&self, i: usize) -> usize {
        let n = self.strategies.len();
        (0..n)
            .find(|&j| {
                !(0..n).any(|l| {
                    self.col_share(i, l)
                        .significantly_above(&self.col_share(i, j))
                })
            })
            .unwrap_or(0)
    }

    /// Dominance and equilibria.
    pub fn analyse(&self) -> GameAnalysis {
        let n = self.strategies.len();
        let row_weak = (0..n).find(|&i| {
            (0..n).all(|j| {
                !(0..n).any(|k| self.row_share[k][j].significantly_above(&self.row_share[i][j]))
            })
        });
        let row_strict = (0..n).find(|&i| {
            (0..n).all(|j| {
                (0..n)
                    .filter(|&k| k != i)
                    .all(|k| self.row_share[i][j].significantly_above(&self.row_share[k][j]))
            })
        });
        let col_weak = (0..n).find(|&j| {
            (0..n).all(|i| {
                !(0..n).any(|l| {
                    self.col_share(i, l)
                        .significantly_above(&self.col_share(i, j))
                })
            })
        });
        let col_strict = (0..n).find(|&j| {
            (0..n).all(|i| {
                (0..n).filter(|&l| l != j).all(|l| {
                    self.col_share(i, j)
                        .significantly_above(&self.col_share(i, l))
                })
            })
        });
        let mut equilibria = Vec::new();
        for i in 0..n {
            for j in 0..n {
                if self.row_best_response(j) == i && self.col_best_response(i) == j {
                    equilibria.push((i, j));
                }
            }
        }
        GameAnalysis {
            row_weakly_dominant: row_weak,
            row_strictly_dominant: row_strict,
            col_weakly_dominant: col_weak,
            col_strictly_dominant: col_strict,
            equilibria,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn est(m: f64) -> Estimate {
        Estimate {
            mean: m,
            half_width: 0.02,
            variance: 0.0,
            n: 1000,
        }
    }

    #[test]
    fn heavy_tail_small_warm_start_has_bg_dominant() {
        // Table 1, Heavy-Tail, T0 = 20: TS vs BG 0.31, TS vs BEG 0.30, BG vs BEG 0.63.
        // Strategies simplest first: BG, BEG, TS.
        let shares = [[0.5, 0.63, 0.69], [0.37, 0.5, 0.70], [0.31, 0.30, 0.5]];
        let g = CompetitionGame::symmetric(vec!["BG".into(), "BEG".into(), "TS".into()], |a, b| {
            est(shares[a][b])
        });
        let a = g.analyse();
        // Against TS, BG (0.69) and BEG (0.70) tie: BG is weakly, not strictly, dominant.
        assert_eq!(a.row_strictly_dominant, None);
        assert_eq!(a.row_weakly_dominant, Some(0));
        assert_eq!(a.col_weakly_dominant, Some(0));
        assert_eq!(a.equilibria, vec![(0, 0)]);
    }

    #[test]
    fn ties_go_to_the_simpler_strategy() {
        // BG vs BEG 0.51 (a tie), both lose to nothing: TS vs either is 0.5.
        let shares = [[0.5, 0.51, 0.5], [0.49, 0.5, 0.5], [0.5, 0.5, 0.5]];
        let g = CompetitionGame::symmetric(vec!["BG".into(), "BEG".into(), "TS".into()], |a, b| {
            est(shares[a][b])
        });
        let a = g.analyse();
        assert_eq!(a.row_weakly_dominant, Some(0));
        assert_eq!(a.row_strictly_dominant, None);
        assert_eq!(a.equilibria, vec![(0, 0)]);
    }

    #[test]
    fn ts_dominant_when_it_wins_everything() {
        let shares = [[0.5, 0.6, 0.25], [0.4, 0.5, 0.1], [0.75, 0.9, 0.5]];
        let g = CompetitionGame::symmetric(vec!["BG".into(), "BEG".into(), "TS".into()], |a, b| {
            est(shares[a][b])
        });
        let a = g.analyse();
        assert_eq!(a.row_strictly_dominant, Some(2));
        assert_eq!(a.equilibria, vec![(2, 2)]);
    }
}
