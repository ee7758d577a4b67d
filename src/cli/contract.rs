//! `faas-certifier contract`: every clause of CONTRACT.md with the cases that check it.

use std::fmt::Write;
use std::path::PathBuf;

use crate::contract::{self, Clause, Level};
use crate::exit;
use crate::suite::{self, Suite};

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
    let suites = match &args.suites {
        Some(dir) => suite::load_dir(dir),
        None => suite::load_builtin(),
    };
    let suites = match suites {
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
    for problem in contract::coverage_problems(clauses, &suites) {
        eprintln!("warning: {problem}");
    }
    exit::SUCCESS
}

/// The matrix as text: a block per section, a line per clause.
pub fn text(clauses: &[Clause], suites: &[Suite]) -> String {
    let matrix = contract::matrix(clauses, suites);
    let width = clauses.iter().map(|c| c.id.len()).max().unwrap_or(0);
    let count = |level| clauses.iter().filter(|c| c.level == level).count();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "CONTRACT.md: {} clauses ({} MUST, {} SHOULD, {} MAY)",
        clauses.len(),
        count(Level::Must),
        count(Level::Should),
        count(Level::May)
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
    let musts = matrix.iter().filter(|(c, _)| c.level == Level::Must);
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
    let rows: Vec<serde_json::Value> = contract::matrix(clauses, suites)
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

#[cfg(test)]
mod tests {
    use super::*;

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
        assert!(line("watchdog.exit-status").contains("untested: "));
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
}
