//! Handler of `/function/{name}[.{namespace}][/{path}]`: invoke a function through the
//! emulated watchdog, scaling it from zero first if needed.

use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{Path, State as AxumState};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};

use super::reply::ApiError;
use super::state::{Admission, Invocation, State};
use super::watchdog::{self, CgiRequest};
use super::Fault;
use crate::model::DEFAULT_NAMESPACE;

/// How long an invocation waits for a function scaled from zero to become ready.
const SCALE_FROM_ZERO_TIMEOUT: Duration = Duration::from_secs(120);

/// The header faas-provider's proxy marks its own errors with (since faas-provider
/// 841fe51), so a caller can tell them from a function's answer.
pub const INTERNAL_HEADER: &str = "x-openfaas-internal";
/// Its value.
pub const INTERNAL_PROXY: &str = "proxy";

/// `/function/{name}`.
pub async fn root(
    state: AxumState<State>,
    Path(name): Path<String>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    // Behind a gateway the function is reached at `/`, so it sees Http_Path=/.
    let path = if state.config().as_gateway { "/" } else { "" };
    invoke(state, name, path.to_string(), method, uri, headers, body).await
}

/// `/function/{name}/` and `/function/{name}/{*path}`.
pub async fn sub_path(
    state: AxumState<State>,
    Path((name, path)): Path<(String, String)>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    invoke(state, name, format!("/{path}"), method, uri, headers, body).await
}

/// `/function/{name}/` (the catch-all does not match an empty rest).
pub async fn slash(
    state: AxumState<State>,
    Path(name): Path<String>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    invoke(state, name, "/".to_string(), method, uri, headers, body).await
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
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let started = Instant::now();
    // The gateway's headers (X-Call-Id, X-Forwarded-*) are added by its layer, before this.
    let gateway = state.config().as_gateway;
    let (name, ns) = split_name(&full_name);
    // Read here rather than by an extractor, so a refusal carries the headers below too.
    let limit = state.config().max_body_bytes;
    let result = match super::body::read(body, &headers, limit).await {
        Ok(body) => {
            let call = Call {
                full_name: &full_name,
                name,
                ns,
                path: &path,
            };
            run(&state, &call, &method, &uri, &headers, &body).await
        }
        Err(unread) => Err(unread.refusal(limit)),
    };
    let mut response = match result {
        Ok(r) => r,
        // A gateway answers 404 for an unknown function; a bare provider as its flavour does.
        Err(e) if e.status == StatusCode::NOT_FOUND && !gateway => proxy_error(ApiError {
            status: state.answers().invoke_unknown,
            ..e
        }),
        Err(e) => proxy_error(e),
    };
    let out = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&format!("{:.6}", started.elapsed().as_secs_f64())) {
        out.insert("x-duration-seconds", v);
    }
    response
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
}

async fn run(
    state: &State,
    call: &Call<'_>,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &bytes::Bytes,
) -> Result<Response, ApiError> {
    let Call { name, ns, path, .. } = *call;
    if name.is_empty() {
        return Err(ApiError::not_found(format!(
            "function {name:?} not found in namespace {ns:?}"
        )));
    }
    let invocation = admit(state, call).await?;
    if !watchdog::METHODS.contains(&method.as_str()) {
        return Ok((
            StatusCode::METHOD_NOT_ALLOWED,
            "method not allowed by the watchdog\n",
        )
            .into_response());
    }
    let began = Instant::now();
    let mut env = environment(&invocation, method, uri, path, headers, body.len());
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
    state.record_invocation(
        ns,
        name,
        &invocation.instance,
        output.body.len(),
        began.elapsed(),
    );

    let status = StatusCode::from_u16(output.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = (status, output.body).into_response();
    let out = response.headers_mut();
    if let Some(location) = output.location.and_then(|l| HeaderValue::from_str(&l).ok()) {
        out.insert("location", location);
    }
    // The classic watchdog answers with `content_type` if set, else echoes the caller's.
    let content_type = spec
        .env_vars
        .get("content_type")
        .and_then(|c| HeaderValue::from_str(c).ok())
        .or_else(|| headers.get("content-type").cloned());
    if let Some(ct) = content_type {
        out.insert("content-type", ct);
    }
    Ok(response)
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
    method: &Method,
    uri: &Uri,
    path: &str,
    headers: &HeaderMap,
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
    let header_list: Vec<(String, String)> = headers
        .iter()
        .filter_map(|(k, v)| {
            v.to_str()
                .ok()
                .map(|v| (k.as_str().to_string(), v.to_string()))
        })
        .collect();
    let host = headers
        .get("host")
        .and_then(|h| h.to_str().ok())
        .unwrap_or_default();
    let request = CgiRequest {
        method: method.as_str(),
        query: uri.query().unwrap_or_default(),
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
