//! The report formats: snapshots of each for a run with passes, failures, errors and skips,
//! the JUnit file read back, the published JSON Schema, and redaction of every byte written.

use faas_certifier::report::{
    self, console, CaseReport, Certifier, CleanupReport, Destinations, FeatureDecision, LeftReport,
    Outcome, ProviderReport, Redactor, RunInfo, RunReport, RunSettings, Selection, StepReport,
    SuiteSource, Summary, Verdict, SCHEMA_ID,
};

use faas_certifier::outcome::{ErrorCause, Failure, StepOutcome, WantGot};

mod common;

fn step(
    name: &str,
    method: &str,
    path: &str,
    status: Option<u16>,
    outcome: StepOutcome,
) -> StepReport {
    StepReport {
        name: name.into(),
        method: method.into(),
        path: path.into(),
        status,
        expectation: "status 200|201|202".into(),
        outcome,
        duration_ms: 3,
        attempts: 1,
        waited_ms: None,
        last_attempts: Vec::new(),
        request_body: None,
        response_body: None,
    }
}

fn case(
    suite: &str,
    name: &str,
    outcome: Outcome,
    reason: Option<&str>,
    steps: Vec<StepReport>,
) -> CaseReport {
    CaseReport {
        id: format!("{suite}::{name}"),
        suite: suite.into(),
        case: name.into(),
        file: format!("suites/{suite}.yaml"),
        description: String::new(),
        outcome,
        contract: Vec::new(),
        reason: reason.map(str::to_string),
        expected_failure: None,
        duration_ms: 12,
        started_ms: None,
        steps,
    }
}

/// A run with a pass, a failure, an error and a skip, and a secret echoed back by a provider.
fn sample(secret: &str) -> RunReport {
    let failed = Failure {
        message: "want body containing \"Http_Method=GET\", got \"Http_Method=POST\\n...\"".into(),
        mismatch: Some(WantGot {
            want: "body containing \"Http_Method=GET\"".into(),
            got: "\"Http_Method=POST\\n...\"".into(),
        }),
    };
    let mut failing = step(
        "invoke",
        "GET",
        "/function/env-r1",
        Some(200),
        StepOutcome::Failed(failed),
    );
    failing.expectation = "body contains \"Http_Method=GET\"".into();
    failing.response_body = Some(format!("Http_Method=POST\nsecret={secret}\n"));
    failing.attempts = 3;
    let mut errored = step(
        "deploy",
        "POST",
        "/system/functions",
        None,
        StepOutcome::errored(ErrorCause::Transport, "connection refused"),
    );
    errored.request_body = Some(format!(
        "{{\"service\":\"x\",\"envVars\":{{\"token\":\"{secret}\"}}}}"
    ));
    let cases = vec![
        case("health", "healthz", Outcome::Passed, None, vec![step("health", "GET", "/healthz", Some(200), StepOutcome::Passed)]),
        case(
            "invoke",
            "verbs",
            Outcome::Failed,
            Some("GET /function/env-r1: want body containing \"Http_Method=GET\", got \"Http_Method=POST\""),
            vec![step("deploy", "POST", "/system/functions", Some(202), StepOutcome::Passed), failing],
        ),
        case("deploy", "metadata", Outcome::Errored, Some("POST /system/functions: connection refused"), vec![errored]),
        case("scale", "to-zero", Outcome::Skipped, Some("requires scale-to-zero: faas-netes-ce cannot scale to 0"), vec![]),
    ];
    RunReport {
        schema: SCHEMA_ID.into(),
        certifier: Certifier {
            version: "0.1.0".into(),
            sha: "abc123".into(),
        },
        run: RunInfo {
            id: "r1".into(),
            target: "http://127.0.0.1:8080".into(),
            namespace: "openfaas-fn".into(),
            extra_namespace: Some("dev".into()),
            provider: ProviderReport {
                name: "faas-netes-ce".into(),
                orchestration: "kubernetes".into(),
                version: "0.18.0".into(),
                sha: "f00".into(),
                form: "gateway".into(),
                info: Some(serde_json::json!({"provider": {"provider": "faas-netes-ce"}})),
            },
            profile: vec![
                FeatureDecision {
                    feature: "secrets".into(),
                    enabled: true,
                    reason: "every provider".into(),
                },
                FeatureDecision {
                    feature: "scale-to-zero".into(),
                    enabled: false,
                    reason: "faas-netes-ce cannot scale to 0".into(),
                },
            ],
            started_at: "2026-11-25T17:00:00Z".into(),
            duration_ms: 1234,
            interrupted: false,
            expectations: None,
            selection: Selection {
                filters: vec!["secrets::".into()],
                skip: Vec::new(),
                exact: false,
            },
            suites: SuiteSource {
                source: SuiteSource::BUILT_IN.into(),
                digest: "0123456789abcdef0123456789abcdef".into(),
            },
            overrides: Vec::new(),
            root_cause: None,
            cleanup: Some(CleanupReport {
                removed: 3,
                left: vec![LeftReport {
                    listing: "function slow-r1 (namespace openfaas-fn): faas-cli remove slow-r1 --gateway http://127.0.0.1:8080 -n openfaas-fn".into(),
                    why: "DELETE answered 500: cannot delete running task".into(),
                }],
            }),
            settings: Some(RunSettings {
                settle_ms: 20_000,
                timeout_ms: Some(600_000),
                request_timeout_ms: 30_000,
            }),
            warnings: Vec::new(),
        },
        verdict: Verdict::decide(&Summary::of(&cases), false, None, None, Vec::new()),
        summary: Summary::of(&cases),
        cases,
        clauses: Vec::new(),
    }
}

