//! Expectation checks: each kind in its own file, each returning `want X, got Y` on a mismatch.

mod body;
pub(crate) use body::regex_of;
mod function;
mod headers;
pub mod json;
mod ndjson;

use crate::suite::Expect;

use super::client::HttpResponse;

/// Why an answer does not meet an expectation: what was wanted and what came instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    /// Where in the answer, outermost first (`line 2`, `at /labels/x`); may be empty.
    pub at: Vec<String>,
    /// What the expectation wants, in words (`status 200`).
    pub want: String,
    /// What came back instead, in words.
    pub got: String,
    /// Why the answer does not pass as through a gateway either, when the step allows it.
    pub gateway: Option<Box<Mismatch>>,
}

impl Mismatch {
    /// A mismatch of the whole answer.
    pub fn new(want: impl Into<String>, got: impl Into<String>) -> Self {
        Mismatch {
            at: Vec::new(),
            want: want.into(),
            got: got.into(),
            gateway: None,
        }
    }

    /// The step's failure it makes: its line, and what was wanted and what came.
    pub fn failure(&self) -> crate::outcome::Failure {
        crate::outcome::Failure {
            message: self.to_string(),
            mismatch: Some(crate::outcome::WantGot {
                want: self.want.clone(),
                got: self.got.clone(),
            }),
        }
    }

    /// The same mismatch, located inside `place` (prepended to the location).
    pub fn within(mut self, place: impl Into<String>) -> Self {
        self.at.insert(0, place.into());
        self
    }
}

