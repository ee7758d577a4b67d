//! Profile detection from recorded `/system/info` answers of real providers.

use super::*;

fn fixture(name: &str) -> Value {
    let path = format!("{}/fixtures/info/{name}.json", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap()
}

fn profile_of(name: &str) -> Profile {
    build(detect(&fixture(name)), &Settings::new("http://x"))
}

#[test]
fn bare_providers_are_recognised() {
    for (file, profile, provider) in [
        ("faas-netes", "faas-netes", "faas-netes"),
        ("faas-netes-ce", "faas-netes-ce", "faas-netes-ce"),
        ("faasd", "faasd", "faasd"),
        ("faasd-ce", "faasd-ce", "faasd-ce"),
        ("mock", "mock", "faas-certifier-mock"),
    ] {
        let p = profile_of(file);
        assert_eq!(p.name, profile, "{file}");
        assert_eq!(p.detected.provider, provider, "{file}");
        assert!(!p.detected.gateway, "{file}");
        assert!(!p.has(Feature::Gateway), "{file}");
        assert!(!p.detected.version.is_empty(), "{file}");
    }
}

#[test]
fn gateway_forms_unwrap_the_provider() {
    for (file, profile) in [
        ("gateway-faas-netes", "faas-netes"),
        ("gateway-faas-netes-ce", "faas-netes-ce"),
        ("gateway-faasd", "faasd"),
        ("gateway-faasd-ce", "faasd-ce"),
        ("gateway-mock", "mock"),
    ] {
        let p = profile_of(file);
        assert_eq!(p.name, profile, "{file}");
        assert!(p.detected.gateway, "{file}");
        assert!(p.has(Feature::Gateway), "{file}");
        assert!(!p.detected.gateway_version.is_empty(), "{file}");
    }
}

#[test]
fn features_follow_the_provider_with_reasons() {
    let netes = profile_of("faas-netes-ce");
    assert!(netes.has(Feature::Scaling) && netes.has(Feature::Secrets) && netes.has(Feature::Logs));
    assert!(!netes.has(Feature::ScaleToZero));
    assert!(netes.why_not(Feature::NamespaceCrud).contains("Pro"));
    let faasd = profile_of("faasd-ce");
    assert!(!faasd.has(Feature::Scaling));
    assert!(faasd.why_not(Feature::Scaling).contains("one replica"));
    let mock = profile_of("mock");
    assert!(mock.has(Feature::Autoscaling) && mock.has(Feature::NamespaceCrud));
    assert!(!mock.has(Feature::Namespaces), "no extra namespace given");
    assert_eq!(mock.why_not(Feature::Auth), "no credentials given");
}

#[test]
fn unknown_provider_keeps_only_the_core() {
    let p = build(
        detect(&serde_json::json!({"provider": "faas-memory", "version": {"release": "1"}})),
        &Settings::new("http://x"),
    );
    assert_eq!(p.name, "unknown");
    assert!(!p.has(Feature::Secrets));
    assert!(p.why_not(Feature::Secrets).contains("\"faas-memory\""));
}

#[test]
fn overrides_win_over_detection() {
    let mut s = Settings::new("http://x");
    s.profile = Some("faasd-ce".into());
    s.enable = vec![Feature::Autoscaling];
    s.disable = vec![Feature::Logs];
    s.extra_namespace = Some("extra".into());
    let p = build(detect(&fixture("mock")), &s);
    assert_eq!(p.name, "faasd-ce");
    assert!(!p.has(Feature::Scaling));
    assert!(p.has(Feature::Autoscaling));
    assert_eq!(p.why_not(Feature::Logs), "--disable logs");
    assert!(p.has(Feature::Namespaces));
}

fn finding(feature: Feature, enabled: bool, decisive: bool) -> Finding {
    Finding {
        feature,
        enabled,
        evidence: format!("probe of {feature}"),
        decisive,
    }
}

#[test]
fn probes_decide_for_an_unknown_provider() {
    let info = serde_json::json!({"provider": "faas-memory", "version": {"release": "1"}});
    let findings = [
        finding(Feature::Secrets, true, true),
        finding(Feature::Scaling, true, false),
    ];
    let p = build_with(detect(&info), &Settings::new("http://x"), &findings);
    assert!(p.has(Feature::Secrets) && p.has(Feature::Scaling));
    assert_eq!(
        p.features[&Feature::Scaling].reason,
        "probed: probe of scaling"
    );
    assert!(!p.has(Feature::Logs), "not probed, so off");
}

#[test]
fn through_a_gateway_only_decisive_probes_win() {
    let findings = [
        finding(Feature::ScaleToZero, false, true),
        finding(Feature::Scaling, true, false),
    ];
    let p = build_with(
        detect(&fixture("gateway-faasd-ce")),
        &Settings::new("http://x"),
        &findings,
    );
    assert!(!p.has(Feature::ScaleToZero));
    assert_eq!(
        p.features[&Feature::ScaleToZero].reason,
        "probed through the gateway: probe of scale-to-zero"
    );
    // The scale endpoint answering says nothing of faasd's single replica.
    assert!(!p.has(Feature::Scaling));
    assert!(p.why_not(Feature::Scaling).contains("one replica"));
    let mock = build_with(
        detect(&fixture("gateway-mock")),
        &Settings::new("http://x"),
        &findings,
    );
    assert!(mock.features[&Feature::ScaleToZero]
        .reason
        .ends_with("; the mock profile alone says on"));
}

#[test]
fn a_bare_known_provider_keeps_its_profile_and_shows_the_contradiction() {
    let findings = [
        finding(Feature::NamespaceCrud, false, true),
        finding(Feature::Namespaces, false, true),
    ];
    let p = build_with(
        detect(&fixture("mock")),
        &Settings::new("http://x"),
        &findings,
    );
    assert!(p.has(Feature::NamespaceCrud));
    assert_eq!(
        p.features[&Feature::NamespaceCrud].reason,
        "detected mock: the profile has every optional feature; the probe says off: probe of namespace-crud"
    );
    // Without an extra namespace the namespace list's probe is not the reason.
    assert_eq!(p.why_not(Feature::Namespaces), "no --extra-namespace given");
    // Overrides still win over probes.
    let mut s = Settings::new("http://x");
    s.enable = vec![Feature::ScaleToZero];
    let forced = build_with(
        detect(&fixture("gateway-mock")),
        &s,
        &[finding(Feature::ScaleToZero, false, true)],
    );
    assert!(forced.has(Feature::ScaleToZero));
}

#[test]
fn what_answers_function_decides_the_invocation_features() {
    let bare = profile_of("faas-netes-ce");
    for f in [
        Feature::Streaming,
        Feature::Ndjson,
        Feature::Websockets,
        Feature::ProviderProxy,
    ] {
        assert!(bare.has(f), "{f}");
    }
    assert!(!bare.has(Feature::Async));
    assert!(bare.why_not(Feature::Async).contains("gateway's"));
    let gateway = profile_of("gateway-faasd-ce");
    assert!(gateway.has(Feature::Streaming) && gateway.has(Feature::Async));
    for f in [Feature::Ndjson, Feature::Websockets, Feature::ProviderProxy] {
        assert!(!gateway.has(f), "{f}");
    }
    assert!(gateway
        .why_not(Feature::Websockets)
        .contains("8d803bf9 forwarding_proxy.go"));
    let core = {
        let mut s = Settings::new("http://x");
        s.profile = Some("core".into());
        build(detect(&fixture("mock")), &s)
    };
    assert!(!core.has(Feature::Streaming));
}

#[test]
fn a_bare_faasd_has_the_proxy_of_its_faas_provider_release() {
    // faasd 13f03f3 builds on faas-provider v0.25.3: SSE streams, NDJSON and WebSockets don't.
    for file in ["faasd", "faasd-ce"] {
        let p = profile_of(file);
        assert!(
            p.has(Feature::Streaming) && p.has(Feature::ProviderProxy),
            "{file}"
        );
        for (f, commit) in [
            (Feature::Ndjson, "c81f542"),
            (Feature::Websockets, "ccde259"),
        ] {
            assert!(!p.has(f), "{file}: {f}");
            let why = p.why_not(f);
            assert!(why.starts_with("detected faasd"), "{why}");
            assert!(why.contains("v0.25.3") && why.contains(commit), "{why}");
            assert!(why.contains(&format!("--enable {f}")), "{why}");
        }
    }
    let mut s = Settings::new("http://x");
    s.enable = vec![Feature::Websockets];
    let forced = build(detect(&fixture("faasd")), &s);
    assert!(forced.has(Feature::Websockets) && !forced.has(Feature::Ndjson));
}

#[test]
fn a_gateway_without_a_queue_has_async_off_by_its_probe() {
    let p = build_with(
        detect(&fixture("gateway-faas-netes-ce")),
        &Settings::new("http://x"),
        &[finding(Feature::Async, false, true)],
    );
    assert!(!p.has(Feature::Async));
    assert_eq!(
        p.why_not(Feature::Async),
        "probed through the gateway: probe of async; the faas-netes-ce profile alone says on"
    );
    let mut s = Settings::new("http://x");
    s.enable = vec![Feature::Async];
    let forced = build_with(
        detect(&fixture("gateway-faas-netes-ce")),
        &s,
        &[finding(Feature::Async, false, true)],
    );
    assert!(forced.has(Feature::Async));
}
