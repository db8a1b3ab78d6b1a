//! `marketloop study ...`: our own studies of the papers' open questions. A thin layer over
//! [`marketloop_io::study`]: parse the flags, run, print the findings.

use crate::common::{Context, OutArgs};
use anyhow::Context as _;
use clap::Subcommand;
use marketloop_data::fetch::zhu2023;
use marketloop_io::reproduce::Progress;
use marketloop_io::study::learning::{self, LearningConfig, StudyInputs, StudyScale};
use std::path::PathBuf;

/// Which study to run.
#[derive(Subcommand, Debug)]
pub enum StudyCommand {
    /// Recommenders that learn quality in the loop (issue 11): one platform against the
    /// oracle, Thompson sampling against greedy, and P = 2..5 competing platforms.
    LearningInTheLoop(LearningArgs),
}

/// Scale of the study.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScaleArg {
    /// 4 runs of a few thousand users per cell on the synthetic market (seconds).
    Ci,
    /// 50 runs x 300,000 users (experiment 1), 50 x 50,000 (experiments 2 and 3).
    Full,
}

/// A market of the study.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputArg {
    /// The built-in synthetic market (4 types, 40 items).
    Synthetic,
    /// The authors' Figure-2 inputs (100 MovieLens types, 1682 items; see --inputs-dir).
    Zhu2023,
    /// Our own MovieLens types: MovieLens-100K (--data, else fetched into --cache) through the
    /// cultural reproduction's preprocessing into --groups types (cached).
    Movielens,
}

/// Arguments of `study learning-in-the-loop`.
#[derive(clap::Args, Debug)]
pub struct LearningArgs {
    /// ci (seconds) or full (the scale).
    #[arg(long, value_enum, default_value = "ci")]
    scale: ScaleArg,
    /// Markets of experiment 1, comma separated (experiments 2 and 3 use the first)
    /// [default: ci synthetic; full zhu2023,synthetic when the authors' inputs are found]
    #[arg(long, value_enum, value_delimiter = ',')]
    inputs: Vec<InputArg>,
    /// Folder of the authors' matrices [default: the cache's zhu2023-inputs/, else
    /// ../shared/data/zhu2023-inputs]
    #[arg(long, value_name = "DIR")]
    inputs_dir: Option<PathBuf>,
    /// Cache folder (default: $MARKETLOOP_CACHE, else ~/.cache/marketloop).
    #[arg(long, value_name = "DIR")]
    cache: Option<PathBuf>,
    /// --inputs movielens: a local MovieLens-100K folder (ml-100k/ or its parent) instead of
    /// the download.
    #[arg(long, value_name = "DIR")]
    data: Option<PathBuf>,
    /// --inputs movielens: user types (k-means groups) [default: 100].
    #[arg(long, value_name = "M")]
    groups: Option<usize>,
    /// Experiments to run, comma separated (1, 2, 3) [default: all].
    #[arg(long, value_delimiter = ',')]
    experiments: Vec<u32>,
    /// Runs per cell (default: the scale's).
    #[arg(long)]
    runs: Option<u64>,
    /// Users per run of experiment 1 (default: the scale's).
    #[arg(long)]
    steps: Option<u64>,
    /// Users per run of experiments 2 and 3 (default: the scale's).
    #[arg(long)]
    compete_steps: Option<u64>,
    /// A measurement every this many users (default: the scale's).
    #[arg(long)]
    every: Option<u64>,
    /// Master seed.
    #[arg(long, default_value_t = 2026)]
    seed: u64,
    #[command(flatten)]
    out: OutArgs,
}

impl LearningArgs {
    /// `--inputs-dir`, else the cache's installed copy, else the copy beside the repository
    /// (as `reproduce cultural-market` locates them).
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

    fn config(&self) -> anyhow::Result<LearningConfig> {
        let inputs = self
            .inputs
            .iter()
            .map(|i| match i {
                InputArg::Synthetic => StudyInputs::Synthetic,
                InputArg::Zhu2023 => StudyInputs::Zhu2023,
                InputArg::Movielens => StudyInputs::Movielens,
            })
            .collect();
        let dir = self.zhu2023_dir();
        Ok(LearningConfig {
            scale: match self.scale {
                ScaleArg::Ci => StudyScale::Ci,
                ScaleArg::Full => StudyScale::Full,
            },
            inputs,
            inputs_dir: Some(std::fs::canonicalize(&dir).unwrap_or(dir)),
            data: self.data.clone(),
            cache: self.cache.clone(),
            groups: self.groups,
            experiments: self.experiments.clone(),
            runs: self.runs,
            steps: self.steps,
            compete_steps: self.compete_steps,
            every: self.every,
            seed: self.seed,
        })
    }
}

/// Runs a study command.
pub fn run(cmd: StudyCommand, ctx: &Context) -> anyhow::Result<()> {
    match cmd {
        StudyCommand::LearningInTheLoop(a) => run_learning(a, ctx),
    }
}

fn run_learning(args: LearningArgs, ctx: &Context) -> anyhow::Result<()> {
    let config = args.config()?;
    let out = args.out.dir("study-learning-in-the-loop");
    let pb = std::sync::Mutex::new(None::<indicatif::ProgressBar>);
    let progress = |p: &Progress| {
        let Ok(mut g) = pb.lock() else { return };
        let bar = g.get_or_insert_with(|| ctx.progress(p.total, p.phase));
        bar.set_position(p.done);
    };
    let s = learning::run(&config, &out, args.out.resume, &progress)
        .with_context(|| format!("study learning-in-the-loop into {}", out.display()))?;
    if let Ok(mut g) = pb.lock() {
        if let Some(bar) = g.take() {
            bar.finish_and_clear();
        }
    }
    args.out.announce(&out);
    let c = &s.config;
    println!(
        "study learning-in-the-loop: scale {}, {} cells x {} runs; experiment 1: {} users per \
         run, experiments 2-3: {}; markets {}",
        c.scale.name(),
        s.cells,
        c.runs,
        c.steps,
        c.compete_steps,
        c.inputs
            .iter()
            .map(|i| i.name())
            .collect::<Vec<_>>()
            .join(", ")
    );
    for note in &c.notes {
        println!("note: {note}");
    }
    for (e, f) in &s.findings {
        println!(
            "[{}] ({e}) {} ({})",
            if f.holds { "holds" } else { "FAILS" },
            f.claim,
            f.evidence
        );
    }
    let g = |k: &str| s.timings.get(k).copied().unwrap_or(0.0);
    println!(
        "time: simulate {:.2} s, write {:.2} s, total {:.2} s ({} replicates resumed); results \
         in {}",
        g("simulate"),
        g("write"),
        g("total"),
        s.resumed,
        s.out.display()
    );
    Ok(())
}
