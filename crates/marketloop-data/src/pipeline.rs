//! The whole chain from a rating matrix to a trial-offer market's preferences (paper Section 5):
//! held-out RMSE of the completion model, biased-SVD completion on all ratings, k-means of the
//! users on the rows of Γ (skipped for one group), and the group visibility and quality matrices.
//! [`Pipeline::run`] does it all for the configured M; [`Pipeline::complete`] and
//! [`Pipeline::group`] are its two steps, so one completion can be grouped into several M.
//!
//! Seeds: from one master [`SeedSequence`], the held-out split and its model use the child
//! `derive("heldout")` (streams 0 and 1), the completion `derive("svd")` (stream 0) and k-means
//! `derive("kmeans")` (stream r for restart r), all of [`Source::Preprocessing`]. Changing one
//! step's settings does not change another step's draws.

use crate::completion::{train_test_split, BiasedSvd, CompletedMatrix, SvdConfig};
use crate::kmeans::{KMeans, KMeansConfig};
use crate::movielens::RatingMatrix;
use crate::preferences::{group_preferences, FillRule, PreferenceConfig, Preferences, Variant};
use crate::DataError;
use marketloop_core::rng::{SeedSequence, Source};
use serde::{Deserialize, Serialize};
use std::time::Instant;

/// Settings of the whole chain.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PipelineConfig {
    /// Number of user types M (1: the homogeneous market).
    pub groups: usize,
    /// All items or unseen items only.
    pub variant: Variant,
    /// Fill rule for missing group entries.
    pub fill: FillRule,
    /// The completion model.
    pub svd: SvdConfig,
    /// k-means restarts.
    pub kmeans_restarts: usize,
    /// k-means iterations per restart.
    pub kmeans_max_iter: usize,
    /// k-means relative tolerance.
    pub kmeans_tol: f64,
    /// Share of ratings held out to report the completion RMSE (0: skip).
    pub test_fraction: f64,
}

impl Default for PipelineConfig {
    fn default() -> Self {
        let km = KMeansConfig::default();
        Self {
            groups: 100,
            variant: Variant::All,
            fill: FillRule::AllUsers,
            svd: SvdConfig::default(),
            kmeans_restarts: km.restarts,
            kmeans_max_iter: km.max_iter,
            kmeans_tol: km.tol,
            test_fraction: 0.2,
        }
    }
}

/// A validated pipeline.
#[derive(Clone, Debug)]
pub struct Pipeline {
    config: PipelineConfig,
    svd: BiasedSvd,
    kmeans: KMeans,
}

/// The completed rating matrix: the first step of the chain (held-out RMSE, then the biased-SVD
/// completion on all ratings). It does not depend on the number of types, so one completion
/// serves every M through [`Pipeline::group`].
#[derive(Clone, Debug)]
pub struct Completion {
    /// Number of users (rows of Γ).
    pub n_users: usize,
    /// Number of items (columns of Γ).
    pub n_items: usize,
    /// The completed preferences Γ (users x items, row-major): ratings divided by the top of
    /// the scale.
    pub gamma: Vec<f64>,
    /// Row-major mask: `true` where the rating was observed.
    pub observed: Vec<bool>,
    /// RMSE on the held-out ratings (None when `test_fraction` is 0).
    pub heldout_rmse: Option<f64>,
    /// Training RMSE of the last epoch of the completion model.
    pub train_rmse: f64,
    /// Wall-clock seconds of the phases "heldout_rmse" and "completion".
    pub timings: Vec<(String, f64)>,
}

/// What the pipeline produced.
#[derive(Clone, Debug)]
pub struct PipelineOutput {
    /// Weights, visibility and quality of the M types.
    pub preferences: Preferences,
    /// Members (0-based user indices) of each type.
    pub groups: Vec<Vec<usize>>,
    /// RMSE on the held-out ratings (None when `test_fraction` is 0).
    pub heldout_rmse: Option<f64>,
    /// Training RMSE of the last epoch of the completion model.
    pub train_rmse: f64,
    /// k-means inertia on the rows of Γ (None for one group).
    pub inertia: Option<f64>,
    /// Lloyd iterations of the winning k-means restart (0 for one group).
    pub kmeans_iterations: usize,
    /// Wall-clock seconds per phase.
    pub timings: Vec<(String, f64)>,
}

