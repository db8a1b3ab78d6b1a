//! Reproduction of Zhu, Cheung & Xie, "Stability and Efficiency of Personalised Cultural
//! Markets", Section 5 (Figure 2) and Appendix E (Figures 3-5); spec
//! `trial-offer-markets.md`, sections "Ranking strategies", "MovieLens-100K preferences" and
//! "Experiment".
//!
//! [`run`] takes a [`CulturalConfig`] and writes into a run folder:
//! - `trajectories.{csv,parquet}`: every run's efficiency and entropy at every measurement;
//! - `replicates.{csv,parquet}`: one row per run (initial and final totals, idle users);
//! - `summary.{csv,parquet}`: median and 25th/75th percentiles over runs, per arm and step;
//! - `efficiency_vs_entropy.{csv,parquet}`: the points of Figure 2 (right);
//! - `published_comparison.{csv,parquet}`: this run's medians at step 299,000 next to the
//!   paper's;
//! - per heterogeneous setting `efficiency_over_time_TAG` and `efficiency_vs_entropy_TAG`
//!   figures (SVG + PNG), `report.html` and `manifest.json`.
//!
//! Arms: {homogeneous (M = 1)} ∪ {heterogeneous M for each requested M} x {random, popularity,
//! quality}. Common random numbers: every arm runs replicate r with the same master seed, so the
//! initial counts (d_j^0 uniform in {2, 3}, `Source::Initial`) and the arrival, choice and
//! purchase streams are shared across arms. Each finished replicate is saved at once and reused
//! by `resume`, so a resumed run writes byte-identical tables.
//!
//! Preferences come from MovieLens-100K through `marketloop-data` (biased SVD, k-means, v̂ and q;
//! cached in the cache folder under a key made of the seed, the data's SHA-256 and every
//! preprocessing setting), or from the authors' own matrices (`InputKind::Zhu2023`).

use super::Progress;
use crate::atomic::write_atomic;
use crate::figure::{Figure, Series, SeriesStyle};
use crate::matrix::{read_json_groups, read_matrix, Matrix};
use crate::report::{Finding, Report, Section};
use crate::run::{Manifest, RunDir};
use crate::table::{Column, Table};
use crate::IoError;
use marketloop_core::market::{
    InitialCounts, Market, PositionBias, RankingSpec, Simulation, TieRule, Trajectory, Visibility,
};
use marketloop_core::rng::{stable_hash, SeedSequence, Source};
use marketloop_core::runner::{map_replicates, Schedule};
use marketloop_data::completion::{train_test_split, CompletedMatrix};
use marketloop_data::preferences::group_preferences;
use marketloop_data::{
    BiasedSvd, FillRule, KMeans, KMeansConfig, PreferenceConfig, Preferences, SvdConfig, Variant,
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

/// The command name recorded in manifests (and checked on resume).
pub const COMMAND: &str = "reproduce cultural-market";

/// The step at which the paper reports its values.
pub const PUBLISHED_STEP: u64 = 299_000;

/// How big a run is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Scale {
    /// 10 runs x 30,000 steps, a measurement every 1000 steps (well under a minute).
    #[default]
    Quick,
    /// The paper's scale: 50 runs x 300,000 steps, a measurement every 1000 steps.
    Full,
}

impl Scale {
    /// (runs, steps, every) of this scale.
    pub fn defaults(self) -> (usize, u64, u64) {
        match self {
            Scale::Quick => (10, 30_000, 1000),
            Scale::Full => (50, 300_000, 1000),
        }
    }
}

/// Where the preference matrices come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum InputKind {
    /// Built from MovieLens-100K with `marketloop-data` (SVD completion, k-means, v̂, q).
    #[default]
    Movielens,
    /// The authors' own matrices: `appeals.npy`, `qualities.npy` (m x n), `groups_M.json`,
    /// `appeals_homo.npy`, `qualities_homo.npy` (1 x n) in [`CulturalConfig::inputs_dir`].
    Zhu2023,
}

/// Settings of the reproduction. Unset `runs`, `steps`, `every` and `cache` take the scale's
/// defaults and the default cache folder in [`CulturalConfig::resolve`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CulturalConfig {
    /// Quick or full scale.
    pub scale: Scale,
    /// The heterogeneous settings: numbers of user types M (each >= 2). The homogeneous market
    /// (M = 1) is always run too. The paper: 100 (Figure 2), 50 and 200 (Appendix E).
    pub groups: Vec<usize>,
    /// All items (Figure 2) or unseen items only (Appendix E, Figure 5).
    pub variant: Variant,
    /// Where the preferences come from.
    pub inputs: InputKind,
    /// Folder of the authors' matrices (for [`InputKind::Zhu2023`]).
    pub inputs_dir: Option<PathBuf>,
    /// A local MovieLens-100K folder (`ml-100k/` or its parent); else fetched into the cache.
    pub data: Option<PathBuf>,
    /// Cache folder (MovieLens download and completed/clustered preferences).
    pub cache: Option<PathBuf>,
    /// Runs per arm.
    pub runs: Option<usize>,
    /// Users (steps) per run.
    pub steps: Option<u64>,
    /// A measurement every this many steps.
    pub every: Option<u64>,
    /// Master seed (simulation and preprocessing).
    pub seed: u64,
    /// Feedback exponent r of every type (paper: 0.5).
    pub feedback: f64,
    /// Initial counts d_j^0 are uniform in `initial_low..=initial_high` (paper: 2..=3).
    pub initial_low: u64,
    /// See `initial_low`.
    pub initial_high: u64,
    /// Tie rule of the popularity ranking.
    pub ties: TieRule,
    /// Fill rule for group entries with no data (MovieLens inputs).
    pub fill: FillRule,
    /// The completion model (MovieLens inputs).
    pub svd: SvdConfig,
    /// k-means restarts (MovieLens inputs).
    pub kmeans_restarts: usize,
    /// Share of ratings held out to report the completion RMSE (0: skip).
    pub test_fraction: f64,
}

impl Default for CulturalConfig {
    fn default() -> Self {
        Self {
            scale: Scale::Quick,
            groups: vec![100],
            variant: Variant::All,
            inputs: InputKind::Movielens,
            inputs_dir: None,
            data: None,
            cache: None,
            runs: None,
            steps: None,
            every: None,
            seed: 2023,
            feedback: 0.5,
            initial_low: 2,
            initial_high: 3,
            ties: TieRule::FirstToReach,
            fill: FillRule::AllUsers,
            svd: SvdConfig::default(),
            kmeans_restarts: KMeansConfig::default().restarts,
            test_fraction: 0.2,
        }
    }
}

fn invalid(message: String) -> IoError {
    IoError::Invalid {
        path: PathBuf::from("cultural-market config"),
        message,
    }
}

