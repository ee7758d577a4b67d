//! The live status area of a run on a terminal: cases finished of the total, elapsed time,
//! and for each running case what it waits for
//! (`scale::throughput@extra — waiting for replicas 2, got 1 (attempt 14, 12 s)`).
//!
//! Drawn on stderr only when stderr is a terminal and the run is not `-q`; otherwise it does
//! not exist and the output is unchanged. It is owned by the terminal's one writer
//! ([`super::terminal::Terminal`]), which prints every line above it: others send it
//! [`Update`]s.

use std::collections::HashMap;
use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::runner::Event;

/// How often the elapsed time and spinner are redrawn.
const TICK: Duration = Duration::from_millis(250);

/// A change to the status area.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Update {
    /// A runner plans this many more cases (its `RunStarted`): they count in the total.
    Planned(usize),
    /// The case (by its displayed name) started.
    Started(String),
    /// A step of the case ended: it runs on, and what it waited for is no longer current.
    Running(String),
    /// The case waits: `mismatch` is what the last attempt got instead of what it wants.
    Waiting {
        /// Its displayed name.
        name: String,
        /// The step's mismatch (`want replicas 2, got 1`).
        mismatch: String,
        /// The attempt that got it.
        attempt: u32,
        /// How long the step has waited.
        elapsed: Duration,
    },
    /// The case ended.
    Finished(String),
}

impl Update {
    /// What `event` of a runner whose trials are shown as `prefix::trial` (`trial` when
    /// `prefix` is empty) changes, if anything.
    pub fn of(prefix: &str, event: &Event) -> Option<Update> {
        let name = |trial: &str| {
            if prefix.is_empty() {
                trial.to_string()
            } else {
                format!("{prefix}::{trial}")
            }
        };
        match event {
            Event::RunStarted(header) => Some(Update::Planned(header.plan.len())),
            Event::CaseStarted { trial } => Some(Update::Started(name(trial))),
            Event::StepFinished { trial, .. } => Some(Update::Running(name(trial))),
            Event::Waiting {
                trial,
                mismatch,
                attempt,
                elapsed,
            } => Some(Update::Waiting {
                name: name(trial),
                mismatch: mismatch.clone(),
                attempt: *attempt,
                elapsed: *elapsed,
            }),
            _ => None,
        }
    }

    /// The same update with its provider text (a waiting case's mismatch) redacted.
    pub fn redacted(self, redactor: &crate::report::Redactor) -> Update {
        match self {
            Update::Waiting {
                name,
                mismatch,
                attempt,
                elapsed,
            } => Update::Waiting {
                name,
                mismatch: redactor.text(&mismatch),
                attempt,
                elapsed,
            },
            other => other,
        }
    }
}

/// The status area: a header line and one line per running case.
pub struct Live {
    multi: MultiProgress,
    header: ProgressBar,
    /// The line of each running case, by its displayed name.
    running: HashMap<String, ProgressBar>,
}

impl std::fmt::Debug for Live {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Live")
    }
}

impl Live {
    /// Whether a run shows the status area: stderr is a terminal and the run is not quiet.
    pub fn wanted(quiet: bool) -> bool {
        !quiet && std::io::stderr().is_terminal()
    }

    /// The status area, drawn on stderr from now on.
    pub fn start() -> Live {
        let multi = MultiProgress::with_draw_target(ProgressDrawTarget::stderr());
        let style =
            ProgressStyle::with_template("{spinner} {pos}/{len} cases finished, {elapsed} elapsed")
                .unwrap_or_else(|_| ProgressStyle::default_spinner());
        let header = multi.add(ProgressBar::new(0).with_style(style));
        header.enable_steady_tick(TICK);
        Live {
            multi,
            header,
            running: HashMap::new(),
        }
    }

