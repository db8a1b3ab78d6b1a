//! `market equilibrium`: the trial-offer market equilibrium (TOME) of a market with fixed
//! visibility and every objective at it, as a report ([`EquilibriumReport`]) and as
//! `measure, value` rows.

use super::{Experiment, Outputs, Plan};
use crate::market_spec::ResolvedMarket;
use crate::report::{Report, Section};
use crate::table::{Column, Table};
use crate::IoError;
use marketloop_core::market::measures::Measures;
use marketloop_core::market::ranking::effective_visibility;
use marketloop_core::market::{
    solve_tome, Market, Objective, Regime, Tome, TomeOptions, Visibility,
};
use marketloop_core::rng::SeedSequence;
use serde::Serialize;
use serde_json::json;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// The default fixed-point tolerance (as `marketloop market equilibrium --tolerance`).
pub const DEFAULT_TOLERANCE: f64 = 1e-12;
/// The default iteration cap (as `marketloop market equilibrium --max-iterations`).
pub const DEFAULT_MAX_ITERATIONS: usize = 100_000;

/// The market with fixed visibility that the equilibrium theory applies to: the market itself,
/// or under a quality/fixed ranking its effective visibility vhat * iota(rank), with a note
/// saying so. Rankings that change with every step have none (an error naming
/// `ranking.strategy`).
pub fn static_market(r: &ResolvedMarket) -> Result<(Market, Option<String>), IoError> {
    match &r.visibility {
        Visibility::Static => Ok((r.market.clone(), None)),
        Visibility::Ranked { ranking, bias } => {
            let v = effective_visibility(&r.market, ranking, bias)?;
            let note = format!(
                "under the {} ranking, with the effective visibility v_ij = vhat_ij * iota(rank)",
                ranking.name()
            );
            Ok((r.market.with_visibility(v)?, Some(note)))
        }
    }
}

/// The TOME of a resolved market (see [`static_market`]) under a tolerance and iteration cap.
#[derive(Clone, Debug)]
pub struct MarketEquilibrium {
    market: ResolvedMarket,
    fixed: Market,
    note: Option<String>,
    options: TomeOptions,
    tolerance: f64,
    max_iterations: usize,
    shares: bool,
    source: Option<PathBuf>,
}

impl MarketEquilibrium {
    /// Validates the options and finds the market with fixed visibility; `shares` adds one
    /// `share_j` row per item to the table; `source` names the spec file, if there is one.
    pub fn new(
        market: ResolvedMarket,
        source: Option<PathBuf>,
        tolerance: f64,
        max_iterations: usize,
        shares: bool,
    ) -> Result<Self, IoError> {
        let options = TomeOptions::new(tolerance, max_iterations)?;
        let (fixed, note) = static_market(&market)?;
        Ok(Self {
            market,
            fixed,
            note,
            options,
            tolerance,
            max_iterations,
            shares,
            source,
        })
    }

    /// The market with fixed visibility the equilibrium is computed for.
    pub fn fixed_market(&self) -> &Market {
        &self.fixed
    }

    /// Solves the TOME and evaluates every objective at it.
    pub fn solve(&self) -> Result<EquilibriumReport, IoError> {
        let tome = solve_tome(&self.fixed, self.options)?;
        Ok(EquilibriumReport::new(&self.fixed, self.note.clone(), tome))
    }
}

/// The equilibrium of a market and every objective at it (the numbers of
/// `marketloop market equilibrium --format json`). Serialised flat: the [`Tome`]'s fields,
/// then the measures; objectives that do not apply are `None`, with the reason in
/// `not_applicable`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EquilibriumReport {
    /// Why the effective visibility was used, if it was.
    pub note: Option<String>,
    /// Items n.
    pub items: usize,
    /// User types m.
    pub types: usize,
    /// The TOME phi* and how it was computed.
    #[serde(flatten)]
    pub tome: Tome,
    /// Every measure at phi*, with the reasons where an objective does not apply.
    #[serde(skip)]
    pub measures: Measures,
    /// Efficiency E(phi*) (Def. 2.4).
    pub efficiency: f64,
    /// Entropy H(phi*) in nats (eq. 5).
    pub entropy: f64,
    /// Total utility (7), if finite.
    pub total_utility: Option<f64>,
    /// Psi (8), homogeneous markets.
    pub psi: Option<f64>,
    /// Gamma (14), q_ij = q_j.
    pub gamma: Option<f64>,
    /// ln of the ex-post Nash social welfare (13).
    pub log_nash_welfare: Option<f64>,
    /// Its exponents a_i*.
    pub nash_exponents: Option<Vec<f64>>,
    /// Objective -> why it does not apply (or why its value is not finite).
    pub not_applicable: BTreeMap<String, String>,
}

