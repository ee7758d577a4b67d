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
            let index = out.len();
            out.push(Planned {
                trial: base.clone(),
                suite: si,
                case: ci,
                namespace: namespace.to_string(),
                skip: skip.clone(),
                index,
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
                });
            }
        }
    }
    out
}
