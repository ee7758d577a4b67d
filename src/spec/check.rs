//! Checks a parsed case: one operation per step, defined variables, valid durations and
//! regexes, and `${run}` in the name of everything a case creates.

use std::collections::{BTreeMap, BTreeSet};

use serde_saphyr::Spanned;

use super::error::{did_you_mean, near};
use super::load::{source, OPERATION_KEYS};
use super::{vars, DurationText, Expect, Operation, Source, Step, SuiteError};

/// Checks steps in order, adding their captures to `defined`.
pub(crate) fn check_steps(
    file: &str,
    text: &str,
    steps: &[Spanned<Step>],
    defined: &mut BTreeSet<String>,
    case_vars: &BTreeMap<String, String>,
) -> Result<Vec<(Source, Step)>, SuiteError> {
    let mut out = Vec::new();
    for spanned in steps {
        let at = source(file, spanned);
        let step = &spanned.value;
        check_step(&at, step, defined, case_vars, text)?;
        if let Some(logs) = &step.logs {
            if !logs.while_open.is_empty() && !logs.follow {
                return Err(SuiteError::at(
                    near(&at, "while_open:", text),
                    "`while_open` needs `follow: true`",
                    text,
                ));
            }
            check_steps(file, text, &logs.while_open, defined, case_vars)?;
        }
        defined.extend(step.capture.keys().cloned());
        out.push((at, step.clone()));
    }
    Ok(out)
}

fn check_step(
    at: &Source,
    step: &Step,
    defined: &BTreeSet<String>,
    case_vars: &BTreeMap<String, String>,
    text: &str,
) -> Result<(), SuiteError> {
    let err = |m: String| SuiteError::at(at.clone(), m, text);
    let err_near = |needle: &str, m: String| SuiteError::at(near(at, needle, text), m, text);
    let ops = step.operations();
    match ops.as_slice() {
        [] => {
            return Err(err(format!(
                "the step has no operation; write one of: {}",
                OPERATION_KEYS.join(", ")
            )))
        }
        [_] => {}
        many => {
            let keys: Vec<_> = many.iter().map(Operation::key).collect();
            return Err(err(format!(
                "the step has several operations ({}); write one per step",
                keys.join(", ")
            )));
        }
    }
    // Everything a step creates or changes must carry the run id in its name, so a run never
    // touches a workload it did not create.
    let created = match ops[0] {
        Operation::Deploy(d) | Operation::Update(d) => Some(("function", &d.name)),
        Operation::Delete(f) => Some(("function", &f.name)),
        Operation::Scale(f) => Some(("function", &f.name)),
        Operation::SecretCreate(s) | Operation::SecretUpdate(s) => Some(("secret", &s.name)),
        Operation::SecretDelete(s) => Some(("secret", &s.name)),
        Operation::NamespaceCreate(n) | Operation::NamespaceUpdate(n) => {
            Some(("namespace", &n.name))
        }
        Operation::NamespaceDelete(n) => Some(("namespace", &n.name)),
        _ => None,
    };
    if let Some((kind, name)) = created {
        if !mentions_run(name, case_vars) {
            return Err(SuiteError::at(
                near(at, name, text),
                format!(
                    "the {kind} name {name:?} must contain ${{run}} so that runs never collide"
                ),
                text,
            ));
        }
    }
    if step.until.is_some() && step.retry.is_none() {
        let until = near(at, "until:", text);
        return Err(SuiteError::at(
            until,
            "`until` needs `retry: {timeout: ...}`",
            text,
        ));
    }
    let bad_duration = |field: &str, d: &DurationText, e: String| {
        SuiteError::at(near(at, &d.0, text), format!("{field}: {e}"), text)
    };
    if let Some(Some(Err(e))) = step.timeout.as_ref().map(DurationText::literal) {
        let d = step
            .timeout
            .as_ref()
            .map(|d| d.0.clone())
            .unwrap_or_default();
        return Err(bad_duration("timeout", &DurationText(d), e));
    }
    if let Some(retry) = &step.retry {
        if let Some(Err(e)) = retry.timeout.literal() {
            return Err(bad_duration("retry.timeout", &retry.timeout, e));
        }
    }
    if let Some(d) = step.load.as_ref().and_then(|l| l.duration.as_ref()) {
        if let Some(Err(e)) = d.literal() {
            return Err(bad_duration("load.duration", d, e));
        }
    }
    check_expect(&step.expect).map_err(|e| err_near("expect:", format!("expect: {e}")))?;
    if let Some(until) = &step.until {
        check_expect(until).map_err(|e| err_near("until:", format!("until: {e}")))?;
    }
    for (name, capture) in &step.capture {
        let sources = [
            capture.header.is_some(),
            capture.json.is_some(),
            capture.regex.is_some(),
        ];
        if sources.iter().filter(|b| **b).count() != 1 {
            return Err(SuiteError::at(
                near(at, &format!("{name}:"), text),
                format!("capture `{name}` needs exactly one of header, json, regex"),
                text,
            ));
        }
        if let Some(re) = &capture.regex {
            check_regex(re).map_err(|e| err_near(name, format!("capture `{name}`: {e}")))?;
        }
    }
    // Every `${name}` must be defined by then; `while_open` steps are checked on their own.
    let mut shallow = step.clone();
    if let Some(logs) = &mut shallow.logs {
        logs.while_open.clear();
    }
    let value =
        serde_json::to_value(&shallow).map_err(|e| err(format!("cannot inspect step: {e}")))?;
    let mut strings = Vec::new();
    vars::strings_in(&value, &mut strings);
    for s in strings {
        check_refs(at, &s, defined, text)?;
    }
    Ok(())
}

