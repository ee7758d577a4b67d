//! Which `X-Callback-Url` values the CE gateway refuses: Go's `net/url.Parse` (Go 1.24, the
//! gateway's build image at faas 8d803bf9 `gateway/Dockerfile`), reduced to its errors.
//!
//! Go's parser is lenient (a relative path, an opaque `mailto:x` or a bare word parse) and
//! refuses only control characters, a leading `:`, a colon in a relative URL's first segment,
//! bad `%` escapes, bad ports, characters a host may not hold, bad user info and an unclosed
//! IPv6 literal. [`parse_error`] returns the error text exactly as Go prints it
//! (`parse "URL": WHY`), which the gateway sends back with its 400.

/// The text of Go's `url.Parse(raw)` error, or `None` when Go parses `raw`.
pub fn parse_error(raw: &[u8]) -> Option<String> {
    let (before_fragment, fragment) = match raw.iter().position(|&b| b == b'#') {
        Some(i) => (&raw[..i], &raw[i + 1..]),
        None => (raw, &raw[raw.len()..]),
    };
    if let Err(why) = parse(before_fragment) {
        return Some(format!("parse {}: {why}", go_quote(before_fragment)));
    }
    if fragment.is_empty() {
        return None;
    }
    unescape(fragment, Mode::Fragment)
        .err()
        .map(|why| format!("parse {}: {why}", go_quote(raw)))
}

/// Which part of a URL is unescaped (Go's `encoding`, the modes `Parse` uses).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Path,
    Host,
    Zone,
    UserPassword,
    Fragment,
}

/// Go's `parse(rawURL, viaRequest=false)`, errors only.
fn parse(raw: &[u8]) -> Result<(), String> {
    if raw.iter().any(|&b| b < b' ' || b == 0x7f) {
        return Err("net/url: invalid control character in URL".into());
    }
    if raw == b"*" {
        return Ok(());
    }
    let (scheme, rest) = scheme(raw)?;
    let rest = if rest.ends_with(b"?") && rest.iter().filter(|&&b| b == b'?').count() == 1 {
        &rest[..rest.len() - 1]
    } else {
        cut(rest, b'?').0
    };
    if !rest.starts_with(b"/") {
        if !scheme.is_empty() {
            // A rootless path after a scheme is opaque, and not checked further.
            return Ok(());
        }
        if cut(rest, b'/').0.contains(&b':') {
            return Err("first path segment in URL cannot contain colon".into());
        }
    }
    let mut path = rest;
    if (!scheme.is_empty() || !rest.starts_with(b"///")) && rest.starts_with(b"//") {
        let authority = &rest[2..];
        let end = authority
            .iter()
            .position(|&b| b == b'/')
            .unwrap_or(authority.len());
        parse_authority(&authority[..end])?;
        path = &authority[end..];
    }
    unescape(path, Mode::Path)
}

/// Go's `getScheme`: the scheme (maybe empty) and the rest.
fn scheme(raw: &[u8]) -> Result<(&[u8], &[u8]), String> {
    for (i, &c) in raw.iter().enumerate() {
        match c {
            b'a'..=b'z' | b'A'..=b'Z' => {}
            b'0'..=b'9' | b'+' | b'-' | b'.' if i > 0 => {}
            b':' if i == 0 => return Err("missing protocol scheme".into()),
            b':' => return Ok((&raw[..i], &raw[i + 1..])),
            _ => return Ok((&raw[..0], raw)),
        }
    }
    Ok((&raw[..0], raw))
}

/// Splits at the first `sep`: before, after (empty when absent).
fn cut(s: &[u8], sep: u8) -> (&[u8], &[u8]) {
    match s.iter().position(|&b| b == sep) {
        Some(i) => (&s[..i], &s[i + 1..]),
        None => (s, &s[s.len()..]),
    }
}

/// Go's `parseAuthority`: `[userinfo@]host`.
fn parse_authority(authority: &[u8]) -> Result<(), String> {
    let at = authority.iter().rposition(|&b| b == b'@');
    parse_host(&authority[at.map_or(0, |i| i + 1)..])?;
    let Some(at) = at else {
        return Ok(());
    };
    let userinfo = &authority[..at];
    if !valid_userinfo(userinfo) {
        return Err("net/url: invalid userinfo".into());
    }
    let (user, password) = cut(userinfo, b':');
    unescape(user, Mode::UserPassword)?;
    unescape(password, Mode::UserPassword)
}

/// Go's `validUserinfo`: RFC 3986 user info characters, ASCII only.
fn valid_userinfo(s: &[u8]) -> bool {
    s.iter()
        .all(|&c| c.is_ascii_alphanumeric() || b"-._:~!$&'()*+,;=%@".contains(&c))
}

/// Go's `parseHost`: `host[:port]` or `[ipv6[%25zone]][:port]`.
fn parse_host(host: &[u8]) -> Result<(), String> {
    if host.starts_with(b"[") {
        let Some(close) = host.iter().rposition(|&b| b == b']') else {
            return Err("missing ']' in host".into());
        };
        check_port(&host[close + 1..])?;
        let zone = host[..close].windows(3).position(|w| w == b"%25");
        if let Some(zone) = zone {
            unescape(&host[..zone], Mode::Host)?;
            unescape(&host[zone..close], Mode::Zone)?;
            return unescape(&host[close..], Mode::Host);
        }
    } else if let Some(colon) = host.iter().rposition(|&b| b == b':') {
        check_port(&host[colon..])?;
    }
    unescape(host, Mode::Host)
}

