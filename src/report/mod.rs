//! Reports: render a run (its cases as they end, then the finished [`RunReport`]) as console
//! text, JUnit XML, JSON, Markdown and HTML. Every output is a [`Reporter`]; the files are
//! [`Format`]s listed once in [`FORMATS`]. Renderers only read what they are given: cases and
//! reports arrive redacted (once, where the runner's results become report data).

mod clauses;
pub mod console;
pub mod diff;
mod document;
mod error;
pub mod explain;
pub mod html;
pub mod junit;
pub mod markdown;
mod redact;
mod reporter;
pub mod transcript;
mod write;

pub use clauses::{clause_reports, ClauseReport};
pub use console::Console;
pub use document::*;
pub use error::ReportError;
pub use redact::{Redactor, Unredactable, MARKER, UNREDACTABLE};
pub use reporter::{format, Format, Reporter, FORMATS};
pub use write::{write_all, Destinations, Files};

/// The JSON report.
pub mod json {
    use super::{ReportError, RunReport};

    /// The JSON format (`report.json`): the report document itself, the failure explanation
    /// as its fields (reason, steps with their last attempts and bodies).
    #[derive(Debug, Clone, Copy)]
    pub struct Json;

    impl super::Format for Json {
        fn key(&self) -> &'static str {
            "json"
        }

        fn file_name(&self) -> &'static str {
            "report.json"
        }

        fn render(&self, report: &RunReport) -> Result<String, ReportError> {
            render(report)
        }
    }

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
