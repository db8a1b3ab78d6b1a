//! The one error type of the data layer.

use std::path::PathBuf;

/// An error loading, fetching or preprocessing data.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DataError {
    /// An operating-system error on a path.
    #[error("{path}: {source}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A malformed line in a data file.
    #[error("{path}:{line}: {message}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// The line (1-based).
        line: usize,
        /// What is wrong, naming the field and the value.
        message: String,
    },
    /// A required file is missing.
    #[error("{path}: {message}")]
    Missing {
        /// The file that was looked for.
        path: PathBuf,
        /// What to do about it.
        message: String,
    },
    /// A file whose SHA-256 is not the published one.
    #[error(
        "{path}: SHA-256 {found} differs from the expected {expected}: the file is corrupt or \
         not the GroupLens MovieLens-100K u.data"
    )]
    Checksum {
        /// The file (or the download it came from).
        path: PathBuf,
        /// The expected hex digest.
        expected: String,
        /// The hex digest found.
        found: String,
    },
    /// A parameter or an input outside its allowed range.
    #[error("{0}")]
    Parameter(String),
    /// No download source could deliver the data.
    #[error("{0}")]
    Fetch(String),
    /// A stop was requested (see `marketloop_core::runner::Stop`) before the computation
    /// finished.
    #[error("interrupted: a stop was requested before the computation finished")]
    Interrupted,
}

impl DataError {
    /// Wraps an OS error with its path.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        DataError::Io {
            path: path.into(),
            source,
        }
    }
}