/// Go's `validOptionalPort`: empty, or `:` and digits.
fn check_port(colon_port: &[u8]) -> Result<(), String> {
    let valid = colon_port.is_empty()
        || (colon_port[0] == b':' && colon_port[1..].iter().all(u8::is_ascii_digit));
    if valid {
        Ok(())
    } else {
        Err(format!("invalid port {} after host", go_quote(colon_port)))
    }
}

/// Go's `unescape`, errors only: a `%` needs two hex digits; a host may `%`-escape only
/// non-ASCII bytes (and `%25`) and hold only the characters it may hold unescaped.
fn unescape(s: &[u8], mode: Mode) -> Result<(), String> {
    let host = matches!(mode, Mode::Host | Mode::Zone);
    let mut i = 0;
    while i < s.len() {
        match s[i] {
            b'%' => {
                let escape = &s[i..(i + 3).min(s.len())];
                if i + 2 >= s.len()
                    || !s[i + 1].is_ascii_hexdigit()
                    || !s[i + 2].is_ascii_hexdigit()
                {
                    return Err(escape_error(escape));
                }
                let value = hex(s[i + 1]) << 4 | hex(s[i + 2]);
                if mode == Mode::Host && hex(s[i + 1]) < 8 && escape != b"%25" {
                    return Err(escape_error(escape));
                }
                if mode == Mode::Zone
                    && escape != b"%25"
                    && value != b' '
                    && should_escape(value, Mode::Host)
                {
                    return Err(escape_error(escape));
                }
                i += 3;
            }
            c if host && c < 0x80 && should_escape(c, mode) => {
                return Err(format!(
                    "invalid character {} in host name",
                    go_quote(&s[i..i + 1])
                ));
            }
            _ => i += 1,
        }
    }
    Ok(())
}

fn escape_error(escape: &[u8]) -> String {
    format!("invalid URL escape {}", go_quote(escape))
}

fn hex(c: u8) -> u8 {
    match c {
        b'0'..=b'9' => c - b'0',
        b'a'..=b'f' => c - b'a' + 10,
        b'A'..=b'F' => c - b'A' + 10,
        _ => 0,
    }
}

/// Go's `shouldEscape` for the modes [`unescape`] asks about (host and zone).
fn should_escape(c: u8, mode: Mode) -> bool {
    if c.is_ascii_alphanumeric() {
        return false;
    }
    if matches!(mode, Mode::Host | Mode::Zone) && b"!$&'()*+,;=:[]<>\"".contains(&c) {
        return false;
    }
    !matches!(c, b'-' | b'_' | b'.' | b'~')
}

/// Go's `strconv.Quote`: double quotes, `\"` and `\\`, control characters and invalid UTF-8
/// escaped, printable characters kept.
pub fn go_quote(s: &[u8]) -> String {
    let mut out = String::from("\"");
    for chunk in s.utf8_chunks() {
        for c in chunk.valid().chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '\x07' => out.push_str("\\a"),
                '\x08' => out.push_str("\\b"),
                '\x0c' => out.push_str("\\f"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                '\x0b' => out.push_str("\\v"),
                c if (c as u32) < 0x20 || c == '\x7f' => {
                    out.push_str(&format!("\\x{:02x}", c as u32))
                }
                c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
                c => out.push(c),
            }
        }
        for b in chunk.invalid() {
            out.push_str(&format!("\\x{b:02x}"));
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(raw: &str) -> Option<String> {
        parse_error(raw.as_bytes())
    }

    #[test]
    fn what_go_parses() {
        for ok in [
            "http://127.0.0.1:9000/cb?x=1",
            "https://user:p%40ss@example.com/a%20b#frag",
            "http://[::1]:8080/",
            "http://[fe80::1%25en0]/",
            "mailto:someone@example.com",
            "not a url",
            "/relative/path",
            "http://host:/",
            "*",
            "http://x#",
        ] {
            assert_eq!(err(ok), None, "{ok}");
        }
    }

    #[test]
    fn what_go_refuses_in_its_words() {
        let cases = [
            ("%zz", r#"parse "%zz": invalid URL escape "%zz""#),
            (
                "http://a b",
                r#"parse "http://a b": invalid character " " in host name"#,
            ),
            ("://x", r#"parse "://x": missing protocol scheme"#),
            (
                "a:b/c", // "a" is a scheme here: an opaque URL, accepted.
                "",
            ),
            (
                "1a:b",
                r#"parse "1a:b": first path segment in URL cannot contain colon"#,
            ),
            (
                "http://h:8o/",
                r#"parse "http://h:8o/": invalid port ":8o" after host"#,
            ),
            (
                "http://[::1/",
                r#"parse "http://[::1/": missing ']' in host"#,
            ),
            (
                "http://a b@h/",
                r#"parse "http://a b@h/": net/url: invalid userinfo"#,
            ),
            (
                "http://h/\tx",
                r#"parse "http://h/\tx": net/url: invalid control character in URL"#,
            ),
            (
                "http://h/%4",
                r#"parse "http://h/%4": invalid URL escape "%4""#,
            ),
            (
                "http://%41/",
                r#"parse "http://%41/": invalid URL escape "%41""#,
            ),
            (
                "http://h/#%g",
                r##"parse "http://h/#%g": invalid URL escape "%g""##,
            ),
        ];
        for (raw, want) in cases {
            let got = err(raw).unwrap_or_default();
            assert_eq!(got, want, "{raw}");
        }
    }

    #[test]
    fn quoting_follows_strconv() {
        assert_eq!(go_quote(b"a\"b\\c"), r#""a\"b\\c""#);
        assert_eq!(go_quote(b"\x01\xff\xc3\xa9"), r#""\x01\xffé""#);
    }
}
