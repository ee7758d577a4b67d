//! The payloads of the invocation kinds beyond a plain `invoke`: a streamed answer read event
//! by event (`stream`), a WebSocket round trip (`websocket`), an asynchronous invocation
//! (`invoke_async`) and the wait for its callback (`callback`), with their load-time checks.
//! The runner executes each in its own module (`runner/kinds/stream.rs`,
//! `runner/kinds/websocket.rs`, `runner/kinds/asynchronous.rs`).

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;
use serde_saphyr::Spanned;

use super::expand::expand_fields;
use super::kind::{StepKind, Touched};
use super::{DurationText, Operation, Step};

/// A streamed invocation: `/function/NAME[/path]` with an `Accept` header, read until `events`
/// server-sent events (or `lines` lines) came, each timed, then closed. `expect` judges the
/// answer's status, headers and what was read of its body; `first_within` and `min_spread`
/// judge when the parts arrived.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Stream {
    /// The function's name.
    pub name: String,
    /// The namespace (default `${namespace}`); other than the run's namespace it is sent as `NAME.NAMESPACE`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// Always address the function as `NAME.NAMESPACE`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub qualified: bool,
    /// The HTTP method (default `GET`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// A sub-path after the function's name, e.g. `/.sse`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// A query string without `?`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
    /// Request headers.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub headers: BTreeMap<String, String>,
    /// The `Accept` header sent (default `text/event-stream` for `events`,
    /// `application/x-ndjson` for `lines`): it is what asks a proxy to stream.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accept: Option<String>,
    /// Read this many server-sent events (parsed as SSE).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub events: Option<u64>,
    /// Read this many non-empty lines (NDJSON, or any chunked text).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lines: Option<u64>,
    /// The first event (or line) must arrive within this long of the request (default: by
    /// the step's deadline).
    #[serde(default)]
    #[schemars(with = "Option<DurationText>")]
    pub first_within: Option<Spanned<DurationText>>,
    /// The last event (or line) read must arrive at least this long after the first: parts
    /// produced apart arrive apart, so a proxy that holds the answer and sends it at once
    /// fails even when every byte is right.
    #[serde(default)]
    #[schemars(with = "Option<DurationText>")]
    pub min_spread: Option<Spanned<DurationText>>,
}

/// A WebSocket round trip through `/function/NAME[/path]`: the upgrade (the answer's status
/// is `101` when it switched), the function's greeting, then `send` and the message that
/// comes back. `expect` judges the upgrade's answer (status, headers) and, as its body, the
/// message that came back; `timeout` bounds the whole exchange.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WebSocket {
    /// The function's name.
    pub name: String,
    /// The namespace (default `${namespace}`); other than the run's namespace it is sent as `NAME.NAMESPACE`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// Always address the function as `NAME.NAMESPACE`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub qualified: bool,
    /// A sub-path after the function's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// A query string without `?`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
    /// Request headers sent with the upgrade.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub headers: BTreeMap<String, String>,
    /// The message the function sends first, before anything is sent to it, exactly (`""`:
    /// an empty text message, as `jmalloc/echo-server` sends with
    /// `SEND_SERVER_HOSTNAME=false`); unset: the function sends none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub greeting: Option<String>,
    /// The text message sent; what comes back next is the answer's body.
    pub send: String,
}

/// An asynchronous invocation: `POST /async-function/NAME[/path]`. With `callback: true` the
/// run's callback receiver is sent as `X-Callback-Url` (a URL of its own for this step), and
/// a later `callback` step waits for what arrives there.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AsyncInvoke {
    /// The function's name.
    pub name: String,
    /// The namespace (default `${namespace}`); other than the run's namespace it is sent as `NAME.NAMESPACE`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// Always address the function as `NAME.NAMESPACE`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub qualified: bool,
    /// A sub-path after the function's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// A query string without `?`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
    /// Request headers.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub headers: BTreeMap<String, String>,
    /// A text body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// Send the run's callback receiver as `X-Callback-Url` (`--callback-url`; on loopback
    /// a local port by default).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub callback: bool,
    /// Send this `X-Callback-Url` as written (e.g. an unparsable one, `%zz`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub callback_url: Option<String>,
}

/// Waits for the callback of the case's last `invoke_async` with `callback: true`: exactly one
/// must arrive within `within`, and none more within `grace` after it. `expect` judges the
/// callback as an answer: its headers (`X-Call-Id`, `X-Function-Status`, ...) and body.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Callback {
    /// How long the first callback may take (default `30s`, within the step's deadline).
    #[serde(default)]
    #[schemars(with = "Option<DurationText>")]
    pub within: Option<Spanned<DurationText>>,
    /// How long after the first a second one is waited for, which fails the step (default
    /// `200ms`).
    #[serde(default)]
    #[schemars(with = "Option<DurationText>")]
    pub grace: Option<Spanned<DurationText>>,
}

expand_fields!(Stream {
    name,
    namespace,
    qualified,
    method,
    path,
    query,
    headers,
    accept,
    events,
    lines,
    first_within,
    min_spread,
});
expand_fields!(WebSocket {
    name,
    namespace,
    qualified,
    path,
    query,
    headers,
    greeting,
    send,
});
expand_fields!(AsyncInvoke {
    name,
    namespace,
    qualified,
    path,
    query,
    headers,
    body,
    callback,
    callback_url,
});
expand_fields!(Callback { within, grace });

