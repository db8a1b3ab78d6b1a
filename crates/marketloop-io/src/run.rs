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
//! DIR/.incomplete                 present until the run has finished (removed after the manifest)
//! ```

use crate::atomic::{write_atomic, write_json_atomic};
use crate::figure::Figure;
pub use crate::manifest::Manifest;
use crate::report::Report;
use crate::table::Table;
use crate::IoError;
use marketloop_core::runner::{map_replicates, Schedule};
use serde::{de::DeserializeOwned, Deserialize, Serialize};
use std::path::{Path, PathBuf};

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
    /// A new folder gets `run.json` (the command, seed and config) and the marker
    /// `.incomplete`, which [`finish`](Self::finish) removes after writing `manifest.json`.
    ///
    /// - An empty or missing folder is (re)started.
    /// - A folder marked incomplete (an interrupted or failed run) is continued when it holds
    ///   the same run, reusing its finished replicates (as `--resume` would); without `resume`
    ///   it is replaced when it holds a different run; with `resume` that is refused, naming
    ///   the differing fields.
    /// - A complete or foreign non-empty folder is refused without `resume`; with `resume`, it
    ///   must hold the same run (else the refusal names the differing fields).
    ///
    /// Temporary files left by a killed write are removed. Call this only after all input has
    /// been validated, so bad input never leaves a folder.
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
        let incomplete = root.join(INCOMPLETE).is_file() && id_path.is_file();
        let mut fresh = !exists_nonempty;
        if exists_nonempty {
            if !resume && !incomplete {
                return Err(IoError::RunDir {
                    path: root.into(),
                    message: "already exists and is not empty; pass --resume to continue an \
                              interrupted run there, or choose another --out"
                        .into(),
                });
            }
            let old = read_identity(root, &id_path)?;
            if old != identity {
                if incomplete && !resume && only_unfinished_run(root) {
                    // An unfinished run of something else (nothing but its run.json, marker
                    // and saved replicates): replaced by this one.
                    std::fs::remove_dir_all(root).map_err(|e| IoError::os(root, e))?;
                    fresh = true;
                } else {
                    return Err(IoError::RunDir {
                        path: root.into(),
                        message: format!(
                            "it holds a different run ({}); choose another --out",
                            identity_diff(&old, &identity)
                        ),
                    });
                }
            } else {
                remove_stale_temporaries(root)?;
            }
        }
        if fresh {
            std::fs::create_dir_all(root).map_err(|e| IoError::os(root, e))?;
            write_atomic(&root.join(INCOMPLETE), b"this run has not finished\n")?;
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

    /// The one place a run loads a finished replicate or computes and saves it: maps
    /// `compute` over `indices` (in parallel under `schedule`; the results never depend on
    /// it), reusing every replicate of `arm` an earlier interrupted run saved, and saving each
    /// newly computed one atomically as soon as it finishes. `on_done` is called after each
    /// replicate, loaded or computed (progress bars). The number of reused replicates is added
    /// to the manifest's `resumed_replicates`. Results come back in the order of `indices`.
    /// A stop request ([`IoError::check_stop`]) ends it with [`IoError::Interrupted`] before the
    /// next replicate, keeping every replicate saved so far.
    pub fn map_resumable<T, F, D>(
        &mut self,
        arm: &str,
        indices: &[u64],
        schedule: Schedule,
        compute: F,
        on_done: D,
    ) -> Result<Vec<T>, IoError>
    where
        T: Serialize + DeserializeOwned + Send,
        F: Fn(u64) -> Result<T, IoError> + Sync,
        D: Fn(u64) + Sync,
    {
        let resumed = std::sync::atomic::AtomicUsize::new(0);
        let this = &*self;
        let out = map_replicates(
            indices,
            schedule,
            |r| -> Result<T, IoError> {
                IoError::check_stop()?;
                if let Some(v) = this.load_replicate::<T>(arm, r)? {
                    resumed.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    return Ok(v);
                }
                let v = compute(r)?;
                // A replicate that saw a stop request may be cut short: never saved.
                IoError::check_stop()?;
                this.save_replicate(arm, r, &v)?;
                Ok(v)
            },
            |r, _| {
                on_done(r);
                Ok(())
            },
        )?;
        self.manifest.resumed_replicates += resumed.into_inner();
        Ok(out)
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

    /// Renders `figure` and writes `STEM.svg`, `STEM.png` (300 dpi) and `STEM.pdf` (each
    /// atomically) and records them. An invalid figure (see [`Figure::validate`]) is an error and
    /// writes nothing.
    pub fn write_figure(&mut self, stem: &str, figure: &Figure) -> Result<(), IoError> {
        let svg = figure.to_svg()?;
        let png = figure.to_png()?;
        let pdf = figure.to_pdf()?;
        self.write_file(&format!("{stem}.svg"), svg.as_bytes())?;
        self.write_file(&format!("{stem}.png"), &png)?;
        self.write_file(&format!("{stem}.pdf"), &pdf)?;
        Ok(())
    }

    /// Writes `report.html`: the report rendered with this run's manifest in its header and the
    /// SVG figures of this folder inlined (see [`Report::to_html_with_manifest`]).
    pub fn write_report(&mut self, report: &Report) -> Result<(), IoError> {
        let html = report.to_html_with_manifest(&self.root, Some(&self.manifest))?;
        self.write_file("report.html", html.as_bytes())?;
        Ok(())
    }

    /// Writes `manifest.json` (last, so its presence marks a complete run), removes the
    /// `.incomplete` marker and returns the manifest.
    pub fn finish(mut self) -> Result<Manifest, IoError> {
        self.manifest.outputs.push("manifest.json".into());
        write_json_atomic(&self.root.join("manifest.json"), &self.manifest)?;
        let marker = self.root.join(INCOMPLETE);
        match std::fs::remove_file(&marker) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(IoError::os(marker, e)),
        }
        Ok(self.manifest)
    }
}

