//! Streamed and tunnelled invocations over real HTTP: the mock's jmalloc/echo-server
//! emulation behind faas-provider's proxy (SSE and NDJSON streamed, WebSockets tunnelled) and
//! behind the CE gateway (SSE streamed, NDJSON held, WebSockets not proxied), in-process and
//! chained; the proxy's methods, Content-Type and forwarded headers; and the faults that
//! break them. Arrival times are judged with generous margins (events 100 ms apart).

mod common;

use std::time::{Duration, Instant};

use common::{config, env_value, start, Mock};
use eventsource_stream::{Event, Eventsource};
use faas_certifier::mock::{Fault, Flavour, LagStatus, MockConfig};
use futures_util::{SinkExt, StreamExt};
use reqwest::Method;
use serde_json::json;
use tokio_tungstenite::tungstenite::{self, Message};

/// The period of the echo server's `time` events in these tests.
const INTERVAL: Duration = Duration::from_millis(100);

/// The function every test deploys: the public image the suites stream from.
const ECHO: &str = "echo";

fn streaming(config: MockConfig) -> MockConfig {
    MockConfig {
        stream_interval: INTERVAL,
        ..config
    }
}

fn provider() -> MockConfig {
    streaming(config())
}

fn ce_gateway() -> MockConfig {
    streaming(MockConfig {
        as_gateway: true,
        ..config()
    })
}

fn pro_gateway() -> MockConfig {
    MockConfig {
        gateway_pro: true,
        ..ce_gateway()
    }
}

/// A provider mock and a CE gateway mock forwarding to it over HTTP; the gateway first.
async fn chain() -> (Mock, Mock) {
    let provider = start(provider()).await;
    let gateway = start(MockConfig {
        upstream: Some(provider.url.clone()),
        ..ce_gateway()
    })
    .await;
    (gateway, provider)
}

async fn deploy_echo(mock: &Mock, env: serde_json::Value) {
    mock.deploy(json!({"service": ECHO, "image": "jmalloc/echo-server:latest", "envVars": env}))
        .await;
}

/// Events as they arrive, each with its time since the request was sent.
struct Arrivals {
    /// When the answer's head came.
    head: Duration,
    /// The answer's Content-Type.
    content_type: String,
    events: Vec<(Duration, Event)>,
}

/// `GET /function/echo/.sse` with `accept`; reads until `times` `time` events came.
async fn read_events(mock: &Mock, accept: &str, times: usize) -> Arrivals {
    let sent = Instant::now();
    let resp = mock
        .req(Method::GET, &format!("/function/{ECHO}/.sse"))
        .header("accept", accept)
        .send()
        .await
        .expect("the stream opens");
    assert_eq!(resp.status(), 200, "{}", mock.url);
    let head = sent.elapsed();
    let content_type = resp
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let mut stream = resp.bytes_stream().eventsource();
    let mut events = Vec::new();
    let deadline = Duration::from_secs(10);
    while events
        .iter()
        .filter(|(_, e): &&(_, Event)| e.event == "time")
        .count()
        < times
    {
        let next = tokio::time::timeout(deadline, stream.next())
            .await
            .unwrap_or_else(|_| panic!("{}: no event within {deadline:?}", mock.url));
        let event = next
            .expect("the stream goes on")
            .expect("a well-formed event");
        events.push((sent.elapsed(), event));
    }
    Arrivals {
        head,
        content_type,
        events,
    }
}

