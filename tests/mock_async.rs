//! The mock's asynchronous invocations over real HTTP: `POST /async-function/NAME` in both
//! gateway modes and through a gateway mock in front of a provider mock (`--upstream`), the
//! queue worker's invocation and its one callback to a receiver run by the test, the 400 for
//! a callback URL Go cannot parse, and the three async faults.

mod common;

use std::time::Duration;

use axum::body::to_bytes;
use axum::extract::Request;
use axum::http::{HeaderMap, StatusCode};
use bytes::Bytes;
use common::{config, env_value, start, Mock, Reply, DEFAULT_NS, POLL_TIMEOUT};
use faas_certifier::mock::{Fault, MockConfig};
use reqwest::Method;
use tokio::sync::mpsc;

/// How long the tests wait to be sure that no (further) callback comes.
const QUIET: Duration = Duration::from_millis(700);

/// One request the callback receiver got.
#[derive(Debug)]
struct Callback {
    method: String,
    path: String,
    headers: HeaderMap,
    body: Bytes,
}

impl Callback {
    fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// A callback receiver on `127.0.0.1:0`, answering 200 to everything and recording it.
struct Receiver {
    /// `http://127.0.0.1:PORT`.
    url: String,
    calls: mpsc::UnboundedReceiver<Callback>,
    server: tokio::task::JoinHandle<()>,
}

impl Receiver {
    async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("the receiver binds");
        let url = format!("http://{}", listener.local_addr().expect("an address"));
        let (sender, calls) = mpsc::unbounded_channel();
        let app = axum::Router::new().fallback(move |request: Request| {
            let sender = sender.clone();
            async move {
                let (parts, body) = request.into_parts();
                let body = to_bytes(body, usize::MAX).await.unwrap_or_default();
                let _ = sender.send(Callback {
                    method: parts.method.to_string(),
                    path: parts.uri.to_string(),
                    headers: parts.headers,
                    body,
                });
                StatusCode::OK
            }
        });
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self { url, calls, server }
    }

    /// The next callback, within the poll timeout.
    async fn next(&mut self, what: &str) -> Callback {
        tokio::time::timeout(POLL_TIMEOUT, self.calls.recv())
            .await
            .unwrap_or_else(|_| panic!("{what}: no callback within {POLL_TIMEOUT:?}"))
            .expect("the receiver runs")
    }

    /// Panics if a callback arrives within [`QUIET`].
    async fn expect_none(&mut self, what: &str) {
        if let Ok(Some(extra)) = tokio::time::timeout(QUIET, self.calls.recv()).await {
            panic!("{what}: an unexpected callback: {extra:?}");
        }
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.server.abort();
    }
}

fn ce_gateway() -> MockConfig {
    MockConfig {
        as_gateway: true,
        ..config()
    }
}

fn with_fault(fault: Fault) -> MockConfig {
    let mut config = ce_gateway();
    config.faults.insert(fault);
    config
}

/// Every gateway form: CE in-process, Pro in-process, and a CE gateway mock in front of a
/// provider mock (the provider kept alive alongside).
async fn gateways() -> Vec<(&'static str, Mock, Option<Mock>)> {
    let provider = start(config()).await;
    let chain = start(MockConfig {
        upstream: Some(provider.url.clone()),
        ..ce_gateway()
    })
    .await;
    let pro = MockConfig {
        gateway_pro: true,
        ..ce_gateway()
    };
    vec![
        ("ce", start(ce_gateway()).await, None),
        ("pro", start(pro).await, None),
        ("chain", chain, Some(provider)),
    ]
}

/// `POST /async-function/{target}` with `body` and the extra `headers`.
async fn submit(mock: &Mock, target: &str, headers: &[(&str, &str)], body: &str) -> Reply {
    let path = format!("/async-function/{target}");
    let mut builder = mock.req(Method::POST, &path).body(body.to_string());
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    mock.send(format!("POST {path}"), builder).await
}

