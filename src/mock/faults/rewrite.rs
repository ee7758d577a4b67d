//! The faults that can be applied from outside the provider: a layer that rewrites the
//! request before routing or the response after the handler, so the provider's own code
//! stays free of them.

use axum::body::{to_bytes, Body, Bytes};
use axum::extract::{Request, State as AxumState};
use axum::http::{HeaderValue, Method, StatusCode, Uri};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use super::Fault;
use crate::mock::invoke::{INTERNAL_HEADER, INTERNAL_PROXY};
use crate::mock::reply::is_dns_label;
use crate::mock::state::State;
use crate::model::DEFAULT_NAMESPACE;

/// Bodies of invocations are cut here by `invoke-truncates-body`.
const TRUNCATE_AT: usize = 64 * 1024;

/// The shortest time `stream-buffered` holds a streamed answer.
const STREAM_HOLD: std::time::Duration = std::time::Duration::from_secs(1);

/// The route a request is for, as far as the faults care.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Route {
    Functions,
    FunctionStatus,
    Secrets,
    Logs,
    Namespaces,
    Info,
    Healthz,
    Invoke,
    Other,
}

fn route_of(path: &str) -> Route {
    match path {
        "/system/functions" => Route::Functions,
        "/system/secrets" => Route::Secrets,
        "/system/logs" => Route::Logs,
        "/system/namespaces" => Route::Namespaces,
        "/system/info" => Route::Info,
        "/healthz" => Route::Healthz,
        p if p.starts_with("/system/function/") => Route::FunctionStatus,
        p if p.starts_with("/function/") => Route::Invoke,
        _ => Route::Other,
    }
}

/// Applies the configured faults to one request and its response.
pub async fn apply(AxumState(state): AxumState<State>, request: Request, next: Next) -> Response {
    if state.config().faults.is_empty() {
        return next.run(request).await;
    }
    let has = |f: Fault| state.has_fault(f);
    let route = route_of(request.uri().path());
    let method = request.method().clone();
    let (mut parts, body) = request.into_parts();
    let body = match to_bytes(body, state.config().max_body_bytes).await {
        Ok(b) => b,
        Err(_) => {
            return (StatusCode::PAYLOAD_TOO_LARGE, "request body too large\n").into_response()
        }
    };
    let json: Option<Value> = serde_json::from_slice(&body).ok();
    let field = |name: &str| {
        json.as_ref()
            .and_then(|j| j.get(name))
            .and_then(Value::as_str)
            .unwrap_or("")
    };

    // Faults that answer instead of the provider.
    let swallowed = match (route, &method) {
        (Route::Functions, &Method::POST) => {
            (has(Fault::DeployAcceptsMissingImage) && json.is_some() && field("image").is_empty())
                || (has(Fault::DeployAcceptsInvalidName)
                    && json.is_some()
                    && !is_dns_label(field("service")))
        }
        (Route::Functions, &Method::DELETE) => has(Fault::DeleteIgnored),
        (Route::Secrets, &Method::POST) => has(Fault::SecretCreateIgnored),
        (Route::Secrets, &Method::PUT) => has(Fault::SecretUpdateIgnored),
        (Route::Secrets, &Method::DELETE) => has(Fault::SecretDeleteIgnored),
        _ => false,
    };
    if swallowed {
        return StatusCode::ACCEPTED.into_response();
    }
    if route == Route::Invoke && has(Fault::InvokeRefused401) {
        return (StatusCode::UNAUTHORIZED, "unauthorized\n").into_response();
    }
    if route == Route::FunctionStatus && method == Method::GET && has(Fault::StatusAlways404) {
        return (StatusCode::NOT_FOUND, "function not found\n").into_response();
    }

    // Faults that alter the request.
    let mut body = body;
    let mut remove_query: Vec<&str> = Vec::new();
    let mut path = parts.uri.path().to_string();
    if has(Fault::NamespacesIgnored) {
        remove_query.push("namespace");
        if let Some(Value::Object(mut obj)) = json.clone() {
            if obj.remove("namespace").is_some() {
                body = Bytes::from(serde_json::to_vec(&obj).unwrap_or_default());
            }
        }
        if route == Route::Invoke {
            path = strip_invoke_namespace(&path);
        }
    }
    if route == Route::Logs {
        if has(Fault::LogsTailIgnored) {
            remove_query.push("tail");
        }
        if has(Fault::LogsFollowIgnored) {
            remove_query.push("follow");
        }
    }
    if route == Route::Invoke {
        if has(Fault::InvokeReportsPost) {
            parts.method = Method::POST;
        }
        if has(Fault::InvokeDropsQuery) {
            parts.uri = rebuild_uri(&parts.uri, &path, None);
        }
        if has(Fault::InvokeDropsPath) {
            path = invoke_root(&path);
        }
        if has(Fault::WebsocketRefused) {
            // A proxy that does not tunnel: the handshake's hop-by-hop headers go.
            parts.headers.remove("upgrade");
            parts.headers.remove("connection");
        }
        if has(Fault::InvokeDropsHeaders) {
            let keep = [
                "host",
                "content-length",
                "content-type",
                "transfer-encoding",
            ];
            let names: Vec<_> = parts
                .headers
                .keys()
                .filter(|k| !keep.contains(&k.as_str()))
                .cloned()
                .collect();
            for name in names {
                parts.headers.remove(name);
            }
        }
    }
    let query = parts.uri.query().map(|q| filter_query(q, &remove_query));
    parts.uri = rebuild_uri(&parts.uri, &path, query.as_deref());
    parts.headers.remove("content-length");
    let response = next.run(Request::from_parts(parts, Body::from(body))).await;
    alter_response(&state, route, &method, response).await
}

