//! Handler of `/function/{name}[.{namespace}][/{path}]`: faas-provider's function proxy
//! (`proxy/proxy.go` @ f53fe63) in front of the emulated functions (the classic watchdog, or
//! [`echo_server`](super::echo_server)), scaling a function from zero first if needed.
//!
//! Methods other than GET, POST, PUT, PATCH, DELETE, OPTIONS and HEAD get a bare 405. A
//! request the proxy streams ([`proxy::provider_streams`]: SSE or NDJSON `Accept`, or a
//! WebSocket upgrade) gets the function's answer as it is produced (an upgrade tunnelled);
//! any other gets it copied whole (held as Go's writer holds it, [`hold::like_go_copy`]),
//! with the `Content-Type` rule of [`proxy::content_type`]. The function is called at its
//! sub-path, `/` when there is none, with `X-Forwarded-Host` and `X-Forwarded-For`.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::extract::ws::WebSocketUpgrade;
use axum::extract::{ConnectInfo, FromRequestParts, Path, Request, State as AxumState};
use axum::http::header::CONTENT_TYPE;
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use super::echo_server::{self, EchoRequest};
use super::reply::ApiError;
use super::state::{Admission, Invocation, State};
use super::watchdog::{self, CgiRequest};
use super::{hold, proxy, Fault, LagStatus};
use crate::model::DEFAULT_NAMESPACE;

/// How long an invocation waits for a function scaled from zero to become ready.
const SCALE_FROM_ZERO_TIMEOUT: Duration = Duration::from_secs(120);

/// The header faas-provider's proxy marks its own errors with (since faas-provider
/// 841fe51), so a caller can tell them from a function's answer.
pub const INTERNAL_HEADER: &str = "x-openfaas-internal";
/// Its value.
pub const INTERNAL_PROXY: &str = "proxy";

/// `/function/{name}`: the function is called at `/` (faas-provider's empty sub-path).
pub async fn root(state: AxumState<State>, Path(name): Path<String>, request: Request) -> Response {
    invoke(state, name, "/".to_string(), request).await
}

/// `/function/{name}/{*path}`.
pub async fn sub_path(
    state: AxumState<State>,
    Path((name, path)): Path<(String, String)>,
    request: Request,
) -> Response {
    invoke(state, name, format!("/{path}"), request).await
}

/// `/function/{name}/` (the catch-all does not match an empty rest).
pub async fn slash(
    state: AxumState<State>,
    Path(name): Path<String>,
    request: Request,
) -> Response {
    invoke(state, name, "/".to_string(), request).await
}

/// Splits `fn.namespace` at the last dot.
fn split_name(full: &str) -> (&str, &str) {
    match full.rsplit_once('.') {
        Some((name, ns)) if !ns.is_empty() => (name, ns),
        Some((name, _)) => (name, DEFAULT_NAMESPACE),
        None => (full, DEFAULT_NAMESPACE),
    }
}

async fn invoke(
    AxumState(state): AxumState<State>,
    full_name: String,
    path: String,
    request: Request,
) -> Response {
    let started = Instant::now();
    if !proxy::PROXIED_METHODS.contains(request.method()) {
        // faas-provider answers with WriteHeader only, before it looks for the function.
        return StatusCode::METHOD_NOT_ALLOWED.into_response();
    }
    let (name, ns) = split_name(&full_name);
    let (mut parts, body) = request.into_parts();
    let streamed = proxy::provider_streams(&parts.headers);
    let peer = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.to_string());
    if streamed {
        proxy::append_forwarded_for(&mut parts.headers, peer.as_deref());
    } else {
        proxy::set_forwarded(&mut parts.headers, peer.as_deref());
    }
    // Read here rather than by an extractor, so a refusal carries the headers below too.
    let limit = state.config().max_body_bytes;
    let call = Call {
        full_name: &full_name,
        name,
        ns,
        path: &path,
        streamed,
    };
    let result = match super::body::read(body, &parts.headers, limit).await {
        Ok(body) => run(&state, &call, &mut parts, &body).await,
        Err(unread) => Err(unread.refusal(limit)),
    };
    let (mut response, from_watchdog) = match result {
        Ok(answer) if streamed => (answer.response, answer.from_watchdog),
        Ok(answer) => (
            copied_whole(answer.response, &parts).await,
            answer.from_watchdog,
        ),
        Err(e) => (refusal(&state, e), true),
    };
    // The classic watchdog's header; the proxy's refusals carry it too (the mock's own).
    let seconds = format!("{:.6}", started.elapsed().as_secs_f64());
    if let (true, Ok(v)) = (from_watchdog, HeaderValue::from_str(&seconds)) {
        response.headers_mut().insert("x-duration-seconds", v);
    }
    response
}

