//! The rules of faas-provider's function proxy (`proxy/proxy.go` @ f53fe63) and of the Go
//! reverse proxies in front of functions, shared by the provider's `/function/` handler and
//! the gateway modes.

use axum::http::header::{CONTENT_TYPE, UPGRADE};
use axum::http::{HeaderMap, HeaderValue, Method};

/// The methods faas-provider's proxy forwards (`NewHandlerFunc`); any other gets a bare 405.
pub const PROXIED_METHODS: [Method; 7] = [
    Method::POST,
    Method::PUT,
    Method::PATCH,
    Method::DELETE,
    Method::GET,
    Method::OPTIONS,
    Method::HEAD,
];

/// The content type faas-provider's proxy answers with when neither the function nor the
/// caller named one (`defaultContentType`).
pub const DEFAULT_CONTENT_TYPE: &str = "text/plain";

/// Headers that belong to one connection (Go's `hopHeaders`, as httputil.ReverseProxy and the
/// CE gateway's forwarding proxy drop them); `name` lower-case.
pub fn hop_by_hop(name: &str) -> bool {
    matches!(
        name,
        "connection"
            | "keep-alive"
            | "proxy-connection"
            | "proxy-authenticate"
            | "proxy-authorization"
            | "te"
            | "trailer"
            | "transfer-encoding"
            | "upgrade"
    )
}

/// Whether faas-provider's proxy streams this request through httputil.ReverseProxy
/// (`requiresStdlibProxy`): its `Accept`, lower-cased, contains `text/event-stream`
/// (b4254fe, 2024-01-11) or `application/x-ndjson` (c81f542, 2025-06-19), or its `Upgrade`
/// is exactly `websocket` (ccde259, 2025-02-27). Each write of such an answer is flushed at
/// once and a WebSocket upgrade is tunnelled; other answers are copied whole.
pub fn provider_streams(headers: &HeaderMap) -> bool {
    let accept = first(headers, "accept").to_ascii_lowercase();
    accept.contains("text/event-stream")
        || accept.contains("application/x-ndjson")
        || first(headers, UPGRADE.as_str()) == "websocket"
}

/// Whether the CE gateway (8d803bf9, `forwarding_proxy.go`, since 4679f278) streams this
/// request: only when its `Accept` starts with `text/event-stream` (case-sensitive).
pub fn gateway_streams(headers: &HeaderMap) -> bool {
    first(headers, "accept").starts_with("text/event-stream")
}

/// The first value of `name`, as Go's `Header.Get` reads it ("" when absent or not text).
fn first<'a>(headers: &'a HeaderMap, name: &str) -> &'a str {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

/// What faas-provider's `buildProxyRequest` (and the CE gateway's `buildUpstreamRequest`)
/// add to a request copied whole: `X-Forwarded-Host` (the request's Host) and
/// `X-Forwarded-For` (the caller's `ip:port`), each only when absent.
pub fn set_forwarded(headers: &mut HeaderMap, peer: Option<&str>) {
    if headers.get("x-forwarded-host").is_none_or(|v| v.is_empty()) {
        if let Some(host) = headers.get("host").cloned() {
            headers.insert("x-forwarded-host", host);
        }
    }
    if headers.get("x-forwarded-for").is_none_or(|v| v.is_empty()) {
        if let Some(peer) = peer.and_then(|p| HeaderValue::from_str(p).ok()) {
            headers.insert("x-forwarded-for", peer);
        }
    }
}

/// What httputil.ReverseProxy (with a `Director`, as faas-provider's and the gateway's
/// streaming paths use it) adds: the caller's IP (without port) appended to
/// `X-Forwarded-For`; it sets no `X-Forwarded-Host`.
pub fn append_forwarded_for(headers: &mut HeaderMap, peer: Option<&str>) {
    let Some(ip) = peer.map(peer_ip) else {
        return;
    };
    let prior: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    let value = if prior.is_empty() {
        ip.to_string()
    } else {
        format!("{}, {ip}", prior.join(", "))
    };
    if let Ok(value) = HeaderValue::from_str(&value) {
        headers.insert("x-forwarded-for", value);
    }
}

