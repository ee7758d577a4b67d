//! The HTML report: one self-contained page (inline style, no script, no request to any
//! host) with the verdict, the target and profile, a table per suite whose failures expand
//! to their transcript, and a timeline of every case.
//!
//! Callers pass a report already redacted ([`super::Redactor::report`]), as for every format;
//! every string is escaped by the templates.

mod timeline;

use base64::Engine;
use maud::{html, Markup, PreEscaped, DOCTYPE};
use sha2::{Digest, Sha256};

use super::{CaseReport, Level, Outcome, RunReport};

/// The page's only style sheet, inlined.
const STYLE: &str = include_str!("style.css");

/// The HTML format (`report.html`).
#[derive(Debug, Clone, Copy)]
pub struct Html;

impl super::Format for Html {
    fn key(&self) -> &'static str {
        "html"
    }

    fn file_name(&self) -> &'static str {
        "report.html"
    }

    fn render(&self, report: &RunReport) -> Result<String, super::ReportError> {
        Ok(render(report))
    }
}

/// Renders the report as one HTML5 document.
pub fn render(report: &RunReport) -> String {
    let run = &report.run;
    let (verdict_class, verdict_text) = verdict(report);
    let title = format!("faas-certifier: {verdict_text} — {}", run.target);
    let page = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta http-equiv="Content-Security-Policy" content=(content_security_policy());
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="referrer" content="no-referrer";
                title { (title) }
                style { (PreEscaped(STYLE)) }
            }
            body {
                header {
                    h1 { "faas-certifier report" }
                    p.verdict.(verdict_class) id="verdict" { (verdict_text) }
                    @if let Some(cause) = &report.run.root_cause {
                        p.root-cause { strong { "Root cause: " } (cause) }
                    }
                    @for reason in report.verdict.reasons.iter().filter(|r| Some(r.as_str()) != report.run.root_cause.as_deref()) {
                        p.verdict-reason { (reason) }
                    }
                    (counts(report))
                    @if let Some(cleanup) = &report.run.cleanup {
                        p.cleanup { (cleanup.line()) }
                        @for l in &cleanup.left {
                            p.leftover { code { (l.listing) } " (" (l.why) ")" }
                        }
                    }
                    (facts(report))
                }
                h2 { "Profile" }
                (profile(report))
                h2 { "Timeline" }
                (timeline::render(&report.cases, run.duration_ms))
                h2 { "Cases" }
                input #failures-only type="checkbox";
                label.filter for="failures-only" { " Show failures only" }
                div.suites {
                    @for (suite, cases) in by_suite(&report.cases) {
                        (suite_table(suite, &cases))
                    }
                }
                footer {
                    "Written by faas-certifier " (report.certifier.version)
                    " (" (report.certifier.sha) "), report schema " (report.schema) "."
                }
            }
        }
    };
    let mut out = page.into_string();
    out.push('\n');
    out
}

/// The verdict's CSS class and words. The one place the page decides what the run means.
/// The verdict's style class and words, as every format states it.
fn verdict(report: &RunReport) -> (&'static str, &str) {
    let class = match report.verdict.level {
        Level::Certified => "certified",
        Level::Partial | Level::ExpectedFailures => "partial",
        Level::Failed | Level::Errored => "not-certified",
        Level::Interrupted => "interrupted",
    };
    (class, report.verdict.words.as_str())
}

/// Nothing may be fetched; only the inline style sheet (by its hash) applies.
fn content_security_policy() -> String {
    let digest = Sha256::digest(STYLE.as_bytes());
    let hash = base64::engine::general_purpose::STANDARD.encode(digest);
    format!("default-src 'none'; style-src 'sha256-{hash}'; img-src 'none'; base-uri 'none'; form-action 'none'")
}

fn counts(report: &RunReport) -> Markup {
    let s = &report.summary;
    html! {
        p.counts {
            span { strong { (s.total) } " cases" }
            span.passed { strong { (s.passed) } " passed" }
            span.failed { strong { (s.failed) } " failed" }
            span.errored { strong { (s.errored) } " errored" }
            span.skipped { strong { (s.skipped) } " skipped" }
            @if s.blocked > 0 { span.blocked { strong { (s.blocked) } " blocked" } }
            @if s.xfailed > 0 { span.xfail { strong { (s.xfailed) } " xfailed" } }
            @if s.xpassed > 0 { span.failed { strong { (s.xpassed) } " xpassed" } }
            span { "in " (duration(report.run.duration_ms)) }
        }
    }
}

