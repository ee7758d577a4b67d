//! The event boundary: where the runner's events become report data, and the one place
//! that redacts them. The runner announces every secret in an event before anything can
//! carry it; each event that is shown or kept is redacted here with the secrets known by
//! then: a waiting case's mismatch before the status area shows it, each case as it ends
//! (after it is judged, `--expect`), what cleanup left as the run ends, and the run-level
//! text of the report as it is assembled. Reporters receive only what comes out.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use chrono::{DateTime, Utc};

use super::expect::Judge;
use super::progress::Update;
use super::terminal::Terminal;
use crate::redact::Unredactable;
use crate::report::{
    self, CaseReport, Certifier, CleanupReport, FeatureDecision, LeftReport, Outcome,
    ProviderReport, Redactor, Reporter, RunInfo, RunReport, Selection, StepOutcome, StepReport,
    SuiteSource, Summary, Verdict, SCHEMA_ID,
};
use crate::runner::{self, CaseOutcome, CaseResult, Event, Left, Runner};

/// One certified target: its label (`provider`, `gateway`… in a selftest, empty for `run`)
/// and its connected runner.
#[derive(Debug, Clone)]
pub struct Target {
    /// The prefix of its trial names in a selftest; empty for `run`.
    pub label: &'static str,
    /// The connected runner.
    pub runner: Arc<Runner>,
}

/// Why a trial that ran has no result of its own.
pub const LOST: &str =
    "the certifier lost this case's result (a defect, please report it): it is counted as errored";

/// A finished case, as reported, with where it goes in the report.
#[derive(Debug)]
struct Collected {
    target: usize,
    /// The trial's own name (without the target's label).
    trial: String,
    position: usize,
    case: CaseReport,
}

/// Receives every runner's events: turns finished cases into redacted, judged
/// [`CaseReport`]s, hands them to the live reporters (the console) and the status area, and
/// keeps them for the report.
pub struct Collector {
    started_at: DateTime<Utc>,
    /// Each target's label and plan order.
    targets: Vec<(&'static str, Vec<String>)>,
    judge: Option<Judge>,
    cases: Vec<Collected>,
    /// Each target's cleanup once its run finished: (target, removed, what is left, its
    /// reason redacted).
    leftovers: Vec<(usize, usize, Vec<Left>)>,
    live: Vec<Box<dyn Reporter + Send>>,
    /// The terminal's writer, for the status area.
    terminal: Option<Terminal>,
    /// The run's one redactor: every name of the run's suites protected, and every secret
    /// the runners announced so far ([`Event::Secret`]).
    redactor: Redactor,
}

impl std::fmt::Debug for Collector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Collector")
            .field("cases", &self.cases.len())
            .finish()
    }
}

/// A redactor that protects the step kinds and every suite, case and trial name and suite
/// file of `targets`, so a secret that is part of one leaves it whole.
fn names_protected(targets: &[Target]) -> Redactor {
    let mut redactor = Redactor::default();
    redactor.protect(crate::suite::Operation::KEYS.iter().copied());
    for t in targets {
        for suite in t.runner.suites() {
            redactor.protect([suite.name.clone(), suite.file.clone()]);
            redactor.protect(suite.cases.iter().flat_map(|c| {
                let trial = format!("{}::{}", suite.name, c.name);
                let labelled = format!("{}::{trial}", t.label);
                [c.name.clone(), trial, labelled]
            }));
        }
    }
    redactor
}

impl Collector {
    /// A collector for `targets`, judging with `judge`, feeding `live` reporters and the
    /// status area of `terminal` as cases end; each runner's events are sent to it from now
    /// on.
    pub fn attach(
        targets: &[Target],
        started_at: DateTime<Utc>,
        judge: Option<Judge>,
        live: Vec<Box<dyn Reporter + Send>>,
        terminal: Option<Terminal>,
    ) -> Arc<Mutex<Collector>> {
        let collector = Arc::new(Mutex::new(Collector {
            started_at,
            targets: targets
                .iter()
                .map(|t| {
                    let order = t.runner.plan().into_iter().map(|p| p.trial).collect();
                    (t.label, order)
                })
                .collect(),
            judge,
            cases: Vec::new(),
            leftovers: Vec::new(),
            live,
            terminal,
            redactor: names_protected(targets),
        }));
        for (i, t) in targets.iter().enumerate() {
            let c = collector.clone();
            t.runner.on_event(Arc::new(move |event| {
                c.lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .event(i, event);
            }));
        }
        collector
    }

