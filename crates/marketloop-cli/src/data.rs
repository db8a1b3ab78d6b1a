//! `marketloop data`: fetch MovieLens-100K into the cache, and build a trial-offer market's
//! preference matrices from it (completion, clustering, group visibility and quality).

use crate::common::Context;
use anyhow::Context as _;
use marketloop_core::rng::SeedSequence;
use marketloop_data::fetch::{fetch_movielens_100k_with, zhu2023, FetchOptions, FetchSource};
use marketloop_data::movielens::{self, U_DATA_SHA256};
use marketloop_data::pipeline::{compare, Comparison, Pipeline, PipelineConfig};
use marketloop_data::{FillRule, SvdConfig, Variant};
use marketloop_io::matrix::{self, Matrix};
use marketloop_io::{Manifest, RunDir};
use std::path::{Path, PathBuf};

/// Data sets and preprocessing.
#[derive(clap::Subcommand, Debug)]
pub enum DataCommand {
    /// Download a data set into the cache (if not there yet) and verify its SHA-256.
    Fetch(FetchArgs),
    /// Build a market's weights, visibility and quality matrices from MovieLens-100K: biased-SVD
    /// completion, k-means into M user types, group means of observed / unobserved preferences.
    Preferences(PreferencesArgs),
}

/// A data set that can be fetched.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dataset {
    /// MovieLens-100K (GroupLens; 943 users, 1682 movies, 100,000 ratings).
    #[value(name = "movielens-100k")]
    Movielens100k,
    /// Zhu, Cheung & Xie's own inputs of Figure 2 (appeals, qualities, their homogeneous pair
    /// and the 100 groups) from the authors' repository, or from a local copy with --from;
    /// SHA-256 checked.
    #[value(name = "zhu2023-inputs")]
    Zhu2023Inputs,
}

/// Where to download from.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum SourceArg {
    /// GroupLens, then the PyPI wheel recbole==1.2.1.
    Auto,
    /// GroupLens only.
    Grouplens,
    /// The PyPI wheel only.
    Pypi,
}

/// Arguments of `marketloop data fetch`.
#[derive(clap::Args, Debug)]
pub struct FetchArgs {
    /// The data set.
    #[arg(value_enum)]
    pub dataset: Dataset,
    /// Cache folder (default: $MARKETLOOP_CACHE, else ~/.cache/marketloop); the files go into
    /// its ml-100k/ subfolder.
    #[arg(long, value_name = "DIR")]
    pub cache: Option<PathBuf>,
    /// Download source.
    #[arg(long, value_enum, default_value = "auto")]
    pub source: SourceArg,
    /// Seconds allowed to open a connection.
    #[arg(long, default_value_t = 10, value_name = "S")]
    pub connect_timeout: u64,
    /// zhu2023-inputs: install from this folder instead of downloading (the four .npy files and
    /// the groups as groups_100.json or as the authors' pickle `groups`; checked by SHA-256).
    #[arg(long, value_name = "DIR")]
    pub from: Option<PathBuf>,
    /// zhu2023-inputs: download from this folder address instead of the authors' repository at
    /// the recorded commit (a mirror holding the same files).
    #[arg(long, value_name = "URL", conflicts_with = "from")]
    pub url: Option<String>,
}

/// Which items a user type may choose (`--variant`).
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum VariantArg {
    /// Every movie (paper Figure 2).
    All,
    /// Only movies not seen by every member of the group (Appendix E, Figure 5).
    Unseen,
}

/// Fill rule for a group without an entry of the needed kind (`--fill`).
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum FillArg {
    /// The all-users mean of the same kind (the authors' rule).
    AllUsers,
    /// Zero.
    Zero,
    /// Stop with an error.
    Error,
}

