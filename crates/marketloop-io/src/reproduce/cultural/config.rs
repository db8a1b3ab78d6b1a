//! The reproduction's settings: [`CulturalConfig`] (serde, the same fields for the CLI and
//! Python), its scale and input kinds, and [`CulturalConfig::resolve`], the one place its
//! defaults are filled in and every setting is checked.

use crate::reproduce::Protocol;
use crate::IoError;
use marketloop_core::market::TieRule;
use marketloop_data::{BiasedSvd, FillRule, KMeansConfig, SvdConfig, Variant};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

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
    /// The flag spelling: `quick` or `full`.
    pub fn name(self) -> &'static str {
        match self {
            Scale::Quick => "quick",
            Scale::Full => "full",
        }
    }

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
    /// Tie rule of the popularity ranking. Default: the protocol's (`first-to-reach` for the
    /// paper, `numpy-argsort-reversed` for the authors' code).
    pub ties: Option<TieRule>,
    /// Tie rule of the quality ranking for equal qualities (a fixed order, so not `random`).
    /// Default: the protocol's (`lowest-index` for the paper, `numpy-argsort-reversed` for the
    /// authors' code, which sorts with `np.argsort(q)[::-1]`).
    pub quality_ties: Option<TieRule>,
    /// The paper's text (`paper`, default) or the authors' code (`authors-code`): sets the
    /// defaults of `ties` and `quality_ties`.
    pub protocol: Protocol,
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
            ties: None,
            quality_ties: None,
            protocol: Protocol::Paper,
            fill: FillRule::AllUsers,
            svd: SvdConfig::default(),
            kmeans_restarts: KMeansConfig::default().restarts,
            test_fraction: 0.2,
        }
    }
}

impl CulturalConfig {
    /// Fills in the scale's defaults and the cache folder, and validates every setting. The
    /// result is what the manifest records and what `resume` compares.
    pub fn resolve(&self) -> Result<CulturalConfig, IoError> {
        let mut c = self.clone();
        let (runs, steps, every) = c.scale.defaults();
        c.runs.get_or_insert(runs);
        c.steps.get_or_insert(steps);
        c.every.get_or_insert(every);
        if c.cache.is_none() {
            c.cache = Some(marketloop_data::default_cache_dir());
        }
        c.ties = Some(c.popularity_ties());
        c.quality_ties = Some(c.quality_order_ties());
        if c.quality_order_ties() == TieRule::Random {
            return Err(IoError::spec(
                "quality_ties",
                "random: the quality ranking is a fixed order; allowed: first-to-reach, \
                 lowest-index, highest-index, numpy-argsort-negated, numpy-argsort-reversed",
            ));
        }
        c.check_schedule()?;
        c.check_groups()?;
        c.check_market()?;
        c.check_preprocessing()?;
        c.check_inputs()?;
        Ok(c)
    }

    /// The popularity ranking's tie rule: `ties`, else the protocol's.
    pub fn popularity_ties(&self) -> TieRule {
        self.ties.unwrap_or(match self.protocol {
            Protocol::Paper => TieRule::FirstToReach,
            Protocol::AuthorsCode => TieRule::NumpyArgsortReversed,
        })
    }

    /// The quality ranking's tie rule: `quality_ties`, else the protocol's.
    pub fn quality_order_ties(&self) -> TieRule {
        self.quality_ties.unwrap_or(match self.protocol {
            Protocol::Paper => TieRule::LowestIndex,
            Protocol::AuthorsCode => TieRule::NumpyArgsortReversed,
        })
    }

    /// (runs, steps, every), the scale's defaults where unset.
    pub(super) fn runs_steps_every(&self) -> (usize, u64, u64) {
        let (r, s, e) = self.scale.defaults();
        (
            self.runs.unwrap_or(r),
            self.steps.unwrap_or(s),
            self.every.unwrap_or(e),
        )
    }

    fn check_schedule(&self) -> Result<(), IoError> {
        let (runs, steps, every) = self.runs_steps_every();
        if runs == 0 {
            return Err(IoError::spec(
                "runs",
                "runs = 0: at least 1 run per arm is needed",
            ));
        }
        if steps == 0 {
            return Err(IoError::spec(
                "steps",
                "steps = 0: at least 1 step per run is needed",
            ));
        }
        if every == 0 || every > steps {
            return Err(IoError::spec(
                "every",
                format!(
                    "every = {every}: the measurement interval must lie in [1, steps = {steps}]"
                ),
            ));
        }
        Ok(())
    }