fn data_err(path: &Path, e: impl std::fmt::Display) -> IoError {
    IoError::Invalid {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}

impl CulturalConfig {
    /// Fills in the scale's defaults and the cache folder, and validates every setting. The
    /// result is what the manifest records and what `resume` compares.
    pub fn resolve(&self) -> Result<CulturalConfig, IoError> {
        let mut c = self.clone();
        let (runs, steps, every) = c.scale.defaults();
        let runs = *c.runs.get_or_insert(runs);
        let steps = *c.steps.get_or_insert(steps);
        let every = *c.every.get_or_insert(every);
        if c.cache.is_none() {
            c.cache = Some(marketloop_data::default_cache_dir());
        }
        if runs == 0 {
            return Err(invalid("runs = 0: at least 1 run per arm is needed".into()));
        }
        if steps == 0 {
            return Err(invalid(
                "steps = 0: at least 1 step per run is needed".into(),
            ));
        }
        if every == 0 || every > steps {
            return Err(invalid(format!(
                "every = {every}: the measurement interval must lie in [1, steps = {steps}]"
            )));
        }
        if c.groups.is_empty() {
            return Err(invalid(
                "groups is empty: give at least one number of user types M >= 2".into(),
            ));
        }
        let mut seen = Vec::new();
        for &m in &c.groups {
            if m < 2 {
                return Err(invalid(format!(
                    "groups M = {m} must be at least 2 (the homogeneous market M = 1 is always run)"
                )));
            }
            if seen.contains(&m) {
                return Err(invalid(format!("groups M = {m} is listed twice")));
            }
            seen.push(m);
        }
        if !(c.feedback.is_finite() && c.feedback >= 0.0) {
            return Err(invalid(format!(
                "feedback exponent r = {} must be a finite number >= 0",
                c.feedback
            )));
        }
        if c.initial_low == 0 || c.initial_low > c.initial_high {
            return Err(invalid(format!(
                "initial counts {}..={}: need 1 <= low <= high",
                c.initial_low, c.initial_high
            )));
        }
        if !(c.test_fraction >= 0.0 && c.test_fraction < 1.0) {
            return Err(invalid(format!(
                "test fraction = {} must lie in [0, 1)",
                c.test_fraction
            )));
        }
        if c.kmeans_restarts == 0 {
            return Err(invalid("k-means restarts = 0 must be at least 1".into()));
        }
        BiasedSvd::new(c.svd.clone()).map_err(|e| invalid(e.to_string()))?;
        if c.inputs == InputKind::Zhu2023 {
            if c.inputs_dir.is_none() {
                return Err(invalid(
                    "inputs = zhu2023 needs inputs_dir (--inputs-dir), the folder holding \
                     appeals.npy, qualities.npy, groups_M.json, appeals_homo.npy and \
                     qualities_homo.npy"
                        .into(),
                ));
            }
            if c.variant == Variant::Unseen {
                return Err(invalid(
                    "variant = unseen is not available with inputs = zhu2023 (the authors' \
                     matrices are for all items); use inputs = movielens"
                        .into(),
                ));
            }
            if c.groups.len() != 1 {
                return Err(invalid(format!(
                    "groups {:?}: the authors' inputs hold one heterogeneous setting; give one M",
                    c.groups
                )));
            }
        }
        Ok(c)
    }

    fn runs_steps_every(&self) -> (usize, u64, u64) {
        let (r, s, e) = self.scale.defaults();
        (
            self.runs.unwrap_or(r),
            self.steps.unwrap_or(s),
            self.every.unwrap_or(e),
        )
    }
}

/// One arm's numbers at the last measurement.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ArmSummary {
    /// "homogeneous" or "heterogeneous".
    pub setting: String,
    /// Number of user types M.
    pub groups: usize,
    /// "random", "popularity" or "quality".
    pub strategy: String,
    /// The step of these numbers (the last measurement).
    pub step: u64,
    /// Median efficiency over runs.
    pub efficiency_median: f64,
    /// 25th percentile.
    pub efficiency_q25: f64,
    /// 75th percentile.
    pub efficiency_q75: f64,
    /// Median entropy (nats).
    pub entropy_median: f64,
    /// 25th percentile.
    pub entropy_q25: f64,
    /// 75th percentile.
    pub entropy_q75: f64,
    /// Users who tried nothing, summed over runs.
    pub idle: u64,
    /// CPU nanoseconds per simulated step of this arm (replicates simulated in this call only;
    /// None when every replicate was resumed).
    pub cpu_ns_per_step: Option<f64>,
}

/// A finding with its verdict and evidence (serialisable form of [`Finding`]).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FindingSummary {
    /// The claim.
    pub claim: String,
    /// Whether this run supports it.
    pub holds: bool,
    /// The numbers behind the verdict.
    pub evidence: String,
}

/// What a reproduction returns (everything is also in the run folder).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CulturalSummary {
    /// The run folder.
    pub out: PathBuf,
    /// The resolved config.
    pub config: CulturalConfig,
    /// Final numbers per arm.
    pub arms: Vec<ArmSummary>,
    /// The qualitative findings.
    pub findings: Vec<FindingSummary>,
    /// Whether the run is at the paper's scale (step 299,000 measured, M = 100, all items).
    pub comparable_to_published: bool,
    /// Replicates loaded from an earlier run.
    pub resumed_replicates: usize,
    /// Steps simulated in this call.
    pub simulated_steps: u64,
    /// Wall-clock seconds per phase ("preferences", "simulate", "write", "total").
    pub timings: BTreeMap<String, f64>,
    /// Wall-clock nanoseconds per simulated step over the whole simulation phase (all threads).
    pub wall_ns_per_step: Option<f64>,
    /// Notes on the inputs (sources, cache use, held-out RMSE).
    pub notes: Vec<String>,
}

/// One market setting: homogeneous or heterogeneous with M types.
#[derive(Clone, Debug)]
struct Setting {
    groups: usize,
    market: Market,
}

impl Setting {
    fn name(&self) -> &'static str {
        if self.groups == 1 {
            "homogeneous"
        } else {
            "heterogeneous"
        }
    }
}

/// The three strategies of Section 5, in the figure's order.
fn strategies(ties: TieRule) -> [RankingSpec; 3] {
    [
        RankingSpec::Random,
        RankingSpec::Popularity { ties },
        RankingSpec::Quality,
    ]
}

struct Arm {
    setting: usize,
    strategy: &'static str,
    key: String,
    sim: Simulation,
}

/// Cached preferences of one M.
#[derive(Serialize, Deserialize)]
struct CachedPreferences {
    key: serde_json::Value,
    preferences: Preferences,
    groups: Vec<Vec<usize>>,
    heldout_rmse: Option<f64>,
}

fn market_from(
    prefs: &Preferences,
    cfg: &CulturalConfig,
    source: &Path,
) -> Result<Market, IoError> {
    // Normalise the weights so they sum to 1 to machine precision.
    let total: f64 = prefs.weights.iter().sum();
    let weights: Vec<f64> = prefs.weights.iter().map(|w| w / total).collect();
    Market::new(
        prefs.n_items,
        weights,
        prefs.visibility.clone(),
        prefs.quality.clone(),
        vec![cfg.feedback; prefs.n_types],
        InitialCounts::Uniform {
            low: cfg.initial_low,
            high: cfg.initial_high,
        },
    )
    .map_err(|e| data_err(source, e))
}

