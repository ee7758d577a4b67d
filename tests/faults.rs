//! The suites catch broken providers: for each fault the mock can inject (`--fault`), the case
//! that checks that point of the contract fails, and promptly (well before the suites' 1-2
//! minute retries). That the same cases pass against the faultless mock is `tests/suites.rs`.

use std::time::Duration;

use faas_certifier::mock::{self, Fault, MockConfig};
use faas_certifier::runner::selftest::{mock_config, settings};
use faas_certifier::runner::{CaseOutcome, Runner};
use faas_certifier::spec;

/// (fault, the mock answers as a gateway, the trial that must fail).
const CAUGHT: &[(&str, bool, &str)] = &[
    ("deploy-accepts-missing-image", false, "deploy::no-image"),
    ("deploy-accepts-invalid-name", false, "deploy::invalid-name"),
    (
        "deploy-ignores-missing-secret",
        false,
        "deploy::missing-secret",
    ),
    ("deploy-answers-500", false, "deploy::plain"),
    ("status-drops-env-vars", false, "deploy::env-and-filesystem"),
    ("status-drops-env-process", false, "deploy::plain"),
    ("status-drops-labels", false, "deploy::labels"),
    ("status-drops-annotations", false, "deploy::annotations"),
    ("status-drops-limits", false, "deploy::limits"),
    ("status-drops-secrets", false, "secrets::value-mounted"),
    ("status-unknown-200", false, "deploy::status-unknown"),
    ("update-unknown-accepted", false, "deploy::update-unknown"),
    ("delete-unknown-200", false, "delete::unknown"),
    ("invoke-reports-post", false, "invoke::verbs"),
    ("invoke-drops-query", false, "invoke::query"),
    ("invoke-drops-path", false, "invoke::sub-path"),
    ("invoke-drops-headers", false, "invoke::headers"),
    ("invoke-drops-env-vars", false, "invoke::custom-env"),
    ("invoke-truncates-body", false, "invoke::echo-binary-1mib"),
    ("invoke-mangles-binary", false, "invoke::echo-binary-1mib"),
    ("invoke-unknown-200", false, "invoke::not-found"),
    ("invoke-follows-redirects", false, "invoke::redirect"),
    ("invoke-no-call-id", true, "invoke::gateway-headers"),
    (
        "secret-raw-value-mangled",
        false,
        "secrets::raw-value-binary",
    ),
    ("secret-duplicate-500", false, "secrets::duplicate-create"),
    ("logs-tail-ignored", false, "logs::tail"),
    ("logs-wrong-name", false, "logs::invocation-lines"),
    (
        "namespaces-list-default-only",
        false,
        "namespaces::list-has-extra",
    ),
    ("namespaces-leak-functions", false, "namespaces::isolation"),
    ("info-empty-version", false, "info::version"),
    ("info-no-provider-name", false, "info::provider-named"),
    ("healthz-500", false, "health::healthz"),
    ("auth-open-system", false, "auth::functions-refuse-missing"),
    ("auth-no-challenge", false, "auth::functions-refuse-missing"),
    ("auth-closed-function", false, "auth::function-open"),
];

/// Runs `trial` against a mock with `fault` and returns its outcome.
async fn outcome(fault: &str, as_gateway: bool, trial: &str) -> CaseOutcome {
    let fault: Fault = fault.parse().expect("a known fault");
    let password = "fault-pass";
    let mut config: MockConfig = mock_config(as_gateway, password);
    config.faults.insert(fault);
    let mock = mock::spawn(config).await.expect("the mock starts");
    let mut s = settings(&mock.url, password);
    s.timeout = Some(Duration::from_secs(20));
    let runner = Runner::connect(s, spec::load_builtin().expect("suites load"))
        .await
        .expect("connects");
    let planned = runner
        .plan()
        .into_iter()
        .find(|p| p.trial == trial)
        .expect("the trial exists");
    let result = runner.run_case(&planned).await;
    mock.stop().await.expect("the mock stops");
    result.outcome
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_listed_fault_fails_its_case() {
    let started = std::time::Instant::now();
    let outcomes =
        futures_util::future::join_all(CAUGHT.iter().map(|(f, gw, t)| outcome(f, *gw, t))).await;
    let missed: Vec<String> = CAUGHT
        .iter()
        .zip(&outcomes)
        .filter(|(_, o)| !matches!(o, CaseOutcome::Failed(_)))
        .map(|((f, _, t), o)| format!("{f}: {t} {o:?}"))
        .collect();
    assert!(
        missed.is_empty(),
        "faults not caught:\n{}",
        missed.join("\n")
    );
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "took {:?}",
        started.elapsed()
    );
}
