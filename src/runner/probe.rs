//! Probing the target for its optional features: asking it rather than guessing from the
//! provider's name. Through a gateway the features a run can use are those of the chain.
//!
//! A route probe answering 405, 501, or a 404 that is not a handler's reason (empty, Go's
//! mux text `404 page not found`, or an HTML page) means "not routed": the feature is off.
//! Scaling is probed on a function the run deploys for it (named with the run id, always
//! deleted again): it is scaled to 0 and read back.

use std::time::Instant;

use serde_json::Value;

use super::bodies::{json_request, scale};
use super::cleanup::Resource;
use super::client::{Client, HttpRequest, HttpResponse};
use super::ops::{enc, get};
use super::settings::Settings;
use super::RunError;
use crate::model::FunctionDeployment;
use crate::suite::Feature;

/// What one probe found out about one feature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The feature.
    pub feature: Feature,
    /// Whether the probe says it is there.
    pub enabled: bool,
    /// The request and its answer, in words: `GET /system/secrets -> 200`.
    pub evidence: String,
    /// Whether the answer settles the question through a gateway (a route that is not
    /// there, a 0 read back as 1), or only hints at it (the scale endpoint answered, which
    /// says nothing of how many replicas the provider can run).
    pub decisive: bool,
}

/// The findings of every probe, and the probe function to delete.
#[derive(Debug, Default)]
pub struct Probed {
    /// One finding per feature a probe could decide.
    pub findings: Vec<Finding>,
    /// The probe function, unless its deploy was refused: the runner deletes it in the
    /// background (a provider may take its stop grace to answer), and waits for that at the end.
    pub leftover: Option<Resource>,
}

/// The name of the run's probe function and probed namespace.
pub fn probe_name(run_id: &str) -> String {
    format!("certifier-probe-{run_id}")
}

/// Runs every probe against the target within `deadline`.
pub async fn probe(
    client: &Client,
    settings: &Settings,
    run_id: &str,
    gateway: bool,
    deadline: Instant,
) -> Probed {
    let name = probe_name(run_id);
    let ns = &settings.namespace;
    let routes = async {
        let (secrets, namespaces, namespace, queued) = tokio::join!(
            ask(
                client,
                get(format!("/system/secrets?namespace={}", enc(ns))),
                deadline
            ),
            ask(client, get("/system/namespaces".into()), deadline),
            ask(client, get(format!("/system/namespace/{name}")), deadline),
            async {
                match gateway {
                    true => Some(ask(client, async_probe(&name), deadline).await),
                    false => None,
                }
            },
        );
        let mut found: Vec<Finding> = queued
            .as_ref()
            .and_then(async_finding)
            .into_iter()
            .collect();
        if let Some(f) = route_finding(Feature::Secrets, &secrets) {
            found.push(Finding {
                feature: Feature::SecretUpdate,
                evidence: format!("follows secrets: {}", f.evidence),
                decisive: !f.enabled,
                ..f.clone()
            });
            found.push(f);
        }
        if let Some(f) = route_finding(Feature::Namespaces, &namespaces).filter(|f| !f.enabled) {
            found.push(f);
        }
        found.extend(route_finding(Feature::NamespaceCrud, &namespace));
        found
    };
    let function = async {
        let deployed = ask(client, deploy(&name, ns, &settings.registry), deadline).await;
        let (logs, scaling) = tokio::join!(
            ask(
                client,
                get(format!(
                    "/system/logs?name={}&namespace={}&tail=1",
                    enc(&name),
                    enc(ns)
                )),
                deadline
            ),
            scale_to_zero(client, &name, ns, gateway, &deployed, deadline),
        );
        let mut found: Vec<Finding> = route_finding(Feature::Logs, &logs).into_iter().collect();
        found.extend(scaling);
        (deployed, found)
    };
    let (mut findings, (deployed, scaling)) = tokio::join!(routes, function);
    findings.extend(scaling);
    let leftover = match &deployed.answer {
        // Refused: nothing was created.
        Ok(r) if (400..500).contains(&r.status) => None,
        _ => Some(Resource::Function {
            name: name.clone(),
            namespace: ns.to_string(),
        }),
    };
    Probed { findings, leftover }
}

/// A request sent and what came back.
struct Asked {
    /// `METHOD PATH`, for evidence.
    what: String,
    /// The answer or the transport error.
    answer: Result<HttpResponse, RunError>,
}

async fn ask(client: &Client, req: HttpRequest, deadline: Instant) -> Asked {
    Asked {
        what: format!("{} {}", req.method, req.path),
        answer: client.send(&req, Some(deadline)).await,
    }
}

