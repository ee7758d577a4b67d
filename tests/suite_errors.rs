//! Bad suite files: one fixture per mistake in `fixtures/suites/`, each loaded the way
//! `run --suites DIR` loads it, and its message snapshotted. Every message names the file,
//! the line and column, and quotes the offending line with a caret under the column.

use std::path::{Path, PathBuf};
use std::process::Output;

use faas_certifier::cli::run;

mod common;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/suites")
}

/// Copies `files` (relative to `fixtures/suites/`) into a fresh directory, as `--suites DIR`.
fn suites_dir(files: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary directory");
    for file in files {
        let from = fixtures().join(file);
        let name = from.file_name().expect("a file name");
        std::fs::copy(&from, dir.path().join(name)).expect("the fixture is copied");
    }
    dir
}

/// The error `run --suites` reports for a directory holding `files`, with the directory
/// written as `[suites]`.
fn load_error(files: &[&str]) -> String {
    let dir = suites_dir(files);
    let path = dir.path().to_path_buf();
    match run::suites(Some(&path)) {
        Ok(suites) => panic!("{files:?} loaded as {} suites", suites.len()),
        Err(e) => e
            .to_string()
            .replace(&path.display().to_string(), "[suites]"),
    }
}

/// `[suites]/FILE:LINE:COL: ` at the start of `message`, as numbers.
fn location(message: &str, file: &str) -> (usize, usize) {
    let prefix = format!("[suites]/{file}:");
    let rest = message
        .strip_prefix(&prefix)
        .unwrap_or_else(|| panic!("want a message starting with {prefix:?}, got:\n{message}"));
    let mut parts = rest.splitn(3, ':');
    let mut number = |what: &str| -> usize {
        parts
            .next()
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("no {what} after {prefix:?}, got:\n{message}"))
    };
    (number("line"), number("column"))
}

/// The message with the list of step kinds, which grows with every new kind, written as one
/// placeholder, so that adding a kind changes no snapshot. Only the whole list, in order, is
/// folded: a message missing a kind keeps its list, and its snapshot shows it.
fn kinds_folded(message: String) -> String {
    let kinds = faas_certifier::suite::Operation::KEYS.join(", ");
    message.replace(&kinds, "<every step kind, in order>")
}

/// Loads one fixture, checks its location against the file, and snapshots the message.
fn check(file: &str) {
    let message = kinds_folded(load_error(&[file]));
    let (line, column) = location(&message, file);
    let bytes = std::fs::read(fixtures().join(file)).expect("the fixture is readable");
    let text = String::from_utf8_lossy(&bytes);
    assert!(line >= 1 && column >= 1, "{message}");
    let Some(source) = text.lines().nth(line - 1) else {
        // Only an empty file has no line to quote.
        assert!(
            text.is_empty() && line == 1,
            "line {line} is past the end of {file}:\n{message}"
        );
        insta::assert_snapshot!(file.trim_end_matches(".yaml"), message);
        return;
    };
    assert!(
        column <= source.chars().count() + 1,
        "column {column} is past the end of line {line} of {file}:\n{message}"
    );
    // The offending line is quoted, with a caret under the column.
    let quoted = format!("{line:>4} | {source}\n     | {}^", " ".repeat(column - 1));
    assert!(
        message.contains(&quoted),
        "want the line quoted as\n{quoted}\ngot:\n{message}"
    );
    insta::assert_snapshot!(file.trim_end_matches(".yaml"), message);
}

/// One test per fixture file; [`every_fixture_has_a_test`] keeps the list complete.
macro_rules! fixture_tests {
    ($($test:ident => $file:literal,)*) => {
        $(
            #[test]
            fn $test() {
                check($file);
            }
        )*
        const FIXTURES: &[&str] = &[$($file),*];
    };
}