impl StepKind for Stream {
    /// A stream reads a function's answer: nothing is created or changed.
    fn touches(&self) -> Option<Touched<'_>> {
        None
    }

    fn durations(&self) -> Vec<(&'static str, &Spanned<DurationText>)> {
        written([
            ("stream.first_within", self.first_within.as_ref()),
            ("stream.min_spread", self.min_spread.as_ref()),
        ])
    }

    fn check(&self, _: &Step, _: &[Step]) -> Result<(), (&'static str, String)> {
        match (self.events, self.lines) {
            (Some(0), _) | (_, Some(0)) => {
                Err(("stream", "read at least one event or line".into()))
            }
            (Some(_), None) | (None, Some(_)) => Ok(()),
            _ => Err(("stream", "write exactly one of `events` and `lines`".into())),
        }
    }
}

impl StepKind for WebSocket {
    /// A round trip through a function: nothing is created or changed.
    fn touches(&self) -> Option<Touched<'_>> {
        None
    }

    fn check(&self, step: &Step, _: &[Step]) -> Result<(), (&'static str, String)> {
        not_retried(step)
    }
}

impl StepKind for AsyncInvoke {
    /// An invocation, queued: nothing is created or changed.
    fn touches(&self) -> Option<Touched<'_>> {
        None
    }

    fn check(&self, _: &Step, _: &[Step]) -> Result<(), (&'static str, String)> {
        if self.callback && self.callback_url.is_some() {
            return Err((
                "invoke_async",
                "write `callback: true` (the run's receiver) or `callback_url`, not both".into(),
            ));
        }
        Ok(())
    }

    fn needs_receiver(&self) -> bool {
        self.callback
    }
}

impl StepKind for Callback {
    /// A wait at the run's receiver: nothing is created or changed.
    fn touches(&self) -> Option<Touched<'_>> {
        None
    }

    fn durations(&self) -> Vec<(&'static str, &Spanned<DurationText>)> {
        written([
            ("callback.within", self.within.as_ref()),
            ("callback.grace", self.grace.as_ref()),
        ])
    }

    fn check(&self, step: &Step, earlier: &[Step]) -> Result<(), (&'static str, String)> {
        not_retried(step)?;
        if step.common.expect.status.is_some() {
            return Err((
                "expect",
                "a callback has no status of its own: expect its `X-Function-Status` header".into(),
            ));
        }
        let asked = earlier
            .iter()
            .any(|s| matches!(&s.op, Operation::InvokeAsync(a) if a.callback));
        if !asked {
            return Err((
                "callback",
                "no earlier `invoke_async` step with `callback: true` to wait for".into(),
            ));
        }
        Ok(())
    }

    fn needs_receiver(&self) -> bool {
        true
    }
}

/// The durations of `fields` that are written, by field name.
fn written<'a, const N: usize>(
    fields: [(&'static str, Option<&'a Spanned<DurationText>>); N],
) -> Vec<(&'static str, &'a Spanned<DurationText>)> {
    fields
        .into_iter()
        .filter_map(|(name, d)| Some((name, d?)))
        .collect()
}

/// A step that is one exchange, bounded by its `timeout`, never retried.
fn not_retried(step: &Step) -> Result<(), (&'static str, String)> {
    match &step.common.retry {
        Some(_) => Err((
            "retry",
            format!(
                "a `{}` step is not retried; bound it with `timeout`",
                step.op.key()
            ),
        )),
        None => Ok(()),
    }
}

/// Whether `steps` use the run's callback receiver (an `invoke_async` with `callback: true`, or
/// a `callback` step): a case that does is skipped when the run has no receiver to offer.
pub fn needs_receiver(steps: &[Step]) -> bool {
    steps.iter().any(|s| s.op.kind().needs_receiver())
}

#[cfg(test)]
mod tests {
    fn refused(steps: &str) -> String {
        let text = format!("cases:\n  - name: c\n    steps:\n{steps}");
        match crate::suite::load_str("t.yaml", &text) {
            Ok(_) => panic!("loaded: {steps}"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn a_stream_reads_events_or_lines() {
        let both = refused("      - stream: {name: f, events: 2, lines: 2}\n");
        assert!(
            both.contains("write exactly one of `events` and `lines`"),
            "{both}"
        );
        let none = refused("      - stream: {name: f, events: 0}\n");
        assert!(none.contains("read at least one event or line"), "{none}");
        let bad = refused("      - stream: {name: f, events: 2, min_spread: soon}\n");
        assert!(bad.contains("stream.min_spread"), "{bad}");
    }

    #[test]
    fn a_callback_waits_for_an_earlier_invocation_that_asked_for_one() {
        let alone = refused("      - callback: {within: 1s}\n");
        assert!(
            alone.contains("no earlier `invoke_async` step with `callback: true`"),
            "{alone}"
        );
        let status = refused(
            "      - invoke_async: {name: f, callback: true}\n      - callback:\n        expect: {status: 200}\n",
        );
        assert!(
            status.contains("expect its `X-Function-Status` header"),
            "{status}"
        );
        let both =
            refused("      - invoke_async: {name: f, callback: true, callback_url: \"%zz\"}\n");
        assert!(both.contains("not both"), "{both}");
        let retried =
            refused("      - websocket: {name: f, send: x}\n        retry: {timeout: 1s}\n");
        assert!(retried.contains("is not retried"), "{retried}");
        let ok = crate::suite::load_str(
            "t.yaml",
            "cases:\n  - name: c\n    steps:\n      - invoke_async: {name: f, callback: true}\n      - callback:\n",
        )
        .expect("loads");
        assert!(super::needs_receiver(&ok.cases[0].steps));
    }
}
