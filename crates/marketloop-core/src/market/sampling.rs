//! Sampling primitives of the stochastic engine: a [`SumTree`] (weighted sampling with O(log K)
//! weight updates and no floating-point drift), its leafless form [`BlockSumTree`] (the same
//! draws from a fraction of the memory, for weights the caller can recompute), and an
//! [`AliasTable`] (O(1) sampling from fixed weights, for user arrivals).

/// A complete binary tree of sums over K non-negative weights.
///
/// Each internal node is recomputed from its two children on every update (no running deltas),
/// so sums never drift however many updates are made. Sampling never returns a zero-weight leaf.
#[derive(Clone, Debug, PartialEq)]
pub struct SumTree {
    cap: usize,
    len: usize,
    nodes: Vec<f64>,
}

impl SumTree {
    /// A tree over `weights` (each finite and >= 0).
    pub fn new(weights: &[f64]) -> Self {
        let len = weights.len();
        let cap = len.max(1).next_power_of_two();
        let mut nodes = vec![0.0; 2 * cap];
        nodes[cap..cap + len].copy_from_slice(weights);
        for k in (1..cap).rev() {
            nodes[k] = nodes[2 * k] + nodes[2 * k + 1];
        }
        Self { cap, len, nodes }
    }

    /// Number of leaves.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the tree has no leaves.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The weight of leaf `k`.
    pub fn get(&self, k: usize) -> f64 {
        self.nodes[self.cap + k]
    }

    /// Sets the weight of leaf `k` (finite, >= 0): O(log K).
    #[inline]
    pub fn set(&mut self, k: usize, w: f64) {
        self.nodes[self.cap + k] = w;
        rise(&mut self.nodes, self.cap + k);
    }

    /// The sum of all weights.
    #[inline]
    pub fn total(&self) -> f64 {
        self.nodes[1]
    }

    /// The leaf picked by the uniform number `u` in [0, 1): leaf k with probability
    /// weight_k / total. `None` if the total is 0.
    #[inline]
    pub fn sample(&self, u: f64) -> Option<usize> {
        let total = self.total();
        if total <= 0.0 {
            return None;
        }
        let (idx, _) = descend(&self.nodes, self.cap, u * total);
        Some(idx - self.cap)
    }
}

/// Node `idx` changed: recomputes each of its ancestors from its two children, up to the root.
#[inline(always)]
fn rise(nodes: &mut [f64], mut idx: usize) {
    idx /= 2;
    while idx >= 1 {
        nodes[idx] = nodes[2 * idx] + nodes[2 * idx + 1];
        idx /= 2;
    }
}

/// Walks down from the root of the tree `nodes` (node k has children 2k and 2k + 1) to a node
/// at index `stop` or beyond, carrying `x` in [0, the root's sum): left when x falls in the left
/// child's sum, else right with x reduced by it; a child of sum 0 is never entered. Returns the
/// node reached and what is left of `x`.
#[inline(always)]
fn descend(nodes: &[f64], stop: usize, mut x: f64) -> (usize, f64) {
    let mut idx = 1;
    while idx < stop {
        let l = nodes[2 * idx];
        let r = nodes[2 * idx + 1];
        let go_left = if l <= 0.0 {
            false
        } else if r <= 0.0 {
            true
        } else {
            x < l
        };
        if go_left {
            idx *= 2;
        } else {
            x -= l;
            idx = 2 * idx + 1;
        }
    }
    (idx, x)
}

/// The largest block of a [`BlockSumTree`]: 2^6 = 64 leaves.
pub const MAX_BLOCK_SHIFT: u32 = 6;

/// A [`SumTree`] that keeps only its nodes above blocks of 2^shift leaves: the leaves are not
/// stored but recomputed by the caller's `leaf(k)` when a block is sampled or refreshed, and a
/// block's inner sums are rebuilt from them in the tree's own pairwise order.
///
/// Every node it keeps holds exactly the value of the same node of a [`SumTree`] over the same
/// leaves, and a block's inner nodes are recomputed with the same additions, so it samples the
/// same leaf for every `u`, bit for bit, whatever the block size (a test). Memory is
/// 16 · next_power_of_two(K) / 2^shift bytes instead of 16 · next_power_of_two(K); a sample or a
/// refresh costs 2^shift leaf evaluations more. (Hand-written because the catalogue samplers
/// need this exact equality with the full tree, which no sampling crate offers.)
#[derive(Clone, Debug, PartialEq)]
pub struct BlockSumTree {
    cap: usize,
    len: usize,
    shift: u32,
    /// Nodes 1 .. 2 · cap / 2^shift of the full tree; the last half are the blocks' sums.
    nodes: Vec<f64>,
}

