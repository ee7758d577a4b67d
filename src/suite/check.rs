//! Checks a parsed case: one operation per step, defined variables, valid durations and
//! regexes, and `${run}` in the name of everything a case creates.

use std::collections::{BTreeMap, BTreeSet};

use serde_saphyr::Spanned;

use super::error::did_you_mean;
use super::expand::Expand;
use super::load::source;
use super::tree::Tree;
use super::{
    vars, DurationText, Expect, Operation, Source, Step, StepCommon, StepSpec, SuiteError,
};

/// Checks steps in order, adding their captures to `defined`.
pub(crate) fn check_steps(
    file: &str,
    text: &str,
    steps: &[Spanned<StepSpec>],
    defined: &mut BTreeSet<String>,
    case_vars: &BTreeMap<String, String>,
) -> Result<Vec<Step>, SuiteError> {
    let mut out = Vec::new();
    for spanned in steps {
        let at = source(file, spanned);
        let spec = &spanned.value;
        let mut step = to_step(file, text, at, spec)?;
        check_step(file, &step, spec, defined, case_vars, text)?;
        step.op.kind().check(&step, &out).map_err(|(key, e)| {
            let at = key_at(file, spec, key).unwrap_or_else(|| step.span.clone());
            SuiteError::at(at, e, text)
        })?;
        prepare(file, &mut step, spec, text)?;
        if let Operation::Logs(logs) = &mut step.op {
            if !logs.while_open.is_empty() && !logs.follow {
                let tree = Tree::parse(file, text);
                let at = tree
                    .node_at(&step.span)
                    .and_then(|n| tree.key_in(n, "logs"))
                    .and_then(|(_, logs)| tree.key_in(logs, "while_open"))
                    .map(|(key, _)| key)
                    .unwrap_or_else(|| step.span.clone());
                return Err(SuiteError::at(
                    at,
                    "`while_open` needs `follow: true`",
                    text,
                ));
            }
            logs.steps = check_steps(file, text, &logs.while_open, defined, case_vars)?;
        }
        defined.extend(step.common.capture.keys().cloned());
        out.push(step);
    }
    Ok(out)
}

/// Every key a step may be written with, for "unknown field" messages.
fn step_keys() -> Vec<&'static str> {
    let (name, rest) = StepCommon::KEYS.split_at(1);
    name.iter()
        .chain(Operation::KEYS)
        .chain(rest)
        .copied()
        .collect()
}

/// Where `key` is written in the step.
fn key_at(file: &str, spec: &StepSpec, key: &str) -> Option<Source> {
    spec.key(key).map(|k| source(file, k))
}

/// The step as written to a checked [`Step`]: no unknown key, exactly one operation.
fn to_step(file: &str, text: &str, at: Source, spec: &StepSpec) -> Result<Step, SuiteError> {
    if let Some(key) = spec.unknown.first() {
        let keys = step_keys();
        let hint = did_you_mean(&key.value, keys.iter().copied())
            .map(|m| format!("; did you mean `{m}`?"))
            .unwrap_or_default();
        return Err(SuiteError::at(
            source(file, key),
            format!(
                "unknown field `{}`, expected one of {}{hint}",
                key.value,
                keys.join(", ")
            ),
            text,
        ));
    }
    match spec.ops.as_slice() {
        [] => Err(SuiteError::at(
            at,
            format!(
                "the step has no operation; write one of: {}",
                Operation::KEYS.join(", ")
            ),
            text,
        )),
        [(_, op)] => Ok(Step {
            op: op.clone(),
            common: spec.common.clone(),
            span: at,
        }),
        many => {
            let keys: Vec<&str> = many.iter().map(|(k, _)| k.value.as_str()).collect();
            Err(SuiteError::at(
                at,
                format!(
                    "the step has several operations ({}); write one per step",
                    keys.join(", ")
                ),
                text,
            ))
        }
    }
}

