//! Resources a case created, and deleting them when it ends (passed, failed or errored).

use std::time::{Duration, Instant};

use bytes::Bytes;
use serde::Serialize;
use serde_json::json;

use super::client::{Client, HttpRequest};
use super::ops::enc;

/// Something a case created through the API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Resource {
    /// A function.
    Function {
        /// Its name.
        name: String,
        /// Its namespace.
        namespace: String,
    },
    /// A secret.
    Secret {
        /// Its name.
        name: String,
        /// Its namespace.
        namespace: String,
    },
    /// A namespace.
    Namespace {
        /// Its name.
        name: String,
    },
}

impl std::fmt::Display for Resource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Resource::Function { name, namespace } => write!(f, "function {name} (namespace {namespace}): faas-cli remove {name} -n {namespace}"),
            Resource::Secret { name, namespace } => write!(f, "secret {name} (namespace {namespace}): faas-cli secret remove {name} -n {namespace}"),
            Resource::Namespace { name } => write!(f, "namespace {name}: faas-cli namespace remove {name}"),
        }
    }
}

impl Resource {
    /// What it is and the `faas-cli` command that removes it from `gateway`, ready to paste.
    pub fn listing(&self, gateway: &str) -> String {
        let gw = shell_word(gateway);
        match self {
            Resource::Function { name, namespace } => format!(
                "function {name} (namespace {namespace}): faas-cli remove {name} --gateway {gw} -n {namespace}"
            ),
            Resource::Secret { name, namespace } => format!(
                "secret {name} (namespace {namespace}): faas-cli secret remove {name} --gateway {gw} -n {namespace}"
            ),
            Resource::Namespace { name } => format!(
                "namespace {name}: faas-cli namespace remove {name} --gateway {gw}"
            ),
        }
    }

    /// Deletion order: functions before the secrets they mount, namespaces last.
    fn rank(&self) -> u8 {
        match self {
            Resource::Function { .. } => 0,
            Resource::Secret { .. } => 1,
            Resource::Namespace { .. } => 2,
        }
    }

    fn delete_request(&self) -> HttpRequest {
        let (method, path, body) = match self {
            Resource::Function { name, namespace } => (
                "DELETE",
                format!("/system/functions?namespace={}", enc(namespace)),
                json!({"functionName": name, "namespace": namespace}).to_string(),
            ),
            Resource::Secret { name, namespace } => (
                "DELETE",
                format!("/system/secrets?namespace={}", enc(namespace)),
                json!({"name": name, "namespace": namespace}).to_string(),
            ),
            Resource::Namespace { name } => {
                ("DELETE", format!("/system/namespace/{name}"), String::new())
            }
        };
        HttpRequest {
            method: method.into(),
            path,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: Bytes::from(body),
            ..Default::default()
        }
    }
}

/// How long cleanup may take per resource.
const CLEANUP_TIMEOUT: Duration = Duration::from_secs(10);

/// Deletes `resources` (404 counts as gone); returns those that could not be deleted.
pub async fn delete_all(client: &Client, mut resources: Vec<Resource>) -> Vec<Resource> {
    resources.sort_by_key(Resource::rank);
    resources.dedup();
    let mut left = Vec::new();
    for r in resources {
        let deadline = Instant::now() + CLEANUP_TIMEOUT;
        match client.send(&r.delete_request(), Some(deadline)).await {
            Ok(resp) if (200..300).contains(&resp.status) || resp.status == 404 => {}
            _ => left.push(r),
        }
    }
    left
}

/// `text` as one shell word: as is when it holds only safe characters, else single-quoted.
fn shell_word(text: &str) -> String {
    let safe = |c: char| c.is_ascii_alphanumeric() || "-_./:@%+=,".contains(c);
    if !text.is_empty() && text.chars().all(safe) {
        text.to_string()
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}