/// Wall-clock laps of the pipeline's phases.
struct Laps {
    clock: Instant,
    timings: Vec<(String, f64)>,
}

impl Laps {
    fn start() -> Self {
        Self {
            clock: Instant::now(),
            timings: Vec::new(),
        }
    }

    fn lap(&mut self, name: &str) {
        self.timings
            .push((name.to_string(), self.clock.elapsed().as_secs_f64()));
        self.clock = Instant::now();
    }
}

/// The most latent factors of the matrix completion (each user and item gets one vector of
/// this length; MovieLens-100K is completed with 100).
pub const MAX_FACTORS: usize = 10_000;

fn check_groups(groups: usize, n_users: usize) -> Result<(), DataError> {
    if groups == 0 {
        return Err(DataError::Parameter(
            "groups M = 0 must be at least 1 (1 is the homogeneous market)".into(),
        ));
    }
    if groups > n_users {
        return Err(DataError::Parameter(format!(
            "groups M = {groups} must be at most the number of users {n_users}"
        )));
    }
    Ok(())
}

impl Pipeline {
    /// Validates the settings (groups >= 1, 0 <= test_fraction < 1, and those of the SVD and
    /// k-means).
    pub fn new(config: PipelineConfig) -> Result<Self, DataError> {
        check_groups(config.groups, usize::MAX)?;
        if !(config.test_fraction >= 0.0 && config.test_fraction < 1.0) {
            return Err(DataError::Parameter(format!(
                "test fraction = {} must lie in [0, 1)",
                config.test_fraction
            )));
        }
        if config.svd.n_factors > MAX_FACTORS {
            return Err(DataError::Parameter(format!(
                "SVD n_factors = {} is above the maximum {MAX_FACTORS}",
                config.svd.n_factors
            )));
        }
        let svd = BiasedSvd::new(config.svd.clone())?;
        let kmeans = Self::kmeans_for(&config, config.groups)?;
        Ok(Self {
            config,
            svd,
            kmeans,
        })
    }

    fn kmeans_for(config: &PipelineConfig, groups: usize) -> Result<KMeans, DataError> {
        KMeans::new(KMeansConfig {
            k: groups,
            restarts: config.kmeans_restarts,
            max_iter: config.kmeans_max_iter,
            tol: config.kmeans_tol,
        })
    }

    /// The settings.
    pub fn config(&self) -> &PipelineConfig {
        &self.config
    }

    /// Checks the settings against `data` (at most as many groups as users), so a front end
    /// can refuse before it creates an output folder; [`Pipeline::run`] checks it too.
    pub fn check_data(&self, data: &RatingMatrix) -> Result<(), DataError> {
        check_groups(self.config.groups, data.n_users())
    }

    /// Runs the chain on `data` with the master seed sequence `seeds`: [`Pipeline::complete`],
    /// then [`Pipeline::group`] into the configured number of types.
    pub fn run(
        &self,
        data: &RatingMatrix,
        seeds: SeedSequence,
    ) -> Result<PipelineOutput, DataError> {
        self.check_data(data)?;
        let completion = self.complete(data, seeds)?;
        self.group(&completion, self.config.groups, seeds)
    }

    /// The first step: the held-out RMSE (when `test_fraction` > 0; seeds `derive("heldout")`)
    /// and the completion of `data` by the biased SVD fitted on all ratings (seeds
    /// `derive("svd")`).
    pub fn complete(
        &self,
        data: &RatingMatrix,
        seeds: SeedSequence,
    ) -> Result<Completion, DataError> {
        let mut laps = Laps::start();
        let heldout_rmse = if self.config.test_fraction > 0.0 {
            let s = seeds.derive("heldout");
            let (train, test) = train_test_split(
                data,
                self.config.test_fraction,
                &mut s.stream(0, Source::Preprocessing),
            )?;
            let model = self
                .svd
                .fit(&train, &mut s.stream(1, Source::Preprocessing))?;
            Some(model.rmse(&test))
        } else {
            None
        };
        laps.lap("heldout_rmse");
        let model = self.svd.fit(
            data,
            &mut seeds.derive("svd").stream(0, Source::Preprocessing),
        )?;
        let completed = CompletedMatrix::new(data, &model)?;
        let gamma = completed.preferences();
        laps.lap("completion");
        Ok(Completion {
            n_users: completed.n_users,
            n_items: completed.n_items,
            gamma,
            observed: completed.observed,
            heldout_rmse,
            train_rmse: model.epoch_rmse().last().copied().unwrap_or(0.0),
            timings: laps.timings,
        })
    }

