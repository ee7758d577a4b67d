//! The `logs` kind: `GET /system/logs`, read at once, or followed (`follow=true`) while nested
//! steps run, until the expectation holds.

use std::sync::{Arc, Mutex};
use std::time::Instant;

use bytes::Bytes;
use tokio::task::JoinSet;

use crate::outcome::StepOutcome;
use crate::runner::case::CaseCtx;
use crate::runner::client::{HttpRequest, HttpResponse};
use crate::runner::ops::enc;
use crate::runner::step::Polled;
use crate::suite::{Expect, Logs, Step};

impl CaseCtx<'_> {
    /// Opens the stream, runs `nested` while it is open, then reads until `cond` holds.
    /// The reader lives in a [`JoinSet`] owned by this future: the stream is closed when the
    /// step ends, whatever ends it.
    pub(crate) async fn follow(
        &mut self,
        req: &HttpRequest,
        nested: &[Step],
        cond: &Expect,
        deadline: Instant,
        log: &crate::runner::step::AttemptLog,
    ) -> Result<Polled, StepOutcome> {
        let mut resp = match self.runner.client.open(req, deadline).await {
            Ok(r) => r,
            Err(e) => {
                return Ok(Polled {
                    response: Err(e),
                    attempts: 1,
                    mismatch: None,
                    waited: std::time::Duration::ZERO,
                })
            }
        };
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let buffer = Arc::new(Mutex::new(Vec::<u8>::new()));
        let sink = buffer.clone();
        let mut reader = JoinSet::new();
        reader.spawn(async move {
            // What a step reads is bounded: past the limit the stream is closed and the
            // expectation judges what came.
            while let Ok(Some(chunk)) = resp.chunk().await {
                let Ok(mut b) = sink.lock() else { break };
                if b.len() + chunk.len() > crate::runner::client::BODY_LIMIT {
                    break;
                }
                b.extend_from_slice(&chunk);
            }
        });
        for step in nested {
            self.run_step(step).await?;
        }
        let snapshot = || {
            let body = buffer
                .lock()
                .map(|b| Bytes::from(b.clone()))
                .unwrap_or_default();
            let response = HttpResponse {
                status,
                headers: headers.clone(),
                body,
            };
            async move { Ok(response) }
        };
        let polled = self
            .poll_with(snapshot, &[], None, cond, Some(deadline), log)
            .await;
        reader.abort_all();
        Ok(polled)
    }
}

/// How long a followed log stream is read when the step sets no `retry`.
const FOLLOW_DEFAULT: std::time::Duration = std::time::Duration::from_secs(10);

impl super::Perform for Logs {
    /// `GET /system/logs` with the name, namespace, `tail`, `since` and `follow`.
    fn request(&self, at: &super::Place<'_>, _: &mut crate::runner::ops::Prepared) -> HttpRequest {
        let ns = at.ns_of(&self.namespace);
        let mut path = format!(
            "/system/logs?name={}&namespace={}",
            enc(&self.name),
            enc(&ns)
        );
        if let Some(t) = &self.tail {
            path.push_str(&format!("&tail={}", enc(t)));
        }
        if let Some(s) = &self.since {
            path.push_str(&format!("&since={}", enc(s)));
        }
        path.push_str(if self.follow {
            "&follow=true"
        } else {
            "&follow=false"
        });
        crate::runner::ops::get(path)
    }

    /// A followed log is read while its `while_open` steps run ([`CaseCtx::follow`]), for
    /// `retry.timeout` or else [`FOLLOW_DEFAULT`]; otherwise the request is polled.
    async fn perform(
        &self,
        cx: &mut CaseCtx<'_>,
        run: super::Run<'_>,
    ) -> Result<Polled, StepOutcome> {
        if !self.follow {
            return Ok(cx.poll(run.req, run.cond, run.deadline, run.log).await);
        }
        let deadline = run
            .deadline
            .unwrap_or_else(|| (Instant::now() + FOLLOW_DEFAULT).min(cx.deadline));
        cx.follow(run.req, &self.steps, run.cond, deadline, run.log)
            .await
    }
}