fn read_npy_checked(path: &Path, rows: Option<usize>) -> Result<Matrix, IoError> {
    if !path.is_file() {
        return Err(IoError::Invalid {
            path: path.to_path_buf(),
            message: "missing: the zhu2023 inputs folder must hold appeals.npy, qualities.npy, \
                      groups_M.json, appeals_homo.npy and qualities_homo.npy"
                .into(),
        });
    }
    let m = read_matrix(path)?;
    if let Some(r) = rows {
        if m.rows != r {
            return Err(IoError::Invalid {
                path: path.to_path_buf(),
                message: format!("has {} rows, expected {r}", m.rows),
            });
        }
    }
    Ok(m)
}

/// Reads the authors' matrices: the homogeneous market and one heterogeneous one.
fn zhu2023_preferences(
    dir: &Path,
    groups: usize,
) -> Result<(Vec<Preferences>, Vec<String>), IoError> {
    let av = read_npy_checked(&dir.join("appeals_homo.npy"), Some(1))?;
    let aq = read_npy_checked(&dir.join("qualities_homo.npy"), Some(1))?;
    let hv = read_npy_checked(&dir.join("appeals.npy"), None)?;
    let hq = read_npy_checked(&dir.join("qualities.npy"), Some(hv.rows))?;
    let n = av.cols;
    for (m, name) in [
        (&aq, "qualities_homo.npy"),
        (&hv, "appeals.npy"),
        (&hq, "qualities.npy"),
    ] {
        if m.cols != n {
            return Err(IoError::Invalid {
                path: dir.join(name),
                message: format!("has {} columns (items), appeals_homo.npy has {n}", m.cols),
            });
        }
    }
    if hv.rows != groups {
        return Err(IoError::Invalid {
            path: dir.join("appeals.npy"),
            message: format!(
                "holds {} groups but groups M = {groups} was asked for; pass --groups {}",
                hv.rows, hv.rows
            ),
        });
    }
    let gpath = dir.join(format!("groups_{groups}.json"));
    let members = read_json_groups(&gpath)?;
    if members.len() != groups {
        return Err(IoError::Invalid {
            path: gpath,
            message: format!(
                "lists {} groups, appeals.npy has {groups} rows",
                members.len()
            ),
        });
    }
    let users: usize = members.iter().map(Vec::len).sum();
    if let Some(i) = members.iter().position(Vec::is_empty) {
        return Err(IoError::Invalid {
            path: gpath,
            message: format!("group {i} is empty: every group needs at least one user"),
        });
    }
    let weights = members
        .iter()
        .map(|g| g.len() as f64 / users as f64)
        .collect();
    let homo = Preferences {
        n_types: 1,
        n_items: n,
        weights: vec![1.0],
        visibility: av.data,
        quality: aq.data,
        filled_visibility: 0,
        filled_quality: 0,
        masked: 0,
    };
    let het = Preferences {
        n_types: groups,
        n_items: n,
        weights,
        visibility: hv.data,
        quality: hq.data,
        filled_visibility: 0,
        filled_quality: 0,
        masked: 0,
    };
    let note = format!(
        "Preferences: the authors' matrices from {} ({n} items, {groups} groups of {users} users).",
        dir.display()
    );
    Ok((vec![homo, het], vec![note]))
}

/// Builds (or loads from the cache) the MovieLens preferences for every M in `ms`.
fn movielens_preferences(
    cfg: &CulturalConfig,
    ms: &[usize],
    progress: &(dyn Fn(&Progress) + Sync),
) -> Result<(Vec<Preferences>, Vec<String>), IoError> {
    let cache = cfg
        .cache
        .clone()
        .unwrap_or_else(marketloop_data::default_cache_dir);
    let dir = match &cfg.data {
        Some(d) => d.clone(),
        None => marketloop_data::fetch::fetch_movielens_100k(
            &cache,
            marketloop_data::fetch::FetchSource::Auto,
        )
        .map_err(|e| data_err(&cache, e))?,
    };
    let ml = marketloop_data::movielens::load_dir(&dir).map_err(|e| data_err(&dir, e))?;
    let data = &ml.ratings;
    let mut notes =
        vec![format!(
        "Preferences: built from MovieLens-100K in {} ({} users, {} items, {} ratings, SHA-256 \
         of u.data {}{}).",
        ml.dir.display(),
        data.n_users(),
        data.n_items(),
        data.ratings().len(),
        &ml.u_data_sha256[..16],
        if ml.is_verified() { ", GroupLens's exact file" } else { ", not GroupLens's exact file" }
    )];
    let seeds = SeedSequence::new(cfg.seed).derive("preferences");
    let key_of = |m: usize| {
        serde_json::json!({
            "format": 1,
            "seed": cfg.seed,
            "u_data_sha256": ml.u_data_sha256,
            "groups": m,
            "variant": cfg.variant,
            "fill": cfg.fill,
            "svd": cfg.svd,
            "kmeans_restarts": cfg.kmeans_restarts,
            "test_fraction": cfg.test_fraction,
        })
    };
    let path_of = |key: &serde_json::Value| {
        let h = stable_hash(cfg.seed, key.to_string().as_bytes());
        cache
            .join("cultural-preferences")
            .join(format!("prefs-{h:016x}.json"))
    };
    let mut out: Vec<Option<Preferences>> = vec![None; ms.len()];
    let mut rmse = None;
    for (k, &m) in ms.iter().enumerate() {
        let key = key_of(m);
        let p = path_of(&key);
        if let Ok(bytes) = std::fs::read(&p) {
            if let Ok(c) = serde_json::from_slice::<CachedPreferences>(&bytes) {
                if c.key == key {
                    rmse = rmse.or(c.heldout_rmse);
                    notes.push(format!(
                        "M = {m}: preferences loaded from the cache {}.",
                        p.display()
                    ));
                    out[k] = Some(c.preferences);
                }
            }
        }
    }
    let missing: Vec<usize> = (0..ms.len()).filter(|&k| out[k].is_none()).collect();
    if !missing.is_empty() {
        let total = missing.len() as u64 + 1;
        progress(&Progress {
            phase: "preferences",
            done: 0,
            total,
        });
        let svd = BiasedSvd::new(cfg.svd.clone()).map_err(|e| invalid(e.to_string()))?;
        if cfg.test_fraction > 0.0 {
            let s = seeds.derive("heldout");
            let (train, test) = train_test_split(
                data,
                cfg.test_fraction,
                &mut s.stream(0, Source::Preprocessing),
            )
            .map_err(|e| data_err(&ml.dir, e))?;
            let model = svd
                .fit(&train, &mut s.stream(1, Source::Preprocessing))
                .map_err(|e| data_err(&ml.dir, e))?;
            rmse = Some(model.rmse(&test));
        }
        let model = svd
            .fit(
                data,
                &mut seeds.derive("svd").stream(0, Source::Preprocessing),
            )
            .map_err(|e| data_err(&ml.dir, e))?;
        let completed = CompletedMatrix::new(data, &model).map_err(|e| data_err(&ml.dir, e))?;
        let gamma = completed.preferences();
        progress(&Progress {
            phase: "preferences",
            done: 1,
            total,
        });
        for (done, &k) in missing.iter().enumerate() {
            let m = ms[k];
            if m > data.n_users() {
                return Err(invalid(format!(
                    "groups M = {m} must be at most the number of users {}",
                    data.n_users()
                )));
            }
            let labels = if m == 1 {
                vec![0; data.n_users()]
            } else {
                let km = KMeans::new(KMeansConfig {
                    k: m,
                    restarts: cfg.kmeans_restarts,
                    ..KMeansConfig::default()
                })
                .map_err(|e| invalid(e.to_string()))?;
                km.fit(
                    &gamma,
                    data.n_users(),
                    data.n_items(),
                    seeds.derive("kmeans"),
                )
                .map_err(|e| data_err(&ml.dir, e))?
                .labels
            };
            let prefs = group_preferences(
                &gamma,
                &completed.observed,
                data.n_users(),
                data.n_items(),
                &labels,
                m,
                PreferenceConfig {
                    fill: cfg.fill,
                    variant: cfg.variant,
                },
            )
            .map_err(|e| data_err(&ml.dir, e))?;
            let mut groups = vec![Vec::new(); m];
            for (u, &l) in labels.iter().enumerate() {
                groups[l].push(u);
            }
            let key = key_of(m);
            let p = path_of(&key);
            let cached = CachedPreferences {
                key,
                preferences: prefs.clone(),
                groups,
                heldout_rmse: rmse,
            };
            let bytes = serde_json::to_vec(&cached).map_err(|source| IoError::Json {
                path: p.clone(),
                source,
            })?;
            write_atomic(&p, &bytes)?;
            notes.push(format!(
                "M = {m}: preferences computed ({} v̂ and {} q cells filled by the rule {:?}, {} \
                 cells masked) and cached in {}.",
                prefs.filled_visibility,
                prefs.filled_quality,
                cfg.fill,
                prefs.masked,
                p.display()
            ));
            out[k] = Some(prefs);
            progress(&Progress {
                phase: "preferences",
                done: done as u64 + 2,
                total,
            });
        }
    }
    if let Some(r) = rmse {
        notes.push(format!(
            "Completion model: RMSE {r:.4} on {:.0}% held-out ratings (the reference \
             implementation reaches about 0.94 in 5-fold cross-validation).",
            cfg.test_fraction * 100.0
        ));
    }
    let prefs = out.into_iter().flatten().collect();
    Ok((prefs, notes))
}

