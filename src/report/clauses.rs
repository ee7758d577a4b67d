//! Per-clause outcomes: each clause of CONTRACT.md the run's cases name, with the worst
//! outcome of those cases, so a provider author reads "fails `secrets.list-without-values`".

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{CaseReport, Outcome};

/// One clause of the contract, as the run's cases found it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ClauseReport {
    /// The clause's id, also its anchor in CONTRACT.md: `secrets.list-without-values`.
    pub id: String,
    /// `MUST`, `SHOULD` or `MAY`.
    pub level: String,
    /// The worst outcome of its cases: failed, then errored, then passed; skipped only when
    /// every one of them was skipped.
    pub outcome: Outcome,
    /// The cases (`suite::case`, as in `cases[].id`) that check it, in run order.
    pub cases: Vec<String>,
}

/// How bad an outcome is for a clause; a skipped or blocked case proves nothing either way,
/// an expected failure is one the run excused, and an unexpected pass fails the run.
fn severity(outcome: Outcome) -> u8 {
    match outcome {
        Outcome::Skipped | Outcome::Blocked => 0,
        Outcome::Passed => 1,
        Outcome::XFail => 2,
        Outcome::XPass => 3,
        Outcome::Errored => 4,
        Outcome::Failed => 5,
    }
}

/// The clauses `cases` name, in the order of `contract` (clauses it does not know last),
/// each with its level from `contract`: the contract's clauses as `(id, level)` in document
/// order, passed in as data (the report does not read the contract).
pub fn clause_reports(cases: &[CaseReport], contract: &[(&str, &str)]) -> Vec<ClauseReport> {
    let mut out: Vec<ClauseReport> = Vec::new();
    for case in cases {
        for id in &case.contract {
            match out.iter_mut().find(|c| &c.id == id) {
                Some(clause) => {
                    if severity(case.outcome) > severity(clause.outcome) {
                        clause.outcome = case.outcome;
                    }
                    clause.cases.push(case.id.clone());
                }
                None => out.push(ClauseReport {
                    id: id.clone(),
                    level: String::new(),
                    outcome: case.outcome,
                    cases: vec![case.id.clone()],
                }),
            }
        }
    }
    for clause in &mut out {
        if let Some((_, level)) = contract.iter().find(|(id, _)| *id == clause.id) {
            clause.level = level.to_string();
        }
    }
    out.sort_by_key(|c| {
        contract
            .iter()
            .position(|(id, _)| *id == c.id)
            .unwrap_or(usize::MAX)
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case(id: &str, outcome: Outcome, contract: &[&str]) -> CaseReport {
        CaseReport {
            id: id.into(),
            suite: "s".into(),
            case: id.into(),
            file: "s.yaml".into(),
            description: String::new(),
            outcome,
            contract: contract.iter().map(|c| c.to_string()).collect(),
            reason: None,
            expected_failure: None,
            started_ms: None,
            duration_ms: 0,
            steps: Vec::new(),
        }
    }

    #[test]
    fn a_clause_takes_the_worst_outcome_of_its_cases_in_contract_order() {
        let cases = [
            case("a", Outcome::Passed, &["invoke.method", "health.get"]),
            case("b", Outcome::Failed, &["invoke.method"]),
            case("c", Outcome::Errored, &["invoke.method", "secrets.create"]),
            case("d", Outcome::Skipped, &["secrets.create", "scale.fixed"]),
            case("e", Outcome::Skipped, &["scale.fixed"]),
        ];
        // As CONTRACT.md orders them; `auth.open-routes` no case names.
        let contract = [
            ("invoke.method", "MUST"),
            ("auth.open-routes", "MUST"),
            ("scale.fixed", "SHOULD"),
            ("secrets.create", "MUST"),
            ("health.get", "MAY"),
        ];
        let got = clause_reports(&cases, &contract);
        let view: Vec<(&str, &str, Outcome, usize)> = got
            .iter()
            .map(|c| (c.id.as_str(), c.level.as_str(), c.outcome, c.cases.len()))
            .collect();
        assert_eq!(
            view,
            [
                ("invoke.method", "MUST", Outcome::Failed, 3),
                ("scale.fixed", "SHOULD", Outcome::Skipped, 2),
                ("secrets.create", "MUST", Outcome::Errored, 2),
                ("health.get", "MAY", Outcome::Passed, 1),
            ]
        );
        assert_eq!(got[0].cases, ["a", "b", "c"]);
        assert!(clause_reports(&[case("x", Outcome::Passed, &[])], &contract).is_empty());
        // A clause the contract does not know comes last, without a level.
        let unknown = clause_reports(
            &[case("y", Outcome::Passed, &["no.such", "health.get"])],
            &contract,
        );
        let view: Vec<(&str, &str)> = unknown
            .iter()
            .map(|c| (c.id.as_str(), c.level.as_str()))
            .collect();
        assert_eq!(view, [("health.get", "MAY"), ("no.such", "")]);
    }
}
