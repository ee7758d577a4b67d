//! Handlers of `/system/info`, `/healthz` and `/metrics`.

use std::fmt::Write;

use axum::extract::State as AxumState;
use axum::response::{IntoResponse, Response};
use axum::Json;

use super::state::State;
use crate::model::{GatewayInfo, ProviderInfo, VersionInfo};
use crate::version;

/// The name the mock reports as its provider.
pub const PROVIDER_NAME: &str = "faas-certifier-mock";

/// The mock's provider-form info.
pub fn provider_info() -> ProviderInfo {
    ProviderInfo {
        provider: PROVIDER_NAME.to_string(),
        orchestration: "in-memory".to_string(),
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
        Json(GatewayInfo {
            provider: Some(provider_info()),
            version: VersionInfo {
                sha: version::SHA.to_string(),
                release: version::RELEASE.to_string(),
                commit_message: None,
            },
            arch: std::env::consts::ARCH.to_string(),
        })
        .into_response()
    } else {
        Json(provider_info()).into_response()
    }
}

/// `GET|HEAD /healthz`: 200 with an empty body.
pub async fn healthz() {}

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
