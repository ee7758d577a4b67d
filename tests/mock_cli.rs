//! End-to-end tests of the `faas-certifier mock` command: its documented flags, the URL it
//! prints, and a clean shutdown on SIGTERM and SIGINT.

use std::process::Stdio;
use std::time::{Duration, Instant};

use faas_certifier::model::GatewayInfo;

mod common;
use common::process::{certifier, MockProcess};

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(10))
        .build()
        .expect("client")
}

#[tokio::test]
async fn mock_command_serves_with_the_documented_flags_and_stops_on_sigterm() {
    let process = MockProcess::start(&[
        "--bind",
        "127.0.0.1",
        "--namespace",
        "extra",
        "--namespace",
        "team-b",
        "--basic-auth",
        "admin:pa:ss",
        "--as-gateway",
        "--ready-delay",
        "1500ms",
    ]);
    let http = client();
    let url = &process.url;

    let health = http
        .get(format!("{url}/healthz"))
        .send()
        .await
        .expect("healthz");
    assert_eq!(health.status().as_u16(), 200);
    let refused = http
        .get(format!("{url}/system/info"))
        .send()
        .await
        .expect("info");
    assert_eq!(
        refused.status().as_u16(),
        401,
        "--basic-auth protects /system/*"
    );
    let info: GatewayInfo = http
        .get(format!("{url}/system/info"))
        .basic_auth("admin", Some("pa:ss"))
        .send()
        .await
        .expect("info")
        .json()
        .await
        .expect("--as-gateway answers the gateway form of /system/info");
    assert_eq!(
        info.provider.map(|p| p.provider).as_deref(),
        Some("faas-certifier-mock")
    );

    let mut namespaces: Vec<String> = http
        .get(format!("{url}/system/namespaces"))
        .basic_auth("admin", Some("pa:ss"))
        .send()
        .await
        .expect("namespaces")
        .json()
        .await
        .expect("namespaces json");
    namespaces.sort();
    assert_eq!(
        namespaces,
        ["extra", "openfaas-fn", "team-b"],
        "repeated --namespace"
    );

    let deploy = http
        .post(format!("{url}/system/functions"))
        .basic_auth("admin", Some("pa:ss"))
        .json(&serde_json::json!({"service": "cat", "image": "i", "envProcess": "cat"}))
        .send()
        .await
        .expect("deploy");
    assert_eq!(deploy.status().as_u16(), 202);
    let status: faas_certifier::model::FunctionStatus = http
        .get(format!("{url}/system/function/cat"))
        .basic_auth("admin", Some("pa:ss"))
        .send()
        .await
        .expect("status")
        .json()
        .await
        .expect("status json");
    assert_eq!(
        status.available_replicas, 0,
        "--ready-delay 1500ms: not yet available: {status:?}"
    );
    let invoked = http
        .post(format!("{url}/function/cat"))
        .body("hi")
        .send()
        .await
        .expect("invoke");
    assert_eq!(invoked.status().as_u16(), 200);
    assert!(
        invoked.headers().contains_key("x-call-id"),
        "--as-gateway adds X-Call-Id"
    );
    assert_eq!(invoked.text().await.expect("body"), "hi");

    // One log line per request.
    process.wait_for_line(&["GET", "/healthz", "200"]);
    process.wait_for_line(&["POST", "/function/cat", "200"]);
    process.terminate("TERM");
}

