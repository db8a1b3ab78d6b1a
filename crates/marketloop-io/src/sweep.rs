//! Parameter sweeps: the cartesian product of parameter values over a base experiment spec,
//! each cell with its replicates, gathered into one tidy table.
//!
//! A cell's seed is derived from the sweep's master seed and the cell's *canonical label*
//! (its parameters, sorted by path, values as canonical JSON) with
//! [`marketloop_core::rng::SeedSequence::derive`]. A cell's results therefore do not depend on
//! the backend, the worker count, the order of execution, or which other cells are in the grid.
//! Cell seeds lie in [0, 2^63), so any cell can be rerun alone from a TOML spec or the CLI.
//!
//! Parameters are dotted paths into the base spec (`"ranking.strategy"`, `"r"`, `"firms.0.algorithm"`);
//! array elements are addressed by index. The parent of a path must exist in the base spec; the
//! leaf may be new (an optional field left to its default).
//!
//! Finished cells are written atomically to `DIR/cells/<hash>.json` when a folder is given, so an
//! interrupted sweep resumes from the cells already written.
//!
//! A sweep file for `marketloop sweep SWEEP.toml` ([`SweepFile::load`]):
//!
//! ```toml
//! kind = "market"            # market | market-equilibrium | market-dynamics | compete
//! runs = 20                  # replicates per cell
//! seed = 1                   # master seed
//! spec_file = "market.toml"  # optional: the base spec (relative to this file) ...
//! [spec]                     # ... and/or inline fields (these win over spec_file's)
//! steps = 20000
//! every = 1000
//! [grid]                     # parameter path -> values; every combination is one cell
//! feedback = [0.25, 0.5, 0.75]
//! "ranking.strategy" = ["random", "popularity", "quality"]
//! ```
//!
//! File references inside the base spec are relative to the folder of `spec_file` (or of the
//! sweep file when the spec is inline).

use crate::atomic::write_json_atomic;
use crate::experiment::{Experiments, Kind};
use crate::spec::limits::{at_most, Footprint, MAX_CELLS, MAX_RUNS};
use crate::spec::values::Checked;
use crate::table::{Column, Table};
use crate::IoError;
use marketloop_core::rng::{stable_hash, SeedSequence};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A sweep: a base spec of some experiment kind, a grid of parameter values, replicates per
/// cell and a master seed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SweepSpec {
    /// Which experiment the base spec describes (e.g. `"market"`, `"compete"`).
    pub kind: Kind,
    /// Replicates per cell.
    pub runs: u64,
    /// The sweep's master seed.
    pub seed: u64,
    /// The base spec (the same document a single experiment of `kind` takes).
    pub spec: Value,
    /// Parameter path -> values. Every combination is one cell.
    pub grid: BTreeMap<String, Vec<Value>>,
}

/// One cell of a sweep.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Cell {
    /// Position in the grid's enumeration order (for display only; never used for seeding).
    pub index: usize,
    /// Parameter path -> value for this cell.
    pub params: BTreeMap<String, Value>,
    /// Canonical label: `path=json;path=json`, sorted by path.
    pub label: String,
    /// The cell's master seed, derived from the sweep seed and the label.
    pub seed: u64,
    /// The base spec with this cell's parameters applied.
    pub spec: Value,
}

/// Runs one cell of one experiment kind: `runs` replicates of `spec` with master seed `seed`,
/// returning one tidy table (one row per replicate x measurement).
pub trait CellRunner: Sync {
    /// Runs a cell.
    fn run_cell(&self, kind: Kind, spec: &Value, seed: u64, runs: u64) -> Result<Table, IoError>;

    /// Checks a cell without running it and estimates the memory its run needs (its results
    /// stay in memory until the sweep's table is written). The default: valid, nothing.
    fn cell_footprint(
        &self,
        kind: Kind,
        spec: &Value,
        seed: u64,
        runs: u64,
    ) -> Result<Footprint, IoError> {
        let _ = (kind, spec, seed, runs);
        Ok(Footprint::new())
    }
}

