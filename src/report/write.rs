//! Where reports go: a report directory, single files, and `$GITHUB_STEP_SUMMARY`; the
//! [`Files`] reporter writes them.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use super::{Format, ReportError, Reporter, RunReport, FORMATS};

/// The files a run writes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Destinations {
    /// Writes every format's file (`junit.xml`, `report.json`, `summary.md`, `report.html`)
    /// here (None: `--no-reports`).
    pub dir: Option<PathBuf>,
    /// Single files besides (or instead of) the directory's: a format's key
    /// ([`Format::key`]) and the path.
    pub files: Vec<(&'static str, PathBuf)>,
    /// Appends the Markdown summary here (`$GITHUB_STEP_SUMMARY`).
    pub step_summary: Option<PathBuf>,
}

/// Renders every format once and writes each destination, as given (the report comes
/// redacted). Returns the files written.
pub fn write_all(report: &RunReport, to: &Destinations) -> Result<Vec<PathBuf>, ReportError> {
    let mut rendered: Vec<(&dyn Format, String)> = Vec::new();
    for format in FORMATS {
        let wanted = to.dir.is_some()
            || to.files.iter().any(|(key, _)| *key == format.key())
            || (to.step_summary.is_some() && format.key() == "markdown");
        if wanted {
            rendered.push((*format, format.render(report)?));
        }
    }
    let text = |key: &str| {
        rendered
            .iter()
            .find(|(f, _)| f.key() == key)
            .map(|(_, t)| t.as_str())
            .unwrap_or_default()
    };
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
        for (format, text) in &rendered {
            put(&dir.join(format.file_name()), text)?;
        }
    }
    for (key, path) in &to.files {
        put(path, text(key))?;
    }
    if let Some(path) = &to.step_summary {
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(|e| ReportError::Write(path.clone(), e))?;
        file.write_all(text("markdown").as_bytes())
            .map_err(|e| ReportError::Write(path.clone(), e))?;
        written.push(path.clone());
    }
    Ok(written)
}

/// The reporter that writes the report files.
#[derive(Debug, Clone)]
pub struct Files {
    /// Where.
    pub to: Destinations,
}

impl Reporter for Files {
    fn run_finished(&mut self, report: &RunReport) -> Result<Vec<PathBuf>, ReportError> {
        write_all(report, &self.to)
    }
}
