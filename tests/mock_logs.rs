//! End-to-end tests of `/system/logs`: the watchdog's two lines per invocation, NDJSON
//! shape, `tail`, `since`, `follow`, bad parameters and the per-function bound.

mod common;

use std::time::Duration;

use common::{config, start, Mock, DEFAULT_NS, EXTRA_NS};
use faas_certifier::mock::MockConfig;
use faas_certifier::model::LogMessage;
use futures_util::StreamExt;

/// Reads a non-follow log stream to its end, insisting on 200 and NDJSON.
async fn logs(mock: &Mock, query: &str) -> Vec<LogMessage> {
    let path = format!("/system/logs?{query}");
    let reply = tokio::time::timeout(Duration::from_secs(5), mock.get(&path))
        .await
        .unwrap_or_else(|_| panic!("GET {path}: a non-follow log stream must end"))
        .expect(200);
    let content_type = reply.header("content-type").unwrap_or_default();
    assert!(
        content_type.starts_with("application/x-ndjson"),
        "GET {path}: want Content-Type application/x-ndjson, got {content_type:?}"
    );
    reply
        .text()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            serde_json::from_str(l)
                .unwrap_or_else(|e| panic!("GET {path}: line {l:?} is not a log message: {e}"))
        })
        .collect()
}

fn texts(messages: &[LogMessage]) -> Vec<String> {
    messages.iter().map(|m| m.text.clone()).collect()
}

#[tokio::test]
async fn each_invocation_logs_forking_and_wrote_lines() {
    let mock = start(config()).await;
    mock.deploy_fn("logged", "cat").await;
    mock.deploy_fn("quiet", "cat").await;
    let body = "openfaas-fn";
    assert_eq!(mock.invoke("logged", body).await.expect(200).text(), body);

    let messages = logs(&mock, "name=logged&namespace=openfaas-fn").await;
    assert_eq!(
        messages.len(),
        2,
        "two lines per invocation, got {:?}",
        texts(&messages)
    );
    assert!(
        messages[0].text.contains("Forking fprocess."),
        "first line: {:?}",
        messages[0].text
    );
    let wrote = format!("Wrote {} Bytes - Duration: ", body.len());
    assert!(
        messages[1].text.contains(&wrote) && messages[1].text.trim_end().ends_with(" seconds"),
        "second line wants {wrote:?}...\" seconds\", got {:?}",
        messages[1].text
    );
    for m in &messages {
        assert_eq!(m.name, "logged", "every message names the function: {m:?}");
        assert_eq!(m.namespace, DEFAULT_NS, "namespace: {m:?}");
        assert!(!m.instance.is_empty(), "instance: {m:?}");
        chrono::DateTime::parse_from_rfc3339(&m.timestamp)
            .unwrap_or_else(|e| panic!("timestamp {:?} is not RFC 3339: {e}", m.timestamp));
    }
    assert_eq!(
        messages[0].instance, messages[1].instance,
        "one instance writes both lines"
    );

    assert!(
        logs(&mock, "name=quiet").await.is_empty(),
        "a function never invoked has no lines"
    );
    let default_ns = logs(&mock, "name=logged").await;
    assert_eq!(default_ns.len(), 2, "namespace defaults to openfaas-fn");
    mock.stop().await;
}

#[tokio::test]
async fn logs_are_per_namespace() {
    let mock = start(config()).await;
    mock.deploy(serde_json::json!({"service": "twin", "image": "i", "envProcess": "cat", "namespace": EXTRA_NS}))
        .await;
    mock.deploy_fn("twin", "cat").await;
    mock.invoke("twin.extra", "abc").await.expect(200);

    let extra = logs(&mock, "name=twin&namespace=extra").await;
    assert_eq!(extra.len(), 2, "{:?}", texts(&extra));
    assert!(
        extra[1].text.contains("Wrote 3 Bytes"),
        "{:?}",
        extra[1].text
    );
    assert!(
        extra.iter().all(|m| m.namespace == EXTRA_NS),
        "namespace extra: {extra:?}"
    );
    assert!(logs(&mock, "name=twin&namespace=openfaas-fn")
        .await
        .is_empty());
    mock.stop().await;
}

