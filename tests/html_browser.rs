//! The HTML report of a real run (the binary against a mock with faults, so it has
//! failures) rendered in headless Chromium: one row per case with its outcome, one timeline
//! bar per case, and no request leaving the page. The screenshot stays in
//! `target/tmp/html-report/` for review.
//!
//! Needs the `chromium` binary (Debian package `chromium`; `.ci/run` installs it), or its
//! path in `CHROMIUM`.

use std::io::{BufRead, BufReader, ErrorKind, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use faas_certifier::mock::{Fault, MockConfig};
use faas_certifier::report::RunReport;

mod common;

/// The browser, or a clear failure saying how to get one.
fn chromium() -> PathBuf {
    if let Some(path) = std::env::var_os("CHROMIUM").filter(|p| !p.is_empty()) {
        return PathBuf::from(path);
    }
    for name in ["chromium", "chromium-browser", "google-chrome"] {
        let found = std::env::var_os("PATH")
            .map(|paths| {
                std::env::split_paths(&paths)
                    .map(|d| d.join(name))
                    .find(|p| p.is_file())
            })
            .unwrap_or_default();
        if let Some(path) = found {
            return path;
        }
    }
    panic!("this test renders the HTML report in Chromium: install the Debian package `chromium` (.ci/run does) or set CHROMIUM to a Chromium binary");
}

/// Runs headless Chromium on `page` with `extra` flags; every request the page could make
/// goes to `proxy`.
fn browse(page: &Path, profile: &Path, proxy: u16, extra: &[&str]) -> std::process::Output {
    let url = format!("file://{}", page.display());
    let out = Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--proxy-server=http://127.0.0.1:{proxy}"))
        .arg("--proxy-bypass-list=<-loopback>")
        .args(extra)
        .arg(url)
        .output()
        .expect("chromium starts");
    assert!(
        out.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// An HTTP proxy that records the first line of every request it gets and refuses it.
struct Proxy {
    port: u16,
    seen: Arc<Mutex<Vec<String>>>,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Proxy {
    fn start() -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (log, done) = (seen.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            while !done.load(Ordering::SeqCst) {
                match listener.accept() {
                    Ok((stream, _)) => {
                        let _ = stream.set_nonblocking(false);
                        let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
                        let mut line = String::new();
                        let mut reader = BufReader::new(&stream);
                        let _ = reader.read_line(&mut line);
                        // A connection that sends no request line (Chromium opens spare
                        // sockets to its proxy ahead of time) asks for nothing.
                        if !line.trim().is_empty() {
                            log.lock().unwrap().push(line.trim_end().to_string());
                        }
                        let _ = (&stream).write_all(b"HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
                    }
                    Err(e) if e.kind() == ErrorKind::WouldBlock => {
                        std::thread::sleep(Duration::from_millis(10));
                    }
                    Err(_) => break,
                }
            }
        });
        Proxy {
            port,
            seen,
            stop,
            thread: Some(thread),
        }
    }

    /// The request lines received so far, emptied.
    fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.seen.lock().unwrap())
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Chromium's own calls home (component updates, network time, sign-in), which the flags
/// above do not all silence; the page names none of these hosts.
fn browser_service(request: &str) -> bool {
    let target = request.split_whitespace().nth(1).unwrap_or_default();
    let host = target
        .trim_start_matches("http://")
        .trim_start_matches("https://")
        .split(['/', ':'])
        .next()
        .unwrap_or_default();
    ["google.com", "googleapis.com", "gstatic.com"]
        .iter()
        .any(|d| host == *d || host.ends_with(&format!(".{d}")))
}

/// What a page that does load things would fetch: an image and a style sheet from another host.
const CANARY: &str = r#"<img src="http://canary.invalid/pixel.png" alt=""><link rel="stylesheet" href="http://canary.invalid/style.css">"#;

#[test]
fn a_real_report_renders_in_chromium_with_a_row_and_a_bar_per_case_and_fetches_nothing() {
    let (_rt, mock) = common::mock_on_own_runtime(MockConfig {
        faults: [Fault::HealthzFails, Fault::StatusDropsLimits]
            .into_iter()
            .collect(),
        ready_delay: Duration::from_millis(300),
        ..Default::default()
    });
    let out_dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("html-report");
    let _ = std::fs::remove_dir_all(&out_dir);
    std::fs::create_dir_all(&out_dir).unwrap();
    let work = tempfile::tempdir().unwrap();
    let page = out_dir.join("report.html");
    let json = out_dir.join("report.json");
    let run = common::process::certifier()
        .current_dir(work.path())
        .args([
            "run",
            "--gateway",
            &mock.url,
            "--color",
            "never",
            "--no-reports",
        ])
        .arg("--html")
        .arg(&page)
        .arg("--json")
        .arg(&json)
        .args([
            "health::",
            "info::",
            "deploy::plain",
            "deploy::limits",
            "scale::scale-up",
        ])
        .env("OPENFAAS_CONFIG", work.path())
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(1), "the faults fail cases");
    let report: RunReport = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    assert!(report.summary.failed >= 3 && report.summary.passed > 0 && report.summary.skipped > 0);

    // Every request the browser makes goes through this proxy, which records it.
    let proxy = Proxy::start();
    let port = proxy.port;
    let profile = tempfile::tempdir().unwrap();
    let shot = out_dir.join("report.png");
    browse(
        &page,
        profile.path(),
        port,
        &[
            "--window-size=1280,2400",
            &format!("--screenshot={}", shot.display()),
        ],
    );
    let png = std::fs::read(&shot).expect("chromium wrote the screenshot");
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 10_000,
        "a real screenshot"
    );
    let dom = browse(&page, profile.path(), port, &["--dump-dom"]).stdout;
    let dom = String::from_utf8(dom).unwrap();
    std::fs::write(out_dir.join("dom.html"), &dom).unwrap();
    let html = std::fs::read_to_string(&page).unwrap();
    let parsed = scraper::Html::parse_document(&html);
    assert!(
        parsed.errors.is_empty(),
        "HTML5 parse errors: {:?}",
        parsed.errors
    );
    assert!(!html.contains("google") && !html.contains("gstatic"));
    let from_page: Vec<String> = proxy
        .take()
        .into_iter()
        .filter(|r| !browser_service(r))
        .collect();
    assert!(
        from_page.is_empty(),
        "the page made requests: {from_page:?}"
    );

    // The proxy does see a page's requests (control), and the page's policy blocks them.
    let leaky = out_dir.join("canary-without-policy.html");
    let without_policy = regex::Regex::new(r#"<meta http-equiv="Content-Security-Policy"[^>]*>"#)
        .unwrap()
        .replace(&html, "")
        .replace("<body>", &format!("<body>{CANARY}"));
    std::fs::write(&leaky, without_policy).unwrap();
    browse(&leaky, profile.path(), port, &["--dump-dom"]);
    let seen = proxy.take();
    assert!(
        seen.iter().any(|r| r.contains("canary.invalid")),
        "the proxy catches a page's requests: {seen:?}"
    );
    let guarded = out_dir.join("canary-with-policy.html");
    std::fs::write(&guarded, html.replace("<body>", &format!("<body>{CANARY}"))).unwrap();
    browse(&guarded, profile.path(), port, &["--dump-dom"]);
    let seen = proxy.take();
    assert!(
        !seen.iter().any(|r| r.contains("canary.invalid")),
        "the page's Content-Security-Policy blocks every fetch: {seen:?}"
    );

    let doc = scraper::Html::parse_document(&dom);
    let select = |css: &str| scraper::Selector::parse(css).unwrap();
    let pairs = |css: &str| -> Vec<(String, String)> {
        doc.select(&select(css))
            .map(|e| {
                let attr = |name| e.value().attr(name).unwrap_or_default().to_string();
                (attr("data-id"), attr("data-outcome"))
            })
            .collect()
    };
    let want: Vec<(String, String)> = report
        .cases
        .iter()
        .map(|c| {
            let outcome = serde_json::to_value(c.outcome).unwrap();
            (c.id.clone(), outcome.as_str().unwrap().to_string())
        })
        .collect();
    assert_eq!(pairs("tr.case"), want, "one row per case, with its outcome");
    assert_eq!(pairs("svg.timeline g.bar"), want, "one bar per case");
    assert!(
        doc.select(&select("svg.timeline rect.wait")).count() > 0,
        "polling steps show their waiting"
    );
    for el in doc.select(&select(
        "[src], [href], [action], link, script, iframe, object, embed",
    )) {
        let href = el.value().attr("href").unwrap_or("#");
        assert!(
            el.value().attr("src").is_none() && href.starts_with('#'),
            "the page must fetch nothing: {:?}",
            el.value()
        );
    }
    drop(mock);
}
