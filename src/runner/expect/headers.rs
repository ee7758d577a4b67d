//! Header expectations: present, absent, equals, matches.

use std::collections::BTreeMap;

use reqwest::header::HeaderMap;

use super::Mismatch;
use crate::suite::HeaderExpect;

/// Checks every header expectation.
pub fn check(expect: &BTreeMap<String, HeaderExpect>, headers: &HeaderMap) -> Result<(), Mismatch> {
    for (name, want) in expect {
        let got = headers
            .get(name.as_str())
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
        match (want.present, &got) {
            (Some(true), None) => return Err(Mismatch::new(format!("header {name}"), "none")),
            (Some(true), Some(v)) if v.is_empty() => {
                return Err(Mismatch::new(format!("header {name} non-empty"), "\"\""))
            }
            (Some(false), Some(v)) => {
                return Err(Mismatch::new(format!("no header {name}"), format!("{v:?}")))
            }
            _ => {}
        }
        if let Some(eq) = &want.equals {
            if got.as_deref() != Some(eq.as_str()) {
                return Err(Mismatch::new(
                    format!("header {name}: {eq:?}"),
                    format!("{got:?}"),
                ));
            }
        }
        if let Some(re) = &want.matches {
            let regex = super::body::regex_of(re)?;
            if !got.as_deref().is_some_and(|v| regex.is_match(v)) {
                return Err(Mismatch::new(
                    format!("header {name} matching /{re}/"),
                    format!("{got:?}"),
                ));
            }
        }
    }
    Ok(())
}

/// The header expectation in words.
pub fn describe(name: &str, want: &HeaderExpect) -> String {
    let mut parts = Vec::new();
    match want.present {
        Some(true) => parts.push(format!("header {name}")),
        Some(false) => parts.push(format!("no header {name}")),
        None => {}
    }
    if let Some(eq) = &want.equals {
        parts.push(format!("header {name}: {eq:?}"));
    }
    if let Some(re) = &want.matches {
        parts.push(format!("header {name} ~ /{re}/"));
    }
    parts.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn present_equals_matches() {
        let mut h = HeaderMap::new();
        h.insert("x-call-id", "abc-123".parse().unwrap());
        let mut want = BTreeMap::new();
        want.insert(
            "X-Call-Id".to_string(),
            HeaderExpect {
                present: Some(true),
                equals: None,
                matches: Some("^[a-z]+-[0-9]+$".into()),
            },
        );
        assert!(check(&want, &h).is_ok());
        want.insert(
            "X-Start-Time".to_string(),
            HeaderExpect {
                present: Some(true),
                ..Default::default()
            },
        );
        assert_eq!(
            check(&want, &h).unwrap_err(),
            Mismatch::new("header X-Start-Time", "none")
        );
        let mut eq = BTreeMap::new();
        eq.insert(
            "x-call-id".to_string(),
            HeaderExpect {
                equals: Some("nope".into()),
                ..Default::default()
            },
        );
        assert!(check(&eq, &h)
            .unwrap_err()
            .to_string()
            .contains("got Some(\"abc-123\")"));
    }
}