    /// The run's redactor: every secret any runner announced so far, its credentials and
    /// every secret value a case has sent (a faulty provider may echo one case's secret
    /// into another's answer).
    pub fn redactor(&self) -> &Redactor {
        &self.redactor
    }

    fn name(&self, target: usize, trial: &str) -> String {
        match self.targets.get(target).map(|t| t.0) {
            Some(label) if !label.is_empty() => format!("{label}::{trial}"),
            _ => trial.to_string(),
        }
    }

    fn event(&mut self, target: usize, event: &Event) {
        match event {
            Event::Secret(secret) => self.redactor.add_secret(secret.clone()),
            Event::RunStarted { .. }
            | Event::CaseStarted { .. }
            | Event::Waiting { .. }
            | Event::StepFinished { .. } => {
                let label = self.targets.get(target).map_or("", |t| t.0);
                if let (Some(terminal), Some(update)) = (&self.terminal, Update::of(label, event)) {
                    terminal.status(update.redacted(&self.redactor));
                }
            }
            Event::CaseFinished { result } => self.finished(target, result),
            Event::RunFinished {
                removed, leftovers, ..
            } => {
                let mut leftovers = leftovers.clone();
                for left in &mut leftovers {
                    left.why = self.redactor.text(&left.why);
                }
                self.leftovers.push((target, *removed, leftovers));
            }
        }
    }

    /// The event boundary: the case judged, redacted once, shown and kept.
    fn finished(&mut self, target: usize, result: &CaseResult) {
        let label = self.targets.get(target).map_or("", |t| t.0);
        let mut case = case_report(result, label);
        if let Some(judge) = &self.judge {
            judge.apply(&result.trial, &mut case);
        }
        case.started_ms = result
            .started_at
            .map(|t| u64::try_from((t - self.started_at).num_milliseconds()).unwrap_or(0));
        let case = self.redactor.report_case(&case);
        if let Some(terminal) = &self.terminal {
            terminal.status(Update::Finished(self.name(target, &result.trial)));
        }
        // The console's line goes through the same writer, after the update.
        self.live.iter_mut().for_each(|r| r.case_finished(&case));
        let position = self
            .targets
            .get(target)
            .and_then(|t| t.1.iter().position(|p| *p == result.trial))
            .unwrap_or(usize::MAX);
        self.cases.push(Collected {
            target,
            trial: result.trial.clone(),
            position,
            case,
        });
    }

    /// Records each trial of `work` (one entry per target, in target order) whose end never
    /// reached the collector as errored, so that no count claims more than was checked.
    /// Only a defect loses one: an event listener that panicked. Returns how many were
    /// missing.
    pub fn account_for(&mut self, work: &[runner::Work]) -> usize {
        let mut missing = 0;
        for (target, w) in work.iter().enumerate() {
            for planned in &w.trials {
                let seen = self
                    .cases
                    .iter()
                    .any(|c| c.target == target && c.trial == planned.trial);
                if !seen {
                    let mut result = w.runner.empty_result(planned);
                    result.outcome = CaseOutcome::Errored(LOST.into());
                    self.finished(target, &result);
                    missing += 1;
                }
            }
        }
        missing
    }

    /// Hands a target's header report to the live reporters.
    pub fn run_started(&mut self, label: &str, header: &RunReport) {
        for r in self.live.iter_mut() {
            r.run_started(label, header);
        }
    }

    /// Each target's cleanup once its run finished (its `RunFinished`): (target, removed,
    /// what is left, each reason redacted).
    pub fn leftovers(&self) -> &[(usize, usize, Vec<Left>)] {
        &self.leftovers
    }

    /// The live reporters, back for the end of the run.
    pub fn take_live(&mut self) -> Vec<Box<dyn Reporter + Send>> {
        std::mem::take(&mut self.live)
    }

