//! Figures for the bundled mock provider: invocations per second of `cat` with a small body
//! over loopback, and the process's memory with 1,000 functions deployed.
//!
//! Run it with:
//!
//! ```text
//! cargo bench --bench mock
//! ```
//!
//! Knobs (environment variables): `MOCK_BENCH_REQUESTS` (default 20000),
//! `MOCK_BENCH_CONNECTIONS` (default 4), `MOCK_BENCH_FUNCTIONS` (default 1000).
//! The mock runs in this process on `127.0.0.1:0`, so the RSS figures include the client;
//! the difference before/after deploying is what the functions cost.

use std::sync::Arc;
use std::time::{Duration, Instant};

use faas_certifier::mock::{spawn, MockConfig};
use serde_json::json;

fn knob(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// `VmRSS` of this process in KiB, from `/proc/self/status` (0 where unavailable).
fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|n| n.parse().ok())
        })
        .unwrap_or(0)
}

fn main() {
    // `cargo bench` passes `--bench`; there is nothing to filter.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime");
    runtime.block_on(run());
}

async fn run() {
    let requests = knob("MOCK_BENCH_REQUESTS", 20_000);
    let connections = knob("MOCK_BENCH_CONNECTIONS", 4).max(1);
    let functions = knob("MOCK_BENCH_FUNCTIONS", 1_000);

    let rss_start = rss_kib();
    let config = MockConfig {
        log_follow_timeout: Duration::from_secs(1),
        ..MockConfig::default()
    };
    let mock = spawn(config).await.expect("mock starts");
    let client = reqwest::Client::builder()
        .no_proxy()
        .pool_max_idle_per_host(connections)
        .build()
        .expect("client");

    // Invocations per second of `cat` with a small body.
    let deploy = client
        .post(format!("{}/system/functions", mock.url))
        .json(&json!({"service": "cat", "image": "i", "envProcess": "cat"}))
        .send()
        .await
        .expect("deploy cat");
    assert!(
        deploy.status().is_success(),
        "deploy cat: {}",
        deploy.status()
    );
    let url = Arc::new(format!("{}/function/cat", mock.url));
    let body = "hello, mock";
    // Warm up the connections.
    for _ in 0..(connections * 10) {
        client
            .post(url.as_str())
            .body(body)
            .send()
            .await
            .expect("warm-up")
            .bytes()
            .await
            .expect("warm-up body");
    }
    let per_connection = requests / connections;
    let started = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..connections {
        let client = client.clone();
        let url = url.clone();
        workers.push(tokio::spawn(async move {
            let mut latencies = Vec::with_capacity(per_connection);
            for _ in 0..per_connection {
                let t = Instant::now();
                let resp = client
                    .post(url.as_str())
                    .body(body)
                    .send()
                    .await
                    .expect("invoke");
                assert_eq!(resp.status().as_u16(), 200);
                let echoed = resp.bytes().await.expect("body");
                assert_eq!(echoed.as_ref(), body.as_bytes());
                latencies.push(t.elapsed());
            }
            latencies
        }));
    }
    let mut latencies = Vec::with_capacity(requests);
    for w in workers {
        latencies.extend(w.await.expect("worker"));
    }
    let elapsed = started.elapsed();
    latencies.sort();
    let done = latencies.len();
    let pct = |p: f64| latencies[((done as f64 * p) as usize).min(done - 1)];
    println!(
        "invoke cat ({} B body): {done} requests over {connections} connections in {:.2?} = {:.0} req/s \
         (p50 {:.0?}, p99 {:.0?}, max {:.0?})",
        body.len(),
        elapsed,
        done as f64 / elapsed.as_secs_f64(),
        pct(0.50),
        pct(0.99),
        latencies[done - 1],
    );

    // Memory with N functions deployed.
    let rss_before = rss_kib();
    let started = Instant::now();
    for i in 0..functions {
        let resp = client
            .post(format!("{}/system/functions", mock.url))
            .json(&json!({
                "service": format!("fn-{i}"),
                "image": "ghcr.io/openfaas/alpine:latest",
                "envProcess": "cat",
                "envVars": {"index": i.to_string()},
                "labels": {"com.openfaas.scale.min": "1"},
                "annotations": {"bench": "true"}
            }))
            .send()
            .await
            .expect("deploy");
        assert!(
            resp.status().is_success(),
            "deploy fn-{i}: {}",
            resp.status()
        );
    }
    let deploy_time = started.elapsed();
    let rss_deployed = rss_kib();
    for i in 0..functions {
        let resp = client
            .post(format!("{}/function/fn-{i}", mock.url))
            .body("x")
            .send()
            .await
            .expect("invoke");
        assert_eq!(resp.status().as_u16(), 200, "invoke fn-{i}");
    }
    let rss_invoked = rss_kib();
    let list = client
        .get(format!("{}/system/functions", mock.url))
        .send()
        .await
        .expect("list");
    let listed: Vec<serde_json::Value> = list.json().await.expect("list json");
    assert_eq!(listed.len(), functions + 1);
    println!(
        "memory: RSS {rss_start} KiB at start, {rss_before} KiB after the invoke run, \
         {rss_deployed} KiB with {functions} functions deployed (+{} KiB, {:.1} KiB/function; deploys took {:.2?}), \
         {rss_invoked} KiB after invoking each once (+{} KiB for their logs)",
        rss_deployed.saturating_sub(rss_before),
        rss_deployed.saturating_sub(rss_before) as f64 / functions.max(1) as f64,
        deploy_time,
        rss_invoked.saturating_sub(rss_deployed),
    );
    mock.stop().await.expect("mock stops");
}
