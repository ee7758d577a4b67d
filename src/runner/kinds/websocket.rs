//! The `websocket` step: a WebSocket round trip through `/function/NAME`.
//!
//! faas-provider (ccde259, 2025-02; f53fe63 `proxy/proxy.go`) sends a request carrying
//! `Upgrade: websocket` through Go's `httputil.ReverseProxy`, which tunnels the switched
//! connection to the function. The step connects (ws:// or wss:// from the target's URL;
//! `/function/` takes no credentials, so none are sent), reads the function's greeting when
//! the step names one (`jmalloc/echo-server` v0.3.7 `cmd/echo-server/main.go` sends "Request
//! served by HOST", or an empty text message with `SEND_SERVER_HOSTNAME=false`), sends one
//! text message and reads what comes back. An upgrade that is refused (not `101`) is judged
//! as the answer it is: its status, headers and body.

use std::time::{Duration, Instant};

use bytes::Bytes;
use futures_util::{SinkExt, StreamExt};
use tokio_tungstenite::tungstenite::{self, client::IntoClientRequest, Message};

use crate::runner::case::CaseCtx;
use crate::runner::client::{HttpRequest, HttpResponse, BODY_LIMIT};
use crate::runner::expect::Mismatch;
use crate::runner::ops::header_pairs;
use crate::runner::step::{AttemptLog, Polled, Unmet};
use crate::runner::RunError;
use crate::suite::{Expect, WebSocket};

/// How long a polite close may take once the exchange is judged.
const CLOSE_GRACE: Duration = Duration::from_millis(500);

/// `ws://` or `wss://` for an `http://` or `https://` URL.
fn ws_url(http: &str) -> String {
    if let Some(rest) = http.strip_prefix("https://") {
        format!("wss://{rest}")
    } else if let Some(rest) = http.strip_prefix("http://") {
        format!("ws://{rest}")
    } else {
        http.to_string()
    }
}

impl CaseCtx<'_> {
    /// Runs a `websocket` step once, by the step's deadline: `cond` judges the upgrade's
    /// answer with the message that came back as its body; then the greeting is judged.
    pub(crate) async fn websocket(
        &self,
        w: &WebSocket,
        req: &HttpRequest,
        cond: &Expect,
        log: &AttemptLog,
    ) -> Polled {
        let url = ws_url(&self.runner.client.url(&req.path));
        let deadline = self.deadline;
        let after = std::sync::Mutex::new(None::<Mismatch>);
        let mut polled = self
            .poll_with(
                || async {
                    let (response, trouble) = exchange(&url, req, w, deadline).await?;
                    if let Ok(mut slot) = after.lock() {
                        *slot = trouble;
                    }
                    Ok(response)
                },
                &req.body,
                None,
                cond,
                None,
                log,
            )
            .await;
        let trouble = after.lock().ok().and_then(|mut t| t.take());
        if let (Ok(_), None, Some(mismatch)) = (&polled.response, &polled.mismatch, trouble) {
            polled.mismatch = Some(Unmet::Mismatch {
                mismatch,
                note: String::new(),
            });
        }
        polled
    }
}

/// Connects, reads the greeting, sends `w.send` and reads the answer, all by `deadline`:
/// the upgrade's answer with the message that came back as its body, and what went wrong
/// past the upgrade (a greeting other than the one named, no message back).
async fn exchange(
    url: &str,
    req: &HttpRequest,
    w: &WebSocket,
    deadline: Instant,
) -> Result<(HttpResponse, Option<Mismatch>), RunError> {
    let transport = |reason: String| RunError::Transport {
        method: req.method.clone(),
        path: req.path.clone(),
        reason,
    };
    let mut request = url
        .into_client_request()
        .map_err(|e| transport(e.to_string()))?;
    for (name, value) in &req.headers {
        let name = reqwest::header::HeaderName::from_bytes(name.as_bytes())
            .map_err(|e| transport(e.to_string()))?;
        let value =
            reqwest::header::HeaderValue::from_str(value).map_err(|e| transport(e.to_string()))?;
        request.headers_mut().insert(name, value);
    }
    let config = tungstenite::protocol::WebSocketConfig::default()
        .max_message_size(Some(BODY_LIMIT))
        .max_frame_size(Some(BODY_LIMIT));
    let connect = tokio_tungstenite::connect_async_with_config(request, Some(config), true);
    let (mut socket, switched) = match tokio::time::timeout_at(deadline.into(), connect).await {
        Err(_) => return Err(transport("timed out".into())),
        Ok(Err(tungstenite::Error::Http(refused))) => {
            let response = HttpResponse {
                status: refused.status().as_u16(),
                headers: refused.headers().clone(),
                body: Bytes::from(refused.body().clone().unwrap_or_default()),
            };
            return Ok((response, None));
        }
        Ok(Err(e)) => return Err(transport(e.to_string())),
        Ok(Ok(connected)) => connected,
    };
    let mut response = HttpResponse {
        status: switched.status().as_u16(),
        headers: switched.headers().clone(),
        body: Bytes::new(),
    };
    let mut trouble = None;
    if let Some(want) = &w.greeting {
        match next_message(&mut socket, deadline).await {
            Ok(got) if got == want.as_bytes() => {}
            Ok(got) => {
                trouble = Some(Mismatch::new(
                    format!("the greeting {want:?}"),
                    format!("{:?}", String::from_utf8_lossy(&got)),
                ))
            }
            Err(why) => {
                trouble = Some(Mismatch::new(
                    format!("the greeting {want:?}"),
                    why.to_string(),
                ))
            }
        }
    }
    let sent = socket.send(Message::text(w.send.clone()));
    match tokio::time::timeout_at(deadline.into(), sent).await {
        Ok(Ok(())) => match next_message(&mut socket, deadline).await {
            Ok(echoed) => response.body = echoed,
            Err(why) => {
                trouble = trouble.or(Some(Mismatch::new("a message back", why.to_string())))
            }
        },
        Ok(Err(e)) => trouble = trouble.or(Some(Mismatch::new("to send a message", e.to_string()))),
        Err(_) => {
            trouble = trouble.or(Some(Mismatch::new(
                "to send a message",
                "no room to send it by the deadline",
            )))
        }
    }
    let _ = tokio::time::timeout(CLOSE_GRACE, socket.close(None)).await;
    Ok((response, trouble))
}

