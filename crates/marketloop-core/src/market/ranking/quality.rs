//! The quality ranking: per user type, items by descending quality q_ij (an oracle ranking,
//! precomputed once; ties by lower item index).

use super::RankingPolicy;
use crate::market::model::Market;
use rand::Rng;

/// Per user type, items by descending quality q_ij (ties by lower index); fixed over time.
#[derive(Clone, Debug)]
pub struct QualityRanking {
    k: usize,
    lists: Vec<u32>,
}

impl QualityRanking {
    /// The top `positions` items of every type of `market`, precomputed.
    pub fn new(market: &Market, positions: usize) -> Self {
        let n = market.n_items();
        let k = positions.min(n);
        let mut lists = Vec::with_capacity(market.n_types() * k);
        for i in 0..market.n_types() {
            let q = market.quality_row(i);
            let mut idx: Vec<u32> = (0..n as u32).collect();
            idx.sort_by(|&a, &b| q[b as usize].total_cmp(&q[a as usize]));
            lists.extend_from_slice(&idx[..k]);
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
}