fixture_tests! {
    unknown_key_suggests_the_key_meant => "unknown-key.yaml",
    unknown_step_kind_suggests_the_operation_meant => "unknown-step-kind.yaml",
    unknown_expectation_suggests_the_one_meant => "unknown-expectation.yaml",
    unknown_feature_suggests_the_feature_meant => "unknown-feature.yaml",
    unknown_clause_suggests_the_clause_meant => "unknown-clause.yaml",
    wrong_type => "wrong-type.yaml",
    missing_field => "missing-field.yaml",
    not_a_mapping => "not-a-mapping.yaml",
    syntax_error => "syntax-error.yaml",
    duplicate_key => "duplicate-key.yaml",
    bad_retry_duration => "bad-duration.yaml",
    bad_case_timeout => "bad-case-timeout.yaml",
    bad_suite_timeout => "bad-suite-timeout.yaml",
    variable_in_case_timeout => "variable-in-case-timeout.yaml",
    bad_load_duration => "bad-load-duration.yaml",
    undefined_variable_suggests_the_one_meant => "undefined-variable.yaml",
    capture_used_before_defined => "capture-used-before-defined.yaml",
    malformed_variable => "malformed-variable.yaml",
    duplicate_case_name => "duplicate-case-name.yaml",
    bad_case_name => "bad-case-name.yaml",
    empty_suite => "empty-suite.yaml",
    empty_file => "empty-file.yaml",
    step_without_operation => "step-without-operation.yaml",
    step_with_two_operations => "step-with-two-operations.yaml",
    name_without_run_id => "name-without-run-id.yaml",
    until_without_retry => "until-without-retry.yaml",
    while_open_without_follow => "while-open-without-follow.yaml",
    bad_regex => "bad-regex.yaml",
    bad_status => "bad-status.yaml",
    capture_without_source => "capture-without-source.yaml",
    not_utf8 => "not-utf8.yaml",
}

#[test]
fn every_fixture_has_a_test() {
    let mut files: Vec<String> = std::fs::read_dir(fixtures())
        .expect("fixtures/suites is readable")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".yaml"))
        .collect();
    files.sort();
    let mut listed: Vec<String> = FIXTURES.iter().map(|f| f.to_string()).collect();
    listed.sort();
    assert_eq!(files, listed, "each fixture needs a line in fixture_tests!");
}

#[test]
fn duplicate_suite_name_across_files() {
    let message = load_error(&["duplicate-suite-name/a.yaml", "duplicate-suite-name/b.yaml"]);
    let (line, column) = location(&message, "b.yaml");
    assert_eq!((line, column), (1, 1), "{message}");
    assert!(message.contains("[suites]/a.yaml"), "{message}");
    insta::assert_snapshot!("duplicate-suite-name", message);
}

#[test]
fn directory_without_suite_files() {
    let message = load_error(&[]);
    insta::assert_snapshot!("no-suite-files", message);
}

/// Runs the binary in a scratch directory, without the caller's OpenFaaS environment.
fn certifier(args: &[&str]) -> Output {
    let cwd = tempfile::tempdir().expect("a temporary directory");
    common::process::certifier()
        .current_dir(cwd.path())
        .args(args)
        .output()
        .expect("the binary runs")
}

#[test]
fn run_refuses_a_bad_suite_with_status_4_before_any_request() {
    let dir = suites_dir(&["undefined-variable.yaml"]);
    let suites = dir.path().display().to_string();
    let out = certifier(&[
        "run",
        "--suites",
        &suites,
        "--gateway",
        "http://127.0.0.1:9",
        "--no-reports",
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(4), "stderr:\n{stderr}");
    let want = format!("{suites}/undefined-variable.yaml:6:");
    assert!(stderr.contains(&want), "want {want:?} in stderr:\n{stderr}");
    assert!(stderr.contains("undefined variable ${rnu}"), "{stderr}");
    // Port 9 is closed: a request would have failed with "cannot reach" instead.
    assert!(!stderr.contains("cannot reach"), "{stderr}");
    assert!(out.stdout.is_empty(), "nothing runs, nothing is printed");

    // A listening gateway proves it: no connection is ever made.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    listener
        .set_nonblocking(true)
        .expect("a non-blocking socket");
    let gateway = format!(
        "http://{}",
        listener.local_addr().expect("the listener's address")
    );
    let out = certifier(&[
        "run",
        "--suites",
        &suites,
        "--gateway",
        &gateway,
        "--no-reports",
    ]);
    assert_eq!(out.status.code(), Some(4));
    match listener.accept() {
        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
        Ok((_, peer)) => panic!("the certifier connected from {peer} despite a bad suite"),
        Err(e) => panic!("accept failed: {e}"),
    }
}
