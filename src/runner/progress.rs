//! Progress of running cases, for a live display: the runner calls a hook the caller set
//! when a case starts and at each unmet polling attempt. It never prints.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

/// What a running case is doing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Progress {
    /// The trial started (a skipped one never does).
    Started {
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
}

/// The hook a caller sets; called from the runner's tasks, so it must be cheap.
pub type ProgressHook = Arc<dyn Fn(Progress) + Send + Sync>;

/// The runner's hook slot: unset (nothing reported) until the caller sets it once.
#[derive(Default)]
pub(crate) struct ProgressSlot(OnceLock<ProgressHook>);

impl ProgressSlot {
    /// Sets the hook; a second hook is refused (returns false).
    pub(crate) fn set(&self, hook: ProgressHook) -> bool {
        self.0.set(hook).is_ok()
    }

    /// Reports `event` to the hook, if any.
    pub(crate) fn report(&self, event: impl FnOnce() -> Progress) {
        if let Some(hook) = self.0.get() {
            hook(event());
        }
    }
}

impl std::fmt::Debug for ProgressSlot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.get().is_some() {
            "ProgressSlot(set)"
        } else {
            "ProgressSlot(unset)"
        })
    }
}
