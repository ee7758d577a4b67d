//! Body expectations: equals, contains, lacks, regex, echo and sha512 digest.

use sha2::{Digest, Sha512};

use super::{quote_body, Answer, Mismatch};
use crate::suite::{Expect, Pattern};

/// The compiled regex of `p`: compiled at load or when its step's variables were expanded;
/// compiled here only for an `Expect` built by hand that skipped [`Expect::prepare`].
pub(crate) fn regex_of(p: &Pattern) -> Result<regex::Regex, Mismatch> {
    if let Some(re) = p.regex() {
        return Ok(re.clone());
    }
    let mut p = p.clone();
    p.compile()
        .map_err(|e| Mismatch::new(format!("a valid regex /{p}/"), e))?;
    p.regex()
        .cloned()
        .ok_or_else(|| Mismatch::new(format!("a valid regex /{p}/"), "none"))
}

/// Checks the body expectations of `expect`.
pub fn check(expect: &Expect, answer: Answer<'_>) -> Result<(), Mismatch> {
    let body = &answer.response.body;
    // As text only when an expectation reads text: a megabyte of binary echoed would
    // otherwise be copied, its invalid bytes tripled, for nothing.
    let lossy = std::cell::OnceCell::new();
    let text = || lossy.get_or_init(|| String::from_utf8_lossy(body));
    if let Some(want) = &expect.body {
        if text() != want.as_str() {
            return Err(Mismatch::new(format!("body {want:?}"), quote_body(text())));
        }
    }
    if let Some(b64) = &expect.body_base64 {
        let mut b64 = b64.clone();
        b64.decode()
            .map_err(|e| Mismatch::new(format!("body (base64) {}", b64.text()), e))?;
        if b64.bytes() != Some(body.as_ref()) {
            use base64::Engine;
            let got = base64::engine::general_purpose::STANDARD.encode(body);
            return Err(Mismatch::new(
                format!("body (base64) {}", b64.text()),
                super::super::result::excerpt(&got, 200),
            ));
        }
    }
    for want in expect.body_contains.as_slice() {
        if !text().contains(want.as_str()) {
            return Err(Mismatch::new(
                format!("body containing {want:?}"),
                quote_body(text()),
            ));
        }
    }
    for unwanted in expect.body_not_contains.as_slice() {
        if text().contains(unwanted.as_str()) {
            return Err(Mismatch::new(
                format!("body without {unwanted:?}"),
                quote_body(text()),
            ));
        }
    }
    if let Some(p) = &expect.body_matches {
        let re = regex_of(p)?;
        if !re.is_match(text()) {
            return Err(Mismatch::new(
                format!("body matching /{p}/"),
                quote_body(text()),
            ));
        }
    }
    if expect.echo && body.as_ref() != answer.request_body {
        let at = body
            .iter()
            .zip(answer.request_body)
            .position(|(a, b)| a != b)
            .unwrap_or(body.len().min(answer.request_body.len()));
        return Err(Mismatch::new(
            format!("the {} bytes sent echoed", answer.request_body.len()),
            format!("{} bytes (first difference at byte {at})", body.len()),
        ));
    }
    if expect.sha512_of_request {
        let want = format!("{:x}  -", Sha512::digest(answer.request_body));
        if text().trim_end() != want {
            return Err(Mismatch::new(
                format!("sha512sum output {want:?}"),
                quote_body(text()),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runner::client::HttpResponse;

    #[test]
    fn contains_and_lacks() {
        let r = HttpResponse::fixture(200, b"Http_Method=GET\nHttp_Path=/a\n");
        let mut e = Expect {
            body_contains: crate::suite::OneOrMany::One("Http_Method=GET".into()),
            ..Default::default()
        };
        assert!(check(
            &e,
            Answer {
                response: &r,
                request_body: b""
            }
        )
        .is_ok());
        e.body_not_contains = crate::suite::OneOrMany::One("Http_Path".into());
        let err = check(
            &e,
            Answer {
                response: &r,
                request_body: b"",
            },
        )
        .unwrap_err();
        assert_eq!(err.want, "body without \"Http_Path\"");
        assert!(
            err.to_string()
                .starts_with("want body without \"Http_Path\", got"),
            "{err}"
        );
    }

    #[test]
    fn regex_is_multi_line() {
        let r = HttpResponse::fixture(200, b"a=1\nHttp_Query=testing=1\n");
        let e = Expect {
            body_matches: Some("^Http_Query=testing=1$".into()),
            ..Default::default()
        };
        assert!(check(
            &e,
            Answer {
                response: &r,
                request_body: b""
            }
        )
        .is_ok());
    }

    #[test]
    fn echo_and_digest() {
        let r = HttpResponse::fixture(200, b"\x00\x01\xff");
        let e = Expect {
            echo: true,
            ..Default::default()
        };
        assert!(check(
            &e,
            Answer {
                response: &r,
                request_body: b"\x00\x01\xff"
            }
        )
        .is_ok());
        let err = check(
            &e,
            Answer {
                response: &r,
                request_body: b"\x00\x02\xff",
            },
        )
        .unwrap_err();
        assert!(err.got.contains("first difference at byte 1"), "{err}");
        let digest = HttpResponse::fixture(200, b"9b71d224bd62f3785d96d46ad3ea3d73319bfbc2890caadae2dff72519673ca72323c3d99ba5c11d7c7acc6e14b8c5da0c4663475c2e5c3adef46f73bcdec043  -\n");
        let e = Expect {
            sha512_of_request: true,
            ..Default::default()
        };
        assert!(check(
            &e,
            Answer {
                response: &digest,
                request_body: b"hello"
            }
        )
        .is_ok());
        assert!(check(
            &e,
            Answer {
                response: &digest,
                request_body: b"hellO"
            }
        )
        .is_err());
    }
}
