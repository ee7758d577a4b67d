//! The JSON shapes of the OpenFaaS provider API ([`shapes.field-names`](../CONTRACT.md#shapes.field-names)), shared by the mock and the runner.
//!
//! Every optional field is omitted when empty, as real providers do, and every field is
//! read leniently: `null`, absent and empty all mean "nothing".

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize};

/// The default namespace of an OpenFaaS installation.
pub const DEFAULT_NAMESPACE: &str = "openfaas-fn";

/// Reads `null` as the type's default, so `"labels": null` (older faas-cli) is an empty map.
fn null_as_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// CPU and memory quantities, e.g. `{"memory": "5Mi", "cpu": "100m"}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Resources {
    /// Memory quantity in Kubernetes notation.
    #[serde(
        default,
        skip_serializing_if = "String::is_empty",
        deserialize_with = "null_as_default"
    )]
    pub memory: String,
    /// CPU quantity in Kubernetes notation.
    #[serde(
        default,
        skip_serializing_if = "String::is_empty",
        deserialize_with = "null_as_default"
    )]
    pub cpu: String,
}

/// The body of a deploy or update (`POST`/`PUT /system/functions`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FunctionDeployment {
    /// The function's name.
    #[serde(default, deserialize_with = "null_as_default")]
    #[schema(required = true)]
    pub service: String,
    /// The container image.
    #[serde(default, deserialize_with = "null_as_default")]
    #[schema(required = true)]
    pub image: String,
    /// The namespace; empty means the provider's default.
    #[serde(
        default,
        skip_serializing_if = "String::is_empty",
        deserialize_with = "null_as_default"
    )]
    pub namespace: String,
    /// The process the watchdog forks (`fprocess`).
    #[serde(
        default,
        skip_serializing_if = "String::is_empty",
        deserialize_with = "null_as_default"
    )]
    pub env_process: String,
    /// Environment variables of the function.
    #[serde(
        default,
        skip_serializing_if = "BTreeMap::is_empty",
        deserialize_with = "null_as_default"
    )]
    pub env_vars: BTreeMap<String, String>,
    /// Placement constraints.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "null_as_default"
    )]
    pub constraints: Vec<String>,
    /// Names of secrets mounted under `/var/openfaas/secrets/`.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "null_as_default"
    )]
    pub secrets: Vec<String>,
    /// Labels; scaling is configured through `com.openfaas.scale.*`.
    #[schema(nullable)]
    #[serde(
        default,
        skip_serializing_if = "BTreeMap::is_empty",
        deserialize_with = "null_as_default"
    )]
    pub labels: BTreeMap<String, String>,
    /// Annotations.
    #[schema(nullable)]
    #[serde(
        default,
        skip_serializing_if = "BTreeMap::is_empty",
        deserialize_with = "null_as_default"
    )]
    pub annotations: BTreeMap<String, String>,
    /// Resource limits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limits: Option<Resources>,
    /// Resource requests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requests: Option<Resources>,
    /// Whether the root filesystem is read-only.
    #[serde(
        default,
        skip_serializing_if = "is_false",
        deserialize_with = "null_as_default"
    )]
    pub read_only_root_filesystem: bool,
}

/// Resource usage reported by some providers.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FunctionUsage {
    /// CPU usage in cores.
    #[serde(default)]
    pub cpu: f64,
    /// Memory in bytes.
    #[serde(default)]
    pub total_memory_bytes: f64,
}

