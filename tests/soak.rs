//! Soak test of the mock: concurrent deploys, invocations, log followers and secret churn
//! for a bounded time; memory must stay bounded, no request may fail unexpectedly, and the
//! state must be consistent afterwards. Bounded in time (a few seconds) and in requests.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use faas_certifier::mock::{spawn, MockConfig};
use faas_certifier::model::FunctionStatus;
use serde_json::json;

/// How long each churn phase runs.
const PHASE: Duration = Duration::from_millis(1500);
/// How much resident memory may grow between the end of warm-up and the end of the soak.
const MAX_GROWTH_KIB: u64 = 48 * 1024;

fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|n| n.parse().ok()))
        })
        .unwrap_or(0)
}

/// Unexpected answers seen by any worker, with what came back.
#[derive(Default)]
struct Problems(std::sync::Mutex<Vec<String>>);

impl Problems {
    fn add(&self, what: String) {
        let mut list = self.0.lock().unwrap();
        if list.len() < 20 {
            list.push(what);
        }
    }
}

async fn expect_status(
    problems: &Problems,
    what: &str,
    response: reqwest::Result<reqwest::Response>,
    want: &[u16],
) -> Option<bytes::Bytes> {
    match response {
        Ok(r) if want.contains(&r.status().as_u16()) => r.bytes().await.ok(),
        Ok(r) => {
            let status = r.status();
            let body = r.text().await.unwrap_or_default();
            problems.add(format!("{what}: want {want:?}, got {status}: {body:?}"));
            None
        }
        Err(e) => {
            problems.add(format!("{what}: request failed: {e}"));
            None
        }
    }
}

/// One round of churn by worker `w`: deploy, invoke, follow logs, churn a secret, delete.
async fn churn(
    url: &str,
    client: &reqwest::Client,
    w: usize,
    until: Instant,
    problems: &Problems,
    invocations: &AtomicU64,
) {
    let mut round = 0u64;
    let stable = format!("stable-{w}");
    while Instant::now() < until {
        round += 1;
        let name = format!("soak-{w}-{}", round % 4);
        let secret = format!("soak-secret-{w}");
        let deploy = json!({"service": name, "image": "alpine", "envProcess": "cat"});
        let _ = expect_status(
            problems,
            "deploy",
            client
                .post(format!("{url}/system/functions"))
                .json(&deploy)
                .send()
                .await,
            &[202],
        )
        .await;
        for _ in 0..5 {
            let body = format!("payload {w} {round}");
            if let Some(echo) = expect_status(
                problems,
                "invoke",
                client
                    .post(format!("{url}/function/{name}"))
                    .body(body.clone())
                    .send()
                    .await,
                &[200],
            )
            .await
            {
                if echo != body.as_bytes() {
                    problems.add(format!("invoke {name}: echo {echo:?} != {body:?}"));
                }
            }
            let _ = expect_status(
                problems,
                "invoke stable",
                client
                    .post(format!("{url}/function/{stable}"))
                    .body("x")
                    .send()
                    .await,
                &[200],
            )
            .await;
            invocations.fetch_add(1, Ordering::Relaxed);
        }
        // A short-lived follower: it must get the history and end at its own deadline.
        let logs = client
            .get(format!(
                "{url}/system/logs?name={stable}&tail=5&follow=true"
            ))
            .timeout(Duration::from_millis(50))
            .send()
            .await;
        match logs {
            Ok(r) if r.status() == 200 => {
                let _ = r.bytes().await; // ends by the client's timeout
            }
            Ok(r) => problems.add(format!("logs: got {}", r.status())),
            Err(e) if e.is_timeout() => {}
            Err(e) => problems.add(format!("logs: {e}")),
        }
        let value = json!({"name": secret, "value": format!("v{round}")});
        let create = client
            .post(format!("{url}/system/secrets"))
            .json(&value)
            .send()
            .await;
        let _ = expect_status(problems, "secret create", create, &[202]).await;
        let update = client
            .put(format!("{url}/system/secrets"))
            .json(&value)
            .send()
            .await;
        let _ = expect_status(problems, "secret update", update, &[202]).await;
        let delete = client
            .delete(format!("{url}/system/secrets"))
            .json(&json!({"name": secret}))
            .send()
            .await;
        let _ = expect_status(problems, "secret delete", delete, &[202]).await;
        let delete = client
            .delete(format!("{url}/system/functions"))
            .json(&json!({"functionName": name}))
            .send()
            .await;
        let _ = expect_status(problems, "delete", delete, &[202]).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mock_stays_bounded_and_consistent_under_churn() {
    let mock = spawn(MockConfig {
        log_lines_per_function: 200,
        ..MockConfig::default()
    })
    .await
    .unwrap();
    let url = mock.url.clone();
    let client = reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let workers = 6;
    for w in 0..workers {
        let deploy =
            json!({"service": format!("stable-{w}"), "image": "alpine", "envProcess": "cat"});
        let r = client
            .post(format!("{url}/system/functions"))
            .json(&deploy)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 202);
    }
    let problems = Arc::new(Problems::default());
    let invocations = Arc::new(AtomicU64::new(0));
    let run_phase = |until: Instant| {
        let handles: Vec<_> = (0..workers)
            .map(|w| {
                let (url, client, problems, invocations) = (
                    url.clone(),
                    client.clone(),
                    problems.clone(),
                    invocations.clone(),
                );
                tokio::spawn(async move {
                    churn(&url, &client, w, until, &problems, &invocations).await
                })
            })
            .collect();
        async move {
            for h in handles {
                h.await.unwrap();
            }
        }
    };
    run_phase(Instant::now() + PHASE).await; // warm-up: allocator pools and logs fill up
    let warm = rss_kib();
    let warm_invocations = invocations.load(Ordering::Relaxed);
    run_phase(Instant::now() + PHASE).await;
    let end = rss_kib();
    let total = invocations.load(Ordering::Relaxed);

    let problems = problems.0.lock().unwrap().clone();
    assert!(problems.is_empty(), "unexpected answers: {problems:#?}");
    assert!(total > warm_invocations, "the second phase made progress");
    assert!(
        end <= warm + MAX_GROWTH_KIB,
        "resident memory grew from {warm} KiB to {end} KiB during the second phase"
    );

    // Consistent afterwards: only the stable functions remain, each counted exactly.
    let list: Vec<FunctionStatus> = client
        .get(format!("{url}/system/functions"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut names: Vec<&str> = list.iter().map(|f| f.name.as_str()).collect();
    names.sort_unstable();
    let want: Vec<String> = (0..workers).map(|w| format!("stable-{w}")).collect();
    assert_eq!(names, want.iter().map(String::as_str).collect::<Vec<_>>());
    let counted: u64 = list.iter().map(|f| f.invocation_count).sum();
    assert_eq!(counted, total, "every stable invocation is counted once");
    let secrets: serde_json::Value = client
        .get(format!("{url}/system/secrets"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(secrets, json!([]), "every churned secret was deleted");
    // Logs stay bounded per function.
    let logs = client
        .get(format!("{url}/system/logs?name=stable-0"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(logs.lines().count() <= 200, "log history is capped");
    eprintln!("soak: {total} invocations, RSS {warm} KiB after warm-up, {end} KiB at the end");
    mock.stop().await.unwrap();
}