impl std::fmt::Display for Mismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for place in &self.at {
            write!(f, "{place}: ")?;
        }
        write!(f, "want {}, got {}", self.want, self.got)?;
        if let Some(g) = &self.gateway {
            write!(f, "; nor as through a gateway: {g}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Mismatch {}

/// An answer and the request body that produced it.
#[derive(Debug, Clone, Copy)]
pub struct Answer<'a> {
    /// The answer.
    pub response: &'a HttpResponse,
    /// What was sent, for `echo` and `sha512_of_request`.
    pub request_body: &'a [u8],
}

/// Checks every expectation set in `expect`; the first mismatch is the error. When
/// `expect` holds a `through_gateway` alternative (kept only against a gateway), an answer
/// meeting the alternative passes too.
pub fn check(expect: &Expect, answer: Answer<'_>) -> Result<(), Mismatch> {
    let direct = check_keys(expect, answer);
    match (direct, &expect.through_gateway) {
        (Err(mut mismatch), Some(alternative)) => {
            check_keys(alternative, answer).map_err(|other| {
                mismatch.gateway = Some(Box::new(other));
                mismatch
            })
        }
        (direct, _) => direct,
    }
}

/// Checks the keys of `expect` itself, not its gateway alternative.
fn check_keys(expect: &Expect, answer: Answer<'_>) -> Result<(), Mismatch> {
    if let Some(status) = &expect.status {
        if !status.accepts(answer.response.status) {
            return Err(Mismatch::new(
                format!("status {status}"),
                format!(
                    "{}: {}",
                    answer.response.status,
                    quote_body(&answer.response.text())
                ),
            ));
        }
    }
    body::check(expect, answer)?;
    headers::check(&expect.headers, &answer.response.headers)?;
    if let Some(want) = &expect.json {
        json::check_contains(want, &answer.response.body)?;
    }
    if let Some(unwanted) = &expect.json_lacks {
        json::check_lacks(unwanted, &answer.response.body)?;
    }
    if expect.json_list {
        json::check_list(&answer.response.body)?;
    }
    ndjson::check(expect, &answer.response.body)?;
    if let Some(cond) = &expect.function {
        function::check(cond, &answer.response.body)?;
    }
    Ok(())
}

/// The expectation in words, for reports: `status 200|201|202, body contains "x"`.
pub fn describe(expect: &Expect) -> String {
    let mut parts = Vec::new();
    if let Some(s) = &expect.status {
        parts.push(format!("status {s}"));
    }
    if let Some(b) = &expect.body {
        parts.push(format!("body {b:?}"));
    }
    if let Some(b) = &expect.body_base64 {
        parts.push(format!("body (base64) {}", b.text()));
    }
    for c in expect.body_contains.as_slice() {
        parts.push(format!("body contains {c:?}"));
    }
    for c in expect.body_not_contains.as_slice() {
        parts.push(format!("body lacks {c:?}"));
    }
    if let Some(r) = &expect.body_matches {
        parts.push(format!("body matches /{r}/"));
    }
    if expect.echo {
        parts.push("body echoes the request".into());
    }
    if expect.sha512_of_request {
        parts.push("body is the request's sha512sum".into());
    }
    if let Some(j) = &expect.json {
        parts.push(format!("json contains {j}"));
    }
    if let Some(j) = &expect.json_lacks {
        parts.push(format!("json lacks {j}"));
    }
    if expect.json_list {
        parts.push("json list".into());
    }
    if let Some(j) = &expect.ndjson_each {
        parts.push(format!("each line contains {j}"));
    }
    if let Some(c) = &expect.ndjson_count {
        parts.push(format!("{c} lines"));
    }
    for (name, h) in &expect.headers {
        parts.push(headers::describe(name, h));
    }
    if let Some(f) = &expect.function {
        parts.push(function::describe(f));
    }
    let mut text = if parts.is_empty() {
        "an answer".into()
    } else {
        parts.join(", ")
    };
    if let Some(alternative) = &expect.through_gateway {
        text.push_str(&format!(
            " (or through a gateway: {})",
            describe(alternative)
        ));
    }
    text
}

/// A body quoted for a message, cut to a readable length.
pub fn quote_body(text: &str) -> String {
    format!("{:?}", super::result::excerpt(text.trim_end(), 200))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runner::client::HttpResponse;
    use crate::suite::{StatusSet, Step};

    fn logs_bad_tail() -> Step {
        let suite = crate::suite::load_str(
            "t.yaml",
            "cases:\n  - name: c\n    steps:\n      - logs: {name: f, tail: many}\n        expect: {status: 422, through_gateway: {status: 500, body_contains: \"(422)\"}}\n",
        )
        .unwrap();
        suite.cases[0].steps[0].clone()
    }

    fn verdict(step: &Step, resp: &HttpResponse) -> Result<(), Mismatch> {
        check(
            &step.common.expect,
            Answer {
                response: resp,
                request_body: b"",
            },
        )
    }

    #[test]
    fn a_gateway_answer_passes_only_against_a_gateway() {
        let gateway_answer = HttpResponse::fixture(500, "unknown log request error (422)\n");
        let provider_answer = HttpResponse::fixture(422, "tail must be an integer\n");
        let through_gateway = logs_bad_tail().for_target(true);
        let bare = logs_bad_tail().for_target(false);
        assert_eq!(verdict(&through_gateway, &gateway_answer), Ok(()));
        assert_eq!(verdict(&through_gateway, &provider_answer), Ok(()));
        assert_eq!(verdict(&bare, &provider_answer), Ok(()));
        let err = verdict(&bare, &gateway_answer).unwrap_err().to_string();
        assert!(err.starts_with("want status 422, got 500"), "{err}");
        let err = verdict(&through_gateway, &HttpResponse::fixture(500, "boom"))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("; nor as through a gateway: want body containing"),
            "{err}"
        );
    }

    /// `info::version` as built in, judged on `/system/info` bodies: passes when every step
    /// does.
    fn info_version_holds(gateway: bool, body: serde_json::Value) -> Result<(), Mismatch> {
        let suites = crate::suite::load_builtin().expect("the built-in suites load");
        let case = suites
            .iter()
            .filter(|s| s.name == "info")
            .flat_map(|s| &s.cases)
            .find(|c| c.name == "version")
            .expect("info::version");
        let resp = HttpResponse {
            status: 200,
            headers: Default::default(),
            body: bytes::Bytes::from(body.to_string()),
        };
        for step in &case.steps {
            verdict(&step.clone().for_target(gateway), &resp)?;
        }
        Ok(())
    }

    #[test]
    fn info_version_reads_the_providers_sha_at_its_pointer_in_each_form() {
        let provider = |sha: &str| serde_json::json!({"provider": "p", "orchestration": "o", "version": {"release": "1", "sha": sha}});
        let gateway = |sha: &str| {
            serde_json::json!({
                "provider": {"provider": "p", "orchestration": "o", "version": {"release": "1", "sha": sha}},
                "version": {"release": "0.27", "sha": "gateway-sha"},
                "arch": "x86_64",
            })
        };
        assert_eq!(info_version_holds(false, provider("abc")), Ok(()));
        assert!(info_version_holds(false, provider("")).is_err());
        assert_eq!(info_version_holds(true, gateway("abc")), Ok(()));
        // The gateway's own sha does not stand in for the provider's.
        let err = info_version_holds(true, gateway(""))
            .unwrap_err()
            .to_string();
        assert!(err.contains("JSON without"), "{err}");
    }

    #[test]
    fn the_alternative_is_described() {
        let step = logs_bad_tail();
        assert_eq!(step.common.expect.status, Some(StatusSet::One(422)));
        assert_eq!(
            describe(&step.common.expect),
            "status 422 (or through a gateway: status 500, body contains \"(422)\")"
        );
    }
}
