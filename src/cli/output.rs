//! What a run prints and writes: the console (header, one line per case as it ends,
//! failures explained, the closing count) and the report files, all from one
//! [`RunReport`] built from the runner's results and redacted once.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::report::{
    self, console, CaseReport, Certifier, Destinations, FeatureDecision, Outcome, ProviderReport,
    Redactor, RunInfo, RunReport, Selection, StepOutcome, StepReport, SuiteSource, Summary,
    Verdict, SCHEMA_ID,
};
use crate::runner::{self, CaseOutcome, CaseResult, Runner};

/// When to colour the console.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    /// When the output is a terminal (and `NO_COLOR` is unset or empty).
    #[default]
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

/// Report and console options shared by `run` and `selftest`.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct OutputArgs {
    /// Write junit.xml, report.json, summary.md and report.html into DIR [default: reports].
    #[arg(long, value_name = "DIR", conflicts_with = "no_reports")]
    pub report_dir: Option<PathBuf>,
    /// Write no report directory (single files from --junit/--json/--markdown/--html still are).
    #[arg(long)]
    pub no_reports: bool,
    /// Also write the JUnit XML report to PATH.
    #[arg(long, value_name = "PATH")]
    pub junit: Option<PathBuf>,
    /// Also write the JSON report to PATH.
    #[arg(long, value_name = "PATH")]
    pub json: Option<PathBuf>,
    /// Also write the Markdown summary to PATH (it is appended to $GITHUB_STEP_SUMMARY when set).
    #[arg(long, value_name = "PATH")]
    pub markdown: Option<PathBuf>,
    /// Also write the HTML report (one self-contained page) to PATH.
    #[arg(long, value_name = "PATH")]
    pub html: Option<PathBuf>,
    /// Colour the console and log lines: auto (a terminal, unless NO_COLOR is set and
    /// non-empty), always or never.
    #[arg(long, value_name = "WHEN", default_value = "auto")]
    pub color: ColorChoice,
}

impl OutputArgs {
    /// Where the reports go.
    pub fn destinations(&self) -> Destinations {
        let dir = if self.no_reports {
            None
        } else {
            Some(
                self.report_dir
                    .clone()
                    .unwrap_or_else(|| PathBuf::from("reports")),
            )
        };
        Destinations {
            dir,
            junit: self.junit.clone(),
            json: self.json.clone(),
            markdown: self.markdown.clone(),
            html: self.html.clone(),
            step_summary: std::env::var_os("GITHUB_STEP_SUMMARY")
                .filter(|v| !v.is_empty())
                .map(PathBuf::from),
        }
    }

    /// The console style.
    pub fn style(&self) -> console::Style {
        console::Style {
            color: super::stdout::colour(self.color, std::io::stdout().is_terminal()),
        }
    }

    /// Whether log lines (stderr) are coloured.
    pub fn log_color(&self) -> bool {
        super::stdout::colour(self.color, std::io::stderr().is_terminal())
    }
}

/// The results of one certified target, collected as trials end; prints each case's line.
#[derive(Debug)]
pub struct Sink {
    /// `provider`/`gateway` in a selftest, empty for `run`.
    pub prefix: String,
    /// What the cases did, in the order they ended.
    results: Mutex<Vec<CaseResult>>,
    /// How to print the live lines (None: print nothing, e.g. `--list`).
    live: Option<Live>,
    /// The expectations file each case is judged with (`run --expect`).
    judge: Option<super::expect::Judge>,
    /// The status area on a terminal, told when each case ends.
    progress: Option<Arc<super::progress::Live>>,
}

/// How live lines are printed.
#[derive(Debug, Clone)]
struct Live {
    style: console::Style,
    quiet: bool,
    redactor: Redactor,
}

impl Sink {
    /// A sink for the target named `prefix`; `live` prints a line per case as it ends.
    pub fn new(prefix: &str, live: Option<(console::Style, bool, Redactor)>) -> Self {
        Self {
            prefix: prefix.to_string(),
            results: Mutex::default(),
            live: live.map(|(style, quiet, redactor)| Live {
                style,
                quiet,
                redactor,
            }),
            judge: None,
            progress: None,
        }
    }

    /// This sink, judging each case with an expectations file.
    pub fn with_judge(mut self, judge: Option<super::expect::Judge>) -> Self {
        self.judge = judge;
        self
    }

