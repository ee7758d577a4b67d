//! The provider API as an OpenAPI 3.1 document (`contract/openapi.json`), generated with
//! utoipa from the model types ([`crate::model`]) and the routes the mock serves.
//!
//! Each route below is declared once, on a function that only carries the declaration;
//! `tests` check that the mock routes every one of them.
#![allow(dead_code)]

use utoipa::OpenApi;

use crate::model::{
    DeleteFunctionRequest, FunctionDeployment, FunctionStatus, FunctionUsage, GatewayInfo,
    LogMessage, NamespaceRequest, ProviderInfo, Resources, ScaleRequest, Secret, VersionInfo,
};

/// `/system/info`: a bare provider's form, or a gateway's, which wraps it.
#[derive(serde::Serialize, utoipa::ToSchema)]
#[serde(untagged)]
enum SystemInfo {
    /// A bare provider.
    Provider(ProviderInfo),
    /// A gateway in front of a provider.
    Gateway(GatewayInfo),
}

/// The provider API.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "OpenFaaS provider API",
        description = "The OpenFaaS provider REST API as faas-certifier certifies it. The rules \
            (which codes are legal, where providers differ) are the clauses of CONTRACT.md; \
            each operation names its clauses.",
        license(name = "MIT"),
        version = "1"
    ),
    paths(
        list_functions, deploy_function, update_function, delete_function, function_status,
        scale_function, system_info, list_secrets, create_secret, update_secret, delete_secret,
        logs, list_namespaces, get_namespace, create_namespace, update_namespace,
        delete_namespace, invoke, invoke_slash, invoke_path, healthz, metrics
    ),
    components(schemas(
        FunctionDeployment, FunctionStatus, FunctionUsage, Resources, ScaleRequest,
        DeleteFunctionRequest, Secret, ProviderInfo, GatewayInfo, VersionInfo, LogMessage,
        NamespaceRequest, SystemInfo
    )),
    tags(
        (name = "functions"), (name = "secrets"), (name = "logs"), (name = "namespaces"),
        (name = "system"), (name = "invoke")
    )
)]
struct ProviderApi;

/// The document, as committed in `contract/openapi.json`.
pub fn document() -> utoipa::openapi::OpenApi {
    ProviderApi::openapi()
}

/// The document as pretty JSON with a trailing newline.
pub fn json() -> String {
    let mut text = document().to_pretty_json().unwrap_or_default();
    text.push('\n');
    text
}

#[utoipa::path(get, path = "/system/functions", tag = "functions",
    description = "Clauses: list.functions, list.empty-null, status.always-labels-annotations.",
    params(("namespace" = Option<String>, Query, description = "default: openfaas-fn")),
    responses(
        (status = 200, description = "the functions of the namespace (`null` when there are none is legal)",
            body = Option<Vec<FunctionStatus>>),
        (status = 400, description = "an unknown namespace", body = String, content_type = "text/plain"),
    ))]
fn list_functions() {}

#[utoipa::path(post, path = "/system/functions", tag = "functions",
    description = "Clauses: deploy.accepted, routes.mutation-success, deploy.bad-json, deploy.missing-image.",
    request_body = FunctionDeployment,
    responses(
        (status = 200, description = "deployed (faasd)"),
        (status = 201, description = "deployed"),
        (status = 202, description = "deployed (faas-netes)"),
        (status = 400, description = "bad JSON, no image, an invalid name, a foreign namespace, a missing secret",
            body = String, content_type = "text/plain"),
    ))]
fn deploy_function() {}

#[utoipa::path(put, path = "/system/functions", tag = "functions",
    description = "Clauses: update.applied, update.unknown-404.",
    request_body = FunctionDeployment,
    responses(
        (status = 200, description = "updated (faasd)"),
        (status = 202, description = "updated (faas-netes)"),
        (status = 400, description = "bad JSON", body = String, content_type = "text/plain"),
        (status = 404, description = "no such function", body = String, content_type = "text/plain"),
    ))]
fn update_function() {}

#[utoipa::path(delete, path = "/system/functions", tag = "functions",
    description = "Clauses: delete.removed, delete.unknown-404, delete.bad-request-400. faas-netes reads \
        the namespace from the query, faasd from the body: send both.",
    params(("namespace" = Option<String>, Query, description = "default: openfaas-fn")),
    request_body = DeleteFunctionRequest,
    responses(
        (status = 200, description = "deleted (faasd)"),
        (status = 202, description = "deleted (faas-netes)"),
        (status = 400, description = "bad JSON or no name", body = String, content_type = "text/plain"),
        (status = 404, description = "no such function", body = String, content_type = "text/plain"),
    ))]
