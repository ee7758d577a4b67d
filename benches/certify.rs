//! How fast the certifier is, measured (issue 7). Run with:
//!
//! ```sh
//! cargo bench --bench certify
//! ```
//!
//! It prints three figures, each from the release binary run as a child process:
//! 1. `selftest` (every built-in case: provider, CE gateway, Pro gateway and chain, mocks in-process):
//!    wall time and peak resident memory, over several runs.
//! 2. A full `run` against a slow provider (`mock --ready-delay 2s` in its own process):
//!    wall time, the slowest single case, and their ratio (waiting must overlap, not add up).
//! 3. The certifier's own CPU time per request against an instant provider (`mock` in its
//!    own process): user + system time of the certifier divided by the requests it sent
//!    (every attempt of every step, from its JSON report).
//!
//! Nothing is asserted: these are measurements, reported in the README.

use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

#[allow(dead_code)]
#[path = "../tests/common/process.rs"]
mod process;

use process::{certifier, MockProcess};

/// What the kernel says a finished child used.
struct Usage {
    wall: Duration,
    cpu: Duration,
    max_rss_kib: i64,
    code: Option<i32>,
}

/// Waits for `child` with `wait4`, which reports that child's own resource use.
fn wait(child: Child, started: Instant) -> Usage {
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: `rusage` is plain data the kernel fills in; `pid` is our own unwaited child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(waited, pid, "wait4 failed");
    let tv = |t: libc::timeval| {
        Duration::from_secs(t.tv_sec as u64) + Duration::from_micros(t.tv_usec as u64)
    };
    Usage {
        wall: started.elapsed(),
        cpu: tv(usage.ru_utime) + tv(usage.ru_stime),
        max_rss_kib: usage.ru_maxrss,
        code: libc::WIFEXITED(status).then(|| libc::WEXITSTATUS(status)),
    }
}

/// Starts `faas-certifier mock` with the extra namespace and `args` on a free port.
fn mock(args: &[&str]) -> MockProcess {
    let mut all = vec!["--namespace", "cert-extra"];
    all.extend_from_slice(args);
    MockProcess::start(&all)
}

/// Runs the certifier against `url`, writing its JSON report to `json`.
fn certify(url: &str, json: &Path, extra: &[&str]) -> Usage {
    let started = Instant::now();
    let child = certifier()
        .args([
            "run",
            "--gateway",
            url,
            "--extra-namespace",
            "cert-extra",
            "--no-reports",
            "--color",
            "never",
        ])
        .arg("--json")
        .arg(json)
        .args(extra)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the certifier starts");
    wait(child, started)
}

fn report(json: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(json).expect("the JSON report")).expect("JSON")
}

fn main() {
    let dir = tempfile::tempdir().expect("a temporary directory");

    println!("== selftest (every built-in case, four target shapes, mocks in-process)");
    let mut walls = Vec::new();
    let mut rss = Vec::new();
    for _ in 0..5 {
        let started = Instant::now();
        let child = certifier()
            .current_dir(dir.path())
            .args(["selftest", "--no-reports", "--color", "never"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("selftest starts");
        let u = wait(child, started);
        assert_eq!(u.code, Some(0), "selftest must pass");
        walls.push(u.wall.as_secs_f64());
        rss.push(u.max_rss_kib);
    }
    walls.sort_by(f64::total_cmp);
    rss.sort_unstable();
    println!(
        "wall: median {:.2} s, max {:.2} s; peak RSS: median {:.1} MiB, max {:.1} MiB (5 runs)",
        walls[2],
        walls[4],
        rss[2] as f64 / 1024.0,
        rss[4] as f64 / 1024.0
    );

    println!(
        "\n== full run against a slow provider (mock --ready-delay 2s, idle to zero after 5s)"
    );
    let slow = mock(&["--ready-delay", "2s", "--scale-to-zero-after", "5s"]);
    let json = dir.path().join("slow.json");
    let u = certify(&slow.url, &json, &[]);
    let r = report(&json);
    let slowest = r["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .max_by_key(|c| c["duration_ms"].as_u64().unwrap_or(0))
        .expect("a case");
    let slowest_ms = slowest["duration_ms"].as_u64().unwrap_or(1).max(1);
    println!(
        "wall {:.1} s, slowest case {} {:.1} s, ratio {:.2}; {}; peak RSS {:.1} MiB",
        u.wall.as_secs_f64(),
        slowest["id"].as_str().unwrap_or("?"),
        slowest_ms as f64 / 1000.0,
        u.wall.as_millis() as f64 / slowest_ms as f64,
        r["summary"],
        u.max_rss_kib as f64 / 1024.0
    );
    drop(slow);

    println!("\n== certifier overhead per request (instant provider)");
    let instant = mock(&[
        "--scale-to-zero-after",
        "1s",
        "--autoscale-window",
        "1s",
        "--autoscale-interval",
        "100ms",
    ]);
    let json = dir.path().join("instant.json");
    let u = certify(&instant.url, &json, &["--settle", "1s"]);
    let r = report(&json);
    let requests: u64 = r["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .flat_map(|c| c["steps"].as_array().cloned().unwrap_or_default())
        .map(|s| s["attempts"].as_u64().unwrap_or(0))
        .sum();
    println!(
        "{requests} requests in {:.2} s wall; certifier CPU {:.3} s = {:.0} µs per request; peak RSS {:.1} MiB; {}",
        u.wall.as_secs_f64(),
        u.cpu.as_secs_f64(),
        u.cpu.as_secs_f64() * 1e6 / requests.max(1) as f64,
        u.max_rss_kib as f64 / 1024.0,
        r["summary"]
    );
    drop(instant);
}