fn deploy(name: &str, ns: &str, registry: &str) -> HttpRequest {
    json_request(
        "POST",
        "/system/functions".into(),
        &FunctionDeployment {
            service: name.to_string(),
            image: format!("{registry}/alpine:latest"),
            env_process: "env".into(),
            namespace: ns.to_string(),
            labels: [("com.openfaas.certifier".to_string(), "probe".to_string())].into(),
            ..Default::default()
        },
    )
}

/// The `async` probe: `POST /async-function/NAME` with an unparsable `X-Callback-Url`. The CE
/// gateway (8d803bf9 `handlers/queue_proxy.go`) parses the header before it queues anything,
/// so where the route exists the answer is 400 and nothing is queued.
fn async_probe(name: &str) -> HttpRequest {
    HttpRequest {
        method: "POST".into(),
        path: format!("/async-function/{name}"),
        headers: vec![("X-Callback-Url".into(), "%zz".into())],
        ..Default::default()
    }
}

/// What the `async` probe's answer says: 400 (the header refused) or 202 (queued) is a routed
/// queue; 404, 405 and 501 are no queue; anything else (refused credentials, a 5xx) decides
/// nothing.
fn async_finding(asked: &Asked) -> Option<Finding> {
    let resp = asked.answer.as_ref().ok()?;
    let enabled = match resp.status {
        400 | 202 => true,
        404 | 405 | 501 => false,
        _ => return None,
    };
    let note = if enabled { "" } else { " (not routed)" };
    Some(Finding {
        feature: Feature::Async,
        enabled,
        evidence: format!(
            "{} with X-Callback-Url: %zz -> {}{note}",
            asked.what,
            answer_text(resp)
        ),
        decisive: true,
    })
}

/// An answer in a few words: `404 "404 page not found"`.
fn answer_text(resp: &HttpResponse) -> String {
    let body = String::from_utf8_lossy(&resp.body);
    let body = body.trim();
    if body.is_empty() {
        resp.status.to_string()
    } else {
        format!("{} {:?}", resp.status, super::excerpt(body, 60))
    }
}

/// Whether an answer says the route is not there.
fn unrouted(resp: &HttpResponse) -> bool {
    match resp.status {
        405 | 501 => true,
        404 => {
            let body = String::from_utf8_lossy(&resp.body);
            let body = body.trim();
            let html = resp
                .headers
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .is_some_and(|ct| ct.starts_with("text/html"));
            body.is_empty() || body == "404 page not found" || html
        }
        _ => false,
    }
}

/// A route probe's finding: off when not routed, on for any other answer; none when the
/// request failed or the credentials were refused.
fn route_finding(feature: Feature, asked: &Asked) -> Option<Finding> {
    let resp = asked.answer.as_ref().ok()?;
    if matches!(resp.status, 401 | 403) {
        return None;
    }
    let off = unrouted(resp);
    let note = if off { " (not routed)" } else { "" };
    Some(Finding {
        feature,
        enabled: !off,
        evidence: format!("{} -> {}{note}", asked.what, answer_text(resp)),
        decisive: true,
    })
}

/// The function's replica count as its status reads (`None` when it cannot be read).
async fn replicas(client: &Client, name: &str, ns: &str, deadline: Instant) -> Option<u64> {
    let read = ask(
        client,
        get(format!("/system/function/{name}?namespace={}", enc(ns))),
        deadline,
    )
    .await;
    read.answer
        .as_ref()
        .ok()
        .filter(|r| r.status == 200)
        .and_then(|r| serde_json::from_slice::<Value>(&r.body).ok())
        // Providers omit a replica count of 0.
        .map(|v| v.get("replicas").and_then(Value::as_u64).unwrap_or(0))
}

