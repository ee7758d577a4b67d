//! The runner: executes checked suites against a provider URL and returns result data; it never prints.
//!
//! [`Runner::connect`] reads `/system/info` once and builds the [`Profile`]; [`Runner::plan`]
//! turns cases into trials; [`Runner::run_case`] runs one trial and always cleans up after it.

mod backoff;
mod capture;
mod case;
mod cleanup;
mod client;
mod error;
mod expect;
pub mod faas_cli;
mod follow;
mod load;
mod ops;
mod plan;
pub mod profile;
mod progress;
mod result;
pub mod selftest;
mod settings;
mod step;

use std::sync::Mutex;
use std::time::Instant;

pub use cleanup::Resource;
pub use error::RunError;
pub use expect::json::subset as json_subset;
pub use plan::Planned;
pub use profile::{FeatureState, Profile};
pub use progress::{Progress, ProgressHook};
pub use result::{excerpt, CaseOutcome, CaseResult, StepOutcome, StepResult};
pub use settings::{Credentials, Settings, DEFAULT_JOBS, DEFAULT_REGISTRY};

use crate::spec::Suite;
use client::{Client, HttpRequest};

/// The longest `/system/info` may take to answer when the run connects.
const CONNECT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// A connected runner: settings, client, detected profile, and the suites it runs.
#[derive(Debug)]
pub struct Runner {
    /// The run's settings.
    pub settings: Settings,
    /// The profile of features.
    pub profile: Profile,
    /// `/system/info` as the target answered it.
    pub info: serde_json::Value,
    /// The unique id of this run; every resource name contains it.
    pub run_id: String,
    suites: Vec<Suite>,
    client: Client,
    deadline: Option<Instant>,
    leftovers: Mutex<Vec<Resource>>,
    /// Turns true on SIGINT/SIGTERM: no case starts and running ones stop between requests.
    interrupted: tokio::sync::watch::Sender<bool>,
    /// Every secret value any case has sent: a faulty provider may echo one case's secret
    /// into another case's answer, so redaction uses them all.
    sensitive: Mutex<Vec<String>>,
    /// Where cases report what they are doing (a live display), if anyone listens.
    progress: progress::ProgressSlot,
}

impl Runner {
    /// Reads `/system/info` (failing fast when the target is unreachable) and builds the profile.
    pub async fn connect(settings: Settings, suites: Vec<Suite>) -> Result<Runner, RunError> {
        let started = Instant::now();
        let client = Client::new(&settings)?;
        let req = HttpRequest {
            method: "GET".into(),
            path: "/system/info".into(),
            ..Default::default()
        };
        // The run's deadline bounds this first request too: a hanging target must not hold
        // `--timeout 5s` for the full connect allowance.
        let mut connect_deadline = started + CONNECT_TIMEOUT;
        if let Some(t) = settings.timeout {
            connect_deadline = connect_deadline.min(started + t);
        }
        let resp = client
            .send(&req, Some(connect_deadline))
            .await
            .map_err(|e| match e {
                RunError::Transport { reason, .. } => RunError::Unreachable {
                    url: settings.gateway.clone(),
                    reason,
                },
                other => other,
            })?;
        if resp.status == 401 || resp.status == 403 {
            let hint = if settings.credentials.is_some() {
                "the credentials were refused; check --username/--password-stdin, --token or the faas-cli config".to_string()
            } else {
                "credentials are needed: --username with --password-stdin, --token (OPENFAAS_TOKEN), or `faas-cli login`".to_string()
            };
            return Err(RunError::Refused {
                url: settings.gateway.clone(),
                status: resp.status,
                hint,
            });
        }
        let info: serde_json::Value =
            serde_json::from_slice(&resp.body).unwrap_or(serde_json::Value::Null);
        let profile = profile::build(profile::detect(&info), &settings);
        let run_id = new_run_id();
        let deadline = settings.timeout.map(|t| started + t);
        Ok(Runner {
            settings,
            profile,
            info,
            run_id,
            suites,
            client,
            deadline,
            leftovers: Mutex::new(Vec::new()),
            interrupted: tokio::sync::watch::Sender::new(false),
            sensitive: Mutex::new(Vec::new()),
            progress: progress::ProgressSlot::default(),
        })
    }

    /// Remembers secret values a case is about to send, for every later redaction.
    pub(crate) fn add_sensitive(&self, values: &[String]) {
        if let Ok(mut all) = self.sensitive.lock() {
            for v in values {
                if !all.contains(v) {
                    all.push(v.clone());
                }
            }
        }
    }

    /// Every secret value sent so far in this run, and the credentials.
    pub fn sensitive(&self) -> Vec<String> {
        let mut all = self.sensitive.lock().map(|s| s.clone()).unwrap_or_default();
        if let Some(c) = &self.settings.credentials {
            all.extend(c.secrets());
        }
        all
    }

    /// Stops the run: cases not started yet are skipped, running ones stop where they are
    /// and clean up what they created.
    pub fn interrupt(&self) {
        self.interrupted.send_replace(true);
    }

    /// Reports every case start and unmet polling attempt to `hook` (set once; a second
    /// hook is refused and `false` returned).
    pub fn on_progress(&self, hook: ProgressHook) -> bool {
        self.progress.set(hook)
    }

    /// Whether [`Runner::interrupt`] was called.
    pub fn is_interrupted(&self) -> bool {
        *self.interrupted.borrow()
    }

    /// A runner that has not contacted the target (for `--list`): the profile is "unknown".
    pub fn offline(settings: Settings, suites: Vec<Suite>) -> Result<Runner, RunError> {
        let client = Client::new(&settings)?;
        let profile = profile::build(profile::Detected::default(), &settings);
        let deadline = settings.timeout.map(|t| Instant::now() + t);
        Ok(Runner {
            settings,
            profile,
            info: serde_json::Value::Null,
            run_id: new_run_id(),
            suites,
            client,
            deadline,
            leftovers: Mutex::new(Vec::new()),
            interrupted: tokio::sync::watch::Sender::new(false),
            sensitive: Mutex::new(Vec::new()),
            progress: progress::ProgressSlot::default(),
        })
    }

    /// The suites this runner runs.
    pub fn suites(&self) -> &[Suite] {
        &self.suites
    }

    /// Every trial of the run, in suite order, with skip reasons.
    pub fn plan(&self) -> Vec<Planned> {
        plan::plan(
            &self.suites,
            &self.profile,
            &self.settings.namespace,
            self.settings.extra_namespace.as_deref(),
        )
    }

    /// Deletes what case cleanups could not (unless `--keep`); returns what is left.
    pub async fn finish(&self) -> Vec<Resource> {
        let left = self
            .leftovers
            .lock()
            .map(|mut l| std::mem::take(&mut *l))
            .unwrap_or_default();
        if self.settings.keep {
            return left;
        }
        cleanup::delete_all(&self.client, left).await
    }
}

/// A short random id: lower-case letters and digits, starting with a letter (DNS-1123 safe).
fn new_run_id() -> String {
    let uuid = uuid::Uuid::new_v4().simple().to_string();
    format!("c{}", &uuid[..6])
}
