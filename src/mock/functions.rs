//! Handlers of `/system/functions`, `/system/function/{name}` and `/system/scale-function/{name}`.

use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Path, Query, State as AxumState};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::flavour::DeleteNamespaceFrom;
use super::reply::{parse_json, render_json, ApiError};
use super::state::{pick_namespace, State};
use crate::model::{DeleteFunctionRequest, FunctionDeployment, ScaleRequest};

/// The `?namespace=` query parameter most routes take.
#[derive(Debug, Default, Deserialize)]
pub struct NamespaceQuery {
    #[serde(default)]
    pub namespace: String,
}

/// `GET /system/functions`: every function of a namespace, `[]` when there is none.
pub async fn list(AxumState(state): AxumState<State>, Query(q): Query<NamespaceQuery>) -> Response {
    let ns = pick_namespace([q.namespace.as_str()]);
    match state.list(&ns) {
        Ok(functions) => render_json(&state, &functions),
        Err(e) => e.into_response(),
    }
}

/// `POST /system/functions`: deploy.
pub async fn deploy(
    AxumState(state): AxumState<State>,
    Query(q): Query<NamespaceQuery>,
    body: Bytes,
) -> Response {
    accepted(
        &state,
        parse_json::<FunctionDeployment>(&body, "deployment")
            .and_then(|spec| state.deploy(&q.namespace, spec)),
    )
}

/// `PUT /system/functions`: update, once the old task is stopped (the stop grace); until
/// then the old version is what status reports and what serves.
pub async fn update(
    AxumState(state): AxumState<State>,
    Query(q): Query<NamespaceQuery>,
    body: Bytes,
) -> Response {
    let result = match parse_json::<FunctionDeployment>(&body, "deployment") {
        Ok(spec) => match state.check_update(&q.namespace, &spec) {
            Ok(grace) => {
                let (st, ns) = (state.clone(), q.namespace.clone());
                // Carried out to its end even when the caller stops waiting, as a real
                // provider does: the change is under way once it is accepted.
                detached(async move {
                    stop_task(&st, grace).await?;
                    st.update(&ns, spec)
                })
                .await
            }
            Err(e) => Err(e),
        },
        Err(e) => Err(e),
    };
    accepted(&state, result)
}

/// `DELETE /system/functions`: the namespace comes from the body or the query. The function
/// is removed once its task is stopped (the stop grace); until then it is listed and serves.
pub async fn delete(
    AxumState(state): AxumState<State>,
    Query(q): Query<NamespaceQuery>,
    body: Bytes,
) -> Response {
    let req = match parse_json::<DeleteFunctionRequest>(&body, "delete request") {
        Ok(req) => req,
        Err(e) => return e.into_response(),
    };
    let ns = match state.answers().delete_namespace_from {
        DeleteNamespaceFrom::Either => {
            pick_namespace([req.namespace.as_str(), q.namespace.as_str()])
        }
        DeleteNamespaceFrom::Query => pick_namespace([q.namespace.as_str()]),
        DeleteNamespaceFrom::Body => pick_namespace([req.namespace.as_str()]),
    };
    let result = match state.check_delete(&ns, &req.function_name) {
        Ok(grace) => {
            let (st, name) = (state.clone(), req.function_name.clone());
            detached(async move {
                stop_task(&st, grace).await?;
                st.delete(&ns, &name)
            })
            .await
        }
        Err(e) => Err(e),
    };
    accepted(&state, result)
}

/// Runs `work` on a task of its own, so it ends even when the request that started it is
/// dropped (the caller gave up waiting for the answer).
async fn detached<T: Send + 'static>(
    work: impl std::future::Future<Output = Result<T, ApiError>> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::spawn(work).await.unwrap_or_else(|e| {
        Err(ApiError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            message: format!("the change failed: {e}"),
        })
    })
}

/// Waits out the stop grace of a function's task, holding no lock, so every other request
/// is served meanwhile; a shutdown of the server cuts it short with 503.
async fn stop_task(state: &State, grace: Duration) -> Result<(), ApiError> {
    if grace.is_zero() {
        return Ok(());
    }
    let mut shutdown = state.on_shutdown();
    tokio::select! {
        () = tokio::time::sleep(grace) => Ok(()),
        _ = shutdown.wait_for(|down| *down) => Err(ApiError {
            status: StatusCode::SERVICE_UNAVAILABLE,
            message: "the provider is shutting down".into(),
        }),
    }
}

/// `GET /system/function/{name}`: one function's status, 404 when unknown.
pub async fn status(
    AxumState(state): AxumState<State>,
    Path(name): Path<String>,
    Query(q): Query<NamespaceQuery>,
) -> Response {
    let ns = pick_namespace([q.namespace.as_str()]);
    match state.status(&ns, &name) {
        Ok(status) => render_json(&state, &status),
        Err(e) => e.into_response(),
    }
}

/// `POST /system/scale-function/{name}`: set the desired replicas.
pub async fn scale(
    AxumState(state): AxumState<State>,
    Path(name): Path<String>,
    Query(q): Query<NamespaceQuery>,
    body: Bytes,
) -> Response {
    accepted(
        &state,
        parse_json::<ScaleRequest>(&body, "scale request").and_then(|req| {
            let ns = pick_namespace([req.namespace.as_str(), q.namespace.as_str()]);
            state.scale(&ns, &name, req.replicas)
        }),
    )
}

/// Renders a mutation's outcome: the flavour's success code (202, as faas-netes, by
/// default), or the refusal.
pub fn accepted(state: &State, result: Result<(), ApiError>) -> Response {
    match result {
        Ok(()) => state.answers().mutation.into_response(),
        Err(e) => e.into_response(),
    }
}