/// Submits with a callback to `receiver` and insists on an empty 202 with a new call id.
async fn submit_202(mock: &Mock, target: &str, receiver: &Receiver, body: &str) -> String {
    let callback = format!("{}/cb", receiver.url);
    let reply = submit(mock, target, &[("X-Callback-Url", &callback)], body)
        .await
        .expect(202);
    assert!(reply.body.is_empty(), "{}: {:?}", reply.what, reply.text());
    let start_time = reply.header("x-start-time").unwrap_or_default();
    assert!(
        start_time.parse::<u64>().is_ok(),
        "X-Start-Time {start_time:?}"
    );
    let call_id = reply.header("x-call-id").unwrap_or_default();
    assert_eq!(call_id.len(), 36, "{}: X-Call-Id {call_id:?}", reply.what);
    call_id
}

/// Waits until `name` has been invoked `count` times.
async fn wait_invoked(mock: &Mock, name: &str, count: u64) {
    mock.wait_status(name, DEFAULT_NS, "the queued invocation", |s| {
        s.invocation_count >= count
    })
    .await;
}

#[tokio::test]
async fn every_gateway_queues_invokes_with_post_and_calls_back_once() {
    for (mode, gateway, _provider) in gateways().await {
        let mut receiver = Receiver::start().await;
        gateway.deploy_fn("async-env", "env").await;
        let call_id = submit_202(&gateway, "async-env/sub/path?q=1", &receiver, "hi").await;
        let call = receiver.next(mode).await;
        assert_eq!((call.method.as_str(), call.path.as_str()), ("POST", "/cb"));
        assert_eq!(call.header("x-call-id"), Some(call_id.clone()), "{mode}");
        assert_eq!(call.header("x-function-status").as_deref(), Some("200"));
        assert_eq!(call.header("x-function-name").as_deref(), Some("async-env"));
        let seconds = call.header("x-duration-seconds").unwrap_or_default();
        assert!(
            seconds.parse::<f64>().is_ok(),
            "{mode}: X-Duration-Seconds {seconds:?}"
        );
        let env = call.text();
        let var = |key: &str| env_value(&env, key);
        assert_eq!(var("Http_Method").as_deref(), Some("POST"), "{mode}: {env}");
        assert_eq!(var("Http_X_Call_Id"), Some(call_id), "{mode}");
        assert_eq!(var("Http_Path").as_deref(), Some("/sub/path"), "{mode}");
        assert_eq!(var("Http_Query").as_deref(), Some("q=1"), "{mode}");
        assert_eq!(var("Http_Content_Length").as_deref(), Some("2"), "{mode}");
        assert_eq!(
            var("Http_User_Agent").as_deref(),
            Some("openfaas-ce/nats-queue-worker"),
            "{mode}"
        );
        assert_eq!(
            var("Http_X_Callback_Url"),
            Some(format!("{}/cb", receiver.url))
        );
        receiver.expect_none(mode).await;
        assert_eq!(
            gateway
                .status("async-env", DEFAULT_NS)
                .await
                .invocation_count,
            1
        );
    }
}

#[tokio::test]
async fn a_plain_call_reaches_the_function_at_its_root_and_keeps_a_callers_call_id() {
    for (mode, gateway, _provider) in gateways().await {
        let mut receiver = Receiver::start().await;
        gateway.deploy_fn("async-root", "env").await;
        let callback = format!("{}/cb", receiver.url);
        let headers = [
            ("X-Callback-Url", callback.as_str()),
            ("X-Call-Id", "mine-1"),
        ];
        let reply = submit(&gateway, "async-root", &headers, "")
            .await
            .expect(202);
        // The call-id middleware adds X-Call-Id to the answer only when it made one up.
        assert_eq!(reply.header("x-call-id"), None, "{mode}");
        let call = receiver.next(mode).await;
        assert_eq!(
            call.header("x-call-id").as_deref(),
            Some("mine-1"),
            "{mode}"
        );
        let env = call.text();
        assert_eq!(env_value(&env, "Http_Path").as_deref(), Some("/"), "{mode}");
        assert_eq!(env_value(&env, "Http_X_Call_Id").as_deref(), Some("mine-1"));
    }
}

