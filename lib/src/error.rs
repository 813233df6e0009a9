//! The library's error type. Each kind maps to one documented exit code, and
//! most carry a hint that tells the user what to do next.

use std::fmt;
use std::path::{Path, PathBuf};

/// A problem found in one file of the store, printed as `path:line: message`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Problem {
    /// Path relative to the store root (or, for `relate import`, the file as given).
    pub path: PathBuf,
    pub line: Option<usize>,
    pub message: String,
}

impl Problem {
    pub fn new(path: impl Into<PathBuf>, line: Option<usize>, message: impl Into<String>) -> Self {
        Problem {
            path: path.into(),
            line,
            message: message.into(),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = self.path.display();
        match self.line {
            Some(line) => write!(f, "{path}:{line}: {}", self.message),
            None => write!(f, "{path}: {}", self.message),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Malformed input on the command line (a bad date, a negative quantity, an invalid id).
    #[error("{message}")]
    Usage {
        message: String,
        hint: Option<String>,
    },
    /// A record named on the command line does not exist.
    #[error("{message}")]
    NotFound {
        message: String,
        hint: Option<String>,
    },
    /// Files in the store are invalid.
    #[error("{}", problems_text(.problems))]
    InvalidData {
        problems: Vec<Problem>,
        hint: Option<String>,
    },
    /// The operation was refused or could not be carried out.
    #[error("{message}")]
    Failed {
        message: String,
        hint: Option<String>,
    },
    #[error("git: {0}")]
    Git(#[from] git2::Error),
    /// The I/O error is part of the message (not a `source`), so it is printed once.
    #[error("{path}: {error}")]
    Io {
        path: PathBuf,
        error: std::io::Error,
    },
}

fn problems_text(problems: &[Problem]) -> String {
    problems
        .iter()
        .map(|p| p.to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn usage(message: impl Into<String>) -> Self {
        Error::Usage {
            message: message.into(),
            hint: None,
        }
    }

    pub fn failed(message: impl Into<String>) -> Self {
        Error::Failed {
            message: message.into(),
            hint: None,
        }
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Error::NotFound {
            message: message.into(),
            hint: None,
        }
    }

    pub fn invalid(problems: Vec<Problem>) -> Self {
        Error::InvalidData {
            problems,
            hint: Some(
                "fix the file by hand (or `git checkout` it), then run `relate check`".into(),
            ),
        }
    }

    pub fn io(path: &Path, source: std::io::Error) -> Self {
        Error::Io {
            path: path.to_path_buf(),
            error: source,
        }
    }

    /// Attaches (or replaces) the hint shown below the error.
    pub fn with_hint(mut self, new_hint: impl Into<String>) -> Self {
        let new_hint = Some(new_hint.into());
        match &mut self {
            Error::Usage { hint, .. }
            | Error::NotFound { hint, .. }
            | Error::InvalidData { hint, .. }
            | Error::Failed { hint, .. } => *hint = new_hint,
            Error::Git(_) | Error::Io { .. } => {}
        }
        self
    }

    pub fn hint(&self) -> Option<&str> {
        match self {
            Error::Usage { hint, .. }
            | Error::NotFound { hint, .. }
            | Error::InvalidData { hint, .. }
            | Error::Failed { hint, .. } => hint.as_deref(),
            Error::Git(_) | Error::Io { .. } => None,
        }
    }

    /// The documented exit code: 1 failure, 2 usage, 3 not found, 4 invalid data.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Usage { .. } => 2,
            Error::NotFound { .. } => 3,
            Error::InvalidData { .. } => 4,
            Error::Failed { .. } | Error::Git(_) | Error::Io { .. } => 1,
        }
    }
}