/// Cells run through the experiment layer (the same executor as the CLI and Python).
impl CellRunner for Experiments {
    fn run_cell(&self, kind: Kind, spec: &Value, seed: u64, runs: u64) -> Result<Table, IoError> {
        self.run(kind, spec, seed, runs)
    }

    fn cell_footprint(
        &self,
        kind: Kind,
        spec: &Value,
        seed: u64,
        runs: u64,
    ) -> Result<Footprint, IoError> {
        self.resolve(kind, spec)?
            .footprint(&crate::experiment::Plan::new(seed, runs))
    }
}

/// Checks every cell of `sweep` before any runs (each names its cell when it fails) and the
/// memory of the whole sweep (every cell's results are gathered into one table) against the
/// memory budget.
pub fn admit(sweep: &SweepSpec, cells: &[Cell], runner: &dyn CellRunner) -> Result<(), IoError> {
    let mut total = Footprint::new();
    for c in cells {
        let f = runner
            .cell_footprint(sweep.kind, &c.spec, c.seed, sweep.runs)
            .map_err(|e| IoError::Cell {
                label: c.label.clone(),
                source: Box::new(e),
            })?;
        total.extend(f);
    }
    total.check()
}

impl SweepSpec {
    /// Checks the grid: at least one replicate (at most [`MAX_RUNS`]), every parameter with at
    /// least one value, at most [`MAX_CELLS`] cells, and no run settings in a compete base spec
    /// or grid that the sweep would override (the sweep's `runs` and its derived cell seeds
    /// are what every cell runs with).
    pub fn validate(&self) -> Result<(), IoError> {
        if self.runs == 0 {
            return Err(IoError::spec(
                "runs",
                "sweep runs = 0 is not allowed: give at least 1 replicate per cell",
            ));
        }
        at_most("runs", self.runs, MAX_RUNS)?;
        if self.kind == Kind::Compete {
            self.check_run_settings()?;
        }
        for (path, values) in &self.grid {
            if path.is_empty() {
                return Err(IoError::spec(
                    "grid",
                    "sweep grid has an empty parameter path",
                ));
            }
            if values.is_empty() {
                return Err(IoError::spec(
                    format!("grid.{path}"),
                    format!("sweep grid parameter {path:?} has no values: give at least one"),
                ));
            }
        }
        self.n_cells().map(|_| ())
    }

    /// The number of cells: the product of the numbers of values, at most [`MAX_CELLS`]
    /// (checked, so a large grid is an error, never a wrapped count).
    pub fn n_cells(&self) -> Result<usize, IoError> {
        let mut total: u64 = 1;
        for values in self.grid.values() {
            total = total
                .checked_mul(values.len() as u64)
                .filter(|&t| t <= MAX_CELLS)
                .ok_or_else(|| {
                    let sizes: Vec<String> =
                        self.grid.values().map(|v| v.len().to_string()).collect();
                    IoError::spec(
                        "grid",
                        format!(
                            "the grid has {} cells ({}), above the maximum {MAX_CELLS}: sweep fewer \
                             values",
                            cell_count_text(&self.grid),
                            sizes.join(" x "),
                        ),
                    )
                })?;
        }
        Ok(total as usize)
    }

    /// A compete base spec or grid must not set `seed` or `runs`: a sweep runs every cell with
    /// its own `runs` and a seed derived from its own `seed`, so such a value would be
    /// silently overridden (a base `runs` equal to the sweep's is allowed).
    fn check_run_settings(&self) -> Result<(), IoError> {
        for key in ["seed", "runs"] {
            if self.grid.contains_key(key) {
                return Err(IoError::spec(
                    format!("grid.{key}"),
                    format!(
                        "grid.{key}: a compete sweep cannot vary {key}: every cell runs the \
                         sweep's runs = {} with a seed derived from the sweep's seed = {}; set \
                         `{key}` of the sweep instead",
                        self.runs, self.seed
                    ),
                ));
            }
        }
        if let Some(v) = self.spec.get("seed") {
            return Err(IoError::spec(
                "spec.seed",
                format!(
                    "spec.seed = {v}: the base compete spec sets a seed, but a sweep runs every \
                     cell with a seed derived from the sweep's seed = {}; remove `seed` from the \
                     base spec (or set the sweep's `seed`)",
                    self.seed
                ),
            ));
        }
        match self.spec.get("runs") {
            Some(v) if v.as_u64() != Some(self.runs) => Err(IoError::spec(
                "spec.runs",
                format!(
                    "spec.runs = {v}: the base compete spec sets runs, but a sweep runs every \
                     cell with the sweep's runs = {}; remove `runs` from the base spec (or make \
                     the two equal)",
                    self.runs
                ),
            )),
            _ => Ok(()),
        }
    }

