//! What a step starts ends with it, and what a step cannot be after its variables are
//! expanded is the suite's fault: against the bundled mock, through the library.
//!
//! - The `load` generator stops when the case's deadline ends the step, and when the run is
//!   interrupted mid-step: the function's invocation count at the mock stops growing; the
//!   step cut off is recorded with the attempts it made.
//! - A regex or a base64 value that is only wrong once `${...}` is expanded makes the case
//!   `errored` (a suite error), never `failed` (a provider failure).

use std::time::Duration;

use faas_certifier::mock::{self, MockConfig};
use faas_certifier::model::FunctionStatus;
use faas_certifier::outcome::{ErrorCause, StepOutcome};
use faas_certifier::runner::{CaseOutcome, CaseResult, Runner, Settings};
use faas_certifier::suite;

mod common;

const SUITE: &str = r#"
each_namespace: false
cases:
  - name: load-until-deadline
    timeout: 1500ms
    vars: {fn: "deadline-${run}"}
    steps:
      - deploy: {name: "${fn}", image: "${registry}/alpine:latest", fprocess: env}
        expect: {status: [200, 201, 202]}
      - status: {name: "${fn}"}
        retry: {timeout: 5s}
        until: {status: 200, function: {available_replicas: {min: 1}}}
      - load: {name: "${fn}", rps: 40}
        retry: {timeout: 30s}
        until: {status: 200, function: {replicas: 99}}
  - name: load-interrupted
    timeout: 30s
    vars: {fn: "sigint-${run}"}
    steps:
      - deploy: {name: "${fn}", image: "${registry}/alpine:latest", fprocess: env}
        expect: {status: [200, 201, 202]}
      - status: {name: "${fn}"}
        retry: {timeout: 5s}
        until: {status: 200, function: {available_replicas: {min: 1}}}
      - load: {name: "${fn}", rps: 40}
        retry: {timeout: 30s}
        until: {status: 200, function: {replicas: 99}}
  - name: regex-bad-after-expansion
    vars: {pattern: "(unclosed"}
    steps:
      - info:
        expect: {status: 200, body_matches: "${pattern}"}
  - name: base64-bad-after-expansion
    vars: {bytes: "not base64!"}
    steps:
      - info:
        expect: {status: 200, body_base64: "${bytes}"}
"#;

/// Connects a runner that keeps what cases create (so the function's count can be read
/// after the case ended).
async fn runner(url: &str) -> Runner {
    let suite = suite::load_str("lifetime.yaml", SUITE).expect("the suite loads");
    let mut settings = Settings::new(url);
    settings.keep = true;
    Runner::connect(settings, vec![suite])
        .await
        .expect("connects")
}

async fn run(runner: &Runner, case: &str) -> CaseResult {
    common::run_trial(runner, &format!("lifetime::{case}")).await
}

/// The function's invocation count at the mock.
async fn invocations(url: &str, name: &str) -> u64 {
    let status: FunctionStatus = reqwest::get(format!(
        "{url}/system/function/{name}?namespace=openfaas-fn"
    ))
    .await
    .expect("the mock answers")
    .json()
    .await
    .expect("a function status");
    status.invocation_count
}

/// The one function the case deployed (its name carries the run id).
fn deployed(result: &CaseResult) -> String {
    let deploy = result
        .steps
        .iter()
        .find(|s| s.label == "deploy")
        .expect("the case deployed");
    let body = deploy.request_excerpt.split("\n\n").nth(1).expect("a body");
    let json: serde_json::Value = serde_json::from_str(body).expect("a JSON body");
    json["service"].as_str().expect("a name").to_string()
}

/// Reads the count twice, apart: the load is over when it no longer grows.
async fn assert_load_stopped(url: &str, name: &str) {
    let ended = invocations(url, name).await;
    assert!(ended > 0, "the load ran: {ended} invocations");
    tokio::time::sleep(Duration::from_millis(600)).await;
    let later = invocations(url, name).await;
    assert_eq!(
        later, ended,
        "the load generator kept invoking {name} after its step ended"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_load_stops_when_the_case_deadline_ends_its_step() {
    let mock = mock::spawn(MockConfig::default())
        .await
        .expect("the mock starts");
    let runner = runner(&mock.url).await;
    let result = run(&runner, "load-until-deadline").await;
    assert!(
        !matches!(result.outcome, CaseOutcome::Passed),
        "{:?}",
        result.outcome
    );
    let last = result.steps.last().expect("steps ran");
    assert_eq!(last.label, "load", "{result:?}");
    assert_load_stopped(&mock.url, &deployed(&result)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_load_stops_when_the_run_is_interrupted_mid_step() {
    let mock = mock::spawn(MockConfig::default())
        .await
        .expect("the mock starts");
    let runner = runner(&mock.url).await;
    let (result, ()) = tokio::join!(run(&runner, "load-interrupted"), async {
        // Long enough for the load step to be under way.
        tokio::time::sleep(Duration::from_millis(1500)).await;
        runner.interrupt();
    });
    match &result.outcome {
        CaseOutcome::Errored(m) => assert!(m.contains("interrupted"), "{m}"),
        other => panic!("want errored (interrupted), got {other:?}"),
    }
    // The step cut off mid-way is recorded, with the attempts it made before.
    let cut = result.steps.last().expect("steps are recorded");
    assert_eq!(cut.label, "load", "{result:?}");
    assert!(
        matches!(&cut.outcome, StepOutcome::Errored(e)
            if e.message.contains("interrupted") && e.cause == ErrorCause::CutOff),
        "{:?}",
        cut.outcome
    );
    assert!(
        cut.attempts > 0 && cut.attempt_log.len() == cut.attempts as usize,
        "{} attempts, log {:?}",
        cut.attempts,
        cut.attempt_log
    );
    assert!(
        cut.attempt_log.iter().all(|l| l.contains("replicas")),
        "{:?}",
        cut.attempt_log
    );
    assert!(cut.path.contains("/system/function/"), "{}", cut.path);
    // The case's steps future was dropped mid-load; its generator must not outlive it.
    assert_load_stopped(&mock.url, &deployed(&result)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_value_only_wrong_after_expansion_is_a_suite_error() {
    let mock = mock::spawn(MockConfig::default())
        .await
        .expect("the mock starts");
    let runner = runner(&mock.url).await;
    for (case, why) in [
        ("regex-bad-after-expansion", "bad regex \"(unclosed\""),
        ("base64-bad-after-expansion", "body_base64 is not base64"),
    ] {
        let result = run(&runner, case).await;
        match &result.outcome {
            CaseOutcome::Errored(m) => assert!(m.contains(why), "{case}: {m}"),
            other => panic!("{case}: want errored, got {other:?}"),
        }
        let step = result.steps.last().expect("the step is recorded");
        assert!(
            matches!(&step.outcome, StepOutcome::Errored(e)
                if e.message.contains(why) && e.cause == ErrorCause::Suite),
            "{case}: {:?}",
            step.outcome
        );
        assert_eq!(step.attempts, 0, "{case}: nothing was sent");
    }
}