#[tokio::test]
async fn a_failing_or_unknown_function_reports_its_status() {
    for (mode, gateway, _provider) in gateways().await {
        let mut receiver = Receiver::start().await;
        gateway.deploy_fn("async-false", "false").await;
        let call_id = submit_202(&gateway, "async-false", &receiver, "").await;
        let call = receiver.next(mode).await;
        assert_eq!(
            call.header("x-function-status").as_deref(),
            Some("500"),
            "{mode}"
        );
        assert_eq!(call.header("x-call-id"), Some(call_id));
        assert_eq!(call.text(), "exit status 1\n", "{mode}");
        // The gateway queues without looking the function up; the worker meets the 404.
        submit_202(&gateway, "async-missing.openfaas-fn", &receiver, "").await;
        let call = receiver.next(mode).await;
        assert_eq!(
            call.header("x-function-status").as_deref(),
            Some("404"),
            "{mode}"
        );
        assert_eq!(
            call.header("x-function-name").as_deref(),
            Some("async-missing.openfaas-fn")
        );
    }
}

#[tokio::test]
async fn a_callback_url_go_cannot_parse_is_refused_with_its_error() {
    let gateway = start(ce_gateway()).await;
    gateway.deploy_fn("async-cat", "cat").await;
    for (url, why) in [
        ("%zz", r#"parse "%zz": invalid URL escape "%zz""#),
        (
            "http://a b/",
            r#"parse "http://a b/": invalid character " " in host name"#,
        ),
        (
            "http://h:x/",
            r#"parse "http://h:x/": invalid port ":x" after host"#,
        ),
    ] {
        let reply = submit(&gateway, "async-cat", &[("X-Callback-Url", url)], "")
            .await
            .expect_error(400);
        assert_eq!(reply.text(), format!("{why}\n"));
        assert!(
            reply.header("x-call-id").is_some(),
            "the middleware runs first"
        );
    }
    // Nothing was queued.
    tokio::time::sleep(QUIET).await;
    assert_eq!(
        gateway
            .status("async-cat", DEFAULT_NS)
            .await
            .invocation_count,
        0
    );
}

#[tokio::test]
async fn only_post_is_routed_and_only_on_a_gateway() {
    let gateway = start(ce_gateway()).await;
    for method in [Method::GET, Method::PUT, Method::DELETE] {
        let path = "/async-function/anything";
        let reply = gateway
            .send(format!("{method} {path}"), gateway.req(method, path))
            .await;
        assert_eq!(reply.status.as_u16(), 405, "{}", reply.what);
    }
    for path in ["/async-function/", "/async-function/a%20b"] {
        gateway.raw(Method::POST, path, "").await.expect_error(404);
    }
    let provider = start(config()).await;
    provider.deploy_fn("async-cat", "cat").await;
    for target in ["async-cat", "async-cat/", "async-cat/x"] {
        provider
            .raw(Method::POST, &format!("/async-function/{target}"), "")
            .await
            .expect_error(404);
    }
}

#[tokio::test]
async fn without_a_callback_the_function_still_runs() {
    let gateway = start(ce_gateway()).await;
    gateway.deploy_fn("async-quiet", "cat").await;
    submit(&gateway, "async-quiet", &[], "x").await.expect(202);
    wait_invoked(&gateway, "async-quiet", 1).await;
}

#[tokio::test]
async fn a_bad_callback_target_is_logged_and_the_queue_goes_on() {
    let gateway = start(ce_gateway()).await;
    gateway.deploy_fn("async-cat", "cat").await;
    // Go parses both; neither can be posted to (nothing listens on port 1).
    for target in ["not a url", "http://127.0.0.1:1/cb"] {
        submit(&gateway, "async-cat", &[("X-Callback-Url", target)], "")
            .await
            .expect(202);
    }
    wait_invoked(&gateway, "async-cat", 2).await;
    let mut receiver = Receiver::start().await;
    submit_202(&gateway, "async-cat", &receiver, "still here").await;
    assert_eq!(
        receiver.next("after bad targets").await.text(),
        "still here"
    );
}

#[tokio::test]
async fn the_mock_stops_promptly_with_a_callback_hanging() {
    let gateway = start(ce_gateway()).await;
    gateway.deploy_fn("async-cat", "cat").await;
    let (target, hold) = silent_target().await;
    submit(&gateway, "async-cat", &[("X-Callback-Url", &target)], "")
        .await
        .expect(202);
    wait_invoked(&gateway, "async-cat", 1).await;
    gateway.stop().await;
    hold.abort();
}

/// A TCP listener that accepts connections and never answers; its `http://ADDR/cb`.
async fn silent_target() -> (String, tokio::task::JoinHandle<()>) {
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let target = format!("http://{}/cb", silent.local_addr().unwrap());
    let hold = tokio::spawn(async move {
        let mut open = Vec::new();
        while let Ok((socket, _)) = silent.accept().await {
            open.push(socket);
        }
    });
    (target, hold)
}

#[tokio::test]
async fn the_queue_is_bounded() {
    // 8 jobs at once (the worker's max inflight), 1024 waiting: with every running job stuck
    // on a callback that never answers, the queue fills and the gateway refuses with 500.
    let gateway = start(ce_gateway()).await;
    gateway.deploy_fn("async-cat", "cat").await;
    let (target, hold) = silent_target().await;
    let mut accepted = 0;
    let refusal = loop {
        let reply = submit(&gateway, "async-cat", &[("X-Callback-Url", &target)], "").await;
        if reply.status.as_u16() != 202 || accepted > 1100 {
            break reply;
        }
        accepted += 1;
    };
    let refusal = refusal.expect_error(500);
    assert!(
        refusal.text().starts_with("Error queuing request: "),
        "{}",
        refusal.text()
    );
    assert!((1024..=1032).contains(&accepted), "accepted {accepted}");
    gateway.stop().await;
    hold.abort();
}

#[tokio::test]
async fn async_no_callback_invokes_but_never_calls_back() {
    let gateway = start(with_fault(Fault::AsyncNoCallback)).await;
    let mut receiver = Receiver::start().await;
    gateway.deploy_fn("async-cat", "cat").await;
    submit_202(&gateway, "async-cat", &receiver, "x").await;
    wait_invoked(&gateway, "async-cat", 1).await;
    receiver.expect_none("async-no-callback").await;
}

#[tokio::test]
async fn async_call_id_changed_calls_back_with_another_id() {
    let gateway = start(with_fault(Fault::AsyncCallIdChanged)).await;
    let mut receiver = Receiver::start().await;
    gateway.deploy_fn("async-env", "env").await;
    let call_id = submit_202(&gateway, "async-env", &receiver, "").await;
    let call = receiver.next("async-call-id-changed").await;
    let sent = call.header("x-call-id").unwrap_or_default();
    assert!(
        !sent.is_empty() && sent != call_id,
        "{sent:?} vs {call_id:?}"
    );
    // The function itself saw the right one: only the callback is wrong.
    assert_eq!(env_value(&call.text(), "Http_X_Call_Id"), Some(call_id));
}

#[tokio::test]
async fn async_status_dropped_calls_back_without_the_status() {
    let gateway = start(with_fault(Fault::AsyncStatusDropped)).await;
    let mut receiver = Receiver::start().await;
    gateway.deploy_fn("async-false", "false").await;
    let call_id = submit_202(&gateway, "async-false", &receiver, "").await;
    let call = receiver.next("async-status-dropped").await;
    assert_eq!(call.header("x-function-status"), None);
    assert_eq!(call.header("x-call-id"), Some(call_id));
    assert_eq!(
        call.header("x-function-name").as_deref(),
        Some("async-false")
    );
    assert_eq!(call.text(), "exit status 1\n");
}