    /// Every cell of the grid (the cartesian product, last parameter varying fastest).
    pub fn cells(&self) -> Result<Vec<Cell>, IoError> {
        self.validate()?;
        let paths: Vec<&String> = self.grid.keys().collect();
        let sizes: Vec<usize> = self.grid.values().map(Vec::len).collect();
        let total = self.n_cells()?;
        // Every cell holds its own copy of the base spec.
        let spec_bytes = serde_json::to_string(&self.spec).map_or(0, |t| t.len()) as u128;
        Footprint::new()
            .add(
                "grid",
                "the cells' specs",
                total as u128,
                2 * spec_bytes + 256,
            )
            .check()?;
        let master = SeedSequence::new(self.seed);
        let mut cells = Vec::with_capacity(total);
        for index in 0..total {
            let mut rest = index;
            let mut params = BTreeMap::new();
            for (k, path) in paths.iter().enumerate().rev() {
                let i = rest % sizes[k];
                rest /= sizes[k];
                params.insert((*path).clone(), self.grid[*path][i].clone());
            }
            let label = canonical_label(&params);
            let mut spec = self.spec.clone();
            for (path, value) in &params {
                set_path(&mut spec, path, value.clone())?;
            }
            cells.push(Cell {
                index,
                // Below 2^63, so every cell can be rerun from a TOML spec (TOML integers are i64).
                seed: master.derive(&label).master() & (i64::MAX as u64),
                label,
                params,
                spec,
            });
        }
        Ok(cells)
    }
}

/// A sweep read from a TOML file, with the folder its spec's file references are relative to.
#[derive(Clone, Debug, PartialEq)]
pub struct SweepFile {
    /// The sweep.
    pub sweep: SweepSpec,
    /// The folder file references in the base spec are relative to.
    pub base: PathBuf,
}

/// A sweep file as written (unknown keys are rejected, naming the allowed ones).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SweepToml {
    kind: Option<Checked<String>>,
    runs: Option<Checked<u64>>,
    seed: Option<Checked<u64>>,
    spec_file: Option<Checked<String>>,
    spec: Option<Checked<serde_json::Map<String, Value>>>,
    grid: Option<Checked<serde_json::Map<String, Value>>>,
}

fn toml_table(text: &str, path: &Path) -> Result<toml::Table, IoError> {
    text.parse().map_err(|e: toml::de::Error| {
        let place = e.span().map(|s| {
            let before = &text[..s.start.min(text.len())];
            let line = before.matches('\n').count() + 1;
            let col = before.len() - before.rfind('\n').map_or(0, |k| k + 1) + 1;
            format!("line {line}, column {col}: ")
        });
        IoError::Invalid {
            path: path.to_path_buf(),
            message: format!(
                "malformed TOML: {}{}",
                place.unwrap_or_default(),
                e.message()
            ),
        }
    })
}

impl SweepFile {
    /// Reads and validates the sweep file at `path` (see the module docs for the format).
    pub fn load(path: &Path) -> Result<Self, IoError> {
        let text = std::fs::read_to_string(path).map_err(|e| IoError::os(path, e))?;
        Self::parse(&text, path)
    }

