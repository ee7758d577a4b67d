//! Known-failures (expectations) files and `diff`, end to end: the binary against mocks
//! with catalogue faults, judged with `--expect` (xfail, xpass, unknown entries), a starting file from
//! `--write-expectations`, `diff` over two real reports, and snapshots of every format for
//! a run with xfail and xpass. Each test starts its own mock on port 0 and runs a few cases.

use std::path::Path;
use std::process::Output;

use faas_certifier::mock::{Fault, MockConfig, RunningMock};
use faas_certifier::report::{Outcome, RunReport};

mod common;

/// The cases every run here selects: both `health` cases fail under `HealthzFails`.
const CASES: [&str; 2] = ["health::", "info::version"];

/// Starts a mock with `faults` on a runtime of its own (dropped with the mock).
fn start(faults: &[Fault]) -> (tokio::runtime::Runtime, RunningMock) {
    common::mock_on_own_runtime(MockConfig {
        faults: faults.iter().copied().collect(),
        ..MockConfig::default()
    })
}

/// Runs the binary in `dir` with `args`, isolated from the caller's environment.
fn certifier(dir: &Path, args: &[&str]) -> Output {
    common::process::certifier()
        .current_dir(dir)
        .args(args)
        .output()
        .expect("the binary runs")
}

/// `run` against `url` over [`CASES`], with `extra` flags.
fn run(dir: &Path, url: &str, extra: &[&str]) -> Output {
    let mut args = vec!["run", "--gateway", url, "--color", "never", "--jobs", "1"];
    args.extend_from_slice(extra);
    args.extend_from_slice(&CASES);
    certifier(dir, &args)
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn report(path: &Path) -> RunReport {
    serde_json::from_slice(&std::fs::read(path).expect("the report is written"))
        .expect("the report is a RunReport")
}

fn outcome(report: &RunReport, id: &str) -> Outcome {
    report
        .cases
        .iter()
        .find(|c| c.id == id)
        .unwrap_or_else(|| panic!("{id} is not in the report"))
        .outcome
}

const HEALTH_EXPECTED: &str = "\
expected_failures:
  - case: \"health::*\"
    reason: healthz is not wired to the backend yet
    tracking: https://example.org/provider/issues/12
";

#[test]
fn an_expected_fault_is_xfail_and_the_run_passes_but_is_not_certified() {
    let (_rt, mock) = start(&[Fault::HealthzFails]);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("expect.yaml"), HEALTH_EXPECTED).unwrap();
    let out = run(dir.path(), &mock.url, &["--expect", "expect.yaml"]);
    let all = text(&out);
    assert_eq!(out.status.code(), Some(0), "{all}");
    assert!(
        all.contains("test health::healthz ... xfail (")
            && all.contains("expected: healthz is not wired to the backend yet"),
        "{all}"
    );
    assert!(
        all.contains("verdict: passed (with 2 expected failures)\n")
            && all.contains(
                "\n1 passed, 0 failed, 0 errored, 0 skipped, 0 blocked, 2 xfailed, 0 xpassed\n"
            ),
        "{all}"
    );
    let report = report(&dir.path().join("reports/report.json"));
    assert_eq!(outcome(&report, "health::healthz"), Outcome::XFail);
    assert_eq!(outcome(&report, "health::healthz-head"), Outcome::XFail);
    assert_eq!(outcome(&report, "info::version"), Outcome::Passed);
    assert_eq!((report.summary.xfailed, report.summary.failed), (2, 0));
    let markdown = std::fs::read_to_string(dir.path().join("reports/summary.md")).unwrap();
    assert!(
        markdown.starts_with("## faas-certifier: ☑️ passed (with 2 expected failures)"),
        "{markdown}"
    );
    assert!(!markdown.contains("✅ certified"), "{markdown}");
}

