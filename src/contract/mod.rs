//! The contract's clauses, read from `CONTRACT.md` (compiled into the binary). Which cases
//! of a set of suites check each of them is worked out where both meet, in `cli::contract`.
//!
//! A clause is written in `CONTRACT.md` as a heading
//! ``#### <a id="ID"></a>`ID` LEVEL``, followed by its text and, for a MUST no case checks,
//! a line `untested: REASON`.

pub mod openapi;
pub mod schemas;

use std::sync::LazyLock;

use regex::Regex;

/// The text of `CONTRACT.md`.
pub const TEXT: &str = include_str!("../../CONTRACT.md");

/// How binding a clause is (RFC 2119).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum RequirementLevel {
    /// A provider that breaks it is not conformant.
    Must,
    /// Expected unless there is a reason.
    Should,
    /// A legal choice; every listed form is accepted.
    May,
}

impl RequirementLevel {
    /// The RFC 2119 key word.
    pub fn word(self) -> &'static str {
        match self {
            RequirementLevel::Must => "MUST",
            RequirementLevel::Should => "SHOULD",
            RequirementLevel::May => "MAY",
        }
    }
}

/// One rule of the contract.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clause {
    /// Its stable id, also its anchor: `secrets.list-without-values`.
    pub id: String,
    /// MUST, SHOULD or MAY.
    pub level: RequirementLevel,
    /// The `## ` section it is written in.
    pub section: String,
    /// The first paragraph of its text, on one line.
    pub summary: String,
    /// Why no case checks it, when `CONTRACT.md` says so.
    pub untested: Option<String>,
}

/// A malformed `CONTRACT.md`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("CONTRACT.md:{line}: {message}")]
pub struct ContractError {
    /// 1-based line.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

static CLAUSES: LazyLock<Result<Vec<Clause>, ContractError>> = LazyLock::new(|| parse(TEXT));

/// Every clause of the compiled-in `CONTRACT.md`, in document order.
pub fn clauses() -> Result<&'static [Clause], ContractError> {
    CLAUSES.as_deref().map_err(Clone::clone)
}

/// Whether `id` names a clause of the contract.
pub fn exists(id: &str) -> bool {
    clauses().is_ok_and(|all| all.iter().any(|c| c.id == id))
}

/// The clause ids, for "did you mean" hints.
pub fn ids() -> Vec<&'static str> {
    clauses()
        .map(|all| all.iter().map(|c| c.id.as_str()).collect())
        .unwrap_or_default()
}

/// Whether `id` has the form of a clause id: dot-separated lower-case words, two or more.
pub fn valid_id(id: &str) -> bool {
    static ID: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^[a-z0-9]+(-[a-z0-9]+)*(\.[a-z0-9]+(-[a-z0-9]+)*)+$").expect("a valid regex")
    });
    ID.is_match(id)
}

/// Parses the clauses of a contract document.
pub fn parse(text: &str) -> Result<Vec<Clause>, ContractError> {
    static HEADING: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"^#### <a id="([^"]+)"></a>`([^`]+)` (MUST|SHOULD|MAY)$"#)
            .expect("a valid regex")
    });
    let mut clauses: Vec<Clause> = Vec::new();
    let mut section = String::new();
    // The clause being read: its index, whether its summary is complete, and whether an
    // `untested:` paragraph is being read.
    let mut open: Option<(usize, bool, bool)> = None;
    for (n, line) in text.lines().enumerate() {
        let err = |message: String| ContractError {
            line: n + 1,
            message,
        };
        if line.starts_with('#') {
            open = None;
            if let Some(title) = line.strip_prefix("## ") {
                section = title.trim().to_string();
            }
            if !line.starts_with("#### ") {
                continue;
            }
            let Some(m) = HEADING.captures(line) else {
                return Err(err(format!(
                    "a clause heading must read ``#### <a id=\"ID\"></a>`ID` MUST|SHOULD|MAY``: {line}"
                )));
            };
            let (anchor, id) = (&m[1], &m[2]);
            if anchor != id {
                return Err(err(format!(
                    "the anchor `{anchor}` differs from the id `{id}`"
                )));
            }
            if !valid_id(id) {
                return Err(err(format!(
                    "`{id}` is not a clause id (lower-case words, `area.rule`)"
                )));
            }
            if clauses.iter().any(|c| c.id == id) {
                return Err(err(format!("the clause `{id}` is written twice")));
            }
            let level = match &m[3] {
                "MUST" => RequirementLevel::Must,
                "SHOULD" => RequirementLevel::Should,
                _ => RequirementLevel::May,
            };
            clauses.push(Clause {
                id: id.to_string(),
                level,
                section: section.clone(),
                summary: String::new(),
                untested: None,
            });
            open = Some((clauses.len() - 1, false, false));
            continue;
        }
        let Some((index, summary_done, in_untested)) = open.as_mut() else {
            continue;
        };
        let clause = &mut clauses[*index];
        let trimmed = line.trim();
        if let Some(reason) = trimmed.strip_prefix("untested:") {
            if clause.untested.is_some() {
                return Err(err(format!("`{}` says `untested:` twice", clause.id)));
            }
            clause.untested = Some(reason.trim().to_string());
            *in_untested = true;
            *summary_done = true;
        } else if trimmed.is_empty() {
            *in_untested = false;
            *summary_done |= !clause.summary.is_empty();
        } else if *in_untested {
            if let Some(reason) = clause.untested.as_mut() {
                reason.push(' ');
                reason.push_str(trimmed);
            }
        } else if !*summary_done {
            if !clause.summary.is_empty() {
                clause.summary.push(' ');
            }
            clause.summary.push_str(trimmed);
        }
    }
    if let Some(c) = clauses
        .iter()
        .find(|c| c.untested.as_deref().is_some_and(str::is_empty))
    {
        return Err(ContractError {
            line: 0,
            message: format!("`{}` is marked untested without a reason", c.id),
        });
    }
    Ok(clauses)
}

#[cfg(test)]
mod tests;
