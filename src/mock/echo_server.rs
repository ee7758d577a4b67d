//! Emulates the public image `jmalloc/echo-server` (v0.3.7, f1c7416,
//! `cmd/echo-server/main.go`), the suites' streaming and WebSocket function: any function
//! whose image name contains `echo-server` answers as it does, on any path and method.
//!
//! - A WebSocket upgrade (`Connection: upgrade`, `Upgrade: websocket`) is accepted; the first
//!   message is the text `Request served by HOST` (empty when `SEND_SERVER_HOSTNAME=false`),
//!   then every text or binary message is echoed with its type.
//! - A path whose last segment is `.sse` streams server-sent events (`text/event-stream`):
//!   `server` (the host name; left out when `SEND_SERVER_HOSTNAME=false`), `request` (the
//!   request, as the plain echo prints it), then `time` (RFC 3339) every `--stream-interval`
//!   (1 s in the image), until the caller goes away; each event is sent on its own, as
//!   `event: NAME\ndata: LINE\n...id: N\n\n`.
//! - Anything else: 200 `text/plain`, `Request served by HOST` and a blank line (unless
//!   `SEND_SERVER_HOSTNAME=false`), then the request: `METHOD URI HTTP/1.1`, a blank line,
//!   `Host: HOST`, the headers sorted, and the body after a blank line when there is one.
//!
//! The request header `X-Send-Server-Hostname` overrides `SEND_SERVER_HOSTNAME`; every
//! `SEND_HEADER_NAME_PARTS=value` variable becomes an answer header `NAME-PARTS: value`. The
//! image's `.ws` page (a browser UI) is not emulated: such a path gets the plain echo.

use std::collections::BTreeMap;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::http::header::{CONNECTION, CONTENT_TYPE, UPGRADE};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use tokio::sync::watch;

use super::watchdog::canonical_header;

/// Whether a function's image is emulated as jmalloc/echo-server.
pub fn is_echo_server(image: &str) -> bool {
    image.contains("echo-server")
}

/// What the echo server is asked, as it receives it from the provider.
pub struct EchoRequest<'a> {
    /// The method.
    pub method: &'a Method,
    /// The request URI the function sees: its path (`/` for a plain call) and query.
    pub uri: &'a str,
    /// The `Host` it is called with.
    pub host: &'a str,
    /// The headers it receives.
    pub headers: &'a HeaderMap,
    /// The body.
    pub body: &'a [u8],
    /// The replica's host name.
    pub hostname: &'a str,
    /// The function's environment.
    pub env: &'a BTreeMap<String, String>,
    /// The period of the `time` events.
    pub interval: Duration,
}

/// Answers `request`; `upgrade` is the tunnelled WebSocket handshake, when the provider
/// passed one on; `shutdown` turns true when the mock stops (an event stream then ends).
pub fn serve(
    request: &EchoRequest<'_>,
    upgrade: Option<WebSocketUpgrade>,
    shutdown: watch::Receiver<bool>,
) -> Response {
    let hostname = send_hostname(request).then_some(request.hostname);
    let mut response = if is_websocket_upgrade(request.headers) {
        match upgrade {
            Some(upgrade) => {
                let greeting = hostname.map(served_by).unwrap_or_default();
                upgrade.on_upgrade(move |socket| echo(socket, greeting, shutdown))
            }
            // The handshake cannot reach the function through this proxy.
            None => handshake_refused(StatusCode::BAD_REQUEST),
        }
    } else if last_segment(request.uri) == ".sse" {
        events(request, hostname, shutdown)
    } else {
        plain(request, hostname)
    };
    add_configured_headers(response.headers_mut(), request.env);
    response
}

/// A refused handshake as gorilla/websocket's `Upgrader` answers it (`http.Error` with the
/// status text, and the version it speaks).
pub fn handshake_refused(status: StatusCode) -> Response {
    let text = format!("{}\n", status.canonical_reason().unwrap_or_default());
    (
        status,
        [
            (CONTENT_TYPE, "text/plain; charset=utf-8"),
            (HeaderName::from_static("x-content-type-options"), "nosniff"),
            (HeaderName::from_static("sec-websocket-version"), "13"),
        ],
        text,
    )
        .into_response()
}

fn served_by(host: &str) -> String {
    format!("Request served by {host}")
}

