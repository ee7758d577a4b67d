//! The fault catalogue, measured: the suites run against the mock with each fault switched
//! on, and must (a) fail, (b) fail in a case the catalogue names, and (c) say what went wrong.
//! The mock is a Pro gateway here (every feature, `X-Call-Id` included), with basic auth and
//! an extra namespace, as in the selftest.

use faas_certifier::mock::{self, Fault, MockConfig, FAULTS};
use faas_certifier::runner::{CaseOutcome, Runner};
use faas_certifier::selftest::{mock_config, settings};
use faas_certifier::suite;

mod common;

/// The longest one run against a faulty mock may take.
const RUN_DEADLINE: std::time::Duration = std::time::Duration::from_secs(6);

/// How many faulty mocks are certified at once.
const PARALLEL: usize = 8;

/// The trials that failed or errored against the mock with `faults`, with their messages;
/// only the cases named in `only` run (in both namespaces), or every case when it is empty.
async fn failures(faults: &[Fault], only: &[&str]) -> Vec<(String, String)> {
    let password = "fault-pass";
    // The Pro gateway: scale to zero and namespace CRUD stay routed, so every case runs;
    // a fault of the provider's own proxy is measured on the bare provider, where its
    // cases run.
    let bare = faults.iter().any(|f| f.info().bare_provider);
    let config = MockConfig {
        faults: faults.iter().copied().collect(),
        gateway_pro: !bare,
        ..mock_config(!bare, password)
    };
    let mock = mock::spawn(config).await.expect("the mock starts");
    let suites = suite::load_builtin().expect("the built-in suites load");
    let mut settings = settings(&mock.url, password);
    // A fault can make a poll wait for what never comes: bound each run.
    settings.timeout = Some(RUN_DEADLINE);
    // A fault the preflight refuses stops the run before any case: caught by `preflight`.
    let runner = match Runner::connect(settings, suites).await {
        Ok(runner) => std::sync::Arc::new(runner),
        Err(e) => {
            mock.stop().await.expect("the mock stops");
            return vec![("preflight".to_string(), e.to_string())];
        }
    };
    let plan: Vec<_> = runner
        .plan()
        .into_iter()
        .filter(|p| only.is_empty() || only.contains(&p.trial.trim_end_matches("@extra")))
        .collect();
    // As in a real run: what builds on a foundation that ran and broke is blocked by it.
    runner.schedule(plan.iter().map(|p| p.trial.clone()));
    let results = common::run_cases(&runner, plan).await;
    let _ = runner.finish().await;
    mock.stop().await.expect("the mock stops");
    results
        .into_iter()
        .filter_map(|r| match r.outcome {
            CaseOutcome::Failed(m) | CaseOutcome::Errored(m) => Some((r.trial, m)),
            _ => None,
        })
        .collect()
}

/// Whether a trial name (`suite::case` or `suite::case@extra`) is one the catalogue names.
fn named(trial: &str, caught_by: &[&str]) -> bool {
    let base = trial.trim_end_matches("@extra");
    caught_by.iter().any(|c| {
        if c.ends_with("::") {
            base.starts_with(c)
        } else {
            base == *c
        }
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_faults_nothing_fails() {
    let failed = failures(&[], &[]).await;
    assert!(failed.is_empty(), "the healthy mock fails: {failed:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_fault_is_caught_by_the_cases_the_catalogue_names() {
    use futures_util::StreamExt;
    let started = std::time::Instant::now();
    let runs: Vec<_> = futures_util::stream::iter(FAULTS)
        .map(|info| async move { (info, failures(&[info.fault], info.caught_by).await) })
        .buffer_unordered(PARALLEL)
        .collect()
        .await;
    let mut missed = Vec::new();
    let mut caught = 0;
    for (info, failed) in runs {
        if std::env::var_os("FAULTS_VERBOSE").is_some() {
            let names: Vec<&str> = failed.iter().map(|(t, _)| t.as_str()).collect();
            eprintln!("{}: {names:?}", info.name);
        }
        let named_failures: Vec<&(String, String)> = failed
            .iter()
            .filter(|(t, _)| named(t, info.caught_by))
            .collect();
        if failed.is_empty() {
            missed.push(format!("{}: the run passed", info.name));
        } else if named_failures.is_empty() {
            let names: Vec<&str> = failed.iter().map(|(t, _)| t.as_str()).collect();
            missed.push(format!(
                "{}: failed only in {names:?}, not in {:?}",
                info.name, info.caught_by
            ));
        } else if let Some((trial, message)) =
            named_failures.iter().find(|(_, m)| m.trim().len() < 10)
        {
            missed.push(format!(
                "{}: {trial} failed without saying what went wrong: {message:?}",
                info.name
            ));
        } else {
            caught += 1;
        }
    }
    eprintln!(
        "fault detection: {caught} of {} faults caught by their named cases ({:.1}s)",
        FAULTS.len(),
        started.elapsed().as_secs_f64()
    );
    assert!(
        missed.is_empty(),
        "faults not caught as the catalogue says:\n{}",
        missed.join("\n")
    );
}

/// Shape faults are caught by the runner's schema check of every JSON answer, which names
/// the JSON pointer of the first error, before any expectation looks at the value.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shape_faults_are_caught_by_schema_validation_with_the_pointer() {
    for (fault, pointer) in [
        (Fault::StatusReplicasAsString, "at /replicas: "),
        (
            Fault::StatusAnnotationsNull,
            "at /annotations: null is not of type",
        ),
    ] {
        let failed = failures(&[fault], &["deploy::plain"]).await;
        let (trial, message) = failed
            .iter()
            .find(|(t, _)| t == "deploy::plain")
            .unwrap_or_else(|| panic!("{fault}: deploy::plain passed: {failed:?}"));
        assert!(
            message.contains("breaks its schema in contract/openapi.json")
                && message.contains(pointer),
            "{fault}: {trial}: {message}"
        );
    }
}

/// The README states the catalogue's size in two places; both follow the catalogue.
#[test]
fn the_readme_states_the_catalogues_size() {
    let readme = include_str!("../README.md");
    let n = FAULTS.len();
    assert!(
        readme.contains(&format!("has {n} faults over every area")),
        "README: `has {n} faults over every area`"
    );
    assert!(
        readme.contains(&format!(
            "**{n} of {n} faults are caught by their named cases**"
        )),
        "README: `{n} of {n} faults are caught`"
    );
}