#[test]
fn summary_counts_every_outcome() {
    let report = sample("s3cret-value");
    assert_eq!(
        report.summary,
        Summary {
            total: 4,
            passed: 1,
            failed: 1,
            errored: 1,
            skipped: 1,
            ..Summary::default()
        }
    );
    assert_eq!(
        report.summary.closing_line(),
        "1 passed, 1 failed, 1 errored, 1 skipped, 0 blocked"
    );
}

#[test]
fn json_snapshot() {
    insta::assert_snapshot!(report::json::render(&sample("s3cret-value")).unwrap());
}

#[test]
fn junit_snapshot() {
    insta::assert_snapshot!(report::junit::render(&sample("s3cret-value")).unwrap());
}

#[test]
fn markdown_snapshot() {
    insta::assert_snapshot!(report::markdown::render(&sample("s3cret-value")));
}

#[test]
fn console_snapshot() {
    let report = Redactor::new(["s3cret-value"])
        .report(&sample("s3cret-value"))
        .unwrap();
    let style = console::Style::default();
    let mut out = console::header(&report, style);
    for case in &report.cases {
        out.push_str(&console::case_line(case, style));
        out.push('\n');
    }
    out.push_str(&console::failures(&report, style));
    out.push_str(&console::closing(&report, style));
    assert!(!out.contains("s3cret-value"));
    insta::assert_snapshot!(out);
}

#[test]
fn junit_reads_back_with_the_same_counts_as_json_and_console() {
    let report = sample("s3cret-value");
    let xml = report::junit::render(&report).unwrap();
    let parsed = quick_junit::Report::deserialize_from_str(&xml).unwrap();
    let json: RunReport = serde_json::from_str(&report::json::render(&report).unwrap()).unwrap();
    assert_eq!(parsed.tests, json.summary.total);
    assert_eq!(parsed.failures, json.summary.failed);
    assert_eq!(parsed.errors, json.summary.errored);
    let skipped: usize = parsed
        .test_suites
        .iter()
        .flat_map(|s| &s.test_cases)
        .filter(|c| matches!(c.status, quick_junit::TestCaseStatus::Skipped { .. }))
        .count();
    assert_eq!(skipped, json.summary.skipped);
    let passed = parsed.tests - parsed.failures - parsed.errors - skipped;
    assert_eq!(
        format!(
            "{passed} passed, {} failed, {} errored, {skipped} skipped, 0 blocked",
            parsed.failures, parsed.errors
        ),
        report.summary.closing_line()
    );
    let suites: Vec<&str> = parsed.test_suites.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(suites, ["health", "invoke", "deploy", "scale"]);
}

#[test]
fn published_schema_is_current() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/reports/schema.json");
    if std::env::var_os("UPDATE_SCHEMAS").is_some() {
        std::fs::write(path, report::json::schema()).unwrap();
    }
    let committed = std::fs::read_to_string(path).expect("reports/schema.json is committed");
    assert_eq!(
        committed,
        report::json::schema(),
        "reports/schema.json is stale: run `UPDATE_SCHEMAS=1 cargo test --test reports`"
    );
}

