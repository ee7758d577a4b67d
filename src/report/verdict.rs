//! The verdict of a run: the one place that decides whether a report certifies the
//! provider, passes with expected failures, or fails.

use super::RunReport;

/// What a run amounts to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Every selected case passed or was skipped, with no expectations file.
    Certified,
    /// Nothing failed unexpectedly, judged with an expectations file: never `certified`,
    /// however few cases it excused (the count is of `xfail` cases).
    PassedWithExpectedFailures(usize),
    /// A case failed or errored, or an expected failure passed without `--allow-xpass`.
    Failed,
    /// SIGINT or SIGTERM stopped the run.
    Interrupted,
}

impl Verdict {
    /// Whether the run passes (exit status 0).
    pub fn passed(self) -> bool {
        matches!(
            self,
            Verdict::Certified | Verdict::PassedWithExpectedFailures(_)
        )
    }

    /// The verdict in words, e.g. `passed (with 2 expected failures)`.
    pub fn words(self) -> String {
        match self {
            Verdict::Certified => "certified".into(),
            Verdict::PassedWithExpectedFailures(1) => "passed (with 1 expected failure)".into(),
            Verdict::PassedWithExpectedFailures(n) => {
                format!("passed (with {n} expected failures)")
            }
            Verdict::Failed => "failed".into(),
            Verdict::Interrupted => "interrupted".into(),
        }
    }
}

/// Judges a report.
pub fn verdict(report: &RunReport) -> Verdict {
    let summary = &report.summary;
    let allow_xpass = report
        .run
        .expectations
        .as_ref()
        .is_some_and(|e| e.allow_xpass);
    if report.run.interrupted {
        Verdict::Interrupted
    } else if !summary.success() || (summary.xpassed > 0 && !allow_xpass) {
        Verdict::Failed
    } else if report.run.expectations.is_some() {
        Verdict::PassedWithExpectedFailures(summary.xfailed)
    } else {
        Verdict::Certified
    }
}
