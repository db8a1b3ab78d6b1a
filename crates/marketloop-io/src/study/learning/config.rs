//! The study's settings ([`LearningConfig`], as the CLI and Python fill it) and their
//! resolution into [`ResolvedLearning`] (every size filled in from the scale, checked once;
//! written to `run.json`, so `--resume` continues only the same study).

use crate::spec::limits::{at_most, MAX_RUNS, MAX_TYPES};
use crate::IoError;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// How big the study is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum StudyScale {
    /// A few runs of a few thousand users on the built-in synthetic market: seconds, for tests
    /// and CI.
    #[default]
    Ci,
    /// The scale: experiment 1 with 50 runs x 300,000 users per arm; experiments 2
    /// and 3 with 50 runs x 50,000 users per cell.
    Full,
}

impl StudyScale {
    /// The name used in flags and reports (`ci`, `full`).
    pub fn name(self) -> &'static str {
        match self {
            StudyScale::Ci => "ci",
            StudyScale::Full => "full",
        }
    }
}

impl std::str::FromStr for StudyScale {
    type Err = IoError;
    fn from_str(s: &str) -> Result<Self, IoError> {
        match s {
            "ci" => Ok(StudyScale::Ci),
            "full" => Ok(StudyScale::Full),
            other => Err(IoError::spec(
                "scale",
                format!("scale = {other:?}; allowed: \"ci\", \"full\""),
            )),
        }
    }
}

/// Where a market's preferences come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum StudyInputs {
    /// The built-in synthetic market ([`super::cells::SYNTHETIC_TYPES`] types, each with a
    /// favourite genre of items; no files needed).
    Synthetic,
    /// The authors' Figure-2 inputs of the cultural-markets paper (100 MovieLens types, 1682
    /// items), read from [`LearningConfig::inputs_dir`] as `reproduce cultural-market` reads
    /// them.
    Zhu2023,
    /// Our own MovieLens types: MovieLens-100K ([`LearningConfig::data`], else fetched into
    /// [`LearningConfig::cache`]) through the preprocessing of `reproduce cultural-market`
    /// (matrix completion, k-means into [`LearningConfig::groups`] types, v̂ and q), cached.
    Movielens,
}

impl StudyInputs {
    /// The name used in tables, file names and flags.
    pub fn name(self) -> &'static str {
        match self {
            StudyInputs::Synthetic => "synthetic",
            StudyInputs::Zhu2023 => "zhu2023",
            StudyInputs::Movielens => "movielens",
        }
    }
}

impl std::str::FromStr for StudyInputs {
    type Err = IoError;
    fn from_str(s: &str) -> Result<Self, IoError> {
        match s {
            "synthetic" => Ok(StudyInputs::Synthetic),
            "zhu2023" => Ok(StudyInputs::Zhu2023),
            "movielens" => Ok(StudyInputs::Movielens),
            other => Err(IoError::spec(
                "inputs",
                format!("inputs = {other:?}; allowed: \"synthetic\", \"zhu2023\", \"movielens\""),
            )),
        }
    }
}

/// The study as asked for: unset sizes take the scale's values (missing JSON fields take the
/// defaults).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LearningConfig {
    /// `ci` (default) or `full`.
    pub scale: StudyScale,
    /// The markets of experiment 1 (experiments 2 and 3 use the first). Empty: the scale's
    /// default (ci: synthetic; full: zhu2023 and synthetic when the authors' inputs are in
    /// `inputs_dir`, else synthetic).
    pub inputs: Vec<StudyInputs>,
    /// The folder of the authors' matrices (`appeals.npy`, `qualities.npy`, `groups_100.json`).
    pub inputs_dir: Option<PathBuf>,
    /// A local MovieLens-100K folder (`ml-100k/` or its parent) for the movielens input; else
    /// it is fetched into `cache`.
    pub data: Option<PathBuf>,
    /// Cache folder (MovieLens download, completed and clustered preferences); default:
    /// `$MARKETLOOP_CACHE`, else `~/.cache/marketloop`.
    pub cache: Option<PathBuf>,
    /// User types of the movielens input (default 100, as the paper's Figure 2).
    pub groups: Option<usize>,
    /// Which experiments to run (1, 2, 3; default all).
    pub experiments: Vec<u32>,
    /// Runs per cell (default: ci 4, full 50).
    pub runs: Option<u64>,
    /// Users per run of experiment 1 (default: ci 4000, full 300,000).
    pub steps: Option<u64>,
    /// Users per run of experiments 2 and 3 (default: ci 3000, full 50,000).
    pub compete_steps: Option<u64>,
    /// A measurement every this many users (default: ci 250, full 1000).
    pub every: Option<u64>,
    /// Master seed.
    pub seed: u64,
}

