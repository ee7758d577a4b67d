//! The mock's settings, resolved once before it starts.

use std::collections::BTreeSet;
use std::path::Path;
use std::time::Duration;

use super::{Fault, Flavour, MockError};

/// Basic-auth credentials protecting `/system/*`.
#[derive(Clone, PartialEq, Eq)]
pub struct BasicAuth {
    /// The user name.
    pub user: String,
    /// The password.
    pub password: String,
}

impl std::fmt::Debug for BasicAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BasicAuth")
            .field("user", &self.user)
            .field("password", &"<redacted>")
            .finish()
    }
}

impl BasicAuth {
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
    pub basic_auth: Option<BasicAuth>,
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
    /// For how long after a function's replica becomes available (a deploy, a completed
    /// update, a scale from zero) its invocations still fail, as faasd's do while the
    /// watchdog in the new container does not listen yet.
    pub invoke_lag: Duration,
    /// How an invocation fails during the invoke lag.
    pub invoke_lag_status: LagStatus,
    /// How long an update or delete of an existing function waits before it answers, as
    /// faasd stops the old task (SIGTERM, then a grace period) first.
    pub stop_grace: Duration,
    /// The period of the `time` events of an `echo-server` function's `.sse` stream
    /// (jmalloc/echo-server ticks every second).
    pub stream_interval: Duration,
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
            invoke_lag: Duration::ZERO,
            invoke_lag_status: LagStatus::Unreachable500,
            stop_grace: Duration::ZERO,
            stream_interval: Duration::from_secs(1),
            faults: BTreeSet::new(),
        }
    }
}

/// How an invocation fails during the invoke lag: the two errors faas-provider's proxy
/// gives, both marked `X-OpenFaaS-Internal: proxy`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum LagStatus {
    /// `500 Can't reach service for: NAME.`: the function resolves but does not listen.
    #[default]
    Unreachable500,
    /// `503 No endpoints available for: NAME.`: the function does not resolve yet.
    NoEndpoints503,
}

impl LagStatus {
    /// The status code answered.
    pub fn status(self) -> axum::http::StatusCode {
        match self {
            Self::Unreachable500 => axum::http::StatusCode::INTERNAL_SERVER_ERROR,
            Self::NoEndpoints503 => axum::http::StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    /// The body faas-provider's proxy answers for the function `name` (as in the URL).
    pub fn message(self, name: &str) -> String {
        match self {
            Self::Unreachable500 => format!("Can't reach service for: {name}."),
            Self::NoEndpoints503 => format!("No endpoints available for: {name}."),
        }
    }
}

impl std::str::FromStr for LagStatus {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "500" => Ok(Self::Unreachable500),
            "503" => Ok(Self::NoEndpoints503),
            _ => Err(format!(
                "unknown invoke lag status {s:?}; expected 500 or 503"
            )),
        }
    }
}

/// A preset of the mock's timings (`--timing`), which explicit options override.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Timing {
    /// Everything at once: no invoke lag, no stop grace.
    #[default]
    Instant,
    /// As faasd 0.19.0 on containerd: a 300 ms invoke lag (500 form), a 30 s stop grace.
    Faasd,
}

impl Timing {
    /// The invoke lag of the preset.
    pub fn invoke_lag(self) -> Duration {
        match self {
            Self::Instant => Duration::ZERO,
            Self::Faasd => Duration::from_millis(300),
        }
    }

    /// The invoke lag's form of the preset.
    pub fn invoke_lag_status(self) -> LagStatus {
        LagStatus::Unreachable500
    }

    /// The stop grace of the preset.
    pub fn stop_grace(self) -> Duration {
        match self {
            Self::Instant => Duration::ZERO,
            Self::Faasd => Duration::from_secs(30),
        }
    }
}

impl std::str::FromStr for Timing {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "instant" => Ok(Self::Instant),
            "faasd" => Ok(Self::Faasd),
            _ => Err(format!("unknown timing {s:?}; expected instant or faasd")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lag_status_and_timing_parse() {
        assert_eq!("500".parse::<LagStatus>(), Ok(LagStatus::Unreachable500));
        assert_eq!("503".parse::<LagStatus>(), Ok(LagStatus::NoEndpoints503));
        assert!("502"
            .parse::<LagStatus>()
            .unwrap_err()
            .contains("500 or 503"));
        assert_eq!(
            LagStatus::Unreachable500.message("f"),
            "Can't reach service for: f."
        );
        assert_eq!(
            LagStatus::NoEndpoints503.message("f.dev"),
            "No endpoints available for: f.dev."
        );
        assert_eq!("faasd".parse::<Timing>(), Ok(Timing::Faasd));
        assert_eq!("instant".parse::<Timing>(), Ok(Timing::Instant));
        assert!("slow".parse::<Timing>().is_err());
        assert_eq!(Timing::Faasd.invoke_lag(), Duration::from_millis(300));
        assert_eq!(Timing::Faasd.stop_grace(), Duration::from_secs(30));
        assert_eq!(Timing::Instant.stop_grace(), Duration::ZERO);
    }
}
