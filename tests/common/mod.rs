//! Shared helpers for the mock's end-to-end tests: start a mock on `127.0.0.1:0`, talk to
//! it over real HTTP, and poll with a deadline.
//!
//! Each test file compiles this module on its own and uses a different subset of it.
#![allow(dead_code)]

pub mod process;

use std::future::Future;
use std::time::{Duration, Instant};

use bytes::Bytes;
use faas_certifier::mock::{spawn, AutoscalerConfig, BasicAuth, MockConfig, RunningMock};
use faas_certifier::model::FunctionStatus;
use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// The default namespace of an OpenFaaS installation.
pub const DEFAULT_NS: &str = "openfaas-fn";
/// The extra namespace every test mock is configured with.
pub const EXTRA_NS: &str = "extra";
/// How long any single poll may take before the test fails.
pub const POLL_TIMEOUT: Duration = Duration::from_secs(10);

/// A configuration with one extra namespace and otherwise the mock's defaults.
pub fn config() -> MockConfig {
    MockConfig {
        namespaces: vec![EXTRA_NS.into()],
        ..MockConfig::default()
    }
}

/// An autoscaler that reacts within a fraction of a second.
pub fn fast_autoscaler() -> AutoscalerConfig {
    AutoscalerConfig {
        window: Duration::from_millis(500),
        interval: Duration::from_millis(50),
        threshold_rps: 5.0,
        idle_to_zero: Duration::from_millis(300),
    }
}

/// The credentials used by the auth tests.
pub fn admin() -> BasicAuth {
    BasicAuth {
        user: "admin".into(),
        password: "pw".into(),
    }
}

/// A running mock plus a client that talks to it.
pub struct Mock {
    /// Keeps the server alive; `stop` shuts it down.
    running: RunningMock,
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    /// `127.0.0.1:PORT`, as the `Host` header carries it.
    pub host: String,
    /// A client that never follows redirects and never uses a proxy.
    pub client: reqwest::Client,
    /// Credentials sent on every request made through [`Mock::req`], when set.
    pub auth: Option<BasicAuth>,
}

/// A mock with `config` on a runtime of its own, for a test that runs the binary against
/// it (`mock.url`); it serves until both are dropped.
pub fn mock_on_own_runtime(config: MockConfig) -> (tokio::runtime::Runtime, RunningMock) {
    let rt = tokio::runtime::Runtime::new().expect("a runtime");
    let mock = rt.block_on(spawn(config)).expect("the mock starts");
    (rt, mock)
}

/// Starts a mock with `config`; the client sends the configured credentials, if any.
///
/// `MOCK_TEST_FAULTS=name,name` adds faults of the mock's catalogue to every mock, to check
/// that these tests catch them (at least one test must fail per fault).
pub async fn start(mut config: MockConfig) -> Mock {
    if let Ok(names) = std::env::var("MOCK_TEST_FAULTS") {
        for name in names.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            let fault: faas_certifier::mock::Fault = name
                .parse()
                .unwrap_or_else(|e| panic!("MOCK_TEST_FAULTS: {name:?}: {e}"));
            config.faults.insert(fault);
        }
    }
    let auth = config.basic_auth.clone();
    let running = spawn(config)
        .await
        .expect("mock should start on 127.0.0.1:0");
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .timeout(Duration::from_secs(20))
        .build()
        .expect("client builds");
    Mock {
        url: running.url.clone(),
        host: running.addr.to_string(),
        running,
        client,
        auth,
    }
}

/// What came back from one request, with what was sent for failure messages.
#[derive(Debug)]
pub struct Reply {
    /// `METHOD PATH`, for messages.
    pub what: String,
    /// The status code.
    pub status: StatusCode,
    /// The response headers.
    pub headers: HeaderMap,
    /// The whole body.
    pub body: Bytes,
}

