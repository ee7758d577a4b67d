//! Executing one step: expand variables, send (retrying with backoff), check, capture, record.

use std::future::Future;
use std::pin::Pin;
use std::time::{Duration, Instant};

use super::backoff::Backoff;
use super::case::CaseCtx;
use super::cleanup::Resource;
use super::client::{HttpRequest, HttpResponse};
use super::expect::{self, Answer, Mismatch};
use super::kinds::{self, Run};
use super::ops::{self, FollowUp};
use super::result::{excerpt, StepResult};
use super::{Event, RunError, StepError};
use crate::outcome::{ErrorCause, Failure, StepOutcome};
use crate::suite::{DurationText, Expect, Step};

/// A request body at least this large is a large exchange.
const LARGE_BODY: usize = 256 * 1024;

/// Large exchanges in flight at once, in the whole process (every runner of a selftest).
static LARGE_EXCHANGES: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(1);

/// Why polling ended without the condition holding.
#[derive(Debug, Clone)]
pub(crate) enum Unmet {
    /// The answer did not meet the expectation; `note` says how polling ended
    /// (`(after 3 attempts)`), or is empty.
    Mismatch {
        /// What was wanted and what came.
        mismatch: Mismatch,
        /// How polling ended, appended in parentheses.
        note: String,
    },
    /// Anything else that failed the answer (its schema, a transport error that shows
    /// the provider is gone).
    Other(String),
}

impl Unmet {
    /// The step's failure: its line, and what was wanted and what came when an
    /// expectation did not hold.
    fn failure(&self) -> Failure {
        match self {
            Unmet::Mismatch { mismatch, .. } => Failure {
                mismatch: mismatch.failure().mismatch,
                message: self.to_string(),
            },
            Unmet::Other(text) => text.clone().into(),
        }
    }

    /// The same, with `note` saying how polling ended.
    fn noted(self, note: String) -> Self {
        match self {
            Unmet::Mismatch { mismatch, .. } => Unmet::Mismatch { mismatch, note },
            Unmet::Other(text) => Unmet::Other(format!("{text} {note}")),
        }
    }
}

impl std::fmt::Display for Unmet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Unmet::Mismatch { mismatch, note } if note.is_empty() => write!(f, "{mismatch}"),
            Unmet::Mismatch { mismatch, note } => write!(f, "{mismatch} {note}"),
            Unmet::Other(text) => f.write_str(text),
        }
    }
}

/// The lines of a step's failed attempts, shared with its case: a step cut off before it
/// ends (the case's backstop, an interrupt) is still recorded with the attempts it made.
#[derive(Debug, Clone, Default)]
pub(crate) struct AttemptLog(std::sync::Arc<std::sync::Mutex<Vec<String>>>);

impl AttemptLog {
    /// Adds one attempt's line.
    pub(crate) fn push(&self, line: String) {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(line);
    }

    /// The lines so far.
    pub(crate) fn lines(&self) -> Vec<String> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }
}

/// What is known of the step under way before it ends: enough to record it if it is cut off.
#[derive(Debug)]
pub(crate) struct InFlight {
    /// Its record as it would read now, without an outcome of its own yet.
    record: StepResult,
    /// When it started.
    started: Instant,
    /// Its failed attempts so far.
    log: AttemptLog,
    /// What it is creating, if it started tracking it: cut off, its create may land late.
    creates: Option<super::cleanup::Resource>,
}

impl CaseCtx<'_> {
    /// Records the step under way, if any, as errored with `why`: it was cut off before it
    /// could end on its own. Returns the record.
    pub(crate) fn cut_off(&mut self, why: &str) -> Option<StepResult> {
        let InFlight {
            mut record,
            started,
            log,
            creates,
        } = self.in_flight.take()?;
        self.in_doubt.extend(creates);
        let lines = log.lines();
        record.outcome = StepOutcome::errored(ErrorCause::CutOff, why);
        record.attempts = lines.len() as u32;
        record.duration = started.elapsed();
        record.attempt_log = lines;
        self.steps.push(record.clone());
        Some(record)
    }
}

