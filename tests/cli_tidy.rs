//! A tidy terminal: a closed stdout ends the run quietly with its usual status and reports,
//! colour follows `--color` (log lines too) and never reaches a pipe unasked, `--help`
//! shows every default, `--keep` prints commands ready to paste, `mock --bind` takes a
//! host name and `--suites` a single file.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Output, Stdio};

mod common;
use common::process::certifier;

use faas_certifier::cli::run::{resolve, RunArgs};
use faas_certifier::runner::{DEFAULT_JOBS, DEFAULT_REGISTRY};

/// The binary with `args` in `dir`, isolated from the caller's environment.
fn command(dir: &Path, args: &[&str]) -> Command {
    let mut cmd = certifier();
    cmd.current_dir(dir).args(args).stdin(Stdio::null());
    cmd
}

/// Runs `cmd` with its stdout a pipe whose reader is already gone.
fn with_closed_stdout(mut cmd: Command) -> Output {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    drop(child.stdout.take());
    child.wait_with_output().expect("the binary ends")
}

fn no_panic(out: &Output) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stderr.contains("panicked") && out.status.code() != Some(101),
        "{stderr}"
    );
}

#[test]
fn list_into_a_closed_pipe_ends_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let out = with_closed_stdout(command(dir.path(), &["run", "--list"]));
    no_panic(&out);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn selftest_into_a_closed_pipe_still_writes_its_reports() {
    let dir = tempfile::tempdir().unwrap();
    let out = with_closed_stdout(command(dir.path(), &["selftest", "health::"]));
    no_panic(&out);
    assert_eq!(out.status.code(), Some(0), "the mock passes health");
    for file in faas_certifier::report::FORMATS
        .iter()
        .map(|f| f.file_name())
    {
        assert!(
            dir.path().join("reports").join(file).is_file(),
            "{file} written"
        );
    }
}

/// A selftest of one polling case with info logs: (stdout, stderr).
fn logged_selftest(color: Option<&str>, no_color: Option<&str>) -> (String, String) {
    let dir = tempfile::tempdir().unwrap();
    let mut args = vec!["selftest", "provider::deploy::plain", "--no-reports"];
    if let Some(c) = color {
        args.extend(["--color", c]);
    }
    let mut cmd = command(dir.path(), &args);
    cmd.env("RUST_LOG", "info");
    if let Some(v) = no_color {
        cmd.env("NO_COLOR", v);
    }
    let out = cmd.output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn color_governs_the_console_and_the_log_lines() {
    let (stdout, stderr) = logged_selftest(Some("always"), None);
    assert!(
        stdout.contains("\x1b["),
        "--color always colours the console"
    );
    assert!(
        stderr.contains(" INFO") && stderr.contains("\x1b["),
        "and the logs: {stderr}"
    );

    let (stdout, stderr) = logged_selftest(Some("never"), None);
    assert!(stderr.contains(" INFO"), "{stderr}");
    assert!(
        !stdout.contains('\x1b') && !stderr.contains('\x1b'),
        "--color never"
    );

    let (stdout, stderr) = logged_selftest(None, Some(""));
    assert!(stderr.contains(" INFO"), "{stderr}");
    assert!(
        !stdout.contains('\x1b') && !stderr.contains('\x1b'),
        "auto: a pipe is never coloured, whatever NO_COLOR says"
    );
}

#[test]
fn run_help_shows_every_default() {
    let dir = tempfile::tempdir().unwrap();
    let out = command(dir.path(), &["run", "--help"]).output().unwrap();
    let help = String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    for want in [
        format!("[default: {DEFAULT_JOBS}]"),
        format!("[default: {DEFAULT_REGISTRY}]"),
        "[default: 20s]".to_string(),
        "[default: 30s]".to_string(),
        "[default: http://127.0.0.1:8080]".to_string(),
        "[default: openfaas-fn]".to_string(),
        "[default: reports]".to_string(),
        "[default: auto]".to_string(),
        "CERTIFIER_NAMESPACES, a comma- or whitespace-separated list of namespaces: its first name other than the default namespace becomes the extra namespace".to_string(),
    ] {
        assert!(help.contains(&want), "run --help lacks {want:?}:\n{help}");
    }
    let settings = faas_certifier::runner::Settings::new("http://x");
    assert_eq!(
        settings.settle.as_secs(),
        20,
        "the help's settle default is the real one"
    );
    assert_eq!(settings.request_timeout.as_secs(), 30);
}

#[test]
fn certifier_namespaces_is_a_comma_or_whitespace_list() {
    for (list, want) in [
        ("openfaas-fn, dev", Some("dev")),
        ("openfaas-fn dev staging", Some("dev")),
        ("  dev\tstaging", Some("dev")),
        ("openfaas-fn,,", None),
    ] {
        let env = |k: &str| match k {
            "CERTIFIER_NAMESPACES" => Some(list.to_string()),
            "OPENFAAS_CONFIG" => Some("/nonexistent".to_string()),
            _ => None,
        };
        let s = resolve(&RunArgs::default(), &env, &mut std::io::empty()).unwrap();
        assert_eq!(s.extra_namespace.as_deref(), want, "{list:?}");
    }
}

#[test]
fn suites_takes_a_single_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("suites/health.yaml");
    let out = command(
        dir.path(),
        &["run", "--list", "--suites", file.to_str().unwrap()],
    )
    .output()
    .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let listed = String::from_utf8_lossy(&out.stdout);
    assert!(
        listed.lines().count() > 0 && listed.lines().all(|l| l.starts_with("health::")),
        "{listed}"
    );
}

#[test]
fn keep_prints_faas_cli_commands_with_gateway_and_namespace() {
    let (_rt, mock) = common::mock_on_own_runtime(Default::default());
    let dir = tempfile::tempdir().unwrap();
    let out = command(
        dir.path(),
        &[
            "run",
            "--gateway",
            &mock.url,
            "--keep",
            "--exact",
            "deploy::plain",
        ],
    )
    .output()
    .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let line = stderr
        .lines()
        .find(|l| l.contains(": faas-cli remove stronghash-"))
        .unwrap_or_else(|| panic!("no faas-cli command in:\n{stderr}"));
    let target = format!(" --gateway {} -n openfaas-fn", mock.url);
    assert!(line.ends_with(&target), "{line}");
    // The case's own hint, in every report, names the gateway and namespace too.
    let command =
        regex::Regex::new(r"faas-cli remove stronghash-[0-9a-f]+( --gateway \S+ -n [a-z-]+)?")
            .unwrap();
    for format in faas_certifier::report::FORMATS {
        let path = dir.path().join("reports").join(format.file_name());
        let text = std::fs::read_to_string(&path).unwrap();
        let hints: Vec<&str> = command.find_iter(&text).map(|m| m.as_str()).collect();
        assert!(!hints.is_empty(), "no hint in {}", path.display());
        for hint in hints {
            assert!(hint.ends_with(&target), "{}: {hint}", path.display());
        }
    }
    drop(mock);
}

#[test]
fn mock_binds_a_host_name() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = command(dir.path(), &["mock", "--bind", "localhost", "--port", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let _ = child.kill();
    let out = child.wait_with_output().unwrap();
    assert!(
        first.contains("listening on http://127.0.0.1:")
            || first.contains("listening on http://[::1]:"),
        "{first}{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
