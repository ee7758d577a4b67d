use super::*;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

#[test]
fn the_contract_parses_and_names_the_clauses_others_cite() {
    let all = clauses().unwrap();
    assert!(all.len() > 60, "only {} clauses", all.len());
    for id in [
        "invoke.method",
        "secrets.list-without-values",
        "status.always-labels-annotations",
        "gateway.healthz-head",
        "gateway.scale-zero-clamp",
        "gateway.namespace-crud-unrouted",
        "gateway.logs-content-type",
        "gateway.logs-error-500",
        "gateway.forwarded-headers",
    ] {
        assert!(exists(id), "{id} is missing");
    }
    let status = all
        .iter()
        .find(|c| c.id == "status.always-labels-annotations")
        .unwrap();
    assert_eq!(status.level, RequirementLevel::Must);
    assert_eq!(status.section, "2. JSON shapes");
    assert!(
        status.summary.contains("`labels` and `annotations`"),
        "{status:?}"
    );
    let head = all.iter().find(|c| c.id == "health.head").unwrap();
    assert_eq!(head.level, RequirementLevel::May);
    assert!(
        all.iter().all(|c| !c.summary.is_empty()),
        "a clause has no text"
    );
}

#[test]
fn malformed_contracts_are_refused_with_the_line() {
    let cases = [
        (
            "#### <a id=\"a.b\"></a>`a.c` MUST\n",
            "1: the anchor `a.b` differs",
        ),
        ("#### `a.b` MUST\n", "1: a clause heading must read"),
        (
            "#### <a id=\"a.b\"></a>`a.b` MUSTN'T\n",
            "1: a clause heading",
        ),
        (
            "#### <a id=\"ab\"></a>`ab` MAY\n",
            "1: `ab` is not a clause id",
        ),
        (
            "#### <a id=\"a.b\"></a>`a.b` MAY\n\nx\n\n#### <a id=\"a.b\"></a>`a.b` MAY\n",
            "5: the clause `a.b` is written twice",
        ),
        (
            "#### <a id=\"a.b\"></a>`a.b` MUST\n\nx\n\nuntested:\n",
            "`a.b` is marked untested without a reason",
        ),
    ];
    for (text, want) in cases {
        let e = parse(text).unwrap_err().to_string();
        assert!(e.contains(want), "{text:?}: {e}");
    }
}

#[test]
fn ids_have_the_area_dot_rule_form() {
    assert!(valid_id("invoke.method"));
    assert!(valid_id("gateway.logs-error-500"));
    for bad in [
        "invoke",
        "Invoke.method",
        "invoke.",
        ".x",
        "a..b",
        "a.b-",
        "a b.c",
    ] {
        assert!(!valid_id(bad), "{bad}");
    }
}

/// Every link to `CONTRACT.md#` and a clause id written in the repository (and every `(#…)` link inside
/// CONTRACT.md) names a clause that exists.
#[test]
fn every_reference_to_a_clause_resolves() {
    let link = Regex::new(r"CONTRACT\.md#([A-Za-z0-9._-]+)").unwrap();
    let inner = Regex::new(r"\]\(#([a-z0-9-]+\.[a-z0-9.-]+)\)").unwrap();
    let mut files = Vec::new();
    for dir in ["src", "tests", "suites", "fixtures", "ci", "benches"] {
        collect(&std::path::Path::new(ROOT).join(dir), &mut files);
    }
    files.push(std::path::Path::new(ROOT).join("README.md"));
    let mut refs = 0;
    let mut broken = Vec::new();
    for path in files {
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        for m in link.captures_iter(&text) {
            refs += 1;
            let id = m[1].trim_end_matches('.');
            if !exists(id) {
                broken.push(format!("{}: {id}", path.display()));
            }
        }
    }
    for m in inner.captures_iter(TEXT) {
        refs += 1;
        if !exists(&m[1]) {
            broken.push(format!("CONTRACT.md: {}", &m[1]));
        }
    }
    assert!(refs > 20, "only {refs} references found");
    assert!(
        broken.is_empty(),
        "references to no clause:\n{}",
        broken.join("\n")
    );
}

fn collect(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, out);
        } else if path.extension().is_some_and(|e| {
            ["rs", "md", "yaml", "yml", "json"].contains(&e.to_str().unwrap_or(""))
        }) {
            out.push(path);
        }
    }
}

