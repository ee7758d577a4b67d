//! `faas-certifier run`: certify the provider at a URL with the built-in (or given) suites.

use std::io::Read;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::args::OutputArgs;
use super::collect::{RunMeta, Target};
use super::config::ConfigError;
use super::pipeline::Pipeline;
use super::select::Selection;
use crate::runner::{faas_cli, Credentials, Runner, Settings, DEFAULT_JOBS, DEFAULT_REGISTRY};
use crate::suite::{self, Feature, Suite};

/// Options of `faas-certifier run`.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct RunArgs {
    /// Run only cases whose name (`suite::case`) contains one of these.
    #[arg(value_name = "FILTER")]
    pub filters: Vec<String>,
    /// The provider or gateway URL [env: OPENFAAS_URL, gateway_url] [default: http://127.0.0.1:8080].
    #[arg(long, value_name = "URL")]
    pub gateway: Option<String>,
    /// The namespace cases run in [env: CERTIFIER_DEFAULT_NAMESPACE] [default: openfaas-fn].
    #[arg(long, value_name = "NS")]
    pub namespace: Option<String>,
    /// A second namespace: every case runs there too. [env: CERTIFIER_NAMESPACES, a comma- or
    /// whitespace-separated list of namespaces: its first name other than the default
    /// namespace becomes the extra namespace]
    #[arg(long, value_name = "NS")]
    pub extra_namespace: Option<String>,
    /// A bearer token for /system/* [env: OPENFAAS_TOKEN].
    #[arg(long, value_name = "TOKEN", conflicts_with = "username")]
    pub token: Option<String>,
    /// The basic-auth user; the password is read from stdin (--password-stdin).
    #[arg(long, value_name = "USER", requires = "password_stdin")]
    pub username: Option<String>,
    /// Read the basic-auth password from stdin.
    #[arg(long, requires = "username")]
    pub password_stdin: bool,
    /// The registry prefix of the images deployed (`${registry}`) [default: ghcr.io/openfaas].
    #[arg(long, value_name = "PREFIX")]
    pub registry_prefix: Option<String>,
    /// Run this suite file, or the suite files (*.yaml) of this directory, instead of the
    /// built-in suites.
    #[arg(long, value_name = "PATH")]
    pub suites: Option<PathBuf>,
    /// How many cases run at once [default: 8].
    #[arg(long, value_name = "N")]
    pub jobs: Option<usize>,
    /// The deadline of the whole run (e.g. 10m); what it ends is errored, naming it; shorter
    /// than a selected case's timeout, a passing run is only `passed (partial)` [default: none].
    #[arg(long, value_name = "DURATION", value_parser = humantime::parse_duration)]
    pub timeout: Option<Duration>,
    /// The deadline of one HTTP request; a provider that accepts the connection and never
    /// answers costs at most this; lower, a passing run is only `passed (partial)` [default: 30s].
    #[arg(long, value_name = "DURATION", value_parser = humantime::parse_duration)]
    pub request_timeout: Option<Duration>,
    /// The deadline of an update or delete of a function, which a provider may answer only
    /// after its stop grace (30 s on faasd); a change not answered by then is followed up by
    /// reading the function's status [default: 65s].
    #[arg(long, value_name = "DURATION", value_parser = humantime::parse_duration)]
    pub mutation_timeout: Option<Duration>,
    /// How long the final cleanup may take: deletes retried after a 5xx or a timeout, then
    /// waiting until each function is gone from the provider's list [default: 2m30s].
    #[arg(long, value_name = "DURATION", value_parser = humantime::parse_duration)]
    pub cleanup_timeout: Option<Duration>,
    /// How long "nothing must change" checks keep up their load (`${settle}`); lower, a
    /// passing run using it is only `passed (partial)` [default: 20s].
    #[arg(long, value_name = "DURATION", value_parser = humantime::parse_duration)]
    pub settle: Option<Duration>,
    /// Where the callback receiver of the async cases listens (e.g. 0.0.0.0:9000) [default:
    /// 127.0.0.1 at an ephemeral port for a target on loopback, else the port of --callback-url].
    #[arg(long, value_name = "ADDR")]
    pub callback_listen: Option<std::net::SocketAddr>,
    /// The URL the cluster calls the callback receiver at (it POSTs to URL/callback/TOKEN);
    /// without it, against a target not on loopback, the cases that need a callback are
    /// skipped and a passing run is only `passed (partial)`.
    #[arg(long, value_name = "URL")]
    pub callback_url: Option<String>,
    /// Leave the functions, secrets and namespaces created, and print the `faas-cli`
    /// commands (with --gateway and -n) that remove them.
    #[arg(long)]
    pub keep: bool,
    /// Force a feature on (repeatable, or comma-separated).
    #[arg(long, value_name = "FEATURE", value_delimiter = ',')]
    pub enable: Vec<String>,
    /// Force a feature off (repeatable, or comma-separated).
    #[arg(long, value_name = "FEATURE", value_delimiter = ',')]
    pub disable: Vec<String>,
    /// Use this profile instead of detecting one: faas-netes, faas-netes-ce, faasd, faasd-ce, mock, unknown, all, core.
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,
    /// Skip cases whose name contains FILTER (repeatable).
    #[arg(long, value_name = "FILTER")]
    pub skip: Vec<String>,
    /// Match filters exactly rather than as substrings.
    #[arg(long)]
    pub exact: bool,
    /// List the cases instead of running them.
    #[arg(long)]
    pub list: bool,
    /// One character per case instead of one line.
    #[arg(long, short)]
    pub quiet: bool,
    /// Judge the run with this expectations file: a listed case that fails is `xfail`, one
    /// that passes is `xpass` and fails the run.
    #[arg(long, value_name = "FILE")]
    pub expect: Option<PathBuf>,
    /// Let an expected failure that passes (`xpass`) leave the run passing.
    #[arg(long, requires = "expect")]
    pub allow_xpass: bool,
    /// Write this run's failures to FILE as a starting expectations file (reasons `TODO`).
    #[arg(long, value_name = "FILE")]
    pub write_expectations: Option<PathBuf>,
    /// Reports and console.
    #[command(flatten)]
    pub output: OutputArgs,
}