/// Faults that alter the answer.
async fn alter_response(
    state: &State,
    route: Route,
    method: &Method,
    response: Response,
) -> Response {
    let has = |f: Fault| state.has_fault(f);
    let status = response.status();
    match (route, method) {
        (Route::Functions, &Method::POST)
            if has(Fault::DeployAnswers500) && status.is_success() =>
        {
            (StatusCode::INTERNAL_SERVER_ERROR, "deploy failed\n").into_response()
        }
        (Route::Functions, &Method::PUT)
            if has(Fault::UpdateUnknownAccepted) && status == StatusCode::NOT_FOUND =>
        {
            StatusCode::ACCEPTED.into_response()
        }
        (Route::Functions, &Method::DELETE)
            if has(Fault::DeleteUnknown200) && status == StatusCode::NOT_FOUND =>
        {
            StatusCode::OK.into_response()
        }
        (Route::Functions, &Method::GET) if has(Fault::ListAlwaysEmpty) && status.is_success() => {
            json_response(status, &Value::Array(Vec::new()))
        }
        (Route::Functions, &Method::GET)
            if has(Fault::ListDropsNamespace) && status.is_success() =>
        {
            map_json(response, |json| {
                if let Value::Array(items) = json {
                    items
                        .iter_mut()
                        .for_each(|i| drop_fields(i, &["namespace"]));
                }
            })
            .await
        }
        (Route::FunctionStatus, &Method::GET)
            if has(Fault::StatusUnknown200) && status == StatusCode::NOT_FOUND =>
        {
            json_response(StatusCode::OK, &serde_json::json!({}))
        }
        (Route::Functions | Route::FunctionStatus, &Method::GET) if status.is_success() => {
            let dropped = dropped_status_fields(state);
            let replicas_text = has(Fault::StatusReplicasAsString);
            let null_annotations = has(Fault::StatusAnnotationsNull);
            if dropped.is_empty() && !replicas_text && !null_annotations {
                return response;
            }
            let alter = |status: &mut Value| {
                drop_fields(status, &dropped);
                break_shape(status, replicas_text, null_annotations);
            };
            map_json(response, |json| match json {
                Value::Array(items) => items.iter_mut().for_each(alter),
                other => alter(other),
            })
            .await
        }
        (Route::Secrets, &Method::POST)
            if has(Fault::SecretDuplicate500) && status == StatusCode::CONFLICT =>
        {
            (StatusCode::INTERNAL_SERVER_ERROR, "secret already exists\n").into_response()
        }
        (Route::Namespaces, &Method::GET)
            if has(Fault::NamespacesListDefaultOnly) && status.is_success() =>
        {
            json_response(status, &serde_json::json!([DEFAULT_NAMESPACE]))
        }
        (Route::Info, &Method::GET) if status.is_success() => {
            let empty_version = has(Fault::InfoEmptyVersion);
            let no_name = has(Fault::InfoNoProviderName);
            if !(empty_version || no_name) {
                return response;
            }
            map_json(response, |json| break_info(json, empty_version, no_name)).await
        }
        (Route::Healthz, _) if has(Fault::HealthzFails) => {
            (StatusCode::INTERNAL_SERVER_ERROR, "unhealthy\n").into_response()
        }
        (Route::Invoke, _) => alter_invocation(state, response).await,
        _ => response,
    }
}

