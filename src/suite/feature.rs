//! The optional features of the contract a case may require.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// An officially optional part of the provider API; cases needing one are skipped without it.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Feature {
    /// The scale endpoint, `com.openfaas.scale.min`, and scale from zero.
    Scaling,
    /// Load-driven scaling between `scale.min` and `scale.max`.
    Autoscaling,
    /// Scaling to zero replicas through the API and when idle.
    ScaleToZero,
    /// Secret create, list, delete and mounting into functions.
    Secrets,
    /// Updating an existing secret.
    SecretUpdate,
    /// The `/system/logs` stream.
    Logs,
    /// More than one function namespace (an extra namespace was given).
    Namespaces,
    /// Namespace create, read, update and delete on `/system/namespace/{name}`.
    NamespaceCrud,
    /// Basic or bearer auth on `/system/*`.
    Auth,
    /// Gateway-only behaviour, such as `X-Call-Id` and `X-Start-Time`.
    Gateway,
    /// Server-sent events (`Accept: text/event-stream`) delivered as they are produced,
    /// through a bare provider and a gateway.
    Streaming,
    /// NDJSON and other chunked answers (`Accept: application/x-ndjson`) delivered as they
    /// are produced: bare providers (faas-provider c81f542); the CE gateway buffers them.
    Ndjson,
    /// WebSocket upgrades tunnelled to the function: bare providers (faas-provider ccde259);
    /// the CE gateway drops `Upgrade`.
    Websockets,
    /// `/function/` is answered by a provider's own proxy (no gateway in front of it): its
    /// own errors and forwarded headers can be seen.
    ProviderProxy,
    /// `/async-function/{name}` queues an invocation and calls back (a gateway with a queue).
    Async,
}

impl Feature {
    /// Every feature, in documentation order.
    pub const ALL: [Feature; 15] = [
        Feature::Scaling,
        Feature::Autoscaling,
        Feature::ScaleToZero,
        Feature::Secrets,
        Feature::SecretUpdate,
        Feature::Logs,
        Feature::Namespaces,
        Feature::NamespaceCrud,
        Feature::Auth,
        Feature::Gateway,
        Feature::Streaming,
        Feature::Ndjson,
        Feature::Websockets,
        Feature::ProviderProxy,
        Feature::Async,
    ];

    /// The name used in suites and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Feature::Scaling => "scaling",
            Feature::Autoscaling => "autoscaling",
            Feature::ScaleToZero => "scale-to-zero",
            Feature::Secrets => "secrets",
            Feature::SecretUpdate => "secret-update",
            Feature::Logs => "logs",
            Feature::Namespaces => "namespaces",
            Feature::NamespaceCrud => "namespace-crud",
            Feature::Auth => "auth",
            Feature::Gateway => "gateway",
            Feature::Streaming => "streaming",
            Feature::Ndjson => "ndjson",
            Feature::Websockets => "websockets",
            Feature::ProviderProxy => "provider-proxy",
            Feature::Async => "async",
        }
    }

    /// Reads a feature name as written on the command line.
    pub fn parse(text: &str) -> Option<Feature> {
        Feature::ALL.into_iter().find(|f| f.name() == text)
    }
}

impl std::fmt::Display for Feature {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}
