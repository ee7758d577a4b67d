//! SIGINT mid-run: the run stops starting steps, cleans up everything it created, writes its
//! reports with the interrupted cases marked, and exits with 130. The provider is a mock in
//! its own process, so what it holds afterwards is what a real cluster would hold.

use std::time::{Duration, Instant};

mod common;
use common::process::{wait_until_holding, MockProcess, RunProcess};

#[test]
fn sigint_mid_run_cleans_up_and_reports() {
    // The default autoscaler reacts in seconds, so the scaling cases are still running when
    // the signal comes.
    let mock = MockProcess::start(&["--namespace", "cert-extra"]);
    let url = mock.url.clone();

    let dir = tempfile::tempdir().expect("a temporary directory");
    let json = dir.path().join("report.json");
    let run = RunProcess::start(
        dir.path(),
        &[
            "run",
            "--gateway",
            &url,
            "--extra-namespace",
            "cert-extra",
            "--no-reports",
            "--json",
            json.to_str().expect("a UTF-8 path"),
        ],
    );
    // Signal once the run holds resources (the scaling cases hold functions for seconds).
    wait_until_holding(&url, &["openfaas-fn", "cert-extra"]);
    let signalled = Instant::now();
    run.interrupt();
    let (code, rest) = run.wait();
    let took = signalled.elapsed();
    assert_eq!(
        code,
        Some(130),
        "exit status after SIGINT; output:\n{}",
        rest.join("\n")
    );
    assert!(
        took < Duration::from_secs(20),
        "the run took {took:?} to stop"
    );
    assert!(
        rest.iter().any(|l| l.contains("interrupted")),
        "{}",
        rest.join("\n")
    );

    // Nothing the run created is left on the provider.
    let client = reqwest::blocking::Client::new();
    for ns in ["openfaas-fn", "cert-extra"] {
        let functions: serde_json::Value = client
            .get(format!("{url}/system/functions?namespace={ns}"))
            .send()
            .unwrap()
            .json()
            .unwrap();
        assert_eq!(functions, serde_json::json!([]), "functions left in {ns}");
        let secrets: serde_json::Value = client
            .get(format!("{url}/system/secrets?namespace={ns}"))
            .send()
            .unwrap()
            .json()
            .unwrap();
        assert_eq!(secrets, serde_json::json!([]), "secrets left in {ns}");
    }
    let namespaces: serde_json::Value = client
        .get(format!("{url}/system/namespaces"))
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(
        namespaces,
        serde_json::json!(["cert-extra", "openfaas-fn"]),
        "namespaces left"
    );

    // The report says so.
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&json).expect("the JSON report")).unwrap();
    assert_eq!(report["run"]["interrupted"], true);
    let interrupted = report["cases"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| {
            c["reason"]
                .as_str()
                .is_some_and(|r| r.contains("interrupted"))
        })
        .count();
    assert!(interrupted > 0, "no case is marked interrupted");
    drop(mock);
}
