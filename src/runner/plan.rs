//! Planning: every case becomes one trial per namespace, skipped with a reason when a feature is off.

use serde::Serialize;

use super::profile::Profile;
use crate::spec::Suite;

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

/// `plan` reordered to start foundations first, each group in plan order.
pub fn foundations_first(plan: Vec<Planned>) -> Vec<Planned> {
    let bases: std::collections::BTreeSet<String> =
        plan.iter().flat_map(|p| p.builds_on.clone()).collect();
    let (mut first, rest): (Vec<_>, Vec<_>) =
        plan.into_iter().partition(|p| bases.contains(&p.trial));
    first.extend(rest);
    first
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
