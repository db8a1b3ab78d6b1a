//! k-means clustering: greedy k-means++ seeding (as scikit-learn: 2 + ⌊ln k⌋ candidates per
//! centre, keep the one that lowers the potential most), then Lloyd iterations, repeated from
//! several seedings; the run with the lowest inertia (sum of squared distances to the assigned
//! centre) wins, ties to the lowest restart index.
//!
//! Stopping (as scikit-learn): when no label changes, or when the total squared centre shift
//! falls to `tol` × (mean per-feature variance of the data), or after `max_iter` iterations.
//!
//! Empty clusters: after every assignment step, each empty cluster (in index order) takes the
//! point farthest from its assigned centre among the clusters that have more than one point
//! (ties to the lowest point index). So with at least k points every cluster ends non-empty;
//! the final labels are the nearest-centre assignment except for such relocated points.
//!
//! Restarts run in parallel; restart r draws only from stream r of
//! [`Source::Preprocessing`] of the given seed sequence, and the assignment step is a pure
//! function of each point, so the result is identical for any number of threads.

use crate::DataError;
use marketloop_core::rng::{SeedSequence, Source};
use marketloop_core::runner::{map_replicates, stop_requested, Schedule};
use rand::Rng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// Settings of [`KMeans`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct KMeansConfig {
    /// Number of clusters.
    pub k: usize,
    /// Independent seedings; the lowest-inertia result is kept.
    pub restarts: usize,
    /// Most Lloyd iterations per restart.
    pub max_iter: usize,
    /// Relative tolerance on the squared centre shift.
    pub tol: f64,
}

impl Default for KMeansConfig {
    /// k = 100 (the paper's groups), 4 restarts, 300 iterations, tol 1e-4.
    fn default() -> Self {
        Self {
            k: 100,
            restarts: 4,
            max_iter: 300,
            tol: 1e-4,
        }
    }
}

/// A validated k-means clusterer.
#[derive(Clone, Debug, PartialEq)]
pub struct KMeans {
    config: KMeansConfig,
}

/// The result of a clustering.
#[derive(Clone, Debug, PartialEq)]
pub struct Clustering {
    /// Number of clusters.
    pub k: usize,
    /// Dimension of the points.
    pub dim: usize,
    /// Cluster of each point.
    pub labels: Vec<usize>,
    /// Centres (means of their points), k x dim row-major.
    pub centers: Vec<f64>,
    /// Sum of squared distances of the points to their centres.
    pub inertia: f64,
    /// Lloyd iterations of the winning restart.
    pub iterations: usize,
    /// Whether the winning restart met the stopping rule before `max_iter`.
    pub converged: bool,
    /// Index of the winning restart.
    pub restart: usize,
    /// Inertia of every restart, by restart index.
    pub restart_inertias: Vec<f64>,
}

impl Clustering {
    /// The members of each cluster, in ascending point order.
    pub fn groups(&self) -> Vec<Vec<usize>> {
        let mut g = vec![Vec::new(); self.k];
        for (p, &c) in self.labels.iter().enumerate() {
            g[c].push(p);
        }
        g
    }

    /// Number of points in each cluster.
    pub fn sizes(&self) -> Vec<usize> {
        let mut s = vec![0; self.k];
        for &c in &self.labels {
            s[c] += 1;
        }
        s
    }
}

impl KMeans {
    /// Validates `config`: k >= 1, restarts >= 1, max_iter >= 1, tol finite and >= 0.
    pub fn new(config: KMeansConfig) -> Result<Self, DataError> {
        let bad = |m: String| Err(DataError::Parameter(m));
        if config.k == 0 {
            return bad("k-means k = 0 must be at least 1".into());
        }
        if config.restarts == 0 {
            return bad("k-means restarts = 0 must be at least 1".into());
        }
        if config.max_iter == 0 {
            return bad("k-means max_iter = 0 must be at least 1".into());
        }
        if !(config.tol.is_finite() && config.tol >= 0.0) {
            return bad(format!("k-means tol = {} must lie in [0, inf)", config.tol));
        }
        Ok(Self { config })
    }

