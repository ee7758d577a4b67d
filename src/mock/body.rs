//! Reading a request body whole, within a limit.

use axum::body::{Body, Bytes};
use axum::http::header::CONTENT_LENGTH;
use axum::http::HeaderMap;
use futures_util::StreamExt;

/// Why a body could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unread {
    /// It is, or says it is, larger than the limit.
    TooLarge,
    /// The connection broke while it came.
    Broken(String),
}

impl Unread {
    /// How the mock refuses the request: 413 naming `limit`, or 400 saying what broke.
    pub fn refusal(self, limit: usize) -> super::reply::ApiError {
        match self {
            Unread::TooLarge => super::reply::ApiError {
                status: axum::http::StatusCode::PAYLOAD_TOO_LARGE,
                message: format!("request body is larger than {limit} bytes"),
            },
            Unread::Broken(why) => {
                super::reply::ApiError::bad_request(format!("the request body broke off: {why}"))
            }
        }
    }
}

/// Reads `body` (announced by `headers`) up to `limit` bytes into one buffer sized from its
/// `Content-Length`. Each chunk is copied and let go as it comes, so a large body is held
/// once, not also in the chunks of the server's read buffers that a collect would keep.
pub async fn read(body: Body, headers: &HeaderMap, limit: usize) -> Result<Bytes, Unread> {
    let announced = headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if announced.is_some_and(|n| n > limit as u64) {
        return Err(Unread::TooLarge);
    }
    let mut stream = body.into_data_stream();
    let first = match stream.next().await {
        None => return Ok(Bytes::new()),
        Some(chunk) => chunk.map_err(|e| Unread::Broken(e.to_string()))?,
    };
    // A body in one chunk is kept as it came, without a copy.
    let second = match stream.next().await {
        None if first.len() <= limit => return Ok(first),
        None => return Err(Unread::TooLarge),
        Some(chunk) => chunk.map_err(|e| Unread::Broken(e.to_string()))?,
    };
    let mut out = Vec::with_capacity(announced.unwrap_or(0) as usize);
    for chunk in [first, second] {
        append(&mut out, &chunk, limit)?;
    }
    while let Some(chunk) = stream.next().await {
        append(
            &mut out,
            &chunk.map_err(|e| Unread::Broken(e.to_string()))?,
            limit,
        )?;
    }
    Ok(Bytes::from(out))
}

fn append(out: &mut Vec<u8>, chunk: &[u8], limit: usize) -> Result<(), Unread> {
    if out.len() + chunk.len() > limit {
        return Err(Unread::TooLarge);
    }
    out.extend_from_slice(chunk);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn chunked(parts: &[&'static [u8]]) -> Body {
        let chunks: Vec<Result<Bytes, std::io::Error>> =
            parts.iter().map(|p| Ok(Bytes::from_static(p))).collect();
        Body::from_stream(futures_util::stream::iter(chunks))
    }

    fn block_on<F: std::future::Future>(f: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(f)
    }

    #[test]
    fn reads_chunks_in_order_and_empty_bodies() {
        let none = HeaderMap::new();
        let got = block_on(read(chunked(&[b"ab", b"c", b"de"]), &none, 5));
        assert_eq!(got, Ok(Bytes::from_static(b"abcde")));
        assert_eq!(block_on(read(Body::empty(), &none, 0)), Ok(Bytes::new()));
        let one = block_on(read(Body::from("whole"), &none, 5));
        assert_eq!(one, Ok(Bytes::from_static(b"whole")));
    }

    #[test]
    fn refuses_more_than_the_limit_however_it_comes() {
        let none = HeaderMap::new();
        assert_eq!(
            block_on(read(chunked(&[b"ab", b"cd"]), &none, 3)),
            Err(Unread::TooLarge)
        );
        assert_eq!(
            block_on(read(Body::from("abcd"), &none, 3)),
            Err(Unread::TooLarge)
        );
        let mut announced = HeaderMap::new();
        announced.insert(CONTENT_LENGTH, HeaderValue::from_static("4"));
        assert_eq!(
            block_on(read(Body::from("ab"), &announced, 3)),
            Err(Unread::TooLarge)
        );
    }

    #[test]
    fn a_broken_stream_says_so() {
        let chunks: Vec<Result<Bytes, std::io::Error>> = vec![
            Ok(Bytes::from_static(b"ab")),
            Err(std::io::Error::other("reset by peer")),
        ];
        let got = block_on(read(
            Body::from_stream(futures_util::stream::iter(chunks)),
            &HeaderMap::new(),
            10,
        ));
        assert!(
            matches!(got, Err(Unread::Broken(ref m)) if m.contains("reset by peer")),
            "{got:?}"
        );
    }
}
