//! The strategic reading of the tables: each grid of shares as a two-player game between
//! algorithms (the symmetric simultaneous-entry game, the entrant-vs-incumbent game), and its
//! dominant strategies and pure equilibria in words.

use super::compute::{Block, Pair};
use super::paper::GAME_ALGS;
use marketloop_core::bandits::{CellSummary, CompetitionGame, Estimate, GameAnalysis};

/// The symmetric game of simultaneous entry at warm start index `t`, from `cells`
/// (`[pair][t0]`, share of the first-named algorithm in slot 0). `None` unless `pairs` holds
/// every pair of [`GAME_ALGS`] (in either order).
pub(super) fn symmetric_game(
    pairs: &[Pair],
    cells: &[Vec<CellSummary>],
    t: usize,
) -> Option<CompetitionGame> {
    let share = |a: &str, b: &str| -> Option<Estimate> {
        if let Some(p) = pairs.iter().position(|&p| p == (a, b)) {
            return Some(cells[p][t].share[0]);
        }
        let p = pairs.iter().position(|&p| p == (b, a))?;
        Some(cells[p][t].share[0].complement())
    };
    let n = GAME_ALGS.len();
    let mut shares = vec![vec![Estimate::exact(0.5); n]; n];
    for a in 0..n {
        for b in a + 1..n {
            shares[a][b] = share(GAME_ALGS[a], GAME_ALGS[b])?;
        }
    }
    Some(CompetitionGame::symmetric(
        GAME_ALGS.iter().map(|s| s.to_string()).collect(),
        |a, b| shares[a][b],
    ))
}

/// The entrant-vs-incumbent game of one first-mover block (row player = entrant).
pub(super) fn entrant_game(m: &Block) -> CompetitionGame {
    // m[e][i] in display order TS, BEG, BG; game order BG, BEG, TS.
    let to_display = |g: usize| 2 - g;
    CompetitionGame {
        strategies: GAME_ALGS.iter().map(|s| s.to_string()).collect(),
        row_share: (0..3)
            .map(|ge| {
                (0..3)
                    .map(|gi| m[to_display(ge)][to_display(gi)].share[1])
                    .collect()
            })
            .collect(),
    }
}

/// The game's dominant strategies and pure Nash equilibria in words, the players called `row`
/// and `col`; a symmetric game names the (common) dominant strategies once.
pub(super) fn describe(game: &CompetitionGame, row: &str, col: &str, symmetric: bool) -> String {
    let a: GameAnalysis = game.analyse();
    let name = |i: Option<usize>| i.map_or("none".to_string(), |i| game.strategies[i].clone());
    let eq: Vec<String> = a
        .equilibria
        .iter()
        .map(|&(i, j)| {
            format!(
                "({} {row}, {} {col})",
                game.strategies[i], game.strategies[j]
            )
        })
        .collect();
    let equilibria = if eq.is_empty() {
        "none".to_string()
    } else {
        eq.join(", ")
    };
    if symmetric {
        format!(
            "weakly dominant: {}; strictly dominant: {}; pure Nash equilibria: {equilibria}",
            name(a.row_weakly_dominant),
            name(a.row_strictly_dominant),
        )
    } else {
        format!(
            "{row}: weakly dominant {}, strictly dominant {}; {col}: weakly dominant {}, strictly dominant {}; pure Nash equilibria: {equilibria}",
            name(a.row_weakly_dominant),
            name(a.row_strictly_dominant),
            name(a.col_weakly_dominant),
            name(a.col_strictly_dominant),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reproduce::bandits::tables::test_cells::cell;

    #[test]
    fn symmetric_game_reads_pairs_in_either_order() {
        // TS beats BG (0.8) and BEG (0.7); BG vs BEG is a clear 0.6 for BG.
        let pairs = vec![("TS", "BG"), ("TS", "BEG"), ("BG", "BEG")];
        let cells = vec![
            vec![cell(&[0.8, 0.2])],
            vec![cell(&[0.7, 0.3])],
            vec![cell(&[0.6, 0.4])],
        ];
        let g = symmetric_game(&pairs, &cells, 0).unwrap();
        assert_eq!(g.strategies, vec!["BG", "BEG", "TS"]);
        // Row BG against TS: the complement of TS's 0.8.
        assert!((g.row_share[0][2].mean - 0.2).abs() < 1e-12);
        assert_eq!(g.row_share[0][1].mean, 0.6);
        assert_eq!(g.row_share[2][1].mean, 0.7);
        let text = describe(&g, "firm 1", "firm 2", true);
        assert_eq!(
            text,
            "weakly dominant: TS; strictly dominant: TS; pure Nash equilibria: (TS firm 1, TS firm 2)"
        );
        assert!(symmetric_game(&pairs[..2], &cells[..2], 0).is_none());
    }

    #[test]
    fn entrant_game_puts_the_entrant_in_rows_in_game_order() {
        // Entrant's share 0.1 everywhere except the TS entrant against a BG incumbent (0.4).
        let mut m: Block = vec![vec![cell(&[0.9, 0.1]); 3]; 3];
        m[0][2] = cell(&[0.6, 0.4]);
        let g = entrant_game(&m);
        // Game order BG, BEG, TS: row TS = 2, column BG = 0.
        assert_eq!(g.row_share[2][0].mean, 0.4);
        assert_eq!(g.row_share[0][2].mean, 0.1);
    }
}