impl BlockSumTree {
    /// A tree over the `len` weights `leaf(0), ..., leaf(len - 1)` (each finite and >= 0) in
    /// blocks of 2^shift leaves (`shift` is capped at [`MAX_BLOCK_SHIFT`] and at the tree's
    /// height; 0 gives a full [`SumTree`]'s nodes).
    pub fn new(len: usize, shift: u32, leaf: impl Fn(usize) -> f64) -> Self {
        let cap = len.max(1).next_power_of_two();
        let shift = shift.min(MAX_BLOCK_SHIFT).min(cap.trailing_zeros());
        let top = cap >> shift;
        let mut tree = Self {
            cap,
            len,
            shift,
            nodes: vec![0.0; 2 * top],
        };
        let mut buf = [0.0; 2 << MAX_BLOCK_SHIFT];
        for b in 0..top {
            tree.nodes[top + b] = tree.block(b, &leaf, &mut buf);
        }
        for k in (1..top).rev() {
            tree.nodes[k] = tree.nodes[2 * k] + tree.nodes[2 * k + 1];
        }
        tree
    }

    /// Number of leaves.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the tree has no leaves.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The block size is 2^shift leaves.
    pub fn shift(&self) -> u32 {
        self.shift
    }

    /// The sum of all weights.
    #[inline]
    pub fn total(&self) -> f64 {
        self.nodes[1]
    }

    /// Leaf `k`'s weight changed (now `leaf(k)`; the other leaves are as before): recomputes
    /// its block and the block's ancestors, O(2^shift + log K).
    #[inline]
    pub fn refresh(&mut self, k: usize, leaf: impl Fn(usize) -> f64) {
        let b = k >> self.shift;
        let idx = (self.cap >> self.shift) + b;
        // Full trees store the leaf itself: no block to rebuild (and no scratch block to
        // clear, which cost a 1 KiB fill per type and purchase).
        self.nodes[idx] = if self.shift == 0 {
            leaf(k)
        } else {
            self.block(b, &leaf, &mut [0.0; 2 << MAX_BLOCK_SHIFT])
        };
        rise(&mut self.nodes, idx);
    }

    /// The leaf picked by the uniform number `u` in [0, 1), with the current weights `leaf`:
    /// exactly [`SumTree::sample`] over them. `None` if the total is 0.
    #[inline]
    pub fn sample(&self, u: f64, leaf: impl Fn(usize) -> f64) -> Option<usize> {
        let total = self.total();
        if total <= 0.0 {
            return None;
        }
        let top = self.cap >> self.shift;
        let (idx, x) = descend(&self.nodes, top, u * total);
        let b = idx - top;
        if self.shift == 0 {
            return Some(b);
        }
        let mut buf = [0.0; 2 << MAX_BLOCK_SHIFT];
        self.block(b, &leaf, &mut buf);
        let size = 1 << self.shift;
        let (inner, _) = descend(&buf, size, x);
        Some((b << self.shift) + inner - size)
    }

    /// Block `b`'s subtree in `buf` (root at 1, leaves from 2^shift, as in the full tree; the
    /// padding beyond `len` is 0); returns its sum.
    #[inline(always)]
    fn block(&self, b: usize, leaf: &impl Fn(usize) -> f64, buf: &mut [f64]) -> f64 {
        let size = 1 << self.shift;
        let start = b << self.shift;
        let end = (start + size).min(self.len);
        for (slot, k) in buf[size..2 * size].iter_mut().zip(start..start + size) {
            *slot = if k < end { leaf(k) } else { 0.0 };
        }
        for k in (1..size).rev() {
            buf[k] = buf[2 * k] + buf[2 * k + 1];
        }
        buf[1]
    }
}

/// Walker's alias table (Vose's construction) for O(1) sampling from fixed weights.
#[derive(Clone, Debug, PartialEq)]
pub struct AliasTable {
    prob: Vec<f64>,
    alias: Vec<u32>,
}

impl AliasTable {
    /// A table for `weights` (non-negative, positive sum; need not be normalised).
    pub fn new(weights: &[f64]) -> Self {
        let m = weights.len();
        let total: f64 = weights.iter().sum();
        let mut scaled: Vec<f64> = weights.iter().map(|w| w * m as f64 / total).collect();
        let mut prob = vec![1.0; m];
        let mut alias: Vec<u32> = (0..m as u32).collect();
        let mut small: Vec<usize> = Vec::new();
        let mut large: Vec<usize> = Vec::new();
        for (k, &s) in scaled.iter().enumerate() {
            if s < 1.0 {
                small.push(k);
            } else {
                large.push(k);
            }
        }
        while let (Some(&s), Some(&l)) = (small.last(), large.last()) {
            small.pop();
            prob[s] = scaled[s];
            alias[s] = l as u32;
            scaled[l] = (scaled[l] + scaled[s]) - 1.0;
            if scaled[l] < 1.0 {
                large.pop();
                small.push(l);
            }
        }
        // Leftovers (rounding) keep probability 1 of themselves.
        Self { prob, alias }
    }

