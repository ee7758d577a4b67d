//! End-to-end tests of secrets: create with `value` or `rawValue`, list without values,
//! update, delete, per namespace, the error rows, and reading them from a function.

mod common;

use common::{config, names, start, Mock, DEFAULT_NS, EXTRA_NS};
use reqwest::Method;
use serde_json::{json, Value};

/// Deploys `cat /var/openfaas/secrets/{secret}` as `name` in `ns`.
async fn deploy_reader(mock: &Mock, name: &str, ns: &str, secret: &str) {
    mock.deploy(json!({
        "service": name,
        "image": "ghcr.io/openfaas/alpine:latest",
        "envProcess": format!("cat /var/openfaas/secrets/{secret}"),
        "secrets": [secret],
        "namespace": ns
    }))
    .await;
}

/// Asserts that no item of a secret list carries a value.
#[track_caller]
fn assert_no_values(list: &Value) {
    for item in list
        .as_array()
        .unwrap_or_else(|| panic!("want an array, got {list}"))
    {
        for key in ["value", "rawValue"] {
            let leaked = item
                .get(key)
                .is_some_and(|v| !v.is_null() && v != &json!(""));
            assert!(!leaked, "secret lists must not reveal values, got {item}");
        }
    }
}

#[tokio::test]
async fn a_string_secret_is_created_listed_read_updated_and_deleted() {
    let mock = start(config()).await;
    let empty: Value = mock.get("/system/secrets").await.expect(200).json();
    assert_eq!(empty, json!([]), "no secrets yet");

    mock.json(
        Method::POST,
        "/system/secrets",
        &json!({"name": "db-pass", "value": "hunter2"}),
    )
    .await
    .expect(202);
    let list: Value = mock.get("/system/secrets").await.expect(200).json();
    assert_eq!(names(&list), ["db-pass"]);
    assert_eq!(
        list[0]["namespace"],
        json!(DEFAULT_NS),
        "listed with its namespace: {list}"
    );
    assert_no_values(&list);

    deploy_reader(&mock, "reader", DEFAULT_NS, "db-pass").await;
    assert_eq!(
        mock.invoke("reader", "").await.expect(200).text(),
        "hunter2"
    );

    mock.json(
        Method::PUT,
        "/system/secrets",
        &json!({"name": "db-pass", "value": "correct horse"}),
    )
    .await
    .expect(202);
    assert_eq!(
        mock.invoke("reader", "").await.expect(200).text(),
        "correct horse",
        "the function reads the secret's current value"
    );
    let list: Value = mock.get("/system/secrets").await.expect(200).json();
    assert_eq!(names(&list), ["db-pass"], "update does not duplicate");
    assert_no_values(&list);

    mock.json(
        Method::DELETE,
        "/system/secrets",
        &json!({"name": "db-pass"}),
    )
    .await
    .expect(202);
    let list: Value = mock.get("/system/secrets").await.expect(200).json();
    assert_eq!(list, json!([]), "deleted secret still listed");
    mock.stop().await;
}

#[tokio::test]
async fn raw_value_secrets_are_binary_safe() {
    let mock = start(config()).await;
    let bytes: Vec<u8> = (0..=255u8).rev().chain(0..=255u8).collect();
    let raw = faas_certifier::model::Secret {
        name: "blob".into(),
        raw_value: bytes.clone(),
        ..Default::default()
    };
    let body = serde_json::to_value(&raw).expect("secret serialises");
    assert!(
        body.get("rawValue").is_some(),
        "rawValue sent as base64: {body}"
    );
    mock.json(Method::POST, "/system/secrets", &body)
        .await
        .expect(202);
    deploy_reader(&mock, "blob-reader", DEFAULT_NS, "blob").await;
    let reply = mock.invoke("blob-reader", "ignored").await.expect(200);
    assert!(
        reply.body.as_ref() == bytes.as_slice(),
        "rawValue bytes come back exactly, got {:?}",
        reply.body
    );

    // Updating with rawValue replaces the bytes.
    let newer = faas_certifier::model::Secret {
        name: "blob".into(),
        raw_value: vec![0, 0, 10, 13, 255],
        ..Default::default()
    };
    mock.json(
        Method::PUT,
        "/system/secrets",
        &serde_json::to_value(&newer).expect("serialises"),
    )
    .await
    .expect(202);
    let reply = mock.invoke("blob-reader", "").await.expect(200);
    assert_eq!(reply.body.as_ref(), &[0, 0, 10, 13, 255]);

    let list: Value = mock.get("/system/secrets").await.expect(200).json();
    assert_no_values(&list);
    mock.stop().await;
}

