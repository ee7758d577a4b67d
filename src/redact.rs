//! Keeps secrets out of everything the certifier prints or writes: secret values, tokens,
//! passwords and `Authorization` headers become a marker, whatever echoed them. What is
//! shown or written is redacted in one place, where the runner's events become report data
//! (`cli/collect.rs`, through `report::redact`); the runner itself masks only a text it is
//! about to cut (an excerpt: a secret cut in two could no longer be found) or to log.

use base64::Engine;
use regex::Regex;
use serde_json::Value;

use serde::de::DeserializeOwned;
use serde::Serialize;

/// What a secret is replaced with.
pub const MARKER: &str = "<redacted>";

/// What replaces a value that could not be redacted: it is never passed through.
pub const UNREDACTABLE: &str = "<unredactable>";

/// A value that could not be redacted, nor have its text replaced: it must not be shown.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a value could not be redacted ({0}); it is left out rather than shown")]
pub struct Unredactable(pub String);

/// Every string of `value` but the names ([`STRUCTURAL_KEYS`]) replaced by [`UNREDACTABLE`].
fn scrub(value: &mut Value) {
    match value {
        Value::String(s) => *s = UNREDACTABLE.to_string(),
        Value::Array(items) => items.iter_mut().for_each(scrub),
        Value::Object(obj) => obj
            .iter_mut()
            .filter(|(k, _)| !STRUCTURAL_KEYS.contains(&k.as_str()))
            .for_each(|(_, v)| scrub(v)),
        _ => {}
    }
}

/// Keys whose values are names the suites and the contract give, never provider text: suite,
/// case and clause names, file paths, feature names and outcomes. Redacting them would only
/// break CI test history (a password `secret` turning the suite `secrets` into `<redacted>s`).
const STRUCTURAL_KEYS: [&str; 10] = [
    "id", "suite", "case", "file", "feature", "entry", "contract", "level", "outcome", "schema",
];

/// The stand-in for the `i`th protected name while secrets are replaced: private-use
/// characters only, so no secret matches it.
fn placeholder(i: usize) -> String {
    let digits = i.to_string();
    let mut out = String::from('\u{E000}');
    out.extend(
        digits
            .bytes()
            .filter_map(|d| char::from_u32(0xE010 + u32::from(d - b'0'))),
    );
    out.push('\u{E001}');
    out
}

/// The provider API's own words, as transcripts carry them: routes, the secrets' mount path
/// and JSON keys. A password that is part of one (`secret`, `function`) leaves it whole.
const API_NAMES: [&str; 18] = [
    "/system/functions",
    "/system/function/",
    "/system/scale-function/",
    "/system/secrets",
    "/system/logs",
    "/system/namespaces",
    "/system/namespace/",
    "/system/info",
    "/function/",
    "/var/openfaas/secrets/",
    "\"secrets\"",
    "\"service\"",
    "\"namespace\"",
    "\"functionName\"",
    "\"rawValue\"",
    "\"envProcess\"",
    "\"annotations\"",
    "\"labels\"",
];

/// Values shorter than this (in bytes) are not searched for: they would match ordinary text.
const MIN_SECRET_LEN: usize = 4;

/// A secret value to keep out of every output, and what its marker says about it. Its
/// `Debug` shows what it is and its length, never the value.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret {
    /// The value, as sent (text or bytes).
    pub bytes: Vec<u8>,
    /// Which value it is, in words: `value 3 of this run`, `the password`.
    pub what: String,
    /// Where it came from, when known (the secret it is the value of); left out of the
    /// marker when it holds a secret itself.
    pub origin: Option<String>,
    /// Whether the marker tells the value's length (not for credentials).
    pub show_len: bool,
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The origin may hold a secret itself (see `Redactor::marker`): left out too.
        f.debug_struct("Secret")
            .field("what", &self.what)
            .field("len", &self.bytes.len())
            .finish_non_exhaustive()
    }
}

