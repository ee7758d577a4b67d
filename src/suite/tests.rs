//! Loader tests: every step kind and expectation parses, and every mistake is located.

use super::*;

fn load(text: &str) -> Result<Suite, SuiteError> {
    load_str("t.yaml", text)
}

fn err(text: &str) -> String {
    match load(text) {
        Ok(_) => panic!("expected an error for:\n{text}"),
        Err(e) => e.to_string(),
    }
}

/// A suite using every step kind, expectation and capture once.
const EVERY_KIND: &str = r#"
description: every kind
requires: [secrets]
timeout: 20s
cases:
  - name: all
    requires: [logs]
    each_namespace: false
    vars: {fn: "f-${run}"}
    steps:
      - request: {method: POST, path: /system/functions, headers: {X-A: b}, body: "{"}
        expect: {status: [400, 422]}
      - request: {path: /x, json: {a: 1}}
        expect: {status: 4xx}
      - deploy:
          name: ${fn}
          image: ${registry}/alpine:latest
          namespace: ${namespace}
          fprocess: env
          env: {a: b}
          labels: {l: v}
          annotations: {n: v}
          secrets: [s]
          constraints: [c]
          limits: {memory: 5Mi, cpu: 100m}
          requests: {memory: 1Mi}
          read_only_root_filesystem: true
        expect: {status: [200, 201, 202]}
      - update: {name: "${fn}", image: i, null_labels: true}
        expect: {body_base64: AP8K}
      - status: {name: "${fn}"}
        retry: {timeout: 5s}
        until: {function: {replicas: 1, available_replicas: {min: 1}, invocation_count: {max: 9}}}
        capture:
          image: {json: /image}
      - list:
        expect: {json_list: true, json: [{name: "${fn}", image: "${image}"}]}
      - list: {namespace: "${default_namespace}"}
        expect: {json_lacks: [{name: nope}]}
      - scale: {name: "${fn}", replicas: 2}
      - invoke: {name: "${fn}", method: GET, path: /a/b, query: x=1, headers: {X-B: c}, body: hi, qualified: true}
        auth: none
        expect:
          status: 200
          body_contains: [a, b]
          body_not_contains: c
          body_matches: "^Http_Method=GET$"
          headers:
            X-Call-Id: {present: true}
            Content-Type: {equals: text/plain, matches: "^text/"}
        capture:
          call: {header: X-Call-Id}
          method: {regex: "Http_Method=(\\w+)"}
      - invoke: {name: "${fn}", random_body: 1048576}
        expect: {echo: true}
      - invoke: {name: "${fn}", random_body: 10}
        expect: {sha512_of_request: true, body: "${call}${method}"}
      - secret_create: {name: "s-${run}", value: v}
      - secret_create: {name: "r-${run}", raw_value_base64: AP8K}
      - secret_update: {name: "s-${run}", value: w}
        auth: wrong
      - secret_list:
      - secret_delete: {name: "s-${run}"}
      - logs:
          name: "${fn}"
          tail: "1"
          since: "2020-01-01T00:00:00Z"
          follow: true
          while_open:
            - invoke: {name: "${fn}", body: x}
        retry: {timeout: 1s}
        expect: {ndjson_each: {name: "${fn}"}, ndjson_count: {min: 1}}
      - namespaces:
      - namespace_create: {name: "ns-${run}", labels: {a: b}, annotations: {c: d}}
      - namespace_get: {name: "ns-${run}"}
      - namespace_update: {name: "ns-${run}", body_name: other}
      - namespace_delete: {name: "ns-${run}"}
      - info:
      - health: {method: HEAD}
      - load: {name: "${fn}", rps: 10, duration: 10ms}
        retry: {timeout: 2s}
        until: {function: {replicas: 2}}
      - delete: {name: "${fn}"}
"#;