    /// The configuration.
    pub fn config(&self) -> &KMeansConfig {
        &self.config
    }

    fn check(&self, data: &[f64], n: usize, dim: usize) -> Result<(), DataError> {
        if n.checked_mul(dim) != Some(data.len()) || dim == 0 {
            return Err(DataError::Parameter(format!(
                "k-means data holds {} numbers, not {n} points x {dim} dimensions (dim >= 1)",
                data.len()
            )));
        }
        if n < self.config.k {
            return Err(DataError::Parameter(format!(
                "k-means k = {} must be at most the number of points {n}",
                self.config.k
            )));
        }
        if let Some(p) = data.iter().position(|x| !x.is_finite()) {
            return Err(DataError::Parameter(format!(
                "k-means point {} coordinate {} = {} must be finite",
                p / dim,
                p % dim,
                data[p]
            )));
        }
        Ok(())
    }

    /// Clusters `n` points of dimension `dim` (row-major `data`), with `restarts` seedings run
    /// in parallel; restart r uses `seeds.stream(r, Source::Preprocessing)`.
    pub fn fit(
        &self,
        data: &[f64],
        n: usize,
        dim: usize,
        seeds: SeedSequence,
    ) -> Result<Clustering, DataError> {
        self.check(data, n, dim)?;
        let prep = Prepared::new(data, n, dim, self.config.tol);
        let idx: Vec<u64> = (0..self.config.restarts as u64).collect();
        let runs = map_replicates(
            &idx,
            Schedule::Parallel,
            |r| -> Result<Clustering, DataError> {
                let mut rng = seeds.stream(r, Source::Preprocessing);
                Ok(self.run(&prep, &mut rng, r as usize))
            },
            |_, _| Ok(()),
        )?;
        let inertias: Vec<f64> = runs.iter().map(|c| c.inertia).collect();
        let mut best = runs
            .into_iter()
            .reduce(|a, b| if b.inertia < a.inertia { b } else { a })
            .ok_or_else(|| DataError::Parameter("k-means ran no restart".into()))?;
        best.restart_inertias = inertias;
        Ok(best)
    }

    /// One seeding and its Lloyd iterations, drawing from `rng`.
    pub fn fit_once<R: Rng + ?Sized>(
        &self,
        data: &[f64],
        n: usize,
        dim: usize,
        rng: &mut R,
    ) -> Result<Clustering, DataError> {
        self.check(data, n, dim)?;
        let prep = Prepared::new(data, n, dim, self.config.tol);
        let mut c = self.run(&prep, rng, 0);
        c.restart_inertias = vec![c.inertia];
        Ok(c)
    }

    fn run<R: Rng + ?Sized>(&self, p: &Prepared<'_>, rng: &mut R, restart: usize) -> Clustering {
        let k = self.config.k;
        let centers = kmeans_pp(p, k, rng);
        lloyd(p, k, centers, self.config.max_iter, restart)
    }
}

/// The data with its squared row norms and the absolute tolerance.
struct Prepared<'a> {
    data: &'a [f64],
    n: usize,
    dim: usize,
    norms: Vec<f64>,
    tol_abs: f64,
}

impl<'a> Prepared<'a> {
    fn new(data: &'a [f64], n: usize, dim: usize, tol: f64) -> Self {
        let norms = data.chunks(dim).map(|x| dot(x, x)).collect();
        let mut var_sum = 0.0;
        for j in 0..dim {
            let mean = (0..n).map(|i| data[i * dim + j]).sum::<f64>() / n as f64;
            var_sum += (0..n)
                .map(|i| (data[i * dim + j] - mean).powi(2))
                .sum::<f64>()
                / n as f64;
        }
        Self {
            data,
            n,
            dim,
            norms,
            tol_abs: tol * var_sum / dim as f64,
        }
    }
    fn row(&self, i: usize) -> &[f64] {
        &self.data[i * self.dim..(i + 1) * self.dim]
    }
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    // Four accumulators: lets the compiler vectorise; the order is fixed, so results are too.
    let mut s = [0.0f64; 4];
    let (ca, cb) = (a.chunks_exact(4), b.chunks_exact(4));
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        for t in 0..4 {
            s[t] += x[t] * y[t];
        }
    }
    let tail: f64 = ra.iter().zip(rb).map(|(x, y)| x * y).sum();
    (s[0] + s[1]) + (s[2] + s[3]) + tail
}

