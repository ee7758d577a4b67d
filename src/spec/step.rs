//! Steps: one operation on the provider API, with its expectations, retries and captures.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize};

use super::{Capture, DurationText, Expect};

/// Reads a present key as `Some`, even when its value is `null` (`info:` alone).
fn present<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Some(Option::<T>::deserialize(d)?.unwrap_or_default()))
}

/// One step of a case: exactly one operation key, plus expectations.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// A label for reports (defaults to the operation).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,

    /// A raw HTTP request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request: Option<RawRequest>,
    /// `POST /system/functions`; the function is deleted when the case ends.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deploy: Option<Deploy>,
    /// `PUT /system/functions`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub update: Option<Deploy>,
    /// `DELETE /system/functions` (namespace in query and body).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delete: Option<FunctionRef>,
    /// `GET /system/function/{name}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<FunctionRef>,
    /// `GET /system/functions`.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub list: Option<NamespaceRef>,
    /// `POST /system/scale-function/{name}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale: Option<Scale>,
    /// A request to `/function/{name}[.namespace][/path]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invoke: Option<Invoke>,
    /// `POST /system/secrets`; the secret is deleted when the case ends.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_create: Option<SecretSpec>,
    /// `PUT /system/secrets`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_update: Option<SecretSpec>,
    /// `DELETE /system/secrets`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_delete: Option<SecretRef>,
    /// `GET /system/secrets`.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub secret_list: Option<NamespaceRef>,
    /// `GET /system/logs`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logs: Option<Logs>,
    /// `GET /system/namespaces`.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub namespaces: Option<BTreeMap<String, String>>,
    /// `POST /system/namespace/{name}`; the namespace is deleted when the case ends.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace_create: Option<NamespaceSpec>,
    /// `GET /system/namespace/{name}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace_get: Option<NamespaceName>,
    /// `PUT /system/namespace/{name}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace_update: Option<NamespaceSpec>,
    /// `DELETE /system/namespace/{name}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace_delete: Option<NamespaceName>,
    /// `GET /system/info`.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub info: Option<BTreeMap<String, String>>,
    /// `GET /healthz` (or `HEAD`).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub health: Option<Health>,
    /// Invokes a function at a steady rate while the step polls its status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub load: Option<Load>,

    /// Which credentials to send: `default` (the run's), `none` or `wrong`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth: Option<AuthMode>,
    /// Repeat the step, backing off, until `until` (or else `expect`) holds or time runs out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry: Option<Retry>,
    /// The condition that ends a retried step; `expect` is then checked on that answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<Expect>,
    /// What must come back.
    #[serde(default)]
    pub expect: Expect,
    /// Variables to set from the answer, for later steps.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub capture: BTreeMap<String, Capture>,
}

/// The operation of a step, borrowed from it.
#[derive(Debug, Clone, Copy)]
pub enum Operation<'a> {
    /// A raw request.
    Request(&'a RawRequest),
    /// Deploy a function.
    Deploy(&'a Deploy),
    /// Update a function.
    Update(&'a Deploy),
    /// Delete a function.
    Delete(&'a FunctionRef),
    /// Read a function's status.
    Status(&'a FunctionRef),
    /// List functions.
    List(&'a NamespaceRef),
    /// Scale a function.
    Scale(&'a Scale),
    /// Invoke a function.
    Invoke(&'a Invoke),
    /// Create a secret.
    SecretCreate(&'a SecretSpec),
    /// Update a secret.
    SecretUpdate(&'a SecretSpec),
    /// Delete a secret.
    SecretDelete(&'a SecretRef),
    /// List secrets.
    SecretList(&'a NamespaceRef),
    /// Read logs.
    Logs(&'a Logs),
    /// List namespaces.
    Namespaces,
    /// Create a namespace.
    NamespaceCreate(&'a NamespaceSpec),
    /// Read a namespace.
    NamespaceGet(&'a NamespaceName),
    /// Update a namespace.
    NamespaceUpdate(&'a NamespaceSpec),
    /// Delete a namespace.
    NamespaceDelete(&'a NamespaceName),
    /// Read `/system/info`.
    Info,
    /// Probe `/healthz`.
    Health(&'a Health),
    /// Generate load.
    Load(&'a Load),
}

impl Operation<'_> {
    /// The key the operation is written with.
    pub fn key(&self) -> &'static str {
        match self {
            Operation::Request(_) => "request",
            Operation::Deploy(_) => "deploy",
            Operation::Update(_) => "update",
            Operation::Delete(_) => "delete",
            Operation::Status(_) => "status",
            Operation::List(_) => "list",
            Operation::Scale(_) => "scale",
            Operation::Invoke(_) => "invoke",
            Operation::SecretCreate(_) => "secret_create",
            Operation::SecretUpdate(_) => "secret_update",
            Operation::SecretDelete(_) => "secret_delete",
            Operation::SecretList(_) => "secret_list",
            Operation::Logs(_) => "logs",
            Operation::Namespaces => "namespaces",
            Operation::NamespaceCreate(_) => "namespace_create",
            Operation::NamespaceGet(_) => "namespace_get",
            Operation::NamespaceUpdate(_) => "namespace_update",
            Operation::NamespaceDelete(_) => "namespace_delete",
            Operation::Info => "info",
            Operation::Health(_) => "health",
            Operation::Load(_) => "load",
        }
    }
}

impl Step {
    /// Every operation key set on the step; a valid step has exactly one.
    pub fn operations(&self) -> Vec<Operation<'_>> {
        let mut ops = Vec::new();
        macro_rules! push {
            ($field:ident, $variant:ident) => {
                if let Some(v) = &self.$field {
                    ops.push(Operation::$variant(v));
                }
            };
        }
        push!(request, Request);
        push!(deploy, Deploy);
        push!(update, Update);
        push!(delete, Delete);
        push!(status, Status);
        push!(list, List);
        push!(scale, Scale);
        push!(invoke, Invoke);
        push!(secret_create, SecretCreate);
        push!(secret_update, SecretUpdate);
        push!(secret_delete, SecretDelete);
        push!(secret_list, SecretList);
        push!(logs, Logs);
        if self.namespaces.is_some() {
            ops.push(Operation::Namespaces);
        }
        push!(namespace_create, NamespaceCreate);
        push!(namespace_get, NamespaceGet);
        push!(namespace_update, NamespaceUpdate);
        push!(namespace_delete, NamespaceDelete);
        if self.info.is_some() {
            ops.push(Operation::Info);
        }
        push!(health, Health);
        push!(load, Load);
        ops
    }

    /// The step's single operation (the loader guarantees there is exactly one).
    pub fn operation(&self) -> Option<Operation<'_>> {
        let ops = self.operations();
        (ops.len() == 1).then(|| ops[0])
    }

    /// The label reports show: the step's name, or its operation key.
    pub fn label(&self) -> String {
        match (&self.name, self.operation()) {
            (Some(name), _) => name.clone(),
            (None, Some(op)) => op.key().to_string(),
            (None, None) => "step".to_string(),
        }
    }
}

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
pub struct Resources {
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
    pub limits: Option<Resources>,
    /// Resource requests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requests: Option<Resources>,
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
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
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
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(with = "Vec<Step>")]
    pub while_open: Vec<serde_saphyr::Spanned<Step>>,
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
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
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
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration: Option<DurationText>,
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
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Retry {
    /// The deadline for the whole retried step, e.g. `30s`.
    pub timeout: DurationText,
}
