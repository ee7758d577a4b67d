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
    KnownFailures(String),
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
            ConfigError::Option(_) => exit::USAGE,
            ConfigError::Credentials(_) => exit::CREDENTIALS,
            ConfigError::Suites(_) => exit::SUITE,
            ConfigError::KnownFailures(_) => exit::EXPECTATIONS,
            ConfigError::Selection(_) => exit::NO_CASE,
            ConfigError::Destination(_) => exit::DESTINATION,
            ConfigError::Runtime(_) => exit::RUNTIME,
            ConfigError::Target(RunError::Unreachable { .. }) => exit::UNREACHABLE,
            ConfigError::Target(RunError::Refused { .. }) => exit::REFUSED,
            ConfigError::Target(_) => exit::PREFLIGHT,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_cause_has_its_own_status_apart_from_the_verdicts() {
        let target = |e: RunError| ConfigError::Target(e);
        let causes = [
            ConfigError::Option("--jobs must be at least 1".into()),
            ConfigError::Credentials("--password-stdin read an empty password".into()),
            ConfigError::Suites(SuiteError::Read {
                path: "suites".into(),
                source: std::io::Error::other("gone"),
            }),
            ConfigError::KnownFailures("expect.yaml: bad".into()),
            ConfigError::Selection("no case matches".into()),
            ConfigError::Destination("cannot write".into()),
            ConfigError::Runtime(std::io::Error::other("no threads")),
            target(RunError::Unreachable {
                url: "http://127.0.0.1:9".into(),
                reason: "connection refused".into(),
            }),
            target(RunError::Refused {
                url: "http://127.0.0.1:9".into(),
                status: 401,
                hint: "credentials are needed".into(),
            }),
            target(RunError::Config("not an OpenFaaS provider".into())),
        ];
        let mut codes: Vec<i32> = causes.iter().map(ConfigError::exit_code).collect();
        assert_eq!(codes[0], exit::USAGE, "a refused flag keeps status 2");
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), causes.len(), "{codes:?}");
        for verdict in [exit::SUCCESS, exit::FAILED, exit::INTERRUPTED] {
            assert!(!codes.contains(&verdict), "{verdict} in {codes:?}");
        }
    }
}
