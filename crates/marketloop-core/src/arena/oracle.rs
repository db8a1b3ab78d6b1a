//! The regret's comparison: the quality oracle's slate for every type (k items each, k = the
//! positions) with each entry's attention vhat_ij iota_p computed once, and, per item, the types
//! whose oracle slate shows it (so that a platform can keep each type's oracle purchase
//! probability until one of those items' counts changes; see `Platform::serve`).

use super::choice::ArenaChoice;
use super::model::Arena;
use crate::market::choice::Slate;
use crate::market::{QualityRanking, RankingPolicy};
use crate::rng::PortableRng;

/// Every type's quality-oracle slate (see the module docs).
#[derive(Clone, Debug)]
pub(super) struct OracleSlates {
    k: usize,
    items: Vec<u32>,
    attention: Vec<f64>,
    /// The types whose slate shows item j: `types[starts[j]..starts[j + 1]]`, ascending.
    starts: Vec<u32>,
    types: Vec<u32>,
}

impl OracleSlates {
    /// The slates of `arena`'s market (`rng`: the quality ranking never draws).
    pub(super) fn new<C: ArenaChoice>(arena: &Arena<C>, rng: &mut PortableRng) -> Self {
        let market = &arena.market;
        let k = arena.bias.positions().min(market.n_items());
        let iota = arena.bias.weights();
        let mut quality = QualityRanking::new(market, k);
        let (mut items, mut attention) = (Vec::new(), Vec::new());
        for i in 0..market.n_types() {
            let shown = quality.shown(i, rng);
            let vhat = market.visibility_row(i);
            attention.extend(
                shown
                    .iter()
                    .zip(iota)
                    .map(|(&j, &io)| vhat.get(j as usize) * io),
            );
            items.extend_from_slice(shown);
        }
        // The item -> types index (counting sort by item; types stay ascending).
        let n = market.n_items();
        let mut starts = vec![0u32; n + 1];
        for &j in &items {
            starts[j as usize + 1] += 1;
        }
        for j in 0..n {
            starts[j + 1] += starts[j];
        }
        let mut fill = starts.clone();
        let mut types = vec![0u32; items.len()];
        for (x, &j) in items.iter().enumerate() {
            types[fill[j as usize] as usize] = (x / k.max(1)) as u32;
            fill[j as usize] += 1;
        }
        Self {
            k,
            items,
            attention,
            starts,
            types,
        }
    }

    /// Type `i`'s slate.
    pub(super) fn slate(&self, i: usize) -> Slate<'_> {
        let range = i * self.k..(i + 1) * self.k;
        Slate::new(&self.items[range.clone()], &self.attention[range])
    }

    /// The types whose slate shows item `j`.
    pub(super) fn types_showing(&self, j: usize) -> &[u32] {
        &self.types[self.starts[j] as usize..self.starts[j + 1] as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::arena::tests::hetero_market;
    use crate::arena::{ArenaRankingSpec, PlatformSpec};
    use crate::market::PositionBias;
    use crate::rng::{SeedSequence, Source};

    #[test]
    fn each_item_lists_exactly_the_types_whose_slate_shows_it() {
        // 3 types x 30 items, 12 positions: most items are in some slates and not in others.
        let arena = Arena::builder()
            .market(hetero_market())
            .position_bias(PositionBias::log_discount(12).unwrap())
            .platforms(vec![PlatformSpec::new("q", ArenaRankingSpec::Quality)])
            .steps(1)
            .build()
            .unwrap();
        let o = OracleSlates::new(&arena, &mut SeedSequence::new(3).stream(0, Source::Ranking));
        let mut shown = 0;
        for j in 0..30 {
            let want: Vec<u32> = (0..3u32)
                .filter(|&i| o.slate(i as usize).items().contains(&(j as u32)))
                .collect();
            assert_eq!(o.types_showing(j), want, "item {j}");
            shown += want.len();
        }
        assert_eq!(shown, 3 * 12);
    }
}
