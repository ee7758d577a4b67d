//! Holding back a streamed answer: how a Go proxy that copies an answer with `io.Copy`
//! delivers it (in 4 KiB pieces), and the `stream-buffered` fault (held for a while, then
//! sent in one piece). The bytes are never changed, only when they are sent.

use std::time::Duration;

use axum::body::{Body, Bytes, HttpBody};
use axum::http::header::CONTENT_LENGTH;
use axum::response::Response;
use bytes::BytesMut;
use futures_util::StreamExt;
use tokio::time::Instant;

/// What Go's `http.ResponseWriter` buffers before anything reaches the socket: a handler
/// that copies an answer with `io.Copy` and never flushes (faas-provider's buffered proxy
/// path, the CE gateway's `forwardRequest`) sends the status line, headers and body only
/// once its connection's 4 KiB write buffer (net/http server.go `newBufioWriterSize(...,
/// 4<<10)`) fills, or when the answer ends.
pub const GO_WRITE_BUFFER: usize = 4 << 10;

/// When held bytes are let go.
#[derive(Debug, Clone, Copy)]
struct Release {
    /// Once this many bytes are held.
    bytes: Option<usize>,
    /// Once the first held byte has waited this long.
    after: Option<Duration>,
}

/// Whether `response`'s body is a stream of unknown length (a whole body has an exact size,
/// or a relayed one its `Content-Length`).
pub fn is_streamed(response: &Response) -> bool {
    response.body().size_hint().exact().is_none()
        && !response.headers().contains_key(CONTENT_LENGTH)
}

/// The answer as a Go handler that copies it without flushing sends it: nothing (not even
/// the status line) until [`GO_WRITE_BUFFER`] bytes are there or the body ends, then in
/// pieces of at least that size. A whole body is returned as it is.
pub async fn like_go_copy(response: Response) -> Response {
    if !is_streamed(&response) {
        return response;
    }
    let release = Release {
        bytes: Some(GO_WRITE_BUFFER),
        after: None,
    };
    let (parts, body) = response.into_parts();
    let mut held = Held::new(body, release);
    // The head waits for the first piece, as Go writes it with the first bytes.
    let first = held.next_piece().await;
    let rest = futures_util::stream::unfold(held, |mut held| async move {
        held.next_piece().await.map(|piece| (piece, held))
    });
    let body = Body::from_stream(futures_util::stream::iter(first).chain(rest));
    Response::from_parts(parts, body)
}

/// The answer held back (`stream-buffered`): a streamed body is sent in one piece when it
/// ends or once its first held byte has waited `hold`, and so on. A whole body is returned
/// as it is.
pub fn for_a_while(response: Response, hold: Duration) -> Response {
    if !is_streamed(&response) {
        return response;
    }
    let release = Release {
        bytes: None,
        after: Some(hold),
    };
    let (parts, body) = response.into_parts();
    let held = Held::new(body, release);
    let stream = futures_util::stream::unfold(held, |mut held| async move {
        held.next_piece().await.map(|piece| (piece, held))
    });
    Response::from_parts(parts, Body::from_stream(stream))
}

/// A body being held back.
struct Held {
    /// What is still to come.
    body: axum::body::BodyDataStream,
    /// What came and is held.
    pending: BytesMut,
    /// When the pending bytes go, if held by time.
    deadline: Option<Instant>,
    /// The body ended (or broke).
    ended: bool,
    /// When to let go.
    release: Release,
}

type Piece = Result<Bytes, axum::Error>;

impl Held {
    fn new(body: Body, release: Release) -> Self {
        Self {
            body: body.into_data_stream(),
            pending: BytesMut::new(),
            deadline: None,
            ended: false,
            release,
        }
    }

    /// The next piece to send, or `None` once everything is sent.
    async fn next_piece(&mut self) -> Option<Piece> {
        loop {
            if self.ended {
                return (!self.pending.is_empty()).then(|| Ok(self.take()));
            }
            let next = match self.deadline {
                Some(deadline) => tokio::select! {
                    next = self.body.next() => Some(next),
                    () = tokio::time::sleep_until(deadline) => None,
                },
                None => Some(self.body.next().await),
            };
            match next {
                // Held long enough.
                None => return Some(Ok(self.take())),
                Some(None) => self.ended = true,
                Some(Some(Err(e))) => {
                    self.ended = true;
                    return Some(Err(e));
                }
                Some(Some(Ok(chunk))) => {
                    if self.deadline.is_none() {
                        self.deadline = self.release.after.map(|a| Instant::now() + a);
                    }
                    self.pending.extend_from_slice(&chunk);
                    if self.release.bytes.is_some_and(|n| self.pending.len() >= n) {
                        return Some(Ok(self.take()));
                    }
                }
            }
        }
    }

    fn take(&mut self) -> Bytes {
        self.deadline = None;
        self.pending.split().freeze()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::convert::Infallible;

    /// A streamed body of `chunks`, one every `every`.
    fn drip(chunks: Vec<&'static [u8]>, every: Duration) -> Response {
        let stream = futures_util::stream::iter(chunks).then(move |c| async move {
            tokio::time::sleep(every).await;
            Ok::<_, Infallible>(Bytes::from_static(c))
        });
        Response::new(Body::from_stream(stream))
    }

    async fn pieces(response: Response) -> Vec<Bytes> {
        let mut body = response.into_body().into_data_stream();
        let mut out = Vec::new();
        while let Some(piece) = body.next().await {
            out.push(piece.expect("a piece"));
        }
        out
    }

    #[tokio::test]
    async fn go_copies_in_4_kib_pieces_and_the_rest_at_the_end() {
        let big: &'static [u8] = &[b'x'; 3000];
        let held = like_go_copy(drip(vec![big, big, b"tail"], Duration::from_millis(10))).await;
        let got = pieces(held).await;
        assert_eq!(
            got.len(),
            2,
            "{:?}",
            got.iter().map(Bytes::len).collect::<Vec<_>>()
        );
        assert_eq!(got[0].len(), 6000);
        assert_eq!(&got[1][..], b"tail");
    }

    #[tokio::test]
    async fn whole_bodies_are_left_alone() {
        let whole = like_go_copy(Response::new(Body::from("whole"))).await;
        assert_eq!(whole.body().size_hint().exact(), Some(5));
        let whole = for_a_while(Response::new(Body::from("whole")), Duration::from_secs(1));
        assert_eq!(pieces(whole).await, vec![Bytes::from_static(b"whole")]);
    }

    #[tokio::test]
    async fn a_held_stream_goes_in_one_piece_per_hold_with_its_bytes_unchanged() {
        let chunks: Vec<&'static [u8]> = vec![b"a", b"b", b"c", b"d", b"e"];
        // One chunk every 200 ms (real time, the shipped runtime has no paused clock), held
        // 500 ms from the first held byte: a (200 ms), b and c go at 700 ms; d (800 ms) and
        // e go when the body ends (1 s). Each boundary is 100 ms from a chunk.
        let held = for_a_while(
            drip(chunks, Duration::from_millis(200)),
            Duration::from_millis(500),
        );
        let got = pieces(held).await;
        assert_eq!(
            got,
            vec![Bytes::from_static(b"abc"), Bytes::from_static(b"de")]
        );
    }
}
