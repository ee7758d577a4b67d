//! A provider with a real provider's timing (issue 20), end to end: the mock in its own
//! process with `--timing faasd` (its stop grace shortened so the tests stay quick) or a
//! readiness lag or a faasd 0.19.0 fault, and a `run` with its defaults against it.

mod common;

use std::path::Path;

use common::process::{MockProcess, RunProcess};
use serde_json::Value;

/// Runs the certifier against `mock` with `args`; its exit status and its JSON report.
fn certify(dir: &Path, mock: &MockProcess, args: &[&str]) -> (Option<i32>, Value) {
    let mut all = vec!["run", "--gateway", &mock.url, "--color", "never"];
    all.extend_from_slice(args);
    let (code, _lines) = RunProcess::start(dir, &all).wait();
    let json = std::fs::read(dir.join("reports/report.json")).expect("the JSON report");
    (code, serde_json::from_slice(&json).expect("JSON"))
}

/// The ids of the cases whose outcome is `outcome`.
fn cases(report: &Value, outcome: &str) -> Vec<String> {
    report["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .filter(|c| c["outcome"] == outcome)
        .map(|c| c["id"].as_str().unwrap_or("?").to_string())
        .collect()
}

/// How many functions `url` lists in `ns`, the run's probe function included.
fn listed(url: &str, ns: &str) -> usize {
    let list: Value = reqwest::blocking::get(format!("{url}/system/functions?namespace={ns}"))
        .and_then(|r| r.json())
        .expect("the list");
    list.as_array().map_or(0, Vec::len)
}

#[test]
fn faasd_timing_is_certified_and_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mock = MockProcess::start(&[
        "--flavour",
        "faasd",
        "--timing",
        "faasd",
        "--stop-grace",
        "2s",
        "--namespace",
        "extra",
    ]);
    let (code, report) = certify(
        dir.path(),
        &mock,
        &["--extra-namespace", "extra", "--settle", "1s"],
    );
    assert_eq!(cases(&report, "failed"), Vec::<String>::new());
    assert_eq!(cases(&report, "errored"), Vec::<String>::new());
    assert_eq!(cases(&report, "blocked"), Vec::<String>::new());
    assert_eq!(code, Some(0), "{}", report["verdict"]);
    let cleanup = &report["run"]["cleanup"];
    assert_eq!(cleanup["left"], serde_json::json!([]), "{cleanup}");
    assert!(cleanup["removed"].as_u64().unwrap_or(0) > 20, "{cleanup}");
    assert_eq!(
        listed(&mock.url, "openfaas-fn") + listed(&mock.url, "extra"),
        0
    );
}

#[test]
fn a_readiness_lag_of_1s_fails_only_the_readiness_case() {
    let dir = tempfile::tempdir().unwrap();
    let mock = MockProcess::start(&["--invoke-lag", "1s"]);
    let (code, report) = certify(dir.path(), &mock, &["--settle", "1s"]);
    assert_eq!(code, Some(1));
    assert_eq!(
        cases(&report, "failed"),
        vec!["invoke::ready-when-available"]
    );
    assert_eq!(cases(&report, "errored"), Vec::<String>::new());
    assert_eq!(cases(&report, "blocked"), Vec::<String>::new());
}

#[test]
fn faasd_0_19_first_stop_failing_fails_only_update_and_delete_cases_and_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mock = MockProcess::start(&[
        "--flavour",
        "faasd",
        "--timing",
        "faasd",
        "--stop-grace",
        "1s",
        "--fault",
        "first-stop-fails",
    ]);
    let (code, report) = certify(dir.path(), &mock, &["--settle", "1s"]);
    assert_eq!(code, Some(1));
    let mut failed = cases(&report, "failed");
    failed.sort();
    assert_eq!(
        failed,
        vec![
            "delete::removes-everywhere",
            "deploy::update-changes-status",
            "secrets::update-remounted"
        ]
    );
    assert_eq!(cases(&report, "errored"), Vec::<String>::new());
    let why = report["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "delete::removes-everywhere")
        .map(|c| c["reason"].to_string())
        .unwrap_or_default();
    assert!(
        why.contains("cannot delete running task"),
        "faasd's words: {why}"
    );
    assert_eq!(report["run"]["cleanup"]["left"], serde_json::json!([]));
    assert_eq!(listed(&mock.url, "openfaas-fn"), 0);
}

#[test]
fn deletes_that_never_complete_end_within_the_cleanup_bound_with_commands() {
    let dir = tempfile::tempdir().unwrap();
    let mock = MockProcess::start(&["--fault", "delete-never-completes"]);
    let started = std::time::Instant::now();
    let (code, report) = certify(
        dir.path(),
        &mock,
        &[
            "--settle",
            "1s",
            "--cleanup-timeout",
            "2s",
            "health::",
            "invoke::verbs",
        ],
    );
    assert_eq!(code, Some(0), "{}", report["verdict"]);
    assert!(started.elapsed() < std::time::Duration::from_secs(30));
    let left = report["run"]["cleanup"]["left"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(!left.is_empty(), "{}", report["run"]["cleanup"]);
    for l in &left {
        let listing = l["listing"].as_str().unwrap_or("");
        assert!(
            listing.contains("faas-cli remove ")
                && listing.contains(&format!("--gateway {}", mock.url)),
            "{listing}"
        );
        assert!(
            l["why"]
                .as_str()
                .unwrap_or("")
                .contains("still answered 200"),
            "{l}"
        );
    }
}

#[test]
fn a_change_answered_after_the_mutation_timeout_is_judged_on_its_outcome() {
    let dir = tempfile::tempdir().unwrap();
    let mock = MockProcess::start(&["--stop-grace", "3s"]);
    let (code, report) = certify(
        dir.path(),
        &mock,
        &[
            "--mutation-timeout",
            "1s",
            "--exact",
            "deploy::update-changes-status",
            "delete::removes-everywhere",
        ],
    );
    assert_eq!(cases(&report, "passed").len(), 2, "{}", report["cases"]);
    assert_eq!(code, Some(0), "{}", report["verdict"]);
    let transcript = report["cases"].to_string();
    assert!(
        transcript.contains("in doubt") && transcript.contains("judged on that outcome"),
        "the transcript says the answer never came and how the outcome was read: {transcript}"
    );
    assert_eq!(report["run"]["cleanup"]["left"], serde_json::json!([]));
    assert_eq!(listed(&mock.url, "openfaas-fn"), 0);
}
