//! The runner: executes checked suites against a provider URL and sends what happens as
//! typed [`Event`]s; it never prints, and knows nothing of reports.
//!
//! [`Runner::connect`] reads `/system/info` once and builds the [`Profile`]; [`Runner::plan`]
//! turns cases into trials; [`run_all`] runs trials as tasks, `--jobs` at a time, on the
//! caller's runtime; [`Runner::run_case`] runs one trial and always cleans up after it.

mod backoff;
mod bodies;
mod callback;
mod capture;
mod case;
mod cleanup;
mod client;
mod error;
mod event;
mod expect;
pub mod faas_cli;
mod gate;
mod kinds;
mod ops;
mod plan;
mod preflight;
pub mod probe;
pub mod profile;
mod result;
mod schedule;
mod settings;
mod step;

use std::sync::Mutex;
use std::time::Instant;

pub use callback::NoReceiver;
pub use case::BLOCKED_BY;
pub use cleanup::{Cleaned, Left, Resource};
pub use error::{RunError, StepError};
pub use event::{Event, EventHook, RunHeader};
pub use expect::json::subset as json_subset;
pub use gate::Stop;
pub use plan::Planned;
pub use profile::{FeatureState, Profile};
pub use result::{excerpt, CaseOutcome, CaseResult, StepResult};
pub use schedule::{run_all, Work};
pub use settings::{Credentials, Settings, DEFAULT_JOBS, DEFAULT_REGISTRY};

use crate::suite::Suite;
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
    /// What the preflight found that did not stop the run (a provider that lists no
    /// namespaces): shown in the header, recorded in the reports.
    pub warnings: Vec<String>,
    /// Shared, not copied: a selftest's four runners run the same suites.
    suites: std::sync::Arc<[Suite]>,
    client: Client,
    deadline: Option<Instant>,
    leftovers: Mutex<Vec<cleanup::Left>>,
    /// How many resources cleanups removed so far.
    removed: std::sync::atomic::AtomicUsize,
    /// Deletes under way in the background (the probe function's), waited for at the end.
    background: Mutex<Vec<tokio::task::JoinHandle<cleanup::Cleaned>>>,
    /// Foundations and early stops (SIGINT/SIGTERM, a provider that stopped answering): no
    /// case starts after a stop and running ones stop between requests.
    gate: gate::Gate,
    /// Every secret value any case has sent: a faulty provider may echo one case's secret
    /// into another case's answer, so redaction uses them all.
    sensitive: Mutex<Vec<crate::redact::Secret>>,
    /// The answer schemas of `contract/openapi.json`, compiled once per run: every JSON
    /// answer a step accepts is checked against its route's schema.
    schemas: &'static crate::contract::schemas::Schemas,
    /// Who the run sends its events ([`Event`]) to.
    listeners: event::Listeners,
    /// The callback receiver, started when a case first asks for it.
    callbacks: callback::Callbacks,
}

