//! Sampling primitives of the stochastic engine: a [`SumTree`] (weighted sampling with O(log K)
//! weight updates and no floating-point drift) and an [`AliasTable`] (O(1) sampling from fixed
//! weights, for user arrivals).

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
        let mut idx = self.cap + k;
        self.nodes[idx] = w;
        idx /= 2;
        while idx >= 1 {
            self.nodes[idx] = self.nodes[2 * idx] + self.nodes[2 * idx + 1];
            idx /= 2;
        }
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
        let mut x = u * total;
        let mut idx = 1;
        while idx < self.cap {
            let l = self.nodes[2 * idx];
            let r = self.nodes[2 * idx + 1];
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
        Some(idx - self.cap)
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
