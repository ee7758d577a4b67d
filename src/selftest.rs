//! Selftest: the bundled mock started in-process and certified as a bare provider, behind
//! its CE gateway mode, behind its Pro gateway mode, and as a chain (the CE gateway mode
//! forwarding over HTTP to the provider mode), with every feature on (an extra namespace,
//! basic auth, a fast autoscaler).

use std::time::Duration;

use crate::mock::{self, AutoscalerConfig, MockConfig, RunningMock};
use crate::runner::{Credentials, RunError, Runner, Settings};
use crate::suite::Suite;

/// The extra namespace the selftest mocks serve.
pub const EXTRA_NAMESPACE: &str = "cert-extra";

/// Trials a selftest runs at once: as many as its targets have cases that put load on a
/// function (6 each), so those waits overlap one another and the rest; measured against
/// 16, 20 and 32 for wall time and peak memory (README, Performance).
pub const SELFTEST_JOBS: usize = 24;

/// One certified target made of mocks: its label, the servers and a connected runner.
#[derive(Debug)]
pub struct MockTarget {
    /// `provider`, `gateway`, `gateway-pro` or `chain`: the prefix of its trial names.
    pub label: &'static str,
    /// The running mocks (a chain has two: the gateway first, then its provider).
    pub mocks: Vec<RunningMock>,
    /// A runner connected to the first.
    pub runner: Runner,
}

/// How a selftest target is put together.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// The provider mode, bare.
    Provider,
    /// The CE gateway mode over the in-process provider.
    Gateway,
    /// The Pro gateway mode over the in-process provider.
    GatewayPro,
    /// The CE gateway mode forwarding over HTTP to a second mock in provider mode.
    Chain,
}

impl Shape {
    /// Every shape the selftest certifies.
    pub const ALL: [Shape; 4] = [
        Shape::Provider,
        Shape::Gateway,
        Shape::GatewayPro,
        Shape::Chain,
    ];

    /// The prefix of its trial names.
    pub fn label(self) -> &'static str {
        match self {
            Shape::Provider => "provider",
            Shape::Gateway => "gateway",
            Shape::GatewayPro => "gateway-pro",
            Shape::Chain => "chain",
        }
    }
}

/// The mock's settings for a selftest: fast autoscaler, basic auth, an extra namespace.
pub fn mock_config(as_gateway: bool, password: &str) -> MockConfig {
    MockConfig {
        namespaces: vec![EXTRA_NAMESPACE.into()],
        basic_auth: Some(mock::BasicAuth {
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
        // The echo-server's `time` events every 100 ms rather than the image's 1 s: the
        // stream cases judge a spread of 50 ms over 3 events (suites/invoke.yaml): 200 ms here.
        stream_interval: Duration::from_millis(100),
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

/// Starts the mocks of one shape; the first is the one to certify.
pub async fn spawn(shape: Shape, password: &str) -> Result<Vec<RunningMock>, RunError> {
    let start = |config: MockConfig| async move {
        mock::spawn(config)
            .await
            .map_err(|e| RunError::Config(format!("cannot start the mock: {e}")))
    };
    Ok(match shape {
        Shape::Provider => vec![start(mock_config(false, password)).await?],
        Shape::Gateway => vec![start(mock_config(true, password)).await?],
        Shape::GatewayPro => vec![
            start(MockConfig {
                gateway_pro: true,
                ..mock_config(true, password)
            })
            .await?,
        ],
        Shape::Chain => {
            let provider = start(mock_config(false, password)).await?;
            let gateway = start(MockConfig {
                upstream: Some(provider.url.clone()),
                ..mock_config(true, password)
            })
            .await?;
            vec![gateway, provider]
        }
    })
}

/// Starts every shape and connects a runner to each; `tune` adjusts the runner settings.
pub async fn start(
    suites: impl Into<std::sync::Arc<[Suite]>>,
    tune: impl Fn(&mut Settings),
) -> Result<Vec<MockTarget>, RunError> {
    let password = uuid::Uuid::new_v4().simple().to_string();
    let suites: std::sync::Arc<[Suite]> = suites.into();
    // The shapes start side by side: connecting probes each target, and those probes wait.
    futures_util::future::try_join_all(Shape::ALL.map(|shape| {
        let (password, suites, tune) = (&password, suites.clone(), &tune);
        async move {
            let mocks = spawn(shape, password).await?;
            let mut s = settings(&mocks[0].url, password);
            tune(&mut s);
            let runner = Runner::connect(s, suites).await?;
            Ok(MockTarget {
                label: shape.label(),
                mocks,
                runner,
            })
        }
    }))
    .await
}
