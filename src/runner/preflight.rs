//! Preflight: what must hold before a run creates anything, each failing with one line.
//! The target answers `/system/info` in the provider or gateway form, and every namespace the
//! run uses is one the target manages, where it lists them; what does not stop a run is a
//! warning, shown in the header and recorded in the reports.

use std::time::Instant;

use serde_json::Value;

use super::client::{Client, HttpRequest, HttpResponse};
use super::settings::Settings;
use super::RunError;

/// How much of an unexpected answer a preflight message quotes.
const QUOTE: usize = 120;

/// `/system/info` as JSON, when it has the provider form (`provider` a string) or the
/// gateway form (`provider` an object, or `version` and `arch`); otherwise the target is not
/// an OpenFaaS provider or gateway, and the error says what came back.
pub fn info(target: &str, resp: &HttpResponse) -> Result<Value, RunError> {
    let not_openfaas = |what: String| {
        RunError::Config(format!(
            "{target} is not an OpenFaaS provider or gateway: GET {target}/system/info answered {what}"
        ))
    };
    let content_type = resp
        .headers
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("no content type")
        .to_string();
    if !(200..300).contains(&resp.status) {
        return Err(not_openfaas(format!(
            "{} ({content_type}): {}",
            resp.status,
            quote(&resp.text())
        )));
    }
    let json: Value = serde_json::from_slice(&resp.body).map_err(|_| {
        not_openfaas(format!(
            "{} with a body that is not JSON ({content_type}): {}",
            resp.status,
            quote(&resp.text())
        ))
    })?;
    let provider_form = json.get("provider").is_some_and(Value::is_string);
    let gateway_form = json.get("provider").is_some_and(Value::is_object)
        || (json.get("version").is_some() && json.get("arch").is_some());
    if !(provider_form || gateway_form) {
        return Err(not_openfaas(format!(
            "{} with JSON of neither form (no `provider` name or object): {}",
            resp.status,
            quote(&resp.text())
        )));
    }
    Ok(json)
}

/// Every namespace the run uses is a valid name and, where the target lists its namespaces
/// (`GET /system/namespaces` answers a non-empty JSON list), one of them. A target without
/// the list (404, 405, 501, not JSON) is not checked: its cases say so. An empty list means
/// the provider does not list namespaces (faas-memory), not that it manages none: the run
/// goes on, with a warning (returned), and the namespace cases judge it.
pub async fn namespaces(
    client: &Client,
    settings: &Settings,
    deadline: Instant,
) -> Result<Vec<String>, RunError> {
    let used: Vec<&str> = std::iter::once(settings.namespace.as_str())
        .chain(settings.extra_namespace.as_deref())
        .collect();
    let req = HttpRequest {
        method: "GET".into(),
        path: "/system/namespaces".into(),
        ..Default::default()
    };
    let Ok(resp) = client.send(&req, Some(deadline)).await else {
        return Ok(Vec::new());
    };
    if resp.status != 200 {
        return Ok(Vec::new());
    }
    let Ok(Value::Array(listed)) = serde_json::from_slice::<Value>(&resp.body) else {
        return Ok(Vec::new());
    };
    let listed: Vec<&str> = listed.iter().filter_map(Value::as_str).collect();
    if listed.is_empty() {
        return Ok(vec![empty_list_warning(&used)]);
    }
    let missing: Vec<&str> = used.into_iter().filter(|ns| !listed.contains(ns)).collect();
    if missing.is_empty() {
        return Ok(Vec::new());
    }
    Err(RunError::Config(format!(
        "namespace {} is not managed by {} (GET /system/namespaces lists: {}); create it, \
         or choose another with --namespace/--extra-namespace",
        missing
            .iter()
            .map(|n| format!("`{n}`"))
            .collect::<Vec<_>>()
            .join(" and "),
        settings.gateway,
        listed.join(", ")
    )))
}

/// The preflight ran out of the run's own time (`--timeout`): `what` was under way. Nothing
/// was created yet; the target may be fine.
pub fn run_timeout(settings: &Settings, what: &str) -> RunError {
    let limit = settings
        .timeout
        .map(|t| format!(" {}", humantime::format_duration(t)))
        .unwrap_or_default();
    RunError::Config(format!(
        "the run's --timeout{limit} passed during the preflight of {} ({what}); \
         give the run a longer --timeout, or none",
        settings.gateway
    ))
}

/// The warning for a target whose `/system/namespaces` lists none, running in `used`.
fn empty_list_warning(used: &[&str]) -> String {
    let used = used
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(" and ");
    format!(
        "GET /system/namespaces lists no namespace: the provider does not list them; \
         the run goes on in {used} (the namespace cases judge it)"
    )
}

fn quote(text: &str) -> String {
    let one_line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    format!("{:?}", super::excerpt(&one_line, QUOTE))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_forms_of_info_pass() {
        assert!(info(
            "u",
            &HttpResponse::fixture(200, r#"{"provider":"faasd","version":{}}"#)
        )
        .is_ok());
        assert!(info(
            "u",
            &HttpResponse::fixture(
                200,
                r#"{"provider":{"provider":"faasd"},"version":{},"arch":"x"}"#
            )
        )
        .is_ok());
    }

    #[test]
    fn anything_else_is_not_openfaas_and_says_what_came_back() {
        let e = info(
            "http://h",
            &HttpResponse::fixture(404, "404 page not found"),
        )
        .unwrap_err();
        assert!(
            e.to_string()
                .contains("not an OpenFaaS provider or gateway")
                && e.to_string().contains("404"),
            "{e}"
        );
        let e = info(
            "http://h",
            &HttpResponse::fixture(200, "<html>index</html>"),
        )
        .unwrap_err();
        assert!(e.to_string().contains("not JSON"), "{e}");
        let e = info("http://h", &HttpResponse::fixture(200, r#"{"name":"x"}"#)).unwrap_err();
        assert!(e.to_string().contains("neither form"), "{e}");
    }

    #[test]
    fn an_empty_namespace_list_is_a_warning_naming_the_namespaces_used() {
        let w = empty_list_warning(&["openfaas-fn", "extra"]);
        assert!(w.contains("lists no namespace"), "{w}");
        assert!(w.contains("`openfaas-fn` and `extra`"), "{w}");
    }

    #[test]
    fn namespace_names_are_dns_labels() {
        use crate::model::is_dns_label;
        assert!(is_dns_label("openfaas-fn"));
        assert!(!is_dns_label("Bad_NS"));
        assert!(!is_dns_label("openfaas-fn dev"));
        assert!(!is_dns_label("-x"));
        assert!(!is_dns_label(""));
    }
}
