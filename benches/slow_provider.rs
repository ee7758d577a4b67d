//! A provider with a real provider's timing (issue 20), measured. Run with:
//!
//! ```sh
//! cargo bench --bench slow_provider
//! ```
//!
//! Each scenario starts `faas-certifier mock` in its own process (basic auth on), runs the
//! release binary's `run` against it with its defaults, and prints: the verdict and counts, the
//! run's wall time, its slowest case and their ratio (waiting must overlap: a provider's stop
//! grace should cost about one grace, not one per case), the cleanup line of the JSON report,
//! and how many functions the mock still lists afterwards (it must be 0).
//!
//! Scenarios (`SLOW_BENCH=faasd,faasd-extra,stop35` picks some; all by default):
//! - `faasd`: `mock --flavour faasd --timing faasd` (300 ms invoke lag after available, 30 s
//!   stop grace on every update and delete);
//! - `faasd-extra`: the same with `--extra-namespace`;
//! - `stop35`: `--flavour faasd --timing faasd --stop-grace 35s` with `--extra-namespace`: a stop
//!   that outlasts the 30 s `--request-timeout`.
//!
//! Nothing is asserted: these are measurements, reported in the README.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

#[allow(dead_code)]
#[path = "../tests/common/process.rs"]
mod process;

use process::{MockProcess, BIN};
const PASSWORD: &str = "bench-password";

fn main() {
    let pick = std::env::var("SLOW_BENCH").unwrap_or_default();
    let wanted = |name: &str| pick.is_empty() || pick.split(',').any(|p| p == name);
    let dir = tempfile::tempdir().expect("a temporary directory");
    let scenarios: [(&str, &[&str], bool); 3] = [
        ("faasd", &["--timing", "faasd"], false),
        ("faasd-extra", &["--timing", "faasd"], true),
        (
            "stop35",
            &["--timing", "faasd", "--stop-grace", "35s"],
            true,
        ),
    ];
    for (name, mock_args, extra) in scenarios {
        if !wanted(name) {
            continue;
        }
        println!(
            "== {name}: mock --flavour faasd {}{}",
            mock_args.join(" "),
            if extra {
                "; run --extra-namespace cert-extra"
            } else {
                ""
            }
        );
        scenario(dir.path(), name, mock_args, extra);
    }
}

fn scenario(dir: &Path, name: &str, mock_args: &[&str], extra: bool) {
    let mut args = vec!["--flavour", "faasd", "--namespace", "cert-extra"];
    let auth = format!("admin:{PASSWORD}");
    args.extend(["--basic-auth", auth.as_str()]);
    args.extend_from_slice(mock_args);
    let mock = MockProcess::start(&args);
    let url = mock.url.clone();
    let json = dir.join(format!("{name}.json"));
    let started = Instant::now();
    let mut run = Command::new(BIN)
        .args([
            "run",
            "--gateway",
            &url,
            "--username",
            "admin",
            "--password-stdin",
        ])
        .args(["--no-reports", "--color", "never", "--json"])
        .arg(&json)
        .args(if extra {
            &["--extra-namespace", "cert-extra"][..]
        } else {
            &[][..]
        })
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the certifier starts");
    run.stdin
        .take()
        .expect("stdin")
        .write_all(PASSWORD.as_bytes())
        .expect("the password is written");
    let status = run.wait().expect("the certifier ends");
    let wall = started.elapsed();
    let r: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&json).expect("the JSON report")).expect("JSON");
    let slowest = r["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .max_by_key(|c| c["duration_ms"].as_u64().unwrap_or(0))
        .expect("a case");
    let slowest_ms = slowest["duration_ms"].as_u64().unwrap_or(1).max(1);
    let listed = listed(&url);
    println!(
        "{} (exit {:?}); {}\nwall {:.1} s, slowest case {} {:.1} s, ratio {:.2}; {}; the mock lists {listed} functions afterwards",
        r["verdict"]["words"].as_str().unwrap_or("?"),
        status.code(),
        r["summary"],
        wall.as_secs_f64(),
        slowest["id"].as_str().unwrap_or("?"),
        slowest_ms as f64 / 1000.0,
        wall.as_millis() as f64 / slowest_ms as f64,
        r["run"]["cleanup"],
    );
    for case in r["cases"].as_array().expect("cases") {
        let outcome = case["outcome"].as_str().unwrap_or("?");
        if outcome != "passed" && outcome != "skipped" {
            println!("  {} {outcome}: {}", case["id"], case["reason"]);
        }
    }
}

/// How many functions the mock lists in both namespaces.
fn listed(url: &str) -> usize {
    let client = reqwest::blocking::Client::new();
    ["openfaas-fn", "cert-extra"]
        .iter()
        .map(|ns| {
            client
                .get(format!("{url}/system/functions?namespace={ns}"))
                .basic_auth("admin", Some(PASSWORD))
                .send()
                .and_then(|r| r.json::<serde_json::Value>())
                .map(|v| v.as_array().map_or(0, Vec::len))
                .unwrap_or(usize::MAX)
        })
        .sum()
}
