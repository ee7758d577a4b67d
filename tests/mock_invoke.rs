//! End-to-end tests of invocation: the watchdog emulation for `env`, `cat`, `sha512sum`
//! and the redirector, routing by name, namespace and sub-path, and the gateway headers.

mod common;

use common::{config, env_value, start, DEFAULT_NS, EXTRA_NS};
use faas_certifier::mock::MockConfig;
use reqwest::Method;
use serde_json::json;
use sha2::{Digest, Sha512};

#[tokio::test]
async fn env_prints_the_function_environment_and_cgi_variables() {
    let mock = start(config()).await;
    mock.deploy(json!({
        "service": "env-fn",
        "image": "ghcr.io/openfaas/alpine:latest",
        "envProcess": "env",
        "envVars": {"custom_env": "custom_value"}
    }))
    .await;

    let reply = mock
        .send(
            "POST /function/env-fn?testing=1".into(),
            mock.req(Method::POST, "/function/env-fn?testing=1")
                .header("Content-Type", "text/plain")
                .header("x-custom-header", "abc")
                .body("hello"),
        )
        .await
        .expect(200);
    let text = reply.text();
    let want = [
        ("custom_env", "custom_value"),
        ("fprocess", "env"),
        ("Http_Method", "POST"),
        ("Http_Query", "testing=1"),
        ("Http_ContentLength", "5"),
        ("Http_Content_Length", "5"),
        ("Http_Content_Type", "text/plain"),
        ("Http_X_Custom_Header", "abc"),
    ];
    for (key, value) in want {
        assert_eq!(
            env_value(&text, key).as_deref(),
            Some(value),
            "env output: want {key}={value}, got:\n{text}"
        );
    }
    assert_eq!(
        env_value(&text, "Http_Host"),
        Some(mock.host.clone()),
        "Http_Host in:\n{text}"
    );
    assert!(
        !text.lines().any(|l| l.starts_with("Http_ContentType=")),
        "there is no Http_ContentType variable, got:\n{text}"
    );
    // A bare /function/NAME has no sub-path: Http_Path is absent or "/".
    if let Some(path) = env_value(&text, "Http_Path") {
        assert_eq!(path, "/", "Http_Path for /function/env-fn, got:\n{text}");
    }
    mock.stop().await;
}

#[tokio::test]
async fn env_omits_an_empty_query_and_reports_the_sub_path() {
    let mock = start(config()).await;
    mock.deploy_fn("env-fn", "env").await;

    let plain = mock.invoke("env-fn", "").await.expect(200).text();
    assert_eq!(
        env_value(&plain, "Http_Query"),
        None,
        "no query, yet got:\n{plain}"
    );

    let sub = mock
        .send(
            "GET /function/env-fn/sub/path?a=1&b=2".into(),
            mock.req(Method::GET, "/function/env-fn/sub/path?a=1&b=2"),
        )
        .await
        .expect(200)
        .text();
    assert_eq!(
        env_value(&sub, "Http_Path").as_deref(),
        Some("/sub/path"),
        "sub-path in:\n{sub}"
    );
    assert_eq!(
        env_value(&sub, "Http_Query").as_deref(),
        Some("a=1&b=2"),
        "query in:\n{sub}"
    );
    assert_eq!(env_value(&sub, "Http_Method").as_deref(), Some("GET"));

    // A trailing slash is the same function.
    let slash = mock.invoke("env-fn/", "").await.expect(200).text();
    assert_eq!(
        env_value(&slash, "fprocess").as_deref(),
        Some("env"),
        "got:\n{slash}"
    );
    mock.stop().await;
}

#[tokio::test]
async fn every_watchdog_verb_reaches_the_function() {
    let mock = start(config()).await;
    mock.deploy_fn("verbs", "env").await;
    for method in [
        Method::GET,
        Method::POST,
        Method::PUT,
        Method::PATCH,
        Method::DELETE,
    ] {
        let text = mock
            .send(
                format!("{method} /function/verbs"),
                mock.req(method.clone(), "/function/verbs"),
            )
            .await
            .expect(200)
            .text();
        assert_eq!(
            env_value(&text, "Http_Method").as_deref(),
            Some(method.as_str()),
            "{method}: env output:\n{text}"
        );
    }
    mock.stop().await;
}

