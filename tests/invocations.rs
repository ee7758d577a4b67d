//! The invocation step kinds end to end. Through the library, against a small gateway
//! stand-in served by the test: streams judged by when their events arrive, WebSocket round
//! trips, asynchronous invocations and their callbacks received by the run's own receiver,
//! and what the run does without a receiver (a target not on loopback) or without a queue
//! (`async` probed off). Then as a user runs it, the built-in suites against the bundled
//! mock's CE gateway: without `--callback-url` a target that looks remote is only `passed
//! (partial)`, naming the flag; a gateway without a queue is still `certified`.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use axum::Router;
use faas_certifier::runner::{CaseOutcome, CaseResult, Runner, Settings};
use faas_certifier::suite::{self, Feature};

mod common;
use common::process::{MockProcess, BIN};

const SUITE: &str = r#"
each_namespace: false
cases:
  - name: streamed
    steps:
      - stream: {name: sse, path: /.sse, events: 4, first_within: 5s, min_spread: 150ms}
        timeout: 10s
        expect: {status: 200, headers: {Content-Type: {matches: '^text/event-stream'}}, body_contains: "event: time"}
  - name: held
    steps:
      - stream: {name: held, path: /.sse, events: 4, first_within: 5s, min_spread: 150ms}
        timeout: 10s
        expect: {status: 200, body_contains: "event: time"}
  - name: websocket
    steps:
      - websocket: {name: ws, greeting: "", send: "hello ${run}"}
        timeout: 5s
        expect: {status: 101, echo: true}
  - name: websocket-refused
    steps:
      - websocket: {name: refuse, greeting: "", send: "hello"}
        timeout: 5s
        expect: {status: 101, echo: true}
  - name: accepted
    requires: [async]
    steps:
      - invoke_async: {name: once, body: x}
        expect: {status: 202, headers: {X-Call-Id: {present: true}}}
  - name: called-back
    requires: [async]
    steps:
      - invoke_async: {name: once, body: "hello ${run}", callback: true}
        expect: {status: 202}
        capture: {call_id: {header: X-Call-Id}}
      - callback: {within: 5s}
        expect:
          headers: {X-Call-Id: {equals: "${call_id}"}, X-Function-Status: {equals: "200"}, X-Function-Name: {equals: once}}
          body_contains: "hello ${run}"
  - name: called-back-twice
    requires: [async]
    steps:
      - invoke_async: {name: twice, body: x, callback: true}
        expect: {status: 202}
      - callback: {within: 5s, grace: 300ms}
  - name: never-called-back
    requires: [async]
    steps:
      - invoke_async: {name: never, body: x, callback: true}
        expect: {status: 202}
      - callback: {within: 300ms}
  - name: bad-callback-url
    requires: [async]
    steps:
      - invoke_async: {name: once, callback_url: "%zz"}
        expect: {status: 400}
"#;

/// What the stand-in offers.
#[derive(Clone, Copy)]
struct Offer {
    /// `/async-function/` is routed.
    queue: bool,
}

