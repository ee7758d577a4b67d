//! Gateway mode: what the OpenFaaS gateway changes on the way to its provider (the
//! contract's `gateway.*` clauses), as a layer over the in-process provider or over a
//! provider reached over HTTP (`--upstream`).
//!
//! The CE gateway (the default; openfaas/faas `gateway/` @ 8d803bf9) answers `HEAD /healthz`
//! with 405, clamps scale requests to 1..=5 replicas, routes `/system/namespace/{name}`
//! (since 68ec0f59) and `GET /system/telemetry` (to the provider, which the mock's does not
//! serve), streams logs as `text/plain; charset=utf-8` and turns a provider's log error into
//! 500 (404 and 501 into 501), and adds `X-Call-Id`, `X-Start-Time`, `X-Forwarded-For` and
//! `X-Forwarded-Host` to invocations. Its forwarding proxy streams an answer only when the
//! request's `Accept` starts with `text/event-stream`; any other answer is copied with
//! `io.Copy` (held until 4 KiB are there or it ends, so NDJSON is not streamed) and the
//! request's hop-by-hop headers are dropped, `Upgrade` included, so a WebSocket handshake
//! reaches the function as a plain request. The Pro gateway (`gateway_pro`) scales to zero;
//! its proxy, whose source is not public, is taken to stream as the CE one does.

use std::net::SocketAddr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::body::{to_bytes, Body};
use axum::extract::{ConnectInfo, Request, State as AxumState};
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use axum::http::{HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde_json::Value;

use super::state::State;
use super::{hold, proxy, system, MockError};
use crate::model::VersionInfo;
use crate::version;
use futures_util::StreamExt;

/// The fewest replicas the CE gateway lets a scale request ask for.
const CE_MIN_REPLICAS: u64 = 1;
/// The most replicas the CE gateway lets a scale request ask for.
const CE_MAX_REPLICAS: u64 = 5;

/// The content type Go sniffs for a streamed log body the gateway does not label.
const SNIFFED_TEXT: &str = "text/plain; charset=utf-8";

/// Checks an `--upstream` URL: `http://` or `https://`, kept without a trailing `/`.
pub fn upstream_url(text: &str) -> Result<String, MockError> {
    let url = reqwest::Url::parse(text)
        .map_err(|e| MockError::Config(format!("--upstream {text:?} is not a URL: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(MockError::Config(format!(
            "--upstream {text:?} must be an http:// or https:// URL with a host"
        )));
    }
    Ok(text.trim_end_matches('/').to_string())
}

/// The gateway's changes to one request and its answer; a bare provider passes through.
pub async fn apply(AxumState(state): AxumState<State>, request: Request, next: Next) -> Response {
    let config = state.config();
    if !config.as_gateway {
        return next.run(request).await;
    }
    let pro = config.gateway_pro;
    let path = request.uri().path().to_string();
    let method = request.method().clone();
    if path == "/healthz" && method == Method::HEAD {
        // The gateway registers /healthz for GET only.
        return StatusCode::METHOD_NOT_ALLOWED.into_response();
    }
    if path == "/system/telemetry" && method != Method::GET {
        // Routed for GET only: gorilla/mux answers a bare 405.
        return StatusCode::METHOD_NOT_ALLOWED.into_response();
    }
    if path.starts_with("/system/scale-function/") && method == Method::POST && !pro {
        let request = match clamp_scale(request, config.max_body_bytes).await {
            Ok(r) => r,
            Err(refusal) => return refusal,
        };
        return next.run(request).await;
    }
    if path == "/system/logs" {
        return relabel_logs(next.run(request).await);
    }
    if path.starts_with("/function/") {
        return invoke(request, next).await;
    }
    next.run(request).await
}

/// The CE gateway clamps the replicas of a scale request to 1..=5 before forwarding it.
async fn clamp_scale(request: Request, limit: usize) -> Result<Request, Response> {
    let (mut parts, body) = request.into_parts();
    let body = to_bytes(body, limit)
        .await
        .map_err(|_| (StatusCode::PAYLOAD_TOO_LARGE, "request body too large\n").into_response())?;
    let mut json: Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        // Not JSON: the provider refuses it with its own words.
        Err(_) => return Ok(Request::from_parts(parts, Body::from(body))),
    };
    let clamped = json
        .get("replicas")
        .and_then(Value::as_u64)
        .map(|n| n.clamp(CE_MIN_REPLICAS, CE_MAX_REPLICAS));
    let (Some(replicas), Some(object)) = (clamped, json.as_object_mut()) else {
        return Ok(Request::from_parts(parts, Body::from(body)));
    };
    object.insert("replicas".into(), Value::from(replicas));
    let body = serde_json::to_vec(&json).unwrap_or_else(|_| body.to_vec());
    parts.headers.remove(CONTENT_LENGTH);
    Ok(Request::from_parts(parts, Body::from(body)))
}

