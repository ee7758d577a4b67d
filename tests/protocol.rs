//! Protocol-level faults: the provider is a wiremock server (or, for what wiremock cannot
//! express, a hand-written TCP server) answering malformed JSON, the wrong content type, a
//! truncated body, a 50 MiB body, 500s, a connection reset, a refused connection, or nothing
//! in time. Each time the affected case fails or errors with a message saying what came
//! back, the other cases still run to their own outcome, the run ends within its deadline,
//! and nothing panics. `Runner::connect` and the binary are held to the same rules.

use std::time::{Duration, Instant};

use faas_certifier::runner::{CaseOutcome, CaseResult, RunError, Runner, Settings};
use faas_certifier::suite::{self, Feature};
use futures_util::future::join_all;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use wiremock::matchers::{method, path, path_regex};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

mod common;

/// The slack allowed past a run's deadline (cleanup, scheduling on a busy 2-core machine).
const SLACK: Duration = Duration::from_secs(5);

/// `/system/info` in the bare provider form, naming a provider the certifier does not know.
fn info() -> serde_json::Value {
    json!({
        "provider": "wiremock-provider",
        "orchestration": "wiremock",
        "version": {"release": "0.0.1", "sha": "cafe"}
    })
}

/// Settings with a short request timeout and a whole-run deadline.
fn settings(url: &str, request_timeout: Duration, deadline: Duration) -> Settings {
    let mut s = Settings::new(url);
    s.request_timeout = request_timeout;
    s.timeout = Some(deadline);
    s.poll_max = Duration::from_millis(100);
    s
}

/// Answers `/system/info` sensibly once, before any other mount: the run's preflight sees a
/// provider, and the info cases then meet the fault the test mounts.
async fn sensible_info_once(server: &MockServer) {
    Mock::given(method("GET"))
        .and(path("/system/info"))
        .respond_with(ResponseTemplate::new(200).set_body_json(info()))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(server)
        .await;
}

/// A wiremock server whose `/system/info` answers sensibly; each test mounts its fault.
async fn provider() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/system/info"))
        .respond_with(ResponseTemplate::new(200).set_body_json(info()))
        .mount(&server)
        .await;
    server
}

async fn connect(s: Settings) -> Runner {
    let suites = suite::load_builtin().expect("the built-in suites load");
    Runner::connect(s, suites).await.expect("connects")
}

/// Runs exactly `trials` (each must be planned) at once; the results in plan order.
async fn run(runner: &Runner, trials: &[&str]) -> Vec<CaseResult> {
    let plan: Vec<_> = runner
        .plan()
        .into_iter()
        .filter(|p| trials.contains(&p.trial.as_str()))
        .collect();
    assert_eq!(
        plan.len(),
        trials.len(),
        "not all of {trials:?} are planned"
    );
    join_all(plan.iter().map(|p| runner.run_case(p))).await
}

fn outcome<'a>(results: &'a [CaseResult], trial: &str) -> &'a CaseOutcome {
    &results
        .iter()
        .find(|r| r.trial == trial)
        .unwrap_or_else(|| panic!("{trial} did not run"))
        .outcome
}

/// The message of a failed or errored trial; anything else fails the test.
fn broken(results: &[CaseResult], trial: &str) -> String {
    match outcome(results, trial) {
        CaseOutcome::Failed(m) | CaseOutcome::Errored(m) => m.clone(),
        other => panic!("{trial}: want failed or errored, got {other:?}"),
    }
}

fn assert_passed(results: &[CaseResult], trial: &str) {
    assert_eq!(outcome(results, trial), &CaseOutcome::Passed, "{trial}");
}

fn assert_within(started: Instant, deadline: Duration) {
    let took = started.elapsed();
    assert!(
        took < deadline + SLACK,
        "took {took:?}, deadline {deadline:?}"
    );
}