impl EquilibriumReport {
    /// Evaluates every objective of `market` at `tome`.
    pub fn new(market: &Market, note: Option<String>, tome: Tome) -> Self {
        let measures = Measures::at(market, &tome.shares);
        let mut not_applicable = BTreeMap::new();
        let mut obj = |name: &str, o: &Objective| -> Option<f64> {
            match o {
                Objective::Value(v) if v.is_finite() => Some(*v),
                Objective::Value(v) => {
                    not_applicable.insert(name.to_string(), format!("the value is {v}"));
                    None
                }
                Objective::NotApplicable(why) => {
                    not_applicable.insert(name.to_string(), why.clone());
                    None
                }
            }
        };
        let total_utility = obj("total_utility", &measures.total_utility);
        let psi = obj("psi", &measures.psi);
        let gamma = obj("gamma", &measures.gamma);
        let (log_nash_welfare, nash_exponents) = match &measures.nash_welfare {
            Ok(nw) if nw.log_welfare.is_finite() => {
                (Some(nw.log_welfare), Some(nw.exponents.clone()))
            }
            Ok(nw) => {
                not_applicable.insert(
                    "log_nash_welfare".into(),
                    format!("the value is {}", nw.log_welfare),
                );
                (None, Some(nw.exponents.clone()))
            }
            Err(why) => {
                not_applicable.insert("log_nash_welfare".into(), why.clone());
                (None, None)
            }
        };
        Self {
            note,
            items: market.n_items(),
            types: market.n_types(),
            efficiency: measures.efficiency,
            entropy: measures.entropy,
            tome,
            measures,
            total_utility,
            psi,
            gamma,
            log_nash_welfare,
            nash_exponents,
            not_applicable,
        }
    }

    /// The equilibrium as `measure, value` rows (objectives that do not apply are left out),
    /// with the method and regime on every row; with `shares`, one `share_j` row per item.
    pub fn table(&self, shares: bool) -> Result<Table, IoError> {
        let t = &self.tome;
        let mut rows: Vec<(String, f64)> = vec![
            ("efficiency".into(), self.efficiency),
            ("entropy".into(), self.entropy),
            ("iterations".into(), t.iterations as f64),
            ("residual".into(), t.residual),
            ("converged".into(), f64::from(u8::from(t.converged))),
            ("proven_unique".into(), f64::from(u8::from(t.proven_unique))),
        ];
        for (name, v) in [
            ("total_utility", self.total_utility),
            ("psi", self.psi),
            ("gamma", self.gamma),
            ("log_nash_welfare", self.log_nash_welfare),
        ] {
            if let Some(v) = v {
                rows.push((name.into(), v));
            }
        }
        if shares {
            rows.extend(
                t.shares
                    .iter()
                    .enumerate()
                    .map(|(j, &s)| (format!("share_{j}"), s)),
            );
        }
        rows.retain(|(_, v)| v.is_finite());
        let n = rows.len();
        let method = serde_json::to_value(t.method)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        let regime = match t.regime {
            Regime::WinnerTakesAll { item } => format!("winner_takes_all(item {item})"),
            other => serde_json::to_value(other)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_else(|| format!("{other:?}")),
        };
        Table::new()
            .with(
                "measure",
                Column::Str(rows.iter().map(|r| r.0.clone()).collect()),
            )?
            .with("value", Column::F64(rows.iter().map(|r| r.1).collect()))?
            .with("method", Column::Str(vec![method; n]))?
            .with("regime", Column::Str(vec![regime; n]))
    }
}

impl Experiment for MarketEquilibrium {
    const COMMAND: &'static str = "market equilibrium";
    const ARM: &'static str = "equilibrium";
    const PHASE: &'static str = "solve";
    const REPLICATED: bool = false;
    type Replicate = ();
    type Summary = EquilibriumReport;

    fn config(&self, _: &Plan) -> serde_json::Value {
        json!({
            "market_file": self.source,
            "market": self.market.config,
            "tolerance": self.tolerance,
            "max_iterations": self.max_iterations,
            "shares": self.shares,
        })
    }

    fn replicate(&self, _: SeedSequence, _: u64) -> Result<(), IoError> {
        Ok(())
    }

    fn summarize(&self, _: &Plan, _: Vec<()>) -> Result<EquilibriumReport, IoError> {
        self.solve()
    }

    fn table(&self, e: &EquilibriumReport) -> Result<Table, IoError> {
        e.table(self.shares)
    }

    fn outputs(&self, _: &Plan, e: &EquilibriumReport) -> Result<Outputs, IoError> {
        let table = self.table(e)?;
        let source = super::source_name(self.source.as_deref());
        let mut paragraphs = vec![format!(
            "{} items, {} user types{}. TOME by {:?} in {} iterations, residual {:.3e}, \
             converged {}, proven unique {}.",
            e.items,
            e.types,
            e.note
                .as_ref()
                .map(|n| format!(", {n}"))
                .unwrap_or_default(),
            e.tome.method,
            e.tome.iterations,
            e.tome.residual,
            e.tome.converged,
            e.tome.proven_unique
        )];
        paragraphs.extend(
            e.not_applicable
                .iter()
                .map(|(k, why)| format!("{k}: not applicable ({why})")),
        );
        let mut out = Outputs {
            report: Some(Report {
                title: format!("marketloop market equilibrium: {source}"),
                sections: vec![Section {
                    heading: format!("TOME of {source}"),
                    paragraphs,
                    tables: vec![("The equilibrium and its objectives".into(), table.clone())],
                    ..Section::default()
                }],
            }),
            ..Outputs::default()
        };
        out.table("equilibrium", table);
        Ok(out)
    }
}