impl Runner {
    /// Reads `/system/info` (failing fast when the target is unreachable) and builds the profile.
    pub async fn connect(
        settings: Settings,
        suites: impl Into<std::sync::Arc<[Suite]>>,
    ) -> Result<Runner, RunError> {
        let suites = suites.into();
        let started = Instant::now();
        let client = Client::new(&settings)?;
        // The run's deadline bounds this first request too: a hanging target must not hold
        // `--timeout 5s` for the full connect allowance.
        let mut connect_deadline = started + CONNECT_TIMEOUT;
        if let Some(t) = settings.timeout {
            connect_deadline = connect_deadline.min(started + t);
        }
        let info = read_info(&client, &settings, started, connect_deadline).await?;
        let warnings = preflight::namespaces(&client, &settings, connect_deadline).await?;
        for w in &warnings {
            tracing::warn!(target: "faas_certifier::preflight", "{w}");
        }
        if run_timeout_passed(&settings, started) {
            return Err(preflight::run_timeout(
                &settings,
                "GET /system/namespaces had not answered",
            ));
        }
        let detected = profile::detect(&info);
        let run_id = new_run_id();
        let deadline = settings.timeout.map(|t| started + t);
        // The preflight saw either form of /system/info: the target is OpenFaaS, so probes
        // may create things.
        // Compiled before the probes create anything, so a failure here leaves nothing behind.
        let schemas = compile_schemas()?;
        let probed = probe_features(&client, &settings, &detected, &run_id, deadline).await;
        let profile = profile::build_with(detected, &settings, &probed.findings);
        // The probe function goes at once, in the background: a provider may take its stop
        // grace to answer the delete, and no case needs to wait for that.
        let probe_cleanup = probed.leftover.map(|probe_fn| {
            let (client, bound) = (client.clone(), cleanup_bound(&settings, deadline));
            tokio::spawn(
                async move { cleanup::delete_all(&client, vec![probe_fn], &[], bound).await },
            )
        });
        Ok(Runner {
            callbacks: callback::Callbacks::new(&settings),
            settings,
            profile,
            info,
            run_id,
            suites,
            client,
            deadline,
            leftovers: Mutex::new(Vec::new()),
            removed: Default::default(),
            background: Mutex::new(probe_cleanup.into_iter().collect()),
            warnings,
            gate: gate::Gate::default(),
            sensitive: Mutex::new(Vec::new()),
            schemas,
            listeners: event::Listeners::default(),
        })
    }

    /// Remembers secret values a case is about to send, each with the secret it is the
    /// value of, for every later redaction, and announces each new one to the listeners
    /// ([`Event::Secret`]) before it is sent: numbered in the order first sent, so each
    /// marker says which value of the run it hides (`<redacted: value 2 of this run (s), 9
    /// bytes>`).
    pub(crate) fn add_sensitive(&self, values: &[(Vec<u8>, String)]) {
        let mut new = Vec::new();
        {
            // A poisoned lock still holds every value recorded: keep recording (fail closed).
            let mut all = self
                .sensitive
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            for (bytes, origin) in values {
                if !bytes.is_empty() && !all.iter().any(|s| s.bytes == *bytes) {
                    let number = all.len() + 1;
                    let origin = Some(format!("secret `{origin}`"));
                    let secret = crate::redact::Secret::value(bytes.clone(), number, origin);
                    all.push(secret.clone());
                    new.push(secret);
                }
            }
        }
        for secret in new {
            self.listeners.report(|| Event::Secret(secret));
        }
    }

    /// A redactor for every secret value sent so far in this run, and the credentials.
    pub(crate) fn redactor(&self) -> crate::redact::Redactor {
        let mut redactor = crate::redact::Redactor::default();
        for secret in self.sensitive() {
            redactor.add_secret(secret);
        }
        redactor
    }

    /// Every secret value sent so far in this run, and the credentials.
    fn sensitive(&self) -> Vec<crate::redact::Secret> {
        // A poisoned lock still holds every value recorded: never an empty list (fail closed).
        let mut all = self
            .sensitive
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone();
        if let Some(c) = &self.settings.credentials {
            all.extend(c.secrets());
        }
        all
    }

    /// Stops the run: cases not started yet are skipped, running ones stop where they are
    /// and clean up what they created.
    pub fn interrupt(&self) {
        self.gate.stop(Stop::Interrupted);
    }

    /// Adds a listener: `hook` receives every event of this runner ([`Event`]) from now on,
    /// after the listeners added before it.
    pub fn on_event(&self, hook: EventHook) {
        self.listeners.add(hook)
    }

    /// Why the run stopped early, if it did.
    pub fn stopped(&self) -> Option<Stop> {
        self.gate.stopped()
    }

    /// The one root cause of a run that lost its provider: `the provider stopped answering
    /// at ... during ...`.
    pub fn root_cause(&self) -> Option<String> {
        match self.gate.stopped() {
            Some(Stop::ProviderGone { cause, .. }) => Some(cause),
            _ => None,
        }
    }

    /// Records the trials this run will start, so a case waits only for the foundations
    /// that will run (a filtered run may leave a foundation out).
    pub fn schedule(&self, trials: impl IntoIterator<Item = String>) {
        self.gate.schedule(trials);
    }

