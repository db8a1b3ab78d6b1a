//! The multinomial logit of eq. (1), the built-in choice rule: type i tries item j with
//! probability v_ij phi_j^{r_i} / sum_k v_ik phi_k^{r_i}.
//!
//! Analytically it accepts any non-negative vector proportional to the shares (counts work
//! too): phi_j^{r} / sum_k v_k phi_k^{r} does not change when phi is scaled. It rescales by the
//! largest entry first, so large exponents do not underflow. 0^0 = 1, so with r_i = 0 an item
//! with zero share is still tried. A zero denominator means the user tries nothing: every trial
//! probability of that type is 0 (never NaN).
//!
//! In the engine, trial weights use counts, not shares (phi_j^r = d_j^r / D^r and D^r cancels),
//! so one purchase changes one item's weight: a sum tree per type under fixed visibility, a
//! linear scan of the P shown items under a ranking. For big catalogues the trees keep only
//! their nodes above blocks of leaves ([`BlockSumTree`]), recomputing a block's weights from the
//! visibility matrix and the powers when it is sampled: the same draws, bit for bit, in a
//! fraction of the memory.

use super::{Attention, ChoiceModel, ChoiceSampler, Slate};
use crate::market::model::{Market, Row, Scalar};
use crate::market::sampling::{BlockSumTree, MAX_BLOCK_SHIFT};
use crate::market::state::CountState;
use crate::with_row;
use rand::Rng;
use rayon::prelude::*;

/// The multinomial logit of eq. (1): type i tries item j with probability
/// v_ij phi_j^{r_i} / sum_k v_ik phi_k^{r_i}.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MultinomialLogit;

impl ChoiceModel for MultinomialLogit {
    type Sampler = LogitSampler;

    fn trial_probabilities(
        &self,
        market: &Market,
        user_type: usize,
        shares: &[f64],
        out: &mut [f64],
    ) -> f64 {
        let powered = powered_shares(shares, market.feedback()[user_type]);
        logit_row(market.sampling_visibility_row(user_type), &powered, out)
    }

    /// Per type a sum tree over the items it sees, with weights v_ij d_j^{r_i}: O(n m) to build.
    /// The trees keep every node while they take at most `FULL_TREES_BYTES` (64 MiB) or a quarter of
    /// the visibility matrix as stored (`f64` or `f32`), whichever is more; beyond that they drop their lowest levels
    /// (blocks of up to 64 leaves, recomputed when sampled), which changes no draw.
    fn sampler(&self, market: &Market, state: &CountState) -> LogitSampler {
        LogitSampler::with_shift(market, state, LogitSampler::layout(market).0)
    }

    /// The weights attention_p d_j^{r_i} of the P shown items, then one linear scan: O(P).
    /// One uniform per call.
    #[inline]
    fn sample_slate<R: Rng + ?Sized>(
        &self,
        market: &Market,
        state: &CountState,
        user_type: usize,
        slate: &Slate<'_>,
        scratch: &mut [f64],
        rng: &mut R,
    ) -> Option<usize> {
        self.sample_slate_with(market, state, user_type, slate, scratch, rng, |_, _| {})
            .0
    }
}

impl MultinomialLogit {
    /// [`ChoiceModel::sample_slate`], handing each shown item j and its trial weight w to
    /// `each(j, w)` in position order as the weights are computed (the arena's regret sums
    /// w q_ij in the same pass), and the weights' sum.
    #[inline]
    #[allow(clippy::too_many_arguments)]
    pub fn sample_slate_with<R: Rng + ?Sized>(
        &self,
        market: &Market,
        state: &CountState,
        user_type: usize,
        slate: &Slate<'_>,
        scratch: &mut [f64],
        rng: &mut R,
        mut each: impl FnMut(usize, f64),
    ) -> (Option<usize>, f64) {
        let u = rng.random::<f64>();
        let items = slate.items;
        let g = state.powers(market.feedback_index()[user_type]);
        let mut total = 0.0;
        match slate.attention {
            Attention::Given(attention) => {
                for ((b, &a), &j) in scratch.iter_mut().zip(attention).zip(items) {
                    let w = a * g[j as usize];
                    *b = w;
                    total += w;
                    each(j as usize, w);
                }
            }
            Attention::Product { vhat, iota } => {
                total = with_row!(vhat, vhat => product_weights(vhat, iota, items, g, scratch, &mut each));
            }
        }
        if total <= 0.0 {
            return (None, total);
        }
        let tried = match scan_weights(u * total, scratch, items) {
            Ok(j) => Some(j),
            Err(last) => last,
        };
        (tried, total)
    }
}