/// A function as status and list report it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FunctionStatus {
    /// The function's name.
    #[serde(default, deserialize_with = "null_as_default")]
    #[schema(required = true)]
    pub name: String,
    /// The container image.
    #[serde(default, deserialize_with = "null_as_default")]
    pub image: String,
    /// The namespace it lives in.
    #[serde(
        default,
        skip_serializing_if = "String::is_empty",
        deserialize_with = "null_as_default"
    )]
    pub namespace: String,
    /// The process the watchdog forks.
    #[serde(
        default,
        skip_serializing_if = "String::is_empty",
        deserialize_with = "null_as_default"
    )]
    pub env_process: String,
    /// Environment variables.
    #[serde(
        default,
        skip_serializing_if = "BTreeMap::is_empty",
        deserialize_with = "null_as_default"
    )]
    pub env_vars: BTreeMap<String, String>,
    /// Placement constraints.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "null_as_default"
    )]
    pub constraints: Vec<String>,
    /// Mounted secrets.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "null_as_default"
    )]
    pub secrets: Vec<String>,
    /// Labels, including provider-added ones such as `faas_function`; always sent, `{}` when
    /// none (CONTRACT.md#status.always-labels-annotations).
    #[schema(required = true)]
    #[serde(default, deserialize_with = "null_as_default")]
    pub labels: BTreeMap<String, String>,
    /// Annotations; always sent, `{}` when none.
    #[schema(required = true)]
    #[serde(default, deserialize_with = "null_as_default")]
    pub annotations: BTreeMap<String, String>,
    /// Resource limits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limits: Option<Resources>,
    /// Resource requests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requests: Option<Resources>,
    /// Whether the root filesystem is read-only.
    #[serde(
        default,
        skip_serializing_if = "is_false",
        deserialize_with = "null_as_default"
    )]
    pub read_only_root_filesystem: bool,
    /// Invocations served so far.
    #[serde(
        default,
        skip_serializing_if = "is_zero",
        deserialize_with = "null_as_default"
    )]
    pub invocation_count: u64,
    /// Desired replicas; absent means 0.
    #[serde(
        default,
        skip_serializing_if = "is_zero",
        deserialize_with = "null_as_default"
    )]
    pub replicas: u64,
    /// Replicas ready to serve; absent means 0.
    #[serde(
        default,
        skip_serializing_if = "is_zero",
        deserialize_with = "null_as_default"
    )]
    pub available_replicas: u64,
    /// When the function was first deployed (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    /// Resource usage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usage: Option<FunctionUsage>,
}

/// The body of `POST /system/scale-function/{name}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ScaleRequest {
    /// The function to scale (faasd reads it from here rather than the path).
    #[serde(default, deserialize_with = "null_as_default")]
    pub service_name: String,
    /// The desired replica count.
    #[serde(default, deserialize_with = "null_as_default")]
    pub replicas: u64,
    /// The function's namespace.
    #[serde(
        default,
        skip_serializing_if = "String::is_empty",
        deserialize_with = "null_as_default"
    )]
    pub namespace: String,
}

/// The body of `DELETE /system/functions`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DeleteFunctionRequest {
    /// The function to delete.
    #[serde(default, deserialize_with = "null_as_default")]
    pub function_name: String,
    /// Its namespace (faasd reads it here, faas-netes from the query).
    #[serde(
        default,
        skip_serializing_if = "String::is_empty",
        deserialize_with = "null_as_default"
    )]
    pub namespace: String,
}

/// A secret as sent to and listed by `/system/secrets`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Secret {
    /// The secret's name.
    #[serde(default, deserialize_with = "null_as_default")]
    pub name: String,
    /// Its namespace.
    #[serde(
        default,
        skip_serializing_if = "String::is_empty",
        deserialize_with = "null_as_default"
    )]
    pub namespace: String,
    /// A text value.
    #[serde(
        default,
        skip_serializing_if = "String::is_empty",
        deserialize_with = "null_as_default"
    )]
    pub value: String,
    /// A binary value, base64 in JSON.
    #[serde(default, skip_serializing_if = "Vec::is_empty", with = "base64_bytes")]
    #[schema(value_type = String, content_encoding = "base64")]
    pub raw_value: Vec<u8>,
}

/// Base64 (standard alphabet) for byte fields, as Go's `encoding/json` writes `[]byte`.
mod base64_bytes {
    use base64::Engine;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&base64::engine::general_purpose::STANDARD.encode(bytes))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text = Option::<String>::deserialize(d)?.unwrap_or_default();
        base64::engine::general_purpose::STANDARD
            .decode(text.as_bytes())
            .map_err(|e| serde::de::Error::custom(format!("rawValue is not base64: {e}")))
    }
}

/// The version block of provider and gateway info.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct VersionInfo {
    /// The commit the build came from.
    #[serde(default, deserialize_with = "null_as_default")]
    pub sha: String,
    /// The release, e.g. `0.18.0`.
    #[serde(default, deserialize_with = "null_as_default")]
    pub release: String,
    /// The commit message, sent by some builds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit_message: Option<String>,
}

/// `GET /system/info` of a bare provider.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ProviderInfo {
    /// The provider's name, e.g. `faas-netes-ce`.
    #[serde(default, deserialize_with = "null_as_default")]
    #[schema(required = true)]
    pub provider: String,
    /// The orchestrator, e.g. `kubernetes` or `containerd`.
    #[serde(default, deserialize_with = "null_as_default")]
    pub orchestration: String,
    /// The provider's build.
    #[serde(default)]
    pub version: VersionInfo,
}

