//! The HTTP client: sends one request to the target with the run's credentials, never following redirects.

use std::time::{Duration, Instant};

use base64::Engine;
use bytes::Bytes;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue, AUTHORIZATION};

use super::settings::{Credentials, Settings};
use super::RunError;
use crate::suite::AuthMode;

/// The most of an answer's body a step reads (4 MiB); a bigger body fails the step, saying
/// how big it was, instead of filling memory.
pub const BODY_LIMIT: usize = 4 << 20;

/// How much of a body too big to read is quoted.
const EXCERPT: usize = 200;

/// A request ready to send.
#[derive(Debug, Clone, Default)]
pub struct HttpRequest {
    /// The method, upper case.
    pub method: String,
    /// Path and query, starting with `/`.
    pub path: String,
    /// Headers to send.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Bytes,
    /// Which credentials to send.
    pub auth: AuthMode,
    /// A change a provider may take its stop grace for (updating or deleting a running
    /// function): it waits up to the run's `--mutation-timeout` instead of `--request-timeout`.
    pub slow: bool,
}

/// An answer.
#[derive(Debug, Clone)]
pub struct HttpResponse {
    /// The status code.
    pub status: u16,
    /// The headers.
    pub headers: HeaderMap,
    /// The whole body.
    pub body: Bytes,
}

impl HttpResponse {
    /// An answer with `status`, no headers and `body`: the one fixture of the unit tests.
    #[cfg(test)]
    pub(crate) fn fixture(status: u16, body: impl AsRef<[u8]>) -> Self {
        HttpResponse {
            status,
            headers: HeaderMap::new(),
            body: Bytes::copy_from_slice(body.as_ref()),
        }
    }

    /// The body as text (lossy).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// A cheap-to-clone client bound to the target.
#[derive(Debug, Clone)]
pub struct Client {
    http: reqwest::Client,
    base: String,
    /// The URL's own path (`/some/path` of `http://host/some/path`), kept in every request
    /// and shown in transcripts; empty for a URL without one.
    prefix: String,
    credentials: Option<Credentials>,
    timeout: Duration,
    /// The deadline of a [`HttpRequest::slow`] request.
    mutation_timeout: Duration,
}

impl Client {
    /// Builds a client for `settings.gateway`.
    pub fn new(settings: &Settings) -> Result<Self, RunError> {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(Duration::from_secs(5))
            .pool_max_idle_per_host(64)
            .build()
            .map_err(|e| RunError::Client(e.to_string()))?;
        let prefix = reqwest::Url::parse(&settings.gateway)
            .map(|u| u.path().trim_end_matches('/').to_string())
            .unwrap_or_default();
        Ok(Client {
            http,
            prefix,
            base: settings.gateway.clone(),
            credentials: settings.credentials.clone(),
            timeout: settings.request_timeout,
            mutation_timeout: settings.mutation_timeout,
        })
    }

    /// How long `req` may wait for its answer: `--mutation-timeout` for a slow change,
    /// `--request-timeout` for anything else.
    pub fn timeout_of(&self, req: &HttpRequest) -> Duration {
        if req.slow {
            self.mutation_timeout
        } else {
            self.timeout
        }
    }

    /// The path every request goes under: `/some/path` of `http://host/some/path`.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// The full URL of `path` on the target (its own path prefix kept).
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Builds the reqwest request, with credentials per `auth`.
    fn build(
        &self,
        req: &HttpRequest,
        deadline: Option<Instant>,
    ) -> Result<reqwest::RequestBuilder, RunError> {
        let transport = |reason: String| RunError::Transport {
            method: req.method.clone(),
            path: req.path.clone(),
            reason,
        };
        let method = reqwest::Method::from_bytes(req.method.as_bytes())
            .map_err(|e| transport(e.to_string()))?;
        let mut headers = HeaderMap::new();
        for (name, value) in &req.headers {
            let name =
                HeaderName::from_bytes(name.as_bytes()).map_err(|e| transport(e.to_string()))?;
            let value = HeaderValue::from_str(value).map_err(|e| transport(e.to_string()))?;
            headers.append(name, value);
        }
        // The run's credentials go to /system/* only: functions are open, and one that echoes
        // its request headers (an `env` function) must not be handed them.
        let system = req.path.starts_with("/system/");
        let auth = match (req.auth, &self.credentials) {
            (AuthMode::Default, Some(c)) if system => Some(c.header_value()),
            (AuthMode::Wrong, _) => Some(basic("faas-certifier", "wrong-password")),
            _ => None,
        };
        if let Some(auth) = auth {
            let mut value = HeaderValue::from_str(&auth)
                .map_err(|_| transport("credentials are not valid header text".into()))?;
            value.set_sensitive(true);
            headers.insert(AUTHORIZATION, value);
        }
        let mut timeout = self.timeout_of(req);
        if let Some(deadline) = deadline {
            timeout = timeout.min(
                deadline
                    .saturating_duration_since(Instant::now())
                    .max(Duration::from_millis(1)),
            );
        }
        Ok(self
            .http
            .request(method, format!("{}{}", self.base, req.path))
            .headers(headers)
            .timeout(timeout)
            .body(req.body.clone()))
    }

