//! End-to-end tests of the mock's function CRUD: deploy, update, delete, list, status,
//! in the default and an extra namespace, and every error row of issue 2.

mod common;

use std::collections::BTreeMap;

use common::{config, names, start, DEFAULT_NS, EXTRA_NS};
use faas_certifier::mock::MockConfig;
use faas_certifier::model::{FunctionStatus, Resources};
use reqwest::Method;
use serde_json::{json, Value};

/// A deploy body that sets every field the contract lists.
fn full_deployment(name: &str, secret: &str) -> Value {
    json!({
        "service": name,
        "image": "ghcr.io/openfaas/alpine:3.20",
        "envProcess": "env",
        "envVars": {"custom_env": "custom_value", "other": "x y z"},
        "labels": {"team": "certify", "com.openfaas.scale.min": "1"},
        "annotations": {
            "topic": "faas-certifier",
            "json": "{\n  \"multi\": \"line\",\n  \"n\": 1\n}"
        },
        "secrets": [secret],
        "constraints": ["node.platform.os == linux"],
        "limits": {"memory": "5Mi", "cpu": "100m"},
        "requests": {"memory": "1Mi", "cpu": "10m"},
        "readOnlyRootFilesystem": true
    })
}

/// Asserts that `got` echoes everything in `full_deployment(name, secret)`.
#[track_caller]
fn assert_echoes_full(got: &FunctionStatus, name: &str, ns: &str, secret: &str) {
    assert_eq!(got.name, name, "name");
    assert_eq!(got.image, "ghcr.io/openfaas/alpine:3.20", "image");
    assert_eq!(got.namespace, ns, "namespace");
    assert_eq!(got.env_process, "env", "envProcess");
    let want_env: BTreeMap<String, String> = [("custom_env", "custom_value"), ("other", "x y z")]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    assert_eq!(got.env_vars, want_env, "envVars");
    assert_eq!(
        got.labels.get("team").map(String::as_str),
        Some("certify"),
        "labels: {:?}",
        got.labels
    );
    assert_eq!(
        got.labels.get("faas_function").map(String::as_str),
        Some(name),
        "want label faas_function={name}, got labels {:?}",
        got.labels
    );
    assert_eq!(
        got.annotations.get("topic").map(String::as_str),
        Some("faas-certifier")
    );
    assert_eq!(
        got.annotations.get("json").map(String::as_str),
        Some("{\n  \"multi\": \"line\",\n  \"n\": 1\n}"),
        "multi-line annotation must round-trip"
    );
    assert_eq!(got.secrets, vec![secret.to_string()], "secrets");
    assert_eq!(
        got.constraints,
        vec!["node.platform.os == linux".to_string()],
        "constraints"
    );
    assert_eq!(
        got.limits,
        Some(Resources {
            memory: "5Mi".into(),
            cpu: "100m".into()
        }),
        "limits"
    );
    assert_eq!(
        got.requests,
        Some(Resources {
            memory: "1Mi".into(),
            cpu: "10m".into()
        }),
        "requests"
    );
    assert!(got.read_only_root_filesystem, "readOnlyRootFilesystem");
    assert_eq!(got.replicas, 1, "replicas");
    let created = got
        .created_at
        .as_deref()
        .unwrap_or_else(|| panic!("createdAt missing for {name}"));
    let created = chrono::DateTime::parse_from_rfc3339(created)
        .unwrap_or_else(|e| panic!("createdAt {created:?} is not RFC 3339: {e}"));
    let age = chrono::Utc::now().signed_duration_since(created);
    assert!(
        age.num_seconds().abs() < 60,
        "createdAt {created} should be close to now, is {age} away"
    );
}

#[tokio::test]
async fn list_is_an_empty_array_before_any_deploy() {
    let mock = start(config()).await;
    for path in [
        "/system/functions",
        "/system/functions?namespace=openfaas-fn",
        "/system/functions?namespace=extra",
    ] {
        let list: Value = mock.get(path).await.expect(200).json();
        assert_eq!(list, json!([]), "GET {path}: want [], got {list}");
    }
    mock.stop().await;
}

