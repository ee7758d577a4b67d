//! The mock as a slow real provider (issue 20): the invoke lag after a replica becomes
//! available (`--invoke-lag`, `--invoke-lag-status`), the stop grace of an update or delete
//! (`--stop-grace`), the faasd faults `first-stop-fails` and `delete-never-completes`, and the
//! `X-OpenFaaS-Internal: proxy` marker on the proxy's own errors, never on a function's.

mod common;

use std::time::{Duration, Instant};

use common::{config, poll, start, Mock, Reply, DEFAULT_NS, EXTRA_NS, POLL_TIMEOUT};
use faas_certifier::mock::{Fault, LagStatus, MockConfig};
use reqwest::Method;
use serde_json::json;

/// Long enough to observe on a busy machine, short enough to keep the tests fast.
const LAG: Duration = Duration::from_millis(800);
const GRACE: Duration = Duration::from_millis(800);
/// What "at once" means here: well under the grace.
const AT_ONCE: Duration = Duration::from_millis(400);

fn lagging(status: LagStatus) -> MockConfig {
    MockConfig {
        invoke_lag: LAG,
        invoke_lag_status: status,
        ..config()
    }
}

fn graceful(faults: &[Fault]) -> MockConfig {
    MockConfig {
        stop_grace: GRACE,
        faults: faults.iter().copied().collect(),
        ..config()
    }
}

#[track_caller]
fn assert_proxy_error(reply: &Reply, status: u16, body: &str) {
    assert_eq!(
        reply.status.as_u16(),
        status,
        "{}: {:?}",
        reply.what,
        reply.text()
    );
    assert_eq!(reply.text(), format!("{body}\n"), "{}", reply.what);
    assert_eq!(
        reply.header("x-openfaas-internal").as_deref(),
        Some("proxy"),
        "{}: the proxy's error must be marked",
        reply.what
    );
}

#[track_caller]
fn assert_unmarked(reply: &Reply) {
    assert_eq!(
        reply.header("x-openfaas-internal"),
        None,
        "{}: a function's own answer ({}) must not be marked",
        reply.what,
        reply.status
    );
}

/// Invokes `target` until it answers 200; returns that answer.
async fn until_served(mock: &Mock, target: &str) -> Reply {
    poll(&format!("{target} to serve"), POLL_TIMEOUT, || async {
        let reply = mock.invoke(target, "hi").await;
        if reply.status == 200 {
            Ok(reply)
        } else {
            Err(format!("{} {:?}", reply.status, reply.text()))
        }
    })
    .await
}

async fn update(mock: &Mock, name: &str, fprocess: &str) -> Reply {
    let body =
        json!({"service": name, "image": "ghcr.io/openfaas/alpine:latest", "envProcess": fprocess});
    mock.json(Method::PUT, "/system/functions", &body).await
}

async fn delete(mock: &Mock, name: &str) -> Reply {
    let body = json!({"functionName": name, "namespace": DEFAULT_NS});
    mock.json(Method::DELETE, "/system/functions", &body).await
}

async fn listed(mock: &Mock, name: &str) -> bool {
    let list: serde_json::Value = mock.get("/system/functions").await.expect(200).json();
    common::names(&list).iter().any(|n| n == name)
}

#[tokio::test]
async fn after_a_deploy_an_available_function_answers_the_proxys_500_for_the_lag() {
    let mock = start(lagging(LagStatus::Unreachable500)).await;
    mock.deploy_fn("lag", "cat").await;
    let deployed = Instant::now();
    let status = mock.status("lag", DEFAULT_NS).await;
    assert!(status.available_replicas >= 1, "{status:?}");
    let reply = mock.invoke("lag", "hi").await;
    assert!(
        deployed.elapsed() < LAG,
        "the machine is too slow to observe"
    );
    assert_proxy_error(&reply, 500, "Can't reach service for: lag.");
    let served = until_served(&mock, "lag").await;
    assert!(deployed.elapsed() >= LAG, "served before the lag ended");
    assert_eq!(served.text(), "hi");
    assert_unmarked(&served);

    // The name as the URL gives it, with its namespace.
    mock.deploy(
        json!({"service": "lag", "namespace": EXTRA_NS, "image": "i", "envProcess": "cat"}),
    )
    .await;
    let reply = mock.invoke("lag.extra", "hi").await;
    assert_proxy_error(&reply, 500, "Can't reach service for: lag.extra.");
    mock.stop().await;
}

