//! `faas-certifier mock`: serve the bundled provider until SIGINT or SIGTERM.

use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use crate::exit;
use crate::mock::{
    AutoscalerConfig, BasicAuth, Fault, Flavour, LagStatus, MockConfig, MockError, Timing,
};

/// Options of `faas-certifier mock`.
#[derive(Debug, clap::Args)]
pub struct MockArgs {
    /// Address or host name to listen on (e.g. 0.0.0.0, ::1, localhost).
    #[arg(long, value_name = "HOST", default_value = "127.0.0.1")]
    pub bind: String,
    /// Port to listen on; 0 picks a free one (the URL is printed).
    #[arg(long, default_value_t = 8080)]
    pub port: u16,
    /// A namespace besides openfaas-fn (repeatable).
    #[arg(long = "namespace", value_name = "NS")]
    pub namespaces: Vec<String>,
    /// Protect /system/* with basic auth, as USER:PASS.
    #[arg(long, value_name = "USER:PASS", conflicts_with = "basic_auth_dir")]
    pub basic_auth: Option<String>,
    /// Read basic-auth-user and basic-auth-password from DIR, as OpenFaaS mounts them.
    #[arg(long, value_name = "DIR")]
    pub basic_auth_dir: Option<PathBuf>,
    /// Answer like the OpenFaaS CE gateway in front of a provider (gateway /system/info,
    /// X-Call-Id, X-Forwarded-*, HEAD /healthz 405, scale to 0 clamped to 1, logs as
    /// text/plain with provider errors as 500; invocations streamed only for an Accept
    /// starting with text/event-stream, no WebSockets).
    #[arg(long)]
    pub as_gateway: bool,
    /// With --as-gateway: answer like the Pro gateway instead (scale to zero).
    #[arg(long, requires = "as_gateway")]
    pub gateway_pro: bool,
    /// With --as-gateway: forward to the provider at URL over HTTP (e.g. another
    /// `faas-certifier mock`) instead of serving functions in-process.
    #[arg(long, value_name = "URL", requires = "as_gateway")]
    pub upstream: Option<String>,
    /// How long a new replica takes to become available (e.g. 2s, 500ms).
    #[arg(long, value_parser = humantime::parse_duration, default_value = "0s")]
    pub ready_delay: Duration,
    /// Autoscaler: how far back the invocation rate is measured.
    #[arg(long, value_parser = humantime::parse_duration, default_value = "10s")]
    pub autoscale_window: Duration,
    /// Autoscaler: how often the rate is evaluated (one scaling step per evaluation).
    #[arg(long, value_parser = humantime::parse_duration, default_value = "5s")]
    pub autoscale_interval: Duration,
    /// Autoscaler: invocations per second above which a function scales up.
    #[arg(long, default_value_t = 5.0)]
    pub autoscale_threshold: f64,
    /// Idle time before a function labelled com.openfaas.scale.zero=true goes to 0 replicas.
    #[arg(long, value_parser = humantime::parse_duration, default_value = "15m")]
    pub scale_to_zero_after: Duration,
    /// Largest request body accepted, in bytes; larger ones get 413.
    #[arg(long, default_value_t = 8 * 1024 * 1024)]
    pub max_body_bytes: usize,
    /// Log lines kept per function.
    #[arg(long, default_value_t = 1000)]
    pub log_lines: usize,
    /// How long a follow=true log stream stays open at most.
    #[arg(long, value_parser = humantime::parse_duration, default_value = "60s")]
    pub log_follow_timeout: Duration,
    /// Answer as this real provider does where providers legally differ:
    /// mock, faas-netes, faasd or quirky.
    #[arg(long, default_value = "mock")]
    pub flavour: Flavour,
    /// For how long after a deploy or update invocations answer 503 (a legal cold start).
    #[arg(long, value_parser = humantime::parse_duration, default_value = "0s")]
    pub cold_start: Duration,
    /// Timing preset: instant (no invoke lag, no stop grace) or faasd (as faasd 0.19.0:
    /// --invoke-lag 300ms, --invoke-lag-status 500, --stop-grace 30s); explicit options win.
    #[arg(long, value_name = "PRESET", default_value = "instant")]
    pub timing: Timing,
    /// For how long after a replica becomes available (deploy, completed update, scale from
    /// zero) invocations still fail as faas-provider's proxy does while the function does
    /// not listen yet, status already reporting availableReplicas >= 1 [default: 0s, or the
    /// --timing preset's].
    #[arg(long, value_name = "DURATION", value_parser = humantime::parse_duration)]
    pub invoke_lag: Option<Duration>,
    /// How an invocation fails during the invoke lag: 500 (`Can't reach service for: NAME.`)
    /// or 503 (`No endpoints available for: NAME.`), both marked X-OpenFaaS-Internal: proxy
    /// [default: 500].
    #[arg(long, value_name = "500|503")]
    pub invoke_lag_status: Option<LagStatus>,
    /// How long PUT and DELETE /system/functions of an existing function wait before they
    /// answer, as faasd stops the old task first; until then the function is listed and the
    /// old version serves [default: 0s, or the --timing preset's].
    #[arg(long, value_name = "DURATION", value_parser = humantime::parse_duration)]
    pub stop_grace: Option<Duration>,
    /// The period of the `time` events an `echo-server` function (image jmalloc/echo-server)
    /// streams on a `.sse` path; the real image sends one a second.
    #[arg(long, value_name = "DURATION", value_parser = parse_interval, default_value = "1s")]
    pub stream_interval: Duration,
    /// Break one point of the contract on purpose (repeatable; see --list-faults).
    #[arg(long = "fault", value_name = "NAME")]
    pub faults: Vec<Fault>,
    /// Print the fault catalogue and exit.
    #[arg(long)]
    pub list_faults: bool,
}