#[test]
fn every_step_kind_and_expectation_loads() {
    let suite = load(EVERY_KIND).unwrap();
    assert_eq!(suite.name, "t");
    let case = &suite.cases[0];
    assert_eq!(case.requires, vec![Feature::Secrets, Feature::Logs]);
    assert!(!case.each_namespace);
    assert_eq!(case.timeout, std::time::Duration::from_secs(20));
    let keys: Vec<&str> = case.steps.iter().map(|s| s.op.key()).collect();
    for key in [
        "request",
        "deploy",
        "update",
        "status",
        "list",
        "scale",
        "invoke",
        "secret_create",
        "secret_update",
        "secret_list",
        "secret_delete",
        "logs",
        "namespaces",
        "namespace_create",
        "namespace_get",
        "namespace_update",
        "namespace_delete",
        "info",
        "health",
        "load",
        "delete",
    ] {
        assert!(keys.contains(&key), "{key} missing from {keys:?}");
    }
    let deploy = &case.steps[2];
    assert_eq!((deploy.span.line, deploy.span.column), (15, 9));
    let Operation::Deploy(d) = &deploy.op else {
        panic!("{deploy:?}")
    };
    assert_eq!(d.limits.as_ref().unwrap().memory.as_deref(), Some("5Mi"));
    assert!(d.read_only_root_filesystem);
    let update = &case.steps[3];
    assert!(matches!(&update.op, Operation::Update(d) if d.null_labels));
    let base64 = update.common.expect.body_base64.as_ref().unwrap();
    assert_eq!(base64.text(), "AP8K");
    assert_eq!(
        base64.bytes(),
        Some(&[0x00, 0xff, 0x0a][..]),
        "decoded at load"
    );
    let invoke = &case.steps[8].common;
    assert_eq!(invoke.auth, Some(AuthMode::None));
    assert!(invoke.expect.status.as_ref().unwrap().accepts(200));
    assert_eq!(
        invoke.expect.body_not_contains.as_slice(),
        ["c".to_string()]
    );
    assert_eq!(invoke.expect.headers["X-Call-Id"].present, Some(true));
    assert!(
        invoke
            .expect
            .body_matches
            .as_ref()
            .unwrap()
            .regex()
            .is_some(),
        "a literal regex is compiled at load"
    );
    assert!(case.steps[0]
        .common
        .expect
        .status
        .as_ref()
        .unwrap()
        .accepts(422));
    assert!(case.steps[1]
        .common
        .expect
        .status
        .as_ref()
        .unwrap()
        .accepts(404));
    assert!(!case.steps[1]
        .common
        .expect
        .status
        .as_ref()
        .unwrap()
        .accepts(500));
    let logs = case
        .steps
        .iter()
        .find_map(|s| match &s.op {
            Operation::Logs(l) => Some(l),
            _ => None,
        })
        .unwrap();
    assert_eq!(logs.while_open.len(), 1);
    assert_eq!(logs.steps.len(), 1);
    assert_eq!(logs.steps[0].op.key(), "invoke");
    let cond = case.steps[4]
        .common
        .until
        .as_ref()
        .unwrap()
        .function
        .as_ref()
        .unwrap();
    assert!(cond.available_replicas.as_ref().unwrap().accepts(3));
    assert!(!cond.invocation_count.as_ref().unwrap().accepts(10));
}

#[test]
fn unknown_key_is_located_with_hint() {
    let e = err("cases:\n  - name: a\n    steps:\n      - health:\n        expct: {status: 200}\n");
    assert!(e.starts_with("t.yaml:5:9: unknown field `expct`"), "{e}");
    assert!(e.contains("did you mean `expect`?"), "{e}");
    assert!(e.contains("   5 |         expct: {status: 200}"), "{e}");
}

#[test]
fn unknown_expectation_and_feature_are_named() {
    let e =
        err("cases:\n  - name: a\n    steps:\n      - health:\n        expect: {stauts: 200}\n");
    assert!(e.contains("did you mean `status`?"), "{e}");
    let e = err("requires: [scalling]\ncases:\n  - name: a\n    steps:\n      - health:\n");
    assert!(e.starts_with("t.yaml:1:"), "{e}");
    assert!(e.contains("did you mean `scaling`?"), "{e}");
}

#[test]
fn wrong_type_is_located() {
    let e = err("cases:\n  - name: a\n    steps:\n      - scale: {name: x, replicas: many}\n");
    assert!(
        e.starts_with("t.yaml:4:36: `replicas`: expected a whole number"),
        "{e}"
    );
}

#[test]
fn step_without_or_with_two_operations_is_refused() {
    let e = err("cases:\n  - name: a\n    steps:\n      - expect: {status: 200}\n");
    assert!(
        e.starts_with("t.yaml:4:9: the step has no operation"),
        "{e}"
    );
    let e = err("cases:\n  - name: a\n    steps:\n      - info:\n        health:\n");
    assert!(e.contains("several operations (info, health)"), "{e}");
}

#[test]
fn undefined_variable_is_refused_at_load_time() {
    let e = err("cases:\n  - name: a\n    steps:\n      - status: {name: \"f-${rnu}\"}\n");
    assert!(
        e.starts_with("t.yaml:4:27: undefined variable ${rnu}; did you mean ${run}?"),
        "{e}"
    );
    // A capture is defined only after its step.
    let e = err("cases:\n  - name: a\n    steps:\n      - info:\n        expect: {body: \"${v}\"}\n        capture: {v: {json: /a}}\n");
    assert!(e.contains("undefined variable ${v}"), "{e}");
}

