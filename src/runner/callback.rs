//! The run's callback receiver: a small HTTP server the runner starts the first time a case
//! asks for it, recording every `POST` it receives by token (the last segment of its path),
//! with its headers, body and arrival time.
//!
//! An asynchronous invocation with `X-Callback-Url` is answered later by the gateway's queue
//! worker (nats-queue-worker ed54141 `main.go`, `postResult`), which POSTs the function's
//! answer to that URL: the cluster must be able to reach it. A target on loopback runs on this
//! machine (the mock, faasd), so the receiver listens on `127.0.0.1` at an ephemeral port and
//! is told as `http://127.0.0.1:PORT`; for any other target the run cannot know an address
//! the cluster reaches, so without `--callback-url` the cases that need a callback are skipped
//! and the run says it did not check them.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use bytes::Bytes;

use super::client::BODY_LIMIT;
use super::plan::Planned;
use super::settings::Settings;
use crate::suite::Suite;

/// Why the run has no callback receiver (cloned into every step that asks for one).
#[derive(Debug, Clone, thiserror::Error)]
pub enum NoReceiver {
    /// `--callback-url` is not a URL.
    #[error("--callback-url {url:?}: {reason}")]
    BadUrl {
        /// The URL given.
        url: String,
        /// Why it does not parse.
        reason: String,
    },
    /// The target is not on loopback and no `--callback-url` was given.
    #[error("{0} is not on loopback, so the run cannot know an address the cluster reaches it at: give --callback-url URL (with --callback-listen ADDR when it listens elsewhere)")]
    NotOnLoopback(String),
    /// The receiver cannot listen.
    #[error("the callback receiver cannot listen on {0}: {1}")]
    Listen(SocketAddr, Arc<std::io::Error>),
    /// The receiver's bound address cannot be read.
    #[error("the callback receiver's address: {0}")]
    Address(Arc<std::io::Error>),
}

/// One callback as it arrived.
#[derive(Debug, Clone)]
pub(crate) struct Received {
    /// Its headers.
    pub headers: HeaderMap,
    /// Its body.
    pub body: Bytes,
    /// When it arrived.
    pub at: Instant,
}

/// Everything received, by token, and a counter that moves with every arrival.
#[derive(Debug)]
struct Log {
    by_token: Mutex<HashMap<String, Vec<Received>>>,
    arrivals: tokio::sync::watch::Sender<u64>,
}

impl Log {
    fn of(&self, token: &str) -> Vec<Received> {
        self.by_token
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(token)
            .cloned()
            .unwrap_or_default()
    }
}

/// A listening receiver; it stops when dropped (with the runner).
#[derive(Debug)]
pub(crate) struct Receiver {
    /// The URL callbacks are addressed under (`BASE/callback/TOKEN`).
    base: String,
    log: Arc<Log>,
    server: tokio::task::JoinHandle<()>,
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl Receiver {
    /// Starts listening on `listen`; `url` is the base the cluster is told, or, when none is
    /// given, the address listened on.
    async fn start(listen: SocketAddr, url: Option<&str>) -> Result<Receiver, NoReceiver> {
        let listener = tokio::net::TcpListener::bind(listen)
            .await
            .map_err(|e| NoReceiver::Listen(listen, Arc::new(e)))?;
        let bound = listener
            .local_addr()
            .map_err(|e| NoReceiver::Address(Arc::new(e)))?;
        let base = match url {
            Some(u) => u.trim_end_matches('/').to_string(),
            None => format!("http://{}", reachable(bound)),
        };
        let log = Arc::new(Log {
            by_token: Mutex::new(HashMap::new()),
            arrivals: tokio::sync::watch::channel(0).0,
        });
        let app = axum::Router::new()
            .fallback(record)
            .layer(DefaultBodyLimit::max(BODY_LIMIT))
            .with_state(log.clone());
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(Receiver { base, log, server })
    }

    /// The URL of `token`'s callbacks.
    pub(crate) fn url(&self, token: &str) -> String {
        format!("{}/callback/{token}", self.base)
    }

    /// Waits until a callback for `token` has arrived (or `first_by` passed), then `grace`
    /// longer for any more: every callback of `token` received by then.
    pub(crate) async fn wait(
        &self,
        token: &str,
        first_by: Instant,
        grace: Duration,
    ) -> Vec<Received> {
        let mut arrivals = self.log.arrivals.subscribe();
        while self.log.of(token).is_empty() {
            match tokio::time::timeout_at(first_by.into(), arrivals.changed()).await {
                Ok(Ok(())) => {}
                _ => return self.log.of(token),
            }
        }
        tokio::time::sleep(grace).await;
        self.log.of(token)
    }
}

/// Where a receiver bound to `bound` is reached from this machine.
fn reachable(bound: SocketAddr) -> SocketAddr {
    match bound.ip() {
        ip if ip.is_unspecified() && ip.is_ipv4() => {
            SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), bound.port())
        }
        ip if ip.is_unspecified() => {
            SocketAddr::new(IpAddr::V6(std::net::Ipv6Addr::LOCALHOST), bound.port())
        }
        _ => bound,
    }
}