/// Reads environment variables (a function so tests can pass their own).
pub type Env<'a> = &'a dyn Fn(&str) -> Option<String>;

/// Resolves flags over environment over defaults into the run's settings.
pub fn resolve(
    args: &RunArgs,
    env: Env<'_>,
    stdin: &mut dyn Read,
) -> Result<Settings, ConfigError> {
    let mut s = options(args, env).map_err(ConfigError::Option)?;
    s.credentials = credentials(args, env, stdin, &s.gateway).map_err(ConfigError::Credentials)?;
    Ok(s)
}

/// Every option but the credentials.
fn options(args: &RunArgs, env: Env<'_>) -> Result<Settings, String> {
    // Errors name where the URL came from, so a stale environment variable is found.
    let (from, gateway) = [
        ("--gateway", args.gateway.clone()),
        ("OPENFAAS_URL", env("OPENFAAS_URL")),
        ("gateway_url", env("gateway_url")),
    ]
    .into_iter()
    .find_map(|(from, url)| Some((from, url?)))
    .unwrap_or(("the default gateway", "http://127.0.0.1:8080".into()));
    http_url(from, &gateway)?;
    let mut s = Settings::new(&gateway);
    namespaces(args, env, &mut s)?;
    s.registry = args
        .registry_prefix
        .clone()
        .unwrap_or_else(|| DEFAULT_REGISTRY.into())
        .trim_end_matches('/')
        .to_string();
    s.jobs = args.jobs.unwrap_or(DEFAULT_JOBS);
    if s.jobs == 0 {
        return Err("--jobs must be at least 1".into());
    }
    timeouts(args, &mut s)?;
    if let Some(url) = &args.callback_url {
        http_url("--callback-url", url)?;
    }
    s.callback_url = args.callback_url.clone();
    s.callback_listen = args.callback_listen;
    s.keep = args.keep;
    s.enable = features(&args.enable)?;
    s.disable = features(&args.disable)?;
    if let Some(p) = &args.profile {
        if !crate::runner::profile::PROFILES.contains(&p.as_str()) {
            return Err(format!(
                "unknown profile {p:?}; known: {}",
                crate::runner::profile::PROFILES.join(", ")
            ));
        }
        s.profile = Some(p.clone());
    }
    Ok(s)
}

