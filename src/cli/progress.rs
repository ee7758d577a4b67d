//! The live status area of a run on a terminal: cases finished of the total, elapsed time,
//! and for each running case what it waits for
//! (`scale::throughput@extra — waiting for replicas 2, got 1 (attempt 14, 12 s)`).
//!
//! Drawn on stderr only when stderr is a terminal and the run is not `-q`; otherwise it does
//! not exist and the output is unchanged. Case lines still go to stdout, printed above it.

use std::collections::HashMap;
use std::io::IsTerminal;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::runner::Event;

/// How often the elapsed time and spinner are redrawn.
const TICK: Duration = Duration::from_millis(250);

/// The status area: a header line and one line per running case.
pub struct Live {
    multi: MultiProgress,
    header: ProgressBar,
    /// The line of each running case, by its displayed name.
    running: Mutex<HashMap<String, ProgressBar>>,
}

impl std::fmt::Debug for Live {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Live")
    }
}

impl Live {
    /// The status area, when stderr is a terminal and the run is not quiet.
    pub fn for_terminal(quiet: bool) -> Option<Arc<Live>> {
        (!quiet && std::io::stderr().is_terminal()).then(|| Arc::new(Live::new()))
    }

    fn new() -> Live {
        let multi = MultiProgress::with_draw_target(ProgressDrawTarget::stderr());
        let style =
            ProgressStyle::with_template("{spinner} {pos}/{len} cases finished, {elapsed} elapsed")
                .unwrap_or_else(|_| ProgressStyle::default_spinner());
        let header = multi.add(ProgressBar::new(0).with_style(style));
        header.enable_steady_tick(TICK);
        Live {
            multi,
            header,
            running: Mutex::default(),
        }
    }

    /// Sets how many cases the run has.
    pub fn set_total(&self, total: usize) {
        self.header.set_length(total as u64);
    }

    /// Shows `event` of a runner whose trials are shown as `prefix::trial` (`trial` when
    /// empty): a case that starts gets its line, a waiting one says what it waits for.
    pub fn event(&self, prefix: &str, event: Event) {
        let name = |trial: &str| {
            if prefix.is_empty() {
                trial.to_string()
            } else {
                format!("{prefix}::{trial}")
            }
        };
        let Ok(mut running) = self.running.lock() else {
            return;
        };
        match event {
            Event::CaseStarted { trial } => {
                let name = name(&trial);
                let style = ProgressStyle::with_template("  {wide_msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner());
                let line = self.multi.add(ProgressBar::new_spinner().with_style(style));
                line.set_message(format!("{name} — running"));
                running.insert(name, line);
            }
            Event::Waiting {
                trial,
                mismatch,
                attempt,
                elapsed,
            } => {
                let name = name(&trial);
                if let Some(line) = running.get(&name) {
                    line.set_message(format!(
                        "{name} — {} (attempt {attempt}, {} s)",
                        waiting_for(&mismatch),
                        elapsed.as_secs()
                    ));
                }
            }
            _ => {}
        }
    }

    /// The case `name` ended: its line goes, the count goes up.
    pub fn finished(&self, name: &str) {
        if let Some(line) = self.running.lock().ok().and_then(|mut r| r.remove(name)) {
            line.finish_and_clear();
            self.multi.remove(&line);
        }
        self.header.inc(1);
    }

    /// Runs `print` (which writes to stdout) with the status area hidden meanwhile.
    pub fn suspend<R>(&self, print: impl FnOnce() -> R) -> R {
        self.multi.suspend(print)
    }

    /// Removes the status area (the run is over).
    pub fn clear(&self) {
        if let Ok(mut running) = self.running.lock() {
            for (_, line) in running.drain() {
                line.finish_and_clear();
            }
        }
        self.header.finish_and_clear();
        let _ = self.multi.clear();
    }
}

/// `want replicas 2, got 1` reads `waiting for replicas 2, got 1`; one line, at most 160
/// characters.
fn waiting_for(mismatch: &str) -> String {
    let line = mismatch.lines().next().unwrap_or_default();
    let text = match line.strip_prefix("want ") {
        Some(rest) => format!("waiting for {rest}"),
        None => format!("waiting: {line}"),
    };
    crate::report::transcript::excerpt(&text, 160)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mismatch_reads_as_what_the_case_waits_for() {
        assert_eq!(
            waiting_for("want replicas 2, got 1"),
            "waiting for replicas 2, got 1"
        );
        assert_eq!(
            waiting_for("connection refused\nmore"),
            "waiting: connection refused"
        );
    }
}