/// How one attempt of a poll went.
enum Attempt {
    /// The condition holds.
    Holds,
    /// It does not, and polling ends at once (a shape error, the provider gone).
    Ends(Unmet),
    /// It does not yet.
    Unmet(Unmet),
}

/// The result of polling: the last answer (or transport error), attempts, and the last mismatch.
pub(crate) struct Polled {
    pub response: Result<HttpResponse, RunError>,
    pub attempts: u32,
    pub mismatch: Option<Unmet>,
    /// Time spent pausing between attempts (the waiting part of a poll).
    pub waited: Duration,
}

impl Polled {
    /// A step that could not be carried out: `error`, before any attempt.
    pub(crate) fn errored(error: RunError) -> Polled {
        Polled {
            response: Err(error),
            attempts: 0,
            mismatch: None,
            waited: Duration::ZERO,
        }
    }
}

impl CaseCtx<'_> {
    /// Runs one step and records it; `Err` ends the case with that outcome. The step is
    /// expanded first, field by field: a value that cannot be valid after expansion (an
    /// undefined variable, a bad regex, base64 or duration) errors the case, it never fails
    /// it. A step's own `timeout` narrows the deadline every request and poll of it honours.
    pub(crate) fn run_step<'s>(
        &'s mut self,
        step: &'s Step,
    ) -> Pin<Box<dyn Future<Output = Result<(), StepOutcome>> + Send + 's>> {
        Box::pin(async move {
            let started = Instant::now();
            let gateway = self.runner.profile.detected.gateway;
            let expanded = match step.expanded(&self.vars) {
                Ok(s) => s.for_target(gateway),
                Err(e) => return Err(self.record_error(step, started, e)),
            };
            let case_deadline = self.deadline;
            if let Some(text) = &expanded.common.timeout {
                match DurationText::parse(&text.value.0) {
                    Ok(limit) => self.deadline = case_deadline.min(Instant::now() + limit),
                    Err(e) => {
                        return Err(self.record_error(step, started, format!("timeout: {e}")))
                    }
                }
            }
            let result = self.run_expanded(step, &expanded, started).await;
            // Ended on its own, however: nothing left to record as cut off.
            self.in_flight = None;
            self.deadline = case_deadline;
            result
        })
    }

    /// Runs one step whose variables are expanded: prepares its request, tracks what it
    /// creates, performs it, judges the answer and records it.
    async fn run_expanded(
        &mut self,
        step: &Step,
        expanded: &Step,
        started: Instant,
    ) -> Result<(), StepOutcome> {
        let common = &expanded.common;
        let deadline = match self.step_deadline(expanded) {
            Ok(deadline) => deadline,
            Err(e) => return Err(self.record_error(step, started, e.to_string())),
        };
        let mut prepared = kinds::prepare(
            &expanded.op,
            &self.namespace,
            &self.runner.settings.namespace,
        );
        prepared.request.auth = common.auth.unwrap_or_default();
        if let Err(e) = self.complete(&expanded.op, &mut prepared.request).await {
            return Err(self.record_error(step, started, e.to_string()));
        }
        let creates = prepared.creates.take();
        // Only a resource this step started tracking may be forgotten when its create is
        // refused: a second create of an existing one (409) must not drop the first.
        let newly_tracked = creates.as_ref().is_some_and(|r| !self.created.contains(r));
        if let (Some(r), true) = (&creates, newly_tracked) {
            self.created.push(r.clone());
        }
        self.runner.add_sensitive(&prepared.sensitive);
        let cond = common.until.as_ref().unwrap_or(&common.expect);
        let description = describe(common);
        let log = AttemptLog::default();
        self.in_flight = Some(InFlight {
            record: self.pending_record(step, &prepared.request, &description),
            started,
            log: log.clone(),
            creates: creates.clone().filter(|_| newly_tracked),
        });
        let run = Run {
            req: &prepared.request,
            cond,
            deadline,
            log: &log,
        };
        let polled = self.perform(&expanded.op, run).await?;
        // A slow change the provider did not answer in time is in doubt: its outcome is read
        // back from the function's status, and the step is judged on that.
        let followed = match (&polled.response, &prepared.follow_up) {
            (Err(e), Some(follow_up)) if e.timed_out() && wants_success(&common.expect) => {
                Some(self.follow_up(follow_up, &prepared.request, &log).await)
            }
            _ => None,
        };
        note_slow(&log, &prepared.request, &polled, started);
        let mut verdict = self.judge(expanded, &prepared.request, &polled, &followed);
        let tracked = Tracked {
            creates: creates.as_ref(),
            newly_tracked,
            deletes: prepared.deletes.as_ref(),
        };
        self.track(tracked, &verdict, &polled, matches!(followed, Some(Ok(()))));
        if let (Some(e), None) = (polled.response.as_ref().err(), &followed) {
            if !matches!(e, RunError::BodyTooLarge { .. }) {
                verdict = StepOutcome::errored(e.cause(), e.brief());
            }
        }
        // Ended by the run's own --timeout rather than by the provider: errored, saying so.
        verdict = self.blame_run_timeout(verdict, deadline.unwrap_or(self.deadline), &polled, cond);
        let record = match self.in_flight.take() {
            Some(pending) => pending.record,
            None => self.pending_record(step, &prepared.request, &description),
        };
        self.record(record, verdict, &polled, &log, started)
    }

    /// The step's polling deadline: `retry.timeout`, within the case's.
    fn step_deadline(&self, expanded: &Step) -> Result<Option<Instant>, StepError> {
        let Some(r) = &expanded.common.retry else {
            return Ok(None);
        };
        let limit =
            DurationText::parse(&r.timeout.value.0).map_err(|reason| StepError::Duration {
                field: "retry.timeout",
                reason,
            })?;
        Ok(Some((Instant::now() + limit).min(self.deadline)))
    }

    /// The verdict on the answer (or on the follow-up of a change not answered): its
    /// expectations, then the schema of its route (CONTRACT.md).
    fn judge(
        &mut self,
        expanded: &Step,
        req: &HttpRequest,
        polled: &Polled,
        followed: &Option<Result<(), NotCarriedOut>>,
    ) -> StepOutcome {
        let verdict = match (&polled.response, &polled.mismatch, followed) {
            (_, _, Some(Ok(()))) => StepOutcome::Passed,
            (_, _, Some(Err(why))) => StepOutcome::Failed(why.to_string().into()),
            (Err(e @ RunError::BodyTooLarge { .. }), _, _) => StepOutcome::Failed(e.brief().into()),
            (Err(e), _, _) => StepOutcome::errored(e.cause(), e.brief()),
            (Ok(_), Some(m), _) => StepOutcome::Failed(m.failure()),
            (Ok(resp), None, _) => self.after(expanded, resp, &req.body),
        };
        // The answer the step accepted must also fit its route's schema (CONTRACT.md).
        let (StepOutcome::Passed, Ok(resp)) = (&verdict, &polled.response) else {
            return verdict;
        };
        match self
            .runner
            .schemas
            .check(&req.method, &req.path, resp.status, &resp.body)
        {
            Ok(()) => verdict,
            Err(e) if e.not_json => {
                let body = String::from_utf8_lossy(&resp.body);
                let cut = crate::redact::scoped(self.redactor(), || excerpt(&body, 200));
                StepOutcome::Failed(format!("{}: got {cut:?}", e.message).into())
            }
            Err(e) => StepOutcome::Failed(e.message.into()),
        }
    }

    /// Updates what the case tracks from how the step went: a passing delete forgets its
    /// resource, a create whose answer never came is in doubt, a refused create created
    /// nothing.
    fn track(&mut self, t: Tracked<'_>, verdict: &StepOutcome, polled: &Polled, followed_ok: bool) {
        if let (StepOutcome::Passed, Some(r)) = (verdict, t.deletes) {
            let answered =
                matches!(&polled.response, Ok(resp) if (200..300).contains(&resp.status));
            if answered || followed_ok {
                self.created.retain(|c| c != r);
            }
        }
        // A create whose answer never came may still land at the provider.
        if let (Some(r), Err(_), true) = (t.creates, &polled.response, t.newly_tracked) {
            self.in_doubt.push(r.clone());
        }
        // A refused create (4xx) created nothing: no cleanup needed.
        if let (Some(r), Ok(resp), true) = (t.creates, &polled.response, t.newly_tracked) {
            if (400..500).contains(&resp.status) {
                self.created.retain(|c| c != r);
            }
        }
    }

    /// Completes `record`, begun before the first attempt, keeps it, and returns the
    /// step's outcome. Only the answer's excerpt is redacted here, before it is cut (a
    /// secret cut in two would no longer be found whole); the rest is redacted where the
    /// run's events become report data (`cli/collect.rs`).
    fn record(
        &mut self,
        mut record: StepResult,
        verdict: StepOutcome,
        polled: &Polled,
        log: &AttemptLog,
        started: Instant,
    ) -> Result<(), StepOutcome> {
        // A callback that reports no status (or none that came) has none to show.
        record.status = polled
            .response
            .as_ref()
            .ok()
            .map(|r| r.status)
            .filter(|s| *s != 0);
        record.outcome = verdict.clone();
        record.attempts = polled.attempts;
        record.duration = started.elapsed();
        record.waited = polled.waited;
        record.response_excerpt = match &polled.response {
            Ok(r) => response_excerpt(r, &self.redactor()),
            Err(e) => e.to_string(),
        };
        record.attempt_log = log.lines();
        self.steps.push(record);
        match verdict {
            StepOutcome::Passed => Ok(()),
            other => Err(other),
        }
    }

    /// Reads the status of a function whose change (`sent`) was not answered in time until
    /// `follow_up` shows the change done, for at most [`FOLLOW_UP`] (and the step's
    /// deadline): `Ok` once done, `Err` saying what the status still showed.
    async fn follow_up(
        &self,
        follow_up: &FollowUp,
        sent: &HttpRequest,
        log: &AttemptLog,
    ) -> Result<(), NotCarriedOut> {
        let settings = &self.runner.settings;
        let since = Instant::now();
        let deadline = self.deadline.min(since + FOLLOW_UP);
        let waited_for = self.runner.client.timeout_of(sent);
        log.push(format!(
            "no answer to {} {} within {} (--mutation-timeout): in doubt; reading the status until {}",
            sent.method,
            sent.path,
            humantime::format_duration(waited_for),
            follow_up.describe()
        ));
        let read = ops::get(follow_up.status_path().to_string());
        let mut backoff = Backoff::new(settings.poll_max);
        loop {
            let last = match self.runner.client.send(&read, Some(deadline)).await {
                Ok(r) if follow_up.done(r.status, &r.body) => {
                    log.push(format!(
                        "GET {} showed the change done {:.1} s after the request was sent: judged on that outcome",
                        read.path,
                        (waited_for + since.elapsed()).as_secs_f64()
                    ));
                    return Ok(());
                }
                Ok(r) => format!("{} {}", r.status, excerpt(&r.text(), 200)),
                Err(e) => e.brief(),
            };
            let pause = backoff.next().unwrap_or(settings.poll_max);
            if Instant::now() + pause >= deadline {
                return Err(NotCarriedOut {
                    method: sent.method.clone(),
                    waited: waited_for,
                    secs: since.elapsed().as_secs_f64(),
                    path: read.path.clone(),
                    last,
                });
            }
            tokio::time::sleep(pause).await;
        }
    }

    /// Checks `expect` after an `until`, then captures variables.
    fn after(&mut self, step: &Step, resp: &HttpResponse, sent: &[u8]) -> StepOutcome {
        if step.common.until.is_some() {
            let checked = crate::redact::scoped(self.redactor(), || {
                expect::check(
                    &step.common.expect,
                    Answer {
                        response: resp,
                        request_body: sent,
                    },
                )
            });
            if let Err(m) = checked {
                return StepOutcome::Failed(m.failure());
            }
        }
        for (name, capture) in &step.common.capture {
            match super::capture::take(capture, resp) {
                Ok(value) => {
                    self.vars.insert(name.clone(), value);
                }
                Err(m) => return StepOutcome::Failed(format!("capture {name}: {m}").into()),
            }
        }
        StepOutcome::Passed
    }

    /// Sends `req` until `cond` holds; once when there is no deadline. A request with a large
    /// body waits for its turn ([`LARGE_EXCHANGES`]) before each attempt.
    pub(crate) async fn poll(
        &self,
        req: &HttpRequest,
        cond: &Expect,
        deadline: Option<Instant>,
        log: &AttemptLog,
    ) -> Polled {
        let client = self.runner.client.clone();
        // The retry window bounds when attempts start; an attempt it started may take until
        // the step's own deadline, so a busy client or a slow answer is judged on what the
        // provider says rather than cut off as a timeout (a 500 ms readiness allowance, say).
        let hard = self.deadline;
        self.poll_with(
            || async {
                // One large exchange at a time per process: their bodies, and the buffers
                // they grow, are what a run's memory peaks with.
                let _turn = if req.body.len() >= LARGE_BODY {
                    tokio::time::timeout_at(hard.into(), LARGE_EXCHANGES.acquire())
                        .await
                        .ok()
                        .and_then(Result::ok)
                } else {
                    None
                };
                client.send(req, Some(hard)).await
            },
            &req.body,
            Some(req),
            cond,
            deadline,
            log,
        )
        .await
    }

    /// Polls any source of answers until `cond` holds or `deadline` passes. An answer to
    /// `route` that breaks its schema ends the polling at once: a shape does not heal.
    pub(crate) async fn poll_with<F, Fut>(
        &self,
        mut fetch: F,
        sent: &[u8],
        route: Option<&HttpRequest>,
        cond: &Expect,
        deadline: Option<Instant>,
        log: &AttemptLog,
    ) -> Polled
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<HttpResponse, RunError>>,
    {
        let mut backoff = Backoff::new(self.runner.settings.poll_max);
        let mut attempts = 0;
        // The last answer that came back and why it did not do: what the step reports when
        // the deadline cuts off the request after it.
        let mut last_answer: Option<(HttpResponse, Unmet)> = None;
        let mut waited = Duration::ZERO;
        let polling_since = Instant::now();
        loop {
            attempts += 1;
            let response = fetch().await;
            if let (Err(_), Some(deadline), Some((answer, why))) =
                (&response, deadline, &last_answer)
            {
                if Instant::now() >= deadline {
                    return Polled {
                        mismatch: Some(why.clone().noted(format!(
                            "(after {} attempts; the next was cut off by the deadline)",
                            attempts - 1
                        ))),
                        response: Ok(answer.clone()),
                        attempts,
                        waited,
                    };
                }
            }
            let (mismatch, again) = match self.attempt_verdict(&response, sent, route, cond).await {
                Attempt::Holds => (None, false),
                Attempt::Ends(why) => (Some(why), false),
                Attempt::Unmet(why) => (Some(why), true),
            };
            let (Some(mismatch), true, Some(deadline)) = (mismatch.clone(), again, deadline) else {
                return Polled {
                    response,
                    attempts,
                    mismatch,
                    waited,
                };
            };
            if let Ok(r) = &response {
                if !can_change(r, cond) {
                    log.push(format!("[{attempts}/..] {mismatch}"));
                    return Polled {
                        response,
                        attempts,
                        waited,
                        mismatch: Some(
                            mismatch
                                .noted("(a final answer: a retry would not change it)".to_string()),
                        ),
                    };
                }
                last_answer = Some((r.clone(), mismatch.clone()));
            }
            self.note_waiting(&mismatch, attempts, polling_since.elapsed(), log);
            let pause = backoff.next().unwrap_or(self.runner.settings.poll_max);
            if Instant::now() + pause >= deadline {
                return Polled {
                    response,
                    attempts,
                    mismatch: Some(mismatch.noted(format!("(after {attempts} attempts)"))),
                    waited,
                };
            }
            tokio::time::sleep(pause).await;
            waited += pause;
        }
    }

    /// Judges one attempt: its route's schema (a shape error ends the polling at once; a
    /// body that is not JSON at all is left to the expectations, which quote it), then
    /// `cond`; a transport error ends it when the provider has stopped answering.
    async fn attempt_verdict(
        &self,
        response: &Result<HttpResponse, RunError>,
        sent: &[u8],
        route: Option<&HttpRequest>,
        cond: &Expect,
    ) -> Attempt {
        match response {
            Ok(r) => {
                if let Some(q) = route {
                    if let Err(Some(m)) = self
                        .runner
                        .schemas
                        .check(&q.method, &q.path, r.status, &r.body)
                        .map_err(|e| (!e.not_json).then_some(e.message))
                    {
                        return Attempt::Ends(Unmet::Other(m));
                    }
                }
                let checked = crate::redact::scoped(self.redactor(), || {
                    expect::check(
                        cond,
                        Answer {
                            response: r,
                            request_body: sent,
                        },
                    )
                });
                match checked {
                    Ok(()) => Attempt::Holds,
                    Err(mismatch) => Attempt::Unmet(Unmet::Mismatch {
                        mismatch,
                        note: String::new(),
                    }),
                }
            }
            Err(e) => {
                if matches!(e, RunError::Transport { .. })
                    && !self
                        .runner
                        .gate
                        .still_answering(&self.runner.client, &self.trial, e)
                        .await
                {
                    return Attempt::Ends(Unmet::Other(e.brief()));
                }
                Attempt::Unmet(Unmet::Other(e.brief()))
            }
        }
    }

    /// Logs an attempt that missed and tells the listeners what the case waits for.
    fn note_waiting(&self, mismatch: &Unmet, attempt: u32, elapsed: Duration, log: &AttemptLog) {
        let line = format!("[{attempt}/..] {mismatch}");
        let redactor = self.redactor();
        tracing::info!(target: "faas_certifier::poll", "{} {}", self.trial, redactor.text(&line));
        log.push(line);
        self.runner.listeners.report(|| Event::Waiting {
            trial: self.trial.clone(),
            // Redacted by the listeners, at the event boundary.
            mismatch: mismatch.to_string(),
            attempt,
            elapsed,
        });
    }

    /// The record of `step` sending `req` before its first attempt: what it sends and
    /// expects, and no outcome of its own yet. It is redacted at the event boundary, but for
    /// the request body, which is hidden before it is cut (half a secret could not be found).
    fn pending_record(&self, step: &Step, req: &HttpRequest, expectation: &str) -> StepResult {
        let redactor = self.redactor();
        // A callback step's path is the receiver's whole URL, not a path on the target.
        let prefix = match req.path.starts_with('/') {
            true => self.runner.client.prefix(),
            false => "",
        };
        StepResult {
            label: step.label(),
            source: step.span.clone(),
            method: req.method.clone(),
            path: format!("{prefix}{}", req.path),
            status: None,
            expectation: expectation.to_string(),
            outcome: StepOutcome::Passed,
            attempts: 0,
            duration: Duration::ZERO,
            waited: Duration::ZERO,
            request_excerpt: request_excerpt(prefix, req, &redactor),
            response_excerpt: String::new(),
            attempt_log: Vec::new(),
        }
    }

    fn record_error(&mut self, step: &Step, started: Instant, message: String) -> StepOutcome {
        let outcome = StepOutcome::errored(ErrorCause::Suite, message);
        self.steps.push(StepResult {
            label: step.label(),
            source: step.span.clone(),
            method: String::new(),
            path: String::new(),
            status: None,
            expectation: expect::describe(&step.common.expect),
            outcome: outcome.clone(),
            attempts: 0,
            duration: started.elapsed(),
            waited: Duration::ZERO,
            request_excerpt: String::new(),
            response_excerpt: String::new(),
            attempt_log: Vec::new(),
        });
        outcome
    }

    /// A redactor of every secret value the run has sent so far (the case's own among
    /// them) and of the credentials.
    pub(crate) fn redactor(&self) -> crate::redact::Redactor {
        self.runner.redactor()
    }
}

