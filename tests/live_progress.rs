//! The live status area: under a pseudo-terminal a run against a slow mock shows what each
//! running case waits for; the same run piped prints its usual lines and no escape code.

use std::process::Command;
use std::time::Duration;

use expectrl::process::unix::WaitStatus;
use expectrl::{Eof, Expect, Regex, Session};
use faas_certifier::mock::MockConfig;

mod common;

/// A run of one case that polls until its replica is ready, which takes 2 s.
fn run(dir: &std::path::Path, url: &str) -> Command {
    let mut cmd = common::process::certifier();
    cmd.current_dir(dir)
        .args([
            "run",
            "--gateway",
            url,
            "--no-reports",
            "--exact",
            "deploy::plain",
        ])
        .env("OPENFAAS_CONFIG", dir)
        .env("TERM", "xterm-256color");
    cmd
}

#[test]
fn a_terminal_sees_what_a_case_waits_for_and_a_pipe_sees_plain_lines() {
    let (_rt, mock) = common::mock_on_own_runtime(MockConfig {
        ready_delay: Duration::from_secs(2),
        ..Default::default()
    });
    let dir = tempfile::tempdir().unwrap();

    let mut session = Session::spawn(run(dir.path(), &mock.url)).expect("a pseudo-terminal");
    session.set_expect_timeout(Some(Duration::from_secs(30)));
    session
        .expect(Regex(r"0/1 cases finished"))
        .expect("the status area counts the cases");
    let waiting = session
        .expect(Regex(
            r"deploy::plain — waiting for [^\r\n]*\(attempt \d+, \d+ s\)",
        ))
        .expect("the running case says what it waits for");
    let line = String::from_utf8_lossy(waiting.as_bytes()).into_owned();
    assert!(line.contains("waiting for"), "{line}");
    session
        .expect(Regex(r"1 passed, 0 failed"))
        .expect("the run ends with its closing line");
    session.expect(Eof).unwrap();
    let status = session.get_process().wait().unwrap();
    assert!(matches!(status, WaitStatus::Exited(_, 0)), "{status:?}");

    let piped = run(dir.path(), &mock.url).output().unwrap();
    assert_eq!(piped.status.code(), Some(0));
    for (name, bytes) in [("stdout", &piped.stdout), ("stderr", &piped.stderr)] {
        let text = String::from_utf8_lossy(bytes);
        assert!(
            !text.contains('\x1b') && !text.contains('\r'),
            "{name} of a piped run has no control characters: {text:?}"
        );
        assert!(!text.contains("waiting for"), "{name}: {text}");
    }
    assert!(String::from_utf8_lossy(&piped.stdout).contains("deploy::plain"));
    drop(mock);
}
