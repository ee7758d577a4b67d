//! Provider detection from `/system/info` (gateway or provider form) into a profile of features.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use super::probe::Finding;
use super::settings::Settings;
use crate::suite::Feature;

/// Profile names `--profile` accepts.
pub const PROFILES: [&str; 8] = [
    "faas-netes",
    "faas-netes-ce",
    "faasd",
    "faasd-ce",
    "mock",
    "unknown",
    "all",
    "core",
];

/// Whether a feature is on, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FeatureState {
    /// On or off.
    pub enabled: bool,
    /// Why, in words.
    pub reason: String,
}

/// What `/system/info` says about the target.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Detected {
    /// The provider's name as reported (may be empty).
    pub provider: String,
    /// The orchestration.
    pub orchestration: String,
    /// The provider's release.
    pub version: String,
    /// The info came in the gateway form.
    pub gateway: bool,
    /// The gateway's release, in the gateway form.
    pub gateway_version: String,
}

/// The profile a run uses: the detected target and the features on and off.
#[derive(Debug, Clone, Serialize)]
pub struct Profile {
    /// The profile name (a known provider, `unknown`, or a forced one).
    pub name: String,
    /// What the target said about itself.
    pub detected: Detected,
    /// Every optional feature with its state.
    pub features: BTreeMap<Feature, FeatureState>,
}

impl Profile {
    /// Whether `feature` is on.
    pub fn has(&self, feature: Feature) -> bool {
        self.features.get(&feature).is_some_and(|s| s.enabled)
    }

    /// Why `feature` is off, for skip messages.
    pub fn why_not(&self, feature: Feature) -> String {
        self.features
            .get(&feature)
            .map(|s| s.reason.clone())
            .unwrap_or_default()
    }
}

/// Reads either form of `/system/info`.
pub fn detect(info: &Value) -> Detected {
    let text = |v: Option<&Value>| v.and_then(Value::as_str).unwrap_or_default().to_string();
    match info.get("provider") {
        Some(Value::String(name)) => Detected {
            provider: name.clone(),
            orchestration: text(info.get("orchestration")),
            version: text(info.pointer("/version/release")),
            gateway: false,
            gateway_version: String::new(),
        },
        Some(Value::Object(p)) => Detected {
            provider: text(p.get("provider")),
            orchestration: text(p.get("orchestration")),
            version: text(p.get("version").and_then(|v| v.get("release"))),
            gateway: true,
            gateway_version: text(info.pointer("/version/release")),
        },
        _ => Detected {
            gateway: info.get("version").is_some() && info.get("arch").is_some(),
            gateway_version: text(info.pointer("/version/release")),
            ..Default::default()
        },
    }
}

/// The profile name for a reported provider name.
pub fn profile_name(provider: &str) -> &'static str {
    match provider {
        "faas-netes" => "faas-netes",
        "faas-netes-ce" => "faas-netes-ce",
        "faasd" => "faasd",
        "faasd-ce" => "faasd-ce",
        "faas-certifier-mock" => "mock",
        _ => "unknown",
    }
}

/// The features of a provider profile, each with its reason.
fn provider_features(name: &str) -> Vec<(Feature, bool, &'static str)> {
    use Feature::*;
    let on = |f, why| (f, true, why);
    let off = |f, why| (f, false, why);
    match name {
        "mock" | "all" => [Scaling, Autoscaling, ScaleToZero, Secrets, SecretUpdate, Logs, NamespaceCrud]
            .into_iter()
            .map(|f| on(f, "the profile has every optional feature"))
            .collect(),
        "faas-netes" | "faas-netes-ce" => vec![
            on(Scaling, "faas-netes scales deployments and honours com.openfaas.scale.min"),
            off(Autoscaling, "CE load scaling needs the gateway's Prometheus alert; --enable autoscaling to check it"),
            off(ScaleToZero, "CE refuses 0 replicas and has no idler (OpenFaaS Pro)"),
            on(Secrets, "faas-netes stores secrets as Kubernetes secrets"),
            on(SecretUpdate, "faas-netes updates secrets"),
            on(Logs, "faas-netes streams pod logs"),
            off(NamespaceCrud, "namespace management is OpenFaaS Pro (CE answers 501)"),
        ],
        "faasd" | "faasd-ce" => vec![
            off(Scaling, "faasd runs one replica per function"),
            off(Autoscaling, "faasd does not autoscale"),
            off(ScaleToZero, "faasd has no idler"),
            on(Secrets, "faasd stores secrets as files"),
            on(SecretUpdate, "faasd upserts secrets"),
            on(Logs, "faasd reads the journal"),
            off(NamespaceCrud, "faasd has no namespace management API"),
        ],
        _ => [Scaling, Autoscaling, ScaleToZero, Secrets, SecretUpdate, Logs, NamespaceCrud]
            .into_iter()
            .map(|f| off(f, "not decided by a probe, so off for an unknown provider; use --enable or --profile"))
            .collect(),
    }
}

