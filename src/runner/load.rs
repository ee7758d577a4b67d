//! Load generation: invocations at a steady rate while the step polls the function's status.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::case::CaseCtx;
use super::client::HttpRequest;
use super::ops;
use super::step::Polled;
use crate::spec::{DurationText, Expect, Invoke, Load, Operation};

impl CaseCtx<'_> {
    /// Keeps `l.rps` invocations per second going while polling `status` until `cond` holds.
    pub(crate) async fn with_load(
        &self,
        l: &Load,
        status: &HttpRequest,
        cond: &Expect,
        deadline: Option<Instant>,
        log: &mut Vec<String>,
    ) -> Polled {
        let invoke = Invoke {
            name: l.name.clone(),
            namespace: l.namespace.clone(),
            body: Some("load".into()),
            ..Default::default()
        };
        let request = ops::prepare(
            Operation::Invoke(&invoke),
            &self.namespace,
            &self.runner.settings.namespace,
        )
        .request;
        let sent = Arc::new(AtomicU64::new(0));
        let failed = Arc::new(AtomicU64::new(0));
        let period = Duration::from_secs_f64(1.0 / l.rps.max(0.1));
        let client = self.runner.client.clone();
        let case_deadline = self.deadline;
        let (s, f) = (sent.clone(), failed.clone());
        let generator = tokio::spawn(async move {
            let mut ticker = tokio::time::interval(period);
            ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                ticker.tick().await;
                let (client, request, f) = (client.clone(), request.clone(), f.clone());
                s.fetch_add(1, Ordering::Relaxed);
                tokio::spawn(async move {
                    match client.send(&request, Some(case_deadline)).await {
                        Ok(r) if r.status < 400 => {}
                        _ => {
                            f.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                });
            }
        });
        if let Some(d) = &l.duration {
            match DurationText::parse(&d.0) {
                Ok(d) => {
                    tokio::time::sleep_until(((Instant::now() + d).min(self.deadline)).into()).await
                }
                Err(e) => log.push(e),
            }
        }
        let polled = self.poll(status, cond, deadline, log).await;
        generator.abort();
        log.push(format!(
            "load: {} invocations sent at {} rps, {} failed",
            sent.load(Ordering::Relaxed),
            l.rps,
            failed.load(Ordering::Relaxed)
        ));
        polled
    }
}
