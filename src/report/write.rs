//! Where reports go: a report directory, single files, and `$GITHUB_STEP_SUMMARY`.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use super::{html, json, junit, markdown, Redactor, ReportError, RunReport};

/// The files a run writes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Destinations {
    /// Writes `junit.xml`, `report.json`, `summary.md` and `report.html` here (None: `--no-reports`).
    pub dir: Option<PathBuf>,
    /// A JUnit XML file besides (or instead of) the directory's.
    pub junit: Option<PathBuf>,
    /// A JSON file.
    pub json: Option<PathBuf>,
    /// A Markdown file.
    pub markdown: Option<PathBuf>,
    /// An HTML file.
    pub html: Option<PathBuf>,
    /// Appends the Markdown summary here (`$GITHUB_STEP_SUMMARY`).
    pub step_summary: Option<PathBuf>,
}

/// Renders every format once, redacted, and writes each destination. Returns the files
/// written.
pub fn write_all(
    report: &RunReport,
    to: &Destinations,
    redactor: &Redactor,
) -> Result<Vec<PathBuf>, ReportError> {
    let report = redactor.report(report)?;
    let json_text = json::render(&report)?;
    let junit_text = junit::render(&report)?;
    let markdown_text = markdown::render(&report);
    let html_text = html::render(&report);
    let mut written = Vec::new();
    let mut put = |path: &Path, text: &str| -> Result<(), ReportError> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)
                .map_err(|e| ReportError::Write(parent.to_path_buf(), e))?;
        }
        std::fs::write(path, text).map_err(|e| ReportError::Write(path.to_path_buf(), e))?;
        written.push(path.to_path_buf());
        Ok(())
    };
    if let Some(dir) = &to.dir {
        put(&dir.join("junit.xml"), &junit_text)?;
        put(&dir.join("report.json"), &json_text)?;
        put(&dir.join("summary.md"), &markdown_text)?;
        put(&dir.join("report.html"), &html_text)?;
    }
    if let Some(path) = &to.junit {
        put(path, &junit_text)?;
    }
    if let Some(path) = &to.json {
        put(path, &json_text)?;
    }
    if let Some(path) = &to.markdown {
        put(path, &markdown_text)?;
    }
    if let Some(path) = &to.html {
        put(path, &html_text)?;
    }
    if let Some(path) = &to.step_summary {
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(|e| ReportError::Write(path.clone(), e))?;
        file.write_all(markdown_text.as_bytes())
            .map_err(|e| ReportError::Write(path.clone(), e))?;
        written.push(path.clone());
    }
    Ok(written)
}