/// A change not answered in time whose status never showed it done: the provider did not
/// carry it out.
#[derive(Debug, thiserror::Error)]
#[error("no answer to {method} within {} (--mutation-timeout), and {secs:.1} s later GET {path} still answered {last} instead of showing the change: the provider did not carry it out", humantime::format_duration(*waited))]
struct NotCarriedOut {
    /// The change's method.
    method: String,
    /// How long its answer was waited for.
    waited: Duration,
    /// Seconds the status was read for since.
    secs: f64,
    /// The status path read.
    path: String,
    /// Its last answer (status and excerpt, or why there was none).
    last: String,
}

/// What a step expects, in words: `until X; then Y` when it polls for a condition first.
fn describe(common: &crate::suite::StepCommon) -> String {
    let description = expect::describe(&common.expect);
    match &common.until {
        Some(u) => format!("until {}; then {description}", expect::describe(u)),
        None => description,
    }
}

/// What a step tracks of the resources it touches, to update once it is judged.
struct Tracked<'a> {
    /// The resource it may create.
    creates: Option<&'a Resource>,
    /// Whether this step started tracking it (not a second create of an existing one).
    newly_tracked: bool,
    /// The resource a successful answer deletes.
    deletes: Option<&'a Resource>,
}

/// Notes in the transcript a slow change (update or delete of a function) answered after
/// [`SLOW_ANSWER`]: a running function stops first.
fn note_slow(log: &AttemptLog, req: &HttpRequest, polled: &Polled, started: Instant) {
    let (Ok(resp), true) = (&polled.response, req.slow) else {
        return;
    };
    let took = started.elapsed();
    if took > SLOW_ANSWER {
        log.push(format!(
            "the provider took {:.1} s to answer {} {} with {} (a running function stops first)",
            took.as_secs_f64(),
            req.method,
            req.path,
            resp.status
        ));
    }
}