    /// A runner that has not contacted the target (for `--list`): the profile is "unknown".
    pub fn offline(
        settings: Settings,
        suites: impl Into<std::sync::Arc<[Suite]>>,
    ) -> Result<Runner, RunError> {
        let suites = suites.into();
        let client = Client::new(&settings)?;
        let profile = profile::build(profile::Detected::default(), &settings);
        let deadline = settings.timeout.map(|t| Instant::now() + t);
        Ok(Runner {
            callbacks: callback::Callbacks::new(&settings),
            settings,
            profile,
            info: serde_json::Value::Null,
            run_id: new_run_id(),
            suites,
            client,
            deadline,
            warnings: Vec::new(),
            leftovers: Mutex::new(Vec::new()),
            removed: Default::default(),
            background: Mutex::new(Vec::new()),
            gate: gate::Gate::default(),
            sensitive: Mutex::new(Vec::new()),
            schemas: compile_schemas()?,
            listeners: event::Listeners::default(),
        })
    }

    /// What this run certifies and how, with the `trials` it will start (its
    /// `RunStarted`).
    pub fn header(&self, trials: &[Planned]) -> RunHeader {
        RunHeader {
            run_id: self.run_id.clone(),
            target: self.settings.gateway.clone(),
            namespace: self.settings.namespace.clone(),
            extra_namespace: self.settings.extra_namespace.clone(),
            detected: self.profile.detected.clone(),
            info: self.info.clone(),
            profile: self
                .profile
                .features
                .iter()
                .map(|(f, s)| (f.name().to_string(), s.enabled, s.reason.clone()))
                .collect(),
            warnings: self.warnings.clone(),
            plan: trials.iter().map(|p| p.trial.clone()).collect(),
        }
    }

    /// The suites this runner runs.
    pub fn suites(&self) -> &[Suite] {
        &self.suites
    }

    /// Every trial of the run, in suite order, with skip reasons.
    pub fn plan(&self) -> Vec<Planned> {
        let mut plan = plan::plan(
            &self.suites,
            &self.profile,
            &self.settings.namespace,
            self.settings.extra_namespace.as_deref(),
        );
        self.callbacks
            .skip_without_receiver(&self.suites, &mut plan);
        plan
    }

    /// What the target offers that this run did not check, though nothing it asked for
    /// was off (callbacks with no receiver to take them): each makes a passing run only
    /// `passed (partial)`.
    pub fn unchecked(&self) -> Vec<String> {
        self.callbacks.unchecked().into_iter().collect()
    }

    /// The plan in the order to start it: foundations (cases others build on) first, so a
    /// root cause is found before what depends on it waits for it; then the cases that wait
    /// on the autoscaler, so their waits overlap the rest.
    pub fn run_order(&self) -> Vec<Planned> {
        plan::start_order(&self.suites, self.plan())
    }

    /// How long a cleanup starting now may take: `--cleanup-timeout`, but no later than the
    /// run's `--timeout` (past it, one `--request-timeout`), so nothing hangs past the deadline.
    pub(crate) fn cleanup_bound(&self) -> std::time::Duration {
        cleanup_bound(&self.settings, self.deadline)
    }

    /// Counts resources a cleanup removed.
    pub(crate) fn count_removed(&self, n: usize) {
        self.removed
            .fetch_add(n, std::sync::atomic::Ordering::Relaxed);
    }

