//! `RunError`: why the runner could not do its job (as opposed to a provider failing a case).

/// A harness problem: bad configuration, an unreachable target, a broken suite at run time.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The target did not answer at all.
    #[error("cannot reach {url}: {reason}; is a provider running there? (`faas-certifier selftest` certifies the bundled mock without one)")]
    Unreachable {
        /// The URL tried.
        url: String,
        /// The transport error.
        reason: String,
    },
    /// The target refused the run's credentials on `/system/info`.
    #[error("{url}/system/info answered {status}: {hint}")]
    Refused {
        /// The URL tried.
        url: String,
        /// The status.
        status: u16,
        /// What to do about it.
        hint: String,
    },
    /// The configuration is unusable.
    #[error("{0}")]
    Config(String),
    /// An HTTP client could not be built.
    #[error("cannot build the HTTP client: {0}")]
    Client(String),
    /// A request failed in transport (connection refused, timeout, reset).
    #[error("{method} {path}: {reason}")]
    Transport {
        /// The method.
        method: String,
        /// The path.
        path: String,
        /// What went wrong.
        reason: String,
    },
    /// The answer's body is larger than the runner reads (4 MiB, `client::BODY_LIMIT`):
    /// the provider's fault, so the step fails (it does not error).
    #[error("{method} {path}: {}", self.brief())]
    BodyTooLarge {
        /// The method.
        method: String,
        /// The path.
        path: String,
        /// The status that came with it.
        status: u16,
        /// Its size in bytes when the answer said so; else more than `limit`.
        size: Option<u64>,
        /// The limit, in bytes.
        limit: usize,
        /// The body's first bytes, as text.
        start: String,
    },
    /// A step could not be carried out as written (a bad duration, a callback never asked for).
    #[error(transparent)]
    Step(#[from] StepError),
}

/// Why a step could not be carried out: the suite or the run cannot give it what it needs.
#[derive(Debug, thiserror::Error)]
pub enum StepError {
    /// A duration field of the step does not parse.
    #[error("{field}: {reason}")]
    Duration {
        /// The field, e.g. `stream.first_within`.
        field: &'static str,
        /// Why it does not parse.
        reason: String,
    },
    /// A `stream` step names neither `events` nor `lines`.
    #[error("stream: write `events` or `lines`")]
    StreamFraming,
    /// A `callback` step with no earlier `invoke_async` asking for one, or no receiver.
    #[error("no callback was asked for")]
    NoCallbackAsked,
    /// A `callback` step before any `invoke_async` with `callback: true`.
    #[error("no `invoke_async` with `callback: true` ran before this step")]
    NoCallbackBefore,
    /// The run has no callback receiver.
    #[error(transparent)]
    NoReceiver(#[from] super::callback::NoReceiver),
}

impl RunError {
    /// The cause a step errored by this shows: a step that cannot run as written is the
    /// suite's; anything else kept the request or its answer from passing.
    pub fn cause(&self) -> crate::outcome::ErrorCause {
        use crate::outcome::ErrorCause;
        match self {
            RunError::Step(_) | RunError::Config(_) => ErrorCause::Suite,
            _ => ErrorCause::Transport,
        }
    }

    /// Whether the request went out and its answer did not come in time.
    pub fn timed_out(&self) -> bool {
        matches!(self, RunError::Transport { reason, .. } if reason == "timed out")
    }

    /// The error without the method and path a step report already shows.
    pub fn brief(&self) -> String {
        match self {
            RunError::Transport { reason, .. } => reason.clone(),
            RunError::BodyTooLarge {
                status,
                size,
                limit,
                start,
                ..
            } => {
                let (got, rest) = match size {
                    Some(n) => (
                        format!("{n} bytes"),
                        format!("{} more bytes", n.saturating_sub(start.len() as u64)),
                    ),
                    None => (
                        format!("more than {limit} bytes"),
                        format!("over {} more bytes", limit.saturating_sub(start.len())),
                    ),
                };
                format!("want a body of at most {limit} bytes, got {got} (status {status}): {start:?}... ({rest})")
            }
            other => other.to_string(),
        }
    }
}