impl Default for LearningConfig {
    fn default() -> Self {
        LearningConfig {
            scale: StudyScale::Ci,
            inputs: Vec::new(),
            inputs_dir: None,
            data: None,
            cache: None,
            groups: None,
            experiments: Vec::new(),
            runs: None,
            steps: None,
            compete_steps: None,
            every: None,
            seed: 2026,
        }
    }
}

/// The study with every size filled in and checked (what `run.json` records).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ResolvedLearning {
    /// The scale asked for.
    pub scale: StudyScale,
    /// The markets of experiment 1, in order (experiments 2 and 3 use the first).
    pub inputs: Vec<StudyInputs>,
    /// The authors' inputs folder (when zhu2023 is among the inputs).
    pub inputs_dir: Option<PathBuf>,
    /// The MovieLens folder given (when movielens is among the inputs; else fetched).
    pub data: Option<PathBuf>,
    /// The cache folder.
    pub cache: PathBuf,
    /// User types of the movielens input.
    pub groups: usize,
    /// The experiments run, ascending.
    pub experiments: Vec<u32>,
    /// Runs per cell.
    pub runs: u64,
    /// Users per run of experiment 1.
    pub steps: u64,
    /// Users per run of experiments 2 and 3.
    pub compete_steps: u64,
    /// A measurement every this many users.
    pub every: u64,
    /// Master seed.
    pub seed: u64,
    /// Notes for the report (defaults taken, inputs missing).
    pub notes: Vec<String>,
}

/// Whether `dir` holds the authors' Figure-2 inputs.
pub fn zhu2023_present(dir: &std::path::Path) -> bool {
    ["appeals.npy", "qualities.npy", "groups_100.json"]
        .iter()
        .all(|f| dir.join(f).is_file())
}