/// Linear-interpolation quantile of sorted finite values (numpy's default).
fn quantile(sorted: &[f64], p: f64) -> f64 {
    let n = sorted.len();
    if n == 1 {
        return sorted[0];
    }
    let h = (n - 1) as f64 * p;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(n - 1);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

/// Median, 25th and 75th percentile.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Band {
    median: f64,
    q25: f64,
    q75: f64,
}

fn band(values: &mut [f64]) -> Band {
    values.sort_by(f64::total_cmp);
    Band {
        median: quantile(values, 0.5),
        q25: quantile(values, 0.25),
        q75: quantile(values, 0.75),
    }
}

/// Per-arm statistics over runs at every measurement step.
struct ArmStats {
    steps: Vec<u64>,
    efficiency: Vec<Band>,
    entropy: Vec<Band>,
}

fn arm_stats(runs: &[Trajectory]) -> ArmStats {
    let k = runs[0].measurements.len();
    let mut st = ArmStats {
        steps: runs[0].measurements.iter().map(|m| m.step).collect(),
        efficiency: Vec::with_capacity(k),
        entropy: Vec::with_capacity(k),
    };
    for t in 0..k {
        let mut e: Vec<f64> = runs.iter().map(|r| r.measurements[t].efficiency).collect();
        let mut h: Vec<f64> = runs.iter().map(|r| r.measurements[t].entropy).collect();
        st.efficiency.push(band(&mut e));
        st.entropy.push(band(&mut h));
    }
    st
}

/// The measured steps closest to `targets` (deduplicated, in order).
fn nearest_steps(steps: &[u64], targets: &[u64]) -> Vec<usize> {
    let mut out: Vec<usize> = Vec::new();
    for &t in targets {
        let k = (0..steps.len())
            .min_by_key(|&k| steps[k].abs_diff(t))
            .unwrap_or(0);
        if !out.contains(&k) {
            out.push(k);
        }
    }
    out
}

/// The published medians at step 299,000: (setting, strategy, efficiency, entropy).
pub const PUBLISHED: [(&str, &str, f64, f64); 6] = [
    ("heterogeneous", "quality", 0.884, 3.31),
    ("heterogeneous", "popularity", 0.731, 3.01),
    ("heterogeneous", "random", 0.705, 7.27),
    ("homogeneous", "quality", 0.876, 3.22),
    ("homogeneous", "popularity", 0.715, 3.04),
    ("homogeneous", "random", 0.705, 7.27),
];

fn variant_name(v: Variant) -> &'static str {
    match v {
        Variant::All => "all",
        Variant::Unseen => "unseen",
    }
}