/// Whether `root` holds nothing but what an unfinished run writes before its outputs
/// (`run.json`, the marker, saved replicates or sweep cells, temporary files): only such a
/// folder is ever replaced, never one holding anything else.
fn only_unfinished_run(root: &Path) -> bool {
    let Ok(entries) = std::fs::read_dir(root) else {
        return false;
    };
    entries.into_iter().all(|e| {
        e.is_ok_and(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let is_dir = e.file_type().is_ok_and(|t| t.is_dir());
            match name.as_str() {
                "run.json" | INCOMPLETE => !is_dir,
                "replicates" | "cells" => is_dir,
                other => !is_dir && crate::atomic::is_temporary(other),
            }
        })
    })
}

/// The marker of a run folder whose run has not finished.
pub const INCOMPLETE: &str = ".incomplete";

fn read_identity(root: &Path, id_path: &Path) -> Result<RunIdentity, IoError> {
    let text = std::fs::read(id_path).map_err(|e| IoError::RunDir {
        path: root.into(),
        message: format!(
            "cannot resume: run.json is unreadable ({e}); it is not a marketloop run folder"
        ),
    })?;
    serde_json::from_slice(&text).map_err(|source| IoError::Json {
        path: id_path.to_path_buf(),
        source,
    })
}

/// What differs between two runs: the command, the seed, or the config fields (dotted paths,
/// old vs new value), at most a few of them.
fn identity_diff(old: &RunIdentity, new: &RunIdentity) -> String {
    if old.command != new.command {
        return format!("command {:?} vs {:?}", old.command, new.command);
    }
    let mut diffs = Vec::new();
    if old.seed != new.seed {
        diffs.push(format!("seed {} vs {}", old.seed, new.seed));
    }
    json_diff("", &old.config, &new.config, &mut diffs);
    const SHOWN: usize = 5;
    let more = diffs.len().saturating_sub(SHOWN);
    diffs.truncate(SHOWN);
    let mut text = diffs.join("; ");
    if more > 0 {
        text.push_str(&format!("; and {more} more"));
    }
    if text.is_empty() {
        text = "the resolved config differs".into();
    }
    text
}

