//! Known-failures files (`run --expect FILE`; "expectations files" in the README and the
//! flags): the cases a provider is known to fail, each with why, as plain data; their globs
//! over `suite::case`; and the starting file that `run --write-expectations FILE` writes.
//! Named apart from a step's `expect`, which is what one answer must show.
//!
//! A `case` pattern is a glob (`*`, `?`, `[abc]`, `{a,b}`) over a trial's names. A case
//! that runs in the default namespace is named `suite::case` and `suite::case@default`;
//! its run in the extra namespace is `suite::case@extra` and `suite::case`. So
//! `invoke::verbs` covers both runs, `invoke::verbs@default` and `invoke::verbs@extra`
//! only one.

use std::collections::BTreeSet;
use std::path::Path;

use globset::{GlobBuilder, GlobMatcher};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_saphyr::Spanned;

use super::error::distance;
use super::load::{parse_error, source};
use super::{Source, Suite, SuiteError};

/// The suffix of a trial in the extra namespace.
const EXTRA: &str = "@extra";
/// The suffix that names only a trial in the default namespace.
const DEFAULT: &str = "@default";
/// How many close names an unknown entry's error suggests.
const SUGGESTIONS: usize = 3;

/// An expectations file as written.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct KnownFailuresFile {
    /// The cases expected to fail. One that fails is reported `xfail` and does not fail the
    /// run; one that passes is reported `xpass` and fails it (unless `--allow-xpass`).
    #[serde(default)]
    #[schemars(with = "Vec<ExpectedFailure>")]
    pub expected_failures: Vec<Spanned<ExpectedFailure>>,
}

/// One expected failure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExpectedFailure {
    /// A glob over `suite::case`, e.g. `logs::*`; `suite::case@default` or
    /// `suite::case@extra` names the run in one namespace only.
    pub case: String,
    /// Why the case fails, shown with it in every report.
    pub reason: String,
    /// Where the work that fixes it is tracked, e.g. an issue URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracking: Option<String>,
}

/// A loaded expectations file: its entries with their globs compiled.
#[derive(Debug, Clone)]
pub struct KnownFailures {
    /// The file, as named on the command line.
    file: String,
    /// The file's text, for quoting the line of an entry in errors.
    text: String,
    /// The entries, in file order (the first that matches a trial is its entry).
    entries: Vec<Entry>,
}

/// One entry of an expectations file.
#[derive(Debug, Clone)]
pub struct Entry {
    /// The entry as written.
    pub failure: ExpectedFailure,
    /// Where it was written.
    pub source: Source,
    /// Its compiled `case` glob.
    matcher: GlobMatcher,
}

impl Entry {
    /// Whether this entry covers the trial `trial` (`suite::case` or `suite::case@extra`).
    pub fn covers(&self, trial: &str) -> bool {
        names(trial).iter().any(|n| self.matcher.is_match(n))
    }
}

/// The names a trial answers to (see the module documentation).
fn names(trial: &str) -> [String; 2] {
    match trial.strip_suffix(EXTRA) {
        Some(base) => [trial.to_string(), base.to_string()],
        None => [trial.to_string(), format!("{trial}{DEFAULT}")],
    }
}

