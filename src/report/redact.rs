//! The reports' redaction: a whole report or one case, through the crate's one
//! [`Redactor`].

pub use crate::redact::{Redactor, Unredactable, MARKER, UNREDACTABLE};

use super::{CaseReport, RunReport};

impl Redactor {
    /// The report with every value in it redacted (names stay as they are); an error when
    /// part of it cannot be, so nothing unredacted is ever written.
    pub fn report(&self, report: &RunReport) -> Result<RunReport, Unredactable> {
        Ok(RunReport {
            schema: report.schema.clone(),
            certifier: report.certifier.clone(),
            run: self.redacted(&report.run)?,
            verdict: self.redacted(&report.verdict)?,
            summary: report.summary,
            cases: report.cases.iter().map(|c| self.report_case(c)).collect(),
            clauses: self.redacted(&report.clauses)?,
        })
    }

    /// One case with every value in it redacted; a case that cannot be keeps only its names,
    /// outcome and duration, its text replaced by [`UNREDACTABLE`].
    pub fn report_case(&self, case: &CaseReport) -> CaseReport {
        self.redacted(case).unwrap_or_else(|_| CaseReport {
            id: case.id.clone(),
            suite: case.suite.clone(),
            case: case.case.clone(),
            file: case.file.clone(),
            description: String::new(),
            outcome: case.outcome,
            contract: case.contract.clone(),
            reason: Some(UNREDACTABLE.to_string()),
            expected_failure: None,
            duration_ms: case.duration_ms,
            started_ms: case.started_ms,
            steps: Vec::new(),
        })
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
            Some("want a <redacted: value 1 of this run, 6 bytes>, got <redacted: value 1 of this run, 6 bytes>")
        );
    }
}
