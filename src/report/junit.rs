//! The JUnit XML report (quick-junit): one `testsuite` per suite, one `testcase` per case,
//! in the common shape GitHub, GitLab and Jenkins read.

use std::time::Duration;

use quick_junit::{NonSuccessKind, Property, Report, TestCase, TestCaseStatus, TestSuite};

use super::{explain, CaseReport, Outcome, ReportError, RunReport};

/// The JUnit XML format (`junit.xml`).
#[derive(Debug, Clone, Copy)]
pub struct Junit;

impl super::Format for Junit {
    fn key(&self) -> &'static str {
        "junit"
    }

    fn file_name(&self) -> &'static str {
        "junit.xml"
    }

    fn render(&self, report: &RunReport) -> Result<String, ReportError> {
        render(report)
    }
}

/// Renders the report as JUnit XML.
pub fn render(report: &RunReport) -> Result<String, ReportError> {
    let mut junit = Report::new("faas-certifier");
    if let Ok(started) = chrono::DateTime::parse_from_rfc3339(&report.run.started_at) {
        junit.set_timestamp(started);
    }
    junit.set_time(Duration::from_millis(report.run.duration_ms));
    for suite in suites_in_order(report) {
        let mut test_suite = TestSuite::new(suite);
        test_suite.add_properties(properties(report));
        for case in report.cases.iter().filter(|c| c.suite == suite) {
            test_suite.add_test_case(test_case(case));
        }
        test_suite.set_time(Duration::from_millis(
            report
                .cases
                .iter()
                .filter(|c| c.suite == suite)
                .map(|c| c.duration_ms)
                .sum(),
        ));
        junit.add_test_suite(test_suite);
    }
    junit
        .to_string()
        .map_err(|e| ReportError::Render("JUnit XML", e.to_string()))
}

/// Suite names in the order their first case ran.
fn suites_in_order(report: &RunReport) -> Vec<&str> {
    let mut suites: Vec<&str> = Vec::new();
    for case in &report.cases {
        if !suites.contains(&case.suite.as_str()) {
            suites.push(&case.suite);
        }
    }
    suites
}

fn properties(report: &RunReport) -> Vec<Property> {
    let run = &report.run;
    let profile: Vec<String> = run
        .profile
        .iter()
        .map(|f| format!("{}={}", f.feature, if f.enabled { "on" } else { "off" }))
        .collect();
    let mut properties = vec![
        Property::new("target", run.target.as_str()),
        Property::new("provider", run.provider.name.as_str()),
        Property::new("provider.version", run.provider.version.as_str()),
        Property::new("provider.form", run.provider.form.as_str()),
        Property::new("profile", profile.join(",")),
        Property::new("run.id", run.id.as_str()),
        Property::new("verdict", report.verdict.words.as_str()),
        Property::new("verdict.reasons", report.verdict.reasons.join("; ")),
        Property::new("selection.filters", run.selection.filters.join(",")),
        Property::new("selection.skip", run.selection.skip.join(",")),
        Property::new("selection.exact", run.selection.exact.to_string()),
        Property::new("suites.source", run.suites.source.as_str()),
        Property::new("suites.digest", run.suites.digest.as_str()),
        Property::new("overrides", run.overrides.join(",")),
        Property::new(
            "cleanup",
            run.cleanup
                .as_ref()
                .map(|c| {
                    let mut text = c.line();
                    for l in &c.left {
                        text.push_str(&format!("; {} ({})", l.listing, l.why));
                    }
                    text
                })
                .unwrap_or_default(),
        ),
        Property::new(
            "certifier.version",
            format!("{} ({})", report.certifier.version, report.certifier.sha),
        ),
    ];
    // `settings.--settle` reads badly: `settings.settle`, `settings.timeout`, ...
    for (flag, value) in run.settings.iter().flat_map(|s| s.flags()) {
        properties.push(Property::new(
            format!(
                "settings.{}",
                flag.trim_start_matches('-').replace('-', "_")
            ),
            value,
        ));
    }
    properties
}

fn test_case(case: &CaseReport) -> TestCase {
    let reason = case.reason.clone().unwrap_or_default();
    let status = match case.outcome {
        Outcome::Passed => TestCaseStatus::success(),
        // The failure's text is the one explanation: reason, steps, last attempts.
        Outcome::Failed => non_success(
            NonSuccessKind::Failure,
            "expectation",
            &explain::failure(case),
        ),
        Outcome::Errored => non_success(
            NonSuccessKind::Error,
            error_type(case),
            &explain::failure(case),
        ),
        Outcome::Skipped => {
            let mut status = TestCaseStatus::skipped();
            status.set_message(reason.as_str());
            status
        }
        // Blocked cases are not failures of their own: the root cause is the one failure.
        // Typed `blocked`, so the counts read back as every other output gives them.
        Outcome::Blocked => {
            let mut status = TestCaseStatus::skipped();
            status.set_message(reason.as_str());
            status.set_type("blocked");
            status
        }
        // Expected failures are skipped with the reason, so dashboards stay green and
        // honest; the failure itself is the description.
        Outcome::XFail => {
            let mut status = TestCaseStatus::skipped();
            status.set_message(format!("expected failure: {}", expected_reason(case)));
            status.set_type("xfail");
            status.set_description(reason.as_str());
            status
        }
        Outcome::XPass => non_success(
            NonSuccessKind::Failure,
            "xpass",
            &format!(
                "unexpected pass: expected to fail ({}); delete the entry `{}`",
                expected_reason(case),
                case.expected_failure
                    .as_ref()
                    .map(|e| e.entry.as_str())
                    .unwrap_or_default()
            ),
        ),
    };
    let mut test_case = TestCase::new(case.case.as_str(), status);
    test_case.set_classname(case.suite.as_str());
    test_case.set_time(Duration::from_millis(case.duration_ms));
    if !case.steps.is_empty() {
        test_case.set_system_out(explain::steps(case));
    }
    test_case
}

/// The expectations file's reason for a case, with where its fix is tracked.
fn expected_reason(case: &CaseReport) -> String {
    match &case.expected_failure {
        Some(e) => match &e.tracking {
            Some(t) => format!("{} ({t})", e.reason),
            None => e.reason.clone(),
        },
        None => String::new(),
    }
}

/// An errored case's `type`: the cause of the step that errored it (`transport`, `suite`,
/// `run-timeout`, `cut-off`), or `harness` when no step did (its variables, its deadline
/// before any step).
fn error_type(case: &CaseReport) -> &'static str {
    case.steps
        .iter()
        .rev()
        .find_map(|s| s.outcome.cause())
        .map_or("harness", |c| c.name())
}

fn non_success(kind: NonSuccessKind, ty: &str, reason: &str) -> TestCaseStatus {
    let mut status = TestCaseStatus::non_success(kind);
    // The first line is the message; the whole reason is the body.
    status.set_message(reason.lines().next().unwrap_or_default());
    status.set_type(ty);
    status.set_description(reason);
    status
}