/// Scales the probe function to 0 and reads it back: `scaling` and `scale-to-zero`.
async fn scale_to_zero(
    client: &Client,
    name: &str,
    ns: &str,
    gateway: bool,
    deployed: &Asked,
    deadline: Instant,
) -> Vec<Finding> {
    match &deployed.answer {
        Ok(r) if (200..300).contains(&r.status) => {}
        _ => return Vec::new(),
    }
    let scale = json_request(
        "POST",
        format!("/system/scale-function/{name}?namespace={}", enc(ns)),
        &scale(name, 0, ns),
    );
    let what = format!("POST /system/scale-function/{name} {{replicas: 0}}");
    let scaled = ask(client, scale, deadline).await;
    let Ok(resp) = &scaled.answer else {
        return Vec::new();
    };
    if matches!(resp.status, 401 | 403) {
        return Vec::new();
    }
    let finding = |feature, enabled, evidence: String, decisive| Finding {
        feature,
        enabled,
        evidence,
        decisive,
    };
    if unrouted(resp) {
        let evidence = format!("{what} -> {} (not routed)", answer_text(resp));
        return vec![
            finding(Feature::Scaling, false, evidence.clone(), true),
            finding(Feature::ScaleToZero, false, evidence, true),
        ];
    }
    let answered = finding(
        Feature::Scaling,
        true,
        format!(
            "the scale endpoint answered: {what} -> {}",
            answer_text(resp)
        ),
        false,
    );
    if !(200..300).contains(&resp.status) {
        let evidence = format!("{what} -> {} (0 refused)", answer_text(resp));
        return vec![
            answered,
            finding(Feature::ScaleToZero, false, evidence, true),
        ];
    }
    let Some(replicas) = replicas(client, name, ns, deadline).await else {
        return vec![answered];
    };
    let why = match (replicas, gateway) {
        (0, _) => "",
        (_, true) => " (the gateway clamps 0 to 1)",
        (_, false) => " (0 was not kept)",
    };
    let evidence = format!(
        "{what} -> {}, then GET -> replicas {replicas}{why}",
        resp.status
    );
    vec![
        answered,
        finding(Feature::ScaleToZero, replicas == 0, evidence, true),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::{HeaderMap, HeaderValue};

    fn answer(status: u16, body: &str, content_type: Option<&str>) -> HttpResponse {
        let mut headers = HeaderMap::new();
        if let Some(ct) = content_type {
            headers.insert("content-type", HeaderValue::from_str(ct).unwrap());
        }
        HttpResponse {
            status,
            headers,
            body: bytes::Bytes::from(body.to_string()),
        }
    }

    #[test]
    fn not_routed_is_told_from_not_found() {
        assert!(unrouted(&answer(
            404,
            "404 page not found\n",
            Some("text/plain")
        )));
        assert!(unrouted(&answer(404, "", None)));
        assert!(unrouted(&answer(
            404,
            "<html>nope</html>",
            Some("text/html")
        )));
        assert!(unrouted(&answer(405, "", None)));
        assert!(unrouted(&answer(501, "not implemented", None)));
        // A handler's reason: the route is there, the named thing is not.
        assert!(!unrouted(&answer(
            404,
            "namespace \"x\" not found\n",
            Some("text/plain")
        )));
        assert!(!unrouted(&answer(200, "[]", None)));
        assert!(!unrouted(&answer(500, "boom", None)));
    }

    #[test]
    fn route_findings_carry_the_request_and_answer() {
        let asked = Asked {
            what: "GET /system/namespace/x".into(),
            answer: Ok(answer(404, "404 page not found\n", None)),
        };
        let f = route_finding(Feature::NamespaceCrud, &asked).unwrap();
        assert!(!f.enabled && f.decisive);
        assert_eq!(
            f.evidence,
            "GET /system/namespace/x -> 404 \"404 page not found\" (not routed)"
        );
        let refused = Asked {
            what: "GET /system/secrets".into(),
            answer: Ok(answer(401, "Unauthorized", None)),
        };
        assert_eq!(route_finding(Feature::Secrets, &refused), None);
    }

    #[test]
    fn the_async_probe_is_on_for_a_refused_callback_url_and_off_when_not_routed() {
        let req = async_probe("certifier-probe-x");
        assert_eq!(req.path, "/async-function/certifier-probe-x");
        assert_eq!(req.headers, vec![("X-Callback-Url".into(), "%zz".into())]);
        let asked = |status: u16, body: &str| Asked {
            what: "POST /async-function/certifier-probe-x".into(),
            answer: Ok(answer(status, body, None)),
        };
        let on = async_finding(&asked(400, "parse \"%zz\": invalid URL escape \"%zz\"\n")).unwrap();
        assert!(on.enabled && on.decisive);
        assert!(
            on.evidence.starts_with(
                "POST /async-function/certifier-probe-x with X-Callback-Url: %zz -> 400"
            ),
            "{}",
            on.evidence
        );
        assert!(async_finding(&asked(202, "")).unwrap().enabled);
        for off in [404, 405, 501] {
            let f = async_finding(&asked(off, "404 page not found")).unwrap();
            assert!(!f.enabled && f.evidence.ends_with("(not routed)"), "{off}");
        }
        assert_eq!(async_finding(&asked(401, "")), None);
        assert_eq!(async_finding(&asked(500, "boom")), None);
    }

    #[test]
    fn the_probe_function_is_deployed_with_its_label() {
        let req = deploy("certifier-probe-x", "openfaas-fn", "docker.io/library");
        assert_eq!(
            (req.method.as_str(), req.path.as_str()),
            ("POST", "/system/functions")
        );
        let body: Value = serde_json::from_slice(&req.body).unwrap();
        assert_eq!(
            body,
            serde_json::json!({
                "service": "certifier-probe-x",
                "image": "docker.io/library/alpine:latest",
                "envProcess": "env",
                "namespace": "openfaas-fn",
                "labels": {"com.openfaas.certifier": "probe"},
            })
        );
    }
}