impl Reply {
    /// The body as (lossy) UTF-8.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body parsed as JSON into `T`.
    pub fn json<T: serde::de::DeserializeOwned>(&self) -> T {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "{}: body is not the expected JSON ({e}): {:?}",
                self.what,
                self.text()
            )
        })
    }

    /// One header as text, if present.
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
    }

    /// Panics unless the status is `want`.
    #[track_caller]
    pub fn expect(self, want: u16) -> Self {
        assert_eq!(
            self.status.as_u16(),
            want,
            "{}: want status {want}, got {}: {:?}",
            self.what,
            self.status,
            self.text()
        );
        self
    }

    /// Panics unless the status is `want` and the body is a short plain-text reason.
    #[track_caller]
    pub fn expect_error(self, want: u16) -> Self {
        let reply = self.expect(want);
        let text = reply.text();
        assert!(
            !text.trim().is_empty(),
            "{}: want a plain-text reason with status {want}, got an empty body",
            reply.what
        );
        assert!(
            text.len() < 1024,
            "{}: want a short reason, got {} bytes: {text:?}",
            reply.what,
            text.len()
        );
        let content_type = reply.header("content-type").unwrap_or_default();
        assert!(
            content_type.starts_with("text/plain"),
            "{}: want Content-Type text/plain on a {want}, got {content_type:?} (body {text:?})",
            reply.what
        );
        reply
    }
}

impl Mock {
    /// A request to `path` (which may carry a query), with the credentials if set.
    pub fn req(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        let builder = self.client.request(method, format!("{}{path}", self.url));
        match &self.auth {
            Some(c) => builder.basic_auth(&c.user, Some(&c.password)),
            None => builder,
        }
    }

    /// Sends a request and reads the whole reply.
    pub async fn send(&self, what: String, builder: reqwest::RequestBuilder) -> Reply {
        let resp = builder
            .send()
            .await
            .unwrap_or_else(|e| panic!("{what}: request failed: {e}"));
        let status = resp.status();
        let headers = resp.headers().clone();
        let body = resp
            .bytes()
            .await
            .unwrap_or_else(|e| panic!("{what}: reading body: {e}"));
        Reply {
            what,
            status,
            headers,
            body,
        }
    }

    /// `GET path`.
    pub async fn get(&self, path: &str) -> Reply {
        self.send(format!("GET {path}"), self.req(Method::GET, path))
            .await
    }

    /// `METHOD path` with a JSON body.
    pub async fn json(&self, method: Method, path: &str, body: &Value) -> Reply {
        let what = format!("{method} {path} {body}");
        self.send(what, self.req(method, path).json(body)).await
    }

    /// `METHOD path` with raw bytes as the body.
    pub async fn raw(&self, method: Method, path: &str, body: impl Into<Vec<u8>>) -> Reply {
        let body: Vec<u8> = body.into();
        let what = format!("{method} {path} ({} bytes)", body.len());
        self.send(what, self.req(method, path).body(body)).await
    }

    /// `POST /function/{target}` with `body`; `target` may carry `.ns`, a sub-path or a query.
    pub async fn invoke(&self, target: &str, body: impl Into<Vec<u8>>) -> Reply {
        self.raw(Method::POST, &format!("/function/{target}"), body)
            .await
    }

    /// Deploys `body` and insists on 202.
    pub async fn deploy(&self, body: Value) {
        self.json(Method::POST, "/system/functions", &body)
            .await
            .expect(202);
    }

    /// Deploys a function `name` running `fprocess` in the default namespace.
    pub async fn deploy_fn(&self, name: &str, fprocess: &str) {
        self.deploy(json!({"service": name, "image": "ghcr.io/openfaas/alpine:latest", "envProcess": fprocess}))
            .await;
    }

    /// Deploys a `cat` function with scaling labels.
    pub async fn deploy_labelled(&self, name: &str, labels: Value) {
        self.deploy(json!({
            "service": name,
            "image": "ghcr.io/openfaas/alpine:latest",
            "envProcess": "cat",
            "labels": labels,
        }))
        .await;
    }

    /// `GET /system/function/{name}?namespace={ns}`, insisting on 200.
    pub async fn status(&self, name: &str, ns: &str) -> FunctionStatus {
        self.get(&format!("/system/function/{name}?namespace={ns}"))
            .await
            .expect(200)
            .json()
    }

