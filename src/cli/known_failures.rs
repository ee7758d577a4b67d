//! `run --expect FILE`, `--allow-xpass` and `--write-expectations FILE`: judging each case
//! against an expectations file, and writing a starting file from a run's failures.

use std::path::Path;

use crate::report::{CaseReport, ExpectationsUsed, ExpectedFailureReport, Outcome, RunReport};
use crate::suite::{starting_file, ExpectedFailure, Failing, KnownFailures, Suite};

/// An expectations file ready to judge cases.
#[derive(Debug, Clone)]
pub struct Judge {
    /// The file's entries.
    expectations: KnownFailures,
    /// Whether `xpass` leaves the run passing (`--allow-xpass`).
    allow_xpass: bool,
}

impl Judge {
    /// Loads `path` and checks that each entry covers a case of `suites`.
    pub fn load(path: &Path, suites: &[Suite], allow_xpass: bool) -> Result<Self, String> {
        let expectations = KnownFailures::load(path).map_err(|e| e.to_string())?;
        expectations
            .check_against(suites)
            .map_err(|e| e.to_string())?;
        Ok(Self {
            expectations,
            allow_xpass,
        })
    }

    /// What the report says of the file.
    pub fn used(&self) -> ExpectationsUsed {
        ExpectationsUsed {
            file: self.expectations.file().to_string(),
            entries: self.expectations.entries().len(),
            allow_xpass: self.allow_xpass,
        }
    }

    /// Judges the case of `trial`: a failure or error its entry expects becomes `xfail`
    /// (its reason kept), a pass becomes `xpass`; a skip stays a skip.
    pub fn apply(&self, trial: &str, case: &mut CaseReport) {
        let Some(entry) = self.expectations.entry_for(trial) else {
            // Blocked by a foundation the file expects to fail: not run for a known reason,
            // so it does not fail the run on its own.
            let foundation = (case.outcome == Outcome::Blocked)
                .then(|| case.reason.as_deref().and_then(blocked_by))
                .flatten()
                .filter(|base| self.expectations.entry_for(base).is_some());
            if let Some(base) = foundation {
                case.reason = Some(format!("not run: it builds on {base}, an expected failure"));
                case.outcome = Outcome::Skipped;
            }
            return;
        };
        let outcome = match case.outcome {
            // A blocked case did not pass either: its entry excuses it like a failure.
            Outcome::Failed | Outcome::Errored | Outcome::Blocked => Outcome::XFail,
            Outcome::Passed => Outcome::XPass,
            Outcome::Skipped | Outcome::XFail | Outcome::XPass => return,
        };
        if outcome == Outcome::XPass {
            case.reason = Some(format!(
                "passed, but {} expects it to fail ({}): delete the entry `{}`",
                self.expectations.file(),
                entry.failure.reason,
                entry.failure.case
            ));
        }
        case.outcome = outcome;
        case.expected_failure = Some(ExpectedFailureReport {
            entry: entry.failure.case.clone(),
            reason: entry.failure.reason.clone(),
            tracking: entry.failure.tracking.clone(),
        });
    }

    /// Whether a case judged `outcome` fails the run.
    pub fn fails_run(&self, outcome: Outcome) -> bool {
        match outcome {
            Outcome::Failed | Outcome::Errored | Outcome::Blocked => true,
            Outcome::XPass => !self.allow_xpass,
            Outcome::Passed | Outcome::Skipped | Outcome::XFail => false,
        }
    }
}

/// The foundation named by a blocked case's reason (`blocked by T, which ...`, as the runner
/// words it).
fn blocked_by(reason: &str) -> Option<&str> {
    reason
        .strip_prefix(crate::runner::BLOCKED_BY)?
        .split_once(", which")
        .map(|(base, _)| base)
}

/// Writes a starting expectations file listing every case of `report` that failed, errored
/// or was an expected failure (whose reason is kept); returns how many entries it has.
pub fn write_starting(path: &Path, report: &RunReport) -> Result<usize, String> {
    let trial = |case: &CaseReport| format!("{}::{}", case.suite, case.case);
    let failing: Vec<Failing> = report
        .cases
        .iter()
        .filter(|c| {
            matches!(
                c.outcome,
                Outcome::Failed | Outcome::Errored | Outcome::Blocked | Outcome::XFail
            )
        })
        .map(|c| Failing {
            trial: trial(c),
            observed: c.reason.clone().unwrap_or_default(),
            known: c.expected_failure.as_ref().map(|e| ExpectedFailure {
                case: e.entry.clone(),
                reason: e.reason.clone(),
                tracking: e.tracking.clone(),
            }),
        })
        .collect();
    let passed: Vec<String> = report
        .cases
        .iter()
        .filter(|c| matches!(c.outcome, Outcome::Passed | Outcome::XPass))
        .map(trial)
        .collect();
    let text = starting_file(&failing, &passed);
    let entries = KnownFailures::parse(&path.display().to_string(), &text)
        .map(|e| e.entries().len())
        .map_err(|e| format!("the starting file does not read back: {e}"))?;
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
    }
    std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(entries)
}
