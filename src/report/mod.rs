//! Reports: render a finished run (a [`RunReport`]) as console text, JUnit XML, JSON,
//! Markdown and HTML. Renderers only read the report; redaction happens once, before any output.

mod clauses;
pub mod console;
pub mod diff;
mod error;
pub mod html;
pub mod junit;
pub mod markdown;
mod model;
mod redact;
pub mod transcript;
mod write;

pub use clauses::{clause_reports, ClauseReport};
pub use error::ReportError;
pub use model::*;
pub use redact::{Redactor, Unredactable, MARKER, UNREDACTABLE};
pub use write::{write_all, Destinations};

/// The JSON report.
pub mod json {
    use super::{ReportError, RunReport};

    /// Renders the report as pretty JSON (`faas-certifier/report/v1`).
    pub fn render(report: &RunReport) -> Result<String, ReportError> {
        serde_json::to_string_pretty(report)
            .map(|mut s| {
                s.push('\n');
                s
            })
            .map_err(|e| ReportError::Render("JSON", e.to_string()))
    }

    /// The JSON Schema of the report, as published in `reports/schema.json`.
    pub fn schema() -> String {
        let schema = schemars::schema_for!(RunReport);
        let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
        text.push('\n');
        text
    }
}