#[test]
fn the_same_file_against_a_healthy_mock_is_xpass_and_fails_unless_allowed() {
    let (_rt, mock) = start(&[]);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("expect.yaml"), HEALTH_EXPECTED).unwrap();
    let out = run(dir.path(), &mock.url, &["--expect", "expect.yaml"]);
    let all = text(&out);
    assert_eq!(out.status.code(), Some(1), "{all}");
    assert!(all.contains("test health::healthz ... XPASS ("), "{all}");
    assert!(
        all.contains("unexpected passes (xpass) (delete their entries from expect.yaml):\n    health::healthz (entry `health::*`)"),
        "{all}"
    );
    assert!(
        all.contains("verdict: failed\n")
            && all.contains(
                "\n1 passed, 0 failed, 0 errored, 0 skipped, 0 blocked, 0 xfailed, 2 xpassed\n"
            ),
        "{all}"
    );
    let report = report(&dir.path().join("reports/report.json"));
    assert_eq!(outcome(&report, "health::healthz"), Outcome::XPass);
    assert_eq!(report.summary.xpassed, 2);

    let allowed = run(
        dir.path(),
        &mock.url,
        &["--expect", "expect.yaml", "--allow-xpass"],
    );
    let all = text(&allowed);
    assert_eq!(allowed.status.code(), Some(0), "{all}");
    assert!(all.contains("passed (with 0 expected failures)"), "{all}");
}

#[test]
fn an_entry_matching_no_case_is_refused_with_the_closest_names() {
    let (_rt, mock) = start(&[]);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("expect.yaml"),
        "expected_failures:\n  - case: health::healtz\n    reason: typo\n",
    )
    .unwrap();
    let out = run(dir.path(), &mock.url, &["--expect", "expect.yaml"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(5), "{}", text(&out));
    assert!(
        err.contains(
            "expect.yaml:2:5: `health::healtz` matches no case; the closest are `health::healthz`"
        ),
        "{err}"
    );
    assert!(
        !dir.path().join("reports").exists(),
        "nothing runs when the file is wrong"
    );
    let missing = run(dir.path(), &mock.url, &["--expect", "missing.yaml"]);
    assert_eq!(missing.status.code(), Some(5), "{}", text(&missing));
    assert!(
        String::from_utf8_lossy(&missing.stderr).contains("cannot read missing.yaml"),
        "{}",
        text(&missing)
    );
}

#[test]
fn a_written_starting_file_makes_the_same_faulty_mock_pass() {
    let (_rt, mock) = start(&[Fault::HealthzFails]);
    let dir = tempfile::tempdir().unwrap();
    let first = run(
        dir.path(),
        &mock.url,
        &["--write-expectations", "gate/expect.yaml"],
    );
    let all = text(&first);
    assert_eq!(first.status.code(), Some(1), "the run itself failed: {all}");
    assert!(
        all.contains("wrote 2 expected failures to gate/expect.yaml"),
        "{all}"
    );
    let written = std::fs::read_to_string(dir.path().join("gate/expect.yaml")).unwrap();
    assert!(
        written.contains("  - case: \"health::healthz\"\n    reason: \"TODO\"\n")
            && written.contains("  - case: \"health::healthz-head\"\n"),
        "{written}"
    );
    assert!(!written.contains("info::"), "{written}");

    let second = run(dir.path(), &mock.url, &["--expect", "gate/expect.yaml"]);
    let all = text(&second);
    assert_eq!(second.status.code(), Some(0), "{all}");
    assert!(all.contains("passed (with 2 expected failures)"), "{all}");
}