/// The weights vhat_j iota_p d_j^r of a ranked slate into `scratch`, each also handed to
/// `each(j, w)`; returns their sum.
#[inline(always)]
fn product_weights<S: Scalar>(
    vhat: &[S],
    iota: &[f64],
    items: &[u32],
    g: &[f64],
    scratch: &mut [f64],
    each: &mut impl FnMut(usize, f64),
) -> f64 {
    let mut total = 0.0;
    for ((b, &io), &j) in scratch.iter_mut().zip(iota).zip(items) {
        let j = j as usize;
        let w = vhat[j].widen() * io * g[j];
        *b = w;
        total += w;
        each(j, w);
    }
    total
}

/// Markets of at least this many (type, item) pairs build their samplers' trees in parallel.
const PARALLEL_BUILD_PAIRS: usize = 1 << 20;

/// Trees of fixed-visibility samplers up to this many bytes in all keep every node (the
/// fastest sampler): 64 MiB, e.g. 100 types x 40,000 items.
pub const FULL_TREES_BYTES: usize = 64 << 20;

/// The logit's sampler under fixed visibility: per type a sum tree over the items it sees
/// (weights v_ij d_j^{r_i}, recomputed from the market and the powers rather than stored); a
/// purchase refreshes the trees of the types that see the item, O(2^shift + log K) each. One
/// uniform per sample.
#[derive(Clone, Debug)]
pub struct LogitSampler {
    trees: Vec<BlockSumTree>,
    /// Per item: (type, leaf) of every type that sees it; `None` when every type sees every
    /// item (then the leaf is the item, for every type), which saves 8 bytes per (type, item):
    /// 800 MB at 200,000 items x 500 types.
    seen_by: Option<Vec<Vec<(u32, u32)>>>,
}

/// Type i's weight of leaf k: v_ij d_j^{r_i} for the k-th item j it sees (the item itself when
/// it sees every item, `dense`).
#[inline(always)]
fn weight<S: Scalar>(v: &[S], g: &[f64], items: &[u32], dense: bool, k: usize) -> f64 {
    let j = if dense { k } else { items[k] as usize };
    v[j].widen() * g[j]
}

impl LogitSampler {
    /// The block shift of the market's trees and the sampler's size in bytes (the trees, and
    /// the (type, leaf) lists unless every type sees every item), as built by
    /// [`MultinomialLogit::sampler`].
    pub fn layout(market: &Market) -> (u32, usize) {
        let (n, m) = (market.n_items(), market.n_types());
        let full: usize = (0..m)
            .map(|i| 16 * market.visible_items(i).len().max(1).next_power_of_two())
            .sum();
        // A quarter of the visibility matrix as stored (8 or 4 bytes per value): f32 storage
        // keeps the sampler to a quarter of its halved matrix (bigger blocks, the same draws).
        let budget = FULL_TREES_BYTES.max(market.visibility().bytes() / 4);
        let shift = (0..MAX_BLOCK_SHIFT)
            .find(|&s| full >> s <= budget)
            .unwrap_or(MAX_BLOCK_SHIFT);
        let pairs: usize = (0..m).map(|i| market.visible_items(i).len()).sum();
        let lists = if pairs == n * m {
            0
        } else {
            24 * n + 8 * pairs
        };
        (shift, (full >> shift) + lists)
    }

