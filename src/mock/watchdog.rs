//! Emulates the classic OpenFaaS watchdog running a function's `fprocess`.
//!
//! The mock runs no processes. It recognises the commands the certifier's functions use and
//! answers as the real process would:
//!
//! | fprocess | answer |
//! |---|---|
//! | `env` / `printenv` | the environment, one `KEY=value` per line, sorted |
//! | `cat` (no argument), or no fprocess | the request body, byte for byte |
//! | `cat FILE` | the secret mounted at `/var/openfaas/secrets/NAME`; 500 for any other file |
//! | `sha512sum` | the hex SHA-512 of the body, two spaces and `-` |
//! | `./handler` or an image named `*redirector*` | 302 with `Location` from the `destination` variable |
//! | `echo ARGS...` | the arguments and a newline |
//! | `wc -c` | the body's length in bytes |
//! | `true` / `false` | empty 200 / 500 (non-zero exit) |
//! | anything else | 500, as when the watchdog cannot start the process |

use std::collections::BTreeMap;

use bytes::Bytes;
use sha2::{Digest, Sha512};

/// Where OpenFaaS mounts a function's secrets.
pub const SECRETS_DIR: &str = "/var/openfaas/secrets/";

/// The methods the classic watchdog serves; others get a bare 405 (handler.go
/// `makeRequestHandler`).
pub const METHODS: [&str; 5] = ["GET", "POST", "PUT", "PATCH", "DELETE"];

/// What the emulated process produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Output {
    /// The HTTP status the watchdog answers with.
    pub status: u16,
    /// The response body (the process's stdout, or an error text); `cat` hands back the
    /// request's own buffer.
    pub body: Bytes,
    /// A `Location` header, for redirects.
    pub location: Option<String>,
}

impl Output {
    fn ok(body: impl Into<Bytes>) -> Self {
        Self {
            status: 200,
            body: body.into(),
            location: None,
        }
    }

    fn failed(message: String) -> Self {
        Self {
            status: 500,
            body: format!("{message}\n").into(),
            location: None,
        }
    }
}

/// Runs `fprocess` (as deployed in `image`) on `body` with `env`, the mounted `secrets` by name.
pub fn run(
    fprocess: &str,
    image: &str,
    env: &BTreeMap<String, String>,
    body: &Bytes,
    secrets: &BTreeMap<String, Vec<u8>>,
) -> Output {
    let words: Vec<&str> = fprocess.split(' ').filter(|w| !w.is_empty()).collect();
    let redirector = image.contains("redirector");
    match words.as_slice() {
        ["./handler", ..] | [] if redirector => redirect(env),
        [] | ["cat"] => Output::ok(body.clone()),
        ["env"] | ["printenv"] => Output::ok(render_env(env)),
        ["cat", file] => read_file(file, secrets),
        ["sha512sum"] => Output::ok(format!("{:x}  -\n", Sha512::digest(body))),
        ["./handler", ..] => redirect(env),
        ["echo", args @ ..] => Output::ok(format!("{}\n", args.join(" "))),
        ["wc", "-c"] => Output::ok(format!("{}\n", body.len())),
        ["true"] => Output::ok(Bytes::new()),
        ["false"] => Output::failed("exit status 1".into()),
        [cmd, ..] => Output::failed(format!("exec: {cmd:?}: executable file not found in $PATH")),
    }
}

fn render_env(env: &BTreeMap<String, String>) -> String {
    env.iter().map(|(k, v)| format!("{k}={v}\n")).collect()
}

fn read_file(path: &str, secrets: &BTreeMap<String, Vec<u8>>) -> Output {
    match path
        .strip_prefix(SECRETS_DIR)
        .and_then(|name| secrets.get(name))
    {
        Some(value) => Output::ok(value.clone()),
        None => Output::failed(format!(
            "cat: {path}: No such file or directory\nexit status 1"
        )),
    }
}

fn redirect(env: &BTreeMap<String, String>) -> Output {
    match env.get("destination").filter(|d| !d.is_empty()) {
        Some(destination) => Output {
            status: 302,
            body: Bytes::new(),
            location: Some(destination.clone()),
        },
        None => {
            Output::failed("redirector: the destination environment variable is not set".into())
        }
    }
}

/// The `Content-Type` Go's server gives an answer whose handler set none (net/http
/// `DetectContentType`, sniff.go): none for an empty body, else text when the first 512
/// bytes hold no binary control byte, else `application/octet-stream`. (Go's signatures
/// for HTML, XML, images and archives are not emulated: the functions here print text.)
pub fn sniff(body: &[u8]) -> Option<&'static str> {
    if body.is_empty() {
        return None;
    }
    let binary = body[..body.len().min(512)].iter().any(|&b| {
        b <= 0x08 || b == 0x0B || (0x0E..=0x1A).contains(&b) || (0x1C..=0x1F).contains(&b)
    });
    Some(if binary {
        "application/octet-stream"
    } else {
        "text/plain; charset=utf-8"
    })
}

