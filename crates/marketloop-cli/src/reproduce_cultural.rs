//! `marketloop reproduce cultural-market`: Figure 2 and Appendix E of Zhu, Cheung & Xie. A thin
//! layer over [`marketloop_io::reproduce::cultural`]: parse the flags, run, print a summary.

use crate::common::{Context, OutArgs};
use anyhow::Context as _;
use clap::builder::TypedValueParser as _;
use marketloop_core::market::TieRule;
use marketloop_data::fetch::zhu2023;
use marketloop_data::{FillRule, Variant};
use marketloop_io::reproduce::cultural::{self, CulturalConfig, InputKind, Scale};
use marketloop_io::reproduce::{Progress, Protocol};
use std::path::PathBuf;
use std::sync::Mutex;

/// Scale of the run.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScaleArg {
    /// 10 runs x 30,000 steps (under a minute).
    Quick,
    /// The paper's 50 runs x 300,000 steps.
    Full,
}

/// Which items users may choose.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum VariantArg {
    /// Every item (Figure 2).
    All,
    /// Only items the user's group has not all seen (Appendix E, Figure 5).
    Unseen,
}

/// Where preferences come from.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputsArg {
    /// Built from MovieLens-100K (fetched into the cache if needed).
    Movielens,
    /// The authors' own matrices (see --inputs-dir).
    Zhu2023,
}

/// Arguments of `reproduce cultural-market`.
#[derive(clap::Args, Debug)]
pub struct CulturalArgs {
    /// quick (10 runs x 30,000 steps) or full (50 x 300,000, the paper's).
    #[arg(long, value_enum, default_value = "quick")]
    scale: ScaleArg,
    /// Heterogeneous settings: numbers of user types M, comma separated (e.g. 50,100,200).
    /// The homogeneous market is always run too.
    #[arg(long, value_delimiter = ',', default_value = "100")]
    groups: Vec<usize>,
    /// all items (Figure 2) or unseen items only (Figure 5).
    #[arg(long, value_enum, default_value = "all")]
    variant: VariantArg,
    /// movielens (our preprocessing) or zhu2023 (the authors' matrices).
    #[arg(long, value_enum, default_value = "movielens")]
    inputs: InputsArg,
    /// Folder of the authors' matrices for --inputs zhu2023 [default: the cache's
    /// zhu2023-inputs/ (`marketloop data fetch zhu2023-inputs --from DIR`), else
    /// ../shared/data/zhu2023-inputs]
    #[arg(long, value_name = "DIR")]
    inputs_dir: Option<PathBuf>,
    /// A local MovieLens-100K folder (ml-100k/ or its parent); else fetched into the cache.
    #[arg(long, value_name = "DIR")]
    data: Option<PathBuf>,
    /// Cache folder (default: $MARKETLOOP_CACHE, else ~/.cache/marketloop).
    #[arg(long, value_name = "DIR")]
    cache: Option<PathBuf>,
    /// Runs per arm (default: the scale's).
    #[arg(long)]
    runs: Option<usize>,
    /// Steps per run (default: the scale's).
    #[arg(long)]
    steps: Option<u64>,
    /// A measurement every this many steps (default: 1000).
    #[arg(long)]
    every: Option<u64>,
    /// Master seed.
    #[arg(long, default_value_t = 2023)]
    seed: u64,
    /// Feedback exponent r of every user type.
    #[arg(long, default_value_t = 0.5)]
    feedback: f64,
    /// Popularity tie rule: first-to-reach (the item that reached the count first ranks
    /// higher), random, lowest-index, highest-index, numpy-argsort-negated (NumPy's
    /// `argsort(-shares)`), numpy-argsort-reversed (NumPy's `argsort(shares)[::-1]`, the
    /// published values). The two NumPy rules re-sort only when a purchase can change NumPy's
    /// order. Default: the protocol's (first-to-reach; the authors' code:
    /// numpy-argsort-reversed).
    #[arg(
        long,
        value_parser = clap::builder::PossibleValuesParser::new(TieRule::NAMES)
            .try_map(|s| s.parse::<TieRule>())
    )]
    ties: Option<TieRule>,
    /// Quality-ranking order of equal qualities (any rule but random). Default: the
    /// protocol's (lowest-index; the authors' code: numpy-argsort-reversed).
    #[arg(
        long,
        value_parser = clap::builder::PossibleValuesParser::new(TieRule::NAMES)
            .try_map(|s| s.parse::<TieRule>())
    )]
    quality_ties: Option<TieRule>,
    /// `paper` (the text's reading) or `authors-code` (the authors' code: NumPy's
    /// `argsort(x)[::-1]` order for tied shares and tied qualities); --ties and --quality-ties
    /// override it.
    #[arg(long, default_value = "paper", value_parser = parse_protocol)]
    protocol: Protocol,
    #[command(flatten)]
    out: OutArgs,
}

