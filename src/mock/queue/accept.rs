//! The gateway's `/async-function/` route: the call-id middleware and the queue proxy.
//!
//! faas 8d803bf9 `gateway/main.go` routes `/async-function/{name}`, `/{name}/` and
//! `/{name}/{params}` (names `[-a-zA-Z_0-9.]+`) for POST only, outside basic auth;
//! `handlers/callid_middleware.go` adds `X-Call-Id` to the request and the answer when the
//! request has none (a request's own is kept, and not echoed) and `X-Start-Time` to both;
//! `handlers/queue_proxy.go` reads the body, parses `X-Callback-Url` with Go's `url.Parse`
//! (an error is `400` with its text), queues the request without checking that the
//! function exists, and answers `202` with an empty body.

use std::time::{SystemTime, UNIX_EPOCH};

use axum::extract::{Request, State as AxumState};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tokio::sync::mpsc::error::TrySendError;

use super::{go_url, Job, Queue, CAPACITY};

/// The route's prefix.
const PREFIX: &str = "/async-function/";

/// Answers `/async-function/...` as the gateway; passes every other request on.
pub async fn accept(AxumState(queue): AxumState<Queue>, request: Request, next: Next) -> Response {
    let Some(rest) = request.uri().path().strip_prefix(PREFIX) else {
        return next.run(request).await;
    };
    let (name, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    if !valid_name(name) {
        return go_not_found();
    }
    if request.method() != Method::POST {
        // gorilla/mux: the path matches a route, the method none: 405, empty body.
        return StatusCode::METHOD_NOT_ALLOWED.into_response();
    }
    let (name, path) = (name.to_string(), path.to_string());
    let (mut parts, body) = request.into_parts();
    let stamp = CallStamp::add(&mut parts.headers);
    let mut answer = match queue_request(&queue, name, path, parts, body).await {
        Ok(()) => StatusCode::ACCEPTED.into_response(),
        Err(refusal) => refusal,
    };
    stamp.mark(answer.headers_mut());
    answer
}

/// A gorilla/mux route name: `[-a-zA-Z_0-9.]+`.
fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// Go's `http.NotFound`, as the gateway's router answers an unrouted path.
fn go_not_found() -> Response {
    go_error(StatusCode::NOT_FOUND, "404 page not found")
}

/// Go's `http.Error`: the text and a newline, plain text, not to be sniffed.
fn go_error(status: StatusCode, text: &str) -> Response {
    (
        status,
        [
            (CONTENT_TYPE, "text/plain; charset=utf-8"),
            (
                axum::http::HeaderName::from_static("x-content-type-options"),
                "nosniff",
            ),
        ],
        format!("{text}\n"),
    )
        .into_response()
}

/// What the call-id middleware added to the request, to add to the answer too.
struct CallStamp {
    /// The new `X-Call-Id`, when the request had none.
    call_id: Option<HeaderValue>,
    /// `X-Start-Time`: Unix nanoseconds.
    start: HeaderValue,
}

impl CallStamp {
    /// Adds `X-Call-Id` (when absent or empty) and `X-Start-Time` to the request.
    fn add(headers: &mut HeaderMap) -> Self {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0);
        let start = HeaderValue::from(nanos);
        let has_id = headers.get("x-call-id").is_some_and(|v| !v.is_empty());
        let call_id = (!has_id).then(|| {
            let id = HeaderValue::from_str(&uuid::Uuid::new_v4().to_string());
            id.unwrap_or(HeaderValue::from_static(
                "00000000-0000-0000-0000-000000000000",
            ))
        });
        if let Some(id) = &call_id {
            headers.insert("x-call-id", id.clone());
        }
        headers.append("x-start-time", start.clone());
        Self { call_id, start }
    }

    /// Adds the same headers to the answer.
    fn mark(self, headers: &mut HeaderMap) {
        if let Some(id) = self.call_id {
            headers.insert("x-call-id", id);
        }
        headers.insert("x-start-time", self.start);
    }
}

/// The queue proxy: reads the body, checks the callback URL, queues the request.
async fn queue_request(
    queue: &Queue,
    function: String,
    path: String,
    parts: axum::http::request::Parts,
    body: axum::body::Body,
) -> Result<(), Response> {
    let limit = queue.state.config().max_body_bytes;
    let body = crate::mock::body::read(body, &parts.headers, limit)
        .await
        .map_err(|unread| unread.refusal(limit).into_response())?;
    let callback = match parts
        .headers
        .get("x-callback-url")
        .map(HeaderValue::as_bytes)
    {
        Some(raw) if !raw.is_empty() => {
            if let Some(why) = go_url::parse_error(raw) {
                return Err(go_error(StatusCode::BAD_REQUEST, &why));
            }
            Some(String::from_utf8_lossy(raw).into_owned())
        }
        _ => None,
    };
    let job = Job {
        function,
        path,
        query: parts.uri.query().unwrap_or_default().to_string(),
        headers: parts.headers,
        body,
        callback,
    };
    queue.jobs.try_send(job).map_err(|e| {
        let why = match e {
            TrySendError::Full(_) => format!("the queue holds {CAPACITY} requests already"),
            TrySendError::Closed(_) => "the queue worker has stopped".to_string(),
        };
        tracing::warn!(target: "faas_certifier::mock", "Error queuing request: {why}");
        go_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            &format!("Error queuing request: {why}"),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_gateways_route() {
        for ok in ["env", "env.openfaas-fn", "a_b-c.1"] {
            assert!(valid_name(ok), "{ok}");
        }
        for bad in ["", "a%20b", "a:b", "ä"] {
            assert!(!valid_name(bad), "{bad}");
        }
    }

    #[test]
    fn a_request_id_is_kept_and_not_echoed() {
        let mut own = HeaderMap::new();
        own.insert("x-call-id", HeaderValue::from_static("mine"));
        let stamp = CallStamp::add(&mut own);
        assert_eq!(own["x-call-id"], "mine");
        let mut answer = HeaderMap::new();
        stamp.mark(&mut answer);
        assert!(answer.get("x-call-id").is_none());
        assert!(answer.get("x-start-time").is_some());

        let mut none = HeaderMap::new();
        let stamp = CallStamp::add(&mut none);
        let mut answer = HeaderMap::new();
        stamp.mark(&mut answer);
        assert_eq!(answer["x-call-id"], none["x-call-id"]);
        assert_eq!(none["x-call-id"].len(), 36);
    }
}