async fn alter_invocation(state: &State, response: Response) -> Response {
    let has = |f: Fault| state.has_fault(f);
    let (mut parts, body) = response.into_parts();
    if has(Fault::InvokeUnknown200) && parts.status == StatusCode::NOT_FOUND {
        return StatusCode::OK.into_response();
    }
    if has(Fault::InvokeNoCallId) {
        parts.headers.remove("x-call-id");
        parts.headers.remove("x-start-time");
    }
    if has(Fault::InvokeFollowsRedirects) && parts.status.is_redirection() {
        parts.status = StatusCode::OK;
        parts.headers.remove("location");
    }
    if has(Fault::InternalMarkerMissing) {
        parts.headers.remove(INTERNAL_HEADER);
    }
    if has(Fault::InternalMarkerOnFunctionError) && parts.status.as_u16() >= 400 {
        parts
            .headers
            .insert(INTERNAL_HEADER, HeaderValue::from_static(INTERNAL_PROXY));
    }
    if has(Fault::StreamBuffered) {
        let hold = (state.config().stream_interval * 10).max(STREAM_HOLD);
        return crate::mock::hold::for_a_while(Response::from_parts(parts, body), hold);
    }
    if !(has(Fault::InvokeTruncatesBody) || has(Fault::InvokeManglesBinary)) {
        return Response::from_parts(parts, body);
    }
    let Ok(mut bytes) = to_bytes(body, usize::MAX).await.map(|b| b.to_vec()) else {
        return (
            StatusCode::BAD_GATEWAY,
            "cannot read the function's answer\n",
        )
            .into_response();
    };
    if has(Fault::InvokeTruncatesBody) {
        bytes.truncate(TRUNCATE_AT);
    }
    if has(Fault::InvokeManglesBinary) {
        bytes = String::from_utf8_lossy(&bytes).into_owned().into_bytes();
    }
    parts.headers.remove("content-length");
    Response::from_parts(parts, Body::from(bytes))
}

fn dropped_status_fields(state: &State) -> Vec<&'static str> {
    [
        (Fault::StatusDropsEnvVars, &["envVars"][..]),
        (Fault::StatusDropsEnvProcess, &["envProcess"][..]),
        (Fault::StatusDropsLabels, &["labels"][..]),
        (Fault::StatusDropsAnnotations, &["annotations"][..]),
        (Fault::StatusDropsLimits, &["limits", "requests"][..]),
        (Fault::StatusDropsSecrets, &["secrets"][..]),
    ]
    .into_iter()
    .filter(|(f, _)| state.has_fault(*f))
    .flat_map(|(_, fields)| fields.iter().copied())
    .collect()
}

/// Sends `replicas` as a string and `annotations` as `null`: shapes the schema refuses.
fn break_shape(json: &mut Value, replicas_text: bool, null_annotations: bool) {
    if let Value::Object(obj) = json {
        if replicas_text {
            let n = obj.get("replicas").and_then(Value::as_u64).unwrap_or(0);
            obj.insert("replicas".into(), Value::String(n.to_string()));
        }
        if null_annotations {
            obj.insert("annotations".into(), Value::Null);
        }
    }
}

fn drop_fields(json: &mut Value, fields: &[&str]) {
    if let Value::Object(obj) = json {
        for field in fields {
            obj.remove(*field);
        }
    }
}

