//! The one rendering of a failure: why the case failed, then each step it ran with what was
//! expected and what came back, and for the step that failed its last attempts (up to five)
//! with excerpts of what was sent and what came. The console, JUnit (the failure's text),
//! Markdown and HTML all show this text; JSON carries the same fields as data.

use std::fmt::Write;

use super::transcript::body_line;
use super::{CaseReport, Outcome};
use crate::outcome::StepOutcome;

/// Whether a case's outcome is explained (it failed, errored or passed unexpectedly).
pub fn is_explained(case: &CaseReport) -> bool {
    matches!(case.outcome, Outcome::Failed | Outcome::Errored)
}

/// The failure of `case` in words: its reason, then [`steps`].
pub fn failure(case: &CaseReport) -> String {
    let mut out = String::new();
    if let Some(reason) = &case.reason {
        let _ = writeln!(out, "{reason}");
    }
    out.push_str(&steps(case));
    out
}

/// One line per step, with the details of each that did not pass under it: `want`, `got`,
/// what was sent, what came back and the last attempts before the final one.
pub fn steps(case: &CaseReport) -> String {
    let mut out = String::new();
    for (i, step) in case.steps.iter().enumerate() {
        let status = step
            .status
            .map_or_else(|| "no answer".to_string(), |s| s.to_string());
        let attempts = if step.attempts > 1 {
            format!(", {} attempts", step.attempts)
        } else {
            String::new()
        };
        let _ = writeln!(
            out,
            "{}. {} {} {} -> {} ({} ms{attempts}) {}",
            i + 1,
            step.name,
            step.method,
            step.path,
            status,
            step.duration_ms,
            outcome_word(&step.outcome)
        );
        let _ = writeln!(out, "   want: {}", step.expectation);
        if let Some(message) = step.outcome.message() {
            let _ = writeln!(out, "   got:  {message}");
        }
        if let Some(body) = step.request_body.as_deref().filter(|b| !b.is_empty()) {
            let _ = writeln!(out, "   sent: {}", body_line(body));
        }
        if step.outcome != StepOutcome::Passed {
            if let Some(body) = step.response_body.as_deref().filter(|b| !b.is_empty()) {
                let _ = writeln!(out, "   body: {}", body_line(body));
            }
            if !step.last_attempts.is_empty() {
                let _ = writeln!(out, "   last attempts:");
                for line in &step.last_attempts {
                    let _ = writeln!(out, "     {line}");
                }
            }
        }
    }
    out
}

fn outcome_word(outcome: &StepOutcome) -> &'static str {
    match outcome {
        StepOutcome::Passed => "ok",
        StepOutcome::Failed(_) => "FAILED",
        StepOutcome::Errored(_) => "ERROR",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::StepReport;

    #[test]
    fn a_failure_shows_its_reason_exchange_and_last_attempts() {
        let step = StepReport {
            name: "scale".into(),
            method: "GET".into(),
            path: "/system/function/f".into(),
            status: Some(200),
            expectation: "replicas 2".into(),
            outcome: StepOutcome::Failed(crate::outcome::Failure {
                message: "want replicas 2, got 1".into(),
                mismatch: Some(crate::outcome::WantGot {
                    want: "replicas 2".into(),
                    got: "1".into(),
                }),
            }),
            duration_ms: 900,
            attempts: 7,
            waited_ms: Some(600),
            last_attempts: (3..=7)
                .map(|n| format!("[{n}/..] want replicas 2, got 1"))
                .collect(),
            request_body: Some("{\"service\":\"f\"}".into()),
            response_body: Some("{\"replicas\":1}".into()),
        };
        let case = CaseReport {
            id: "scale::up".into(),
            suite: "scale".into(),
            case: "up".into(),
            file: "suites/scale.yaml:3:5".into(),
            description: String::new(),
            outcome: Outcome::Failed,
            contract: Vec::new(),
            reason: Some("step `scale`: want replicas 2, got 1".into()),
            expected_failure: None,
            duration_ms: 900,
            started_ms: None,
            steps: vec![step],
        };
        let text = failure(&case);
        assert!(
            text.starts_with("step `scale`: want replicas 2, got 1\n"),
            "{text}"
        );
        assert!(text.contains("   last attempts:\n     [3/..]"), "{text}");
        assert!(
            text.contains("     [7/..] want replicas 2, got 1\n"),
            "{text}"
        );
        assert!(
            text.contains("   sent: \"{\\\"service\\\":\\\"f\\\"}\""),
            "{text}"
        );
        assert!(text.contains("   body: \"{\\\"replicas\\\":1}\""), "{text}");
    }
}
