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

fn every_case() -> Selection {
    Selection {
        filters: vec![],
        skip: vec![],
        exact: false,
    }
}

fn only(filter: &str) -> Selection {
    Selection {
        filters: vec![filter.into()],
        skip: vec![],
        exact: false,
    }
}

#[test]
fn default_settings_weaken_nothing() {
    let suites = suite::load_builtin().unwrap();
    let s = Settings::new("http://127.0.0.1:8080");
    assert_eq!(weakening(&s, &every_case(), &suites), Vec::<String>::new());
    // A run deadline that leaves every case its own time weakens nothing either.
    let mut s = s;
    s.timeout = Some(Duration::from_secs(24 * 3600));
    s.settle = Duration::from_secs(60);
    s.request_timeout = Duration::from_secs(60);
    assert_eq!(weakening(&s, &every_case(), &suites), Vec::<String>::new());
}

#[test]
fn a_short_settle_weakens_the_cases_that_use_it() {
    let suites = suite::load_builtin().unwrap();
    let mut s = Settings::new("http://127.0.0.1:8080");
    s.settle = Duration::ZERO;
    let why = weakening(&s, &every_case(), &suites);
    assert_eq!(why.len(), 1, "{why:?}");
    assert!(
        why[0].starts_with("--settle 0s is below the default 20s")
            && why[0].contains("scale::scaling-disabled"),
        "{why:?}"
    );
    // Cases that do not use `${settle}` are not weakened by it.
    assert!(weakening(&s, &only("health::"), &suites).is_empty());
}

#[test]
fn a_short_run_timeout_or_request_timeout_weakens_the_run() {
    let suites = suite::load_builtin().unwrap();
    let mut s = Settings::new("http://127.0.0.1:8080");
    s.timeout = Some(Duration::from_secs(1));
    let why = weakening(&s, &only("health::"), &suites);
    assert_eq!(why.len(), 1, "{why:?}");
    assert!(
        why[0].starts_with("--timeout 1s is shorter than the longest case timeout"),
        "{why:?}"
    );
    let mut s = Settings::new("http://127.0.0.1:8080");
    s.request_timeout = Duration::from_secs(5);
    let why = weakening(&s, &only("health::"), &suites);
    assert_eq!(why.len(), 1, "{why:?}");
    assert!(
        why[0].starts_with("--request-timeout 5s is below the default 30s"),
        "{why:?}"
    );
}

/// An unfiltered run of the built-in suites on the detected profile is `certified` only
/// when no setting weakens a check: `--settle 0s` makes it `passed (partial)`, saying why.
#[test]
fn a_weakening_setting_makes_an_otherwise_certified_run_partial() {
    use crate::report::{Level, Summary, Verdict};
    let suites = suite::load_builtin().unwrap();
    let select = every_case();
    let summary = Summary {
        total: 1,
        passed: 1,
        ..Summary::default()
    };
    let mut meta = run_meta(&RunArgs::default(), &select, &suites);
    let certified = Verdict::decide(&summary, false, None, None, meta.partial_reasons());
    assert_eq!(certified.level, Level::Certified);
    let mut s = Settings::new("http://127.0.0.1:8080");
    s.settle = Duration::ZERO;
    meta.weakened = weakening(&s, &select, &suites);
    let partial = Verdict::decide(&summary, false, None, None, meta.partial_reasons());
    assert_eq!(partial.level, Level::Partial);
    assert_eq!(partial.reasons, meta.weakened);
}
