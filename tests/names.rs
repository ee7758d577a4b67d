//! Redaction touches values, never names: with the password `secret`, a run of the `secrets`
//! suite against a provider that breaks it names every suite and case unchanged in the
//! console, JUnit, JSON, Markdown and HTML, while the password itself appears nowhere.

use std::process::Stdio;

mod common;
use common::process::{certifier, MockProcess};

#[test]
fn a_password_that_is_part_of_a_name_changes_no_name_anywhere() {
    let mock = MockProcess::start(&[
        "--basic-auth",
        "admin:secret",
        "--fault",
        "secret-list-leaks-values",
    ]);
    let dir = tempfile::tempdir().unwrap();
    let mut run = certifier()
        .current_dir(dir.path())
        .args(["run", "--gateway", &mock.url, "--report-dir", "reports"])
        .args(["--username", "admin", "--password-stdin", "secrets::"])
        .env("OPENFAAS_CONFIG", dir.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the run starts");
    {
        use std::io::Write;
        let mut stdin = run.stdin.take().expect("stdin");
        stdin
            .write_all(b"secret\n")
            .expect("the password is written");
    }
    let out = run.wait_with_output().expect("the run ends");
    let console = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(
        out.status.code(),
        Some(1),
        "the fault is caught:\n{console}"
    );

    let report: serde_json::Value = serde_json::from_slice(
        &std::fs::read(dir.path().join("reports/report.json")).expect("report.json"),
    )
    .expect("JSON");
    let cases = report["cases"].as_array().expect("cases");
    let ids: Vec<&str> = cases.iter().filter_map(|c| c["id"].as_str()).collect();
    assert!(ids.contains(&"secrets::value-mounted"), "{ids:?}");
    let failed = cases.iter().filter(|c| c["outcome"] == "failed").count();
    assert!(failed > 0, "the fault fails a case: {ids:?}");

    // The console and every format's file.
    let mut outputs = vec![("console", console.clone())];
    for format in faas_certifier::report::FORMATS {
        let path = format!("reports/{}", format.file_name());
        outputs.push((format.key(), read(&dir, &path)));
    }
    // Every occurrence of the password is inside a name, never on its own.
    // A marker (`<redacted: the password>`) glued to the rest of a suite name (`<redacted: ...>s`).
    let rewritten = regex::Regex::new(r"(<|&lt;)redacted[^<>&]*(>|&gt;)s").unwrap();
    let bare = regex::Regex::new(r"(^|[^a-z_-])secret([^a-z_-]|$)").unwrap();
    for (what, text) in &outputs {
        assert!(!rewritten.is_match(text), "{what} rewrote a name:\n{text}");
        assert!(
            !bare.is_match(text),
            "{what} shows the password on its own:\n{text}"
        );
        for id in &ids {
            // The failures and the summary name their cases; console and JUnit name all.
            if matches!(*what, "console" | "junit" | "json" | "html") {
                let case = id.trim_start_matches("secrets::");
                assert!(text.contains(case), "{what} lacks the case {case}");
            }
        }
        assert!(text.contains("secrets"), "{what} lacks the suite name");
    }
    // The filter as given is recorded unchanged.
    assert_eq!(report["run"]["selection"]["filters"][0], "secrets::");
}

fn read(dir: &tempfile::TempDir, path: &str) -> String {
    std::fs::read_to_string(dir.path().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}