/// The events came one by one: the first well within a second, the last `time` at least
/// 1.5 intervals after the first, ids counting up from 1.
fn assert_streamed(what: &str, got: &Arrivals) {
    let names: Vec<&str> = got.events.iter().map(|(_, e)| e.event.as_str()).collect();
    assert_eq!(
        names,
        ["server", "request", "time", "time", "time"],
        "{what}"
    );
    let ids: Vec<&str> = got.events.iter().map(|(_, e)| e.id.as_str()).collect();
    assert_eq!(ids, ["1", "2", "3", "4", "5"], "{what}");
    let first = got.events[0].0;
    let last = got.events[4].0;
    assert!(
        first < Duration::from_secs(1),
        "{what}: first event after {first:?}"
    );
    assert!(
        last - first >= INTERVAL * 3 / 2,
        "{what}: all events came within {:?}: {:?}",
        last - first,
        got.events.iter().map(|(t, _)| *t).collect::<Vec<_>>()
    );
}

#[tokio::test]
async fn sse_is_streamed_by_the_provider_and_every_gateway_mode() {
    let (chained, provider_behind) = chain().await;
    let mocks = [
        ("provider", start(provider()).await),
        ("CE gateway", start(ce_gateway()).await),
        ("Pro gateway", start(pro_gateway()).await),
        ("CE gateway chained", chained),
    ];
    for (what, mock) in &mocks {
        deploy_echo(mock, json!({})).await;
        let got = read_events(mock, "text/event-stream", 3).await;
        assert_eq!(got.content_type, "text/event-stream", "{what}");
        assert_streamed(what, &got);
        let server = &got.events[0].1.data;
        assert!(
            !server.is_empty(),
            "{what}: the server event names the host"
        );
        let request = &got.events[1].1.data;
        assert!(
            request.starts_with("GET /.sse HTTP/1.1\n\nHost: ")
                && request.contains("\nAccept: text/event-stream\n"),
            "{what}: the request as the function saw it:\n{request}"
        );
        let time = &got.events[2].1.data;
        assert!(
            chrono::DateTime::parse_from_rfc3339(time).is_ok(),
            "{what}: {time}"
        );
    }
    drop(provider_behind);
}

#[tokio::test]
async fn without_a_host_name_the_server_event_is_left_out() {
    let mock = start(provider()).await;
    deploy_echo(&mock, json!({"SEND_SERVER_HOSTNAME": "false"})).await;
    let resp = mock
        .req(Method::GET, &format!("/function/{ECHO}/a/.sse?x=1"))
        .header("accept", "text/event-stream")
        .send()
        .await
        .expect("the stream opens");
    let mut events = resp.bytes_stream().eventsource();
    let first = events.next().await.expect("an event").expect("well-formed");
    assert_eq!((first.event.as_str(), first.id.as_str()), ("request", "1"));
    assert!(
        first.data.starts_with("GET /a/.sse?x=1 HTTP/1.1"),
        "{}",
        first.data
    );
    mock.stop().await;
}

#[tokio::test]
async fn ndjson_is_streamed_by_the_provider_and_held_by_the_ce_gateway() {
    let mock = start(provider()).await;
    deploy_echo(&mock, json!({})).await;
    let got = read_events(&mock, "application/x-ndjson", 3).await;
    assert_streamed("provider", &got);

    // Without a streaming Accept the provider copies the answer whole, as the gateway does.
    assert!(first_bytes_within_a_second(&mock, "*/*").await.is_none());

    let (chained, _provider) = chain().await;
    for (what, gateway) in [
        ("CE gateway", start(ce_gateway()).await),
        ("chained", chained),
    ] {
        deploy_echo(&gateway, json!({})).await;
        // Copied with io.Copy: nothing, not even the head, before 4 KiB (about 60 events).
        let first = first_bytes_within_a_second(&gateway, "application/x-ndjson").await;
        assert!(
            first.is_none(),
            "{what}: an NDJSON answer came at once: {first:?}"
        );
    }
    mock.stop().await;
}

/// The first bytes of `GET /function/echo/.sse` with `accept`, if they come within 1 s.
async fn first_bytes_within_a_second(mock: &Mock, accept: &str) -> Option<bytes::Bytes> {
    tokio::time::timeout(Duration::from_secs(1), async {
        let resp = mock
            .req(Method::GET, &format!("/function/{ECHO}/.sse"))
            .header("accept", accept)
            .send()
            .await
            .expect("sent");
        resp.bytes_stream().next().await
    })
    .await
    .ok()
    .flatten()
    .map(|chunk| chunk.expect("bytes"))
}

