//! # marketloop-io
//!
//! Everything that touches files: experiment specs (TOML), result tables (CSV, Parquet, JSON,
//! Markdown), run folders with atomic writes and resumable replicates, manifests, figures and
//! HTML reports.
//!
//! Modules:
//! - [`atomic`]: write-to-temp-then-rename file writes.
//! - [`compete_spec`]: the TOML spec of `marketloop compete` (competing bandits).
//! - [`table`]: typed column tables and their writers.
//! - [`run`]: run folders, manifests, and the per-replicate store behind `--resume`.
//! - [`figure`]: figures as data, rendered to SVG and PNG.
//! - [`manifest`]: what every output records about how it was made.
//! - [`market_spec`]: the market TOML of `marketloop market ...` (re-exports of [`spec::market`]).
//! - [`matrix`]: dense matrices in `.npy` and CSV files, and JSON group lists.
//! - [`parquet_writer`]: `Table::to_parquet`, Parquet files without Arrow.
//! - [`reproduce`]: the papers' experiments (config in, run folder out).
//! - [`report`]: reports as data, rendered to a self-contained HTML page.
//! - [`rerender`]: a run folder's report rebuilt from its tables and figures.
//! - [`experiment`]: the experiment layer: one type per experiment kind ([`experiment::Experiment`])
//!   and the one executor that runs any kind, with or without a run folder (CLI, Python, sweeps).
//! - [`spec`]: typed specs (serde structs, unknown keys rejected), resolved once into core types.
//! - [`study`]: our own studies of the papers' open questions (config in, run folder out).
//! - [`sweep`]: parameter grids over experiment specs, seeded per cell, resumable.
//! - [`sweep_report`]: a sweep's per-cell summary, a figure per swept parameter, its report.
#![deny(missing_docs)]

pub mod atomic;
pub mod compete_spec;
pub mod error;
pub mod experiment;
pub mod figure;
pub mod manifest;
pub mod market_spec;
pub mod matrix;
pub mod parquet_writer;
pub mod report;
pub mod reproduce;
pub mod rerender;
pub mod run;
pub mod spec;
pub mod study;
pub mod sweep;
pub mod sweep_folder;
pub mod sweep_report;
pub mod table;

pub use error::IoError;
pub use figure::{Figure, Series, SeriesStyle};
pub use manifest::Manifest;
pub use report::{Finding, Report, Section};
pub use run::RunDir;
pub use table::{Column, Table};