/// Refuses `url` (given as `from`) unless it is an http:// or https:// URL with a host.
fn http_url(from: &str, url: &str) -> Result<(), String> {
    let parsed =
        reqwest::Url::parse(url).map_err(|e| format!("{from} {url:?} is not a URL: {e}"))?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
        return Err(format!("{from} {url:?} must be an http:// or https:// URL"));
    }
    Ok(())
}

/// `--namespace` and `--extra-namespace` (or their environment variables), each a valid
/// name, the two different.
fn namespaces(args: &RunArgs, env: Env<'_>, s: &mut Settings) -> Result<(), String> {
    if let Some(ns) = args
        .namespace
        .clone()
        .or_else(|| env("CERTIFIER_DEFAULT_NAMESPACE"))
        .filter(|n| !n.is_empty())
    {
        s.namespace = ns;
    }
    s.extra_namespace = args.extra_namespace.clone().or_else(|| {
        env("CERTIFIER_NAMESPACES").and_then(|list| {
            list.split(|c: char| c == ',' || c.is_whitespace())
                .find(|n| !n.is_empty() && *n != s.namespace)
                .map(String::from)
        })
    });
    if s.extra_namespace.as_deref() == Some(s.namespace.as_str()) {
        return Err("--extra-namespace must differ from --namespace".into());
    }
    for ns in std::iter::once(&s.namespace).chain(s.extra_namespace.as_ref()) {
        if !crate::model::is_dns_label(ns) {
            return Err(format!(
                "namespace {ns:?} is not a valid name: lower-case letters, digits and `-`, \
                 starting and ending with a letter or digit, at most 63 characters"
            ));
        }
    }
    Ok(())
}

/// `--timeout`, `--request-timeout` and `--mutation-timeout` (none may be 0),
/// `--cleanup-timeout` and `--settle`.
fn timeouts(args: &RunArgs, s: &mut Settings) -> Result<(), String> {
    if args.timeout.is_some_and(|t| t.is_zero()) {
        return Err("--timeout must be more than 0".into());
    }
    s.timeout = args.timeout;
    if let Some(timeout) = args.request_timeout {
        if timeout.is_zero() {
            return Err("--request-timeout must be more than 0".into());
        }
        s.request_timeout = timeout;
    }
    if let Some(timeout) = args.mutation_timeout {
        if timeout.is_zero() {
            return Err("--mutation-timeout must be more than 0".into());
        }
        s.mutation_timeout = timeout;
    }
    if let Some(timeout) = args.cleanup_timeout {
        s.cleanup_timeout = timeout;
    }
    if let Some(settle) = args.settle {
        s.settle = settle;
    }
    Ok(())
}

fn features(names: &[String]) -> Result<Vec<Feature>, String> {
    names
        .iter()
        .map(|n| {
            Feature::parse(n.trim()).ok_or_else(|| {
                let known: Vec<_> = Feature::ALL.iter().map(|f| f.name()).collect();
                format!("unknown feature {n:?}; known: {}", known.join(", "))
            })
        })
        .collect()
}

