//! The fixed ranking: a user-supplied order, global or per user type, validated against the
//! market once.

use super::{FixedOrder, RankingPolicy};
use crate::market::error::MarketError;
use crate::market::model::Market;
use rand::Rng;

/// A user-supplied ranking, global or per type.
#[derive(Clone, Debug)]
pub struct FixedRanking {
    lists: Vec<Vec<u32>>,
    per_type: bool,
}

impl FixedRanking {
    /// Validates `order` for `market` (indices < n, no repeats; one list per type if per type)
    /// and keeps the first `positions` entries of each list.
    pub fn new(market: &Market, order: &FixedOrder, positions: usize) -> Result<Self, MarketError> {
        let n = market.n_items();
        let check = |list: &[usize], what: String| -> Result<Vec<u32>, MarketError> {
            let mut seen = vec![false; n];
            for (p, &j) in list.iter().enumerate() {
                if j >= n {
                    return Err(MarketError::Ranking {
                        field: "ranking.order",
                        message: format!(
                            "{what}position {} holds item {j}, but items are 0..{} (n = {n})",
                            p + 1,
                            n - 1
                        ),
                    });
                }
                if std::mem::replace(&mut seen[j], true) {
                    return Err(MarketError::Ranking {
                        field: "ranking.order",
                        message: format!(
                            "{what}item {j} appears twice (position {}); each item at most once",
                            p + 1
                        ),
                    });
                }
            }
            Ok(list.iter().take(positions).map(|&j| j as u32).collect())
        };
        match order {
            FixedOrder::Global(list) => Ok(Self {
                lists: vec![check(list, String::new())?],
                per_type: false,
            }),
            FixedOrder::PerType(lists) => {
                if lists.len() != market.n_types() {
                    return Err(MarketError::Ranking {
                        field: "ranking.order",
                        message: format!(
                            "{} per-type orders given for m = {} user types (give one per type, \
                             or one flat list for all)",
                            lists.len(),
                            market.n_types()
                        ),
                    });
                }
                let lists = lists
                    .iter()
                    .enumerate()
                    .map(|(i, l)| check(l, format!("user type {i}: ")))
                    .collect::<Result<_, _>>()?;
                Ok(Self {
                    lists,
                    per_type: true,
                })
            }
        }
    }
}

impl RankingPolicy for FixedRanking {
    fn reset<R: Rng + ?Sized>(&mut self, _counts: &[u64], _rng: &mut R) {}

    #[inline]
    fn shown<R: Rng + ?Sized>(&mut self, user_type: usize, _rng: &mut R) -> &[u32] {
        if self.per_type {
            &self.lists[user_type]
        } else {
            &self.lists[0]
        }
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
    fn fixed_ranking_is_validated() {
        let mk = Market::builder()
            .items(3)
            .weights(vec![0.5, 0.5])
            .visibility(vec![1.0; 6])
            .quality(vec![0.5; 6])
            .feedback(vec![0.5, 0.5])
            .initial_counts(crate::market::model::InitialCounts::Fixed(vec![1; 3]))
            .build()
            .unwrap();
        let e = FixedRanking::new(&mk, &FixedOrder::Global(vec![0, 3]), 50)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("ranking.order") && e.contains("item 3") && e.contains("n = 3"),
            "{e}"
        );
        let e = FixedRanking::new(&mk, &FixedOrder::Global(vec![1, 1]), 50)
            .unwrap_err()
            .to_string();
        assert!(e.contains("twice"), "{e}");
        let e = FixedRanking::new(&mk, &FixedOrder::PerType(vec![vec![0]]), 50)
            .unwrap_err()
            .to_string();
        assert!(e.contains("m = 2"), "{e}");
        let mut f =
            FixedRanking::new(&mk, &FixedOrder::PerType(vec![vec![2, 0, 1], vec![1]]), 2).unwrap();
        let mut rng = SeedSequence::new(0).stream(0, Source::Ranking);
        assert_eq!(f.shown(0, &mut rng), &[2, 0]);
        assert_eq!(f.shown(1, &mut rng), &[1]);
    }
}