fn delete_function() {}

#[utoipa::path(get, path = "/system/function/{name}", tag = "functions",
    description = "Clauses: status.found, status.unknown-404, status.always-labels-annotations, status.numbers.",
    params(
        ("name" = String, Path, description = "the function"),
        ("namespace" = Option<String>, Query, description = "default: openfaas-fn"),
    ),
    responses(
        (status = 200, description = "the function's status", body = FunctionStatus),
        (status = 404, description = "no such function", body = String, content_type = "text/plain"),
    ))]
fn function_status() {}

#[utoipa::path(post, path = "/system/scale-function/{name}", tag = "functions",
    description = "Clauses: scale.endpoint, scale.zero-replicas, gateway.scale-zero-clamp.",
    params(("name" = String, Path, description = "the function")),
    request_body = ScaleRequest,
    responses(
        (status = 200, description = "scaled (faasd)"),
        (status = 202, description = "scaled (faas-netes)"),
        (status = 400, description = "bad JSON, or 0 replicas where refused", body = String, content_type = "text/plain"),
        (status = 404, description = "no such function (faasd; faas-netes answers 500)", body = String, content_type = "text/plain"),
    ))]
fn scale_function() {}

#[utoipa::path(get, path = "/system/info", tag = "system",
    description = "Clauses: info.provider, info.gateway-form.",
    responses((status = 200, description = "the provider's or the gateway's form", body = SystemInfo)))]
fn system_info() {}

#[utoipa::path(get, path = "/system/secrets", tag = "secrets",
    description = "Clauses: secrets.list-without-values, list.empty-null.",
    params(("namespace" = Option<String>, Query, description = "default: openfaas-fn")),
    responses((status = 200, description = "names and namespaces, never values", body = Option<Vec<Secret>>)))]
fn list_secrets() {}

#[utoipa::path(post, path = "/system/secrets", tag = "secrets",
    description = "Clauses: secrets.create, secrets.raw-value, secrets.duplicate, secrets.bad-json.",
    request_body = Secret,
    responses(
        (status = 200, description = "created (faasd; overwrites an existing secret)"),
        (status = 201, description = "created"),
        (status = 202, description = "created (faas-netes)"),
        (status = 400, description = "bad JSON (faasd: 500)", body = String, content_type = "text/plain"),
        (status = 409, description = "exists (faas-netes)", body = String, content_type = "text/plain"),
    ))]
fn create_secret() {}

#[utoipa::path(put, path = "/system/secrets", tag = "secrets",
    description = "Clauses: secrets.update.",
    request_body = Secret,
    responses(
        (status = 200, description = "updated (faasd; creates a missing secret)"),
        (status = 202, description = "updated (faas-netes)"),
        (status = 404, description = "no such secret (faas-netes)", body = String, content_type = "text/plain"),
    ))]
fn update_secret() {}

#[utoipa::path(delete, path = "/system/secrets", tag = "secrets",
    description = "Clauses: secrets.delete.",
    request_body = Secret,
    responses(
        (status = 200, description = "deleted (faasd)"),
        (status = 202, description = "deleted (faas-netes)"),
        (status = 404, description = "no such secret (faas-netes; faasd answers 500)", body = String, content_type = "text/plain"),
    ))]
fn delete_secret() {}

#[utoipa::path(get, path = "/system/logs", tag = "logs",
    description = "Clauses: logs.stream, logs.message-shape, logs.tail, logs.since, logs.follow, \
        logs.bad-parameters-422, gateway.logs-content-type, gateway.logs-error-500. One LogMessage \
        per line.",
    params(
        ("name" = String, Query, description = "the function"),
        ("namespace" = Option<String>, Query, description = "default: openfaas-fn"),
        ("instance" = Option<String>, Query, description = "one replica only"),
        ("tail" = Option<i64>, Query, description = "the last N messages; 0 or less: all"),
        ("since" = Option<String>, Query, description = "RFC 3339"),
        ("follow" = Option<bool>, Query, description = "keep the stream open"),
    ),
    responses(
        (status = 200, description = "NDJSON: one LogMessage per line", body = LogMessage,
            content_type = "application/x-ndjson"),
        (status = 422, description = "a bad tail or since (through the gateway: 500)", body = String, content_type = "text/plain"),
    ))]