fn sq_dist(a: &[f64], b: &[f64]) -> f64 {
    // Four accumulators, as in `dot`.
    let mut s = [0.0f64; 4];
    let (ca, cb) = (a.chunks_exact(4), b.chunks_exact(4));
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        for t in 0..4 {
            let d = x[t] - y[t];
            s[t] += d * d;
        }
    }
    let tail: f64 = ra.iter().zip(rb).map(|(x, y)| (x - y) * (x - y)).sum();
    (s[0] + s[1]) + (s[2] + s[3]) + tail
}

/// Greedy k-means++ (scikit-learn's `_kmeans_plusplus`).
fn kmeans_pp<R: Rng + ?Sized>(p: &Prepared<'_>, k: usize, rng: &mut R) -> Vec<f64> {
    let (n, dim) = (p.n, p.dim);
    let trials = 2 + (k as f64).ln().floor() as usize;
    let mut centers = Vec::with_capacity(k * dim);
    let first = rng.random_range(0..n);
    centers.extend_from_slice(p.row(first));
    let mut closest: Vec<f64> = (0..n)
        .into_par_iter()
        .map(|i| sq_dist(p.row(i), p.row(first)))
        .collect();
    let mut pot: f64 = closest.iter().sum();
    for _ in 1..k {
        let mut cum = Vec::with_capacity(n);
        let mut acc = 0.0;
        for &c in &closest {
            acc += c;
            cum.push(acc);
        }
        let cands: Vec<usize> = (0..trials)
            .map(|_| {
                if pot > 0.0 {
                    let r = rng.random::<f64>() * pot;
                    cum.partition_point(|&c| c < r).min(n - 1)
                } else {
                    rng.random_range(0..n)
                }
            })
            .collect();
        let mut best: Option<(f64, usize, Vec<f64>)> = None;
        for &c in &cands {
            let newc: Vec<f64> = (0..n)
                .into_par_iter()
                .map(|i| closest[i].min(sq_dist(p.row(i), p.row(c))))
                .collect();
            let s: f64 = newc.iter().sum();
            if best.as_ref().is_none_or(|b| s < b.0) {
                best = Some((s, c, newc));
            }
        }
        if let Some((s, c, newc)) = best {
            pot = s;
            closest = newc;
            centers.extend_from_slice(p.row(c));
        }
    }
    centers
}

/// Nearest centre of every point (ties to the lowest centre index) and its squared distance.
fn assign(p: &Prepared<'_>, centers: &[f64], k: usize) -> (Vec<usize>, Vec<f64>) {
    let dim = p.dim;
    let cn: Vec<f64> = centers.chunks(dim).map(|c| dot(c, c)).collect();
    (0..p.n)
        .into_par_iter()
        .map(|i| {
            let x = p.row(i);
            let mut best = (f64::INFINITY, 0usize);
            for c in 0..k {
                let d = cn[c] - 2.0 * dot(x, &centers[c * dim..(c + 1) * dim]);
                if d < best.0 {
                    best = (d, c);
                }
            }
            (best.1, (p.norms[i] + best.0).max(0.0))
        })
        .unzip()
}

