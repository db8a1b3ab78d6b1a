//! The study's cells: one arena spec (a JSON document of the `marketloop arena` format,
//! resolved by [`ResolvedArena::from_value`], so every check of the arena spec applies) per
//! arm of experiment 1, per (response, warm start) of experiment 2 and per (reputation, P) of
//! experiment 3, each with its own seed derived from the master seed and a label.
//!
//! Seeding: a cell's master seed is `SeedSequence::new(seed).derive(label)` (the sweeps'
//! convention), so a cell never depends on the other cells or on which experiments run. The
//! arms of experiment 1 on one market share one label (`learning-in-the-loop/e1/INPUT`):
//! common random numbers, so replicate r of every ranking sees the same initial counts and the
//! same arrival, choice and purchase streams, and differences between rankings are paired.

use super::config::{ResolvedLearning, StudyInputs};
use crate::atomic::write_atomic;
use crate::experiment::{ArenaExperiment, Plan};
use crate::matrix::{write_npy, Matrix};
use crate::reproduce::cultural::movielens::movielens_preferences;
use crate::reproduce::cultural::{CulturalConfig, InputKind};
use crate::spec::arena::ResolvedArena;
use crate::IoError;
use marketloop_core::rng::{stable_hash, SeedSequence};
use serde_json::{json, Value};
use std::path::PathBuf;

/// User types of the built-in synthetic market.
pub const SYNTHETIC_TYPES: usize = 4;
/// Items of the built-in synthetic market.
pub const SYNTHETIC_ITEMS: usize = 40;

/// The rankings of experiment 1: (name, arena `ranking`).
pub const EXP1_ARMS: [(&str, &str); 8] = [
    ("quality oracle", "quality"),
    ("performance", "performance"),
    ("greedy", "greedy"),
    ("eps-greedy", "eps-greedy"),
    ("Thompson", "thompson"),
    ("UCB", "ucb"),
    ("popularity", "popularity"),
    ("random", "random"),
];

/// The learning rankings among [`EXP1_ARMS`].
pub const LEARNERS: [&str; 4] = ["greedy", "eps-greedy", "Thompson", "UCB"];

