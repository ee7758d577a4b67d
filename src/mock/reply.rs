//! How the mock refuses a request: a status code with a short plain-text reason.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// A refusal, rendered as `text/plain` like the Go providers' `http.Error`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// The status code to answer.
    pub status: StatusCode,
    /// The reason, one short line.
    pub message: String,
}

impl ApiError {
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            message: message.into(),
        }
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::NOT_FOUND,
            message: message.into(),
        }
    }

    pub fn conflict(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::CONFLICT,
            message: message.into(),
        }
    }

    pub fn unprocessable(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            message: message.into(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut body = self.message;
        body.push('\n');
        (
            self.status,
            [("content-type", "text/plain; charset=utf-8")],
            body,
        )
            .into_response()
    }
}

/// Parses a JSON request body, refusing malformed input with 400 and a reason.
pub fn parse_json<T: serde::de::DeserializeOwned>(body: &[u8], what: &str) -> Result<T, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::bad_request(format!(
            "empty body: expected a {what} JSON object"
        )));
    }
    serde_json::from_slice(body)
        .map_err(|e| ApiError::bad_request(format!("invalid {what} JSON: {e}")))
}

/// Renders a JSON answer with the flavour's legal oddities: `null` for an empty list, and
/// fields the contract does not name.
pub fn render_json<T: serde::Serialize>(state: &super::state::State, value: &T) -> Response {
    let answers = state.answers();
    let mut json = match serde_json::to_value(value) {
        Ok(v) => v,
        Err(e) => {
            return ApiError {
                status: StatusCode::INTERNAL_SERVER_ERROR,
                message: format!("cannot render: {e}"),
            }
            .into_response()
        }
    };
    if answers.extra_fields {
        add_extra_fields(&mut json);
    }
    if answers.null_empty_lists && json.as_array().is_some_and(|a| a.is_empty()) {
        json = serde_json::Value::Null;
    }
    axum::Json(json).into_response()
}

/// Adds an unknown field to every object at the top level or in a top-level list.
fn add_extra_fields(json: &mut serde_json::Value) {
    let extra = |obj: &mut serde_json::Map<String, serde_json::Value>| {
        obj.insert(
            "x-provider-extra".into(),
            serde_json::json!({ "note": "a field the contract does not name" }),
        );
    };
    match json {
        serde_json::Value::Object(obj) => extra(obj),
        serde_json::Value::Array(items) => items
            .iter_mut()
            .filter_map(|i| i.as_object_mut())
            .for_each(extra),
        _ => {}
    }
}

pub use crate::model::is_dns_label;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dns_labels() {
        assert!(is_dns_label("env-test"));
        assert!(is_dns_label("a1"));
        for bad in ["", "-a", "a-", "Env", "a_b", "a.b", &"a".repeat(64)] {
            assert!(!is_dns_label(bad), "{bad:?}");
        }
    }

    #[test]
    fn parse_json_explains_what_was_wrong() {
        let err = parse_json::<serde_json::Value>(b"{", "deployment").unwrap_err();
        assert_eq!(err.status, StatusCode::BAD_REQUEST);
        assert!(
            err.message.starts_with("invalid deployment JSON"),
            "{}",
            err.message
        );
        let err = parse_json::<serde_json::Value>(b"  ", "deployment").unwrap_err();
        assert!(err.message.contains("empty body"), "{}", err.message);
    }
}