    /// Number of outcomes.
    pub fn len(&self) -> usize {
        self.prob.len()
    }

    /// Whether there are no outcomes.
    pub fn is_empty(&self) -> bool {
        self.prob.is_empty()
    }

    /// The outcome picked by the uniform number `u` in [0, 1).
    #[inline]
    pub fn sample(&self, u: f64) -> usize {
        let m = self.prob.len();
        let x = u * m as f64;
        let k = (x as usize).min(m - 1);
        if x - (k as f64) < self.prob[k] {
            k
        } else {
            self.alias[k] as usize
        }
    }

    /// The probabilities the table actually samples with (for tests).
    pub fn implied_probabilities(&self) -> Vec<f64> {
        let m = self.prob.len();
        let mut p: Vec<f64> = self.prob.iter().map(|x| x / m as f64).collect();
        for k in 0..m {
            p[self.alias[k] as usize] += (1.0 - self.prob[k]) / m as f64;
        }
        p
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn sum_tree_never_picks_zero_weight() {
        let mut t = SumTree::new(&[0.0, 1.0, 0.0, 0.0, 2.0]);
        for k in 0..1000 {
            let u = k as f64 / 1000.0;
            let j = t.sample(u).unwrap();
            assert!(j == 1 || j == 4);
        }
        assert_eq!(t.sample(0.999_999_999_999_999_9), Some(4));
        t.set(1, 0.0);
        t.set(4, 0.0);
        assert_eq!(t.sample(0.5), None);
        let single = SumTree::new(&[3.0]);
        assert_eq!(
            BlockSumTree::new(1, 6, |_| 3.0).sample(0.7, |_| 3.0),
            Some(0)
        );
        assert_eq!(BlockSumTree::new(0, 6, |_| 1.0).sample(0.1, |_| 1.0), None);
        assert_eq!(single.sample(0.7), Some(0));
        assert_eq!(SumTree::new(&[]).sample(0.1), None);
    }

    proptest! {
        #[test]
        fn sum_tree_inverts_the_cdf(w in proptest::collection::vec(0.0f64..10.0, 1..40), u in 0.0f64..1.0) {
            let t = SumTree::new(&w);
            let total: f64 = w.iter().sum();
            if let Some(j) = t.sample(u) {
                prop_assert!(w[j] > 0.0);
                let below: f64 = w[..j].iter().sum();
                let x = u * total;
                prop_assert!(x >= below - 1e-9 * total && x <= below + w[j] + 1e-9 * total);
            } else {
                prop_assert!(total == 0.0);
            }
        }

        #[test]
        fn block_tree_samples_exactly_as_the_full_tree(
            w in proptest::collection::vec(prop_oneof![Just(0.0f64), 0.0f64..10.0, 1e-300f64..1e-290], 1..300),
            changes in proptest::collection::vec((0usize..300, 0.0f64..10.0), 0..20),
            us in proptest::collection::vec(0.0f64..1.0, 20),
        ) {
            let mut w = w;
            let mut full = SumTree::new(&w);
            let mut blocks: Vec<BlockSumTree> =
                (0..=MAX_BLOCK_SHIFT).map(|s| BlockSumTree::new(w.len(), s, |k| w[k])).collect();
            for step in 0..=changes.len() {
                for t in &blocks {
                    prop_assert_eq!(t.total().to_bits(), full.total().to_bits());
                    for &u in &us {
                        prop_assert_eq!(t.sample(u, |k| w[k]), full.sample(u));
                    }
                }
                if let Some(&(k, x)) = changes.get(step) {
                    let k = k % w.len();
                    w[k] = x;
                    full.set(k, x);
                    for t in &mut blocks {
                        t.refresh(k, |k| w[k]);
                    }
                }
            }
        }

        #[test]
        fn alias_table_is_exact(w in proptest::collection::vec(0.0f64..10.0, 1..30)) {
            prop_assume!(w.iter().sum::<f64>() > 0.0);
            let a = AliasTable::new(&w);
            let total: f64 = w.iter().sum();
            for (p, wk) in a.implied_probabilities().iter().zip(&w) {
                prop_assert!((p - wk / total).abs() < 1e-12);
            }
        }
    }
}