/// The credentials: `--username` with the password on stdin, a token, or the faas-cli
/// config's entry for the gateway.
fn credentials(
    args: &RunArgs,
    env: Env<'_>,
    stdin: &mut dyn Read,
    gateway: &str,
) -> Result<Option<Credentials>, String> {
    Ok(if let Some(user) = &args.username {
        let mut password = String::new();
        stdin
            .read_to_string(&mut password)
            .map_err(|e| format!("cannot read the password from stdin: {e}"))?;
        let password = password.trim_end_matches(['\r', '\n']).to_string();
        if password.is_empty() {
            return Err("--password-stdin read an empty password".into());
        }
        Some(Credentials::Basic {
            user: user.clone(),
            password,
        })
    } else if let Some(token) = args
        .token
        .clone()
        .or_else(|| env("OPENFAAS_TOKEN"))
        .filter(|t| !t.is_empty())
    {
        Some(Credentials::Bearer(token))
    } else {
        match faas_cli::config_path(env("OPENFAAS_CONFIG").as_deref(), env("HOME").as_deref()) {
            Some(path) => faas_cli::credentials_for(&path, gateway).map_err(|e| e.to_string())?,
            None => None,
        }
    })
}

/// Loads the suites: `--suites FILE` or `--suites DIR`, else the built-in ones; a case's
/// `contract:` ids must be clauses of CONTRACT.md.
pub fn suites(dir: Option<&PathBuf>) -> Result<Vec<Suite>, suite::SuiteError> {
    let clauses = crate::contract::ids();
    let loader = suite::Loader::with_clauses(&clauses);
    match dir {
        Some(dir) => loader.dir(dir),
        None => loader.builtin(),
    }
}

/// What a run checked besides its target: the selection, the suites, forced features.
pub fn run_meta(args: &RunArgs, select: &Selection, suites: &[Suite]) -> RunMeta {
    let mut overrides = Vec::new();
    if let Some(p) = &args.profile {
        overrides.push(format!("--profile {p}"));
    }
    if !args.enable.is_empty() {
        overrides.push(format!("--enable {}", args.enable.join(",")));
    }
    if !args.disable.is_empty() {
        overrides.push(format!("--disable {}", args.disable.join(",")));
    }
    RunMeta {
        selection: select.clone(),
        suites: crate::report::SuiteSource {
            source: args.suites.as_ref().map_or_else(
                || crate::report::SuiteSource::BUILT_IN.to_string(),
                |p| p.display().to_string(),
            ),
            digest: suite::suites_digest(suites),
        },
        overrides,
        settings: None,
        weakened: Vec::new(),
    }
}

/// The time settings of `s`, as the report records them.
pub fn recorded_settings(s: &Settings) -> crate::report::RunSettings {
    let ms = |d: Duration| u64::try_from(d.as_millis()).unwrap_or(u64::MAX);
    crate::report::RunSettings {
        settle_ms: ms(s.settle),
        timeout_ms: s.timeout.map(ms),
        request_timeout_ms: ms(s.request_timeout),
    }
}

/// Why `s` checks the cases `select` picks of `suites` less than they are written to, one
/// reason per weakening setting (each makes a passing run `passed (partial)`):
///
/// - `--settle` below its default (20s) when a selected case uses `${settle}`: its
///   "nothing must change" check watches for less time (at `0s`, not at all);
/// - `--timeout` shorter than the longest `timeout` of a selected case: the run does not
///   allow that case the time its suite does;
/// - `--request-timeout` below its default (30s): a feature probe it cuts short turns the
///   feature off, and its cases are skipped; a slow answer is cut off.
pub fn weakening(s: &Settings, select: &Selection, suites: &[Suite]) -> Vec<String> {
    let defaults = Settings::new("");
    let words = |d: Duration| humantime::format_duration(d).to_string();
    let selected: Vec<(String, &suite::Case)> = suites
        .iter()
        .flat_map(|suite| {
            suite
                .cases
                .iter()
                .map(move |case| (format!("{}::{}", suite.name, case.name), case))
        })
        .filter(|(name, _)| select.selects(name) || select.selects(&format!("{name}@extra")))
        .collect();
    let mut why = Vec::new();
    if s.settle < defaults.settle {
        let users: Vec<&str> = selected
            .iter()
            .filter(|(_, case)| format!("{:?}{:?}", case.steps, case.vars).contains("${settle}"))
            .map(|(name, _)| name.as_str())
            .collect();
        if !users.is_empty() {
            why.push(format!(
                "--settle {} is below the default {}: the \"nothing must change\" check of {} watches for less time{}",
                words(s.settle),
                words(defaults.settle),
                users.join(", "),
                if s.settle.is_zero() { " (at 0s, not at all)" } else { "" }
            ));
        }
    }
    if let Some(timeout) = s.timeout {
        let longest = selected.iter().max_by_key(|(_, case)| case.timeout);
        if let Some((name, case)) = longest.filter(|(_, case)| case.timeout > timeout) {
            why.push(format!(
                "--timeout {} is shorter than the longest case timeout of the selected cases ({} of {name}): the run does not allow every case the time its suite does",
                words(timeout),
                words(case.timeout)
            ));
        }
    }
    if s.request_timeout < defaults.request_timeout {
        why.push(format!(
            "--request-timeout {} is below the default {}: a feature probe it cuts short turns the feature off (its cases are skipped), and a slow answer is cut off",
            words(s.request_timeout),
            words(defaults.request_timeout)
        ));
    }
    why
}

