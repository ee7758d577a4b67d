//! The step kinds as the runner carries them out: each payload type of
//! [`Operation`](crate::suite::Operation) implements [`Perform`] in one file here (the request
//! it sends, what the running case adds to it, how it is carried out), and the dispatch from
//! an operation to its kind is generated from the suite's one list of kinds
//! (`suite::step_kinds`), so a kind without its `Perform` does not compile.
//!
//! What a kind creates or deletes is not written here: it is the suite's
//! [`StepKind::touches`], read by [`prepare`] for the case's bookkeeping (and by the loader for
//! the `${run}` rule).

mod asynchronous;
mod functions;
mod invoke;
mod load;
mod logs;
mod namespaces;
mod secrets;
mod stream;
mod system;
mod websocket;

use std::future::Future;
use std::time::Instant;

pub(crate) use asynchronous::CaseCallbacks;

use super::case::CaseCtx;
use super::cleanup::Resource;
use super::client::HttpRequest;
use super::ops::{Addressed, Prepared};
use super::step::{AttemptLog, Polled};
use super::StepError;
use crate::outcome::StepOutcome;
use crate::suite::{Effect, Expect, Operation, ResourceKind, StepKind};

/// Where a step runs: the case's namespace and the run's main one (invocations elsewhere are
/// addressed as `NAME.NS`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Place<'a> {
    /// The case's namespace: a payload's when it names none.
    pub ns: &'a str,
    /// The run's main namespace.
    pub home: &'a str,
}

impl Place<'_> {
    /// The namespace a payload names, or the case's.
    pub fn ns_of(&self, named: &Option<String>) -> String {
        named.clone().unwrap_or_else(|| self.ns.to_string())
    }

    /// `ROUTE/NAME[.NS][/path][?query]` of the function an invocation names (in `namespace`,
    /// or the case's), as [`Addressed`] writes it.
    pub fn invoked(
        &self,
        route: &str,
        name: &str,
        namespace: &Option<String>,
        qualified: bool,
        path: &Option<String>,
        query: &Option<String>,
    ) -> String {
        Addressed {
            name,
            namespace: &self.ns_of(namespace),
            qualified,
            path: path.as_deref(),
            query: query.as_deref(),
        }
        .path(route, self.home)
    }
}

/// What carrying out a step needs besides its payload: its request, the condition that ends
/// it, its polling deadline (`retry.timeout`, within the case's) and its attempt log.
#[derive(Clone, Copy)]
pub(crate) struct Run<'a> {
    /// The request, complete.
    pub req: &'a HttpRequest,
    /// `until`, or else `expect`.
    pub cond: &'a Expect,
    /// The polling deadline, when the step retries.
    pub deadline: Option<Instant>,
    /// Where failed attempts are written.
    pub log: &'a AttemptLog,
}

