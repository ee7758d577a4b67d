//! `faas-certifier run` end to end: credentials from flags and from a faas-cli config file,
//! malformed suites, unreachable targets and bad options (exit statuses and messages).

use std::io::Write;
use std::process::{Output, Stdio};

use base64::Engine;
use faas_certifier::mock::{self, BasicAuth, MockConfig};

mod common;

/// Runs the binary with `args`, `stdin` and extra environment, isolated from the caller's.
fn certifier(args: &[&str], stdin: &str, env: &[(&str, &str)]) -> Output {
    // Reports land in the working directory: give each run its own.
    let cwd = tempfile::tempdir().expect("a temporary directory");
    let mut cmd = common::process::certifier();
    cmd.current_dir(cwd.path())
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("the binary starts");
    child
        .stdin
        .take()
        .expect("stdin is piped")
        .write_all(stdin.as_bytes())
        .expect("stdin is writable");
    child.wait_with_output().expect("the binary ends")
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

async fn auth_mock(password: &str) -> mock::RunningMock {
    let config = MockConfig {
        basic_auth: Some(BasicAuth {
            user: "admin".into(),
            password: password.into(),
        }),
        ..MockConfig::default()
    };
    mock::spawn(config).await.expect("the mock starts")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn credentials_from_flags() {
    let password = "flag-pass-7f3a9";
    let mock = auth_mock(password).await;
    let url = mock.url.clone();
    let out = tokio::task::spawn_blocking(move || {
        certifier(
            &[
                "run",
                "--gateway",
                &url,
                "--username",
                "admin",
                "--password-stdin",
                "auth::",
                "info::",
            ],
            "flag-pass-7f3a9\n",
            &[],
        )
    })
    .await
    .expect("the run finishes");
    let all = text(&out);
    assert_eq!(out.status.code(), Some(0), "{all}");
    assert!(all.contains("test auth::functions-refuse-wrong"), "{all}");
    assert!(
        all.contains("  on  auth "),
        "auth must be on with credentials: {all}"
    );
    assert!(!all.contains(password), "the password leaked: {all}");
    mock.stop().await.expect("the mock stops");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn credentials_from_faas_cli_config() {
    let password = "config-pass-29c1";
    let mock = auth_mock(password).await;
    let dir = tempfile::tempdir().expect("a temporary directory");
    let token = base64::engine::general_purpose::STANDARD.encode(format!("admin:{password}"));
    std::fs::write(
        dir.path().join("config.yml"),
        format!(
            "auths:\n- gateway: {}\n  auth: basic\n  token: {token}\n",
            mock.url
        ),
    )
    .expect("the config is written");
    // The gateway is matched as faas-cli stores it: lower case, without a trailing slash.
    let url = format!("{}/", mock.url.replace("http://", "HTTP://"));
    let config_dir = dir.path().display().to_string();
    let out = tokio::task::spawn_blocking(move || {
        certifier(
            &["run", "--gateway", &url, "auth::", "info::"],
            "",
            &[("OPENFAAS_CONFIG", &config_dir)],
        )
    })
    .await
    .expect("the run finishes");
    let all = text(&out);
    assert_eq!(out.status.code(), Some(0), "{all}");
    assert!(all.contains("  on  auth "), "{all}");
    assert!(
        !all.contains(password) && !all.contains(&token),
        "credentials leaked: {all}"
    );

    // A wrong password in the config is refused before any case runs: exit 9 (refused credentials).
    let bad = base64::engine::general_purpose::STANDARD.encode("admin:wrong");
    std::fs::write(
        dir.path().join("config.yml"),
        format!(
            "auths:\n- gateway: {}\n  auth: basic\n  token: {bad}\n",
            mock.url
        ),
    )
    .expect("the config is written");
    let (url, config_dir) = (mock.url.clone(), dir.path().display().to_string());
    let out = tokio::task::spawn_blocking(move || {
        certifier(
            &["run", "--gateway", &url],
            "",
            &[("OPENFAAS_CONFIG", &config_dir)],
        )
    })
    .await
    .expect("the run finishes");
    assert_eq!(out.status.code(), Some(9), "{}", text(&out));
    assert!(text(&out).contains("answered 401"), "{}", text(&out));
    mock.stop().await.expect("the mock stops");
}

#[test]
fn malformed_suite_is_a_usage_error_before_any_request() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    std::fs::write(
        dir.path().join("broken.yaml"),
        "cases:\n  - name: a\n    steps:\n      - health:\n        expct: {status: 200}\n",
    )
    .expect("the suite is written");
    let out = certifier(
        &[
            "run",
            "--gateway",
            "http://127.0.0.1:9",
            "--suites",
            &dir.path().display().to_string(),
        ],
        "",
        &[],
    );
    let all = text(&out);
    assert_eq!(out.status.code(), Some(4), "{all}");
    assert!(
        all.contains("broken.yaml:5:9: unknown field `expct`"),
        "{all}"
    );
    assert!(all.contains("did you mean `expect`?"), "{all}");
    assert!(
        !all.contains("cannot reach"),
        "no request may be sent: {all}"
    );
}

#[test]
fn unreachable_target_fails_fast_and_suggests_selftest() {
    let started = std::time::Instant::now();
    let out = certifier(&["run", "--gateway", "http://127.0.0.1:9"], "", &[]);
    let all = text(&out);
    assert_eq!(out.status.code(), Some(8), "{all}");
    assert!(all.contains("cannot reach http://127.0.0.1:9"), "{all}");
    assert!(all.contains("faas-certifier selftest"), "{all}");
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
}

/// A run stopped by its preflight writes nothing: no empty report directory, no folder made
/// for a single file; folders that were there stay.
#[test]
fn a_failed_preflight_leaves_no_folder_behind() {
    let cwd = tempfile::tempdir().expect("a temporary directory");
    std::fs::create_dir(cwd.path().join("kept")).unwrap();
    let out = common::process::certifier()
        .current_dir(cwd.path())
        .args(["run", "--gateway", "http://127.0.0.1:9"])
        .args([
            "--junit",
            "single/deep/junit.xml",
            "--json",
            "kept/report.json",
        ])
        .output()
        .expect("the binary runs");
    let all = text(&out);
    assert_eq!(out.status.code(), Some(8), "{all}");
    assert!(all.contains("cannot reach http://127.0.0.1:9"), "{all}");
    let mut left: Vec<String> = std::fs::read_dir(cwd.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(left, ["kept"], "{all}");
    assert_eq!(
        std::fs::read_dir(cwd.path().join("kept")).unwrap().count(),
        0
    );
}

#[test]
fn bad_options_are_usage_errors() {
    for (args, want) in [
        (
            vec!["run", "--gateway", "not a url"],
            "error: --gateway \"not a url\" is not a URL",
        ),
        (
            vec!["run", "--enable", "teleportation"],
            "error: unknown feature \"teleportation\"; known: scaling",
        ),
        (
            vec!["run", "--profile", "kubeless"],
            "error: unknown profile \"kubeless\"; known: faas-netes",
        ),
        (
            vec!["run", "--jobs", "0"],
            "error: --jobs must be at least 1",
        ),
    ] {
        let out = certifier(&args, "", &[]);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", text(&out));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains(want),
            "{args:?}: want {want:?}, got {stderr}"
        );
    }
}

#[test]
fn list_names_every_case_without_contacting_the_target() {
    let out = certifier(
        &[
            "run",
            "--gateway",
            "http://127.0.0.1:9",
            "--list",
            "--extra-namespace",
            "x",
        ],
        "",
        &[],
    );
    let all = text(&out);
    assert_eq!(out.status.code(), Some(0), "{all}");
    for name in [
        "health::healthz: test",
        "invoke::verbs: test",
        "invoke::verbs@extra: test",
        "scale::throughput: test",
    ] {
        assert!(all.contains(name), "{name} missing: {all}");
    }
    assert!(
        !all.contains("health::healthz@extra"),
        "health runs in one namespace only: {all}"
    );
}

/// The tests' clean environment keeps up with the binary: every variable a file of `src/`
/// reads by name (`env("…")`, `var("…")`, `var_os("…")`) is one `common::process::certifier`
/// removes, but `HOME` (only for faas-cli's configuration, which the helper points
/// elsewhere) and `UPDATE_SCHEMA` (read by unit tests only).
#[test]
fn the_tests_clean_environment_clears_every_variable_the_binary_reads() {
    let read = regex::Regex::new(r#"\b(?:env|var|var_os)\("([A-Za-z_][A-Za-z0-9_]*)"\)"#).unwrap();
    let mut names = std::collections::BTreeSet::new();
    let mut dirs = vec![std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().map(Result::unwrap) {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                names.extend(read.captures_iter(&text).map(|c| c[1].to_string()));
            }
        }
    }
    for known in [
        "OPENFAAS_URL",
        "gateway_url",
        "GITHUB_STEP_SUMMARY",
        "NO_COLOR",
    ] {
        assert!(names.contains(known), "the scan finds {known}: {names:?}");
    }
    let kept: Vec<&String> = names
        .iter()
        .filter(|n| !common::process::read_by_the_binary(n))
        .collect();
    assert_eq!(
        kept,
        ["HOME", "UPDATE_SCHEMA"],
        "add them to read_by_the_binary"
    );
}