    /// The sampler with trees in blocks of 2^shift leaves (0: full trees).
    fn with_shift(market: &Market, state: &CountState, shift: u32) -> Self {
        let n = market.n_items();
        let dense = (0..market.n_types()).all(|i| market.visible_items(i).len() == n);
        let mut seen_by = vec![Vec::new(); if dense { 0 } else { n }];
        if !dense {
            for i in 0..market.n_types() {
                for (leaf, &j) in market.visible_items(i).iter().enumerate() {
                    seen_by[j as usize].push((i as u32, leaf as u32));
                }
            }
        }
        let tree = |i: usize| {
            let items = market.visible_items(i);
            let (v, g) = Self::row(market, state, i);
            with_row!(v, v => BlockSumTree::new(items.len(), shift, |k| weight(v, g, items, dense, k)))
        };
        // Big markets build their trees on every thread of the pool (each tree is its own, so
        // the result does not depend on the thread count).
        let trees = if n * market.n_types() >= PARALLEL_BUILD_PAIRS {
            (0..market.n_types()).into_par_iter().map(tree).collect()
        } else {
            (0..market.n_types()).map(tree).collect()
        };
        LogitSampler {
            trees,
            seen_by: (!dense).then_some(seen_by),
        }
    }

    /// Type i's visibility row (as sampled) and powers.
    #[inline(always)]
    fn row<'a>(market: &'a Market, state: &'a CountState, i: usize) -> (Row<'a>, &'a [f64]) {
        (
            market.sampling_visibility_row(i),
            state.powers(market.feedback_index()[i]),
        )
    }
}

impl ChoiceSampler for LogitSampler {
    #[inline]
    fn sample<R: Rng + ?Sized>(
        &mut self,
        market: &Market,
        state: &CountState,
        user_type: usize,
        rng: &mut R,
    ) -> Option<usize> {
        let u = rng.random::<f64>();
        let items = market.visible_items(user_type);
        let (v, g) = Self::row(market, state, user_type);
        let dense = self.seen_by.is_none();
        let tree = &self.trees[user_type];
        with_row!(v, v => tree.sample(u, |k| weight(v, g, items, dense, k)))
            .map(|leaf| items[leaf] as usize)
    }

    #[inline]
    fn on_purchase(&mut self, market: &Market, state: &CountState, item: usize) {
        match &self.seen_by {
            Some(seen_by) => {
                for &(i, leaf) in &seen_by[item] {
                    let i = i as usize;
                    let items = market.visible_items(i);
                    let (v, g) = Self::row(market, state, i);
                    let tree = &mut self.trees[i];
                    with_row!(v, v => tree.refresh(leaf as usize, |k| weight(v, g, items, false, k)));
                }
            }
            // Every type sees every item, at the leaf of its index, in the same type order.
            None => {
                for (i, tree) in self.trees.iter_mut().enumerate() {
                    let (v, g) = Self::row(market, state, i);
                    with_row!(v, v => tree.refresh(item, |k| weight(v, g, &[], true, k)));
                }
            }
        }
    }
}

/// (phi_j / max_k phi_k)^r for every item: the popularity factor of the logit for one feedback
/// exponent (0 for every item when all shares are 0). Types with the same exponent share it.
pub(crate) fn powered_shares(shares: &[f64], r: f64) -> Vec<f64> {
    let scale = shares.iter().copied().fold(0.0_f64, f64::max);
    shares
        .iter()
        .map(|&s| {
            let base = if scale > 0.0 { s / scale } else { 0.0 };
            base.powf(r)
        })
        .collect()
}

/// One type's trial probabilities from its visibilities `v` and the [`powered_shares`] of its
/// exponent, into `out`; returns the denominator (0: the type tries nothing, `out` all 0).
pub(crate) fn logit_row(v: Row<'_>, powered: &[f64], out: &mut [f64]) -> f64 {
    with_row!(v, v => logit_row_of(v, powered, out))
}

