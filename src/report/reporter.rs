//! How outputs consume a run: every output is a [`Reporter`] fed the same stream (each case
//! as it ends, then the finished [`RunReport`] with its one [`super::Summary`]), so their
//! counts agree by construction. The file formats are [`Format`]s, listed once in [`FORMATS`].
//!
//! Adding a report format: one new file `src/report/NAME.rs` with a type implementing
//! [`Format`], and its line in [`FORMATS`] (plus, for a single-file flag, one field in
//! `cli/args.rs`).

use std::path::PathBuf;

use super::{CaseReport, ReportError, RunReport};

/// An output of a run. Cases and reports come judged and redacted: a reporter only renders.
pub trait Reporter {
    /// The run against one target is about to start (`label` names it in a selftest);
    /// `report` has its target, provider and profile, and no case yet.
    fn run_started(&mut self, _label: &str, _report: &RunReport) {}

    /// A case ended.
    fn case_finished(&mut self, _case: &CaseReport) {}

    /// The run ended; returns the files written, if any.
    fn run_finished(&mut self, report: &RunReport) -> Result<Vec<PathBuf>, ReportError>;
}

/// A report file format.
pub trait Format: Sync {
    /// Its key, as the flag names it: `junit`, `json`, `markdown`, `html`.
    fn key(&self) -> &'static str;

    /// Its file in the report directory, e.g. `junit.xml`.
    fn file_name(&self) -> &'static str;

    /// The report in this format.
    fn render(&self, report: &RunReport) -> Result<String, ReportError>;
}

/// Every file format, in the order the report directory lists them.
pub static FORMATS: &[&dyn Format] = &[
    &super::junit::Junit,
    &super::json::Json,
    &super::markdown::Markdown,
    &super::html::Html,
];

/// The format with this key.
pub fn format(key: &str) -> Option<&'static dyn Format> {
    FORMATS.iter().copied().find(|f| f.key() == key)
}
