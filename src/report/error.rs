//! Errors of the report layer.

use std::path::PathBuf;

/// Why a report could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// A format could not be rendered.
    #[error("cannot render the {0} report: {1}")]
    Render(&'static str, String),
    /// A file could not be written.
    #[error("cannot write {path}: {source}", path = .0.display(), source = .1)]
    Write(PathBuf, #[source] std::io::Error),
    /// Part of the report could not be redacted, so no file is written.
    #[error(transparent)]
    Unredactable(#[from] super::Unredactable),
}