/// The name Go's `CanonicalMIMEHeaderKey` gives a header: `x-call-id` becomes `X-Call-Id`.
pub fn canonical_header(name: &str) -> String {
    name.split('-')
        .map(|word| {
            let mut chars = word.chars();
            match chars.next() {
                Some(first) => {
                    first.to_ascii_uppercase().to_string() + &chars.as_str().to_ascii_lowercase()
                }
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join("-")
}

/// The request as CGI-style variables, as the classic watchdog sets them ([`watchdog.http-headers`](../../CONTRACT.md#watchdog.http-headers)).
pub struct CgiRequest<'a> {
    pub method: &'a str,
    pub query: &'a str,
    pub path: &'a str,
    pub host: &'a str,
    pub content_length: usize,
    /// Request headers, name and (first) value, in arrival order.
    pub headers: Vec<(String, String)>,
}

/// Adds the CGI variables of `request` to `env`.
pub fn add_cgi_env(env: &mut BTreeMap<String, String>, request: &CgiRequest<'_>) {
    for (name, value) in &request.headers {
        let canonical = canonical_header(name);
        if canonical == "Host" {
            continue;
        }
        env.entry(format!("Http_{}", canonical.replace('-', "_")))
            .or_insert_with(|| value.clone());
    }
    env.insert("Http_Method".into(), request.method.to_string());
    env.insert(
        "Http_ContentLength".into(),
        request.content_length.to_string(),
    );
    env.insert(
        "Http_Content_Length".into(),
        request.content_length.to_string(),
    );
    env.insert("Http_Host".into(), request.host.to_string());
    if !request.query.is_empty() {
        env.insert("Http_Query".into(), request.query.to_string());
    }
    if !request.path.is_empty() {
        env.insert("Http_Path".into(), request.path.to_string());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn none() -> BTreeMap<String, Vec<u8>> {
        BTreeMap::new()
    }

    #[test]
    fn cat_is_binary_safe() {
        let body: Bytes = (0..=255).collect();
        assert_eq!(
            run("cat", "alpine", &BTreeMap::new(), &body, &none()).body,
            body
        );
    }

    #[test]
    fn sha512sum_matches_coreutils() {
        let out = run(
            "sha512sum",
            "alpine",
            &BTreeMap::new(),
            &Bytes::new(),
            &none(),
        );
        assert_eq!(
            String::from_utf8(out.body.to_vec()).unwrap(),
            "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e  -\n"
        );
    }

    #[test]
    fn secrets_are_read_from_the_mount() {
        let secrets = BTreeMap::from([("db".to_string(), vec![1, 2, 3])]);
        let out = run(
            "cat /var/openfaas/secrets/db",
            "alpine",
            &BTreeMap::new(),
            &Bytes::new(),
            &secrets,
        );
        assert_eq!((out.status, out.body.to_vec()), (200, vec![1, 2, 3]));
        let out = run(
            "cat /var/openfaas/secrets/other",
            "alpine",
            &BTreeMap::new(),
            &Bytes::new(),
            &secrets,
        );
        assert_eq!(out.status, 500);
    }

    #[test]
    fn redirector_and_unknown_commands() {
        let env = BTreeMap::from([(
            "destination".to_string(),
            "https://example.com/".to_string(),
        )]);
        let out = run(
            "./handler",
            "ghcr.io/openfaas/redirector:latest",
            &env,
            &Bytes::new(),
            &none(),
        );
        assert_eq!(
            (out.status, out.location.as_deref()),
            (302, Some("https://example.com/"))
        );
        assert_eq!(
            run("node index.js", "alpine", &env, &Bytes::new(), &none()).status,
            500
        );
    }

    #[test]
    fn cgi_variables_follow_the_watchdog() {
        let mut env = BTreeMap::new();
        let request = CgiRequest {
            method: "PUT",
            query: "testing=1",
            path: "/sub/path",
            host: "gw:8080",
            content_length: 3,
            headers: vec![
                ("x-call-id".into(), "abc".into()),
                ("host".into(), "gw".into()),
            ],
        };
        add_cgi_env(&mut env, &request);
        assert_eq!(env["Http_Method"], "PUT");
        assert_eq!(env["Http_Query"], "testing=1");
        assert_eq!(env["Http_Path"], "/sub/path");
        assert_eq!(env["Http_X_Call_Id"], "abc");
        assert_eq!(env["Http_Content_Length"], "3");
        assert!(!env.contains_key("Http_ContentType"));
        assert_eq!(canonical_header("content-TYPE"), "Content-Type");
    }

    #[test]
    fn go_sniffs_text_or_bytes() {
        assert_eq!(sniff(b""), None);
        assert_eq!(sniff(b"A=1\n\tx\r\n"), Some("text/plain; charset=utf-8"));
        assert_eq!(sniff(&[b'a', 0, b'b']), Some("application/octet-stream"));
    }
}