impl LearningConfig {
    /// Fills in the scale's sizes and checks everything (errors name the field).
    pub fn resolve(&self) -> Result<ResolvedLearning, IoError> {
        let (runs, steps, compete_steps, every) = match self.scale {
            StudyScale::Ci => (4, 4000, 3000, 250),
            StudyScale::Full => (50, 300_000, 50_000, 1000),
        };
        let runs = self.runs.unwrap_or(runs);
        let steps = self.steps.unwrap_or(steps);
        let compete_steps = self.compete_steps.unwrap_or(compete_steps);
        let every = self.every.unwrap_or(every);
        if runs == 0 {
            return Err(IoError::spec("runs", "runs = 0: at least 1 run is needed"));
        }
        at_most("runs", runs, MAX_RUNS)?;
        for (f, v) in [("steps", steps), ("compete_steps", compete_steps)] {
            if v < 10 {
                return Err(IoError::spec(
                    f,
                    format!("{f} = {v} must lie in [10, infinity)"),
                ));
            }
        }
        if every == 0 || every > steps.min(compete_steps) {
            return Err(IoError::spec(
                "every",
                format!(
                    "every = {every} must lie in [1, {}] (the shorter run)",
                    steps.min(compete_steps)
                ),
            ));
        }
        let mut experiments = if self.experiments.is_empty() {
            vec![1, 2, 3]
        } else {
            self.experiments.clone()
        };
        experiments.sort_unstable();
        experiments.dedup();
        if let Some(bad) = experiments.iter().find(|e| !(1..=3).contains(*e)) {
            return Err(IoError::spec(
                "experiments",
                format!("experiment {bad} does not exist; allowed: 1, 2, 3"),
            ));
        }
        let mut notes = Vec::new();
        let present = self.inputs_dir.as_deref().is_some_and(zhu2023_present);
        let mut inputs = if self.inputs.is_empty() {
            match self.scale {
                StudyScale::Ci => vec![StudyInputs::Synthetic],
                StudyScale::Full if present => vec![StudyInputs::Zhu2023, StudyInputs::Synthetic],
                StudyScale::Full => {
                    notes.push(format!(
                        "The authors' Figure-2 inputs were not found ({}); the study ran on the \
                         built-in synthetic market only.",
                        self.inputs_dir.as_deref().map_or_else(
                            || "no inputs folder given".to_string(),
                            |d| format!("looked in {}", d.display())
                        )
                    ));
                    vec![StudyInputs::Synthetic]
                }
            }
        } else {
            self.inputs.clone()
        };
        let mut seen = Vec::new();
        inputs.retain(|i| {
            let new = !seen.contains(i);
            seen.push(*i);
            new
        });
        if inputs.contains(&StudyInputs::Zhu2023) && !present {
            return Err(IoError::spec(
                "inputs_dir",
                format!(
                    "inputs zhu2023: the authors' matrices (appeals.npy, qualities.npy, \
                     groups_100.json) are not in {}; give --inputs-dir or use --inputs synthetic",
                    self.inputs_dir.as_deref().map_or_else(
                        || "<no inputs folder>".to_string(),
                        |d| d.display().to_string()
                    )
                ),
            ));
        }
        let groups = self.groups.unwrap_or(100);
        if groups < 2 {
            return Err(IoError::spec(
                "groups",
                format!("groups = {groups}: the movielens input needs at least 2 user types"),
            ));
        }
        at_most("groups", groups as u64, MAX_TYPES)?;
        if !inputs.contains(&StudyInputs::Movielens) {
            notes.push(
                "MovieLens types of our own preprocessing are not used (add --inputs movielens): \
                 the authors' MovieLens types (zhu2023) stand for them, and a synthetic market \
                 is the second catalogue."
                    .into(),
            );
        }
        Ok(ResolvedLearning {
            scale: self.scale,
            inputs_dir: inputs
                .contains(&StudyInputs::Zhu2023)
                .then(|| self.inputs_dir.clone())
                .flatten(),
            data: inputs
                .contains(&StudyInputs::Movielens)
                .then(|| self.data.clone())
                .flatten(),
            cache: self
                .cache
                .clone()
                .unwrap_or_else(marketloop_data::default_cache_dir),
            groups,
            inputs,
            experiments,
            runs,
            steps,
            compete_steps,
            every,
            seed: self.seed,
            notes,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scales_fill_in_sizes_and_bad_input_names_the_field() {
        let r = LearningConfig::default().resolve().unwrap();
        assert_eq!((r.runs, r.steps, r.every), (4, 4000, 250));
        assert_eq!(r.inputs, vec![StudyInputs::Synthetic]);
        assert_eq!(r.experiments, vec![1, 2, 3]);
        let full = LearningConfig {
            scale: StudyScale::Full,
            inputs_dir: Some("/nonexistent".into()),
            ..LearningConfig::default()
        }
        .resolve()
        .unwrap();
        assert_eq!((full.runs, full.steps), (50, 300_000));
        assert_eq!(full.inputs, vec![StudyInputs::Synthetic]);
        assert!(full.notes[0].contains("not found"));
        let field = |c: LearningConfig| c.resolve().unwrap_err().field().unwrap_or_default();
        let d = LearningConfig::default;
        assert_eq!(
            field(LearningConfig {
                runs: Some(0),
                ..d()
            }),
            "runs"
        );
        assert_eq!(
            field(LearningConfig {
                every: Some(0),
                ..d()
            }),
            "every"
        );
        assert_eq!(
            field(LearningConfig {
                experiments: vec![4],
                ..d()
            }),
            "experiments"
        );
        assert_eq!(
            field(LearningConfig {
                inputs: vec![StudyInputs::Zhu2023],
                inputs_dir: Some("/nonexistent".into()),
                ..d()
            }),
            "inputs_dir"
        );
        assert_eq!(
            "movielens".parse::<StudyInputs>().unwrap(),
            StudyInputs::Movielens
        );
        assert!("netflix".parse::<StudyInputs>().is_err());
        assert_eq!(
            field(LearningConfig {
                groups: Some(1),
                ..d()
            }),
            "groups"
        );
        assert_eq!("full".parse::<StudyScale>().unwrap(), StudyScale::Full);
    }
}
