//! The reports' redaction: a whole report or one case, through the crate's one
//! [`Redactor`].

pub use crate::redact::{Redactor, MARKER};

use super::{CaseReport, RunReport};

impl Redactor {
    /// The report with every value in it redacted (names stay as they are).
    pub fn report(&self, report: &RunReport) -> RunReport {
        self.redacted(report)
    }

    /// One case with every value in it redacted (for the live console line).
    pub fn report_case(&self, case: &CaseReport) -> CaseReport {
        self.redacted(case)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_never_rewritten_only_values() {
        let case: CaseReport = serde_json::from_value(serde_json::json!({
            "id": "secrets::value-mounted",
            "suite": "secrets",
            "case": "value-mounted",
            "file": "suites/secrets.yaml:6:5",
            "outcome": "failed",
            "reason": "want a secret, got secret",
            "contract": ["secrets.list-without-values"],
            "duration_ms": 1,
            "steps": []
        }))
        .unwrap();
        let redacted = Redactor::new(["secret"]).report_case(&case);
        assert_eq!(redacted.id, "secrets::value-mounted");
        assert_eq!(redacted.suite, "secrets");
        assert_eq!(redacted.file, "suites/secrets.yaml:6:5");
        assert_eq!(redacted.contract, ["secrets.list-without-values"]);
        assert_eq!(
            redacted.reason.as_deref(),
            Some("want a <redacted>, got <redacted>")
        );
    }
}