#[tokio::test]
async fn deploy_answers_202_and_status_echoes_every_field() {
    let mock = start(config()).await;
    mock.json(
        Method::POST,
        "/system/secrets",
        &json!({"name": "api-key", "value": "s3cr3t"}),
    )
    .await
    .expect(202);
    mock.deploy(full_deployment("echo-all", "api-key")).await;

    let got = mock.status("echo-all", DEFAULT_NS).await;
    assert_echoes_full(&got, "echo-all", DEFAULT_NS, "api-key");
    assert_eq!(
        got.invocation_count, 0,
        "invocationCount before any invocation"
    );

    // Status without ?namespace= means the default namespace.
    let plain: FunctionStatus = mock
        .get("/system/function/echo-all")
        .await
        .expect(200)
        .json();
    assert_eq!(plain.name, "echo-all");
    // faas-cli describe sends usage=1.
    let usage: FunctionStatus = mock
        .get("/system/function/echo-all?namespace=openfaas-fn&usage=1")
        .await
        .expect(200)
        .json();
    assert_eq!(usage.name, "echo-all");
    mock.stop().await;
}

#[tokio::test]
async fn list_echoes_every_field_and_holds_exactly_the_deployed_functions() {
    let mock = start(config()).await;
    mock.json(
        Method::POST,
        "/system/secrets",
        &json!({"name": "api-key", "value": "s3cr3t"}),
    )
    .await
    .expect(202);
    mock.deploy(full_deployment("first", "api-key")).await;
    mock.deploy_fn("second", "cat").await;

    let list: Vec<FunctionStatus> = mock.get("/system/functions").await.expect(200).json();
    let mut got: Vec<&str> = list.iter().map(|f| f.name.as_str()).collect();
    got.sort();
    assert_eq!(got, ["first", "second"], "list names");
    let first = list
        .iter()
        .find(|f| f.name == "first")
        .expect("first listed");
    assert_echoes_full(first, "first", DEFAULT_NS, "api-key");
    let second = list
        .iter()
        .find(|f| f.name == "second")
        .expect("second listed");
    assert_eq!(second.env_process, "cat");
    assert_eq!(second.replicas, 1);
    assert_eq!(
        second.labels.get("faas_function").map(String::as_str),
        Some("second")
    );

    // The extra namespace is separate.
    let extra: Value = mock
        .get("/system/functions?namespace=extra")
        .await
        .expect(200)
        .json();
    assert_eq!(
        extra,
        json!([]),
        "functions deployed to openfaas-fn must not show in extra"
    );
    mock.stop().await;
}

#[tokio::test]
async fn deploy_accepts_null_labels_and_annotations_like_older_faas_cli() {
    let mock = start(config()).await;
    mock.deploy(json!({
        "service": "nulls",
        "image": "ghcr.io/openfaas/alpine:latest",
        "envProcess": "cat",
        "labels": null,
        "annotations": null,
        "envVars": null,
        "secrets": null
    }))
    .await;
    let got = mock.status("nulls", DEFAULT_NS).await;
    assert_eq!(
        got.labels.get("faas_function").map(String::as_str),
        Some("nulls")
    );
    assert_eq!(got.replicas, 1);
    mock.stop().await;
}

#[tokio::test]
async fn functions_live_in_the_namespace_named_in_the_body() {
    let mock = start(config()).await;
    mock.json(
        Method::POST,
        "/system/secrets",
        &json!({"name": "api-key", "value": "v", "namespace": EXTRA_NS}),
    )
    .await
    .expect(202);
    let mut body = full_deployment("ns-fn", "api-key");
    body["namespace"] = json!(EXTRA_NS);
    mock.deploy(body).await;

    let got = mock.status("ns-fn", EXTRA_NS).await;
    assert_echoes_full(&got, "ns-fn", EXTRA_NS, "api-key");
    let extra: Vec<FunctionStatus> = mock
        .get("/system/functions?namespace=extra")
        .await
        .expect(200)
        .json();
    assert_eq!(extra.len(), 1, "list of extra: {extra:?}");
    assert_eq!(extra[0].namespace, EXTRA_NS);
    let default: Value = mock.get("/system/functions").await.expect(200).json();
    assert_eq!(
        default,
        json!([]),
        "a function in extra must not show in openfaas-fn"
    );
    mock.get("/system/function/ns-fn?namespace=openfaas-fn")
        .await
        .expect_error(404);

    // The same name may exist in both namespaces.
    mock.deploy_fn("ns-fn", "cat").await;
    assert_eq!(mock.status("ns-fn", DEFAULT_NS).await.env_process, "cat");
    assert_eq!(mock.status("ns-fn", EXTRA_NS).await.env_process, "env");
    mock.stop().await;
}