    /// The report of the run so far over `targets` (no case yet: the header), in plan order,
    /// its run-level text redacted once.
    pub fn report(
        &self,
        targets: &[Target],
        elapsed: Duration,
        interrupted: bool,
        meta: &RunMeta,
    ) -> Result<RunReport, Unredactable> {
        let mut collected: Vec<&Collected> = self.cases.iter().collect();
        collected.sort_by_key(|c| (c.target, c.position));
        let cases = collected.into_iter().map(|c| c.case.clone()).collect();
        let expectations = self.judge.as_ref().map(Judge::used);
        let report = build(
            targets,
            cases,
            self.started_at,
            elapsed,
            interrupted,
            meta,
            expectations,
        );
        let mut report = report;
        if !self.leftovers.is_empty() {
            let mut cleanup = CleanupReport::default();
            for (i, removed, left) in &self.leftovers {
                let gateway = targets.get(*i).map(|t| t.runner.settings.gateway.as_str());
                cleanup.removed += removed;
                cleanup.left.extend(left.iter().map(|l| LeftReport {
                    listing: l.resource.listing(gateway.unwrap_or_default()),
                    why: l.why.clone(),
                }));
            }
            report.run.cleanup = Some(cleanup);
        }
        Ok(RunReport {
            run: self.redactor.redacted(&report.run)?,
            verdict: self.redactor.redacted(&report.verdict)?,
            ..report
        })
    }
}

/// One case as the report carries it.
pub fn case_report(result: &CaseResult, prefix: &str) -> CaseReport {
    let suite = if prefix.is_empty() {
        result.suite.clone()
    } else {
        format!("{prefix}::{}", result.suite)
    };
    let case = result
        .trial
        .split_once("::")
        .map_or(result.trial.as_str(), |(_, c)| c)
        .to_string();
    let (outcome, reason) = match &result.outcome {
        CaseOutcome::Passed => (Outcome::Passed, None),
        CaseOutcome::Failed(r) => (Outcome::Failed, Some(r.clone())),
        CaseOutcome::Errored(r) => (Outcome::Errored, Some(r.clone())),
        CaseOutcome::Skipped(r) => (Outcome::Skipped, Some(r.clone())),
        CaseOutcome::Blocked(r) => (Outcome::Blocked, Some(r.clone())),
    };
    let mut reason = reason;
    if !result.leftovers.is_empty() {
        let left = format!("left behind: {}", result.leftovers.join(", "));
        reason = Some(reason.map_or(left.clone(), |r| format!("{r}; {left}")));
    }
    CaseReport {
        id: format!("{suite}::{case}"),
        suite,
        case,
        file: result.source.to_string(),
        description: result.description.clone(),
        outcome,
        contract: result.contract.clone(),
        reason,
        expected_failure: None,
        duration_ms: millis(result.duration),
        started_ms: None,
        steps: result.steps.iter().map(step_report).collect(),
    }
}

fn step_report(step: &runner::StepResult) -> StepReport {
    let (outcome, message) = match &step.outcome {
        runner::StepOutcome::Passed => (StepOutcome::Passed, None),
        runner::StepOutcome::Failed(m) => (StepOutcome::Failed, Some(m.clone())),
        runner::StepOutcome::Errored(m) => (StepOutcome::Errored, Some(m.clone())),
    };
    let non_empty = |s: &str| Some(s.to_string()).filter(|s| !s.is_empty());
    StepReport {
        name: step.label.clone(),
        method: step.method.clone(),
        path: step.path.clone(),
        status: step.status,
        expectation: step.expectation.clone(),
        outcome,
        duration_ms: millis(step.duration),
        attempts: step.attempts,
        waited_ms: Some(millis(step.waited)).filter(|w| *w > 0),
        last_attempts: last(&step.attempt_log, runner::LAST_ATTEMPTS),
        message,
        request_body: non_empty(&step.request_excerpt),
        response_body: non_empty(&step.response_excerpt),
    }
}