impl Secret {
    /// A secret value numbered `number` (from 1) in its run, of the secret `origin`.
    pub fn value(bytes: impl Into<Vec<u8>>, number: usize, origin: Option<String>) -> Self {
        Secret {
            bytes: bytes.into(),
            what: format!("value {number} of this run"),
            origin,
            show_len: true,
        }
    }

    /// A credential (`what`: `the password`): its marker tells neither length nor origin.
    pub fn credential(bytes: impl Into<Vec<u8>>, what: impl Into<String>) -> Self {
        Secret {
            bytes: bytes.into(),
            what: what.into(),
            origin: None,
            show_len: false,
        }
    }
}

/// One form a secret may take in text, and the secret (its index) it stands for.
#[derive(Debug, Clone)]
struct Needle {
    form: String,
    secret: usize,
}

/// Replaces known secret values and credential headers with markers: `<redacted: value 2
/// of this run (secret-x), 17 bytes>`, so a mismatch between two secrets still says which
/// is which; an `Authorization` header's value becomes [`MARKER`]. Its `Debug` shows how
/// many secrets it knows, never them.
#[derive(Clone)]
pub struct Redactor {
    /// The secrets, in the order added.
    secrets: Vec<Secret>,
    /// Every form of every secret ([`forms`]), longest first so a value hides before its
    /// substrings.
    needles: Vec<Needle>,
    /// Names the suites give (suites, cases, trials, step kinds, suite files), longest
    /// first: where one appears whole in a text, a secret inside it is left alone (a
    /// password `secret` does not turn `blocked by secrets::x` into `<redacted>s::x`).
    names: Vec<String>,
}

impl std::fmt::Debug for Redactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Redactor")
            .field("secrets", &self.secrets)
            .field("names", &self.names.len())
            .finish_non_exhaustive()
    }
}

/// `Authorization: <anything>` in transcripts; compiled once.
static AUTHORIZATION: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
    Regex::new(r"(?i)(authorization\s*[:=]\s*)[^\r\n]+")
        .unwrap_or_else(|_| unreachable!("the pattern is a constant"))
});

impl Default for Redactor {
    fn default() -> Self {
        Self::new(std::iter::empty::<Vec<u8>>())
    }
}

/// `text` JSON-escaped as serde_json writes it inside a string (quotes left off).
fn json_escaped(text: &str) -> String {
    let quoted = serde_json::to_string(text).unwrap_or_default();
    quoted
        .strip_prefix('"')
        .and_then(|q| q.strip_suffix('"'))
        .unwrap_or_default()
        .to_string()
}

