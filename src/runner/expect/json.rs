//! JSON subset matching: what was sent must come back; extra fields and elements are fine.
//!
//! An object matches when every expected key matches; an array when every expected element
//! matches some actual element; an "empty" expected value (`0`, `""`, `false`, `null`, `[]`,
//! `{}`) also matches an absent or null field, since providers omit empty fields.

use serde_json::Value;

use super::Mismatch;

/// Whether `actual` contains `want`; `Err` says where and how it differs.
pub fn subset(want: &Value, actual: &Value, path: &str) -> Result<(), Mismatch> {
    if is_empty(want) && actual.is_null() {
        return Ok(());
    }
    match (want, actual) {
        (Value::Object(w), Value::Object(a)) => {
            for (key, wv) in w {
                let av = a.get(key).unwrap_or(&Value::Null);
                subset(wv, av, &format!("{path}/{key}"))?;
            }
            Ok(())
        }
        (Value::Array(w), Value::Array(a)) => {
            for (i, wv) in w.iter().enumerate() {
                if !a.iter().any(|av| subset(wv, av, "").is_ok()) {
                    return Err(Mismatch::new(
                        format!("an element matching {wv}"),
                        format!("none among {} elements", a.len()),
                    )
                    .within(format!("at {path}/{i}")));
                }
            }
            Ok(())
        }
        (Value::Number(w), Value::Number(a)) if w.as_f64() == a.as_f64() => Ok(()),
        (w, a) if w == a => Ok(()),
        (w, a) => Err(Mismatch::new(w.to_string(), short(a))
            .within(format!("at {}", if path.is_empty() { "/" } else { path }))),
    }
}

fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Bool(b) => !b,
        Value::Number(n) => n.as_f64() == Some(0.0),
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
    }
}

fn short(v: &Value) -> String {
    crate::runner::result::excerpt(&v.to_string(), 200)
}

fn parse(body: &[u8]) -> Result<Value, Mismatch> {
    serde_json::from_slice(body).map_err(|e| {
        Mismatch::new(
            "a JSON body",
            format!(
                "{} ({e})",
                super::quote_body(&String::from_utf8_lossy(body))
            ),
        )
    })
}

/// The body is JSON containing `want`.
pub fn check_contains(want: &Value, body: &[u8]) -> Result<(), Mismatch> {
    subset(want, &parse(body)?, "")
}

/// The body is JSON NOT containing `unwanted`.
pub fn check_lacks(unwanted: &Value, body: &[u8]) -> Result<(), Mismatch> {
    let actual = parse(body)?;
    match subset(unwanted, &actual, "") {
        Ok(()) => Err(Mismatch::new(
            format!("JSON without {unwanted}"),
            short(&actual),
        )),
        Err(_) => Ok(()),
    }
}

/// The body is a JSON array or `null`.
pub fn check_list(body: &[u8]) -> Result<(), Mismatch> {
    match parse(body)? {
        Value::Array(_) | Value::Null => Ok(()),
        other => Err(Mismatch::new("a JSON list (or null)", short(&other))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn extra_fields_and_elements_are_fine() {
        let actual = json!([{"name": "a", "image": "i", "labels": {"x": "1", "faas_function": "a"}}, {"name": "b"}]);
        assert!(subset(&json!([{"name": "a", "labels": {"x": "1"}}]), &actual, "").is_ok());
        assert!(subset(&json!([{"name": "b"}, {"name": "a"}]), &actual, "").is_ok());
    }

    #[test]
    fn missing_element_or_value_is_reported_with_path() {
        let actual = json!({"name": "a", "labels": {"x": "1"}});
        let err = subset(&json!({"labels": {"x": "2"}}), &actual, "").unwrap_err();
        assert_eq!(err.to_string(), "at /labels/x: want \"2\", got \"1\"");
        assert_eq!(err.at, ["at /labels/x"]);
        let err = subset(&json!([{"name": "c"}]), &json!([{"name": "a"}]), "").unwrap_err();
        assert!(
            err.to_string()
                .contains("want an element matching {\"name\":\"c\"}"),
            "{err}"
        );
    }

    #[test]
    fn empty_values_match_absent_and_null() {
        let actual = json!({"name": "a", "labels": null});
        assert!(subset(
            &json!({"replicas": 0, "labels": {}, "secrets": []}),
            &actual,
            ""
        )
        .is_ok());
        assert!(subset(&json!([]), &Value::Null, "").is_ok());
        assert!(subset(&json!({"replicas": 1}), &actual, "").is_err());
    }

    #[test]
    fn numbers_compare_by_value() {
        assert!(subset(&json!(2), &json!(2.0), "").is_ok());
    }

    #[test]
    fn lacks_and_list() {
        assert!(check_lacks(&json!([{"name": "gone"}]), br#"[{"name":"a"}]"#).is_ok());
        assert!(check_lacks(&json!([{"name": "a"}]), br#"[{"name":"a"}]"#).is_err());
        assert!(check_list(b"null").is_ok());
        assert!(check_list(b"[]").is_ok());
        assert!(check_list(b"{}").is_err());
        assert_eq!(check_list(b"not json").unwrap_err().want, "a JSON body");
    }
}
