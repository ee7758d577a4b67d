//! SIGINT mid-run: the run stops starting steps, cleans up everything it created, writes its
//! reports with the interrupted cases marked, and exits with 130. The provider is a mock in
//! its own process, so what it holds afterwards is what a real cluster would hold.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

mod common;
use common::process::{MockProcess, BIN};

#[test]
fn sigint_mid_run_cleans_up_and_reports() {
    // The default autoscaler reacts in seconds, so the scaling cases are still running when
    // the signal comes.
    let mock = MockProcess::start(&["--namespace", "cert-extra"]);
    let url = mock.url.clone();

    let dir = tempfile::tempdir().expect("a temporary directory");
    let json = dir.path().join("report.json");
    let mut run = Command::new(BIN)
        .current_dir(dir.path())
        .args([
            "run",
            "--gateway",
            &url,
            "--extra-namespace",
            "cert-extra",
            "--no-reports",
            "--json",
        ])
        .arg(&json)
        .env("OPENFAAS_CONFIG", dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the run starts");
    // Drain the run's output on a thread, so it never blocks on a full pipe.
    let stdout = run.stdout.take().expect("stdout");
    let reader = std::thread::spawn(move || {
        BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
            .collect::<Vec<String>>()
    });

    // Signal once the run holds resources (the scaling cases hold functions for seconds).
    let client = reqwest::blocking::Client::new();
    let held = |ns: &str| -> usize {
        let list: serde_json::Value = client
            .get(format!("{url}/system/functions?namespace={ns}"))
            .send()
            .unwrap()
            .json()
            .unwrap();
        // The run's feature probe deploys and deletes a function of its own while it
        // connects; only functions of cases count.
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
    while held("openfaas-fn") + held("cert-extra") == 0 {
        assert!(
            waiting.elapsed() < Duration::from_secs(60),
            "the run never held a function"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let signalled = Instant::now();
    let status = Command::new("kill")
        .args(["-INT", &run.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success());
    let code = run.wait().expect("the run ends").code();
    let rest = reader.join().expect("the output");
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