    /// Shows `update`: a case that starts gets its line, a waiting one says what it waits
    /// for, one that ends loses its line and the count goes up.
    pub fn apply(&mut self, update: Update) {
        match update {
            Update::Planned(n) => self.header.inc_length(n as u64),
            Update::Started(name) => {
                let style = ProgressStyle::with_template("  {wide_msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner());
                let line = self.multi.add(ProgressBar::new_spinner().with_style(style));
                line.set_message(format!("{name} — running"));
                self.running.insert(name, line);
            }
            Update::Running(name) => {
                if let Some(line) = self.running.get(&name) {
                    line.set_message(format!("{name} — running"));
                }
            }
            Update::Waiting {
                name,
                mismatch,
                attempt,
                elapsed,
            } => {
                if let Some(line) = self.running.get(&name) {
                    line.set_message(format!(
                        "{name} — {} (attempt {attempt}, {} s)",
                        waiting_for(&mismatch),
                        elapsed.as_secs()
                    ));
                }
            }
            Update::Finished(name) => {
                if let Some(line) = self.running.remove(&name) {
                    line.finish_and_clear();
                    self.multi.remove(&line);
                }
                self.header.inc(1);
            }
        }
    }

    /// Runs `print` with the status area hidden meanwhile, then draws it again below.
    pub fn suspend<R>(&self, print: impl FnOnce() -> R) -> R {
        self.multi.suspend(print)
    }

    /// Removes the status area (the run is over).
    pub fn clear(mut self) {
        for (_, line) in self.running.drain() {
            line.finish_and_clear();
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
    use crate::outcome::StepOutcome;
    use crate::runner::StepResult;

    #[test]
    fn a_runs_plan_counts_in_the_total_and_a_finished_step_ends_the_wait() {
        let started = Event::RunStarted(Box::new(crate::runner::RunHeader {
            run_id: "c123456".into(),
            target: "http://127.0.0.1:8080".into(),
            namespace: "openfaas-fn".into(),
            extra_namespace: None,
            detected: Default::default(),
            info: serde_json::Value::Null,
            profile: Vec::new(),
            warnings: Vec::new(),
            plan: vec!["health::healthz".into(), "info::version".into()],
        }));
        assert_eq!(Update::of("gateway", &started), Some(Update::Planned(2)));
        let step = StepResult {
            label: "scale".into(),
            source: crate::suite::Source {
                file: "builtin:scale.yaml".into(),
                line: 3,
                column: 7,
            },
            method: "GET".into(),
            path: "/system/function/f".into(),
            status: Some(200),
            expectation: "status 200".into(),
            outcome: StepOutcome::Passed,
            attempts: 3,
            duration: Duration::from_secs(2),
            waited: Duration::from_secs(1),
            request_excerpt: String::new(),
            response_excerpt: String::new(),
            attempt_log: Vec::new(),
        };
        let finished = Event::StepFinished {
            trial: "scale::scale-up".into(),
            step: Box::new(step),
        };
        assert_eq!(
            Update::of("gateway", &finished),
            Some(Update::Running("gateway::scale::scale-up".into()))
        );
        assert_eq!(
            Update::of("", &finished),
            Some(Update::Running("scale::scale-up".into()))
        );
    }

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

    #[test]
    fn a_waiting_mismatch_reaches_the_status_area_redacted() {
        let waiting = Event::Waiting {
            trial: "secrets::leak".into(),
            mismatch: "want status 404, got body \"s3cr3t-value\"".into(),
            attempt: 2,
            elapsed: std::time::Duration::from_millis(300),
        };
        let mut redactor = crate::report::Redactor::default();
        redactor.add_secret(crate::redact::Secret::value("s3cr3t-value", 1, None));
        let update = Update::of("", &waiting).expect("an update");
        let Update::Waiting { mismatch, .. } = update.redacted(&redactor) else {
            panic!("still a wait");
        };
        assert!(!mismatch.contains("s3cr3t"), "{mismatch}");
        assert!(
            mismatch.starts_with("want status 404, got body"),
            "{mismatch}"
        );
    }
}
