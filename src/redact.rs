//! Keeps secrets out of everything the certifier prints or writes: secret values, tokens,
//! passwords and `Authorization` headers become a marker, whatever echoed them. The runner
//! redacts what it records with it, and the reports what they write (`report::redact`).

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

/// Values shorter than this are not searched for: they would match ordinary text.
const MIN_SECRET_LEN: usize = 4;

/// Replaces known secret values and credential headers with [`MARKER`].
#[derive(Debug, Clone)]
pub struct Redactor {
    /// Every form of every secret, longest first so a value hides before its substrings.
    needles: Vec<String>,
    /// Names the suites give (suites, cases, trials, step kinds, suite files), longest
    /// first: where one appears whole in a text, a secret inside it is left alone (a
    /// password `secret` does not turn `blocked by secrets::x` into `<redacted>s::x`).
    names: Vec<String>,
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

impl Redactor {
    /// A redactor for these secret values (text or bytes), each also hidden in its
    /// base64 form (as `rawValue` carries it) and in its lossy UTF-8 form.
    pub fn new<I, S>(secrets: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<[u8]>,
    {
        let mut redactor = Self {
            needles: Vec::new(),
            names: Vec::new(),
        };
        redactor.protect(API_NAMES.iter().copied());
        for secret in secrets {
            redactor.add(secret.as_ref());
        }
        redactor
    }

    /// Adds one more secret value.
    pub fn add(&mut self, secret: &[u8]) {
        let engine = base64::engine::general_purpose::STANDARD;
        let forms = [
            String::from_utf8_lossy(secret).into_owned(),
            engine.encode(secret),
            base64::engine::general_purpose::STANDARD_NO_PAD.encode(secret),
        ];
        for form in forms {
            if form.len() >= MIN_SECRET_LEN && !self.needles.contains(&form) {
                self.needles.push(form);
            }
        }
        self.needles.sort_by_key(|n| std::cmp::Reverse(n.len()));
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

    /// The text with every secret replaced by the marker; protected names stay whole.
    pub fn text(&self, text: &str) -> String {
        let mut out = AUTHORIZATION
            .replace_all(text, format!("${{1}}{MARKER}"))
            .into_owned();
        if !self.needles.iter().any(|n| out.contains(n.as_str())) {
            return out;
        }
        // Names holding a secret are set aside as private-use placeholders (which no secret
        // matches), the secrets replaced, then the names put back.
        let mut kept: Vec<&str> = Vec::new();
        for name in &self.names {
            let holds_secret = self
                .needles
                .iter()
                .any(|n| name.contains(n.as_str()) && name != n);
            if holds_secret && out.contains(name.as_str()) {
                out = out.replace(name.as_str(), &placeholder(kept.len()));
                kept.push(name);
            }
        }
        for needle in &self.needles {
            if out.contains(needle.as_str()) {
                out = out.replace(needle.as_str(), MARKER);
            }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn protected_names_stay_whole_while_the_secret_goes() {
        let mut r = Redactor::new(["secret"]);
        r.protect(["secrets", "secrets::list-names-not-values", "secret_create"]);
        assert_eq!(
            r.text("blocked by secrets::list-names-not-values; step `secret_create`: got secret"),
            "blocked by secrets::list-names-not-values; step `secret_create`: got <redacted>"
        );
        // Many names at once are all put back, each in its place.
        let names: Vec<String> = (0..12).map(|i| format!("secrets-{i}")).collect();
        r.protect(names.clone());
        let text = names.join(" secret ");
        let want = names.join(" <redacted> ");
        assert_eq!(r.text(&text), want);
        // A name equal to the secret is not protected: the secret wins.
        let mut same = Redactor::new(["hunter22"]);
        same.protect(["hunter22"]);
        assert_eq!(same.text("hunter22"), MARKER);
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
        assert_eq!(r.text(&format!("rawValue={b64}")), "rawValue=<redacted>");
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
            if s.contains(MARKER) {
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
        let r = Redactor::new(["ab"]);
        assert_eq!(r.text("tab"), "tab");
    }
}
