//! What [`super::run`] returns besides the run folder: final numbers per arm, the findings
//! and the run's costs (serde, for the CLI's summary and Python).

use super::compute::ArmLabel;
use super::config::CulturalConfig;
use super::findings::SettingFindings;
use super::stats::ArmStats;
use marketloop_core::market::Trajectory;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// One arm's numbers at the last measurement.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ArmSummary {
    /// "homogeneous" or "heterogeneous".
    pub setting: String,
    /// Number of user types M.
    pub groups: usize,
    /// "random", "popularity" or "quality".
    pub strategy: String,
    /// The step of these numbers (the last measurement).
    pub step: u64,
    /// Median efficiency over runs.
    pub efficiency_median: f64,
    /// 25th percentile.
    pub efficiency_q25: f64,
    /// 75th percentile.
    pub efficiency_q75: f64,
    /// Median entropy (nats).
    pub entropy_median: f64,
    /// 25th percentile.
    pub entropy_q25: f64,
    /// 75th percentile.
    pub entropy_q75: f64,
    /// Users who tried nothing, summed over runs.
    pub idle: u64,
    /// CPU nanoseconds per simulated step of this arm (replicates simulated in this call only;
    /// None when every replicate was resumed).
    pub cpu_ns_per_step: Option<f64>,
}

/// A finding with its verdict and evidence (serialisable form of [`crate::report::Finding`]).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FindingSummary {
    /// The claim.
    pub claim: String,
    /// Whether this run supports it.
    pub holds: bool,
    /// The numbers behind the verdict.
    pub evidence: String,
}

/// What a reproduction returns (everything is also in the run folder).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CulturalSummary {
    /// The run folder.
    pub out: PathBuf,
    /// The resolved config.
    pub config: CulturalConfig,
    /// Final numbers per arm.
    pub arms: Vec<ArmSummary>,
    /// The qualitative findings.
    pub findings: Vec<FindingSummary>,
    /// Whether the run is at the paper's scale (step 299,000 measured, M = 100, all items).
    pub comparable_to_published: bool,
    /// Replicates loaded from an earlier run.
    pub resumed_replicates: usize,
    /// Steps simulated in this call.
    pub simulated_steps: u64,
    /// Wall-clock seconds per phase ("preferences", "simulate", "write", "total").
    pub timings: BTreeMap<String, f64>,
    /// Wall-clock nanoseconds per simulated step over the whole simulation phase (all threads).
    pub wall_ns_per_step: Option<f64>,
    /// Notes on the inputs (sources, cache use, held-out RMSE).
    pub notes: Vec<String>,
}

/// The summary of arm `label` from its bands, its runs and the (CPU ns, steps) simulated.
pub(super) fn arm_summary(
    label: &ArmLabel,
    st: &ArmStats,
    runs: &[Trajectory],
    (ns, steps): (u64, u64),
) -> ArmSummary {
    let last = st.last();
    ArmSummary {
        setting: label.setting_name().into(),
        groups: label.groups,
        strategy: label.strategy.into(),
        step: st.steps[last],
        efficiency_median: st.efficiency[last].median,
        efficiency_q25: st.efficiency[last].q25,
        efficiency_q75: st.efficiency[last].q75,
        entropy_median: st.entropy[last].median,
        entropy_q25: st.entropy[last].q25,
        entropy_q75: st.entropy[last].q75,
        idle: runs.iter().map(|t| t.idle).sum(),
        cpu_ns_per_step: (steps > 0).then(|| ns as f64 / steps as f64),
    }
}

/// Every finding of every setting, in order.
pub(super) fn finding_summaries(findings: &SettingFindings) -> Vec<FindingSummary> {
    findings
        .iter()
        .flat_map(|(_, f)| f.iter())
        .map(|f| FindingSummary {
            claim: f.claim.clone(),
            holds: f.holds,
            evidence: f.evidence.clone(),
        })
        .collect()
}
