//! Followed log streams: read `follow=true` while nested steps run, until the expectation holds.

use std::sync::{Arc, Mutex};
use std::time::Instant;

use bytes::Bytes;
use tokio::task::JoinSet;

use super::case::CaseCtx;
use super::client::{HttpRequest, HttpResponse};
use super::step::Polled;
use crate::outcome::StepOutcome;
use crate::suite::{Expect, Step};

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
        log: &super::step::AttemptLog,
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
                if b.len() + chunk.len() > super::client::BODY_LIMIT {
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
