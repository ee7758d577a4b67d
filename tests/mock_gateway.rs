//! The mock's gateway mode over real HTTP: what the CE gateway changes on the way (HEAD
//! /healthz, scale clamping, namespace CRUD routed, logs relabelled, X-Forwarded-*,
//! Http_Path=/), what the Pro gateway keeps, and a gateway mock forwarding to a provider mock
//! over HTTP (a real chain).

mod common;

use common::{config, env_value, start, Mock, DEFAULT_NS};
use faas_certifier::mock::{Flavour, MockConfig};
use faas_certifier::model::GatewayInfo;
use reqwest::Method;
use serde_json::json;

fn ce_gateway() -> MockConfig {
    MockConfig {
        as_gateway: true,
        ..config()
    }
}

fn pro_gateway() -> MockConfig {
    MockConfig {
        as_gateway: true,
        gateway_pro: true,
        ..config()
    }
}

/// A provider mock and a CE gateway mock forwarding to it; the gateway first.
async fn chain() -> (Mock, Mock) {
    let provider = start(config()).await;
    let gateway = start(MockConfig {
        upstream: Some(provider.url.clone()),
        ..ce_gateway()
    })
    .await;
    (gateway, provider)
}

/// The CE gateway mode in-process, and as a chain (with the provider it forwards to).
async fn ce_gateways() -> Vec<(Mock, Option<Mock>)> {
    let (gateway, provider) = chain().await;
    vec![(start(ce_gateway()).await, None), (gateway, Some(provider))]
}

async fn head_healthz(mock: &Mock) -> u16 {
    mock.send("HEAD /healthz".into(), mock.req(Method::HEAD, "/healthz"))
        .await
        .status
        .as_u16()
}

async fn scale_to_zero_reads_back(mock: &Mock, name: &str) -> u64 {
    mock.deploy_fn(name, "env").await;
    mock.scale(name, DEFAULT_NS, 0).await;
    mock.status(name, DEFAULT_NS).await.replicas
}

#[tokio::test]
async fn the_ce_gateway_answers_head_healthz_405_and_clamps_zero_to_one() {
    for (gateway, _provider) in ce_gateways().await {
        assert_eq!(head_healthz(&gateway).await, 405);
        gateway.get("/healthz").await.expect(200);
        assert_eq!(scale_to_zero_reads_back(&gateway, "clamped").await, 1);
        gateway
            .json(
                Method::POST,
                "/system/scale-function/clamped",
                &json!({"serviceName": "clamped", "replicas": 50, "namespace": DEFAULT_NS}),
            )
            .await
            .expect(202);
        assert_eq!(gateway.status("clamped", DEFAULT_NS).await.replicas, 5);
    }
}

#[tokio::test]
async fn the_pro_gateway_scales_to_zero_and_a_provider_answers_head() {
    let pro = start(pro_gateway()).await;
    assert_eq!(scale_to_zero_reads_back(&pro, "zero").await, 0);
    let provider = start(config()).await;
    assert_eq!(head_healthz(&provider).await, 200);
    assert_eq!(scale_to_zero_reads_back(&provider, "zero").await, 0);
}

#[tokio::test]
async fn namespace_crud_is_routed_by_both_gateways() {
    // The CE gateway routes /system/namespace/{ns} since 68ec0f59 (2023-07-07).
    let (chained, _provider) = chain().await;
    for gateway in [
        start(ce_gateway()).await,
        chained,
        start(pro_gateway()).await,
    ] {
        gateway
            .raw(Method::POST, "/system/namespace/made-here", "")
            .await
            .expect(201);
        gateway.get("/system/namespace/made-here").await.expect(200);
        gateway.get("/system/namespaces").await.expect(200);
    }
    // A provider without namespace CRUD answers for itself behind the gateway.
    let faas_netes = start(MockConfig {
        flavour: Flavour::FaasNetes,
        ..ce_gateway()
    })
    .await;
    faas_netes
        .get("/system/namespace/anything")
        .await
        .expect(501);
}