impl CulturalArgs {
    /// `--inputs-dir`, else the cache's installed copy, else the copy beside the repository.
    fn zhu2023_dir(&self) -> PathBuf {
        if let Some(d) = &self.inputs_dir {
            return d.clone();
        }
        let cache = self
            .cache
            .clone()
            .unwrap_or_else(marketloop_data::default_cache_dir);
        zhu2023::zhu2023_installed(&cache)
            .unwrap_or_else(|| PathBuf::from("../shared/data/zhu2023-inputs"))
    }

    fn config(&self) -> CulturalConfig {
        CulturalConfig {
            scale: match self.scale {
                ScaleArg::Quick => Scale::Quick,
                ScaleArg::Full => Scale::Full,
            },
            groups: self.groups.clone(),
            variant: match self.variant {
                VariantArg::All => Variant::All,
                VariantArg::Unseen => Variant::Unseen,
            },
            inputs: match self.inputs {
                InputsArg::Movielens => InputKind::Movielens,
                InputsArg::Zhu2023 => InputKind::Zhu2023,
            },
            inputs_dir: (self.inputs == InputsArg::Zhu2023).then(|| self.zhu2023_dir()),
            data: self.data.clone(),
            cache: self.cache.clone(),
            runs: self.runs,
            steps: self.steps,
            every: self.every,
            seed: self.seed,
            feedback: self.feedback,
            ties: self.ties,
            quality_ties: self.quality_ties,
            protocol: self.protocol,
            fill: FillRule::AllUsers,
            ..CulturalConfig::default()
        }
    }
}

fn parse_protocol(s: &str) -> Result<Protocol, String> {
    s.parse().map_err(|e: marketloop_io::IoError| e.to_string())
}

/// Runs the command.
pub fn run(args: CulturalArgs, ctx: &Context) -> anyhow::Result<()> {
    let config = args.config();
    if let Some(dir) = &config.inputs_dir {
        if !dir.join("appeals.npy").is_file() {
            anyhow::bail!(
                "--inputs zhu2023: the authors' matrices are not in {}; {}",
                dir.display(),
                zhu2023::zhu2023_hint()
            );
        }
    }
    let bars = Mutex::new(None::<(&'static str, indicatif::ProgressBar)>);
    let progress = |p: &Progress| {
        let Ok(mut guard) = bars.lock() else { return };
        if guard.as_ref().is_none_or(|(phase, _)| *phase != p.phase) {
            if let Some((_, old)) = guard.take() {
                old.finish_and_clear();
            }
            *guard = Some((p.phase, ctx.progress(p.total, p.phase)));
        }
        if let Some((_, pb)) = guard.as_ref() {
            pb.set_position(p.done);
        }
    };
    let out = args.out.dir("cultural-market");
    let summary = cultural::run(&config, &out, args.out.resume, &progress)
        .with_context(|| format!("reproduce cultural-market into {}", out.display()))?;
    args.out.announce(&out);
    if let Ok(mut g) = bars.lock() {
        if let Some((_, pb)) = g.take() {
            pb.finish_and_clear();
        }
    }
    let c = &summary.config;
    println!(
        "cultural market: {} runs x {} steps, every {}; inputs {}; results in {}",
        c.runs.unwrap_or(0),
        c.steps.unwrap_or(0),
        c.every.unwrap_or(0),
        match c.inputs {
            InputKind::Movielens => "movielens",
            InputKind::Zhu2023 => "zhu2023",
        },
        summary.out.display()
    );
    println!(
        "{:<14} {:>4} {:<11} {:>8} {:>8} {:>17} {:>8} {:>8} {:>10}",
        "setting", "M", "strategy", "step", "eff", "eff 25-75%", "entropy", "idle", "ns/step"
    );
    for a in &summary.arms {
        println!(
            "{:<14} {:>4} {:<11} {:>8} {:>8.4} {:>8.4}-{:<8.4} {:>8.3} {:>8} {:>10}",
            a.setting,
            a.groups,
            a.strategy,
            a.step,
            a.efficiency_median,
            a.efficiency_q25,
            a.efficiency_q75,
            a.entropy_median,
            a.idle,
            a.cpu_ns_per_step
                .map_or_else(|| "resumed".to_string(), |x| format!("{x:.1}"))
        );
    }
    for f in &summary.findings {
        println!(
            "[{}] {} ({})",
            if f.holds { "holds" } else { "FAILS" },
            f.claim,
            f.evidence
        );
    }
    let t = &summary.timings;
    let g = |k: &str| t.get(k).copied().unwrap_or(0.0);
    println!(
        "time: preferences {:.2} s, simulate {:.2} s, write {:.2} s, total {:.2} s; {} steps \
         simulated ({} replicates resumed){}",
        g("preferences"),
        g("simulate"),
        g("write"),
        g("total"),
        summary.simulated_steps,
        summary.resumed_replicates,
        summary
            .wall_ns_per_step
            .map_or_else(String::new, |x| format!(", {x:.1} wall ns/step"))
    );
    if !summary.comparable_to_published {
        println!(
            "note: not at the paper's scale; the published_comparison table is for orientation only"
        );
    }
    Ok(())
}