/// The gateway's log proxy: a 200 is streamed without the provider's content type, a 404 or
/// 501 becomes 501, anything else 500 naming the provider's status.
fn relabel_logs(mut response: Response) -> Response {
    match response.status() {
        StatusCode::OK => {
            let headers = response.headers_mut();
            headers.insert(CONTENT_TYPE, HeaderValue::from_static(SNIFFED_TEXT));
            response
        }
        StatusCode::NOT_FOUND | StatusCode::NOT_IMPLEMENTED => {
            StatusCode::NOT_IMPLEMENTED.into_response()
        }
        other => (
            StatusCode::INTERNAL_SERVER_ERROR,
            [
                (CONTENT_TYPE, SNIFFED_TEXT),
                (HeaderName::from_static("x-content-type-options"), "nosniff"),
            ],
            format!("unknown log request error ({})\n", other.as_u16()),
        )
            .into_response(),
    }
}

/// The gateway's call-id middleware and forwarding proxy on an invocation: its headers, and
/// the answer streamed only for an `Accept` starting with `text/event-stream`.
async fn invoke(mut request: Request, next: Next) -> Response {
    let start_nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0);
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.to_string());
    let headers = request.headers_mut();
    let call_id = headers
        .get("x-call-id")
        .filter(|v| !v.is_empty())
        .cloned()
        .unwrap_or_else(|| {
            HeaderValue::from_str(&uuid::Uuid::new_v4().to_string()).unwrap_or(
                HeaderValue::from_static("00000000-0000-0000-0000-000000000000"),
            )
        });
    let start = HeaderValue::from(start_nanos);
    headers.insert("x-call-id", call_id.clone());
    headers.insert("x-start-time", start.clone());
    let streamed = proxy::gateway_streams(headers);
    if streamed {
        // handleEventStream: httputil.ReverseProxy on the caller's request.
        proxy::append_forwarded_for(headers, peer.as_deref());
    } else {
        // buildUpstreamRequest: hop-by-hop headers dropped, X-Forwarded-* set when absent.
        proxy::drop_hop_by_hop(headers);
        proxy::set_forwarded(headers, peer.as_deref());
    }
    let mut response = next.run(request).await;
    if !streamed {
        response = hold::like_go_copy(response).await;
    }
    let out = response.headers_mut();
    out.insert("x-call-id", call_id);
    out.insert("x-start-time", start);
    response
}

/// The provider a gateway with `--upstream` forwards to.
#[derive(Clone)]
struct Upstream {
    /// A client that never follows redirects: a function's 302 goes back to the caller.
    client: reqwest::Client,
    /// The provider's URL, without a trailing `/`.
    base: String,
    /// Largest request body forwarded.
    max_body_bytes: usize,
    /// Turns true when the gateway stops: a relayed stream then ends.
    shutdown: tokio::sync::watch::Receiver<bool>,
}

/// The routes of a gateway in front of an upstream provider: `/system/info`, `/healthz` and
/// `/metrics` are the gateway's own; everything else is forwarded.
pub fn upstream_router(state: &State, base: &str) -> Result<Router, MockError> {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(Duration::from_secs(5))
        .no_proxy()
        .build()
        .map_err(|e| MockError::Config(format!("cannot build the upstream client: {e}")))?;
    let upstream = Upstream {
        client,
        base: base.to_string(),
        max_body_bytes: state.config().max_body_bytes,
        shutdown: state.on_shutdown(),
    };
    let own = Router::new()
        .route("/healthz", get(system::healthz))
        .route("/metrics", get(system::metrics))
        .with_state(state.clone());
    Ok(Router::new()
        .route("/system/info", get(info))
        .fallback(forward)
        .with_state(upstream)
        .merge(own))
}