    /// Parses sweep TOML `text`; `path` names it in errors and locates `spec_file`.
    pub fn parse(text: &str, path: &Path) -> Result<Self, IoError> {
        let err = |field: &str, message: String| IoError::file_spec(path, field, message);
        let doc: SweepToml = crate::spec::market::from_toml(text, path, "sweep")?;
        let folder = path
            .parent()
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
        let kinds = Kind::names().join(", ");
        let kind: Kind = match &doc.kind {
            Some(Checked::Valid(k)) => k.parse().map_err(|_| {
                err(
                    "kind",
                    format!("kind = {k:?} is not known; allowed: {kinds}"),
                )
            })?,
            Some(Checked::Invalid(v)) => {
                return Err(err(
                    "kind",
                    format!("kind = {v} must be a string, one of {kinds}"),
                ))
            }
            None => return Err(err("kind", format!("kind is missing; one of {kinds}"))),
        };
        let whole = |key: &str, v: &Option<Checked<u64>>, default: Option<u64>| match v {
            Some(Checked::Valid(i)) => Ok(*i),
            Some(Checked::Invalid(v)) => {
                Err(err(key, format!("{key} = {v} must be a whole number >= 0")))
            }
            None => default.ok_or_else(|| err(key, format!("{key} is missing"))),
        };
        // Kinds without replicates need no `runs` line; any value is recorded and unused.
        let runs = whole("runs", &doc.runs, (!kind.replicated()).then_some(1))?;
        let seed = whole("seed", &doc.seed, Some(0))?;
        let (mut spec, base) = match &doc.spec_file {
            None => (serde_json::Map::new(), folder.clone()),
            Some(Checked::Valid(f)) => {
                let p = folder.join(f);
                let text = std::fs::read_to_string(&p).map_err(|e| {
                    err(
                        "spec_file",
                        format!("spec_file = {f:?}: {}", IoError::os(&p, e)),
                    )
                })?;
                let base = p
                    .parent()
                    .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
                let table = toml_table(&text, &p)?;
                let map = match serde_json::to_value(&table) {
                    Ok(Value::Object(map)) => map,
                    _ => {
                        return Err(err(
                            "spec_file",
                            format!("spec_file = {f:?}: not a table of fields"),
                        ))
                    }
                };
                (map, base)
            }
            Some(Checked::Invalid(v)) => {
                return Err(err(
                    "spec_file",
                    format!("spec_file = {v} must be a file name (string)"),
                ))
            }
        };
        match &doc.spec {
            None => {}
            Some(Checked::Valid(t)) => {
                for (k, v) in t {
                    spec.insert(k.clone(), v.clone());
                }
            }
            Some(Checked::Invalid(v)) => {
                return Err(err(
                    "spec",
                    format!("spec = {v} must be a [spec] table of fields"),
                ))
            }
        }
        if doc.spec.is_none() && doc.spec_file.is_none() {
            return Err(err(
                "spec",
                "the base spec is missing: give spec_file = \"market.toml\" and/or a [spec] table"
                    .into(),
            ));
        }
        let mut grid = BTreeMap::new();
        match &doc.grid {
            Some(Checked::Valid(t)) => {
                // Dotted keys (`ranking.strategy = [..]`) and sub-tables (`[grid.ranking]`)
                // are TOML tables: flatten them back into dotted parameter paths.
                let mut stack: Vec<(String, &serde_json::Map<String, Value>)> =
                    vec![(String::new(), t)];
                while let Some((prefix, table)) = stack.pop() {
                    for (k, v) in table {
                        let path = if prefix.is_empty() {
                            k.clone()
                        } else {
                            format!("{prefix}.{k}")
                        };
                        match v {
                            Value::Object(sub) => stack.push((path, sub)),
                            Value::Array(values) => {
                                grid.insert(path, values.clone());
                            }
                            other => {
                                return Err(err(
                                    &format!("grid.{path}"),
                                    format!(
                                    "grid.{path} = {other} must be a list of values (one per cell)"
                                ),
                                ))
                            }
                        }
                    }
                }
            }
            Some(Checked::Invalid(v)) => {
                return Err(err("grid", format!("grid = {v} must be a [grid] table")))
            }
            None => {
                return Err(err(
                    "grid",
                    "grid is missing: give a [grid] table of parameter = [values]".into(),
                ))
            }
        }
        let sweep = SweepSpec {
            kind,
            runs,
            seed,
            spec: Value::Object(spec),
            grid,
        };
        sweep.validate()?;
        Ok(Self { sweep, base })
    }
}

