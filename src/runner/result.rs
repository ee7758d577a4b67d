//! Result data a run produces; reports render it and never reach back into the runner.

use std::time::Duration;

use serde::Serialize;

use crate::outcome::StepOutcome;
use crate::suite::Source;

/// How a case ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", content = "reason", rename_all = "lowercase")]
pub enum CaseOutcome {
    /// Every step held.
    Passed,
    /// An expectation did not hold.
    Failed(String),
    /// The harness could not do its job (transport failure, bad step, deadline).
    Errored(String),
    /// Not run, with the reason (a missing feature).
    Skipped(String),
    /// Not run, or stopped, because of a root cause reported elsewhere: a case it builds on
    /// failed, or the provider stopped answering.
    Blocked(String),
}

/// What one step sent, expected and got (the last attempt when retried).
#[derive(Debug, Clone, Serialize)]
pub struct StepResult {
    /// The step's label.
    pub label: String,
    /// Where it is written.
    pub source: Source,
    /// The HTTP method of the last request.
    pub method: String,
    /// The path and query of the last request.
    pub path: String,
    /// The status of the last answer, if one came.
    pub status: Option<u16>,
    /// What was expected, in words.
    pub expectation: String,
    /// How it ended.
    pub outcome: StepOutcome,
    /// How many times the request was sent.
    pub attempts: u32,
    /// Wall time of the whole step.
    #[serde(serialize_with = "millis")]
    pub duration: Duration,
    /// The part of `duration` spent pausing between attempts (polling).
    #[serde(serialize_with = "millis")]
    pub waited: Duration,
    /// The start of the request (headers and body), its secrets masked before it was cut.
    pub request_excerpt: String,
    /// The start of the answer (status, headers and body), its body's secrets masked before
    /// it was cut; the rest is redacted where events become report data (`cli/collect.rs`).
    pub response_excerpt: String,
    /// One line per failed attempt: `[3/..] want X, got Y`.
    pub attempt_log: Vec<String>,
}

/// The result of one trial (a case in one namespace).
#[derive(Debug, Clone, Serialize)]
pub struct CaseResult {
    /// The trial name, `suite::case` or `suite::case@extra`.
    pub trial: String,
    /// The suite.
    pub suite: String,
    /// The case.
    pub case: String,
    /// What the case checks.
    pub description: String,
    /// The clauses of CONTRACT.md the case checks.
    pub contract: Vec<String>,
    /// The suite file and the case's position.
    pub source: Source,
    /// The namespace it ran in.
    pub namespace: String,
    /// How it ended.
    #[serde(flatten)]
    pub outcome: CaseOutcome,
    /// Wall time, cleanup included.
    #[serde(serialize_with = "millis")]
    pub duration: Duration,
    /// When it started (the reports' timeline places it by this).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub started_at: Option<chrono::DateTime<chrono::Utc>>,
    /// The steps performed, in order.
    pub steps: Vec<StepResult>,
    /// Resources the cleanup could not delete (or left on purpose with `--keep`).
    pub leftovers: Vec<String>,
}

fn millis<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u64(d.as_millis() as u64)
}

/// Cuts `text` to at most `max` bytes on a char boundary, saying how much was left out.
/// Within a check's redaction scope ([`crate::redact::scoped`]) its secrets are replaced
/// first: a secret cut in two would no longer be found whole.
pub fn excerpt(text: &str, max: usize) -> String {
    let text = crate::redact::in_scope(text);
    let text = text.as_ref();
    if text.len() <= max {
        return text.to_string();
    }
    let mut cut = max;
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}... ({} more bytes)", &text[..cut], text.len() - cut)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpt_cuts_long_text_on_char_boundary() {
        assert_eq!(excerpt("short", 10), "short");
        let cut = excerpt("ééééé", 3);
        assert!(cut.starts_with('é') && cut.contains("more bytes"), "{cut}");
    }
}
