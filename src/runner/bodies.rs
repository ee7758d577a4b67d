//! The JSON bodies the runner sends, built from the provider API's types in [`crate::model`]
//! (their shape is defined there once, shared with the mock and the OpenAPI document).
//!
//! `request:` steps are not built here: they send the suite's raw body untouched.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use bytes::Bytes;
use serde::Serialize;
use serde_json::Value;

use super::client::HttpRequest;
use crate::model::{
    DeleteFunctionRequest, FunctionDeployment, NamespaceRequest, Resources, ScaleRequest, Secret,
};
use crate::suite::{self, Deploy, NamespaceSpec, SecretSpec};

/// A request with `body` as its JSON body.
pub(super) fn json_request<T: Serialize>(method: &str, path: String, body: &T) -> HttpRequest {
    HttpRequest {
        method: method.into(),
        path,
        headers: vec![("Content-Type".into(), "application/json".into())],
        body: Bytes::from(to_json(body)),
        ..Default::default()
    }
}

/// `value` as JSON text. The bodies are model types (or a [`Value`] made from one): strings,
/// numbers, lists and string-keyed maps, which always serialize.
fn to_json<T: Serialize>(value: &T) -> Vec<u8> {
    serde_json::to_vec(value).expect("model types serialize to JSON")
}

/// `value` as a JSON value, to set a key the model cannot express.
fn to_value<T: Serialize>(value: &T) -> Value {
    serde_json::to_value(value).expect("model types serialize to JSON")
}

/// The deployment a `deploy` or `update` step sends (without `null_labels`, see
/// [`deployment_request`]).
fn deployment(d: &Deploy, ns: &str) -> FunctionDeployment {
    let resources = |r: &Option<suite::ResourceSpec>| {
        r.as_ref().map(|r| Resources {
            memory: r.memory.clone().unwrap_or_default(),
            cpu: r.cpu.clone().unwrap_or_default(),
        })
    };
    FunctionDeployment {
        service: d.name.clone(),
        image: d.image.clone(),
        namespace: ns.to_string(),
        env_process: d.fprocess.clone().unwrap_or_default(),
        env_vars: d.env.clone(),
        constraints: d.constraints.clone(),
        secrets: d.secrets.clone(),
        labels: d.labels.clone(),
        annotations: d.annotations.clone(),
        limits: resources(&d.limits),
        requests: resources(&d.requests),
        read_only_root_filesystem: d.read_only_root_filesystem,
    }
}

/// `POST` (deploy) or `PUT` (update) of a deployment in namespace `ns`.
pub(super) fn deployment_request(method: &str, d: &Deploy, ns: &str) -> HttpRequest {
    let body = deployment(d, ns);
    if !d.null_labels {
        return json_request(method, "/system/functions".into(), &body);
    }
    // `null_labels` sends `"labels": null` and `"annotations": null`, as older faas-cli
    // does. The model reads `null` as empty and so never writes it: the two keys are set on
    // the serialized deployment (replacing any labels the step gave).
    let mut value = to_value(&body);
    value["labels"] = Value::Null;
    value["annotations"] = Value::Null;
    json_request(method, "/system/functions".into(), &value)
}

/// The body of a `secret_create` or `secret_update` step in namespace `ns`, and the values
/// to keep out of every record (text or bytes).
pub(super) fn secret(s: &SecretSpec, ns: &str) -> (Value, Vec<Vec<u8>>) {
    let mut sensitive = Vec::new();
    let mut body = Secret {
        name: s.name.clone(),
        namespace: ns.to_string(),
        value: s.value.clone().unwrap_or_default(),
        raw_value: Vec::new(),
    };
    if let Some(v) = &s.value {
        sensitive.push(v.clone().into_bytes());
    }
    // A `raw_value_base64` that is not canonical base64 (a suite may send one on purpose)
    // has no bytes for the model to hold: it is sent as written.
    let mut as_written = None;
    if let Some(v) = &s.raw_value_base64 {
        match STANDARD.decode(v) {
            Ok(bytes) => {
                // The bytes themselves may come back (a secret mounted and echoed, or
                // listed), in any form; canonical base64 is one of those forms.
                sensitive.push(bytes.clone());
                if STANDARD.encode(&bytes) == *v {
                    body.raw_value = bytes;
                } else {
                    sensitive.push(v.clone().into_bytes());
                    as_written = Some(v.clone());
                }
            }
            Err(_) => {
                sensitive.push(v.clone().into_bytes());
                as_written = Some(v.clone());
            }
        }
    }
    let mut value = to_value(&body);
    if let Some(text) = as_written {
        value["rawValue"] = Value::String(text);
    }
    (value, sensitive)
}

