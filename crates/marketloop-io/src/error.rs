//! Errors of the IO layer.

use std::path::PathBuf;

/// An error reading or writing marketloop files.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IoError {
    /// An operating-system error on a path.
    #[error("{path}: {source}")]
    Os {
        /// The file or folder.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A malformed or invalid file.
    #[error("{path}: {message}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong, naming the field, the value and what is allowed.
        message: String,
    },
    /// A table that cannot be written as it is.
    #[error("table: {0}")]
    Table(String),
    /// A run folder that cannot be used.
    #[error("output folder {path}: {message}")]
    RunDir {
        /// The folder.
        path: PathBuf,
        /// What is wrong and how to fix it.
        message: String,
    },
    /// JSON (de)serialisation failed.
    #[error("{path}: {source}")]
    Json {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: serde_json::Error,
    },
}

impl IoError {
    /// Wraps an OS error with its path.
    pub fn os(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        IoError::Os {
            path: path.into(),
            source,
        }
    }
}
