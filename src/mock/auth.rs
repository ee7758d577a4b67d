//! Basic auth on `/system/*`, as the gateway and providers enforce it ([`auth.system-protected`](../../CONTRACT.md#auth.system-protected)).

use axum::extract::{Request, State as AxumState};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine;

use super::state::State;
use super::{BasicAuth, Fault};

/// Lets a request through unless it is for `/system/*` without matching credentials.
pub async fn require_basic_auth(
    AxumState(state): AxumState<State>,
    request: Request,
    next: Next,
) -> Response {
    let Some(expected) = state.config().basic_auth.as_ref() else {
        return next.run(request).await;
    };
    let path = request.uri().path();
    let system = path == "/system" || path.starts_with("/system/");
    let protected = if system {
        !state.has_fault(Fault::AuthOpenSystem)
    } else {
        state.has_fault(Fault::AuthClosedFunction) && path.starts_with("/function/")
    };
    if !protected || authorised(request.headers().get("authorization"), expected) {
        return next.run(request).await;
    }
    let mut refusal = (
        StatusCode::UNAUTHORIZED,
        [("content-type", "text/plain; charset=utf-8")],
        "Unauthorized\n",
    )
        .into_response();
    if !state.has_fault(Fault::AuthNoChallenge) {
        refusal.headers_mut().insert(
            "www-authenticate",
            axum::http::HeaderValue::from_static("Basic realm=\"Restricted\""),
        );
    }
    refusal
}

fn authorised(header: Option<&axum::http::HeaderValue>, expected: &BasicAuth) -> bool {
    let Some(value) = header.and_then(|h| h.to_str().ok()) else {
        return false;
    };
    let Some(encoded) = value
        .strip_prefix("Basic ")
        .or_else(|| value.strip_prefix("basic "))
    else {
        return false;
    };
    let Ok(decoded) = base64::engine::general_purpose::STANDARD.decode(encoded.trim()) else {
        return false;
    };
    let Ok(text) = String::from_utf8(decoded) else {
        return false;
    };
    match text.split_once(':') {
        Some((user, password)) => {
            constant_time_eq(user.as_bytes(), expected.user.as_bytes())
                & constant_time_eq(password.as_bytes(), expected.password.as_bytes())
        }
        None => false,
    }
}

/// Compares without stopping at the first difference, so timing does not leak the password.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks_user_and_password() {
        let creds = BasicAuth {
            user: "admin".into(),
            password: "p:w".into(),
        };
        let good = axum::http::HeaderValue::from_static("Basic YWRtaW46cDp3");
        assert!(authorised(Some(&good), &creds));
        let wrong = axum::http::HeaderValue::from_static("Basic YWRtaW46eA==");
        assert!(!authorised(Some(&wrong), &creds));
        let bearer = axum::http::HeaderValue::from_static("Bearer abc");
        assert!(!authorised(Some(&bearer), &creds));
        assert!(!authorised(None, &creds));
    }
}