#[test]
fn committed_openapi_document_is_current() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/contract/openapi.json");
    let fresh = openapi::json();
    if std::env::var_os("UPDATE_SCHEMA").is_some() {
        std::fs::write(path, &fresh).unwrap();
    }
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        committed == fresh,
        "contract/openapi.json is stale: run `UPDATE_SCHEMA=1 cargo test --lib contract`"
    );
}

/// The document is OpenAPI 3.1 in structure: it reads back as one, every schema is valid
/// JSON Schema 2020-12, every `$ref` resolves, every path parameter is declared, every
/// operation has responses keyed by a status code.
#[test]
fn the_openapi_document_is_valid_openapi_3_1() {
    let doc: serde_json::Value = serde_json::from_str(&openapi::json()).unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    assert!(doc["info"]["title"].is_string() && doc["info"]["version"].is_string());
    let _: utoipa::openapi::OpenApi = serde_json::from_value(doc.clone()).unwrap();
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    for (name, schema) in schemas {
        if let Err(e) = jsonschema::draft202012::meta::validate(schema) {
            panic!("components.schemas.{name} is not JSON Schema 2020-12: {e}");
        }
    }
    let mut refs = Vec::new();
    collect_refs(&doc, &mut refs);
    assert!(refs.len() > 10, "{refs:?}");
    for r in refs {
        let name = r
            .strip_prefix("#/components/schemas/")
            .unwrap_or_else(|| panic!("a $ref outside the components: {r}"));
        assert!(schemas.contains_key(name), "{r} does not resolve");
    }
    let param = Regex::new(r"\{([^}]+)\}").unwrap();
    let clause = Regex::new(r"([a-z0-9-]+\.[a-z0-9-]+)").unwrap();
    let methods = [
        "get", "put", "post", "delete", "options", "head", "patch", "trace",
    ];
    let mut operations = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        assert!(path.starts_with('/'), "{path}");
        let in_path: Vec<&str> = param
            .captures_iter(path)
            .map(|m| m.get(1).unwrap().as_str())
            .collect();
        for (method, op) in item.as_object().unwrap() {
            assert!(methods.contains(&method.as_str()), "{path}: {method}");
            operations += 1;
            let declared: Vec<&str> = op["parameters"]
                .as_array()
                .map(|ps| {
                    ps.iter()
                        .filter(|p| p["in"] == "path")
                        .map(|p| p["name"].as_str().unwrap())
                        .collect()
                })
                .unwrap_or_default();
            let mut want = in_path.clone();
            want.sort();
            let mut got = declared.clone();
            got.sort();
            assert_eq!(want, got, "{method} {path}: path parameters");
            for p in op["parameters"].as_array().into_iter().flatten() {
                if p["in"] == "path" {
                    assert_eq!(p["required"], true, "{method} {path}: {p}");
                }
            }
            let responses = op["responses"].as_object().unwrap();
            assert!(!responses.is_empty(), "{method} {path}: no responses");
            for (code, response) in responses {
                assert!(
                    code.len() == 3 && code.parse::<u16>().is_ok_and(|c| (100..600).contains(&c)),
                    "{method} {path}: response key {code}"
                );
                assert!(
                    response["description"].is_string(),
                    "{method} {path} {code}"
                );
            }
            let described = op["description"].as_str().unwrap_or_default();
            let cited: Vec<&str> = clause
                .captures_iter(described.split("Clauses:").nth(1).unwrap_or_default())
                .map(|m| m.get(1).unwrap().as_str())
                .collect();
            assert!(!cited.is_empty(), "{method} {path} names no clause");
            for id in cited {
                assert!(exists(id), "{method} {path} cites `{id}`");
            }
        }
    }
    assert!(operations >= 22, "{operations} operations");
}

fn collect_refs(value: &serde_json::Value, out: &mut Vec<String>) {
    match value {
        serde_json::Value::Object(obj) => {
            for (k, v) in obj {
                if k == "$ref" {
                    out.push(v.as_str().unwrap_or_default().to_string());
                } else {
                    collect_refs(v, out);
                }
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| collect_refs(v, out)),
        _ => {}
    }
}
