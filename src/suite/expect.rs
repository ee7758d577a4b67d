//! Expectations on an answer, and captures from it.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::expand::{expand_fields, Expand};

/// One value or a list of them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum OneOrMany<T> {
    /// A single value.
    One(T),
    /// Several values.
    Many(Vec<T>),
}

impl<T> Default for OneOrMany<T> {
    fn default() -> Self {
        OneOrMany::Many(Vec::new())
    }
}

impl<T> OneOrMany<T> {
    /// The values as a slice.
    pub fn as_slice(&self) -> &[T] {
        match self {
            OneOrMany::One(v) => std::slice::from_ref(v),
            OneOrMany::Many(v) => v,
        }
    }

    /// Whether there are no values.
    pub fn is_empty(&self) -> bool {
        self.as_slice().is_empty()
    }
}

/// The acceptable status codes: `200`, `[200, 201, 202]`, or a class such as `"4xx"`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum StatusSet {
    /// Exactly this code.
    One(u16),
    /// Any of these codes.
    Any(Vec<u16>),
    /// A class: `2xx`, `4xx`, `5xx`.
    Class(String),
}

impl StatusSet {
    /// Whether `code` is acceptable.
    pub fn accepts(&self, code: u16) -> bool {
        match self {
            StatusSet::One(c) => *c == code,
            StatusSet::Any(cs) => cs.contains(&code),
            StatusSet::Class(class) => {
                class.len() == 3
                    && class.ends_with("xx")
                    && class.starts_with(char::from(b'0' + (code / 100) as u8))
            }
        }
    }

    /// Whether a class is well-formed.
    pub fn is_valid(&self) -> bool {
        match self {
            StatusSet::Class(c) => matches!(c.as_str(), "1xx" | "2xx" | "3xx" | "4xx" | "5xx"),
            StatusSet::Any(cs) => !cs.is_empty(),
            StatusSet::One(_) => true,
        }
    }
}

impl std::fmt::Display for StatusSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StatusSet::One(c) => write!(f, "{c}"),
            StatusSet::Any(cs) => {
                let parts: Vec<String> = cs.iter().map(u16::to_string).collect();
                f.write_str(&parts.join("|"))
            }
            StatusSet::Class(c) => f.write_str(c),
        }
    }
}

/// A count: exactly `n`, or a range `{min, max}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum Count {
    /// Exactly this many.
    Exactly(u64),
    /// Within bounds (inclusive).
    Range {
        /// At least this many.
        #[serde(default)]
        min: Option<u64>,
        /// At most this many.
        #[serde(default)]
        max: Option<u64>,
    },
}

impl Count {
    /// Whether `n` satisfies the count.
    pub fn accepts(&self, n: u64) -> bool {
        match self {
            Count::Exactly(want) => n == *want,
            Count::Range { min, max } => min.is_none_or(|m| n >= m) && max.is_none_or(|m| n <= m),
        }
    }
}

impl std::fmt::Display for Count {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Count::Exactly(n) => write!(f, "{n}"),
            Count::Range { min, max } => match (min, max) {
                (Some(a), Some(b)) => write!(f, "{a}..={b}"),
                (Some(a), None) => write!(f, ">= {a}"),
                (None, Some(b)) => write!(f, "<= {b}"),
                (None, None) => f.write_str("any"),
            },
        }
    }
}

/// What a header must look like.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HeaderExpect {
    /// `true`: present and non-empty; `false`: absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub present: Option<bool>,
    /// Exactly this value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub equals: Option<String>,
    /// A regex the value must match.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub matches: Option<Pattern>,
}

/// Conditions on a function's status (absent numbers read as 0).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FunctionCondition {
    /// Desired replicas.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replicas: Option<Count>,
    /// Replicas ready to serve.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub available_replicas: Option<Count>,
    /// Invocations counted so far.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invocation_count: Option<Count>,
}

