//! What the step kinds' requests share (`runner::kinds` builds each): the prepared request and
//! its bookkeeping, the follow-up of a slow change, paths, query encoding, generated bodies.

use bytes::Bytes;

use super::cleanup::Resource;
use super::client::HttpRequest;

/// A request built from an operation, with the bookkeeping it implies.
#[derive(Debug, Clone, Default)]
pub struct Prepared {
    /// The request.
    pub request: HttpRequest,
    /// A resource the request may create (tracked before sending, deleted when the case ends).
    pub creates: Option<Resource>,
    /// A resource a successful answer deletes.
    pub deletes: Option<Resource>,
    /// Values to keep out of every record (secret values, text or bytes), and the secret
    /// they are the value of.
    pub sensitive: Vec<(Vec<u8>, String)>,
    /// For a slow change (update or delete of a function): how to learn its outcome by
    /// reading the function's status when its answer never came.
    pub follow_up: Option<FollowUp>,
}

/// How the outcome of a change whose answer never came is read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FollowUp {
    /// A delete: done once the function's status answers 404.
    Gone {
        /// `GET` this status path.
        status: String,
    },
    /// An update: done once the status shows the image and process sent.
    Applied {
        /// `GET` this status path.
        status: String,
        /// The image sent.
        image: String,
        /// The `fprocess` sent, if any.
        fprocess: Option<String>,
        /// The environment variables sent.
        env: std::collections::BTreeMap<String, String>,
    },
}

impl FollowUp {
    /// The status path to read.
    pub fn status_path(&self) -> &str {
        match self {
            FollowUp::Gone { status } | FollowUp::Applied { status, .. } => status,
        }
    }

    /// Whether a status answer shows the change done.
    pub fn done(&self, status: u16, body: &[u8]) -> bool {
        match self {
            FollowUp::Gone { .. } => status == 404,
            FollowUp::Applied {
                image,
                fprocess,
                env,
                ..
            } => {
                let Ok(v) = serde_json::from_slice::<serde_json::Value>(body) else {
                    return false;
                };
                status == 200
                    && v["image"].as_str() == Some(image)
                    && fprocess
                        .as_ref()
                        .is_none_or(|p| v["envProcess"].as_str() == Some(p))
                    && env
                        .iter()
                        .all(|(k, value)| v["envVars"][k].as_str() == Some(value))
            }
        }
    }

    /// What it waits for, for a transcript.
    pub fn describe(&self) -> &'static str {
        match self {
            FollowUp::Gone { .. } => "the function's status to answer 404",
            FollowUp::Applied { .. } => {
                "the function's status to show the new image, process and environment"
            }
        }
    }
}

/// The status path of function `name` in `ns`.
pub(super) fn status_path(name: &str, ns: &str) -> String {
    format!("/system/function/{name}?namespace={}", enc(ns))
}

/// Percent-encodes a query value.
pub fn enc(value: &str) -> String {
    let mut out = String::new();
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A deterministic body of `len` bytes covering every byte value. Each byte depends only on
/// its position, so a shorter body is a prefix of a longer one: the longest made so far is
/// kept and shared (cases that send 1 MiB at once share one buffer, not one each).
pub fn generated_body(len: usize) -> Bytes {
    static LONGEST: std::sync::Mutex<Option<Bytes>> = std::sync::Mutex::new(None);
    let mut longest = LONGEST
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(kept) = longest.as_ref().filter(|b| b.len() >= len) {
        return kept.slice(..len);
    }
    let made = generate(len);
    *longest = Some(made.clone());
    made
}

fn generate(len: usize) -> Bytes {
    let mut state: u32 = 0x9e37_79b9;
    let bytes: Vec<u8> = (0..len)
        .map(|i| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            (state as u8) ^ (i as u8)
        })
        .collect();
    Bytes::from(bytes)
}

pub(super) fn get(path: String) -> HttpRequest {
    HttpRequest {
        method: "GET".into(),
        path,
        ..Default::default()
    }
}

/// A function as an invocation addresses it.
pub(super) struct Addressed<'a> {
    /// Its name.
    pub name: &'a str,
    /// Its namespace.
    pub namespace: &'a str,
    /// Always `NAME.NAMESPACE`.
    pub qualified: bool,
    /// A sub-path after the name.
    pub path: Option<&'a str>,
    /// A query without `?`.
    pub query: Option<&'a str>,
}

impl Addressed<'_> {
    /// `ROUTE/NAME[.NS][/path][?query]`: outside `home` (the run's main namespace), or when
    /// `qualified`, the function is addressed as `NAME.NAMESPACE`.
    pub fn path(&self, route: &str, home: &str) -> String {
        let target = if self.qualified || self.namespace != home {
            format!("{}.{}", self.name, self.namespace)
        } else {
            self.name.to_string()
        };
        let mut path = format!("{route}/{target}{}", self.path.unwrap_or_default());
        if let Some(q) = self.query {
            path.push('?');
            path.push_str(q);
        }
        path
    }
}

/// Header pairs as a request sends them.
pub(super) fn header_pairs(
    headers: &std::collections::BTreeMap<String, String>,
) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

#[cfg(test)]
mod follow_up_tests {
    use super::FollowUp;

    #[test]
    fn an_update_is_done_once_status_shows_what_was_sent() {
        let f = FollowUp::Applied {
            status: "/system/function/f?namespace=ns".into(),
            image: "img:2".into(),
            fprocess: Some("cat".into()),
            env: [("redeployed".to_string(), "1".to_string())].into(),
        };
        let old = br#"{"image":"img:2","envProcess":"cat","envVars":{}}"#;
        let new = br#"{"image":"img:2","envProcess":"cat","envVars":{"redeployed":"1"}}"#;
        assert!(!f.done(200, old), "the environment is not there yet");
        assert!(f.done(200, new));
        assert!(!f.done(404, new));
        let gone = FollowUp::Gone {
            status: "/system/function/f?namespace=ns".into(),
        };
        assert!(gone.done(404, b""));
        assert!(!gone.done(200, new));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_body_covers_every_byte_value() {
        let body = generated_body(1 << 20);
        assert_eq!(body.len(), 1 << 20);
        let mut seen = [false; 256];
        body.iter().for_each(|b| seen[*b as usize] = true);
        assert!(seen.iter().all(|s| *s));
        assert_eq!(body, generated_body(1 << 20));
        // A shorter body, asked for after a longer one, is its fresh prefix.
        assert_eq!(generated_body(1000), generate(1000));
        assert_eq!(generated_body(1000), body.slice(..1000));
    }
}
