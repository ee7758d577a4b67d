//! End-to-end tests of `/system/info` (provider and gateway forms), `/healthz`, and basic
//! auth on `/system/*` with `/function/*` and `/healthz` left open.

mod common;

use common::{admin, config, start};
use faas_certifier::mock::{BasicAuth, MockConfig};
use faas_certifier::model::{GatewayInfo, ProviderInfo};
use reqwest::Method;
use serde_json::{json, Value};

#[tokio::test]
async fn info_has_the_provider_form_on_a_bare_provider() {
    let mock = start(config()).await;
    let reply = mock.get("/system/info").await.expect(200);
    let raw: Value = reply.json();
    assert!(
        raw["provider"].is_string(),
        "provider form has a string provider, got {raw}"
    );
    let info: ProviderInfo = reply.json();
    assert_eq!(info.provider, "faas-certifier-mock");
    assert!(!info.orchestration.is_empty(), "orchestration: {raw}");
    assert_eq!(
        info.version.release,
        faas_certifier::version::RELEASE,
        "release from the build: {raw}"
    );
    assert_eq!(
        info.version.sha,
        faas_certifier::version::SHA,
        "sha from the build: {raw}"
    );
    mock.stop().await;
}

#[tokio::test]
async fn info_has_the_gateway_form_as_a_gateway() {
    let mock = start(MockConfig {
        as_gateway: true,
        ..config()
    })
    .await;
    let reply = mock.get("/system/info").await.expect(200);
    let raw: Value = reply.json();
    assert!(
        raw["provider"].is_object(),
        "gateway form wraps the provider, got {raw}"
    );
    let info: GatewayInfo = reply.json();
    let provider = info
        .provider
        .unwrap_or_else(|| panic!("gateway info without provider: {raw}"));
    assert_eq!(provider.provider, "faas-certifier-mock");
    assert!(!provider.orchestration.is_empty(), "orchestration: {raw}");
    assert!(
        !provider.version.release.is_empty(),
        "provider release: {raw}"
    );
    assert!(!provider.version.sha.is_empty(), "provider sha: {raw}");
    assert!(!info.version.release.is_empty(), "gateway release: {raw}");
    assert!(!info.version.sha.is_empty(), "gateway sha: {raw}");
    mock.stop().await;
}

#[tokio::test]
async fn healthz_answers_get_and_head_with_an_empty_body() {
    // A provider answers HEAD too; the gateway registers GET only (gateway.healthz-head).
    for (as_gateway, head_status) in [(false, 200), (true, 405)] {
        let mock = start(MockConfig {
            as_gateway,
            ..config()
        })
        .await;
        let get = mock.get("/healthz").await.expect(200);
        assert!(get.body.is_empty(), "healthz body {:?}", get.text());
        let head = mock
            .send("HEAD /healthz".into(), mock.req(Method::HEAD, "/healthz"))
            .await;
        assert!(head.body.is_empty(), "HEAD /healthz body {:?}", head.text());
        head.expect(head_status);
        mock.stop().await;
    }
}

/// Every `/system/*` route with a method it serves.
fn system_routes() -> Vec<(Method, &'static str, Option<Value>)> {
    vec![
        (Method::GET, "/system/functions", None),
        (
            Method::POST,
            "/system/functions",
            Some(json!({"service": "f", "image": "i"})),
        ),
        (
            Method::PUT,
            "/system/functions",
            Some(json!({"service": "f", "image": "i"})),
        ),
        (
            Method::DELETE,
            "/system/functions",
            Some(json!({"functionName": "f"})),
        ),
        (Method::GET, "/system/function/f", None),
        (
            Method::POST,
            "/system/scale-function/f",
            Some(json!({"serviceName": "f", "replicas": 2})),
        ),
        (Method::GET, "/system/info", None),
        (Method::GET, "/system/secrets", None),
        (
            Method::POST,
            "/system/secrets",
            Some(json!({"name": "s", "value": "v"})),
        ),
        (
            Method::PUT,
            "/system/secrets",
            Some(json!({"name": "s", "value": "v"})),
        ),
        (
            Method::DELETE,
            "/system/secrets",
            Some(json!({"name": "s"})),
        ),
        (Method::GET, "/system/logs?name=f", None),
        (Method::GET, "/system/namespaces", None),
        (Method::GET, "/system/namespace/extra", None),
        (
            Method::POST,
            "/system/namespace/new",
            Some(json!({"name": "new"})),
        ),
        (
            Method::PUT,
            "/system/namespace/extra",
            Some(json!({"name": "extra"})),
        ),
        (Method::DELETE, "/system/namespace/extra", None),
    ]
}

