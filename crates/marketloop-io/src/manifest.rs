//! The manifest: what every output records about how it was made (seed, generator, version,
//! commit, the resolved config, timings, files written). Written last into a run folder, read
//! back by reports.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What every output records about how it was made.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Manifest {
    /// Always "marketloop".
    pub tool: String,
    /// The marketloop version.
    pub version: String,
    /// The git commit marketloop was built from, if known.
    pub git_commit: Option<String>,
    /// The command (e.g. "market simulate").
    pub command: String,
    /// The experiment's master seed.
    pub seed: u64,
    /// The random generator and how streams are derived.
    pub generator: String,
    /// The fully resolved configuration (every default filled in).
    pub config: serde_json::Value,
    /// Seconds since the Unix epoch when the run started.
    pub started_unix: u64,
    /// Wall-clock timings in seconds, by phase.
    pub timings: BTreeMap<String, f64>,
    /// Files written, relative to the run folder.
    pub outputs: Vec<String>,
    /// Number of replicates loaded from an earlier interrupted run.
    pub resumed_replicates: usize,
}

impl Manifest {
    /// A manifest for `command` with the given seed and resolved config.
    pub fn new(command: &str, seed: u64, config: serde_json::Value) -> Self {
        Self {
            tool: "marketloop".into(),
            version: marketloop_core::VERSION.into(),
            git_commit: option_env!("MARKETLOOP_GIT_COMMIT").map(str::to_string),
            command: command.into(),
            seed,
            generator: marketloop_core::rng::GENERATOR.into(),
            config,
            started_unix: std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs()),
            timings: BTreeMap::new(),
            outputs: Vec::new(),
            resumed_replicates: 0,
        }
    }
}