/// `json` (a JSON-escaped text) with `chosen` characters escaped as `\uXXXX` too (UTF-16
/// units, lowercase hex, as Python's `ensure_ascii` and Go's HTML-safe encoder write them).
fn json_unicode_escaped(json: &str, chosen: impl Fn(char) -> bool) -> String {
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        if chosen(c) {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// `bytes` as text with every invalid byte its own U+FFFD (as Go writes invalid UTF-8);
/// `String::from_utf8_lossy` gives one per invalid sequence instead.
fn lossy_per_byte(bytes: &[u8]) -> String {
    let mut out = String::new();
    for chunk in bytes.utf8_chunks() {
        out.push_str(chunk.valid());
        out.extend(std::iter::repeat_n('\u{FFFD}', chunk.invalid().len()));
    }
    out
}

/// Every form a secret's bytes may take in what the certifier prints or writes: the text
/// (lossy UTF-8, two ways), JSON-escaped (serde_json's, ASCII-only and Go's HTML-safe
/// escapes), Rust-debug-escaped (`{:?}`, `escape_debug`), each JSON form debug-escaped in
/// turn (a JSON body quoted in a message), and base64 (with and without padding) of the
/// bytes and of their lossy text.
fn forms(secret: &[u8]) -> Vec<String> {
    let engine = base64::engine::general_purpose::STANDARD;
    let mut texts = vec![String::from_utf8_lossy(secret).into_owned()];
    texts.push(lossy_per_byte(secret));
    let mut out = Vec::new();
    for text in texts {
        let json = json_escaped(&text);
        let jsons = [
            json_unicode_escaped(&json, |c| !c.is_ascii()),
            json_unicode_escaped(&json, |c| {
                matches!(c, '<' | '>' | '&' | '\u{2028}' | '\u{2029}')
            }),
            json,
        ];
        for form in std::iter::once(text.clone()).chain(jsons) {
            let debug = format!("{form:?}");
            let debug = debug[1..debug.len() - 1].to_string();
            let escaped = form.escape_debug().to_string();
            out.extend([form, debug, escaped]);
        }
    }
    // Base64 of the bytes, and of their lossy text (a provider that stored the text).
    let lossy = String::from_utf8_lossy(secret);
    for bytes in [secret, lossy.as_bytes()] {
        out.push(engine.encode(bytes));
        out.push(base64::engine::general_purpose::STANDARD_NO_PAD.encode(bytes));
    }
    out.sort();
    out.dedup();
    out
}

/// The stand-in for the `i`th secret found in a text while others are replaced.
fn slot(i: usize) -> String {
    let mut out = String::from('\u{E002}');
    out.extend(
        i.to_string()
            .bytes()
            .filter_map(|d| char::from_u32(0xE010 + u32::from(d - b'0'))),
    );
    out.push('\u{E003}');
    out
}

impl Redactor {
    /// A redactor for these secret values (text or bytes), numbered in order (`value 1`,
    /// ...), each hidden in every form it may take in text ([`forms`]).
    pub fn new<I, S>(secrets: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<[u8]>,
    {
        let mut redactor = Self {
            secrets: Vec::new(),
            needles: Vec::new(),
            names: Vec::new(),
        };
        redactor.protect(API_NAMES.iter().copied());
        for secret in secrets {
            redactor.add(secret.as_ref());
        }
        redactor
    }

    /// Adds one more secret value, numbered after those already known.
    pub fn add(&mut self, secret: &[u8]) {
        let number = self.secrets.len() + 1;
        self.add_secret(Secret::value(secret, number, None));
    }

    /// Adds one more secret, with what its marker says of it. A value already known keeps
    /// its first marker; an empty or very short one is not searched for.
    pub fn add_secret(&mut self, secret: Secret) {
        if secret.bytes.len() < MIN_SECRET_LEN
            || self.secrets.iter().any(|s| s.bytes == secret.bytes)
        {
            return;
        }
        let index = self.secrets.len();
        for form in forms(&secret.bytes) {
            if form.len() >= MIN_SECRET_LEN && !self.needles.iter().any(|n| n.form == form) {
                self.needles.push(Needle {
                    form,
                    secret: index,
                });
            }
        }
        self.secrets.push(secret);
        self.needles
            .sort_by_key(|n| std::cmp::Reverse(n.form.len()));
    }

    /// What replaces the `i`th secret: which value it is, where it came from (unless that
    /// holds a secret) and its length.
    fn marker(&self, i: usize) -> String {
        let Some(secret) = self.secrets.get(i) else {
            return MARKER.to_string();
        };
        let mut out = format!("<redacted: {}", secret.what);
        if let Some(origin) = &secret.origin {
            if !self
                .needles
                .iter()
                .any(|n| origin.contains(n.form.as_str()))
            {
                out.push_str(&format!(" ({origin})"));
            }
        }
        if secret.show_len {
            let len = secret.bytes.len();
            out.push_str(&format!(", {len} byte{}", if len == 1 { "" } else { "s" }));
        }
        out.push('>');
        out
    }

    /// Protects these names: wherever one appears whole, a secret that is only part of it
    /// is not replaced. A name equal to a secret is not protected (the secret wins).
    pub fn protect<I, S>(&mut self, names: I)
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.names
            .extend(names.into_iter().map(Into::into).filter(|n| !n.is_empty()));
        self.names
            .sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
        self.names.dedup();
    }

    /// The text with every secret replaced by its marker; protected names, and the markers
    /// themselves (a text redacted twice), stay whole.
    pub fn text(&self, text: &str) -> String {
        let mut out = AUTHORIZATION
            .replace_all(text, format!("${{1}}{MARKER}"))
            .into_owned();
        if !self.needles.iter().any(|n| out.contains(n.form.as_str())) {
            return out;
        }
        // Names and markers holding a secret are set aside as private-use placeholders
        // (which no secret matches), each secret's forms replaced by a placeholder of its
        // own, then the markers written and the names put back: nothing written is searched
        // again.
        let markers: Vec<String> = (0..self.secrets.len()).map(|i| self.marker(i)).collect();
        let mut kept: Vec<&str> = Vec::new();
        for name in markers.iter().chain(&self.names) {
            let holds_secret = self
                .needles
                .iter()
                .any(|n| name.contains(n.form.as_str()) && *name != n.form);
            if holds_secret && out.contains(name.as_str()) {
                out = out.replace(name.as_str(), &placeholder(kept.len()));
                kept.push(name);
            }
        }
        let mut found = Vec::new();
        for needle in &self.needles {
            if out.contains(needle.form.as_str()) {
                out = out.replace(needle.form.as_str(), &slot(needle.secret));
                found.push(needle.secret);
            }
        }
        found.sort_unstable();
        found.dedup();
        for i in found {
            out = out.replace(&slot(i), &markers[i]);
        }
        for (i, name) in kept.iter().enumerate().rev() {
            out = out.replace(&placeholder(i), name);
        }
        out
    }

    /// `value` with every string in it redacted, but for the names of suites, cases,
    /// clauses, files and features ([`STRUCTURAL_KEYS`]). Fails closed: when the value
    /// cannot go through JSON and back, every string but the names is replaced by
    /// [`UNREDACTABLE`]; when even that fails, the error, never the value unredacted.
    pub fn redacted<T: Serialize + DeserializeOwned>(&self, value: &T) -> Result<T, Unredactable> {
        let json = serde_json::to_value(value).map_err(|e| Unredactable(e.to_string()))?;
        let mut redacted = json.clone();
        self.value(&mut redacted);
        serde_json::from_value(redacted).or_else(|_| {
            let mut scrubbed = json;
            scrub(&mut scrubbed);
            serde_json::from_value(scrubbed).map_err(|e| Unredactable(e.to_string()))
        })
    }

    fn value(&self, value: &mut Value) {
        match value {
            Value::String(s) => *s = self.text(s),
            Value::Array(items) => items.iter_mut().for_each(|v| self.value(v)),
            Value::Object(obj) => obj
                .iter_mut()
                .filter(|(k, _)| !STRUCTURAL_KEYS.contains(&k.as_str()))
                .for_each(|(_, v)| self.value(v)),
            _ => {}
        }
    }
}

thread_local! {
    /// The redactor of the check running on this thread, if any ([`scoped`]).
    static SCOPE: std::cell::RefCell<Option<Redactor>> = const { std::cell::RefCell::new(None) };
}

/// Runs `f` (a synchronous check: no await inside) with `redactor` as the one
/// [`in_scope`] applies: the excerpts of provider text its messages quote are redacted
/// before they are cut, so a cut never leaves part of a secret to be shown.
pub fn scoped<R>(redactor: Redactor, f: impl FnOnce() -> R) -> R {
    /// Puts the previous scope back, even when `f` panics.
    struct Restore(Option<Redactor>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let previous = self.0.take();
            SCOPE.with(|s| *s.borrow_mut() = previous);
        }
    }
    let _restore = Restore(SCOPE.with(|s| s.borrow_mut().replace(redactor)));
    f()
}

/// `text` redacted by the redactor in scope on this thread ([`scoped`]), if any.
pub fn in_scope(text: &str) -> std::borrow::Cow<'_, str> {
    SCOPE.with(|s| match s.borrow().as_ref() {
        Some(r) => std::borrow::Cow::Owned(r.text(text)),
        None => std::borrow::Cow::Borrowed(text),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A secret travels in events and sits in the runner: printing either with `{:?}` shows
    /// what it is, never its bytes in any form.
    #[test]
    fn debug_output_never_shows_a_secret() {
        let value = "pa55-w0rd-\u{e9}";
        let secret = Secret::value(value, 1, Some("secret `s`".into()));
        let credential = Secret::credential(value.as_bytes(), "the password");
        let redactor = Redactor::new([value]);
        for shown in [
            format!("{secret:?}"),
            format!("{credential:?}"),
            format!("{redactor:?}"),
        ] {
            for form in forms(value.as_bytes()) {
                assert!(!shown.contains(&form), "{form:?} in {shown}");
            }
            assert!(shown.contains("Secret"), "{shown}");
        }
    }

    #[test]
    fn protected_names_stay_whole_while_the_secret_goes() {
        let mut r = Redactor::new(["secret"]);
        r.protect(["secrets", "secrets::list-names-not-values", "secret_create"]);
        assert_eq!(
            r.text("blocked by secrets::list-names-not-values; step `secret_create`: got secret"),
            "blocked by secrets::list-names-not-values; step `secret_create`: got <redacted: value 1 of this run, 6 bytes>"
        );
        // Many names at once are all put back, each in its place.
        let names: Vec<String> = (0..12).map(|i| format!("secrets-{i}")).collect();
        r.protect(names.clone());
        let text = names.join(" secret ");
        let want = names.join(" <redacted: value 1 of this run, 6 bytes> ");
        assert_eq!(r.text(&text), want);
        // A name equal to the secret is not protected: the secret wins.
        let mut same = Redactor::new(["hunter22"]);
        same.protect(["hunter22"]);
        assert_eq!(
            same.text("hunter22"),
            "<redacted: value 1 of this run, 8 bytes>"
        );
    }

    #[test]
    fn hides_values_their_base64_and_auth_headers() {
        let r = Redactor::new(["s3cr3t-value", "hunter22", "admin:hunter22"]);
        let text = "got s3cr3t-value and czNjcjN0LXZhbHVl\nAuthorization: Basic YWRtaW46aHVudGVyMjI=\npw hunter22";
        let out = r.text(text);
        assert!(!out.contains("s3cr3t"), "{out}");
        assert!(!out.contains("czNjcjN0LXZhbHVl"), "{out}");
        assert!(!out.contains("YWRtaW46aHVudGVyMjI"), "{out}");
        assert!(!out.contains("hunter22"), "{out}");
        assert!(out.contains("Authorization: <redacted>"), "{out}");
    }

    #[test]
    fn binary_secrets_are_hidden_in_base64() {
        let r = Redactor::new([vec![0u8, 159, 146, 150, 1, 2]]);
        let b64 = base64::engine::general_purpose::STANDARD.encode([0u8, 159, 146, 150, 1, 2]);
        assert_eq!(
            r.text(&format!("rawValue={b64}")),
            "rawValue=<redacted: value 1 of this run, 6 bytes>"
        );
    }

    #[test]
    fn what_cannot_be_redacted_is_replaced_never_passed_through() {
        /// Reads back only values that were not rewritten: redacting breaks the round trip.
        #[derive(Debug, Serialize, serde::Deserialize, PartialEq)]
        struct Picky {
            suite: String,
            #[serde(deserialize_with = "no_marker")]
            echo: String,
            note: String,
        }
        fn no_marker<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
            let s = String::deserialize(d)?;
            if s.contains("<redacted") {
                return Err(serde::de::Error::custom("a marker"));
            }
            Ok(s)
        }
        use serde::Deserialize;
        let r = Redactor::new(["hunter22"]);
        let value = Picky {
            suite: "hunter22-suite".into(),
            echo: "pw hunter22".into(),
            note: "hunter22".into(),
        };
        let out = r.redacted(&value).expect("replaced");
        assert_eq!(out.suite, "hunter22-suite", "names stay");
        assert_eq!(out.echo, UNREDACTABLE);
        assert_eq!(out.note, UNREDACTABLE);
        // A value that cannot go to JSON at all is an error, not the value.
        let bad: std::collections::HashMap<(u8, u8), String> =
            [((1, 2), "hunter22".to_string())].into_iter().collect();
        assert!(r.redacted(&bad).is_err());
    }

    #[test]
    fn short_values_are_left_alone() {
        let r = Redactor::new(["ab", ""]);
        assert_eq!(r.text("tab"), "tab");
        // Nor are a short binary value's longer escaped forms (`\u0000\u0001`).
        let r = Redactor::new([vec![0u8, 1]]);
        assert_eq!(r.text("\\u0000\\u0001"), "\\u0000\\u0001");
    }

    /// A binary value with every kind of byte an escape treats apart: NUL, newline, quote,
    /// backslash, `<`, non-ASCII text and invalid UTF-8.
    const BINARY: &[u8] = b"\x00bin\n\"q\\<&>'\xc3\xa9\xe2\x80\xa8\xff\xfe\x80tail-7f3a";

    #[test]
    fn every_form_of_a_binary_value_is_hidden() {
        let r = Redactor::new([BINARY]);
        let lossy = String::from_utf8_lossy(BINARY).into_owned();
        let json = serde_json::to_string(&lossy).unwrap();
        let json = &json[1..json.len() - 1];
        let ascii: String = json
            .chars()
            .map(|c| {
                if c.is_ascii() {
                    c.to_string()
                } else {
                    format!("\\u{:04x}", c as u32)
                }
            })
            .collect();
        let b64 = base64::engine::general_purpose::STANDARD.encode(BINARY);
        let shown = [
            lossy.clone(),
            json.to_string(),
            ascii.clone(),
            format!("{lossy:?}").trim_matches('"').to_string(),
            lossy.escape_debug().to_string(),
            format!("{json:?}").trim_matches('"').to_string(),
            json.escape_debug().to_string(),
            format!("{ascii:?}").trim_matches('"').to_string(),
            b64.clone(),
            b64.trim_end_matches('=').to_string(),
        ];
        for form in shown {
            let out = r.text(&format!("got [{form}] end"));
            assert_eq!(
                out, "got [<redacted: value 1 of this run, 29 bytes>] end",
                "{form}"
            );
        }
        // Inside a JSON body, serialized as a report writes it.
        let body = serde_json::json!({"value": lossy}).to_string();
        assert!(!r.text(&body).contains("tail-7f3a"), "{}", r.text(&body));
        // Go writes each invalid byte as its own U+FFFD, and `<` as `\u003c`.
        let go = "\\u0000bin\\n\\\"q\\\\\\u003c\\u0026\\u003e'\u{e9}\\u2028\u{FFFD}\u{FFFD}\u{FFFD}tail-7f3a";
        assert!(
            r.text(go).starts_with("<redacted: value 1"),
            "{}",
            r.text(go)
        );
    }

    #[test]
    fn two_values_have_two_markers_and_a_second_pass_keeps_them() {
        let mut r = Redactor::default();
        r.add_secret(Secret::value(
            "before-123",
            3,
            Some("secret-update-1".to_string()),
        ));
        r.add_secret(Secret::value(
            "after-123",
            4,
            Some("secret-update-1".to_string()),
        ));
        r.add_secret(Secret::credential("value", "the password"));
        let once = r.text("want body \"after-123\", got \"before-123\"");
        assert_eq!(
            once,
            "want body \"<redacted: value 4 of this run (secret-update-1), 9 bytes>\", \
             got \"<redacted: value 3 of this run (secret-update-1), 10 bytes>\""
        );
        // The password `value` is part of every marker: a second pass leaves them whole.
        assert_eq!(r.text(&once), once);
        assert_eq!(r.text("pw value"), "pw <redacted: the password>");
        // An origin that holds a secret is left out of the marker.
        let mut r = Redactor::default();
        r.add_secret(Secret::value("s3cr3t", 1, Some("name-s3cr3t".to_string())));
        assert_eq!(r.text("s3cr3t"), "<redacted: value 1 of this run, 6 bytes>");
    }
}
