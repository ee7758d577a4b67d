//! Executing one case: its variables, its steps in order, its deadline and its cleanup.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use super::cleanup::{self, Resource};
use super::event::Event;
use super::gate::{Ended, Stop};
use super::plan::Planned;
use super::result::{CaseOutcome, CaseResult, StepResult};
use super::step::{can_change, Polled, Unmet};
use super::{RunError, Runner};
use crate::outcome::StepOutcome;
use crate::suite::{vars, Expect, Step};

/// How a blocked case's reason starts, before the foundation's trial name.
pub const BLOCKED_BY: &str = "blocked by ";

/// How long past its deadline a case may take to end on its own before it is cut off.
const BACKSTOP_GRACE: Duration = Duration::from_millis(500);

/// The state of one running case.
pub(crate) struct CaseCtx<'r> {
    /// The runner (client, settings).
    pub runner: &'r Runner,
    /// Variables: built-ins, case vars, captures.
    pub vars: BTreeMap<String, String>,
    /// The namespace the case runs in (`${namespace}`).
    pub namespace: String,
    /// What the case created and has not deleted yet.
    pub created: Vec<Resource>,
    /// When the case must end.
    pub deadline: Instant,
    /// The run's own deadline (`--timeout`), if it has one: a step whose deadline is this
    /// one and that ran out of time was ended by the run, not by the provider.
    pub run_deadline: Option<Instant>,
    /// The steps performed.
    pub steps: Vec<StepResult>,
    /// The trial's name, for log lines.
    pub trial: String,
    /// The step under way, recorded if the case is cut off before it ends.
    pub in_flight: Option<super::step::InFlight>,
    /// Of `created`, those whose create never got its answer: they may land late.
    pub in_doubt: Vec<Resource>,
    /// The callbacks the case asked for (`invoke_async` with `callback: true`).
    pub callbacks: super::kinds::CaseCallbacks,
}

impl CaseCtx<'_> {
    /// Expands the case's `vars` into the context: `Passed`, or `Errored` naming the last
    /// variable that does not expand.
    fn expand_case_vars(&mut self, case: &crate::suite::Case) -> CaseOutcome {
        let mut outcome = CaseOutcome::Passed;
        for (key, value) in &case.vars {
            match vars::expand(value, &self.vars) {
                Ok(v) => {
                    self.vars.insert(key.clone(), v);
                }
                Err(e) => {
                    outcome = CaseOutcome::Errored(format!("{}: vars.{key}: {e}", case.source))
                }
            }
        }
        outcome
    }

    async fn run_steps(&mut self, steps: &[Step]) -> CaseOutcome {
        for step in steps {
            let at = &step.span;
            let before = self.steps.len();
            let ran = self.run_step(step).await;
            for done in &self.steps[before.min(self.steps.len())..] {
                self.runner.listeners.report(|| Event::StepFinished {
                    trial: self.trial.clone(),
                    step: Box::new(done.clone()),
                });
            }
            if let Err(outcome) = ran {
                let last = self.steps.last();
                let what = last
                    .map(|s| format!("{at} step `{}`: {} {}: ", s.label, s.method, s.path))
                    .unwrap_or_else(|| format!("{at}: "));
                return match outcome {
                    StepOutcome::Failed(f) => CaseOutcome::Failed(format!("{what}{f}")),
                    StepOutcome::Errored(e) => CaseOutcome::Errored(format!("{what}{}", e.message)),
                    StepOutcome::Passed => CaseOutcome::Passed,
                };
            }
        }
        CaseOutcome::Passed
    }
}