#[test]
fn diff_names_exactly_the_cases_that_changed() {
    let dir = tempfile::tempdir().unwrap();
    let (_healthy_rt, healthy) = start(&[]);
    let (_faulty_rt, faulty) = start(&[Fault::HealthzFails]);
    let out = run(dir.path(), &healthy.url, &["--json", "old.json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let out = run(dir.path(), &faulty.url, &["--json", "new.json"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let failing: Vec<String> = report(&dir.path().join("new.json"))
        .cases
        .iter()
        .filter(|c| c.outcome == Outcome::Failed)
        .map(|c| c.id.clone())
        .collect();
    assert_eq!(failing, ["health::healthz", "health::healthz-head"]);

    let out = certifier(dir.path(), &["diff", "old.json", "new.json"]);
    let table = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(out.status.code(), Some(1), "a regression: {}", text(&out));
    let rows: Vec<(&str, &str)> = table
        .lines()
        .skip(1)
        .take_while(|l| !l.is_empty())
        .filter_map(|l| {
            let mut words = l.split("  ").filter(|w| !w.trim().is_empty());
            Some((words.next()?.trim(), words.next()?.trim()))
        })
        .collect();
    assert_eq!(
        rows,
        [
            ("newly failing", "health::healthz"),
            ("newly failing", "health::healthz-head")
        ],
        "{table}"
    );
    assert!(
        table.ends_with("2 newly failing (3 cases compared)\n"),
        "{table}"
    );

    let out = certifier(dir.path(), &["diff", "--markdown", "new.json", "old.json"]);
    let md = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "fixing is no regression: {md}");
    assert!(
        md.starts_with("## faas-certifier diff: ✅ no regressions")
            && md.contains("| newly passing | `health::healthz` | failed | passed |  |")
            && md.contains("| newly passing | `health::healthz-head` |"),
        "{md}"
    );
    assert_eq!(md.matches("| newly passing |").count(), 2, "{md}");

    let out = certifier(dir.path(), &["diff", "old.json", "missing.json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read missing.json"));
}

/// A run with an expected failure, an unexpected pass and a plain failure, in every format,
/// with what varies between runs redacted.
#[test]
fn xfail_and_xpass_snapshots() {
    let (_rt, mock) = start(&[Fault::HealthzFails]);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("expect.yaml"),
        "expected_failures:\n  - case: health::healthz\n    reason: \"healthz | not wired yet\"\n    tracking: https://example.org/provider/issues/12\n  - case: \"info::ver*\"\n    reason: version is empty\n",
    )
    .unwrap();
    let out = run(dir.path(), &mock.url, &["--expect", "expect.yaml"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let report = report(&dir.path().join("reports/report.json"));
    assert_eq!(
        (
            report.summary.xfailed,
            report.summary.xpassed,
            report.summary.failed
        ),
        (1, 1, 1)
    );
    let mut settings = insta::Settings::clone_current();
    settings.add_filter(&regex::escape(&report.run.id), "[run-id]");
    settings.add_filter(&mock.addr.port().to_string(), "[port]");
    settings.add_filter(r"\d+ ms", "[n] ms");
    settings.add_filter(
        r#"(time|duration_ms|timestamp)(=|": )"?[0-9.:TZ+-]+"?"#,
        "$1$2[varies]",
    );
    settings.add_filter(r"in \d+\.\d s", "in [n] s");
    settings.add_filter(r"\([0-9a-f]{7,12}\)|sha [0-9a-f]{7,12}|unknown\)", "[sha]");
    settings.add_filter(r"digest `[0-9a-f]{12}`", "digest `[digest]`");
    settings.add_filter(
        r#"name="suites.digest" value="[0-9a-f]{64}""#,
        r#"name="suites.digest" value="[digest]""#,
    );
    settings.add_filter(r#"value="[0-9a-f]{12}"|0\.1\.0 \([^)]*\)"#, "[version]");
    settings.add_filter(r"date: [^\n\\]+", "date: [varies]");
    settings.bind(|| {
        insta::assert_snapshot!("expect_console", String::from_utf8_lossy(&out.stdout));
        insta::assert_snapshot!(
            "expect_markdown",
            std::fs::read_to_string(dir.path().join("reports/summary.md")).unwrap()
        );
        insta::assert_snapshot!(
            "expect_junit",
            std::fs::read_to_string(dir.path().join("reports/junit.xml")).unwrap()
        );
    });
    let json = std::fs::read_to_string(dir.path().join("reports/report.json")).unwrap();
    let schema: serde_json::Value =
        serde_json::from_str(&faas_certifier::report::json::schema()).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&value)
        .map(|e| e.to_string())
        .collect();
    assert!(
        errors.is_empty(),
        "report.json does not validate: {errors:?}"
    );
}

#[test]
fn published_expectations_schema_is_current_and_fits_a_starting_file() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/reports/expectations.schema.json"
    );
    let fresh = faas_certifier::suite::known_failures_schema_json();
    if std::env::var_os("UPDATE_SCHEMAS").is_some() {
        std::fs::write(path, &fresh).unwrap();
    }
    let committed =
        std::fs::read_to_string(path).expect("reports/expectations.schema.json is committed");
    assert_eq!(
        committed, fresh,
        "reports/expectations.schema.json is stale: run `UPDATE_SCHEMAS=1 cargo test --test expectations`"
    );
    let schema: serde_json::Value = serde_json::from_str(&fresh).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    for text in [HEALTH_EXPECTED, "expected_failures: []\n"] {
        let value: serde_json::Value = serde_saphyr::from_str(text).unwrap();
        assert!(validator.is_valid(&value), "{text}");
    }
    let wrong: serde_json::Value =
        serde_saphyr::from_str("expected_failures:\n  - case: a::b\n").unwrap();
    assert!(!validator.is_valid(&wrong), "a reason is required");
}