    /// The second step: k-means of the users on the rows of Γ into `groups` types (skipped for
    /// one type; seeds `derive("kmeans")`, the same for every M) and the types' weights,
    /// visibility and quality. `seeds` is the master sequence given to
    /// [`Pipeline::complete`]; `groups` may differ from the configured one (the other
    /// settings are kept).
    pub fn group(
        &self,
        completion: &Completion,
        groups: usize,
        seeds: SeedSequence,
    ) -> Result<PipelineOutput, DataError> {
        let c = &self.config;
        let (n_users, n_items) = (completion.n_users, completion.n_items);
        check_groups(groups, n_users)?;
        let mut laps = Laps::start();
        laps.timings = completion.timings.clone();
        let (labels, inertia, iterations) = if groups == 1 {
            (vec![0; n_users], None, 0)
        } else {
            let other;
            let kmeans = if groups == c.groups {
                &self.kmeans
            } else {
                other = Self::kmeans_for(c, groups)?;
                &other
            };
            let cl = kmeans.fit(&completion.gamma, n_users, n_items, seeds.derive("kmeans"))?;
            (cl.labels, Some(cl.inertia), cl.iterations)
        };
        laps.lap("kmeans");
        let preferences = group_preferences(
            &completion.gamma,
            &completion.observed,
            n_users,
            n_items,
            &labels,
            groups,
            PreferenceConfig {
                fill: c.fill,
                variant: c.variant,
            },
        )?;
        laps.lap("preferences");
        let mut members = vec![Vec::new(); groups];
        for (u, &l) in labels.iter().enumerate() {
            members[l].push(u);
        }
        Ok(PipelineOutput {
            preferences,
            groups: members,
            heldout_rmse: completion.heldout_rmse,
            train_rmse: completion.train_rmse,
            inertia,
            kmeans_iterations: iterations,
            timings: laps.timings,
        })
    }
}

/// Summary statistics comparing two m x n matrices that may differ in m (e.g. ours and the
/// authors'): each one's mean, and the Pearson correlation of their per-item column means.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    /// Mean of all entries of the first matrix.
    pub mean_a: f64,
    /// Mean of all entries of the second matrix.
    pub mean_b: f64,
    /// Pearson correlation of the per-column means (NaN-free: 0 when a side is constant).
    pub column_mean_correlation: f64,
    /// Largest absolute difference of the per-column means.
    pub max_column_mean_difference: f64,
}

