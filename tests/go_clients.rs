//! The mock driven the way Go clients drive a provider: requests shaped like faas-cli's
//! (through the OpenFaaS Go SDK), answers decoded into structs mirroring faas-provider's Go
//! types. A pointer field Go clients dereference (`labels`, `annotations`) is required
//! here, so a status that leaves one out fails this test before it crashes a Go client
//! (`status.always-labels-annotations`).

mod common;

use std::collections::BTreeMap;

use common::{config, start, Mock, DEFAULT_NS, EXTRA_NS};
use faas_certifier::mock::MockConfig;
use reqwest::Method;
use serde::Deserialize;
use serde_json::json;

/// faas-provider `types.FunctionResources`.
#[derive(Debug, Deserialize)]
#[allow(dead_code)]
struct GoFunctionResources {
    #[serde(default)]
    memory: String,
    #[serde(default)]
    cpu: String,
}

/// faas-provider `types.FunctionStatus`; `Labels` and `Annotations` are `*map[string]string`
/// that clients dereference, so they are required (not `Option`, no default).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)]
struct GoFunctionStatus {
    name: String,
    image: String,
    #[serde(default)]
    invocation_count: f64,
    #[serde(default)]
    replicas: u64,
    #[serde(default)]
    available_replicas: u64,
    #[serde(default)]
    env_process: String,
    #[serde(default)]
    env_vars: BTreeMap<String, String>,
    #[serde(default)]
    constraints: Vec<String>,
    #[serde(default)]
    secrets: Vec<String>,
    labels: BTreeMap<String, String>,
    annotations: BTreeMap<String, String>,
    #[serde(default)]
    limits: Option<GoFunctionResources>,
    #[serde(default)]
    requests: Option<GoFunctionResources>,
    #[serde(default)]
    read_only_root_filesystem: bool,
    namespace: String,
}

/// faas-provider `types.ProviderInfo` inside the gateway's `GatewayInfo`.
#[derive(Debug, Deserialize)]
#[allow(dead_code)]
struct GoProviderInfo {
    provider: String,
    orchestration: String,
    version: GoVersionInfo,
}

#[derive(Debug, Deserialize)]
#[allow(dead_code)]
struct GoVersionInfo {
    sha: String,
    release: String,
}

/// faas-provider `types.Secret`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)]
struct GoSecret {
    name: String,
    #[serde(default)]
    namespace: String,
}

/// faas-cli's deploy body: every field written, nil maps as `null` in older releases.
fn faas_cli_deployment(name: &str, ns: &str, nil_maps: bool) -> serde_json::Value {
    let empty = if nil_maps { json!(null) } else { json!({}) };
    json!({
        "service": name,
        "image": "ghcr.io/openfaas/alpine:latest",
        "network": "",
        "envProcess": "env",
        "envVars": {},
        "constraints": [],
        "secrets": [],
        "labels": empty,
        "annotations": empty,
        "limits": null,
        "requests": null,
        "readOnlyRootFilesystem": false,
        "namespace": ns,
    })
}

async fn drive_like_faas_cli(mock: &Mock) {
    for (name, ns, nil_maps) in [("plain", DEFAULT_NS, false), ("old-cli", EXTRA_NS, true)] {
        mock.json(
            Method::POST,
            "/system/functions",
            &faas_cli_deployment(name, ns, nil_maps),
        )
        .await
        .expect(202);
        // faas-cli describe
        let status: GoFunctionStatus = mock
            .get(&format!("/system/function/{name}?namespace={ns}&usage=1"))
            .await
            .expect(200)
            .json();
        assert_eq!(status.name, name);
        assert_eq!(status.namespace, ns);
        assert_eq!(
            status.labels.get("faas_function").map(String::as_str),
            Some(name)
        );
        assert!(status.annotations.is_empty(), "{status:?}");
        // faas-cli list
        let list: Vec<GoFunctionStatus> = mock
            .get(&format!("/system/functions?namespace={ns}"))
            .await
            .expect(200)
            .json();
        assert!(list.iter().any(|f| f.name == name), "{list:?}");
        // faas-cli scale
        mock.json(
            Method::POST,
            &format!("/system/scale-function/{name}?namespace={ns}"),
            &json!({"serviceName": name, "replicas": 2, "namespace": ns}),
        )
        .await
        .expect(202);
    }
    // faas-cli secret create / list
    mock.json(
        Method::POST,
        "/system/secrets",
        &json!({"name": "db-pass", "namespace": DEFAULT_NS, "value": "s3cret"}),
    )
    .await
    .expect(202);
    let secrets: Vec<GoSecret> = mock
        .get(&format!("/system/secrets?namespace={DEFAULT_NS}"))
        .await
        .expect(200)
        .json();
    assert!(secrets.iter().any(|s| s.name == "db-pass"), "{secrets:?}");
    // faas-cli remove
    mock.json(
        Method::DELETE,
        "/system/functions",
        &json!({"functionName": "plain", "namespace": DEFAULT_NS}),
    )
    .await
    .expect(202);
}

#[tokio::test]
async fn a_provider_answers_go_clients_with_every_pointer_they_dereference() {
    let mock = start(config()).await;
    let info: GoProviderInfo = mock.get("/system/info").await.expect(200).json();
    assert_eq!(info.provider, "faas-certifier-mock");
    drive_like_faas_cli(&mock).await;
}

#[tokio::test]
async fn a_gateway_and_a_chain_answer_go_clients_too() {
    #[derive(Debug, Deserialize)]
    struct GoGatewayInfo {
        provider: GoProviderInfo,
        version: GoVersionInfo,
    }
    let gateway = start(MockConfig {
        as_gateway: true,
        ..config()
    })
    .await;
    let provider = start(config()).await;
    let chained = start(MockConfig {
        as_gateway: true,
        upstream: Some(provider.url.clone()),
        ..config()
    })
    .await;
    for mock in [&gateway, &chained] {
        let info: GoGatewayInfo = mock.get("/system/info").await.expect(200).json();
        assert!(!info.version.release.is_empty());
        assert_eq!(info.provider.provider, "faas-certifier-mock");
        drive_like_faas_cli(mock).await;
    }
}