    /// Sends `req` and reads the whole answer, within the client timeout and `deadline`.
    pub async fn send(
        &self,
        req: &HttpRequest,
        deadline: Option<Instant>,
    ) -> Result<HttpResponse, RunError> {
        let transport = |e: reqwest::Error| RunError::Transport {
            method: req.method.clone(),
            path: req.path.clone(),
            reason: describe(&e),
        };
        let mut resp = self.build(req, deadline)?.send().await.map_err(transport)?;
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let too_large = |size: Option<u64>, body: &[u8]| {
            let head = String::from_utf8_lossy(&body[..body.len().min(EXCERPT)]).into_owned();
            RunError::BodyTooLarge {
                method: req.method.clone(),
                path: req.path.clone(),
                status,
                size,
                limit: BODY_LIMIT,
                start: head,
            }
        };
        let announced = resp.content_length().filter(|n| *n > BODY_LIMIT as u64);
        // Sized once from the announced length, so a large body is not regrown (and briefly
        // held twice) on its way in.
        let expected = resp.content_length().unwrap_or(0).min(BODY_LIMIT as u64) as usize;
        let mut body = Vec::with_capacity(if announced.is_some() { 0 } else { expected });
        loop {
            // The status came back: say so, or a broken body reads like an unreachable target.
            let chunk = resp.chunk().await.map_err(|e| RunError::Transport {
                method: req.method.clone(),
                path: req.path.clone(),
                reason: format!(
                    "got status {status} but not its whole body: {}",
                    describe(&e)
                ),
            })?;
            let Some(chunk) = chunk else { break };
            if body.len() + chunk.len() > BODY_LIMIT {
                return Err(too_large(None, &body));
            }
            body.extend_from_slice(&chunk);
            // Too big as announced: read only enough to quote its start.
            if announced.is_some() && body.len() >= EXCERPT {
                return Err(too_large(announced, &body));
            }
        }
        Ok(HttpResponse {
            status,
            headers,
            body: Bytes::from(body),
        })
    }

    /// Sends `req` and returns the answer with its body unread, for streams; no total timeout.
    pub async fn open(
        &self,
        req: &HttpRequest,
        deadline: Instant,
    ) -> Result<reqwest::Response, RunError> {
        let builder = self
            .build(req, None)?
            .timeout(deadline.saturating_duration_since(Instant::now()));
        builder.send().await.map_err(|e| RunError::Transport {
            method: req.method.clone(),
            path: req.path.clone(),
            reason: describe(&e),
        })
    }
}

/// `Basic base64(user:password)`.
pub(crate) fn basic(user: &str, password: &str) -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
    )
}

/// A transport error in words, with its causes.
fn describe(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        return "timed out".to_string();
    }
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text.push_str(&format!(": {s}"));
        source = s.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    use super::*;

    /// A server answering every request with `head` and then `body_len` bytes of `x`, in
    /// chunks of 64 KiB; its URL.
    async fn server(head: &'static str, body_len: usize) -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                tokio::spawn(async move {
                    let mut buf = vec![0u8; 4096];
                    let _ = socket.read(&mut buf).await;
                    if socket.write_all(head.as_bytes()).await.is_err() {
                        return;
                    }
                    let chunk = vec![b'x'; 64 << 10];
                    let mut left = body_len;
                    while left > 0 {
                        let n = left.min(chunk.len());
                        if socket.write_all(&chunk[..n]).await.is_err() {
                            return;
                        }
                        left -= n;
                    }
                });
            }
        });
        url
    }

    fn get() -> HttpRequest {
        HttpRequest {
            method: "GET".into(),
            path: "/big".into(),
            ..Default::default()
        }
    }

    #[tokio::test]
    async fn a_body_over_the_limit_is_refused_saying_how_big() {
        let announced = server(
            "HTTP/1.1 200 OK\r\ncontent-length: 5242880\r\nconnection: close\r\n\r\n",
            5 << 20,
        )
        .await;
        let client = Client::new(&Settings::new(&announced)).unwrap();
        let err = client.send(&get(), None).await.unwrap_err();
        assert!(
            matches!(err, RunError::BodyTooLarge { status: 200, .. }),
            "{err}"
        );
        assert!(err.brief().contains("got 5242880 bytes"), "{}", err.brief());
        assert!(
            err.brief().contains("\"xxxx") && err.brief().contains("5242680 more bytes"),
            "{}",
            err.brief()
        );

        // Without a length the reading stops at the limit.
        let unannounced = server("HTTP/1.1 200 OK\r\nconnection: close\r\n\r\n", 5 << 20).await;
        let client = Client::new(&Settings::new(&unannounced)).unwrap();
        let err = client.send(&get(), None).await.unwrap_err();
        assert!(
            err.brief()
                .contains(&format!("got more than {BODY_LIMIT} bytes")),
            "{}",
            err.brief()
        );

        // At the limit, the whole body is read.
        let fits = server(
            "HTTP/1.1 200 OK\r\ncontent-length: 4194304\r\nconnection: close\r\n\r\n",
            BODY_LIMIT,
        )
        .await;
        let client = Client::new(&Settings::new(&fits)).unwrap();
        let resp = client.send(&get(), None).await.unwrap();
        assert_eq!(resp.body.len(), BODY_LIMIT);
    }
}