    /// `POST /system/scale-function/{name}` to `replicas`, insisting on 202.
    pub async fn scale(&self, name: &str, ns: &str, replicas: u64) {
        let body = json!({"serviceName": name, "replicas": replicas, "namespace": ns});
        self.json(
            Method::POST,
            &format!("/system/scale-function/{name}?namespace={ns}"),
            &body,
        )
        .await
        .expect(202);
    }

    /// Polls the status of `name` until `done` holds; returns the status that satisfied it.
    pub async fn wait_status(
        &self,
        name: &str,
        ns: &str,
        what: &str,
        done: impl Fn(&FunctionStatus) -> bool,
    ) -> FunctionStatus {
        poll(what, POLL_TIMEOUT, || async {
            let s = self.status(name, ns).await;
            if done(&s) {
                Ok(s)
            } else {
                Err(format!(
                    "replicas={} availableReplicas={} invocationCount={}",
                    s.replicas, s.available_replicas, s.invocation_count
                ))
            }
        })
        .await
    }

    /// Stops the mock and insists that it shuts down promptly.
    pub async fn stop(self) {
        tokio::time::timeout(Duration::from_secs(5), self.running.stop())
            .await
            .expect("mock should stop within 5s")
            .expect("mock should stop cleanly");
    }
}

/// Retries `attempt` with a backoff from 5 ms up to 100 ms until it returns `Ok` or
/// `timeout` passes; the panic names `what` and the last observation.
pub async fn poll<T, F, Fut>(what: &str, timeout: Duration, mut attempt: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, String>>,
{
    let start = Instant::now();
    let mut delay = Duration::from_millis(5);
    loop {
        match attempt().await {
            Ok(value) => return value,
            Err(last) if start.elapsed() >= timeout => {
                panic!("timed out after {timeout:?} waiting for {what}; last seen: {last}")
            }
            Err(_) => {}
        }
        tokio::time::sleep(delay).await;
        delay = (delay * 2).min(Duration::from_millis(100));
    }
}

/// Parses `KEY=value` lines (the output of `env`) into pairs, in order.
pub fn env_lines(text: &str) -> Vec<(String, String)> {
    text.lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// The value of `key` in `env` output, if present.
pub fn env_value(text: &str, key: &str) -> Option<String> {
    env_lines(text)
        .into_iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v)
}

/// The names in a JSON array of objects with a `name` field.
pub fn names(list: &Value) -> Vec<String> {
    let mut out: Vec<String> = list
        .as_array()
        .unwrap_or_else(|| panic!("want a JSON array, got {list}"))
        .iter()
        .map(|item| item["name"].as_str().unwrap_or_default().to_string())
        .collect();
    out.sort();
    out
}

/// Runs every trial of `plan` as a task of its own, as a run does (`runner::run_all`), and
/// returns their results in plan order: a case that times what it reads (a stream's events,
/// a readiness allowance) is not held up by the others' work, as it would be were all of
/// them polled by one task.
pub async fn run_cases(
    runner: &std::sync::Arc<faas_certifier::runner::Runner>,
    plan: Vec<faas_certifier::runner::Planned>,
) -> Vec<faas_certifier::runner::CaseResult> {
    let tasks = plan.into_iter().map(|p| {
        let runner = runner.clone();
        tokio::spawn(async move { runner.run_case(&p).await })
    });
    futures_util::future::join_all(tasks)
        .await
        .into_iter()
        .map(|r| r.expect("a case task ends"))
        .collect()
}

/// Runs the one planned trial named `trial` (`suite::case`) of `runner`.
pub async fn run_trial(
    runner: &faas_certifier::runner::Runner,
    trial: &str,
) -> faas_certifier::runner::CaseResult {
    let plan = runner.plan();
    let planned = plan
        .iter()
        .find(|p| p.trial == trial)
        .unwrap_or_else(|| panic!("{trial} is planned"));
    runner.run_case(planned).await
}
