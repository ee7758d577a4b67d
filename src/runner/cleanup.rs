//! Resources a case created, and deleting them when it ends (passed, failed or errored).

use std::time::{Duration, Instant};

use serde::Serialize;

use super::backoff::Backoff;
use super::bodies::{delete_function, json_request, secret_ref};
use super::client::{Client, HttpRequest};
use super::ops::{enc, get, status_path};

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

    /// The request reading a function's status (404 once it is gone); none for the others.
    fn status_request(&self) -> Option<HttpRequest> {
        match self {
            Resource::Function { name, namespace } => Some(get(status_path(name, namespace))),
            _ => None,
        }
    }

    fn delete_request(&self) -> HttpRequest {
        match self {
            Resource::Function { name, namespace } => HttpRequest {
                slow: true,
                ..json_request(
                    "DELETE",
                    format!("/system/functions?namespace={}", enc(namespace)),
                    &delete_function(name, namespace),
                )
            },
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

/// What a cleanup did: what it removed, and what it could not (with why).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Cleaned {
    /// Deleted (or found gone).
    pub removed: Vec<Resource>,
    /// Still there when the cleanup gave up.
    pub left: Vec<Left>,
}

/// A resource cleanup could not remove.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Left {
    /// The resource.
    pub resource: Resource,
    /// Why: the last answer, or how long it stayed after its delete was accepted.
    pub why: String,
    /// Its delete was accepted (2xx) and it never went: sending the delete again will not help.
    pub accepted: bool,
    /// Cleanup already tried to delete it for its whole bound (not kept with `--keep`, nor
    /// skipped because the provider had stopped answering).
    pub tried: bool,
}

/// Deletes `resources` within `bound`: functions first, all at once, then the secrets they
/// mounted, then namespaces. A 5xx or an answer that never came is retried (a provider that
/// stops the running task first may take its stop grace, and faasd 0.19.0 then fails the
/// first delete); a function counts as removed once its status answers 404, so one that
/// stays listed after its delete was accepted is reported left. A resource `in_doubt` is one
/// whose create never got its answer: it may still land after its delete, so a 404 for it is
/// asked again for a while.
pub async fn delete_all(
    client: &Client,
    mut resources: Vec<Resource>,
    in_doubt: &[Resource],
    bound: Duration,
) -> Cleaned {
    let deadline = Instant::now() + bound;
    resources.sort_by_key(Resource::rank);
    resources.dedup();
    let mut cleaned = Cleaned::default();
    for rank in 0..=2 {
        let group = resources.iter().filter(|r| r.rank() == rank);
        let removals = group.map(|r| async move {
            let doubt = in_doubt.contains(r);
            (r.clone(), remove(client, r, doubt, deadline).await)
        });
        for (r, outcome) in futures_util::future::join_all(removals).await {
            match outcome {
                Ok(()) => cleaned.removed.push(r),
                Err((why, accepted)) => cleaned.left.push(Left {
                    resource: r,
                    why,
                    accepted,
                    tried: true,
                }),
            }
        }
    }
    cleaned
}