#[tokio::test]
async fn secret_error_rows() {
    let mock = start(config()).await;
    mock.json(
        Method::POST,
        "/system/secrets",
        &json!({"name": "dup", "value": "a"}),
    )
    .await
    .expect(202);
    mock.json(
        Method::POST,
        "/system/secrets",
        &json!({"name": "dup", "value": "b"}),
    )
    .await
    .expect_error(409);
    mock.json(
        Method::PUT,
        "/system/secrets",
        &json!({"name": "ghost", "value": "b"}),
    )
    .await
    .expect_error(404);
    mock.json(Method::DELETE, "/system/secrets", &json!({"name": "ghost"}))
        .await
        .expect_error(404);
    mock.raw(Method::POST, "/system/secrets", "{bad json")
        .await
        .expect_error(400);
    mock.raw(Method::PUT, "/system/secrets", "{bad json")
        .await
        .expect_error(400);
    mock.raw(Method::DELETE, "/system/secrets", "{bad json")
        .await
        .expect_error(400);
    mock.json(
        Method::POST,
        "/system/secrets",
        &json!({"name": "bad", "rawValue": "!!not base64!!"}),
    )
    .await
    .expect_error(400);
    mock.json(
        Method::POST,
        "/system/secrets",
        &json!({"name": "lost", "value": "v", "namespace": "nowhere"}),
    )
    .await
    .expect_error(400);
    mock.get("/system/secrets?namespace=nowhere")
        .await
        .expect_error(400);

    // The duplicate did not overwrite the first value.
    deploy_reader(&mock, "dup-reader", DEFAULT_NS, "dup").await;
    assert_eq!(mock.invoke("dup-reader", "").await.expect(200).text(), "a");
    let list: Value = mock.get("/system/secrets").await.expect(200).json();
    assert_eq!(names(&list), ["dup"]);
    mock.stop().await;
}

#[tokio::test]
async fn secrets_are_per_namespace() {
    let mock = start(config()).await;
    mock.json(
        Method::POST,
        "/system/secrets",
        &json!({"name": "token", "value": "default-value"}),
    )
    .await
    .expect(202);
    mock.json(
        Method::POST,
        "/system/secrets",
        &json!({"name": "token", "value": "extra-value", "namespace": EXTRA_NS}),
    )
    .await
    .expect(202);
    mock.json(
        Method::POST,
        "/system/secrets",
        &json!({"name": "extra-only", "value": "x", "namespace": EXTRA_NS}),
    )
    .await
    .expect(202);

    let default: Value = mock.get("/system/secrets").await.expect(200).json();
    assert_eq!(names(&default), ["token"]);
    let extra: Value = mock
        .get("/system/secrets?namespace=extra")
        .await
        .expect(200)
        .json();
    assert_eq!(names(&extra), ["extra-only", "token"]);
    for item in extra.as_array().expect("array") {
        assert_eq!(
            item["namespace"],
            json!(EXTRA_NS),
            "listed in extra: {item}"
        );
    }
    assert_no_values(&extra);

    deploy_reader(&mock, "reader", DEFAULT_NS, "token").await;
    deploy_reader(&mock, "reader", EXTRA_NS, "token").await;
    assert_eq!(
        mock.invoke("reader", "").await.expect(200).text(),
        "default-value"
    );
    assert_eq!(
        mock.invoke("reader.extra", "").await.expect(200).text(),
        "extra-value"
    );

    mock.json(
        Method::PUT,
        "/system/secrets",
        &json!({"name": "token", "value": "extra-2", "namespace": EXTRA_NS}),
    )
    .await
    .expect(202);
    assert_eq!(
        mock.invoke("reader.extra", "").await.expect(200).text(),
        "extra-2"
    );
    assert_eq!(
        mock.invoke("reader", "").await.expect(200).text(),
        "default-value"
    );

    // Updating or deleting in the wrong namespace is a 404.
    mock.json(
        Method::PUT,
        "/system/secrets",
        &json!({"name": "extra-only", "value": "y"}),
    )
    .await
    .expect_error(404);
    mock.json(
        Method::DELETE,
        "/system/secrets",
        &json!({"name": "extra-only"}),
    )
    .await
    .expect_error(404);
    mock.json(
        Method::DELETE,
        "/system/secrets",
        &json!({"name": "extra-only", "namespace": EXTRA_NS}),
    )
    .await
    .expect(202);
    let extra: Value = mock
        .get("/system/secrets?namespace=extra")
        .await
        .expect(200)
        .json();
    assert_eq!(names(&extra), ["token"]);
    let default: Value = mock.get("/system/secrets").await.expect(200).json();
    assert_eq!(
        names(&default),
        ["token"],
        "deleting in extra leaves openfaas-fn alone"
    );
    mock.stop().await;
}
