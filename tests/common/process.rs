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