/// Runs the reproduction described by `config` into the folder `out` and returns its summary.
///
/// With `resume`, an earlier interrupted run of the same resolved config in `out` is continued:
/// its finished replicates are reused and the tables come out byte-identical. `progress` is
/// called (from any thread) as preprocessing and replicates finish.
pub fn run(
    config: &CulturalConfig,
    out: &Path,
    resume: bool,
    progress: &(dyn Fn(&Progress) + Sync),
) -> Result<CulturalSummary, IoError> {
    let t_total = Instant::now();
    let cfg = config.resolve()?;
    let (runs, steps, every) = cfg.runs_steps_every();
    let mut timings = BTreeMap::new();

    // Preferences: homogeneous first, then each heterogeneous M.
    let t0 = Instant::now();
    let mut ms = vec![1];
    ms.extend(&cfg.groups);
    let (prefs, notes, source) = match cfg.inputs {
        InputKind::Zhu2023 => {
            let dir = cfg.inputs_dir.clone().unwrap_or_default();
            let (p, n) = zhu2023_preferences(&dir, cfg.groups[0])?;
            (p, n, dir)
        }
        InputKind::Movielens => {
            let (p, n) = movielens_preferences(&cfg, &ms, progress)?;
            (
                p,
                n,
                cfg.data
                    .clone()
                    .unwrap_or_else(|| PathBuf::from("MovieLens-100K")),
            )
        }
    };
    let settings: Vec<Setting> = prefs
        .iter()
        .zip(&ms)
        .map(|(p, &m)| {
            Ok(Setting {
                groups: m,
                market: market_from(p, &cfg, &source)?,
            })
        })
        .collect::<Result<_, IoError>>()?;
    timings.insert("preferences".to_string(), t0.elapsed().as_secs_f64());

    let bias = PositionBias::musiclab();
    let suffix = match cfg.variant {
        Variant::All => String::new(),
        Variant::Unseen => "-unseen".into(),
    };
    let mut arms = Vec::new();
    for (s, setting) in settings.iter().enumerate() {
        for spec in strategies(cfg.ties) {
            let name = spec.name();
            let sim = Simulation::new(
                setting.market.clone(),
                Visibility::Ranked {
                    ranking: spec,
                    bias: bias.clone(),
                },
                steps,
                every,
                false,
            )
            .map_err(|e| invalid(e.to_string()))?;
            arms.push(Arm {
                setting: s,
                strategy: name,
                key: format!("M{}{suffix}-{name}", setting.groups),
                sim,
            });
        }
    }

    let config_json = serde_json::to_value(&cfg).map_err(|source| IoError::Json {
        path: out.join("run.json"),
        source,
    })?;
    let mut dir = RunDir::open(out, Manifest::new(COMMAND, cfg.seed, config_json), resume)?;

    // Simulation: every (arm, replicate) pair in parallel, common random numbers across arms.
    let t1 = Instant::now();
    let seeds = SeedSequence::new(cfg.seed);
    let total = (arms.len() * runs) as u64;
    let tasks: Vec<u64> = (0..total).collect();
    let done = AtomicU64::new(0);
    let expected_len = arms[0].sim.measurement_steps().len();
    progress(&Progress {
        phase: "simulate",
        done: 0,
        total,
    });
    let results = map_replicates(
        &tasks,
        Schedule::Parallel,
        |k| -> Result<(Trajectory, bool, u64), IoError> {
            let arm = &arms[(k / runs as u64) as usize];
            let r = k % runs as u64;
            if resume {
                if let Some(t) = dir.load_replicate::<Trajectory>(&arm.key, r)? {
                    if t.replicate == r && t.measurements.len() == expected_len {
                        return Ok((t, true, 0));
                    }
                }
            }
            let start = Instant::now();
            let t = arm.sim.run_replicate(seeds, r);
            let ns = start.elapsed().as_nanos() as u64;
            dir.save_replicate(&arm.key, r, &t)?;
            Ok((t, false, ns))
        },
        |_, _| {
            let d = done.fetch_add(1, Ordering::Relaxed) + 1;
            progress(&Progress {
                phase: "simulate",
                done: d,
                total,
            });
            Ok(())
        },
    )?;
    let simulate_s = t1.elapsed().as_secs_f64();
    timings.insert("simulate".to_string(), simulate_s);
    let resumed = results.iter().filter(|r| r.1).count();
    let simulated_steps = (results.len() - resumed) as u64 * steps;

    // Group by arm.
    let mut by_arm: Vec<Vec<Trajectory>> =
        (0..arms.len()).map(|_| Vec::with_capacity(runs)).collect();
    let mut ns_arm = vec![(0u64, 0u64); arms.len()];
    for (k, (t, was_resumed, ns)) in results.into_iter().enumerate() {
        let a = k / runs;
        if !was_resumed {
            ns_arm[a].0 += ns;
            ns_arm[a].1 += steps;
        }
        by_arm[a].push(t);
    }
    let stats: Vec<ArmStats> = by_arm.iter().map(|r| arm_stats(r)).collect();

    let t2 = Instant::now();
    write_outputs(&mut dir, &cfg, &settings, &arms, &by_arm, &stats)?;
    let comparable = steps >= PUBLISHED_STEP
        && PUBLISHED_STEP.is_multiple_of(every)
        && cfg.groups.contains(&100)
        && cfg.variant == Variant::All
        && runs >= 2;
    let (findings_by_setting, comparison) =
        findings_and_comparison(&cfg, &settings, &arms, &stats, &by_arm, comparable);
    dir.write_table("published_comparison", &comparison)?;
    let report = build_report(
        &cfg,
        &settings,
        &findings_by_setting,
        &comparison,
        comparable,
        &notes,
        n_items(&settings),
    );
    timings.insert("write".to_string(), t2.elapsed().as_secs_f64());
    timings.insert("total".to_string(), t_total.elapsed().as_secs_f64());
    {
        let m = dir.manifest_mut();
        m.timings = timings.clone();
        m.resumed_replicates = resumed;
    }
    dir.write_report(&report)?;
    dir.finish()?;

    let arm_summaries = arms
        .iter()
        .zip(&stats)
        .zip(&by_arm)
        .zip(&ns_arm)
        .map(|(((arm, st), trajs), &(ns, st_steps))| {
            let last = st.steps.len() - 1;
            ArmSummary {
                setting: settings[arm.setting].name().into(),
                groups: settings[arm.setting].groups,
                strategy: arm.strategy.into(),
                step: st.steps[last],
                efficiency_median: st.efficiency[last].median,
                efficiency_q25: st.efficiency[last].q25,
                efficiency_q75: st.efficiency[last].q75,
                entropy_median: st.entropy[last].median,
                entropy_q25: st.entropy[last].q25,
                entropy_q75: st.entropy[last].q75,
                idle: trajs.iter().map(|t| t.idle).sum(),
                cpu_ns_per_step: (st_steps > 0).then(|| ns as f64 / st_steps as f64),
            }
        })
        .collect();
    let findings = findings_by_setting
        .iter()
        .flat_map(|(_, f)| f.iter())
        .map(|f| FindingSummary {
            claim: f.claim.clone(),
            holds: f.holds,
            evidence: f.evidence.clone(),
        })
        .collect();
    Ok(CulturalSummary {
        out: out.to_path_buf(),
        config: cfg,
        arms: arm_summaries,
        findings,
        comparable_to_published: comparable,
        resumed_replicates: resumed,
        simulated_steps,
        timings,
        wall_ns_per_step: (simulated_steps > 0).then(|| simulate_s * 1e9 / simulated_steps as f64),
        notes,
    })
}

fn n_items(settings: &[Setting]) -> usize {
    settings[0].market.n_items()
}

fn tag(cfg: &CulturalConfig, groups: usize) -> String {
    match cfg.variant {
        Variant::All => format!("M{groups}"),
        Variant::Unseen => format!("M{groups}_unseen"),
    }
}

/// The steps of Figure 2 (right): 1k, 100k, 200k, 300k of 300k, scaled to the run's length.
fn right_panel_steps(steps_measured: &[u64], steps: u64, every: u64) -> Vec<usize> {
    nearest_steps(steps_measured, &[every, steps / 3, 2 * steps / 3, steps])
}