#[tokio::test]
async fn cat_echoes_bodies_byte_for_byte() {
    let mock = start(config()).await;
    mock.deploy_fn("cat", "cat").await;
    let all_bytes: Vec<u8> = (0..=255u8).cycle().take(70_000).collect();
    let reply = mock.invoke("cat", all_bytes.clone()).await.expect(200);
    assert_eq!(reply.body.len(), all_bytes.len(), "echoed length");
    assert!(
        reply.body.as_ref() == all_bytes.as_slice(),
        "cat must echo binary bodies unchanged"
    );

    let empty = mock.invoke("cat", Vec::new()).await.expect(200);
    assert!(
        empty.body.is_empty(),
        "empty body echoed as {:?}",
        empty.text()
    );

    let get = mock
        .send(
            "GET /function/cat".into(),
            mock.req(Method::GET, "/function/cat"),
        )
        .await;
    assert!(get.expect(200).body.is_empty());
    mock.stop().await;
}

#[tokio::test]
async fn sha512sum_prints_the_coreutils_digest() {
    let mock = start(config()).await;
    mock.deploy_fn("sha", "sha512sum").await;
    for body in [&b"hello"[..], b"", &[0u8, 255, 1, 254, 10, 13]] {
        let want = format!("{}  -", hex(&Sha512::digest(body)));
        let reply = mock.invoke("sha", body.to_vec()).await.expect(200);
        let text = reply.text();
        assert_eq!(text.trim_end_matches('\n'), want, "sha512sum of {body:?}");
    }
    mock.stop().await;
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[tokio::test]
async fn the_redirector_answers_302_with_its_destination() {
    let mock = start(config()).await;
    mock.deploy(json!({
        "service": "redirector",
        "image": "ghcr.io/openfaas/redirector:latest",
        "envVars": {"destination": "https://example.com/target?x=1"}
    }))
    .await;
    mock.deploy(json!({
        "service": "handler",
        "image": "example/other:1",
        "envProcess": "./handler",
        "envVars": {"destination": "http://127.0.0.1:1/elsewhere"}
    }))
    .await;

    let by_image = mock.invoke("redirector", "").await.expect(302);
    assert_eq!(
        by_image.header("location").as_deref(),
        Some("https://example.com/target?x=1")
    );
    let get = mock
        .send(
            "GET /function/redirector".into(),
            mock.req(Method::GET, "/function/redirector"),
        )
        .await
        .expect(302);
    assert_eq!(
        get.header("location").as_deref(),
        Some("https://example.com/target?x=1")
    );

    let by_fprocess = mock.invoke("handler", "").await.expect(302);
    assert_eq!(
        by_fprocess.header("location").as_deref(),
        Some("http://127.0.0.1:1/elsewhere")
    );
    assert!(
        by_fprocess.header("x-duration-seconds").is_some(),
        "302 carries X-Duration-Seconds"
    );
    mock.stop().await;
}

#[tokio::test]
async fn invocation_routes_by_name_dot_namespace() {
    let mock = start(config()).await;
    mock.deploy(json!({
        "service": "where",
        "image": "i",
        "envProcess": "env",
        "envVars": {"home": "extra"},
        "namespace": EXTRA_NS
    }))
    .await;
    mock.deploy(json!({"service": "where", "image": "i", "envProcess": "env", "envVars": {"home": "default"}}))
        .await;
    mock.deploy(
        json!({"service": "only-extra", "image": "i", "envProcess": "cat", "namespace": EXTRA_NS}),
    )
    .await;

    let extra = mock.invoke("where.extra", "").await.expect(200).text();
    assert_eq!(
        env_value(&extra, "home").as_deref(),
        Some("extra"),
        "where.extra ran:\n{extra}"
    );
    let default = mock.invoke("where", "").await.expect(200).text();
    assert_eq!(
        env_value(&default, "home").as_deref(),
        Some("default"),
        "where ran:\n{default}"
    );
    let explicit = mock
        .invoke("where.openfaas-fn", "")
        .await
        .expect(200)
        .text();
    assert_eq!(env_value(&explicit, "home").as_deref(), Some("default"));
    let sub = mock
        .invoke("where.extra/deeper/path", "")
        .await
        .expect(200)
        .text();
    assert_eq!(env_value(&sub, "home").as_deref(), Some("extra"));
    assert_eq!(
        env_value(&sub, "Http_Path").as_deref(),
        Some("/deeper/path")
    );

    let echoed = mock.invoke("only-extra.extra", "ping").await.expect(200);
    assert_eq!(echoed.text(), "ping");
    mock.invoke("only-extra", "ping").await.expect(404);
    mock.invoke("where.nowhere", "").await.expect(404);

    assert_eq!(mock.status("where", EXTRA_NS).await.invocation_count, 2);
    assert_eq!(mock.status("where", DEFAULT_NS).await.invocation_count, 2);
    mock.stop().await;
}

#[tokio::test]
async fn unknown_functions_are_404_including_the_go_certifier_probe() {
    let mock = start(config()).await;
    mock.invoke("missing", "x").await.expect(404);
    mock.invoke("missing/sub", "x").await.expect(404);
    mock.invoke(".openfaas-fn", "").await.expect(404);
    mock.stop().await;

    let gateway = start(MockConfig {
        as_gateway: true,
        ..config()
    })
    .await;
    gateway.invoke(".openfaas-fn", "").await.expect(404);
    gateway.invoke("missing", "x").await.expect(404);
    gateway.stop().await;
}

#[tokio::test]
async fn invocations_count_toward_invocation_count() {
    let mock = start(config()).await;
    mock.deploy_fn("counted", "cat").await;
    mock.deploy_fn("other", "cat").await;
    for i in 0..7 {
        mock.invoke("counted", format!("{i}")).await.expect(200);
    }
    mock.send(
        "GET /function/counted/x".into(),
        mock.req(Method::GET, "/function/counted/x"),
    )
    .await
    .expect(200);
    assert_eq!(mock.status("counted", DEFAULT_NS).await.invocation_count, 8);
    assert_eq!(mock.status("other", DEFAULT_NS).await.invocation_count, 0);
    let list: Vec<faas_certifier::model::FunctionStatus> =
        mock.get("/system/functions").await.expect(200).json();
    let counted = list
        .iter()
        .find(|f| f.name == "counted")
        .expect("counted listed");
    assert_eq!(
        counted.invocation_count, 8,
        "list reports invocationCount too"
    );
    mock.stop().await;
}

#[tokio::test]
async fn a_bare_provider_adds_duration_but_no_gateway_headers() {
    let mock = start(config()).await;
    mock.deploy_fn("cat", "cat").await;
    let reply = mock.invoke("cat", "x").await.expect(200);
    let duration = reply
        .header("x-duration-seconds")
        .expect("X-Duration-Seconds on every answer");
    let seconds: f64 = duration
        .parse()
        .unwrap_or_else(|e| panic!("X-Duration-Seconds {duration:?}: {e}"));
    assert!(
        (0.0..10.0).contains(&seconds),
        "X-Duration-Seconds {seconds}"
    );
    assert_eq!(
        reply.header("x-call-id"),
        None,
        "a bare provider does not add X-Call-Id"
    );
    assert_eq!(
        reply.header("x-start-time"),
        None,
        "a bare provider does not add X-Start-Time"
    );
    mock.stop().await;
}

#[tokio::test]
async fn a_gateway_adds_call_id_and_start_time_and_forwards_them() {
    let mock = start(MockConfig {
        as_gateway: true,
        ..config()
    })
    .await;
    mock.deploy_fn("env-fn", "env").await;

    let before = now_nanos();
    let reply = mock.invoke("env-fn", "").await.expect(200);
    let after = now_nanos();
    assert!(
        reply.header("x-duration-seconds").is_some(),
        "X-Duration-Seconds"
    );
    let call_id = reply
        .header("x-call-id")
        .expect("X-Call-Id in gateway mode");
    uuid::Uuid::parse_str(&call_id)
        .unwrap_or_else(|e| panic!("X-Call-Id {call_id:?} is not a UUID: {e}"));
    let start = reply
        .header("x-start-time")
        .expect("X-Start-Time in gateway mode");
    let start: u128 = start
        .parse()
        .unwrap_or_else(|e| panic!("X-Start-Time {start:?}: {e}"));
    assert!(
        before - 1_000_000_000 <= start && start <= after + 1_000_000_000,
        "X-Start-Time {start} should be Unix nanoseconds between {before} and {after}"
    );
    let text = reply.text();
    assert_eq!(
        env_value(&text, "Http_X_Call_Id").as_deref(),
        Some(call_id.as_str()),
        "the function sees the same X-Call-Id, got:\n{text}"
    );

    // Two calls get two ids.
    let second = mock.invoke("env-fn", "").await.expect(200);
    assert_ne!(
        second.header("x-call-id"),
        Some(call_id),
        "each call gets its own id"
    );

    // The caller's id is kept.
    let mine = "3f0cf3d2-5b4b-4b47-9d8e-2f1c2b7e0a11";
    let kept = mock
        .send(
            "POST /function/env-fn with X-Call-Id".into(),
            mock.req(Method::POST, "/function/env-fn")
                .header("X-Call-Id", mine),
        )
        .await
        .expect(200);
    assert_eq!(kept.header("x-call-id").as_deref(), Some(mine));
    assert_eq!(
        env_value(&kept.text(), "Http_X_Call_Id").as_deref(),
        Some(mine)
    );
    mock.stop().await;
}

fn now_nanos() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock after 1970")
        .as_nanos()
}