#[tokio::test]
async fn with_basic_auth_every_system_route_wants_credentials() {
    let mut mock = start(MockConfig {
        basic_auth: Some(admin()),
        ..config()
    })
    .await;
    let attempts: [(&str, Option<BasicAuth>); 3] = [
        ("no credentials", None),
        (
            "a wrong password",
            Some(BasicAuth {
                user: "admin".into(),
                password: "nope".into(),
            }),
        ),
        (
            "a wrong user",
            Some(BasicAuth {
                user: "root".into(),
                password: "pw".into(),
            }),
        ),
    ];
    for (label, creds) in attempts {
        mock.auth = creds;
        for (method, path, body) in system_routes() {
            let mut req = mock.req(method.clone(), path);
            if let Some(body) = &body {
                req = req.json(body);
            }
            let reply = mock
                .send(format!("{method} {path} with {label}"), req)
                .await
                .expect(401);
            assert_eq!(
                reply.header("www-authenticate").as_deref(),
                Some("Basic realm=\"Restricted\""),
                "{}: WWW-Authenticate",
                reply.what
            );
        }
    }
    // A bearer token is not basic auth.
    let bearer = mock
        .send(
            "GET /system/functions with a bearer token".into(),
            mock.client
                .get(format!("{}/system/functions", mock.url))
                .bearer_auth("admin:pw"),
        )
        .await;
    bearer.expect(401);

    // Nothing was changed by the refused requests.
    mock.auth = Some(admin());
    let list: Value = mock.get("/system/functions").await.expect(200).json();
    assert_eq!(list, json!([]), "a refused deploy must not deploy");
    let namespaces: Vec<String> = mock.get("/system/namespaces").await.expect(200).json();
    assert!(
        namespaces.contains(&"extra".to_string()),
        "a refused delete must not delete: {namespaces:?}"
    );
    mock.stop().await;
}

#[tokio::test]
async fn with_basic_auth_the_right_credentials_work_and_functions_stay_open() {
    let mut mock = start(MockConfig {
        basic_auth: Some(admin()),
        ..config()
    })
    .await;
    mock.get("/system/info").await.expect(200);
    mock.get("/system/namespaces").await.expect(200);
    mock.deploy_fn("open", "cat").await;
    mock.json(
        Method::POST,
        "/system/secrets",
        &json!({"name": "s", "value": "v"}),
    )
    .await
    .expect(202);
    assert_eq!(mock.status("open", "openfaas-fn").await.name, "open");

    mock.auth = None;
    assert_eq!(
        mock.invoke("open", "no creds needed")
            .await
            .expect(200)
            .text(),
        "no creds needed"
    );
    mock.invoke("open.openfaas-fn/sub", "x").await.expect(200);
    mock.get("/healthz").await.expect(200);
    mock.send("HEAD /healthz".into(), mock.req(Method::HEAD, "/healthz"))
        .await
        .expect(200);
    mock.get("/system/functions").await.expect(401);

    // Wrong credentials on an open route are ignored.
    mock.auth = Some(BasicAuth {
        user: "x".into(),
        password: "y".into(),
    });
    mock.invoke("open", "still open").await.expect(200);
    mock.get("/healthz").await.expect(200);
    mock.stop().await;
}

#[tokio::test]
async fn with_basic_auth_as_a_gateway_info_needs_credentials_too() {
    let mut mock = start(MockConfig {
        basic_auth: Some(admin()),
        as_gateway: true,
        ..config()
    })
    .await;
    let info: GatewayInfo = mock.get("/system/info").await.expect(200).json();
    assert!(info.provider.is_some());
    mock.auth = None;
    let refused = mock.get("/system/info").await.expect(401);
    assert_eq!(
        refused.header("www-authenticate").as_deref(),
        Some("Basic realm=\"Restricted\"")
    );
    mock.stop().await;
}

#[tokio::test]
async fn without_basic_auth_system_routes_are_open() {
    let mock = start(config()).await;
    assert!(mock.auth.is_none());
    mock.get("/system/functions").await.expect(200);
    mock.get("/system/info").await.expect(200);
    mock.get("/system/namespaces").await.expect(200);
    mock.get("/system/secrets").await.expect(200);
    // Credentials sent to a mock without auth are ignored.
    let reply = mock
        .send(
            "GET /system/functions with unneeded credentials".into(),
            mock.req(Method::GET, "/system/functions")
                .basic_auth("who", Some("ever")),
        )
        .await;
    reply.expect(200);
    mock.stop().await;
}

#[tokio::test]
async fn garbage_requests_do_not_break_the_server() {
    let mock = start(config()).await;
    mock.deploy_fn("cat", "cat").await;
    let odd = [
        "/function/%zz",
        "/function/..",
        "/function/a..b",
        "/function/cat.",
        "/system/function/%00",
        "/system/logs?tail=99999999999999999999999",
        "/system/logs?since=",
        "/system/functions?namespace=%ff",
    ];
    for path in odd {
        let reply = mock.get(path).await;
        assert!(
            !reply.status.is_server_error(),
            "{}: a client mistake is not a server error, got {}: {:?}",
            reply.what,
            reply.status,
            reply.text()
        );
    }
    mock.raw(Method::POST, "/system/functions", vec![0xff, 0xfe, 0x00])
        .await
        .expect_error(400);
    mock.json(Method::POST, "/system/functions", &json!([1, 2, 3]))
        .await
        .expect_error(400);
    mock.json(
        Method::POST,
        "/system/functions",
        &json!({"service": 7, "image": true}),
    )
    .await
    .expect_error(400);
    // The server still serves.
    assert_eq!(
        mock.invoke("cat", "alive").await.expect(200).text(),
        "alive"
    );
    mock.get("/healthz").await.expect(200);
    mock.stop().await;
}