#[tokio::test]
async fn tail_keeps_the_last_lines() {
    let mock = start(config()).await;
    mock.deploy_fn("tailed", "cat").await;
    for body in ["a", "bb", "ccc"] {
        mock.invoke("tailed", body).await.expect(200);
    }
    let all = logs(&mock, "name=tailed").await;
    assert_eq!(all.len(), 6, "{:?}", texts(&all));

    let two = logs(&mock, "name=tailed&tail=2").await;
    assert_eq!(two.len(), 2, "tail=2: {:?}", texts(&two));
    assert!(
        two[0].text.contains("Forking fprocess."),
        "{:?}",
        texts(&two)
    );
    assert!(
        two[1].text.contains("Wrote 3 Bytes"),
        "the last line is the last call's: {:?}",
        texts(&two)
    );
    assert_eq!(
        two,
        all[4..],
        "tail returns the same messages as the full stream"
    );

    assert_eq!(
        logs(&mock, "name=tailed&tail=0").await.len(),
        6,
        "tail=0 means all"
    );
    assert_eq!(
        logs(&mock, "name=tailed&tail=-1").await.len(),
        6,
        "tail<0 means all"
    );
    assert_eq!(logs(&mock, "name=tailed&tail=100").await.len(), 6);
    mock.stop().await;
}

#[tokio::test]
async fn since_keeps_lines_written_after_the_time() {
    let mock = start(config()).await;
    mock.deploy_fn("timed", "cat").await;
    mock.invoke("timed", "first").await.expect(200);
    tokio::time::sleep(Duration::from_millis(30)).await;
    let between = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    tokio::time::sleep(Duration::from_millis(30)).await;
    mock.invoke("timed", "second!").await.expect(200);

    let later = logs(&mock, &format!("name=timed&since={}", encode(&between))).await;
    assert_eq!(later.len(), 2, "since={between}: {:?}", texts(&later));
    assert!(
        later[1].text.contains("Wrote 7 Bytes"),
        "{:?}",
        texts(&later)
    );

    let hour_ago = (chrono::Utc::now() - chrono::Duration::hours(1)).to_rfc3339();
    assert_eq!(
        logs(&mock, &format!("name=timed&since={}", encode(&hour_ago)))
            .await
            .len(),
        4
    );
    let future = (chrono::Utc::now() + chrono::Duration::hours(1)).to_rfc3339();
    assert!(
        logs(&mock, &format!("name=timed&since={}", encode(&future)))
            .await
            .is_empty()
    );
    // tail and since combine.
    let one = logs(
        &mock,
        &format!("name=timed&tail=1&since={}", encode(&hour_ago)),
    )
    .await;
    assert_eq!(one.len(), 1);
    assert!(one[0].text.contains("Wrote 7 Bytes"));
    mock.stop().await;
}

/// Percent-encodes the characters of an RFC 3339 time that a query cannot carry raw.
fn encode(text: &str) -> String {
    text.replace('+', "%2B").replace(':', "%3A")
}

#[tokio::test]
async fn bad_tail_or_since_is_422() {
    let mock = start(config()).await;
    mock.deploy_fn("f", "cat").await;
    mock.invoke("f", "x").await.expect(200);
    for query in [
        "name=f&tail=abc",
        "name=f&tail=1.5",
        "name=f&since=yesterday",
        "name=f&since=2024-13-45T00:00:00Z",
    ] {
        mock.get(&format!("/system/logs?{query}"))
            .await
            .expect_error(422);
    }
    mock.stop().await;
}

#[tokio::test]
async fn logs_are_bounded_per_function() {
    let mock = start(MockConfig {
        log_lines_per_function: 10,
        ..config()
    })
    .await;
    mock.deploy_fn("chatty", "cat").await;
    for i in 0..20 {
        mock.invoke("chatty", "x".repeat(i + 1)).await.expect(200);
    }
    let kept = logs(&mock, "name=chatty").await;
    assert_eq!(
        kept.len(),
        10,
        "log_lines_per_function=10, got {}",
        kept.len()
    );
    assert!(
        kept[9].text.contains("Wrote 20 Bytes"),
        "the newest lines are kept: {:?}",
        texts(&kept)
    );
    assert!(
        kept[1].text.contains("Wrote 16 Bytes"),
        "the oldest are dropped: {:?}",
        texts(&kept)
    );
    mock.stop().await;
}

