//! Steps: one operation on the provider API, with its expectations, retries and captures.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize};

use super::payload::{
    AuthMode, Deploy, FunctionRef, Health, Invoke, Load, Logs, NamespaceName, NamespaceRef,
    NamespaceSpec, RawRequest, Retry, Scale, SecretRef, SecretSpec,
};
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
    /// This step's deadline (e.g. `10s`), within the case's: every request, poll and stream
    /// of the step ends by then.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<DurationText>,
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

    /// The step as it runs against a bare provider (`gateway` false): `through_gateway`
    /// alternatives of `expect` and `until` are dropped; against a gateway they are kept.
    pub fn for_target(mut self, gateway: bool) -> Self {
        if !gateway {
            self.expect = self.expect.without_gateway_alternative();
            self.until = self.until.map(Expect::without_gateway_alternative);
        }
        self
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
