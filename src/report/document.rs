//! The report document: what a run leaves behind, as plain data. Every format renders it;
//! the JSON format is this document itself (`faas-certifier/report/v1`).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::outcome::{ErrorCause, StepOutcome, StepWord, WantGot};

/// The `schema` value of every report this version writes.
pub const SCHEMA_ID: &str = "faas-certifier/report/v1";

/// A whole certification run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RunReport {
    /// Always `faas-certifier/report/v1`.
    pub schema: String,
    /// The certifier that wrote the report.
    pub certifier: Certifier,
    /// What was certified, and how.
    pub run: RunInfo,
    /// What the run may claim: its certification level and why.
    pub verdict: Verdict,
    /// Counts of outcomes.
    pub summary: Summary,
    /// Every selected case, in run order.
    pub cases: Vec<CaseReport>,
    /// Every clause of CONTRACT.md the cases check, with the worst outcome of those cases.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub clauses: Vec<super::ClauseReport>,
}

/// The certifier's own build.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Certifier {
    /// Its version, e.g. `0.1.0`.
    pub version: String,
    /// The git commit it was built from.
    pub sha: String,
}

/// The run's target and settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RunInfo {
    /// The run's unique id (`${run}` in suites).
    pub id: String,
    /// The provider or gateway URL.
    pub target: String,
    /// The default namespace certified.
    pub namespace: String,
    /// The extra namespace certified, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extra_namespace: Option<String>,
    /// The provider as detected.
    pub provider: ProviderReport,
    /// Every optional feature: on or off, and why.
    pub profile: Vec<FeatureDecision>,
    /// When the run started (RFC 3339).
    pub started_at: String,
    /// How long it took, in milliseconds.
    pub duration_ms: u64,
    /// Whether SIGINT or SIGTERM stopped it early.
    pub interrupted: bool,
    /// The expectations file the run was judged with (`--expect`), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expectations: Option<ExpectationsUsed>,
    /// Which cases were selected: the filters as given.
    #[serde(default)]
    pub selection: Selection,
    /// Which suites ran, and their digest.
    pub suites: SuiteSource,
    /// Features forced rather than detected: `--profile`, `--enable`, `--disable`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub overrides: Vec<String>,
    /// The one root cause of a run that could not go on (the provider stopped answering).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub root_cause: Option<String>,
    /// What the run's cleanup did, once every trial ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cleanup: Option<CleanupReport>,
    /// The time settings the run used (`--settle`, `--timeout`, `--request-timeout`); absent
    /// in reports written before they were recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settings: Option<RunSettings>,
    /// What the preflight found that did not stop the run, e.g. a provider that lists no
    /// namespaces.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

/// The time settings a run used: a value below its default may weaken a check, and then the
/// verdict's reasons say so.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RunSettings {
    /// `--settle`: how long "nothing must change" checks keep up their load, in ms.
    pub settle_ms: u64,
    /// `--timeout`: the deadline of the whole run, in ms; absent when it had none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_ms: Option<u64>,
    /// `--request-timeout`: the deadline of one HTTP request, in ms.
    pub request_timeout_ms: u64,
}

impl RunSettings {
    /// `--settle 20s, --timeout 10m, --request-timeout 30s`, as every format writes them.
    pub fn flags(&self) -> Vec<(&'static str, String)> {
        let words =
            |ms: u64| humantime::format_duration(std::time::Duration::from_millis(ms)).to_string();
        vec![
            ("--settle", words(self.settle_ms)),
            ("--timeout", self.timeout_ms.map_or("none".into(), words)),
            ("--request-timeout", words(self.request_timeout_ms)),
        ]
    }
}

/// What cleanup removed and what it left on the target.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CleanupReport {
    /// Functions, secrets and namespaces removed.
    pub removed: usize,
    /// What is left, each with the command that removes it and why it is left.
    #[serde(default)]
    pub left: Vec<LeftReport>,
}

impl CleanupReport {
    /// `cleanup: N removed, M left`.
    pub fn line(&self) -> String {
        format!(
            "cleanup: {} removed, {} left",
            self.removed,
            self.left.len()
        )
    }
}

/// A resource the run left on the target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LeftReport {
    /// What it is and the `faas-cli` command that removes it, ready to paste.
    pub listing: String,
    /// Why it is left (`--keep`, the last answer to its delete, ...).
    pub why: String,
}

