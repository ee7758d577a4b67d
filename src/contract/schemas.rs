//! The answer schemas of `contract/openapi.json`, compiled once per run: the runner checks
//! every JSON (and NDJSON) answer against its route's schema, and a shape error fails the
//! step with the JSON pointer of the first error.

use serde_json::Value;

/// Why the answer schemas do not compile: a defect of the certifier's own document.
#[derive(Debug, thiserror::Error)]
pub enum SchemaError {
    /// The OpenAPI document cannot be rendered as JSON.
    #[error("cannot render the OpenAPI document: {0}")]
    Render(#[source] serde_json::Error),
    /// The document has no `paths`.
    #[error("the OpenAPI document has no paths")]
    NoPaths,
    /// An answer's schema does not compile.
    #[error("{route}: {reason}")]
    Compile {
        /// `METHOD TEMPLATE STATUS`.
        route: String,
        /// The compiler's message.
        reason: String,
    },
}

/// How a response body is framed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Framing {
    /// One JSON document.
    Json,
    /// One JSON document per line.
    Ndjson,
}

/// One segment of a route's path template.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    /// Written as is.
    Literal(String),
    /// `{name}`: any one segment.
    Param,
}

/// A route's method and path, and the compiled schema of each answer status that has one.
struct Route {
    method: String,
    template: String,
    segments: Vec<Segment>,
    answers: Vec<(u16, Framing, jsonschema::Validator)>,
}

/// Why an answer does not fit its schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShapeError {
    /// The route, the JSON pointer of the first error and what is wrong.
    pub message: String,
    /// Whether the body is not JSON at all (rather than JSON of the wrong shape).
    pub not_json: bool,
}

impl std::fmt::Display for ShapeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// Every answer schema of the contract, compiled.
pub struct Schemas {
    routes: Vec<Route>,
}

impl std::fmt::Debug for Schemas {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Schemas")
            .field("routes", &self.routes.len())
            .finish()
    }
}

impl Schemas {
    /// Compiles the schemas of the document generated from the model types.
    pub fn compile() -> Result<Schemas, SchemaError> {
        let doc = serde_json::to_value(super::openapi::document()).map_err(SchemaError::Render)?;
        Self::from_document(&doc)
    }

    /// Compiles the answer schemas of an OpenAPI 3.1 document.
    pub fn from_document(doc: &Value) -> Result<Schemas, SchemaError> {
        let components = doc.get("components").cloned().unwrap_or(Value::Null);
        let mut routes = Vec::new();
        let Some(paths) = doc.get("paths").and_then(Value::as_object) else {
            return Err(SchemaError::NoPaths);
        };
        for (template, item) in paths {
            let Some(item) = item.as_object() else {
                continue;
            };
            for (method, operation) in item {
                let Some(responses) = operation.get("responses").and_then(Value::as_object) else {
                    continue;
                };
                let mut answers = Vec::new();
                for (status, response) in responses {
                    let Ok(status) = status.parse::<u16>() else {
                        continue;
                    };
                    let content = response.get("content");
                    for (media, framing) in [
                        ("application/json", Framing::Json),
                        ("application/x-ndjson", Framing::Ndjson),
                    ] {
                        let Some(schema) = content
                            .and_then(|c| c.get(media))
                            .and_then(|m| m.get("schema"))
                        else {
                            continue;
                        };
                        let mut root = schema.clone();
                        if let Some(obj) = root.as_object_mut() {
                            obj.insert("components".into(), components.clone());
                        }
                        let validator = jsonschema::draft202012::new(&root).map_err(|e| {
                            SchemaError::Compile {
                                route: format!("{} {template} {status}", method.to_uppercase()),
                                reason: e.to_string(),
                            }
                        })?;
                        answers.push((status, framing, validator));
                    }
                }
                if !answers.is_empty() {
                    routes.push(Route {
                        method: method.to_uppercase(),
                        template: template.clone(),
                        segments: segments(template),
                        answers,
                    });
                }
            }
        }
        Ok(Schemas { routes })
    }

    /// How many route answers have a schema.
    pub fn len(&self) -> usize {
        self.routes.iter().map(|r| r.answers.len()).sum()
    }

    /// Whether no answer has a schema.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Checks an answer against its route's schema: `Ok` when the route and status have none.
    /// The error names the route, the JSON pointer of the first error and what is wrong.
    pub fn check(
        &self,
        method: &str,
        path: &str,
        status: u16,
        body: &[u8],
    ) -> Result<(), ShapeError> {
        let path = path.split(['?', '#']).next().unwrap_or_default();
        let Some(route) = self
            .routes
            .iter()
            .find(|r| r.method.eq_ignore_ascii_case(method) && matches(&r.segments, path))
        else {
            return Ok(());
        };
        let Some((_, framing, validator)) = route.answers.iter().find(|(s, _, _)| *s == status)
        else {
            return Ok(());
        };
        let what = format!(
            "the answer to {} {} ({status}) breaks its schema in contract/openapi.json",
            route.method, route.template
        );
        let not_json = |message: String| ShapeError {
            message,
            not_json: true,
        };
        let shape = |message: String| ShapeError {
            message,
            not_json: false,
        };
        match framing {
            Framing::Json => {
                let value: Value = serde_json::from_slice(body)
                    .map_err(|e| not_json(format!("{what}: the body is not JSON ({e})")))?;
                first_error(validator, &value).map_err(|e| shape(format!("{what}: {e}")))
            }
            Framing::Ndjson => {
                for (n, line) in body.split(|b| *b == b'\n').enumerate() {
                    if line.iter().all(u8::is_ascii_whitespace) {
                        continue;
                    }
                    let value: Value = serde_json::from_slice(line).map_err(|e| {
                        not_json(format!("{what}: line {} is not JSON ({e})", n + 1))
                    })?;
                    first_error(validator, &value)
                        .map_err(|e| shape(format!("{what}: line {}, {e}", n + 1)))?;
                }
                Ok(())
            }
        }
    }
}

