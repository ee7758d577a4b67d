//! The queue worker: nats-queue-worker ed54141 `main.go`.
//!
//! For each queued request it POSTs (whatever the caller's method) to the gateway's
//! `/function/NAME` plus the request's path (`/` when empty) and query, with the queued
//! headers (so `X-Call-Id` and `X-Callback-Url`) and `User-Agent: openfaas-ce/nats-queue-worker`.
//! When a callback URL was given it then POSTs the function's answer there: the answer's
//! headers, `X-Duration-Seconds` (`%f` seconds since the worker took the request),
//! `X-Function-Status` (the function's status; 503, without body or headers, when the
//! gateway could not be reached), `X-Function-Name` (as the URL named it) and the queued
//! `X-Call-Id`. A failed callback is logged and not retried, as the worker does. Unlike the
//! worker's client (a 30 s dial timeout only), the mock bounds the invocation
//! ([`INVOKE_TIMEOUT`]) and the callback ([`CALLBACK_TIMEOUT`]).

use std::time::{Duration, Instant};

use axum::http::{HeaderMap, HeaderName, HeaderValue};
use bytes::Bytes;

use super::Job;
use crate::mock::gateway::hop_by_hop;
use crate::mock::state::State;
use crate::mock::{Fault, MockError};

/// How long an invocation may take, scaling from zero (120 s at most) included.
pub const INVOKE_TIMEOUT: Duration = Duration::from_secs(150);
/// How long posting a result may take.
pub const CALLBACK_TIMEOUT: Duration = Duration::from_secs(30);
/// How long connecting may take (the worker's dial timeout).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);
/// The worker's `User-Agent` on invocations.
const USER_AGENT: &str = "openfaas-ce/nats-queue-worker";
/// The `User-Agent` Go's HTTP client sends when the request has none (the callback).
const GO_USER_AGENT: &str = "Go-http-client/1.1";

/// What the function answered, or that the gateway could not be reached.
enum Outcome {
    /// The function's (or the gateway's) answer.
    Answered {
        status: u16,
        headers: HeaderMap,
        body: Bytes,
    },
    /// The request failed; the callback reports 503.
    Unreachable,
}

/// Processes queued requests against the gateway at `gateway`.
pub struct Worker {
    state: State,
    /// `http://ADDR` of the mock's own gateway.
    gateway: String,
    /// Follows redirects and honours no proxy, like the worker's Go client (but for
    /// `HTTP_PROXY`: the mock's traffic stays local).
    client: reqwest::Client,
}

impl Worker {
    /// A worker invoking functions through the gateway at `gateway`.
    pub fn new(state: State, gateway: String) -> Result<Self, MockError> {
        let client = reqwest::Client::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .no_proxy()
            .build()
            .map_err(|e| {
                MockError::Config(format!("cannot build the queue worker's client: {e}"))
            })?;
        Ok(Self {
            state,
            gateway,
            client,
        })
    }

    /// Invokes the function, then posts the result to the callback URL, if any.
    pub async fn process(&self, job: Job) {
        let started = Instant::now();
        let call_id = job
            .headers
            .get("x-call-id")
            .filter(|v| !v.is_empty())
            .cloned();
        let outcome = self.invoke(&job).await;
        let Some(callback) = &job.callback else {
            return;
        };
        if self.state.has_fault(Fault::AsyncNoCallback) {
            return;
        }
        let seconds = started.elapsed().as_secs_f64();
        let request = self.result_request(callback, &job.function, call_id, seconds, outcome);
        let shown = redacted(callback);
        match request.send().await {
            Ok(answer) => tracing::info!(
                target: "faas_certifier::mock",
                "Posted result for {} to callback-url: {shown}, status: {}",
                job.function,
                answer.status().as_u16()
            ),
            Err(e) => tracing::warn!(
                target: "faas_certifier::mock",
                "Error posting to callback-url {shown}: {}",
                error_chain(&e)
            ),
        }
    }