/// Arguments of `marketloop data preferences`.
#[derive(clap::Args, Debug)]
pub struct PreferencesArgs {
    /// Number of user types M (1: the homogeneous market; the paper uses 50, 100, 200).
    #[arg(long, value_name = "M")]
    pub groups: usize,
    /// Which movies users may choose.
    #[arg(long, value_enum, default_value = "all")]
    pub variant: VariantArg,
    /// Fill rule where a group has no preference of the needed kind.
    #[arg(long, value_enum, default_value = "all-users")]
    pub fill: FillArg,
    /// Master seed (completion, held-out split, k-means).
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// A local ml-100k folder (u.data required; u.user, u.item optional) instead of the cache.
    #[arg(long, value_name = "DIR")]
    pub data: Option<PathBuf>,
    /// Cache folder to fetch into / read from when --data is not given.
    #[arg(long, value_name = "DIR")]
    pub cache: Option<PathBuf>,
    /// Output folder (must not exist or be empty).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Also write the matrices as CSV.
    #[arg(long)]
    pub csv: bool,
    /// k-means restarts (the lowest-inertia one is kept).
    #[arg(long, default_value_t = 4, value_name = "N")]
    pub restarts: usize,
    /// Share of ratings held out to report the completion RMSE (0 to skip).
    #[arg(long, default_value_t = 0.2, value_name = "F")]
    pub test_fraction: f64,
    /// SVD latent factors.
    #[arg(long, default_value_t = 100, value_name = "K")]
    pub factors: usize,
    /// SVD epochs.
    #[arg(long, default_value_t = 20, value_name = "N")]
    pub epochs: usize,
    /// Compare with another set of matrices: a folder holding appeals.npy and qualities.npy
    /// (e.g. the paper authors' inputs) or visibility.npy and quality.npy.
    #[arg(long, value_name = "DIR")]
    pub compare: Option<PathBuf>,
}

/// Runs the command.
pub fn run(cmd: DataCommand, ctx: &Context) -> anyhow::Result<()> {
    match cmd {
        DataCommand::Fetch(a) => fetch(a, ctx),
        DataCommand::Preferences(a) => preferences(a, ctx),
    }
}

fn source(s: SourceArg) -> FetchSource {
    match s {
        SourceArg::Auto => FetchSource::Auto,
        SourceArg::Grouplens => FetchSource::Grouplens,
        SourceArg::Pypi => FetchSource::Pypi,
    }
}

/// Downloads the authors' inputs (or installs them from `--from`) into the cache.
fn fetch_zhu2023(a: &FetchArgs) -> anyhow::Result<()> {
    let cache = a
        .cache
        .clone()
        .unwrap_or_else(marketloop_data::default_cache_dir);
    let (dir, how) = match &a.from {
        Some(from) => (zhu2023::install_zhu2023_inputs(from, &cache)?, "installed"),
        None => {
            let opts = FetchOptions {
                connect_timeout: std::time::Duration::from_secs(a.connect_timeout),
                zhu2023_url: a
                    .url
                    .clone()
                    .unwrap_or_else(|| zhu2023::ZHU2023_RAW_URL.into()),
                ..FetchOptions::default()
            };
            match zhu2023::download_zhu2023_inputs(&cache, &opts)? {
                (dir, true) => (dir, "already in the cache"),
                (dir, false) => (dir, "downloaded"),
            }
        }
    };
    println!(
        "Zhu, Cheung & Xie's inputs ({}, commit {}) {how}: {}",
        zhu2023::ZHU2023_REPOSITORY,
        zhu2023::ZHU2023_COMMIT,
        dir.display()
    );
    for (name, hash) in zhu2023::ZHU2023_FILES {
        println!("{name:<20} SHA-256 {hash} OK");
    }
    Ok(())
}

fn fetch(a: FetchArgs, ctx: &Context) -> anyhow::Result<()> {
    if a.connect_timeout == 0 {
        anyhow::bail!("--connect-timeout = 0 is not allowed: give at least 1 second");
    }
    if a.dataset == Dataset::Zhu2023Inputs {
        return fetch_zhu2023(&a);
    }
    if a.from.is_some() || a.url.is_some() {
        anyhow::bail!(
            "--from and --url are only for zhu2023-inputs (movielens-100k is downloaded from \
             --source)"
        );
    }
    let cache = a.cache.unwrap_or_else(marketloop_data::default_cache_dir);
    let opts = FetchOptions {
        connect_timeout: std::time::Duration::from_secs(a.connect_timeout),
        ..FetchOptions::default()
    };
    let f = fetch_movielens_100k_with(&cache, source(a.source), &opts)?;
    if !ctx.quiet {
        for why in &f.failures {
            eprintln!("note: source unavailable: {why}");
        }
    }
    let ml = movielens::load_dir(&f.dir).context("reading the fetched files")?;
    println!("MovieLens-100K in {}", f.dir.display());
    println!(
        "source: {}{}",
        f.source,
        if f.cached { " (already cached)" } else { "" }
    );
    println!(
        "u.data SHA-256 {} OK (expected {U_DATA_SHA256})",
        ml.u_data_sha256
    );
    println!(
        "{} users, {} movies, {} ratings; u.user {}, u.item {}",
        ml.ratings.n_users(),
        ml.ratings.n_items(),
        ml.ratings.ratings().len(),
        if ml.users.is_some() {
            "present"
        } else {
            "absent"
        },
        if ml.items.is_some() {
            "present"
        } else {
            "absent"
        },
    );
    Ok(())
}