/// The first error as `at /pointer: message` (`/` for the document itself).
fn first_error(validator: &jsonschema::Validator, value: &Value) -> Result<(), String> {
    match validator.iter_errors(value).next() {
        None => Ok(()),
        Some(e) => {
            let pointer = e.instance_path().to_string();
            let pointer = if pointer.is_empty() {
                "/".into()
            } else {
                pointer
            };
            let message = e.to_string();
            // The objects Go clients dereference have a clause of their own.
            let clause = if ["labels", "annotations"].iter().any(|f| {
                pointer.ends_with(&format!("/{f}")) || message.contains(&format!("\"{f}\""))
            }) {
                "status.always-labels-annotations"
            } else {
                "shapes.field-names"
            };
            Err(format!("at {pointer}: {message} (CONTRACT.md#{clause})"))
        }
    }
}

fn segments(template: &str) -> Vec<Segment> {
    template
        .trim_start_matches('/')
        .split('/')
        .map(|s| {
            if s.starts_with('{') && s.ends_with('}') {
                Segment::Param
            } else {
                Segment::Literal(s.to_string())
            }
        })
        .collect()
}

fn matches(template: &[Segment], path: &str) -> bool {
    let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    parts.len() == template.len()
        && template.iter().zip(&parts).all(|(t, p)| match t {
            Segment::Literal(l) => l == p,
            Segment::Param => !p.is_empty(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schemas() -> Schemas {
        Schemas::compile().unwrap()
    }

    #[test]
    fn a_conformant_status_passes_and_shape_errors_name_their_pointer() {
        let s = schemas();
        assert_eq!(
            s.len(),
            7,
            "answer schemas: list, status, info, secrets, logs, namespaces, namespace"
        );
        let ok =
            br#"{"name":"f","image":"i","labels":{},"annotations":{},"replicas":2,"x-extra":1}"#;
        assert_eq!(
            s.check("GET", "/system/function/f?namespace=a", 200, ok),
            Ok(())
        );
        let cases: [(&[u8], &str); 5] = [
            (
                br#"{"name":"f","image":"i","labels":{},"annotations":{},"replicas":"2"}"#,
                "at /replicas: ",
            ),
            (
                br#"{"name":"f","image":"i","labels":{},"annotations":null}"#,
                "at /annotations: null is not of type \"object\"",
            ),
            (
                br#"{"name":"f","image":"i","labels":{}}"#,
                "at /: \"annotations\" is a required property",
            ),
            (
                br#"{"name":"f","image":"i","labels":{},"annotations":{},"availableReplicas":-1}"#,
                "at /availableReplicas",
            ),
            (b"<html>", "the body is not JSON"),
        ];
        for (body, want) in cases {
            let e = s.check("GET", "/system/function/f", 200, body).unwrap_err();
            assert_eq!(e.not_json, want.contains("not JSON"));
            let e = e.message;
            assert!(e.contains(want), "{}: {e}", String::from_utf8_lossy(body));
            assert!(e.contains("GET /system/function/{name} (200)"), "{e}");
        }
    }

    #[test]
    fn lists_info_and_log_lines_are_checked_too() {
        let s = schemas();
        assert_eq!(s.check("GET", "/system/functions", 200, b"null"), Ok(()));
        let e = s
            .check("GET", "/system/functions", 200, br#"[{"name":"a","image":"i","labels":{},"annotations":{}},{"name":"b","image":"i","labels":{},"annotations":{},"invocationCount":"7"}]"#)
            .unwrap_err()
            .message;
        assert!(e.contains("at /1/invocationCount"), "{e}");
        let provider = br#"{"provider":"faasd-ce","orchestration":"containerd","version":{"sha":"a","release":"1"}}"#;
        let gateway = br#"{"provider":{"provider":"faasd-ce","orchestration":"containerd","version":{"sha":"a","release":"1"}},"version":{"sha":"b","release":"2"},"arch":"x86_64"}"#;
        assert_eq!(s.check("GET", "/system/info", 200, provider), Ok(()));
        assert_eq!(s.check("GET", "/system/info", 200, gateway), Ok(()));
        assert!(s
            .check("GET", "/system/info", 200, br#"{"provider":7}"#)
            .is_err());
        let lines = b"{\"name\":\"f\",\"timestamp\":\"2026-01-01T00:00:00Z\",\"text\":\"a\"}\n\n{\"name\":\"f\",\"text\":5}\n";
        let e = s
            .check("GET", "/system/logs?name=f", 200, lines)
            .unwrap_err()
            .message;
        assert!(e.contains("line 3, at /text"), "{e}");
    }

    #[test]
    fn answers_without_a_schema_are_not_checked() {
        let s = schemas();
        for (method, path, status) in [
            ("GET", "/system/function/f", 404),
            ("POST", "/system/functions", 202),
            ("GET", "/function/f", 200),
            ("GET", "/no/such/route", 200),
            ("DELETE", "/system/info", 405),
        ] {
            assert_eq!(
                s.check(method, path, status, b"not json"),
                Ok(()),
                "{method} {path}"
            );
        }
    }
}