#[tokio::test]
async fn a_streamed_call_to_a_function_not_listening_yet_is_an_empty_200() {
    for (status, streamed_want) in [
        (LagStatus::Unreachable500, 200),
        (LagStatus::NoEndpoints503, 503),
    ] {
        let mock = start(MockConfig {
            invoke_lag: Duration::from_secs(30),
            invoke_lag_status: status,
            ..provider()
        })
        .await;
        deploy_echo(&mock, json!({})).await;
        // httputil.ReverseProxy with faas-provider's empty ErrorHandler writes nothing; the
        // resolver's 503 comes before it.
        let streamed = mock
            .send(
                "GET /function/echo/.sse (SSE)".into(),
                mock.req(Method::GET, &format!("/function/{ECHO}/.sse"))
                    .header("accept", "text/event-stream"),
            )
            .await
            .expect(streamed_want);
        let marker = streamed.header("x-openfaas-internal");
        assert_eq!(marker.is_some(), streamed_want != 200, "{status:?}");
        assert_eq!(streamed_want == 200, streamed.body.is_empty());
        let copied = mock.invoke(ECHO, "").await;
        assert_eq!(copied.status, status.status(), "{}", copied.text());
        assert_eq!(
            copied.header("x-openfaas-internal").as_deref(),
            Some("proxy")
        );
        mock.stop().await;
    }
}

#[tokio::test]
async fn a_plain_request_gets_the_echo() {
    let mock = start(provider()).await;
    deploy_echo(&mock, json!({"SEND_HEADER_X_ECHOED": "yes"})).await;
    let reply = mock
        .send(
            "POST /function/echo/p?q=1".into(),
            mock.req(Method::POST, &format!("/function/{ECHO}/p?q=1"))
                .header("x-b", "2")
                .body("payload"),
        )
        .await
        .expect(200);
    let text = reply.text();
    assert_eq!(reply.header("content-type").as_deref(), Some("text/plain"));
    assert_eq!(reply.header("x-echoed").as_deref(), Some("yes"));
    assert!(text.starts_with("Request served by "), "{text}");
    assert!(
        text.contains("\n\nPOST /p?q=1 HTTP/1.1\n\nHost: ") && text.ends_with("\n\npayload"),
        "{text}"
    );
    assert!(text.contains("\nX-B: 2\n"), "{text}");
    // Not the classic watchdog: no X-Duration-Seconds.
    assert_eq!(reply.header("x-duration-seconds"), None);
    mock.stop().await;
}

/// Opens a WebSocket to the echo function, or says why not.
async fn websocket(
    mock: &Mock,
) -> Result<
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>,
    tungstenite::Error,
> {
    let url = format!("ws://{}/function/{ECHO}", mock.host);
    tokio_tungstenite::connect_async(url)
        .await
        .map(|(ws, _)| ws)
}

async fn next_message<S>(ws: &mut S) -> Message
where
    S: futures_util::Stream<Item = Result<Message, tungstenite::Error>> + Unpin,
{
    tokio::time::timeout(Duration::from_secs(5), ws.next())
        .await
        .expect("a message within 5 s")
        .expect("the socket stays open")
        .expect("a message")
}

