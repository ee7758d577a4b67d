//! Every built-in case against the in-process mock, each its own test, as a provider, behind
//! its CE and Pro gateway modes, and as a chain of two mocks over HTTP (`provider::suite::case`,
//! `gateway::…`, `gateway-pro::…`, `chain::…`). Filters work as with `cargo test`.

use std::sync::Arc;

use faas_certifier::cli::output::Sink;
use faas_certifier::cli::run::{self, Selection};
use faas_certifier::selftest;
use faas_certifier::spec;

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
    let suites = match spec::load_builtin() {
        Ok(s) => s,
        Err(e) => panic!("the built-in suites do not load: {e}"),
    };
    let targets = match rt.block_on(selftest::start(&suites, |_| {})) {
        Ok(t) => t,
        Err(e) => panic!("cannot start the selftest mocks: {e}"),
    };
    let mut trials = Vec::new();
    let mut mocks = Vec::new();
    for target in targets {
        let runner = Arc::new(target.runner);
        trials.extend(run::trials(
            runner,
            target.label,
            rt.handle().clone(),
            Arc::new(Sink::new(target.label, None)),
            &Selection::default(),
        ));
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
