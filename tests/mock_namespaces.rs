//! End-to-end tests of `/system/namespaces` and namespace CRUD on `/system/namespace/NAME`.

mod common;

use common::{config, start};
use faas_certifier::mock::MockConfig;
use faas_certifier::model::NamespaceRequest;
use reqwest::Method;
use serde_json::json;

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

#[tokio::test]
async fn namespaces_list_the_default_and_the_configured_ones() {
    let mock = start(MockConfig {
        namespaces: vec!["extra".into(), "team-b".into()],
        ..config()
    })
    .await;
    let got: Vec<String> = mock.get("/system/namespaces").await.expect(200).json();
    assert_eq!(
        sorted(got.clone()),
        ["extra", "openfaas-fn", "team-b"],
        "namespaces: {got:?}"
    );
    assert_eq!(got.len(), 3, "no duplicates: {got:?}");
    mock.stop().await;

    let bare = start(MockConfig {
        namespaces: vec![],
        ..config()
    })
    .await;
    let got: Vec<String> = bare.get("/system/namespaces").await.expect(200).json();
    assert_eq!(got, ["openfaas-fn"]);
    bare.stop().await;

    // The default and configured namespaces can be read one by one.
    let mock = start(config()).await;
    for name in ["openfaas-fn", "extra"] {
        let read: NamespaceRequest = mock
            .get(&format!("/system/namespace/{name}"))
            .await
            .expect(200)
            .json();
        assert_eq!(read.name, name);
    }
    mock.stop().await;
}

#[tokio::test]
async fn a_namespace_is_created_read_updated_used_and_deleted() {
    let mock = start(config()).await;
    mock.json(
        Method::POST,
        "/system/namespace/team-c",
        &json!({"name": "team-c", "labels": {"openfaas": "1"}, "annotations": {"owner": "qa"}}),
    )
    .await
    .expect(201);
    let got: Vec<String> = mock.get("/system/namespaces").await.expect(200).json();
    assert_eq!(sorted(got), ["extra", "openfaas-fn", "team-c"]);

    let read: NamespaceRequest = mock
        .get("/system/namespace/team-c")
        .await
        .expect(200)
        .json();
    assert_eq!(read.name, "team-c");
    assert_eq!(
        read.labels
            .as_ref()
            .and_then(|m| m.get("openfaas"))
            .map(String::as_str),
        Some("1"),
        "{read:?}"
    );
    assert_eq!(
        read.annotations
            .as_ref()
            .and_then(|m| m.get("owner"))
            .map(String::as_str),
        Some("qa"),
        "{read:?}"
    );

    mock.json(
        Method::PUT,
        "/system/namespace/team-c",
        &json!({"name": "team-c", "labels": {"openfaas": "1", "tier": "gold"}}),
    )
    .await
    .expect(202);
    let read: NamespaceRequest = mock
        .get("/system/namespace/team-c")
        .await
        .expect(200)
        .json();
    assert_eq!(
        read.labels
            .as_ref()
            .and_then(|m| m.get("tier"))
            .map(String::as_str),
        Some("gold"),
        "after update: {read:?}"
    );

    // The new namespace is usable by functions and secrets.
    mock.deploy(json!({"service": "f", "image": "i", "envProcess": "cat", "namespace": "team-c"}))
        .await;
    assert_eq!(mock.status("f", "team-c").await.namespace, "team-c");
    assert_eq!(mock.invoke("f.team-c", "hi").await.expect(200).text(), "hi");
    mock.json(
        Method::POST,
        "/system/secrets",
        &json!({"name": "s", "value": "v", "namespace": "team-c"}),
    )
    .await
    .expect(202);

    mock.send(
        "DELETE /system/namespace/team-c".into(),
        mock.req(Method::DELETE, "/system/namespace/team-c"),
    )
    .await
    .expect(202);
    mock.get("/system/namespace/team-c").await.expect_error(404);
    let got: Vec<String> = mock.get("/system/namespaces").await.expect(200).json();
    assert_eq!(sorted(got), ["extra", "openfaas-fn"]);
    mock.json(
        Method::POST,
        "/system/functions",
        &json!({"service": "g", "image": "i", "namespace": "team-c"}),
    )
    .await
    .expect_error(400);
    mock.invoke("f.team-c", "hi").await.expect(404);

    // Re-created, it starts empty: nothing of the deleted namespace comes back.
    mock.json(
        Method::POST,
        "/system/namespace/team-c",
        &json!({"name": "team-c"}),
    )
    .await
    .expect(201);
    let functions: serde_json::Value = mock
        .get("/system/functions?namespace=team-c")
        .await
        .expect(200)
        .json();
    assert_eq!(
        functions,
        json!([]),
        "functions of a deleted namespace came back"
    );
    let secrets: serde_json::Value = mock
        .get("/system/secrets?namespace=team-c")
        .await
        .expect(200)
        .json();
    assert_eq!(
        secrets,
        json!([]),
        "secrets of a deleted namespace came back"
    );
    mock.invoke("f.team-c", "hi").await.expect(404);
    mock.stop().await;
}

#[tokio::test]
async fn namespace_error_rows() {
    let mock = start(config()).await;
    mock.json(
        Method::POST,
        "/system/namespace/extra",
        &json!({"name": "extra"}),
    )
    .await
    .expect_error(409);
    mock.json(
        Method::POST,
        "/system/namespace/openfaas-fn",
        &json!({"name": "openfaas-fn"}),
    )
    .await
    .expect_error(409);
    mock.json(
        Method::POST,
        "/system/namespace/new-one",
        &json!({"name": "other-name"}),
    )
    .await
    .expect_error(400);
    mock.get("/system/namespace/new-one")
        .await
        .expect_error(404);

    mock.get("/system/namespace/missing")
        .await
        .expect_error(404);
    mock.json(
        Method::PUT,
        "/system/namespace/missing",
        &json!({"name": "missing"}),
    )
    .await
    .expect_error(404);
    mock.send(
        "DELETE /system/namespace/missing".into(),
        mock.req(Method::DELETE, "/system/namespace/missing"),
    )
    .await
    .expect_error(404);
    mock.json(
        Method::PUT,
        "/system/namespace/extra",
        &json!({"name": "not-extra"}),
    )
    .await
    .expect_error(400);
    mock.raw(Method::POST, "/system/namespace/brand-new", "{nope")
        .await
        .expect_error(400);

    mock.json(
        Method::POST,
        "/system/namespace/dup",
        &json!({"name": "dup"}),
    )
    .await
    .expect(201);
    mock.json(
        Method::POST,
        "/system/namespace/dup",
        &json!({"name": "dup"}),
    )
    .await
    .expect_error(409);
    mock.send(
        "DELETE /system/namespace/dup".into(),
        mock.req(Method::DELETE, "/system/namespace/dup"),
    )
    .await
    .expect(202);
    mock.send(
        "DELETE /system/namespace/dup".into(),
        mock.req(Method::DELETE, "/system/namespace/dup"),
    )
    .await
    .expect_error(404);
    let got: Vec<String> = mock.get("/system/namespaces").await.expect(200).json();
    assert_eq!(
        sorted(got),
        ["extra", "openfaas-fn"],
        "failed requests changed nothing"
    );
    mock.stop().await;
}
