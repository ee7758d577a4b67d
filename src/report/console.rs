//! The console report: a header naming the target and profile, libtest-style lines while
//! the run goes, each failure explained at the end, and the closing count.
//!
//! Callers pass a report already redacted ([`super::Redactor::report`]), as for every format.
//! [`Console`] is the console as a [`Reporter`].

use std::fmt::Write;

use std::path::PathBuf;

use super::{explain, CaseReport, Outcome, ReportError, Reporter, RunReport};

/// Whether to colour the output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Style {
    /// Use ANSI colours.
    pub color: bool,
}

impl Style {
    fn paint(self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }

    fn green(self, text: &str) -> String {
        self.paint("32", text)
    }

    fn red(self, text: &str) -> String {
        self.paint("31", text)
    }

    fn yellow(self, text: &str) -> String {
        self.paint("33", text)
    }

    fn bold(self, text: &str) -> String {
        self.paint("1", text)
    }
}

/// The header: target, provider and version, and every optional feature with its reason.
pub fn header(report: &RunReport, style: Style) -> String {
    let run = &report.run;
    let provider = &run.provider;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} {} ({}) certifying {}",
        style.bold("faas-certifier"),
        report.certifier.version,
        report.certifier.sha,
        run.target
    );
    let name = if provider.name.is_empty() {
        "unknown"
    } else {
        provider.name.as_str()
    };
    let _ = writeln!(
        out,
        "provider: {name} {} (sha {}, {}, {} form)",
        provider.version, provider.sha, provider.orchestration, provider.form
    );
    let extra = run
        .extra_namespace
        .as_deref()
        .map(|ns| format!(", extra {ns}"))
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "namespace: {}{extra}; run id {}",
        run.namespace, run.id
    );
    for warning in &run.warnings {
        let _ = writeln!(out, "{} {warning}", style.yellow("warning:"));
    }
    let _ = writeln!(out, "profile:");
    for feature in &run.profile {
        let state = if feature.enabled {
            style.green("on ")
        } else {
            style.yellow("off")
        };
        let _ = writeln!(out, "  {state} {:<16} {}", feature.feature, feature.reason);
    }
    out
}

/// One libtest-style line: `test invoke::verbs ... ok (12 ms)`.
pub fn case_line(case: &CaseReport, style: Style) -> String {
    let word = match case.outcome {
        Outcome::Passed => style.green("ok"),
        Outcome::Failed => style.red("FAILED"),
        Outcome::Errored => style.red("ERROR"),
        Outcome::Skipped => style.yellow("ignored"),
        Outcome::XFail => style.yellow("xfail"),
        Outcome::XPass => style.red("XPASS"),
        Outcome::Blocked => style.yellow("blocked"),
    };
    let detail = match (case.outcome, &case.reason, &case.expected_failure) {
        (Outcome::Skipped | Outcome::Blocked, Some(reason), _) => format!(", {reason}"),
        (Outcome::XFail, _, Some(expected)) => format!(", expected: {}", expected.reason),
        (Outcome::XPass, _, Some(expected)) => {
            format!(", expected to fail: {}", expected.reason)
        }
        _ => String::new(),
    };
    format!(
        "test {} ... {word} ({} ms{detail})",
        case.id, case.duration_ms
    )
}

/// Every failed or errored case explained: file and case, the steps, what was expected and
/// what came back.
pub fn failures(report: &RunReport, style: Style) -> String {
    let mut out = String::new();
    let broken: Vec<&CaseReport> = report
        .cases
        .iter()
        .filter(|c| explain::is_explained(c))
        .collect();
    if broken.is_empty() {
        return out;
    }
    let _ = writeln!(out, "\nfailures:\n");
    for case in &broken {
        let _ = writeln!(out, "---- {} ({}) ----", style.bold(&case.id), case.file);
        let text = explain::failure(case);
        // The reason (its first line) in red, the rest as it is.
        match (&case.reason, text.split_once('\n')) {
            (Some(_), Some((reason, rest))) => {
                let _ = writeln!(out, "{}", style.red(reason));
                out.push_str(rest);
            }
            _ => out.push_str(&text),
        }
        out.push('\n');
    }
    let _ = writeln!(out, "failures:");
    for case in broken {
        let _ = writeln!(out, "    {}", case.id);
    }
    out
}

