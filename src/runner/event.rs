//! What a run tells whoever listens, as it happens: typed events the runner sends to the
//! one hook its caller sets (the live console, the progress area, the reports' collector).
//! The runner never prints; it only sends these.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use super::gate::Stop;
use super::result::{CaseResult, StepOutcome, StepResult};

/// One thing that happened in a run, in the order it happened for its trial.
#[derive(Debug, Clone)]
pub enum Event {
    /// The run is about to start its cases against `target`.
    RunStarted {
        /// The provider or gateway URL.
        target: String,
        /// The provider as detected (`faas-netes-ce`, empty when unknown).
        provider: String,
        /// Every optional feature: its name, whether it is on, and why.
        profile: Vec<(String, bool, String)>,
        /// The trials that will run, in the order they start.
        plan: Vec<String>,
    },
    /// A trial started (a skipped or blocked one never does).
    CaseStarted {
        /// The trial, `suite::case` or `suite::case@extra`.
        trial: String,
    },
    /// A polling step's expectation does not hold yet; it will ask again.
    Waiting {
        /// The trial.
        trial: String,
        /// What is missing, e.g. `want replicas 2, got 1`.
        mismatch: String,
        /// The attempt that just missed (1 is the first request).
        attempt: u32,
        /// How long the step has been polling.
        elapsed: Duration,
    },
    /// A step ended.
    StepFinished {
        /// The trial.
        trial: String,
        /// How it ended.
        outcome: StepVerdict,
        /// What it sent, expected and got.
        step: Box<StepResult>,
    },
    /// A trial ended, cleanup included.
    CaseFinished {
        /// What it did.
        result: Box<CaseResult>,
    },
    /// Every trial ended and the run's last cleanup is done.
    RunFinished {
        /// Why the run stopped early, if it did.
        stopped: Option<Stop>,
        /// How many resources the run's cleanups removed.
        removed: usize,
        /// What is left on the target (on purpose with `--keep`, or because cleanup failed),
        /// each with why.
        leftovers: Vec<super::cleanup::Left>,
    },
}

/// How a step ended, typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StepVerdict {
    /// Its expectations held.
    Pass,
    /// An expectation did not hold: what was wanted, what came, and the last attempts.
    Mismatch {
        /// What was expected, in words.
        want: String,
        /// What came back instead.
        got: String,
        /// One line per failed attempt before the last (up to five).
        attempts: Vec<String>,
    },
    /// The step could not be performed.
    Error {
        /// Why.
        cause: String,
    },
}

/// How many of a step's failed attempts a mismatch keeps.
pub const LAST_ATTEMPTS: usize = 5;

impl StepVerdict {
    /// The verdict of a performed step.
    pub fn of(step: &StepResult) -> StepVerdict {
        match &step.outcome {
            StepOutcome::Passed => StepVerdict::Pass,
            StepOutcome::Failed(got) => StepVerdict::Mismatch {
                want: step.expectation.clone(),
                got: got.clone(),
                attempts: step.attempt_log[step.attempt_log.len().saturating_sub(LAST_ATTEMPTS)..]
                    .to_vec(),
            },
            StepOutcome::Errored(cause) => StepVerdict::Error {
                cause: cause.clone(),
            },
        }
    }
}

/// The hook a caller sets; called from the runner's tasks, so it must be cheap.
pub type EventHook = Arc<dyn Fn(Event) + Send + Sync>;

/// The runner's hook slot: unset (nothing sent) until the caller sets it once.
#[derive(Default)]
pub(crate) struct EventSlot(OnceLock<EventHook>);

impl EventSlot {
    /// Sets the hook; a second hook is refused (returns false).
    pub(crate) fn set(&self, hook: EventHook) -> bool {
        self.0.set(hook).is_ok()
    }

    /// Sends `event` to the hook, if any (built only when someone listens).
    pub(crate) fn report(&self, event: impl FnOnce() -> Event) {
        if let Some(hook) = self.0.get() {
            hook(event());
        }
    }
}

impl std::fmt::Debug for EventSlot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.get().is_some() {
            "EventSlot(set)"
        } else {
            "EventSlot(unset)"
        })
    }
}
