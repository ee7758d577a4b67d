//! The `invoke_async` and `callback` steps: an asynchronous invocation and the wait for the
//! callback it asked for.
//!
//! The CE gateway (8d803bf9 `gateway/handlers/queue_proxy.go`) answers `POST
//! /async-function/NAME` with `202` once the request is queued (the call-id middleware adds
//! `X-Call-Id`), and `400` when `X-Callback-Url` does not parse. The queue worker
//! (nats-queue-worker ed54141 `main.go`) then invokes the function with `POST` and POSTs its
//! answer to the callback URL: the function's headers, `X-Call-Id` (the same),
//! `X-Function-Status`, `X-Function-Name`, `X-Duration-Seconds`, and its body. `callback: true`
//! sends a URL of the run's receiver ([`crate::runner::callback`]) unique to the step; the `callback`
//! step waits there for exactly one.

use std::time::{Duration, Instant};

use bytes::Bytes;

use crate::runner::case::CaseCtx;
use crate::runner::client::{HttpRequest, HttpResponse};
use crate::runner::ops::header_pairs;
use crate::runner::step::{AttemptLog, Polled, Unmet};
use crate::runner::{RunError, StepError};
use crate::suite::{AsyncInvoke, Callback, DurationText, Expect};

/// How long a `callback` step waits for the first callback by default.
const WITHIN: Duration = Duration::from_secs(30);

/// How long a `callback` step waits for a second one by default.
const GRACE: Duration = Duration::from_millis(200);

/// The callbacks a case asked for.
#[derive(Debug, Default)]
pub(crate) struct CaseCallbacks {
    /// How many the case has asked for so far.
    asked: usize,
    /// The token and URL of the last one.
    last: Option<(String, String)>,
}

impl CaseCtx<'_> {
    /// Runs a `callback` step: waits for the callbacks of the last `invoke_async`, requires
    /// exactly one, and judges it with `cond` as an answer whose status is its
    /// `X-Function-Status` (0 when it has none).
    pub(crate) async fn await_callback(
        &self,
        c: &Callback,
        cond: &Expect,
        log: &AttemptLog,
    ) -> Polled {
        let (within, grace) = match (
            duration("callback.within", &c.within, WITHIN),
            duration("callback.grace", &c.grace, GRACE),
        ) {
            (Ok(w), Ok(g)) => (w, g),
            (Err(e), _) | (_, Err(e)) => return Polled::errored(RunError::Step(e)),
        };
        let (Some((token, url)), Ok(receiver)) =
            (&self.callbacks.last, self.runner.callbacks.receiver().await)
        else {
            return Polled::errored(RunError::Step(StepError::NoCallbackAsked));
        };
        let since = Instant::now();
        let received = receiver
            .wait(token, (since + within).min(self.deadline), grace)
            .await;
        log.push(match received.first() {
            Some(first) => format!(
                "{} callback(s) to {url}: the first {} ms into the wait, then {} ms of grace",
                received.len(),
                first.at.saturating_duration_since(since).as_millis(),
                grace.as_millis()
            ),
            None => format!("no callback to {url} in {} ms", since.elapsed().as_millis()),
        });
        let one = match crate::runner::callback::exactly_once(&received, within) {
            Ok(one) => one,
            Err(mismatch) => {
                return Polled {
                    response: Ok(as_answer(received.first())),
                    attempts: 1,
                    mismatch: Some(Unmet::Mismatch {
                        mismatch,
                        note: String::new(),
                    }),
                    waited: Duration::ZERO,
                }
            }
        };
        let answer = as_answer(Some(one));
        self.poll_with(|| async { Ok(answer.clone()) }, &[], None, cond, None, log)
            .await
    }
}

/// A callback as an answer: its headers and body, its status the `X-Function-Status` it
/// reports (0 when it reports none or none came).
fn as_answer(received: Option<&crate::runner::callback::Received>) -> HttpResponse {
    let Some(r) = received else {
        return HttpResponse {
            status: 0,
            headers: Default::default(),
            body: Bytes::new(),
        };
    };
    let status = r
        .headers
        .get("x-function-status")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    HttpResponse {
        status,
        headers: r.headers.clone(),
        body: r.body.clone(),
    }
}