/// Removes `r` before `deadline`: `Err((why, accepted))` when it could not.
async fn remove(
    client: &Client,
    r: &Resource,
    in_doubt: bool,
    deadline: Instant,
) -> Result<(), (String, bool)> {
    let mut pauses = Backoff::new(RETRY_PAUSE_MAX);
    let mut landing = LANDING_PAUSES.iter();
    // A provider that refuses connections is gone: a few tries, not the whole bound.
    let mut refused = 0;
    loop {
        let last = match client.send(&r.delete_request(), Some(deadline)).await {
            Ok(resp) if (200..300).contains(&resp.status) => {
                let wait = deadline.min(Instant::now() + ACCEPTED_GONE_WAIT);
                return match r.status_request() {
                    Some(status) => gone(client, &status, wait)
                        .await
                        .map_err(|w| (w.to_string(), true)),
                    None => Ok(()),
                };
            }
            // A create in doubt may still land: ask again after a pause.
            Ok(resp) if resp.status == 404 && in_doubt => match landing.next() {
                Some(pause) if Instant::now() + *pause < deadline => {
                    tokio::time::sleep(*pause).await;
                    continue;
                }
                _ => return Ok(()),
            },
            Ok(resp) if resp.status == 404 => return Ok(()),
            Ok(resp) if resp.status < 500 => {
                return Err((
                    format!("DELETE answered {}: {}", resp.status, brief(&resp.text())),
                    false,
                ))
            }
            Ok(resp) => format!("DELETE answered {}: {}", resp.status, brief(&resp.text())),
            // Not answered in time: the delete may still be under way (a stop grace), so
            // wait for the function to go before sending another.
            Err(e) if e.timed_out() => {
                if let Some(status) = r.status_request() {
                    let wait = deadline.min(Instant::now() + IN_FLIGHT_WAIT);
                    if gone(client, &status, wait).await.is_ok() {
                        return Ok(());
                    }
                }
                format!("DELETE: {}", e.brief())
            }
            Err(e) => {
                refused += 1;
                if refused >= UNREACHABLE_TRIES {
                    return Err((format!("DELETE: {}", e.brief()), false));
                }
                format!("DELETE: {}", e.brief())
            }
        };
        // A delete that failed or was not answered may have taken effect all the same.
        if let Some(status) = r.status_request() {
            if let Ok(resp) = client.send(&status, Some(deadline)).await {
                if resp.status == 404 {
                    return Ok(());
                }
            }
        }
        let pause = pauses.next().unwrap_or(RETRY_PAUSE_MAX);
        if Instant::now() + pause >= deadline {
            return Err((last, false));
        }
        tokio::time::sleep(pause).await;
    }
}

/// A function whose delete was accepted but whose status still answered by the deadline.
#[derive(Debug, thiserror::Error)]
#[error("its DELETE was accepted, but {secs:.0} s later GET {path} still answered {last} (the provider never finished deleting it)")]
struct NotGone {
    /// Seconds waited.
    secs: f64,
    /// The status path read.
    path: String,
    /// Its last answer (a status, or why there was none).
    last: String,
}

/// Waits until `status` answers 404 (the function is gone), before `deadline`.
async fn gone(client: &Client, status: &HttpRequest, deadline: Instant) -> Result<(), NotGone> {
    let since = Instant::now();
    let mut pauses = Backoff::new(RETRY_PAUSE_MAX);
    loop {
        let last = match client.send(status, Some(deadline)).await {
            Ok(resp) if resp.status == 404 => return Ok(()),
            Ok(resp) => format!("{}", resp.status),
            Err(e) => e.brief(),
        };
        let pause = pauses.next().unwrap_or(RETRY_PAUSE_MAX);
        if Instant::now() + pause >= deadline {
            return Err(NotGone {
                secs: since.elapsed().as_secs_f64(),
                path: status.path.clone(),
                last,
            });
        }
        tokio::time::sleep(pause).await;
    }
}

/// How long a function whose delete was accepted is given to leave: a provider may still
/// be stopping its replicas (a 30 s grace) after it answered.
const ACCEPTED_GONE_WAIT: Duration = Duration::from_secs(60);

/// How long a delete that was not answered in time is given to finish before it is sent again.
const IN_FLIGHT_WAIT: Duration = Duration::from_secs(60);

/// Deletes tried against a provider that does not answer at all before giving up.
const UNREACHABLE_TRIES: u32 = 3;

/// The longest pause between two deletes of one resource, or two reads of its status.
const RETRY_PAUSE_MAX: Duration = Duration::from_secs(1);

/// Pauses before each new delete of a resource whose create may still land.
const LANDING_PAUSES: [Duration; 4] = [
    Duration::from_millis(100),
    Duration::from_millis(200),
    Duration::from_millis(400),
    Duration::from_millis(800),
];