/// `GET /system/info`: the upstream provider's info wrapped in the gateway form.
async fn info(AxumState(up): AxumState<Upstream>, request: Request) -> Response {
    let answer = match send(&up, request).await {
        Ok(a) => a,
        Err(refusal) => return refusal,
    };
    if answer.status() != reqwest::StatusCode::OK {
        return relay(answer, up.shutdown.clone());
    }
    let provider: Value = match answer.json().await {
        Ok(v) => v,
        Err(e) => {
            return (
                StatusCode::BAD_GATEWAY,
                format!("the provider's /system/info is not JSON: {e}\n"),
            )
                .into_response()
        }
    };
    let gateway = serde_json::json!({
        "provider": provider,
        "version": VersionInfo {
            sha: version::SHA.to_string(),
            release: version::RELEASE.to_string(),
            commit_message: None,
        },
        "arch": std::env::consts::ARCH,
    });
    axum::Json(gateway).into_response()
}

/// Forwards a request to the upstream provider and relays its answer, streamed, with every
/// header but the hop-by-hop ones (so a provider's `X-OpenFaaS-Internal: proxy` too).
async fn forward(AxumState(up): AxumState<Upstream>, request: Request) -> Response {
    let invocation = request.uri().path().starts_with("/function/");
    match send(&up, request).await {
        Ok(answer) => relay(answer, up.shutdown.clone()),
        Err(mut refusal) => {
            // An invocation that never reached the function: the proxy's own error.
            if invocation {
                refusal.headers_mut().insert(
                    super::invoke::INTERNAL_HEADER,
                    HeaderValue::from_static(super::invoke::INTERNAL_PROXY),
                );
            }
            refusal
        }
    }
}

/// Headers a forwarded request or answer does not carry on: the connection's own, and the
/// ones the HTTP client sets anew.
pub(crate) fn hop_by_hop(name: &HeaderName) -> bool {
    proxy::hop_by_hop(name.as_str()) || matches!(name.as_str(), "host" | "content-length")
}

async fn send(up: &Upstream, request: Request) -> Result<reqwest::Response, Response> {
    let (parts, body) = request.into_parts();
    let body = super::body::read(body, &parts.headers, up.max_body_bytes)
        .await
        .map_err(|unread| unread.refusal(up.max_body_bytes).into_response())?;
    let path = parts.uri.path();
    let query = parts
        .uri
        .query()
        .map(|q| format!("?{q}"))
        .unwrap_or_default();
    // Forwarded as it came (the CE gateway's TransparentURLPathTransformer); the provider
    // calls a function at `/` for `/function/NAME`.
    let url = format!("{}{path}{query}", up.base);
    let mut headers = reqwest::header::HeaderMap::new();
    for (name, value) in &parts.headers {
        if !hop_by_hop(name) {
            headers.append(name.clone(), value.clone());
        }
    }
    up.client
        .request(parts.method, url)
        .headers(headers)
        .body(body)
        .send()
        .await
        .map_err(|e| {
            (
                StatusCode::BAD_GATEWAY,
                format!("cannot reach the provider at {}: {e}\n", up.base),
            )
                .into_response()
        })
}

/// The upstream answer as the gateway's, its body streamed as it arrives (until the gateway
/// stops); the gateway's layer holds back what its proxy would not stream.
fn relay(answer: reqwest::Response, mut shutdown: tokio::sync::watch::Receiver<bool>) -> Response {
    let status = answer.status();
    let upstream_headers = answer.headers().clone();
    let stopped = async move {
        let _ = shutdown.wait_for(|down| *down).await;
    };
    let body = answer.bytes_stream().take_until(stopped);
    let mut response = Response::new(Body::from_stream(body));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    for (name, value) in &upstream_headers {
        if !hop_by_hop(name) {
            headers.append(name.clone(), value.clone());
        }
    }
    // A whole answer keeps its length (so it is known to be whole; a HEAD's too).
    if let Some(length) = upstream_headers.get(CONTENT_LENGTH) {
        headers.insert(CONTENT_LENGTH, length.clone());
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upstream_urls_are_checked() {
        assert_eq!(
            upstream_url("http://127.0.0.1:8081/").unwrap(),
            "http://127.0.0.1:8081"
        );
        for bad in ["127.0.0.1:8081", "ftp://x", "not a url", "http://"] {
            assert!(upstream_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn log_errors_become_the_gateways() {
        let relabelled =
            relabel_logs((StatusCode::UNPROCESSABLE_ENTITY, "bad tail").into_response());
        assert_eq!(relabelled.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let relabelled = relabel_logs(StatusCode::NOT_FOUND.into_response());
        assert_eq!(relabelled.status(), StatusCode::NOT_IMPLEMENTED);
        let ok = relabel_logs(([(CONTENT_TYPE, "application/x-ndjson")], "{}\n").into_response());
        assert_eq!(ok.headers()[CONTENT_TYPE], SNIFFED_TEXT);
    }
}
