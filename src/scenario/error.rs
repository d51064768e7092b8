use std::path::PathBuf;

use super::Source;
use super::settings::PathError;

/// Everything that can be wrong with user input. Each message names where
/// (file:line:column, or the parameter path) and what is allowed.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum ScenarioError {
    #[error("{}: {message}", path.display())]
    Io { path: PathBuf, message: String },

    #[error("{file}:{line}:{column}: {message}")]
    Parse {
        file: String,
        line: usize,
        column: usize,
        message: String,
    },

    #[error("{file}: a scenario needs a `name`")]
    MissingName { file: String },

    #[error("{}: `base` files form a cycle", path.display())]
    BaseCycle { path: PathBuf },

    #[error("{}`{path}` = {value} is out of range: allowed {allowed}", file.as_ref().map(|f| format!("{f}: ")).unwrap_or_default())]
    Invalid {
        file: Option<String>,
        path: String,
        value: String,
        allowed: String,
    },

    #[error("--set {assignment}: {error}")]
    Set { assignment: String, error: PathError },

    #[error("{context}: {error}")]
    Path { context: String, error: PathError },

    #[error("{file}: point {point} ({assignments}): {error}")]
    InSweep {
        file: String,
        point: usize,
        assignments: String,
        error: Box<ScenarioError>,
    },
}

impl ScenarioError {
    pub(crate) fn parse(source: &Source, error: &ron::error::SpannedError) -> Self {
        ScenarioError::Parse {
            file: source.display(),
            line: error.span.start.line,
            column: error.span.start.col,
            message: error.code.to_string(),
        }
    }

    /// Attach the file a validation error was found in.
    pub(crate) fn in_file(self, source: &Source) -> Self {
        match self {
            ScenarioError::Invalid {
                file: None,
                path,
                value,
                allowed,
            } => ScenarioError::Invalid {
                file: Some(source.display()),
                path,
                value,
                allowed,
            },
            other => other,
        }
    }

    pub(crate) fn invalid(path: impl Into<String>, value: impl std::fmt::Display, allowed: impl Into<String>) -> Self {
        ScenarioError::Invalid {
            file: None,
            path: path.into(),
            value: value.to_string(),
            allowed: allowed.into(),
        }
    }
}