fn write_outputs(
    dir: &mut RunDir,
    cfg: &CulturalConfig,
    settings: &[Setting],
    arms: &[Arm],
    by_arm: &[Vec<Trajectory>],
    stats: &[ArmStats],
) -> Result<(), IoError> {
    let (_, steps, every) = cfg.runs_steps_every();
    // trajectories and replicates
    let (mut s_set, mut s_m, mut s_str, mut s_rep, mut s_step, mut s_eff, mut s_ent) =
        (vec![], vec![], vec![], vec![], vec![], vec![], vec![]);
    let (mut r_set, mut r_m, mut r_str, mut r_rep, mut r_init, mut r_final, mut r_idle) =
        (vec![], vec![], vec![], vec![], vec![], vec![], vec![]);
    for (arm, trajs) in arms.iter().zip(by_arm) {
        let st = &settings[arm.setting];
        for t in trajs {
            for m in &t.measurements {
                s_set.push(st.name().to_string());
                s_m.push(st.groups as i64);
                s_str.push(arm.strategy.to_string());
                s_rep.push(t.replicate as i64);
                s_step.push(m.step as i64);
                s_eff.push(m.efficiency);
                s_ent.push(m.entropy);
            }
            r_set.push(st.name().to_string());
            r_m.push(st.groups as i64);
            r_str.push(arm.strategy.to_string());
            r_rep.push(t.replicate as i64);
            r_init.push(t.initial_counts.iter().sum::<u64>() as i64);
            r_final.push(t.final_counts.iter().sum::<u64>() as i64);
            r_idle.push(t.idle as i64);
        }
    }
    let traj = Table::new()
        .with("setting", Column::Str(s_set))?
        .with("groups", Column::I64(s_m))?
        .with("strategy", Column::Str(s_str))?
        .with("replicate", Column::I64(s_rep))?
        .with("step", Column::I64(s_step))?
        .with("efficiency", Column::F64(s_eff))?
        .with("entropy", Column::F64(s_ent))?;
    dir.write_table("trajectories", &traj)?;
    let reps = Table::new()
        .with("setting", Column::Str(r_set))?
        .with("groups", Column::I64(r_m))?
        .with("strategy", Column::Str(r_str))?
        .with("replicate", Column::I64(r_rep))?
        .with("initial_total", Column::I64(r_init))?
        .with("final_total", Column::I64(r_final))?
        .with("idle_users", Column::I64(r_idle))?;
    dir.write_table("replicates", &reps)?;

    // summary and right-panel points
    let summary_table = |pick: &dyn Fn(&ArmStats) -> Vec<usize>| -> Result<Table, IoError> {
        let mut cols: (Vec<String>, Vec<i64>, Vec<String>, Vec<i64>) = Default::default();
        let mut nums: [Vec<f64>; 6] = Default::default();
        for (arm, st) in arms.iter().zip(stats) {
            let set = &settings[arm.setting];
            for k in pick(st) {
                cols.0.push(set.name().into());
                cols.1.push(set.groups as i64);
                cols.2.push(arm.strategy.into());
                cols.3.push(st.steps[k] as i64);
                let (e, h) = (st.efficiency[k], st.entropy[k]);
                for (v, x) in nums
                    .iter_mut()
                    .zip([e.median, e.q25, e.q75, h.median, h.q25, h.q75])
                {
                    v.push(x);
                }
            }
        }
        let [a, b, c, d, e, f] = nums;
        Table::new()
            .with("setting", Column::Str(cols.0))?
            .with("groups", Column::I64(cols.1))?
            .with("strategy", Column::Str(cols.2))?
            .with("step", Column::I64(cols.3))?
            .with("efficiency_median", Column::F64(a))?
            .with("efficiency_q25", Column::F64(b))?
            .with("efficiency_q75", Column::F64(c))?
            .with("entropy_median", Column::F64(d))?
            .with("entropy_q25", Column::F64(e))?
            .with("entropy_q75", Column::F64(f))
    };
    dir.write_table(
        "summary",
        &summary_table(&|st| (0..st.steps.len()).collect())?,
    )?;
    dir.write_table(
        "efficiency_vs_entropy",
        &summary_table(&|st| right_panel_steps(&st.steps, steps, every))?,
    )?;

    // figures: one pair per heterogeneous setting, each with the homogeneous arms
    for (s, set) in settings.iter().enumerate().skip(1) {
        let t = tag(cfg, set.groups);
        let v = variant_name(cfg.variant);
        let mut left = Figure::new(
            format!(
                "Efficiency over time (median, 25-75% band), M = {}, {v} items",
                set.groups
            ),
            "step (users arrived)",
            "efficiency (purchases / arrivals)",
        );
        let mut right = Figure::new(
            format!(
                "Efficiency vs entropy (25-75% bars), M = {}, {v} items",
                set.groups
            ),
            "entropy of market shares (nats)",
            "efficiency",
        );
        for (arm, st) in arms.iter().zip(stats) {
            if arm.setting != 0 && arm.setting != s {
                continue;
            }
            let label = format!("{}, {}", settings[arm.setting].name(), arm.strategy);
            let x: Vec<f64> = st.steps.iter().map(|&k| k as f64).collect();
            let m = |f: fn(&Band) -> f64| st.efficiency.iter().map(f).collect::<Vec<f64>>();
            left = left.with(
                Series::line(label.clone(), x, m(|b| b.median))
                    .with_band(m(|b| b.q25), m(|b| b.q75)),
            );
            let ks = right_panel_steps(&st.steps, steps, every);
            let pe = |f: fn(&Band) -> f64| {
                ks.iter()
                    .map(|&k| f(&st.efficiency[k]))
                    .collect::<Vec<f64>>()
            };
            let ph =
                |f: fn(&Band) -> f64| ks.iter().map(|&k| f(&st.entropy[k])).collect::<Vec<f64>>();
            right = right.with(
                Series::line(label, ph(|b| b.median), pe(|b| b.median))
                    .styled(SeriesStyle::LinePoints)
                    .with_x_err(ph(|b| b.q25), ph(|b| b.q75))
                    .with_y_err(pe(|b| b.q25), pe(|b| b.q75)),
            );
        }
        dir.write_figure(&format!("efficiency_over_time_{t}"), &left)?;
        dir.write_figure(&format!("efficiency_vs_entropy_{t}"), &right)?;
    }
    Ok(())
}

type SettingFindings = Vec<(usize, Vec<Finding>)>;

