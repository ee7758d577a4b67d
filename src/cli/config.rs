//! What can stop a run before it starts, typed, each cause with its exit status; and the
//! exit status of a run that finished.

use crate::exit;
use crate::report::{Level, RunReport};
use crate::runner::RunError;
use crate::suite::SuiteError;

/// Why a run could not start (nothing was run, nothing was created).
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// A flag or environment value is refused (a URL, a namespace, a duration, a feature).
    #[error("{0}")]
    Option(String),
    /// The credentials cannot be read (stdin, the faas-cli config).
    #[error("{0}")]
    Credentials(String),
    /// A suite does not load.
    #[error(transparent)]
    Suites(#[from] SuiteError),
    /// The expectations file (`--expect`) does not load.
    #[error("{0}")]
    Expectations(String),
    /// The selection runs nothing.
    #[error("{0}")]
    Selection(String),
    /// A report destination cannot be written.
    #[error("{0}")]
    Destination(String),
    /// The async runtime does not start.
    #[error("cannot start the async runtime: {0}")]
    Runtime(#[source] std::io::Error),
    /// The target cannot be certified: unreachable, refusing the credentials, not OpenFaaS.
    #[error(transparent)]
    Target(#[from] RunError),
}

impl ConfigError {
    /// The exit status for this cause.
    pub fn exit_code(&self) -> i32 {
        match self {
            ConfigError::Option(_)
            | ConfigError::Credentials(_)
            | ConfigError::Suites(_)
            | ConfigError::Expectations(_)
            | ConfigError::Selection(_)
            | ConfigError::Destination(_)
            | ConfigError::Runtime(_)
            | ConfigError::Target(_) => exit::USAGE,
        }
    }

    /// Prints the error and returns its exit status.
    pub fn report(&self) -> i32 {
        eprintln!("error: {self}");
        self.exit_code()
    }
}

/// The exit status of a finished run: by its verdict, then whether its reports were written.
pub fn exit_code(report: &RunReport, written: bool) -> i32 {
    match report.verdict.level {
        Level::Interrupted => exit::INTERRUPTED,
        level if !level.passed() => exit::FAILED,
        _ if !written => exit::USAGE,
        _ => exit::SUCCESS,
    }
}