#[tokio::test]
async fn a_faas_cli_session_against_the_gateway_form() {
    // The requests faas-cli makes, in order, against a gateway with basic auth.
    let mock = start(MockConfig {
        basic_auth: Some(admin()),
        as_gateway: true,
        ..config()
    })
    .await;
    // login validates the credentials with a list.
    mock.get("/system/functions").await.expect(200);
    // version reads the gateway form.
    let info: GatewayInfo = mock.get("/system/info").await.expect(200).json();
    assert!(info.provider.is_some_and(|p| !p.version.release.is_empty()));
    // secret create / list.
    mock.json(
        Method::POST,
        "/system/secrets",
        &json!({"name": "cli-secret", "value": "v", "namespace": "extra"}),
    )
    .await
    .expect(202);
    let secrets: Value = mock
        .get("/system/secrets?namespace=extra")
        .await
        .expect(200)
        .json();
    assert_eq!(common::names(&secrets), ["cli-secret"]);
    // deploy tries an update first and falls back to a create on 404.
    let fd = json!({
        "service": "cli-fn",
        "image": "ghcr.io/openfaas/alpine:latest",
        "namespace": "extra",
        "envProcess": "cat /var/openfaas/secrets/cli-secret",
        "secrets": ["cli-secret"],
        "labels": null,
        "annotations": null
    });
    mock.json(Method::PUT, "/system/functions", &fd)
        .await
        .expect(404);
    mock.json(Method::POST, "/system/functions", &fd)
        .await
        .expect(202);
    // list, describe.
    let list: Value = mock
        .get("/system/functions?namespace=extra")
        .await
        .expect(200)
        .json();
    assert_eq!(common::names(&list), ["cli-fn"]);
    let described: faas_certifier::model::FunctionStatus = mock
        .get("/system/function/cli-fn?namespace=extra&usage=1")
        .await
        .expect(200)
        .json();
    assert_eq!(described.namespace, "extra");
    // invoke (open).
    let reply = mock
        .client
        .post(format!("{}/function/cli-fn.extra", mock.url))
        .body("")
        .send()
        .await;
    let reply = reply.expect("invoke");
    assert_eq!(reply.status().as_u16(), 200);
    assert!(reply.headers().contains_key("x-call-id"));
    assert_eq!(reply.text().await.expect("body"), "v");
    // logs.
    let logs = mock
        .get("/system/logs?name=cli-fn&namespace=extra&follow=false&tail=-1")
        .await
        .expect(200);
    assert!(
        logs.text().contains("Forking fprocess."),
        "logs: {:?}",
        logs.text()
    );
    // namespaces.
    let namespaces: Vec<String> = mock.get("/system/namespaces").await.expect(200).json();
    assert!(namespaces.contains(&"extra".to_string()));
    // remove, then secret remove.
    mock.json(
        Method::DELETE,
        "/system/functions?namespace=extra",
        &json!({"functionName": "cli-fn", "namespace": "extra"}),
    )
    .await
    .expect(202);
    mock.json(
        Method::DELETE,
        "/system/secrets",
        &json!({"name": "cli-secret", "namespace": "extra"}),
    )
    .await
    .expect(202);
    let list: Value = mock
        .get("/system/functions?namespace=extra")
        .await
        .expect(200)
        .json();
    assert_eq!(list, json!([]));
    mock.stop().await;
}

#[tokio::test]
async fn malformed_authorization_headers_are_401() {
    let mock = start(MockConfig {
        basic_auth: Some(admin()),
        ..config()
    })
    .await;
    for header in [
        "Basic !!!not-base64!!!",
        "Basic",
        "Basic YWRtaW4=",
        "Digest abc",
        "Basic YWRtaW46cHc6",
    ] {
        let reply = mock
            .send(
                format!("GET /system/functions with Authorization: {header}"),
                mock.client
                    .get(format!("{}/system/functions", mock.url))
                    .header("authorization", header),
            )
            .await
            .expect(401);
        assert_eq!(
            reply.header("www-authenticate").as_deref(),
            Some("Basic realm=\"Restricted\"")
        );
    }
    mock.stop().await;
}

#[tokio::test]
async fn metrics_are_prometheus_text_and_open() {
    let mock = start(MockConfig {
        basic_auth: Some(admin()),
        ..config()
    })
    .await;
    let reply = mock
        .client
        .get(format!("{}/metrics", mock.url))
        .send()
        .await
        .expect("metrics");
    assert_eq!(
        reply.status().as_u16(),
        200,
        "/metrics is outside /system and stays open"
    );
    let content_type = reply
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap_or("").to_string());
    assert!(
        content_type
            .as_deref()
            .unwrap_or("")
            .starts_with("text/plain"),
        "Prometheus text, got {content_type:?}"
    );
    mock.stop().await;
}