/// How long the status of a change that was not answered is read, at most, until it shows
/// the change done (within the step's deadline).
const FOLLOW_UP: Duration = Duration::from_secs(120);

/// A slow change answered later than this has its time noted in the transcript.
const SLOW_ANSWER: Duration = Duration::from_secs(1);

/// Whether `expect` accepts a success (2xx) answer: only then is a change that was not
/// answered judged on its outcome.
fn wants_success(expect: &Expect) -> bool {
    match &expect.status {
        Some(want) => (200..300).any(|code| want.accepts(code)),
        None => true,
    }
}

/// Statuses a retry waits through whatever the step expects: nothing there yet right after a
/// create (404), too many requests (429), and a gateway or proxy still finding the function.
const TRANSIENT: [u16; 5] = [404, 429, 502, 503, 504];

/// The header faas-provider's proxy marks its own errors with (since 841fe51): the platform
/// could not reach the function, which is not the function's answer.
pub(crate) const INTERNAL_MARKER: &str = "x-openfaas-internal";

/// Statuses the proxy marks as its own while a function is starting: 404 (not known yet),
/// 500 (`Can't reach service for: NAME.`, its container not listening yet), 502, 503 (`No
/// endpoints available for: NAME.`) ([`invoke.cold-start`](../../CONTRACT.md#invoke.cold-start)).
const MARKED_TRANSIENT: [u16; 4] = [404, 500, 502, 503];

