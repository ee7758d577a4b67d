//! The `stream` step: a streamed invocation read part by part, each part timed.
//!
//! faas-provider (f53fe63 `proxy/proxy.go`) sends a request whose `Accept` contains
//! `text/event-stream` or `application/x-ndjson` through Go's `httputil.ReverseProxy`, which
//! flushes every write of the function at once; the CE gateway (8d803bf9
//! `handlers/forwarding_proxy.go`) does the same for `Accept: text/event-stream`. A proxy that
//! buffers delivers the same bytes, only late and together: so the step records when each
//! server-sent event (or line) arrives and judges the spread between the first and the last
//! ([`judge`]), besides what `expect` says of the status, headers and the bytes read.

use std::time::{Duration, Instant};

use bytes::Bytes;
use eventsource_stream::Eventsource;
use futures_util::{Stream as FutStream, StreamExt};

use crate::runner::case::CaseCtx;
use crate::runner::client::{Client, HttpRequest, HttpResponse, BODY_LIMIT};
use crate::runner::expect::Mismatch;
use crate::runner::ops::header_pairs;
use crate::runner::step::{AttemptLog, Polled, Unmet};
use crate::runner::{RunError, StepError};
use crate::suite::{DurationText, Expect, Stream};

/// How the answer's body is cut into parts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Framing {
    /// Server-sent events, as an SSE parser dispatches them.
    Events,
    /// Non-empty lines.
    Lines,
}

impl Framing {
    fn unit(self) -> &'static str {
        match self {
            Framing::Events => "event",
            Framing::Lines => "line",
        }
    }
}

/// What a `stream` step wants, its durations read.
#[derive(Debug, Clone)]
pub(crate) struct Want {
    /// How parts are cut.
    pub framing: Framing,
    /// How many parts to read.
    pub count: usize,
    /// The first part must arrive within this of the request.
    pub first_within: Option<Duration>,
    /// The last part must arrive at least this long after the first.
    pub min_spread: Option<Duration>,
}

impl Want {
    fn of(s: &Stream) -> Result<Want, StepError> {
        let duration = |field: &'static str, d: &Option<serde_saphyr::Spanned<DurationText>>| {
            d.as_ref()
                .map(|d| {
                    DurationText::parse(&d.value.0)
                        .map_err(|reason| StepError::Duration { field, reason })
                })
                .transpose()
        };
        let (framing, count) = match (s.events, s.lines) {
            (Some(n), _) => (Framing::Events, n),
            (None, Some(n)) => (Framing::Lines, n),
            (None, None) => return Err(StepError::StreamFraming),
        };
        Ok(Want {
            framing,
            count: usize::try_from(count).unwrap_or(usize::MAX).max(1),
            first_within: duration("stream.first_within", &s.first_within)?,
            min_spread: duration("stream.min_spread", &s.min_spread)?,
        })
    }
}

/// Why reading ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Ended {
    /// Every part wanted came.
    Complete,
    /// The function (or a proxy) ended the answer.
    Closed,
    /// No further part came by the deadline; the time waited since the request.
    Waited(Duration),
    /// The answer broke off, or could not be read as the framing says.
    Broken(String),
}

/// What one attempt read: the answer (its body, the bytes read) and when each part arrived,
/// counted from the request's sending.
struct Read {
    response: HttpResponse,
    arrivals: Vec<Duration>,
    ended: Ended,
}

impl CaseCtx<'_> {
    /// Runs a `stream` step: opens the stream (again, under `retry`, until `cond` holds on
    /// its answer), then judges the arrival times of the last attempt.
    pub(crate) async fn stream(
        &self,
        s: &Stream,
        req: &HttpRequest,
        cond: &Expect,
        deadline: Option<Instant>,
        log: &AttemptLog,
    ) -> Polled {
        let want = match Want::of(s) {
            Ok(w) => w,
            Err(e) => return Polled::errored(RunError::Step(e)),
        };
        let last = std::sync::Mutex::new(None::<(Vec<Duration>, Ended)>);
        let client = self.runner.client.clone();
        let hard = deadline.unwrap_or(self.deadline);
        let mut polled = self
            .poll_with(
                || async {
                    let read = read(&client, req, &want, hard).await?;
                    if let Ok(mut slot) = last.lock() {
                        *slot = Some((read.arrivals, read.ended));
                    }
                    Ok(read.response)
                },
                &req.body,
                None,
                cond,
                deadline,
                log,
            )
            .await;
        let timing = last.lock().ok().and_then(|mut l| l.take());
        if let (Ok(resp), None, Some((arrivals, ended))) =
            (&polled.response, &polled.mismatch, timing)
        {
            if (200..300).contains(&resp.status) {
                log.push(timeline(&arrivals, want.framing));
                if let Err(mismatch) = judge(&arrivals, &want, &ended) {
                    polled.mismatch = Some(Unmet::Mismatch {
                        mismatch,
                        note: String::new(),
                    });
                }
            }
        }
        polled
    }
}

