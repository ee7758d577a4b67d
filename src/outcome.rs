//! How a step ended, typed, from where the runner judges it (`runner/step.rs`, `judge`)
//! through its events to the report: one type the runner, the cli and the report share. A
//! leaf: it uses nothing else of the crate.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// How a step ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", content = "reason", rename_all = "lowercase")]
pub enum StepOutcome {
    /// Its expectations held.
    Passed,
    /// An expectation did not hold, or the answer broke its route's schema.
    Failed(Failure),
    /// It could not be carried out: why, and of which cause.
    Errored(Error),
}

/// Why a step could not be carried out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Error {
    /// Of which cause: the provider's transport, the suite, or the run's own limits.
    pub cause: ErrorCause,
    /// What went wrong, in one line.
    pub message: String,
}

/// What kind of trouble kept a step from ending on its own, for readers that sort errors (a
/// provider that stopped answering, a suite to fix, a run to give more time).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ErrorCause {
    /// The request failed in transport: refused, reset, or not answered by its deadline.
    Transport,
    /// The step as written cannot run here: a value invalid once its variables are expanded,
    /// a callback never asked for, no callback receiver.
    Suite,
    /// The run's own `--timeout` ended it while the provider could still have answered.
    RunTimeout,
    /// It was cut off before it could end: its case's deadline, or an interrupt.
    CutOff,
}

impl ErrorCause {
    /// Its name, as the reports write it (`run-timeout`).
    pub fn name(self) -> &'static str {
        match self {
            ErrorCause::Transport => "transport",
            ErrorCause::Suite => "suite",
            ErrorCause::RunTimeout => "run-timeout",
            ErrorCause::CutOff => "cut-off",
        }
    }
}

impl StepOutcome {
    /// An error of `cause`, saying `message`.
    pub fn errored(cause: ErrorCause, message: impl Into<String>) -> Self {
        StepOutcome::Errored(Error {
            cause,
            message: message.into(),
        })
    }
}

/// Why a step failed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Failure {
    /// What went wrong in one line, as every format shows it: `want replicas 2, got 1
    /// (after 3 attempts)`.
    pub message: String,
    /// What the expectation wanted and what came instead, when one did not hold; none for
    /// an answer that breaks its route's schema, a body too large, a change not carried out.
    pub mismatch: Option<WantGot>,
}

/// What an expectation wanted and what came instead, each in words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct WantGot {
    /// What was wanted (`status 200`).
    pub want: String,
    /// What came instead (`500`).
    pub got: String,
}

impl From<String> for Failure {
    /// A failure that is not a mismatch: only its message.
    fn from(message: String) -> Self {
        Failure {
            message,
            mismatch: None,
        }
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// How a step ended, as the reports' `outcome` word writes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
#[schemars(rename = "StepOutcome")]
pub enum StepWord {
    /// Its expectations held.
    Passed,
    /// An expectation did not hold.
    Failed,
    /// The request could not be made or answered.
    Errored,
}

impl StepOutcome {
    /// Its word: passed, failed or errored.
    pub fn word(&self) -> StepWord {
        match self {
            StepOutcome::Passed => StepWord::Passed,
            StepOutcome::Failed(_) => StepWord::Failed,
            StepOutcome::Errored(_) => StepWord::Errored,
        }
    }

    /// What went wrong, in one line; none when it passed.
    pub fn message(&self) -> Option<&str> {
        match self {
            StepOutcome::Passed => None,
            StepOutcome::Failed(f) => Some(&f.message),
            StepOutcome::Errored(e) => Some(&e.message),
        }
    }

    /// The cause of an error; none when the step passed or failed.
    pub fn cause(&self) -> Option<ErrorCause> {
        match self {
            StepOutcome::Errored(e) => Some(e.cause),
            _ => None,
        }
    }

    /// What was wanted and what came, when an expectation did not hold.
    pub fn mismatch(&self) -> Option<&WantGot> {
        match self {
            StepOutcome::Failed(f) => f.mismatch.as_ref(),
            _ => None,
        }
    }

    /// The outcome a report's `outcome`, `message`, `want`/`got` and `cause` describe (its
    /// JSON form); a message missing reads as empty, a cause missing (a report written before
    /// causes) as `transport`.
    pub fn from_parts(
        word: StepWord,
        message: Option<String>,
        mismatch: Option<WantGot>,
        cause: Option<ErrorCause>,
    ) -> Self {
        let message = message.unwrap_or_default();
        match word {
            StepWord::Passed => StepOutcome::Passed,
            StepWord::Failed => StepOutcome::Failed(Failure { message, mismatch }),
            StepWord::Errored => {
                StepOutcome::errored(cause.unwrap_or(ErrorCause::Transport), message)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_outcome_is_its_parts_and_back() {
        let mismatch = WantGot {
            want: "status 200".into(),
            got: "500".into(),
        };
        let failed = StepOutcome::Failed(Failure {
            message: "want status 200, got 500 (after 3 attempts)".into(),
            mismatch: Some(mismatch.clone()),
        });
        for outcome in [
            StepOutcome::Passed,
            failed.clone(),
            StepOutcome::Failed("answer breaks its schema".to_string().into()),
            StepOutcome::errored(ErrorCause::Transport, "connection refused"),
            StepOutcome::errored(ErrorCause::Suite, "undefined variable ${x}"),
        ] {
            let back = StepOutcome::from_parts(
                outcome.word(),
                outcome.message().map(str::to_string),
                outcome.mismatch().cloned(),
                outcome.cause(),
            );
            assert_eq!(back, outcome);
        }
        assert_eq!(failed.mismatch(), Some(&mismatch));
        assert_eq!(StepOutcome::Passed.message(), None);
        assert_eq!(failed.cause(), None);
        let late = StepOutcome::errored(ErrorCause::RunTimeout, "--timeout 1s ended this step");
        assert_eq!(late.cause().map(ErrorCause::name), Some("run-timeout"));
    }
}
