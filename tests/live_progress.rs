//! The live status area: under a pseudo-terminal a run against a slow mock shows what each
//! running case waits for; the same run piped prints its usual lines and no escape code.

use std::process::Command;
use std::time::Duration;

use expectrl::process::unix::WaitStatus;
use expectrl::{Eof, Expect, Regex, Session};
use faas_certifier::mock::MockConfig;

mod common;

/// `faas-certifier run --gateway URL ARGS` in `dir`, with a clean environment.
fn certify(dir: &std::path::Path, url: &str, args: &[&str]) -> Command {
    let mut cmd = common::process::certifier();
    cmd.current_dir(dir)
        .args(["run", "--gateway", url])
        .args(args)
        .env("OPENFAAS_CONFIG", dir)
        .env("TERM", "xterm-256color");
    cmd
}

/// A run of one case that polls until its replica is ready, which takes 2 s.
/// The pty tests take turns: each judges what a terminal shows while a run is live, and a
/// full run beside it (two, in the 80/200-column test) would starve the other's status area.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn run(dir: &std::path::Path, url: &str) -> Command {
    certify(dir, url, &["--no-reports", "--exact", "deploy::plain"])
}

#[test]
fn a_terminal_sees_what_a_case_waits_for_and_a_pipe_sees_plain_lines() {
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
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

/// The terminal's height in the pty tests.
const ROWS: u16 = 24;

/// Every line a terminal of `cols` columns holds after `bytes`, its scrollback first, the
/// rows a long line wrapped onto joined back into that line.
fn terminal_lines(bytes: &[u8], cols: u16) -> Vec<String> {
    let size = |n: u16| std::num::NonZeroU16::new(n).expect("a size above zero");
    let mut parser = vt100::Parser::new(size(ROWS), size(cols), 100_000);
    parser.process(bytes);
    let screen = parser.screen_mut();
    screen.set_scrollback(usize::MAX);
    let mut rows: Vec<(String, bool)> = Vec::new();
    for offset in (1..=screen.scrollback()).rev() {
        screen.set_scrollback(offset);
        let top = screen.rows(0, cols).next().unwrap_or_default();
        rows.push((top, screen.row_wrapped(0)));
    }
    screen.set_scrollback(0);
    let visible: Vec<String> = screen.rows(0, cols).collect();
    for (i, text) in visible.into_iter().enumerate() {
        let wrapped = u16::try_from(i).is_ok_and(|i| screen.row_wrapped(i));
        rows.push((text, wrapped));
    }
    let mut lines = vec![String::new()];
    for (text, wrapped) in rows {
        lines.last_mut().expect("a line").push_str(&text);
        if !wrapped {
            lines.push(String::new());
        }
    }
    lines
}

/// Runs `run` with `args` on a pseudo-terminal of `cols` columns; its exit status and
/// everything it wrote there.
fn on_terminal(dir: &std::path::Path, url: &str, args: &[&str], cols: u16) -> (bool, Vec<u8>) {
    use std::io::Read;
    let mut session = Session::spawn(certify(dir, url, args)).expect("a pseudo-terminal");
    session
        .get_process_mut()
        .set_window_size(cols, ROWS)
        .expect("the terminal's size is set");
    let mut bytes = Vec::new();
    // The end of the output reads as EIO on Linux once the run has exited.
    let _ = session.read_to_end(&mut bytes);
    let status = session.get_process().wait().expect("the run ends");
    (matches!(status, WaitStatus::Exited(_, 0)), bytes)
}

/// What a full run on a terminal of `cols` columns left on it: every `test …` line of its
/// cases exactly once, no status line, the closing count.
fn full_run_keeps_every_line(cols: u16) {
    let mock = common::process::MockProcess::start(&[]);
    let dir = tempfile::tempdir().unwrap();
    let listed = certify(dir.path(), &mock.url, &["--list"])
        .output()
        .unwrap();
    let names: Vec<String> = String::from_utf8_lossy(&listed.stdout)
        .lines()
        .filter_map(|l| l.strip_suffix(": test").map(str::to_string))
        .collect();
    assert!(names.len() > 50, "the full run's trials: {names:?}");

    let (ok, bytes) = on_terminal(dir.path(), &mock.url, &["--no-reports"], cols);
    let lines = terminal_lines(&bytes, cols);
    // A line a stale status line ran into (on the row it wrapped onto) still counts as kept.
    let kept: usize = lines
        .iter()
        .map(|l| l.matches("test ").filter(|_| l.contains(" ... ")).count())
        .sum();
    let wrong: Vec<(&String, usize)> = names
        .iter()
        .map(|n| {
            let prefix = format!("test {n} ... ");
            (n, lines.iter().map(|l| l.matches(&prefix).count()).sum())
        })
        .filter(|(_, count)| *count != 1)
        .collect();
    let stale: Vec<&String> = lines
        .iter()
        .filter(|l| l.contains("cases finished"))
        .collect();
    let screen = lines.join("\n");
    assert!(
        wrong.is_empty() && kept == names.len() && stale.is_empty(),
        "at {cols} columns {kept} of {} `test` lines kept; not once: {wrong:?}; \
         status lines left: {}\n{screen}",
        names.len(),
        stale.len()
    );
    assert!(ok, "the run passes\n{screen}");
    let closing = format!("{} passed,", names.len());
    assert!(
        lines.iter().any(|l| l.contains(" passed, 0 failed")),
        "the closing line ({closing}…) is on screen\n{screen}"
    );
}

/// A full run under a pseudo-terminal, at 80 and at 200 columns at once (one mock each):
/// the status area and the case lines share the terminal without losing a line.
#[test]
fn a_full_run_on_a_terminal_keeps_every_case_line_at_80_and_200_columns() {
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let narrow = std::thread::spawn(|| full_run_keeps_every_line(80));
    full_run_keeps_every_line(200);
    narrow.join().expect("the 80-column run keeps every line");
}