fn break_info(json: &mut Value, empty_version: bool, no_name: bool) {
    // The provider form has a string `provider`; the gateway form nests the provider's info.
    let nested = json.get("provider").is_some_and(Value::is_object);
    let provider = if nested {
        json.get_mut("provider")
    } else {
        Some(&mut *json)
    };
    if let Some(Value::Object(provider)) = provider {
        if no_name {
            provider.insert("provider".into(), Value::String(String::new()));
        }
        if empty_version {
            provider.insert(
                "version".into(),
                serde_json::json!({"sha": "", "release": ""}),
            );
        }
    }
    if empty_version && nested {
        if let Value::Object(obj) = json {
            obj.insert(
                "version".into(),
                serde_json::json!({"sha": "", "release": ""}),
            );
        }
    }
}

async fn map_json(response: Response, change: impl FnOnce(&mut Value)) -> Response {
    let (parts, body) = response.into_parts();
    let Ok(bytes) = to_bytes(body, usize::MAX).await else {
        return (
            StatusCode::INTERNAL_SERVER_ERROR,
            "cannot read the answer\n",
        )
            .into_response();
    };
    match serde_json::from_slice::<Value>(&bytes) {
        Ok(mut json) => {
            change(&mut json);
            json_response(parts.status, &json)
        }
        Err(_) => Response::from_parts(parts, Body::from(bytes)),
    }
}

fn json_response(status: StatusCode, json: &Value) -> Response {
    let mut response = (status, serde_json::to_vec(json).unwrap_or_default()).into_response();
    response
        .headers_mut()
        .insert("content-type", HeaderValue::from_static("application/json"));
    response
}

/// `/function/NAME.NS/...` becomes `/function/NAME/...`.
fn strip_invoke_namespace(path: &str) -> String {
    let rest = &path["/function/".len()..];
    let (name, tail) = rest.split_once('/').map_or((rest, ""), |(n, t)| (n, t));
    let name = name.rsplit_once('.').map_or(name, |(n, _)| n);
    if tail.is_empty() && !rest.ends_with('/') {
        format!("/function/{name}")
    } else {
        format!("/function/{name}/{tail}")
    }
}

/// `/function/NAME/sub/path` becomes `/function/NAME`.
fn invoke_root(path: &str) -> String {
    let rest = &path["/function/".len()..];
    format!("/function/{}", rest.split('/').next().unwrap_or_default())
}

fn filter_query(query: &str, remove: &[&str]) -> String {
    query
        .split('&')
        .filter(|pair| {
            let key = pair.split('=').next().unwrap_or_default();
            !remove.contains(&key)
        })
        .collect::<Vec<_>>()
        .join("&")
}

fn rebuild_uri(uri: &Uri, path: &str, query: Option<&str>) -> Uri {
    let text = match query {
        Some(q) if !q.is_empty() => format!("{path}?{q}"),
        _ => path.to_string(),
    };
    text.parse().unwrap_or_else(|_| uri.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_rewrites() {
        assert_eq!(strip_invoke_namespace("/function/env.dev"), "/function/env");
        assert_eq!(
            strip_invoke_namespace("/function/env.dev/a/b"),
            "/function/env/a/b"
        );
        assert_eq!(invoke_root("/function/env/a/b"), "/function/env");
        assert_eq!(
            filter_query("a=1&namespace=x&b=2", &["namespace"]),
            "a=1&b=2"
        );
    }

    #[test]
    fn info_breaks_in_both_forms() {
        let mut provider =
            serde_json::json!({"provider": "p", "version": {"sha": "s", "release": "r"}});
        break_info(&mut provider, true, true);
        assert_eq!(provider["provider"], "");
        assert_eq!(provider["version"]["sha"], "");
        let mut gateway = serde_json::json!({"provider": {"provider": "p", "version": {"sha": "s"}}, "version": {"sha": "g"}});
        break_info(&mut gateway, true, false);
        assert_eq!(gateway["provider"]["provider"], "p");
        assert_eq!(gateway["version"]["sha"], "");
    }
}
