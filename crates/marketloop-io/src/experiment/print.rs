//! What the command line prints for each experiment kind: a human-readable summary and the
//! `--format json` document, made from a finished experiment's results.

use super::compete::{pm, Compete, CompeteSummary};
use super::equilibrium::EquilibriumReport;
use super::simulate::{MarketSimulate, SimulateSummary};
use super::{Finished, Plan};
use crate::IoError;
use marketloop_core::market::{DynamicsStep, Objective};
use serde_json::{json, Value};
use std::path::Path;

fn objective_json(o: &Objective) -> Value {
    match o {
        Objective::Value(v) if v.is_finite() => json!(v),
        Objective::Value(v) => json!(format!("{v}")),
        Objective::NotApplicable(why) => json!({ "not_applicable": why }),
    }
}

fn objective_text(o: &Objective) -> String {
    match o {
        Objective::Value(v) => format!("{v:.10}"),
        Objective::NotApplicable(why) => format!("not applicable ({why})"),
    }
}

fn note_suffix(note: Option<&str>) -> String {
    note.map(|n| format!(", {n}")).unwrap_or_default()
}

/// `market equilibrium --format json` of the market spec `source`.
pub fn equilibrium_json(e: &EquilibriumReport, source: &Path) -> Value {
    let (t, m) = (&e.tome, &e.measures);
    json!({
        "market": source,
        "note": e.note,
        "items": e.items,
        "types": e.types,
        "shares": t.shares,
        "method": t.method,
        "regime": t.regime,
        "iterations": t.iterations,
        "residual": t.residual,
        "converged": t.converged,
        "proven_unique": t.proven_unique,
        "efficiency": m.efficiency,
        "entropy": m.entropy,
        "total_utility": objective_json(&m.total_utility),
        "psi": objective_json(&m.psi),
        "gamma": objective_json(&m.gamma),
        "nash_welfare": match &m.nash_welfare {
            Ok(nw) => json!({
                "log_welfare": if nw.log_welfare.is_finite() { json!(nw.log_welfare) } else { json!(format!("{}", nw.log_welfare)) },
                "exponents": nw.exponents,
            }),
            Err(why) => json!({ "not_applicable": why }),
        },
    })
}

/// `market equilibrium` as text: the TOME, its objectives and the largest 20 shares.
pub fn equilibrium_text(e: &EquilibriumReport, source: &Path) -> String {
    let (t, m) = (&e.tome, &e.measures);
    let mut s = format!(
        "TOME of {} ({} items, {} user types){}\n",
        source.display(),
        e.items,
        e.types,
        note_suffix(e.note.as_deref())
    );
    s += &format!(
        "method          {:?}\nregime          {:?}\niterations      {}\nresidual        {:.3e}  (|p(phi) - phi|_1)\nconverged       {}\nproven unique   {}\n",
        t.method, t.regime, t.iterations, t.residual, t.converged, t.proven_unique
    );
    s += &format!(
        "efficiency      {:.10}\nentropy         {:.10} nats (max ln n = {:.4})\n",
        m.efficiency,
        m.entropy,
        (e.items as f64).ln()
    );
    s += &format!("total utility   {}\n", objective_text(&m.total_utility));
    s += &format!("Psi             {}\n", objective_text(&m.psi));
    s += &format!("Gamma           {}\n", objective_text(&m.gamma));
    match &m.nash_welfare {
        Ok(nw) => {
            let a: Vec<String> = nw
                .exponents
                .iter()
                .take(10)
                .map(|x| format!("{x:.6}"))
                .collect();
            s += &format!(
                "Nash welfare    ln = {:.10}, a* = [{}{}]\n",
                nw.log_welfare,
                a.join(", "),
                if nw.exponents.len() > 10 { ", ..." } else { "" }
            );
        }
        Err(why) => s += &format!("Nash welfare    not applicable ({why})\n"),
    }
    let mut idx: Vec<usize> = (0..e.items).collect();
    idx.sort_by(|&x, &y| t.shares[y].total_cmp(&t.shares[x]));
    let shown = idx.len().min(20);
    s += &format!(
        "shares ({}):\n",
        if shown < idx.len() {
            format!("the largest {shown} of {}", idx.len())
        } else {
            "all items".into()
        }
    );
    for &j in &idx[..shown] {
        s += &format!("  item {j:>6}  {:.10}\n", t.shares[j]);
    }
    s
}

/// `market dynamics --format json` of the market spec `source`.
pub fn dynamics_json(rows: &[DynamicsStep], source: &Path, note: Option<&str>) -> Value {
    json!({
        "market": source,
        "note": note,
        "rows": rows.iter().map(|x| {
            let mut o = json!({
                "iteration": x.iteration,
                "efficiency": x.efficiency,
                "entropy": x.entropy,
                "psi": objective_json(&x.psi),
                "gamma": objective_json(&x.gamma),
            });
            if let Some(sh) = &x.shares {
                o["shares"] = json!(sh);
            }
            o
        }).collect::<Vec<_>>(),
    })
}

fn short_objective(o: &Objective) -> String {
    match o {
        Objective::Value(v) => format!("{v:.10}"),
        Objective::NotApplicable(_) => "-".into(),
    }
}

