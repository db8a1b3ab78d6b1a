//! The quality ranking: per user type, items by descending quality q_ij (an oracle ranking,
//! precomputed once; ties by lower item index, or by any deterministic [`TieRule`] — the
//! authors' code sorts qualities with `np.argsort(q)[::-1]`, i.e.
//! [`TieRule::NumpyArgsortReversed`]).

use super::numpy_order::{numpy_best_first, NumpyArgsort};
use super::{RankingPolicy, TieRule};
use crate::market::error::MarketError;
use crate::market::model::Market;
use rand::Rng;

/// Per user type, items by descending quality q_ij (ties by lower index unless built
/// [`with_ties`](QualityRanking::with_ties)); fixed over time.
#[derive(Clone, Debug)]
pub struct QualityRanking {
    k: usize,
    lists: Vec<u32>,
}

impl QualityRanking {
    /// The top `positions` items of every type of `market`, precomputed.
    pub fn new(market: &Market, positions: usize) -> Self {
        Self::ordered(market, positions, TieRule::LowestIndex)
    }

    /// As [`new`](Self::new), with equal qualities ordered by `ties`: `first-to-reach` and
    /// `lowest-index` (the same for a static order: lower index first), `highest-index`, or
    /// NumPy's argsort order (`numpy-argsort-negated` for `np.argsort(-q)`,
    /// `numpy-argsort-reversed` for `np.argsort(q)[::-1]`). `random` is refused: a quality
    /// ranking is a fixed order.
    pub fn with_ties(
        market: &Market,
        positions: usize,
        ties: TieRule,
    ) -> Result<Self, MarketError> {
        if ties == TieRule::Random {
            return Err(MarketError::Ranking {
                field: "ranking.ties",
                message: "ties = \"random\" for a quality ranking, which is a fixed order; \
                          allowed: first-to-reach, lowest-index, highest-index, \
                          numpy-argsort-negated, numpy-argsort-reversed"
                    .into(),
            });
        }
        Ok(Self::ordered(market, positions, ties))
    }

    fn ordered(market: &Market, positions: usize, ties: TieRule) -> Self {
        let n = market.n_items();
        let k = positions.min(n);
        let mut lists = Vec::with_capacity(market.n_types() * k);
        let (mut scratch, mut top) = (Vec::new(), Vec::new());
        for i in 0..market.n_types() {
            let q = market.quality_row(i).to_f64();
            let q = &q[..];
            match ties {
                TieRule::NumpyArgsortNegated | TieRule::NumpyArgsortReversed => {
                    let how = if ties == TieRule::NumpyArgsortNegated {
                        NumpyArgsort::Negated
                    } else {
                        NumpyArgsort::Reversed
                    };
                    numpy_best_first(how, q, k, &mut scratch, &mut top);
                    lists.extend_from_slice(&top);
                }
                _ => {
                    let mut idx: Vec<u32> = (0..n as u32).collect();
                    // A stable sort: equal qualities keep index order (reversed for
                    // highest-index).
                    if ties == TieRule::HighestIndex {
                        idx.reverse();
                    }
                    idx.sort_by(|&a, &b| q[b as usize].total_cmp(&q[a as usize]));
                    lists.extend_from_slice(&idx[..k]);
                }
            }
        }
        Self { k, lists }
    }
}

impl RankingPolicy for QualityRanking {
    fn reset<R: Rng + ?Sized>(&mut self, _counts: &[u64], _rng: &mut R) {}

    #[inline]
    fn shown<R: Rng + ?Sized>(&mut self, user_type: usize, _rng: &mut R) -> &[u32] {
        &self.lists[user_type * self.k..(user_type + 1) * self.k]
    }

    fn on_purchase<R: Rng + ?Sized>(&mut self, _item: usize, _counts: &[u64], _rng: &mut R) {}

    fn is_static(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{SeedSequence, Source};

    #[test]
    fn quality_ranking_per_type() {
        let mk = Market::builder()
            .items(3)
            .weights(vec![0.5, 0.5])
            .visibility(vec![1.0; 6])
            .quality(vec![0.1, 0.9, 0.5, 0.7, 0.7, 0.2])
            .feedback(vec![0.5, 0.5])
            .initial_counts(crate::market::model::InitialCounts::Fixed(vec![1; 3]))
            .build()
            .unwrap();
        let mut qr = QualityRanking::new(&mk, 2);
        let mut rng = SeedSequence::new(0).stream(0, Source::Ranking);
        assert_eq!(qr.shown(0, &mut rng), &[1, 2]);
        assert_eq!(qr.shown(1, &mut rng), &[0, 1]);
    }

    #[test]
    fn quality_ties_follow_numpy_argsort() {
        // Golden: numpy 1.24.4, q = round(default_rng(7).random((2, 40)) * 4) / 4;
        // np.argsort(q_i)[::-1][:12] and np.argsort(-q_i)[:12].
        let q: Vec<f64> = [
            "3431130332111222432411200224322101311031",
            "1423330223120211324223312120413133134421",
        ]
        .iter()
        .flat_map(|row| row.bytes().map(|c| f64::from(c - b'0') / 4.0))
        .collect();
        let mk = Market::builder()
            .items(40)
            .weights(vec![0.5, 0.5])
            .visibility(vec![1.0; 80])
            .quality(q)
            .feedback(vec![0.5, 0.5])
            .initial_counts(crate::market::model::InitialCounts::Fixed(vec![1; 40]))
            .build()
            .unwrap();
        let mut rng = SeedSequence::new(0).stream(0, Source::Ranking);
        let golden = [
            (
                TieRule::NumpyArgsortReversed,
                [
                    [19, 1, 16, 27, 28, 2, 5, 7, 8, 17, 38, 0],
                    [18, 28, 37, 36, 1, 21, 22, 16, 9, 4, 5, 30],
                ],
            ),
            (
                TieRule::NumpyArgsortNegated,
                [
                    [19, 1, 27, 16, 34, 28, 38, 17, 0, 8, 2, 7],
                    [28, 36, 37, 18, 1, 4, 5, 32, 22, 35, 21, 30],
                ],
            ),
            (
                TieRule::LowestIndex,
                [
                    [1, 16, 19, 27, 0, 2, 5, 7, 8, 17, 28, 34],
                    [1, 18, 28, 36, 37, 3, 4, 5, 9, 16, 21, 22],
                ],
            ),
            (
                TieRule::HighestIndex,
                [
                    [27, 19, 16, 1, 38, 34, 28, 17, 8, 7, 5, 2],
                    [37, 36, 28, 18, 1, 35, 33, 32, 30, 22, 21, 16],
                ],
            ),
        ];
        for (ties, want) in golden {
            let mut qr = QualityRanking::with_ties(&mk, 12, ties).unwrap();
            for (i, w) in want.iter().enumerate() {
                assert_eq!(qr.shown(i, &mut rng), w, "{ties} type {i}");
            }
        }
        assert_eq!(
            QualityRanking::new(&mk, 12).lists,
            QualityRanking::with_ties(&mk, 12, TieRule::FirstToReach)
                .unwrap()
                .lists
        );
        let err = QualityRanking::with_ties(&mk, 12, TieRule::Random).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("ranking.ties: ties = \"random\""),
            "{err}"
        );
    }
}