/// Whether `resp` is the platform's own error while a function is starting.
pub(crate) fn platform_starting(resp: &HttpResponse) -> bool {
    MARKED_TRANSIENT.contains(&resp.status) && resp.headers.contains_key(INTERNAL_MARKER)
}

/// Whether polling again may turn `resp` into an answer `cond` accepts. A retry continues
/// only through answers that can change: a transient status, the platform's own marked error
/// while a function starts ([`platform_starting`]), a status `cond` accepts (its body or
/// fields are what the step waits for), or a 2xx while `cond` waits for something else (a
/// resource still there that is going away). A refusal (400, 401, 403, 405, 413, 422, an
/// unmarked 500, ...) or a 2xx `cond` does not accept is final: the step ends at once.
pub(crate) fn can_change(resp: &HttpResponse, cond: &Expect) -> bool {
    let status = resp.status;
    if TRANSIENT.contains(&status) || platform_starting(resp) {
        return true;
    }
    let success = (200..300).contains(&status);
    match &cond.status {
        Some(want) if want.accepts(status) => true,
        Some(want) => success && !(200..300).any(|code| want.accepts(code)),
        None => success,
    }
}

/// Bytes as text when they are printable, else a size; redacted before it is cut, so a
/// cut never leaves part of a secret.
fn body_text(body: &[u8], redactor: &crate::redact::Redactor) -> String {
    match std::str::from_utf8(body) {
        Ok(text) => excerpt(&redactor.text(text), 1024),
        Err(_) => format!("<{} bytes of binary data>", body.len()),
    }
}