    fn check_groups(&self) -> Result<(), IoError> {
        if self.groups.is_empty() {
            return Err(IoError::spec(
                "groups",
                "groups is empty: give at least one number of user types M >= 2",
            ));
        }
        let mut seen = Vec::new();
        for &m in &self.groups {
            if m < 2 {
                return Err(IoError::spec(
                    "groups",
                    format!(
                        "groups M = {m} must be at least 2 (the homogeneous market M = 1 is \
                         always run)"
                    ),
                ));
            }
            if seen.contains(&m) {
                return Err(IoError::spec(
                    "groups",
                    format!("groups M = {m} is listed twice"),
                ));
            }
            seen.push(m);
        }
        Ok(())
    }

    fn check_market(&self) -> Result<(), IoError> {
        if !(self.feedback.is_finite() && self.feedback >= 0.0) {
            return Err(IoError::spec(
                "feedback",
                format!(
                    "feedback exponent r = {} must be a finite number >= 0",
                    self.feedback
                ),
            ));
        }
        if self.initial_low == 0 || self.initial_low > self.initial_high {
            return Err(IoError::spec(
                "initial_low",
                format!(
                    "initial counts {}..={}: need 1 <= low <= high",
                    self.initial_low, self.initial_high
                ),
            ));
        }
        Ok(())
    }

    fn check_preprocessing(&self) -> Result<(), IoError> {
        if !(self.test_fraction >= 0.0 && self.test_fraction < 1.0) {
            return Err(IoError::spec(
                "test_fraction",
                format!("test fraction = {} must lie in [0, 1)", self.test_fraction),
            ));
        }
        if self.kmeans_restarts == 0 {
            return Err(IoError::spec(
                "kmeans_restarts",
                "k-means restarts = 0 must be at least 1",
            ));
        }
        BiasedSvd::new(self.svd.clone()).map_err(|e| IoError::spec("svd", e.to_string()))?;
        Ok(())
    }

    fn check_inputs(&self) -> Result<(), IoError> {
        if self.inputs != InputKind::Zhu2023 {
            return Ok(());
        }
        if self.inputs_dir.is_none() {
            return Err(IoError::spec(
                "inputs_dir",
                "inputs = zhu2023 needs inputs_dir (--inputs-dir), the folder holding \
                 appeals.npy, qualities.npy, groups_M.json, appeals_homo.npy and \
                 qualities_homo.npy",
            ));
        }
        if self.variant == Variant::Unseen {
            return Err(IoError::spec(
                "variant",
                "variant = unseen is not available with inputs = zhu2023 (the authors' \
                 matrices are for all items); use inputs = movielens",
            ));
        }
        if self.groups.len() != 1 {
            return Err(IoError::spec(
                "groups",
                format!(
                    "groups {:?}: the authors' inputs hold one heterogeneous setting; give one M",
                    self.groups
                ),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolve_fills_the_scale_defaults() {
        let c = CulturalConfig {
            scale: Scale::Full,
            steps: Some(6000),
            ..Default::default()
        }
        .resolve()
        .unwrap();
        assert_eq!(
            (c.runs, c.steps, c.every),
            (Some(50), Some(6000), Some(1000))
        );
        assert!(c.cache.is_some());
    }

    #[test]
    fn bad_configs_name_the_setting() {
        let bad = |c: CulturalConfig| c.resolve().unwrap_err();
        let cases = [
            (
                CulturalConfig {
                    groups: vec![0],
                    ..Default::default()
                },
                "groups",
                "groups M = 0",
            ),
            (
                CulturalConfig {
                    groups: vec![50, 50],
                    ..Default::default()
                },
                "groups",
                "listed twice",
            ),
            (
                CulturalConfig {
                    runs: Some(0),
                    ..Default::default()
                },
                "runs",
                "runs = 0",
            ),
            (
                CulturalConfig {
                    every: Some(0),
                    ..Default::default()
                },
                "every",
                "every = 0",
            ),
            (
                CulturalConfig {
                    feedback: f64::NAN,
                    ..Default::default()
                },
                "feedback",
                "r = NaN",
            ),
            (
                CulturalConfig {
                    test_fraction: 1.0,
                    ..Default::default()
                },
                "test_fraction",
                "fraction = 1",
            ),
            (
                CulturalConfig {
                    inputs: InputKind::Zhu2023,
                    inputs_dir: Some("x".into()),
                    variant: Variant::Unseen,
                    ..Default::default()
                },
                "variant",
                "unseen",
            ),
            (
                CulturalConfig {
                    inputs: InputKind::Zhu2023,
                    ..Default::default()
                },
                "inputs_dir",
                "--inputs-dir",
            ),
        ];
        for (config, field, text) in cases {
            let e = bad(config);
            assert_eq!(e.field().as_deref(), Some(field), "{e}");
            assert!(e.to_string().contains(text), "{e}");
        }
    }
}