/// Sends `req` and reads its answer: a success part by part (until `want.count` parts, the
/// end of the answer, or the deadline), anything else whole (bounded), as any answer.
async fn read(
    client: &Client,
    req: &HttpRequest,
    want: &Want,
    hard: Instant,
) -> Result<Read, RunError> {
    let sent = Instant::now();
    let resp = client.open(req, hard).await?;
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let mut raw = Vec::new();
    let first_by = want.first_within.map_or(hard, |d| (sent + d).min(hard));
    let chunks = bounded(resp.bytes_stream(), &mut raw);
    let (arrivals, ended) = if !(200..300).contains(&status) {
        let (_, ended) = read_lines(chunks, usize::MAX, sent, hard, hard).await;
        (Vec::new(), ended)
    } else {
        match want.framing {
            Framing::Events => read_events(chunks, want.count, sent, first_by, hard).await,
            Framing::Lines => read_lines(chunks, want.count, sent, first_by, hard).await,
        }
    };
    Ok(Read {
        response: HttpResponse {
            status,
            headers,
            body: Bytes::from(raw),
        },
        arrivals,
        ended,
    })
}

/// Why the answer's chunks stopped coming.
#[derive(Debug, thiserror::Error)]
enum ChunkError {
    /// Reading the answer failed.
    #[error("{0}")]
    Read(#[source] reqwest::Error),
    /// The answer grew past [`BODY_LIMIT`].
    #[error("the answer grew past {BODY_LIMIT} bytes")]
    TooLarge,
}

/// The answer's chunks, each also kept in `raw`, ending with an error past [`BODY_LIMIT`].
fn bounded<'a>(
    chunks: impl FutStream<Item = reqwest::Result<Bytes>> + 'a,
    raw: &'a mut Vec<u8>,
) -> impl FutStream<Item = Result<Bytes, ChunkError>> + 'a {
    chunks.map(move |chunk| {
        let chunk = chunk.map_err(ChunkError::Read)?;
        if raw.len() + chunk.len() > BODY_LIMIT {
            return Err(ChunkError::TooLarge);
        }
        raw.extend_from_slice(&chunk);
        Ok(chunk)
    })
}

/// Reads up to `count` server-sent events, each timed when the parser dispatches it.
async fn read_events(
    chunks: impl FutStream<Item = Result<Bytes, ChunkError>>,
    count: usize,
    sent: Instant,
    first_by: Instant,
    hard: Instant,
) -> (Vec<Duration>, Ended) {
    let mut events = std::pin::pin!(chunks.eventsource());
    let mut arrivals = Vec::new();
    while arrivals.len() < count {
        let by = if arrivals.is_empty() { first_by } else { hard };
        match tokio::time::timeout_at(by.into(), events.next()).await {
            Ok(Some(Ok(_))) => arrivals.push(sent.elapsed()),
            Ok(Some(Err(e))) => return (arrivals, Ended::Broken(e.to_string())),
            Ok(None) => return (arrivals, Ended::Closed),
            Err(_) => return (arrivals, Ended::Waited(sent.elapsed())),
        }
    }
    (arrivals, Ended::Complete)
}