#[tokio::test]
async fn update_answers_202_and_replaces_the_deployment() {
    let mock = start(config()).await;
    mock.deploy(json!({
        "service": "upd",
        "image": "img:1",
        "envProcess": "cat",
        "envVars": {"a": "1"},
        "labels": {"version": "1"}
    }))
    .await;
    let before = mock.status("upd", DEFAULT_NS).await;

    mock.json(
        Method::PUT,
        "/system/functions",
        &json!({
            "service": "upd",
            "image": "img:2",
            "envProcess": "env",
            "envVars": {"b": "2"},
            "labels": {"version": "2"},
            "annotations": {"note": "updated"},
            "limits": {"memory": "10Mi"}
        }),
    )
    .await
    .expect(202);

    let after = mock.status("upd", DEFAULT_NS).await;
    assert_eq!(after.image, "img:2");
    assert_eq!(after.env_process, "env");
    assert_eq!(after.env_vars.get("b").map(String::as_str), Some("2"));
    assert!(
        !after.env_vars.contains_key("a"),
        "update replaces envVars, got {:?}",
        after.env_vars
    );
    assert_eq!(after.labels.get("version").map(String::as_str), Some("2"));
    assert_eq!(
        after.labels.get("faas_function").map(String::as_str),
        Some("upd")
    );
    assert_eq!(
        after.annotations.get("note").map(String::as_str),
        Some("updated")
    );
    assert_eq!(
        after.limits.as_ref().map(|l| l.memory.as_str()),
        Some("10Mi")
    );
    assert_eq!(
        after.created_at, before.created_at,
        "update must not change createdAt"
    );

    // The new fprocess is what runs now.
    let reply = mock.invoke("upd", "x").await.expect(200);
    assert!(
        reply.text().contains("b=2"),
        "invoke after update should run env, got {:?}",
        reply.text()
    );

    // Update in the extra namespace, named in the body.
    let mut extra =
        json!({"service": "upd", "image": "img:1", "envProcess": "cat", "namespace": EXTRA_NS});
    mock.deploy(extra.clone()).await;
    extra["image"] = json!("img:extra");
    mock.json(Method::PUT, "/system/functions", &extra)
        .await
        .expect(202);
    assert_eq!(mock.status("upd", EXTRA_NS).await.image, "img:extra");
    assert_eq!(mock.status("upd", DEFAULT_NS).await.image, "img:2");
    mock.stop().await;
}

#[tokio::test]
async fn delete_answers_202_with_the_namespace_in_query_or_body() {
    let mock = start(config()).await;
    mock.deploy_fn("gone", "cat").await;
    mock.json(
        Method::DELETE,
        "/system/functions",
        &json!({"functionName": "gone"}),
    )
    .await
    .expect(202);
    mock.get("/system/function/gone").await.expect_error(404);
    let list: Value = mock.get("/system/functions").await.expect(200).json();
    assert_eq!(list, json!([]), "list after delete");
    mock.invoke("gone", "x").await.expect(404);

    // Namespace only in the query (faas-netes style).
    mock.deploy(json!({"service": "q", "image": "i", "envProcess": "cat", "namespace": EXTRA_NS}))
        .await;
    mock.json(
        Method::DELETE,
        "/system/functions?namespace=extra",
        &json!({"functionName": "q"}),
    )
    .await
    .expect(202);
    mock.get("/system/function/q?namespace=extra")
        .await
        .expect_error(404);

    // Namespace only in the body (faasd style).
    mock.deploy(json!({"service": "b", "image": "i", "envProcess": "cat", "namespace": EXTRA_NS}))
        .await;
    mock.json(
        Method::DELETE,
        "/system/functions",
        &json!({"functionName": "b", "namespace": EXTRA_NS}),
    )
    .await
    .expect(202);
    mock.get("/system/function/b?namespace=extra")
        .await
        .expect_error(404);

    // Deleting in one namespace leaves the same name in another alone.
    mock.deploy_fn("twin", "cat").await;
    mock.deploy(
        json!({"service": "twin", "image": "i", "envProcess": "cat", "namespace": EXTRA_NS}),
    )
    .await;
    mock.json(
        Method::DELETE,
        "/system/functions?namespace=extra",
        &json!({"functionName": "twin", "namespace": EXTRA_NS}),
    )
    .await
    .expect(202);
    assert_eq!(mock.status("twin", DEFAULT_NS).await.name, "twin");
    let extra: Value = mock
        .get("/system/functions?namespace=extra")
        .await
        .expect(200)
        .json();
    assert_eq!(names(&extra), Vec::<String>::new());
    mock.stop().await;
}