#[tokio::test]
async fn logs_come_as_text_and_provider_refusals_as_500() {
    for (gateway, _provider) in ce_gateways().await {
        gateway.deploy_fn("talker", "cat").await;
        gateway.invoke("talker", "hi").await.expect(200);
        let logs = gateway
            .get("/system/logs?name=talker&namespace=openfaas-fn")
            .await
            .expect(200);
        assert_eq!(
            logs.header("content-type").as_deref(),
            Some("text/plain; charset=utf-8")
        );
        assert!(logs.text().contains("Forking fprocess"), "{}", logs.text());
        let bad = gateway.get("/system/logs?name=talker&tail=many").await;
        assert_eq!(bad.status.as_u16(), 500, "{}", bad.text());
        assert_eq!(bad.text(), "unknown log request error (422)\n");
        let unknown = gateway.get("/system/logs?name=nobody").await;
        assert_eq!(unknown.status.as_u16(), 501, "{}", unknown.text());
    }
    let provider = start(config()).await;
    provider.deploy_fn("talker", "cat").await;
    let logs = provider.get("/system/logs?name=talker").await.expect(200);
    assert_eq!(
        logs.header("content-type").as_deref(),
        Some("application/x-ndjson")
    );
    provider
        .get("/system/logs?name=talker&tail=many")
        .await
        .expect_error(422);
}

#[tokio::test]
async fn functions_see_what_they_would_behind_the_gateway() {
    for (gateway, _provider) in ce_gateways().await {
        gateway.deploy_fn("env-fn", "env").await;
        let reply = gateway.invoke("env-fn", "").await.expect(200);
        let text = reply.text();
        assert_eq!(
            env_value(&text, "Http_Path").as_deref(),
            Some("/"),
            "{text}"
        );
        let forwarded_for =
            env_value(&text, "Http_X_Forwarded_For").unwrap_or_else(|| panic!("{text}"));
        assert!(
            forwarded_for.starts_with("127.0.0.1:"),
            "X-Forwarded-For is the caller's ip:port, got {forwarded_for}"
        );
        assert_eq!(
            env_value(&text, "Http_X_Forwarded_Host").as_deref(),
            Some(gateway.host.as_str()),
            "{text}"
        );
        let call_id = reply.header("x-call-id").expect("X-Call-Id");
        assert_eq!(
            env_value(&text, "Http_X_Call_Id").as_deref(),
            Some(call_id.as_str())
        );
        assert!(reply.header("x-start-time").is_some());
        // A sub-path is kept as it is.
        let sub = gateway.invoke("env-fn/a/b?x=1", "").await.expect(200);
        assert_eq!(env_value(&sub.text(), "Http_Path").as_deref(), Some("/a/b"));
        assert_eq!(env_value(&sub.text(), "Http_Query").as_deref(), Some("x=1"));
    }
}

#[tokio::test]
async fn a_chained_gateway_wraps_its_providers_info_and_shares_its_state() {
    let (gateway, provider) = chain().await;
    let info: GatewayInfo = gateway.get("/system/info").await.expect(200).json();
    let inner = info.provider.expect("the provider's info");
    assert_eq!(inner.provider, "faas-certifier-mock");
    assert!(!info.version.release.is_empty());
    gateway.deploy_fn("shared", "cat").await;
    assert_eq!(provider.status("shared", DEFAULT_NS).await.name, "shared");
    // A redirect from a function is passed back untouched.
    gateway
        .deploy(
            json!({"service": "jump", "image": "ghcr.io/openfaas/redirector:latest",
                       "envVars": {"destination": "https://example.com/"}}),
        )
        .await;
    let redirect = gateway.invoke("jump", "").await.expect(302);
    assert_eq!(
        redirect.header("location").as_deref(),
        Some("https://example.com/")
    );
}

#[tokio::test]
async fn a_gateway_whose_provider_is_down_answers_502() {
    let provider = start(config()).await;
    let url = provider.url.clone();
    provider.stop().await;
    let gateway = start(MockConfig {
        upstream: Some(url),
        ..ce_gateway()
    })
    .await;
    let reply = gateway.get("/system/functions").await;
    assert_eq!(reply.status.as_u16(), 502, "{}", reply.text());
    assert!(reply.text().contains("cannot reach the provider"));
}