/// Gives every empty cluster the farthest point of a cluster that can spare one.
fn fill_empty(labels: &mut [usize], dist: &mut [f64], k: usize) {
    let mut counts = vec![0usize; k];
    for &l in labels.iter() {
        counts[l] += 1;
    }
    for e in 0..k {
        if counts[e] > 0 {
            continue;
        }
        let mut far: Option<usize> = None;
        for i in 0..labels.len() {
            if counts[labels[i]] > 1 && far.is_none_or(|f| dist[i] > dist[f]) {
                far = Some(i);
            }
        }
        if let Some(i) = far {
            counts[labels[i]] -= 1;
            labels[i] = e;
            counts[e] = 1;
            dist[i] = 0.0;
        }
    }
}

fn means(p: &Prepared<'_>, labels: &[usize], k: usize) -> Vec<f64> {
    let dim = p.dim;
    let mut sums = vec![0.0; k * dim];
    let mut counts = vec![0usize; k];
    for (i, &l) in labels.iter().enumerate() {
        counts[l] += 1;
        for (s, x) in sums[l * dim..(l + 1) * dim].iter_mut().zip(p.row(i)) {
            *s += x;
        }
    }
    for (c, &m) in counts.iter().enumerate() {
        if m > 0 {
            for s in &mut sums[c * dim..(c + 1) * dim] {
                *s /= m as f64;
            }
        }
    }
    sums
}

