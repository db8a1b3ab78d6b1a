//! `market dynamics`: the deterministic dynamic (eq. 6) of a market with fixed visibility from
//! its initial shares, as steps and as long `iteration, measure, value` rows.

use super::equilibrium::static_market;
use super::{Experiment, Outputs, Plan};
use crate::market_spec::ResolvedMarket;
use crate::report::{Report, Section};
use crate::table::{Column, Table};
use crate::IoError;
use marketloop_core::market::{deterministic_dynamics, DynamicsStep, Market, Objective};
use marketloop_core::rng::SeedSequence;
use serde_json::json;
use std::path::PathBuf;

/// The deterministic dynamic of a resolved market for a number of iterations.
#[derive(Clone, Debug)]
pub struct MarketDynamics {
    market: ResolvedMarket,
    fixed: Market,
    note: Option<String>,
    iterations: usize,
    shares: bool,
    source: Option<PathBuf>,
}

impl MarketDynamics {
    /// Finds the market with fixed visibility (see [`static_market`]); `shares` records the
    /// full share vector at every iteration; `source` names the spec file, if there is one.
    pub fn new(
        market: ResolvedMarket,
        source: Option<PathBuf>,
        iterations: usize,
        shares: bool,
    ) -> Result<Self, IoError> {
        crate::spec::limits::at_most(
            "iterations",
            iterations as u64,
            crate::spec::limits::MAX_ITERATIONS,
        )?;
        let (fixed, note) = static_market(&market)?;
        Ok(Self {
            market,
            fixed,
            note,
            iterations,
            shares,
            source,
        })
    }

    /// Why the effective visibility is used, if it is.
    pub fn note(&self) -> Option<&str> {
        self.note.as_deref()
    }
}

impl Experiment for MarketDynamics {
    const COMMAND: &'static str = "market dynamics";
    const ARM: &'static str = "dynamics";
    const PHASE: &'static str = "dynamics";
    const REPLICATED: bool = false;
    type Replicate = ();
    type Summary = Vec<DynamicsStep>;

    fn config(&self, _: &Plan) -> serde_json::Value {
        json!({
            "market_file": self.source,
            "market": self.market.config,
            "iterations": self.iterations,
            "shares": self.shares,
        })
    }

    /// One step per iteration (with the shares if recorded), about three times over (the steps,
    /// the long table and its text).
    fn footprint(&self, _: &Plan) -> crate::spec::limits::Footprint {
        let n = self.fixed.n_items() as u128;
        let per = 96 + if self.shares { 24 + 8 * n } else { 0 };
        let mut f = crate::spec::limits::Footprint::new();
        f.add(
            "iterations",
            "the dynamic's steps",
            self.iterations as u128 + 1,
            3 * per,
        );
        f
    }

    fn replicate(&self, _: SeedSequence, _: u64) -> Result<(), IoError> {
        Ok(())
    }

    fn summarize(&self, _: &Plan, _: Vec<()>) -> Result<Vec<DynamicsStep>, IoError> {
        Ok(deterministic_dynamics(
            &self.fixed,
            self.iterations,
            self.shares,
        )?)
    }

    /// Efficiency and entropy at every iteration, Psi and Gamma where they apply, and with
    /// `shares` one `share_j` row per item.
    fn table(&self, steps: &Vec<DynamicsStep>) -> Result<Table, IoError> {
        let mut it = Vec::new();
        let mut measure = Vec::new();
        let mut value = Vec::new();
        for s in steps {
            let mut push = |name: String, v: f64| {
                if v.is_finite() {
                    it.push(s.iteration as i64);
                    measure.push(name);
                    value.push(v);
                }
            };
            push("efficiency".into(), s.efficiency);
            push("entropy".into(), s.entropy);
            if let Objective::Value(v) = s.psi {
                push("psi".into(), v);
            }
            if let Objective::Value(v) = s.gamma {
                push("gamma".into(), v);
            }
            if let Some(sh) = &s.shares {
                for (j, &p) in sh.iter().enumerate() {
                    push(format!("share_{j}"), p);
                }
            }
        }
        Table::new()
            .with("iteration", Column::I64(it))?
            .with("measure", Column::Str(measure))?
            .with("value", Column::F64(value))
    }

    fn outputs(&self, _: &Plan, steps: &Vec<DynamicsStep>) -> Result<Outputs, IoError> {
        let table = self.table(steps)?;
        let source = super::source_name(self.source.as_deref());
        let mut out = Outputs {
            report: Some(Report {
                title: format!("marketloop market dynamics: {source}"),
                sections: vec![Section {
                    heading: format!("Deterministic dynamic (eq. 6) of {source}"),
                    paragraphs: vec![format!(
                        "{} iterations from the initial shares{}.",
                        self.iterations,
                        self.note
                            .as_ref()
                            .map(|n| format!(", {n}"))
                            .unwrap_or_default()
                    )],
                    tables: vec![("Last 10 rows".into(), super::tail(&table, 10)?)],
                    ..Section::default()
                }],
            }),
            ..Outputs::default()
        };
        out.table("dynamics", table);
        Ok(out)
    }
}
