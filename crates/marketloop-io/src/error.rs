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
    /// A spec field with a bad value: names the field (as spelled in the spec), the value and
    /// what is allowed.
    #[error("{field}: {message}")]
    Spec {
        /// The field, e.g. "ranking.strategy" or "t0".
        field: String,
        /// What is wrong, with the value and what is allowed.
        message: String,
    },
    /// A spec file's field with a bad value: names the file, the field (as spelled in the
    /// file), the value and what is allowed.
    #[error("{path}: {message}")]
    FileSpec {
        /// The file.
        path: PathBuf,
        /// The field, e.g. "runs" or "grid.feedback".
        field: String,
        /// What is wrong, with the value and what is allowed.
        message: String,
    },
    /// An invalid market parameter (the core's error, with its field).
    #[error(transparent)]
    Market(#[from] marketloop_core::market::MarketError),
    /// An invalid competing-bandits parameter (the core's error).
    #[error(transparent)]
    Bandit(#[from] marketloop_core::bandits::BanditError),
    /// A data-set or preprocessing error.
    #[error(transparent)]
    Data(#[from] marketloop_data::DataError),
    /// A sweep cell that failed (its label, and why).
    #[error("sweep cell {label}: {source}")]
    Cell {
        /// The cell's canonical label.
        label: String,
        /// Why it failed.
        #[source]
        source: Box<IoError>,
    },
    /// The run was asked to stop (Ctrl-C, see [`marketloop_core::runner::Stop`]) before it
    /// finished. Nothing is written once a stop is requested: finished replicates already
    /// saved stay saved and the run folder stays marked incomplete, so resuming continues it.
    #[error(
        "interrupted: the run was stopped before it finished; finished replicates are kept, \
         resume the same output folder to continue"
    )]
    Interrupted,
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
    /// A spec error naming `field`.
    pub fn spec(field: impl Into<String>, message: impl Into<String>) -> Self {
        IoError::Spec {
            field: field.into(),
            message: message.into(),
        }
    }

    /// An error in field `field` of the spec file `path`.
    pub fn file_spec(
        path: impl Into<PathBuf>,
        field: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        IoError::FileSpec {
            path: path.into(),
            field: field.into(),
            message: message.into(),
        }
    }

    /// The spec field the error is about, if it names one (as spelled in the spec).
    pub fn field(&self) -> Option<String> {
        match self {
            IoError::Spec { field, .. } | IoError::FileSpec { field, .. } => Some(field.clone()),
            IoError::Cell { source, .. } => source.field(),
            IoError::Market(e) => e.field().map(str::to_string),
            IoError::Bandit(marketloop_core::bandits::BanditError::OutOfRange { name, .. }) => {
                Some(name.clone())
            }
            _ => None,
        }
    }

    /// [`IoError::Interrupted`] when the current stop token asks to stop (see
    /// [`marketloop_core::runner::stop_requested`]): checked before each replicate is
    /// scheduled, after it is computed, and before every file is written.
    pub fn check_stop() -> Result<(), IoError> {
        if marketloop_core::runner::stop_requested() {
            Err(IoError::Interrupted)
        } else {
            Ok(())
        }
    }

    /// Wraps an OS error with its path.
    pub fn os(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        IoError::Os {
            path: path.into(),
            source,
        }
    }
}
