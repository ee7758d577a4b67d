//! The mock's router: which handler answers which route, plus auth, body limit and the
//! one-line-per-request log.

use std::time::Instant;

use axum::extract::{DefaultBodyLimit, Request};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{any, get, post};
use axum::Router;

use super::state::State;
use super::MockError;
use super::{auth, faults, functions, gateway, invoke, logs, namespaces, queue, secrets, system};

/// Builds the router over the shared state; a gateway with an upstream forwards to it, and a
/// gateway's `queue` takes its asynchronous invocations.
pub fn router(state: State, queue: Option<queue::Queue>) -> Result<Router, MockError> {
    let routes = match &state.config().upstream {
        Some(base) if state.config().as_gateway => gateway::upstream_router(&state, base)?,
        _ => provider_routes(state.clone()),
    };
    let mut app = Router::new().fallback_service(routes);
    if let Some(queue) = queue {
        app = app.layer(middleware::from_fn_with_state(queue, queue::accept));
    }
    // Layers on a router with only a fallback run before the inner router routes, so a
    // fault may rewrite the path. Outermost first: log, auth, faults, gateway, async queue.
    Ok(app
        .layer(middleware::from_fn_with_state(
            state.clone(),
            gateway::apply,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            faults::rewrite::apply,
        ))
        .layer(middleware::from_fn_with_state(
            state,
            auth::require_basic_auth,
        ))
        .layer(middleware::from_fn(log_request)))
}

/// The provider's own routes over the in-process state.
fn provider_routes(state: State) -> Router {
    let body_limit = state.config().max_body_bytes;
    Router::new()
        .route(
            "/system/functions",
            get(functions::list)
                .post(functions::deploy)
                .put(functions::update)
                .delete(functions::delete),
        )
        .route("/system/function/{name}", get(functions::status))
        .route("/system/scale-function/{name}", post(functions::scale))
        .route("/system/info", get(system::info))
        .route(
            "/system/secrets",
            get(secrets::list)
                .post(secrets::create)
                .put(secrets::update)
                .delete(secrets::delete),
        )
        .route("/system/logs", get(logs::logs))
        .route("/system/namespaces", get(namespaces::list))
        .route(
            "/system/namespace/{name}",
            get(namespaces::get)
                .post(namespaces::create)
                .put(namespaces::update)
                .delete(namespaces::delete),
        )
        .route("/function/{name}", any(invoke::root))
        .route("/function/{name}/", any(invoke::slash))
        .route("/function/{name}/{*path}", any(invoke::sub_path))
        .route("/healthz", get(system::healthz))
        .route("/metrics", get(system::metrics))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(body_limit))
        .with_state(state)
}

async fn not_found() -> (StatusCode, &'static str) {
    (StatusCode::NOT_FOUND, "404 page not found\n")
}

async fn method_not_allowed() -> (StatusCode, &'static str) {
    (StatusCode::METHOD_NOT_ALLOWED, "method not allowed\n")
}

/// Logs one line per request at info level: method, path, status, duration.
async fn log_request(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    let response = next.run(request).await;
    tracing::info!(
        target: "faas_certifier::mock",
        "{method} {path} {} {:.3}ms",
        response.status().as_u16(),
        started.elapsed().as_secs_f64() * 1000.0
    );
    response
}