fn findings_and_comparison(
    cfg: &CulturalConfig,
    settings: &[Setting],
    arms: &[Arm],
    stats: &[ArmStats],
    by_arm: &[Vec<Trajectory>],
    comparable: bool,
) -> (SettingFindings, Table) {
    let find = |s: usize, strat: &str| {
        arms.iter()
            .position(|a| a.setting == s && a.strategy == strat)
            .unwrap_or(0)
    };
    let last = |a: usize| stats[a].steps.len() - 1;
    let eff = |a: usize| stats[a].efficiency[last(a)];
    let ent = |a: usize| stats[a].entropy[last(a)];
    let ln_n = (n_items(settings) as f64).ln();
    let mut all = Vec::new();
    for (s, setting) in settings.iter().enumerate().skip(1) {
        let m = setting.groups;
        let step = stats[0].steps[last(0)];
        let mut f = Vec::new();
        for (setting, name) in [
            (s, format!("heterogeneous M = {m}")),
            (0, "homogeneous".into()),
        ] {
            let (q, p, r) = (
                find(setting, "quality"),
                find(setting, "popularity"),
                find(setting, "random"),
            );
            f.push(Finding {
                claim: format!(
                    "Quality ranking is the most efficient, then popularity, then random ({name})."
                ),
                holds: eff(q).median > eff(p).median && eff(p).median > eff(r).median,
                evidence: format!(
                    "median efficiency at step {step}: quality {:.3}, popularity {:.3}, random {:.3}",
                    eff(q).median,
                    eff(p).median,
                    eff(r).median
                ),
            });
        }
        let (q, p, r) = (find(s, "quality"), find(s, "popularity"), find(s, "random"));
        let iqr = |a: usize| eff(a).q75 - eff(a).q25;
        let range = |a: usize| {
            let v: Vec<f64> = by_arm[a]
                .iter()
                .map(|t| t.measurements[last(a)].efficiency)
                .collect();
            (
                v.iter().copied().fold(f64::INFINITY, f64::min),
                v.iter().copied().fold(f64::NEG_INFINITY, f64::max),
            )
        };
        let (plo, phi) = range(p);
        f.push(Finding {
            claim: "Popularity ranking has by far the widest spread of efficiency across runs."
                .into(),
            holds: iqr(p) > iqr(q) && iqr(p) > iqr(r),
            evidence: format!(
                "interquartile range of final efficiency (M = {m}): popularity {:.4} (runs span \
                 {plo:.3}-{phi:.3}; paper 0.69-0.79), quality {:.4}, random {:.4}",
                iqr(p),
                iqr(q),
                iqr(r)
            ),
        });
        let rh = ent(r).median;
        let rh0 = ent(find(0, "random")).median;
        f.push(Finding {
            claim: "Random ranking stays near the maximal entropy ln n.".into(),
            holds: rh >= 0.95 * ln_n && rh0 >= 0.95 * ln_n,
            evidence: format!(
                "median final entropy under random ranking {rh:.3} (M = {m}) and {rh0:.3} \
                 (homogeneous); ln n = {ln_n:.3} (criterion: at least 95% of ln n)"
            ),
        });
        let mut ok = true;
        let mut ev = Vec::new();
        for a in [q, p] {
            let st = &stats[a];
            let (e0, e1) = (st.efficiency[0].median, st.efficiency[last(a)].median);
            let (h0, h1) = (st.entropy[0].median, st.entropy[last(a)].median);
            ok &= e1 > e0 && h1 < h0;
            ev.push(format!(
                "{}: efficiency {e0:.3} -> {e1:.3}, entropy {h0:.3} -> {h1:.3} (steps {} -> {})",
                arms[a].strategy,
                st.steps[0],
                st.steps[last(a)]
            ));
        }
        f.push(Finding {
            claim: "Under popularity and quality ranking entropy falls over time while efficiency \
                    rises."
                .into(),
            holds: ok,
            evidence: format!("M = {m}, medians: {}", ev.join("; ")),
        });
        let (hq, hp) = (find(0, "quality"), find(0, "popularity"));
        f.push(Finding {
            claim: "Personalisation helps: heterogeneous >= homogeneous in efficiency for quality \
                    and popularity ranking."
                .into(),
            holds: eff(q).median >= eff(hq).median && eff(p).median >= eff(hp).median,
            evidence: format!(
                "median final efficiency, M = {m} vs homogeneous: quality {:.3} vs {:.3}, \
                 popularity {:.3} vs {:.3}",
                eff(q).median,
                eff(hq).median,
                eff(p).median,
                eff(hp).median
            ),
        });
        all.push((s, f));
    }

    // Comparison with the published values: at step 299,000 when measured, else the last step.
    let het = settings
        .iter()
        .position(|s| s.groups == 100)
        .unwrap_or(1.min(settings.len() - 1));
    let mut c: (Vec<String>, Vec<i64>, Vec<String>, Vec<i64>) = Default::default();
    let mut nums: [Vec<f64>; 6] = Default::default();
    for (setting, strat, pe, ph) in PUBLISHED {
        let s = if setting == "homogeneous" { 0 } else { het };
        let a = find(s, strat);
        let st = &stats[a];
        let k = st
            .steps
            .iter()
            .position(|&x| x == PUBLISHED_STEP)
            .unwrap_or(st.steps.len() - 1);
        c.0.push(setting.into());
        c.1.push(settings[s].groups as i64);
        c.2.push(strat.into());
        c.3.push(st.steps[k] as i64);
        for (v, x) in nums.iter_mut().zip([
            pe,
            st.efficiency[k].median,
            st.efficiency[k].q25,
            st.efficiency[k].q75,
            ph,
            st.entropy[k].median,
        ]) {
            v.push(x);
        }
    }
    let _ = (cfg, comparable);
    let [a, b, cc, d, e, f] = nums;
    let table = Table::new()
        .with("setting", Column::Str(c.0))
        .and_then(|t| t.with("groups", Column::I64(c.1)))
        .and_then(|t| t.with("strategy", Column::Str(c.2)))
        .and_then(|t| t.with("step", Column::I64(c.3)))
        .and_then(|t| t.with("published_efficiency", Column::F64(a)))
        .and_then(|t| t.with("efficiency_median", Column::F64(b)))
        .and_then(|t| t.with("efficiency_q25", Column::F64(cc)))
        .and_then(|t| t.with("efficiency_q75", Column::F64(d)))
        .and_then(|t| t.with("published_entropy", Column::F64(e)))
        .and_then(|t| t.with("entropy_median", Column::F64(f)))
        .unwrap_or_default();
    (all, table)
}