#[tokio::test]
async fn the_lag_comes_back_after_an_update_and_a_scale_from_zero() {
    let mock = start(lagging(LagStatus::NoEndpoints503)).await;
    mock.deploy_fn("again", "cat").await;
    until_served(&mock, "again").await;

    update(&mock, "again", "env").await.expect(202);
    let updated = Instant::now();
    let reply = mock.invoke("again", "hi").await;
    if updated.elapsed() < LAG {
        assert_proxy_error(&reply, 503, "No endpoints available for: again.");
    }
    assert!(mock.status("again", DEFAULT_NS).await.available_replicas >= 1);
    let served = until_served(&mock, "again").await;
    assert!(updated.elapsed() >= LAG, "served before the lag ended");
    assert!(
        served.text().contains("Http_Method=POST"),
        "the new version serves"
    );

    mock.scale("again", DEFAULT_NS, 0).await;
    let scaled = Instant::now();
    let reply = mock.invoke("again", "hi").await;
    if scaled.elapsed() < LAG {
        assert_proxy_error(&reply, 503, "No endpoints available for: again.");
    }
    assert_eq!(mock.status("again", DEFAULT_NS).await.available_replicas, 1);
    until_served(&mock, "again").await;
    assert!(scaled.elapsed() >= LAG, "served before the lag ended");
    mock.stop().await;
}

#[tokio::test]
async fn without_a_lag_a_deploy_serves_at_once() {
    let mock = start(config()).await;
    mock.deploy_fn("quick", "cat").await;
    let reply = mock.invoke("quick", "hi").await.expect(200);
    assert_unmarked(&reply);
    update(&mock, "quick", "cat").await.expect(202);
    mock.invoke("quick", "hi").await.expect(200);
    mock.stop().await;
}

#[tokio::test]
async fn the_proxys_own_errors_are_marked_and_the_functions_are_not() {
    let mock = start(MockConfig {
        cold_start: Duration::from_secs(60),
        ..config()
    })
    .await;
    let reply = mock.invoke("never-deployed", "").await;
    assert_eq!(reply.status, 404);
    assert_eq!(
        reply.header("x-openfaas-internal").as_deref(),
        Some("proxy")
    );
    mock.deploy_fn("cold", "cat").await;
    let reply = mock.invoke("cold", "").await.expect(503);
    assert_eq!(
        reply.header("x-openfaas-internal").as_deref(),
        Some("proxy")
    );
    mock.stop().await;

    let mock = start(config()).await;
    mock.deploy_fn("fails", "false").await;
    let reply = mock.invoke("fails", "").await.expect(500);
    assert_unmarked(&reply);
    let reply = mock
        .send(
            "OPTIONS /function/fails".into(),
            mock.req(Method::OPTIONS, "/function/fails"),
        )
        .await
        .expect(405);
    assert_unmarked(&reply);
    mock.stop().await;

    let mock = start(MockConfig {
        faults: [Fault::ScaleFromZero503].into_iter().collect(),
        ..config()
    })
    .await;
    mock.deploy_fn("zero", "cat").await;
    mock.scale("zero", DEFAULT_NS, 0).await;
    let reply = mock.invoke("zero", "").await.expect(503);
    assert_eq!(
        reply.header("x-openfaas-internal").as_deref(),
        Some("proxy")
    );
    mock.stop().await;
}

#[tokio::test]
async fn gateways_pass_the_marker_on() {
    let in_process = start(MockConfig {
        as_gateway: true,
        ..lagging(LagStatus::Unreachable500)
    })
    .await;
    let provider = start(lagging(LagStatus::Unreachable500)).await;
    let chained = start(MockConfig {
        as_gateway: true,
        upstream: Some(provider.url.clone()),
        ..config()
    })
    .await;
    for (gateway, own_404) in [(&in_process, true), (&chained, false)] {
        gateway.deploy_fn("via", "cat").await;
        let reply = gateway.invoke("via", "hi").await;
        assert_proxy_error(&reply, 500, "Can't reach service for: via.");
        assert!(reply.header("x-call-id").is_some(), "a gateway's answer");
        // The in-process gateway answers an unknown function itself, as the CE gateway's
        // scaling handler does, unmarked; a chained one passes the provider's marked 404 on.
        let reply = gateway.invoke("nowhere", "").await.expect(404);
        assert_eq!(
            reply.header("x-openfaas-internal").as_deref(),
            (!own_404).then_some("proxy")
        );
        until_served(gateway, "via").await;
    }
    chained.stop().await;
    provider.stop().await;
    in_process.stop().await;
}

