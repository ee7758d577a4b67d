//! The payloads of step operations: what each named operation sends.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::expand::{expand_fields, Expand};
use super::step::{Step, StepSpec};
use serde_saphyr::Spanned;

use super::DurationText;

/// A raw HTTP request to any path of the target.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawRequest {
    /// The HTTP method (default `GET`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// The path, starting with `/`, with an optional `?query`.
    pub path: String,
    /// Request headers.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub headers: BTreeMap<String, String>,
    /// A text body, sent as is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// A JSON body (`Content-Type: application/json`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub json: Option<serde_json::Value>,
}

/// CPU and memory quantities.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ResourceSpec {
    /// Memory, e.g. `5Mi`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory: Option<String>,
    /// CPU, e.g. `100m`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu: Option<String>,
}

/// A function deployment (deploy and update).
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Deploy {
    /// The function's name; must contain `${run}`.
    pub name: String,
    /// The image.
    pub image: String,
    /// The namespace (default `${namespace}`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// The watchdog's `fprocess` (`envProcess`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fprocess: Option<String>,
    /// Environment variables (`envVars`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub env: BTreeMap<String, String>,
    /// Labels.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
    /// Annotations.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
    /// Secrets to mount.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub secrets: Vec<String>,
    /// Placement constraints.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub constraints: Vec<String>,
    /// Resource limits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limits: Option<ResourceSpec>,
    /// Resource requests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requests: Option<ResourceSpec>,
    /// `readOnlyRootFilesystem`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub read_only_root_filesystem: bool,
    /// Send `"labels": null` and `"annotations": null`, as older faas-cli does.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub null_labels: bool,
}

/// A function named in a namespace.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FunctionRef {
    /// The function's name.
    pub name: String,
    /// The namespace (default `${namespace}`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
}

/// A namespace to list in.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NamespaceRef {
    /// The namespace (default `${namespace}`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
}

/// A scale request.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Scale {
    /// The function's name.
    pub name: String,
    /// The namespace (default `${namespace}`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// The desired replica count.
    pub replicas: u64,
}

/// An invocation.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Invoke {
    /// The function's name.
    pub name: String,
    /// The namespace (default `${namespace}`); other than the run's namespace it is sent as `NAME.NAMESPACE`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// Always address the function as `NAME.NAMESPACE`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub qualified: bool,
    /// The HTTP method (default `POST`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// A sub-path after the function's name, e.g. `/a/b`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// A query string without `?`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
    /// Request headers.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub headers: BTreeMap<String, String>,
    /// A text body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// A generated binary body of this many bytes (all 256 byte values, deterministic).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub random_body: Option<usize>,
}

/// A secret to create or update.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SecretSpec {
    /// The secret's name; must contain `${run}`.
    pub name: String,
    /// The namespace (default `${namespace}`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// A text value (`value`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// A binary value given as base64, sent as `rawValue`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub raw_value_base64: Option<String>,
}

/// A secret named in a namespace.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SecretRef {
    /// The secret's name.
    pub name: String,
    /// The namespace (default `${namespace}`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
}

/// A log query.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Logs {
    /// The function's name.
    pub name: String,
    /// The namespace (default `${namespace}`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// `tail=N`: only the last N messages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tail: Option<String>,
    /// `since=RFC3339`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<String>,
    /// `follow=true`: keep the stream open; the step reads it until `expect` holds or `retry.timeout` passes.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub follow: bool,
    /// Steps run while a followed stream is open (to prove new lines arrive).
    #[serde(default)]
    #[schemars(with = "Vec<StepSpec>")]
    pub while_open: Vec<serde_saphyr::Spanned<StepSpec>>,
    /// The `while_open` steps, checked by the loader.
    #[serde(skip)]
    pub steps: Vec<Step>,
}

impl Expand for Logs {
    /// The `while_open` steps are left as written: each expands when it runs.
    fn map_strings<E>(&self, f: &mut dyn FnMut(&str) -> Result<String, E>) -> Result<Self, E> {
        Ok(Logs {
            name: self.name.map_strings(f)?,
            namespace: self.namespace.map_strings(f)?,
            tail: self.tail.map_strings(f)?,
            since: self.since.map_strings(f)?,
            follow: self.follow,
            while_open: self.while_open.clone(),
            steps: self.steps.clone(),
        })
    }
}

expand_fields!(RawRequest {
    method,
    path,
    headers,
    body,
    json
});
expand_fields!(ResourceSpec { memory, cpu });
expand_fields!(Deploy {
    name,
    image,
    namespace,
    fprocess,
    env,
    labels,
    annotations,
    secrets,
    constraints,
    limits,
    requests,
    read_only_root_filesystem,
    null_labels,
});
expand_fields!(FunctionRef { name, namespace });
expand_fields!(NamespaceRef { namespace });
expand_fields!(Scale {
    name,
    namespace,
    replicas
});
expand_fields!(Invoke {
    name,
    namespace,
    qualified,
    method,
    path,
    query,
    headers,
    body,
    random_body,
});
expand_fields!(SecretSpec {
    name,
    namespace,
    value,
    raw_value_base64
});
expand_fields!(SecretRef { name, namespace });
expand_fields!(NamespaceName { name });
expand_fields!(NamespaceSpec {
    name,
    body_name,
    labels,
    annotations
});
expand_fields!(Health { method });
expand_fields!(Load {
    name,
    namespace,
    rps,
    duration
});
expand_fields!(Retry { timeout });