/// Compares `a` (rows_a x n) with `b` (rows_b x n), both row-major.
///
/// Errors when the sizes do not match `n` columns.
pub fn compare(
    a: &[f64],
    rows_a: usize,
    b: &[f64],
    rows_b: usize,
    n: usize,
) -> Result<Comparison, DataError> {
    if rows_a * n != a.len() || rows_b * n != b.len() || n == 0 || rows_a == 0 || rows_b == 0 {
        return Err(DataError::Parameter(format!(
            "compare: {} and {} entries are not {rows_a} x {n} and {rows_b} x {n}",
            a.len(),
            b.len()
        )));
    }
    let col = |x: &[f64], rows: usize| -> Vec<f64> {
        (0..n)
            .map(|j| (0..rows).map(|i| x[i * n + j]).sum::<f64>() / rows as f64)
            .collect()
    };
    let (ca, cb) = (col(a, rows_a), col(b, rows_b));
    let mean = |x: &[f64]| x.iter().sum::<f64>() / x.len() as f64;
    let (ma, mb) = (mean(&ca), mean(&cb));
    let (mut sab, mut saa, mut sbb) = (0.0, 0.0, 0.0);
    for (x, y) in ca.iter().zip(&cb) {
        sab += (x - ma) * (y - mb);
        saa += (x - ma).powi(2);
        sbb += (y - mb).powi(2);
    }
    let corr = if saa > 0.0 && sbb > 0.0 {
        sab / (saa * sbb).sqrt()
    } else {
        0.0
    };
    let maxdiff = ca
        .iter()
        .zip(&cb)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f64::max);
    Ok(Comparison {
        mean_a: mean(a),
        mean_b: mean(b),
        column_mean_correlation: corr,
        max_column_mean_difference: maxdiff,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::movielens::Rating;
    use crate::preferences::{group_preferences, PreferenceConfig};
    use rand::Rng;

    /// 60 users in 3 taste groups over 40 items, ratings 1..=5, about 40% observed.
    fn synthetic(seed: u64) -> RatingMatrix {
        let mut rng = SeedSequence::new(seed).stream(0, Source::Preprocessing);
        let mut v = Vec::new();
        for u in 0..60u32 {
            for i in 0..40u32 {
                if rng.random::<f64>() < 0.4 {
                    let likes = (i as usize % 3) == (u as usize % 3);
                    let base = if likes { 4.5 } else { 2.0 };
                    let r = (base + rng.random_range(-0.5..0.5f64))
                        .round()
                        .clamp(1.0, 5.0);
                    v.push(Rating {
                        user: u,
                        item: i,
                        value: r,
                    });
                }
            }
        }
        RatingMatrix::new(60, 40, v).unwrap()
    }

    fn small(groups: usize) -> PipelineConfig {
        PipelineConfig {
            groups,
            svd: SvdConfig {
                n_factors: 10,
                n_epochs: 200,
                lr: 0.01,
                ..SvdConfig::default()
            },
            ..PipelineConfig::default()
        }
    }

    #[test]
    fn finds_the_taste_groups_and_is_reproducible() {
        let data = synthetic(1);
        let p = Pipeline::new(small(3)).unwrap();
        let a = p.run(&data, SeedSequence::new(11)).unwrap();
        let b = p.run(&data, SeedSequence::new(11)).unwrap();
        assert_eq!(a.groups, b.groups);
        assert_eq!(a.preferences, b.preferences);
        // The three taste groups are recovered: users u and u' together iff u ≡ u' (mod 3).
        for g in &a.groups {
            assert_eq!(g.len(), 20, "{:?}", a.groups);
            assert!(g.iter().all(|&u| u % 3 == g[0] % 3), "{g:?}");
        }
        let w: f64 = a.preferences.weights.iter().sum();
        assert!((w - 1.0).abs() < 1e-12);
        let rmse = a.heldout_rmse.unwrap();
        // Ratings are 4-5 (liked) or 1-3 (disliked), spread about 1.3: the model must do far
        // better than the mean.
        assert!(rmse.is_finite() && rmse > 0.0 && rmse < 0.8, "{rmse}");
        assert!(a
            .preferences
            .visibility
            .iter()
            .chain(&a.preferences.quality)
            .all(|x| (0.0..=1.0).contains(x)));
    }

    /// One completion grouped into several M gives exactly what a whole run for each M gives.
    #[test]
    fn one_completion_serves_every_number_of_types() {
        let data = synthetic(4);
        let seeds = SeedSequence::new(5);
        let p = Pipeline::new(small(3)).unwrap();
        let completion = p.complete(&data, seeds).unwrap();
        for m in [1, 2, 3, 5] {
            let whole = Pipeline::new(small(m)).unwrap().run(&data, seeds).unwrap();
            let step = p.group(&completion, m, seeds).unwrap();
            assert_eq!(step.preferences, whole.preferences, "M = {m}");
            assert_eq!(step.groups, whole.groups, "M = {m}");
            assert_eq!(step.inertia, whole.inertia, "M = {m}");
            assert_eq!(step.kmeans_iterations, whole.kmeans_iterations, "M = {m}");
            assert_eq!(step.heldout_rmse, whole.heldout_rmse, "M = {m}");
            assert_eq!(step.train_rmse, whole.train_rmse, "M = {m}");
            let phases: Vec<&str> = step.timings.iter().map(|(k, _)| k.as_str()).collect();
            assert_eq!(
                phases,
                ["heldout_rmse", "completion", "kmeans", "preferences"]
            );
        }
        let e = p.group(&completion, 0, seeds).unwrap_err().to_string();
        assert!(e.contains("M = 0"), "{e}");
        let e = p.group(&completion, 61, seeds).unwrap_err().to_string();
        assert!(e.contains("M = 61") && e.contains("60"), "{e}");
    }

    #[test]
    fn one_group_is_the_homogeneous_market() {
        let data = synthetic(2);
        let p = Pipeline::new(PipelineConfig {
            test_fraction: 0.0,
            ..small(1)
        })
        .unwrap();
        let out = p.run(&data, SeedSequence::new(1)).unwrap();
        assert_eq!(out.preferences.weights, vec![1.0]);
        assert_eq!(out.groups[0].len(), 60);
        assert!(out.heldout_rmse.is_none() && out.inertia.is_none());
    }

    #[test]
    fn bad_settings_are_errors() {
        assert!(Pipeline::new(small(0)).is_err());
        assert!(Pipeline::new(PipelineConfig {
            test_fraction: 1.0,
            ..small(2)
        })
        .is_err());
        let p = Pipeline::new(small(61)).unwrap();
        let e = p
            .run(&synthetic(3), SeedSequence::new(0))
            .unwrap_err()
            .to_string();
        assert!(e.contains("M = 61") && e.contains("60"), "{e}");
    }

    #[test]
    fn comparison_statistics() {
        let a = [1.0, 2.0, 3.0, 3.0, 4.0, 5.0];
        let b = [2.0, 4.0, 6.0];
        let c = compare(&a, 2, &b, 1, 3).unwrap();
        assert_eq!(c.mean_a, 3.0);
        assert_eq!(c.mean_b, 4.0);
        assert!((c.column_mean_correlation - 1.0).abs() < 1e-12);
        assert_eq!(c.max_column_mean_difference, 2.0);
        assert!(compare(&a, 3, &b, 1, 3).is_err());
    }

    /// With the authors' own groups, eq. 18 with the all-users fill reproduces their published
    /// visibility (appeals.npy, appeals_homo.npy) exactly: it depends only on the observed
    /// ratings. Their quality depends on their SVD draws, so only its summary is compared.
    #[test]
    #[ignore = "needs MovieLens-100K and /work/shared/data/zhu2023-inputs"]
    fn authors_visibility_is_reproduced_from_their_groups() {
        use crate::completion::CompletedMatrix;
        use marketloop_io::matrix::{read_json_groups, read_matrix};
        let inputs = std::path::Path::new("/work/shared/data/zhu2023-inputs");
        let dir = crate::real_data_dir().expect("MovieLens-100K not found");
        let ml = crate::movielens::load_dir(&dir).unwrap();
        let groups = read_json_groups(&inputs.join("groups_100.json")).unwrap();
        let mut labels = vec![usize::MAX; 943];
        for (g, members) in groups.iter().enumerate() {
            for &u in members {
                labels[u] = g;
            }
        }
        let svd = BiasedSvd::new(SvdConfig::default()).unwrap();
        let model = svd
            .fit(
                &ml.ratings,
                &mut SeedSequence::new(0).stream(0, Source::Preprocessing),
            )
            .unwrap();
        let c = CompletedMatrix::new(&ml.ratings, &model).unwrap();
        let gamma = c.preferences();
        for (m, labels, v_file, q_file) in [
            (100, labels.clone(), "appeals.npy", "qualities.npy"),
            (1, vec![0; 943], "appeals_homo.npy", "qualities_homo.npy"),
        ] {
            let p = group_preferences(
                &gamma,
                &c.observed,
                943,
                1682,
                &labels,
                m,
                PreferenceConfig::default(),
            )
            .unwrap();
            let theirs = read_matrix(&inputs.join(v_file)).unwrap();
            let worst = p
                .visibility
                .iter()
                .zip(&theirs.data)
                .map(|(a, b)| (a - b).abs())
                .fold(0.0, f64::max);
            assert!(worst < 1e-12, "{v_file}: largest difference {worst}");
            let tq = read_matrix(&inputs.join(q_file)).unwrap();
            let cq = compare(&p.quality, m, &tq.data, tq.rows, 1682).unwrap();
            eprintln!("{q_file}: {cq:?}");
            assert!((cq.mean_a - cq.mean_b).abs() < 0.02, "{cq:?}");
            assert!(cq.column_mean_correlation > 0.95, "{cq:?}");
        }
    }
}
