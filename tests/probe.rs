//! Feature probes at connect time, against mocks over HTTP: through a gateway the probes
//! decide (the CE gateway takes scale-to-zero and namespace CRUD away), a known bare
//! provider keeps its profile, an unknown provider gets what the probes find, `--profile`
//! probes nothing, and the probe function never outlives the connect.

use faas_certifier::mock::{self, Fault, Flavour, MockConfig, RunningMock};
use faas_certifier::runner::{Runner, Settings};
use faas_certifier::suite::Feature;

async fn connect(config: MockConfig, tune: impl Fn(&mut Settings)) -> (RunningMock, Runner) {
    let mock = mock::spawn(config).await.expect("the mock starts");
    let mut settings = Settings::new(&mock.url);
    tune(&mut settings);
    let runner = Runner::connect(settings, Vec::new())
        .await
        .expect("the runner connects");
    (mock, runner)
}

fn state(runner: &Runner, feature: Feature) -> (bool, String) {
    let s = &runner.profile.features[&feature];
    (s.enabled, s.reason.clone())
}

async fn functions_left(mock: &RunningMock) -> serde_json::Value {
    reqwest::get(format!(
        "{}/system/functions?namespace=openfaas-fn",
        mock.url
    ))
    .await
    .expect("list")
    .json()
    .await
    .expect("a JSON list")
}

#[tokio::test]
async fn through_the_ce_gateway_the_probes_win_over_the_profile() {
    let gateway = MockConfig {
        as_gateway: true,
        ..MockConfig::default()
    };
    let (mock, runner) = connect(gateway, |_| {}).await;
    assert_eq!(runner.profile.name, "mock");
    let (on, why) = state(&runner, Feature::ScaleToZero);
    assert!(!on, "{why}");
    assert!(
        why.starts_with("probed through the gateway: POST /system/scale-function/certifier-probe-")
            && why.contains("then GET -> replicas 1 (the gateway clamps 0 to 1)")
            && why.ends_with("the mock profile alone says on"),
        "{why}"
    );
    // The CE gateway routes namespace CRUD since 68ec0f59, so the probe finds the mock's.
    let (on, why) = state(&runner, Feature::NamespaceCrud);
    assert!(on && why.starts_with("probed through the gateway"), "{why}");
    for feature in [Feature::Secrets, Feature::Logs, Feature::Scaling] {
        let (on, why) = state(&runner, feature);
        assert!(on, "{feature}: {why}");
    }
    assert!(state(&runner, Feature::Logs)
        .1
        .contains("GET /system/logs?name=certifier-probe-"));
    assert_eq!(functions_left(&mock).await, serde_json::json!([]));
}

#[tokio::test]
async fn through_the_pro_gateway_scale_to_zero_and_namespace_crud_stay_on() {
    let pro = MockConfig {
        as_gateway: true,
        gateway_pro: true,
        ..MockConfig::default()
    };
    let (_mock, runner) = connect(pro, |_| {}).await;
    let (on, why) = state(&runner, Feature::ScaleToZero);
    assert!(on && why.contains("then GET -> replicas 0"), "{why}");
    let (on, why) = state(&runner, Feature::NamespaceCrud);
    assert!(on && why.starts_with("probed through the gateway"), "{why}");
}

#[tokio::test]
async fn a_known_bare_provider_keeps_its_profile() {
    let faasd = MockConfig {
        flavour: Flavour::Faasd,
        ..MockConfig::default()
    };
    let (_mock, runner) = connect(faasd, |_| {}).await;
    assert_eq!(runner.profile.name, "faasd-ce");
    let (on, why) = state(&runner, Feature::Scaling);
    assert!(
        !on && why == "detected faasd-ce: faasd runs one replica per function",
        "{why}"
    );
    // A probe that contradicts the profile is shown, the profile stands.
    let broken = MockConfig {
        faults: [Fault::ScaleEndpointIgnored].into_iter().collect(),
        ..MockConfig::default()
    };
    let (_mock, runner) = connect(broken, |_| {}).await;
    let (on, why) = state(&runner, Feature::ScaleToZero);
    assert!(on, "the mock profile stands on a bare provider: {why}");
    assert!(
        why.starts_with("detected mock: the profile has every optional feature; the probe says off: POST /system/scale-function/")
            && why.ends_with("then GET -> replicas 1 (0 was not kept)"),
        "{why}"
    );
    let (on, why) = state(&runner, Feature::Secrets);
    assert!(on && !why.contains("probe"), "{why}");
}

#[tokio::test]
async fn an_unknown_provider_gets_what_the_probes_find() {
    let unnamed = MockConfig {
        flavour: Flavour::Faasd,
        faults: [Fault::InfoNoProviderName].into_iter().collect(),
        ..MockConfig::default()
    };
    let (_mock, runner) = connect(unnamed, |_| {}).await;
    assert_eq!(runner.profile.name, "unknown");
    let (on, why) = state(&runner, Feature::Secrets);
    assert!(
        on && why.starts_with("probed: GET /system/secrets"),
        "{why}"
    );
    assert!(state(&runner, Feature::SecretUpdate).0);
    assert!(state(&runner, Feature::Logs).0);
    let (on, why) = state(&runner, Feature::Scaling);
    assert!(on && why.contains("the scale endpoint answered"), "{why}");
    // faasd refuses 0 replicas and has no namespace CRUD (501).
    let (on, why) = state(&runner, Feature::ScaleToZero);
    assert!(
        !on && why.contains("-> 400") && why.contains("(0 refused)"),
        "{why}"
    );
    let (on, why) = state(&runner, Feature::NamespaceCrud);
    assert!(!on && why.contains("-> 501"), "{why}");
    // Nothing can probe load-driven scaling.
    assert!(!state(&runner, Feature::Autoscaling).0);
}

#[tokio::test]
async fn a_forced_profile_probes_nothing() {
    let gateway = MockConfig {
        as_gateway: true,
        ..MockConfig::default()
    };
    let (_mock, runner) = connect(gateway, |s| s.profile = Some("all".into())).await;
    let (on, why) = state(&runner, Feature::ScaleToZero);
    assert!(on && why.starts_with("--profile all"), "{why}");
}
