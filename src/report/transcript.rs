//! A case's step-by-step transcript (requests and answers), for JUnit `system-out` and the
//! console's failure explanations.

use std::fmt::Write;

use super::{CaseReport, StepOutcome};

/// How much of a body a transcript shows.
pub const BODY_EXCERPT: usize = 400;

/// A body on one line: quoted, with newlines and control characters escaped, and cut.
pub fn body_line(text: &str) -> String {
    let cut = excerpt(text, BODY_EXCERPT);
    format!("\"{}\"", cut.escape_debug())
}

/// Cuts `text` to at most `max` characters, saying how much was left out.
pub fn excerpt(text: &str, max: usize) -> String {
    let count = text.chars().count();
    if count <= max {
        return text.to_string();
    }
    let kept: String = text.chars().take(max).collect();
    format!("{kept}… ({} more characters)", count - max)
}

/// One line per step, with the failing step's details under it.
pub fn render(case: &CaseReport) -> String {
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
            outcome_word(step.outcome)
        );
        if step.outcome == StepOutcome::Skipped {
            continue;
        }
        let _ = writeln!(out, "   want: {}", step.expectation);
        if let Some(message) = &step.message {
            let _ = writeln!(out, "   got:  {message}");
        }
        if let Some(body) = step.request_body.as_deref().filter(|b| !b.is_empty()) {
            let _ = writeln!(out, "   sent: {}", body_line(body));
        }
        if step.outcome != StepOutcome::Passed {
            if let Some(body) = step.response_body.as_deref().filter(|b| !b.is_empty()) {
                let _ = writeln!(out, "   body: {}", body_line(body));
            }
        }
    }
    out
}

fn outcome_word(outcome: StepOutcome) -> &'static str {
    match outcome {
        StepOutcome::Passed => "ok",
        StepOutcome::Failed => "FAILED",
        StepOutcome::Errored => "ERROR",
        StepOutcome::Skipped => "not run",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpt_counts_what_it_cut() {
        assert_eq!(excerpt("abc", 5), "abc");
        assert_eq!(excerpt("abcdef", 2), "ab… (4 more characters)");
        assert_eq!(excerpt("ééé", 1), "é… (2 more characters)");
    }
}
