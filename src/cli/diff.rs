//! `faas-certifier diff OLD.json NEW.json`: what changed between two JSON reports, as a
//! table or as Markdown for a pull-request comment; exit 1 when a case newly fails.

use std::path::{Path, PathBuf};

use crate::exit;
use crate::report::diff::{self, Compared};

/// Options of `faas-certifier diff`.
#[derive(Debug, Clone, clap::Args)]
pub struct DiffArgs {
    /// The earlier JSON report (e.g. the main branch's report.json).
    #[arg(value_name = "OLD.json")]
    pub old: PathBuf,
    /// The later JSON report.
    #[arg(value_name = "NEW.json")]
    pub new: PathBuf,
    /// Print Markdown (for a pull-request comment) instead of a table.
    #[arg(long)]
    pub markdown: bool,
}

/// Why a report given to `diff` cannot be compared.
#[derive(Debug, thiserror::Error)]
enum ReadError {
    /// The file cannot be read.
    #[error("cannot read {}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// It is not a JSON report.
    #[error(transparent)]
    NotAReport(#[from] diff::NotAReport),
}

/// Reads a JSON report.
fn read(path: &Path) -> Result<Compared, ReadError> {
    let text = std::fs::read_to_string(path).map_err(|source| ReadError::Io {
        path: path.into(),
        source,
    })?;
    Ok(Compared::parse(&path.display().to_string(), &text)?)
}

/// Runs `faas-certifier diff` and returns the exit status.
pub fn main(args: DiffArgs) -> i32 {
    let (old, new) = match (read(&args.old), read(&args.new)) {
        (Ok(old), Ok(new)) => (old, new),
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("error: {e}");
            return exit::USAGE;
        }
    };
    let changes = diff::diff(&old, &new);
    if args.markdown {
        print!("{}", diff::markdown(&changes));
    } else {
        print!("{}", diff::table(&changes));
    }
    if changes.regressed() {
        exit::FAILED
    } else {
        exit::SUCCESS
    }
}