/// The expectations file a run was judged with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExpectationsUsed {
    /// The file, as named on the command line.
    pub file: String,
    /// How many entries it has.
    pub entries: usize,
    /// Whether an expected failure that passed (`xpass`) was allowed (`--allow-xpass`).
    pub allow_xpass: bool,
}

/// The filters that selected the run's cases (all empty: every case).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Selection {
    /// Positional filters: a case runs when its name matches one.
    #[serde(default)]
    pub filters: Vec<String>,
    /// `--skip` filters: a case matching one does not run.
    #[serde(default)]
    pub skip: Vec<String>,
    /// `--exact`: filters match whole names.
    #[serde(default)]
    pub exact: bool,
}

impl Selection {
    /// Whether every case was selected.
    pub fn is_all(&self) -> bool {
        self.filters.is_empty() && self.skip.is_empty()
    }
}

/// The suites a run used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SuiteSource {
    /// `built-in`, or the `--suites` path.
    pub source: String,
    /// SHA-256 over the suites' names and texts: the same digest means the same checks.
    pub digest: String,
}

impl SuiteSource {
    /// The `source` of the suites compiled into the certifier.
    pub const BUILT_IN: &'static str = "built-in";
}

/// What a run may claim, the same in every format.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Verdict {
    /// The certification level.
    pub level: Level,
    /// The level in words, e.g. `passed (with 2 expected failures)`.
    pub words: String,
    /// Why the level is not higher: the filter, custom suites, forced features, settings that
    /// weaken a check (`--settle`, `--timeout`, `--request-timeout`), the root cause.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reasons: Vec<String>,
}

/// Certification levels, from best to worst.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum Level {
    /// The built-in suites ran unfiltered on the detected profile and nothing failed.
    #[serde(rename = "certified")]
    Certified,
    /// Nothing failed, but the run checked less than a certification does.
    #[serde(rename = "passed (partial)")]
    Partial,
    /// Nothing failed unexpectedly, judged with an expectations file: never `certified`,
    /// however few cases it excused.
    #[serde(rename = "passed (with expected failures)")]
    ExpectedFailures,
    /// A case failed or was blocked by a failure.
    #[serde(rename = "failed")]
    Failed,
    /// The harness could not carry out a case.
    #[serde(rename = "errored")]
    Errored,
    /// SIGINT or SIGTERM stopped the run.
    #[serde(rename = "interrupted")]
    Interrupted,
}

impl Level {
    /// The level in words, as every format writes it.
    pub fn word(self) -> &'static str {
        match self {
            Level::Certified => "certified",
            Level::Partial => "passed (partial)",
            Level::ExpectedFailures => "passed (with expected failures)",
            Level::Failed => "failed",
            Level::Errored => "errored",
            Level::Interrupted => "interrupted",
        }
    }

    /// Whether the run passed (exit status 0).
    pub fn passed(self) -> bool {
        matches!(
            self,
            Level::Certified | Level::Partial | Level::ExpectedFailures
        )
    }
}

impl Verdict {
    /// The level a run earns: `partial` lists why it checked less than a certification
    /// (empty for the built-in suites, unfiltered, on the detected profile).
    /// `expectations` is the file the run was judged with, if any: an `xpass` fails the run
    /// unless it allows them, and a passing run is never `certified`.
    pub fn decide(
        summary: &Summary,
        interrupted: bool,
        root_cause: Option<&str>,
        expectations: Option<&ExpectationsUsed>,
        mut partial: Vec<String>,
    ) -> Verdict {
        let xpass_fails = summary.xpassed > 0 && !expectations.is_some_and(|e| e.allow_xpass);
        let level = if interrupted {
            Level::Interrupted
        } else if summary.failed > 0 || summary.blocked > 0 || xpass_fails {
            Level::Failed
        } else if summary.errored > 0 {
            Level::Errored
        } else if expectations.is_some() {
            Level::ExpectedFailures
        } else {
            if summary.passed == 0 {
                partial.push("no case passed: every selected case was skipped".into());
            }
            if partial.is_empty() {
                Level::Certified
            } else {
                Level::Partial
            }
        };
        let reasons = match (level, root_cause) {
            (_, Some(cause)) => vec![cause.to_string()],
            (Level::Partial | Level::ExpectedFailures, _) => partial,
            _ => Vec::new(),
        };
        let words = match (level, summary.xfailed) {
            (Level::ExpectedFailures, 1) => "passed (with 1 expected failure)".to_string(),
            (Level::ExpectedFailures, n) => format!("passed (with {n} expected failures)"),
            (level, _) => level.word().to_string(),
        };
        Verdict {
            level,
            words,
            reasons,
        }
    }
}

