//! `faas-certifier contract`: every clause of CONTRACT.md with the cases that check it.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::PathBuf;

use crate::contract::{self, Clause, RequirementLevel};
use crate::exit;
use crate::suite::Suite;

/// Options of `faas-certifier contract`.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct ContractArgs {
    /// Match the clauses against the suite files (*.yaml) of DIR instead of the built-in suites.
    #[arg(long, value_name = "DIR")]
    pub suites: Option<PathBuf>,
    /// Print JSON: one object per clause (id, level, section, summary, cases, untested).
    #[arg(long)]
    pub json: bool,
}

/// Prints the matrix and returns the exit status.
pub fn main(args: ContractArgs) -> i32 {
    let clauses = match contract::clauses() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::USAGE;
        }
    };
    let suites = match super::run::suites(args.suites.as_ref()) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::USAGE;
        }
    };
    if args.json {
        println!("{}", json(clauses, &suites));
    } else {
        print!("{}", text(clauses, &suites));
    }
    for problem in coverage_problems(clauses, &suites) {
        eprintln!("warning: {problem}");
    }
    exit::SUCCESS
}

/// The matrix as text: a block per section, a line per clause.
pub fn text(clauses: &[Clause], suites: &[Suite]) -> String {
    let matrix = matrix(clauses, suites);
    let width = clauses.iter().map(|c| c.id.len()).max().unwrap_or(0);
    let count = |level| clauses.iter().filter(|c| c.level == level).count();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "CONTRACT.md: {} clauses ({} MUST, {} SHOULD, {} MAY)",
        clauses.len(),
        count(RequirementLevel::Must),
        count(RequirementLevel::Should),
        count(RequirementLevel::May)
    );
    let mut section = "";
    for (clause, cases) in &matrix {
        if clause.section != section {
            section = &clause.section;
            let _ = writeln!(out, "\n{section}");
        }
        let checked = if !cases.is_empty() {
            cases.join(", ")
        } else if let Some(reason) = &clause.untested {
            format!("untested: {reason}")
        } else {
            "-".to_string()
        };
        let _ = writeln!(
            out,
            "  {:width$}  {:6}  {checked}",
            clause.id,
            clause.level.word()
        );
    }
    let musts = matrix
        .iter()
        .filter(|(c, _)| c.level == RequirementLevel::Must);
    let checked = musts.clone().filter(|(_, cases)| !cases.is_empty()).count();
    let untested = musts
        .clone()
        .filter(|(c, cases)| cases.is_empty() && c.untested.is_some())
        .count();
    let _ = writeln!(
        out,
        "\n{checked} of {} MUST clauses are checked by cases; {untested} are untested, with the reason",
        musts.count()
    );
    out
}

/// The matrix as JSON.
pub fn json(clauses: &[Clause], suites: &[Suite]) -> String {
    let rows: Vec<serde_json::Value> = matrix(clauses, suites)
        .into_iter()
        .map(|(c, cases)| {
            serde_json::json!({
                "id": c.id,
                "level": c.level.word(),
                "section": c.section,
                "summary": c.summary,
                "cases": cases,
                "untested": c.untested,
            })
        })
        .collect();
    serde_json::to_string_pretty(&rows).unwrap_or_default()
}

/// Every clause with the cases (`suite::case`) of `suites` that name it, in document order.
pub fn matrix<'c>(clauses: &'c [Clause], suites: &[Suite]) -> Vec<(&'c Clause, Vec<String>)> {
    let mut by_id: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for suite in suites {
        for case in &suite.cases {
            for id in &case.contract {
                by_id
                    .entry(id.as_str())
                    .or_default()
                    .push(format!("{}::{}", suite.name, case.name));
            }
        }
    }
    clauses
        .iter()
        .map(|c| (c, by_id.remove(c.id.as_str()).unwrap_or_default()))
        .collect()
}

