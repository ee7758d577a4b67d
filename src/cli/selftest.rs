//! `faas-certifier selftest`: certify the bundled mock in-process, as a provider, behind its
//! CE and Pro gateway modes, and as a chain of two mocks.

use std::sync::Arc;
use std::time::Instant;

use super::output::{self, OutputArgs, Sink, TargetRun};
use super::run::{self, Selection};
use crate::exit;
use crate::selftest;

/// Options of `faas-certifier selftest`.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct SelftestArgs {
    /// Run only trials (`provider::suite::case`, `gateway::…`, `gateway-pro::…`, `chain::…`)
    /// containing one of these.
    #[arg(value_name = "FILTER")]
    pub filters: Vec<String>,
    /// Skip trials whose name contains FILTER (repeatable).
    #[arg(long, value_name = "FILTER")]
    pub skip: Vec<String>,
    /// Match filters exactly rather than as substrings.
    #[arg(long)]
    pub exact: bool,
    /// List the trials instead of running them.
    #[arg(long)]
    pub list: bool,
    /// One character per trial instead of one line.
    #[arg(long, short)]
    pub quiet: bool,
    /// How many trials run at once [default: 16].
    #[arg(long, value_name = "N")]
    pub jobs: Option<usize>,
    /// Reports and console.
    #[command(flatten)]
    pub output: OutputArgs,
}

/// Runs the selftest and returns the exit status.
pub fn main(args: SelftestArgs) -> i32 {
    let started = Instant::now();
    let started_at = chrono::Utc::now();
    run::init_tracing(args.output.log_color());
    let suites = match crate::spec::load_builtin() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::USAGE;
        }
    };
    let rt = match super::runtime() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return exit::USAGE;
        }
    };
    let targets = match rt.block_on(selftest::start(&suites, |_| {})) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::USAGE;
        }
    };
    let select = Selection {
        filters: args.filters.clone(),
        skip: args.skip.clone(),
        exact: args.exact,
    };
    let meta = run::run_meta(&run::RunArgs::default(), &select, &suites);
    if !args.list {
        let names: Vec<String> = targets
            .iter()
            .flat_map(|t| {
                t.runner
                    .plan()
                    .into_iter()
                    .map(move |p| format!("{}::{}", t.label, p.trial))
            })
            .collect();
        let preflight = run::check_selection(&names, &select)
            .and_then(|()| output::check_destinations(&args.output.destinations()));
        if let Err(e) = preflight {
            eprintln!("error: {e}");
            for mock in targets.into_iter().flat_map(|t| t.mocks) {
                let _ = rt.block_on(mock.stop());
            }
            return exit::USAGE;
        }
    }
    let style = args.output.style();
    let mut trials = Vec::new();
    let mut runners = Vec::new();
    let mut mocks = Vec::new();
    let mut redactor = crate::report::Redactor::default();
    let progress = (!args.list)
        .then(|| super::progress::Live::for_terminal(args.quiet))
        .flatten();
    for target in targets {
        let runner = Arc::new(target.runner);
        let target_redactor = output::redactor(&runner);
        let live = (!args.list).then(|| (style, args.quiet, target_redactor.clone()));
        let sink = Arc::new(Sink::new(target.label, live).with_progress(progress.clone()));
        if let Some(p) = &progress {
            runner.on_progress(p.hook(target.label));
        }
        if !args.list {
            let empty = output::build(
                &[TargetRun {
                    runner: &runner,
                    sink: &sink,
                }],
                started_at,
                std::time::Duration::ZERO,
                false,
                &meta,
            );
            if let Ok(empty) = target_redactor.report(&empty) {
                let header = crate::report::console::header(&empty, style);
                super::stdout::put(&format!("[{}] {header}", target.label));
            }
        }
        trials.extend(run::trials(
            runner.clone(),
            target.label,
            rt.handle().clone(),
            sink.clone(),
            &select,
        ));
        runners.push((runner, sink));
        mocks.extend(target.mocks);
    }
    let interrupted = super::signals::interrupt_on_signal(
        rt.handle(),
        runners.iter().map(|(r, _)| r.clone()).collect(),
    );
    let jobs = args.jobs.unwrap_or(selftest::SELFTEST_JOBS);
    if args.list {
        super::stdout::list(trials.iter().map(libtest_mimic::Trial::name));
    }
    if let Some(p) = &progress {
        p.set_total(trials.len());
    }
    // The report's verdict decides the exit status, not libtest's conclusion.
    let _ = libtest_mimic::run(
        &run::harness_args(false, args.quiet, jobs),
        if args.list { Vec::new() } else { trials },
    );
    if let Some(p) = &progress {
        p.clear();
    }
    for (runner, _) in &runners {
        let left = rt.block_on(runner.finish());
        run::report_leftovers(runner, &left);
    }
    for mock in mocks {
        let _ = rt.block_on(mock.stop());
    }
    if args.list {
        return exit::SUCCESS;
    }
    let parts: Vec<TargetRun<'_>> = runners
        .iter()
        .map(|(runner, sink)| TargetRun { runner, sink })
        .collect();
    let interrupted = interrupted.load(std::sync::atomic::Ordering::SeqCst);
    let report = output::build(&parts, started_at, started.elapsed(), interrupted, &meta);
    // Redact with every secret the runs sent, now that all cases have sent theirs.
    for (runner, _) in &runners {
        output::add_secrets(&mut redactor, runner);
    }
    let written = output::finish(&report, &args.output, &redactor, args.quiet);
    super::stdout::put(&format!(
        "selftest took {:.2}s\n",
        started.elapsed().as_secs_f64()
    ));
    run::exit_code(&report, written)
}