/// A short excerpt of an answer, on one line.
fn brief(text: &str) -> String {
    let line = text.lines().next().unwrap_or("").trim();
    super::result::excerpt(line, 160)
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
        let sent = server.received_requests().await.unwrap_or_default();
        sent.iter()
            .filter(|r| r.method.as_str() == "DELETE")
            .count()
    }

    const BOUND: Duration = Duration::from_secs(3);

    fn client(server: &MockServer) -> Client {
        Client::new(&Settings::new(&server.uri())).expect("a client")
    }

    /// The function's status answers `status` for ever.
    async fn status_answers(server: &MockServer, status: u16) {
        Mock::given(method("GET"))
            .and(path("/system/function/late-fn"))
            .respond_with(ResponseTemplate::new(status).set_body_string("{}"))
            .mount(server)
            .await;
    }

    #[tokio::test]
    async fn a_create_in_doubt_that_lands_late_is_deleted_once_it_has() {
        let server = lands_late().await;
        let cleaned = delete_all(&client(&server), vec![function()], &[function()], BOUND).await;
        assert!(cleaned.left.is_empty(), "{cleaned:?}");
        assert_eq!(cleaned.removed, vec![function()]);
        assert_eq!(deletes(&server).await, 2, "asked again after the 404");
    }

    #[tokio::test]
    async fn a_confirmed_create_answering_404_is_gone_at_once() {
        let server = lands_late().await;
        let cleaned = delete_all(&client(&server), vec![function()], &[], BOUND).await;
        assert!(cleaned.left.is_empty(), "{cleaned:?}");
        assert_eq!(
            deletes(&server).await,
            1,
            "a 404 is final when no create is in doubt"
        );
    }

    #[tokio::test]
    async fn a_failing_delete_is_retried_until_the_bound_then_listed_with_its_answer() {
        let server = MockServer::start().await;
        Mock::given(method("DELETE"))
            .respond_with(ResponseTemplate::new(500).set_body_string("cannot delete running task"))
            .mount(&server)
            .await;
        status_answers(&server, 200).await;
        let started = Instant::now();
        let cleaned = delete_all(&client(&server), vec![function()], &[], BOUND).await;
        assert!(
            started.elapsed() < BOUND + Duration::from_secs(2),
            "bounded"
        );
        assert_eq!(cleaned.left.len(), 1, "{cleaned:?}");
        assert!(
            cleaned.left[0]
                .why
                .contains("500: cannot delete running task"),
            "{cleaned:?}"
        );
        assert!(!cleaned.left[0].accepted);
        let sent = server.received_requests().await.unwrap_or_default();
        let deletes = sent
            .iter()
            .filter(|r| r.method.as_str() == "DELETE")
            .count();
        assert!(deletes >= 2, "a 5xx is retried: {deletes} deletes");
    }

    #[tokio::test]
    async fn a_delete_that_fails_once_like_faasd_0_19_is_retried_and_removed() {
        let server = MockServer::start().await;
        Mock::given(method("DELETE"))
            .respond_with(ResponseTemplate::new(500))
            .up_to_n_times(1)
            .with_priority(1)
            .mount(&server)
            .await;
        Mock::given(method("DELETE"))
            .respond_with(ResponseTemplate::new(200))
            .with_priority(2)
            .mount(&server)
            .await;
        // Listed until the second delete; wiremock answers 404 for what nothing matches.
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(200).set_body_string("{}"))
            .up_to_n_times(1)
            .mount(&server)
            .await;
        let cleaned = delete_all(&client(&server), vec![function()], &[], BOUND).await;
        assert_eq!(cleaned.removed, vec![function()], "{cleaned:?}");
    }

    #[tokio::test]
    async fn an_accepted_delete_whose_function_never_goes_is_left_within_the_bound() {
        let server = MockServer::start().await;
        Mock::given(method("DELETE"))
            .respond_with(ResponseTemplate::new(202))
            .mount(&server)
            .await;
        status_answers(&server, 200).await;
        let started = Instant::now();
        let cleaned = delete_all(
            &client(&server),
            vec![function()],
            &[],
            Duration::from_secs(1),
        )
        .await;
        assert!(started.elapsed() < Duration::from_secs(3));
        assert_eq!(cleaned.left.len(), 1);
        assert!(cleaned.left[0].accepted);
        assert!(
            cleaned.left[0].why.contains("still answered 200"),
            "{cleaned:?}"
        );
    }

    #[tokio::test]
    async fn deletes_of_many_functions_wait_side_by_side() {
        let server = MockServer::start().await;
        Mock::given(method("DELETE"))
            .respond_with(ResponseTemplate::new(202).set_delay(Duration::from_millis(600)))
            .mount(&server)
            .await;
        let many: Vec<Resource> = (0..6)
            .map(|i| Resource::Function {
                name: format!("f{i}"),
                namespace: "openfaas-fn".into(),
            })
            .collect();
        let started = Instant::now();
        let cleaned = delete_all(&client(&server), many, &[], BOUND).await;
        assert_eq!(cleaned.removed.len(), 6, "{cleaned:?}");
        assert!(
            started.elapsed() < Duration::from_millis(6 * 600),
            "in parallel: {:?}",
            started.elapsed()
        );
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
