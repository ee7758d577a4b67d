//! The Markdown conformance summary: a table per suite, for `$GITHUB_STEP_SUMMARY` and
//! merge-request comments.

use std::fmt::Write;

use super::{explain, transcript, Level, Outcome, RunReport};

/// How much of a reason a table cell shows.
const REASON_EXCERPT: usize = 200;

/// The Markdown format (`summary.md`).
#[derive(Debug, Clone, Copy)]
pub struct Markdown;

impl super::Format for Markdown {
    fn key(&self) -> &'static str {
        "markdown"
    }

    fn file_name(&self) -> &'static str {
        "summary.md"
    }

    fn render(&self, report: &RunReport) -> Result<String, super::ReportError> {
        Ok(render(report))
    }
}

/// Renders the summary.
pub fn render(report: &RunReport) -> String {
    let mut out = String::new();
    verdict(&mut out, report);
    cleanup(&mut out, report);
    run_facts(&mut out, report);
    out.push_str(&expected(report));
    suite_tables(&mut out, report);
    failures(&mut out, report);
    clauses(&mut out, report);
    out
}

/// The heading with the verdict, the root cause and the verdict's other reasons.
fn verdict(out: &mut String, report: &RunReport) {
    let run = &report.run;
    let mark = match report.verdict.level {
        Level::Certified => "✅",
        Level::Partial | Level::ExpectedFailures => "☑️",
        Level::Failed | Level::Errored => "❌",
        Level::Interrupted => "⏹️",
    };
    let _ = writeln!(out, "## faas-certifier: {mark} {}\n", report.verdict.words);
    if let Some(cause) = &run.root_cause {
        let _ = writeln!(out, "**Root cause:** {}\n", cell(cause));
    }
    for reason in &report.verdict.reasons {
        if run.root_cause.as_deref() != Some(reason.as_str()) {
            let _ = writeln!(out, "- {}", cell(reason));
        }
    }
    if !report.verdict.reasons.is_empty() {
        out.push('\n');
    }
}

/// The cleanup line and each leftover with why.
fn cleanup(out: &mut String, report: &RunReport) {
    let Some(cleanup) = &report.run.cleanup else {
        return;
    };
    let _ = writeln!(out, "{}\n", cleanup.line());
    for l in &cleanup.left {
        let _ = writeln!(out, "- `{}` ({})", l.listing, cell(&l.why));
    }
    if !cleanup.left.is_empty() {
        out.push('\n');
    }
}

/// The target, suites and selection, settings, warnings, counts and features not certified.
fn run_facts(out: &mut String, report: &RunReport) {
    let run = &report.run;
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
    let overrides = if run.overrides.is_empty() {
        String::new()
    } else {
        format!("; features forced: `{}`", run.overrides.join("`, `"))
    };
    let _ = writeln!(
        out,
        "Suites: {} (digest `{}`); selection: {}{overrides}.\n",
        run.suites.source,
        short(&run.suites.digest),
        selection(&run.selection)
    );
    if let Some(settings) = &run.settings {
        let flags: Vec<String> = settings
            .flags()
            .into_iter()
            .map(|(flag, value)| format!("`{flag} {value}`"))
            .collect();
        let _ = writeln!(out, "Settings: {}.\n", flags.join(", "));
    }
    for warning in &run.warnings {
        let _ = writeln!(out, "**Warning:** {}\n", cell(warning));
    }
    let _ = writeln!(
        out,
        "**{}**{} in {:.1} s.\n",
        report.summary.closing_line(),
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
}

/// The selection in words: `every case`, or the filters and skips.
fn selection(sel: &super::Selection) -> String {
    if sel.is_all() {
        return "every case".to_string();
    }
    let mut parts = Vec::new();
    if !sel.filters.is_empty() {
        parts.push(format!(
            "cases matching `{}`{}",
            sel.filters.join("`, `"),
            if sel.exact { " exactly" } else { "" }
        ));
    }
    if !sel.skip.is_empty() {
        parts.push(format!("skipping `{}`", sel.skip.join("`, `")));
    }
    parts.join(", ")
}

/// A table per suite, in the report's order: each case, its outcome and reason.
fn suite_tables(out: &mut String, report: &RunReport) {
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
}

/// Each failed or errored case explained ([`explain::failure`]), folded.
fn failures(out: &mut String, report: &RunReport) {
    let broken: Vec<_> = report
        .cases
        .iter()
        .filter(|c| explain::is_explained(c))
        .collect();
    if broken.is_empty() {
        return;
    }
    let _ = writeln!(out, "### Failures\n");
    for case in broken {
        let text = explain::failure(case).replace("```", "`\u{200b}``");
        let _ = writeln!(
            out,
            "<details><summary><code>{}</code> ({})</summary>\n\n```text\n{}```\n\n</details>\n",
            case.id, case.file, text
        );
    }
}

/// The cases an expectations file judged, listed apart from the suites' tables.
fn expected(report: &RunReport) -> String {
    let mut out = String::new();
    let file = report
        .run
        .expectations
        .as_ref()
        .map(|e| format!("`{}`", cell(&e.file)))
        .unwrap_or_else(|| "the expectations file".into());
    let sections = [
        (
            Outcome::XFail,
            format!("### Expected failures\n\nFailing as {file} expects.\n"),
        ),
        (
            Outcome::XPass,
            format!("### Unexpected passes\n\nExpected to fail, but passed: delete their entries from {file}.\n"),
        ),
    ];
    for (outcome, title) in sections {
        let cases: Vec<_> = report
            .cases
            .iter()
            .filter(|c| c.outcome == outcome)
            .collect();
        if cases.is_empty() {
            continue;
        }
        let _ = writeln!(
            out,
            "{title}\n| case | entry | expected because | tracking |\n|---|---|---|---|"
        );
        for case in cases {
            let (entry, why, tracking) = case
                .expected_failure
                .as_ref()
                .map(|e| {
                    (
                        e.entry.as_str(),
                        e.reason.as_str(),
                        e.tracking.as_deref().unwrap_or_default(),
                    )
                })
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "| `{}` | `{}` | {} | {} |",
                case.id,
                cell(entry),
                cell(why),
                cell(tracking)
            );
        }
        out.push('\n');
    }
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
        Outcome::XFail => "☑️",
        Outcome::XPass => "⚠️",
        Outcome::Blocked => "⛔",
    }
}

/// The first 12 hex digits of a digest, enough to tell suites apart.
fn short(digest: &str) -> &str {
    digest.get(..12).unwrap_or(digest)
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
