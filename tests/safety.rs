//! Safe on a real cluster: a run never touches what it did not create, and nothing it
//! prints or writes carries a secret value, token or password.

use std::collections::BTreeMap;
use std::process::Stdio;

use base64::Engine;
use faas_certifier::mock::{self, Fault, MockConfig};
use faas_certifier::runner::{CaseOutcome, Runner};
use faas_certifier::selftest::{mock_config, settings, EXTRA_NAMESPACE};
use faas_certifier::suite;
use serde_json::json;

mod common;
use common::process::certifier;

/// Every prefix the built-in suites give the functions and secrets they create, read from
/// the suite files (`"stronghash-${run}"` gives `stronghash-`).
fn suite_prefixes() -> Vec<String> {
    let re = regex::Regex::new(r#""([a-z0-9-]+-)\$\{run\}"#).unwrap();
    let mut prefixes: Vec<String> =
        std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/suites"))
            .unwrap()
            .filter_map(Result::ok)
            .filter(|e| e.path().extension().is_some_and(|x| x == "yaml"))
            .flat_map(|e| {
                let text = std::fs::read_to_string(e.path()).unwrap();
                re.captures_iter(&text)
                    .map(|c| c[1].to_string())
                    .collect::<Vec<_>>()
            })
            .collect();
    prefixes.sort();
    prefixes.dedup();
    prefixes
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_leaves_other_workloads_untouched() {
    let password = "isolation-pass";
    let mock = mock::spawn(mock_config(false, password))
        .await
        .expect("the mock starts");
    let url = mock.url.clone();
    let client = reqwest::Client::new();
    let auth = |r: reqwest::RequestBuilder| r.basic_auth("admin", Some(password));

    // Workloads named as the original certifier named its resources, and with every prefix
    // the suites use, in both namespaces; secrets too, and a function mounting two of them.
    let mut functions: Vec<String> = [
        "env-test",
        "env-test-labels",
        "env-test-annotations",
        "stronghash",
        "redirector",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let prefixes = suite_prefixes();
    assert!(
        prefixes.len() > 30,
        "the suites' prefixes are found: {prefixes:?}"
    );
    functions.extend(prefixes.iter().map(|p| format!("{p}prod")));
    let mut secrets: Vec<String> = vec!["secret-string".into(), "secret-bytes".into()];
    secrets.extend(
        prefixes
            .iter()
            .filter(|p| p.starts_with("secret") || p.starts_with("cert"))
            .map(|p| format!("{p}prod")),
    );
    for ns in ["openfaas-fn", EXTRA_NAMESPACE] {
        for secret in &secrets {
            let body = json!({"name": secret, "namespace": ns, "value": format!("prod-value-of-{secret}")});
            let r = auth(client.post(format!("{url}/system/secrets")))
                .json(&body)
                .send()
                .await
                .unwrap();
            assert!(r.status().is_success(), "secret {secret}: {}", r.status());
        }
        for name in &functions {
            let body = json!({"service": name, "image": "alpine", "namespace": ns, "envProcess": "env",
                              "labels": {"team": "prod"}, "envVars": {"owner": "prod"}});
            let r = auth(client.post(format!("{url}/system/functions")))
                .json(&body)
                .send()
                .await
                .unwrap();
            assert!(r.status().is_success(), "function {name}: {}", r.status());
        }
        let reader = json!({"service": "secret-reader", "image": "alpine", "namespace": ns,
                            "envProcess": "cat /var/openfaas/secrets/secret-string", "secrets": ["secret-string", "secret-bytes"]});
        auth(client.post(format!("{url}/system/functions")))
            .json(&reader)
            .send()
            .await
            .unwrap();
    }
    functions.push("secret-reader".into());
    let snapshot = || async {
        let mut all = BTreeMap::new();
        for ns in ["openfaas-fn", EXTRA_NAMESPACE] {
            for name in &functions {
                let r = auth(client.get(format!("{url}/system/function/{name}?namespace={ns}")))
                    .send()
                    .await
                    .unwrap();
                all.insert(
                    format!("{ns}/{name}"),
                    (r.status().as_u16(), r.bytes().await.unwrap()),
                );
            }
            let r = auth(client.get(format!("{url}/system/secrets?namespace={ns}")))
                .send()
                .await
                .unwrap();
            all.insert(
                format!("{ns}/secrets"),
                (r.status().as_u16(), r.bytes().await.unwrap()),
            );
        }
        all
    };
    let before = snapshot().await;

    let runner = Runner::connect(settings(&url, password), suite::load_builtin().unwrap())
        .await
        .expect("connects");
    let runner = std::sync::Arc::new(runner);
    // Each case its own task, as a run has them: a stream read from one task shared with
    // every other case would be read late and judged held.
    let results = common::run_cases(&runner, runner.plan()).await;
    let _ = runner.finish().await;
    let failed: Vec<String> = results
        .iter()
        .filter_map(|r| match &r.outcome {
            CaseOutcome::Failed(m) | CaseOutcome::Errored(m) => Some(format!("{}: {m}", r.trial)),
            _ => None,
        })
        .collect();
    assert!(
        failed.is_empty(),
        "cases fail on a provider holding other workloads:\n{}",
        failed.join("\n")
    );

    let after = snapshot().await;
    for (key, was) in &before {
        assert_eq!(Some(was), after.get(key), "{key} changed");
    }
    // The secrets' values are as they were, byte for byte.
    for ns in ["openfaas-fn", EXTRA_NAMESPACE] {
        let r = client
            .post(format!("{url}/function/secret-reader.{ns}"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.text().await.unwrap(), "prod-value-of-secret-string");
    }
    mock.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_written_or_printed_carries_a_secret() {
    let password = "leak-check-pw-6a1f";
    // The provider echoes secret values back in its lists: the certifier must not repeat them.
    let config = MockConfig {
        faults: [Fault::SecretListLeaksValues].into_iter().collect(),
        ..mock_config(true, password)
    };
    let mock = mock::spawn(config).await.expect("the mock starts");
    let url = mock.url.clone();
    let dir = tempfile::tempdir().unwrap();
    let step_summary = dir.path().join("step-summary.md");
    let out = {
        let dir = dir.path().to_path_buf();
        let step_summary = step_summary.clone();
        tokio::task::spawn_blocking(move || {
            let mut child = certifier()
                .current_dir(&dir)
                .args([
                    "run",
                    "--gateway",
                    &url,
                    "--extra-namespace",
                    EXTRA_NAMESPACE,
                    "--username",
                    "admin",
                ])
                .args([
                    "--password-stdin",
                    "--junit",
                    "single/junit.xml",
                    "--json",
                    "single/report.json",
                ])
                .args(["--markdown", "single/summary.md", "--settle", "300ms"])
                .env("GITHUB_STEP_SUMMARY", &step_summary)
                .env("RUST_LOG", "faas_certifier=debug")
                .env("OPENFAAS_CONFIG", &dir)
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap();
            use std::io::Write;
            child
                .stdin
                .take()
                .unwrap()
                .write_all(format!("{password}\n").as_bytes())
                .unwrap();
            child.wait_with_output().unwrap()
        })
        .await
        .unwrap()
    };
    assert_eq!(
        out.status.code(),
        Some(1),
        "the leaking provider fails the secrets list case"
    );
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("reports/report.json")).unwrap())
            .unwrap();
    let failed: Vec<&str> = report["cases"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["outcome"] == "failed")
        .filter_map(|c| c["id"].as_str())
        .collect();
    assert!(
        failed
            .iter()
            .any(|c| c.starts_with("secrets::list-names-not-values")),
        "{failed:?}"
    );

    let run_id = report["run"]["id"].as_str().unwrap().to_string();
    let b64 = base64::engine::general_purpose::STANDARD;
    let mut needles = vec![
        password.to_string(),
        b64.encode(format!("admin:{password}")),
        "never-listed-bytes".to_string(),
        "bmV2ZXItbGlzdGVkLWJ5dGVz".to_string(),
    ];
    // Each suite secret's value is `<prefix>${run}`, and `${run}` starts with the run id.
    for prefix in [
        "s3cr3t-",
        "never-listed-",
        "first-",
        "second-",
        "before-",
        "after-",
        "gone-",
    ] {
        needles.push(format!("{prefix}{run_id}"));
    }
    let mut written: Vec<(String, Vec<u8>)> = vec![
        ("stdout".into(), out.stdout.clone()),
        ("stderr".into(), out.stderr.clone()),
    ];
    let mut stack = vec![dir.path().to_path_buf()];
    while let Some(path) = stack.pop() {
        for entry in std::fs::read_dir(&path).unwrap().filter_map(Result::ok) {
            let p = entry.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                written.push((p.display().to_string(), std::fs::read(&p).unwrap()));
            }
        }
    }
    assert!(
        written.len() >= 9,
        "stdout, stderr, three reports twice and the step summary"
    );
    for (what, bytes) in &written {
        let text = String::from_utf8_lossy(bytes);
        for needle in &needles {
            assert!(!text.contains(needle.as_str()), "{what} carries {needle:?}");
        }
    }
    mock.stop().await.unwrap();
}

/// A binary secret value with every kind of byte an escape treats apart (NUL, newline,
/// quote, backslash, `<&>'`, non-ASCII text, U+2028, invalid UTF-8, DEL) around three
/// canaries: any unredacted piece of it in an output shows a canary.
const BINARY_SECRET: &[u8] =
    b"\x00LEAK-A-7f3q\n\"\\\xff\xfeLEAK-B-k2v9\xc3\xa9\xe2\x80\xa8<&>'\x80LEAK-C-p5m1\x01\x7f";
const CANARIES: [&str; 3] = ["LEAK-A-7f3q", "LEAK-B-k2v9", "LEAK-C-p5m1"];

/// Every form the value may take in text: raw, lossy, JSON-escaped, debug-escaped (and both),
/// base64.
fn binary_secret_forms() -> Vec<(&'static str, Vec<u8>)> {
    let b64 = base64::engine::general_purpose::STANDARD;
    let lossy = String::from_utf8_lossy(BINARY_SECRET).into_owned();
    let json = serde_json::to_string(&lossy).unwrap();
    let json = json[1..json.len() - 1].to_string();
    let unquote = |s: String| s[1..s.len() - 1].to_string();
    let mut forms = vec![
        ("raw", BINARY_SECRET.to_vec()),
        ("lossy", lossy.clone().into_bytes()),
        ("JSON-escaped", json.clone().into_bytes()),
        ("debug", unquote(format!("{lossy:?}")).into_bytes()),
        (
            "escape_debug",
            lossy.escape_debug().to_string().into_bytes(),
        ),
        ("debug of JSON", unquote(format!("{json:?}")).into_bytes()),
        ("base64", b64.encode(BINARY_SECRET).into_bytes()),
        (
            "base64 unpadded",
            base64::engine::general_purpose::STANDARD_NO_PAD
                .encode(BINARY_SECRET)
                .into_bytes(),
        ),
    ];
    forms.extend(CANARIES.map(|c| ("a canary", c.as_bytes().to_vec())));
    forms
}

/// The suite of [`binary_secrets_never_leak_in_any_form`]: the value listed back by the
/// leaking provider and quoted in a mismatch, and read back by a function that mounts it.
fn binary_secret_suite() -> String {
    let b64 = base64::engine::general_purpose::STANDARD.encode(BINARY_SECRET);
    format!(
        r#"description: A binary secret value echoed back in every way.
requires: [secrets]
cases:
  - name: listed
    description: The list carries the value (JSON-escaped); the mismatch quotes it.
    vars: {{secret: "leak-listed-${{run}}"}}
    steps:
      - secret_create: {{name: "${{secret}}", raw_value_base64: "{b64}"}}
        expect: {{status: [200, 201, 202]}}
      - secret_list:
        expect: {{status: 200, body: "not the list"}}
  - name: mounted
    description: A function reads the value back (invalid UTF-8); the mismatch quotes it.
    vars: {{secret: "leak-mounted-${{run}}", fn: "leak-read-${{run}}"}}
    steps:
      - secret_create: {{name: "${{secret}}", raw_value_base64: "{b64}"}}
        expect: {{status: [200, 201, 202]}}
      - deploy:
          name: "${{fn}}"
          image: "${{registry}}/alpine:latest"
          fprocess: "cat /var/openfaas/secrets/${{secret}}"
          secrets: ["${{secret}}"]
        expect: {{status: [200, 201, 202]}}
      - invoke: {{name: "${{fn}}", method: GET}}
        retry: {{timeout: 20s}}
        until: {{status: 200}}
        expect: {{status: 200, body: "not the bytes"}}
"#
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn binary_secrets_never_leak_in_any_form() {
    let config = MockConfig {
        faults: [Fault::SecretListLeaksValues].into_iter().collect(),
        basic_auth: None,
        ..mock_config(false, "unused")
    };
    let mock = mock::spawn(config).await.expect("the mock starts");
    let url = mock.url.clone();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("leaks.yaml"), binary_secret_suite()).unwrap();
    let out = {
        let dir = dir.path().to_path_buf();
        tokio::task::spawn_blocking(move || {
            certifier()
                .current_dir(&dir)
                .args(["run", "--gateway", &url, "--suites", "leaks.yaml"])
                .args(["--report-dir", "reports", "--html", "single/report.html"])
                .args([
                    "--junit",
                    "single/junit.xml",
                    "--json",
                    "single/report.json",
                ])
                .args(["--markdown", "single/summary.md", "--color", "never"])
                .env("RUST_LOG", "faas_certifier=debug")
                .env("OPENFAAS_CONFIG", &dir)
                .output()
                .unwrap()
        })
        .await
        .unwrap()
    };
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(out.status.code(), Some(1), "both cases fail:\n{stdout}");
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("reports/report.json")).unwrap())
            .unwrap();
    let failed: Vec<&str> = report["cases"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["outcome"] == "failed")
        .filter_map(|c| c["id"].as_str())
        .collect();
    assert_eq!(failed.len(), 2, "{failed:?}\n{stdout}");

    let mut written: Vec<(String, Vec<u8>)> = vec![
        ("stdout".into(), out.stdout.clone()),
        ("stderr".into(), out.stderr.clone()),
    ];
    let mut stack = vec![dir.path().to_path_buf()];
    while let Some(path) = stack.pop() {
        for entry in std::fs::read_dir(&path).unwrap().filter_map(Result::ok) {
            let p = entry.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.file_name().is_some_and(|n| n != "leaks.yaml") {
                written.push((p.display().to_string(), std::fs::read(&p).unwrap()));
            }
        }
    }
    assert!(written.len() >= 10, "stdout, stderr and four reports twice");
    let forms = binary_secret_forms();
    for (what, bytes) in &written {
        for (form, needle) in &forms {
            assert!(
                !bytes.windows(needle.len()).any(|w| w == needle.as_slice()),
                "{what} carries the value ({form}):\n{}",
                String::from_utf8_lossy(bytes)
            );
        }
    }
    // Each mismatch quotes the answer: the value is there, as a marker saying which value.
    assert!(
        stdout.contains("<redacted: value 1 of this run (secret `leak-"),
        "{stdout}"
    );
    mock.stop().await.unwrap();
}