/// Reads up to `count` non-empty lines, each timed when its newline arrives.
async fn read_lines(
    chunks: impl FutStream<Item = Result<Bytes, ChunkError>>,
    count: usize,
    sent: Instant,
    first_by: Instant,
    hard: Instant,
) -> (Vec<Duration>, Ended) {
    let mut chunks = std::pin::pin!(chunks);
    let mut arrivals = Vec::new();
    // Whether the line under way has any text yet.
    let mut pending = false;
    while arrivals.len() < count {
        let by = if arrivals.is_empty() { first_by } else { hard };
        let chunk = match tokio::time::timeout_at(by.into(), chunks.next()).await {
            Ok(Some(Ok(chunk))) => chunk,
            Ok(Some(Err(e))) => return (arrivals, Ended::Broken(e.to_string())),
            Ok(None) => return (arrivals, Ended::Closed),
            Err(_) => return (arrivals, Ended::Waited(sent.elapsed())),
        };
        let at = sent.elapsed();
        for byte in chunk.iter() {
            match byte {
                b'\n' if pending => {
                    arrivals.push(at);
                    pending = false;
                }
                b'\n' | b'\r' => {}
                _ => pending = true,
            }
        }
    }
    arrivals.truncate(count);
    (arrivals, Ended::Complete)
}

/// Judges when the parts arrived: `want.count` of them, the first within
/// `want.first_within`, the last at least `want.min_spread` after the first.
pub(crate) fn judge(arrivals: &[Duration], want: &Want, ended: &Ended) -> Result<(), Mismatch> {
    let unit = want.framing.unit();
    let ms = |d: Duration| format!("{} ms", d.as_millis());
    if arrivals.len() < want.count {
        let why = match ended {
            Ended::Complete => String::new(),
            Ended::Closed => " before the answer ended".to_string(),
            Ended::Waited(after) => format!(" in {}", ms(*after)),
            Ended::Broken(e) => format!(" before the answer broke off: {e}"),
        };
        return Err(Mismatch::new(
            format!("{} {unit}s", want.count),
            format!("{}{why}", arrivals.len()),
        ));
    }
    if let (Some(limit), Some(first)) = (want.first_within, arrivals.first()) {
        if *first > limit {
            return Err(Mismatch::new(
                format!("the first {unit} within {}", ms(limit)),
                format!("it after {}", ms(*first)),
            ));
        }
    }
    if let (Some(spread), Some(first), Some(last)) =
        (want.min_spread, arrivals.first(), arrivals.last())
    {
        let got = last.saturating_sub(*first);
        if got < spread {
            return Err(Mismatch::new(
                format!(
                    "the last of {} {unit}s at least {} after the first (delivered as produced)",
                    arrivals.len(),
                    ms(spread)
                ),
                format!(
                    "{}: the answer was held and delivered at once ({})",
                    ms(got),
                    timeline(arrivals, want.framing)
                ),
            ));
        }
    }
    Ok(())
}

/// When each part arrived, for the transcript: `events arrived at 3, 105, 207 ms`.
fn timeline(arrivals: &[Duration], framing: Framing) -> String {
    let at: Vec<String> = arrivals.iter().map(|d| d.as_millis().to_string()).collect();
    format!(
        "{}s arrived at {} ms after the request",
        framing.unit(),
        if at.is_empty() {
            "none".to_string()
        } else {
            at.join(", ")
        }
    )
}

impl super::Perform for Stream {
    /// The request of a `stream` step: `GET /function/NAME[/path]` with its `Accept`.
    fn request(&self, at: &super::Place<'_>, _: &mut crate::runner::ops::Prepared) -> HttpRequest {
        let s = self;
        let path = at.invoked(
            "/function",
            &s.name,
            &s.namespace,
            s.qualified,
            &s.path,
            &s.query,
        );
        let mut headers = header_pairs(&s.headers);
        if !headers
            .iter()
            .any(|(k, _)| k.eq_ignore_ascii_case("accept"))
        {
            let accept = match (&s.accept, s.lines.is_some()) {
                (Some(a), _) => a.clone(),
                (None, true) => "application/x-ndjson".to_string(),
                (None, false) => "text/event-stream".to_string(),
            };
            headers.push(("Accept".into(), accept));
        }
        HttpRequest {
            method: s
                .method
                .clone()
                .unwrap_or_else(|| "GET".into())
                .to_uppercase(),
            path,
            headers,
            ..Default::default()
        }
    }

    /// Read as it arrives, timed ([`CaseCtx::stream`]).
    async fn perform(
        &self,
        cx: &mut CaseCtx<'_>,
        run: super::Run<'_>,
    ) -> Result<Polled, crate::outcome::StepOutcome> {
        Ok(cx
            .stream(self, run.req, run.cond, run.deadline, run.log)
            .await)
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Perform, Place};
    use super::*;

    fn want(count: usize, first_within: Option<u64>, min_spread: Option<u64>) -> Want {
        Want {
            framing: Framing::Events,
            count,
            first_within: first_within.map(Duration::from_millis),
            min_spread: min_spread.map(Duration::from_millis),
        }
    }