impl MockArgs {
    /// Resolves the options into the mock's configuration.
    pub fn config(&self) -> Result<MockConfig, MockError> {
        let basic_auth = match (&self.basic_auth, &self.basic_auth_dir) {
            (Some(pair), _) => Some(BasicAuth::parse(pair)?),
            (None, Some(dir)) => Some(BasicAuth::from_dir(dir)?),
            (None, None) => None,
        };
        if !(self.autoscale_threshold.is_finite() && self.autoscale_threshold >= 0.0) {
            return Err(MockError::Config(
                "--autoscale-threshold must be a non-negative number".into(),
            ));
        }
        if let Some(bad) = self
            .namespaces
            .iter()
            .find(|ns| !crate::mock::is_dns_label(ns))
        {
            return Err(MockError::Config(format!(
                "--namespace {bad:?} is not a DNS-1123 label"
            )));
        }
        let upstream = match &self.upstream {
            Some(url) => Some(crate::mock::gateway::upstream_url(url)?),
            None => None,
        };
        Ok(MockConfig {
            namespaces: self.namespaces.clone(),
            basic_auth,
            as_gateway: self.as_gateway,
            gateway_pro: self.gateway_pro,
            upstream,
            ready_delay: self.ready_delay,
            autoscaler: AutoscalerConfig {
                window: self.autoscale_window,
                interval: self.autoscale_interval,
                threshold_rps: self.autoscale_threshold,
                idle_to_zero: self.scale_to_zero_after,
            },
            max_body_bytes: self.max_body_bytes,
            log_lines_per_function: self.log_lines,
            log_follow_timeout: self.log_follow_timeout,
            flavour: self.flavour,
            cold_start: self.cold_start,
            invoke_lag: self.invoke_lag.unwrap_or(self.timing.invoke_lag()),
            invoke_lag_status: self
                .invoke_lag_status
                .unwrap_or(self.timing.invoke_lag_status()),
            stop_grace: self.stop_grace.unwrap_or(self.timing.stop_grace()),
            stream_interval: self.stream_interval,
            faults: self.faults.iter().copied().collect(),
        })
    }
}

/// A `--stream-interval`: a duration above zero (a zero period would spin).
fn parse_interval(text: &str) -> Result<Duration, String> {
    match humantime::parse_duration(text) {
        Ok(d) if d.is_zero() => Err("the stream interval must be above 0".into()),
        Ok(d) => Ok(d),
        Err(e) => Err(e.to_string()),
    }
}