#[test]
fn written_reports_validate_and_never_leak() {
    let secret = "s3cret-value";
    let dir = tempfile::tempdir().unwrap();
    let summary = dir.path().join("step-summary.md");
    let to = Destinations {
        dir: Some(dir.path().join("reports")),
        files: report::FORMATS
            .iter()
            .map(|f| (f.key(), dir.path().join("single").join(f.file_name())))
            .collect(),
        step_summary: Some(summary.clone()),
    };
    // Redacted once, where the run becomes report data; the files are written as given.
    let redacted = Redactor::new([secret]).report(&sample(secret)).unwrap();
    let written = report::write_all(&redacted, &to).unwrap();
    // Each format in the directory and as a single file, and the step summary.
    assert_eq!(written.len(), 2 * report::FORMATS.len() + 1);

    let schema: serde_json::Value = serde_json::from_str(&report::json::schema()).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    for path in &written {
        let bytes = std::fs::read(path).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            !text.contains(secret),
            "{} leaks the secret",
            path.display()
        );
        if path.extension().is_some_and(|e| e == "json") {
            let json: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
            let errors: Vec<String> = validator
                .iter_errors(&json)
                .map(|e| e.to_string())
                .collect();
            assert!(
                errors.is_empty(),
                "{} does not validate: {errors:?}",
                path.display()
            );
            assert!(
                text.contains("<redacted: value 1 of this run"),
                "the echoed secret is replaced by the marker"
            );
        }
    }
    assert!(std::fs::read_to_string(summary)
        .unwrap()
        .contains("not certified"));
}