impl CaseCtx<'_> {
    /// `verdict` of a step whose deadline was `step_deadline`, as the run reports it: a step
    /// that did not pass because the run's own `--timeout` ran out while it waited (its
    /// deadline was the run's, it ended within one poll pause of it, and its last answer
    /// could still have changed, or its request was cut) is errored, naming `--timeout`
    /// and keeping what the last answer was. A provider's final answer, a broken shape or a
    /// step that ended on its own deadline (`retry.timeout`, `timeout`, the case's) stays as
    /// it is.
    pub(crate) fn blame_run_timeout(
        &self,
        verdict: StepOutcome,
        step_deadline: Instant,
        polled: &Polled,
        cond: &Expect,
    ) -> StepOutcome {
        let Some(m) = verdict.message() else {
            return verdict;
        };
        if self.run_deadline != Some(step_deadline)
            || Instant::now() + self.runner.settings.poll_max < step_deadline
        {
            return verdict;
        }
        let waiting = match (&polled.response, &polled.mismatch) {
            (Err(RunError::BodyTooLarge { .. }), _) => false,
            (Err(_), _) => true,
            (Ok(r), Some(Unmet::Mismatch { .. })) => can_change(r, cond),
            (Ok(_), _) => false,
        };
        if !waiting {
            return verdict;
        }
        StepOutcome::errored(
            crate::outcome::ErrorCause::RunTimeout,
            format!("{} ended this step: {m}", self.runner.run_timeout_words()),
        )
    }
}

impl Runner {
    /// Runs one planned trial to its end, cleanup included; never panics on provider input.
    /// It first waits for the trials it builds on, and is `blocked` when one of them broke.
    pub async fn run_case(&self, planned: &Planned) -> CaseResult {
        self.run_case_in(planned, None).await.0
    }

    /// [`Runner::run_case`], holding `place` (one of the run's `--jobs`) while its steps run:
    /// the place, and the trials built on this one, are let go before a cleanup that deletes
    /// anything, so a provider that takes its stop grace to delete slows no other case. The
    /// place comes back when the trial kept it to its end.
    pub async fn run_case_in(
        &self,
        planned: &Planned,
        place: Option<tokio::sync::OwnedSemaphorePermit>,
    ) -> (CaseResult, Option<tokio::sync::OwnedSemaphorePermit>) {
        let blocked_by = self.gate.wait_for(&planned.builds_on).await;
        let started = Instant::now();
        let (mut result, ran) = self.run_case_after(planned, blocked_by).await;
        let ended = match &result.outcome {
            CaseOutcome::Passed | CaseOutcome::Skipped(_) => Ended::Fine,
            CaseOutcome::Failed(_) => Ended::Broken("failed"),
            CaseOutcome::Errored(_) => Ended::Broken("errored"),
            CaseOutcome::Blocked(_) => Ended::Broken("was blocked"),
        };
        self.gate.finish(&planned.trial, ended);
        let mut place = place;
        if let Some((created, in_doubt)) = ran {
            if !created.is_empty() {
                drop(place.take());
            }
            self.clean_up(&mut result, created, &in_doubt).await;
            result.duration = started.elapsed();
        }
        (result, place)
    }

    /// Deletes what a trial created (unless `--keep`, or the provider is gone), records what
    /// is left and sends the trial's `Cleanup` event.
    async fn clean_up(
        &self,
        result: &mut CaseResult,
        created: Vec<Resource>,
        in_doubt: &[Resource],
    ) {
        let gone = self.root_cause().is_some();
        let left = if created.is_empty() {
            Vec::new()
        } else if self.settings.keep || gone {
            let why = if gone {
                "the provider stopped answering"
            } else {
                "--keep"
            };
            created
                .into_iter()
                .map(|resource| cleanup::Left {
                    resource,
                    why: why.into(),
                    accepted: false,
                    tried: false,
                })
                .collect()
        } else {
            let cleaned =
                cleanup::delete_all(&self.client, created, in_doubt, self.cleanup_bound()).await;
            self.count_removed(cleaned.removed.len());
            cleaned.left
        };
        let gateway = &self.settings.gateway;
        result.leftovers = left.iter().map(|l| l.resource.listing(gateway)).collect();
        if !left.is_empty() {
            self.leftovers
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .extend(left);
        }
    }