#[tokio::test]
async fn an_update_waits_out_the_stop_grace_while_the_old_version_serves() {
    let mock = start(graceful(&[])).await;
    mock.deploy_fn("slow-update", "cat").await;
    let started = Instant::now();
    let (answer, ()) = tokio::join!(update(&mock, "slow-update", "env"), async {
        tokio::time::sleep(Duration::from_millis(100)).await;
        // Meanwhile: the old version is what status reports and what serves, at once.
        let before = Instant::now();
        assert_eq!(
            mock.status("slow-update", DEFAULT_NS).await.env_process,
            "cat"
        );
        assert_eq!(
            mock.invoke("slow-update", "old").await.expect(200).text(),
            "old"
        );
        assert!(listed(&mock, "slow-update").await);
        assert!(
            before.elapsed() < AT_ONCE,
            "other requests must not wait for the grace: {:?}",
            before.elapsed()
        );
    });
    answer.expect(202);
    assert!(started.elapsed() >= GRACE, "answered before the grace");
    assert_eq!(
        mock.status("slow-update", DEFAULT_NS).await.env_process,
        "env"
    );
    mock.stop().await;
}

#[tokio::test]
async fn a_delete_waits_out_the_stop_grace_while_the_function_stays() {
    let mock = start(graceful(&[])).await;
    mock.deploy_fn("slow-delete", "cat").await;
    let started = Instant::now();
    let (answer, ()) = tokio::join!(delete(&mock, "slow-delete"), async {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let before = Instant::now();
        mock.status("slow-delete", DEFAULT_NS).await;
        assert!(listed(&mock, "slow-delete").await);
        mock.invoke("slow-delete", "x").await.expect(200);
        assert!(before.elapsed() < AT_ONCE, "{:?}", before.elapsed());
    });
    answer.expect(202);
    assert!(started.elapsed() >= GRACE, "answered before the grace");
    mock.get("/system/function/slow-delete").await.expect(404);
    assert!(!listed(&mock, "slow-delete").await);
    mock.stop().await;
}

#[tokio::test]
async fn refusals_answer_at_once_despite_the_stop_grace() {
    let mock = start(graceful(&[])).await;
    let started = Instant::now();
    update(&mock, "missing", "cat").await.expect_error(404);
    delete(&mock, "missing").await.expect_error(404);
    mock.raw(Method::PUT, "/system/functions", "{")
        .await
        .expect_error(400);
    mock.raw(Method::DELETE, "/system/functions", "{")
        .await
        .expect_error(400);
    mock.json(
        Method::DELETE,
        "/system/functions",
        &json!({"functionName": ""}),
    )
    .await
    .expect_error(400);
    let no_image = json!({"service": "missing", "image": ""});
    mock.json(Method::PUT, "/system/functions", &no_image)
        .await
        .expect_error(400);
    assert!(started.elapsed() < AT_ONCE, "{:?}", started.elapsed());
    mock.stop().await;
}

#[tokio::test]
async fn a_shutdown_cuts_the_stop_grace_short() {
    let mock = start(MockConfig {
        stop_grace: Duration::from_secs(60),
        ..config()
    })
    .await;
    mock.deploy_fn("held", "cat").await;
    let client = mock.client.clone();
    let url = format!("{}/system/functions", mock.url);
    let pending = tokio::spawn(async move {
        client
            .delete(url)
            .json(&json!({"functionName": "held"}))
            .send()
            .await
            .map(|r| r.status().as_u16())
    });
    tokio::time::sleep(Duration::from_millis(100)).await;
    mock.stop().await; // within 5 s
    let status = pending.await.expect("the request task ends");
    assert!(
        matches!(status, Ok(503) | Err(_)),
        "a delete cut short by a shutdown: {status:?}"
    );
}