/// The product of the numbers of values of `grid`, as text (exact, however large).
fn cell_count_text(grid: &BTreeMap<String, Vec<Value>>) -> String {
    let total = grid
        .values()
        .try_fold(1u128, |t, v| t.checked_mul(v.len() as u128));
    match total {
        Some(t) => t.to_string(),
        None => {
            let log10: f64 = grid.values().map(|v| (v.len() as f64).log10()).sum();
            format!("about 10^{log10:.0}")
        }
    }
}

/// The canonical label of a cell's parameters: `path=json;path=json`, sorted by path.
pub fn canonical_label(params: &BTreeMap<String, Value>) -> String {
    params
        .iter()
        .map(|(k, v)| format!("{k}={}", canonical_json(v)))
        .collect::<Vec<_>>()
        .join(";")
}

fn canonical_json(v: &Value) -> String {
    // serde_json's Map is a BTreeMap without the `preserve_order` feature: keys come out sorted.
    serde_json::to_string(v).unwrap_or_default()
}

/// Sets `path` (dotted, array indices as numbers) in `doc` to `value`.
pub fn set_path(doc: &mut Value, path: &str, value: Value) -> Result<(), IoError> {
    let parts: Vec<&str> = path.split('.').collect();
    let (leaf, parents) = parts.split_last().expect("split yields at least one part");
    let mut node = doc;
    for (depth, part) in parents.iter().enumerate() {
        let so_far = parts[..=depth].join(".");
        node = match node {
            Value::Object(map) => map.get_mut(*part),
            Value::Array(items) => part.parse::<usize>().ok().and_then(|i| items.get_mut(i)),
            _ => None,
        }
        .ok_or_else(|| {
            IoError::spec(
                format!("grid.{path}"),
                format!("sweep parameter {path:?}: {so_far:?} does not exist in the base spec"),
            )
        })?;
    }
    match node {
        Value::Object(map) => {
            map.insert((*leaf).to_string(), value);
            Ok(())
        }
        Value::Array(items) => {
            let i = leaf.parse::<usize>().ok().filter(|&i| i < items.len());
            let i = i.ok_or_else(|| {
                IoError::spec(
                    format!("grid.{path}"),
                    format!(
                        "sweep parameter {path:?}: index {leaf:?} is not within the {} elements there",
                        items.len()
                    ),
                )
            })?;
            items[i] = value;
            Ok(())
        }
        _ => Err(IoError::spec(
            format!("grid.{path}"),
            format!(
                "sweep parameter {path:?}: its parent is not a table or an array in the base spec"
            ),
        )),
    }
}

fn cell_file(dir: &Path, cell: &Cell) -> PathBuf {
    dir.join("cells").join(format!(
        "{:016x}.json",
        stable_hash(cell.seed, cell.label.as_bytes())
    ))
}

#[derive(Serialize, Deserialize)]
struct StoredCell {
    label: String,
    seed: u64,
    runs: u64,
    columns: Vec<(String, StoredColumn)>,
}

#[derive(Serialize, Deserialize)]
enum StoredColumn {
    F64(Vec<f64>),
    I64(Vec<i64>),
    Str(Vec<String>),
}

fn store(table: &Table) -> Vec<(String, StoredColumn)> {
    table
        .names()
        .iter()
        .zip(table.columns())
        .map(|(n, c)| {
            let s = match c {
                Column::F64(v) => StoredColumn::F64(v.clone()),
                Column::I64(v) => StoredColumn::I64(v.clone()),
                Column::Str(v) => StoredColumn::Str(v.clone()),
            };
            (n.clone(), s)
        })
        .collect()
}

fn restore(columns: Vec<(String, StoredColumn)>) -> Result<Table, IoError> {
    let mut t = Table::new();
    for (n, c) in columns {
        let c = match c {
            StoredColumn::F64(v) => Column::F64(v),
            StoredColumn::I64(v) => Column::I64(v),
            StoredColumn::Str(v) => Column::Str(v),
        };
        t.push(&n, c)?;
    }
    Ok(t)
}