/// `SEND_SERVER_HOSTNAME`, overridden by a non-empty `X-Send-Server-Hostname`: anything but
/// `false` (any case) sends it.
fn send_hostname(request: &EchoRequest<'_>) -> bool {
    let header = request
        .headers
        .get("x-send-server-hostname")
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty());
    let setting = header
        .or(request.env.get("SEND_SERVER_HOSTNAME").map(String::as_str))
        .unwrap_or_default();
    !setting.eq_ignore_ascii_case("false")
}

/// gorilla/websocket's `IsWebSocketUpgrade`: the `upgrade` token in `Connection` and the
/// `websocket` token in `Upgrade`, in any case.
pub fn is_websocket_upgrade(headers: &HeaderMap) -> bool {
    let has_token = |name: HeaderName, token: &str| {
        headers
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .any(|t| t.trim().eq_ignore_ascii_case(token))
    };
    has_token(CONNECTION, "upgrade") && has_token(UPGRADE, "websocket")
}

/// Go's `path.Base` of the URI's path, as far as `.sse` needs it.
fn last_segment(uri: &str) -> &str {
    let path = uri.split('?').next().unwrap_or_default();
    path.trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or_default()
}

fn add_configured_headers(headers: &mut HeaderMap, env: &BTreeMap<String, String>) {
    for (key, value) in env {
        let Some(name) = key.strip_prefix("SEND_HEADER_") else {
            continue;
        };
        let name = HeaderName::from_bytes(name.replace('_', "-").to_ascii_lowercase().as_bytes());
        if let (Ok(name), Ok(value)) = (name, HeaderValue::from_str(value)) {
            headers.insert(name, value);
        }
    }
}

/// `writeRequest`: the request line, `Host`, the headers sorted by their Go names, the body.
fn dump(request: &EchoRequest<'_>) -> String {
    let mut out = format!(
        "{} {} HTTP/1.1\n\nHost: {}\n",
        request.method, request.uri, request.host
    );
    let mut lines: Vec<(String, &str)> = request
        .headers
        .iter()
        // Go keeps Host apart and reads the body's framing itself.
        .filter(|(k, _)| !matches!(k.as_str(), "host" | "transfer-encoding"))
        .filter_map(|(k, v)| v.to_str().ok().map(|v| (canonical_header(k.as_str()), v)))
        .collect();
    // Sorted by name; a name's values stay in their order.
    lines.sort_by(|a, b| a.0.cmp(&b.0));
    for (name, value) in lines {
        out.push_str(&format!("{name}: {value}\n"));
    }
    if !request.body.is_empty() {
        out.push('\n');
        out.push_str(&String::from_utf8_lossy(request.body));
    }
    out
}

fn plain(request: &EchoRequest<'_>, hostname: Option<&str>) -> Response {
    let mut text = hostname
        .map(|h| format!("{}\n\n", served_by(h)))
        .unwrap_or_default();
    text.push_str(&dump(request));
    ([(CONTENT_TYPE, "text/plain")], text).into_response()
}

/// One event as `writeSSE` frames it: a `NAME: LINE` line per line of the data.
fn event(id: u64, name: &str, data: &str) -> Bytes {
    let mut out = format!("event: {name}\n");
    for line in data.split('\n') {
        out.push_str(&format!("data: {line}\n"));
    }
    out.push_str(&format!("id: {id}\n\n"));
    Bytes::from(out)
}

/// `serveSSE`: `server` and `request` at once, then `time` every interval, each on its own.
fn events(
    request: &EchoRequest<'_>,
    hostname: Option<&str>,
    mut shutdown: watch::Receiver<bool>,
) -> Response {
    let mut first = Vec::new();
    if let Some(host) = hostname {
        first.push(("server", host.to_string()));
    }
    first.push(("request", dump(request)));
    let count = first.len() as u64;
    let first: Vec<Bytes> = (1..)
        .zip(first)
        .map(|(id, (name, data))| event(id, name, &data))
        .collect();
    // A period of zero would never yield to the caller.
    let period = request.interval.max(Duration::from_millis(1));
    let mut ticker = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let ticks = futures_util::stream::unfold((ticker, count), |(mut ticker, id)| async move {
        ticker.tick().await;
        let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        Some((event(id + 1, "time", &now), (ticker, id + 1)))
    });
    let stream = futures_util::stream::iter(first)
        .chain(ticks)
        .take_until(async move {
            let _ = shutdown.wait_for(|down| *down).await;
        })
        .map(Ok::<_, std::convert::Infallible>);
    (
        [
            (CONTENT_TYPE, "text/event-stream"),
            (HeaderName::from_static("cache-control"), "no-cache"),
            (HeaderName::from_static("access-control-allow-origin"), "*"),
        ],
        Body::from_stream(stream),
    )
        .into_response()
}