/// `market dynamics` as text: one line per iteration (Psi and Gamma where they apply).
pub fn dynamics_text(rows: &[DynamicsStep], source: &Path, note: Option<&str>) -> String {
    let psi_applies = rows.iter().any(|x| matches!(x.psi, Objective::Value(_)));
    let gamma_applies = rows.iter().any(|x| matches!(x.gamma, Objective::Value(_)));
    let mut s = format!(
        "Deterministic dynamic (eq. 6) of {}{}\n",
        source.display(),
        note_suffix(note)
    );
    if !psi_applies {
        if let Some(Objective::NotApplicable(why)) = rows.first().map(|x| &x.psi) {
            s += &format!("Psi: not applicable ({why})\n");
        }
    }
    if !gamma_applies {
        if let Some(Objective::NotApplicable(why)) = rows.get(1).map(|x| &x.gamma) {
            s += &format!("Gamma: not applicable ({why})\n");
        }
    }
    s += &format!(
        "{:>9}  {:>14}  {:>14}",
        "iteration", "efficiency", "entropy"
    );
    if psi_applies {
        s += &format!("  {:>16}", "Psi");
    }
    if gamma_applies {
        s += &format!("  {:>16}", "Gamma(b^t)");
    }
    s += "\n";
    for x in rows {
        s += &format!(
            "{:>9}  {:>14.10}  {:>14.10}",
            x.iteration, x.efficiency, x.entropy
        );
        if psi_applies {
            s += &format!("  {:>16}", short_objective(&x.psi));
        }
        if gamma_applies {
            s += &format!("  {:>16}", short_objective(&x.gamma));
        }
        if let Some(sh) = &x.shares {
            let v: Vec<String> = sh.iter().map(|p| format!("{p:.6}")).collect();
            s += &format!("  [{}]", v.join(", "));
        }
        s += "\n";
    }
    s
}

fn ns_per_step(e: &MarketSimulate, plan: &Plan, f: &Finished<SimulateSummary>) -> f64 {
    let steps = e.simulation().steps();
    f.compute_seconds * 1e9 / ((plan.runs - f.resumed as u64).max(1) * steps) as f64
}

/// `market simulate --format json`: the run, and the quartiles at the last measurement.
pub fn simulate_json(
    e: &MarketSimulate,
    plan: &Plan,
    f: &Finished<SimulateSummary>,
    out: &Path,
) -> Value {
    let s = &f.summary;
    let k = s.steps.len() - 1;
    let (q, h) = (&s.efficiency, &s.entropy);
    json!({
        "out": out,
        "runs": plan.runs,
        "resumed_runs": f.resumed,
        "steps": e.simulation().steps(),
        "final": {
            "step": s.steps[k],
            "efficiency_median": q.median[k], "efficiency_q25": q.q25[k], "efficiency_q75": q.q75[k],
            "entropy_median": h.median[k], "entropy_q25": h.q25[k], "entropy_q75": h.q75[k],
        },
        "seconds": f.seconds,
        "ns_per_step": ns_per_step(e, plan, f),
    })
}

/// `market simulate` as text: the run's size and speed, and the quartiles at the last
/// measurement.
pub fn simulate_text(
    e: &MarketSimulate,
    plan: &Plan,
    f: &Finished<SimulateSummary>,
    out: &Path,
) -> String {
    let s = &f.summary;
    let k = s.steps.len() - 1;
    let (q, h) = (&s.efficiency, &s.entropy);
    format!(
        "{} runs x {} steps ({}; {} resumed) in {:.2} s ({:.0} ns per step)\n\
         at step {}: efficiency median {:.4} [{:.4}, {:.4}], entropy median {:.4} [{:.4}, {:.4}]\n\
         results in {}\n",
        plan.runs,
        e.simulation().steps(),
        e.simulation().visibility().name(),
        f.resumed,
        f.seconds,
        ns_per_step(e, plan, f),
        s.steps[k],
        q.median[k],
        q.q25[k],
        q.q75[k],
        h.median[k],
        h.q25[k],
        h.q75[k],
        out.display()
    )
}

/// `compete --format json`: the spec, the summaries by firm and for the market.
pub fn compete_json(
    e: &Compete,
    f: &Finished<CompeteSummary>,
    out: &Path,
) -> Result<Value, IoError> {
    Ok(json!({
        "spec": e.spec(), "firms": e.firms_table(&f.summary)?.to_json()?,
        "market": e.market_table(&f.summary)?.to_json()?,
        "resumed_runs": f.resumed, "seconds": f.seconds, "out": out,
    }))
}

/// `compete` as text: the heading, the table by firm, EEOG and market regret.
pub fn compete_text(
    e: &Compete,
    plan: &Plan,
    f: &Finished<CompeteSummary>,
    out: &Path,
) -> Result<String, IoError> {
    let c = &f.summary.cell;
    Ok(format!(
        "{}\n{}\nEEOG mean {:.1}, median {:.1}; market regret {}; {} runs in {:.2} s ({} resumed); results in {}\n",
        e.heading(),
        e.firms_table(&f.summary)?.to_markdown(3)?,
        c.eeog_mean,
        c.eeog_median,
        pm(&c.regret),
        plan.runs,
        f.seconds,
        f.resumed,
        out.display()
    ))
}
