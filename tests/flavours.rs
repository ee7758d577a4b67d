//! The built-in suites accept every legal provider variation (the MAY clauses of CONTRACT.md,
//! e.g. [`routes.mutation-success`](../CONTRACT.md#routes.mutation-success)): the mock answering
//! as faas-netes, as faasd, with every other legal oddity at once, and with a cold start that
//! answers 503 for a while after each deploy. Features the flavour lacks are skipped, not failed.

use std::time::Duration;

use faas_certifier::mock::{self, Flavour, MockConfig};
use faas_certifier::runner::{CaseOutcome, Runner};
use faas_certifier::selftest::{mock_config, settings};
use faas_certifier::suite;

mod common;

async fn certify(flavour: Flavour, cold_start: Duration) -> (usize, usize) {
    let password = "flavour-pass";
    let config = MockConfig {
        flavour,
        cold_start,
        ..mock_config(false, password)
    };
    let mock = mock::spawn(config).await.expect("the mock starts");
    let suites = suite::load_builtin().expect("the built-in suites load");
    let runner = std::sync::Arc::new(
        Runner::connect(settings(&mock.url, password), suites)
            .await
            .expect("connects"),
    );
    let plan = runner.plan();
    let results = common::run_cases(&runner, plan).await;
    let failures: Vec<String> = results
        .iter()
        .filter_map(|r| match &r.outcome {
            CaseOutcome::Failed(m) | CaseOutcome::Errored(m) => Some(format!("{}: {m}", r.trial)),
            _ => None,
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{flavour:?} (cold start {cold_start:?}):\n{}",
        failures.join("\n")
    );
    let passed = results
        .iter()
        .filter(|r| r.outcome == CaseOutcome::Passed)
        .count();
    let skipped = results
        .iter()
        .filter(|r| matches!(r.outcome, CaseOutcome::Skipped(_)))
        .count();
    mock.stop().await.expect("the mock stops");
    (passed, skipped)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn faas_netes_answers_pass() {
    let (passed, skipped) = certify(Flavour::FaasNetes, Duration::ZERO).await;
    assert!(passed > 100, "{passed} passed");
    assert!(
        skipped > 0,
        "scale to zero and namespace management are not faas-netes CE features"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn faasd_answers_pass() {
    let (passed, skipped) = certify(Flavour::Faasd, Duration::ZERO).await;
    assert!(passed > 100, "{passed} passed");
    assert!(skipped > 0, "faasd does not scale");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_legal_oddity_passes() {
    let (passed, _) = certify(Flavour::Quirky, Duration::ZERO).await;
    assert!(passed > 100, "{passed} passed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cold_start_503s_are_retried() {
    let (passed, _) = certify(Flavour::Mock, Duration::from_millis(100)).await;
    assert!(passed > 100, "{passed} passed");
}
