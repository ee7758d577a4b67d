//! Executing one case: its variables, its steps in order, its deadline and its cleanup.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use super::cleanup::{self, Resource};
use super::event::{Event, StepVerdict};
use super::gate::{Ended, Stop};
use super::plan::Planned;
use super::result::{CaseOutcome, CaseResult, StepOutcome, StepResult};
use super::Runner;
use crate::spec::{vars, Step};

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
    /// The steps performed.
    pub steps: Vec<StepResult>,
    /// The trial's name, for log lines.
    pub trial: String,
    /// The step under way, recorded if the case is cut off before it ends.
    pub in_flight: Option<super::step::InFlight>,
    /// Of `created`, those whose create never got its answer: they may land late.
    pub in_doubt: Vec<Resource>,
}

impl CaseCtx<'_> {
    async fn run_steps(&mut self, steps: &[Step]) -> CaseOutcome {
        for step in steps {
            let at = &step.span;
            let before = self.steps.len();
            let ran = self.run_step(step).await;
            for done in &self.steps[before.min(self.steps.len())..] {
                self.runner.progress.report(|| Event::StepFinished {
                    trial: self.trial.clone(),
                    outcome: StepVerdict::of(done),
                    step: Box::new(done.clone()),
                });
            }
            if let Err(outcome) = ran {
                let last = self.steps.last();
                let what = last
                    .map(|s| format!("{at} step `{}`: {} {}: ", s.label, s.method, s.path))
                    .unwrap_or_else(|| format!("{at}: "));
                return match outcome {
                    StepOutcome::Failed(m) => CaseOutcome::Failed(format!("{what}{m}")),
                    StepOutcome::Errored(m) => CaseOutcome::Errored(format!("{what}{m}")),
                    StepOutcome::Passed => CaseOutcome::Passed,
                };
            }
        }
        CaseOutcome::Passed
    }
}

impl Runner {
    /// Runs one planned trial to its end, cleanup included; never panics on provider input.
    /// It first waits for the trials it builds on, and is `blocked` when one of them broke.
    pub async fn run_case(&self, planned: &Planned) -> CaseResult {
        let blocked_by = self.gate.wait_for(&planned.builds_on).await;
        let result = self.run_case_after(planned, blocked_by).await;
        let ended = match &result.outcome {
            CaseOutcome::Passed | CaseOutcome::Skipped(_) => Ended::Fine,
            CaseOutcome::Failed(_) => Ended::Broken("failed"),
            CaseOutcome::Errored(_) => Ended::Broken("errored"),
            CaseOutcome::Blocked(_) => Ended::Broken("was blocked"),
        };
        self.gate.finish(&planned.trial, ended);
        result
    }

    async fn run_case_after(
        &self,
        planned: &Planned,
        blocked_by: Option<(String, &'static str)>,
    ) -> CaseResult {
        let started = Instant::now();
        let case = &self.suites[planned.suite].cases[planned.case];
        let mut result = self.empty_result(planned);
        if let Some(reason) = &planned.skip {
            result.outcome = CaseOutcome::Skipped(reason.clone());
            return result;
        }
        match self.gate.stopped() {
            Some(Stop::Interrupted) => {
                result.outcome =
                    CaseOutcome::Skipped("the run was interrupted before this case started".into());
                return result;
            }
            Some(Stop::ProviderGone { .. }) => {
                result.outcome = CaseOutcome::Blocked(
                    "not run: the provider stopped answering (the run's root cause)".into(),
                );
                return result;
            }
            None => {}
        }
        if let Some((base, how)) = blocked_by {
            result.outcome = CaseOutcome::Blocked(format!(
                "{BLOCKED_BY}{base}, which {how}: this case builds on it"
            ));
            return result;
        }
        self.progress.report(|| Event::CaseStarted {
            trial: planned.trial.clone(),
        });
        let mut deadline = started + case.timeout;
        if let Some(run_deadline) = self.deadline {
            if run_deadline <= started {
                result.outcome = CaseOutcome::Errored(
                    "the run's --timeout passed before this case started".into(),
                );
                return result;
            }
            deadline = deadline.min(run_deadline);
        }
        let mut ctx = CaseCtx {
            runner: self,
            vars: self.builtin_vars(&planned.namespace, planned.index),
            namespace: planned.namespace.clone(),
            created: Vec::new(),
            deadline,
            steps: Vec::new(),
            trial: planned.trial.clone(),
            in_flight: None,
            in_doubt: Vec::new(),
        };
        let mut outcome = CaseOutcome::Passed;
        for (key, value) in &case.vars {
            match vars::expand(value, &ctx.vars) {
                Ok(v) => {
                    ctx.vars.insert(key.clone(), v);
                }
                Err(e) => {
                    outcome = CaseOutcome::Errored(format!("{}: vars.{key}: {e}", case.source))
                }
            }
        }
        if outcome == CaseOutcome::Passed {
            // Every request and pause is already cut at `deadline`, so a step ends itself then,
            // saying what came back; this is the backstop should one not.
            let backstop = deadline + BACKSTOP_GRACE;
            let steps = tokio::time::timeout_at(backstop.into(), ctx.run_steps(&case.steps));
            outcome = tokio::select! {
                finished = steps => match finished {
                    Ok(o) => o,
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
                    self.progress.report(|| Event::StepFinished {
                        trial: planned.trial.clone(),
                        outcome: StepVerdict::of(&step),
                        step: Box::new(step),
                    });
                }
            }
            // A case whose own request noticed the provider is gone names the root cause,
            // whatever the step made of the transport error.
            if let Some(Stop::ProviderGone { cause, trial }) = self.gate.stopped() {
                if matches!(outcome, CaseOutcome::Errored(_)) {
                    outcome = if trial == planned.trial {
                        CaseOutcome::Errored(cause)
                    } else {
                        CaseOutcome::Blocked(format!(
                            "stopped: the provider stopped answering (noticed during {trial})"
                        ))
                    };
                }
            }
        }
        let created = std::mem::take(&mut ctx.created);
        let gone = self.root_cause().is_some();
        let left = if self.settings.keep || gone {
            created
        } else {
            cleanup::delete_all(&self.client, created, &ctx.in_doubt).await
        };
        result.leftovers = left.iter().map(ToString::to_string).collect();
        self.progress.report(|| Event::Cleanup {
            trial: planned.trial.clone(),
            left: result.leftovers.clone(),
        });
        if !left.is_empty() {
            self.leftovers
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .extend(left);
        }
        result.outcome = outcome;
        result.steps = ctx.steps;
        result.duration = started.elapsed();
        result
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
            ("settle", humantime::format_duration(s.settle).to_string()),
            ("idle", humantime::format_duration(s.idle).to_string()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect()
    }
}