#[tokio::test]
async fn a_websocket_echoes_through_the_provider() {
    let mock = start(provider()).await;
    deploy_echo(&mock, json!({})).await;
    let mut ws = websocket(&mock)
        .await
        .expect("the provider tunnels the upgrade");
    let greeting = next_message(&mut ws).await;
    assert!(
        matches!(&greeting, Message::Text(t) if t.starts_with("Request served by ")),
        "{greeting:?}"
    );
    ws.send(Message::text("hello")).await.expect("sent");
    assert_eq!(next_message(&mut ws).await, Message::text("hello"));
    ws.send(Message::binary(vec![0u8, 1, 2, 255]))
        .await
        .expect("sent");
    assert_eq!(
        next_message(&mut ws).await,
        Message::binary(vec![0u8, 1, 2, 255])
    );
    ws.close(None).await.expect("closed");

    mock.deploy(
        json!({"service": "quiet", "image": "jmalloc/echo-server:0.3.7",
                       "envVars": {"SEND_SERVER_HOSTNAME": "false"}}),
    )
    .await;
    let url = format!("ws://{}/function/quiet", mock.host);
    let (mut quiet, _) = tokio_tungstenite::connect_async(url)
        .await
        .expect("tunnelled");
    assert_eq!(next_message(&mut quiet).await, Message::text(""));
    mock.stop().await;
}

#[tokio::test]
async fn no_gateway_mode_proxies_a_websocket() {
    let (chained, _provider) = chain().await;
    let gateways = [
        ("CE gateway", start(ce_gateway()).await),
        ("Pro gateway", start(pro_gateway()).await),
        ("chained", chained),
    ];
    for (what, gateway) in &gateways {
        deploy_echo(gateway, json!({})).await;
        match websocket(gateway).await {
            // Upgrade dropped: the function answers the plain request.
            Err(tungstenite::Error::Http(resp)) => assert_eq!(resp.status(), 200, "{what}"),
            other => panic!(
                "{what}: want a refused handshake, got {:?}",
                other.map(|_| ())
            ),
        }
    }
}

#[tokio::test]
async fn unproxied_methods_get_a_bare_405_without_the_marker() {
    let mut mocks = vec![start(provider()).await, start(ce_gateway()).await];
    let (chained, _provider) = chain().await;
    mocks.push(chained);
    for mock in &mocks {
        mock.deploy_fn("env-fn", "env").await;
        for target in ["env-fn", "never-deployed"] {
            let method = Method::from_bytes(b"PROPFIND").expect("a method");
            let path = format!("/function/{target}");
            let reply = mock
                .send(format!("PROPFIND {path}"), mock.req(method, &path))
                .await
                .expect(405);
            assert!(reply.body.is_empty(), "{}: {:?}", mock.url, reply.text());
            assert_eq!(reply.header("x-openfaas-internal"), None);
        }
    }
    // HEAD and OPTIONS are proxied: the echo server answers them, the classic watchdog
    // refuses them itself (a bare 405, the function's answer, unmarked).
    let mock = &mocks[0];
    deploy_echo(mock, json!({})).await;
    for method in [Method::HEAD, Method::OPTIONS] {
        let path = format!("/function/{ECHO}");
        mock.send(format!("{method} {path}"), mock.req(method.clone(), &path))
            .await
            .expect(200);
        let reply = mock
            .send(
                format!("{method} /function/env-fn"),
                mock.req(method, "/function/env-fn"),
            )
            .await
            .expect(405);
        assert_eq!(reply.header("x-openfaas-internal"), None);
    }
}

#[tokio::test]
async fn content_type_is_the_functions_else_the_requests_else_text_plain() {
    let mock = start(provider()).await;
    mock.deploy_fn("quiet", "true").await;
    mock.deploy(
        json!({"service": "csv", "image": "ghcr.io/openfaas/alpine:latest",
                       "envProcess": "echo a,b", "envVars": {"content_type": "text/csv"}}),
    )
    .await;
    mock.deploy_fn("env-fn", "env").await;
    let content_type = |reply: common::Reply| reply.header("content-type").unwrap_or_default();
    let bare = mock.invoke("quiet", "").await.expect(200);
    assert!(bare.body.is_empty());
    assert_eq!(content_type(bare), "text/plain");
    let asked = mock
        .send(
            "POST /function/quiet (json)".into(),
            mock.req(Method::POST, "/function/quiet")
                .header("content-type", "application/json"),
        )
        .await
        .expect(200);
    assert_eq!(content_type(asked), "application/json");
    let own = mock
        .send(
            "POST /function/csv (json)".into(),
            mock.req(Method::POST, "/function/csv")
                .header("content-type", "application/json"),
        )
        .await
        .expect(200);
    assert_eq!(content_type(own), "text/csv");
    // Go's server names the type of a text body the watchdog wrote without one.
    let sniffed = mock.invoke("env-fn", "").await.expect(200);
    assert_eq!(content_type(sniffed), "text/plain; charset=utf-8");
    mock.stop().await;
}