#[tokio::test]
async fn malformed_json_fails_the_case_quoting_the_body() {
    let server = MockServer::start().await;
    let cut = r#"{"provider": "wiremock-provider", "orchestration": "wiremock", "version": {"rel"#;
    sensible_info_once(&server).await;
    Mock::given(method("GET"))
        .and(path("/system/info"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(cut, "application/json"))
        .mount(&server)
        .await;
    Mock::given(path("/healthz"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    let deadline = Duration::from_secs(3);
    let started = Instant::now();
    let runner = connect(settings(&server.uri(), Duration::from_secs(1), deadline)).await;
    assert_eq!(
        runner.profile.name, "unknown",
        "unparsable info: no profile"
    );
    let results = run(
        &runner,
        &[
            "info::provider-named",
            "info::orchestration",
            "health::healthz",
        ],
    )
    .await;
    let message = broken(&results, "info::provider-named");
    assert!(message.contains("want a JSON body"), "{message}");
    assert!(message.contains("wiremock-provider"), "{message}");
    assert!(
        message.contains("EOF"),
        "the parse error is named: {message}"
    );
    // The regex the case checks finds its text, but the answer is not the JSON the
    // contract's schema wants, and the failure quotes it; health does not care.
    let message = broken(&results, "info::orchestration");
    assert!(
        message.contains("GET /system/info (200) breaks its schema")
            && message.contains("the body is not JSON")
            && message.contains("wiremock-provider"),
        "{message}"
    );
    assert_passed(&results, "health::healthz");
    assert_within(started, deadline);
}

/// Echoes the request body, as a `cat` function does.
struct Echo;

impl Respond for Echo {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        ResponseTemplate::new(200).set_body_bytes(request.body.clone())
    }
}

/// Valid NDJSON log lines for the function named in the query, served as `text/html`.
struct HtmlLogs;

impl Respond for HtmlLogs {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let name = request
            .url
            .query_pairs()
            .find(|(k, _)| k == "name")
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default();
        let lines: String = ["Forking fprocess.", "Wrote 10 Bytes - Duration: 0.001s"]
            .iter()
            .map(|text| {
                let line = json!({"name": name, "namespace": "openfaas-fn", "instance": "a",
                    "timestamp": "2026-01-01T00:00:00Z", "text": text});
                format!("{line}\n")
            })
            .collect();
        ResponseTemplate::new(200).set_body_raw(lines, "text/html")
    }
}

#[tokio::test]
async fn wrong_content_type_fails_the_case_naming_the_type() {
    let server = provider().await;
    Mock::given(path("/system/functions"))
        .respond_with(ResponseTemplate::new(202))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path_regex("^/function/"))
        .respond_with(Echo)
        .mount(&server)
        .await;
    Mock::given(path("/system/logs"))
        .respond_with(HtmlLogs)
        .mount(&server)
        .await;
    Mock::given(path("/healthz"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    let deadline = Duration::from_secs(2);
    let started = Instant::now();
    let mut s = settings(&server.uri(), Duration::from_secs(1), deadline);
    s.enable = vec![Feature::Logs];
    let runner = connect(s).await;
    let results = run(&runner, &["logs::invocation-lines", "health::healthz"]).await;
    let message = broken(&results, "logs::invocation-lines");
    assert!(
        message.contains("Content-Type") && message.contains("text/html"),
        "{message}"
    );
    assert_passed(&results, "health::healthz");
    assert_within(started, deadline);
}

#[tokio::test]
async fn html_instead_of_json_fails_the_case_quoting_the_page() {
    let server = MockServer::start().await;
    let page = "<html><body><h1>502 Bad Gateway</h1></body></html>";
    sensible_info_once(&server).await;
    Mock::given(path("/system/info"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(page, "text/html"))
        .mount(&server)
        .await;
    let deadline = Duration::from_secs(3);
    let started = Instant::now();
    let runner = connect(settings(&server.uri(), Duration::from_secs(1), deadline)).await;
    assert_eq!(runner.profile.name, "unknown");
    let results = run(&runner, &["info::provider-named", "info::unknown-route"]).await;
    let message = broken(&results, "info::provider-named");
    assert!(message.contains("502 Bad Gateway"), "{message}");
    // wiremock answers 404 to what nothing matches: the case for unknown routes holds.
    assert_passed(&results, "info::unknown-route");
    assert_within(started, deadline);
}

#[tokio::test]
async fn fifty_mib_body_is_read_and_reported_as_an_excerpt() {
    let server = MockServer::start().await;
    let huge = vec![b'x'; 50 << 20];
    sensible_info_once(&server).await;
    Mock::given(method("GET"))
        .and(path("/system/info"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(huge, "application/json"))
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path("/system/info"))
        .respond_with(ResponseTemplate::new(405))
        .mount(&server)
        .await;
    let deadline = Duration::from_secs(8);
    let started = Instant::now();
    let runner = connect(settings(&server.uri(), deadline, deadline)).await;
    assert_eq!(runner.profile.name, "unknown");
    let results = run(&runner, &["info::provider-named", "info::wrong-method"]).await;
    let message = broken(&results, "info::provider-named");
    assert!(message.contains("xxxxxxxx"), "{message}");
    assert!(
        message.contains(&format!("{} more bytes", (50 << 20) - 200)),
        "{message}"
    );
    assert!(
        message.len() < 1000,
        "a short excerpt: {} bytes",
        message.len()
    );
    let steps = &results
        .iter()
        .find(|r| r.trial == "info::provider-named")
        .expect("ran")
        .steps;
    assert!(steps.iter().all(|s| s.response_excerpt.len() < 2000));
    assert_passed(&results, "info::wrong-method");
    assert_within(started, deadline);
}

#[tokio::test]
async fn server_errors_fail_the_case_with_status_and_body() {
    let server = provider().await;
    Mock::given(method("GET"))
        .and(path("/healthz"))
        .respond_with(ResponseTemplate::new(500).set_body_string("boom: database on fire"))
        .mount(&server)
        .await;
    Mock::given(method("HEAD"))
        .and(path("/healthz"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    Mock::given(path("/system/functions"))
        .respond_with(ResponseTemplate::new(500).set_body_string("deploy broke"))
        .mount(&server)
        .await;
    let deadline = Duration::from_secs(3);
    let started = Instant::now();
    let runner = connect(settings(&server.uri(), Duration::from_secs(1), deadline)).await;
    let trials = [
        "health::healthz",
        "health::healthz-head",
        "deploy::plain",
        "info::provider-named",
    ];
    let results = run(&runner, &trials).await;
    let message = broken(&results, "health::healthz");
    assert!(
        message.contains("got 500") && message.contains("database on fire"),
        "{message}"
    );
    let message = broken(&results, "deploy::plain");
    assert!(
        message.contains("POST /system/functions")
            && message.contains("got 500")
            && message.contains("deploy broke"),
        "{message}"
    );
    assert_passed(&results, "health::healthz-head");
    assert_passed(&results, "info::provider-named");
    assert_within(started, deadline);
}

#[tokio::test]
async fn slow_answers_time_out_within_the_deadline() {
    let server = provider().await;
    let slow = || ResponseTemplate::new(200).set_delay(Duration::from_secs(20));
    Mock::given(method("GET"))
        .and(path("/healthz"))
        .respond_with(slow())
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/system/functions"))
        .respond_with(ResponseTemplate::new(202))
        .mount(&server)
        .await;
    // The status poll never gets an answer in time; nor does the cleanup.
    Mock::given(path_regex("^/system/function/"))
        .respond_with(slow())
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .respond_with(slow())
        .mount(&server)
        .await;
    let deadline = Duration::from_secs(2);
    let started = Instant::now();
    let runner = connect(settings(
        &server.uri(),
        Duration::from_millis(300),
        deadline,
    ))
    .await;
    let results = run(
        &runner,
        &["health::healthz", "deploy::plain", "info::provider-named"],
    )
    .await;
    let message = broken(&results, "health::healthz");
    assert!(
        message.contains("GET /healthz") && message.contains("timed out"),
        "{message}"
    );
    let message = broken(&results, "deploy::plain");
    assert!(
        message.contains("/system/function/") && message.contains("timed out"),
        "{message}"
    );
    assert_passed(&results, "info::provider-named");
    assert_within(started, deadline);
}

#[tokio::test]
async fn refused_connections_error_every_case_quickly() {
    let (url, server) = raw_server(sensible).await;
    let deadline = Duration::from_secs(3);
    let started = Instant::now();
    let runner = connect(settings(&url, Duration::from_secs(1), deadline)).await;
    // The provider goes away after the run starts: its port now refuses.
    server.abort();
    assert!(server.await.is_err_and(|e| e.is_cancelled()));
    let trials = ["health::healthz", "info::provider-named", "deploy::plain"];
    let results = run(&runner, &trials).await;
    // One root cause: the case that noticed errors with it, the others are blocked by it.
    let cause = runner.root_cause().expect("the run names its root cause");
    assert!(
        cause.contains("stopped answering") && cause.to_lowercase().contains("connect"),
        "{cause}"
    );
    let mut noticed = 0;
    for trial in trials {
        match outcome(&results, trial) {
            CaseOutcome::Errored(m) => {
                assert_eq!(m, &cause, "{trial}");
                noticed += 1;
            }
            CaseOutcome::Blocked(m) => assert!(m.contains("stopped answering"), "{trial}: {m}"),
            other => panic!("{trial}: a transport problem is not a failure: {other:?}"),
        }
    }
    assert_eq!(noticed, 1, "the root cause is reported once");
    let deploy = results.iter().find(|r| r.trial == "deploy::plain");
    let left = &deploy.expect("deploy ran").leftovers;
    assert_eq!(left.len(), 1, "the function may exist: reported {left:?}");
    assert_within(started, deadline);
}

/// What the hand-written server does with one request.
enum Raw {
    /// Writes these bytes, then closes the connection cleanly.
    Close(Vec<u8>),
    /// Writes these bytes, then resets the connection (RST, not FIN).
    Reset(Vec<u8>),
}

/// A whole HTTP/1.1 answer with an exact Content-Length.
fn answer(status: &str, body: &str) -> Vec<u8> {
    format!(
        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// A one-request-per-connection HTTP server on 127.0.0.1:0 answering per `route(method, path)`:
/// its URL, and the task that listens (abort it to close the port).
async fn raw_server(route: fn(&str, &str) -> Raw) -> (String, tokio::task::JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("binds");
    let url = format!("http://{}", listener.local_addr().expect("has an address"));
    let server = tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(serve_raw(stream, route));
        }
    });
    (url, server)
}

async fn serve_raw(mut stream: TcpStream, route: fn(&str, &str) -> Raw) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(at) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
    // Read the request body too: closing with unread data would reset the connection.
    let length: usize = head
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse().ok())?
        })
        .unwrap_or(0);
    while buf.len() < head_end + length {
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
    let mut words = head.split_whitespace();
    let (method, target) = (words.next().unwrap_or(""), words.next().unwrap_or(""));
    match route(method, target) {
        Raw::Close(bytes) => {
            let _ = stream.write_all(&bytes).await;
            let _ = stream.shutdown().await;
        }
        Raw::Reset(bytes) => {
            let _ = stream.write_all(&bytes).await;
            let _ = stream.set_zero_linger();
        }
    }
}

/// The sensible answers of a raw provider: info, health and the info suite's refusals.
fn sensible(method: &str, target: &str) -> Raw {
    let info = info().to_string();
    Raw::Close(match (method, target) {
        ("GET", "/system/info") => answer("200 OK", &info),
        ("DELETE", "/system/info") => answer("405 Method Not Allowed", ""),
        (_, "/healthz") => answer("200 OK", ""),
        _ => answer("404 Not Found", "not found"),
    })
}

#[tokio::test]
async fn truncated_bodies_error_the_case_saying_what_came_back() {
    let (url, _server) = raw_server(|method, target| match (method, target) {
        // Content-Length promises 1000 bytes; 12 come, then the connection closes.
        ("GET", "/healthz") => Raw::Close(
            b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\nConnection: close\r\n\r\n{\"status\":\"o"
                .to_vec(),
        ),
        // A chunked body that stops mid-chunk.
        ("GET", "/system/no-such-route") => Raw::Close(
            b"HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n10\r\nnot fou"
                .to_vec(),
        ),
        (method, target) => sensible(method, target),
    })
    .await;
    let deadline = Duration::from_secs(3);
    let started = Instant::now();
    let runner = connect(settings(&url, Duration::from_secs(1), deadline)).await;
    let trials = [
        "health::healthz",
        "info::unknown-route",
        "health::healthz-head",
        "info::wrong-method",
    ];
    let results = run(&runner, &trials).await;
    let message = broken(&results, "health::healthz");
    assert!(
        message.contains("GET /healthz: got status 200 but not its whole body")
            && message.contains("end of file"),
        "{message}"
    );
    let message = broken(&results, "info::unknown-route");
    assert!(
        message.contains("got status 404 but not its whole body"),
        "{message}"
    );
    assert_passed(&results, "health::healthz-head");
    assert_passed(&results, "info::wrong-method");
    assert_within(started, deadline);
}

#[tokio::test]
async fn connection_resets_error_the_case() {
    let (url, _server) = raw_server(|method, target| match (method, target) {
        // Reset before a byte of the answer.
        ("GET", "/healthz") => Raw::Reset(Vec::new()),
        // Reset in the middle of the body.
        ("GET", "/system/no-such-route") => {
            Raw::Reset(b"HTTP/1.1 404 Not Found\r\nContent-Length: 1000\r\n\r\nnot fou".to_vec())
        }
        (method, target) => sensible(method, target),
    })
    .await;
    let deadline = Duration::from_secs(3);
    let started = Instant::now();
    let runner = connect(settings(&url, Duration::from_secs(1), deadline)).await;
    let trials = [
        "health::healthz",
        "info::unknown-route",
        "health::healthz-head",
        "info::provider-named",
    ];
    let results = run(&runner, &trials).await;
    for trial in ["health::healthz", "info::unknown-route"] {
        let message = broken(&results, trial);
        assert!(
            message.to_lowercase().contains("connection"),
            "{trial}: {message}"
        );
    }
    let message = broken(&results, "info::unknown-route");
    assert!(message.contains("got status 404"), "{message}");
    assert_passed(&results, "health::healthz-head");
    assert_passed(&results, "info::provider-named");
    assert_within(started, deadline);
}

/// A URL on 127.0.0.1 where nothing listens: a port bound, then let go.
fn refused_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("binds");
    let port = listener.local_addr().expect("has an address").port();
    drop(listener);
    format!("http://127.0.0.1:{port}")
}

/// `Runner::connect`, asserting it returns in less than `bound`.
async fn connect_within(s: Settings, bound: Duration) -> Result<Runner, RunError> {
    let started = Instant::now();
    let connected = Runner::connect(s, suite::load_builtin().expect("suites load")).await;
    let took = started.elapsed();
    assert!(took < bound, "connect took {took:?}");
    connected
}

#[tokio::test]
async fn connect_to_a_refused_port_fails_fast_naming_the_url() {
    let url = refused_url();
    let s = Settings::new(&url);
    let Err(e) = connect_within(s, Duration::from_secs(3)).await else {
        panic!("connected to nothing at {url}");
    };
    let message = e.to_string();
    assert!(
        message.contains(&format!("cannot reach {url}")),
        "{message}"
    );
    assert!(message.contains("selftest"), "{message}");
}

#[tokio::test]
async fn connect_refuses_garbage_info_saying_what_came_back() {
    for (status, body, said) in [
        (200, "not json at all", "not JSON"),
        (500, "internal error", "answered 500"),
        (200, "", "not JSON"),
        (200, r#"{"name": "x"}"#, "neither form"),
    ] {
        let server = MockServer::start().await;
        Mock::given(path("/system/info"))
            .respond_with(ResponseTemplate::new(status).set_body_string(body))
            .mount(&server)
            .await;
        let s = Settings::new(&server.uri());
        let Err(e) = connect_within(s, Duration::from_secs(3)).await else {
            panic!("{status} {body:?}: a run started against garbage");
        };
        let message = e.to_string();
        assert!(
            message.contains("is not an OpenFaaS provider or gateway")
                && message.contains(said)
                && message.contains(&format!("{body:?}")),
            "{status} {body:?}: {message}"
        );
        // Nothing but the info was asked for: nothing was created.
        let asked = server.received_requests().await.unwrap_or_default();
        assert!(
            asked.iter().all(|r| r.url.path() == "/system/info"),
            "{asked:?}"
        );
    }
}

#[tokio::test]
async fn connect_gives_up_on_a_hanging_info_by_the_run_deadline() {
    let server = MockServer::start().await;
    Mock::given(path("/system/info"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(30)))
        .mount(&server)
        .await;
    // The request timeout is the default 30 s: the run's deadline must bound the wait.
    let mut s = Settings::new(&server.uri());
    s.timeout = Some(Duration::from_secs(1));
    let Err(e) = connect_within(s, Duration::from_secs(1) + SLACK).await else {
        panic!("connected to a provider that never answered");
    };
    let message = e.to_string();
    assert!(
        message.contains(&server.uri()) && message.contains("timed out"),
        "{message}"
    );
}

#[tokio::test]
async fn connect_reports_truncated_or_reset_info() {
    let (url, _server) = raw_server(|_, _| {
        Raw::Reset(b"HTTP/1.1 200 OK\r\nContent-Length: 500\r\n\r\n{\"provider\":".to_vec())
    })
    .await;
    let s = settings(&url, Duration::from_secs(1), Duration::from_secs(3));
    let Err(e) = connect_within(s, Duration::from_secs(3)).await else {
        panic!("connected to a provider whose info broke off");
    };
    let message = e.to_string();
    assert!(message.contains(&url), "{message}");
    assert!(
        message.contains("got status 200 but not its whole body"),
        "what came back is named: {message}"
    );
}

#[test]
fn the_binary_fails_fast_on_a_refused_port_and_suggests_selftest() {
    let url = refused_url();
    let started = Instant::now();
    let out = common::process::certifier()
        .args(["run", "--gateway", &url, "--no-reports", "--timeout", "5s"])
        .arg("health::")
        .output()
        .expect("the binary runs");
    let took = started.elapsed();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(8), "{stderr}");
    assert!(took < Duration::from_secs(5), "took {took:?}");
    assert!(stderr.contains(&format!("cannot reach {url}")), "{stderr}");
    assert!(stderr.contains("faas-certifier selftest"), "{stderr}");
}