/// The response functions of experiment 2: (name, arena `response`).
pub fn responses() -> [(&'static str, Value); 3] {
    [
        ("HardMax", json!({ "kind": "hard-max" })),
        (
            "HardMax&Random",
            json!({ "kind": "hard-max-random", "eps": 0.1 }),
        ),
        (
            "SoftMax",
            json!({ "kind": "soft-max", "temperature": 0.05 }),
        ),
    ]
}

/// The warm starts of experiment 2.
pub const WARM_STARTS: [u64; 3] = [20, 250, 500];

/// The platform counts of experiment 3.
pub const PLATFORM_COUNTS: [usize; 4] = [2, 3, 4, 5];

/// The reputation scopes of experiment 3 (per-type is the issue's; overall is the control).
pub const SCOPES: [&str; 2] = ["per-type", "overall"];

/// One cell: an arena experiment and where its numbers go.
#[derive(Clone, Debug)]
pub struct Cell {
    /// 1, 2 or 3.
    pub experiment: u32,
    /// The market.
    pub input: StudyInputs,
    /// A unique key (the replicate folder of the run folder).
    pub key: String,
    /// The arm (experiment 1: the ranking; 2: "response, T0"; 3: "scope, P").
    pub label: String,
    /// Experiment 2: the response function's name.
    pub response: Option<&'static str>,
    /// Experiment 2: the warm start.
    pub warm_start: Option<u64>,
    /// Experiment 3: the reputation scope.
    pub scope: Option<&'static str>,
    /// Experiment 3: the number of platforms.
    pub platforms: Option<usize>,
    /// The cell's seeds.
    pub seeds: SeedSequence,
    /// The arena spec as a JSON document.
    pub doc: Value,
    /// The resolved arena experiment.
    pub exp: ArenaExperiment,
}

impl Cell {
    /// The cell's plan.
    pub fn plan(&self, runs: u64) -> Plan {
        Plan::new(self.seeds.master(), runs)
    }
}

fn unit(label: &str) -> f64 {
    (stable_hash(0x5EED_2026, label.as_bytes()) >> 11) as f64 / (1u64 << 53) as f64
}

/// The built-in synthetic market: [`SYNTHETIC_TYPES`] types with weights 0.4, 0.3, 0.2, 0.1
/// and [`SYNTHETIC_ITEMS`] items; item j belongs to genre j mod 4, and type i likes genre i:
/// q_ij = 0.1 + 0.45 b_j + 0.3 [genre j = i] + 0.1 u_ij, vhat_ij = 0.2 + 0.5 a_ij + 0.3
/// [genre j = i], with b, a, u fixed pseudo-random numbers in [0, 1) (a stable hash, no
/// random stream); r = 0.5, initial counts 1.
pub fn synthetic_market() -> Value {
    let (m, n) = (SYNTHETIC_TYPES, SYNTHETIC_ITEMS);
    let mut vis = Vec::with_capacity(m);
    let mut qual = Vec::with_capacity(m);
    for i in 0..m {
        let (mut v, mut q) = (Vec::with_capacity(n), Vec::with_capacity(n));
        for j in 0..n {
            let fav = if j % m == i { 1.0 } else { 0.0 };
            let b = unit(&format!("b/{j}"));
            let round = |x: f64| (x * 1e6).round() / 1e6;
            q.push(round(
                0.1 + 0.45 * b + 0.3 * fav + 0.1 * unit(&format!("u/{i}/{j}")),
            ));
            v.push(round(0.2 + 0.5 * unit(&format!("a/{i}/{j}")) + 0.3 * fav));
        }
        vis.push(v);
        qual.push(q);
    }
    json!({
        "weights": [0.4, 0.3, 0.2, 0.1],
        "visibility": vis,
        "quality": qual,
        "feedback": 0.5,
        "initial_counts": 1,
    })
}

/// The market document of `input`, its position bias and the base folder of its files.
fn market(input: StudyInputs, cfg: &ResolvedLearning) -> Result<(Value, Value, PathBuf), IoError> {
    Ok(match input {
        StudyInputs::Synthetic => (
            synthetic_market(),
            json!({ "log_discount": SYNTHETIC_ITEMS }),
            PathBuf::from("."),
        ),
        StudyInputs::Zhu2023 => {
            let dir = cfg.inputs_dir.clone().ok_or_else(|| {
                IoError::spec("inputs_dir", "inputs zhu2023 needs the inputs folder")
            })?;
            (
                json!({
                    "weights": { "groups": "groups_100.json" },
                    "visibility": { "file": "appeals.npy" },
                    "quality": { "file": "qualities.npy" },
                    "feedback": 0.5,
                    "initial_counts": { "uniform": [2, 3] },
                }),
                json!("musiclab"),
                dir,
            )
        }
        StudyInputs::Movielens => {
            let dir = movielens_matrices(cfg)?;
            let weights: Vec<f64> = serde_json::from_slice(
                &std::fs::read(dir.join("weights.json")).map_err(|e| IoError::os(&dir, e))?,
            )
            .map_err(|e| IoError::spec("inputs", format!("{}: {e}", dir.display())))?;
            (
                json!({
                    "weights": weights,
                    "visibility": { "file": "visibility.npy" },
                    "quality": { "file": "quality.npy" },
                    "feedback": 0.5,
                    "initial_counts": { "uniform": [2, 3] },
                }),
                json!("musiclab"),
                dir,
            )
        }
    })
}

/// Our own MovieLens types for the study: `reproduce cultural-market`'s preprocessing (its
/// defaults, the study's seed and `groups` types; computed once and cached), written as
/// `visibility.npy`, `quality.npy` and `weights.json` into
/// `CACHE/study-movielens/prefs-H/` (H a hash of the preprocessing settings and the data's
/// source), which is returned.
fn movielens_matrices(cfg: &ResolvedLearning) -> Result<PathBuf, IoError> {
    let pre = CulturalConfig {
        inputs: InputKind::Movielens,
        groups: vec![cfg.groups],
        data: cfg.data.clone(),
        cache: Some(cfg.cache.clone()),
        seed: cfg.seed,
        ..CulturalConfig::default()
    };
    let key = json!({
        "format": 1,
        "seed": pre.seed,
        "groups": cfg.groups,
        "data": pre.data,
        "fill": pre.fill,
        "svd": pre.svd,
        "kmeans_restarts": pre.kmeans_restarts,
        "test_fraction": pre.test_fraction,
    });
    let dir = cfg.cache.join("study-movielens").join(format!(
        "prefs-{:016x}",
        stable_hash(pre.seed, key.to_string().as_bytes())
    ));
    let files = ["visibility.npy", "quality.npy", "weights.json"];
    if files.iter().all(|f| dir.join(f).is_file()) {
        return Ok(dir);
    }
    let (mut prefs, _notes) = movielens_preferences(&pre, &[cfg.groups], &|_| {})?;
    let p = prefs.pop().ok_or_else(|| {
        IoError::spec(
            "inputs",
            "the MovieLens preprocessing returned no preferences",
        )
    })?;
    std::fs::create_dir_all(&dir).map_err(|e| IoError::os(&dir, e))?;
    let (m, n) = (p.n_types, p.n_items);
    write_npy(
        &dir.join("visibility.npy"),
        &Matrix::new(m, n, p.visibility)?,
    )?;
    write_npy(&dir.join("quality.npy"), &Matrix::new(m, n, p.quality)?)?;
    let weights = serde_json::to_vec(&p.weights)
        .map_err(|e| IoError::spec("inputs", format!("weights: {e}")))?;
    write_atomic(&dir.join("weights.json"), &weights)?;
    Ok(dir)
}

struct Arm<'a> {
    experiment: u32,
    input: StudyInputs,
    key: String,
    label: String,
    seed_label: String,
    doc: Value,
    base: &'a std::path::Path,
}