    /// Waits for the deletes under way in the background, then deletes again what case
    /// cleanups could not (unless `--keep`; a delete the provider accepted but never carried
    /// out is not sent again): how many resources the run removed, and what is left.
    pub async fn finish(&self) -> (usize, Vec<cleanup::Left>) {
        let background = std::mem::take(
            &mut *self
                .background
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        );
        let mut left = Vec::new();
        for task in background {
            if let Ok(cleaned) = task.await {
                self.count_removed(cleaned.removed.len());
                left.extend(cleaned.left);
            }
        }
        left.extend(std::mem::take(
            &mut *self
                .leftovers
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        ));
        let removed = |r: &Self| r.removed.load(std::sync::atomic::Ordering::Relaxed);
        if self.settings.keep {
            return (removed(self), left);
        }
        let (stay, again): (Vec<_>, Vec<_>) = left.into_iter().partition(|l| l.accepted);
        // Also after the provider stopped answering: it may be back (a port-forward that
        // hiccuped); against one that is gone each delete fails at once.
        // What a case's cleanup already tried for its whole bound gets one more short try,
        // not a second bound.
        let bound = if self.root_cause().is_some() || again.iter().all(|l| l.tried) {
            self.cleanup_bound().min(GONE_CLEANUP)
        } else {
            self.cleanup_bound()
        };
        let again = again.into_iter().map(|l| l.resource).collect();
        let cleaned = cleanup::delete_all(&self.client, again, &[], bound).await;
        self.count_removed(cleaned.removed.len());
        let mut left = stay;
        left.extend(cleaned.left);
        (removed(self), left)
    }
}

/// [`Runner::cleanup_bound`] for `settings` and the run's `deadline`.
fn cleanup_bound(settings: &Settings, deadline: Option<Instant>) -> std::time::Duration {
    let bound = settings.cleanup_timeout;
    match deadline {
        Some(d) => bound.min(
            d.saturating_duration_since(Instant::now())
                .max(settings.request_timeout),
        ),
        None => bound,
    }
}

/// How long the last cleanup tries after the provider stopped answering, or for what case
/// cleanups already tried.
const GONE_CLEANUP: std::time::Duration = std::time::Duration::from_secs(10);

/// Whether the run's `--timeout`, counted from `started`, has passed.
fn run_timeout_passed(settings: &Settings, started: Instant) -> bool {
    settings.timeout.is_some_and(|t| started.elapsed() >= t)
}

/// Probes the target's optional features (see [`probe`]), within one request timeout and
/// the run's deadline. Nothing is probed when `--profile` decides every feature; the caller
/// probes only a target whose `/system/info` had the provider or gateway form (nothing is
/// created on a target that is not OpenFaaS).
async fn probe_features(
    client: &Client,
    settings: &Settings,
    detected: &profile::Detected,
    run_id: &str,
    run_deadline: Option<Instant>,
) -> probe::Probed {
    if settings.profile.is_some() {
        return probe::Probed::default();
    }
    let mut deadline = Instant::now() + settings.request_timeout;
    if let Some(d) = run_deadline {
        deadline = deadline.min(d);
    }
    probe::probe(client, settings, run_id, detected.gateway, deadline).await
}

/// `/system/info` of the target, before `deadline`: unreachable, refusing the run's
/// credentials and not OpenFaaS are each an error of their own.
async fn read_info(
    client: &Client,
    settings: &Settings,
    started: Instant,
    deadline: Instant,
) -> Result<serde_json::Value, RunError> {
    let req = HttpRequest {
        method: "GET".into(),
        path: "/system/info".into(),
        ..Default::default()
    };
    let resp = client
        .send(&req, Some(deadline))
        .await
        .map_err(|e| match e {
            // Cut by the run's own deadline, not by the target: say so.
            RunError::Transport { reason, .. } if run_timeout_passed(settings, started) => {
                preflight::run_timeout(settings, &format!("GET /system/info: {reason}"))
            }
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
    preflight::info(&settings.gateway, &resp)
}

/// The answer schemas, compiled once per process (every runner of a selftest shares them);
/// a failure is a defect of the certifier's own document.
fn compile_schemas() -> Result<&'static crate::contract::schemas::Schemas, RunError> {
    use crate::contract::schemas::{SchemaError, Schemas};
    static SCHEMAS: std::sync::OnceLock<Result<Schemas, SchemaError>> = std::sync::OnceLock::new();
    SCHEMAS
        .get_or_init(Schemas::compile)
        .as_ref()
        .map_err(|e| RunError::Config(format!("the contract's answer schemas: {e}")))
}

/// A short random id: lower-case letters and digits, starting with a letter (DNS-1123 safe).
fn new_run_id() -> String {
    let uuid = uuid::Uuid::new_v4().simple().to_string();
    format!("c{}", &uuid[..6])
}
