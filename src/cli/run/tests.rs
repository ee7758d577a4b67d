//! Option resolution: defaults < environment < flags, credentials, and refusals.

use std::collections::HashMap;

use super::*;

fn resolve_with(args: &RunArgs, env: &[(&str, &str)], stdin: &str) -> Result<Settings, String> {
    let map: HashMap<String, String> = env
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let lookup = move |k: &str| map.get(k).cloned();
    resolve(args, &lookup, &mut stdin.as_bytes()).map_err(|e| e.to_string())
}

#[test]
fn defaults_apply_without_flags_or_environment() {
    let s = resolve_with(&RunArgs::default(), &[], "").unwrap();
    assert_eq!(s.gateway, "http://127.0.0.1:8080");
    assert_eq!(s.namespace, "openfaas-fn");
    assert_eq!(s.extra_namespace, None);
    assert_eq!(s.credentials, None);
    assert_eq!(s.registry, DEFAULT_REGISTRY);
    assert_eq!(s.jobs, DEFAULT_JOBS);
}

#[test]
fn environment_applies_and_flags_win() {
    let env = [
        ("gateway_url", "http://legacy:8080"),
        ("OPENFAAS_URL", "http://env:8080/"),
        ("CERTIFIER_DEFAULT_NAMESPACE", "fn-env"),
        ("CERTIFIER_NAMESPACES", "fn-env, extra-env"),
        ("OPENFAAS_TOKEN", "env-token"),
    ];
    let s = resolve_with(&RunArgs::default(), &env, "").unwrap();
    assert_eq!(s.gateway, "http://env:8080");
    assert_eq!(s.namespace, "fn-env");
    assert_eq!(s.extra_namespace.as_deref(), Some("extra-env"));
    assert_eq!(s.credentials, Some(Credentials::Bearer("env-token".into())));
    let legacy = resolve_with(&RunArgs::default(), &env[..1], "").unwrap();
    assert_eq!(legacy.gateway, "http://legacy:8080");
    let args = RunArgs {
        gateway: Some("https://flag.example".into()),
        namespace: Some("fn-flag".into()),
        extra_namespace: Some("extra-flag".into()),
        username: Some("admin".into()),
        password_stdin: true,
        ..Default::default()
    };
    let s = resolve_with(&args, &env, "p4ss\n").unwrap();
    assert_eq!(s.gateway, "https://flag.example");
    assert_eq!(s.namespace, "fn-flag");
    assert_eq!(s.extra_namespace.as_deref(), Some("extra-flag"));
    assert_eq!(
        s.credentials,
        Some(Credentials::Basic {
            user: "admin".into(),
            password: "p4ss".into()
        })
    );
}

#[test]
fn faas_cli_config_is_the_last_resort() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("config.yml"),
        "auths:\n- gateway: http://gw:8080\n  auth: oauth2\n  token: from-file\n",
    )
    .unwrap();
    let d = dir.path().display().to_string();
    let args = RunArgs {
        gateway: Some("http://GW:8080/".into()),
        ..Default::default()
    };
    let s = resolve_with(&args, &[("OPENFAAS_CONFIG", &d)], "").unwrap();
    assert_eq!(s.credentials, Some(Credentials::Bearer("from-file".into())));
    let s = resolve_with(
        &args,
        &[("OPENFAAS_CONFIG", &d), ("OPENFAAS_TOKEN", "env")],
        "",
    )
    .unwrap();
    assert_eq!(s.credentials, Some(Credentials::Bearer("env".into())));
}

#[test]
fn bad_values_are_refused() {
    let bad = |args: RunArgs| resolve_with(&args, &[], "").unwrap_err();
    assert!(bad(RunArgs {
        gateway: Some("ftp://x".into()),
        ..Default::default()
    })
    .contains("http"));
    assert!(bad(RunArgs {
        enable: vec!["scalling".into()],
        ..Default::default()
    })
    .contains("unknown feature"));
    assert!(bad(RunArgs {
        profile: Some("k3s".into()),
        ..Default::default()
    })
    .contains("unknown profile"));
    assert!(bad(RunArgs {
        jobs: Some(0),
        ..Default::default()
    })
    .contains("--jobs"));
    let same = RunArgs {
        extra_namespace: Some("openfaas-fn".into()),
        ..Default::default()
    };
    assert!(bad(same).contains("must differ"));
    let empty = RunArgs {
        username: Some("a".into()),
        password_stdin: true,
        ..Default::default()
    };
    assert!(resolve_with(&empty, &[], "\n")
        .unwrap_err()
        .contains("empty password"));
}

#[test]
fn selection_filters_skips_and_exact() {
    let sel = Selection {
        filters: vec!["invoke::".into(), "health".into()],
        skip: vec!["@extra".into()],
        exact: false,
    };
    assert!(sel.selects("invoke::verbs"));
    assert!(sel.selects("health::healthz"));
    assert!(!sel.selects("invoke::verbs@extra"));
    assert!(!sel.selects("deploy::plain"));
    let exact = Selection {
        filters: vec!["invoke::verbs".into()],
        skip: vec![],
        exact: true,
    };
    assert!(exact.selects("invoke::verbs"));
    assert!(!exact.selects("invoke::verbs@extra"));
}