/// Runs `faas-certifier mock`.
pub fn main(args: MockArgs) -> i32 {
    if args.list_faults {
        print!("{}", crate::mock::faults::render_catalogue());
        return exit::SUCCESS;
    }
    let config = match args.config() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::USAGE;
        }
    };
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .try_init();
    let runtime = match super::runtime::runtime() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return exit::FAILED;
        }
    };
    match runtime.block_on(serve(&args.bind, args.port, config)) {
        Ok(()) => exit::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            exit::FAILED
        }
    }
}

async fn serve(host: &str, port: u16, config: MockConfig) -> Result<(), MockError> {
    let addr = if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    };
    let listener = tokio::net::TcpListener::bind((host, port))
        .await
        .map_err(|e| MockError::Bind(addr.clone(), e))?;
    let local = listener
        .local_addr()
        .map_err(|e| MockError::Bind(addr.clone(), e))?;
    let mut out = std::io::stdout();
    let auth = if config.basic_auth.is_some() {
        " (basic auth on /system/*)"
    } else {
        ""
    };
    let _ = writeln!(out, "faas-certifier mock listening on http://{local}{auth}");
    if config.as_gateway {
        let kind = if config.gateway_pro { "Pro" } else { "CE" };
        match &config.upstream {
            Some(url) => {
                let _ = writeln!(out, "gateway: {kind}, forwarding to {url}");
            }
            None => {
                let _ = writeln!(out, "gateway: {kind}, in front of the in-process provider");
            }
        }
    }
    if config.flavour != Flavour::Mock {
        let _ = writeln!(out, "flavour: {}", config.flavour);
    }
    if !config.invoke_lag.is_zero() || !config.stop_grace.is_zero() {
        let _ = writeln!(
            out,
            "timing: invoke lag {} ({}), stop grace {}",
            humantime::format_duration(config.invoke_lag),
            config.invoke_lag_status.status().as_u16(),
            humantime::format_duration(config.stop_grace)
        );
    }
    for fault in &config.faults {
        let _ = writeln!(out, "fault: {fault} ({})", fault.info().description);
    }
    let _ = out.flush();
    crate::mock::serve(listener, config, super::signals::interrupted()).await?;
    tracing::info!("shut down cleanly");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Debug, Parser)]
    struct Cli {
        #[command(flatten)]
        mock: MockArgs,
    }

    fn config(args: &[&str]) -> MockConfig {
        let cli = Cli::try_parse_from(std::iter::once("mock").chain(args.iter().copied()))
            .expect("the options parse");
        cli.mock.config().expect("the options resolve")
    }

    #[test]
    fn timing_presets_and_overrides() {
        let c = config(&[]);
        assert_eq!(
            (c.invoke_lag, c.stop_grace),
            (Duration::ZERO, Duration::ZERO)
        );
        assert_eq!(c.invoke_lag_status, LagStatus::Unreachable500);
        let c = config(&["--timing", "faasd"]);
        assert_eq!(c.invoke_lag, Duration::from_millis(300));
        assert_eq!(c.stop_grace, Duration::from_secs(30));
        assert_eq!(c.invoke_lag_status, LagStatus::Unreachable500);
        let c = config(&[
            "--timing",
            "faasd",
            "--stop-grace",
            "1s",
            "--invoke-lag",
            "0s",
            "--invoke-lag-status",
            "503",
        ]);
        assert_eq!(c.invoke_lag, Duration::ZERO);
        assert_eq!(c.stop_grace, Duration::from_secs(1));
        assert_eq!(c.invoke_lag_status, LagStatus::NoEndpoints503);
        assert_eq!(config(&[]).stream_interval, Duration::from_secs(1));
        let c = config(&["--stream-interval", "100ms"]);
        assert_eq!(c.stream_interval, Duration::from_millis(100));
        let c = config(&["--invoke-lag", "250ms"]);
        assert_eq!(c.invoke_lag, Duration::from_millis(250));
        assert_eq!(c.stop_grace, Duration::ZERO);
        for bad in [
            &["--timing", "slow"][..],
            &["--invoke-lag-status", "502"],
            &["--stop-grace", "soon"],
            &["--stream-interval", "0s"],
        ] {
            let args = std::iter::once("mock").chain(bad.iter().copied());
            assert!(Cli::try_parse_from(args).is_err(), "{bad:?}");
        }
    }
}