/// Runs one cell and prefixes its table with the cell's parameter columns (`param:PATH`, as
/// canonical JSON text) and its label and seed.
pub fn run_one_cell(
    kind: Kind,
    runs: u64,
    cell: &Cell,
    runner: &dyn CellRunner,
) -> Result<Table, IoError> {
    let inner = runner
        .run_cell(kind, &cell.spec, cell.seed, runs)
        .map_err(|e| IoError::Cell {
            label: cell.label.clone(),
            source: Box::new(e),
        })?;
    let n = inner.n_rows();
    let mut t = Table::new();
    t.push("cell", Column::Str(vec![cell.label.clone(); n]))?;
    t.push("cell_seed", Column::Str(vec![cell.seed.to_string(); n]))?;
    for (path, value) in &cell.params {
        let text = match value {
            Value::String(s) => s.clone(),
            other => canonical_json(other),
        };
        t.push(&format!("param:{path}"), Column::Str(vec![text; n]))?;
    }
    for (name, col) in inner.names().iter().zip(inner.columns()) {
        t.push(name, col.clone())?;
    }
    Ok(t)
}

/// Runs a sweep on this machine (cells in parallel on rayon's pool) and returns the tidy table,
/// cells in grid order. With `dir`, finished cells are stored there and reused on a later call
/// (resume); `on_cell` is called after each cell with the number of cells done.
pub fn run_sweep_local(
    sweep: &SweepSpec,
    runner: &dyn CellRunner,
    dir: Option<&Path>,
    on_cell: &(dyn Fn(usize) + Sync),
) -> Result<Table, IoError> {
    let cells = sweep.cells()?;
    admit(sweep, &cells, runner)?;
    let done = std::sync::atomic::AtomicUsize::new(0);
    let tables: Vec<Table> = cells
        .par_iter()
        .map(|cell| {
            let t = load_or_run(sweep, cell, runner, dir)?;
            on_cell(done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1);
            Ok(t)
        })
        .collect::<Result<_, IoError>>()?;
    let mut all = Table::new();
    for t in &tables {
        all.append(t)?;
    }
    Ok(all)
}

/// Loads a cell stored under `dir` by an earlier run of the same sweep, if there is one.
pub fn load_cell(sweep: &SweepSpec, cell: &Cell, dir: &Path) -> Result<Option<Table>, IoError> {
    let path = cell_file(dir, cell);
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(IoError::os(path, e)),
    };
    let stored: StoredCell = serde_json::from_slice(&bytes).map_err(|source| IoError::Json {
        path: path.clone(),
        source,
    })?;
    if stored.label == cell.label && stored.seed == cell.seed && stored.runs == sweep.runs {
        restore(stored.columns).map(Some)
    } else {
        Ok(None)
    }
}

/// Stores a finished cell under `dir` atomically, for a later resume.
pub fn save_cell(sweep: &SweepSpec, cell: &Cell, table: &Table, dir: &Path) -> Result<(), IoError> {
    let stored = StoredCell {
        label: cell.label.clone(),
        seed: cell.seed,
        runs: sweep.runs,
        columns: store(table),
    };
    write_json_atomic(&cell_file(dir, cell), &stored)
}