    fn at(ms: &[u64]) -> Vec<Duration> {
        ms.iter().map(|m| Duration::from_millis(*m)).collect()
    }

    #[test]
    fn parts_produced_apart_and_delivered_apart_pass() {
        let w = want(4, Some(5000), Some(150));
        assert_eq!(
            judge(&at(&[3, 105, 207, 309]), &w, &Ended::Complete),
            Ok(())
        );
    }

    #[test]
    fn a_held_answer_fails_on_its_spread_though_every_part_came() {
        let w = want(4, Some(5000), Some(150));
        let err = judge(&at(&[1003, 1003, 1004, 1004]), &w, &Ended::Complete)
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("want the last of 4 events at least 150 ms after the first"),
            "{err}"
        );
        assert!(err.contains("got 1 ms: the answer was held"), "{err}");
        assert!(err.contains("1003, 1003, 1004, 1004 ms"), "{err}");
    }

    #[test]
    fn too_few_parts_say_how_reading_ended() {
        let w = want(4, None, Some(150));
        let closed = judge(&at(&[3, 105]), &w, &Ended::Closed).unwrap_err();
        assert_eq!(
            closed.to_string(),
            "want 4 events, got 2 before the answer ended"
        );
        let waited = judge(&at(&[3]), &w, &Ended::Waited(Duration::from_secs(10))).unwrap_err();
        assert_eq!(waited.to_string(), "want 4 events, got 1 in 10000 ms");
    }

    #[test]
    fn a_late_first_part_fails() {
        let w = want(2, Some(500), None);
        let err = judge(&at(&[900, 1000]), &w, &Ended::Complete).unwrap_err();
        assert_eq!(
            err.to_string(),
            "want the first event within 500 ms, got it after 900 ms"
        );
    }

    #[tokio::test]
    async fn lines_are_timed_when_their_newline_arrives() {
        let chunks = futures_util::stream::iter(vec![
            Ok(Bytes::from_static(b"{\"a\":1}\n{\"a\"")),
            Ok(Bytes::from_static(b":2}\n\n")),
            Ok(Bytes::from_static(b"{\"a\":3}\n")),
        ]);
        let now = Instant::now();
        let far = now + Duration::from_secs(5);
        let (arrivals, ended) = read_lines(chunks, 5, now, far, far).await;
        assert_eq!(arrivals.len(), 3, "blank lines are not parts");
        assert_eq!(ended, Ended::Closed);
    }

    #[tokio::test]
    async fn events_are_counted_as_the_parser_dispatches_them() {
        let chunks = futures_util::stream::iter(vec![
            Ok(Bytes::from_static(
                b"event: request\ndata: GET /.sse\ndata: \nid: 1\n\n",
            )),
            Ok(Bytes::from_static(
                b"event: time\ndata: 2026-07-02T10:00:00Z\n",
            )),
            Ok(Bytes::from_static(
                b"id: 2\n\nevent: time\ndata: x\nid: 3\n\n",
            )),
        ]);
        let now = Instant::now();
        let far = now + Duration::from_secs(5);
        let (arrivals, ended) = read_events(chunks, 2, now, far, far).await;
        assert_eq!((arrivals.len(), ended), (2, Ended::Complete));
    }

    #[test]
    fn the_accept_header_follows_the_framing_unless_given() {
        let sse = Stream {
            name: "f".into(),
            path: Some("/.sse".into()),
            events: Some(3),
            ..Default::default()
        };
        let req = sse.request(
            &Place {
                ns: "openfaas-fn",
                home: "openfaas-fn",
            },
            &mut Default::default(),
        );
        assert_eq!(
            (req.method.as_str(), req.path.as_str()),
            ("GET", "/function/f/.sse")
        );
        assert_eq!(
            req.headers,
            vec![("Accept".into(), "text/event-stream".into())]
        );
        let ndjson = Stream {
            accept: Some("application/x-ndjson".into()),
            ..sse
        };
        let req = ndjson.request(
            &Place {
                ns: "extra",
                home: "openfaas-fn",
            },
            &mut Default::default(),
        );
        assert_eq!(req.path, "/function/f.extra/.sse");
        assert_eq!(
            req.headers,
            vec![("Accept".into(), "application/x-ndjson".into())]
        );
    }
}