fn build_report(
    cfg: &CulturalConfig,
    settings: &[Setting],
    findings: &SettingFindings,
    comparison: &Table,
    comparable: bool,
    notes: &[String],
    n: usize,
) -> Report {
    let (runs, steps, every) = cfg.runs_steps_every();
    let mut setup = Section {
        heading: "Setup".into(),
        ..Section::default()
    };
    setup.paragraphs.push(format!(
        "Zhu, Cheung & Xie, Section 5 and Appendix E. {n} items; settings: homogeneous (M = 1) \
         and heterogeneous M in {:?}; {} items; ranking strategies random, popularity (ties: \
         {:?}) and quality; the 50 MusicLab position weights; feedback exponent r = {}; initial \
         counts uniform in {{{}..{}}} per item and run; {runs} runs x {steps} steps, a \
         measurement every {every} steps; scale {:?}; master seed {}. Every arm runs replicate \
         r from the same seed (common random numbers: same initial counts and user, choice and \
         purchase streams).",
        cfg.groups,
        variant_name(cfg.variant),
        cfg.ties,
        cfg.feedback,
        cfg.initial_low,
        cfg.initial_high,
        cfg.scale,
        cfg.seed
    ));
    setup.paragraphs.extend(notes.iter().cloned());
    let mut sections = vec![setup];
    for (s, f) in findings {
        let set = &settings[*s];
        let t = tag(cfg, set.groups);
        let fig = if set.groups == 100 && cfg.variant == Variant::All {
            "Figure 2".to_string()
        } else if cfg.variant == Variant::Unseen {
            "Figure 5 (unseen items only)".to_string()
        } else {
            format!("Appendix E, M = {}", set.groups)
        };
        sections.push(Section {
            heading: format!("{fig}: heterogeneous M = {} vs homogeneous", set.groups),
            paragraphs: vec![format!(
                "Left: median efficiency over time with the 25-75% band over {runs} runs. Right: \
                 efficiency against entropy at the steps nearest {every}, {}, {} and {steps}, \
                 with 25-75% bars in both directions. Tables: summary.csv, \
                 efficiency_vs_entropy.csv, trajectories.csv.",
                steps / 3,
                2 * steps / 3
            )],
            figures: vec![
                (
                    "Efficiency over time (median, 25-75% band)".into(),
                    format!("efficiency_over_time_{t}"),
                ),
                (
                    "Efficiency vs entropy (medians, 25-75% bars)".into(),
                    format!("efficiency_vs_entropy_{t}"),
                ),
            ],
            findings: f.clone(),
            ..Section::default()
        });
    }
    let mut comp = Section {
        heading: "Comparison with the published values".into(),
        ..Section::default()
    };
    comp.paragraphs.push(if comparable {
        format!(
            "This run is at the paper's scale: medians over {runs} runs at step {PUBLISHED_STEP} \
             next to the published ones (heterogeneous = M = 100). Inputs: {}.",
            match cfg.inputs {
                InputKind::Zhu2023 =>
                    "the authors' own matrices, so differences are the engine's \
                                       and the random streams'",
                InputKind::Movielens =>
                    "our own SVD completion and k-means clustering, whose \
                                         random draws differ from the authors'",
            }
        )
    } else {
        format!(
            "Not comparable: this run is not at the paper's scale (it needs step \
             {PUBLISHED_STEP} measured, M = 100 and all items). The table shows this run's last \
             measurement (step {}) next to the published step-{PUBLISHED_STEP} values only for \
             orientation.",
            steps - steps % every
        )
    });
    comp.paragraphs.push(format!(
        "Popularity ranking orders tied market shares by the rule {:?}. The paper does not say \
         how ties are ordered, and the popularity medians depend on it (with many items tied at \
         their initial counts, the tie rule decides which items reach the top 50 positions \
         first): a fixed index order is the least efficient, first-to-reach the most. Reading \
         the paper's \"arg sort_desc\" as NumPy's `argsort(shares)[::-1]`, whose tie order \
         `--ties numpy-argsort-reversed` reproduces exactly (at about 30 times the cost of a \
         popularity step), gives the published popularity values. See the README for the \
         measured sensitivity.",
        cfg.ties
    ));
    comp.tables.push((
        "Median efficiency and entropy vs the paper".into(),
        comparison.clone(),
    ));
    sections.push(comp);
    Report {
        title: "Personalised cultural markets: ranking strategies on MovieLens-100K user types"
            .into(),
        sections,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matrix::{npy_bytes, write_json_groups};

    #[test]
    fn quantiles_interpolate_like_numpy() {
        let v = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(quantile(&v, 0.5), 2.5);
        assert_eq!(quantile(&v, 0.25), 1.75);
        assert_eq!(quantile(&v, 0.75), 3.25);
        assert_eq!(quantile(&[7.0], 0.25), 7.0);
    }

    #[test]
    fn bad_configs_name_the_setting() {
        let bad = |c: CulturalConfig| c.resolve().unwrap_err().to_string();
        let e = bad(CulturalConfig {
            groups: vec![0],
            ..Default::default()
        });
        assert!(e.contains("groups M = 0"), "{e}");
        let e = bad(CulturalConfig {
            runs: Some(0),
            ..Default::default()
        });
        assert!(e.contains("runs = 0"), "{e}");
        let e = bad(CulturalConfig {
            every: Some(0),
            ..Default::default()
        });
        assert!(e.contains("every = 0"), "{e}");
        let e = bad(CulturalConfig {
            inputs: InputKind::Zhu2023,
            inputs_dir: Some("x".into()),
            variant: Variant::Unseen,
            ..Default::default()
        });
        assert!(e.contains("unseen"), "{e}");
    }

    /// The unseen-only variant where one group has seen every item: its trial weights are all
    /// zero, so its users try nothing. The run must finish with finite numbers everywhere.
    #[test]
    fn unseen_variant_zero_denominator_runs_without_nan() {
        let (users, items) = (6, 12);
        // users 0-2 rated everything; users 3-5 rated every other item.
        let mut gamma = vec![0.0; users * items];
        let mut observed = vec![false; users * items];
        for u in 0..users {
            for j in 0..items {
                gamma[u * items + j] = 0.2 + 0.8 * (((u * 7 + j * 3) % 10) as f64 / 10.0);
                observed[u * items + j] = u < 3 || j % 2 == 0;
            }
        }
        let labels = [0, 0, 0, 1, 1, 1];
        let cfg = PreferenceConfig {
            fill: FillRule::AllUsers,
            variant: Variant::Unseen,
        };
        let het = group_preferences(&gamma, &observed, users, items, &labels, 2, cfg).unwrap();
        assert!(
            het.visibility[..items].iter().all(|&v| v == 0.0),
            "group 0 saw everything"
        );
        let homo = group_preferences(&gamma, &observed, users, items, &[0; 6], 1, cfg).unwrap();
        let dir = std::env::temp_dir().join(format!("ml-cultural-unseen-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let put = |name: &str, rows: usize, data: &[f64]| {
            let m = Matrix::new(rows, items, data.to_vec()).unwrap();
            std::fs::write(dir.join(name), npy_bytes(&m)).unwrap();
        };
        put("appeals.npy", 2, &het.visibility);
        put("qualities.npy", 2, &het.quality);
        put("appeals_homo.npy", 1, &homo.visibility);
        put("qualities_homo.npy", 1, &homo.quality);
        write_json_groups(&dir.join("groups_2.json"), &[vec![0, 1, 2], vec![3, 4, 5]]).unwrap();
        let out = dir.join("run");
        let config = CulturalConfig {
            inputs: InputKind::Zhu2023,
            inputs_dir: Some(dir.clone()),
            groups: vec![2],
            runs: Some(3),
            steps: Some(3000),
            every: Some(500),
            cache: Some(dir.join("cache")),
            ..Default::default()
        };
        let s = run(&config, &out, false, &|_| {}).unwrap();
        let het_pop = s
            .arms
            .iter()
            .find(|a| a.groups == 2 && a.strategy == "popularity")
            .unwrap();
        // About half the users (group 0) try nothing.
        assert!(het_pop.idle > 3 * 3000 / 3, "idle {}", het_pop.idle);
        for a in &s.arms {
            for x in [
                a.efficiency_median,
                a.entropy_median,
                a.efficiency_q25,
                a.entropy_q75,
            ] {
                assert!(x.is_finite(), "{a:?}");
            }
        }
        let csv = std::fs::read_to_string(out.join("trajectories.csv")).unwrap();
        assert!(!csv.contains("NaN") && !csv.contains("inf"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