/// Reads from a byte stream until a line containing `needle` arrives or `limit` passes.
async fn read_until<S>(stream: &mut S, buffer: &mut String, needle: &str, limit: Duration) -> bool
where
    S: futures_util::Stream<Item = reqwest::Result<bytes::Bytes>> + Unpin,
{
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        if buffer.lines().any(|l| l.contains(needle)) {
            return true;
        }
        match tokio::time::timeout_at(deadline, stream.next()).await {
            Ok(Some(Ok(chunk))) => buffer.push_str(&String::from_utf8_lossy(&chunk)),
            Ok(Some(Err(e))) => panic!("log stream failed: {e}"),
            Ok(None) | Err(_) => return false,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn follow_streams_new_lines_while_the_client_listens() {
    let mock = start(MockConfig {
        log_follow_timeout: Duration::from_secs(10),
        ..config()
    })
    .await;
    mock.deploy_fn("followed", "cat").await;
    mock.invoke("followed", "old").await.expect(200);

    let resp = mock
        .req(
            reqwest::Method::GET,
            "/system/logs?name=followed&follow=true",
        )
        .send()
        .await
        .expect("follow request");
    assert_eq!(resp.status().as_u16(), 200);
    let content_type = resp
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap_or("").to_string());
    assert!(
        content_type
            .as_deref()
            .unwrap_or("")
            .starts_with("application/x-ndjson"),
        "follow Content-Type {content_type:?}"
    );
    let mut stream = resp.bytes_stream();
    let mut buffer = String::new();
    assert!(
        read_until(
            &mut stream,
            &mut buffer,
            "Wrote 3 Bytes",
            Duration::from_secs(5)
        )
        .await,
        "follow first sends the existing lines, got {buffer:?}"
    );

    mock.invoke("followed", "new-body").await.expect(200);
    assert!(
        read_until(
            &mut stream,
            &mut buffer,
            "Wrote 8 Bytes",
            Duration::from_secs(5)
        )
        .await,
        "a line written while following arrives within 5s; got {buffer:?}"
    );
    for line in buffer.lines().filter(|l| !l.trim().is_empty()) {
        let m: LogMessage =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("line {line:?}: {e}"));
        assert_eq!(m.name, "followed");
    }

    // Lines of another function do not leak into this stream.
    mock.deploy_fn("other", "cat").await;
    mock.invoke("other", "zzzzzzzzzzzz").await.expect(200);
    mock.invoke("followed", "tail-marker!").await.expect(200);
    assert!(
        read_until(
            &mut stream,
            &mut buffer,
            "Wrote 12 Bytes",
            Duration::from_secs(5)
        )
        .await
    );
    let others = buffer.lines().filter(|l| l.contains("\"other\"")).count();
    assert_eq!(
        others, 0,
        "a stream for one function shows only its lines: {buffer:?}"
    );
    drop(stream);
    mock.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn follow_ends_after_the_follow_timeout() {
    let mock = start(MockConfig {
        log_follow_timeout: Duration::from_millis(300),
        ..config()
    })
    .await;
    mock.deploy_fn("f", "cat").await;
    mock.invoke("f", "x").await.expect(200);
    let resp = mock
        .req(reqwest::Method::GET, "/system/logs?name=f&follow=true")
        .send()
        .await
        .expect("follow request");
    assert_eq!(resp.status().as_u16(), 200);
    let body = tokio::time::timeout(Duration::from_secs(5), resp.text())
        .await
        .expect("a follow stream closes after log_follow_timeout (300ms)")
        .expect("body");
    assert!(
        body.contains("Forking fprocess."),
        "existing lines were sent: {body:?}"
    );
    mock.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stopping_the_mock_ends_open_follow_streams() {
    let mock = start(MockConfig {
        log_follow_timeout: Duration::from_secs(120),
        ..config()
    })
    .await;
    mock.deploy_fn("f", "cat").await;
    let resp = mock
        .req(reqwest::Method::GET, "/system/logs?name=f&follow=true")
        .send()
        .await
        .expect("follow request");
    assert_eq!(resp.status().as_u16(), 200);
    let reader = tokio::spawn(async move { resp.bytes().await.map(|b| b.len()) });
    // `stop` insists on shutting down within 5s despite the open stream.
    mock.stop().await;
    let ended = tokio::time::timeout(Duration::from_secs(5), reader).await;
    assert!(
        ended.is_ok(),
        "the follow stream should end when the mock stops"
    );
}

#[tokio::test]
async fn wrote_counts_the_response_bytes_and_the_duration_is_a_number() {
    let mock = start(config()).await;
    mock.deploy_fn("sha", "sha512sum").await;
    let reply = mock
        .invoke("sha", "a request body of 33 bytes, really")
        .await
        .expect(200);
    let messages = logs(&mock, "name=sha").await;
    assert_eq!(messages.len(), 2, "{:?}", texts(&messages));
    let wrote = &messages[1].text;
    let want = format!("Wrote {} Bytes - Duration: ", reply.body.len());
    assert!(
        wrote.contains(&want),
        "N is the response size ({}), got {wrote:?}",
        reply.body.len()
    );
    let seconds = wrote
        .split("Duration: ")
        .nth(1)
        .and_then(|rest| rest.trim_end().strip_suffix(" seconds"))
        .unwrap_or_else(|| panic!("no duration in {wrote:?}"));
    let seconds: f64 = seconds
        .parse()
        .unwrap_or_else(|e| panic!("duration {seconds:?} in {wrote:?}: {e}"));
    assert!(
        (0.0..10.0).contains(&seconds),
        "duration {seconds} in {wrote:?}"
    );
    mock.stop().await;
}

#[tokio::test]
async fn the_instance_filter_keeps_one_replicas_lines() {
    let mock = start(config()).await;
    mock.deploy_labelled("multi", serde_json::json!({"com.openfaas.scale.min": "3"}))
        .await;
    mock.wait_status("multi", DEFAULT_NS, "3 available", |s| {
        s.available_replicas == 3
    })
    .await;
    for _ in 0..9 {
        mock.invoke("multi", "x").await.expect(200);
    }
    let all = logs(&mock, "name=multi").await;
    assert_eq!(all.len(), 18);
    let instance = all[0].instance.clone();
    let mine = logs(&mock, &format!("name=multi&instance={instance}")).await;
    assert!(!mine.is_empty(), "instance={instance} has lines");
    assert!(
        mine.iter().all(|m| m.instance == instance),
        "instance filter: {mine:?}"
    );
    let expected = all.iter().filter(|m| m.instance == instance).count();
    assert_eq!(mine.len(), expected, "every line of instance {instance}");
    assert!(logs(&mock, "name=multi&instance=no-such-pod")
        .await
        .is_empty());
    mock.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn follow_with_tail_sends_the_last_lines_then_new_ones() {
    let mock = start(MockConfig {
        log_follow_timeout: Duration::from_secs(10),
        ..config()
    })
    .await;
    mock.deploy_fn("f", "cat").await;
    for body in ["1", "22", "333"] {
        mock.invoke("f", body).await.expect(200);
    }
    let resp = mock
        .req(
            reqwest::Method::GET,
            "/system/logs?name=f&follow=true&tail=1",
        )
        .send()
        .await
        .expect("follow request");
    assert_eq!(resp.status().as_u16(), 200);
    let mut stream = resp.bytes_stream();
    let mut buffer = String::new();
    mock.invoke("f", "4444").await.expect(200);
    assert!(
        read_until(
            &mut stream,
            &mut buffer,
            "Wrote 4 Bytes",
            Duration::from_secs(5)
        )
        .await,
        "the new line arrives: {buffer:?}"
    );
    let lines: Vec<LogMessage> = buffer
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("line {l:?}: {e}")))
        .collect();
    let got = texts(&lines);
    assert_eq!(
        lines.len(),
        3,
        "tail=1 line then the 2 new ones, got {got:?}"
    );
    assert!(got[0].contains("Wrote 3 Bytes"), "{got:?}");
    assert!(got[1].contains("Forking fprocess."), "{got:?}");
    drop(stream);
    mock.stop().await;
}

#[tokio::test]
async fn a_redeployed_function_starts_with_no_lines_and_no_count() {
    let mock = start(config()).await;
    mock.deploy_fn("again", "cat").await;
    mock.invoke("again", "first life").await.expect(200);
    assert_eq!(logs(&mock, "name=again").await.len(), 2);
    mock.json(
        reqwest::Method::DELETE,
        "/system/functions",
        &serde_json::json!({"functionName": "again"}),
    )
    .await
    .expect(202);
    mock.deploy_fn("again", "cat").await;
    assert_eq!(
        mock.status("again", DEFAULT_NS).await.invocation_count,
        0,
        "a new deployment starts counting from 0"
    );
    let lines = logs(&mock, "name=again").await;
    assert!(
        lines.is_empty(),
        "a new deployment has a new history, got {:?}",
        texts(&lines)
    );
    mock.stop().await;
}
