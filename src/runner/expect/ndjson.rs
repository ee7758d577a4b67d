//! NDJSON expectations for log streams: every line contains a value; the number of lines.

use super::Mismatch;
use crate::suite::Expect;

/// Checks `ndjson_each` and `ndjson_count`.
pub fn check(expect: &Expect, body: &[u8]) -> Result<(), Mismatch> {
    if expect.ndjson_each.is_none() && expect.ndjson_count.is_none() {
        return Ok(());
    }
    let text = String::from_utf8_lossy(body);
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    if let Some(count) = &expect.ndjson_count {
        if !count.accepts(lines.len() as u64) {
            return Err(Mismatch::new(
                format!("{count} lines"),
                format!("{}: {}", lines.len(), super::quote_body(&text)),
            ));
        }
    }
    if let Some(want) = &expect.ndjson_each {
        for (i, line) in lines.iter().enumerate() {
            let value: serde_json::Value = serde_json::from_str(line).map_err(|e| {
                Mismatch::new(format!("JSON on line {}", i + 1), format!("{line:?} ({e})"))
            })?;
            super::json::subset(want, &value, "")
                .map_err(|m| m.within(format!("line {}", i + 1)))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::suite::Count;

    #[test]
    fn each_line_and_count() {
        let body = b"{\"name\":\"f\",\"text\":\"a\"}\n{\"name\":\"f\",\"text\":\"b\"}\n";
        let e = Expect {
            ndjson_each: Some(serde_json::json!({"name": "f"})),
            ndjson_count: Some(Count::Exactly(2)),
            ..Default::default()
        };
        assert!(check(&e, body).is_ok());
        let e = Expect {
            ndjson_each: Some(serde_json::json!({"name": "g"})),
            ..Default::default()
        };
        assert!(check(&e, body)
            .unwrap_err()
            .to_string()
            .starts_with("line 1: at /name"));
        let e = Expect {
            ndjson_count: Some(Count::Exactly(1)),
            ..Default::default()
        };
        assert!(check(&e, body)
            .unwrap_err()
            .to_string()
            .starts_with("want 1 lines, got 2"));
    }
}
