//! Nothing waits forever: a provider that accepts the connection and never answers, or
//! streams logs forever, costs at most the step's, the request's or the run's deadline.

use std::time::{Duration, Instant};

use faas_certifier::runner::{CaseOutcome, CaseResult, Runner, Settings};
use faas_certifier::suite;
use faas_certifier::suite::Feature;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// A provider on 127.0.0.1:0: `/system/info` answers at once; `/healthz` never answers;
/// `/system/logs` streams a line every 10 ms forever.
async fn stalling_provider() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buf = vec![0u8; 4096];
                let n = socket.read(&mut buf).await.unwrap_or(0);
                let request = String::from_utf8_lossy(&buf[..n]).to_string();
                if request.starts_with("GET /system/info") {
                    let body = r#"{"provider":"stalling","orchestration":"none","version":{"sha":"a","release":"1"}}"#;
                    let head = format!("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n", body.len());
                    let _ = socket.write_all(format!("{head}{body}").as_bytes()).await;
                } else if request.starts_with("GET /system/logs") {
                    let head = "HTTP/1.1 200 OK\r\ncontent-type: application/x-ndjson\r\ntransfer-encoding: chunked\r\n\r\n";
                    if socket.write_all(head.as_bytes()).await.is_err() {
                        return;
                    }
                    loop {
                        let line = "{\"name\":\"f\",\"namespace\":\"\",\"instance\":\"f-1\",\"timestamp\":\"2026-01-01T00:00:00Z\",\"text\":\"tick\"}\n";
                        let chunk = format!("{:x}\r\n{line}\r\n", line.len());
                        if socket.write_all(chunk.as_bytes()).await.is_err() {
                            return;
                        }
                        tokio::time::sleep(Duration::from_millis(10)).await;
                    }
                } else {
                    // Accept, read, never answer.
                    tokio::time::sleep(Duration::from_secs(3600)).await;
                }
            });
        }
    });
    url
}

const SUITE: &str = r#"
description: Deadlines against a stalling provider.
each_namespace: false
timeout: 30s
cases:
  - name: step-timeout
    steps:
      - health:
        timeout: 300ms
        expect: {status: 200}
  - name: logs-forever
    steps:
      - logs: {name: "f-${run}", follow: true}
        timeout: 400ms
        expect: {status: 200, body_contains: ["never printed"]}
  - name: case-timeout
    timeout: 500ms
    steps:
      - health:
        expect: {status: 200}
"#;

async fn run(settings: Settings) -> (Vec<CaseResult>, Duration) {
    let suite = suite::load_str("deadlines.yaml", SUITE).expect("the suite loads");
    let runner = Runner::connect(settings, vec![suite])
        .await
        .expect("connects");
    let started = Instant::now();
    let plan = runner.plan();
    let results = futures_util::future::join_all(plan.iter().map(|p| runner.run_case(p))).await;
    (results, started.elapsed())
}

fn outcome<'a>(results: &'a [CaseResult], trial: &str) -> &'a CaseOutcome {
    &results
        .iter()
        .find(|r| r.trial == trial)
        .expect("the trial ran")
        .outcome
}