    /// Also keeps the terminal's status area (if any) up to date.
    pub fn with_progress(mut self, progress: Option<Arc<super::progress::Live>>) -> Self {
        self.progress = progress;
        self
    }

    /// The expectations file's judge, if the run has one.
    pub fn judge(&self) -> Option<&super::expect::Judge> {
        self.judge.as_ref()
    }

    /// One case as the report carries it, judged with the expectations file if any.
    pub fn report(&self, result: &CaseResult) -> CaseReport {
        let mut case = case_report(result, &self.prefix);
        if let Some(judge) = &self.judge {
            judge.apply(&result.trial, &mut case);
        }
        case
    }

    /// Records a finished case and prints its line; returns how the case ended, as judged.
    pub fn push(&self, result: CaseResult) -> Outcome {
        let judged = self.report(&result);
        let outcome = judged.outcome;
        if let Some(progress) = &self.progress {
            let name = if self.prefix.is_empty() {
                result.trial.clone()
            } else {
                format!("{}::{}", self.prefix, result.trial)
            };
            progress.finished(&name);
            progress.suspend(|| self.print(&judged));
        } else {
            self.print(&judged);
        }
        if let Ok(mut all) = self.results.lock() {
            all.push(result);
        }
        outcome
    }

    /// Prints the line of a finished case, as judged.
    fn print(&self, judged: &CaseReport) {
        if let Some(live) = &self.live {
            let case = live.redactor.report_case(judged);
            let mut out = std::io::stdout().lock();
            if live.quiet {
                let c = match case.outcome {
                    Outcome::Passed => '.',
                    Outcome::Failed | Outcome::Errored => 'F',
                    Outcome::Skipped => 'i',
                    Outcome::XFail => 'x',
                    Outcome::XPass => 'X',
                    Outcome::Blocked => 'b',
                };
                let _ = write!(out, "{c}");
            } else {
                let _ = writeln!(out, "{}", console::case_line(&case, live.style));
            }
            let _ = out.flush();
        }
    }

    /// The results so far.
    pub fn results(&self) -> Vec<CaseResult> {
        self.results.lock().map(|r| r.clone()).unwrap_or_default()
    }
}

/// Everything secret that this runner knows of so far: its credentials and every secret
/// value a case has sent.
pub fn redactor(runner: &Runner) -> Redactor {
    let mut redactor = Redactor::default();
    add_secrets(&mut redactor, runner);
    redactor
}

/// Adds what `runner` knows to be secret to `redactor`.
pub fn add_secrets(redactor: &mut Redactor, runner: &Runner) {
    for secret in runner.sensitive() {
        redactor.add(secret.as_bytes());
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
        last_attempts: last(&step.attempt_log, LAST_ATTEMPTS),
        message,
        request_body: non_empty(&step.request_excerpt),
        response_body: non_empty(&step.response_excerpt),
    }
}

/// How many of a step's failed attempts the reports keep.
const LAST_ATTEMPTS: usize = 5;

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

/// One target's part of a report: its cases, its provider and profile.
pub struct TargetRun<'a> {
    pub runner: &'a Runner,
    pub sink: &'a Sink,
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
        why
    }
}

