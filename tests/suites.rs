//! Every built-in case against the in-process mock, each its own test, as a provider, behind
//! its CE and Pro gateway modes, and as a chain of two mocks over HTTP (`provider::suite::case`,
//! `gateway::…`, `gateway-pro::…`, `chain::…`). Filters work as with `cargo test`.

use std::sync::Arc;

use faas_certifier::cli::collect::case_report;
use faas_certifier::report::explain;
use faas_certifier::runner::{CaseOutcome, Runner};
use faas_certifier::selftest;
use faas_certifier::suite;
use libtest_mimic::{Completion, Failed, Trial};

/// One trial per case of `runner`, named `label::suite::case`, foundations first.
fn trials_of(runner: Arc<Runner>, label: &str, handle: &tokio::runtime::Handle) -> Vec<Trial> {
    let order = runner.run_order();
    runner.schedule(order.iter().map(|p| p.trial.clone()));
    order
        .into_iter()
        .map(|planned| {
            let (runner, handle) = (runner.clone(), handle.clone());
            let label = label.to_string();
            Trial::ignorable_test(format!("{label}::{}", planned.trial), move || {
                let result = handle.block_on(runner.run_case(&planned));
                match &result.outcome {
                    CaseOutcome::Passed => Ok(Completion::Completed),
                    CaseOutcome::Skipped(reason) => Ok(Completion::ignored_with(reason)),
                    // The same explanation the console and every report show.
                    _ => Err(Failed::from(explain::failure(&case_report(
                        &result, &label,
                    )))),
                }
            })
        })
        .collect()
}

fn main() {
    let mut args = libtest_mimic::Arguments::from_args();
    if args.test_threads.is_none() {
        args.test_threads = Some(64);
    }
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => panic!("cannot build the runtime: {e}"),
    };
    let suites = match suite::load_builtin() {
        Ok(s) => s,
        Err(e) => panic!("the built-in suites do not load: {e}"),
    };
    let targets = match rt.block_on(selftest::start(suites, |_| {})) {
        Ok(t) => t,
        Err(e) => panic!("cannot start the selftest mocks: {e}"),
    };
    let mut trials = Vec::new();
    let mut mocks = Vec::new();
    for target in targets {
        let runner = Arc::new(target.runner);
        trials.extend(trials_of(runner, target.label, rt.handle()));
        mocks.extend(target.mocks);
    }
    assert!(
        trials.len() >= 400,
        "expected every case in two namespaces, four times, got {}",
        trials.len()
    );
    let conclusion = libtest_mimic::run(&args, trials);
    for mock in mocks {
        let _ = rt.block_on(mock.stop());
    }
    conclusion.exit();
}
