//! The report document: what a run leaves behind, as plain data. Every format renders it;
//! the JSON format is this document itself (`faas-certifier/report/v1`).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

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
    /// Counts of outcomes.
    pub summary: Summary,
    /// Every selected case, in run order.
    pub cases: Vec<CaseReport>,
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
        }
    }

    /// The console's closing line: `N passed, N failed, N skipped` (errors count as failed).
    pub fn closing_line(&self) -> String {
        format!(
            "{} passed, {} failed, {} skipped",
            self.passed,
            self.failed + self.errored,
            self.skipped
        )
    }

    /// Whether the run certifies the provider: nothing failed or errored.
    pub fn success(&self) -> bool {
        self.failed == 0 && self.errored == 0
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
}

impl Outcome {
    /// The word the console and Markdown use.
    pub fn word(self) -> &'static str {
        match self {
            Outcome::Passed => "passed",
            Outcome::Failed => "failed",
            Outcome::Errored => "error",
            Outcome::Skipped => "skipped",
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
    /// Why it failed, errored or was skipped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// How long it took, in milliseconds.
    pub duration_ms: u64,
    /// When it started, in milliseconds after the run started (the HTML timeline).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_ms: Option<u64>,
    /// The steps it ran, in order.
    pub steps: Vec<StepReport>,
}

/// How a step ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum StepOutcome {
    /// Its expectations held.
    Passed,
    /// An expectation did not hold.
    Failed,
    /// The request could not be made or answered.
    Errored,
    /// Not run because an earlier step ended the case.
    Skipped,
}

/// One step of a case: a request and what was expected of its answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StepReport {
    /// The step's label, e.g. `deploy` or a name from the suite.
    pub name: String,
    /// The HTTP method sent.
    pub method: String,
    /// The path (and query) sent.
    pub path: String,
    /// The status of the last answer, if one came.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// What was expected, in one line.
    pub expectation: String,
    /// How it ended.
    pub outcome: StepOutcome,
    /// How long it took with every attempt, in milliseconds.
    pub duration_ms: u64,
    /// How many requests it sent (polling and retries send several).
    pub attempts: u32,
    /// The part of `duration_ms` spent pausing between attempts, in milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waited_ms: Option<u64>,
    /// The last failed attempts before the final one, one line each: `[3/..] want X, got Y`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub last_attempts: Vec<String>,
    /// What went wrong: `want X, got Y`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The request body sent, cut to a readable length.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_body: Option<String>,
    /// The last answer's body, cut to a readable length.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_body: Option<String>,
}
