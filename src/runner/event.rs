//! What a run tells whoever listens, as it happens: typed events the runner sends to every
//! listener its caller adds (the reports' collector, a test). The runner never prints; it
//! only sends these. They carry what the runner saw, secrets unredacted: a listener that
//! shows or writes anything redacts it first with the secrets the run announced
//! ([`Event::Secret`]); `cli/collect.rs` is the one place that does.

use std::sync::{Arc, PoisonError, RwLock};
use std::time::Duration;

use super::gate::Stop;
use super::result::{CaseResult, StepResult};

/// One thing that happened in a run, in the order it happened for its trial.
#[derive(Debug, Clone)]
pub enum Event {
    /// A value the run keeps secret, sent before anything that may carry it: the run's
    /// credentials before `RunStarted`, each secret value before the request that sends it.
    /// Only for redaction: its `Debug` never shows the value.
    Secret(crate::redact::Secret),
    /// The run is about to start its cases: what it certifies and how (the reports'
    /// header).
    RunStarted(Box<RunHeader>),
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
        /// What it sent, expected and got, and how it ended (`step.outcome`: a failed
        /// expectation carries what it wanted and what came).
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
        /// What the target offers that the run did not check though nothing it asked for
        /// was off (callbacks, when a case needing one was skipped for want of a receiver).
        unchecked: Vec<String>,
    },
}

/// What a run certifies and how, as it starts: the reports' header comes from this.
#[derive(Debug, Clone)]
pub struct RunHeader {
    /// The run's unique id (`${run}` in suites).
    pub run_id: String,
    /// The provider or gateway URL.
    pub target: String,
    /// The default namespace certified.
    pub namespace: String,
    /// The extra namespace certified, if any.
    pub extra_namespace: Option<String>,
    /// The provider as `/system/info` described it.
    pub detected: super::profile::Detected,
    /// `/system/info` as the target answered it (null when it was not JSON).
    pub info: serde_json::Value,
    /// Every optional feature: its name, whether it is on, and why.
    pub profile: Vec<(String, bool, String)>,
    /// What the preflight found that did not stop the run.
    pub warnings: Vec<String>,
    /// The trials that will run, in the order they start.
    pub plan: Vec<String>,
}

/// A listener; called from the runner's tasks, so it must be cheap.
pub type EventHook = Arc<dyn Fn(&Event) + Send + Sync>;

/// The runner's listeners: none (nothing is built or sent) until a caller adds one.
#[derive(Default)]
pub(crate) struct Listeners(RwLock<Vec<EventHook>>);

impl Listeners {
    /// Adds `hook`; it receives every event sent from now on, after the listeners added
    /// before it.
    pub(crate) fn add(&self, hook: EventHook) {
        self.0
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .push(hook);
    }

    /// Sends `event` to every listener, if any (built only when someone listens).
    pub(crate) fn report(&self, event: impl FnOnce() -> Event) {
        // Copied out, so a listener may add another without waiting on this one.
        let hooks = self
            .0
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        if hooks.is_empty() {
            return;
        }
        let event = event();
        for hook in hooks.iter() {
            hook(&event);
        }
    }
}

impl std::fmt::Debug for Listeners {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n = self.0.read().map_or(0, |h| h.len());
        write!(f, "Listeners({n})")
    }
}
