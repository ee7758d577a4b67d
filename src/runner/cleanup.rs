//! Resources a case created, and deleting them when it ends (passed, failed or errored).

use std::time::{Duration, Instant};

use serde::Serialize;

use super::bodies::{delete_function, json_request, secret_ref};
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
        match self {
            Resource::Function { name, namespace } => json_request(
                "DELETE",
                format!("/system/functions?namespace={}", enc(namespace)),
                &delete_function(name, namespace),
            ),
            Resource::Secret { name, namespace } => json_request(
                "DELETE",
                format!("/system/secrets?namespace={}", enc(namespace)),
                &secret_ref(name, namespace),
            ),
            // No body, but the same header as the others.
            Resource::Namespace { name } => HttpRequest {
                method: "DELETE".into(),
                path: format!("/system/namespace/{name}"),
                headers: vec![("Content-Type".into(), "application/json".into())],
                ..Default::default()
            },
        }
    }
}

/// How long cleanup may take per resource.
const CLEANUP_TIMEOUT: Duration = Duration::from_secs(10);

/// Deletes `resources` (404 counts as gone); returns those that could not be deleted. A
/// resource `in_doubt` is one whose create never got its answer (cut off, timed out): it may
/// still land at the provider after its delete, so a 404 for it is asked again for a while.
pub async fn delete_all(
    client: &Client,
    mut resources: Vec<Resource>,
    in_doubt: &[Resource],
) -> Vec<Resource> {
    resources.sort_by_key(Resource::rank);
    resources.dedup();
    let mut left = Vec::new();
    for r in resources {
        let deadline = Instant::now() + CLEANUP_TIMEOUT;
        let gone = match client.send(&r.delete_request(), Some(deadline)).await {
            Ok(resp) if (200..300).contains(&resp.status) => true,
            Ok(resp) if resp.status == 404 && in_doubt.contains(&r) => {
                gone_once_landed(client, &r, deadline).await
            }
            Ok(resp) => resp.status == 404,
            Err(_) => false,
        };
        if !gone {
            left.push(r);
        }
    }
    left
}

/// Pauses before each new delete of a resource whose create may still land.
const LANDING_PAUSES: [Duration; 4] = [
    Duration::from_millis(100),
    Duration::from_millis(200),
    Duration::from_millis(400),
    Duration::from_millis(800),
];

/// Deletes `r` again after each of [`LANDING_PAUSES`] while it answers 404: `true` once a
/// delete took (it had landed) or it never showed up, `false` if a delete failed.
async fn gone_once_landed(client: &Client, r: &Resource, deadline: Instant) -> bool {
    for pause in LANDING_PAUSES {
        if Instant::now() + pause >= deadline {
            break;
        }
        tokio::time::sleep(pause).await;
        match client.send(&r.delete_request(), Some(deadline)).await {
            Ok(resp) if (200..300).contains(&resp.status) => return true,
            Ok(resp) if resp.status == 404 => continue,
            _ => return false,
        }
    }
    true
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

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    use super::*;
    use crate::runner::Settings;

    fn function() -> Resource {
        Resource::Function {
            name: "late-fn".into(),
            namespace: "openfaas-fn".into(),
        }
    }

    /// A provider whose function lands only after the first delete: 404 once, then 202.
    async fn lands_late() -> MockServer {
        let server = MockServer::start().await;
        Mock::given(method("DELETE"))
            .and(path("/system/functions"))
            .respond_with(ResponseTemplate::new(404))
            .up_to_n_times(1)
            .with_priority(1)
            .mount(&server)
            .await;
        Mock::given(method("DELETE"))
            .and(path("/system/functions"))
            .respond_with(ResponseTemplate::new(202))
            .with_priority(2)
            .mount(&server)
            .await;
        server
    }

    async fn deletes(server: &MockServer) -> usize {
        server.received_requests().await.unwrap_or_default().len()
    }

    #[tokio::test]
    async fn a_create_in_doubt_that_lands_late_is_deleted_once_it_has() {
        let server = lands_late().await;
        let client = Client::new(&Settings::new(&server.uri())).expect("a client");
        let left = delete_all(&client, vec![function()], &[function()]).await;
        assert!(left.is_empty(), "{left:?}");
        assert_eq!(deletes(&server).await, 2, "asked again after the 404");
    }

    #[tokio::test]
    async fn a_confirmed_create_answering_404_is_gone_at_once() {
        let server = lands_late().await;
        let client = Client::new(&Settings::new(&server.uri())).expect("a client");
        let left = delete_all(&client, vec![function()], &[]).await;
        assert!(left.is_empty(), "{left:?}");
        assert_eq!(
            deletes(&server).await,
            1,
            "a 404 is final when no create is in doubt"
        );
    }

    #[tokio::test]
    async fn a_failing_delete_leaves_the_resource_listed() {
        let server = MockServer::start().await;
        Mock::given(method("DELETE"))
            .respond_with(ResponseTemplate::new(500))
            .mount(&server)
            .await;
        let client = Client::new(&Settings::new(&server.uri())).expect("a client");
        let left = delete_all(&client, vec![function()], &[function()]).await;
        assert_eq!(left, vec![function()]);
    }

    fn body(r: &Resource) -> Value {
        serde_json::from_slice(&r.delete_request().body).expect("the body is JSON")
    }

    #[test]
    fn delete_requests_name_the_resource_in_query_and_body() {
        let f = Resource::Function {
            name: "f".into(),
            namespace: "ns 1".into(),
        };
        assert_eq!(f.delete_request().method, "DELETE");
        assert_eq!(
            f.delete_request().path,
            "/system/functions?namespace=ns%201"
        );
        assert_eq!(body(&f), json!({"functionName": "f", "namespace": "ns 1"}));
        let s = Resource::Secret {
            name: "s".into(),
            namespace: "extra".into(),
        };
        assert_eq!(s.delete_request().path, "/system/secrets?namespace=extra");
        assert_eq!(body(&s), json!({"name": "s", "namespace": "extra"}));
        let n = Resource::Namespace {
            name: "team-a".into(),
        };
        assert_eq!(n.delete_request().path, "/system/namespace/team-a");
        assert!(n.delete_request().body.is_empty());
    }
}