/// Serves the stand-in gateway on 127.0.0.1; its address.
async fn serve(offer: Offer) -> SocketAddr {
    let mut app = Router::new()
        .route("/system/info", get(info))
        .route("/system/namespaces", get(|| async { r#"["openfaas-fn"]"# }))
        .route("/function/sse/.sse", get(|| sse(false)))
        .route("/function/held/.sse", get(|| sse(true)))
        .route("/function/ws", any(echo))
        .route(
            "/function/refuse",
            any(|| async { (StatusCode::BAD_REQUEST, "no upgrade here\n") }),
        );
    if offer.queue {
        app = app.route("/async-function/{name}", post(queue));
    }
    let app = app
        .fallback(|| async { (StatusCode::NOT_FOUND, "404 page not found\n") })
        .with_state(std::sync::Arc::new(AtomicU64::new(0)));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    addr
}

async fn info() -> impl IntoResponse {
    axum::Json(serde_json::json!({
        "provider": {"provider": "stand-in", "orchestration": "test", "version": {"release": "1", "sha": "abc"}},
        "version": {"release": "0.0.1", "sha": "def"},
        "arch": "x86_64",
    }))
}

/// An endless event stream, one `time` event every 100 ms after the `request` event; `held`
/// sends the first six events together after 600 ms, as a buffering proxy would.
async fn sse(held: bool) -> Response {
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<String, std::convert::Infallible>>(16);
    tokio::spawn(async move {
        let event = |n: u32| {
            let name = if n == 1 { "request" } else { "time" };
            format!("event: {name}\ndata: {n}\nid: {n}\n\n")
        };
        if held {
            tokio::time::sleep(Duration::from_millis(600)).await;
            let all: String = (1..=6).map(event).collect();
            if tx.send(Ok(all)).await.is_err() {
                return;
            }
            tx.closed().await;
            return;
        }
        for n in 1.. {
            if tx.send(Ok(event(n))).await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    });
    let body = axum::body::Body::from_stream(tokio_stream::wrappers::ReceiverStream::new(rx));
    ([("content-type", "text/event-stream")], body).into_response()
}

/// A WebSocket echo that greets with an empty message, as jmalloc/echo-server does with
/// `SEND_SERVER_HOSTNAME=false`.
async fn echo(ws: WebSocketUpgrade) -> Response {
    ws.on_upgrade(|mut socket: WebSocket| async move {
        if socket.send(Message::Text("".into())).await.is_err() {
            return;
        }
        while let Some(Ok(message)) = socket.recv().await {
            if matches!(message, Message::Text(_) | Message::Binary(_))
                && socket.send(message).await.is_err()
            {
                return;
            }
        }
    })
}

/// Queues an invocation of `name`: 400 for an unparsable callback URL, else 202 with an
/// `X-Call-Id`, then (as the queue worker does) POSTs the answer to the callback URL: once
/// for `once`, twice for `twice`, never for `never`.
async fn queue(
    State(ids): State<std::sync::Arc<AtomicU64>>,
    Path(name): Path<String>,
    headers: HeaderMap,
    body: bytes::Bytes,
) -> Response {
    let callback = headers
        .get("x-callback-url")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    if let Some(url) = &callback {
        if reqwest::Url::parse(url).is_err() {
            return (StatusCode::BAD_REQUEST, "parse error\n").into_response();
        }
    }
    let id = format!("call-{}", ids.fetch_add(1, Ordering::Relaxed));
    if let Some(url) = callback {
        let times = match name.as_str() {
            "once" => 1,
            "twice" => 2,
            _ => 0,
        };
        let (id, name) = (id.clone(), name.clone());
        tokio::spawn(async move {
            for _ in 0..times {
                let _ = reqwest::Client::new()
                    .post(&url)
                    .header("X-Call-Id", &id)
                    .header("X-Function-Status", "200")
                    .header("X-Function-Name", &name)
                    .header("X-Duration-Seconds", "0.001000")
                    .body(body.clone())
                    .send()
                    .await;
            }
        });
    }
    (StatusCode::ACCEPTED, [("X-Call-Id", id)]).into_response()
}

async fn connect(settings: Settings) -> Runner {
    let suite = suite::load_str("invocations.yaml", SUITE).expect("the suite loads");
    Runner::connect(settings, vec![suite])
        .await
        .expect("connects")
}

async fn run(runner: &Runner, case: &str) -> CaseResult {
    common::run_trial(runner, &format!("invocations::{case}")).await
}

fn failed(result: &CaseResult) -> String {
    match &result.outcome {
        CaseOutcome::Failed(why) => why.clone(),
        other => panic!("{}: want failed, got {other:?}", result.trial),
    }
}

fn passed(result: &CaseResult) {
    assert_eq!(
        result.outcome,
        CaseOutcome::Passed,
        "{}: {:?}",
        result.trial,
        result.steps
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stream_passes_when_its_events_arrive_apart_and_fails_when_held() {
    let addr = serve(Offer { queue: false }).await;
    let runner = connect(Settings::new(&format!("http://{addr}"))).await;
    let streamed = run(&runner, "streamed").await;
    passed(&streamed);
    let timeline = &streamed.steps[0].attempt_log;
    assert!(
        timeline.iter().any(|l| l.starts_with("events arrived at ")),
        "{timeline:?}"
    );
    let why = failed(&run(&runner, "held").await);
    assert!(
        why.contains("want the last of 4 events at least 150 ms after the first"),
        "{why}"
    );
    assert!(
        why.contains("the answer was held and delivered at once"),
        "{why}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_websocket_echoes_and_a_refused_upgrade_fails_with_its_answer() {
    let addr = serve(Offer { queue: false }).await;
    let runner = connect(Settings::new(&format!("http://{addr}"))).await;
    let echoed = run(&runner, "websocket").await;
    passed(&echoed);
    assert_eq!(echoed.steps[0].status, Some(101));
    let why = failed(&run(&runner, "websocket-refused").await);
    assert!(
        why.contains("want status 101, got 400: \"no upgrade here\""),
        "{why}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exactly_one_callback_passes_and_two_or_none_fail() {
    let addr = serve(Offer { queue: true }).await;
    let runner = connect(Settings::new(&format!("http://{addr}"))).await;
    assert!(runner.profile.has(Feature::Async), "{:?}", runner.profile);
    assert!(
        runner.profile.why_not(Feature::Async).contains("-> 400"),
        "{}",
        runner.profile.why_not(Feature::Async)
    );
    passed(&run(&runner, "accepted").await);
    passed(&run(&runner, "bad-callback-url").await);
    let called_back = run(&runner, "called-back").await;
    passed(&called_back);
    let wait = &called_back.steps[1];
    assert!(wait.path.contains("/callback/"), "{}", wait.path);
    assert_eq!(wait.status, Some(200), "the function's status, as reported");
    let twice = failed(&run(&runner, "called-back-twice").await);
    assert!(
        twice.contains("want exactly one callback, got 2"),
        "{twice}"
    );
    assert!(twice.contains("got 2 (the second"), "{twice}");
    let never = failed(&run(&runner, "never-called-back").await);
    assert!(never.contains("within 300ms, got none"), "{never}");
    assert!(runner.unchecked().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_queue_async_is_probed_off_and_its_cases_skipped() {
    let addr = serve(Offer { queue: false }).await;
    let runner = connect(Settings::new(&format!("http://{addr}"))).await;
    assert!(!runner.profile.has(Feature::Async));
    let why = runner.profile.why_not(Feature::Async);
    assert!(
        why.contains("-> 404") && why.contains("not routed"),
        "{why}"
    );
    for case in ["accepted", "called-back"] {
        let result = run(&runner, case).await;
        assert!(
            matches!(&result.outcome, CaseOutcome::Skipped(r) if r.contains("needs feature `async`")),
            "{case}: {:?}",
            result.outcome
        );
    }
    assert!(
        runner.unchecked().is_empty(),
        "a feature off is not unchecked"
    );
}

/// A name of this machine that is not a loopback name or address, yet reaches loopback: the
/// target looks remote to the run while the traffic stays on this machine. The machine's
/// host name when it resolves to loopback only; else `0.0.0.0`, which Linux connects to the
/// local host (an unspecified address is not a loopback one to the run).
async fn remote_looking_name() -> String {
    let name = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|n| n.trim().to_string())
        .unwrap_or_default();
    let resolved: Vec<SocketAddr> = tokio::net::lookup_host((name.as_str(), 80))
        .await
        .map(|a| a.collect())
        .unwrap_or_default();
    if !name.is_empty() && !resolved.is_empty() && resolved.iter().all(|a| a.ip().is_loopback()) {
        name
    } else {
        "0.0.0.0".to_string()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_target_not_on_loopback_needs_callback_url_for_its_callbacks() {
    let addr = serve(Offer { queue: true }).await;
    let url = format!("http://{}:{}", remote_looking_name().await, addr.port());
    let runner = connect(Settings::new(&url)).await;
    assert!(runner.profile.has(Feature::Async));
    passed(&run(&runner, "accepted").await);
    let skipped = run(&runner, "called-back").await;
    let CaseOutcome::Skipped(why) = &skipped.outcome else {
        panic!("want skipped, got {:?}", skipped.outcome);
    };
    assert!(
        why.starts_with("needs the run's callback receiver: ") && why.contains("--callback-url"),
        "{why}"
    );
    let unchecked = runner.unchecked();
    assert_eq!(unchecked.len(), 1, "{unchecked:?}");
    assert!(
        unchecked[0].contains("callbacks were not checked"),
        "{unchecked:?}"
    );
    assert!(unchecked[0].contains("--callback-url"), "{unchecked:?}");

    // With --callback-url (and where to listen), the same target's callbacks are checked.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .unwrap()
        .port();
    let mut settings = Settings::new(&url);
    settings.callback_url = Some(format!("http://127.0.0.1:{port}"));
    settings.callback_listen = Some(SocketAddr::from(([127, 0, 0, 1], port)));
    let told = connect(settings).await;
    passed(&run(&told, "called-back").await);
    assert!(told.unchecked().is_empty());
}

/// `faas-certifier run --gateway URL ARGS` with the built-in suites, reports in a temporary
/// directory: its exit status, its console and its JSON report.
fn certify(url: &str, args: &[&str]) -> (Option<i32>, String, serde_json::Value) {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = std::process::Command::new(BIN)
        .args(["run", "--gateway", url, "--report-dir"])
        .arg(dir.path())
        .args(args)
        .env_remove("OPENFAAS_URL")
        .env_remove("CERTIFIER_NAMESPACES")
        .env_remove("GITHUB_STEP_SUMMARY")
        .env("HOME", dir.path())
        .stdin(std::process::Stdio::null())
        .output()
        .expect("the certifier runs");
    let console = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let report = std::fs::read_to_string(dir.path().join("report.json")).expect("report.json");
    (
        out.status.code(),
        console,
        serde_json::from_str(&report).expect("JSON"),
    )
}

/// The outcome and reason of `trial` in a JSON report.
fn outcome(report: &serde_json::Value, trial: &str) -> (String, String) {
    let case = report["cases"]
        .as_array()
        .and_then(|cases| cases.iter().find(|c| c["id"] == trial))
        .unwrap_or_else(|| panic!("{trial} in the report"));
    let text = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_string();
    (text(&case["outcome"]), text(&case["reason"]))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_remote_looking_gateway_with_a_queue_is_partial_without_callback_url() {
    let mock = MockProcess::start(&["--as-gateway", "--stream-interval", "100ms"]);
    let port = mock.url.rsplit(':').next().expect("a port").to_string();
    let url = format!("http://{}:{port}", remote_looking_name().await);
    let (code, console, report) = tokio::task::spawn_blocking(move || certify(&url, &[]))
        .await
        .expect("the run");
    assert_eq!(code, Some(0), "{console}");
    assert_eq!(report["verdict"]["level"], "passed (partial)", "{console}");
    let reasons = report["verdict"]["reasons"].to_string();
    assert!(
        reasons.contains("callbacks were not checked") && reasons.contains("--callback-url"),
        "{reasons}"
    );
    for trial in ["invoke::async-callback", "invoke::async-failure-status"] {
        let (outcome, reason) = outcome(&report, trial);
        assert_eq!(outcome, "skipped", "{trial}");
        assert!(reason.contains("--callback-url"), "{trial}: {reason}");
    }
    for trial in ["invoke::async-accepted", "invoke::async-bad-callback-url"] {
        assert_eq!(outcome(&report, trial).0, "passed", "{trial}");
    }
}

/// Forwards everything to `upstream`, answers streamed as they come, except
/// `/async-function/`: a CE gateway deployed without NATS, whose async routes do not exist
/// (8d803bf9 `gateway/main.go` registers them only with a queue).
async fn without_queue(upstream: String) -> SocketAddr {
    async fn forward(State(upstream): State<String>, request: axum::extract::Request) -> Response {
        let path = request
            .uri()
            .path_and_query()
            .map(|p| p.to_string())
            .unwrap_or_default();
        if path.starts_with("/async-function/") {
            return (StatusCode::NOT_FOUND, "404 page not found\n").into_response();
        }
        let (parts, body) = request.into_parts();
        let Ok(body) = axum::body::to_bytes(body, usize::MAX).await else {
            return StatusCode::BAD_REQUEST.into_response();
        };
        let mut headers = parts.headers.clone();
        headers.remove("host");
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("a client");
        let sent = client
            .request(parts.method, format!("{upstream}{path}"))
            .headers(headers)
            .body(body)
            .send()
            .await;
        let Ok(answer) = sent else {
            return StatusCode::BAD_GATEWAY.into_response();
        };
        let mut out = Response::builder().status(answer.status());
        for (name, value) in answer.headers() {
            if name != "transfer-encoding" && name != "connection" {
                out = out.header(name, value);
            }
        }
        out.body(axum::body::Body::from_stream(answer.bytes_stream()))
            .unwrap_or_else(|_| StatusCode::BAD_GATEWAY.into_response())
    }
    let app = Router::new().fallback(forward).with_state(upstream);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    addr
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gateway_without_a_queue_is_certified_with_its_async_cases_skipped() {
    let mock = MockProcess::start(&["--as-gateway", "--stream-interval", "100ms"]);
    let front = without_queue(mock.url.clone()).await;
    let url = format!("http://{front}");
    let (code, console, report) = tokio::task::spawn_blocking(move || certify(&url, &[]))
        .await
        .expect("the run");
    assert_eq!(code, Some(0), "{console}");
    assert_eq!(report["verdict"]["level"], "certified", "{console}");
    assert!(
        console.contains("off async") && console.contains("-> 404"),
        "{console}"
    );
    for trial in [
        "invoke::async-accepted",
        "invoke::async-callback",
        "invoke::async-failure-status",
        "invoke::async-bad-callback-url",
    ] {
        let (outcome, reason) = outcome(&report, trial);
        assert_eq!(outcome, "skipped", "{trial}");
        assert!(
            reason.contains("needs feature `async`"),
            "{trial}: {reason}"
        );
    }
}
