//! A verdict a CI gate can trust, end to end: the certifier and the mocks each run in their
//! own process, as a user runs them. Preflight stops a run that cannot mean anything before
//! it creates anything; levels never claim more than was checked; a root cause is reported
//! once; a provider that dies mid-run is diagnosed within seconds.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;

mod common;
use common::process::{certifier, MockProcess};

/// The functions the mock at `url` holds in `namespace`.
fn functions(url: &str, namespace: &str) -> Vec<Value> {
    let url = format!("{url}/system/functions?namespace={namespace}");
    let body = reqwest::blocking::get(url)
        .expect("list")
        .text()
        .expect("body");
    serde_json::from_str(&body).expect("a JSON list")
}

/// `faas-certifier run ARGS` with reports in `dir`; its output and how long it took.
fn run(dir: &Path, args: &[&str]) -> (Output, Duration) {
    let started = Instant::now();
    let out = certifier()
        .arg("run")
        .args(args)
        .args(["--report-dir", dir.to_str().expect("utf-8 path")])
        .stdin(Stdio::null())
        .output()
        .expect("the certifier runs");
    (out, started.elapsed())
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn json_report(dir: &Path) -> Value {
    let text = std::fs::read_to_string(dir.join("report.json")).expect("report.json");
    serde_json::from_str(&text).expect("JSON")
}

#[test]
fn defaults_together_certify_the_bundled_mock() {
    let mock = MockProcess::start(&[]);
    let dir = tempfile::tempdir().expect("tempdir");
    let (out, took) = run(dir.path(), &["--gateway", &mock.url]);
    let all = text(&out);
    assert_eq!(out.status.code(), Some(0), "{all}");
    assert!(all.contains("verdict: certified"), "{all}");
    let report = json_report(dir.path());
    assert_eq!(report["verdict"]["level"], "certified");
    assert_eq!(report["run"]["suites"]["source"], "built-in");
    assert_eq!(report["summary"]["failed"], 0);
    let markdown = std::fs::read_to_string(dir.path().join("summary.md")).expect("summary.md");
    assert!(
        markdown.starts_with("## faas-certifier: ✅ certified"),
        "{markdown}"
    );
    let junit = std::fs::read_to_string(dir.path().join("junit.xml")).expect("junit.xml");
    assert!(
        junit.contains(r#"<property name="verdict" value="certified"/>"#),
        "{junit}"
    );
    eprintln!("mock + run with defaults: {:.1}s", took.as_secs_f64());
}

#[test]
fn a_filtered_run_passes_partially_in_every_report() {
    let mock = MockProcess::start(&[]);
    let dir = tempfile::tempdir().expect("tempdir");
    let (out, _) = run(dir.path(), &["--gateway", &mock.url, "secrets::"]);
    let all = text(&out);
    assert_eq!(out.status.code(), Some(0), "{all}");
    assert!(all.contains("verdict: passed (partial)"), "{all}");
    assert!(
        all.contains("filtered: only cases matching secrets::"),
        "{all}"
    );
    let report = json_report(dir.path());
    assert_eq!(report["verdict"]["level"], "passed (partial)");
    assert_eq!(report["run"]["selection"]["filters"][0], "secrets::");
    let markdown = std::fs::read_to_string(dir.path().join("summary.md")).expect("summary.md");
    assert!(markdown.contains("passed (partial)"), "{markdown}");
    assert!(!markdown.contains("✅ certified"), "{markdown}");
    assert!(
        markdown.contains("cases matching `secrets::`"),
        "{markdown}"
    );
    let junit = std::fs::read_to_string(dir.path().join("junit.xml")).expect("junit.xml");
    assert!(
        junit.contains(r#"<property name="verdict" value="passed (partial)"/>"#),
        "{junit}"
    );
    assert!(junit.contains(r#"<property name="selection.filters" value="secrets::"/>"#));
}

#[test]
fn forced_features_are_partial_too() {
    let mock = MockProcess::start(&[]);
    let dir = tempfile::tempdir().expect("tempdir");
    let (out, _) = run(
        dir.path(),
        &["--gateway", &mock.url, "health::", "--disable", "logs"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let report = json_report(dir.path());
    assert_eq!(report["verdict"]["level"], "passed (partial)");
    assert_eq!(report["run"]["overrides"][0], "--disable logs");
    let reasons = report["verdict"]["reasons"].to_string();
    assert!(
        reasons.contains("features forced: --disable logs"),
        "{reasons}"
    );
}

#[test]
fn a_filter_matching_nothing_exits_6_and_leaves_earlier_reports_alone() {
    let mock = MockProcess::start(&[]);
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("report.json"), "earlier").expect("write");
    let (out, took) = run(dir.path(), &["--gateway", &mock.url, "secrets::nosuchcase"]);
    let all = text(&out);
    assert_eq!(out.status.code(), Some(6), "{all}");
    assert!(
        all.contains("no case matches \"secrets::nosuchcase\""),
        "{all}"
    );
    assert!(all.contains("the closest names: secrets::"), "{all}");
    let (exact, _) = run(dir.path(), &["--gateway", &mock.url, "--exact", "health::"]);
    assert_eq!(exact.status.code(), Some(6), "{}", text(&exact));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("report.json")).expect("read"),
        "earlier"
    );
    assert!(functions(&mock.url, "openfaas-fn").is_empty());
    assert!(took < Duration::from_secs(2), "took {took:?}");
}

/// A plain web server answering every request with a static page; it records the requests.
fn static_server() -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut buf = [0u8; 4096];
            let n = stream.read(&mut buf).unwrap_or(0);
            let head = String::from_utf8_lossy(&buf[..n]);
            if let Some(line) = head.lines().next() {
                log.lock().expect("lock").push(line.to_string());
            }
            let (status, body) = if head.starts_with("GET / ") {
                ("200 OK", "<html><body>index</body></html>")
            } else {
                ("404 Not Found", "<html><body>not found</body></html>")
            };
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\nContent-Type: text/html\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    (url, seen)
}

#[test]
fn a_static_web_server_is_refused_before_anything_is_created() {
    let (url, seen) = static_server();
    let dir = tempfile::tempdir().expect("tempdir");
    let (out, took) = run(dir.path(), &["--gateway", &format!("{url}/some/path")]);
    let all = text(&out);
    assert_eq!(out.status.code(), Some(10), "{all}");
    assert!(
        all.contains("is not an OpenFaaS provider or gateway")
            && all.contains("/some/path/system/info answered 404"),
        "{all}"
    );
    assert!(!all.contains("cleanup"), "{all}");
    assert!(took < Duration::from_secs(2), "took {took:?}");
    let seen = seen.lock().expect("lock").clone();
    assert_eq!(
        seen,
        vec!["GET /some/path/system/info HTTP/1.1"],
        "{seen:?}"
    );
}

#[test]
fn namespaces_are_checked_before_the_run() {
    let mock = MockProcess::start(&[]);
    let dir = tempfile::tempdir().expect("tempdir");
    let (out, _) = run(
        dir.path(),
        &["--gateway", &mock.url, "--extra-namespace", "nosuchns"],
    );
    let all = text(&out);
    assert_eq!(out.status.code(), Some(10), "{all}");
    assert!(all.contains("namespace `nosuchns` is not managed"), "{all}");
    let (bad, _) = run(
        dir.path(),
        &["--gateway", &mock.url, "--namespace", "Bad_NS"],
    );
    assert_eq!(bad.status.code(), Some(2));
    assert!(text(&bad).contains("\"Bad_NS\" is not a valid name"));
}

#[test]
fn unwritable_report_destinations_and_zero_timeouts_stop_before_the_run() {
    let mock = MockProcess::start(&[]);
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("a-file");
    std::fs::write(&file, "x").expect("write");
    let (out, _) = run(
        dir.path(),
        &[
            "--gateway",
            &mock.url,
            "--junit",
            file.join("junit.xml").to_str().expect("utf-8"),
        ],
    );
    assert_eq!(out.status.code(), Some(7), "{}", text(&out));
    let summary = dir.path().join("missing-folder").join("summary.md");
    let out = certifier()
        .args(["run", "--gateway", &mock.url, "--no-reports"])
        .env("GITHUB_STEP_SUMMARY", &summary)
        .output()
        .expect("runs");
    let all = text(&out);
    assert_eq!(out.status.code(), Some(7), "{all}");
    assert!(all.contains("$GITHUB_STEP_SUMMARY"), "{all}");
    let (zero, _) = run(dir.path(), &["--gateway", &mock.url, "--timeout", "0s"]);
    assert_eq!(zero.status.code(), Some(2));
    assert!(functions(&mock.url, "openfaas-fn").is_empty());
}

#[test]
fn refused_invocations_end_fast_with_the_root_cause_once() {
    let mock = MockProcess::start(&["--fault", "invoke-refused-401"]);
    let dir = tempfile::tempdir().expect("tempdir");
    let (out, took) = run(dir.path(), &["--gateway", &mock.url]);
    let all = text(&out);
    assert_eq!(out.status.code(), Some(1), "{all}");
    let report = json_report(dir.path());
    let cases = report["cases"].as_array().expect("cases");
    let failed: Vec<&str> = cases
        .iter()
        .filter(|c| c["outcome"] == "failed")
        .filter_map(|c| c["id"].as_str())
        .collect();
    let blocked = cases
        .iter()
        .filter(|c| c["outcome"] == "blocked")
        .filter(|c| {
            c["reason"]
                .as_str()
                .is_some_and(|r| r.contains("blocked by invoke::verbs"))
        })
        .count();
    assert!(failed.contains(&"invoke::verbs"), "{failed:?}");
    assert!(
        blocked >= 10,
        "only {blocked} cases blocked by invoke::verbs"
    );
    assert!(
        !failed.contains(&"invoke::echo-text"),
        "a dependent failed on its own: {failed:?}"
    );
    assert!(took < Duration::from_secs(15), "took {took:?}");
    eprintln!(
        "refused invocations: {:.1}s, {} failed, {blocked} blocked",
        took.as_secs_f64(),
        failed.len()
    );
}

#[test]
fn a_provider_killed_mid_run_is_one_root_cause() {
    let mut mock = MockProcess::start(&["--ready-delay", "1s"]);
    let dir = tempfile::tempdir().expect("tempdir");
    let mut child = certifier()
        .args(["run", "--gateway", &mock.url, "--report-dir"])
        .arg(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the certifier runs");
    // Let the run create functions and wait on them, then kill the provider.
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let mut seen = String::new();
    while !seen.contains("test ") {
        let mut line = String::new();
        if stdout.read_line(&mut line).expect("read") == 0 {
            break;
        }
        seen.push_str(&line);
    }
    std::thread::sleep(Duration::from_millis(500));
    mock.child.kill().expect("kill the mock");
    let killed = Instant::now();
    let mut rest = String::new();
    stdout.read_to_string(&mut rest).expect("read");
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut stderr)
        .expect("read");
    let status = child.wait().expect("exit");
    let after = killed.elapsed();
    let all = format!("{seen}{rest}{stderr}");
    assert_eq!(status.code(), Some(1), "{all}");
    assert!(
        after < Duration::from_secs(10),
        "took {after:?} after the kill"
    );
    assert_eq!(
        all.matches("root cause: the provider stopped answering")
            .count(),
        1,
        "{all}"
    );
    assert!(
        !all.contains("warning: cleanup could not delete"),
        "a cleanup warning flood: {all}"
    );
    assert!(
        all.matches("warning: the provider stopped answering")
            .count()
            <= 1,
        "one warning for the one cause: {all}"
    );
    let report = json_report(dir.path());
    assert!(report["run"]["root_cause"]
        .as_str()
        .is_some_and(|c| c.contains("stopped answering")));
    assert_eq!(report["verdict"]["level"], "failed");
    eprintln!(
        "killed provider diagnosed {:.1}s after the kill",
        after.as_secs_f64()
    );
}

/// The run's own `--timeout` ending a step that waits on a slow provider is the harness's
/// outcome: errored, naming `--timeout` and its value, keeping what the last answer was;
/// never a provider failure.
#[test]
fn the_runs_own_timeout_errors_the_step_it_cut_naming_it() {
    let mock = MockProcess::start(&["--ready-delay", "5s"]);
    let dir = tempfile::tempdir().expect("tempdir");
    let (out, took) = run(
        dir.path(),
        &[
            "--gateway",
            &mock.url,
            "--timeout",
            "1s",
            "--exact",
            "scale::scale-up",
        ],
    );
    let all = text(&out);
    assert_eq!(out.status.code(), Some(1), "{all}");
    assert!(took < Duration::from_secs(10), "the run took {took:?}");
    assert!(all.contains("verdict: errored"), "{all}");
    assert!(!all.contains("FAILED"), "{all}");
    let report = json_report(dir.path());
    assert_eq!(report["verdict"]["level"], "errored");
    assert_eq!(report["summary"]["failed"], 0);
    assert_eq!(report["summary"]["errored"], 1);
    let case = &report["cases"][0];
    assert_eq!(case["outcome"], "errored");
    let reason = case["reason"].as_str().expect("a reason");
    assert!(
        reason.contains("the run's --timeout 1s ended this step")
            && reason.contains("want availableReplicas >= 1, got 0"),
        "{reason}"
    );
    // The step it cut says why in its type: the run's limit, not the provider's transport.
    let steps = case["steps"].as_array().expect("steps");
    let cut = steps.last().expect("the cut step");
    assert_eq!(cut["outcome"], "errored", "{cut}");
    assert_eq!(cut["cause"], "run-timeout", "{cut}");
    let junit = std::fs::read_to_string(dir.path().join("junit.xml")).expect("junit.xml");
    assert!(junit.contains(r#"type="run-timeout""#), "{junit}");
}

/// A `--timeout` that passes while the preflight waits for the target says so, with its
/// value; it does not call the target unreachable.
#[test]
fn a_timeout_passing_during_the_preflight_is_named() {
    // Accepts connections and never answers.
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().flatten() {
            held.push(stream);
        }
    });
    let dir = tempfile::tempdir().expect("tempdir");
    let (out, took) = run(dir.path(), &["--gateway", &url, "--timeout", "500ms"]);
    let all = text(&out);
    assert_eq!(out.status.code(), Some(10), "{all}");
    assert!(took < Duration::from_secs(5), "the run took {took:?}");
    assert!(
        all.contains("the run's --timeout 500ms passed during the preflight"),
        "{all}"
    );
    assert!(!all.contains("cannot reach"), "{all}");
}

/// `--settle 0s` leaves the "nothing must change" check nothing to watch: the run is
/// `passed (partial)` at best, and every report lists why and records the settings.
#[test]
fn a_settle_below_its_default_is_partial_in_every_report() {
    let mock = MockProcess::start(&[]);
    let dir = tempfile::tempdir().expect("tempdir");
    let (out, _) = run(
        dir.path(),
        &[
            "--gateway",
            &mock.url,
            "--settle",
            "0s",
            "--exact",
            "scale::scaling-disabled",
        ],
    );
    let all = text(&out);
    assert_eq!(out.status.code(), Some(0), "{all}");
    let why = "--settle 0s is below the default 20s";
    assert!(all.contains(why), "{all}");
    let report = json_report(dir.path());
    assert_eq!(report["verdict"]["level"], "passed (partial)");
    let reasons = report["verdict"]["reasons"].to_string();
    assert!(
        reasons.contains(why) && reasons.contains("scale::scaling-disabled"),
        "{reasons}"
    );
    assert_eq!(report["run"]["settings"]["settle_ms"], 0);
    assert_eq!(report["run"]["settings"]["request_timeout_ms"], 30_000);
    assert!(report["run"]["settings"].get("timeout_ms").is_none());
    let markdown = std::fs::read_to_string(dir.path().join("summary.md")).expect("summary.md");
    assert!(markdown.contains(why), "{markdown}");
    assert!(markdown.contains("`--settle 0s`"), "{markdown}");
    let junit = std::fs::read_to_string(dir.path().join("junit.xml")).expect("junit.xml");
    assert!(junit.contains(why), "{junit}");
    assert!(
        junit.contains(r#"<property name="settings.settle" value="0s"/>"#),
        "{junit}"
    );
    let html = std::fs::read_to_string(dir.path().join("report.html")).expect("report.html");
    assert!(html.contains(why), "reasons in the HTML report");
    assert!(
        html.contains("--settle 0s, --timeout none"),
        "settings in the HTML report"
    );
}