    /// The trial's steps, without its cleanup: its result, and what it created and which of
    /// those creates are in doubt (`None` when it never started: skipped or blocked).
    async fn run_case_after(
        &self,
        planned: &Planned,
        blocked_by: Option<(String, &'static str)>,
    ) -> (CaseResult, Option<(Vec<Resource>, Vec<Resource>)>) {
        let started = Instant::now();
        let case = &self.suites[planned.suite].cases[planned.case];
        let mut result = self.empty_result(planned);
        if let Some(outcome) = self.not_started(planned, blocked_by) {
            result.outcome = outcome;
            return (result, None);
        }
        self.listeners.report(|| Event::CaseStarted {
            trial: planned.trial.clone(),
        });
        let mut deadline = started + case.timeout;
        if let Some(run_deadline) = self.deadline {
            if run_deadline <= started {
                result.outcome = CaseOutcome::Errored(format!(
                    "{} passed before this case started",
                    self.run_timeout_words()
                ));
                return (result, None);
            }
            deadline = deadline.min(run_deadline);
        }
        let mut ctx = CaseCtx {
            runner: self,
            vars: self.builtin_vars(&planned.namespace, planned.index),
            namespace: planned.namespace.clone(),
            created: Vec::new(),
            deadline,
            run_deadline: self.deadline,
            steps: Vec::new(),
            trial: planned.trial.clone(),
            in_flight: None,
            in_doubt: Vec::new(),
            callbacks: Default::default(),
        };
        let mut outcome = ctx.expand_case_vars(case);
        if outcome == CaseOutcome::Passed {
            outcome = self.run_steps_bounded(&mut ctx, planned, started).await;
        }
        let created = std::mem::take(&mut ctx.created);
        result.outcome = outcome;
        result.steps = ctx.steps;
        result.duration = started.elapsed();
        (result, Some((created, ctx.in_doubt)))
    }

    /// Why the trial does not start, if it does not: skipped by the plan, the run stopped,
    /// or blocked by the failure of the case it builds on.
    fn not_started(
        &self,
        planned: &Planned,
        blocked_by: Option<(String, &'static str)>,
    ) -> Option<CaseOutcome> {
        if let Some(reason) = &planned.skip {
            self.callbacks.note_skip(reason);
            return Some(CaseOutcome::Skipped(reason.clone()));
        }
        match self.gate.stopped() {
            Some(Stop::Interrupted) => {
                return Some(CaseOutcome::Skipped(
                    "the run was interrupted before this case started".into(),
                ))
            }
            Some(Stop::ProviderGone { .. }) => {
                return Some(CaseOutcome::Blocked(
                    "not run: the provider stopped answering (the run's root cause)".into(),
                ))
            }
            None => {}
        }
        blocked_by.map(|(base, how)| {
            CaseOutcome::Blocked(format!(
                "{BLOCKED_BY}{base}, which {how}: this case builds on it"
            ))
        })
    }

    /// Runs the trial's steps until its deadline, with a backstop should a step not end
    /// itself then, unless the run stops first. A step cut off mid-way is recorded, and a
    /// provider gone names the root cause.
    async fn run_steps_bounded(
        &self,
        ctx: &mut CaseCtx<'_>,
        planned: &Planned,
        started: Instant,
    ) -> CaseOutcome {
        let case = &self.suites[planned.suite].cases[planned.case];
        let deadline = ctx.deadline;
        // Every request and pause is already cut at `deadline`, so a step ends itself then,
        // saying what came back; this is the backstop should one not.
        let backstop = deadline + BACKSTOP_GRACE;
        let steps = tokio::time::timeout_at(backstop.into(), ctx.run_steps(&case.steps));
        let outcome = tokio::select! {
            finished = steps => match finished {
                Ok(o) => o,
                Err(_) if Some(deadline) == self.deadline => CaseOutcome::Errored(format!(
                    "{}: {} ended this case",
                    case.source,
                    self.run_timeout_words()
                )),
                Err(_) => CaseOutcome::Errored(format!(
                    "{}: the case's deadline of {} passed",
                    case.source,
                    humantime::format_duration(Duration::from_millis(
                        (deadline - started).as_millis() as u64
                    ))
                )),
            },
            stop = self.gate.wait_stop() => match stop {
                Stop::Interrupted => CaseOutcome::Errored(format!(
                    "{}: interrupted (SIGINT/SIGTERM) after {} ms; what it created is cleaned up",
                    case.source,
                    started.elapsed().as_millis()
                )),
                Stop::ProviderGone { cause, trial } if trial == planned.trial => {
                    CaseOutcome::Errored(cause)
                }
                Stop::ProviderGone { trial, .. } => CaseOutcome::Blocked(format!(
                    "stopped: the provider stopped answering (noticed during {trial})"
                )),
            },
        };
        // A step cut off mid-way is recorded with the attempts it made, so the failure
        // shows them like any other.
        if let CaseOutcome::Errored(why) | CaseOutcome::Blocked(why) = &outcome {
            if let Some(step) = ctx.cut_off(why) {
                self.listeners.report(|| Event::StepFinished {
                    trial: planned.trial.clone(),
                    step: Box::new(step),
                });
            }
        }
        self.with_root_cause(outcome, &planned.trial)
    }

    /// A case whose own request noticed the provider is gone names the root cause, whatever
    /// the step made of the transport error; another errored case is blocked by it.
    fn with_root_cause(&self, outcome: CaseOutcome, this: &str) -> CaseOutcome {
        match (self.gate.stopped(), &outcome) {
            (Some(Stop::ProviderGone { cause, trial }), CaseOutcome::Errored(_)) => {
                if trial == this {
                    CaseOutcome::Errored(cause)
                } else {
                    CaseOutcome::Blocked(format!(
                        "stopped: the provider stopped answering (noticed during {trial})"
                    ))
                }
            }
            _ => outcome,
        }
    }

    /// `the run's --timeout 1s`: how an outcome the run's own deadline caused begins.
    pub(crate) fn run_timeout_words(&self) -> String {
        match self.settings.timeout {
            Some(t) => format!("the run's --timeout {}", humantime::format_duration(t)),
            None => "the run's --timeout".to_string(),
        }
    }

    /// The result of `planned` before it runs: passed, no steps, started now.
    pub(crate) fn empty_result(&self, planned: &Planned) -> CaseResult {
        let case = &self.suites[planned.suite].cases[planned.case];
        CaseResult {
            trial: planned.trial.clone(),
            suite: self.suites[planned.suite].name.clone(),
            case: case.name.clone(),
            description: case.description.clone(),
            contract: case.contract.clone(),
            source: case.source.clone(),
            namespace: planned.namespace.clone(),
            outcome: CaseOutcome::Passed,
            duration: Duration::ZERO,
            started_at: Some(chrono::Utc::now()),
            steps: Vec::new(),
            leftovers: Vec::new(),
        }
    }

    /// `${run}`, `${namespace}` and the other built-in variables of a trial.
    fn builtin_vars(&self, namespace: &str, index: usize) -> BTreeMap<String, String> {
        let s = &self.settings;
        [
            ("run", format!("{}{index}", self.run_id)),
            ("namespace", namespace.to_string()),
            ("default_namespace", s.namespace.clone()),
            (
                "extra_namespace",
                s.extra_namespace.clone().unwrap_or_default(),
            ),
            ("registry", s.registry.clone()),
            ("redirect_image", s.redirect_image()),
            ("echo_image", s.echo_image()),
            ("settle", humantime::format_duration(s.settle).to_string()),
            ("idle", humantime::format_duration(s.idle).to_string()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect()
    }
}