/// Whether `text`, with the case's variables substituted, contains `${run}`.
fn mentions_run(text: &str, case_vars: &BTreeMap<String, String>) -> bool {
    let mut text = text.to_string();
    for _ in 0..4 {
        if text.contains("${run}") {
            return true;
        }
        for (k, v) in case_vars {
            text = text.replace(&format!("${{{k}}}"), v);
        }
    }
    text.contains("${run}")
}

pub(crate) fn check_refs(
    at: &Source,
    s: &str,
    defined: &BTreeSet<String>,
    text: &str,
) -> Result<(), SuiteError> {
    let malformed = |e| SuiteError::at(near(at, s.lines().next().unwrap_or(s), text), e, text);
    for name in vars::references(s).map_err(malformed)? {
        if !defined.contains(&name) {
            let hint = did_you_mean(&name, defined.iter().map(String::as_str))
                .map(|m| format!("; did you mean ${{{m}}}?"))
                .unwrap_or_default();
            return Err(SuiteError::at(
                near(at, &format!("${{{name}}}"), text),
                format!("undefined variable ${{{name}}}{hint}"),
                text,
            ));
        }
    }
    Ok(())
}

fn check_expect(expect: &Expect) -> Result<(), String> {
    if let Some(status) = &expect.status {
        if !status.is_valid() {
            return Err(format!(
                "bad status {status}: write a code, a list of codes, or 2xx/4xx/5xx"
            ));
        }
    }
    if let Some(re) = &expect.body_matches {
        check_regex(re)?;
    }
    for h in expect.headers.values() {
        if let Some(re) = &h.matches {
            check_regex(re)?;
        }
    }
    if let Some(alternative) = &expect.through_gateway {
        if alternative.through_gateway.is_some() {
            return Err("through_gateway: cannot hold another through_gateway".into());
        }
        check_expect(alternative).map_err(|e| format!("through_gateway: {e}"))?;
    }
    Ok(())
}

fn check_regex(re: &str) -> Result<(), String> {
    if re.contains("${") {
        return Ok(());
    }
    regex::Regex::new(re)
        .map(|_| ())
        .map_err(|e| format!("bad regex {re:?}: {e}"))
}