#[test]
fn bad_durations_regexes_and_names_are_refused() {
    let e = err("cases:\n  - name: a\n    steps:\n      - health:\n        retry: {timeout: 3x}\n");
    assert!(
        e.starts_with("t.yaml:5:26: retry.timeout: bad duration"),
        "{e}"
    );
    let e = err(
        "cases:\n  - name: a\n    steps:\n      - health:\n        expect: {body_matches: \"(\"}\n",
    );
    assert!(e.contains("bad regex"), "{e}");
    let e = err("cases:\n  - name: a\n    steps:\n      - deploy: {name: x, image: y}\n");
    assert!(e.contains("must contain ${run}"), "{e}");
    for op in [
        "update: {name: env-test, image: i}",
        "delete: {name: env-test}",
        "scale: {name: env-test, replicas: 0}",
        "secret_delete: {name: secret-string}",
        "namespace_delete: {name: prod}",
    ] {
        let e = err(&format!("cases:\n  - name: a\n    steps:\n      - {op}\n"));
        assert!(e.contains("must contain ${run}"), "{op}: {e}");
    }
    let e = err("cases:\n  - name: a\n    steps:\n      - health:\n        until: {status: 200}\n");
    assert!(e.contains("`until` needs `retry"), "{e}");
}

#[test]
fn duplicate_and_missing_cases_are_refused() {
    let e = err("cases:\n  - name: a\n    steps: [{info: }]\n  - name: a\n    steps: [{info: }]\n");
    assert!(e.starts_with("t.yaml:4:5: duplicate case name `a`"), "{e}");
    let e = err("cases: []\n");
    assert!(e.contains("no cases"), "{e}");
}

#[test]
fn builtin_suites_load() {
    let suites = load_builtin().unwrap();
    assert!(!suites.is_empty());
}

#[test]
fn committed_schema_is_current() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/suites/schema.json");
    let fresh = schema_json();
    if std::env::var_os("UPDATE_SCHEMA").is_some() {
        std::fs::write(path, &fresh).unwrap();
    }
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        committed == fresh,
        "suites/schema.json is stale: run `UPDATE_SCHEMA=1 cargo test --lib schema`"
    );
    assert!(fresh.contains("\"secret_create\""), "{fresh}");
}

#[test]
fn duplicate_keys_are_refused() {
    let e = err("cases:\n  - name: a\n    name: b\n    steps: [{info: }]\n");
    assert!(e.starts_with("t.yaml:3:"), "{e}");
}

#[test]
fn load_dir_reads_yaml_files_and_refuses_an_empty_directory() {
    let dir = tempfile::tempdir().unwrap();
    assert!(matches!(load_dir(dir.path()), Err(SuiteError::Empty(_))));
    std::fs::write(
        dir.path().join("one.yaml"),
        "cases:\n  - name: a\n    steps: [{info: }]\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("notes.txt"), "not a suite").unwrap();
    let suites = load_dir(dir.path()).unwrap();
    assert_eq!(suites.len(), 1);
    assert_eq!(suites[0].name, "one");
    assert!(suites[0].file.ends_with("one.yaml"));
}

#[test]
fn builds_on_names_a_loaded_case_that_builds_on_nothing() {
    let with = |cases: &str| {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("s.yaml"), format!("cases:\n{cases}")).unwrap();
        load_dir(dir.path()).map(|_| ()).map_err(|e| e.to_string())
    };
    let case = |name: &str, on: &str| {
        format!("  - name: {name}\n    builds_on: [{on}]\n    steps: [{{info: }}]\n")
    };
    let base = "  - name: base\n    steps: [{info: }]\n";
    assert_eq!(with(&format!("{base}{}", case("a", "s::base"))), Ok(()));
    let e = with(&format!("{base}{}", case("a", "s::nope"))).unwrap_err();
    assert!(e.contains("no case `s::nope`"), "{e}");
    let e = with(&case("a", "s::a")).unwrap_err();
    assert!(e.contains("cannot build on itself"), "{e}");
    // A chain (or a cycle) is refused: one level of foundations only.
    let e = with(&format!("{}{}", case("a", "s::b"), case("b", "s::a"))).unwrap_err();
    assert!(e.contains("builds on other cases itself"), "{e}");
}

#[test]
fn a_gateway_alternative_is_checked_like_an_expectation() {
    let ok = "cases:\n  - name: a\n    steps:\n      - health:\n        expect: {status: 422, through_gateway: {status: 500}}\n";
    assert!(load(ok).is_ok());
    let e = err("cases:\n  - name: a\n    steps:\n      - health:\n        expect: {status: 200, through_gateway: {status: 5xy}}\n");
    assert!(e.contains("through_gateway: bad status 5xy"), "{e}");
    let e = err("cases:\n  - name: a\n    steps:\n      - health:\n        expect: {through_gateway: {through_gateway: {status: 200}}}\n");
    assert!(e.contains("cannot hold another through_gateway"), "{e}");
}

