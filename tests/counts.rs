//! Every output of a run gives the same counts: the console's closing line, JUnit, JSON and
//! Markdown, read back from a real run of the binary against a mock in its own process;
//! for a run with failures, and for a run stopped by SIGINT midway.

use std::path::Path;
use std::time::Duration;

use quick_junit::{NonSuccessKind, TestCaseStatus};

mod common;
use common::process::{certifier, wait_until_holding, MockProcess, RunProcess};

/// passed, failed, errored, skipped, blocked.
type Counts = [usize; 5];

/// The counts of `N passed, N failed, N errored, N skipped, N blocked` in `text`'s first line
/// that has them.
fn counts_in(text: &str, what: &str) -> Counts {
    let re = regex::Regex::new(
        r"(\d+) passed, (\d+) failed, (\d+) errored, (\d+) skipped, (\d+) blocked",
    )
    .unwrap();
    let caps = re
        .captures(text)
        .unwrap_or_else(|| panic!("no counts in the {what}:\n{text}"));
    let n = |i: usize| caps[i].parse::<usize>().unwrap();
    [n(1), n(2), n(3), n(4), n(5)]
}

fn json_counts(dir: &Path) -> Counts {
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("report.json")).unwrap()).unwrap();
    let s = &report["summary"];
    let n = |k: &str| s[k].as_u64().unwrap_or(0) as usize;
    [
        n("passed"),
        n("failed"),
        n("errored"),
        n("skipped"),
        n("blocked"),
    ]
}

fn junit_counts(dir: &Path) -> Counts {
    let xml = std::fs::read_to_string(dir.join("junit.xml")).unwrap();
    let junit = quick_junit::Report::deserialize_from_str(&xml).unwrap();
    let mut counts = [0; 5];
    for case in junit.test_suites.iter().flat_map(|s| &s.test_cases) {
        let i = match &case.status {
            TestCaseStatus::Success { .. } => 0,
            TestCaseStatus::NonSuccess {
                kind: NonSuccessKind::Failure,
                ..
            } => 1,
            TestCaseStatus::NonSuccess {
                kind: NonSuccessKind::Error,
                ..
            } => 2,
            TestCaseStatus::Skipped { ty, .. } if ty.as_deref() == Some("blocked") => 4,
            TestCaseStatus::Skipped { .. } => 3,
        };
        counts[i] += 1;
    }
    counts
}

/// Asserts every output gives the same counts; returns them.
fn agree(console: &str, dir: &Path) -> Counts {
    let closing = console
        .lines()
        .rev()
        .find(|l| l.contains(" passed, "))
        .unwrap_or_else(|| panic!("no closing line:\n{console}"));
    let from_console = counts_in(closing, "console");
    let markdown = std::fs::read_to_string(dir.join("summary.md")).unwrap();
    let from_markdown = counts_in(&markdown, "Markdown");
    let from_json = json_counts(dir);
    let from_junit = junit_counts(dir);
    assert_eq!(from_console, from_json, "console vs JSON:\n{console}");
    assert_eq!(from_markdown, from_json, "Markdown vs JSON");
    assert_eq!(from_junit, from_json, "JUnit vs JSON");
    from_json
}

#[test]
fn a_failing_run_gives_the_same_counts_everywhere() {
    let mock = MockProcess::start(&["--fault", "deploy-answers-500"]);
    let dir = tempfile::tempdir().unwrap();
    let out = certifier()
        .current_dir(dir.path())
        .args(["run", "--gateway", &mock.url, "--report-dir", "reports"])
        .args(["deploy::", "health::"])
        .env("OPENFAAS_CONFIG", dir.path())
        .output()
        .expect("the run");
    let console = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{console}");
    let [passed, failed, ..] = agree(&console, &dir.path().join("reports"));
    assert!(passed > 0 && failed > 0, "{console}");
}

#[test]
fn an_interrupted_run_gives_the_same_counts_everywhere() {
    // The default autoscaler reacts in seconds: the scaling cases are running at the signal.
    let mock = MockProcess::start(&["--namespace", "cert-extra"]);
    let url = mock.url.clone();
    let dir = tempfile::tempdir().unwrap();
    let run = RunProcess::start(
        dir.path(),
        &[
            "run",
            "--gateway",
            &url,
            "--extra-namespace",
            "cert-extra",
            "--report-dir",
            "reports",
        ],
    );
    // Signal once some cases have ended and others hold functions.
    wait_until_holding(&url, &["openfaas-fn"]);
    std::thread::sleep(Duration::from_millis(300));
    run.interrupt();
    let (code, lines) = run.wait();
    let console = lines.join("\n");
    assert_eq!(code, Some(130), "{console}");
    let [_, _, errored, skipped, _] = agree(&console, &dir.path().join("reports"));
    assert!(
        errored + skipped > 0,
        "cases were stopped or not started:\n{console}"
    );
}
