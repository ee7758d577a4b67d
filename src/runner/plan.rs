//! Planning: every case becomes one trial per namespace, skipped with a reason when a feature is off.

use serde::Serialize;

use super::profile::Profile;
use crate::suite::Suite;

/// One trial to run: a case in a namespace.
#[derive(Debug, Clone, Serialize)]
pub struct Planned {
    /// `suite::case`, or `suite::case@extra` for the run in the extra namespace.
    pub trial: String,
    /// Index of the suite.
    pub suite: usize,
    /// Index of the case in its suite.
    pub case: usize,
    /// The namespace it runs in.
    pub namespace: String,
    /// Why it will not run, if it will not.
    pub skip: Option<String>,
    /// A number unique in the run, part of `${run}`.
    pub index: usize,
    /// The trials it builds on (its case's `builds_on`, in the same namespace when the
    /// foundation runs there too).
    pub builds_on: Vec<String>,
}

/// `plan` reordered in three groups, each in plan order: foundations first (cases others
/// build on), then cases that put load on a function (they wait on the provider's
/// autoscaler, the longest legitimate waits of a run, so they start while the rest runs),
/// then the rest.
pub fn start_order(suites: &[Suite], plan: Vec<Planned>) -> Vec<Planned> {
    let bases: std::collections::BTreeSet<String> =
        plan.iter().flat_map(|p| p.builds_on.clone()).collect();
    let loads = |p: &Planned| {
        suites[p.suite].cases[p.case]
            .steps
            .iter()
            .any(|s| s.op.kind().puts_load())
    };
    let mut plan = plan;
    // A stable sort: the order within each group is the plan's.
    plan.sort_by_key(|p| {
        if bases.contains(&p.trial) {
            0
        } else if loads(p) {
            1
        } else {
            2
        }
    });
    plan
}

/// Plans every case of `suites` against `profile`.
pub fn plan(
    suites: &[Suite],
    profile: &Profile,
    namespace: &str,
    extra: Option<&str>,
) -> Vec<Planned> {
    let mut out = Vec::new();
    for (si, suite) in suites.iter().enumerate() {
        for (ci, case) in suite.cases.iter().enumerate() {
            let skip = case
                .requires
                .iter()
                .find(|f| !profile.has(**f))
                .map(|f| format!("needs feature `{f}`: {}", profile.why_not(*f)));
            let base = format!("{}::{}", suite.name, case.name);
            // A foundation in the extra namespace is that namespace's trial, when it has one.
            let foundations = |extra_trial: bool| -> Vec<String> {
                case.builds_on
                    .iter()
                    .map(|b| {
                        let runs_there = extra_trial
                            && suites.iter().any(|s| {
                                s.cases.iter().any(|c| {
                                    format!("{}::{}", s.name, c.name) == *b && c.each_namespace
                                })
                            });
                        if runs_there {
                            format!("{b}@extra")
                        } else {
                            b.clone()
                        }
                    })
                    .collect()
            };
            let index = out.len();
            out.push(Planned {
                trial: base.clone(),
                suite: si,
                case: ci,
                namespace: namespace.to_string(),
                skip: skip.clone(),
                index,
                builds_on: foundations(false),
            });
            if let (Some(extra), true) = (extra, case.each_namespace) {
                let index = out.len();
                out.push(Planned {
                    trial: format!("{base}@extra"),
                    suite: si,
                    case: ci,
                    namespace: extra.to_string(),
                    skip,
                    index,
                    builds_on: foundations(true),
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const SUITE: &str = r#"
description: start order
cases:
  - name: quick
    steps:
      - health:
        expect: {status: 200}
  - name: loader
    builds_on: [order::base]
    steps:
      - load: {name: "f-${run}", rps: 5}
        expect: {status: 200}
  - name: base
    steps:
      - health:
        expect: {status: 200}
  - name: later
    steps:
      - health:
        expect: {status: 200}
"#;

    fn planned(trial: &str, case: usize, builds_on: &[&str]) -> Planned {
        Planned {
            trial: trial.into(),
            suite: 0,
            case,
            namespace: "openfaas-fn".into(),
            skip: None,
            index: case,
            builds_on: builds_on.iter().map(|b| b.to_string()).collect(),
        }
    }

    #[test]
    fn foundations_then_load_then_the_rest_each_in_plan_order() {
        let suite = crate::suite::load_str("order.yaml", SUITE).expect("suite loads");
        let plan = vec![
            planned("order::quick", 0, &[]),
            planned("order::loader", 1, &["order::base"]),
            planned("order::base", 2, &[]),
            planned("order::later", 3, &[]),
        ];
        let order: Vec<String> = start_order(&[suite], plan)
            .into_iter()
            .map(|p| p.trial)
            .collect();
        assert_eq!(
            order,
            [
                "order::base",
                "order::loader",
                "order::quick",
                "order::later"
            ]
        );
    }
}
