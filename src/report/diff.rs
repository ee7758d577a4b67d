//! Comparing two JSON reports (`faas-certifier diff OLD NEW`): which cases newly fail, newly
//! pass, are newly skipped, or fail for another reason, as a console table and as Markdown
//! for a pull-request comment.

use std::collections::BTreeMap;
use std::fmt::Write;

use serde::Deserialize;

use super::{transcript, Outcome, RunReport};

/// How much of a reason a row shows.
const REASON_EXCERPT: usize = 120;

/// What a comparison reads of a JSON report: the run's id and target and each case's
/// outcome and reason. Other fields are ignored, so reports written by other versions of
/// the certifier compare too.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Compared {
    /// `faas-certifier/report/v1`.
    pub schema: String,
    /// The run.
    pub run: ComparedRun,
    /// Every case, in run order.
    pub cases: Vec<ComparedCase>,
}

/// The run's id and target, made neutral in reasons.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ComparedRun {
    /// The run id.
    pub id: String,
    /// The target URL(s).
    pub target: String,
}

/// One case's outcome and reason.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ComparedCase {
    /// `suite::case`.
    pub id: String,
    /// How it ended.
    pub outcome: Outcome,
    /// Why it failed, errored or was skipped.
    #[serde(default)]
    pub reason: Option<String>,
}

impl Compared {
    /// Reads a JSON report; `name` names it in errors.
    pub fn parse(name: &str, text: &str) -> Result<Self, NotAReport> {
        let report: Self = serde_json::from_str(text).map_err(|e| NotAReport::Json {
            name: name.into(),
            source: e,
        })?;
        if !report.schema.starts_with(SCHEMA_PREFIX) {
            return Err(NotAReport::Schema {
                name: name.into(),
                schema: report.schema,
            });
        }
        Ok(report)
    }
}

/// Why a file given to `diff` is not a faas-certifier JSON report.
#[derive(Debug, thiserror::Error)]
pub enum NotAReport {
    /// It does not parse as one.
    #[error("{name} is not a faas-certifier JSON report ({SCHEMA_PREFIX}...): {source}")]
    Json {
        /// The file, as named to the user.
        name: String,
        /// Why it does not parse.
        source: serde_json::Error,
    },
    /// Its `schema` is another document's.
    #[error("{name} is not a faas-certifier JSON report: its schema is {schema:?}")]
    Schema {
        /// The file, as named to the user.
        name: String,
        /// The schema it names.
        schema: String,
    },
}

/// What every report's `schema` starts with.
const SCHEMA_PREFIX: &str = "faas-certifier/report/";

impl From<&RunReport> for Compared {
    fn from(report: &RunReport) -> Self {
        Self {
            schema: report.schema.clone(),
            run: ComparedRun {
                id: report.run.id.clone(),
                target: report.run.target.clone(),
            },
            cases: report
                .cases
                .iter()
                .map(|c| ComparedCase {
                    id: c.id.clone(),
                    outcome: c.outcome,
                    reason: c.reason.clone(),
                })
                .collect(),
        }
    }
}

/// How a case changed between two reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Change {
    /// It fails now (failed, errored or xfail) and did not before: a regression.
    NewlyFailing,
    /// It passes now and failed before.
    NewlyPassing,
    /// It is skipped now and ran before.
    NewlySkipped,
    /// It fails or is skipped in both, for a different reason or with another outcome.
    ReasonChanged,
    /// It is new in the new report (and does not fail).
    Added,
    /// It is in the old report only.
    Removed,
}

impl Change {
    /// The change in words.
    pub fn words(self) -> &'static str {
        match self {
            Change::NewlyFailing => "newly failing",
            Change::NewlyPassing => "newly passing",
            Change::NewlySkipped => "newly skipped",
            Change::ReasonChanged => "reason changed",
            Change::Added => "added",
            Change::Removed => "removed",
        }
    }
}

/// One case that changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// `suite::case`.
    pub id: String,
    /// How.
    pub change: Change,
    /// Its outcome in the old report, if it was there.
    pub old: Option<Outcome>,
    /// Its outcome in the new report, if it is there.
    pub new: Option<Outcome>,
    /// Its reason in the new report (or the old one when removed), normalised.
    pub reason: String,
}

/// The cases that changed between two reports, regressions first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diff {
    /// The changed cases.
    pub rows: Vec<Row>,
    /// How many cases the two reports have in common.
    pub compared: usize,
}

impl Diff {
    /// Whether a case newly fails.
    pub fn regressed(&self) -> bool {
        self.rows.iter().any(|r| r.change == Change::NewlyFailing)
    }

    /// How many cases changed in `change`.
    pub fn count(&self, change: Change) -> usize {
        self.rows.iter().filter(|r| r.change == change).count()
    }
}

/// What a case amounts to for a comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    Passes,
    Fails,
    Skipped,
}