/// A request body sent with `Transfer-Encoding: chunked` (no Content-Length).
fn chunked(parts: &[&'static [u8]]) -> reqwest::Body {
    let chunks: Vec<Result<bytes::Bytes, std::io::Error>> = parts
        .iter()
        .map(|p| Ok(bytes::Bytes::from_static(p)))
        .collect();
    reqwest::Body::wrap_stream(futures_util::stream::iter(chunks))
}

#[tokio::test]
async fn chunked_bodies_are_read_whole_and_reported_as_transfer_encoding() {
    let mock = start(config()).await;
    mock.deploy_fn("cat", "cat").await;
    mock.deploy_fn("env-fn", "env").await;
    let echoed = mock
        .send(
            "POST /function/cat (chunked)".into(),
            mock.req(Method::POST, "/function/cat")
                .body(chunked(&[b"chunk-one ", b"chunk-two"])),
        )
        .await
        .expect(200);
    assert_eq!(echoed.text(), "chunk-one chunk-two");

    let env = mock
        .send(
            "POST /function/env-fn (chunked)".into(),
            mock.req(Method::POST, "/function/env-fn")
                .body(chunked(&[b"abc", b"def"])),
        )
        .await
        .expect(200)
        .text();
    assert_eq!(
        env_value(&env, "Http_Transfer_Encoding").as_deref(),
        Some("chunked"),
        "Http_Transfer_Encoding when present, got:\n{env}"
    );
    assert_eq!(env_value(&env, "Http_Method").as_deref(), Some("POST"));
    mock.stop().await;
}

#[tokio::test]
async fn the_body_limit_is_inclusive_and_applies_to_chunked_bodies() {
    let mock = start(MockConfig {
        max_body_bytes: 1024,
        ..config()
    })
    .await;
    mock.deploy_fn("cat", "cat").await;
    let exact = vec![b'e'; 1024];
    let reply = mock.invoke("cat", exact.clone()).await.expect(200);
    assert_eq!(
        reply.body.len(),
        1024,
        "a body of exactly max_body_bytes is accepted"
    );
    mock.invoke("cat", vec![b'o'; 1025]).await.expect(413);

    static BIG: [u8; 800] = [b'c'; 800];
    mock.send(
        "POST /function/cat (chunked, 1600 bytes)".into(),
        mock.req(Method::POST, "/function/cat")
            .body(chunked(&[&BIG, &BIG])),
    )
    .await
    .expect(413);
    assert_eq!(
        mock.status("cat", DEFAULT_NS).await.invocation_count,
        1,
        "refused bodies are not invocations"
    );
    mock.stop().await;
}

#[tokio::test]
async fn a_gateway_forwards_its_start_time_to_the_function() {
    let mock = start(MockConfig {
        as_gateway: true,
        ..config()
    })
    .await;
    mock.deploy_fn("env-fn", "env").await;
    let reply = mock.invoke("env-fn", "").await.expect(200);
    let start = reply.header("x-start-time").expect("X-Start-Time");
    let text = reply.text();
    assert_eq!(
        env_value(&text, "Http_X_Start_Time"),
        Some(start),
        "the forwarded request carries X-Start-Time, got:\n{text}"
    );
    // The redirect passes through a gateway untouched, with the gateway's headers.
    mock.deploy(json!({
        "service": "redirector",
        "image": "ghcr.io/openfaas/redirector:latest",
        "envVars": {"destination": "https://example.com/"}
    }))
    .await;
    let redirect = mock.invoke("redirector", "").await.expect(302);
    assert_eq!(
        redirect.header("location").as_deref(),
        Some("https://example.com/")
    );
    assert!(
        redirect.header("x-call-id").is_some(),
        "X-Call-Id on a 302 too"
    );
    mock.stop().await;
}

#[tokio::test]
async fn every_invocation_answer_carries_x_duration_seconds() {
    // Issue 2: "Every answer carries X-Duration-Seconds; in --as-gateway mode also X-Call-Id
    // and X-Start-Time" - refusals included.
    let mock = start(MockConfig {
        as_gateway: true,
        max_body_bytes: 256,
        ..config()
    })
    .await;
    mock.deploy_fn("cat", "cat").await;
    let answers = [
        mock.invoke("cat", "ok").await.expect(200),
        mock.invoke("missing", "x").await.expect(404),
        mock.invoke(".openfaas-fn", "").await.expect(404),
        mock.invoke("cat", vec![b'x'; 257]).await.expect(413),
    ];
    for reply in answers {
        for header in ["x-duration-seconds", "x-call-id", "x-start-time"] {
            assert!(
                reply.header(header).is_some(),
                "{}: {} answer lacks {header}; headers {:?}",
                reply.what,
                reply.status,
                reply.headers
            );
        }
    }
    mock.stop().await;
}