/// Sends tracing (each poll attempt at `info`) to stderr (above a live status area,
/// [`super::terminal::eprint`]), coloured when `ansi`; `RUST_LOG`
/// picks the level (default `warn`).
pub fn init_tracing(ansi: bool) {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into()),
        )
        .with_writer(super::terminal::LogLine::default)
        .with_ansi(ansi)
        .try_init();
}

/// Runs `faas-certifier run` and returns the exit status.
pub fn main(args: RunArgs) -> i32 {
    let started = Instant::now();
    let started_at = chrono::Utc::now();
    init_tracing(args.output.log_color());
    configure(&args)
        .and_then(|(settings, suites, select)| {
            certify(&args, settings, suites, select, started, started_at)
        })
        .unwrap_or_else(|e| e.report())
}

/// Resolves the command line once: settings, suites and the selection.
fn configure(args: &RunArgs) -> Result<(Settings, Vec<Suite>, Selection), ConfigError> {
    let env = |k: &str| std::env::var(k).ok();
    let settings = resolve(args, &env, &mut std::io::stdin())?;
    let suites = suites(args.suites.as_ref())?;
    let select = Selection {
        filters: args.filters.clone(),
        skip: args.skip.clone(),
        exact: args.exact,
    };
    Ok((settings, suites, select))
}

/// Connects to the target and runs the pipeline.
fn certify(
    args: &RunArgs,
    settings: Settings,
    suites: Vec<Suite>,
    select: Selection,
    started: Instant,
    started_at: chrono::DateTime<chrono::Utc>,
) -> Result<i32, ConfigError> {
    // One copy of the suites, shared by the offline runner of the preflight and the run's.
    let suites: Arc<[Suite]> = suites.into();
    let judge = match &args.expect {
        Some(path) => Some(
            super::known_failures::Judge::load(path, &suites, args.allow_xpass)
                .map_err(ConfigError::KnownFailures)?,
        ),
        None => None,
    };
    let mut meta = run_meta(args, &select, &suites);
    meta.settings = Some(recorded_settings(&settings));
    meta.weakened = weakening(&settings, &select, &suites);
    let rt = super::runtime::run_runtime().map_err(ConfigError::Runtime)?;
    let jobs = settings.jobs;
    let pipeline = Pipeline {
        output: args.output.clone(),
        quiet: args.quiet,
        select,
        meta,
        judge,
        jobs,
        started,
        started_at,
    };
    let offline = Target {
        label: "",
        runner: Arc::new(Runner::offline(settings.clone(), suites.clone())?),
    };
    if args.list {
        return Ok(pipeline.list(&[offline]));
    }
    pipeline.preflight(std::slice::from_ref(&offline))?;
    drop(offline);
    let runner = Arc::new(rt.block_on(Runner::connect(settings, suites))?);
    let target = Target { label: "", runner };
    let ran = pipeline.run(&rt, vec![target]);
    Ok(ran.finish(args.write_expectations.as_deref()))
}

#[cfg(test)]
mod tests;
