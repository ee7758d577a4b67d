//! Load generation: invocations at a steady rate while the step polls the function's status.
//!
//! Everything the generator starts lives in a [`JoinSet`] owned by the step's future: when
//! the step ends, whatever ends it (its condition, the case's deadline, SIGINT, an error),
//! the set is dropped and every task in it, in-flight invocations included, is aborted.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::task::JoinSet;

use super::{Perform, Place, Run};
use crate::outcome::StepOutcome;
use crate::runner::case::CaseCtx;
use crate::runner::client::HttpRequest;
use crate::runner::ops::{get, status_path, Prepared};
use crate::runner::step::Polled;
use crate::runner::{RunError, StepError};
use crate::suite::{DurationText, Expect, Invoke, Load};

impl CaseCtx<'_> {
    /// Keeps `l.rps` invocations per second going (first for `hold`, when given) while
    /// polling `status` until `cond` holds.
    pub(crate) async fn with_load(
        &self,
        l: &Load,
        hold: Option<Duration>,
        status: &HttpRequest,
        cond: &Expect,
        deadline: Option<Instant>,
        log: &crate::runner::step::AttemptLog,
    ) -> Polled {
        let invoke = Invoke {
            name: l.name.clone(),
            namespace: l.namespace.clone(),
            body: Some("load".into()),
            ..Default::default()
        };
        let at = Place {
            ns: &self.namespace,
            home: &self.runner.settings.namespace,
        };
        let request = invoke.request(&at, &mut Prepared::default());
        let sent = Arc::new(AtomicU64::new(0));
        let failed = Arc::new(AtomicU64::new(0));
        let period = Duration::from_secs_f64(1.0 / l.rps.max(0.1));
        let client = self.runner.client.clone();
        let case_deadline = self.deadline;
        let (s, f) = (sent.clone(), failed.clone());
        // Dropped with this future: the generator, and with it its invocations, stop.
        let mut generator = JoinSet::new();
        generator.spawn(async move {
            let mut invocations = JoinSet::new();
            let mut ticker = tokio::time::interval(period);
            ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                ticker.tick().await;
                // Reap the invocations that finished, so the set does not grow.
                while invocations.try_join_next().is_some() {}
                let (client, request, f) = (client.clone(), request.clone(), f.clone());
                s.fetch_add(1, Ordering::Relaxed);
                invocations.spawn(async move {
                    match client.send(&request, Some(case_deadline)).await {
                        Ok(r) if r.status < 400 => {}
                        _ => {
                            f.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                });
            }
        });
        if let Some(d) = hold {
            tokio::time::sleep_until(((Instant::now() + d).min(self.deadline)).into()).await;
        }
        let polled = self.poll(status, cond, deadline, log).await;
        generator.abort_all();
        log.push(format!(
            "load: {} invocations sent at {} rps, {} failed",
            sent.load(Ordering::Relaxed),
            l.rps,
            failed.load(Ordering::Relaxed)
        ));
        polled
    }
}

impl Perform for Load {
    /// The function's status, polled while the load is on (the invocations are sent by
    /// [`CaseCtx::with_load`]).
    fn request(&self, at: &Place<'_>, _: &mut Prepared) -> HttpRequest {
        get(status_path(&self.name, &at.ns_of(&self.namespace)))
    }

    /// Puts the load on (first for `duration`, when given) while polling the status.
    async fn perform(&self, cx: &mut CaseCtx<'_>, run: Run<'_>) -> Result<Polled, StepOutcome> {
        let hold = match &self.duration {
            Some(d) => match DurationText::parse(&d.value.0) {
                Ok(hold) => Some(hold),
                Err(reason) => {
                    let e = StepError::Duration {
                        field: "load.duration",
                        reason,
                    };
                    return Ok(Polled::errored(RunError::Step(e)));
                }
            },
            None => None,
        };
        Ok(cx
            .with_load(self, hold, run.req, run.cond, run.deadline, run.log)
            .await)
    }
}
