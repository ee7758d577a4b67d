//! `faas-certifier selftest`: certify the bundled mock in-process, as a provider and as a gateway.

use std::sync::Arc;
use std::time::Instant;

use super::run::{self, Results, Selection};
use crate::exit;
use crate::runner::selftest;

/// Options of `faas-certifier selftest`.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct SelftestArgs {
    /// Run only trials (`provider::suite::case`, `gateway::suite::case`) containing one of these.
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
    /// How many trials run at once (default 64).
    #[arg(long, value_name = "N")]
    pub jobs: Option<usize>,
}

/// Runs the selftest and returns the exit status.
pub fn main(args: SelftestArgs) -> i32 {
    let started = Instant::now();
    run::init_tracing();
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
    let results: Results = Arc::default();
    let mut trials = Vec::new();
    let mut runners = Vec::new();
    let mut mocks = Vec::new();
    for target in targets {
        let runner = Arc::new(target.runner);
        if !args.list {
            print!("[{}] {}", target.label, run::header(&runner));
        }
        trials.extend(run::trials(
            runner.clone(),
            target.label,
            rt.handle().clone(),
            results.clone(),
            &select,
        ));
        runners.push(runner);
        mocks.push(target.mock);
    }
    let jobs = args.jobs.unwrap_or(64);
    let conclusion = libtest_mimic::run(&run::harness_args(args.list, args.quiet, jobs), trials);
    for runner in &runners {
        let left = rt.block_on(runner.finish());
        run::report_leftovers(runner, &left);
    }
    for mock in mocks {
        let _ = rt.block_on(mock.stop());
    }
    if !args.list {
        println!("selftest took {:.2}s", started.elapsed().as_secs_f64());
    }
    if conclusion.has_failed() {
        exit::FAILED
    } else {
        exit::SUCCESS
    }
}
