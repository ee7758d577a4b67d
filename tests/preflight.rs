//! The preflight against a provider that lists no namespaces (`GET /system/namespaces`
//! answers `[]`, as faas-memory does): a warning, not a refusal; the run goes on in the
//! default namespace, with or without an extra one.

use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

mod common;

/// A provider answering `/system/info`, `/healthz` and an empty namespace list; anything
/// else is a 404 (its features are off).
async fn lists_no_namespaces() -> MockServer {
    let server = MockServer::start().await;
    let info = json!({
        "provider": "faas-memory",
        "orchestration": "memory",
        "version": {"release": "0.0.1", "sha": "cafe"}
    });
    for (route, body) in [("/system/info", info), ("/system/namespaces", json!([]))] {
        Mock::given(method("GET"))
            .and(path(route))
            .respond_with(ResponseTemplate::new(200).set_body_json(body))
            .mount(&server)
            .await;
    }
    Mock::given(method("GET"))
        .and(path("/healthz"))
        .respond_with(ResponseTemplate::new(200).set_body_string("OK"))
        .mount(&server)
        .await;
    server
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_empty_namespace_list_is_a_warning_and_the_run_goes_on() {
    let server = lists_no_namespaces().await;
    for extra in [None, Some("dev")] {
        let dir = tempfile::tempdir().unwrap();
        let url = server.uri();
        let out = {
            let dir = dir.path().to_path_buf();
            tokio::task::spawn_blocking(move || {
                let mut cmd = common::process::certifier();
                cmd.current_dir(&dir)
                    .args(["run", "--gateway", &url, "--exact", "health::healthz"])
                    .args(["--color", "never", "--report-dir", "reports"])
                    .env("OPENFAAS_CONFIG", &dir);
                if let Some(ns) = extra {
                    cmd.args(["--extra-namespace", ns]);
                }
                cmd.output().unwrap()
            })
            .await
            .unwrap()
        };
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{extra:?}: not refused, and the case passes\n{stdout}\n{stderr}"
        );
        assert!(!stderr.contains("is not managed"), "{stderr}");
        assert!(
            stdout.contains("warning: GET /system/namespaces lists no namespace"),
            "the header warns:\n{stdout}"
        );
        assert!(stdout.contains("test health::healthz ... ok"), "{stdout}");
        let used = match extra {
            None => "`openfaas-fn`".to_string(),
            Some(ns) => format!("`openfaas-fn` and `{ns}`"),
        };
        assert!(
            stdout.contains(&used),
            "names the namespaces used: {stdout}"
        );

        let report: serde_json::Value =
            serde_json::from_slice(&std::fs::read(dir.path().join("reports/report.json")).unwrap())
                .unwrap();
        let warnings = report["run"]["warnings"].as_array().expect("warnings");
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(
            warnings[0].as_str().unwrap().contains("lists no namespace"),
            "{warnings:?}"
        );
        let summary = std::fs::read_to_string(dir.path().join("reports/summary.md")).unwrap();
        assert!(
            summary.contains("**Warning:** GET /system/namespaces"),
            "{summary}"
        );
    }
}