/// Everything that must hold for an answer; every key set is checked.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    /// The status code(s) accepted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<StatusSet>,
    /// The body equals this text exactly.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// The body equals these bytes, given as base64 (for binary answers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body_base64: Option<Base64>,
    /// The body contains each of these texts.
    #[serde(default, skip_serializing_if = "OneOrMany::is_empty")]
    pub body_contains: OneOrMany<String>,
    /// The body contains none of these texts.
    #[serde(default, skip_serializing_if = "OneOrMany::is_empty")]
    pub body_not_contains: OneOrMany<String>,
    /// The body matches this regex (multi-line mode).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body_matches: Option<Pattern>,
    /// The body is byte for byte the request body sent (an echo).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub echo: bool,
    /// The body is `sha512sum` output for the request body: `<hex>  -`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub sha512_of_request: bool,
    /// The body is JSON containing this value: objects may have extra keys, every expected array
    /// element must match some element, and an empty expected value (`0`, `""`, `[]`, `{}`,
    /// `false`, `null`) also matches an absent or null field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub json: Option<serde_json::Value>,
    /// The body is JSON that does NOT contain this value (same matching as `json`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub json_lacks: Option<serde_json::Value>,
    /// The body is a JSON array, or `null` (an empty list from some providers).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub json_list: bool,
    /// Each NDJSON line of the body contains this value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ndjson_each: Option<serde_json::Value>,
    /// The number of NDJSON lines.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ndjson_count: Option<Count>,
    /// Headers, by case-insensitive name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub headers: BTreeMap<String, HeaderExpect>,
    /// Conditions on the function status in the body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub function: Option<FunctionCondition>,
    /// Where the contract lets a gateway change the answer (a `through a gateway` clause):
    /// when the target is a gateway, an answer meeting this expectation instead of the keys
    /// above passes too. On a bare provider it is ignored, so the provider's answer is
    /// still required there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub through_gateway: Option<Box<Expect>>,
}

impl Expect {
    /// Drops the `through_gateway` alternative: the target is a bare provider.
    pub fn without_gateway_alternative(mut self) -> Self {
        self.through_gateway = None;
        self
    }
}

/// Where a captured variable's value comes from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Capture {
    /// A response header.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub header: Option<String>,
    /// A JSON pointer into the body, e.g. `/provider/version/release`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub json: Option<String>,
    /// A regex on the body; the first group (or the whole match) is taken.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub regex: Option<Pattern>,
}

expand_fields!(Capture {
    header,
    json,
    regex
});

impl Capture {
    /// Compiles the regex (after variables were expanded).
    pub fn compile(&mut self) -> Result<(), String> {
        self.regex.as_mut().map_or(Ok(()), Pattern::compile)
    }
}

/// A regex as written, compiled (multi-line mode) once it holds no variables: at load when
/// it is literal, else once per step execution after expansion, never per poll.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(from = "String", into = "String")]
pub struct Pattern {
    text: String,
    regex: Option<regex::Regex>,
}

impl Pattern {
    /// The regex as written.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The compiled regex; `None` until [`Pattern::compile`] ran.
    pub fn regex(&self) -> Option<&regex::Regex> {
        self.regex.as_ref()
    }

    /// Compiles the text as it is now (variables already expanded).
    pub fn compile(&mut self) -> Result<(), String> {
        if self.regex.is_none() {
            let regex = regex::RegexBuilder::new(&self.text)
                .multi_line(true)
                .build()
                .map_err(|e| format!("bad regex {:?}: {e}", self.text))?;
            self.regex = Some(regex);
        }
        Ok(())
    }

    /// Compiles the text when it holds no variables (at load).
    pub fn compile_literal(&mut self) -> Result<(), String> {
        if self.text.contains("${") {
            return Ok(());
        }
        self.compile()
    }
}

impl From<String> for Pattern {
    fn from(text: String) -> Self {
        Pattern { text, regex: None }
    }
}

impl From<&str> for Pattern {
    fn from(text: &str) -> Self {
        Pattern::from(text.to_string())
    }
}

impl From<Pattern> for String {
    fn from(p: Pattern) -> Self {
        p.text
    }
}