fn class(outcome: Outcome) -> Class {
    match outcome {
        Outcome::Passed | Outcome::XPass => Class::Passes,
        Outcome::Failed | Outcome::Errored | Outcome::Blocked | Outcome::XFail => Class::Fails,
        Outcome::Skipped => Class::Skipped,
    }
}

/// A case's reason with what differs between any two runs (the run id, the target) made
/// neutral, so only real changes compare unequal.
fn reason(report: &Compared, case: &ComparedCase) -> String {
    let mut text = case.reason.clone().unwrap_or_default();
    if !report.run.id.is_empty() {
        text = text.replace(&report.run.id, "${run}");
    }
    for target in report.run.target.split(", ").filter(|t| !t.is_empty()) {
        text = text.replace(target, "${gateway}");
    }
    text
}

/// Compares `old` with `new`.
pub fn diff(old: &Compared, new: &Compared) -> Diff {
    let before: BTreeMap<&str, &ComparedCase> =
        old.cases.iter().map(|c| (c.id.as_str(), c)).collect();
    let mut rows = Vec::new();
    let mut compared = 0;
    for case in &new.cases {
        let now = reason(new, case);
        let Some(was) = before.get(case.id.as_str()) else {
            let change = if class(case.outcome) == Class::Fails {
                Change::NewlyFailing
            } else {
                Change::Added
            };
            rows.push(row(case, change, None, now));
            continue;
        };
        compared += 1;
        let then = reason(old, was);
        let change = match (class(was.outcome), class(case.outcome)) {
            (Class::Passes | Class::Skipped, Class::Fails) => Some(Change::NewlyFailing),
            (Class::Fails, Class::Passes) => Some(Change::NewlyPassing),
            (Class::Passes | Class::Fails, Class::Skipped) => Some(Change::NewlySkipped),
            (Class::Fails, Class::Fails) | (Class::Skipped, Class::Skipped)
                if was.outcome != case.outcome || then != now =>
            {
                Some(Change::ReasonChanged)
            }
            (Class::Skipped, Class::Passes) => Some(Change::Added),
            _ => None,
        };
        if let Some(change) = change {
            rows.push(Row {
                old: Some(was.outcome),
                ..row(case, change, None, now)
            });
        }
    }
    let now: BTreeMap<&str, ()> = new.cases.iter().map(|c| (c.id.as_str(), ())).collect();
    for case in old
        .cases
        .iter()
        .filter(|c| !now.contains_key(c.id.as_str()))
    {
        rows.push(Row {
            id: case.id.clone(),
            change: Change::Removed,
            old: Some(case.outcome),
            new: None,
            reason: reason(old, case),
        });
    }
    // Regressions first; within a kind, the new report's order.
    rows.sort_by_key(|r| r.change);
    Diff { rows, compared }
}

fn row(case: &ComparedCase, change: Change, old: Option<Outcome>, reason: String) -> Row {
    Row {
        id: case.id.clone(),
        change,
        old,
        new: Some(case.outcome),
        reason,
    }
}

fn word(outcome: Option<Outcome>) -> &'static str {
    outcome.map_or("-", Outcome::word)
}

/// The closing sentence: how many cases changed in each way.
fn counts(diff: &Diff) -> String {
    let kinds = [
        Change::NewlyFailing,
        Change::NewlyPassing,
        Change::NewlySkipped,
        Change::ReasonChanged,
        Change::Added,
        Change::Removed,
    ];
    let parts: Vec<String> = kinds
        .iter()
        .map(|k| (k, diff.count(*k)))
        .filter(|(_, n)| *n > 0)
        .map(|(k, n)| format!("{n} {}", k.words()))
        .collect();
    if parts.is_empty() {
        format!("no changes in {} cases", diff.compared)
    } else {
        format!("{} ({} cases compared)", parts.join(", "), diff.compared)
    }
}

/// The diff as a console table.
pub fn table(diff: &Diff) -> String {
    let mut out = String::new();
    if !diff.rows.is_empty() {
        let header = ["change", "case", "old", "new", "reason"];
        let cells: Vec<[String; 5]> = diff
            .rows
            .iter()
            .map(|r| {
                [
                    r.change.words().to_string(),
                    r.id.clone(),
                    word(r.old).to_string(),
                    word(r.new).to_string(),
                    transcript::excerpt(&one_line(&r.reason), REASON_EXCERPT),
                ]
            })
            .collect();
        let width = |i: usize| {
            cells
                .iter()
                .map(|c| c[i].chars().count())
                .chain([header[i].len()])
                .max()
                .unwrap_or_default()
        };
        let widths: Vec<usize> = (0..4).map(width).collect();
        let line = |c: [&str; 5]| {
            format!(
                "{:<w0$}  {:<w1$}  {:<w2$}  {:<w3$}  {}",
                c[0],
                c[1],
                c[2],
                c[3],
                c[4],
                w0 = widths[0],
                w1 = widths[1],
                w2 = widths[2],
                w3 = widths[3]
            )
            .trim_end()
            .to_string()
        };
        let _ = writeln!(out, "{}", line(header));
        for c in &cells {
            let _ = writeln!(out, "{}", line([&c[0], &c[1], &c[2], &c[3], &c[4]]));
        }
        out.push('\n');
    }
    let _ = writeln!(out, "{}", counts(diff));
    out
}

