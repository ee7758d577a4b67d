//! Handler of `GET /system/logs`: NDJSON, one message per line, flushed per line.

use std::convert::Infallible;

use axum::body::{Body, Bytes};
use axum::extract::{Query, State as AxumState};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::mpsc;

use super::reply::ApiError;
use super::state::{pick_namespace, LogEntry, LogFilter, State};
use super::Fault;

/// The query of a log request; everything is text so bad values get a 422 with a reason.
#[derive(Debug, Default, Deserialize)]
pub struct LogQuery {
    #[serde(default)]
    name: String,
    #[serde(default)]
    namespace: String,
    #[serde(default)]
    instance: String,
    #[serde(default)]
    tail: String,
    #[serde(default)]
    since: String,
    #[serde(default)]
    follow: String,
}

/// A parsed, checked log request.
struct LogRequest {
    filter: LogFilter,
    tail: i64,
    follow: bool,
}

fn parse(q: LogQuery) -> Result<LogRequest, ApiError> {
    if q.name.trim().is_empty() {
        return Err(ApiError::bad_request("name is required"));
    }
    let tail = match q.tail.trim() {
        "" => 0,
        t => t
            .parse::<i64>()
            .map_err(|_| ApiError::unprocessable(format!("tail must be an integer, got {t:?}")))?,
    };
    let since = match q.since.trim() {
        "" => None,
        s => Some(
            DateTime::parse_from_rfc3339(s)
                .map_err(|e| {
                    ApiError::unprocessable(format!(
                        "since must be an RFC 3339 time, got {s:?}: {e}"
                    ))
                })?
                .with_timezone(&Utc),
        ),
    };
    let follow = match q.follow.trim() {
        "" | "false" | "0" => false,
        "true" | "1" => true,
        f => {
            return Err(ApiError::unprocessable(format!(
                "follow must be true or false, got {f:?}"
            )))
        }
    };
    let instance = Some(q.instance).filter(|i| !i.is_empty());
    let namespace = pick_namespace([q.namespace.as_str()]);
    Ok(LogRequest {
        filter: LogFilter {
            name: q.name,
            namespace,
            instance,
            since,
        },
        tail,
        follow,
    })
}

/// `GET /system/logs`.
pub async fn logs(AxumState(state): AxumState<State>, Query(q): Query<LogQuery>) -> Response {
    let request = match parse(q) {
        Ok(r) => r,
        Err(e) => return e.into_response(),
    };
    // Subscribe before reading the history so no line falls between the two.
    let mut live = request.follow.then(|| state.follow_logs());
    let history = match state.read_logs(&request.filter, request.tail) {
        Ok(h) => h,
        Err(e) => return e.into_response(),
    };
    let (tx, rx) = mpsc::channel::<Result<Bytes, Infallible>>(64);
    let mut shutdown = state.on_shutdown();
    let render = Render {
        namespace_empty: state.answers().log_namespace_empty,
        name_is_instance: state.has_fault(Fault::LogsWrongName),
    };
    let deadline = tokio::time::Instant::now() + state.config().log_follow_timeout;
    tokio::spawn(async move {
        let mut last_seq = history.last().map(|e| e.seq);
        for entry in &history {
            if tx.send(Ok(render.line(entry))).await.is_err() {
                return;
            }
        }
        let Some(live) = live.as_mut() else { return };
        loop {
            let received = tokio::select! {
                received = live.recv() => received,
                _ = tokio::time::sleep_until(deadline) => return,
                _ = shutdown.wait_for(|down| *down) => return,
                _ = tx.closed() => return,
            };
            // A follower that fell behind the live feed catches up from the history, so a
            // busy mock never drops a followed line.
            let entries = match received {
                Ok(entry) => vec![entry],
                Err(RecvError::Lagged(_)) => state.logs_after(&request.filter, last_seq),
                Err(RecvError::Closed) => return,
            };
            for entry in entries {
                if last_seq.is_some_and(|s| entry.seq <= s) || !request.filter.matches(&entry) {
                    continue;
                }
                last_seq = Some(entry.seq);
                if tx.send(Ok(render.line(&entry))).await.is_err() {
                    return;
                }
            }
        }
    });
    let body = Body::from_stream(tokio_stream::wrappers::ReceiverStream::new(rx));
    (
        [
            ("content-type", "application/x-ndjson"),
            ("cache-control", "no-cache"),
        ],
        body,
    )
        .into_response()
}

/// How log lines are written: as the flavour writes them.
#[derive(Debug, Clone, Copy)]
struct Render {
    /// Leave `namespace` empty, as faas-netes does.
    namespace_empty: bool,
    /// Fault `logs-wrong-name`: name the instance instead of the function.
    name_is_instance: bool,
}

impl Render {
    fn line(self, entry: &LogEntry) -> Bytes {
        let mut message = entry.message.clone();
        if self.namespace_empty {
            message.namespace.clear();
        }
        if self.name_is_instance {
            message.name = message.instance.clone();
        }
        let mut bytes = serde_json::to_vec(&message).unwrap_or_default();
        bytes.push(b'\n');
        Bytes::from(bytes)
    }
}