/// `serveWebSocket`: the greeting, then every data message echoed with its type, until the
/// caller closes (or the mock stops).
async fn echo(mut socket: WebSocket, greeting: String, mut shutdown: watch::Receiver<bool>) {
    if socket.send(Message::Text(greeting.into())).await.is_err() {
        return;
    }
    loop {
        let received = tokio::select! {
            received = socket.recv() => received,
            _ = shutdown.wait_for(|down| *down) => return,
        };
        let message = match received {
            Some(Ok(m @ (Message::Text(_) | Message::Binary(_)))) => m,
            // Pings are answered and a close is confirmed by the library on the next read.
            Some(Ok(_)) => continue,
            Some(Err(_)) | None => return,
        };
        if socket.send(message).await.is_err() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request<'a>(
        headers: &'a HeaderMap,
        env: &'a BTreeMap<String, String>,
        uri: &'a str,
    ) -> EchoRequest<'a> {
        EchoRequest {
            method: &Method::POST,
            uri,
            host: "gw:8080",
            headers,
            body: b"hello",
            hostname: "echo-7f9c",
            env,
            interval: Duration::from_secs(1),
        }
    }

    #[test]
    fn the_dump_is_the_images() {
        let mut headers = HeaderMap::new();
        headers.insert("x-b", HeaderValue::from_static("2"));
        headers.append("accept", HeaderValue::from_static("a"));
        headers.append("accept", HeaderValue::from_static("b"));
        headers.insert("host", HeaderValue::from_static("ignored"));
        let env = BTreeMap::new();
        assert_eq!(
            dump(&request(&headers, &env, "/a?x=1")),
            "POST /a?x=1 HTTP/1.1\n\nHost: gw:8080\nAccept: a\nAccept: b\nX-B: 2\n\nhello"
        );
    }

    #[test]
    fn events_are_framed_line_by_line() {
        assert_eq!(
            &event(2, "request", "GET / HTTP/1.1\n\nHost: h\n")[..],
            b"event: request\ndata: GET / HTTP/1.1\ndata: \ndata: Host: h\ndata: \nid: 2\n\n"
        );
    }

    #[test]
    fn hostname_setting_and_paths() {
        let headers = HeaderMap::new();
        let mut env = BTreeMap::new();
        assert!(send_hostname(&request(&headers, &env, "/")));
        env.insert("SEND_SERVER_HOSTNAME".into(), "FALSE".into());
        assert!(!send_hostname(&request(&headers, &env, "/")));
        let mut asked = HeaderMap::new();
        asked.insert("x-send-server-hostname", HeaderValue::from_static("true"));
        assert!(send_hostname(&request(&asked, &env, "/")));
        assert_eq!(last_segment("/a/.sse?x=1"), ".sse");
        assert_eq!(last_segment("/.sse/"), ".sse");
        assert_eq!(last_segment("/a.sse"), "a.sse");
    }

    #[test]
    fn websocket_upgrades_are_recognised_by_their_tokens() {
        let mut h = HeaderMap::new();
        h.insert(UPGRADE, HeaderValue::from_static("WebSocket"));
        assert!(!is_websocket_upgrade(&h));
        h.insert(CONNECTION, HeaderValue::from_static("keep-alive, Upgrade"));
        assert!(is_websocket_upgrade(&h));
    }

    #[test]
    fn configured_headers_are_sent() {
        let env = BTreeMap::from([(
            "SEND_HEADER_ACCESS_CONTROL_ALLOW_ORIGIN".to_string(),
            "*".to_string(),
        )]);
        let mut headers = HeaderMap::new();
        add_configured_headers(&mut headers, &env);
        assert_eq!(headers["access-control-allow-origin"], "*");
    }
}