/// Every dotted path where `a` and `b` differ, as `path: a vs b` (values shortened).
fn json_diff(path: &str, a: &serde_json::Value, b: &serde_json::Value, out: &mut Vec<String>) {
    use serde_json::Value;
    let join = |k: &str| {
        if path.is_empty() {
            k.to_string()
        } else {
            format!("{path}.{k}")
        }
    };
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let keys: std::collections::BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            for k in keys {
                let null = Value::Null;
                json_diff(
                    &join(k),
                    x.get(k).unwrap_or(&null),
                    y.get(k).unwrap_or(&null),
                    out,
                );
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (u, v)) in x.iter().zip(y).enumerate() {
                json_diff(&join(&i.to_string()), u, v, out);
            }
        }
        _ if a != b => {
            let short = |v: &Value| {
                let t = v.to_string();
                if t.chars().count() > 60 {
                    format!("{}…", t.chars().take(60).collect::<String>())
                } else {
                    t
                }
            };
            let name = if path.is_empty() { "config" } else { path };
            out.push(format!("{name}: {} vs {}", short(a), short(b)));
        }
        _ => {}
    }
}

/// Removes the temporary files of atomic writes a killed run left in `root` and its
/// subfolders (`.NAME.tmp-PID`, see [`crate::atomic`]).
fn remove_stale_temporaries(root: &Path) -> Result<(), IoError> {
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let entries = std::fs::read_dir(&dir).map_err(|e| IoError::os(&dir, e))?;
        for entry in entries {
            let entry = entry.map_err(|e| IoError::os(&dir, e))?;
            let path = entry.path();
            let kind = entry.file_type().map_err(|e| IoError::os(&path, e))?;
            if kind.is_dir() {
                stack.push(path);
            } else if crate::atomic::is_temporary(&entry.file_name().to_string_lossy()) {
                std::fs::remove_file(&path).map_err(|e| IoError::os(&path, e))?;
            }
        }
    }
    Ok(())
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
        // An unfinished run of the same config is continued by a plain rerun.
        assert!(dir.join(INCOMPLETE).is_file());
        drop(RunDir::open(&dir, m.clone(), false).unwrap());
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

    #[test]
    fn finished_folders_are_kept_and_refusals_name_the_differing_fields() {
        let dir = tmp("finished");
        let config = serde_json::json!({"steps": 10, "market": {"feedback": 0.5, "items": 3}});
        let m = Manifest::new("test", 1, config);
        RunDir::open(&dir, m.clone(), false)
            .unwrap()
            .finish()
            .unwrap();
        assert!(!dir.join(INCOMPLETE).exists());
        let e = RunDir::open(&dir, m.clone(), false)
            .unwrap_err()
            .to_string();
        assert!(e.contains("pass --resume"), "{e}");
        let other = Manifest::new(
            "test",
            1,
            serde_json::json!({"steps": 20, "market": {"feedback": 0.75, "items": 3}}),
        );
        let e = RunDir::open(&dir, other, true).unwrap_err().to_string();
        assert!(
            e.contains("market.feedback: 0.5 vs 0.75; steps: 10 vs 20"),
            "{e}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn an_unfinished_different_run_is_replaced_and_stale_temporaries_removed() {
        let dir = tmp("replace");
        let a = Manifest::new("test", 1, serde_json::json!({"a": 1}));
        let run = RunDir::open(&dir, a.clone(), false).unwrap();
        run.save_replicate("arm", 0, &1u64).unwrap();
        drop(run);
        let stale = dir
            .join("replicates")
            .join("arm")
            .join(".r000001.json.tmp-4242");
        std::fs::write(&stale, b"half").unwrap();
        // The same run again: continued, the temporary file of the killed write removed.
        let run = RunDir::open(&dir, a.clone(), false).unwrap();
        assert!(!stale.exists());
        assert_eq!(run.load_replicate::<u64>("arm", 0).unwrap(), Some(1));
        drop(run);
        // A different run: with --resume refused, without it the unfinished folder is replaced.
        let b = Manifest::new("test", 1, serde_json::json!({"a": 2}));
        let e = RunDir::open(&dir, b.clone(), true).unwrap_err().to_string();
        assert!(e.contains("a: 1 vs 2"), "{e}");
        let c = Manifest::new("test", 1, serde_json::json!({"a": 3}));
        // ... unless it holds anything else, which is never removed.
        std::fs::write(dir.join("keep.txt"), b"x").unwrap();
        let e = RunDir::open(&dir, c.clone(), false)
            .unwrap_err()
            .to_string();
        assert!(e.contains("a: 1 vs 3"), "{e}");
        assert!(dir.join("keep.txt").is_file());
        std::fs::remove_file(dir.join("keep.txt")).unwrap();
        let run = RunDir::open(&dir, b, false).unwrap();
        assert_eq!(run.load_replicate::<u64>("arm", 0).unwrap(), None);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn map_resumable_reuses_saved_replicates_and_counts_them() {
        let dir = tmp("map-resumable");
        let m = Manifest::new("test", 7, serde_json::json!({}));
        let calls = std::sync::atomic::AtomicUsize::new(0);
        let f = |r: u64| -> Result<Vec<u64>, IoError> {
            calls.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            Ok(vec![r, r * r])
        };
        let mut run = RunDir::open(&dir, m.clone(), false).unwrap();
        let a = run
            .map_resumable("arm", &[0, 1, 2], Schedule::Parallel, f, |_| {})
            .unwrap();
        assert_eq!(calls.load(std::sync::atomic::Ordering::Relaxed), 3);
        drop(run);
        let mut run = RunDir::open(&dir, m, true).unwrap();
        let b = run
            .map_resumable("arm", &[0, 1, 2, 3], Schedule::Serial, f, |_| {})
            .unwrap();
        assert_eq!(calls.load(std::sync::atomic::Ordering::Relaxed), 4);
        assert_eq!(&b[..3], &a[..]);
        assert_eq!(b[3], vec![3, 9]);
        assert_eq!(run.manifest_mut().resumed_replicates, 3);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_stop_request_keeps_saved_replicates_writes_nothing_more_and_resume_completes() {
        use marketloop_core::runner::Stop;
        let dir = tmp("stop");
        let m = Manifest::new("test", 7, serde_json::json!({}));
        let stop = Stop::new();
        let f = |r: u64| -> Result<u64, IoError> {
            if r == 2 {
                stop.request(); // Ctrl-C while replicate 2 runs: it is cut short
            }
            Ok(r * 10)
        };
        let mut run = RunDir::open(&dir, m.clone(), false).unwrap();
        let e = stop
            .scope(|| run.map_resumable("arm", &[0, 1, 2, 3, 4], Schedule::Serial, f, |_| {}))
            .unwrap_err();
        assert!(matches!(e, IoError::Interrupted), "{e}");
        assert!(e.to_string().contains("resume"), "{e}");
        let e = stop.scope(|| run.finish()).unwrap_err();
        assert!(matches!(e, IoError::Interrupted), "{e}");
        assert!(dir.join(INCOMPLETE).is_file() && !dir.join("manifest.json").exists());
        let saved = |r: u64| {
            dir.join("replicates/arm")
                .join(format!("r{r:06}.json"))
                .is_file()
        };
        assert!(saved(0) && saved(1) && !saved(2) && !saved(3));

        let mut run = RunDir::open(&dir, m, false).unwrap();
        let all = run
            .map_resumable(
                "arm",
                &[0, 1, 2, 3, 4],
                Schedule::Parallel,
                |r| Ok(r * 10),
                |_| {},
            )
            .unwrap();
        assert_eq!(all, vec![0, 10, 20, 30, 40]);
        assert_eq!(run.manifest_mut().resumed_replicates, 2);
        run.finish().unwrap();
        assert!(!dir.join(INCOMPLETE).exists());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
