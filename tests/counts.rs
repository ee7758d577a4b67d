//! Every output of a run gives the same counts: the console's closing line, JUnit, JSON and
//! Markdown, read back from a real run of the binary against a mock in its own process;
//! for a run with failures, and for a run stopped by SIGINT midway.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use quick_junit::{NonSuccessKind, TestCaseStatus};

mod common;
use common::process::{MockProcess, BIN};

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
    let out = Command::new(BIN)
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
    let mut run = Command::new(BIN)
        .current_dir(dir.path())
        .args(["run", "--gateway", &url, "--extra-namespace", "cert-extra"])
        .args(["--report-dir", "reports"])
        .env("OPENFAAS_CONFIG", dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the run starts");
    let stdout = run.stdout.take().expect("stdout");
    let reader = std::thread::spawn(move || {
        BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
            .collect::<Vec<String>>()
    });
    // Signal once some cases have ended and others hold functions.
    let client = reqwest::blocking::Client::new();
    let held = || -> usize {
        let list: serde_json::Value = client
            .get(format!("{url}/system/functions?namespace=openfaas-fn"))
            .send()
            .unwrap()
            .json()
            .unwrap();
        list.as_array().map_or(0, |l| {
            l.iter()
                .filter(|f| {
                    !f["name"]
                        .as_str()
                        .unwrap_or("")
                        .starts_with("certifier-probe-")
                })
                .count()
        })
    };
    let waiting = Instant::now();
    while held() == 0 {
        assert!(
            waiting.elapsed() < Duration::from_secs(60),
            "the run never held a function"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(300));
    let status = Command::new("kill")
        .args(["-INT", &run.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success());
    let code = run.wait().expect("the run ends").code();
    let console = reader.join().expect("the output").join("\n");
    assert_eq!(code, Some(130), "{console}");
    let [_, _, errored, skipped, _] = agree(&console, &dir.path().join("reports"));
    assert!(
        errored + skipped > 0,
        "cases were stopped or not started:\n{console}"
    );
}