/// `GET /system/info` of a gateway, wrapping its provider's info.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct GatewayInfo {
    /// The provider behind the gateway, or `null`.
    pub provider: Option<ProviderInfo>,
    /// The gateway's own build.
    #[serde(default)]
    pub version: VersionInfo,
    /// The CPU architecture.
    #[serde(
        default,
        skip_serializing_if = "String::is_empty",
        deserialize_with = "null_as_default"
    )]
    pub arch: String,
}

/// One line of the `/system/logs` NDJSON stream.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct LogMessage {
    /// The function that wrote the line.
    #[serde(default, deserialize_with = "null_as_default")]
    pub name: String,
    /// Its namespace (faas-netes leaves it empty).
    #[serde(default, deserialize_with = "null_as_default")]
    pub namespace: String,
    /// The replica that wrote it.
    #[serde(default, deserialize_with = "null_as_default")]
    pub instance: String,
    /// When it was written (RFC 3339).
    #[serde(default, deserialize_with = "null_as_default")]
    pub timestamp: String,
    /// The text of the line.
    #[serde(default, deserialize_with = "null_as_default")]
    pub text: String,
}

/// The body of namespace CRUD on `/system/namespace/{name}`.
// (A plain comment, not a doc one: doc text goes into the OpenAPI document.) Labels and
// annotations are optional maps: `None` is left out (the mock's answers leave out what a
// namespace lacks), `Some` is written even when empty, `{}` (the runner's create and update
// bodies always carry both). Absent and `null` read as `None`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct NamespaceRequest {
    /// The namespace's name.
    #[serde(default, deserialize_with = "null_as_default")]
    pub name: String,
    /// Labels.
    #[schema(nullable = false)]
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "null_as_default"
    )]
    pub labels: Option<BTreeMap<String, String>>,
    /// Annotations.
    #[schema(nullable = false)]
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "null_as_default"
    )]
    pub annotations: Option<BTreeMap<String, String>>,
}

/// A DNS-1123 label, as Kubernetes (and so faas-netes) requires of function and namespace
/// names; the mock checks names with it, the runner the namespaces it is given.
pub fn is_dns_label(name: &str) -> bool {
    let bytes = name.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= 63
        && bytes
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-')
        && bytes[0] != b'-'
        && bytes[bytes.len() - 1] != b'-'
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn null_labels_read_as_empty() {
        let d: FunctionDeployment =
            serde_json::from_str(r#"{"service":"a","image":"b","labels":null,"annotations":null}"#)
                .unwrap();
        assert!(d.labels.is_empty());
        assert!(d.annotations.is_empty());
    }

    #[test]
    fn zero_replicas_are_omitted_and_absent_reads_as_zero() {
        let s = FunctionStatus {
            name: "f".into(),
            ..Default::default()
        };
        let text = serde_json::to_string(&s).unwrap();
        assert!(!text.contains("replicas"), "{text}");
        assert!(text.contains(r#""labels":{}"#), "{text}");
        assert!(text.contains(r#""annotations":{}"#), "{text}");
        let back: FunctionStatus = serde_json::from_str(r#"{"name":"f","image":"i"}"#).unwrap();
        assert_eq!(back.replicas, 0);
    }

    #[test]
    fn namespace_maps_are_written_when_present_even_empty() {
        let bare = NamespaceRequest {
            name: "n".into(),
            ..Default::default()
        };
        assert_eq!(serde_json::to_string(&bare).unwrap(), r#"{"name":"n"}"#);
        let empty = NamespaceRequest {
            labels: Some(BTreeMap::new()),
            annotations: Some(BTreeMap::new()),
            ..bare
        };
        assert_eq!(
            serde_json::to_string(&empty).unwrap(),
            r#"{"name":"n","labels":{},"annotations":{}}"#
        );
        let read: NamespaceRequest = serde_json::from_str(r#"{"name":"n","labels":null}"#).unwrap();
        assert_eq!((read.labels, read.annotations), (None, None));
    }

    #[test]
    fn raw_value_is_base64() {
        let s = Secret {
            name: "s".into(),
            raw_value: vec![0, 255, 10],
            ..Default::default()
        };
        let text = serde_json::to_string(&s).unwrap();
        assert!(text.contains(r#""rawValue":"AP8K""#), "{text}");
        let back: Secret = serde_json::from_str(&text).unwrap();
        assert_eq!(back.raw_value, vec![0, 255, 10]);
    }
}
