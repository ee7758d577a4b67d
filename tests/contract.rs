//! The contract's OpenAPI document against the mock: every route it declares is routed by
//! the mock (neither its unknown-route 404 nor a 405), and what the mock answers on every
//! route with a schema validates against that schema.

mod common;

use faas_certifier::contract::{openapi, schemas::Schemas};

#[tokio::test]
async fn every_documented_route_is_served_by_the_mock_and_its_answers_fit_their_schemas() {
    let mock = common::start(common::config()).await;
    // A function to address.
    let deploy = serde_json::json!({"service": "routed", "image": "alpine", "envProcess": "cat"});
    let r = mock
        .req(reqwest::Method::POST, "/system/functions")
        .json(&deploy)
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{}", r.status());
    let doc = serde_json::to_value(openapi::document()).unwrap();
    let schemas = Schemas::compile().unwrap();
    let mut checked = 0;
    for (template, item) in doc["paths"].as_object().unwrap() {
        let path = template
            .replace("{name}", "routed")
            .replace("{path}", "sub/path");
        for method in item.as_object().unwrap().keys() {
            let url = match template.as_str() {
                "/system/logs" => format!("{path}?name=routed"),
                _ => path.clone(),
            };
            let m = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let resp = mock
                .req(m, &url)
                .header("content-type", "application/json")
                .body("{}")
                .send()
                .await
                .unwrap();
            let status = resp.status().as_u16();
            let body = resp.bytes().await.unwrap();
            assert_ne!(
                status, 405,
                "{method} {template}: the mock does not serve the method"
            );
            assert!(
                !(status == 404 && body.as_ref() == b"404 page not found\n"),
                "{method} {template}: the mock does not route it"
            );
            if let Err(e) = schemas.check(method, &path, status, &body) {
                panic!("{e}\n{}", String::from_utf8_lossy(&body));
            }
            checked += 1;
        }
    }
    assert!(checked >= 26, "only {checked} operations tried");
}