fn logit_row_of<S: Scalar>(v: &[S], powered: &[f64], out: &mut [f64]) -> f64 {
    let mut denom = 0.0;
    for ((o, vj), &g) in out.iter_mut().zip(v).zip(powered) {
        let vj = vj.widen();
        let w = if vj > 0.0 { vj * g } else { 0.0 };
        *o = w;
        denom += w;
    }
    if denom > 0.0 {
        for o in out.iter_mut() {
            *o /= denom;
        }
    } else {
        out.iter_mut().for_each(|o| *o = 0.0);
    }
    denom
}

/// The linear scan of a slate: the item of the first entry of `weights` (one per shown item,
/// `items` in position order) at which the running sum exceeds `x` (a uniform times the
/// total weight), as `Ok(item)`; when rounding carries `x` past every entry,
/// `Err(the last item with a positive weight)` (`None` if there is none). Entries of weight 0
/// are never chosen. The built-in logit and the Python choice rules scan with it.
#[inline]
pub fn scan_weights(mut x: f64, weights: &[f64], items: &[u32]) -> Result<usize, Option<usize>> {
    let mut last = None;
    for (&w, &j) in weights.iter().zip(items) {
        if w > 0.0 {
            if x < w {
                return Ok(j as usize);
            }
            x -= w;
            last = Some(j as usize);
        }
    }
    Err(last)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::market::model::InitialCounts;
    use proptest::prelude::*;

    fn hetero() -> Market {
        two_types(vec![1.0, 0.5, 0.0, 0.2, 0.3, 0.4])
    }

    /// Two types and three items with the visibilities `v` (row-major).
    fn two_types(v: Vec<f64>) -> Market {
        Market::builder()
            .items(3)
            .weights(vec![0.4, 0.6])
            .visibility(v)
            .quality(vec![0.9, 0.5, 0.1, 0.2, 0.3, 0.4])
            .feedback(vec![0.5, 0.8])
            .initial_counts(InitialCounts::Fixed(vec![1, 1, 1]))
            .build()
            .unwrap()
    }

    #[test]
    fn purchases_keep_every_tree_equal_to_a_fresh_build_dense_or_not() {
        // Dense (every type sees every item: no (type, leaf) lists) and sparse (`hetero`:
        // type 0 does not see item 2); full trees and trees in blocks of 2 and 64 leaves.
        let dense = two_types(vec![1.0, 0.5, 0.7, 0.2, 0.3, 0.4]);
        for (mk, is_dense) in [(dense, true), (hetero(), false)] {
            for shift in [0, 1, MAX_BLOCK_SHIFT] {
                let mut state = CountState::new(&mk, vec![1, 1, 1]).unwrap();
                let mut sampler = LogitSampler::with_shift(&mk, &state, shift);
                assert_eq!(sampler.seen_by.is_none(), is_dense);
                for j in [0, 2, 1, 2, 2, 0] {
                    state.purchase(j);
                    sampler.on_purchase(&mk, &state, j);
                }
                let fresh = LogitSampler::with_shift(&mk, &state, 0);
                for (i, (t, f)) in sampler.trees.iter().zip(&fresh.trees).enumerate() {
                    assert_eq!(
                        t.total().to_bits(),
                        f.total().to_bits(),
                        "dense {is_dense}, shift {shift}, type {i}"
                    );
                }
            }
        }
    }

    #[test]
    fn block_trees_draw_what_full_trees_draw() {
        // 300 items seen by type 0 (all) and type 1 (every third): the same trial for the
        // same stream, step after step, whatever the block size.
        let n = 300;
        let v: Vec<f64> = (0..2 * n)
            .map(|k| {
                if k >= n && k % 3 != 0 {
                    0.0
                } else {
                    0.1 + (k % 7) as f64
                }
            })
            .collect();
        let mk = Market::builder()
            .items(n)
            .weights(vec![0.5, 0.5])
            .visibility(v)
            .quality(vec![0.5; 2 * n])
            .feedback(vec![0.5, 1.5])
            .initial_counts(InitialCounts::Fixed(vec![1; n]))
            .build()
            .unwrap();
        let draws = |shift: u32| {
            let mut state = CountState::new(&mk, vec![1; n]).unwrap();
            let mut s = LogitSampler::with_shift(&mk, &state, shift);
            let mut rng = crate::rng::SeedSequence::new(5).stream(0, crate::rng::Source::Choice);
            (0..3000)
                .map(|t| {
                    let j = s.sample(&mk, &state, t % 2, &mut rng);
                    if let Some(j) = j {
                        state.purchase(j);
                        s.on_purchase(&mk, &state, j);
                    }
                    j
                })
                .collect::<Vec<_>>()
        };
        let full = draws(0);
        for shift in 1..=MAX_BLOCK_SHIFT {
            assert_eq!(draws(shift), full, "shift {shift}");
        }
    }

    #[test]
    fn big_markets_get_block_trees_within_their_budget() {
        let sizes = |n: usize, m: usize| {
            let mk = Market::builder()
                .items(n)
                .weights(vec![1.0 / m as f64; m])
                .visibility(vec![1.0; n * m])
                .quality(vec![0.5; n * m])
                .feedback(vec![0.5; m])
                .initial_counts(InitialCounts::Fixed(vec![1; n]))
                .build()
                .unwrap();
            let state = CountState::new(&mk, vec![1; n]).unwrap();
            let s = MultinomialLogit.sampler(&mk, &state);
            let bytes: usize = s
                .trees
                .iter()
                .map(|t| 16 * (t.len().next_power_of_two() >> t.shift()))
                .sum();
            assert_eq!(LogitSampler::layout(&mk), (s.trees[0].shift(), bytes));
            (s.trees[0].shift(), bytes)
        };
        // 100 types x 1,682 items (the authors' Figure 2): full trees.
        assert_eq!(sizes(1682, 100).0, 0);
        // 20 types x 300,000 items: 168 MB as full trees, 64 MiB allowed: blocks of 4 leaves.
        let (shift, bytes) = sizes(300_000, 20);
        assert_eq!(shift, 2);
        assert!(bytes <= FULL_TREES_BYTES, "{bytes}");
    }

    #[test]
    fn trial_probabilities_by_hand() {
        let mk = hetero();
        let phi = [0.5, 0.25, 0.25];
        let mut out = [0.0; 3];
        MultinomialLogit.trial_probabilities(&mk, 0, &phi, &mut out);
        let a = 1.0 * 0.5f64.sqrt();
        let b = 0.5 * 0.25f64.sqrt();
        assert!((out[0] - a / (a + b)).abs() < 1e-15);
        assert!((out[1] - b / (a + b)).abs() < 1e-15);
        assert_eq!(out[2], 0.0);
    }

    proptest! {
        #[test]
        fn probabilities_on_the_simplex_and_scale_free(
            v in proptest::collection::vec(0.0f64..2.0, 5),
            phi in proptest::collection::vec(0.01f64..1.0, 5),
            r in 0.0f64..2.0,
            c in 0.1f64..100.0,
        ) {
            let mk = Market::homogeneous(v, vec![0.5; 5], r, InitialCounts::Fixed(vec![1; 5])).unwrap();
            let mut a = [0.0; 5];
            let mut b = [0.0; 5];
            let da = MultinomialLogit.trial_probabilities(&mk, 0, &phi, &mut a);
            let scaled: Vec<f64> = phi.iter().map(|x| x * c).collect();
            MultinomialLogit.trial_probabilities(&mk, 0, &scaled, &mut b);
            prop_assert!(a.iter().all(|&x| x >= 0.0));
            if da > 0.0 {
                prop_assert!((a.iter().sum::<f64>() - 1.0).abs() < 1e-12);
            }
            for j in 0..5 {
                prop_assert!((a[j] - b[j]).abs() < 1e-12);
            }
        }
    }
}