/// The last `n` of `lines`.
fn last(lines: &[String], n: usize) -> Vec<String> {
    lines[lines.len().saturating_sub(n)..].to_vec()
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// The provider as the runner detected it.
fn provider_report(runner: &Runner) -> ProviderReport {
    let d = &runner.profile.detected;
    let info = &runner.info;
    let provider = if d.gateway {
        info.get("provider").unwrap_or(info)
    } else {
        info
    };
    let text = |pointer: &str| {
        provider
            .pointer(pointer)
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_string()
    };
    ProviderReport {
        name: d.provider.clone(),
        orchestration: d.orchestration.clone(),
        version: d.version.clone(),
        sha: text("/version/sha"),
        form: if info.is_object() {
            if d.gateway { "gateway" } else { "provider" }.to_string()
        } else {
            "unknown".to_string()
        },
        info: Some(info.clone()).filter(|i| !i.is_null()),
    }
}

/// What a run checked, besides its targets: the selection, the suites, forced features.
#[derive(Debug, Clone)]
pub struct RunMeta {
    /// The filters as given.
    pub selection: Selection,
    /// The suites that ran.
    pub suites: SuiteSource,
    /// Features forced rather than detected.
    pub overrides: Vec<String>,
    /// The time settings the run used, as its report records them.
    pub settings: Option<report::RunSettings>,
    /// Why those settings weaken a check of the selected cases (see `run::weakening`).
    pub weakened: Vec<String>,
}

impl RunMeta {
    /// Why a passing run with this meta is only `passed (partial)`: empty when the
    /// built-in suites ran unfiltered on the detected profile.
    pub fn partial_reasons(&self) -> Vec<String> {
        let mut why = Vec::new();
        let s = &self.selection;
        if !s.filters.is_empty() {
            why.push(format!(
                "filtered: only cases matching {}{}",
                s.filters.join(", "),
                if s.exact { " (exact)" } else { "" }
            ));
        }
        if !s.skip.is_empty() {
            why.push(format!("filtered: --skip {}", s.skip.join(", ")));
        }
        if self.suites.source != SuiteSource::BUILT_IN {
            why.push(format!("custom suites from {}", self.suites.source));
        }
        if !self.overrides.is_empty() {
            why.push(format!("features forced: {}", self.overrides.join(", ")));
        }
        why.extend(self.weakened.iter().cloned());
        why
    }
}

/// Builds the report of a run over one or more targets (a selftest has several).
fn build(
    targets: &[Target],
    cases: Vec<CaseReport>,
    started_at: DateTime<Utc>,
    elapsed: Duration,
    interrupted: bool,
    meta: &RunMeta,
    expectations: Option<report::ExpectationsUsed>,
) -> RunReport {
    let first = targets.first().map(|t| &*t.runner);
    let target = targets
        .iter()
        .map(|t| t.runner.settings.gateway.clone())
        .collect::<Vec<_>>()
        .join(", ");
    let profile = merged_profile(targets);
    let summary = Summary::of(&cases);
    let root_cause = targets.iter().find_map(|t| t.runner.root_cause());
    let warnings = merged_warnings(targets);
    // What a target offers that the run could not check (callbacks without a receiver).
    let mut partial = meta.partial_reasons();
    for reason in targets.iter().flat_map(|t| t.runner.unchecked()) {
        if !partial.contains(&reason) {
            partial.push(reason);
        }
    }
    let verdict = Verdict::decide(
        &summary,
        interrupted,
        root_cause.as_deref(),
        expectations.as_ref(),
        partial,
    );
    RunReport {
        schema: SCHEMA_ID.to_string(),
        certifier: Certifier {
            version: crate::version::RELEASE.to_string(),
            sha: crate::version::SHA.to_string(),
        },
        run: RunInfo {
            id: first.map(|r| r.run_id.clone()).unwrap_or_default(),
            target,
            namespace: first
                .map(|r| r.settings.namespace.clone())
                .unwrap_or_default(),
            extra_namespace: first.and_then(|r| r.settings.extra_namespace.clone()),
            provider: first.map(provider_report).unwrap_or_else(no_provider),
            profile,
            started_at: started_at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            duration_ms: millis(elapsed),
            interrupted,
            expectations,
            selection: meta.selection.clone(),
            suites: meta.suites.clone(),
            overrides: meta.overrides.clone(),
            root_cause,
            cleanup: None,
            settings: meta.settings.clone(),
            warnings,
        },
        verdict,
        clauses: report::clause_reports(&cases, &contract_clauses()),
        summary,
        cases,
    }
}

/// One target: its profile. Several (a selftest): a feature is certified when any target
/// certifies it, and the reason names each target's decision where they differ.
fn merged_profile(targets: &[Target]) -> Vec<FeatureDecision> {
    let Some(first) = targets.first() else {
        return Vec::new();
    };
    first
        .runner
        .profile
        .features
        .iter()
        .map(|(f, s)| {
            let states: Vec<(&str, bool, &str)> = targets
                .iter()
                .filter_map(|t| {
                    let state = t.runner.profile.features.get(f)?;
                    Some((t.label, state.enabled, state.reason.as_str()))
                })
                .collect();
            let same = states
                .iter()
                .all(|(_, on, why)| *on == s.enabled && *why == s.reason);
            FeatureDecision {
                feature: f.name().to_string(),
                enabled: states.iter().any(|(_, on, _)| *on),
                reason: if same {
                    s.reason.clone()
                } else {
                    states
                        .iter()
                        .map(|(label, on, why)| {
                            format!("{label}: {} ({why})", if *on { "on" } else { "off" })
                        })
                        .collect::<Vec<_>>()
                        .join("; ")
                },
            }
        })
        .collect()
}

/// Every target's warnings once each, labelled with the target when there are several.
fn merged_warnings(targets: &[Target]) -> Vec<String> {
    let mut warnings: Vec<String> = Vec::new();
    for t in targets {
        for w in &t.runner.warnings {
            let w = if t.label.is_empty() || targets.len() == 1 {
                w.clone()
            } else {
                format!("{}: {w}", t.label)
            };
            if !warnings.contains(&w) {
                warnings.push(w);
            }
        }
    }
    warnings
}

/// The provider of a report with no target.
fn no_provider() -> ProviderReport {
    ProviderReport {
        name: String::new(),
        orchestration: String::new(),
        version: String::new(),
        sha: String::new(),
        form: "unknown".into(),
        info: None,
    }
}

/// CONTRACT.md's clauses as the report labels and orders them: `(id, level)`, in document
/// order.
pub fn contract_clauses() -> Vec<(&'static str, &'static str)> {
    crate::contract::clauses()
        .unwrap_or_default()
        .iter()
        .map(|c| (c.id.as_str(), c.level.word()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two `health::` trials; only the first runs, the second's end never reaches the
    /// collector (as when a hook panicked): it is counted as errored, not forgotten.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_trial_whose_end_was_lost_is_counted_as_errored() {
        let mock = crate::mock::spawn(crate::mock::MockConfig::default())
            .await
            .expect("the mock starts");
        let suites = crate::suite::load_builtin().expect("the built-in suites load");
        let runner = Arc::new(
            Runner::connect(runner::Settings::new(&mock.url), suites)
                .await
                .expect("the runner connects"),
        );
        let target = Target {
            label: "",
            runner: runner.clone(),
        };
        let collector = Collector::attach(
            std::slice::from_ref(&target),
            Utc::now(),
            None,
            Vec::new(),
            None,
        );
        let trials: Vec<_> = runner
            .run_order()
            .into_iter()
            .filter(|p| p.trial.starts_with("health::"))
            .take(2)
            .collect();
        assert_eq!(trials.len(), 2, "{trials:?}");
        let ran = runner::Work {
            runner: runner.clone(),
            trials: trials[..1].to_vec(),
        };
        runner::run_all(std::slice::from_ref(&ran), 2).await;
        let planned = runner::Work {
            runner: runner.clone(),
            trials: trials.clone(),
        };
        {
            let mut c = collector.lock().unwrap();
            assert_eq!(c.account_for(std::slice::from_ref(&planned)), 1);
            assert_eq!(c.account_for(std::slice::from_ref(&planned)), 0, "once");
            let outcome = |trial: &str| {
                c.cases
                    .iter()
                    .find(|k| k.trial == trial)
                    .map(|k| (k.case.outcome, k.case.reason.clone()))
            };
            let (first, _) = outcome(&trials[0].trial).expect("the first is reported");
            assert_eq!(first, Outcome::Passed);
            let (second, why) = outcome(&trials[1].trial).expect("the lost one is reported");
            assert_eq!(second, Outcome::Errored);
            assert!(why.is_some_and(|w| w.contains("lost")));
        }
        mock.stop().await.expect("the mock stops");
    }
}