#[tokio::test]
async fn malformed_and_incomplete_bodies_are_400() {
    let mock = start(config()).await;
    mock.raw(Method::POST, "/system/functions", "{not json")
        .await
        .expect_error(400);
    mock.raw(Method::PUT, "/system/functions", "{not json")
        .await
        .expect_error(400);
    mock.raw(Method::DELETE, "/system/functions", "{not json")
        .await
        .expect_error(400);
    mock.raw(Method::POST, "/system/functions", "")
        .await
        .expect_error(400);

    mock.json(Method::POST, "/system/functions", &json!({"image": "i"}))
        .await
        .expect_error(400);
    mock.json(
        Method::POST,
        "/system/functions",
        &json!({"service": "", "image": "i"}),
    )
    .await
    .expect_error(400);
    mock.json(
        Method::POST,
        "/system/functions",
        &json!({"service": "noimage"}),
    )
    .await
    .expect_error(400);
    mock.json(
        Method::POST,
        "/system/functions",
        &json!({"service": "noimage", "image": ""}),
    )
    .await
    .expect_error(400);
    mock.json(
        Method::DELETE,
        "/system/functions",
        &json!({"functionName": ""}),
    )
    .await
    .expect_error(400);

    let list: Value = mock.get("/system/functions").await.expect(200).json();
    assert_eq!(
        list,
        json!([]),
        "no rejected deploy may leave a function behind"
    );
    mock.stop().await;
}

#[tokio::test]
async fn names_that_are_not_dns_1123_labels_are_400() {
    let mock = start(config()).await;
    for bad in [
        "Upper",
        "under_score",
        "-lead",
        "trail-",
        "has.dot",
        "sp ace",
        "slash/x",
        "ünï",
    ] {
        mock.json(
            Method::POST,
            "/system/functions",
            &json!({"service": bad, "image": "i"}),
        )
        .await
        .expect_error(400);
    }
    let longest = "a".repeat(63);
    for good in ["a", "a-b", "0abc", "fn-1-2", longest.as_str()] {
        mock.json(
            Method::POST,
            "/system/functions",
            &json!({"service": good, "image": "i"}),
        )
        .await
        .expect(202);
    }
    let list: Value = mock.get("/system/functions").await.expect(200).json();
    assert_eq!(
        names(&list),
        ["0abc", "a", "a-b", longest.as_str(), "fn-1-2"]
    );
    mock.stop().await;
}

#[tokio::test]
async fn unknown_namespaces_are_400() {
    let mock = start(config()).await;
    mock.json(
        Method::POST,
        "/system/functions",
        &json!({"service": "f", "image": "i", "namespace": "nowhere"}),
    )
    .await
    .expect_error(400);
    mock.get("/system/functions?namespace=nowhere")
        .await
        .expect_error(400);
    mock.deploy_fn("f", "cat").await;
    mock.json(
        Method::PUT,
        "/system/functions",
        &json!({"service": "f", "image": "i", "namespace": "nowhere"}),
    )
    .await
    .expect_error(400);
    mock.stop().await;
}

#[tokio::test]
async fn deploying_with_a_missing_secret_is_400() {
    let mock = start(config()).await;
    mock.json(
        Method::POST,
        "/system/functions",
        &json!({"service": "needs-secret", "image": "i", "secrets": ["absent"]}),
    )
    .await
    .expect_error(400);
    mock.get("/system/function/needs-secret")
        .await
        .expect_error(404);

    // A secret in another namespace does not count.
    mock.json(
        Method::POST,
        "/system/secrets",
        &json!({"name": "only-default", "value": "v"}),
    )
    .await
    .expect(202);
    mock.json(
        Method::POST,
        "/system/functions",
        &json!({"service": "x", "image": "i", "namespace": EXTRA_NS, "secrets": ["only-default"]}),
    )
    .await
    .expect_error(400);
    mock.json(
        Method::POST,
        "/system/functions",
        &json!({"service": "x", "image": "i", "secrets": ["only-default"]}),
    )
    .await
    .expect(202);
    // An update naming a missing secret is refused too.
    mock.json(
        Method::PUT,
        "/system/functions",
        &json!({"service": "x", "image": "i", "secrets": ["absent"]}),
    )
    .await
    .expect_error(400);
    mock.stop().await;
}