    /// POSTs the queued request to the gateway's `/function/` route.
    async fn invoke(&self, job: &Job) -> Outcome {
        let path = if job.path.is_empty() { "/" } else { &job.path };
        let query = job.query.trim_start_matches('?');
        let query = if query.is_empty() {
            String::new()
        } else {
            format!("?{query}")
        };
        let function = job.function.trim_matches('/');
        let url = format!("{}/function/{function}{path}{query}", self.gateway);
        let mut headers = forwardable(&job.headers);
        headers.insert("user-agent", HeaderValue::from_static(USER_AGENT));
        let sent = self
            .client
            .post(url)
            .headers(headers)
            .body(job.body.clone())
            .timeout(INVOKE_TIMEOUT)
            .send()
            .await;
        let answer = match sent {
            Ok(answer) => answer,
            Err(e) => {
                tracing::warn!(
                    target: "faas_certifier::mock",
                    "Error invoking {function}, error: {}",
                    error_chain(&e)
                );
                return Outcome::Unreachable;
            }
        };
        let status = answer.status().as_u16();
        let headers = answer.headers().clone();
        let body = answer.bytes().await.unwrap_or_else(|e| {
            tracing::warn!(
                target: "faas_certifier::mock",
                "Error reading body for: {function}, error: {}",
                error_chain(&e)
            );
            Bytes::new()
        });
        tracing::info!(target: "faas_certifier::mock", "Invoked: {function} [{status}]");
        Outcome::Answered {
            status,
            headers,
            body,
        }
    }

    /// The callback: the function's answer with the worker's headers.
    fn result_request(
        &self,
        callback: &str,
        function: &str,
        call_id: Option<HeaderValue>,
        seconds: f64,
        outcome: Outcome,
    ) -> reqwest::RequestBuilder {
        let (status, mut headers, body) = match outcome {
            Outcome::Answered {
                status,
                headers,
                body,
            } => (status, forwardable(&headers), body),
            Outcome::Unreachable => (503, HeaderMap::new(), Bytes::new()),
        };
        let set = |headers: &mut HeaderMap, name: &'static str, value: String| {
            if let Ok(value) = HeaderValue::from_str(&value) {
                headers.insert(HeaderName::from_static(name), value);
            }
        };
        set(&mut headers, "x-duration-seconds", format!("{seconds:.6}"));
        if !self.state.has_fault(Fault::AsyncStatusDropped) {
            set(&mut headers, "x-function-status", status.to_string());
        }
        set(&mut headers, "x-function-name", function.to_string());
        let call_id = if self.state.has_fault(Fault::AsyncCallIdChanged) {
            Some(uuid::Uuid::new_v4().to_string())
        } else {
            call_id.map(|id| String::from_utf8_lossy(id.as_bytes()).into_owned())
        };
        if let Some(id) = call_id {
            set(&mut headers, "x-call-id", id);
        }
        if !headers.contains_key("user-agent") {
            headers.insert("user-agent", HeaderValue::from_static(GO_USER_AGENT));
        }
        self.client
            .post(callback)
            .headers(headers)
            .body(body)
            .timeout(CALLBACK_TIMEOUT)
    }
}

/// The headers a request may carry on: all but the connection's own, `Host` and the length.
fn forwardable(headers: &HeaderMap) -> HeaderMap {
    let mut out = HeaderMap::new();
    for (name, value) in headers {
        if !hop_by_hop(name) {
            out.append(name.clone(), value.clone());
        }
    }
    out
}

/// The URL for the log, its password replaced by `xxxxx` (Go's `URL.Redacted`).
fn redacted(url: &str) -> String {
    match reqwest::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("xxxxx"));
            parsed.to_string()
        }
        _ => url.to_string(),
    }
}

/// An error and its causes, `: `-separated.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        text.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_stay_out_of_the_log() {
        assert_eq!(
            redacted("http://user:secret@h:1/cb"),
            "http://user:xxxxx@h:1/cb"
        );
        assert_eq!(redacted("http://h/cb"), "http://h/cb");
        assert_eq!(redacted("not a url"), "not a url");
    }

    #[test]
    fn connection_headers_are_not_forwarded() {
        let mut headers = HeaderMap::new();
        headers.insert("host", HeaderValue::from_static("gw"));
        headers.insert("content-length", HeaderValue::from_static("3"));
        headers.insert("connection", HeaderValue::from_static("close"));
        headers.insert("x-call-id", HeaderValue::from_static("id"));
        let kept = forwardable(&headers);
        assert_eq!(kept.len(), 1);
        assert_eq!(kept["x-call-id"], "id");
    }
}