/// The provider behind the target, as `/system/info` described it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProviderReport {
    /// The provider's name, e.g. `faas-netes-ce` (empty when unknown).
    pub name: String,
    /// Its orchestration, e.g. `kubernetes`.
    pub orchestration: String,
    /// Its version release.
    pub version: String,
    /// Its version sha.
    pub sha: String,
    /// `gateway` or `provider`: which form `/system/info` had (`unknown` if unreadable).
    pub form: String,
    /// `/system/info` as returned, if it was JSON.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub info: Option<serde_json::Value>,
}

/// Whether an optional feature was certified, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FeatureDecision {
    /// The feature, e.g. `scale-to-zero`.
    pub feature: String,
    /// Whether cases requiring it ran.
    pub enabled: bool,
    /// Why, e.g. `faasd-ce does not scale to zero` or `--enable`.
    pub reason: String,
}

/// Counts of outcomes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Summary {
    /// Cases run.
    pub total: usize,
    /// Cases whose every expectation held.
    pub passed: usize,
    /// Cases where an expectation did not hold.
    pub failed: usize,
    /// Cases the harness could not carry out (unreachable provider, invalid suite, interrupted).
    pub errored: usize,
    /// Cases not run, each with its reason.
    pub skipped: usize,
    /// Cases that failed as the expectations file said they would (`xfail`).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub xfailed: usize,
    /// Cases the expectations file said would fail, that passed (`xpass`).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub xpassed: usize,
    /// Cases not run or stopped because of a root cause reported once elsewhere.
    #[serde(default)]
    pub blocked: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

impl Summary {
    /// Counts the outcomes of `cases`.
    pub fn of(cases: &[CaseReport]) -> Self {
        let count = |o: Outcome| cases.iter().filter(|c| c.outcome == o).count();
        Self {
            total: cases.len(),
            passed: count(Outcome::Passed),
            failed: count(Outcome::Failed),
            errored: count(Outcome::Errored),
            skipped: count(Outcome::Skipped),
            xfailed: count(Outcome::XFail),
            xpassed: count(Outcome::XPass),
            blocked: count(Outcome::Blocked),
        }
    }

    /// The counts in words, the same in the console's closing line and every report:
    /// `N passed, N failed, N errored, N skipped, N blocked`, then `N xfailed, N xpassed`
    /// when an expectations file made any.
    pub fn closing_line(&self) -> String {
        let mut line = format!(
            "{} passed, {} failed, {} errored, {} skipped, {} blocked",
            self.passed, self.failed, self.errored, self.skipped, self.blocked
        );
        if self.xfailed + self.xpassed > 0 {
            line.push_str(&format!(
                ", {} xfailed, {} xpassed",
                self.xfailed, self.xpassed
            ));
        }
        line
    }

    /// Whether nothing failed, errored or was blocked.
    pub fn success(&self) -> bool {
        self.failed == 0 && self.errored == 0 && self.blocked == 0
    }
}

/// How a case ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// Every expectation held.
    Passed,
    /// An expectation did not hold.
    Failed,
    /// The harness could not do its job.
    Errored,
    /// Not run; the reason says why.
    Skipped,
    /// Failed or errored, as the expectations file said it would.
    #[serde(rename = "xfail")]
    XFail,
    /// Passed, though the expectations file said it would fail.
    #[serde(rename = "xpass")]
    XPass,
    /// Not run or stopped because of a root cause reported elsewhere (a failed foundation,
    /// a provider that stopped answering).
    Blocked,
}

impl Outcome {
    /// The word the console and Markdown use.
    pub fn word(self) -> &'static str {
        match self {
            Outcome::Passed => "passed",
            Outcome::Failed => "failed",
            Outcome::Errored => "error",
            Outcome::Skipped => "skipped",
            Outcome::XFail => "xfail",
            Outcome::XPass => "xpass",
            Outcome::Blocked => "blocked",
        }
    }
}

/// One case of a suite.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CaseReport {
    /// `suite::case`, the name filters match.
    pub id: String,
    /// The suite's name.
    pub suite: String,
    /// The case's name.
    pub case: String,
    /// The suite file it came from.
    pub file: String,
    /// What the case checks.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// How it ended.
    pub outcome: Outcome,
    /// The clauses of CONTRACT.md it checks, by id.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub contract: Vec<String>,
    /// Why it failed, errored or was skipped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The expectations file's entry covering it, when its outcome is `xfail` or `xpass`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_failure: Option<ExpectedFailureReport>,
    /// How long it took, in milliseconds.
    pub duration_ms: u64,
    /// When it started, in milliseconds after the run started (the HTML timeline).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_ms: Option<u64>,
    /// The steps it ran, in order.
    pub steps: Vec<StepReport>,
}

