//! The one pipeline `run` and `selftest` share, once their configuration is resolved: check
//! the selection and the report destinations, print each target's header, run the selected
//! trials on one runtime while the console and the progress area follow the events, then
//! assemble the report, hand it to every reporter, and map the verdict to the exit status.

use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

use super::args::OutputArgs;
use super::collect::{Collector, RunMeta, Target};
use super::config::{self, ConfigError};
use super::destinations::check_destinations;
use super::known_failures::Judge;
use super::progress::Live;
use super::select::{check_selection, Selection};
use super::terminal::Terminal;
use crate::exit;
use crate::report::{console, Console, Files, Reporter};
use crate::runner::{self, Runner, Work};

/// A resolved run: everything the pipeline needs besides its targets.
#[derive(Debug)]
pub struct Pipeline {
    /// Reports and console.
    pub output: OutputArgs,
    /// One character per case instead of one line.
    pub quiet: bool,
    /// The filters.
    pub select: Selection,
    /// What the run checked besides its targets.
    pub meta: RunMeta,
    /// The expectations file (`run --expect`).
    pub judge: Option<Judge>,
    /// How many trials run at once.
    pub jobs: usize,
    /// When the command started.
    pub started: Instant,
    /// The same, as a date.
    pub started_at: DateTime<Utc>,
}

/// A trial's name as filters see it: `label::trial`, or `trial` without a label.
fn trial_name(label: &str, trial: &str) -> String {
    if label.is_empty() {
        trial.to_string()
    } else {
        format!("{label}::{trial}")
    }
}

impl Pipeline {
    /// The selected trials of each target, foundations first, with their names.
    fn selected(&self, targets: &[Target]) -> (Vec<Work>, Vec<String>) {
        let mut names = Vec::new();
        let work = targets
            .iter()
            .map(|t| Work {
                runner: t.runner.clone(),
                trials: t
                    .runner
                    .run_order()
                    .into_iter()
                    .filter(|p| {
                        let name = trial_name(t.label, &p.trial);
                        let keep = self.select.selects(&name);
                        if keep {
                            names.push(name);
                        }
                        keep
                    })
                    .collect(),
            })
            .collect();
        (work, names)
    }

    /// Preflight, before anything is created: a selection that runs nothing, and report
    /// destinations that cannot be written, stop here (earlier reports stay as they were).
    pub fn preflight(&self, targets: &[Target]) -> Result<(), ConfigError> {
        let names: Vec<String> = targets
            .iter()
            .flat_map(|t| {
                t.runner
                    .plan()
                    .into_iter()
                    .map(move |p| trial_name(t.label, &p.trial))
            })
            .collect();
        check_selection(&names, &self.select).map_err(ConfigError::Selection)?;
        check_destinations(&self.output.destinations()).map_err(ConfigError::Destination)
    }

    /// `--list`: the selected trials as `cargo test -- --list` prints them.
    pub fn list(&self, targets: &[Target]) -> i32 {
        let (_, names) = self.selected(targets);
        super::stdout::list(names.iter().map(String::as_str));
        exit::SUCCESS
    }

    /// Runs the selected trials of `targets` on `rt`, `jobs` at a time, printing each
    /// target's header and each case as it ends.
    pub fn run(mut self, rt: &tokio::runtime::Runtime, targets: Vec<Target>) -> Ran {
        let out = Terminal::start(Live::wanted(self.quiet));
        let console = Console::new(self.output.style(), self.quiet, {
            let out = out.clone();
            Box::new(move |text: &str| out.put(text))
        });
        // Each target's header is printed as its run starts (its `RunStarted`).
        let collector = Collector::attach(
            &targets,
            self.started_at,
            self.meta.clone(),
            self.judge.take(),
            vec![Box::new(console)],
            Some(out.clone()),
        );
        let interrupted = super::signals::interrupt_on_signal(
            rt.handle(),
            targets.iter().map(|t| t.runner.clone()).collect(),
        );
        let (work, _) = self.selected(&targets);
        rt.block_on(runner::run_all(&work, self.jobs));
        out.clear_status(DRAIN_LIMIT);
        {
            let mut c = collector.lock().unwrap_or_else(PoisonError::into_inner);
            c.account_for(&work);
            for (i, removed, left) in c.leftovers() {
                if let Some(t) = targets.get(*i) {
                    report_leftovers(&t.runner, *removed, left);
                }
            }
        }
        Ran {
            interrupted: interrupted.load(std::sync::atomic::Ordering::SeqCst),
            pipeline: self,
            collector,
            out,
        }
    }
}