/// The cases an expectations file judged, listed apart: expected failures with their
/// reasons, and unexpected passes with the entry to delete.
pub fn expected(report: &RunReport, style: Style) -> String {
    let mut out = String::new();
    let list = |outcome: Outcome| report.cases.iter().filter(move |c| c.outcome == outcome);
    if list(Outcome::XFail).next().is_some() {
        let _ = writeln!(
            out,
            "
expected failures (xfail):"
        );
        for case in list(Outcome::XFail) {
            let why = case
                .expected_failure
                .as_ref()
                .map(|e| e.reason.as_str())
                .unwrap_or_default();
            let _ = writeln!(out, "    {} ({why})", case.id);
        }
    }
    if list(Outcome::XPass).next().is_some() {
        let file = report
            .run
            .expectations
            .as_ref()
            .map(|e| e.file.as_str())
            .unwrap_or("the expectations file");
        let _ = writeln!(
            out,
            "
{} (delete their entries from {file}):",
            style.red("unexpected passes (xpass)")
        );
        for case in list(Outcome::XPass) {
            let entry = case
                .expected_failure
                .as_ref()
                .map(|e| e.entry.as_str())
                .unwrap_or_default();
            let _ = writeln!(out, "    {} (entry `{entry}`)", case.id);
        }
    }
    out
}

/// The end of the console report: the root cause (once), the verdict with why it is not
/// higher, and the closing line `N passed, N failed, N errored, N skipped, N blocked`
/// ([`super::Summary::closing_line`], the words every report uses), alone on its line.
pub fn closing(report: &RunReport, style: Style) -> String {
    let summary = &report.summary;
    let verdict = &report.verdict;
    let paint = |text: &str| {
        if verdict.level.passed() {
            style.green(text)
        } else {
            style.red(text)
        }
    };
    let mut out = String::from("\n");
    if let Some(cause) = &report.run.root_cause {
        let _ = writeln!(out, "{} {cause}", style.red("root cause:"));
        if summary.blocked > 0 {
            let _ = writeln!(
                out,
                "{} cases blocked by it were not run or were stopped",
                summary.blocked
            );
        }
    }
    let _ = writeln!(out, "verdict: {}", paint(&verdict.words));
    for reason in &verdict.reasons {
        if report.run.root_cause.as_deref() != Some(reason.as_str()) {
            let _ = writeln!(out, "  {reason}");
        }
    }
    let _ = writeln!(out, "{}", paint(&summary.closing_line()));
    out
}

/// Where the console's text goes (stdout, behind the live status area when there is one).
pub type Out = Box<dyn FnMut(&str) + Send>;

/// The console as a reporter: the header, a line (or with `quiet` a character) per case as
/// it ends, then the failures explained and the expected failures. [`Console::close`]
/// prints the closing count, last.
pub struct Console {
    style: Style,
    quiet: bool,
    out: Out,
}

impl std::fmt::Debug for Console {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Console")
            .field("style", &self.style)
            .field("quiet", &self.quiet)
            .finish()
    }
}

impl Console {
    /// A console writing to `out`.
    pub fn new(style: Style, quiet: bool, out: Out) -> Self {
        Self { style, quiet, out }
    }

    /// Prints the end of the report: the root cause, the verdict and the closing count.
    pub fn close(&mut self, report: &RunReport) {
        (self.out)(&closing(report, self.style));
    }

    /// Prints a line of its own (e.g. the files written).
    pub fn say(&mut self, text: &str) {
        (self.out)(text);
    }
}

/// A case's character in `--quiet` mode.
pub fn quiet_char(outcome: Outcome) -> char {
    match outcome {
        Outcome::Passed => '.',
        Outcome::Failed | Outcome::Errored => 'F',
        Outcome::Skipped => 'i',
        Outcome::XFail => 'x',
        Outcome::XPass => 'X',
        Outcome::Blocked => 'b',
    }
}

impl Reporter for Console {
    fn run_started(&mut self, label: &str, report: &RunReport) {
        let header = header(report, self.style);
        if label.is_empty() {
            (self.out)(&header);
        } else {
            (self.out)(&format!("[{label}] {header}"));
        }
    }

    fn case_finished(&mut self, case: &CaseReport) {
        if self.quiet {
            (self.out)(&quiet_char(case.outcome).to_string());
        } else {
            (self.out)(&format!("{}\n", case_line(case, self.style)));
        }
    }

    fn run_finished(&mut self, report: &RunReport) -> Result<Vec<PathBuf>, ReportError> {
        if self.quiet {
            (self.out)("\n");
        }
        (self.out)(&failures(report, self.style));
        (self.out)(&expected(report, self.style));
        Ok(Vec::new())
    }
}
