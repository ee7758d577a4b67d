//! The mock's settings, resolved once before it starts.

use std::collections::BTreeSet;
use std::path::Path;
use std::time::Duration;

use super::{Fault, Flavour, MockError};

/// Basic-auth credentials protecting `/system/*`.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    /// The user name.
    pub user: String,
    /// The password.
    pub password: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("user", &self.user)
            .field("password", &"<redacted>")
            .finish()
    }
}

impl Credentials {
    /// Parses `USER:PASS` (the password may contain colons).
    pub fn parse(text: &str) -> Result<Self, MockError> {
        match text.split_once(':') {
            Some((user, password)) if !user.is_empty() && !password.is_empty() => Ok(Self {
                user: user.to_string(),
                password: password.to_string(),
            }),
            _ => Err(MockError::Config(
                "--basic-auth wants USER:PASS, both non-empty".into(),
            )),
        }
    }

    /// Reads `basic-auth-user` and `basic-auth-password` from `dir`, as OpenFaaS mounts them.
    pub fn from_dir(dir: &Path) -> Result<Self, MockError> {
        let read = |name: &str| {
            let path = dir.join(name);
            std::fs::read_to_string(&path)
                .map(|s| s.trim().to_string())
                .map_err(|e| MockError::Config(format!("cannot read {}: {e}", path.display())))
        };
        let user = read("basic-auth-user")?;
        let password = read("basic-auth-password")?;
        if user.is_empty() || password.is_empty() {
            return Err(MockError::Config(format!(
                "{}: basic-auth-user and basic-auth-password must be non-empty",
                dir.display()
            )));
        }
        Ok(Self { user, password })
    }
}

/// The built-in autoscaler, emulating the CE gateway's alert-driven scaling and the idler.
#[derive(Debug, Clone, PartialEq)]
pub struct AutoscalerConfig {
    /// How far back the invocation rate is measured (the alert rule's `rate(...[10s])`).
    pub window: Duration,
    /// How often the rule is evaluated; also how long load must last before a step.
    pub interval: Duration,
    /// Invocations per second above which a function is "under load" (the rule's `> 5`).
    pub threshold_rps: f64,
    /// Idle time after which a function labelled `com.openfaas.scale.zero=true` goes to 0,
    /// unless its `com.openfaas.scale.zero-duration` label says otherwise.
    pub idle_to_zero: Duration,
}

impl Default for AutoscalerConfig {
    fn default() -> Self {
        Self {
            window: Duration::from_secs(10),
            interval: Duration::from_secs(5),
            threshold_rps: 5.0,
            idle_to_zero: Duration::from_secs(15 * 60),
        }
    }
}

/// Everything the mock needs to know before it starts.
#[derive(Debug, Clone)]
pub struct MockConfig {
    /// Namespaces besides `openfaas-fn`.
    pub namespaces: Vec<String>,
    /// Basic auth on `/system/*`, when set.
    pub basic_auth: Option<Credentials>,
    /// Answer like a gateway in front of a provider (the CE gateway unless `gateway_pro`).
    pub as_gateway: bool,
    /// As a gateway, behave like the Pro gateway: scale to zero and namespace CRUD routed.
    pub gateway_pro: bool,
    /// As a gateway, forward to this provider URL over HTTP instead of serving in-process.
    pub upstream: Option<String>,
    /// How long a new replica takes to become available.
    pub ready_delay: Duration,
    /// The load-driven autoscaler.
    pub autoscaler: AutoscalerConfig,
    /// Largest request body accepted; larger ones get 413.
    pub max_body_bytes: usize,
    /// Log lines kept per function (older ones are dropped).
    pub log_lines_per_function: usize,
    /// How long a `follow=true` log stream stays open at most.
    pub log_follow_timeout: Duration,
    /// Which real provider's legal answers to give.
    pub flavour: Flavour,
    /// For how long after a deploy or update invocations answer 503 (a legal cold start).
    pub cold_start: Duration,
    /// Deliberate breaks of the contract.
    pub faults: BTreeSet<Fault>,
}

impl Default for MockConfig {
    fn default() -> Self {
        Self {
            namespaces: Vec::new(),
            basic_auth: None,
            as_gateway: false,
            gateway_pro: false,
            upstream: None,
            ready_delay: Duration::ZERO,
            autoscaler: AutoscalerConfig::default(),
            max_body_bytes: 8 * 1024 * 1024,
            log_lines_per_function: 1000,
            log_follow_timeout: Duration::from_secs(60),
            flavour: Flavour::Mock,
            cold_start: Duration::ZERO,
            faults: BTreeSet::new(),
        }
    }
}
