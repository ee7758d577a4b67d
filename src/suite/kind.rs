//! What a step kind says about itself when a suite is loaded: the resource it creates,
//! changes or deletes, the durations it writes, and what is wrong with it as written.
//!
//! Each payload type of [`super::Operation`] implements [`StepKind`] next to its definition
//! (`payload.rs`, `invocation.rs`); the runner's half of a kind (its request, how it is carried
//! out) is `runner::kinds`. A type serves one kind only, so a kind's behaviour is one `impl`,
//! never an arm of a `match` over every kind.

use serde_saphyr::Spanned;

use super::{DurationText, Step};

/// A kind of resource a step may create, change or delete.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResourceKind {
    /// A function (`/system/functions`).
    Function,
    /// A secret (`/system/secrets`).
    Secret,
    /// A namespace (`/system/namespace/{name}`).
    Namespace,
}

impl ResourceKind {
    /// How messages name it.
    pub fn noun(self) -> &'static str {
        match self {
            ResourceKind::Function => "function",
            ResourceKind::Secret => "secret",
            ResourceKind::Namespace => "namespace",
        }
    }
}

/// What a step does to the resource it names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    /// Creates it: it is deleted when the case ends.
    Creates,
    /// Changes it.
    Changes,
    /// Deletes it: once deleted, the case no longer has to.
    Deletes,
}

/// The resource a step creates, changes or deletes. Its name must carry `${run}`, so that a
/// run never touches a workload it did not create.
#[derive(Debug, Clone, Copy)]
pub struct Touched<'a> {
    /// What kind of resource.
    pub kind: ResourceKind,
    /// Its name as written.
    pub name: &'a str,
    /// Its namespace as written (the case's when `None`; namespaces have none).
    pub namespace: Option<&'a str>,
    /// What the step does to it.
    pub effect: Effect,
}

impl<'a> Touched<'a> {
    /// `kind` named `name` in `namespace`, with `effect`.
    pub fn new(
        kind: ResourceKind,
        effect: Effect,
        name: &'a str,
        namespace: Option<&'a String>,
    ) -> Self {
        Touched {
            kind,
            name,
            namespace: namespace.map(String::as_str),
            effect,
        }
    }
}

/// A step kind, as the loader sees it: every payload type of [`super::Operation`] says what
/// it touches; the rest has defaults that hold for a plain request and its answer.
pub trait StepKind {
    /// The resource the step creates, changes or deletes, if any.
    fn touches(&self) -> Option<Touched<'_>>;

    /// The durations its payload writes, by field name (`stream.min_spread`), for the
    /// loader's check of literal durations.
    fn durations(&self) -> Vec<(&'static str, &Spanned<DurationText>)> {
        Vec::new()
    }

    /// What is wrong with `step` (of this kind) as written, after `earlier` steps of its
    /// case: the key to point at and why.
    fn check(&self, _step: &Step, _earlier: &[Step]) -> Result<(), (&'static str, String)> {
        Ok(())
    }

    /// Whether the step uses the run's callback receiver: a case that does is skipped when
    /// the run has none to offer.
    fn needs_receiver(&self) -> bool {
        false
    }

    /// Whether the step puts load on a function: the runner starts such cases early, as
    /// they wait on the provider's autoscaler.
    fn puts_load(&self) -> bool {
        false
    }
}