/// Builds the report of a run over one or more targets (a selftest has several).
pub fn build(
    targets: &[TargetRun<'_>],
    started_at: DateTime<Utc>,
    elapsed: Duration,
    interrupted: bool,
    meta: &RunMeta,
) -> RunReport {
    let first = targets.first().map(|t| t.runner);
    let mut cases: Vec<CaseReport> = Vec::new();
    for target in targets {
        let mut results = target.sink.results();
        // Report in plan order, whatever order they ended in.
        let order: Vec<String> = target.runner.plan().into_iter().map(|p| p.trial).collect();
        results.sort_by_key(|r| {
            order
                .iter()
                .position(|t| *t == r.trial)
                .unwrap_or(usize::MAX)
        });
        cases.extend(results.iter().map(|r| {
            let mut case = target.sink.report(r);
            case.started_ms = r
                .started_at
                .map(|t| u64::try_from((t - started_at).num_milliseconds()).unwrap_or(0));
            case
        }));
    }
    let target = targets
        .iter()
        .map(|t| t.runner.settings.gateway.clone())
        .collect::<Vec<_>>()
        .join(", ");
    // One target: its profile. Several (a selftest): a feature is certified when any target
    // certifies it, and the reason names each target's decision where they differ.
    let profile = first
        .map(|r| {
            r.profile
                .features
                .iter()
                .map(|(f, s)| {
                    let states: Vec<(&str, bool, &str)> = targets
                        .iter()
                        .filter_map(|t| {
                            let state = t.runner.profile.features.get(f)?;
                            Some((t.sink.prefix.as_str(), state.enabled, state.reason.as_str()))
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
        })
        .unwrap_or_default();
    let summary = Summary::of(&cases);
    let root_cause = targets.iter().find_map(|t| t.runner.root_cause());
    let expectations = targets
        .iter()
        .find_map(|t| t.sink.judge().map(super::expect::Judge::used));
    let verdict = Verdict::decide(
        &summary,
        interrupted,
        root_cause.as_deref(),
        expectations.as_ref(),
        meta.partial_reasons(),
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
            provider: first
                .map(provider_report)
                .unwrap_or_else(|| ProviderReport {
                    name: String::new(),
                    orchestration: String::new(),
                    version: String::new(),
                    sha: String::new(),
                    form: "unknown".into(),
                    info: None,
                }),
            profile,
            started_at: started_at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            duration_ms: millis(elapsed),
            interrupted,
            expectations,
            selection: meta.selection.clone(),
            suites: meta.suites.clone(),
            overrides: meta.overrides.clone(),
            root_cause,
        },
        verdict,
        clauses: report::clause_reports(&cases),
        summary,
        cases,
    }
}

/// Prints the end of the console report and writes the report files; returns whether the
/// files could be written.
pub fn finish(report: &RunReport, args: &OutputArgs, redactor: &Redactor, quiet: bool) -> bool {
    let report = match redactor.report(report) {
        Ok(report) => report,
        Err(e) => {
            eprintln!("error: no report is written: {e}");
            return false;
        }
    };
    let style = args.style();
    if quiet {
        super::stdout::put("\n");
    }
    super::stdout::put(&console::failures(&report, style));
    super::stdout::put(&console::expected(&report, style));
    match report::write_all(&report, &args.destinations(), &Redactor::default()) {
        Ok(written) if !written.is_empty() => {
            let names: Vec<String> = written.iter().map(|p| p.display().to_string()).collect();
            super::stdout::put(&format!("\nreports: {}\n", names.join(", ")));
        }
        Ok(_) => {}
        Err(e) => {
            eprintln!("error: {e}");
            super::stdout::put(&console::closing(&report, style));
            return false;
        }
    }
    super::stdout::put(&console::closing(&report, style));
    true
}

/// Preflight of the report destinations: each can be written, checked before the run starts
/// and without touching an earlier report (an existing file is opened to append nothing).
pub fn check_destinations(to: &Destinations) -> Result<(), String> {
    let file_ok = |path: &std::path::Path, create_parent: bool| -> Result<(), String> {
        let parent = path.parent().filter(|p| !p.as_os_str().is_empty());
        if let Some(parent) = parent {
            if create_parent {
                std::fs::create_dir_all(parent).map_err(|e| {
                    format!(
                        "cannot create {} for {}: {e}",
                        parent.display(),
                        path.display()
                    )
                })?;
            } else if !parent.is_dir() {
                return Err(format!(
                    "cannot write {}: its folder {} does not exist",
                    path.display(),
                    parent.display()
                ));
            }
        }
        let existed = path.exists();
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        if !existed {
            let _ = std::fs::remove_file(path);
        }
        Ok(())
    };
    if let Some(dir) = &to.dir {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create the report directory {}: {e}", dir.display()))?;
        let probe = dir.join(format!(".faas-certifier-{}", std::process::id()));
        file_ok(&probe, false).map_err(|e| {
            format!(
                "the report directory {} is not writable: {e}",
                dir.display()
            )
        })?;
    }
    for path in [&to.junit, &to.json, &to.markdown, &to.html]
        .into_iter()
        .flatten()
    {
        file_ok(path, true)?;
    }
    if let Some(path) = &to.step_summary {
        file_ok(path, false).map_err(|e| format!("$GITHUB_STEP_SUMMARY: {e}"))?;
    }
    Ok(())
}