/// A function's answer as faas-provider copies it when it does not stream: the
/// `Content-Type` rule applied, the body held as Go's writer holds it.
async fn copied_whole(mut answer: Response, request: &Parts) -> Response {
    let content_type = proxy::content_type(&request.headers, answer.headers());
    answer.headers_mut().insert(CONTENT_TYPE, content_type);
    hold::like_go_copy(answer).await
}

/// An error of the platform, not of the function. A gateway answers 404 for an unknown
/// function from its scaling handler, without the marker (CE gateway 8d803bf9,
/// `handlers/scaling.go`); a bare provider as its flavour does, marked.
fn refusal(state: &State, e: ApiError) -> Response {
    if e.status == StatusCode::NOT_FOUND {
        if state.config().as_gateway {
            return e.into_response();
        }
        return proxy_error(ApiError {
            status: state.answers().invoke_unknown,
            ..e
        });
    }
    proxy_error(e)
}

/// An error the provider's proxy answers itself, not the function: marked
/// `X-OpenFaaS-Internal: proxy`, as faas-provider marks its proxy's errors.
fn proxy_error(error: ApiError) -> Response {
    let mut response = error.into_response();
    response
        .headers_mut()
        .insert(INTERNAL_HEADER, HeaderValue::from_static(INTERNAL_PROXY));
    response
}

/// Which function an invocation is for.
struct Call<'a> {
    /// The name as the URL gives it (`NAME` or `NAME.NAMESPACE`), as the proxy's errors say it.
    full_name: &'a str,
    /// The function's name.
    name: &'a str,
    /// Its namespace.
    ns: &'a str,
    /// The path after the function's name, as the function sees it.
    path: &'a str,
    /// Whether the proxy streams it (httputil.ReverseProxy) rather than copying it whole.
    streamed: bool,
}

/// What the function answered.
struct Answer {
    response: Response,
    /// From the classic watchdog (which adds `X-Duration-Seconds`), not another server.
    from_watchdog: bool,
}

async fn run(
    state: &State,
    call: &Call<'_>,
    parts: &mut Parts,
    body: &Bytes,
) -> Result<Answer, ApiError> {
    let Call { name, ns, .. } = *call;
    if name.is_empty() {
        return Err(ApiError::not_found(format!(
            "function {name:?} not found in namespace {ns:?}"
        )));
    }
    let invocation = match admit(state, call).await {
        Ok(invocation) => invocation,
        // httputil.ReverseProxy with faas-provider's empty ErrorHandler writes nothing when
        // the function cannot be reached: an empty 200.
        Err(e) if call.streamed && e == unreachable(call) => {
            return Ok(Answer {
                response: StatusCode::OK.into_response(),
                from_watchdog: false,
            })
        }
        Err(e) => return Err(e),
    };
    if echo_server::is_echo_server(&invocation.spec.image) {
        let response = echo(state, call, &invocation, parts, body).await;
        return Ok(Answer {
            response,
            from_watchdog: false,
        });
    }
    Ok(Answer {
        response: classic_watchdog(state, call, &invocation, parts, body),
        from_watchdog: true,
    })
}

/// The proxy's error for a function that resolves but does not listen.
fn unreachable(call: &Call<'_>) -> ApiError {
    let form = LagStatus::Unreachable500;
    ApiError {
        status: form.status(),
        message: form.message(call.full_name),
    }
}