/// The diff as Markdown, for a pull-request comment.
pub fn markdown(diff: &Diff) -> String {
    let mut out = String::new();
    let title = if diff.regressed() {
        format!("❌ {} newly failing", diff.count(Change::NewlyFailing))
    } else {
        "✅ no regressions".to_string()
    };
    let _ = writeln!(out, "## faas-certifier diff: {title}\n");
    let _ = writeln!(out, "{}.\n", counts(diff));
    if diff.rows.is_empty() {
        return out;
    }
    let _ = writeln!(
        out,
        "| change | case | before | after | reason |\n|---|---|---|---|---|"
    );
    for r in &diff.rows {
        let _ = writeln!(
            out,
            "| {} | `{}` | {} | {} | {} |",
            r.change.words(),
            r.id,
            word(r.old),
            word(r.new),
            cell(&transcript::excerpt(&r.reason, REASON_EXCERPT))
        );
    }
    out
}

fn one_line(text: &str) -> String {
    text.replace(['\r', '\n'], " ")
}

/// Text safe inside a table cell: one line, pipes escaped.
fn cell(text: &str) -> String {
    one_line(&text.replace('\\', "\\\\").replace('|', "\\|"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case(id: &str, outcome: Outcome, reason: Option<&str>) -> ComparedCase {
        ComparedCase {
            id: id.into(),
            outcome,
            reason: reason.map(str::to_string),
        }
    }

    fn report(run: &str, cases: Vec<ComparedCase>) -> Compared {
        Compared {
            schema: super::super::SCHEMA_ID.into(),
            run: ComparedRun {
                id: run.into(),
                target: format!("http://h/{run}"),
            },
            cases,
        }
    }

    #[test]
    fn reads_reports_of_other_versions_but_nothing_else() {
        let later = r#"{"schema": "faas-certifier/report/v2", "level": "certified",
            "run": {"id": "r", "target": "t", "new": 1},
            "cases": [{"id": "a::b", "outcome": "passed", "steps": []}]}"#;
        let read = Compared::parse("later.json", later).unwrap();
        assert_eq!(read.cases[0].outcome, Outcome::Passed);
        let other = r#"{"schema": "other", "run": {"id": "", "target": ""}, "cases": []}"#;
        let e = Compared::parse("o.json", other).unwrap_err().to_string();
        assert!(e.contains("its schema is \"other\""), "{e}");
        let e = Compared::parse("x.json", "[]").unwrap_err().to_string();
        assert!(
            e.starts_with("x.json is not a faas-certifier JSON report"),
            "{e}"
        );
    }

    #[test]
    fn names_each_kind_of_change_and_ignores_run_ids() {
        use Outcome::*;
        let old = report(
            "r1",
            vec![
                case("a::fails", Passed, None),
                case("a::fixed", Failed, Some("x")),
                case("a::off", Passed, None),
                case("a::other", Failed, Some("want 200, got 500")),
                case("a::same", Failed, Some("fn-r1 at http://h/r1: want 200")),
                case("a::gone", Passed, None),
                case("a::excused", Failed, Some("y")),
            ],
        );
        let new = report(
            "r2",
            vec![
                case("a::fails", Errored, Some("boom")),
                case("a::fixed", Passed, None),
                case("a::off", Skipped, Some("needs feature")),
                case("a::other", Failed, Some("want 200, got 404")),
                case("a::same", Failed, Some("fn-r2 at http://h/r2: want 200")),
                case("a::excused", XFail, Some("y")),
                case("a::new", Failed, Some("z")),
                case("a::extra", Passed, None),
            ],
        );
        let d = diff(&old, &new);
        let got: Vec<(&str, Change)> = d.rows.iter().map(|r| (r.id.as_str(), r.change)).collect();
        assert_eq!(
            got,
            [
                ("a::fails", Change::NewlyFailing),
                ("a::new", Change::NewlyFailing),
                ("a::fixed", Change::NewlyPassing),
                ("a::off", Change::NewlySkipped),
                ("a::other", Change::ReasonChanged),
                ("a::excused", Change::ReasonChanged),
                ("a::extra", Change::Added),
                ("a::gone", Change::Removed),
            ]
        );
        assert!(d.regressed());
        assert_eq!(d.compared, 6);
        let md = markdown(&d);
        assert!(
            md.starts_with("## faas-certifier diff: ❌ 2 newly failing"),
            "{md}"
        );
        assert!(
            table(&d).contains("newly failing   a::fails"),
            "{}",
            table(&d)
        );
        let calm = diff(&old, &old);
        assert!(calm.rows.is_empty() && !calm.regressed());
        assert_eq!(table(&calm), "no changes in 7 cases\n");
    }
}
