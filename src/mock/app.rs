//! The mock's router: which handler answers which route.

use axum::Router;

use super::state::State;

/// Builds the router over the shared state.
pub fn router(state: State) -> Router {
    Router::new()
        .route("/healthz", axum::routing::get(|| async { "" }))
        .with_state(state)
}