impl KnownFailures {
    /// Reads and checks the expectations file at `path`.
    pub fn load(path: &Path) -> Result<Self, SuiteError> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| SuiteError::Read {
            path: file.clone(),
            source: e,
        })?;
        Self::parse(&file, &text)
    }

    /// Parses and checks an expectations file; `file` names it in errors.
    pub fn parse(file: &str, text: &str) -> Result<Self, SuiteError> {
        let parsed: KnownFailuresFile = if text
            .lines()
            .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'))
        {
            KnownFailuresFile {
                expected_failures: Vec::new(),
            }
        } else {
            serde_saphyr::from_str(text).map_err(|e| parse_error(file, text, &e))?
        };
        let mut seen = BTreeSet::new();
        let mut entries = Vec::new();
        for spanned in parsed.expected_failures {
            let at = source(file, &spanned);
            let failure = spanned.value;
            let pattern = failure.case.trim();
            if pattern.is_empty() {
                return Err(SuiteError::at(at, "`case` is empty", text));
            }
            if failure.reason.trim().is_empty() {
                return Err(SuiteError::at(
                    at,
                    format!("`{pattern}` has no reason: say why it is expected to fail"),
                    text,
                ));
            }
            if !seen.insert(pattern.to_string()) {
                return Err(SuiteError::at(
                    at,
                    format!("`{pattern}` is listed twice"),
                    text,
                ));
            }
            let matcher = GlobBuilder::new(pattern)
                .literal_separator(false)
                .backslash_escape(true)
                .build()
                .map_err(|e| {
                    SuiteError::at(
                        at.clone(),
                        format!("`{pattern}` is not a valid glob: {}", e.kind()),
                        text,
                    )
                })?
                .compile_matcher();
            entries.push(Entry {
                failure: ExpectedFailure {
                    case: pattern.to_string(),
                    ..failure
                },
                source: at,
                matcher,
            });
        }
        Ok(Self {
            file: file.to_string(),
            text: text.to_string(),
            entries,
        })
    }

    /// The file, as named on the command line.
    pub fn file(&self) -> &str {
        &self.file
    }

    /// The entries, in file order.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The entry covering `trial`, if any (the first in file order).
    pub fn entry_for(&self, trial: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.covers(trial))
    }

    /// Refuses an entry that covers no trial of `suites` (whatever the run selects, and
    /// whether or not an extra namespace is certified), naming the closest names.
    pub fn check_against(&self, suites: &[Suite]) -> Result<(), SuiteError> {
        let trials = every_trial(suites);
        for entry in &self.entries {
            if trials.iter().any(|t| entry.covers(t)) {
                continue;
            }
            let mut candidates: Vec<String> = trials.clone();
            candidates.extend(suites.iter().map(|s| format!("{}::*", s.name)));
            let pattern = entry.failure.case.as_str();
            candidates.sort_by_key(|c| (distance(pattern, c), c.clone()));
            candidates.dedup();
            let closest: Vec<String> = candidates
                .into_iter()
                .take(SUGGESTIONS)
                .map(|c| format!("`{c}`"))
                .collect();
            return Err(SuiteError::at(
                entry.source.clone(),
                format!(
                    "`{pattern}` matches no case; the closest are {}",
                    closest.join(", ")
                ),
                &self.text,
            ));
        }
        Ok(())
    }
}

/// Every trial the suites can plan: `suite::case`, and `suite::case@extra` for cases that
/// run in each namespace.
fn every_trial(suites: &[Suite]) -> Vec<String> {
    let mut out = Vec::new();
    for suite in suites {
        for case in &suite.cases {
            let base = format!("{}::{}", suite.name, case.name);
            if case.each_namespace {
                out.push(format!("{base}{EXTRA}"));
            }
            out.push(base);
        }
    }
    out
}

/// The JSON Schema of expectations files, as committed in `reports/expectations.schema.json`.
pub fn known_failures_schema_json() -> String {
    let schema = schemars::schema_for!(KnownFailuresFile);
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}

/// A trial that did not pass, for the starting file.
#[derive(Debug, Clone)]
pub struct Failing {
    /// `suite::case` or `suite::case@extra`.
    pub trial: String,
    /// What went wrong, as reported (its first line becomes a comment).
    pub observed: String,
    /// The entry that already covered it, if one did (its reason and tracking are kept).
    pub known: Option<ExpectedFailure>,
}

/// The text of a starting expectations file listing `failing` (in run order); `passed`
/// names the trials that passed, so a case failing in one namespace only is written with
/// its namespace. New reasons are left as `TODO`.
pub fn starting_file(failing: &[Failing], passed: &[String]) -> String {
    let mut out = String::from(
        "# Cases this provider is known to fail (faas-certifier run --expect FILE).\n\
         # A failing case listed here is reported `xfail`; once it passes it is reported\n\
         # `xpass` and fails the run: delete its entry then.\n",
    );
    if failing.is_empty() {
        out.push_str("expected_failures: []\n");
        return out;
    }
    out.push_str("expected_failures:\n");
    let mut written = BTreeSet::new();
    for f in failing {
        let base = f.trial.strip_suffix(EXTRA).unwrap_or(&f.trial);
        let extra = format!("{base}{EXTRA}");
        let other = if f.trial.ends_with(EXTRA) {
            base.to_string()
        } else {
            extra.clone()
        };
        // One entry covers both runs unless the other run passed.
        let case = if passed.contains(&other) {
            if f.trial.ends_with(EXTRA) {
                extra
            } else {
                format!("{base}{DEFAULT}")
            }
        } else {
            base.to_string()
        };
        if !written.insert(case.clone()) {
            continue;
        }
        let first = f.observed.lines().next().unwrap_or_default();
        let first: String = first.chars().take(160).collect();
        if !first.is_empty() {
            out.push_str(&format!("  # {first}\n"));
        }
        let (reason, tracking) = match &f.known {
            Some(known) => (known.reason.clone(), known.tracking.clone()),
            None => ("TODO".to_string(), None),
        };
        out.push_str(&format!("  - case: {}\n", quoted(&case)));
        out.push_str(&format!("    reason: {}\n", quoted(&reason)));
        if let Some(tracking) = tracking {
            out.push_str(&format!("    tracking: {}\n", quoted(&tracking)));
        }
    }
    out
}

