//! Bad command lines and credentials files: each is refused with its exit status (2 for a
//! flag, 3 for credentials) and a message on stderr that names the culprit, before any request. (`tests/run_cli.rs` has the bad
//! URL, feature and profile flags; these are the rest.)

use std::path::Path;
use std::process::{Output, Stdio};

mod common;
use common::process::certifier as command;

/// A closed port: a run that got as far as a request would say "cannot reach" instead.
const CLOSED: &str = "http://127.0.0.1:9";

/// Runs the binary with `args` and extra environment, isolated from the caller's.
fn certifier(args: &[&str], env: &[(&str, &str)]) -> Output {
    let cwd = tempfile::tempdir().expect("a temporary directory");
    let mut cmd = command();
    cmd.current_dir(cwd.path()).args(args).stdin(Stdio::null());
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("the binary runs")
}

/// Exit status 2 (a refused flag), nothing on stdout, and every `want` on stderr.
fn refused(out: &Output, want: &[&str]) {
    refused_with(out, 2, want);
}

/// Exit status 3 (the credentials cannot be read), nothing on stdout, every `want` on stderr.
fn credentials_refused(out: &Output, want: &[&str]) {
    refused_with(out, 3, want);
}

/// Exit status `status`, nothing on stdout, and every `want` on stderr.
fn refused_with(out: &Output, status: i32, want: &[&str]) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(status), "stderr:\n{stderr}");
    assert!(
        out.stdout.is_empty(),
        "nothing may run: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(stderr.starts_with("error: "), "{stderr}");
    for w in want {
        assert!(stderr.contains(w), "want {w:?} on stderr, got:\n{stderr}");
    }
    assert!(
        !stderr.contains("cannot reach"),
        "a request was sent: {stderr}"
    );
}

#[test]
fn malformed_gateway_from_the_environment_names_the_variable() {
    let out = certifier(&["run"], &[("OPENFAAS_URL", "not a url")]);
    refused(&out, &["OPENFAAS_URL \"not a url\" is not a URL"]);
    let out = certifier(&["run"], &[("gateway_url", "ftp://gw:8080")]);
    refused(&out, &["gateway_url \"ftp://gw:8080\" must be an http"]);
}

#[test]
fn gateway_must_be_http() {
    let out = certifier(&["run", "--gateway", "ftp://gw:8080"], &[]);
    refused(
        &out,
        &["--gateway \"ftp://gw:8080\" must be an http:// or https:// URL"],
    );
}

#[test]
fn unknown_disabled_feature_lists_the_known_ones() {
    let out = certifier(&["run", "--gateway", CLOSED, "--disable", "logs,nope"], &[]);
    refused(&out, &["unknown feature \"nope\"", "known: scaling"]);
}

#[test]
fn token_and_username_conflict() {
    let out = certifier(
        &[
            "run",
            "--gateway",
            CLOSED,
            "--token",
            "x",
            "--username",
            "y",
        ],
        &[],
    );
    refused(
        &out,
        &["'--token <TOKEN>' cannot be used with '--username <USER>'"],
    );
}

#[test]
fn username_needs_password_stdin() {
    let out = certifier(&["run", "--gateway", CLOSED, "--username", "y"], &[]);
    refused(
        &out,
        &["required arguments were not provided", "--password-stdin"],
    );
}

#[test]
fn no_reports_conflicts_with_a_report_dir() {
    let out = certifier(
        &[
            "run",
            "--gateway",
            CLOSED,
            "--no-reports",
            "--report-dir",
            "r",
        ],
        &[],
    );
    refused(&out, &["cannot be used with"]);
}

#[test]
fn malformed_run_timeout() {
    let out = certifier(&["run", "--gateway", CLOSED, "--timeout", "forever"], &[]);
    refused(
        &out,
        &["invalid value 'forever' for '--timeout <DURATION>'"],
    );
}

/// A faas-cli config directory whose `config.yml` is written by `make`.
fn config_dir(make: impl FnOnce(&Path)) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary directory");
    make(&dir.path().join("config.yml"));
    dir
}

fn run_with_config(dir: &Path) -> Output {
    let dir = dir.display().to_string();
    certifier(&["run", "--gateway", CLOSED], &[("OPENFAAS_CONFIG", &dir)])
}

#[test]
fn credentials_file_that_is_not_yaml_is_located() {
    let dir = config_dir(|p| {
        std::fs::write(p, "auths: [\n  - gateway: x\n").expect("written");
    });
    let file = dir.path().join("config.yml").display().to_string();
    let out = run_with_config(dir.path());
    credentials_refused(&out, &[&format!("{file}:2:3: not a faas-cli config file")]);
}

#[test]
fn credentials_file_of_the_wrong_shape_is_located() {
    let dir = config_dir(|p| std::fs::write(p, "auths: 12\n").expect("written"));
    let file = dir.path().join("config.yml").display().to_string();
    let out = run_with_config(dir.path());
    credentials_refused(&out, &[&format!("{file}:1:8: not a faas-cli config file")]);
}

#[test]
fn unreadable_credentials_file_is_named() {
    // A directory where the file should be: unreadable even for root.
    let dir = config_dir(|p| std::fs::create_dir(p).expect("created"));
    let file = dir.path().join("config.yml").display().to_string();
    let out = run_with_config(dir.path());
    credentials_refused(&out, &[&format!("cannot read {file}")]);
    let dir = config_dir(|p| std::fs::write(p, b"auths: \xff\xfe\n").expect("written"));
    let out = run_with_config(dir.path());
    credentials_refused(&out, &["cannot read", "valid UTF-8"]);
}

#[test]
fn credentials_with_a_bad_basic_token_are_refused() {
    let dir = config_dir(|p| {
        let text = format!("auths:\n- gateway: {CLOSED}\n  auth: basic\n  token: \"%%\"\n");
        std::fs::write(p, text).expect("written");
    });
    let out = run_with_config(dir.path());
    credentials_refused(
        &out,
        &["the basic token for http://127.0.0.1:9 is not base64"],
    );
    let dir = config_dir(|p| {
        let text = format!("auths:\n- gateway: {CLOSED}\n  auth: kerberos\n  token: t\n");
        std::fs::write(p, text).expect("written");
    });
    let out = run_with_config(dir.path());
    credentials_refused(&out, &["unknown auth type \"kerberos\""]);
}
