//! End-to-end tests of the `faas-certifier mock` command: its documented flags, the URL it
//! prints, and a clean shutdown on SIGTERM and SIGINT.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use faas_certifier::model::GatewayInfo;

/// A `faas-certifier mock` child process and the URL it printed.
struct MockProcess {
    child: Child,
    url: String,
}

impl MockProcess {
    /// Starts `faas-certifier mock --port 0 ARGS...` and waits for it to print its URL.
    fn start(args: &[&str]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_faas-certifier"))
            .args(["mock", "--port", "0"])
            .args(args)
            .env_remove("RUST_LOG")
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
        let deadline = Instant::now() + Duration::from_secs(20);
        let mut seen = Vec::new();
        let url = loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match rx.recv_timeout(left) {
                Ok(line) => {
                    let found = line
                        .split_whitespace()
                        .find(|w| w.starts_with("http://127.0.0.1:"))
                        .map(|w| w.trim_end_matches(['/', ',', '.', ')']).to_string());
                    seen.push(line);
                    if let Some(url) = found {
                        if !url.ends_with(":0") {
                            break url;
                        }
                    }
                }
                Err(_) => {
                    let _ = child.kill();
                    panic!("faas-certifier mock printed no http://127.0.0.1:PORT URL within 20s; output: {seen:?}")
                }
            }
        };
        // Keep draining output so the child never blocks on a full pipe.
        std::thread::spawn(move || while rx.recv().is_ok() {});
        Self { child, url }
    }

    /// Sends `signal` (`TERM` or `INT`) and insists the process exits successfully within 5 s.
    fn terminate(mut self, signal: &str) {
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

impl Drop for MockProcess {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(10))
        .build()
        .expect("client")
}

#[tokio::test]
async fn mock_command_serves_with_the_documented_flags_and_stops_on_sigterm() {
    let process = MockProcess::start(&[
        "--bind",
        "127.0.0.1",
        "--namespace",
        "extra",
        "--namespace",
        "team-b",
        "--basic-auth",
        "admin:pa:ss",
        "--as-gateway",
        "--ready-delay",
        "300ms",
    ]);
    let http = client();
    let url = &process.url;

    let health = http
        .get(format!("{url}/healthz"))
        .send()
        .await
        .expect("healthz");
    assert_eq!(health.status().as_u16(), 200);
    let refused = http
        .get(format!("{url}/system/info"))
        .send()
        .await
        .expect("info");
    assert_eq!(
        refused.status().as_u16(),
        401,
        "--basic-auth protects /system/*"
    );
    let info: GatewayInfo = http
        .get(format!("{url}/system/info"))
        .basic_auth("admin", Some("pa:ss"))
        .send()
        .await
        .expect("info")
        .json()
        .await
        .expect("--as-gateway answers the gateway form of /system/info");
    assert_eq!(
        info.provider.map(|p| p.provider).as_deref(),
        Some("faas-certifier-mock")
    );

    let mut namespaces: Vec<String> = http
        .get(format!("{url}/system/namespaces"))
        .basic_auth("admin", Some("pa:ss"))
        .send()
        .await
        .expect("namespaces")
        .json()
        .await
        .expect("namespaces json");
    namespaces.sort();
    assert_eq!(
        namespaces,
        ["extra", "openfaas-fn", "team-b"],
        "repeated --namespace"
    );

    let deploy = http
        .post(format!("{url}/system/functions"))
        .basic_auth("admin", Some("pa:ss"))
        .json(&serde_json::json!({"service": "cat", "image": "i", "envProcess": "cat"}))
        .send()
        .await
        .expect("deploy");
    assert_eq!(deploy.status().as_u16(), 202);
    let status: faas_certifier::model::FunctionStatus = http
        .get(format!("{url}/system/function/cat"))
        .basic_auth("admin", Some("pa:ss"))
        .send()
        .await
        .expect("status")
        .json()
        .await
        .expect("status json");
    assert_eq!(
        status.available_replicas, 0,
        "--ready-delay 300ms: not yet available: {status:?}"
    );
    let invoked = http
        .post(format!("{url}/function/cat"))
        .body("hi")
        .send()
        .await
        .expect("invoke");
    assert_eq!(invoked.status().as_u16(), 200);
    assert!(
        invoked.headers().contains_key("x-call-id"),
        "--as-gateway adds X-Call-Id"
    );
    assert_eq!(invoked.text().await.expect("body"), "hi");

    process.terminate("TERM");
}

#[tokio::test]
async fn mock_command_reads_basic_auth_from_a_directory() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("basic-auth-user"), "admin\n").expect("write user");
    std::fs::write(dir.path().join("basic-auth-password"), "from-a-file\n")
        .expect("write password");
    let dir_arg = dir.path().to_str().expect("utf-8 temp path").to_string();
    let process = MockProcess::start(&["--basic-auth-dir", &dir_arg]);
    let http = client();
    let url = &process.url;

    let refused = http
        .get(format!("{url}/system/functions"))
        .send()
        .await
        .expect("list");
    assert_eq!(refused.status().as_u16(), 401);
    let wrong = http
        .get(format!("{url}/system/functions"))
        .basic_auth("admin", Some("from-a-file\n"))
        .send()
        .await
        .expect("list");
    assert_eq!(
        wrong.status().as_u16(),
        401,
        "the file's trailing newline is not part of the password"
    );
    let allowed = http
        .get(format!("{url}/system/functions"))
        .basic_auth("admin", Some("from-a-file"))
        .send()
        .await
        .expect("list");
    assert_eq!(allowed.status().as_u16(), 200);
    // The provider form without --as-gateway.
    let info: serde_json::Value = http
        .get(format!("{url}/system/info"))
        .basic_auth("admin", Some("from-a-file"))
        .send()
        .await
        .expect("info")
        .json()
        .await
        .expect("info json");
    assert_eq!(
        info["provider"],
        serde_json::json!("faas-certifier-mock"),
        "{info}"
    );

    process.terminate("INT");
}
