//! Experiments by kind: the bridge from a spec document (TOML or JSON, as the CLI and the Python
//! package give it) to the engine and back to a tidy [`Table`]. The CLI, the Python bindings and
//! parameter sweeps all go through these functions, so the same spec and seed give the same
//! numbers everywhere.
//!
//! Kinds:
//! - `"compete"`: a [`crate::compete_spec`] document; one row per run (shares, EEOG, regrets).

use crate::compete_spec::CompeteSpec;
use crate::sweep::CellRunner;
use crate::table::{Column, Table};
use crate::IoError;
use marketloop_core::bandits::{CompetitionOutcome, Experiment};
use marketloop_core::rng::SeedSequence;
use marketloop_core::runner::Schedule;
use serde_json::Value;
use std::path::Path;

/// The experiment kinds marketloop can run from a spec document.
pub const KINDS: &[&str] = &["compete"];

/// Runs any kind of experiment from its spec document.
#[derive(Clone, Copy, Debug, Default)]
pub struct Experiments;

impl CellRunner for Experiments {
    fn run_cell(&self, kind: &str, spec: &Value, seed: u64, runs: u64) -> Result<Table, IoError> {
        match kind {
            "compete" => {
                let spec = compete_spec_from_value(spec, Some(seed), Some(runs))?;
                let outcomes = run_compete(&spec)?;
                compete_runs_table(&spec, &outcomes)
            }
            other => Err(IoError::Table(format!(
                "experiment kind {other:?} is not known; allowed: {}",
                KINDS.join(", ")
            ))),
        }
    }
}

/// Checks a spec document of `kind` without running it.
pub fn validate_spec(kind: &str, spec: &Value) -> Result<(), IoError> {
    match kind {
        "compete" => compete_spec_from_value(spec, None, None).map(|_| ()),
        other => Err(IoError::Table(format!(
            "experiment kind {other:?} is not known; allowed: {}",
            KINDS.join(", ")
        ))),
    }
}

/// A spec document (JSON value) as TOML text, so every front end shares one parser and its
/// error messages.
fn to_toml_text(spec: &Value, what: &str) -> Result<String, IoError> {
    toml::to_string(spec).map_err(|e| {
        IoError::Table(format!(
            "{what} spec cannot be read as a TOML document ({e}); give a table of fields"
        ))
    })
}

/// Resolves a `compete` spec given as a JSON value, optionally overriding its seed and runs.
pub fn compete_spec_from_value(
    spec: &Value,
    seed: Option<u64>,
    runs: Option<u64>,
) -> Result<CompeteSpec, IoError> {
    let mut doc = spec.clone();
    if let Value::Object(map) = &mut doc {
        if let Some(s) = seed {
            // TOML integers are i64: a u64 seed above i64::MAX travels as its two's complement.
            map.insert("seed".into(), Value::from(s as i64));
        }
        if let Some(r) = runs {
            map.insert("runs".into(), Value::from(r));
        }
    }
    let text = to_toml_text(&doc, "compete")?;
    CompeteSpec::from_toml(&text, Path::new("<compete spec>"))
}

/// Runs every game of a resolved `compete` spec (parallel over runs; deterministic).
pub fn run_compete(spec: &CompeteSpec) -> Result<Vec<CompetitionOutcome>, IoError> {
    let exp = Experiment::new(
        spec.instance.clone(),
        vec![spec.game.clone()],
        SeedSequence::new(spec.seed),
    )
    .map_err(|e| IoError::Table(e.to_string()))?;
    let mut cells = exp
        .run(spec.runs, Schedule::Parallel)
        .map_err(|e| IoError::Table(e.to_string()))?;
    Ok(cells.remove(0))
}

/// One row per run: each firm's market share, EEOG, market regret, per-firm game and
/// warm-start regret, final reputations and the monopoly regret.
pub fn compete_runs_table(
    spec: &CompeteSpec,
    outcomes: &[CompetitionOutcome],
) -> Result<Table, IoError> {
    let firms = spec.game.algorithms.len();
    let t = spec.game.t as f64;
    let mut runs = Table::new().with("run", Column::I64((0..outcomes.len() as i64).collect()))?;
    for i in 0..firms {
        runs.push(
            &format!("share_firm{}", i + 1),
            Column::F64(
                outcomes
                    .iter()
                    .map(|o| f64::from(o.chosen[i]) / t)
                    .collect(),
            ),
        )?;
    }
    runs.push(
        "eeog",
        Column::I64(outcomes.iter().map(|o| i64::from(o.eeog)).collect()),
    )?;
    runs.push(
        "market_regret",
        Column::F64(outcomes.iter().map(|o| o.regret).collect()),
    )?;
    for i in 0..firms {
        runs.push(
            &format!("regret_firm{}", i + 1),
            Column::F64(outcomes.iter().map(|o| o.firm_regret[i]).collect()),
        )?;
        runs.push(
            &format!("warm_start_regret_firm{}", i + 1),
            Column::F64(outcomes.iter().map(|o| o.warm_start_regret[i]).collect()),
        )?;
        runs.push(
            &format!("final_reputation_firm{}", i + 1),
            Column::F64(outcomes.iter().map(|o| o.final_reputation[i]).collect()),
        )?;
    }
    runs.push(
        "monopoly_regret",
        Column::F64(outcomes.iter().map(|o| o.monopoly_regret).collect()),
    )?;
    Ok(runs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn spec() -> Value {
        json!({"instance": "uniform", "k": 5, "algorithms": ["TS", "BG"], "t": 200, "t0": 10})
    }

    #[test]
    fn compete_cell_is_seeded_and_shares_sum_to_one() {
        let a = Experiments.run_cell("compete", &spec(), 7, 20).unwrap();
        let b = Experiments.run_cell("compete", &spec(), 7, 20).unwrap();
        let c = Experiments.run_cell("compete", &spec(), 8, 20).unwrap();
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_eq!(a.n_rows(), 20);
        let (Some(Column::F64(s1)), Some(Column::F64(s2))) =
            (a.column("share_firm1"), a.column("share_firm2"))
        else {
            panic!("share columns missing");
        };
        for (x, y) in s1.iter().zip(s2) {
            assert!((x + y - 1.0).abs() < 1e-12);
        }
    }

    #[test]
    fn unknown_kind_and_bad_fields_are_named() {
        let e = Experiments.run_cell("nope", &spec(), 1, 1).unwrap_err();
        assert!(e.to_string().contains("\"nope\""), "{e}");
        let mut bad = spec();
        bad["algorithms"] = json!(["TS", "XYZ"]);
        let e = Experiments.run_cell("compete", &bad, 1, 1).unwrap_err();
        assert!(e.to_string().contains("XYZ"), "{e}");
    }
}
