//! The report: the setup, one section per heterogeneous setting (its figures and findings) and
//! the comparison with the published values.

use super::config::{CulturalConfig, InputKind};
use super::figures::{stems, variant_name};
use super::findings::SettingFindings;
use super::tables::PUBLISHED_STEP;
use crate::report::{Report, Section};
use crate::table::Table;
use marketloop_data::Variant;

/// What the report is about besides the config.
pub(super) struct ReportInputs<'a> {
    /// Each setting's M.
    pub ms: &'a [usize],
    /// The findings of each heterogeneous setting.
    pub findings: &'a SettingFindings,
    /// The `published_comparison` table.
    pub comparison: &'a Table,
    /// Whether the run is at the paper's scale.
    pub comparable: bool,
    /// Notes on the inputs.
    pub notes: &'a [String],
    /// Number of items n.
    pub n_items: usize,
}

/// The whole report.
pub(super) fn build_report(cfg: &CulturalConfig, r: &ReportInputs<'_>) -> Report {
    let mut sections = vec![setup(cfg, r.n_items, r.notes)];
    for (s, f) in r.findings {
        let mut section = setting_section(cfg, r.ms[*s]);
        section.findings = f.clone();
        sections.push(section);
    }
    sections.push(comparison_section(cfg, r.comparison, r.comparable));
    Report {
        title: "Personalised cultural markets: ranking strategies on MovieLens-100K user types"
            .into(),
        sections,
    }
}

fn setup(cfg: &CulturalConfig, n: usize, notes: &[String]) -> Section {
    let (runs, steps, every) = cfg.runs_steps_every();
    let mut setup = Section {
        heading: "Setup".into(),
        ..Section::default()
    };
    setup.paragraphs.push(format!(
        "Zhu, Cheung & Xie, Section 5 and Appendix E. {n} items; settings: homogeneous (M = 1) \
         and heterogeneous M in {{{}}}; {} items; ranking strategies random, popularity (ties: \
         {}) and quality; the 50 MusicLab position weights; feedback exponent r = {}; initial \
         counts uniform in {{{}..{}}} per item and run; {runs} runs x {steps} steps, a \
         measurement every {every} steps; scale {}; master seed {}; protocol {} (quality \
         ties: {}). Every arm runs replicate \
         r from the same seed (common random numbers: same initial counts and user, choice and \
         purchase streams).",
        cfg.groups
            .iter()
            .map(|m| m.to_string())
            .collect::<Vec<_>>()
            .join(", "),
        variant_name(cfg.variant),
        cfg.popularity_ties(),
        cfg.feedback,
        cfg.initial_low,
        cfg.initial_high,
        cfg.scale.name(),
        cfg.seed,
        cfg.protocol,
        cfg.quality_order_ties()
    ));
    setup.paragraphs.extend(notes.iter().cloned());
    setup
}

/// The section of heterogeneous setting M (without its findings).
fn setting_section(cfg: &CulturalConfig, m: usize) -> Section {
    let (runs, steps, every) = cfg.runs_steps_every();
    let fig = if m == 100 && cfg.variant == Variant::All {
        "Figure 2".to_string()
    } else if cfg.variant == Variant::Unseen {
        "Figure 5 (unseen items only)".to_string()
    } else {
        format!("Appendix E, M = {m}")
    };
    let (over_time, vs_entropy) = stems(cfg.variant, m);
    Section {
        heading: format!("{fig}: heterogeneous M = {m} vs homogeneous"),
        paragraphs: vec![format!(
            "Left: median efficiency over time with the 25-75% band over {runs} runs. Right: \
             efficiency against entropy at the steps nearest {every}, {}, {} and {steps}, \
             with 25-75% bars in both directions. Tables: summary.csv, \
             efficiency_vs_entropy.csv, trajectories.csv.",
            steps / 3,
            2 * steps / 3
        )],
        figures: vec![
            (
                "Efficiency over time (median, 25-75% band)".into(),
                over_time,
            ),
            (
                "Efficiency vs entropy (medians, 25-75% bars)".into(),
                vs_entropy,
            ),
        ],
        ..Section::default()
    }
}

fn comparison_section(cfg: &CulturalConfig, comparison: &Table, comparable: bool) -> Section {
    let (runs, steps, every) = cfg.runs_steps_every();
    let mut comp = Section {
        heading: "Comparison with the published values".into(),
        ..Section::default()
    };
    comp.paragraphs.push(if comparable {
        format!(
            "This run is at the paper's scale: medians over {runs} runs at step {PUBLISHED_STEP} \
             next to the published ones (heterogeneous = M = 100). Inputs: {}.",
            match cfg.inputs {
                InputKind::Zhu2023 =>
                    "the authors' own matrices, so differences are the engine's \
                                       and the random streams'",
                InputKind::Movielens =>
                    "our own SVD completion and k-means clustering, whose \
                                         random draws differ from the authors'",
            }
        )
    } else {
        format!(
            "Not comparable: this run is not at the paper's scale (it needs step \
             {PUBLISHED_STEP} measured, M = 100 and all items). The table shows this run's last \
             measurement (step {}) next to the published step-{PUBLISHED_STEP} values only for \
             orientation.",
            steps - steps % every
        )
    });
    comp.paragraphs.push(format!(
        "Popularity ranking orders tied market shares by the rule {}. The paper does not say \
         how ties are ordered, and the popularity medians depend on it (with many items tied at \
         their initial counts, the tie rule decides which items reach the top 50 positions \
         first): a fixed index order is the least efficient, first-to-reach the most. Reading \
         the paper's \"arg sort_desc\" as NumPy's `argsort(shares)[::-1]`, whose tie order \
         `--ties numpy-argsort-reversed` reproduces exactly (at about 30 times the cost of a \
         popularity step), gives the published popularity values. See the README for the \
         measured sensitivity.",
        cfg.popularity_ties()
    ));
    comp.tables.push((
        "Median efficiency and entropy vs the paper".into(),
        comparison.clone(),
    ));
    comp
}
