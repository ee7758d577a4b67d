//! Cleanup and deadlines through the library: a failed case leaves nothing behind, `--keep`
//! leaves everything (and says so), and the run's `--timeout` ends a case early.

use std::time::{Duration, Instant};

use faas_certifier::mock::{self, MockConfig};
use faas_certifier::runner::{CaseOutcome, Runner, Settings};
use faas_certifier::suite;

/// Creates a secret and a function, then fails on purpose.
const FAILING: &str = r#"
cases:
  - name: fails-after-creating
    each_namespace: false
    steps:
      - secret_create: {name: "cleanup-${run}", value: "v-${run}"}
        expect: {status: [200, 201, 202]}
      - deploy: {name: "cleanup-${run}", image: "${registry}/alpine:latest", fprocess: env, secrets: ["cleanup-${run}"]}
        expect: {status: [200, 201, 202]}
      - invoke: {name: "cleanup-${run}", method: GET}
        expect: {status: 599}
"#;

/// Polls for a status that never comes.
const SLOW: &str = r#"
cases:
  - name: waits
    each_namespace: false
    steps:
      - deploy: {name: "slow-${run}", image: "${registry}/alpine:latest", fprocess: env}
        expect: {status: [200, 201, 202]}
      - status: {name: "slow-${run}"}
        retry: {timeout: 30s}
        expect: {status: 599}
"#;