/// The function as the classic watchdog runs it.
fn classic_watchdog(
    state: &State,
    call: &Call<'_>,
    invocation: &Invocation,
    parts: &Parts,
    body: &Bytes,
) -> Response {
    if !watchdog::METHODS.contains(&parts.method.as_str()) {
        return StatusCode::METHOD_NOT_ALLOWED.into_response();
    }
    let began = Instant::now();
    let mut env = environment(invocation, parts, call.path, body.len());
    let spec = &invocation.spec;
    if state.has_fault(Fault::InvokeDropsEnvVars) {
        env.retain(|k, _| !spec.env_vars.contains_key(k));
    }
    let output = watchdog::run(
        &spec.env_process,
        &spec.image,
        &env,
        body,
        &invocation.secrets,
    );
    let (ns, name) = (call.ns, call.name);
    state.record_invocation(
        ns,
        name,
        &invocation.instance,
        output.body.len(),
        began.elapsed(),
    );
    // The classic watchdog answers with `content_type` if set, else the caller's; Go's
    // server sniffs a type for a body written without one.
    let content_type = spec
        .env_vars
        .get("content_type")
        .and_then(|c| HeaderValue::from_str(c).ok())
        .or_else(|| parts.headers.get(CONTENT_TYPE).cloned())
        .or_else(|| watchdog::sniff(&output.body).map(HeaderValue::from_static));
    let mut response = Response::new(Body::from(output.body));
    *response.status_mut() =
        StatusCode::from_u16(output.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let out = response.headers_mut();
    if let Some(location) = output.location.and_then(|l| HeaderValue::from_str(&l).ok()) {
        out.insert("location", location);
    }
    if let Some(ct) = content_type {
        out.insert(CONTENT_TYPE, ct);
    }
    response
}

/// The function as jmalloc/echo-server answers it; a WebSocket handshake is passed on only
/// when the proxy tunnels it.
async fn echo(
    state: &State,
    call: &Call<'_>,
    invocation: &Invocation,
    parts: &mut Parts,
    body: &Bytes,
) -> Response {
    let upgrade = if call.streamed && echo_server::is_websocket_upgrade(&parts.headers) {
        match WebSocketUpgrade::from_request_parts(parts, state).await {
            Ok(upgrade) => Some(upgrade),
            Err(rejection) => return echo_server::handshake_refused(rejection.status()),
        }
    } else {
        None
    };
    let uri = match parts.uri.query() {
        Some(q) => format!("{}?{q}", call.path),
        None => call.path.to_string(),
    };
    let host = parts
        .headers
        .get("host")
        .and_then(|h| h.to_str().ok())
        .unwrap_or_default();
    let peer = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.to_string())
        .unwrap_or_default();
    state.record_served(
        call.ns,
        call.name,
        &invocation.instance,
        [format!("{peer} | {} {uri}", parts.method).as_str()],
    );
    let request = EchoRequest {
        method: &parts.method,
        uri: &uri,
        host,
        headers: &parts.headers,
        body,
        hostname: &invocation.instance,
        env: &invocation.spec.env_vars,
        interval: state.config().stream_interval,
    };
    echo_server::serve(&request, upgrade, state.on_shutdown())
}

/// Waits (bounded) until the function has a ready replica, scaling it from zero if needed.
async fn admit(state: &State, call: &Call<'_>) -> Result<Invocation, ApiError> {
    let (name, ns) = (call.name, call.ns);
    let give_up = Instant::now() + SCALE_FROM_ZERO_TIMEOUT;
    let mut first = true;
    loop {
        match state.admit(ns, name, first)? {
            Admission::Ready(invocation) => return Ok(*invocation),
            Admission::Lagging => {
                let lag = state.config().invoke_lag_status;
                return Err(ApiError {
                    status: lag.status(),
                    message: lag.message(call.full_name),
                });
            }
            Admission::NoEndpoints => {
                let form = super::LagStatus::NoEndpoints503;
                return Err(ApiError {
                    status: form.status(),
                    message: form.message(call.full_name),
                });
            }
            Admission::WaitUntil(ready_at) => {
                if Instant::now() >= give_up {
                    return Err(ApiError {
                        status: StatusCode::SERVICE_UNAVAILABLE,
                        message: format!("function {name:?} has no ready replica"),
                    });
                }
                // Wake at the replica's ready time (at least 1 ms later, at most 1 s, to
                // notice a delete or a re-scale).
                let wait = ready_at.saturating_duration_since(Instant::now());
                tokio::time::sleep(wait.clamp(Duration::from_millis(1), Duration::from_secs(1)))
                    .await;
            }
        }
        first = false;
    }
}

/// The process environment: the function's, `fprocess`, and the CGI variables.
fn environment(
    invocation: &Invocation,
    parts: &Parts,
    path: &str,
    content_length: usize,
) -> std::collections::BTreeMap<String, String> {
    let spec = &invocation.spec;
    let mut env = spec.env_vars.clone();
    env.insert(
        "PATH".into(),
        "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin".into(),
    );
    env.insert("HOSTNAME".into(), invocation.instance.clone());
    env.insert("HOME".into(), "/home/app".into());
    if !spec.env_process.is_empty() {
        env.insert("fprocess".into(), spec.env_process.clone());
    }
    let header_list: Vec<(String, String)> = parts
        .headers
        .iter()
        .filter_map(|(k, v)| {
            v.to_str()
                .ok()
                .map(|v| (k.as_str().to_string(), v.to_string()))
        })
        .collect();
    let host = parts
        .headers
        .get("host")
        .and_then(|h| h.to_str().ok())
        .unwrap_or_default();
    let request = CgiRequest {
        method: parts.method.as_str(),
        query: parts.uri.query().unwrap_or_default(),
        path,
        host,
        content_length,
        headers: header_list,
    };
    watchdog::add_cgi_env(&mut env, &request);
    env
}

#[cfg(test)]
mod tests {
    use super::split_name;

    #[test]
    fn namespace_is_after_the_last_dot() {
        assert_eq!(split_name("env"), ("env", "openfaas-fn"));
        assert_eq!(split_name("env.dev"), ("env", "dev"));
        assert_eq!(split_name("a.b.dev"), ("a.b", "dev"));
        assert_eq!(split_name(".openfaas-fn"), ("", "openfaas-fn"));
    }
}