impl Expand for AuthMode {
    fn map_strings<E>(&self, _: &mut dyn FnMut(&str) -> Result<String, E>) -> Result<Self, E> {
        Ok(*self)
    }
}

/// A namespace named alone.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NamespaceName {
    /// The namespace's name.
    pub name: String,
}

/// A namespace to create or update.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NamespaceSpec {
    /// The namespace's name; must contain `${run}` for create.
    pub name: String,
    /// The name sent in the body (default `name`); differs to test the 400 on mismatch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body_name: Option<String>,
    /// Labels.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
    /// Annotations.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
}

/// A health probe.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Health {
    /// `GET` (default) or `HEAD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
}

/// Load generation: invokes a function at `rps` in the background while the step polls its status.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Load {
    /// The function's name.
    pub name: String,
    /// The namespace (default `${namespace}`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// Invocations per second.
    pub rps: f64,
    /// Keep the load on this long before the first status poll (for "must not change" checks).
    #[serde(default)]
    #[schemars(with = "Option<DurationText>")]
    pub duration: Option<Spanned<DurationText>>,
}

/// Which credentials a step sends.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum AuthMode {
    /// The run's credentials, if any.
    #[default]
    Default,
    /// No `Authorization` header.
    None,
    /// Deliberately wrong basic credentials.
    Wrong,
}

/// An explicit retry: the step repeats with exponential backoff until its condition holds.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Retry {
    /// The deadline for the whole retried step, e.g. `30s`.
    #[schemars(with = "DurationText")]
    pub timeout: Spanned<DurationText>,
}

/// A kind of its own whose payload is another kind's (an `update` sends what a `deploy`
/// does): a newtype, so that each kind's [`StepKind`] is one `impl`. It reads, expands and
/// derefs as the payload it wraps.
macro_rules! payload_of {
    ($(#[$doc:meta])* $name:ident($inner:ty)) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
        #[serde(transparent)]
        pub struct $name(pub $inner);

        impl std::ops::Deref for $name {
            type Target = $inner;
            fn deref(&self) -> &$inner {
                &self.0
            }
        }

        impl Expand for $name {
            fn map_strings<E>(
                &self,
                f: &mut dyn FnMut(&str) -> Result<String, E>,
            ) -> Result<Self, E> {
                Ok($name(self.0.map_strings(f)?))
            }
        }
    };
}

payload_of!(
    /// An `update`: the deployment to apply to an existing function.
    Update(Deploy)
);
payload_of!(
    /// A `delete` of a function.
    Delete(FunctionRef)
);
payload_of!(
    /// A `status` read of a function.
    Status(FunctionRef)
);
payload_of!(
    /// A `list` of the functions of a namespace.
    List(NamespaceRef)
);
payload_of!(
    /// A `secret_update`: the new value of an existing secret.
    SecretUpdate(SecretSpec)
);
payload_of!(
    /// A `secret_list` of a namespace.
    SecretList(NamespaceRef)
);
payload_of!(
    /// A `namespaces` list (no parameters).
    Namespaces(BTreeMap<String, String>)
);
payload_of!(
    /// A `namespace_update`: new labels and annotations of an existing namespace.
    NamespaceUpdate(NamespaceSpec)
);
payload_of!(
    /// A `namespace_delete`.
    NamespaceDelete(NamespaceName)
);
payload_of!(
    /// An `info` read (no parameters).
    Info(BTreeMap<String, String>)
);

use super::kind::{Effect, ResourceKind, StepKind, Touched};

/// A kind that touches nothing: a read, a probe or a request of its own.
macro_rules! touches_nothing {
    ($($t:ty),* $(,)?) => {
        $(impl StepKind for $t {
            fn touches(&self) -> Option<Touched<'_>> {
                None
            }
        })*
    };
}

touches_nothing!(RawRequest, Status, List, Invoke, SecretList, Logs, Namespaces);
touches_nothing!(NamespaceName, Info, Health);

/// A kind that touches the resource named by its `name` (and `namespace`) field.
macro_rules! touches_named {
    ($($t:ty => $kind:ident, $effect:ident, $namespaced:tt;)*) => {
        $(impl StepKind for $t {
            fn touches(&self) -> Option<Touched<'_>> {
                Some(Touched::new(
                    ResourceKind::$kind,
                    Effect::$effect,
                    &self.name,
                    touches_named!(@ns self $namespaced),
                ))
            }
        })*
    };
    (@ns $self:ident true) => { $self.namespace.as_ref() };
    (@ns $self:ident false) => { None };
}

touches_named! {
    Deploy => Function, Creates, true;
    Update => Function, Changes, true;
    Delete => Function, Deletes, true;
    Scale => Function, Changes, true;
    SecretSpec => Secret, Creates, true;
    SecretUpdate => Secret, Changes, true;
    SecretRef => Secret, Deletes, true;
    NamespaceSpec => Namespace, Creates, false;
    NamespaceUpdate => Namespace, Changes, false;
    NamespaceDelete => Namespace, Deletes, false;
}

impl StepKind for Load {
    /// Load invokes the function and reads its status: nothing is created or changed.
    fn touches(&self) -> Option<Touched<'_>> {
        None
    }

    fn durations(&self) -> Vec<(&'static str, &Spanned<DurationText>)> {
        self.duration.iter().map(|d| ("load.duration", d)).collect()
    }

    fn puts_load(&self) -> bool {
        true
    }
}
