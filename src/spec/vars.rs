//! `${name}` variables: finding references in suite text and expanding them.
//!
//! `$${` writes a literal `${`. Names are letters, digits and `_`.

use std::collections::BTreeMap;

/// The variables every run defines.
pub const BUILTIN: [&str; 8] = [
    "run",
    "namespace",
    "default_namespace",
    "extra_namespace",
    "registry",
    "redirect_image",
    "settle",
    "idle",
];

/// The names referenced by `${...}` in `text`, in order; `Err` names a malformed reference.
pub fn references(text: &str) -> Result<Vec<String>, String> {
    let mut names = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find('$') {
        let after = &rest[at + 1..];
        if let Some(tail) = after.strip_prefix("${") {
            rest = tail;
            continue;
        }
        if let Some(body) = after.strip_prefix('{') {
            let Some(end) = body.find('}') else {
                return Err(format!("unclosed variable reference in {text:?}"));
            };
            let name = &body[..end];
            if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                return Err(format!("bad variable name {name:?} in {text:?}"));
            }
            names.push(name.to_string());
            rest = &body[end + 1..];
        } else {
            rest = after;
        }
    }
    Ok(names)
}

/// Replaces every `${name}` in `text` by its value; `Err` names the first undefined one.
pub fn expand(text: &str, vars: &BTreeMap<String, String>) -> Result<String, String> {
    if !text.contains('$') {
        return Ok(text.to_string());
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        if let Some(tail) = after.strip_prefix("${") {
            out.push_str("${");
            rest = tail;
        } else if let Some(body) = after.strip_prefix('{') {
            let end = body
                .find('}')
                .ok_or_else(|| format!("unclosed variable reference in {text:?}"))?;
            let name = &body[..end];
            match vars.get(name) {
                Some(value) => out.push_str(value),
                None => return Err(format!("undefined variable ${{{name}}}")),
            }
            rest = &body[end + 1..];
        } else {
            out.push('$');
            rest = after;
        }
    }
    out.push_str(rest);
    Ok(out)
}

/// Expands every string inside a JSON value (keys included).
pub fn expand_json(
    value: &serde_json::Value,
    vars: &BTreeMap<String, String>,
) -> Result<serde_json::Value, String> {
    use serde_json::Value;
    Ok(match value {
        Value::String(s) => Value::String(expand(s, vars)?),
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|v| expand_json(v, vars))
                .collect::<Result<_, _>>()?,
        ),
        Value::Object(map) => {
            let mut out = serde_json::Map::new();
            for (k, v) in map {
                out.insert(expand(k, vars)?, expand_json(v, vars)?);
            }
            Value::Object(out)
        }
        other => other.clone(),
    })
}

/// Every string inside a JSON value (keys included), for reference checks.
pub fn strings_in(value: &serde_json::Value, out: &mut Vec<String>) {
    use serde_json::Value;
    match value {
        Value::String(s) => out.push(s.clone()),
        Value::Array(items) => items.iter().for_each(|v| strings_in(v, out)),
        Value::Object(map) => {
            for (k, v) in map {
                out.push(k.clone());
                strings_in(v, out);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars() -> BTreeMap<String, String> {
        [("run", "r1"), ("namespace", "openfaas-fn")]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn expands_known_variables() {
        assert_eq!(
            expand("env-${run}.${namespace}", &vars()).unwrap(),
            "env-r1.openfaas-fn"
        );
        assert_eq!(expand("no vars", &vars()).unwrap(), "no vars");
        assert_eq!(expand("cost $5", &vars()).unwrap(), "cost $5");
    }

    #[test]
    fn escaped_reference_stays_literal() {
        assert_eq!(expand("$${run} ${run}", &vars()).unwrap(), "${run} r1");
        assert_eq!(references("$${run}").unwrap(), Vec::<String>::new());
    }

    #[test]
    fn undefined_variable_is_an_error() {
        let err = expand("x-${nope}", &vars()).unwrap_err();
        assert!(err.contains("${nope}"), "{err}");
    }

    #[test]
    fn references_lists_names_and_rejects_malformed() {
        assert_eq!(references("${a}-${b_2}").unwrap(), vec!["a", "b_2"]);
        assert!(references("${a").is_err());
        assert!(references("${a b}").is_err());
    }

    #[test]
    fn expands_inside_json() {
        let v = serde_json::json!({"name": "f-${run}", "list": ["${namespace}", 1]});
        let out = expand_json(&v, &vars()).unwrap();
        assert_eq!(
            out,
            serde_json::json!({"name": "f-r1", "list": ["openfaas-fn", 1]})
        );
    }
}