fn facts(report: &RunReport) -> Markup {
    let run = &report.run;
    let p = &run.provider;
    let provider = if p.name.is_empty() {
        "unknown"
    } else {
        p.name.as_str()
    };
    html! {
        dl.facts {
            dt { "Target" } dd.mono { (run.target) }
            dt { "Provider" } dd {
                (provider) " " (p.version)
                @if !p.sha.is_empty() { " (sha " (p.sha) ")" }
                @if !p.orchestration.is_empty() { ", " (p.orchestration) }
                ", " (p.form) " form"
            }
            dt { "Namespaces" } dd.mono {
                (run.namespace)
                @if let Some(extra) = &run.extra_namespace { ", " (extra) }
            }
            dt { "Certifier" } dd { (report.certifier.version) " (" (report.certifier.sha) ")" }
            dt { "Run id" } dd.mono { (run.id) }
            dt { "Started" } dd { (run.started_at) }
            dt { "Duration" } dd { (duration(run.duration_ms)) }
            @if let Some(settings) = &run.settings {
                dt { "Settings" } dd.mono {
                    @for (i, (flag, value)) in settings.flags().into_iter().enumerate() {
                        @if i > 0 { ", " }
                        (flag) " " (value)
                    }
                }
            }
        }
    }
}

fn profile(report: &RunReport) -> Markup {
    html! {
        table.profile {
            thead { tr { th { "Feature" } th { "Certified" } th { "Why" } } }
            tbody {
                @for f in &report.run.profile {
                    tr {
                        td.name.mono { (f.feature) }
                        td {
                            @if f.enabled { span.badge.on { "on" } } @else { span.badge.off { "off" } }
                        }
                        td { (f.reason) }
                    }
                }
            }
        }
    }
}

/// The cases grouped by suite, suites in the order they first appear.
fn by_suite(cases: &[CaseReport]) -> Vec<(&str, Vec<(usize, &CaseReport)>)> {
    let mut suites: Vec<(&str, Vec<(usize, &CaseReport)>)> = Vec::new();
    for (i, case) in cases.iter().enumerate() {
        match suites.iter_mut().find(|(s, _)| *s == case.suite) {
            Some((_, list)) => list.push((i, case)),
            None => suites.push((case.suite.as_str(), vec![(i, case)])),
        }
    }
    suites
}

/// The anchor of the `index`th case, shared by its table row and its timeline bar.
fn anchor(index: usize) -> String {
    format!("case-{index}")
}

fn outcome_class(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Passed => "passed",
        Outcome::Failed => "failed",
        Outcome::Errored => "errored",
        Outcome::Skipped => "skipped",
        Outcome::XFail => "xfail",
        Outcome::XPass => "xpass",
        Outcome::Blocked => "blocked",
    }
}

fn suite_table(suite: &str, cases: &[(usize, &CaseReport)]) -> Markup {
    html! {
        section.suite data-suite=(suite) {
            h3.mono { (suite) }
            table.cases {
                colgroup { col.name; col.outcome; col.duration; col.reason; }
                thead { tr { th { "Case" } th { "Outcome" } th { "Duration" } th { "Reason" } } }
                tbody {
                    @for (index, case) in cases {
                        (case_row(*index, case))
                    }
                }
            }
        }
    }
}

fn case_row(index: usize, case: &CaseReport) -> Markup {
    let class = outcome_class(case.outcome);
    let failed = matches!(case.outcome, Outcome::Failed | Outcome::Errored);
    html! {
        tr.case.(class) id=(anchor(index)) data-id=(case.id) data-outcome=(class) {
            td.name {
                code { (case.case) }
                @if !case.description.is_empty() { br; small { (case.description) } }
            }
            td { span.badge { (case.outcome.word()) } }
            td.num { (duration(case.duration_ms)) }
            td {
                @if failed {
                    details {
                        summary { (case.reason.as_deref().unwrap_or("")) }
                        pre.explanation { (super::explain::failure(case)) }
                    }
                } @else if let Some(reason) = &case.reason {
                    (reason)
                }
            }
        }
    }
}

/// `850 ms`, `12.3 s`, `2 min 5 s`.
fn duration(ms: u64) -> String {
    if ms < 1000 {
        format!("{ms} ms")
    } else if ms < 60_000 {
        format!("{:.1} s", ms as f64 / 1000.0)
    } else {
        format!("{} min {} s", ms / 60_000, (ms % 60_000) / 1000)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_naturally() {
        assert_eq!(duration(850), "850 ms");
        assert_eq!(duration(12_345), "12.3 s");
        assert_eq!(duration(125_000), "2 min 5 s");
    }

    #[test]
    fn the_policy_names_the_style_sheet_by_its_hash() {
        let csp = content_security_policy();
        assert!(csp.starts_with("default-src 'none'; style-src 'sha256-"));
        assert!(!csp.contains("unsafe"));
    }
}
