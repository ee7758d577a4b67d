//! The Markdown conformance summary: a table per suite, for `$GITHUB_STEP_SUMMARY` and
//! merge-request comments.

use std::fmt::Write;

use super::{transcript, Outcome, RunReport};

/// How much of a reason a table cell shows.
const REASON_EXCERPT: usize = 200;

/// Renders the summary.
pub fn render(report: &RunReport) -> String {
    let run = &report.run;
    let summary = &report.summary;
    let mut out = String::new();
    let verdict = if summary.success() && !run.interrupted {
        "✅ certified"
    } else {
        "❌ not certified"
    };
    let _ = writeln!(out, "## faas-certifier: {verdict}\n");
    let provider = if run.provider.name.is_empty() {
        "unknown provider"
    } else {
        run.provider.name.as_str()
    };
    let _ = writeln!(
        out,
        "Target `{}`: {provider} {} ({} form), certifier {} ({}).\n",
        run.target,
        run.provider.version,
        run.provider.form,
        report.certifier.version,
        report.certifier.sha
    );
    let _ = writeln!(
        out,
        "**{} passed, {} failed, {} errored, {} skipped**{} in {:.1} s.\n",
        summary.passed,
        summary.failed,
        summary.errored,
        summary.skipped,
        if run.interrupted {
            " (interrupted)"
        } else {
            ""
        },
        run.duration_ms as f64 / 1000.0
    );
    let off: Vec<String> = run
        .profile
        .iter()
        .filter(|f| !f.enabled)
        .map(|f| format!("`{}` ({})", f.feature, cell(&f.reason)))
        .collect();
    if !off.is_empty() {
        let _ = writeln!(out, "Features not certified: {}.\n", off.join(", "));
    }
    let mut suites: Vec<&str> = Vec::new();
    for case in &report.cases {
        if !suites.contains(&case.suite.as_str()) {
            suites.push(&case.suite);
        }
    }
    for suite in suites {
        let _ = writeln!(
            out,
            "### {suite}\n\n| case | outcome | reason |\n|---|---|---|"
        );
        for case in report.cases.iter().filter(|c| c.suite == suite) {
            let reason = case
                .reason
                .as_deref()
                .map(|r| cell(&transcript::excerpt(r, REASON_EXCERPT)));
            let _ = writeln!(
                out,
                "| `{}` | {} {} | {} |",
                case.case,
                icon(case.outcome),
                case.outcome.word(),
                reason.unwrap_or_default()
            );
        }
        out.push('\n');
    }
    clauses(&mut out, report);
    out
}

/// The contract's clauses the cases check, each with its worst outcome; a failing clause
/// names the cases that failed it.
fn clauses(out: &mut String, report: &RunReport) {
    if report.clauses.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "### Contract clauses\n\n| clause | level | outcome | cases |\n|---|---|---|---|"
    );
    for clause in &report.clauses {
        let cases = match clause.outcome {
            Outcome::Failed | Outcome::Errored => clause
                .cases
                .iter()
                .filter(|id| {
                    report
                        .cases
                        .iter()
                        .any(|c| &&c.id == id && c.outcome == clause.outcome)
                })
                .map(|id| format!("`{id}`"))
                .collect::<Vec<_>>()
                .join(", "),
            _ => match clause.cases.len() {
                1 => "1 case".to_string(),
                n => format!("{n} cases"),
            },
        };
        let _ = writeln!(
            out,
            "| `{}` | {} | {} {} | {} |",
            clause.id,
            clause.level,
            icon(clause.outcome),
            clause.outcome.word(),
            cases
        );
    }
    out.push('\n');
}

fn icon(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Passed => "✅",
        Outcome::Failed => "❌",
        Outcome::Errored => "💥",
        Outcome::Skipped => "⏭️",
    }
}

/// Text safe inside a table cell: one line, pipes escaped.
fn cell(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace(['\r', '\n'], " ")
}

#[cfg(test)]
mod tests {
    use super::cell;

    #[test]
    fn cells_stay_on_one_line() {
        assert_eq!(cell("a|b\nc"), "a\\|b c");
    }
}
