//! Captures: values taken from an answer into variables for later steps.

use super::client::HttpResponse;
use super::expect::Mismatch;
use crate::suite::Capture;

/// Why a value could not be captured (shown after `capture NAME: `).
#[derive(Debug, thiserror::Error)]
pub enum CaptureError {
    /// The answer has no such header.
    #[error("want header {0}, got none")]
    NoHeader(String),
    /// The body is not JSON.
    #[error("want a JSON body ({0})")]
    NotJson(#[source] serde_json::Error),
    /// The JSON body has no value (or `null`) at the pointer.
    #[error("want a value at {0}, got none")]
    NoValue(String),
    /// The capture's regex does not compile.
    #[error("{0}")]
    BadRegex(Mismatch),
    /// The regex does not match the body.
    #[error("want a match for /{0}/, got none")]
    NoMatch(regex::Regex),
    /// The capture names no source (the loader refuses it; kept for safety).
    #[error("nothing to capture")]
    Nothing,
}

/// Takes the captured value from `resp`.
pub fn take(capture: &Capture, resp: &HttpResponse) -> Result<String, CaptureError> {
    if let Some(name) = &capture.header {
        return resp
            .headers
            .get(name.as_str())
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
            .ok_or_else(|| CaptureError::NoHeader(name.clone()));
    }
    if let Some(pointer) = &capture.json {
        let value: serde_json::Value =
            serde_json::from_slice(&resp.body).map_err(CaptureError::NotJson)?;
        return match value.pointer(pointer) {
            Some(serde_json::Value::String(s)) => Ok(s.clone()),
            Some(serde_json::Value::Null) | None => Err(CaptureError::NoValue(pointer.clone())),
            Some(other) => Ok(other.to_string()),
        };
    }
    if let Some(p) = &capture.regex {
        let re = super::expect::regex_of(p).map_err(CaptureError::BadRegex)?;
        let text = String::from_utf8_lossy(&resp.body);
        let Some(caps) = re.captures(&text) else {
            return Err(CaptureError::NoMatch(re));
        };
        return Ok(caps
            .get(1)
            .or_else(|| caps.get(0))
            .map(|m| m.as_str().to_string())
            .unwrap_or_default());
    }
    Err(CaptureError::Nothing)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_json_and_regex() {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert("x-call-id", "id-1".parse().unwrap());
        let resp = HttpResponse {
            status: 200,
            headers,
            body: bytes::Bytes::from_static(br#"{"a":{"b":"c","n":2}}"#),
        };
        let cap = |h: Option<&str>, j: Option<&str>, r: Option<&str>| Capture {
            header: h.map(Into::into),
            json: j.map(Into::into),
            regex: r.map(crate::suite::Pattern::from),
        };
        assert_eq!(
            take(&cap(Some("X-Call-Id"), None, None), &resp).unwrap(),
            "id-1"
        );
        assert_eq!(take(&cap(None, Some("/a/b"), None), &resp).unwrap(), "c");
        assert_eq!(take(&cap(None, Some("/a/n"), None), &resp).unwrap(), "2");
        assert!(take(&cap(None, Some("/zz"), None), &resp).is_err());
        assert_eq!(
            take(&cap(None, None, Some(r#""b":"(\w)""#)), &resp).unwrap(),
            "c"
        );
    }
}
