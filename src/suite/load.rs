//! The suite loader: YAML text to a checked [`Suite`], or a `file:line:col` error.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::time::Duration;

use serde_saphyr::Spanned;

use super::check::{check_refs, check_steps};
use super::error::did_you_mean;
use super::tree::Tree;
use super::{vars, Case, DurationText, Source, Suite, SuiteError, SuiteFile};

/// A case's deadline when neither it nor its suite sets one.
const DEFAULT_CASE_TIMEOUT: Duration = Duration::from_secs(60);

/// Loads the suites compiled into the binary (clause ids checked for repeats only: see
/// [`Loader`]).
pub fn load_builtin() -> Result<Vec<Suite>, SuiteError> {
    Loader::default().builtin()
}

/// Loads the suite file `dir`, or every `*.yaml` file of the directory `dir`, in name order
/// (clause ids checked for repeats only: see [`Loader`]).
pub fn load_dir(dir: &Path) -> Result<Vec<Suite>, SuiteError> {
    Loader::default().dir(dir)
}

/// Parses and checks one suite file; `file` names it in errors (clause ids checked for
/// repeats only: see [`Loader`]).
pub fn load_str(file: &str, text: &str) -> Result<Suite, SuiteError> {
    Loader::default().text(file, text)
}

/// Loads suites, checking each case's `contract:` ids against the clauses it is given.
///
/// The suite language does not know the contract: the clause ids are data its caller passes
/// in (the binary passes those of CONTRACT.md, `contract::ids()`), and an id that is none of
/// them is refused where it is written, with the closest as a hint. Without them (the
/// default, and the `load_*` functions) an id is only checked to be named once.
#[derive(Debug, Clone, Copy, Default)]
pub struct Loader<'a> {
    clauses: Option<&'a [&'a str]>,
}

impl<'a> Loader<'a> {
    /// A loader that refuses `contract:` ids not in `clauses`.
    pub fn with_clauses(clauses: &'a [&'a str]) -> Self {
        Loader {
            clauses: Some(clauses),
        }
    }

    /// Loads the suites compiled into the binary.
    pub fn builtin(&self) -> Result<Vec<Suite>, SuiteError> {
        let suites = super::BUILTIN
            .iter()
            .map(|(name, text)| self.text(&format!("suites/{name}"), text))
            .collect::<Result<Vec<_>, _>>()?;
        check_unique(&suites)?;
        Ok(suites)
    }

    /// Loads the suite file `dir`, or every `*.yaml` file of the directory `dir`, in name
    /// order.
    pub fn dir(&self, dir: &Path) -> Result<Vec<Suite>, SuiteError> {
        let read_err = |e| SuiteError::Read {
            path: dir.display().to_string(),
            source: e,
        };
        let mut paths: Vec<_> = if dir.is_file() {
            vec![dir.to_path_buf()]
        } else {
            std::fs::read_dir(dir)
                .map_err(read_err)?
                .filter_map(|entry| entry.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|e| e == "yaml" || e == "yml"))
                .collect()
        };
        paths.sort();
        if paths.is_empty() {
            return Err(SuiteError::Empty(dir.display().to_string()));
        }
        let mut suites = Vec::new();
        for path in paths {
            let bytes = std::fs::read(&path).map_err(|e| SuiteError::Read {
                path: path.display().to_string(),
                source: e,
            })?;
            let file = path.display().to_string();
            let text = String::from_utf8(bytes).map_err(|e| not_utf8(&file, e.as_bytes(), &e))?;
            suites.push(self.text(&file, &text)?);
        }
        check_unique(&suites)?;
        Ok(suites)
    }

    /// Parses and checks one suite file; `file` names it in errors.
    pub fn text(&self, file: &str, text: &str) -> Result<Suite, SuiteError> {
        parse_suite(file, text, self.clauses)
    }
}

/// A file that is not UTF-8, located at its first bad byte.
fn not_utf8(file: &str, bytes: &[u8], e: &std::string::FromUtf8Error) -> SuiteError {
    let good = &bytes[..e.utf8_error().valid_up_to()];
    let before = String::from_utf8_lossy(good);
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let at = Source {
        file: file.to_string(),
        line: before.matches('\n').count() as u64 + 1,
        column: before[line_start..].chars().count() as u64 + 1,
    };
    let bad = bytes.get(good.len()).copied().unwrap_or_default();
    SuiteError::at(
        at,
        format!("the file is not UTF-8 text (byte 0x{bad:02X})"),
        &String::from_utf8_lossy(bytes),
    )
}

