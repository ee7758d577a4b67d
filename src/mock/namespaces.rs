//! Handlers of `/system/namespaces` and `/system/namespace/{name}`.

use axum::body::Bytes;
use axum::extract::{Path, State as AxumState};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;

use super::functions::accepted;
use super::reply::parse_json;
use super::state::State;
use crate::model::NamespaceRequest;

/// `GET /system/namespaces`: the names of every namespace the provider manages.
pub async fn list(AxumState(state): AxumState<State>) -> Json<Vec<String>> {
    Json(state.list_namespaces())
}

/// `GET /system/namespace/{name}`.
pub async fn get(AxumState(state): AxumState<State>, Path(name): Path<String>) -> Response {
    if let Some(refusal) = unsupported(&state) {
        return refusal;
    }
    match state.get_namespace(&name) {
        Ok(ns) => Json(ns).into_response(),
        Err(e) => e.into_response(),
    }
}

/// `POST /system/namespace/{name}`: create, 201.
pub async fn create(
    AxumState(state): AxumState<State>,
    Path(name): Path<String>,
    body: Bytes,
) -> Response {
    match body_or_empty(&body).and_then(|req| state.create_namespace(&name, req)) {
        Ok(()) => StatusCode::CREATED.into_response(),
        Err(e) => e.into_response(),
    }
}

/// `PUT /system/namespace/{name}`: update, 202.
pub async fn update(
    AxumState(state): AxumState<State>,
    Path(name): Path<String>,
    body: Bytes,
) -> Response {
    accepted(
        &state,
        body_or_empty(&body).and_then(|req| state.update_namespace(&name, req)),
    )
}

/// `DELETE /system/namespace/{name}`: delete, 202.
pub async fn delete(AxumState(state): AxumState<State>, Path(name): Path<String>) -> Response {
    if let Some(refusal) = unsupported(&state) {
        return refusal;
    }
    accepted(&state, state.delete_namespace(&name))
}

/// Flavours without namespace CRUD answer 501, as providers without it do.
fn unsupported(state: &State) -> Option<Response> {
    (!state.answers().namespace_crud).then(|| {
        (
            StatusCode::NOT_IMPLEMENTED,
            "namespace management is not supported by this provider\n",
        )
            .into_response()
    })
}

/// A namespace body is optional: an empty one means "just the name".
fn body_or_empty(body: &[u8]) -> Result<NamespaceRequest, super::reply::ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(NamespaceRequest::default());
    }
    parse_json(body, "namespace")
}