/// A YAML double-quoted scalar (JSON string syntax is valid YAML).
fn quoted(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| format!("{text:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn suites() -> Vec<Suite> {
        let text = "cases:\n  - name: healthz\n    steps: [{health: }]\n  - name: once\n    each_namespace: false\n    steps: [{info: }]\n";
        vec![super::super::load_str("suites/health.yaml", text).unwrap()]
    }

    fn parse(text: &str) -> Result<KnownFailures, SuiteError> {
        KnownFailures::parse("x.yaml", text)
    }

    #[test]
    fn globs_cover_both_namespaces_unless_one_is_named() {
        let e = parse(
            "expected_failures:\n  - case: \"health::*\"\n    reason: r\n  - case: a::b@default\n    reason: r\n  - case: c::d@extra\n    reason: r\n",
        )
        .unwrap();
        let [glob, default, extra] = [&e.entries[0], &e.entries[1], &e.entries[2]];
        assert!(glob.covers("health::healthz") && glob.covers("health::healthz@extra"));
        assert!(!glob.covers("healthy::x"));
        assert!(default.covers("a::b") && !default.covers("a::b@extra"));
        assert!(extra.covers("c::d@extra") && !extra.covers("c::d"));
        assert_eq!(
            e.entry_for("health::once").map(|e| e.failure.case.as_str()),
            Some("health::*")
        );
        assert!(e.entry_for("x::y").is_none());
    }

    #[test]
    fn an_entry_matching_no_case_names_the_closest() {
        let e = parse("expected_failures:\n  - case: helth::healthz\n    reason: r\n").unwrap();
        let msg = e.check_against(&suites()).unwrap_err().to_string();
        assert!(
            msg.starts_with("x.yaml:2:5: `helth::healthz` matches no case"),
            "{msg}"
        );
        assert!(msg.contains("`health::healthz`"), "{msg}");
        // `once` does not run in the extra namespace.
        let e = parse("expected_failures:\n  - case: health::once@extra\n    reason: r\n").unwrap();
        assert!(e.check_against(&suites()).is_err());
        let e =
            parse("expected_failures:\n  - case: health::healthz@extra\n    reason: r\n").unwrap();
        assert!(e.check_against(&suites()).is_ok());
    }

    #[test]
    fn mistakes_are_located() {
        let e = |text: &str| parse(text).unwrap_err().to_string();
        assert!(e("expected_failures:\n  - case: a::b\n").contains("reason"));
        assert!(e("expected_failures:\n  - case: a::b\n    reason: \" \"\n").contains("no reason"));
        let twice =
            "expected_failures:\n  - case: a::b\n    reason: r\n  - case: a::b\n    reason: r\n";
        assert!(
            e(twice).starts_with("x.yaml:4:5: `a::b` is listed twice"),
            "{}",
            e(twice)
        );
        let bad = e("expected_failures:\n  - case: \"a::[b\"\n    reason: r\n");
        assert!(bad.contains("not a valid glob"), "{bad}");
        let typo = e("expected_failures:\n  - case: a::b\n    reson: r\n");
        assert!(typo.contains("did you mean `reason`"), "{typo}");
        assert!(parse("# nothing yet\n").unwrap().entries().is_empty());
    }

    #[test]
    fn the_starting_file_reads_back_and_names_one_namespace_when_the_other_passed() {
        let failing = |trial: &str| Failing {
            trial: trial.into(),
            observed: "GET /healthz: want status 200, got 500\nmore".into(),
            known: None,
        };
        let text = starting_file(
            &[
                failing("health::healthz"),
                failing("health::healthz@extra"),
                failing("health::once"),
                Failing {
                    known: Some(ExpectedFailure {
                        case: "logs::*".into(),
                        reason: "logs arrive in v0.3".into(),
                        tracking: Some("https://example.org/1".into()),
                    }),
                    ..failing("logs::tail@extra")
                },
            ],
            &["logs::tail".into()],
        );
        let e = parse(&text).unwrap();
        let cases: Vec<&str> = e.entries.iter().map(|e| e.failure.case.as_str()).collect();
        assert_eq!(
            cases,
            ["health::healthz", "health::once", "logs::tail@extra"]
        );
        assert_eq!(e.entries[0].failure.reason, "TODO");
        assert_eq!(e.entries[2].failure.reason, "logs arrive in v0.3");
        assert!(
            text.contains("  # GET /healthz: want status 200, got 500\n"),
            "{text}"
        );
        assert!(parse(&starting_file(&[], &[])).unwrap().entries.is_empty());
    }
}