/// SHA-256 of `bytes`, in lower-case hex.
pub(crate) fn digest(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// One digest for a set of suites: what a report records as "the suites that ran".
pub fn suites_digest(suites: &[Suite]) -> String {
    let joined: Vec<String> = suites
        .iter()
        .map(|s| format!("{} {}", s.name, s.digest))
        .collect();
    digest(joined.join("\n").as_bytes())
}

fn check_unique(suites: &[Suite]) -> Result<(), SuiteError> {
    check_builds_on(suites)?;
    let mut seen = BTreeMap::new();
    for suite in suites {
        if let Some(other) = seen.insert(suite.name.clone(), suite.file.clone()) {
            let at = Source {
                file: suite.file.clone(),
                line: 1,
                column: 1,
            };
            return Err(SuiteError::at(
                at,
                format!("suite `{}` is also defined in {other}", suite.name),
                "",
            ));
        }
    }
    Ok(())
}

/// Every `builds_on` names a case of the loaded suites that builds on nothing itself: one
/// level of foundations, so no cycle can hold a run and foundations always start first.
fn check_builds_on(suites: &[Suite]) -> Result<(), SuiteError> {
    let names: BTreeSet<String> = suites
        .iter()
        .flat_map(|s| {
            s.cases
                .iter()
                .map(move |c| format!("{}::{}", s.name, c.name))
        })
        .collect();
    let stacked: BTreeSet<String> = suites
        .iter()
        .flat_map(|s| {
            s.cases
                .iter()
                .filter(|c| !c.builds_on.is_empty())
                .map(move |c| format!("{}::{}", s.name, c.name))
        })
        .collect();
    for suite in suites {
        for case in &suite.cases {
            let own = format!("{}::{}", suite.name, case.name);
            for base in &case.builds_on {
                if *base == own || !names.contains(base) || stacked.contains(base) {
                    let why = if *base == own {
                        "a case cannot build on itself".to_string()
                    } else if stacked.contains(base) {
                        format!("`{base}` builds on other cases itself; a foundation must not")
                    } else {
                        format!("no case `{base}` among the suites loaded")
                    };
                    return Err(SuiteError::at(
                        case.source.clone(),
                        format!("builds_on: {why}"),
                        "",
                    ));
                }
            }
        }
    }
    Ok(())
}

/// The JSON Schema of suite files, as committed in `suites/schema.json`.
pub fn schema_json() -> String {
    let schema = schemars::schema_for!(SuiteFile);
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}

/// Parses and checks one suite file; `file` names it in errors, `clauses` are the ids
/// `contract:` may name (any, when `None`).
fn parse_suite(file: &str, text: &str, clauses: Option<&[&str]>) -> Result<Suite, SuiteError> {
    if text
        .lines()
        .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'))
    {
        let at = Source {
            file: file.to_string(),
            line: 1,
            column: 1,
        };
        return Err(SuiteError::at(
            at,
            "the file is empty; a suite needs at least `cases:`",
            text,
        ));
    }
    let parsed: SuiteFile =
        serde_saphyr::from_str(text).map_err(|e| parse_error(file, text, &e))?;
    let stem = Path::new(file)
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or(file);
    let name = parsed.name.clone().unwrap_or_else(|| stem.to_string());
    let top = Source {
        file: file.to_string(),
        line: 1,
        column: 1,
    };
    if parsed.cases.is_empty() {
        let at = Tree::parse(file, text).root_key("cases").unwrap_or(top);
        return Err(SuiteError::at(at, "the suite has no cases", text));
    }
    let suite_timeout = duration(file, parsed.timeout.as_ref(), text)?;
    let mut names = BTreeSet::new();
    let mut cases = Vec::new();
    for spanned in &parsed.cases {
        let spec = &spanned.value;
        let at = source(file, spanned);
        if !valid_name(&spec.name) {
            return Err(SuiteError::at(
                at,
                format!(
                    "case name {:?} must be lower-case letters, digits, `-` and `_`",
                    spec.name
                ),
                text,
            ));
        }
        if !names.insert(spec.name.clone()) {
            return Err(SuiteError::at(
                at,
                format!("duplicate case name `{}`", spec.name),
                text,
            ));
        }
        let mut requires = parsed.requires.clone();
        requires.extend(spec.requires.iter().copied());
        requires.sort();
        requires.dedup();
        let mut defined: BTreeSet<String> = vars::BUILTIN.iter().map(|s| s.to_string()).collect();
        for (key, value) in &spec.vars {
            check_refs(file, &at, value, &defined, text)?;
            defined.insert(key.clone());
        }
        let contract = check_contract(file, text, &spec.contract, clauses)?;
        let steps = check_steps(file, text, &spec.steps, &mut defined, &spec.vars)?;
        cases.push(Case {
            name: spec.name.clone(),
            description: spec.description.trim().to_string(),
            requires,
            each_namespace: spec
                .each_namespace
                .or(parsed.each_namespace)
                .unwrap_or(true),
            timeout: duration(file, spec.timeout.as_ref(), text)?
                .or(suite_timeout)
                .unwrap_or(DEFAULT_CASE_TIMEOUT),
            builds_on: spec.builds_on.clone(),
            vars: spec.vars.clone(),
            contract,
            steps,
            source: at,
        });
    }
    Ok(Suite {
        name,
        file: file.to_string(),
        description: parsed.description.trim().to_string(),
        cases,
        digest: digest(text.as_bytes()),
    })
}

/// A case's `contract:` ids, each once and each one of `clauses` (when given).
fn check_contract(
    file: &str,
    text: &str,
    ids: &[Spanned<String>],
    clauses: Option<&[&str]>,
) -> Result<Vec<String>, SuiteError> {
    let mut seen = Vec::new();
    for id in ids {
        let at = source(file, id);
        let id = id.value.trim();
        if let Some(clauses) = clauses.filter(|c| !c.contains(&id)) {
            let hint = did_you_mean(id, clauses.iter().copied())
                .map(|m| format!("; did you mean `{m}`?"))
                .unwrap_or_else(|| "; `faas-certifier contract` lists the clauses".to_string());
            return Err(SuiteError::at(
                at,
                format!("contract: `{id}` is not a clause of CONTRACT.md{hint}"),
                text,
            ));
        }
        if seen.iter().any(|s| s == id) {
            return Err(SuiteError::at(
                at,
                format!("contract: `{id}` is named twice"),
                text,
            ));
        }
        seen.push(id.to_string());
    }
    Ok(seen)
}

fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
}

