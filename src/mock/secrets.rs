//! Handlers of `/system/secrets`.

use axum::body::Bytes;
use axum::extract::{Query, State as AxumState};
use axum::response::{IntoResponse, Response};

use super::functions::{accepted, NamespaceQuery};
use super::reply::{parse_json, render_json};
use super::state::{pick_namespace, State};
use crate::model::Secret;

/// `GET /system/secrets`: names and namespaces, never values.
pub async fn list(AxumState(state): AxumState<State>, Query(q): Query<NamespaceQuery>) -> Response {
    match state.list_secrets(&pick_namespace([q.namespace.as_str()])) {
        Ok(secrets) => render_json(&state, &secrets),
        Err(e) => e.into_response(),
    }
}

/// `POST /system/secrets`: create.
pub async fn create(
    AxumState(state): AxumState<State>,
    Query(q): Query<NamespaceQuery>,
    body: Bytes,
) -> Response {
    accepted(
        &state,
        parse_json::<Secret>(&body, "secret").and_then(|s| state.create_secret(&q.namespace, s)),
    )
}

/// `PUT /system/secrets`: update.
pub async fn update(
    AxumState(state): AxumState<State>,
    Query(q): Query<NamespaceQuery>,
    body: Bytes,
) -> Response {
    accepted(
        &state,
        parse_json::<Secret>(&body, "secret").and_then(|s| state.update_secret(&q.namespace, s)),
    )
}

/// `DELETE /system/secrets`: delete.
pub async fn delete(
    AxumState(state): AxumState<State>,
    Query(q): Query<NamespaceQuery>,
    body: Bytes,
) -> Response {
    accepted(
        &state,
        parse_json::<Secret>(&body, "secret").and_then(|s| state.delete_secret(&q.namespace, s)),
    )
}