/// A run whose trials have all ended: what is left is its report.
pub struct Ran {
    pipeline: Pipeline,
    collector: Arc<Mutex<Collector>>,
    interrupted: bool,
    /// The terminal's writer.
    out: Terminal,
}

/// How long the end of a run waits for the console's lines to be written before it goes on.
const DRAIN_LIMIT: Duration = Duration::from_secs(10);

impl Ran {
    /// Assembles the report, hands it to every reporter (the console's failures, the
    /// files), writes `--write-expectations`, prints the closing count and returns the
    /// exit status.
    pub fn finish(self, write_expectations: Option<&Path>) -> i32 {
        let p = &self.pipeline;
        let mut c = self
            .collector
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let report = match c.report(p.started.elapsed(), self.interrupted) {
            Ok(report) => report,
            Err(e) => {
                self.out.drain(DRAIN_LIMIT);
                eprintln!("error: no report is written: {e}");
                return exit::USAGE;
            }
        };
        let mut written = true;
        for reporter in c.take_live().iter_mut() {
            if let Err(e) = reporter.run_finished(&report) {
                eprintln!("error: {e}");
                written = false;
            }
        }
        // What follows is written directly: the console's lines come first.
        self.out.drain(DRAIN_LIMIT);
        let mut files = Files {
            to: p.output.destinations(),
        };
        match files.run_finished(&report) {
            Ok(paths) if !paths.is_empty() => {
                let names: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
                super::stdout::put(&format!("\nreports: {}\n", names.join(", ")));
            }
            Ok(_) => {}
            Err(e) => {
                eprintln!("error: {e}");
                written = false;
            }
        }
        super::stdout::put(&console::closing(&report, p.output.style()));
        let wrote = write_expectations_file(write_expectations, &report);
        config::exit_code(&report, written && wrote)
    }
}

/// Prints `cleanup: N removed, M left` and what was left behind, each with the command that
/// removes it: on purpose (`--keep`) or because cleanup could not (`left`'s reasons come
/// redacted from the collector).
pub fn report_leftovers(runner: &Runner, removed: usize, left: &[runner::Left]) {
    if removed == 0 && left.is_empty() {
        return;
    }
    eprintln!("cleanup: {removed} removed, {} left", left.len());
    if left.is_empty() {
        return;
    }
    if runner.settings.keep {
        eprintln!("--keep: left {} resources in place:", left.len());
    } else if runner.root_cause().is_some() {
        // One warning for the one cause, then what may remain.
        eprintln!(
            "warning: the provider stopped answering; {} resources the run created may remain:",
            left.len()
        );
    } else {
        eprintln!(
            "warning: cleanup could not delete {} resources:",
            left.len()
        );
    }
    for l in left {
        eprintln!("  {}", l.resource.listing(&runner.settings.gateway));
        if !runner.settings.keep {
            eprintln!("    ({})", l.why);
        }
    }
}

/// `--write-expectations FILE`: writes the run's failures as a starting expectations file;
/// returns whether it could (or nothing was asked).
fn write_expectations_file(path: Option<&Path>, report: &crate::report::RunReport) -> bool {
    let Some(path) = path else { return true };
    match super::known_failures::write_starting(path, report) {
        Ok(n) => {
            let plural = if n == 1 { "" } else { "s" };
            super::stdout::put(&format!(
                "wrote {n} expected failure{plural} to {} (new reasons are TODO)\n",
                path.display()
            ));
            true
        }
        Err(e) => {
            eprintln!("error: --write-expectations: {e}");
            false
        }
    }
}
