use std::path::PathBuf;

use super::Source;
use super::settings::PathError;

/// Everything that can be wrong with user input. Each message names where
/// (file:line:column, or the parameter path) and what is allowed.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum ScenarioError {
    /// A file could not be read.
    #[error("{}: {message}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        message: String,
    },

    /// A file is not valid RON for its type.
    #[error("{file}:{line}:{column}: {message}")]
    Parse {
        /// The file.
        file: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// The parser's message.
        message: String,
    },

    /// A scenario file without a name.
    #[error("{file}: a scenario needs a `name`")]
    MissingName {
        /// The file.
        file: String,
    },

    /// Scenario files whose `base` chain comes back to itself.
    #[error("{}: `base` files form a cycle", path.display())]
    BaseCycle {
        /// The file met twice.
        path: PathBuf,
    },

    /// A value out of its allowed range.
    #[error("{}`{path}` = {value} is out of range: allowed {allowed}", file.as_ref().map(|f| format!("{f}: ")).unwrap_or_default())]
    Invalid {
        /// The file the scenario came from, if known.
        file: Option<String>,
        /// The parameter path.
        path: String,
        /// The value given.
        value: String,
        /// What is allowed.
        allowed: String,
    },

    /// A `--set PATH=VALUE` that names no parameter or gives a bad value.
    #[error("--set {assignment}: {error}")]
    Set {
        /// The assignment as given.
        assignment: String,
        /// What is wrong with it.
        error: PathError,
    },

    /// A parameter path in a file (an intervention, a sweep axis) that is wrong.
    #[error("{context}: {error}")]
    Path {
        /// Where the path was written.
        context: String,
        /// What is wrong with it.
        error: PathError,
    },

    /// A sweep point whose scenario is invalid.
    #[error("{file}: point {point} ({assignments}): {error}")]
    InSweep {
        /// The sweep file.
        file: String,
        /// The point's index.
        point: usize,
        /// The point's assignments.
        assignments: String,
        /// What is wrong with the scenario there.
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
