//! Handlers of `/system/info`, `/healthz` and `/metrics`.

use std::fmt::Write;

use super::reply::render_json;
use axum::extract::State as AxumState;
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};

use super::state::State;
use crate::model::{GatewayInfo, ProviderInfo, VersionInfo};
use crate::version;

/// The mock's provider-form info, named as its flavour.
fn provider_info(state: &State) -> ProviderInfo {
    ProviderInfo {
        provider: state.answers().provider_name.to_string(),
        orchestration: state.answers().orchestration.to_string(),
        version: VersionInfo {
            sha: version::SHA.to_string(),
            release: version::RELEASE.to_string(),
            commit_message: None,
        },
    }
}

/// `GET /system/info`: the provider form, or the gateway form with `--as-gateway`.
pub async fn info(AxumState(state): AxumState<State>) -> Response {
    if state.config().as_gateway {
        render_json(
            &state,
            &GatewayInfo {
                provider: Some(provider_info(&state)),
                version: VersionInfo {
                    sha: version::SHA.to_string(),
                    release: version::RELEASE.to_string(),
                    commit_message: None,
                },
                arch: std::env::consts::ARCH.to_string(),
            },
        )
    } else {
        render_json(&state, &provider_info(&state))
    }
}

/// `GET|HEAD /healthz`: 200 with an empty body; HEAD is a bare 405 for a flavour whose
/// faas-provider predates f53fe63 (its route took GET only).
pub async fn healthz(AxumState(state): AxumState<State>, method: Method) -> StatusCode {
    if method == Method::HEAD && !state.answers().healthz_head {
        StatusCode::METHOD_NOT_ALLOWED
    } else {
        StatusCode::OK
    }
}

/// `GET /metrics`: invocation counters in the Prometheus text format, as the gateway names them.
pub async fn metrics(AxumState(state): AxumState<State>) -> Response {
    let mut text = String::from(
        "# HELP gateway_function_invocation_total Function metrics\n# TYPE gateway_function_invocation_total counter\n",
    );
    for (ns, name, count) in state.invocation_counts() {
        let _ = writeln!(text, "gateway_function_invocation_total{{function_name=\"{name}.{ns}\",code=\"200\"}} {count}");
    }
    ([("content-type", "text/plain; version=0.0.4")], text).into_response()
}