#[tokio::test]
async fn a_bare_provider_calls_the_function_at_slash_with_forwarded_headers() {
    let mock = start(provider()).await;
    mock.deploy_fn("env-fn", "env").await;
    let text = mock.invoke("env-fn", "").await.expect(200).text();
    assert_eq!(
        env_value(&text, "Http_Path").as_deref(),
        Some("/"),
        "{text}"
    );
    assert_eq!(
        env_value(&text, "Http_X_Forwarded_Host").as_deref(),
        Some(mock.host.as_str()),
        "{text}"
    );
    let forwarded_for = env_value(&text, "Http_X_Forwarded_For").unwrap_or_default();
    assert!(forwarded_for.starts_with("127.0.0.1:"), "{text}");
    // Set only when absent.
    let kept = mock
        .send(
            "POST /function/env-fn (forwarded)".into(),
            mock.req(Method::POST, "/function/env-fn")
                .header("x-forwarded-for", "203.0.113.7")
                .header("x-forwarded-host", "example.com"),
        )
        .await
        .expect(200)
        .text();
    assert_eq!(
        env_value(&kept, "Http_X_Forwarded_For").as_deref(),
        Some("203.0.113.7")
    );
    assert_eq!(
        env_value(&kept, "Http_X_Forwarded_Host").as_deref(),
        Some("example.com")
    );
    mock.stop().await;
}

#[tokio::test]
async fn head_healthz_follows_the_flavours_faas_provider() {
    for (flavour, want) in [
        (Flavour::Mock, 200),
        (Flavour::FaasNetes, 200),
        (Flavour::Faasd, 405),
        (Flavour::Quirky, 405),
    ] {
        let mock = start(MockConfig {
            flavour,
            ..config()
        })
        .await;
        let reply = mock
            .send("HEAD /healthz".into(), mock.req(Method::HEAD, "/healthz"))
            .await;
        assert_eq!(reply.status.as_u16(), want, "{flavour}");
        mock.get("/healthz").await.expect(200);
    }
}

#[tokio::test]
async fn the_ce_gateway_routes_telemetry_for_get_only() {
    let gateway = start(ce_gateway()).await;
    // The mock provider serves no telemetry (faas-provider's handler is optional).
    gateway.get("/system/telemetry").await.expect(404);
    gateway
        .send(
            "POST /system/telemetry".into(),
            gateway.req(Method::POST, "/system/telemetry"),
        )
        .await
        .expect(405);
}

fn with_fault(config: MockConfig, fault: Fault) -> MockConfig {
    MockConfig {
        faults: [fault].into_iter().collect(),
        ..config
    }
}