fn logs() {}

#[utoipa::path(get, path = "/system/namespaces", tag = "namespaces",
    description = "Clauses: namespaces.list.",
    responses((status = 200, description = "the namespaces functions may live in", body = Option<Vec<String>>)))]
fn list_namespaces() {}

#[utoipa::path(get, path = "/system/namespace/{name}", tag = "namespaces",
    description = "Clauses: namespaces.crud, namespaces.crud-errors, namespaces.management-optional.",
    params(("name" = String, Path, description = "the namespace")),
    responses(
        (status = 200, description = "the namespace", body = NamespaceRequest),
        (status = 404, description = "no such namespace", body = String, content_type = "text/plain"),
        (status = 501, description = "namespace management is not offered", body = String, content_type = "text/plain"),
    ))]
fn get_namespace() {}

#[utoipa::path(post, path = "/system/namespace/{name}", tag = "namespaces",
    description = "Clauses: namespaces.crud, namespaces.crud-errors.",
    params(("name" = String, Path, description = "the namespace")),
    request_body = NamespaceRequest,
    responses(
        (status = 201, description = "created"),
        (status = 400, description = "the body names another namespace", body = String, content_type = "text/plain"),
        (status = 409, description = "exists", body = String, content_type = "text/plain"),
    ))]
fn create_namespace() {}

#[utoipa::path(put, path = "/system/namespace/{name}", tag = "namespaces",
    description = "Clauses: namespaces.crud, namespaces.crud-errors.",
    params(("name" = String, Path, description = "the namespace")),
    request_body = NamespaceRequest,
    responses(
        (status = 202, description = "updated"),
        (status = 400, description = "the body names another namespace", body = String, content_type = "text/plain"),
        (status = 404, description = "no such namespace", body = String, content_type = "text/plain"),
    ))]
fn update_namespace() {}

#[utoipa::path(delete, path = "/system/namespace/{name}", tag = "namespaces",
    description = "Clauses: namespaces.crud, namespaces.crud-errors.",
    params(("name" = String, Path, description = "the namespace")),
    responses(
        (status = 202, description = "deleted"),
        (status = 404, description = "no such namespace", body = String, content_type = "text/plain"),
    ))]
fn delete_namespace() {}

#[utoipa::path(method(get, post, put, patch, delete), path = "/function/{name}", tag = "invoke",
    description = "Clauses: invoke.method, invoke.qualified-name, invoke.body, invoke.redirect, \
        invoke.not-found, watchdog.*. `name` may be `NAME.NAMESPACE`.",
    params(("name" = String, Path, description = "the function, or NAME.NAMESPACE")),
    responses(
        (status = 200, description = "the function's answer, byte for byte"),
        (status = 302, description = "a redirect from the function, passed back untouched"),
        (status = 404, description = "no such function (through the gateway)"),
        (status = 500, description = "the process exited non-zero"),
        (status = 502, description = "no such function (some providers)"),
        (status = 503, description = "no such function, or not ready yet (a bare provider)"),
    ))]
fn invoke() {}

#[utoipa::path(method(get, post, put, patch, delete), path = "/function/{name}/", tag = "invoke",
    description = "Clauses: invoke.paths.",
    params(("name" = String, Path, description = "the function, or NAME.NAMESPACE")),
    responses((status = 200, description = "the function's answer")))]
fn invoke_slash() {}

#[utoipa::path(method(get, post, put, patch, delete), path = "/function/{name}/{path}", tag = "invoke",
    description = "Clauses: invoke.paths, watchdog.http-path. `path` may hold further `/`s; the \
        function sees it as Http_Path.",
    params(
        ("name" = String, Path, description = "the function, or NAME.NAMESPACE"),
        ("path" = String, Path, description = "the rest of the path"),
    ),
    responses((status = 200, description = "the function's answer")))]
fn invoke_path() {}

#[utoipa::path(get, path = "/healthz", tag = "system",
    description = "Clauses: health.get, health.head, gateway.healthz-head.",
    responses((status = 200, description = "healthy")))]
fn healthz() {}

#[utoipa::path(get, path = "/metrics", tag = "system",
    description = "Clauses: metrics.prometheus.",
    responses((status = 200, description = "Prometheus text", body = String, content_type = "text/plain")))]
fn metrics() {}