/// The invocation features, decided by what answers `/function/`: a bare provider's own proxy
/// (faas-provider f53fe63 `proxy/proxy.go`) or a gateway in front of it (the CE gateway
/// 8d803bf9 `gateway/handlers/forwarding_proxy.go`). `async` is the gateway's, and probed.
fn invocation_features(gateway: bool) -> Vec<(Feature, bool, &'static str)> {
    use Feature::*;
    let streaming = (
        Streaming,
        true,
        "SSE is streamed by faas-provider's proxy (b4254fe, 2024-01) and by the CE gateway (8d803bf9 forwarding_proxy.go, Accept: text/event-stream)",
    );
    if gateway {
        vec![
            streaming,
            (Ndjson, false, "through a gateway: the CE gateway (8d803bf9 forwarding_proxy.go) streams only Accept: text/event-stream and copies other answers whole; --enable ndjson to check yours"),
            (Websockets, false, "through a gateway: the CE gateway (8d803bf9 forwarding_proxy.go) drops the hop-by-hop Upgrade header, so WebSockets are not proxied; --enable websockets to check yours"),
            (ProviderProxy, false, "through a gateway: /function/ is answered by the gateway, not by the provider's own proxy"),
            (Async, true, "a gateway with a queue routes /async-function/ (8d803bf9 main.go); not probed"),
        ]
    } else {
        vec![
            streaming,
            (Ndjson, true, "a bare provider: faas-provider's proxy streams Accept: application/x-ndjson (c81f542, 2025-06)"),
            (Websockets, true, "a bare provider: faas-provider's proxy tunnels Upgrade: websocket (ccde259, 2025-02)"),
            (ProviderProxy, true, "a bare provider: /function/ is answered by its own proxy"),
            (Async, false, "a bare provider: asynchronous invocation is the gateway's (/async-function/ with a queue)"),
        ]
    }
}

/// What a provider's own proxy does not do yet, though faas-provider's does now: a provider
/// built on an older faas-provider answers `/function/` with that release's proxy.
fn own_proxy_limits(profile: &str) -> Vec<(Feature, &'static str)> {
    match profile {
        // faasd 13f03f3 (2025-04, go.mod) requires faas-provider v0.25.3, whose proxy
        // neither tunnels WebSockets (ccde259, in v0.25.6) nor streams NDJSON (c81f542, v0.25.8).
        "faasd" | "faasd-ce" => vec![
            (Feature::Ndjson, "faasd 13f03f3 builds on faas-provider v0.25.3 (go.mod), before its proxy streamed NDJSON (c81f542, v0.25.8); --enable ndjson to check yours"),
            (Feature::Websockets, "faasd 13f03f3 builds on faas-provider v0.25.3 (go.mod), before its proxy tunnelled WebSockets (ccde259, v0.25.6); --enable websockets to check yours"),
        ],
        _ => Vec::new(),
    }
}

/// Builds the run's profile from detection and settings (`--profile`, `--enable`, `--disable`).
pub fn build(detected: Detected, settings: &Settings) -> Profile {
    build_with(detected, settings, &[])
}

