//! Selftest: the bundled mock started in-process, certified as a bare provider and as a gateway,
//! with every feature on (an extra namespace, basic auth, a fast autoscaler).

use std::time::Duration;

use super::{Credentials, RunError, Runner, Settings};
use crate::mock::{self, AutoscalerConfig, MockConfig, RunningMock};
use crate::spec::Suite;

/// The extra namespace the selftest mocks serve.
pub const EXTRA_NAMESPACE: &str = "cert-extra";

/// Trials a selftest runs at once: enough that the waits (scaling, idling) overlap, few
/// enough that peak memory stays well under 50 MiB.
pub const SELFTEST_JOBS: usize = 16;

/// One certified mock: its label (`provider` or `gateway`), the server and a connected runner.
#[derive(Debug)]
pub struct Target {
    /// `provider` or `gateway`, the prefix of its trial names.
    pub label: &'static str,
    /// The running mock.
    pub mock: RunningMock,
    /// A runner connected to it.
    pub runner: Runner,
}

/// The mock's settings for a selftest: fast autoscaler, basic auth, an extra namespace.
pub fn mock_config(as_gateway: bool, password: &str) -> MockConfig {
    MockConfig {
        namespaces: vec![EXTRA_NAMESPACE.into()],
        basic_auth: Some(mock::Credentials {
            user: "admin".into(),
            password: password.into(),
        }),
        as_gateway,
        autoscaler: AutoscalerConfig {
            window: Duration::from_millis(400),
            interval: Duration::from_millis(40),
            threshold_rps: 5.0,
            idle_to_zero: Duration::from_millis(400),
        },
        log_follow_timeout: Duration::from_secs(10),
        ..MockConfig::default()
    }
}

/// The runner's settings against a selftest mock at `url`.
pub fn settings(url: &str, password: &str) -> Settings {
    let mut s = Settings::new(url);
    s.extra_namespace = Some(EXTRA_NAMESPACE.into());
    s.credentials = Some(Credentials::Basic {
        user: "admin".into(),
        password: password.into(),
    });
    s.settle = Duration::from_millis(400);
    s.idle = Duration::from_millis(400);
    s.poll_max = Duration::from_millis(20);
    s.jobs = SELFTEST_JOBS;
    s.request_timeout = Duration::from_secs(10);
    s
}

/// Starts both mocks and connects a runner to each; `tune` adjusts the runner settings.
pub async fn start(
    suites: &[Suite],
    tune: impl Fn(&mut Settings),
) -> Result<Vec<Target>, RunError> {
    let password = uuid::Uuid::new_v4().simple().to_string();
    let mut targets = Vec::new();
    for (label, as_gateway) in [("provider", false), ("gateway", true)] {
        let mock = mock::spawn(mock_config(as_gateway, &password))
            .await
            .map_err(|e| RunError::Config(format!("cannot start the mock: {e}")))?;
        let mut s = settings(&mock.url, &password);
        tune(&mut s);
        let runner = Runner::connect(s, suites.to_vec()).await?;
        targets.push(Target {
            label,
            mock,
            runner,
        });
    }
    Ok(targets)
}