async fn names(url: &str, path: &str) -> String {
    reqwest::get(format!("{url}{path}"))
        .await
        .expect("the mock answers")
        .text()
        .await
        .expect("a body")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_case_is_cleaned_up() {
    let mock = mock::spawn(MockConfig::default())
        .await
        .expect("the mock starts");
    let suite = suite::load_str("failing.yaml", FAILING).expect("the suite loads");
    let runner = Runner::connect(Settings::new(&mock.url), vec![suite])
        .await
        .expect("connects");
    let plan = runner.plan();
    assert_eq!(plan.len(), 1);
    let result = runner.run_case(&plan[0]).await;
    match &result.outcome {
        CaseOutcome::Failed(reason) => {
            assert!(reason.contains("failing.yaml:10:9"), "{reason}");
            assert!(reason.contains("want status 599, got 200"), "{reason}");
        }
        other => panic!("want a failure, got {other:?}"),
    }
    assert!(result.leftovers.is_empty(), "{:?}", result.leftovers);
    assert!(!names(&mock.url, "/system/functions")
        .await
        .contains(&runner.run_id));
    assert!(!names(&mock.url, "/system/secrets")
        .await
        .contains(&runner.run_id));
    assert!(runner.finish().await.1.is_empty());
    // The secret's value never reaches the record.
    let recorded = serde_json::to_string(&result).expect("results serialize");
    assert!(recorded.contains("cleanup-"), "{recorded}");
    assert!(
        !recorded.contains(&format!("v-{}", runner.run_id)),
        "{recorded}"
    );
    mock.stop().await.expect("the mock stops");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keep_leaves_resources_and_lists_them() {
    let mock = mock::spawn(MockConfig::default())
        .await
        .expect("the mock starts");
    let suite = suite::load_str("failing.yaml", FAILING).expect("the suite loads");
    let mut settings = Settings::new(&mock.url);
    settings.keep = true;
    let runner = Runner::connect(settings, vec![suite])
        .await
        .expect("connects");
    let result = runner.run_case(&runner.plan()[0]).await;
    assert!(matches!(result.outcome, CaseOutcome::Failed(_)));
    assert_eq!(result.leftovers.len(), 2, "{:?}", result.leftovers);
    assert!(result
        .leftovers
        .iter()
        .any(|l| l.contains("faas-cli remove cleanup-")));
    assert!(names(&mock.url, "/system/functions")
        .await
        .contains(&runner.run_id));
    assert_eq!(runner.finish().await.1.len(), 2);
    mock.stop().await.expect("the mock stops");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_timeout_ends_a_polling_case_and_still_cleans_up() {
    let mock = mock::spawn(MockConfig::default())
        .await
        .expect("the mock starts");
    let suite = suite::load_str("slow.yaml", SLOW).expect("the suite loads");
    let mut settings = Settings::new(&mock.url);
    settings.timeout = Some(Duration::from_millis(400));
    let runner = Runner::connect(settings, vec![suite])
        .await
        .expect("connects");
    let started = Instant::now();
    let result = runner.run_case(&runner.plan()[0]).await;
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "took {:?}",
        started.elapsed()
    );
    match &result.outcome {
        CaseOutcome::Errored(r) | CaseOutcome::Failed(r) => {
            assert!(r.contains("599") || r.contains("deadline"), "{r}")
        }
        other => panic!("want the deadline to end the case, got {other:?}"),
    }
    let step = result.steps.last().expect("a step was recorded");
    assert!(
        step.attempts > 1 && !step.attempt_log.is_empty(),
        "{step:?}"
    );
    assert!(
        step.attempt_log[0].starts_with("[1/..] want status 599, got 200"),
        "{:?}",
        step.attempt_log
    );
    assert!(!names(&mock.url, "/system/functions")
        .await
        .contains(&runner.run_id));
    mock.stop().await.expect("the mock stops");
}

/// Invokes an `env` function, which prints every request header it receives.
const ECHO_HEADERS: &str = r#"
cases:
  - name: env
    each_namespace: false
    steps:
      - deploy: {name: "env-${run}", image: "${registry}/alpine:latest", fprocess: env}
        expect: {status: [200, 201, 202]}
      - invoke: {name: "env-${run}", method: GET}
        retry: {timeout: 10s}
        until: {status: 200}
        expect: {body_not_contains: "Http_Authorization"}
      - invoke: {name: "env-${run}", method: GET}
        expect: {status: 599}
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn credentials_stay_on_system_routes_and_out_of_records() {
    use base64::Engine;
    let password = "hunter2-on-system-only";
    let config = MockConfig {
        basic_auth: Some(mock::BasicAuth {
            user: "admin".into(),
            password: password.into(),
        }),
        ..MockConfig::default()
    };
    let mock = mock::spawn(config).await.expect("the mock starts");
    let mut settings = Settings::new(&mock.url);
    settings.credentials = Some(faas_certifier::runner::Credentials::Basic {
        user: "admin".into(),
        password: password.into(),
    });
    let suite = suite::load_str("env.yaml", ECHO_HEADERS).expect("the suite loads");
    let runner = Runner::connect(settings, vec![suite])
        .await
        .expect("connects");
    let result = runner.run_case(&runner.plan()[0]).await;
    // The first invocation holds (no credentials reach the function); the second fails on purpose.
    assert_eq!(result.steps.len(), 3, "{result:?}");
    assert_eq!(
        result.steps[1].outcome,
        faas_certifier::outcome::StepOutcome::Passed,
        "{result:?}"
    );
    let recorded = serde_json::to_string(&result).expect("results serialize");
    let token = base64::engine::general_purpose::STANDARD.encode(format!("admin:{password}"));
    assert!(
        !recorded.contains(password) && !recorded.contains(&token),
        "{recorded}"
    );
    mock.stop().await.expect("the mock stops");
}

/// Deploys a function and passes.
const DEPLOYS: &str = r#"
cases:
  - name: deploys
    each_namespace: false
    steps:
      - deploy: {name: "stuck-${run}", image: "${registry}/alpine:latest", fprocess: env}
        expect: {status: [200, 201, 202]}
"#;

/// A provider whose deletes always fail: the case's cleanup retries for its bound, and the
/// run's last cleanup gives what it already tried one short try, not a second bound.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_delete_that_always_fails_costs_one_cleanup_bound_and_is_listed_with_its_answer() {
    use wiremock::matchers::method;
    use wiremock::{Mock, MockServer, ResponseTemplate};
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(wiremock::matchers::path("/system/info"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "provider": "wiremock-provider", "orchestration": "wiremock",
            "version": {"release": "0.0.1", "sha": "cafe"}
        })))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(202))
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .respond_with(ResponseTemplate::new(500).set_body_string("cannot delete running task"))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(wiremock::matchers::path_regex("^/system/function/"))
        .respond_with(ResponseTemplate::new(200).set_body_string("{}"))
        .mount(&server)
        .await;
    let suite = suite::load_str("deploys.yaml", DEPLOYS).expect("the suite loads");
    let mut settings = Settings::new(&server.uri());
    settings.profile = Some("core".into());
    settings.cleanup_timeout = Duration::from_secs(2);
    let runner = Runner::connect(settings, vec![suite])
        .await
        .expect("connects");
    let started = Instant::now();
    let result = runner.run_case(&runner.plan()[0]).await;
    assert_eq!(result.outcome, CaseOutcome::Passed);
    assert_eq!(result.leftovers.len(), 1, "{:?}", result.leftovers);
    let (removed, left) = runner.finish().await;
    assert_eq!((removed, left.len()), (0, 1));
    assert!(
        left[0].why.contains("500: cannot delete running task"),
        "{:?}",
        left[0]
    );
    assert!(
        started.elapsed() < Duration::from_secs(2 + 10 + 3),
        "one bound plus one short retry: {:?}",
        started.elapsed()
    );
}
