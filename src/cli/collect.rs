//! The event boundary: where the runner's events become report data, and the one place
//! that redacts them. The runner announces every secret in an event before anything can
//! carry it; each event that is shown or kept is redacted here with the secrets known by
//! then: a waiting case's mismatch before the status area shows it, each case as it ends
//! (after it is judged, `--expect`), what cleanup left as the run ends, and the run-level
//! text of the report as it is assembled. Reporters receive only what comes out.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use chrono::{DateTime, Utc};

use super::known_failures::Judge;
use super::progress::Update;
use super::terminal::Terminal;
use crate::redact::Unredactable;
use crate::report::{
    self, CaseReport, Certifier, CleanupReport, FeatureDecision, LeftReport, Outcome,
    ProviderReport, Redactor, Reporter, RunInfo, RunReport, Selection, StepReport, SuiteSource,
    Summary, Verdict, SCHEMA_ID,
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

/// What the collector knows of one target: its label and plan order from the start, its
/// header from its `RunStarted`, its root cause from its `RunFinished`.
#[derive(Debug)]
struct Seen {
    /// The prefix of its trial names (empty for `run`).
    label: &'static str,
    /// Its trials in plan order: the report lists cases in this order.
    order: Vec<String>,
    /// Its header, once its run started.
    header: Option<Box<runner::RunHeader>>,
    /// Why its run stopped early, when the provider stopped answering (its `RunFinished`).
    root_cause: Option<String>,
    /// What it offers that the run did not check (its `RunFinished`).
    unchecked: Vec<String>,
}

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
    /// What each target told of itself, in target order.
    targets: Vec<Seen>,
    /// What the run checked besides its targets.
    meta: RunMeta,
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
    /// A collector for `targets` of a run that checks `meta`, judging with `judge`, feeding
    /// `live` reporters (each target's header as its run starts, each case as it ends) and
    /// the status area of `terminal`; each runner's events are sent to it from now on.
    pub fn attach(
        targets: &[Target],
        started_at: DateTime<Utc>,
        meta: RunMeta,
        judge: Option<Judge>,
        live: Vec<Box<dyn Reporter + Send>>,
        terminal: Option<Terminal>,
    ) -> Arc<Mutex<Collector>> {
        let collector = Arc::new(Mutex::new(Collector {
            started_at,
            targets: targets
                .iter()
                .map(|t| Seen {
                    label: t.label,
                    order: t.runner.plan().into_iter().map(|p| p.trial).collect(),
                    header: None,
                    root_cause: None,
                    unchecked: Vec::new(),
                })
                .collect(),
            meta,
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

    fn name(&self, target: usize, trial: &str) -> String {
        match self.targets.get(target).map(|t| t.label) {
            Some(label) if !label.is_empty() => format!("{label}::{trial}"),
            _ => trial.to_string(),
        }
    }

    fn event(&mut self, target: usize, event: &Event) {
        match event {
            Event::Secret(secret) => self.redactor.add_secret(secret.clone()),
            Event::RunStarted(header) => self.started(target, header, event),
            Event::CaseStarted { .. } | Event::Waiting { .. } | Event::StepFinished { .. } => {
                let label = self.targets.get(target).map_or("", |t| t.label);
                if let (Some(terminal), Some(update)) = (&self.terminal, Update::of(label, event)) {
                    terminal.status(update.redacted(&self.redactor));
                }
            }
            Event::CaseFinished { result } => self.finished(target, result),
            Event::RunFinished {
                removed,
                leftovers,
                stopped,
                unchecked,
            } => {
                if let Some(t) = self.targets.get_mut(target) {
                    if let Some(runner::Stop::ProviderGone { cause, .. }) = stopped {
                        t.root_cause = Some(cause.clone());
                    }
                    t.unchecked = unchecked.clone();
                }
                let mut leftovers = leftovers.clone();
                for left in &mut leftovers {
                    left.why = self.redactor.text(&left.why);
                }
                self.leftovers.push((target, *removed, leftovers));
            }
        }
    }

    /// A target's run started: its header is kept for the report, and handed to the live
    /// reporters and the status area.
    fn started(&mut self, target: usize, header: &runner::RunHeader, event: &Event) {
        let Some(seen) = self.targets.get_mut(target) else {
            return;
        };
        seen.header = Some(Box::new(header.clone()));
        let label = seen.label;
        if let (Some(terminal), Some(update)) = (&self.terminal, Update::of(label, event)) {
            terminal.status(update);
        }
        if let Ok(report) = self.assemble(&[target], Duration::ZERO, false) {
            for r in self.live.iter_mut() {
                r.run_started(label, &report);
            }
        }
    }

    /// The event boundary: the case judged, redacted once, shown and kept.
    fn finished(&mut self, target: usize, result: &CaseResult) {
        let label = self.targets.get(target).map_or("", |t| t.label);
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
            .and_then(|t| t.order.iter().position(|p| *p == result.trial))
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

    /// Each target's cleanup once its run finished (its `RunFinished`): (target, removed,
    /// what is left, each reason redacted).
    pub fn leftovers(&self) -> &[(usize, usize, Vec<Left>)] {
        &self.leftovers
    }

    /// The live reporters, back for the end of the run.
    pub fn take_live(&mut self) -> Vec<Box<dyn Reporter + Send>> {
        std::mem::take(&mut self.live)
    }

    /// The report of the run so far (no case yet: the header), in plan order, its
    /// run-level text redacted with every secret known by now.
    pub fn report(&self, elapsed: Duration, interrupted: bool) -> Result<RunReport, Unredactable> {
        let all: Vec<usize> = (0..self.targets.len()).collect();
        self.assemble(&all, elapsed, interrupted)
    }

    /// The report over the targets numbered `which`.
    fn assemble(
        &self,
        which: &[usize],
        elapsed: Duration,
        interrupted: bool,
    ) -> Result<RunReport, Unredactable> {
        let mut collected: Vec<&Collected> = self
            .cases
            .iter()
            .filter(|c| which.contains(&c.target))
            .collect();
        collected.sort_by_key(|c| (c.target, c.position));
        let cases = collected.into_iter().map(|c| c.case.clone()).collect();
        let targets: Vec<&Seen> = which.iter().filter_map(|i| self.targets.get(*i)).collect();
        let run = Run {
            started_at: self.started_at,
            elapsed,
            interrupted,
            meta: &self.meta,
            expectations: self.judge.as_ref().map(Judge::used),
        };
        let mut report = build(&targets, cases, run);
        let left: Vec<_> = self
            .leftovers
            .iter()
            .filter(|(i, ..)| which.contains(i))
            .collect();
        if !left.is_empty() {
            let mut cleanup = CleanupReport::default();
            for (i, removed, left) in left {
                let gateway = self.targets.get(*i).and_then(|t| t.header.as_ref());
                let gateway = gateway.map_or("", |h| h.target.as_str());
                cleanup.removed += removed;
                cleanup.left.extend(left.iter().map(|l| LeftReport {
                    listing: l.resource.listing(gateway),
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

/// How many of a step's failed attempts its report keeps.
const LAST_ATTEMPTS: usize = 5;

fn step_report(step: &runner::StepResult) -> StepReport {
    let non_empty = |s: &str| Some(s.to_string()).filter(|s| !s.is_empty());
    StepReport {
        name: step.label.clone(),
        method: step.method.clone(),
        path: step.path.clone(),
        status: step.status,
        expectation: step.expectation.clone(),
        outcome: step.outcome.clone(),
        duration_ms: millis(step.duration),
        attempts: step.attempts,
        waited_ms: Some(millis(step.waited)).filter(|w| *w > 0),
        last_attempts: last(&step.attempt_log, LAST_ATTEMPTS),
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

/// The provider as a target's run detected it.
fn provider_report(header: &runner::RunHeader) -> ProviderReport {
    let (d, info) = (&header.detected, &header.info);
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

/// When and how a run went, besides its targets and cases.
struct Run<'a> {
    started_at: DateTime<Utc>,
    elapsed: Duration,
    interrupted: bool,
    meta: &'a RunMeta,
    expectations: Option<report::ExpectationsUsed>,
}

/// Builds the report of a run over one or more targets (a selftest has several), from the
/// header each sent as its run started.
fn build(targets: &[&Seen], cases: Vec<CaseReport>, run: Run<'_>) -> RunReport {
    let headers: Vec<(&str, &runner::RunHeader)> = targets
        .iter()
        .filter_map(|t| Some((t.label, t.header.as_deref()?)))
        .collect();
    let first = headers.first().map(|(_, h)| *h);
    let target = headers
        .iter()
        .map(|(_, h)| h.target.clone())
        .collect::<Vec<_>>()
        .join(", ");
    let summary = Summary::of(&cases);
    let root_cause = targets.iter().find_map(|t| t.root_cause.clone());
    // What a target offers that the run could not check (callbacks without a receiver).
    let mut partial = run.meta.partial_reasons();
    for reason in targets.iter().flat_map(|t| t.unchecked.iter()) {
        if !partial.contains(reason) {
            partial.push(reason.clone());
        }
    }
    let verdict = Verdict::decide(
        &summary,
        run.interrupted,
        root_cause.as_deref(),
        run.expectations.as_ref(),
        partial,
    );
    RunReport {
        schema: SCHEMA_ID.to_string(),
        certifier: Certifier {
            version: crate::version::RELEASE.to_string(),
            sha: crate::version::SHA.to_string(),
        },
        run: RunInfo {
            id: first.map(|h| h.run_id.clone()).unwrap_or_default(),
            target,
            namespace: first.map(|h| h.namespace.clone()).unwrap_or_default(),
            extra_namespace: first.and_then(|h| h.extra_namespace.clone()),
            provider: first.map(provider_report).unwrap_or_else(no_provider),
            profile: merged_profile(&headers),
            started_at: run
                .started_at
                .to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            duration_ms: millis(run.elapsed),
            interrupted: run.interrupted,
            expectations: run.expectations,
            selection: run.meta.selection.clone(),
            suites: run.meta.suites.clone(),
            overrides: run.meta.overrides.clone(),
            root_cause,
            cleanup: None,
            settings: run.meta.settings.clone(),
            warnings: merged_warnings(&headers),
        },
        verdict,
        clauses: report::clause_reports(&cases, &contract_clauses()),
        summary,
        cases,
    }
}

/// One target: its profile. Several (a selftest): a feature is certified when any target
/// certifies it, and the reason names each target's decision where they differ.
fn merged_profile(headers: &[(&str, &runner::RunHeader)]) -> Vec<FeatureDecision> {
    let Some((_, first)) = headers.first() else {
        return Vec::new();
    };
    first
        .profile
        .iter()
        .map(|(feature, enabled, reason)| {
            let states: Vec<(&str, bool, &str)> = headers
                .iter()
                .filter_map(|(label, h)| {
                    let (_, on, why) = h.profile.iter().find(|(f, ..)| f == feature)?;
                    Some((*label, *on, why.as_str()))
                })
                .collect();
            let same = states
                .iter()
                .all(|(_, on, why)| on == enabled && why == reason);
            FeatureDecision {
                feature: feature.clone(),
                enabled: states.iter().any(|(_, on, _)| *on),
                reason: if same {
                    reason.clone()
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
fn merged_warnings(headers: &[(&str, &runner::RunHeader)]) -> Vec<String> {
    let mut warnings: Vec<String> = Vec::new();
    for (label, h) in headers {
        for w in &h.warnings {
            let w = if label.is_empty() || headers.len() == 1 {
                w.clone()
            } else {
                format!("{label}: {w}")
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
        let meta = RunMeta {
            selection: Selection::default(),
            suites: SuiteSource {
                source: SuiteSource::BUILT_IN.into(),
                digest: String::new(),
            },
            overrides: Vec::new(),
            settings: None,
            weakened: Vec::new(),
        };
        let collector = Collector::attach(
            std::slice::from_ref(&target),
            Utc::now(),
            meta,
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
            // The header came with the run's `RunStarted`.
            let header = c.report(Duration::ZERO, false).expect("a report");
            assert_eq!(header.run.target, mock.url);
            assert_eq!(header.run.id, runner.run_id);
            assert!(!header.run.profile.is_empty());
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
