//! The library's error type. Every failure a command can meet is one of a
//! few kinds, and the kind alone decides the exit code, so the binary maps
//! errors to codes in one place ([`Error::exit_code`]).

use std::io;
use std::path::Path;

use crate::graph::EdgeListError;
use crate::scenario::ScenarioError;

/// What went wrong, by whose fault: the input's (exit 2), the machine's or
/// ours (exit 1), or nobody's (a closed stdout ends a command normally).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A scenario or sweep file, a `--set`, or a parameter is wrong.
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
    /// An edge-list file named by a scenario is wrong.
    #[error(transparent)]
    EdgeList(#[from] EdgeListError),
    /// Any other bad input: a flag, a folder that is not a results folder,
    /// shards that do not belong together, a run too large for this machine.
    #[error("{0}")]
    Input(String),
    /// Reading or writing files failed (a full disk, a read-only folder).
    #[error("{context}: {source}")]
    Io {
        /// What was being done, naming the file or folder.
        context: String,
        /// The operating system's error.
        source: io::Error,
    },
    /// Another process is writing the output folder.
    #[error("{0}")]
    Busy(String),
    /// A results folder's files do not match its manifest.
    #[error("{0}")]
    Unverified(String),
    /// Standard output was closed by its reader (`agora demo | head`): not a failure.
    #[error("standard output closed")]
    ClosedOutput,
}

impl From<crate::analysis::AnalysisError> for Error {
    /// An analysis refusing its settings is bad input.
    fn from(e: crate::analysis::AnalysisError) -> Error {
        Error::Input(e.to_string())
    }
}

/// The library's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// The process exit code for this error: 2 for bad input, 0 for a closed
    /// standard output, 1 for everything else.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Scenario(_) | Error::EdgeList(_) | Error::Input(_) => 2,
            Error::ClosedOutput => 0,
            Error::Io { .. } | Error::Busy(_) | Error::Unverified(_) => 1,
        }
    }

    /// An IO failure while doing `context`. A reader closing standard
    /// output is not a failure: it becomes [`Error::ClosedOutput`].
    pub fn io(context: impl Into<String>, source: io::Error) -> Error {
        match source.kind() {
            io::ErrorKind::BrokenPipe => Error::ClosedOutput,
            _ => Error::Io {
                context: context.into(),
                source,
            },
        }
    }
}

/// Attach what was being done to an IO result.
pub trait IoContext<T> {
    /// Name the action (e.g. `writing results to DIR`).
    fn context(self, context: impl FnOnce() -> String) -> Result<T>;
    /// Name the path that was being read or written.
    fn at(self, path: &Path) -> Result<T>;
}

impl<T> IoContext<T> for io::Result<T> {
    fn context(self, context: impl FnOnce() -> String) -> Result<T> {
        self.map_err(|e| Error::io(context(), e))
    }
    fn at(self, path: &Path) -> Result<T> {
        self.map_err(|e| Error::io(path.display().to_string(), e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_decide_exit_codes() {
        assert_eq!(Error::Input("x".into()).exit_code(), 2);
        assert_eq!(Error::Busy("x".into()).exit_code(), 1);
        let full = io::Error::new(io::ErrorKind::StorageFull, "no space left");
        assert_eq!(Error::io("writing", full).exit_code(), 1);
        let pipe = io::Error::new(io::ErrorKind::BrokenPipe, "closed");
        assert!(matches!(Error::io("printing", pipe), Error::ClosedOutput));
        assert_eq!(Error::ClosedOutput.exit_code(), 0);
    }
}