/// A step's duration field, or `default` when unset.
fn duration(
    field: &'static str,
    d: &Option<serde_saphyr::Spanned<DurationText>>,
    default: Duration,
) -> Result<Duration, StepError> {
    match d {
        Some(d) => {
            DurationText::parse(&d.value.0).map_err(|reason| StepError::Duration { field, reason })
        }
        None => Ok(default),
    }
}

impl super::Perform for AsyncInvoke {
    /// The request of an `invoke_async` step: `POST /async-function/NAME[/path]`, with
    /// `callback_url` as `X-Callback-Url` when given (`callback: true` adds the receiver's when
    /// the step runs).
    fn request(&self, at: &super::Place<'_>, _: &mut crate::runner::ops::Prepared) -> HttpRequest {
        let a = self;
        let path = at.invoked(
            "/async-function",
            &a.name,
            &a.namespace,
            a.qualified,
            &a.path,
            &a.query,
        );
        let mut headers = header_pairs(&a.headers);
        if let Some(url) = &a.callback_url {
            headers.push(("X-Callback-Url".into(), url.clone()));
        }
        HttpRequest {
            method: "POST".into(),
            path,
            headers,
            body: Bytes::from(a.body.clone().unwrap_or_default()),
            ..Default::default()
        }
    }

    /// With `callback: true`, a URL of the run's receiver of its own as `X-Callback-Url` (the
    /// receiver starts on first use).
    async fn complete(&self, cx: &mut CaseCtx<'_>, req: &mut HttpRequest) -> Result<(), StepError> {
        if !self.callback {
            return Ok(());
        }
        let receiver = cx.runner.callbacks.receiver().await?;
        cx.callbacks.asked += 1;
        let run = cx.vars.get("run").cloned().unwrap_or_default();
        let token = format!("{run}-{}", cx.callbacks.asked);
        let url = receiver.url(&token);
        req.headers.push(("X-Callback-Url".into(), url.clone()));
        cx.callbacks.last = Some((token, url));
        Ok(())
    }
}

impl super::Perform for Callback {
    /// Addressed to the run's receiver once the step runs ([`Perform::complete`]).
    fn request(&self, _: &super::Place<'_>, _: &mut crate::runner::ops::Prepared) -> HttpRequest {
        HttpRequest {
            method: "POST".into(),
            ..Default::default()
        }
    }

    /// Addressed to the URL the case's last `invoke_async` with `callback: true` sent.
    async fn complete(&self, cx: &mut CaseCtx<'_>, req: &mut HttpRequest) -> Result<(), StepError> {
        let Some((_, url)) = &cx.callbacks.last else {
            return Err(StepError::NoCallbackBefore);
        };
        req.path = url.clone();
        Ok(())
    }

    /// The wait at the receiver ([`CaseCtx::await_callback`]).
    async fn perform(
        &self,
        cx: &mut CaseCtx<'_>,
        run: super::Run<'_>,
    ) -> Result<Polled, crate::outcome::StepOutcome> {
        Ok(cx.await_callback(self, run.cond, run.log).await)
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Perform, Place};
    use super::*;

    #[test]
    fn an_async_invocation_posts_to_async_function_with_a_given_callback_url() {
        let a = AsyncInvoke {
            name: "env".into(),
            path: Some("/a".into()),
            body: Some("x".into()),
            callback_url: Some("%zz".into()),
            ..Default::default()
        };
        let req = a.request(
            &Place {
                ns: "extra",
                home: "openfaas-fn",
            },
            &mut Default::default(),
        );
        assert_eq!(
            (req.method.as_str(), req.path.as_str()),
            ("POST", "/async-function/env.extra/a")
        );
        assert_eq!(req.headers, vec![("X-Callback-Url".into(), "%zz".into())]);
        assert_eq!(req.body, Bytes::from("x"));
    }

    #[test]
    fn a_callback_reads_as_an_answer_with_the_functions_status() {
        let mut headers = axum::http::HeaderMap::new();
        headers.insert("X-Function-Status", "500".parse().unwrap());
        let r = crate::runner::callback::Received {
            headers,
            body: Bytes::from("exit status 1"),
            at: Instant::now(),
        };
        let answer = as_answer(Some(&r));
        assert_eq!(
            (answer.status, answer.text().as_str()),
            (500, "exit status 1")
        );
        assert_eq!(as_answer(None).status, 0);
    }
}