/// What is wrong with how `suites` cover the contract: cases naming clauses that do not
/// exist, and MUST clauses no case checks that `CONTRACT.md` does not mark `untested:`.
pub fn coverage_problems(clauses: &[Clause], suites: &[Suite]) -> Vec<String> {
    let mut problems = Vec::new();
    for suite in suites {
        for case in &suite.cases {
            for id in &case.contract {
                if !clauses.iter().any(|c| &c.id == id) {
                    problems.push(format!(
                        "{}::{} names `{id}`, which is not a clause of CONTRACT.md",
                        suite.name, case.name
                    ));
                }
            }
        }
    }
    for (clause, cases) in matrix(clauses, suites) {
        if clause.level == RequirementLevel::Must && cases.is_empty() && clause.untested.is_none() {
            problems.push(format!(
                "the MUST clause `{}` is checked by no case; name it in a case's `contract:` \
                 or say why in CONTRACT.md with `untested: REASON`",
                clause.id
            ));
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::suite;

    #[test]
    fn the_matrix_names_each_clause_with_its_cases_or_why_none() {
        let clauses = contract::clauses().unwrap();
        let suites = suite::load_builtin().unwrap();
        let out = text(clauses, &suites);
        let line = |id: &str| {
            out.lines()
                .find(|l| l.trim_start().starts_with(&format!("{id} ")))
                .unwrap_or_else(|| panic!("no line for {id} in:\n{out}"))
                .to_string()
        };
        let secrets = line("secrets.list-without-values");
        assert!(secrets.contains("MUST"), "{secrets}");
        assert!(
            secrets.contains("secrets::list-names-not-values"),
            "{secrets}"
        );
        assert!(line("watchdog.method-405").contains("untested: "));
        assert!(line("watchdog.exit-status").contains("invoke::function-error-unmarked"));
        assert!(line("deploy.duplicate").trim_end().ends_with("MAY     -"));
        assert!(out.contains("\n4. Invocation and the watchdog\n"), "{out}");
        assert!(
            out.contains(" MUST clauses are checked by cases; "),
            "{out}"
        );
        let rows: Vec<serde_json::Value> = serde_json::from_str(&json(clauses, &suites)).unwrap();
        assert_eq!(rows.len(), clauses.len());
        let method = rows.iter().find(|r| r["id"] == "invoke.method").unwrap();
        assert_eq!(method["level"], "MUST");
        assert!(method["cases"]
            .as_array()
            .unwrap()
            .contains(&"invoke::verbs".into()));
    }

    #[test]
    fn every_case_names_existing_clauses_and_every_must_clause_is_checked_or_excused() {
        let suites = suite::load_builtin().unwrap();
        let problems = coverage_problems(contract::clauses().unwrap(), &suites);
        assert!(problems.is_empty(), "{}", problems.join("\n"));
        for suite in &suites {
            for case in &suite.cases {
                assert!(
                    !case.contract.is_empty(),
                    "{}::{} names no clause (`contract:`)",
                    suite.name,
                    case.name
                );
            }
        }
    }

    #[test]
    fn coverage_problems_name_unknown_clauses_and_unchecked_musts() {
        let contract = contract::parse(
            "## 1. A\n\n#### <a id=\"a.one\"></a>`a.one` MUST\n\nOne.\n\n\
             #### <a id=\"a.two\"></a>`a.two` MUST\n\nTwo.\n\nuntested: no way\nto check.\n\n\
             #### <a id=\"a.three\"></a>`a.three` MAY\n\nThree.\n",
        )
        .unwrap();
        assert_eq!(contract[1].untested.as_deref(), Some("no way to check."));
        let mut suite = suite::load_str(
            "s.yaml",
            "cases:\n  - name: c\n    contract: [invoke.method]\n    steps: [{info: }]\n",
        )
        .unwrap();
        suite.cases[0].contract = vec!["a.nothing".into()];
        let problems = coverage_problems(&contract, std::slice::from_ref(&suite));
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(
            problems[0].contains("s::c names `a.nothing`"),
            "{problems:?}"
        );
        assert!(
            problems[1].contains("`a.one` is checked by no case"),
            "{problems:?}"
        );
        suite.cases[0].contract = vec!["a.one".into()];
        assert!(coverage_problems(&contract, &[suite.clone()]).is_empty());
        let m = matrix(&contract, &[suite]);
        assert_eq!(m[0].1, vec!["s::c".to_string()]);
        assert!(m[1].1.is_empty() && m[2].1.is_empty());
    }
}