/// Builds the run's profile from detection, probe findings and settings: the provider's
/// profile, then what the probes found (see [`apply_findings`]), then `--enable`/`--disable`.
pub fn build_with(detected: Detected, settings: &Settings, findings: &[Finding]) -> Profile {
    let forced = settings.profile.clone();
    let name = forced
        .clone()
        .unwrap_or_else(|| profile_name(&detected.provider).to_string());
    let mut features = BTreeMap::new();
    let why_profile = |reason: &str| match &forced {
        Some(p) => format!("--profile {p}: {reason}"),
        None if name == "unknown" => format!("provider {:?}: {reason}", detected.provider),
        None => format!("detected {name}: {reason}"),
    };
    if name == "core" {
        for f in Feature::ALL {
            features.insert(
                f,
                FeatureState {
                    enabled: false,
                    reason: "--profile core: optional features off".into(),
                },
            );
        }
    }
    for (f, enabled, reason) in provider_features(&name) {
        if name != "core" {
            features.insert(
                f,
                FeatureState {
                    enabled,
                    reason: why_profile(reason),
                },
            );
        }
    }
    if name != "core" {
        features.extend(run_features(&detected, settings));
        for (f, enabled, reason) in invocation_features(detected.gateway) {
            features.insert(
                f,
                FeatureState {
                    enabled,
                    reason: reason.into(),
                },
            );
        }
        if !detected.gateway {
            for (f, reason) in own_proxy_limits(&name) {
                let reason = why_profile(reason);
                features.insert(
                    f,
                    FeatureState {
                        enabled: false,
                        reason,
                    },
                );
            }
        }
        apply_findings(&mut features, &name, &detected, settings, findings);
    }
    apply_forced(&mut features, settings);
    Profile {
        name,
        detected,
        features,
    }
}

/// The features the run's own settings and the target's form decide: namespaces (an extra
/// namespace given), auth (credentials given) and gateway (`/system/info`'s form).
fn run_features(detected: &Detected, settings: &Settings) -> [(Feature, FeatureState); 3] {
    let state = |enabled: bool, reason: String| FeatureState { enabled, reason };
    let namespaces = match &settings.extra_namespace {
        Some(ns) => state(true, format!("extra namespace {ns} given")),
        None => state(false, "no --extra-namespace given".into()),
    };
    let auth = match &settings.credentials {
        Some(_) => state(
            true,
            "credentials given, so /system/* must refuse requests without them".into(),
        ),
        None => state(false, "no credentials given".into()),
    };
    let gateway = if detected.gateway {
        state(true, "/system/info has the gateway form".into())
    } else {
        state(false, "/system/info has the bare provider form".into())
    };
    [
        (Feature::Namespaces, namespaces),
        (Feature::Auth, auth),
        (Feature::Gateway, gateway),
    ]
}

/// `--enable` and `--disable`, over everything else.
fn apply_forced(features: &mut BTreeMap<Feature, FeatureState>, settings: &Settings) {
    for f in &settings.enable {
        features.insert(
            *f,
            FeatureState {
                enabled: true,
                reason: format!("--enable {f}"),
            },
        );
    }
    for f in &settings.disable {
        features.insert(
            *f,
            FeatureState {
                enabled: false,
                reason: format!("--disable {f}"),
            },
        );
    }
}

/// Folds probe findings into the features. For an unknown provider every finding decides.
/// Through a gateway a decisive finding wins over the provider's profile (the gateway may
/// take a feature away), with the profile's word kept in the reason. Otherwise the profile
/// stands, and a finding that contradicts it is shown in the reason.
fn apply_findings(
    features: &mut BTreeMap<Feature, FeatureState>,
    name: &str,
    detected: &Detected,
    settings: &Settings,
    findings: &[Finding],
) {
    let unknown = name == "unknown";
    for finding in findings {
        if finding.feature == Feature::Namespaces && settings.extra_namespace.is_none() {
            continue;
        }
        let Some(state) = features.get_mut(&finding.feature) else {
            continue;
        };
        let word = |on: bool| if on { "on" } else { "off" };
        let probed = if detected.gateway {
            "probed through the gateway"
        } else {
            "probed"
        };
        if unknown {
            *state = FeatureState {
                enabled: finding.enabled,
                reason: format!("{probed}: {}", finding.evidence),
            };
        } else if detected.gateway && finding.decisive {
            let profile = if finding.enabled == state.enabled {
                String::new()
            } else {
                format!("; the {name} profile alone says {}", word(state.enabled))
            };
            *state = FeatureState {
                enabled: finding.enabled,
                reason: format!("{probed}: {}{profile}", finding.evidence),
            };
        } else if finding.decisive && finding.enabled != state.enabled {
            state.reason = format!(
                "{}; the probe says {}: {}",
                state.reason,
                word(finding.enabled),
                finding.evidence
            );
        }
    }
}

#[cfg(test)]
mod tests;