#[tokio::test]
async fn first_stop_fails_after_the_grace_and_the_next_stop_succeeds_at_once() {
    let mock = start(graceful(&[Fault::FirstStopFails])).await;
    let message = |name: &str| {
        format!(
            "error deleting container {name}: cannot delete running task {name}: failed precondition\n"
        )
    };

    mock.deploy_fn("stuck", "cat").await;
    let started = Instant::now();
    let reply = delete(&mock, "stuck").await.expect(500);
    assert!(started.elapsed() >= GRACE, "failed before the grace");
    assert_eq!(reply.text(), message("stuck"));
    assert_eq!(reply.header("x-openfaas-internal"), None);
    assert!(
        listed(&mock, "stuck").await,
        "a failed delete leaves it listed"
    );
    mock.status("stuck", DEFAULT_NS).await;
    let started = Instant::now();
    delete(&mock, "stuck").await.expect(202);
    assert!(started.elapsed() < AT_ONCE, "the task was already stopped");
    assert!(!listed(&mock, "stuck").await);

    mock.deploy_fn("stuck-update", "cat").await;
    let reply = update(&mock, "stuck-update", "env").await.expect(500);
    assert_eq!(reply.text(), message("stuck-update"));
    assert_eq!(
        mock.status("stuck-update", DEFAULT_NS).await.env_process,
        "cat",
        "a failed update changes nothing"
    );
    let started = Instant::now();
    update(&mock, "stuck-update", "env").await.expect(202);
    assert!(started.elapsed() < AT_ONCE, "the task was already stopped");
    assert_eq!(
        mock.status("stuck-update", DEFAULT_NS).await.env_process,
        "env"
    );
    // Only the first stop fails; later ones wait out the grace and succeed.
    let started = Instant::now();
    delete(&mock, "stuck-update").await.expect(202);
    assert!(started.elapsed() >= GRACE, "a running task again");
    mock.stop().await;
}

#[tokio::test]
async fn first_stop_fails_at_once_without_a_grace() {
    let mock = start(MockConfig {
        faults: [Fault::FirstStopFails].into_iter().collect(),
        ..config()
    })
    .await;
    mock.deploy_fn("stuck", "cat").await;
    delete(&mock, "stuck").await.expect(500);
    delete(&mock, "stuck").await.expect(202);
    delete(&mock, "stuck").await.expect_error(404);
    mock.stop().await;
}

#[tokio::test]
async fn a_delete_that_never_completes_leaves_the_function_listed_without_endpoints() {
    let mock = start(MockConfig {
        faults: [Fault::DeleteNeverCompletes].into_iter().collect(),
        ..config()
    })
    .await;
    mock.deploy_fn("undead", "cat").await;
    delete(&mock, "undead").await.expect(202);
    tokio::time::sleep(Duration::from_millis(200)).await;
    let status = mock.status("undead", DEFAULT_NS).await;
    assert_eq!((status.replicas, status.available_replicas), (0, 0));
    assert!(listed(&mock, "undead").await);
    let reply = mock.invoke("undead", "").await;
    assert_proxy_error(&reply, 503, "No endpoints available for: undead.");
    delete(&mock, "undead").await.expect(202);
    assert!(listed(&mock, "undead").await);
    mock.stop().await;
}

/// The command line: `--timing faasd` gives the 300 ms lag; an explicit `--stop-grace`
/// overrides the preset's 30 s.
#[tokio::test]
async fn the_faasd_timing_preset_from_the_command_line() {
    let process =
        common::process::MockProcess::start(&["--timing", "faasd", "--stop-grace", "500ms"]);
    let http = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("client");
    let url = &process.url;
    let body = json!({"service": "preset", "image": "i", "envProcess": "cat"});
    let deployed = http
        .post(format!("{url}/system/functions"))
        .json(&body)
        .send()
        .await
        .expect("deploy");
    assert_eq!(deployed.status(), 202);
    let started = Instant::now();
    let invoked = http
        .post(format!("{url}/function/preset"))
        .send()
        .await
        .expect("invoke");
    if started.elapsed() < Duration::from_millis(300) {
        assert_eq!(invoked.status(), 500);
        assert_eq!(invoked.headers()["x-openfaas-internal"], "proxy");
    }
    let started = Instant::now();
    let deleted = http
        .delete(format!("{url}/system/functions"))
        .json(&json!({"functionName": "preset"}))
        .send()
        .await
        .expect("delete");
    assert_eq!(deleted.status(), 202);
    let took = started.elapsed();
    assert!(
        took >= Duration::from_millis(500) && took < Duration::from_secs(10),
        "--stop-grace 500ms over the preset's 30s: {took:?}"
    );
}
