//! # marketloop-data
//!
//! Data sets and their preprocessing: the MovieLens-100K loader, matrix completion by biased
//! SVD, k-means clustering of users into preference types, and the construction of the
//! visibility and quality matrices of the trial-offer market.
//!
//! Modules:
//! - [`movielens`]: loading a local `ml-100k/` folder into a sparse [`RatingMatrix`].
//! - [`fetch`] (feature `fetch`): downloading and verifying MovieLens-100K into a cache folder.
//! - [`completion`]: biased SVD trained by SGD exactly as the Surprise library's `SVD`, held-out
//!   RMSE and k-fold cross-validation, and the completed preference matrix.
//! - [`kmeans`]: k-means++ seeding and Lloyd iterations with restarts, deterministic in parallel.
//! - [`preferences`]: group visibility (eq. 18) and quality (eq. 19) matrices and weights.
//! - [`pipeline`]: the whole chain from ratings to a market's preference matrices.
//!
//! Randomness: every random function takes `&mut R: Rng` or a
//! [`marketloop_core::rng::SeedSequence`] whose streams of
//! [`marketloop_core::rng::Source::Preprocessing`] it uses; results never depend on the number
//! of threads.
#![deny(missing_docs)]

pub mod completion;
pub mod error;
#[cfg(feature = "fetch")]
pub mod fetch;
pub mod kmeans;
pub mod movielens;
pub mod pipeline;
pub mod preferences;

pub use completion::{BiasedSvd, CompletedMatrix, SvdConfig, SvdModel};
pub use error::DataError;
pub use kmeans::{Clustering, KMeans, KMeansConfig};
pub use movielens::{MovieLens, Rating, RatingMatrix};
pub use pipeline::{Completion, Pipeline, PipelineConfig, PipelineOutput};
pub use preferences::{FillRule, PreferenceConfig, Preferences, Variant};

use std::path::PathBuf;

/// The cache root: `$MARKETLOOP_CACHE` if set, else `$XDG_CACHE_HOME/marketloop`, else
/// `~/.cache/marketloop`, else `.cache/marketloop` in the current folder. MovieLens-100K goes
/// into its `ml-100k/` subfolder.
pub fn default_cache_dir() -> PathBuf {
    let env = |k: &str| {
        std::env::var_os(k)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    if let Some(p) = env("MARKETLOOP_CACHE") {
        return p;
    }
    if let Some(p) = env("XDG_CACHE_HOME") {
        return p.join("marketloop");
    }
    if let Some(p) = env("HOME") {
        return p.join(".cache").join("marketloop");
    }
    PathBuf::from(".cache").join("marketloop")
}

/// The real MovieLens-100K folder for tests that need it: `$MARKETLOOP_ML100K`, else the
/// default cache, if it holds `u.data`.
#[cfg(test)]
pub(crate) fn real_data_dir() -> Option<PathBuf> {
    let cands = [
        std::env::var_os("MARKETLOOP_ML100K").map(PathBuf::from),
        Some(default_cache_dir().join("ml-100k")),
    ];
    cands
        .into_iter()
        .flatten()
        .find(|d| d.join("u.data").is_file())
}
