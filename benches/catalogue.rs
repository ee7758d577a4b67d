//! Time to a verdict on a broken provider (issue 10), measured. Run with:
//!
//! ```sh
//! cargo bench --bench catalogue      # CATALOGUE_PARALLEL=N runs N at once (default 6);
//!                                    # CATALOGUE_ONLY=a,b only those faults
//! ```
//!
//! For every fault of the mock's catalogue: `faas-certifier mock --fault F` in its own process
//! (as the Pro gateway, so every optional feature is there to break, or as a bare provider for a
//! fault of the provider's own proxy, with basic auth and an
//! extra namespace, as the fault tests use it), then a full `faas-certifier run` with its defaults against
//! it (release binary, no `--timeout`). It prints, per fault, the exit status, the wall time
//! to the verdict, and how many cases failed, errored and were blocked; then the slowest run
//! and the median. A fault is caught when the run exits 1 (a case failed) or 10 (the
//! preflight refused the target; `faas_certifier::exit`). Nothing is asserted: these are measurements, reported in the README.

use std::io::Write;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Instant;

#[allow(dead_code)]
#[path = "../tests/common/process.rs"]
mod process;

use process::{certifier, MockProcess};

/// One certification of a faulty mock.
struct Measured {
    fault: String,
    code: Option<i32>,
    wall: f64,
    failed: u64,
    errored: u64,
    blocked: u64,
}

/// Every fault name of the catalogue, from `mock --list-faults`.
fn faults() -> Vec<String> {
    let out = certifier()
        .args(["mock", "--list-faults"])
        .output()
        .expect("the catalogue");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| !l.starts_with(' ') && !l.is_empty())
        .filter_map(|l| l.split_whitespace().next())
        .filter(|w| {
            w.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        })
        .map(String::from)
        .collect()
}

fn certify(fault: &str, dir: &std::path::Path) -> Measured {
    // The Pro gateway has every feature to break; a fault of the provider's own proxy is
    // measured on the bare provider, where its cases run (`--list-faults` says which).
    let bare = faas_certifier::mock::FAULTS
        .iter()
        .any(|f| f.name == fault && f.bare_provider);
    let gateway: &[&str] = if bare {
        &[]
    } else {
        &["--as-gateway", "--gateway-pro"]
    };
    let mut args = vec!["--namespace", "cert-extra"];
    args.extend_from_slice(gateway);
    args.extend_from_slice(&["--basic-auth", "admin:bench-pass", "--fault", fault]);
    let mock = MockProcess::start(&args);
    let url = mock.url.clone();
    let json = dir.join(format!("{fault}.json"));
    let started = Instant::now();
    let mut run = certifier()
        .args(["run", "--gateway", &url, "--extra-namespace", "cert-extra"])
        .args(["--username", "admin", "--password-stdin", "--no-reports"])
        .arg("--json")
        .arg(&json)
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the certifier starts");
    run.stdin
        .take()
        .expect("stdin")
        .write_all(b"bench-pass")
        .expect("the password");
    let status = run.wait().expect("the certifier ends");
    let wall = started.elapsed().as_secs_f64();
    drop(mock);
    let summary = std::fs::read(&json)
        .ok()
        .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
        .map(|r| r["summary"].clone())
        .unwrap_or_default();
    let count = |k: &str| summary[k].as_u64().unwrap_or(0);
    Measured {
        fault: fault.to_string(),
        code: status.code(),
        wall,
        failed: count("failed"),
        errored: count("errored"),
        blocked: count("blocked"),
    }
}

fn main() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    // CATALOGUE_ONLY=a,b measures only those faults (e.g. the ones a change added).
    let only: Vec<String> = std::env::var("CATALOGUE_ONLY")
        .map(|v| v.split(',').map(|f| f.trim().to_string()).collect())
        .unwrap_or_default();
    let mut all = faults();
    all.retain(|f| only.is_empty() || only.contains(f));
    let queue = Arc::new(Mutex::new(all));
    let total = queue.lock().map(|q| q.len()).unwrap_or(0);
    let parallel: usize = std::env::var("CATALOGUE_PARALLEL")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(6);
    println!("== {total} faults, each certified by a full default run, {parallel} at once");
    let results = Arc::new(Mutex::new(Vec::new()));
    let started = Instant::now();
    let workers: Vec<_> = (0..parallel)
        .map(|_| {
            let (queue, results, dir) = (queue.clone(), results.clone(), dir.path().to_path_buf());
            std::thread::spawn(move || {
                while let Some(fault) = queue.lock().ok().and_then(|mut q| q.pop()) {
                    let m = certify(&fault, &dir);
                    if let Ok(mut r) = results.lock() {
                        r.push(m);
                    }
                }
            })
        })
        .collect();
    for w in workers {
        let _ = w.join();
    }
    let mut results = Arc::try_unwrap(results)
        .ok()
        .and_then(|m| m.into_inner().ok())
        .unwrap_or_default();
    results.sort_by(|a, b| b.wall.total_cmp(&a.wall));
    println!("fault                              exit   wall   failed errored blocked");
    for m in &results {
        println!(
            "{:<34} {:>4} {:>6.1}s {:>6} {:>7} {:>7}",
            m.fault,
            m.code.map_or("-".to_string(), |c| c.to_string()),
            m.wall,
            m.failed,
            m.errored,
            m.blocked
        );
    }
    let caught = results
        .iter()
        .filter(|m| {
            use faas_certifier::exit::{FAILED, PREFLIGHT};
            matches!(m.code, Some(FAILED | PREFLIGHT))
        })
        .count();
    let mut walls: Vec<f64> = results.iter().map(|m| m.wall).collect();
    walls.sort_by(f64::total_cmp);
    let median = walls.get(walls.len() / 2).copied().unwrap_or_default();
    let max = walls.last().copied().unwrap_or_default();
    println!(
        "caught {caught} of {}; time to a verdict: median {median:.1} s, slowest {max:.1} s; all in {:.0} s",
        results.len(),
        started.elapsed().as_secs_f64()
    );
}
