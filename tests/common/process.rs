//! The binary in its own process, as a user starts it, with a clean environment
//! ([`certifier`]): a `faas-certifier mock` on port 0, its URL read from the first line it
//! prints, killed when dropped; a run whose output is drained on a thread.

use std::ffi::OsString;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

/// The binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_faas-certifier");

/// Where a test run's faas-cli configuration is looked for unless the test says: nowhere.
pub const NO_FAAS_CLI_CONFIG: &str = "/nonexistent-faas-certifier-config";

/// Whether the binary reads the variable `name`, so a test must not inherit it: every
/// `CERTIFIER_*` and `OPENFAAS_*`, faas-cli's `gateway_url`, `GITHUB_STEP_SUMMARY` (a summary
/// appended to), `NO_COLOR` and `RUST_LOG` (what the console and the log look like).
pub fn read_by_the_binary(name: &str) -> bool {
    name.starts_with("CERTIFIER_")
        || name.starts_with("OPENFAAS_")
        || ["gateway_url", "GITHUB_STEP_SUMMARY", "NO_COLOR", "RUST_LOG"].contains(&name)
}

/// `faas-certifier` with a clean environment: none of the caller's variables the binary reads
/// ([`read_by_the_binary`]) reach it, and faas-cli's configuration is looked for where there
/// is none ([`NO_FAAS_CLI_CONFIG`]), so no stored credentials are used. A test sets what it
/// means to on the command it gets.
pub fn certifier() -> Command {
    let mut cmd = Command::new(BIN);
    let inherited: Vec<OsString> = std::env::vars_os().map(|(k, _)| k).collect();
    for name in inherited {
        if read_by_the_binary(&name.to_string_lossy()) {
            cmd.env_remove(&name);
        }
    }
    cmd.env("OPENFAAS_CONFIG", NO_FAAS_CLI_CONFIG);
    cmd
}

/// A running `faas-certifier mock` process.
pub struct MockProcess {
    /// The process, to kill it mid-run.
    pub child: Child,
    /// Its URL, without a trailing `/`.
    pub url: String,
    /// Every line it wrote to stdout or stderr so far.
    output: Arc<Mutex<Vec<String>>>,
}

impl MockProcess {
    /// Starts `faas-certifier mock --port 0 ARGS` with a clean environment ([`certifier`])
    /// and waits (at most 20 s) for it to print its URL; its output is read on threads, so it
    /// never blocks on a full pipe.
    pub fn start(args: &[&str]) -> MockProcess {
        let mut child = certifier()
            .args(["mock", "--port", "0"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("faas-certifier mock starts");
        let (tx, rx) = mpsc::channel::<String>();
        for stream in [
            Box::new(child.stdout.take().expect("stdout")) as Box<dyn std::io::Read + Send>,
            Box::new(child.stderr.take().expect("stderr")),
        ] {
            let tx = tx.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    if tx.send(line).is_err() {
                        break;
                    }
                }
            });
        }
        let (url, seen) = match first_url(&rx, Duration::from_secs(20)) {
            Ok(found) => found,
            Err(seen) => {
                let _ = child.kill();
                panic!("faas-certifier mock printed no http://127.0.0.1:PORT URL within 20s; output: {seen:?}")
            }
        };
        let output = Arc::new(Mutex::new(seen));
        let sink = output.clone();
        std::thread::spawn(move || {
            while let Ok(line) = rx.recv() {
                sink.lock().expect("output lock").push(line);
            }
        });
        MockProcess { child, url, output }
    }

    /// Waits up to 5 s for an output line containing every one of `words`.
    pub fn wait_for_line(&self, words: &[&str]) -> String {
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let lines = self.output.lock().expect("output lock").clone();
            if let Some(line) = lines.iter().find(|l| words.iter().all(|w| l.contains(w))) {
                return line.clone();
            }
            if Instant::now() > deadline {
                panic!("no output line with {words:?} within 5s; output: {lines:?}");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Sends `signal` (`TERM` or `INT`) and insists the process exits successfully within 5 s.
    pub fn terminate(mut self, signal: &str) {
        let pid = self.child.id().to_string();
        let flag = format!("-{signal}");
        let status = Command::new("kill")
            .args([flag.as_str(), &pid])
            .status()
            .expect("kill runs");
        assert!(status.success(), "kill {flag} {pid}");
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            if let Some(exit) = self.child.try_wait().expect("try_wait") {
                assert!(
                    exit.success(),
                    "faas-certifier mock should exit 0 on SIG{signal}, got {exit}"
                );
                return;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("faas-certifier mock did not exit within 5s of SIG{signal}");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// The first `http://127.0.0.1:PORT` (not port 0) among the lines `rx` receives within
/// `limit`, and the lines so far; `Err` with the lines when none came in time.
fn first_url(
    rx: &mpsc::Receiver<String>,
    limit: Duration,
) -> Result<(String, Vec<String>), Vec<String>> {
    let deadline = Instant::now() + limit;
    let mut seen = Vec::new();
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let Ok(line) = rx.recv_timeout(left) else {
            return Err(seen);
        };
        let found = line
            .split_whitespace()
            .find(|w| w.starts_with("http://127.0.0.1:"))
            .map(|w| w.trim_end_matches(['/', ',', '.', ')']).to_string());
        seen.push(line);
        if let Some(url) = found.filter(|u| !u.ends_with(":0")) {
            return Ok((url, seen));
        }
    }
}

impl Drop for MockProcess {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// A `faas-certifier` run in its own process, its output drained on a thread so it never
/// blocks on a full pipe.
pub struct RunProcess {
    /// The process.
    pub child: Child,
    reader: std::thread::JoinHandle<Vec<String>>,
}

impl RunProcess {
    /// Starts `faas-certifier ARGS` in `dir`, with no faas-cli config (`OPENFAAS_CONFIG=dir`).
    pub fn start(dir: &std::path::Path, args: &[&str]) -> RunProcess {
        let mut child = certifier()
            .current_dir(dir)
            .args(args)
            .env("OPENFAAS_CONFIG", dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the run starts");
        let stdout = child.stdout.take().expect("stdout");
        let reader = std::thread::spawn(move || {
            BufReader::new(stdout)
                .lines()
                .map_while(Result::ok)
                .collect::<Vec<String>>()
        });
        RunProcess { child, reader }
    }

    /// Sends SIGINT, as Ctrl-C does.
    pub fn interrupt(&self) {
        let status = Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success());
    }

    /// Waits for the run to end: its exit status and its console lines.
    pub fn wait(mut self) -> (Option<i32>, Vec<String>) {
        let code = self.child.wait().expect("the run ends").code();
        (code, self.reader.join().expect("the output"))
    }
}

/// How many functions of the run's cases (not its feature probe's) the mock at `url` holds
/// in `ns`.
pub fn case_functions(url: &str, ns: &str) -> usize {
    let list: serde_json::Value = reqwest::blocking::Client::new()
        .get(format!("{url}/system/functions?namespace={ns}"))
        .send()
        .unwrap()
        .json()
        .unwrap();
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
}

/// Waits (at most 60 s) until a run holds a function of its cases in one of `namespaces`.
pub fn wait_until_holding(url: &str, namespaces: &[&str]) {
    let waiting = std::time::Instant::now();
    while namespaces
        .iter()
        .map(|ns| case_functions(url, ns))
        .sum::<usize>()
        == 0
    {
        assert!(
            waiting.elapsed() < std::time::Duration::from_secs(60),
            "the run never held a function"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}