fn message(o: &CaseOutcome) -> &str {
    match o {
        CaseOutcome::Failed(m) | CaseOutcome::Errored(m) => m,
        other => panic!("expected a failure, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn step_and_case_deadlines_bound_a_stalled_provider() {
    let url = stalling_provider().await;
    let mut settings = Settings::new(&url);
    // The feature probes at connect wait at most one request timeout; keep it short.
    settings.request_timeout = Duration::from_secs(2);
    let (results, took) = run(settings).await;
    assert!(took < Duration::from_secs(5), "the run took {took:?}");
    let m = message(outcome(&results, "deadlines::step-timeout"));
    assert!(m.contains("timed out") || m.contains("deadline"), "{m}");
    let m = message(outcome(&results, "deadlines::case-timeout"));
    assert!(m.contains("timed out") || m.contains("deadline"), "{m}");
    // The endless stream ends at the step's deadline, with what came back.
    let m = message(outcome(&results, "deadlines::logs-forever"));
    assert!(m.contains("never printed") || m.contains("tick"), "{m}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_request_and_run_deadlines_bound_it_too() {
    let url = stalling_provider().await;
    let mut settings = Settings::new(&url);
    settings.request_timeout = Duration::from_millis(200);
    let (results, took) = run(settings).await;
    assert!(took < Duration::from_secs(5), "the run took {took:?}");
    assert!(message(outcome(&results, "deadlines::case-timeout")).contains("timed out"));

    // `/system/namespaces` never answers: the preflight waits for it until the run's
    // deadline, and says that the deadline, not the target, ended it.
    let mut settings = Settings::new(&url);
    settings.timeout = Some(Duration::from_millis(700));
    let started = Instant::now();
    let suite = suite::load_str("deadlines.yaml", SUITE).expect("the suite loads");
    let refused = Runner::connect(settings, vec![suite])
        .await
        .expect_err("the preflight runs out of the run's time");
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "the run's --timeout bounds it: {:?}",
        started.elapsed()
    );
    let refused = refused.to_string();
    assert!(
        refused.contains("the run's --timeout 700ms passed during the preflight"),
        "{refused}"
    );
}

const RUN_TIMEOUT_SUITE: &str = r#"
description: The run's --timeout among the suite's own deadlines.
each_namespace: false
timeout: 30s
cases:
  - name: run-bound
    steps:
      - health:
        retry: {timeout: 20s}
        until: {status: 200}
  - name: case-bound
    timeout: 500ms
    steps:
      - health:
        retry: {timeout: 20s}
        until: {status: 200}
  - name: retry-bound
    steps:
      - health:
        retry: {timeout: 400ms}
        until: {status: 200}
"#;

/// A step the run's own deadline ends is errored and names `--timeout` with its value; a
/// step its case's or its own retry timeout ends is reported as before, without a word of
/// `--timeout`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_runs_own_deadline_is_named_and_the_suites_deadlines_are_not() {
    let url = stalling_provider().await;
    let mut settings = Settings::new(&url);
    // `/system/namespaces` is cut by the request timeout, well within the run's.
    settings.request_timeout = Duration::from_millis(200);
    settings.timeout = Some(Duration::from_millis(1500));
    settings.profile = Some("core".into());
    let suite = suite::load_str("deadlines.yaml", RUN_TIMEOUT_SUITE).expect("the suite loads");
    let runner = Runner::connect(settings, vec![suite])
        .await
        .expect("connects");
    let started = Instant::now();
    let plan = runner.plan();
    let results = futures_util::future::join_all(plan.iter().map(|p| runner.run_case(p))).await;
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "{:?}",
        started.elapsed()
    );
    match outcome(&results, "deadlines::run-bound") {
        CaseOutcome::Errored(m) => assert!(
            m.contains("the run's --timeout 1s 500ms ended this step") && m.contains("timed out"),
            "{m}"
        ),
        other => panic!("run-bound: {other:?}"),
    }
    for trial in ["deadlines::case-bound", "deadlines::retry-bound"] {
        let m = message(outcome(&results, trial));
        assert!(!m.contains("--timeout"), "{trial}: {m}");
        assert!(m.contains("timed out"), "{trial}: {m}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn probing_a_stalled_target_costs_one_request_timeout() {
    let url = stalling_provider().await;
    let mut settings = Settings::new(&url);
    settings.request_timeout = Duration::from_millis(300);
    let started = Instant::now();
    let runner = Runner::connect(settings, Vec::new())
        .await
        .expect("connects");
    let took = started.elapsed();
    assert!(took < Duration::from_secs(3), "connecting took {took:?}");
    // No probe was answered: the unknown provider's features stay off, saying why.
    let secrets = &runner.profile.features[&Feature::Secrets];
    assert!(!secrets.enabled);
    assert!(
        secrets.reason.contains("not decided by a probe"),
        "{}",
        secrets.reason
    );
}