pub(crate) fn source<T>(file: &str, spanned: &Spanned<T>) -> Source {
    Source {
        file: file.to_string(),
        line: spanned.referenced.line(),
        column: spanned.referenced.column(),
    }
}

/// A suite's or case's `timeout`, located at its value when it is wrong.
fn duration(
    file: &str,
    d: Option<&Spanned<DurationText>>,
    text: &str,
) -> Result<Option<Duration>, SuiteError> {
    let Some(d) = d else { return Ok(None) };
    match d.value.literal() {
        Some(Ok(d)) => Ok(Some(d)),
        Some(Err(e)) => Err(SuiteError::at(
            source(file, d),
            format!("timeout: {e}"),
            text,
        )),
        None => Err(SuiteError::at(
            source(file, d),
            format!(
                "timeout: case timeouts cannot use variables: {:?}",
                d.value.0
            ),
            text,
        )),
    }
}

/// Turns a YAML/serde error into a located [`SuiteError`] with a "did you mean" hint. The
/// error is read by its variant (unknown field, unknown variant, wrong scalar, ...), never
/// by its English text; anything else keeps the parser's own words.
pub(crate) fn parse_error(file: &str, text: &str, e: &serde_saphyr::Error) -> SuiteError {
    use serde_saphyr::{Error as E, MessageFormatter};
    let (line, column) = e
        .location()
        .map(|l| (l.line(), l.column()))
        .unwrap_or((1, 1));
    let mut e = e.without_snippet();
    while let E::AliasError { error, .. } = e {
        e = error.without_snippet();
    }
    let keyed = |words: &str| match Tree::parse(file, text).key_of_value_at(line, column) {
        Some(key) => format!("`{key}`: {words}"),
        None => words.to_string(),
    };
    let message = match e {
        E::SerdeUnknownField {
            field, expected, ..
        } => unknown("field", field, expected),
        E::SerdeUnknownVariant {
            variant, expected, ..
        } => unknown("variant", variant, expected),
        E::SerdeMissingField { field, .. } => format!("missing field `{field}`"),
        E::DuplicateMappingKey { key: Some(k), .. } => format!("duplicate mapping key: {k}"),
        E::InvalidScalar { ty, .. } => keyed(match *ty {
            "boolean" => "expected true or false",
            "floating point" => "expected a number",
            "u8" | "u16" | "u32" | "u64" | "u128" | "usize" => "expected a whole number, 0 or more",
            "i8" | "i16" | "i32" | "i64" | "i128" | "isize" => "expected a whole number",
            other => return located(file, text, line, column, keyed(&format!("invalid {other}"))),
        }),
        E::Unexpected { expected, .. } => keyed(match *expected {
            "sequence start" => "expected a list",
            "mapping start" => "expected a mapping of `key: value`",
            "string scalar" => "expected a string",
            other => {
                return located(
                    file,
                    text,
                    line,
                    column,
                    keyed(&format!("expected {other}")),
                )
            }
        }),
        other => keyed(&serde_saphyr::DefaultMessageFormatter.format_message(other)),
    };
    located(file, text, line, column, message)
}

fn located(file: &str, text: &str, line: u64, column: u64, message: String) -> SuiteError {
    SuiteError::at(
        Source {
            file: file.to_string(),
            line,
            column,
        },
        message,
        text,
    )
}

/// "unknown field `x`, expected one of a, b; did you mean `a`?"
fn unknown(what: &str, word: &str, expected: &[&str]) -> String {
    let hint = did_you_mean(word, expected.iter().copied())
        .map(|m| format!("; did you mean `{m}`?"))
        .unwrap_or_default();
    let list = match expected {
        [] => "nothing here".to_string(),
        [one] => format!("`{one}`"),
        many => format!("one of {}", many.join(", ")),
    };
    format!("unknown {what} `{word}`, expected {list}{hint}")
}