/// A fault that breaks only the extra namespace's runs: the starting file names them with
/// `@extra`, so the default namespace's passing runs do not turn `xpass`.
#[test]
fn a_failure_in_one_namespace_is_written_with_its_namespace() {
    let (_rt, mock) = common::mock_on_own_runtime(MockConfig {
        faults: [Fault::NamespacesIgnored].into_iter().collect(),
        namespaces: vec!["extra".into()],
        ..MockConfig::default()
    });
    let dir = tempfile::tempdir().unwrap();
    let args = |extra: &[&str]| {
        let mut args = vec![
            "run",
            "--gateway",
            &mock.url,
            "--color",
            "never",
            "--extra-namespace",
            "extra",
            "--exact",
            "deploy::plain",
            "deploy::plain@extra",
        ];
        args.extend_from_slice(extra);
        args.into_iter().map(String::from).collect::<Vec<_>>()
    };
    let argv = args(&["--write-expectations", "expect.yaml"]);
    let argv: Vec<&str> = argv.iter().map(String::as_str).collect();
    let first = certifier(dir.path(), &argv);
    let all = text(&first);
    assert_eq!(first.status.code(), Some(1), "{all}");
    assert!(all.contains("test deploy::plain ... ok"), "{all}");
    assert!(all.contains("test deploy::plain@extra ... FAILED"), "{all}");
    let written = std::fs::read_to_string(dir.path().join("expect.yaml")).unwrap();
    assert!(
        written.contains("  - case: \"deploy::plain@extra\"\n"),
        "{written}"
    );
    let argv = args(&["--expect", "expect.yaml"]);
    let argv: Vec<&str> = argv.iter().map(String::as_str).collect();
    let second = certifier(dir.path(), &argv);
    let all = text(&second);
    assert_eq!(second.status.code(), Some(0), "{all}");
    assert!(all.contains("test deploy::plain@extra ... xfail"), "{all}");
    assert!(all.contains("test deploy::plain ... ok"), "{all}");
}

#[test]
fn cases_blocked_by_an_expected_failure_do_not_fail_the_run() {
    let (_rt, mock) = start(&[Fault::InvokeRefused401]);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("expect.yaml"),
        "expected_failures:\n  - case: invoke::verbs\n    reason: invocations need credentials here\n",
    )
    .unwrap();
    let out = certifier(
        dir.path(),
        &[
            "run",
            "--gateway",
            &mock.url,
            "--color",
            "never",
            "--expect",
            "expect.yaml",
            "invoke::verbs",
            "invoke::echo-text",
        ],
    );
    let all = text(&out);
    assert_eq!(out.status.code(), Some(0), "{all}");
    let judged = report(&dir.path().join("reports/report.json"));
    assert_eq!(outcome(&judged, "invoke::verbs"), Outcome::XFail);
    assert_eq!(outcome(&judged, "invoke::echo-text"), Outcome::Skipped);
    assert!(
        all.contains("builds on invoke::verbs, an expected failure"),
        "{all}"
    );

    // Without the file the same run fails once, at its root cause, the rest blocked.
    let out = certifier(
        dir.path(),
        &[
            "run",
            "--gateway",
            &mock.url,
            "--color",
            "never",
            "invoke::verbs",
            "invoke::echo-text",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let unjudged = report(&dir.path().join("reports/report.json"));
    assert_eq!(outcome(&unjudged, "invoke::verbs"), Outcome::Failed);
    assert_eq!(outcome(&unjudged, "invoke::echo-text"), Outcome::Blocked);
}