#[tokio::test]
async fn mock_command_reads_basic_auth_from_a_directory() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("basic-auth-user"), "admin\n").expect("write user");
    std::fs::write(dir.path().join("basic-auth-password"), "from-a-file\n")
        .expect("write password");
    let dir_arg = dir.path().to_str().expect("utf-8 temp path").to_string();
    let process = MockProcess::start(&["--basic-auth-dir", &dir_arg]);
    let http = client();
    let url = &process.url;

    let refused = http
        .get(format!("{url}/system/functions"))
        .send()
        .await
        .expect("list");
    assert_eq!(refused.status().as_u16(), 401);
    let wrong = http
        .get(format!("{url}/system/functions"))
        .basic_auth("admin", Some("from-a-file\n"))
        .send()
        .await
        .expect("list");
    assert_eq!(
        wrong.status().as_u16(),
        401,
        "the file's trailing newline is not part of the password"
    );
    let allowed = http
        .get(format!("{url}/system/functions"))
        .basic_auth("admin", Some("from-a-file"))
        .send()
        .await
        .expect("list");
    assert_eq!(allowed.status().as_u16(), 200);
    // The provider form without --as-gateway.
    let info: serde_json::Value = http
        .get(format!("{url}/system/info"))
        .basic_auth("admin", Some("from-a-file"))
        .send()
        .await
        .expect("info")
        .json()
        .await
        .expect("info json");
    assert_eq!(
        info["provider"],
        serde_json::json!("faas-certifier-mock"),
        "{info}"
    );

    process.terminate("INT");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mock_command_tuning_flags_reach_the_mock() {
    let process = MockProcess::start(&[
        "--autoscale-window",
        "500ms",
        "--autoscale-interval",
        "50ms",
        "--autoscale-threshold",
        "5",
        "--scale-to-zero-after",
        "300ms",
        "--max-body-bytes",
        "2048",
        "--log-lines",
        "4",
        "--log-follow-timeout",
        "300ms",
    ]);
    let http = client();
    let url = process.url.clone();
    let deploy = http
        .post(format!("{url}/system/functions"))
        .json(&serde_json::json!({
            "service": "tuned",
            "image": "i",
            "envProcess": "cat",
            "labels": {"com.openfaas.scale.max": "2", "com.openfaas.scale.zero": "true"}
        }))
        .send()
        .await
        .expect("deploy");
    assert_eq!(deploy.status().as_u16(), 202);

    let too_big = http
        .post(format!("{url}/function/tuned"))
        .body(vec![b'x'; 4096])
        .send()
        .await
        .expect("invoke");
    assert_eq!(too_big.status().as_u16(), 413, "--max-body-bytes 2048");

    let replicas = |http: reqwest::Client, url: String| async move {
        let s: faas_certifier::model::FunctionStatus = http
            .get(format!("{url}/system/function/tuned"))
            .send()
            .await
            .expect("status")
            .json()
            .await
            .expect("status json");
        s.replicas
    };
    // Load at ~50/s reaches max 2 within a few 50ms intervals.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        for _ in 0..5 {
            let r = http
                .post(format!("{url}/function/tuned"))
                .body("x")
                .send()
                .await
                .expect("load");
            assert_eq!(r.status().as_u16(), 200);
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        if replicas(http.clone(), url.clone()).await == 2 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "--autoscale-* flags: never reached 2 replicas under load"
        );
    }
    // Then idle: back down and to zero after --scale-to-zero-after.
    let deadline = Instant::now() + Duration::from_secs(10);
    while replicas(http.clone(), url.clone()).await != 0 {
        assert!(
            Instant::now() < deadline,
            "--scale-to-zero-after 300ms: never reached 0 replicas"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    let logs = http
        .get(format!("{url}/system/logs?name=tuned"))
        .send()
        .await
        .expect("logs")
        .text()
        .await
        .expect("logs body");
    assert_eq!(
        logs.lines().filter(|l| !l.trim().is_empty()).count(),
        4,
        "--log-lines 4: {logs}"
    );
    let follow = http
        .get(format!("{url}/system/logs?name=tuned&follow=true"))
        .send()
        .await
        .expect("follow");
    let ended = tokio::time::timeout(Duration::from_secs(5), follow.text()).await;
    assert!(
        ended.is_ok(),
        "--log-follow-timeout 300ms: the stream should end"
    );
    process.terminate("TERM");
}

#[test]
fn mock_command_refuses_bad_options_with_a_usage_error() {
    for args in [
        vec!["mock", "--port", "0", "--basic-auth", "no-colon"],
        vec!["mock", "--port", "0", "--ready-delay", "soon"],
        vec!["mock", "--port", "0", "--timing", "slow"],
        vec!["mock", "--port", "0", "--invoke-lag-status", "502"],
        vec!["mock", "--port", "0", "--stop-grace", "soon"],
        vec![
            "mock",
            "--port",
            "0",
            "--basic-auth-dir",
            "/nonexistent/faas-certifier-test",
        ],
        // Gateway switches need --as-gateway, and an upstream must be an http(s) URL.
        vec!["mock", "--port", "0", "--gateway-pro"],
        vec!["mock", "--port", "0", "--upstream", "http://127.0.0.1:1"],
        vec![
            "mock",
            "--port",
            "0",
            "--as-gateway",
            "--upstream",
            "127.0.0.1:8081",
        ],
    ] {
        let mut child = certifier()
            .args(&args)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("faas-certifier starts");
        let deadline = Instant::now() + Duration::from_secs(10);
        let status = loop {
            if let Some(status) = child.try_wait().expect("try_wait") {
                break status;
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                panic!("{args:?}: should refuse to start, but is still running after 10s");
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        let mut stderr = String::new();
        std::io::Read::read_to_string(&mut child.stderr.take().expect("stderr"), &mut stderr)
            .expect("read stderr");
        assert_eq!(
            status.code(),
            Some(faas_certifier::exit::USAGE),
            "{args:?}: want the usage exit status, got {status}; stderr: {stderr}"
        );
        assert!(!stderr.trim().is_empty(), "{args:?}: say why on stderr");
    }
}
