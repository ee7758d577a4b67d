//! `${name}` variables: finding references in suite text and expanding them.
//!
//! `$${` writes a literal `${`. Names are letters, digits and `_`.

use std::collections::BTreeMap;

/// The variables every run defines.
pub const BUILTIN: [&str; 9] = [
    "run",
    "namespace",
    "default_namespace",
    "extra_namespace",
    "registry",
    "redirect_image",
    "echo_image",
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

/// Why a text's variables cannot be expanded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VarError {
    /// `${name}` names no variable.
    #[error("undefined variable ${{{0}}}")]
    Undefined(String),
    /// A `${` with no `}` after it, in the text given.
    #[error("unclosed variable reference in {0:?}")]
    Unclosed(String),
}

/// Replaces every `${name}` in `text` by its value; `Err` names the first undefined one.
pub fn expand(text: &str, vars: &BTreeMap<String, String>) -> Result<String, VarError> {
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
                .ok_or_else(|| VarError::Unclosed(text.to_string()))?;
            let name = &body[..end];
            match vars.get(name) {
                Some(value) => out.push_str(value),
                None => return Err(VarError::Undefined(name.to_string())),
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
        assert_eq!(err, VarError::Undefined("nope".into()));
    }

    #[test]
    fn references_lists_names_and_rejects_malformed() {
        assert_eq!(references("${a}-${b_2}").unwrap(), vec!["a", "b_2"]);
        assert!(references("${a").is_err());
        assert!(references("${a b}").is_err());
    }
}
