//! `marketloop compete SPEC.toml --out DIR [--resume]`: one competing-bandits experiment of any
//! scenario, algorithms, instance and response function (spec format:
//! `marketloop_io::compete_spec`). Writes per-run results, summaries, the performance in
//! isolation (optional), figures, `report.html` and the manifest.

use crate::common::print_stdout;
use crate::common::{Context, Format};
use crate::reproduce_bandits::{pm, resumable_runs};
use marketloop_core::bandits::{
    disadvantaged_period, metrics::histogram, CellSummary, CompetitionOutcome, Experiment,
    IsolationConfig,
};
use marketloop_core::rng::SeedSequence;
use marketloop_core::runner::Schedule;
use marketloop_io::compete_spec::CompeteSpec;
use marketloop_io::{
    Column, Figure, Finding, Manifest, Report, RunDir, Section, Series, SeriesStyle, Table,
};
use std::path::PathBuf;
use std::time::Instant;

/// Arguments of `marketloop compete`.
#[derive(clap::Args, Debug)]
pub struct CompeteArgs {
    /// The experiment spec (TOML; see the docs of `marketloop_io::compete_spec`).
    pub spec: PathBuf,
    /// Output folder (must not exist or be empty, unless --resume).
    #[arg(long)]
    pub out: PathBuf,
    /// Continue an interrupted run in --out, reusing its finished runs.
    #[arg(long)]
    pub resume: bool,
    /// `json` prints the summary as JSON on stdout.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// Runs the command.
pub fn run(args: CompeteArgs, ctx: &Context) -> anyhow::Result<()> {
    let spec = CompeteSpec::from_path(&args.spec)?;
    let exp = Experiment::new(
        spec.instance.clone(),
        vec![spec.game.clone()],
        SeedSequence::new(spec.seed),
    )?;
    let manifest = Manifest::new("compete", spec.seed, serde_json::to_value(&spec)?);
    let mut dir = RunDir::open(&args.out, manifest, args.resume)?;
    let start = Instant::now();
    let pb = ctx.progress(spec.runs, "games");
    let (outcomes, resumed) = resumable_runs(
        &dir,
        "game",
        spec.runs,
        |r| -> anyhow::Result<CompetitionOutcome> {
            let o = exp.run_replicate(r)?.remove(0);
            pb.inc(1);
            Ok(o)
        },
    )?;
    pb.finish_and_clear();
    let game_secs = start.elapsed().as_secs_f64();
    dir.manifest_mut().resumed_replicates = resumed;
    dir.manifest_mut().timings.insert("games".into(), game_secs);
    let summary = CellSummary::new(&outcomes).ok_or_else(|| anyhow::anyhow!("no runs"))?;
    let names: Vec<String> = spec.game.algorithms.iter().map(|a| a.short()).collect();
    let slot = |i: usize| format!("firm {} ({})", i + 1, names[i]);

    // Per-run table.
    let runs = marketloop_io::experiment::compete_runs_table(&spec, &outcomes)?;
    dir.write_table("runs", &runs)?;

    // Summary by firm.
    let firms = Table::new()
        .with("firm", Column::Str((0..names.len()).map(slot).collect()))?
        .with("algorithm", Column::Str(names.clone()))?
        .with(
            "share_mean",
            Column::F64(summary.share.iter().map(|e| e.mean).collect()),
        )?
        .with(
            "share_half_width",
            Column::F64(summary.share.iter().map(|e| e.half_width).collect()),
        )?
        .with(
            "share_variance",
            Column::F64(summary.share.iter().map(|e| e.variance).collect()),
        )?
        .with(
            "game_regret_mean",
            Column::F64(summary.firm_regret.iter().map(|e| e.mean).collect()),
        )?
        .with(
            "warm_start_regret_mean",
            Column::F64(summary.warm_start_regret.iter().map(|e| e.mean).collect()),
        )?;
    dir.write_table("summary_firms", &firms)?;
    let market = Table::new()
        .with(
            "metric",
            Column::Str(vec![
                "market regret".into(),
                "monopoly regret".into(),
                "EEOG mean".into(),
                "EEOG median".into(),
            ]),
        )?
        .with(
            "mean",
            Column::F64(vec![
                summary.regret.mean,
                summary.monopoly_regret.mean,
                summary.eeog_mean,
                summary.eeog_median,
            ]),
        )?
        .with(
            "half_width",
            Column::F64(vec![
                summary.regret.half_width,
                summary.monopoly_regret.half_width,
                0.0,
                0.0,
            ]),
        )?;
    dir.write_table("summary_market", &market)?;
    let mut section = Section {
        heading: format!("{} on {} ({}, {})", spec.game.label(), spec.instance.display_name(), spec.game.scenario.short(), spec.game.response.short()),
        paragraphs: vec![format!(
            "N = {} runs, T = {}, T0 = {}, M = {}, seed {}. EEOG mean {:.1}, median {:.1}; market regret {}.",
            spec.runs, spec.game.t, spec.game.t0, spec.game.window, spec.seed, summary.eeog_mean, summary.eeog_median, pm(&summary.regret)
        )],
        tables: vec![("Market share and regret by firm".into(), firms.clone())],
        ..Section::default()
    };
    let total: f64 = summary.share.iter().map(|e| e.mean).sum();
    section.findings.push(Finding {
        claim: "Market shares sum to 1".into(),
        holds: (total - 1.0).abs() < 1e-9,
        evidence: format!("sum of mean shares = {total:.12}"),
    });
    if !spec.game.checkpoints.is_empty() {
        let mut t = Table::new().with(
            "t",
            Column::I64(spec.game.checkpoints.iter().map(|&c| c as i64).collect()),
        )?;
        for i in 0..names.len() {
            t.push(
                &format!("share_firm{}", i + 1),
                Column::Str(summary.checkpoint_share.iter().map(|c| pm(&c[i])).collect()),
            )?;
        }
        t.push(
            "market_regret",
            Column::Str(summary.checkpoint_regret.iter().map(pm).collect()),
        )?;
        dir.write_table("checkpoints", &t)?;
        section.tables.push(("Shares at the checkpoints".into(), t));
    }
    let (c, f) = histogram(
        &outcomes
            .iter()
            .map(|o| f64::from(o.chosen[0]) / spec.game.t as f64)
            .collect::<Vec<_>>(),
        0.0,
        1.0,
        20,
    );
    let fig = Figure::new(
        format!("Distribution of {}'s market share over runs", slot(0)),
        "market share",
        "fraction of runs",
    )
    .with(Series::line(slot(0), c, f).styled(SeriesStyle::Bars));
    dir.write_figure("fig_share_histogram", &fig)?;
    section
        .figures
        .push((fig.title.clone(), "fig_share_histogram".into()));
    let mut report = Report {
        title: format!("marketloop compete: {}", spec.game.label()),
        sections: vec![section],
    };

    if spec.isolation {
        let t_iso = Instant::now();
        let rounds = spec.game.t0 + spec.game.t;
        let cfg = IsolationConfig {
            instance: spec.instance.clone(),
            algorithms: spec.game.algorithms.clone(),
            prior: spec.game.prior,
            tie: spec.game.tie,
            window: spec.game.window,
            rounds,
            snapshots: vec![spec.game.t0.min(rounds)],
            seed: SeedSequence::new(spec.seed),
        };
        let iso = cfg.run(spec.runs, Schedule::Parallel)?;
        let t: Vec<f64> = (1..=rounds).map(|x| x as f64).collect();
        let mut tab = Table::new().with("t", Column::I64((1..=rounds as i64).collect()))?;
        let mut rep_fig = Figure::new("Mean reputation in isolation", "round t", "mean reputation");
        let mut rew_fig = Figure::new(
            "Mean instantaneous reward in isolation",
            "round t",
            "mean of mu(a_t)",
        );
        for (a, n) in names.iter().enumerate() {
            let col = format!("{}_{n}", a + 1);
            tab.push(
                &format!("reputation_{col}"),
                Column::F64(iso.mean_reputation[a].clone()),
            )?;
            tab.push(
                &format!("reward_{col}"),
                Column::F64(iso.mean_reward[a].clone()),
            )?;
            tab.push(
                &format!("regret_{col}"),
                Column::F64(iso.mean_regret[a].clone()),
            )?;
            rep_fig = rep_fig.with(Series::line(
                n.clone(),
                t.clone(),
                iso.mean_reputation[a].clone(),
            ));
            rew_fig = rew_fig.with(Series::line(
                n.clone(),
                t.clone(),
                iso.mean_reward[a].clone(),
            ));
        }
        let mut iso_section = Section {
            heading: "Performance in isolation".into(),
            paragraphs: vec![format!("Each algorithm alone for T0 + T = {rounds} rounds on the same mean vectors. Relative reputation of A vs B = fraction of runs with A's reputation above B's, exact ties counting 1/2.")],
            ..Section::default()
        };
        let mut rel_fig = Figure::new(
            "Relative reputation in isolation",
            "round t",
            "P(rep A > rep B), ties 1/2",
        );
        for ((a, b), rel) in &iso.relative {
            let name = format!("{} vs {}", names[*a], names[*b]);
            tab.push(
                &format!(
                    "relative_{}_{}_vs_{}_{}",
                    a + 1,
                    names[*a],
                    b + 1,
                    names[*b]
                ),
                Column::F64(rel.clone()),
            )?;
            rel_fig = rel_fig.with(Series::line(name.clone(), t.clone(), rel.clone()));
            iso_section
                .paragraphs
                .push(match disadvantaged_period(rel, iso.runs, 20) {
                    Some((s, e)) => format!(
                        "{name}: {} is significantly behind from round {s} to {e}",
                        names[*a]
                    ),
                    None => format!(
                        "{name}: {} is never significantly behind for 20 rounds or more",
                        names[*a]
                    ),
                });
        }
        dir.write_table("isolation", &tab)?;
        for (stem, f) in [
            ("fig_isolation_reputation", rep_fig),
            ("fig_isolation_reward", rew_fig),
            ("fig_isolation_relative", rel_fig),
        ] {
            dir.write_figure(stem, &f)?;
            iso_section.figures.push((f.title.clone(), stem.into()));
        }
        report.sections.push(iso_section);
        dir.manifest_mut()
            .timings
            .insert("isolation".into(), t_iso.elapsed().as_secs_f64());
    }
    dir.write_report(&report)?;
    let elapsed = start.elapsed().as_secs_f64();
    dir.manifest_mut().timings.insert("total".into(), elapsed);
    dir.finish()?;

    match args.format {
        Format::Json => {
            let out = serde_json::json!({
                "spec": spec, "firms": firms.to_json()?, "market": market.to_json()?,
                "resumed_runs": resumed, "seconds": elapsed, "out": args.out,
            });
            print_stdout(&serde_json::to_string_pretty(&out)?)?;
        }
        Format::Table => {
            print_stdout(&format!(
                "{}\n{}\nEEOG mean {:.1}, median {:.1}; market regret {}; {} runs in {:.2} s ({} resumed); results in {}\n",
                report.sections[0].heading,
                firms.to_markdown(3)?,
                summary.eeog_mean,
                summary.eeog_median,
                pm(&summary.regret),
                spec.runs,
                elapsed,
                resumed,
                args.out.display()
            ))?;
        }
    }
    Ok(())
}