#[test]
fn contract_ids_must_name_the_clauses_the_loader_is_given() {
    // The clause ids are data the caller passes in (the binary passes CONTRACT.md's).
    let clauses = ["invoke.method", "health.get"];
    let loader = Loader::with_clauses(&clauses);
    let err = |text: &str| match loader.text("t.yaml", text) {
        Ok(_) => panic!("expected an error for:\n{text}"),
        Err(e) => e.to_string(),
    };
    let e = err("cases:\n  - name: a\n    contract: [invoke.methods]\n    steps: [{info: }]\n");
    assert!(
        e.starts_with("t.yaml:3:16: contract: `invoke.methods` is not a clause of CONTRACT.md; did you mean `invoke.method`?"),
        "{e}"
    );
    let e = err("cases:\n  - name: a\n    contract: [zzz.qqq]\n    steps: [{info: }]\n");
    assert!(
        e.contains("`faas-certifier contract` lists the clauses"),
        "{e}"
    );
    let e = err("cases:\n  - name: a\n    contract: [invoke.method, invoke.method]\n    steps: [{info: }]\n");
    assert!(e.contains("`invoke.method` is named twice"), "{e}");
    let text =
        "cases:\n  - name: a\n    contract: [invoke.method, health.get]\n    steps: [{info: }]\n";
    let suite = loader.text("t.yaml", text).unwrap();
    assert_eq!(suite.cases[0].contract, ["invoke.method", "health.get"]);
    // Without clauses to check against, an id is only checked to be named once.
    assert!(load("cases:\n  - name: a\n    contract: [zzz.qqq]\n    steps: [{info: }]\n").is_ok());
    let e = super::load_str(
        "t.yaml",
        "cases:\n  - name: a\n    contract: [a.b, a.b]\n    steps: [{info: }]\n",
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("`a.b` is named twice"), "{e}");
}

#[test]
fn literal_regexes_and_base64_are_prepared_at_load_and_variables_wait() {
    let e = err("cases:\n  - name: a\n    steps:\n      - info:\n        expect: {body_base64: \"not base64!\"}\n");
    assert!(
        e.starts_with("t.yaml:5:9: expect: body_base64 is not base64"),
        "{e}"
    );
    let e = err(
        "cases:\n  - name: a\n    steps:\n      - info:\n        capture: {v: {regex: \"(\"}}\n",
    );
    assert!(e.starts_with("t.yaml:5:30: capture `v`: bad regex"), "{e}");
    // With a variable, the value is prepared when the step runs, after expansion.
    let suite = load("cases:\n  - name: a\n    vars: {re: \"(\", b: \"!\"}\n    steps:\n      - info:\n        expect: {body_matches: \"${re}\", body_base64: \"${b}\"}\n").unwrap();
    let expect = &suite.cases[0].steps[0].common.expect;
    assert!(expect.body_matches.as_ref().unwrap().regex().is_none());
    assert!(expect.body_base64.as_ref().unwrap().bytes().is_none());
    let vars = [("re", "("), ("b", "!")]
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .into();
    let e = suite.cases[0].steps[0].expanded(&vars).unwrap_err();
    assert!(e.starts_with("expect: bad regex \"(\""), "{e}");
}

#[test]
fn the_step_kinds_are_the_operation_enum() {
    // Every kind has a key, the one serde reads it by: the schema's one-operation branches,
    // generated from serde's view of the enum, are `Operation::KEYS`, in order.
    let schema: serde_json::Value = serde_json::from_str(&schema_json()).unwrap();
    let serde_keys: Vec<&str> = schema["$defs"]["Step"]["oneOf"]
        .as_array()
        .expect("a oneOf of operations")
        .iter()
        .map(|branch| branch["required"][0].as_str().expect("one required key"))
        .collect();
    assert_eq!(serde_keys, Operation::KEYS);
    // The message for a step without one lists them all.
    let e = err("cases:\n  - name: a\n    steps:\n      - expect: {status: 200}\n");
    for key in Operation::KEYS {
        assert!(e.contains(key), "{key} missing from {e}");
    }
    // An unknown key is named by the loader itself, with the closest key.
    let e = err("cases:\n  - name: a\n    steps:\n      - namespace_crate: {name: \"n-${run}\"}\n");
    assert!(
        e.starts_with("t.yaml:4:9: unknown field `namespace_crate`"),
        "{e}"
    );
    assert!(e.contains("did you mean `namespace_create`?"), "{e}");
}