fn build(a: Arm<'_>, master: SeedSequence) -> Result<Cell, IoError> {
    let resolved = ResolvedArena::from_value(&a.doc, a.base).map_err(|e| IoError::Cell {
        label: a.key.clone(),
        source: Box::new(e),
    })?;
    Ok(Cell {
        experiment: a.experiment,
        input: a.input,
        key: a.key,
        label: a.label,
        response: None,
        warm_start: None,
        scope: None,
        platforms: None,
        seeds: master.derive(&a.seed_label),
        doc: a.doc,
        exp: ArenaExperiment::new(resolved, None),
    })
}

/// Every cell of the study, in run order (experiment 1 per input, then 2, then 3).
pub fn cells(cfg: &ResolvedLearning) -> Result<Vec<Cell>, IoError> {
    let master = SeedSequence::new(cfg.seed);
    let mut out = Vec::new();
    let base_doc = |steps: u64, bias: &Value, market: &Value| {
        json!({
            "steps": steps,
            "every": cfg.every,
            "window": 100,
            "choice": "logit",
            "position_bias": bias,
            "market": market,
        })
    };
    if cfg.experiments.contains(&1) {
        for &input in &cfg.inputs {
            let (mkt, bias, base) = market(input, cfg)?;
            for (name, ranking) in EXP1_ARMS {
                let mut doc = base_doc(cfg.steps, &bias, &mkt);
                doc["platforms"] = json!([{ "name": name, "ranking": ranking }]);
                out.push(build(
                    Arm {
                        experiment: 1,
                        input,
                        key: format!("e1-{}-{ranking}", input.name()),
                        label: name.to_string(),
                        seed_label: format!("learning-in-the-loop/e1/{}", input.name()),
                        doc,
                        base: &base,
                    },
                    master,
                )?);
            }
        }
    }
    let input = cfg.inputs[0];
    let (mkt, bias, base) = market(input, cfg)?;
    if cfg.experiments.contains(&2) {
        for (rname, response) in responses() {
            for t0 in WARM_STARTS {
                let mut doc = base_doc(cfg.compete_steps, &bias, &mkt);
                doc["response"] = response.clone();
                doc["reputation"] = json!("overall");
                doc["platforms"] = json!([
                    { "name": "Thompson", "ranking": "thompson", "warm_start": t0 },
                    { "name": "greedy", "ranking": "greedy", "warm_start": t0 },
                ]);
                let slug = rname.to_lowercase().replace('&', "-");
                let mut c = build(
                    Arm {
                        experiment: 2,
                        input,
                        key: format!("e2-{}-{slug}-t0-{t0}", input.name()),
                        label: format!("{rname}, T0 = {t0}"),
                        seed_label: format!(
                            "learning-in-the-loop/e2/{}/{rname}/T0={t0}",
                            input.name()
                        ),
                        doc,
                        base: &base,
                    },
                    master,
                )?;
                c.response = Some(rname);
                c.warm_start = Some(t0);
                out.push(c);
            }
        }
    }
    if cfg.experiments.contains(&3) {
        for scope in SCOPES {
            for p in PLATFORM_COUNTS {
                let mut doc = base_doc(cfg.compete_steps, &bias, &mkt);
                doc["response"] = json!({ "kind": "hard-max-random", "eps": 0.1 });
                doc["reputation"] = json!(scope);
                doc["platforms"] = Value::Array(
                    (1..=p)
                        .map(|k| {
                            json!({ "name": format!("platform {k}"), "ranking": "thompson",
                                    "warm_start": 20 })
                        })
                        .collect(),
                );
                let mut c = build(
                    Arm {
                        experiment: 3,
                        input,
                        key: format!("e3-{}-{scope}-p{p}", input.name()),
                        label: format!("{scope}, P = {p}"),
                        seed_label: format!(
                            "learning-in-the-loop/e3/{}/{scope}/P={p}",
                            input.name()
                        ),
                        doc,
                        base: &base,
                    },
                    master,
                )?;
                c.scope = Some(scope);
                c.platforms = Some(p);
                out.push(c);
            }
        }
    }
    Ok(out)
}