fn check_step(
    file: &str,
    step: &Step,
    spec: &StepSpec,
    defined: &BTreeSet<String>,
    case_vars: &BTreeMap<String, String>,
    text: &str,
) -> Result<(), SuiteError> {
    let at = &step.span;
    // Everything a step creates or changes must carry the run id in its name, so a run never
    // touches a workload it did not create.
    let created = step.op.kind().touches().map(|t| (t.kind.noun(), t.name));
    if let Some((kind, name)) = created {
        if !mentions_run(name, case_vars) {
            let tree = Tree::parse(file, text);
            let name_at = tree
                .node_at(at)
                .and_then(|n| tree.key_in(n, step.op.key()))
                .and_then(|(_, op)| tree.value_in(op, "name"))
                .unwrap_or_else(|| at.clone());
            return Err(SuiteError::at(
                name_at,
                format!(
                    "the {kind} name {name:?} must contain ${{run}} so that runs never collide"
                ),
                text,
            ));
        }
    }
    let common = &step.common;
    if common.until.is_some() && common.retry.is_none() {
        let until = key_at(file, spec, "until").unwrap_or_else(|| at.clone());
        return Err(SuiteError::at(
            until,
            "`until` needs `retry: {timeout: ...}`",
            text,
        ));
    }
    let durations = [
        ("timeout", common.timeout.as_ref()),
        ("retry.timeout", common.retry.as_ref().map(|r| &r.timeout)),
    ];
    let own = step.op.kind().durations();
    let own = own.iter().map(|(field, d)| (*field, Some(*d)));
    for (field, d) in durations.into_iter().chain(own) {
        if let Some(d) = d {
            if let Some(Err(e)) = DurationText::literal(&d.value) {
                return Err(SuiteError::at(
                    source(file, d),
                    format!("{field}: {e}"),
                    text,
                ));
            }
        }
    }
    for (name, capture) in &common.capture {
        let sources = [
            capture.header.is_some(),
            capture.json.is_some(),
            capture.regex.is_some(),
        ];
        if sources.iter().filter(|b| **b).count() != 1 {
            return Err(SuiteError::at(
                capture_at(file, text, at, name, None),
                format!("capture `{name}` needs exactly one of header, json, regex"),
                text,
            ));
        }
    }
    // Every `${name}` must be defined by then; `while_open` steps are checked on their own
    // (the expansion of a `logs` payload leaves them as written).
    let mut check = |s: &str| check_refs(file, at, s, defined, text).map(|()| s.to_string());
    step.op.map_strings(&mut check)?;
    common.map_strings(&mut check)?;
    Ok(())
}

/// Compiles the step's literal regexes and decodes its literal base64 values; those with
/// variables wait for expansion.
fn prepare(file: &str, step: &mut Step, spec: &StepSpec, text: &str) -> Result<(), SuiteError> {
    let at = step.span.clone();
    let located = |key: &str, e: String| {
        let where_ = key_at(file, spec, key).unwrap_or_else(|| at.clone());
        SuiteError::at(where_, format!("{key}: {e}"), text)
    };
    let common = &mut step.common;
    check_expect(&common.expect).map_err(|e| located("expect", e))?;
    common
        .expect
        .prepare(true)
        .map_err(|e| located("expect", e))?;
    if let Some(until) = &mut common.until {
        check_expect(until).map_err(|e| located("until", e))?;
        until.prepare(true).map_err(|e| located("until", e))?;
    }
    for (name, capture) in &mut common.capture {
        if let Some(re) = &mut capture.regex {
            re.compile_literal().map_err(|e| {
                let at = capture_at(file, text, &at, name, Some("regex"));
                SuiteError::at(at, format!("capture `{name}`: {e}"), text)
            })?;
        }
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

/// Where the capture `name` of the step at `at` is written (its `field`'s value, when given).
fn capture_at(file: &str, text: &str, at: &Source, name: &str, field: Option<&str>) -> Source {
    let tree = Tree::parse(file, text);
    let capture = tree
        .node_at(at)
        .and_then(|n| tree.key_in(n, "capture"))
        .and_then(|(_, c)| tree.key_in(c, name));
    match (capture, field) {
        (Some((_, node)), Some(field)) => tree.value_in(node, field),
        (Some((key, _)), None) => Some(key),
        (None, _) => None,
    }
    .unwrap_or_else(|| at.clone())
}

/// Checks that every `${name}` in `s` (written in the node at `at`) is defined.
pub(crate) fn check_refs(
    file: &str,
    at: &Source,
    s: &str,
    defined: &BTreeSet<String>,
    text: &str,
) -> Result<(), SuiteError> {
    // Where `needle` is written inside the node at `at`, from the parser's spans.
    let place = |needle: &str| {
        let tree = Tree::parse(file, text);
        tree.node_at(at)
            .and_then(|n| tree.scalar_containing(n, needle))
            .unwrap_or_else(|| at.clone())
    };
    let malformed = |e| SuiteError::at(place(s.lines().next().unwrap_or(s)), e, text);
    for name in vars::references(s).map_err(malformed)? {
        if !defined.contains(&name) {
            let hint = did_you_mean(&name, defined.iter().map(String::as_str))
                .map(|m| format!("; did you mean ${{{m}}}?"))
                .unwrap_or_default();
            return Err(SuiteError::at(
                place(&format!("${{{name}}}")),
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
    if let Some(alternative) = &expect.through_gateway {
        if alternative.through_gateway.is_some() {
            return Err("through_gateway: cannot hold another through_gateway".into());
        }
        check_expect(alternative).map_err(|e| format!("through_gateway: {e}"))?;
    }
    Ok(())
}