#[tokio::test]
async fn stream_buffered_holds_the_events_but_keeps_their_bytes_and_whole_answers() {
    for base in [provider(), ce_gateway()] {
        let mock = start(with_fault(base, Fault::StreamBuffered)).await;
        deploy_echo(&mock, json!({})).await;
        let got = read_events(&mock, "text/event-stream", 3).await;
        let times: Vec<Duration> = got.events.iter().map(|(t, _)| *t).collect();
        // Held 1 s (10 intervals) from the first byte, then sent in one piece.
        assert!(times[0] >= Duration::from_millis(800), "{times:?}");
        assert!(times[4] - times[0] < INTERVAL, "{times:?}");
        let ids: Vec<&str> = got.events.iter().map(|(_, e)| e.id.as_str()).collect();
        assert_eq!(ids, ["1", "2", "3", "4", "5"]);
        assert!(got.head < Duration::from_secs(1), "the head is not held");
        // A whole answer is as it was.
        mock.deploy_fn("cat", "cat").await;
        let reply = mock.invoke("cat", "whole").await.expect(200);
        assert_eq!(reply.header("content-length").as_deref(), Some("5"));
        assert_eq!(reply.text(), "whole");
        mock.stop().await;
    }
}

#[tokio::test]
async fn websocket_refused_keeps_the_function_from_switching_but_streams_still_flow() {
    let mock = start(with_fault(provider(), Fault::WebsocketRefused)).await;
    deploy_echo(&mock, json!({})).await;
    match websocket(&mock).await {
        Err(tungstenite::Error::Http(resp)) => assert_eq!(resp.status(), 200),
        other => panic!("want a refused handshake, got {:?}", other.map(|_| ())),
    }
    assert_streamed(
        "provider",
        &read_events(&mock, "text/event-stream", 3).await,
    );
    mock.stop().await;
}

#[tokio::test]
async fn internal_marker_faults_move_the_marker_and_nothing_else() {
    let marker = |reply: &common::Reply| reply.header("x-openfaas-internal");

    let mock = start(with_fault(provider(), Fault::InternalMarkerMissing)).await;
    let unknown = mock.invoke("never-deployed", "").await.expect(404);
    assert_eq!(marker(&unknown), None);
    assert!(unknown.text().contains("not found"), "{}", unknown.text());
    mock.deploy_fn("fails", "false").await;
    assert_eq!(marker(&mock.invoke("fails", "").await.expect(500)), None);
    mock.stop().await;

    let mock = start(with_fault(provider(), Fault::InternalMarkerOnFunctionError)).await;
    mock.deploy_fn("fails", "false").await;
    mock.deploy_fn("cat", "cat").await;
    let own = mock.invoke("fails", "").await.expect(500);
    assert_eq!(marker(&own).as_deref(), Some("proxy"));
    assert_eq!(own.text(), "exit status 1\n");
    assert_eq!(marker(&mock.invoke("cat", "x").await.expect(200)), None);
    let unknown = mock.invoke("never-deployed", "").await.expect(404);
    assert_eq!(marker(&unknown).as_deref(), Some("proxy"));
    mock.stop().await;
}

#[tokio::test]
async fn an_open_stream_does_not_hold_up_a_shutdown() {
    let mock = start(provider()).await;
    deploy_echo(&mock, json!({})).await;
    let resp = mock
        .req(Method::GET, &format!("/function/{ECHO}/.sse"))
        .header("accept", "text/event-stream")
        .send()
        .await
        .expect("the stream opens");
    let mut body = resp.bytes_stream();
    body.next().await.expect("a first event").expect("bytes");
    // Stops within 5 s (Mock::stop insists), the stream still open.
    mock.stop().await;
    drop(body);
}

/// The CE gateway's scaling handler answers an unknown function with its own 404, unmarked
/// (gateway 8d803bf9 `handlers/scaling.go`); a bare provider's proxy marks its refusal.
#[tokio::test]
async fn the_gateway_refuses_an_unknown_function_unmarked_and_a_provider_marked() {
    let marker = |reply: &common::Reply| reply.header("x-openfaas-internal");
    let mock = start(ce_gateway()).await;
    let unknown = mock.invoke("never-deployed", "").await.expect(404);
    assert_eq!(marker(&unknown), None);
    mock.stop().await;
    let mock = start(provider()).await;
    let reply = mock.invoke("never-deployed", "").await;
    assert_eq!(marker(&reply).as_deref(), Some("proxy"));
    mock.stop().await;
}