/// The expectations file's entry that covered a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExpectedFailureReport {
    /// The entry's `case` pattern.
    pub entry: String,
    /// Why the case is expected to fail.
    pub reason: String,
    /// Where the fix is tracked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracking: Option<String>,
}

/// One step of a case: a request and what was expected of its answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(into = "StepJson", from = "StepJson")]
pub struct StepReport {
    /// The step's label, e.g. `deploy` or a name from the suite.
    pub name: String,
    /// The HTTP method sent.
    pub method: String,
    /// The path (and query) sent.
    pub path: String,
    /// The status of the last answer, if one came.
    pub status: Option<u16>,
    /// What was expected, in one line.
    pub expectation: String,
    /// How it ended: a failure with its line, and what was wanted and what came when an
    /// expectation did not hold; an error with why.
    pub outcome: StepOutcome,
    /// How long it took with every attempt, in milliseconds.
    pub duration_ms: u64,
    /// How many requests it sent (polling and retries send several).
    pub attempts: u32,
    /// The part of `duration_ms` spent pausing between attempts, in milliseconds.
    pub waited_ms: Option<u64>,
    /// The last failed attempts before the final one, one line each: `[3/..] want X, got Y`.
    pub last_attempts: Vec<String>,
    /// The request body sent, cut to a readable length.
    pub request_body: Option<String>,
    /// The last answer's body, cut to a readable length.
    pub response_body: Option<String>,
}

/// One step of a case: a request and what was expected of its answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "StepReport")]
struct StepJson {
    /// The step's label, e.g. `deploy` or a name from the suite.
    name: String,
    /// The HTTP method sent.
    method: String,
    /// The path (and query) sent.
    path: String,
    /// The status of the last answer, if one came.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    status: Option<u16>,
    /// What was expected, in one line.
    expectation: String,
    /// How it ended.
    outcome: StepWord,
    /// How long it took with every attempt, in milliseconds.
    duration_ms: u64,
    /// How many requests it sent (polling and retries send several).
    attempts: u32,
    /// The part of `duration_ms` spent pausing between attempts, in milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    waited_ms: Option<u64>,
    /// The last failed attempts before the final one, one line each: `[3/..] want X, got Y`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    last_attempts: Vec<String>,
    /// What went wrong: `want X, got Y`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    message: Option<String>,
    /// What the expectation that did not hold wanted, in words (`status 200`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    want: Option<String>,
    /// What came instead, in words (`500`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    got: Option<String>,
    /// What kind of trouble errored the step: `transport` (refused, reset, not answered in
    /// time), `suite` (the step cannot run as written), `run-timeout` (the run's `--timeout`),
    /// `cut-off` (its case's deadline, an interrupt).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    cause: Option<ErrorCause>,
    /// The request body sent, cut to a readable length.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    request_body: Option<String>,
    /// The last answer's body, cut to a readable length.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    response_body: Option<String>,
}

impl From<StepReport> for StepJson {
    fn from(s: StepReport) -> Self {
        let mismatch = s.outcome.mismatch().cloned();
        StepJson {
            name: s.name,
            method: s.method,
            path: s.path,
            status: s.status,
            expectation: s.expectation,
            outcome: s.outcome.word(),
            duration_ms: s.duration_ms,
            attempts: s.attempts,
            waited_ms: s.waited_ms,
            last_attempts: s.last_attempts,
            message: s.outcome.message().map(str::to_string),
            want: mismatch.as_ref().map(|m| m.want.clone()),
            got: mismatch.map(|m| m.got),
            cause: s.outcome.cause(),
            request_body: s.request_body,
            response_body: s.response_body,
        }
    }
}

impl From<StepJson> for StepReport {
    fn from(j: StepJson) -> Self {
        let mismatch = j.want.zip(j.got).map(|(want, got)| WantGot { want, got });
        StepReport {
            name: j.name,
            method: j.method,
            path: j.path,
            status: j.status,
            expectation: j.expectation,
            outcome: StepOutcome::from_parts(j.outcome, j.message, mismatch, j.cause),
            duration_ms: j.duration_ms,
            attempts: j.attempts,
            waited_ms: j.waited_ms,
            last_attempts: j.last_attempts,
            request_body: j.request_body,
            response_body: j.response_body,
        }
    }
}