fn request_excerpt(prefix: &str, req: &HttpRequest, redactor: &crate::redact::Redactor) -> String {
    let mut out = format!("{} {prefix}{}\n", req.method, req.path);
    for (k, v) in &req.headers {
        out.push_str(&format!("{k}: {v}\n"));
    }
    if !req.body.is_empty() {
        out.push('\n');
        out.push_str(&body_text(&req.body, redactor));
    }
    out
}

fn response_excerpt(resp: &HttpResponse, redactor: &crate::redact::Redactor) -> String {
    let mut out = match resp.status {
        0 => String::new(),
        status => format!("{status}\n"),
    };
    for (k, v) in &resp.headers {
        out.push_str(&format!("{k}: {}\n", String::from_utf8_lossy(v.as_bytes())));
    }
    if !resp.body.is_empty() {
        out.push('\n');
        out.push_str(&body_text(&resp.body, redactor));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{can_change, HttpResponse};
    use crate::suite::{Expect, StatusSet};

    /// An empty answer, `marked` by the platform (`X-OpenFaaS-Internal`) or not.
    fn answer(status: u16, marked: bool) -> HttpResponse {
        let mut answer = HttpResponse::fixture(status, "");
        if marked {
            answer
                .headers
                .insert("X-OpenFaaS-Internal", "proxy".parse().unwrap());
        }
        answer
    }

    #[test]
    fn the_platforms_marked_errors_are_retried_and_a_functions_own_500_is_final() {
        for code in [404, 500, 502, 503] {
            assert!(
                can_change(&answer(code, true), &wants(StatusSet::One(200))),
                "{code}"
            );
        }
        assert!(!can_change(
            &answer(500, false),
            &wants(StatusSet::One(200))
        ));
        assert!(!can_change(&answer(400, true), &wants(StatusSet::One(200))));
    }

    fn wants(status: StatusSet) -> Expect {
        Expect {
            status: Some(status),
            ..Default::default()
        }
    }

    #[test]
    fn refusals_are_final() {
        for code in [400, 401, 403, 405, 409, 413, 422, 500, 501] {
            assert!(
                !can_change(&answer(code, false), &wants(StatusSet::One(200))),
                "{code}"
            );
        }
    }

    #[test]
    fn transient_answers_are_retried() {
        for code in [404, 429, 502, 503, 504] {
            assert!(
                can_change(&answer(code, false), &wants(StatusSet::One(200))),
                "{code}"
            );
        }
    }

    #[test]
    fn an_accepted_status_waits_for_its_body_and_a_2xx_for_a_resource_to_go() {
        assert!(can_change(&answer(200, false), &wants(StatusSet::One(200))));
        assert!(can_change(&answer(200, false), &wants(StatusSet::One(404))));
        assert!(can_change(
            &answer(200, false),
            &wants(StatusSet::Any(vec![404, 502, 503]))
        ));
        assert!(!can_change(
            &answer(202, false),
            &wants(StatusSet::One(200))
        ));
        assert!(can_change(
            &answer(401, false),
            &wants(StatusSet::Any(vec![200, 401, 403]))
        ));
    }
}