#[tokio::test]
async fn unknown_functions_are_404_for_status_update_and_delete() {
    let mock = start(config()).await;
    mock.get("/system/function/nope").await.expect_error(404);
    mock.get("/system/function/nope?namespace=extra")
        .await
        .expect_error(404);
    mock.json(
        Method::PUT,
        "/system/functions",
        &json!({"service": "nope", "image": "i"}),
    )
    .await
    .expect_error(404);
    mock.json(
        Method::DELETE,
        "/system/functions",
        &json!({"functionName": "nope"}),
    )
    .await
    .expect_error(404);
    // An update must not create the function.
    mock.get("/system/function/nope").await.expect_error(404);
    mock.stop().await;
}

#[tokio::test]
async fn wrong_methods_are_405_and_unknown_paths_404() {
    let mock = start(config()).await;
    mock.deploy_fn("f", "cat").await;
    let cases = [
        (Method::PATCH, "/system/functions"),
        (Method::POST, "/system/function/f"),
        (Method::DELETE, "/system/function/f"),
        (Method::GET, "/system/scale-function/f"),
        (Method::POST, "/system/info"),
        (Method::PATCH, "/system/secrets"),
        (Method::POST, "/system/logs"),
        (Method::POST, "/system/namespaces"),
        (Method::PATCH, "/system/namespace/extra"),
        (Method::POST, "/healthz"),
    ];
    for (method, path) in cases {
        let what = format!("{method} {path}");
        mock.send(what, mock.req(method, path))
            .await
            .expect_error(405);
    }
    for path in [
        "/nope",
        "/system/nope",
        "/system/functions/extra/deep",
        "/functions/f",
    ] {
        mock.get(path).await.expect_error(404);
    }
    mock.stop().await;
}

#[tokio::test]
async fn bodies_over_the_limit_are_413() {
    let mock = start(MockConfig {
        max_body_bytes: 1024,
        ..config()
    })
    .await;
    let big = format!(
        r#"{{"service":"big","image":"i","envVars":{{"pad":"{}"}}}}"#,
        "x".repeat(4096)
    );
    mock.raw(Method::POST, "/system/functions", big.clone())
        .await
        .expect_error(413);
    mock.get("/system/function/big").await.expect_error(404);
    mock.raw(Method::POST, "/system/secrets", big)
        .await
        .expect_error(413);

    mock.deploy_fn("cat", "cat").await;
    mock.invoke("cat", vec![b'a'; 4096]).await.expect(413);
    let small = vec![b'b'; 512];
    let reply = mock.invoke("cat", small.clone()).await.expect(200);
    assert_eq!(
        reply.body.as_ref(),
        small.as_slice(),
        "a body under the limit is echoed"
    );
    mock.stop().await;
}

#[tokio::test]
async fn json_bodies_are_read_whatever_their_content_type() {
    // faas-cli and the Go certifier do not always send Content-Type: application/json.
    let mock = start(config()).await;
    let deploy = r#"{"service":"untyped","image":"i","envProcess":"cat"}"#;
    mock.raw(Method::POST, "/system/functions", deploy)
        .await
        .expect(202);
    let update = r#"{"service":"untyped","image":"i:2","envProcess":"cat"}"#;
    mock.send(
        "PUT /system/functions (text/plain)".into(),
        mock.req(Method::PUT, "/system/functions")
            .header("content-type", "text/plain")
            .body(update),
    )
    .await
    .expect(202);
    assert_eq!(mock.status("untyped", DEFAULT_NS).await.image, "i:2");
    mock.raw(
        Method::POST,
        "/system/scale-function/untyped",
        r#"{"serviceName":"untyped","replicas":2}"#,
    )
    .await
    .expect(202);
    assert_eq!(mock.status("untyped", DEFAULT_NS).await.replicas, 2);
    mock.raw(
        Method::POST,
        "/system/secrets",
        r#"{"name":"s","value":"v"}"#,
    )
    .await
    .expect(202);
    mock.raw(
        Method::POST,
        "/system/namespace/plain",
        r#"{"name":"plain"}"#,
    )
    .await
    .expect(201);
    mock.raw(
        Method::DELETE,
        "/system/functions",
        r#"{"functionName":"untyped"}"#,
    )
    .await
    .expect(202);
    mock.get("/system/function/untyped").await.expect_error(404);
    mock.stop().await;
}