fn lloyd(
    p: &Prepared<'_>,
    k: usize,
    mut centers: Vec<f64>,
    max_iter: usize,
    restart: usize,
) -> Clustering {
    let mut labels: Vec<usize> = Vec::new();
    let mut converged = false;
    let mut iterations = 0;
    for _ in 0..max_iter {
        // A stop request ends the iterations early (after the first, so that every point has
        // a label); the caller discards the result.
        if iterations > 0 && stop_requested() {
            break;
        }
        iterations += 1;
        let (mut new_labels, mut dist) = assign(p, &centers, k);
        fill_empty(&mut new_labels, &mut dist, k);
        let same = new_labels == labels;
        labels = new_labels;
        if same {
            converged = true;
            break;
        }
        let new_centers = means(p, &labels, k);
        let shift = sq_dist(&new_centers, &centers);
        centers = new_centers;
        if shift <= p.tol_abs {
            converged = true;
            break;
        }
    }
    // Labels consistent with the final centres, then centres consistent with the labels.
    let (mut labels, mut dist) = assign(p, &centers, k);
    fill_empty(&mut labels, &mut dist, k);
    let centers = means(p, &labels, k);
    let inertia = (0..p.n)
        .map(|i| {
            sq_dist(
                p.row(i),
                &centers[labels[i] * p.dim..(labels[i] + 1) * p.dim],
            )
        })
        .sum();
    Clustering {
        k,
        dim: p.dim,
        labels,
        centers,
        inertia,
        iterations,
        converged,
        restart,
        restart_inertias: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `k` well-separated Gaussian blobs of `per` points in `dim` dimensions.
    fn blobs(k: usize, per: usize, dim: usize, seed: u64) -> (Vec<f64>, Vec<usize>) {
        let mut rng = SeedSequence::new(seed).stream(0, Source::Preprocessing);
        let centres: Vec<f64> = (0..k * dim)
            .map(|_| rng.random_range(-50.0..50.0))
            .collect();
        let mut data = Vec::new();
        let mut truth = Vec::new();
        for p in 0..k * per {
            let c = p % k;
            for j in 0..dim {
                data.push(centres[c * dim + j] + rng.random_range(-1.0..1.0));
            }
            truth.push(c);
        }
        (data, truth)
    }

    /// Whether two labelings define the same partition.
    fn same_partition(a: &[usize], b: &[usize]) -> bool {
        let mut map = std::collections::HashMap::new();
        let mut back = std::collections::HashMap::new();
        a.iter()
            .zip(b)
            .all(|(x, y)| *map.entry(x).or_insert(y) == y && *back.entry(y).or_insert(x) == x)
    }

    #[test]
    fn recovers_planted_clusters() {
        let (data, truth) = blobs(6, 30, 5, 1);
        let km = KMeans::new(KMeansConfig {
            k: 6,
            restarts: 3,
            ..Default::default()
        })
        .unwrap();
        let c = km.fit(&data, 180, 5, SeedSequence::new(7)).unwrap();
        assert!(same_partition(&c.labels, &truth));
        assert!(c.converged);
        assert_eq!(c.sizes(), vec![30; 6]);
        // Inertia is the within-cluster scatter: points are within ±1 per coordinate.
        assert!(c.inertia < 180.0 * 5.0 / 3.0 * 1.5, "{}", c.inertia);
        assert_eq!(c.restart_inertias.len(), 3);
        assert!(c.restart_inertias.iter().all(|&x| x >= c.inertia));
    }

    #[test]
    fn parallel_equals_serial_and_reruns() {
        let (data, _) = blobs(10, 20, 8, 2);
        let km = KMeans::new(KMeansConfig {
            k: 7,
            restarts: 4,
            ..Default::default()
        })
        .unwrap();
        let a = km.fit(&data, 200, 8, SeedSequence::new(3)).unwrap();
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        let b = pool
            .install(|| km.fit(&data, 200, 8, SeedSequence::new(3)))
            .unwrap();
        let c = km.fit(&data, 200, 8, SeedSequence::new(3)).unwrap();
        assert_eq!(a, b);
        assert_eq!(a, c);
    }

    #[test]
    fn every_cluster_is_non_empty_even_with_duplicates() {
        // 12 points but only 3 distinct locations, 5 clusters: relocation keeps all non-empty.
        let data: Vec<f64> = (0..12).map(|i| (i % 3) as f64).collect();
        let km = KMeans::new(KMeansConfig {
            k: 5,
            restarts: 2,
            ..Default::default()
        })
        .unwrap();
        let c = km.fit(&data, 12, 1, SeedSequence::new(1)).unwrap();
        assert!(c.sizes().iter().all(|&s| s > 0), "{:?}", c.sizes());
        assert!(c.inertia.is_finite() && c.inertia >= 0.0);
        // k = n: every point its own cluster, inertia 0.
        let km = KMeans::new(KMeansConfig {
            k: 12,
            restarts: 1,
            ..Default::default()
        })
        .unwrap();
        let c = km.fit(&data, 12, 1, SeedSequence::new(1)).unwrap();
        assert_eq!(c.sizes(), vec![1; 12]);
        assert_eq!(c.inertia, 0.0);
    }

    #[test]
    fn one_cluster_is_the_mean() {
        let data = vec![0.0, 0.0, 2.0, 0.0, 4.0, 3.0];
        let km = KMeans::new(KMeansConfig {
            k: 1,
            restarts: 1,
            ..Default::default()
        })
        .unwrap();
        let c = km
            .fit_once(
                &data,
                3,
                2,
                &mut SeedSequence::new(0).stream(0, Source::Preprocessing),
            )
            .unwrap();
        assert_eq!(c.centers, vec![2.0, 1.0]);
        assert!((c.inertia - (5.0 + 1.0 + 8.0)).abs() < 1e-12);
    }

    #[test]
    fn bad_input_is_rejected() {
        assert!(KMeans::new(KMeansConfig {
            k: 0,
            ..Default::default()
        })
        .is_err());
        assert!(KMeans::new(KMeansConfig {
            restarts: 0,
            ..Default::default()
        })
        .is_err());
        assert!(KMeans::new(KMeansConfig {
            tol: -1.0,
            ..Default::default()
        })
        .is_err());
        let km = KMeans::new(KMeansConfig {
            k: 3,
            ..Default::default()
        })
        .unwrap();
        let s = SeedSequence::new(0);
        let e = km.fit(&[1.0, 2.0], 2, 1, s).unwrap_err().to_string();
        assert!(e.contains("k = 3") && e.contains("2"), "{e}");
        assert!(km.fit(&[1.0; 5], 3, 2, s).is_err());
        let e = km
            .fit(&[1.0, f64::NAN, 0.0, 1.0], 4, 1, s)
            .unwrap_err()
            .to_string();
        assert!(e.contains("point 1") && e.contains("NaN"), "{e}");
    }
}