/// The host part of `ip:port` (`[v6]:port` too), as `net.SplitHostPort` gives it.
fn peer_ip(peer: &str) -> &str {
    match peer.rsplit_once(':') {
        Some((host, _)) => host.trim_start_matches('[').trim_end_matches(']'),
        None => peer,
    }
}

/// Drops the hop-by-hop headers of a request, as a proxy that copies it whole does (so an
/// `Upgrade` never reaches the function).
pub fn drop_hop_by_hop(headers: &mut HeaderMap) {
    let names: Vec<_> = headers
        .keys()
        .filter(|k| hop_by_hop(k.as_str()) && k.as_str() != "transfer-encoding")
        .cloned()
        .collect();
    for name in names {
        headers.remove(name);
    }
}

/// faas-provider's `getContentType` on an answer copied whole: the function's
/// `Content-Type`, else the request's, else [`DEFAULT_CONTENT_TYPE`].
pub fn content_type(request: &HeaderMap, answer: &HeaderMap) -> HeaderValue {
    [answer.get(CONTENT_TYPE), request.get(CONTENT_TYPE)]
        .into_iter()
        .flatten()
        .find(|v| !v.is_empty())
        .cloned()
        .unwrap_or(HeaderValue::from_static(DEFAULT_CONTENT_TYPE))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        pairs
            .iter()
            .map(|(k, v)| {
                (
                    axum::http::HeaderName::from_static(k),
                    HeaderValue::from_static(v),
                )
            })
            .collect()
    }

    #[test]
    fn which_requests_are_streamed() {
        let sse = headers(&[("accept", "Text/Event-Stream")]);
        assert!(provider_streams(&sse));
        assert!(
            !gateway_streams(&sse),
            "the gateway's prefix test is case-sensitive"
        );
        let both = headers(&[("accept", "text/event-stream, */*")]);
        assert!(provider_streams(&both) && gateway_streams(&both));
        let later = headers(&[("accept", "*/*, text/event-stream")]);
        assert!(provider_streams(&later) && !gateway_streams(&later));
        let ndjson = headers(&[("accept", "application/x-ndjson")]);
        assert!(provider_streams(&ndjson) && !gateway_streams(&ndjson));
        assert!(provider_streams(&headers(&[("upgrade", "websocket")])));
        assert!(!provider_streams(&headers(&[("upgrade", "WebSocket")])));
        assert!(!provider_streams(&headers(&[("accept", "*/*")])));
    }

    #[test]
    fn forwarded_headers_are_set_when_absent_or_appended() {
        let mut h = headers(&[("host", "gw:8080")]);
        set_forwarded(&mut h, Some("10.0.0.1:5000"));
        assert_eq!(h["x-forwarded-host"], "gw:8080");
        assert_eq!(h["x-forwarded-for"], "10.0.0.1:5000");
        set_forwarded(&mut h, Some("10.0.0.2:6000"));
        assert_eq!(h["x-forwarded-for"], "10.0.0.1:5000", "kept when present");
        append_forwarded_for(&mut h, Some("[::1]:7000"));
        assert_eq!(h["x-forwarded-for"], "10.0.0.1:5000, ::1");
        let mut fresh = HeaderMap::new();
        append_forwarded_for(&mut fresh, Some("127.0.0.1:1"));
        assert_eq!(fresh["x-forwarded-for"], "127.0.0.1");
        assert!(fresh.get("x-forwarded-host").is_none());
    }

    #[test]
    fn content_type_is_the_functions_else_the_requests_else_text_plain() {
        let json = headers(&[("content-type", "application/json")]);
        let csv = headers(&[("content-type", "text/csv")]);
        let none = HeaderMap::new();
        assert_eq!(content_type(&json, &csv), "text/csv");
        assert_eq!(content_type(&json, &none), "application/json");
        assert_eq!(content_type(&none, &none), "text/plain");
    }

    #[test]
    fn hop_by_hop_headers_go_but_the_body_framing_stays() {
        let mut h = headers(&[
            ("upgrade", "websocket"),
            ("connection", "Upgrade"),
            ("transfer-encoding", "chunked"),
            ("x-keep", "1"),
        ]);
        drop_hop_by_hop(&mut h);
        let mut names: Vec<&str> = h.keys().map(|k| k.as_str()).collect();
        names.sort_unstable();
        assert_eq!(names, ["transfer-encoding", "x-keep"]);
    }
}