fn preferences(a: PreferencesArgs, ctx: &Context) -> anyhow::Result<()> {
    let config = PipelineConfig {
        groups: a.groups,
        variant: match a.variant {
            VariantArg::All => Variant::All,
            VariantArg::Unseen => Variant::Unseen,
        },
        fill: match a.fill {
            FillArg::AllUsers => FillRule::AllUsers,
            FillArg::Zero => FillRule::Zero,
            FillArg::Error => FillRule::Error,
        },
        svd: SvdConfig {
            n_factors: a.factors,
            n_epochs: a.epochs,
            ..SvdConfig::default()
        },
        kmeans_restarts: a.restarts,
        test_fraction: a.test_fraction,
        ..PipelineConfig::default()
    };
    let pipeline = Pipeline::new(config.clone())?;
    let note = |s: String| {
        if !ctx.quiet {
            eprintln!("{s}");
        }
    };
    // Load (and fetch when needed) before opening the output folder, so bad input leaves none.
    let dir = match &a.data {
        Some(d) => d.clone(),
        None => {
            let cache = a
                .cache
                .clone()
                .unwrap_or_else(marketloop_data::default_cache_dir);
            let f = fetch_movielens_100k_with(&cache, FetchSource::Auto, &FetchOptions::default())?;
            if !f.cached {
                note(format!("fetched MovieLens-100K from {}", f.source));
            }
            f.dir
        }
    };
    let ml = movielens::load_dir(&dir)?;
    pipeline.check_data(&ml.ratings)?;
    let data_line = format!(
        "data: {} ({} users, {} movies, {} ratings; u.data SHA-256 {}{})",
        ml.dir.display(),
        ml.ratings.n_users(),
        ml.ratings.n_items(),
        ml.ratings.ratings().len(),
        ml.u_data_sha256,
        if ml.is_verified() {
            ", GroupLens MovieLens-100K verified"
        } else {
            ", not GroupLens's MovieLens-100K: used as given"
        }
    );
    println!("{data_line}");
    let theirs = match &a.compare {
        Some(d) => Some(load_comparison(d)?),
        None => None,
    };
    if let Some((v, q)) = &theirs {
        if v.cols != ml.ratings.n_items() || q.cols != ml.ratings.n_items() {
            anyhow::bail!(
                "--compare: matrices have {} and {} columns but the data has {} items",
                v.cols,
                q.cols,
                ml.ratings.n_items()
            );
        }
    }
    let seeds = SeedSequence::new(a.seed);
    let mut resolved = serde_json::to_value(&config)?;
    resolved["data_dir"] = serde_json::json!(ml.dir.display().to_string());
    resolved["u_data_sha256"] = serde_json::json!(ml.u_data_sha256);
    let manifest = Manifest::new("data preferences", a.seed, resolved);
    let mut run = RunDir::open(&a.out, manifest, false)?;

    note("completing the rating matrix and clustering users ...".into());
    let out = pipeline.run(&ml.ratings, seeds)?;
    let p = &out.preferences;
    if let Some(r) = out.heldout_rmse {
        println!(
            "completion: held-out RMSE {r:.4} on {:.0}% of the ratings (biased SVD, {} factors, {} epochs); final training RMSE {:.4}",
            100.0 * config.test_fraction,
            config.svd.n_factors,
            config.svd.n_epochs,
            out.train_rmse
        );
    }
    let sizes: Vec<usize> = out.groups.iter().map(Vec::len).collect();
    match out.inertia {
        Some(inertia) => println!(
            "k-means: M = {} groups, sizes {}..{}, inertia {inertia:.3}, {} iterations",
            config.groups,
            sizes.iter().min().copied().unwrap_or(0),
            sizes.iter().max().copied().unwrap_or(0),
            out.kmeans_iterations
        ),
        None => println!("homogeneous market: one group of {} users", sizes[0]),
    }
    let mean = |x: &[f64]| x.iter().sum::<f64>() / x.len().max(1) as f64;
    println!(
        "visibility mean {:.4}, quality mean {:.4}; filled cells: visibility {}, quality {}; masked (unseen variant) {}",
        mean(&p.visibility),
        mean(&p.quality),
        p.filled_visibility,
        p.filled_quality,
        p.masked
    );
    let (m, n) = (p.n_types, p.n_items);
    let weights = Matrix::new(1, m, p.weights.clone())?;
    let vis = Matrix::new(m, n, p.visibility.clone())?;
    let qual = Matrix::new(m, n, p.quality.clone())?;
    for (stem, mat) in [
        ("weights", &weights),
        ("visibility", &vis),
        ("quality", &qual),
    ] {
        run.write_file(&format!("{stem}.npy"), &matrix::npy_bytes(mat))?;
        if a.csv {
            run.write_file(&format!("{stem}.csv"), matrix::csv_string(mat).as_bytes())?;
        }
    }
    let groups_path = run.root().join("groups.json");
    matrix::write_json_groups(&groups_path, &out.groups)?;
    run.manifest_mut().outputs.push("groups.json".into());

    let mut comparison = serde_json::Value::Null;
    if let Some((tv, tq)) = &theirs {
        let cv = compare(&p.visibility, m, &tv.data, tv.rows, n)?;
        let cq = compare(&p.quality, m, &tq.data, tq.rows, n)?;
        print_comparison("visibility", &cv, tv.rows, m);
        print_comparison("quality", &cq, tq.rows, m);
        comparison = serde_json::json!({ "visibility": cv, "quality": cq, "their_rows": tv.rows });
    }
    let summary = serde_json::json!({
        "heldout_rmse": out.heldout_rmse,
        "train_rmse": out.train_rmse,
        "kmeans_inertia": out.inertia,
        "kmeans_iterations": out.kmeans_iterations,
        "group_sizes": sizes,
        "filled_visibility": p.filled_visibility,
        "filled_quality": p.filled_quality,
        "masked": p.masked,
        "visibility_mean": mean(&p.visibility),
        "quality_mean": mean(&p.quality),
        "data_verified": ml.is_verified(),
        "comparison": comparison,
    });
    run.write_file("summary.json", &serde_json::to_vec_pretty(&summary)?)?;
    for (phase, secs) in &out.timings {
        run.manifest_mut().timings.insert(phase.clone(), *secs);
    }
    let root = run.root().to_path_buf();
    let manifest = run.finish()?;
    println!("wrote {}: {}", root.display(), manifest.outputs.join(", "));
    Ok(())
}

fn print_comparison(what: &str, c: &Comparison, their_rows: usize, our_rows: usize) {
    println!(
        "compare {what}: mean ours {:.4} ({our_rows} rows) vs theirs {:.4} ({their_rows} rows); \
         per-movie column means: correlation {:.4}, largest difference {:.4}",
        c.mean_a, c.mean_b, c.column_mean_correlation, c.max_column_mean_difference
    );
}

/// Reads (visibility, quality) from a folder: appeals.npy + qualities.npy, or visibility.npy +
/// quality.npy.
fn load_comparison(dir: &Path) -> anyhow::Result<(Matrix, Matrix)> {
    for (v, q) in [
        ("appeals.npy", "qualities.npy"),
        ("visibility.npy", "quality.npy"),
    ] {
        if dir.join(v).is_file() {
            let vm = matrix::read_matrix(&dir.join(v))?;
            let qm = matrix::read_matrix(&dir.join(q))?;
            return Ok((vm, qm));
        }
    }
    anyhow::bail!(
        "--compare {}: holds neither appeals.npy + qualities.npy nor visibility.npy + quality.npy",
        dir.display()
    )
}
