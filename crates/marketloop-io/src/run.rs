//! Run folders: where one experiment writes its results, its manifest and its finished
//! replicates, so that an interrupted run keeps every finished replicate and `--resume`
//! reproduces exactly the results of an uninterrupted run.
//!
//! Layout of a run folder:
//! ```text
//! DIR/run.json                   the resolved config and seed (written first; checked on resume)
//! DIR/replicates/ARM/r000012.json one finished replicate (written atomically as it completes)
//! DIR/*.csv, *.parquet, *.svg …  the results, written at the end
//! DIR/manifest.json              written last: resolved config, seed, generator, version, timings
//! ```

use crate::atomic::{write_atomic, write_json_atomic};
use crate::figure::Figure;
use crate::report::Report;
use crate::table::Table;
use crate::IoError;
use serde::{de::DeserializeOwned, Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

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

#[derive(Serialize, Deserialize, PartialEq, Debug)]
struct RunIdentity {
    command: String,
    seed: u64,
    config: serde_json::Value,
}

/// An output folder for one run.
#[derive(Debug)]
pub struct RunDir {
    root: PathBuf,
    manifest: Manifest,
}

impl RunDir {
    /// Opens `root` for the run described by `manifest`.
    ///
    /// Without `resume`, the folder must not exist or be empty. With `resume`, a folder left by
    /// an earlier run must hold the same command, seed and config (else an error says what
    /// differs); its finished replicates are then reused.
    ///
    /// Call this only after all input has been validated, so bad input never leaves a folder.
    pub fn open(root: &Path, manifest: Manifest, resume: bool) -> Result<Self, IoError> {
        let identity = RunIdentity {
            command: manifest.command.clone(),
            seed: manifest.seed,
            config: manifest.config.clone(),
        };
        let id_path = root.join("run.json");
        let exists_nonempty = root
            .read_dir()
            .map(|mut d| d.next().is_some())
            .unwrap_or(false);
        if exists_nonempty {
            if !resume {
                return Err(IoError::RunDir {
                    path: root.into(),
                    message: "already exists and is not empty; pass --resume to continue an \
                              interrupted run there, or choose another --out"
                        .into(),
                });
            }
            let text = std::fs::read(&id_path).map_err(|e| IoError::RunDir {
                path: root.into(),
                message: format!("cannot resume: run.json is unreadable ({e}); it is not a marketloop run folder"),
            })?;
            let old: RunIdentity =
                serde_json::from_slice(&text).map_err(|source| IoError::Json {
                    path: id_path.clone(),
                    source,
                })?;
            if old != identity {
                let what = if old.command != identity.command {
                    format!("command {:?} vs {:?}", old.command, identity.command)
                } else if old.seed != identity.seed {
                    format!("seed {} vs {}", old.seed, identity.seed)
                } else {
                    "the resolved config differs".to_string()
                };
                return Err(IoError::RunDir {
                    path: root.into(),
                    message: format!(
                        "cannot resume: it holds a different run ({what}); choose another --out"
                    ),
                });
            }
        } else {
            std::fs::create_dir_all(root).map_err(|e| IoError::os(root, e))?;
            write_json_atomic(&id_path, &identity)?;
        }
        Ok(Self {
            root: root.to_path_buf(),
            manifest,
        })
    }

    /// The folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The manifest being built (timings and outputs are added as the run goes).
    pub fn manifest_mut(&mut self) -> &mut Manifest {
        &mut self.manifest
    }

    fn replicate_path(&self, arm: &str, replicate: u64) -> PathBuf {
        self.root
            .join("replicates")
            .join(sanitize(arm))
            .join(format!("r{replicate:06}.json"))
    }

    /// Loads a finished replicate of `arm`, if an earlier run wrote it.
    pub fn load_replicate<T: DeserializeOwned>(
        &self,
        arm: &str,
        replicate: u64,
    ) -> Result<Option<T>, IoError> {
        let p = self.replicate_path(arm, replicate);
        match std::fs::read(&p) {
            Ok(bytes) => serde_json::from_slice(&bytes)
                .map(Some)
                .map_err(|source| IoError::Json { path: p, source }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(IoError::os(p, e)),
        }
    }

    /// Saves a finished replicate of `arm` atomically.
    pub fn save_replicate<T: Serialize>(
        &self,
        arm: &str,
        replicate: u64,
        value: &T,
    ) -> Result<(), IoError> {
        let p = self.replicate_path(arm, replicate);
        let bytes = serde_json::to_vec(value).map_err(|source| IoError::Json {
            path: p.clone(),
            source,
        })?;
        write_atomic(&p, &bytes)
    }

    /// Writes raw bytes to `name` in the folder, atomically, and records it as an output.
    pub fn write_file(&mut self, name: &str, bytes: &[u8]) -> Result<PathBuf, IoError> {
        let p = self.root.join(name);
        write_atomic(&p, bytes)?;
        if !self.manifest.outputs.iter().any(|o| o == name) {
            self.manifest.outputs.push(name.to_string());
        }
        Ok(p)
    }

    /// Writes `table` as `STEM.csv` and `STEM.parquet` and records both files. Both encodings
    /// are made before either file is written, so a table that cannot be written leaves none.
    pub fn write_table(&mut self, stem: &str, table: &Table) -> Result<(), IoError> {
        let csv = table.to_csv()?;
        let parquet = table.to_parquet()?;
        self.write_file(&format!("{stem}.csv"), &csv)?;
        self.write_file(&format!("{stem}.parquet"), &parquet)?;
        Ok(())
    }

    /// Renders `figure` and writes `STEM.svg` and `STEM.png` (each atomically) and records both.
    /// An invalid figure (see [`Figure::validate`]) is an error and writes nothing.
    pub fn write_figure(&mut self, stem: &str, figure: &Figure) -> Result<(), IoError> {
        let svg = figure.to_svg()?;
        let png = figure.to_png()?;
        self.write_file(&format!("{stem}.svg"), svg.as_bytes())?;
        self.write_file(&format!("{stem}.png"), &png)?;
        Ok(())
    }

    /// Writes `report.html`: the report rendered with this run's manifest in its header and the
    /// SVG figures of this folder inlined (see [`Report::to_html_with_manifest`]).
    pub fn write_report(&mut self, report: &Report) -> Result<(), IoError> {
        let html = report.to_html_with_manifest(&self.root, Some(&self.manifest))?;
        self.write_file("report.html", html.as_bytes())?;
        Ok(())
    }

    /// Writes `manifest.json` (last, so its presence marks a complete run) and returns it.
    pub fn finish(mut self) -> Result<Manifest, IoError> {
        self.manifest.outputs.push("manifest.json".into());
        write_json_atomic(&self.root.join("manifest.json"), &self.manifest)?;
        Ok(self.manifest)
    }
}

fn sanitize(arm: &str) -> String {
    arm.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tmp(name: &str) -> PathBuf {
        let p = std::env::temp_dir().join(format!("ml-run-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        p
    }

    #[test]
    fn resume_reuses_replicates_and_checks_identity() {
        let dir = tmp("resume");
        let m = Manifest::new("test", 1, serde_json::json!({"a": 1}));
        let run = RunDir::open(&dir, m.clone(), false).unwrap();
        run.save_replicate("arm x", 3, &vec![0.1_f64, 0.2]).unwrap();
        drop(run);
        assert!(RunDir::open(&dir, m.clone(), false).is_err());
        let run = RunDir::open(&dir, m.clone(), true).unwrap();
        let v: Option<Vec<f64>> = run.load_replicate("arm x", 3).unwrap();
        assert_eq!(v, Some(vec![0.1, 0.2]));
        let none: Option<Vec<f64>> = run.load_replicate("arm x", 4).unwrap();
        assert!(none.is_none());
        let other = Manifest::new("test", 2, serde_json::json!({"a": 1}));
        let e = RunDir::open(&dir, other, true).unwrap_err().to_string();
        assert!(e.contains("seed 1 vs 2"), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
