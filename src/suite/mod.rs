//! Suite specifications: plain serde data read from YAML, with no HTTP or tokio in them.
//!
//! A [`Suite`] holds [`Case`]s; a case holds ordered [`Step`]s; a step performs one
//! [`Operation`] and states what must come back ([`Expect`]). [`load_str`] parses and checks a
//! suite file and reports problems as `file:line:col` errors.

mod builtin;
mod check;
mod duration;
mod error;
pub mod expand;
mod expect;
mod feature;
mod invocation;
mod kind;
mod known_failures;
mod load;
mod payload;
mod step;
mod tree;
pub mod vars;

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub use builtin::BUILTIN;
pub use duration::DurationText;
pub use error::SuiteError;
pub use expand::Expand;
pub use expect::{
    Base64, Capture, Count, Expect, FunctionCondition, HeaderExpect, OneOrMany, Pattern, StatusSet,
};
pub use feature::Feature;
pub use invocation::{needs_receiver, AsyncInvoke, Callback, Stream, WebSocket};
pub use kind::{Effect, ResourceKind, StepKind, Touched};
pub use known_failures::{
    known_failures_schema_json, starting_file, Entry, ExpectedFailure, Failing, KnownFailures,
    KnownFailuresFile,
};
pub use load::{load_builtin, load_dir, load_str, schema_json, suites_digest, Loader};
pub use payload::{
    AuthMode, Delete, Deploy, FunctionRef, Health, Info, Invoke, List, Load, Logs, NamespaceDelete,
    NamespaceName, NamespaceRef, NamespaceSpec, NamespaceUpdate, Namespaces, RawRequest,
    ResourceSpec, Retry, Scale, SecretList, SecretRef, SecretSpec, SecretUpdate, Status, Update,
};
pub(crate) use step::step_kinds;
pub use step::{Operation, Step, StepCommon, StepSpec};

/// Where a spec item was written: the file and 1-based line and column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Source {
    /// The suite file (a path, or `builtin:NAME.yaml`).
    pub file: String,
    /// 1-based line.
    pub line: u64,
    /// 1-based column.
    pub column: u64,
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

/// A suite file: the cases of one API area.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SuiteFile {
    /// The suite's name; defaults to the file name without `.yaml`.
    #[serde(default)]
    pub name: Option<String>,
    /// What the suite checks, for readers and reports.
    #[serde(default)]
    pub description: String,
    /// Features every case of the suite needs; cases are skipped without them.
    #[serde(default)]
    pub requires: Vec<Feature>,
    /// Whether each case runs again in the extra namespace (default true).
    #[serde(default)]
    pub each_namespace: Option<bool>,
    /// The default deadline of each case (default 60s).
    #[serde(default)]
    #[schemars(with = "Option<DurationText>")]
    pub timeout: Option<serde_saphyr::Spanned<DurationText>>,
    /// The cases, run independently of one another.
    #[schemars(with = "Vec<CaseSpec>")]
    pub cases: Vec<serde_saphyr::Spanned<CaseSpec>>,
}

/// One case as written in a suite file.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CaseSpec {
    /// The case's name, unique in its suite; the trial is called `suite::name`.
    pub name: String,
    /// What the case checks and why.
    #[serde(default)]
    pub description: String,
    /// Features the case needs besides the suite's.
    #[serde(default)]
    pub requires: Vec<Feature>,
    /// Whether the case runs again in the extra namespace (default: the suite's).
    #[serde(default)]
    pub each_namespace: Option<bool>,
    /// The case's deadline (default: the suite's).
    #[serde(default)]
    #[schemars(with = "Option<DurationText>")]
    pub timeout: Option<serde_saphyr::Spanned<DurationText>>,
    /// Cases (`suite::case`) this one builds on: they run first, and when one of them fails
    /// this case is reported `blocked` by it instead of failing for the same root cause.
    #[serde(default)]
    pub builds_on: Vec<String>,
    /// Variables set before the first step (values may use other variables).
    #[serde(default)]
    pub vars: BTreeMap<String, String>,
    /// The clauses of CONTRACT.md the case checks, by id (e.g. `invoke.method`).
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub contract: Vec<serde_saphyr::Spanned<String>>,
    /// The ordered steps.
    #[schemars(with = "Vec<StepSpec>")]
    pub steps: Vec<serde_saphyr::Spanned<StepSpec>>,
}

/// A loaded, checked suite.
#[derive(Debug, Clone)]
pub struct Suite {
    /// The suite's name.
    pub name: String,
    /// The file it came from.
    pub file: String,
    /// What it checks.
    pub description: String,
    /// Its cases, in file order.
    pub cases: Vec<Case>,
    /// SHA-256 of the suite's text, hex: what exactly was run.
    pub digest: String,
}

/// A loaded, checked case, with the suite's defaults applied.
#[derive(Debug, Clone)]
pub struct Case {
    /// The case's name.
    pub name: String,
    /// What it checks.
    pub description: String,
    /// Every feature it needs (suite's and its own).
    pub requires: Vec<Feature>,
    /// Whether it runs again in the extra namespace.
    pub each_namespace: bool,
    /// Its deadline.
    pub timeout: std::time::Duration,
    /// Cases (`suite::case`) it builds on (see [`CaseSpec::builds_on`]).
    pub builds_on: Vec<String>,
    /// Variables set before the first step.
    pub vars: BTreeMap<String, String>,
    /// The clauses of CONTRACT.md it checks, by id.
    pub contract: Vec<String>,
    /// The steps, each with where it was written.
    pub steps: Vec<Step>,
    /// Where the case was written.
    pub source: Source,
}
#[cfg(test)]
mod tests;