/// Records a `POST` under the last segment of its path; anything else is refused with 405.
async fn record(
    State(log): State<Arc<Log>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    if method != Method::POST {
        return StatusCode::METHOD_NOT_ALLOWED;
    }
    let token = uri
        .path()
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .to_string();
    log.by_token
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .entry(token)
        .or_default()
        .push(Received {
            headers,
            body,
            at: Instant::now(),
        });
    log.arrivals.send_modify(|n| *n += 1);
    StatusCode::OK
}

/// Whether `url`'s host is this machine's loopback: `localhost`, `127.0.0.0/8`, `::1`.
pub(crate) fn on_loopback(url: &str) -> bool {
    let Ok(url) = reqwest::Url::parse(url) else {
        return false;
    };
    let Some(host) = url.host_str() else {
        return false;
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    match host.parse::<IpAddr>() {
        Ok(IpAddr::V4(ip)) => ip.is_loopback(),
        Ok(IpAddr::V6(ip)) => {
            ip.is_loopback() || ip.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
        Err(_) => {
            let d = host.trim_end_matches('.').to_ascii_lowercase();
            d == "localhost" || d.ends_with(".localhost")
        }
    }
}

/// Where to listen and what to tell the cluster, or why the run has no receiver.
#[derive(Debug, Clone)]
struct Plan {
    listen: SocketAddr,
    url: Option<String>,
}

impl Plan {
    /// `--callback-listen` and `--callback-url` for `settings`' target.
    fn of(settings: &Settings) -> Result<Plan, NoReceiver> {
        let loopback = on_loopback(&settings.gateway);
        let listen = |default: SocketAddr| settings.callback_listen.unwrap_or(default);
        match &settings.callback_url {
            Some(url) => {
                let parsed = reqwest::Url::parse(url).map_err(|e| NoReceiver::BadUrl {
                    url: url.clone(),
                    reason: e.to_string(),
                })?;
                let port = parsed.port_or_known_default().unwrap_or(80);
                let ip = if on_loopback(url) {
                    IpAddr::V4(Ipv4Addr::LOCALHOST)
                } else {
                    IpAddr::V4(Ipv4Addr::UNSPECIFIED)
                };
                Ok(Plan {
                    listen: listen(SocketAddr::new(ip, port)),
                    url: Some(url.clone()),
                })
            }
            None if loopback => Ok(Plan {
                listen: listen(SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 0)),
                url: None,
            }),
            None => Err(NoReceiver::NotOnLoopback(settings.gateway.clone())),
        }
    }
}

/// The run's receiver: started at the first case that asks for it.
#[derive(Debug)]
pub(crate) struct Callbacks {
    plan: Result<Plan, NoReceiver>,
    receiver: tokio::sync::OnceCell<Result<Arc<Receiver>, NoReceiver>>,
    /// Whether a case was skipped for want of a receiver.
    skipped: AtomicBool,
}

impl Callbacks {
    /// The receiver `settings` ask for (not started yet).
    pub(crate) fn new(settings: &Settings) -> Self {
        Callbacks {
            plan: Plan::of(settings),
            receiver: tokio::sync::OnceCell::new(),
            skipped: AtomicBool::new(false),
        }
    }

    /// The receiver, started on first use; `Err` says why there is none.
    pub(crate) async fn receiver(&self) -> Result<Arc<Receiver>, NoReceiver> {
        let plan = self.plan.clone()?;
        self.receiver
            .get_or_init(|| async move {
                Receiver::start(plan.listen, plan.url.as_deref())
                    .await
                    .map(Arc::new)
            })
            .await
            .clone()
    }

    /// Why a case that needs a callback is skipped, when the run has no receiver.
    fn skip_reason(&self) -> Option<String> {
        self.plan
            .as_ref()
            .err()
            .map(|why| format!("needs the run's callback receiver: {why}"))
    }

    /// Skips the planned trials whose case needs a callback when the run has no receiver.
    pub(crate) fn skip_without_receiver(&self, suites: &[Suite], plan: &mut [Planned]) {
        let Some(reason) = self.skip_reason() else {
            return;
        };
        for p in plan.iter_mut().filter(|p| p.skip.is_none()) {
            if crate::suite::needs_receiver(&suites[p.suite].cases[p.case].steps) {
                p.skip = Some(reason.clone());
            }
        }
    }

    /// Notes a trial skipped for `reason`: when the reason is the missing receiver, the run
    /// did not check what the target offers.
    pub(crate) fn note_skip(&self, reason: &str) {
        if self.skip_reason().as_deref() == Some(reason) {
            self.skipped.store(true, Ordering::Relaxed);
        }
    }

    /// Why a passing run is only `passed (partial)` for its callbacks: a case that needs one
    /// was skipped for want of a receiver.
    pub(crate) fn unchecked(&self) -> Option<String> {
        let why = self.plan.as_ref().err()?;
        self.skipped.load(Ordering::Relaxed).then(|| {
            format!("the target offers asynchronous invocation, but its callbacks were not checked: {why}")
        })
    }
}

/// Judges what arrived for one invocation: exactly one callback, none more within the grace.
pub(crate) fn exactly_once(
    received: &[Received],
    within: Duration,
) -> Result<&Received, super::expect::Mismatch> {
    use super::expect::Mismatch;
    match received {
        [] => Err(Mismatch::new(
            format!("a callback within {}", humantime::format_duration(within)),
            "none",
        )),
        [one] => Ok(one),
        [first, second, ..] => Err(Mismatch::new(
            "exactly one callback",
            format!(
                "{} (the second {} ms after the first)",
                received.len(),
                second.at.saturating_duration_since(first.at).as_millis()
            ),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn received(after_ms: u64, base: Instant) -> Received {
        Received {
            headers: HeaderMap::new(),
            body: Bytes::from_static(b"out"),
            at: base + Duration::from_millis(after_ms),
        }
    }

    #[test]
    fn exactly_one_callback_passes_and_none_or_two_fail() {
        let t = Instant::now();
        let within = Duration::from_secs(30);
        let one = [received(0, t)];
        assert!(exactly_once(&one, within).is_ok());
        let none = exactly_once(&[], within).unwrap_err();
        assert_eq!(none.to_string(), "want a callback within 30s, got none");
        let two = [received(0, t), received(12, t)];
        let err = exactly_once(&two, within).unwrap_err();
        assert_eq!(
            err.to_string(),
            "want exactly one callback, got 2 (the second 12 ms after the first)"
        );
    }

    #[test]
    fn loopback_is_told_by_the_urls_host() {
        for url in [
            "http://127.0.0.1:8080",
            "http://127.1.2.3",
            "http://localhost:8080/p",
            "http://LOCALHOST.:1",
            "http://[::1]:8080",
            "http://[::ffff:127.0.0.1]:8080",
        ] {
            assert!(on_loopback(url), "{url}");
        }
        for url in [
            "http://vm:8080",
            "http://10.0.0.1",
            "https://gw.example",
            "not a url",
        ] {
            assert!(!on_loopback(url), "{url}");
        }
    }

    #[test]
    fn without_a_callback_url_only_a_loopback_target_has_a_receiver() {
        let local = Settings::new("http://127.0.0.1:8080");
        let plan = Plan::of(&local).unwrap();
        assert_eq!(plan.listen, "127.0.0.1:0".parse().unwrap());
        let remote = Settings::new("https://gateway.example");
        let why = Plan::of(&remote).unwrap_err();
        assert!(why.to_string().contains("--callback-url"), "{why}");
        let mut told = remote.clone();
        told.callback_url = Some("https://tunnel.example:8443/hook".into());
        let plan = Plan::of(&told).unwrap();
        assert_eq!(plan.listen, "0.0.0.0:8443".parse().unwrap());
        told.callback_listen = Some("127.0.0.1:9000".parse().unwrap());
        assert_eq!(
            Plan::of(&told).unwrap().listen,
            "127.0.0.1:9000".parse().unwrap()
        );
    }

    #[tokio::test]
    async fn the_receiver_records_posts_by_token() {
        let receiver = Receiver::start("127.0.0.1:0".parse().unwrap(), None)
            .await
            .unwrap();
        let url = receiver.url("c1a2b3c4-1");
        assert!(url.starts_with("http://127.0.0.1:"), "{url}");
        let http = reqwest::Client::new();
        let answer = http
            .post(&url)
            .header("X-Call-Id", "id-1")
            .body("hello")
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 200);
        let refused = http.get(&url).send().await.unwrap();
        assert_eq!(refused.status(), 405);
        let got = receiver
            .wait(
                "c1a2b3c4-1",
                Instant::now() + Duration::from_secs(5),
                Duration::ZERO,
            )
            .await;
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].headers["x-call-id"], "id-1");
        assert_eq!(got[0].body, Bytes::from("hello"));
        let nothing = receiver
            .wait(
                "other",
                Instant::now() + Duration::from_millis(20),
                Duration::ZERO,
            )
            .await;
        assert!(nothing.is_empty());
    }
}
