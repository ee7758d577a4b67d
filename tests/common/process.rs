//! A `faas-certifier mock` in its own process, as a user starts it: on port 0, its URL read
//! from the first line it prints; killed when dropped.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

/// The binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_faas-certifier");

/// A running mock process.
pub struct MockProcess {
    /// The process, to kill it mid-run.
    pub child: Child,
    /// Its URL, without a trailing `/`.
    pub url: String,
}

impl MockProcess {
    /// Starts `faas-certifier mock --port 0 ARGS`.
    pub fn start(args: &[&str]) -> MockProcess {
        let mut child = Command::new(BIN)
            .args(["mock", "--port", "0"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the mock starts");
        let mut first = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut first)
            .expect("the mock prints its URL");
        let url = first
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .unwrap_or_else(|| panic!("a URL in {first:?}"))
            .trim_end_matches('/')
            .to_string();
        MockProcess { child, url }
    }
}

impl Drop for MockProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
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
        let mut child = Command::new(BIN)
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