/// Loads a cell stored under `dir` by an earlier run, or runs it (and stores it when `dir` is
/// given).
pub fn load_or_run(
    sweep: &SweepSpec,
    cell: &Cell,
    runner: &dyn CellRunner,
    dir: Option<&Path>,
) -> Result<Table, IoError> {
    if let Some(dir) = dir {
        if let Some(t) = load_cell(sweep, cell, dir)? {
            return Ok(t);
        }
    }
    let t = run_one_cell(sweep.kind, sweep.runs, cell, runner)?;
    if let Some(dir) = dir {
        save_cell(sweep, cell, &t, dir)?;
    }
    Ok(t)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn runs_is_needed_only_by_kinds_with_replicates() {
        let eq =
            "kind = \"market-equilibrium\"\n[spec]\nfeedback = 0.5\n[grid]\nfeedback = [0.25]\n";
        assert_eq!(
            SweepFile::parse(eq, Path::new("s.toml"))
                .unwrap()
                .sweep
                .runs,
            1
        );
        let bayes = "kind = \"bayes\"\n[spec]\nk = 3\n[grid]\nt = [10, 20]\n";
        assert_eq!(
            SweepFile::parse(bayes, Path::new("s.toml"))
                .unwrap()
                .sweep
                .runs,
            1
        );
        let compete = "kind = \"compete\"\n[spec]\nk = 3\n[grid]\nt = [10, 20]\n";
        let e = SweepFile::parse(compete, Path::new("s.toml")).unwrap_err();
        assert_eq!(e.field().as_deref(), Some("runs"), "{e}");
    }

    #[test]
    fn sweep_files_reject_unknown_keys_naming_the_allowed_ones() {
        let text = "kind = \"compete\"\nruns = 2\n[spec]\nt = 10\n[grid]\nt0 = [1, 2]\n";
        let f = SweepFile::parse(text, Path::new("s.toml")).unwrap();
        assert_eq!(f.sweep.spec, json!({"t": 10}));
        assert_eq!(f.sweep.grid["t0"], vec![json!(1), json!(2)]);
        let e = SweepFile::parse(&format!("colour = 1\n{text}"), Path::new("s.toml")).unwrap_err();
        assert_eq!(e.field().as_deref(), Some("colour"));
        assert!(
            e.to_string()
                .contains("unknown key `colour`; allowed: kind, runs, seed, spec_file, spec, grid"),
            "{e}"
        );
        let e = SweepFile::parse(&text.replace("runs = 2", "runs = -2"), Path::new("s.toml"))
            .unwrap_err();
        assert!(
            e.to_string().contains("runs = -2 must be a whole number"),
            "{e}"
        );
    }

    #[test]
    fn sweep_file_errors_name_their_field() {
        let text = "kind = \"compete\"\nruns = 2\n[spec]\nt = 10\n[grid]\nt0 = [1, 2]\n";
        for (bad, field) in [
            (text.replace("runs = 2", "runs = -2"), "runs"),
            (text.replace("runs = 2\n", ""), "runs"),
            (
                text.replace("kind = \"compete\"", "kind = \"nope\""),
                "kind",
            ),
            (text.replace("kind = \"compete\"", "kind = 3"), "kind"),
            (text.replace("t0 = [1, 2]", "t0 = 1"), "grid.t0"),
            (
                text.replace("runs = 2", "runs = 2\nspec_file = 5"),
                "spec_file",
            ),
            (
                text.replace("runs = 2", "runs = 2\nspec_file = \"/nonexistent.toml\""),
                "spec_file",
            ),
            (text.replace("[spec]\nt = 10\n", ""), "spec"),
            (text.replace("[grid]\nt0 = [1, 2]\n", ""), "grid"),
            (text.replace("runs = 2", "runs = 100000000000000"), "runs"),
        ] {
            let e = SweepFile::parse(&bad, Path::new("s.toml")).unwrap_err();
            assert_eq!(e.field().as_deref(), Some(field), "{bad}: {e}");
            assert!(
                e.to_string().starts_with("s.toml: ") || field == "runs",
                "{e}"
            );
        }
    }

    #[test]
    fn compete_run_settings_in_the_base_spec_are_not_silently_overridden() {
        let base = "kind = \"compete\"\nruns = 2\nseed = 4\n[spec]\nt = 10\n";
        for (extra, grid, field) in [
            ("seed = 7\n", "t0 = [1, 2]", "spec.seed"),
            ("runs = 9\n", "t0 = [1, 2]", "spec.runs"),
            ("", "seed = [1, 2]", "grid.seed"),
            ("", "runs = [1, 2]", "grid.runs"),
        ] {
            let text = format!("{base}{extra}[grid]\n{grid}\n");
            let e = SweepFile::parse(&text, Path::new("s.toml")).unwrap_err();
            assert_eq!(e.field().as_deref(), Some(field), "{text}: {e}");
        }
        // The same runs as the sweep's overrides nothing.
        let text = format!("{base}runs = 2\n[grid]\nt0 = [1, 2]\n");
        assert!(SweepFile::parse(&text, Path::new("s.toml")).is_ok());
    }

    #[test]
    fn cell_counts_never_wrap() {
        let mut g = BTreeMap::new();
        for k in 0..64 {
            g.insert(format!("k{k}"), vec![json!(0), json!(1)]);
        }
        let e = sweep(g.clone()).cells().unwrap_err();
        assert_eq!(e.field().as_deref(), Some("grid"));
        assert!(e.to_string().contains("18446744073709551616 cells"), "{e}");
        let e = run_sweep_local(&sweep(g), &Echo, None, &|_| {}).unwrap_err();
        assert!(e.to_string().contains("above the maximum"), "{e}");
        let mut g = BTreeMap::new();
        for k in 0..30 {
            g.insert(format!("k{k}"), vec![json!(0), json!(1)]);
        }
        let e = sweep(g).cells().unwrap_err().to_string();
        assert!(e.contains("1073741824 cells"), "{e}");
        let mut g = BTreeMap::new();
        for k in 0..200 {
            g.insert(format!("k{k}"), vec![json!(0), json!(1), json!(2)]);
        }
        let e = sweep(g).cells().unwrap_err().to_string();
        assert!(e.contains("about 10^95 cells"), "{e}");
    }

    struct Echo;
    impl CellRunner for Echo {
        fn run_cell(&self, _k: Kind, spec: &Value, seed: u64, runs: u64) -> Result<Table, IoError> {
            let x = spec["x"].as_f64().unwrap_or(0.0);
            Table::new()
                .with("run", Column::I64((0..runs as i64).collect()))?
                .with(
                    "value",
                    Column::F64((0..runs).map(|r| x + (seed % 1000 + r) as f64).collect()),
                )
        }
    }

    fn sweep(grid: BTreeMap<String, Vec<Value>>) -> SweepSpec {
        SweepSpec {
            kind: Kind::Compete,
            runs: 2,
            seed: 9,
            spec: json!({"x": 0.0, "inner": {"y": 1}, "list": [1, 2]}),
            grid,
        }
    }

    #[test]
    fn cells_are_the_cartesian_product_with_stable_seeds() {
        let mut g = BTreeMap::new();
        g.insert("x".to_string(), vec![json!(1.0), json!(2.0)]);
        g.insert("inner.y".to_string(), vec![json!(5), json!(6), json!(7)]);
        let cells = sweep(g.clone()).cells().unwrap();
        assert_eq!(cells.len(), 6);
        assert_eq!(cells[0].spec["inner"]["y"], 5);
        // A cell's seed does not depend on which other cells are in the grid.
        let mut small = BTreeMap::new();
        small.insert("x".to_string(), vec![json!(2.0)]);
        small.insert("inner.y".to_string(), vec![json!(7)]);
        let one = sweep(small).cells().unwrap();
        let same = cells.iter().find(|c| c.label == one[0].label).unwrap();
        assert_eq!(same.seed, one[0].seed);
        assert_eq!(same.spec, one[0].spec);
    }

    #[test]
    fn bad_paths_and_empty_values_are_named() {
        let mut g = BTreeMap::new();
        g.insert("nope.y".to_string(), vec![json!(1)]);
        let e = sweep(g).cells().unwrap_err().to_string();
        assert!(e.contains("\"nope\" does not exist"), "{e}");
        let mut g = BTreeMap::new();
        g.insert("x".to_string(), vec![]);
        assert!(sweep(g)
            .cells()
            .unwrap_err()
            .to_string()
            .contains("no values"));
        let mut g = BTreeMap::new();
        g.insert("list.5".to_string(), vec![json!(1)]);
        assert!(sweep(g).cells().is_err());
    }

    #[test]
    fn resume_and_order_independence() {
        let mut g = BTreeMap::new();
        g.insert("x".to_string(), vec![json!(1.0), json!(2.0), json!(3.0)]);
        let s = sweep(g);
        let full = run_sweep_local(&s, &Echo, None, &|_| {}).unwrap();
        let dir = std::env::temp_dir().join(format!("ml-sweep-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let a = run_sweep_local(&s, &Echo, Some(&dir), &|_| {}).unwrap();
        let b = run_sweep_local(&s, &Echo, Some(&dir), &|_| {}).unwrap();
        assert_eq!(full, a);
        assert_eq!(a, b);
        assert_eq!(std::fs::read_dir(dir.join("cells")).unwrap().count(), 3);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