/// A secret named in `ns`, without a value: the body of a secret's delete.
pub(super) fn secret_ref(name: &str, ns: &str) -> Secret {
    Secret {
        name: name.to_string(),
        namespace: ns.to_string(),
        ..Default::default()
    }
}

/// The body of a function's delete; the namespace goes in the query too (faas-netes reads
/// it there, faasd from the body).
pub(super) fn delete_function(name: &str, ns: &str) -> DeleteFunctionRequest {
    DeleteFunctionRequest {
        function_name: name.to_string(),
        namespace: ns.to_string(),
    }
}

/// The body of a scale to `replicas`.
pub(super) fn scale(name: &str, replicas: u64, ns: &str) -> ScaleRequest {
    ScaleRequest {
        service_name: name.to_string(),
        replicas,
        namespace: ns.to_string(),
    }
}

/// The body of a namespace's create or update: `body_name` when the step gives one, and
/// labels and annotations always (`{}` when none).
pub(super) fn namespace(n: &NamespaceSpec) -> NamespaceRequest {
    NamespaceRequest {
        name: n.body_name.clone().unwrap_or_else(|| n.name.clone()),
        labels: Some(n.labels.clone()),
        annotations: Some(n.annotations.clone()),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde_json::json;

    use super::*;

    fn sent(req: &HttpRequest) -> Value {
        serde_json::from_slice(&req.body).expect("the body is JSON")
    }

    fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn minimal() -> Deploy {
        Deploy {
            name: "f".into(),
            image: "img:1".into(),
            ..Default::default()
        }
    }

    #[test]
    fn deploy_without_optional_fields_sends_name_image_and_namespace() {
        let req = deployment_request("POST", &minimal(), "openfaas-fn");
        assert_eq!(req.method, "POST");
        assert_eq!(req.path, "/system/functions");
        assert_eq!(
            req.headers,
            [("Content-Type".to_string(), "application/json".to_string())]
        );
        assert_eq!(
            sent(&req),
            json!({"service": "f", "image": "img:1", "namespace": "openfaas-fn"})
        );
    }

    #[test]
    fn deploy_with_every_optional_field() {
        let d = Deploy {
            fprocess: Some("cat".into()),
            env: map(&[("A", "1")]),
            labels: map(&[("com.openfaas.scale.min", "2")]),
            annotations: map(&[("topic", "x")]),
            secrets: vec!["s".into()],
            constraints: vec!["node=a".into()],
            limits: Some(suite::ResourceSpec {
                memory: Some("5Mi".into()),
                cpu: Some("100m".into()),
            }),
            requests: Some(suite::ResourceSpec {
                memory: Some("1Mi".into()),
                cpu: Some("10m".into()),
            }),
            read_only_root_filesystem: true,
            ..minimal()
        };
        let req = deployment_request("PUT", &d, "extra");
        assert_eq!(req.method, "PUT");
        assert_eq!(
            sent(&req),
            json!({
                "service": "f",
                "image": "img:1",
                "namespace": "extra",
                "envProcess": "cat",
                "envVars": {"A": "1"},
                "labels": {"com.openfaas.scale.min": "2"},
                "annotations": {"topic": "x"},
                "secrets": ["s"],
                "constraints": ["node=a"],
                "limits": {"memory": "5Mi", "cpu": "100m"},
                "requests": {"memory": "1Mi", "cpu": "10m"},
                "readOnlyRootFilesystem": true,
            })
        );
    }

    #[test]
    fn deploy_with_null_labels_sends_explicit_nulls_over_given_labels() {
        let d = Deploy {
            fprocess: Some("env".into()),
            labels: map(&[("a", "b")]),
            null_labels: true,
            ..minimal()
        };
        assert_eq!(
            sent(&deployment_request("POST", &d, "openfaas-fn")),
            json!({
                "service": "f",
                "image": "img:1",
                "namespace": "openfaas-fn",
                "envProcess": "env",
                "labels": null,
                "annotations": null,
            })
        );
    }

    #[test]
    fn scale_sends_name_replicas_and_namespace_even_for_zero() {
        let req = json_request("POST", "/x".into(), &scale("f", 0, "openfaas-fn"));
        assert_eq!(
            sent(&req),
            json!({"serviceName": "f", "replicas": 0, "namespace": "openfaas-fn"})
        );
        assert_eq!(
            serde_json::to_value(scale("g", 3, "extra")).unwrap(),
            json!({"serviceName": "g", "replicas": 3, "namespace": "extra"})
        );
    }

    #[test]
    fn delete_sends_function_name_and_namespace() {
        assert_eq!(
            serde_json::to_value(delete_function("f", "ns 1")).unwrap(),
            json!({"functionName": "f", "namespace": "ns 1"})
        );
        assert_eq!(
            serde_json::to_value(secret_ref("s", "extra")).unwrap(),
            json!({"name": "s", "namespace": "extra"})
        );
    }

    fn secret_spec(value: Option<&str>, raw: Option<&str>) -> SecretSpec {
        SecretSpec {
            name: "s".into(),
            namespace: None,
            value: value.map(String::from),
            raw_value_base64: raw.map(String::from),
        }
    }

    #[test]
    fn secret_with_a_text_value_sends_value() {
        let (body, sensitive) = secret(&secret_spec(Some("s3cr3t"), None), "openfaas-fn");
        assert_eq!(
            body,
            json!({"name": "s", "namespace": "openfaas-fn", "value": "s3cr3t"})
        );
        assert_eq!(sensitive, [b"s3cr3t".to_vec()]);
    }

    #[test]
    fn secret_with_raw_bytes_sends_raw_value_as_given() {
        let (body, sensitive) = secret(&secret_spec(None, Some("AP8KgICA/wA=")), "extra");
        assert_eq!(
            body,
            json!({"name": "s", "namespace": "extra", "rawValue": "AP8KgICA/wA="})
        );
        // The decoded bytes: redaction hides their base64 form too.
        assert_eq!(sensitive, [STANDARD.decode("AP8KgICA/wA=").unwrap()]);

        let (body, sensitive) = secret(&secret_spec(Some("v"), Some("aGk=")), "ns");
        assert_eq!(
            body,
            json!({"name": "s", "namespace": "ns", "value": "v", "rawValue": "aGk="})
        );
        assert_eq!(sensitive, [b"v".to_vec(), b"hi".to_vec()]);
    }

    #[test]
    fn secret_with_text_that_is_not_canonical_base64_sends_it_as_written() {
        for odd in ["not base64!", "aGk"] {
            let (body, sensitive) = secret(&secret_spec(None, Some(odd)), "ns");
            assert_eq!(
                body,
                json!({"name": "s", "namespace": "ns", "rawValue": odd})
            );
            assert_eq!(sensitive, [odd.as_bytes().to_vec()]);
        }
        let (body, _) = secret(&secret_spec(None, None), "ns");
        assert_eq!(body, json!({"name": "s", "namespace": "ns"}));
    }

    #[test]
    fn namespace_always_sends_labels_and_annotations() {
        let bare = NamespaceSpec {
            name: "team-a".into(),
            ..Default::default()
        };
        assert_eq!(
            serde_json::to_value(namespace(&bare)).unwrap(),
            json!({"name": "team-a", "labels": {}, "annotations": {}})
        );
        let full = NamespaceSpec {
            name: "team-a".into(),
            body_name: Some("other".into()),
            labels: map(&[("team", "qa")]),
            annotations: map(&[("owner", "me")]),
        };
        assert_eq!(
            serde_json::to_value(namespace(&full)).unwrap(),
            json!({"name": "other", "labels": {"team": "qa"}, "annotations": {"owner": "me"}})
        );
    }
}
