//! What lets a case start and keeps it going: the cases it builds on, and whether the run is
//! still on (not interrupted, the provider still answering).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use tokio::sync::watch;

use super::client::{Client, HttpRequest};
use super::RunError;

/// How long a confirmed "still answering" is trusted before the next transport error checks
/// again.
const ALIVE_FOR: Duration = Duration::from_secs(1);

/// How long one health check may take; a target that accepts and is slow is still there.
const CHECK_TIMEOUT: Duration = Duration::from_secs(3);

/// Why the run stopped early.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stop {
    /// SIGINT or SIGTERM.
    Interrupted,
    /// The provider stopped answering: the root cause, and the trial that noticed it.
    ProviderGone {
        /// `the provider stopped answering at ... during ...: ...`.
        cause: String,
        /// The trial during which it was noticed.
        trial: String,
    },
}

/// How a finished trial ended, as far as the cases built on it care.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ended {
    /// It passed or was skipped: what builds on it may run.
    Fine,
    /// It failed, errored or was blocked itself, in these words.
    Broken(&'static str),
}

/// The run's shared state about ordering and stopping.
#[derive(Debug)]
pub struct Gate {
    /// Set once when the run stops early.
    stop: watch::Sender<Option<Stop>>,
    /// Every trial that has ended, and how.
    finished: watch::Sender<BTreeMap<String, Ended>>,
    /// The trials this run will start; a case waits only for foundations among them (none
    /// until [`Gate::schedule`] is called: a caller running cases one by one waits for none).
    scheduled: Mutex<Option<BTreeSet<String>>>,
    /// When the provider was last seen answering; also serialises health checks.
    seen_alive: tokio::sync::Mutex<Option<Instant>>,
}

impl Default for Gate {
    fn default() -> Self {
        Gate {
            stop: watch::Sender::new(None),
            finished: watch::Sender::new(BTreeMap::new()),
            scheduled: Mutex::new(None),
            seen_alive: tokio::sync::Mutex::new(None),
        }
    }
}

impl Gate {
    /// Stops the run for `why`; the first reason given stays.
    pub fn stop(&self, why: Stop) {
        self.stop.send_if_modified(|s| {
            if s.is_none() {
                *s = Some(why);
                true
            } else {
                false
            }
        });
    }

    /// Why the run stopped, if it did.
    pub fn stopped(&self) -> Option<Stop> {
        self.stop.borrow().clone()
    }

    /// Resolves when the run stops, with the reason.
    pub async fn wait_stop(&self) -> Stop {
        let mut rx = self.stop.subscribe();
        let stop = rx.wait_for(Option::is_some).await.map(|s| s.clone());
        match stop {
            Ok(s) => s.unwrap_or(Stop::Interrupted),
            // The sender lives as long as the gate: never reached while a case runs.
            Err(_) => std::future::pending().await,
        }
    }

    /// Records the trials the run will start; a case waits only for foundations among them.
    pub fn schedule(&self, trials: impl IntoIterator<Item = String>) {
        if let Ok(mut s) = self.scheduled.lock() {
            *s = Some(trials.into_iter().collect());
        }
    }

    fn is_scheduled(&self, trial: &str) -> bool {
        self.scheduled
            .lock()
            .map(|s| s.as_ref().is_some_and(|s| s.contains(trial)))
            .unwrap_or(false)
    }

    /// Records how `trial` ended.
    pub fn finish(&self, trial: &str, ended: Ended) {
        self.finished.send_modify(|m| {
            m.insert(trial.to_string(), ended);
        });
    }

    /// Waits for every scheduled trial of `foundations` to end; returns the first that
    /// broke, with how, or None when all are fine (or the run stopped meanwhile).
    pub async fn wait_for(&self, foundations: &[String]) -> Option<(String, &'static str)> {
        let wanted: Vec<&String> = foundations
            .iter()
            .filter(|t| self.is_scheduled(t))
            .collect();
        if wanted.is_empty() {
            return None;
        }
        let mut rx = self.finished.subscribe();
        let all_ended = rx.wait_for(|m| wanted.iter().all(|t| m.contains_key(*t)));
        tokio::select! {
            ended = all_ended => {
                let ended = ended.ok()?;
                wanted.iter().find_map(|t| match ended.get(*t) {
                    Some(Ended::Broken(how)) => Some(((*t).clone(), *how)),
                    _ => None,
                })
            }
            _ = self.wait_stop() => None,
        }
    }

    /// After a transport error in `trial`: whether the provider still answers at all (any
    /// HTTP answer to `GET /healthz` counts, so does a slow one). When it does not, twice,
    /// the run stops with that root cause and this returns false.
    pub async fn still_answering(&self, client: &Client, trial: &str, error: &RunError) -> bool {
        if matches!(self.stopped(), Some(Stop::ProviderGone { .. })) {
            return false;
        }
        // A slow answer is a provider that is there: the step's own timeout reports it.
        if matches!(error, RunError::Transport { reason, .. } if reason == "timed out") {
            return true;
        }
        let mut seen = self.seen_alive.lock().await;
        if seen.is_some_and(|t| t.elapsed() < ALIVE_FOR) {
            return true;
        }
        // Either route answering with a status line is enough: one route that resets is a
        // fault of that route, not a provider gone.
        let probes = ["/healthz", "/system/info"].map(|path| HttpRequest {
            method: "GET".into(),
            path: path.into(),
            ..Default::default()
        });
        let mut reason = error.brief();
        for attempt in 0..2 {
            if attempt > 0 {
                tokio::time::sleep(Duration::from_millis(300)).await;
            }
            for probe in &probes {
                // Only the status line matters: a provider that answers, even with a broken
                // body, is still there.
                match client.open(probe, Instant::now() + CHECK_TIMEOUT).await {
                    Ok(_) => {
                        *seen = Some(Instant::now());
                        return true;
                    }
                    Err(RunError::Transport { reason: r, .. }) if r == "timed out" => {
                        *seen = Some(Instant::now());
                        return true;
                    }
                    Err(e) => reason = e.brief(),
                }
            }
        }
        let at = chrono::Utc::now().format("%H:%M:%S");
        self.stop(Stop::ProviderGone {
            cause: format!("the provider stopped answering at {at} UTC during {trial}: {reason}"),
            trial: trial.to_string(),
        });
        false
    }
}