/// A real run (the binary against a mock whose `/healthz` is broken): passes, failures and
/// skips, in every format, with what varies between runs redacted.
#[test]
fn real_run_snapshots() {
    let (_rt, mock) = common::mock_on_own_runtime(faas_certifier::mock::MockConfig {
        faults: [faas_certifier::mock::Fault::HealthzFails]
            .into_iter()
            .collect(),
        ..Default::default()
    });
    let dir = tempfile::tempdir().unwrap();
    let out = common::process::certifier()
        .current_dir(dir.path())
        .args([
            "run",
            "--gateway",
            &mock.url,
            "--color",
            "never",
            "--jobs",
            "1",
            "health::",
            "info::",
        ])
        .env("OPENFAAS_CONFIG", dir.path())
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "health fails against a broken /healthz"
    );
    let port = mock.addr.port().to_string();
    let report: RunReport =
        serde_json::from_slice(&std::fs::read(dir.path().join("reports/report.json")).unwrap())
            .unwrap();
    let mut settings = insta::Settings::clone_current();
    settings.add_filter(&regex_escape(&report.run.id), "[run-id]");
    settings.add_filter(&port, "[port]");
    settings.add_filter(r"\d+ ms", "[n] ms");
    settings.add_filter(
        r#"(time|duration_ms|timestamp)(=|": )"?[0-9.:TZ+-]+"?"#,
        "$1$2[varies]",
    );
    settings.add_filter(r#""started_at": "[^"]+""#, r#""started_at": "[varies]""#);
    settings.add_filter(r"in \d+\.\d s", "in [n] s");
    settings.add_filter(r"\([0-9a-f]{7,12}\)|sha [0-9a-f]{7,12}|unknown\)", "[sha]");
    settings.add_filter(r#""sha": "[^"]*""#, r#""sha": "[sha]""#);
    // The suites' digest changes with every edit of a suite: a value, not a shape.
    settings.add_filter(r"digest `[0-9a-f]{12}`", "digest `[digest]`");
    settings.add_filter(
        r#"name="suites.digest" value="[0-9a-f]{64}""#,
        r#"name="suites.digest" value="[digest]""#,
    );
    settings.add_filter(r#"value="[0-9a-f]{12}"|0\.1\.0 \([^)]*\)"#, "[version]");
    settings.add_filter(
        r"x-duration-seconds: [0-9.]+",
        "x-duration-seconds: [varies]",
    );
    settings.add_filter(r"date: [^\n\\]+", "date: [varies]");
    settings.bind(|| {
        insta::assert_snapshot!("real_console", String::from_utf8_lossy(&out.stdout));
        insta::assert_snapshot!(
            "real_markdown",
            std::fs::read_to_string(dir.path().join("reports/summary.md")).unwrap()
        );
        insta::assert_snapshot!(
            "real_junit",
            std::fs::read_to_string(dir.path().join("reports/junit.xml")).unwrap()
        );
    });
    assert_eq!(report.summary.failed, 2, "healthz and healthz-head fail");
    assert!(report.summary.passed > 0 && report.summary.skipped > 0);
    drop(mock);
}

fn regex_escape(text: &str) -> String {
    regex::escape(text)
}

/// Per-clause outcomes: the JSON carries each clause the cases name with the worst outcome
/// of those cases and validates against the published schema; the Markdown names the
/// failing clause and the case that failed it.
#[test]
fn clauses_carry_the_worst_outcome_of_their_cases() {
    let mut run = sample("s3cret-value");
    for case in &mut run.cases {
        case.contract = match case.case.as_str() {
            "healthz" => vec!["health.get".into(), "auth.open-routes".into()],
            _ => vec!["health.get".into()],
        };
    }
    run.clauses = report::clause_reports(
        &run.cases,
        &faas_certifier::cli::collect::contract_clauses(),
    );
    let health = &run.clauses[0];
    assert_eq!(health.id, "health.get");
    assert_eq!(health.level, "MUST");
    assert_eq!(health.cases.len(), run.cases.len());
    assert_eq!(health.outcome, Outcome::Failed, "one case failed");
    let json = report::json::render(&run).unwrap();
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    let schema: serde_json::Value = serde_json::from_str(&report::json::schema()).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    assert!(validator.is_valid(&value), "{json}");
    assert_eq!(value["clauses"][0]["outcome"], "failed");
    assert_eq!(value["cases"][0]["contract"][0], "health.get");
    let markdown = report::markdown::render(&run);
    let failed: Vec<&str> = run
        .cases
        .iter()
        .filter(|c| c.outcome == Outcome::Failed)
        .map(|c| c.id.as_str())
        .collect();
    let row = markdown
        .lines()
        .find(|l| l.starts_with("| `health.get` |"))
        .unwrap_or_else(|| panic!("no clause row in:\n{markdown}"));
    assert!(row.contains("| MUST | ❌ failed |"), "{row}");
    assert!(
        failed.iter().all(|id| row.contains(&format!("`{id}`"))),
        "{row}"
    );
    assert!(markdown.contains("### Contract clauses"), "{markdown}");
}

/// The sample as a real run has it: start offsets and a step that waited between attempts.
fn timed_sample(secret: &str) -> RunReport {
    let mut report = sample(secret);
    for (i, case) in report.cases.iter_mut().enumerate() {
        case.started_ms = Some(100 * i as u64);
    }
    report.cases[1].duration_ms = 900;
    report.cases[1].steps[1].duration_ms = 850;
    report.cases[1].steps[1].waited_ms = Some(600);
    report.cases[1].steps[1].last_attempts = vec![
        "[1/..] want body containing \"Http_Method=GET\", got \"Http_Method=POST\"".into(),
        "[2/..] want body containing \"Http_Method=GET\", got \"<script>alert(1)</script>\"".into(),
    ];
    report
}

/// The HTML with a line break between tags, so the snapshot can be reviewed.
fn html_lines(html: &str) -> String {
    html.replace("><", ">\n<")
}

#[test]
fn html_snapshot() {
    let secret = "s3cret-value";
    let report = Redactor::new([secret])
        .report(&timed_sample(secret))
        .unwrap();
    let html = report::html::render(&report);
    assert!(!html.contains(secret));
    assert!(
        !html.contains("<script>alert(1)</script>"),
        "provider text is escaped"
    );
    insta::assert_snapshot!(html_lines(&html));
}

#[test]
fn html_is_valid_self_contained_and_has_a_row_and_a_bar_per_case() {
    let report = timed_sample("s3cret-value");
    let text = report::html::render(&report);
    let doc = scraper::Html::parse_document(&text);
    assert!(
        doc.errors.is_empty(),
        "HTML5 parse errors: {:?}",
        doc.errors
    );
    let select = |css: &str| scraper::Selector::parse(css).unwrap();
    let rows: Vec<(String, String)> = doc
        .select(&select("tr.case"))
        .map(|r| {
            let attr = |name| r.value().attr(name).unwrap_or_default().to_string();
            (attr("data-id"), attr("data-outcome"))
        })
        .collect();
    let bars: Vec<(String, String)> = doc
        .select(&select("svg.timeline g.bar"))
        .map(|r| {
            let attr = |name| r.value().attr(name).unwrap_or_default().to_string();
            (attr("data-id"), attr("data-outcome"))
        })
        .collect();
    let want: Vec<(String, String)> = report
        .cases
        .iter()
        .map(|c| {
            let outcome = serde_json::to_value(c.outcome).unwrap();
            (c.id.clone(), outcome.as_str().unwrap().to_string())
        })
        .collect();
    assert_eq!(rows, want);
    assert_eq!(bars, want);
    assert_eq!(doc.select(&select("rect.wait")).count(), 1);
    assert_eq!(
        doc.select(&select("tr.case details")).count(),
        2,
        "the failure and the error expand to their transcript"
    );
    for el in doc.select(&select(
        "[src], [href], [action], link, script, iframe, object",
    )) {
        let href = el.value().attr("href").unwrap_or("#");
        assert!(
            el.value().attr("src").is_none() && href.starts_with('#'),
            "the page must fetch nothing: {:?}",
            el.value()
        );
    }
    let csp = doc
        .select(&select(r#"meta[http-equiv="Content-Security-Policy"]"#))
        .next()
        .and_then(|m| m.value().attr("content"))
        .unwrap_or_default()
        .to_string();
    assert!(csp.starts_with("default-src 'none';"), "{csp}");
    let verdict = doc.select(&select("#verdict")).next().unwrap();
    assert_eq!(verdict.text().collect::<String>(), "failed");
}
