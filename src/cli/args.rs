//! The options `run` and `selftest` share: where reports go and how the console looks.

use std::io::IsTerminal;
use std::path::PathBuf;

use crate::report::{console, Destinations};

/// When to colour the console.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    /// When the output is a terminal (and `NO_COLOR` is unset or empty).
    #[default]
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

/// Report and console options shared by `run` and `selftest`.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct OutputArgs {
    /// Write junit.xml, report.json, summary.md and report.html into DIR [default: reports].
    #[arg(long, value_name = "DIR", conflicts_with = "no_reports")]
    pub report_dir: Option<PathBuf>,
    /// Write no report directory (single files from --junit/--json/--markdown/--html still are).
    #[arg(long)]
    pub no_reports: bool,
    /// Also write the JUnit XML report to PATH.
    #[arg(long, value_name = "PATH")]
    pub junit: Option<PathBuf>,
    /// Also write the JSON report to PATH.
    #[arg(long, value_name = "PATH")]
    pub json: Option<PathBuf>,
    /// Also write the Markdown summary to PATH (it is appended to $GITHUB_STEP_SUMMARY when set).
    #[arg(long, value_name = "PATH")]
    pub markdown: Option<PathBuf>,
    /// Also write the HTML report (one self-contained page) to PATH.
    #[arg(long, value_name = "PATH")]
    pub html: Option<PathBuf>,
    /// Colour the console and log lines: auto (a terminal, unless NO_COLOR is set and
    /// non-empty), always or never.
    #[arg(long, value_name = "WHEN", default_value = "auto")]
    pub color: ColorChoice,
}

impl OutputArgs {
    /// Where the reports go.
    pub fn destinations(&self) -> Destinations {
        let dir = if self.no_reports {
            None
        } else {
            Some(
                self.report_dir
                    .clone()
                    .unwrap_or_else(|| PathBuf::from("reports")),
            )
        };
        let files = [
            ("junit", &self.junit),
            ("json", &self.json),
            ("markdown", &self.markdown),
            ("html", &self.html),
        ]
        .into_iter()
        .filter_map(|(key, path)| Some((key, path.clone()?)))
        .collect();
        Destinations {
            dir,
            files,
            step_summary: std::env::var_os("GITHUB_STEP_SUMMARY")
                .filter(|v| !v.is_empty())
                .map(PathBuf::from),
        }
    }

    /// The console style.
    pub fn style(&self) -> console::Style {
        console::Style {
            color: colour(self.color, std::io::stdout().is_terminal()),
        }
    }

    /// Whether log lines (stderr) are coloured.
    pub fn log_color(&self) -> bool {
        colour(self.color, std::io::stderr().is_terminal())
    }
}

/// Whether colour is wanted on a stream: `always`, `never`, or for `auto` a terminal with
/// `NO_COLOR` unset or empty (no-color.org).
pub fn colour(choice: ColorChoice, terminal: bool) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
    }
}