/// What came instead of a message: the "got" of a step's mismatch.
#[derive(Debug, thiserror::Error)]
enum NoMessage {
    /// Nothing by the step's deadline.
    #[error("none by the step's deadline")]
    Deadline,
    /// The connection ended without a close frame.
    #[error("the connection ended")]
    Ended,
    /// The connection broke.
    #[error("the connection broke: {0}")]
    Broke(#[source] tungstenite::Error),
    /// The peer closed the connection, with its code and reason when it gave them.
    #[error("the connection closed{}", .0.as_ref().map(|(code, reason)| format!(" ({code} {reason:?})")).unwrap_or_default())]
    Closed(Option<(tungstenite::protocol::frame::coding::CloseCode, String)>),
}

/// The next text or binary message, by `deadline`; `Err` says what came instead.
async fn next_message<S>(socket: &mut S, deadline: Instant) -> Result<Bytes, NoMessage>
where
    S: futures_util::Stream<Item = Result<Message, tungstenite::Error>> + Unpin,
{
    loop {
        match tokio::time::timeout_at(deadline.into(), socket.next()).await {
            Err(_) => return Err(NoMessage::Deadline),
            Ok(None) => return Err(NoMessage::Ended),
            Ok(Some(Err(e))) => return Err(NoMessage::Broke(e)),
            Ok(Some(Ok(Message::Text(text)))) => return Ok(Bytes::from(text.as_str().to_owned())),
            Ok(Some(Ok(Message::Binary(bytes)))) => return Ok(bytes),
            Ok(Some(Ok(Message::Close(frame)))) => {
                return Err(NoMessage::Closed(
                    frame.map(|f| (f.code, f.reason.as_str().to_owned())),
                ))
            }
            // Pings are answered by the library; control frames carry no message.
            Ok(Some(Ok(_))) => {}
        }
    }
}

impl super::Perform for WebSocket {
    /// The request of a `websocket` step: `GET /function/NAME[/path]` (the handshake's own
    /// `Upgrade`, `Connection` and `Sec-WebSocket-*` headers are added when it connects).
    fn request(&self, at: &super::Place<'_>, _: &mut crate::runner::ops::Prepared) -> HttpRequest {
        let w = self;
        let path = at.invoked(
            "/function",
            &w.name,
            &w.namespace,
            w.qualified,
            &w.path,
            &w.query,
        );
        let mut headers = header_pairs(&w.headers);
        headers.push(("Upgrade".into(), "websocket".into()));
        HttpRequest {
            method: "GET".into(),
            path,
            headers,
            body: Bytes::from(w.send.clone()),
            ..Default::default()
        }
    }

    /// One round trip ([`CaseCtx::websocket`]).
    async fn perform(
        &self,
        cx: &mut CaseCtx<'_>,
        run: super::Run<'_>,
    ) -> Result<Polled, crate::outcome::StepOutcome> {
        Ok(cx.websocket(self, run.req, run.cond, run.log).await)
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Perform, Place};
    use super::*;

    #[test]
    fn the_websocket_url_follows_the_targets_scheme() {
        assert_eq!(
            ws_url("http://127.0.0.1:8080/function/f"),
            "ws://127.0.0.1:8080/function/f"
        );
        assert_eq!(
            ws_url("https://gw.example/p/function/f"),
            "wss://gw.example/p/function/f"
        );
    }

    #[test]
    fn the_request_names_the_function_and_asks_to_upgrade() {
        let w = WebSocket {
            name: "echo".into(),
            send: "hello".into(),
            ..Default::default()
        };
        let req = w.request(
            &Place {
                ns: "extra",
                home: "openfaas-fn",
            },
            &mut Default::default(),
        );
        assert_eq!(req.path, "/function/echo.extra");
        assert!(req
            .headers
            .contains(&("Upgrade".into(), "websocket".into())));
        assert_eq!(req.body, Bytes::from("hello"));
    }
}
