//! Captures: values taken from an answer into variables for later steps.

use super::client::HttpResponse;
use crate::suite::Capture;

/// Takes the captured value from `resp`.
pub fn take(capture: &Capture, resp: &HttpResponse) -> Result<String, String> {
    if let Some(name) = &capture.header {
        return resp
            .headers
            .get(name.as_str())
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
            .ok_or_else(|| format!("want header {name}, got none"));
    }
    if let Some(pointer) = &capture.json {
        let value: serde_json::Value =
            serde_json::from_slice(&resp.body).map_err(|e| format!("want a JSON body ({e})"))?;
        return match value.pointer(pointer) {
            Some(serde_json::Value::String(s)) => Ok(s.clone()),
            Some(serde_json::Value::Null) | None => {
                Err(format!("want a value at {pointer}, got none"))
            }
            Some(other) => Ok(other.to_string()),
        };
    }
    if let Some(p) = &capture.regex {
        let re = super::expect::regex_of(p).map_err(|m| m.to_string())?;
        let text = String::from_utf8_lossy(&resp.body);
        let caps = re
            .captures(&text)
            .ok_or_else(|| format!("want a match for /{re}/, got none"))?;
        return Ok(caps
            .get(1)
            .or_else(|| caps.get(0))
            .map(|m| m.as_str().to_string())
            .unwrap_or_default());
    }
    Err("nothing to capture".into())
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