/// A step kind as the runner carries it out.
pub(crate) trait Perform: StepKind + Sync {
    /// The request of the (expanded) step at `at`; a kind whose request implies more (a
    /// follow-up for a slow change, secret values to keep out of records) sets it in `p`.
    fn request(&self, at: &Place<'_>, p: &mut Prepared) -> HttpRequest;

    /// Completes the request with what only the running case knows (a callback URL); `Err`
    /// is why the step cannot run. Nothing to add by default.
    fn complete(
        &self,
        _cx: &mut CaseCtx<'_>,
        _req: &mut HttpRequest,
    ) -> impl Future<Output = Result<(), StepError>> + Send {
        async { Ok(()) }
    }

    /// Carries the step out: by default its request is sent until `run.cond` holds (once,
    /// when the step does not retry). `Err` ends the case with that outcome.
    fn perform(
        &self,
        cx: &mut CaseCtx<'_>,
        run: Run<'_>,
    ) -> impl Future<Output = Result<Polled, StepOutcome>> + Send {
        async move { Ok(cx.poll(run.req, run.cond, run.deadline, run.log).await) }
    }
}

/// The request of `kind` at `at`, with the resource it creates or deletes (from what the
/// kind [`touches`](StepKind::touches)).
fn prepared<K: Perform>(kind: &K, at: &Place<'_>) -> Prepared {
    let mut p = Prepared::default();
    p.request = kind.request(at, &mut p);
    if let Some(t) = kind.touches() {
        let resource = match t.kind {
            ResourceKind::Function => Resource::Function {
                name: t.name.to_string(),
                namespace: t.namespace.unwrap_or(at.ns).to_string(),
            },
            ResourceKind::Secret => Resource::Secret {
                name: t.name.to_string(),
                namespace: t.namespace.unwrap_or(at.ns).to_string(),
            },
            ResourceKind::Namespace => Resource::Namespace {
                name: t.name.to_string(),
            },
        };
        match t.effect {
            Effect::Creates => p.creates = Some(resource),
            Effect::Deletes => p.deletes = Some(resource),
            Effect::Changes => {}
        }
    }
    p
}

/// The dispatch from an [`Operation`] to its kind's [`Perform`], one arm per kind of the
/// suite's list.
macro_rules! dispatch {
    ($( $(#[$doc:meta])* $variant:ident($(#[$field:meta])* $payload:ty) ),* $(,)?) => {
        /// Builds the request of an (already expanded) operation; `ns` is the case's
        /// namespace and `home` the run's main one.
        pub(crate) fn prepare(op: &Operation, ns: &str, home: &str) -> Prepared {
            let at = Place { ns, home };
            match op {
                $( Operation::$variant(p) => prepared(p, &at), )*
            }
        }

        impl CaseCtx<'_> {
            /// Completes the request of `op` with what the case knows ([`Perform::complete`]).
            pub(crate) async fn complete(
                &mut self,
                op: &Operation,
                req: &mut HttpRequest,
            ) -> Result<(), StepError> {
                match op {
                    $( Operation::$variant(p) => p.complete(self, req).await, )*
                }
            }

            /// Carries out `op` as its kind says ([`Perform::perform`]).
            pub(crate) async fn perform(
                &mut self,
                op: &Operation,
                run: Run<'_>,
            ) -> Result<Polled, StepOutcome> {
                match op {
                    $( Operation::$variant(p) => p.perform(self, run).await, )*
                }
            }
        }
    };
}

crate::suite::step_kinds!(dispatch);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::suite::{Delete, Deploy, FunctionRef, Invoke, NamespaceSpec, SecretSpec, Update};

    #[test]
    fn invoke_outside_home_is_qualified() {
        let i = Invoke {
            name: "f".into(),
            path: Some("/a".into()),
            query: Some("x=1".into()),
            ..Default::default()
        };
        let path = |ns| {
            prepare(&Operation::Invoke(i.clone()), ns, "openfaas-fn")
                .request
                .path
        };
        assert_eq!(path("openfaas-fn"), "/function/f/a?x=1");
        assert_eq!(path("extra"), "/function/f.extra/a?x=1");
    }

    #[test]
    fn delete_sends_namespace_in_query_and_body_and_untracks() {
        let f = FunctionRef {
            name: "f".into(),
            namespace: None,
        };
        let p = prepare(&Operation::Delete(Delete(f)), "ns 1", "ns 1");
        assert_eq!(p.request.path, "/system/functions?namespace=ns%201");
        assert_eq!(
            p.request.body,
            bytes::Bytes::from(r#"{"functionName":"f","namespace":"ns 1"}"#)
        );
        let function = Resource::Function {
            name: "f".into(),
            namespace: "ns 1".into(),
        };
        assert_eq!(p.deletes, Some(function));
        assert!(p.creates.is_none() && p.follow_up.is_some());
    }

    #[test]
    fn what_a_kind_touches_is_what_the_case_tracks() {
        let deploy = Deploy {
            name: "f".into(),
            image: "i".into(),
            namespace: Some("other".into()),
            ..Default::default()
        };
        let created = prepare(&Operation::Deploy(deploy.clone()), "ns", "ns").creates;
        let function = Resource::Function {
            name: "f".into(),
            namespace: "other".into(),
        };
        assert_eq!(created, Some(function));
        // An update changes what exists: nothing new to clean up, nothing forgotten.
        let updated = prepare(&Operation::Update(Update(deploy)), "ns", "ns");
        assert!(updated.creates.is_none() && updated.deletes.is_none());
        let secret = SecretSpec {
            name: "s".into(),
            value: Some("v".into()),
            ..Default::default()
        };
        let p = prepare(&Operation::SecretCreate(secret), "ns", "ns");
        let tracked = Resource::Secret {
            name: "s".into(),
            namespace: "ns".into(),
        };
        assert_eq!(p.creates, Some(tracked));
        assert_eq!(p.sensitive.len(), 1, "the value is kept out of records");
        let namespace = NamespaceSpec {
            name: "n".into(),
            ..Default::default()
        };
        let p = prepare(&Operation::NamespaceCreate(namespace), "ns", "ns");
        assert_eq!(p.creates, Some(Resource::Namespace { name: "n".into() }));
    }
}