impl PartialEq for Pattern {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

impl Eq for Pattern {}

impl std::fmt::Display for Pattern {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

impl Expand for Pattern {
    fn map_strings<E>(&self, f: &mut dyn FnMut(&str) -> Result<String, E>) -> Result<Self, E> {
        let text = f(&self.text)?;
        // Unchanged text keeps the regex compiled at load.
        let regex = if text == self.text {
            self.regex.clone()
        } else {
            None
        };
        Ok(Pattern { text, regex })
    }
}

impl JsonSchema for Pattern {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        String::schema_name()
    }

    fn json_schema(g: &mut schemars::SchemaGenerator) -> schemars::Schema {
        String::json_schema(g)
    }
}

/// Bytes written as base64, decoded once they hold no variables (like [`Pattern`]).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(from = "String", into = "String")]
pub struct Base64 {
    text: String,
    bytes: Option<Vec<u8>>,
}

impl Base64 {
    /// The base64 text as written.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The decoded bytes; `None` until [`Base64::decode`] ran.
    pub fn bytes(&self) -> Option<&[u8]> {
        self.bytes.as_deref()
    }

    /// Decodes the text as it is now (variables already expanded).
    pub fn decode(&mut self) -> Result<(), String> {
        use base64::Engine;
        if self.bytes.is_none() {
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(self.text.trim())
                .map_err(|e| format!("body_base64 is not base64: {e}"))?;
            self.bytes = Some(bytes);
        }
        Ok(())
    }

    /// Decodes the text when it holds no variables (at load).
    pub fn decode_literal(&mut self) -> Result<(), String> {
        if self.text.contains("${") {
            return Ok(());
        }
        self.decode()
    }
}

impl From<String> for Base64 {
    fn from(text: String) -> Self {
        Base64 { text, bytes: None }
    }
}

impl From<Base64> for String {
    fn from(b: Base64) -> Self {
        b.text
    }
}

impl PartialEq for Base64 {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

impl Eq for Base64 {}

impl Expand for Base64 {
    fn map_strings<E>(&self, f: &mut dyn FnMut(&str) -> Result<String, E>) -> Result<Self, E> {
        let text = f(&self.text)?;
        let bytes = if text == self.text {
            self.bytes.clone()
        } else {
            None
        };
        Ok(Base64 { text, bytes })
    }
}

impl JsonSchema for Base64 {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        String::schema_name()
    }

    fn json_schema(g: &mut schemars::SchemaGenerator) -> schemars::Schema {
        String::json_schema(g)
    }
}

impl<T: Expand> Expand for OneOrMany<T> {
    fn map_strings<E>(&self, f: &mut dyn FnMut(&str) -> Result<String, E>) -> Result<Self, E> {
        Ok(match self {
            OneOrMany::One(v) => OneOrMany::One(v.map_strings(f)?),
            OneOrMany::Many(v) => OneOrMany::Many(v.map_strings(f)?),
        })
    }
}

// Status sets, counts and function conditions hold no variables.
super::expand::expand_as_is!(StatusSet, Count, FunctionCondition);

expand_fields!(HeaderExpect {
    present,
    equals,
    matches
});

expand_fields!(Expect {
    status,
    body,
    body_base64,
    body_contains,
    body_not_contains,
    body_matches,
    echo,
    sha512_of_request,
    json,
    json_lacks,
    json_list,
    ndjson_each,
    ndjson_count,
    headers,
    function,
    through_gateway,
});

impl Expect {
    /// Compiles every regex and decodes every base64 value: after expansion, any that is
    /// wrong is a suite error. With `literal_only`, values still holding a `${variable}`
    /// wait for expansion (the load-time pass).
    pub fn prepare(&mut self, literal_only: bool) -> Result<(), String> {
        let regex = |p: &mut Pattern| {
            if literal_only {
                p.compile_literal()
            } else {
                p.compile()
            }
        };
        if let Some(p) = &mut self.body_matches {
            regex(p)?;
        }
        for h in self.headers.values_mut() {
            if let Some(p) = &mut h.matches {
                regex(p)?;
            }
        }
        if let Some(b) = &mut self.body_base64 {
            if literal_only {
                b.decode_literal()?;
            } else {
                b.decode()?;
            }
        }
        if let Some(alternative) = &mut self.through_gateway {
            alternative
                .prepare(literal_only)
                .map_err(|e| format!("through_gateway: {e}"))?;
        }
        Ok(())
    }
}
