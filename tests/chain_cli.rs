//! A chain certified end to end with the binaries: `faas-certifier mock` as a provider, a
//! second `faas-certifier mock --as-gateway --upstream URL` in front of it (each in its own
//! process), and a full `faas-certifier run` with an extra namespace through the gateway. The
//! chain is conformant by construction: nothing may fail, and the header shows the features
//! the probes decided.

mod common;
use common::process::{certifier, MockProcess};

#[test]
fn a_ce_gateway_chained_to_a_provider_passes_a_full_run() {
    let provider = MockProcess::start(&[
        "--namespace",
        "cert-extra",
        "--autoscale-window",
        "1s",
        "--autoscale-interval",
        "100ms",
    ]);
    let provider_url = provider.url.clone();
    let gateway = MockProcess::start(&["--as-gateway", "--upstream", &provider_url]);
    let gateway_url = gateway.url.clone();
    let dir = tempfile::tempdir().expect("a temporary directory");
    let out = certifier()
        .current_dir(dir.path())
        .args([
            "run",
            "--gateway",
            &gateway_url,
            "--extra-namespace",
            "cert-extra",
            "--settle",
            "1s",
            "--no-reports",
            "--color",
            "never",
        ])
        .env("OPENFAAS_CONFIG", dir.path())
        .output()
        .expect("the run ends");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.status.code(), Some(0), "{text}");
    // Features off by probe are the chain's: they take nothing from the level. The short
    // `--settle` (to keep this test fast) is the one reason it is not `certified`.
    let verdict = text
        .split("verdict: ")
        .nth(1)
        .unwrap_or_else(|| panic!("no verdict:\n{text}"));
    let reasons: Vec<&str> = verdict
        .lines()
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .collect();
    assert!(verdict.starts_with("passed (partial)"), "{text}");
    assert_eq!(reasons.len(), 1, "{text}");
    assert!(
        reasons[0].contains("--settle 1s is below the default 20s"),
        "{text}"
    );
    let feature = |name: &str| {
        text.lines()
            .find(|l| l.split_whitespace().nth(1) == Some(name))
            .unwrap_or_else(|| panic!("no header line for {name}:\n{text}"))
            .to_string()
    };
    let zero = feature("scale-to-zero");
    assert!(
        zero.trim_start().starts_with("off") && zero.contains("the gateway clamps 0 to 1"),
        "{zero}"
    );
    // Routed by the CE gateway since 68ec0f59: the provider mock behind it answers.
    let crud = feature("namespace-crud");
    assert!(
        crud.trim_start().starts_with("on") && crud.contains("probed through the gateway"),
        "{crud}"
    );
    let logs = feature("logs");
    assert!(
        logs.trim_start().starts_with("on") && logs.contains("probed through the gateway"),
        "{logs}"
    );
    // The probe function is gone again.
    let list: serde_json::Value = reqwest::blocking::get(format!(
        "{provider_url}/system/functions?namespace=openfaas-fn"
    ))
    .and_then(|r| r.json())
    .expect("the provider lists its functions");
    assert_eq!(list, serde_json::json!([]), "left behind: {list}");
}
