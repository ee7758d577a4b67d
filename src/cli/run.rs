//! `faas-certifier run`: certify the provider at a URL with the built-in (or given) suites.

use std::io::Read;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use libtest_mimic::{Completion, Failed, Trial};

use super::output::{self, OutputArgs, Sink, TargetRun};
use crate::exit;
use crate::report::{console, Outcome};
use crate::runner::{
    faas_cli, CaseOutcome, CaseResult, Credentials, Runner, Settings, DEFAULT_JOBS,
    DEFAULT_REGISTRY,
};
use crate::spec::{self, Feature, Suite};

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
    /// The deadline of the whole run (e.g. 10m) [default: none].
    #[arg(long, value_name = "DURATION", value_parser = humantime::parse_duration)]
    pub timeout: Option<Duration>,
    /// The deadline of one HTTP request; a provider that accepts the connection and never
    /// answers costs at most this [default: 30s].
    #[arg(long, value_name = "DURATION", value_parser = humantime::parse_duration)]
    pub request_timeout: Option<Duration>,
    /// How long "nothing must change" checks keep up their load (`${settle}`) [default: 20s].
    #[arg(long, value_name = "DURATION", value_parser = humantime::parse_duration)]
    pub settle: Option<Duration>,
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
pub fn resolve(args: &RunArgs, env: Env<'_>, stdin: &mut dyn Read) -> Result<Settings, String> {
    // Errors name where the URL came from, so a stale environment variable is found.
    let (from, gateway) = [
        ("--gateway", args.gateway.clone()),
        ("OPENFAAS_URL", env("OPENFAAS_URL")),
        ("gateway_url", env("gateway_url")),
    ]
    .into_iter()
    .find_map(|(from, url)| Some((from, url?)))
    .unwrap_or(("the default gateway", "http://127.0.0.1:8080".into()));
    let parsed = reqwest::Url::parse(&gateway)
        .map_err(|e| format!("{from} {gateway:?} is not a URL: {e}"))?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
        return Err(format!(
            "{from} {gateway:?} must be an http:// or https:// URL"
        ));
    }
    let mut s = Settings::new(&gateway);
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
    s.credentials = if let Some(user) = &args.username {
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
            Some(path) => faas_cli::credentials_for(&path, &s.gateway)?,
            None => None,
        }
    };
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
    if let Some(settle) = args.settle {
        s.settle = settle;
    }
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

/// Loads the suites: `--suites FILE` or `--suites DIR`, else the built-in ones.
pub fn suites(dir: Option<&PathBuf>) -> Result<Vec<Suite>, spec::SuiteError> {
    match dir {
        Some(dir) => spec::load_dir(dir),
        None => spec::load_builtin(),
    }
}

/// Which trials to run: positional filters, `--skip`, `--exact`.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// Keep trials matching any of these (all when empty).
    pub filters: Vec<String>,
    /// Drop trials matching any of these.
    pub skip: Vec<String>,
    /// Match exactly.
    pub exact: bool,
}

impl Selection {
    fn matches(&self, pattern: &str, name: &str) -> bool {
        if self.exact {
            pattern == name
        } else {
            name.contains(pattern)
        }
    }

    /// Whether the trial `name` is selected.
    pub fn selects(&self, name: &str) -> bool {
        (self.filters.is_empty() || self.filters.iter().any(|f| self.matches(f, name)))
            && !self.skip.iter().any(|s| self.matches(s, name))
    }
}

/// One libtest-mimic trial per selected case of `runner`, named `PREFIX::suite::case` (or
/// `suite::case` without a prefix), foundations first; each hands its [`CaseResult`] to
/// `sink`. The runner learns which trials will run, so a case waits only for foundations
/// that do.
pub fn trials(
    runner: Arc<Runner>,
    prefix: &str,
    handle: tokio::runtime::Handle,
    sink: Arc<Sink>,
    select: &Selection,
) -> Vec<Trial> {
    let selected: Vec<(String, crate::runner::Planned)> = runner
        .run_order()
        .into_iter()
        .map(|planned| (trial_name(prefix, &planned.trial), planned))
        .filter(|(name, _)| select.selects(name))
        .collect();
    runner.schedule(selected.iter().map(|(_, p)| p.trial.clone()));
    selected
        .into_iter()
        .map(|(name, planned)| {
            let (runner, handle, sink) = (runner.clone(), handle.clone(), sink.clone());
            Trial::ignorable_test(name, move || {
                let result = handle.block_on(runner.run_case(&planned));
                let verdict = match &result.outcome {
                    CaseOutcome::Passed => Ok(Completion::Completed),
                    CaseOutcome::Skipped(reason) => Ok(Completion::ignored_with(reason)),
                    CaseOutcome::Failed(_) | CaseOutcome::Errored(_) | CaseOutcome::Blocked(_) => {
                        Err(Failed::from(explain(&result)))
                    }
                };
                match (sink.push(result), sink.judge()) {
                    (Outcome::XFail, _) => Ok(Completion::ignored_with("xfail")),
                    (Outcome::XPass, Some(judge)) if judge.fails_run(Outcome::XPass) => {
                        Err(Failed::from("xpass: passed, but expected to fail"))
                    }
                    _ => verdict,
                }
            })
        })
        .collect()
}

/// A trial's name as filters see it.
fn trial_name(prefix: &str, trial: &str) -> String {
    if prefix.is_empty() {
        trial.to_string()
    } else {
        format!("{prefix}::{trial}")
    }
}

/// Preflight of a selection: `Err` when it selects no trial of `names`, naming the closest.
pub fn check_selection(names: &[String], select: &Selection) -> Result<(), String> {
    if names.iter().any(|n| select.selects(n)) {
        return Ok(());
    }
    let mut asked: Vec<&String> = select.filters.iter().collect();
    if asked.is_empty() {
        return Err(format!(
            "--skip {} leaves no case to run",
            select.skip.join(", ")
        ));
    }
    asked.sort();
    let mut scored: Vec<(f64, &String)> = names
        .iter()
        .map(|n| {
            let best = asked
                .iter()
                .map(|f| strsim::jaro_winkler(f, n))
                .fold(0.0, f64::max);
            (best, n)
        })
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
    let closest: Vec<&str> = scored.iter().take(3).map(|(_, n)| n.as_str()).collect();
    let quoted: Vec<String> = asked.iter().map(|f| format!("{f:?}")).collect();
    Err(format!(
        "no case matches {}{}; the closest names: {} (`--list` shows them all)",
        quoted.join(", "),
        if select.exact { " exactly" } else { "" },
        closest.join(", ")
    ))
}

/// What a run checked besides its target: the selection, the suites, forced features.
pub fn run_meta(args: &RunArgs, select: &Selection, suites: &[Suite]) -> output::RunMeta {
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
    output::RunMeta {
        selection: crate::report::Selection {
            filters: select.filters.clone(),
            skip: select.skip.clone(),
            exact: select.exact,
        },
        suites: crate::report::SuiteSource {
            source: args.suites.as_ref().map_or_else(
                || crate::report::SuiteSource::BUILT_IN.to_string(),
                |p| p.display().to_string(),
            ),
            digest: spec::suites_digest(suites),
        },
        overrides,
    }
}

/// A failed or errored case in words: the reason, then the failing step's exchange.
pub fn explain(result: &CaseResult) -> String {
    let mut out = match &result.outcome {
        CaseOutcome::Failed(r) => format!("failed: {r}"),
        CaseOutcome::Errored(r) => format!("error: {r}"),
        CaseOutcome::Passed => "passed".into(),
        CaseOutcome::Skipped(r) => format!("skipped: {r}"),
        CaseOutcome::Blocked(r) => format!("blocked: {r}"),
    };
    if let Some(step) = result.steps.last() {
        let tail: Vec<&String> = step
            .attempt_log
            .iter()
            .rev()
            .take(3)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        for line in tail {
            out.push_str(&format!("\n  {line}"));
        }
        out.push_str(&format!(
            "\n  --- sent ---\n{}",
            indent(&step.request_excerpt)
        ));
        out.push_str(&format!(
            "\n  --- got ---\n{}",
            indent(&step.response_excerpt)
        ));
    }
    for left in &result.leftovers {
        out.push_str(&format!("\n  left behind: {left}"));
    }
    out
}

fn indent(text: &str) -> String {
    let cut = crate::runner::excerpt(text, 1500);
    cut.lines()
        .map(|l| format!("    {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// libtest-mimic arguments for a run with `jobs` threads. It runs the trials; the console
/// is ours ([`output`]), so its own printing goes nowhere except for `--list`.
pub fn harness_args(list: bool, quiet: bool, jobs: usize) -> libtest_mimic::Arguments {
    libtest_mimic::Arguments {
        list,
        quiet,
        test_threads: Some(jobs.max(1)),
        logfile: (!list).then(|| NULL_DEVICE.to_string()),
        ..Default::default()
    }
}

/// Where libtest-mimic's own lines go while ours are printed.
#[cfg(unix)]
const NULL_DEVICE: &str = "/dev/null";
#[cfg(not(unix))]
const NULL_DEVICE: &str = "NUL";

/// Sends tracing (each poll attempt at `info`) to stderr, coloured when `ansi`; `RUST_LOG`
/// picks the level (default `warn`).
pub fn init_tracing(ansi: bool) {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into()),
        )
        .with_writer(std::io::stderr)
        .with_ansi(ansi)
        .try_init();
}

/// Runs `faas-certifier run` and returns the exit status.
pub fn main(args: RunArgs) -> i32 {
    let started = Instant::now();
    let started_at = chrono::Utc::now();
    init_tracing(args.output.log_color());
    let env = |k: &str| std::env::var(k).ok();
    let settings = match resolve(&args, &env, &mut std::io::stdin()) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::USAGE;
        }
    };
    let suites = match suites(args.suites.as_ref()) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::USAGE;
        }
    };
    let judge = match &args.expect {
        Some(path) => match super::expect::Judge::load(path, &suites, args.allow_xpass) {
            Ok(judge) => Some(judge),
            Err(e) => {
                eprintln!("error: {e}");
                return exit::USAGE;
            }
        },
        None => None,
    };
    let select = Selection {
        filters: args.filters.clone(),
        skip: args.skip.clone(),
        exact: args.exact,
    };
    let meta = run_meta(&args, &select, &suites);
    let rt = match super::runtime() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return exit::USAGE;
        }
    };
    let jobs = settings.jobs;
    let offline = match Runner::offline(settings.clone(), suites.clone()) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::USAGE;
        }
    };
    // Preflight, before anything is created: a selection that runs nothing, and report
    // destinations that cannot be written, stop here (earlier reports stay as they were).
    if !args.list {
        let names: Vec<String> = offline.plan().into_iter().map(|p| p.trial).collect();
        if let Err(e) = check_selection(&names, &select) {
            eprintln!("error: {e}");
            return exit::USAGE;
        }
        if let Err(e) = output::check_destinations(&args.output.destinations()) {
            eprintln!("error: {e}");
            return exit::USAGE;
        }
    }
    let connected = if args.list {
        Ok(offline)
    } else {
        rt.block_on(Runner::connect(settings, suites))
    };
    let runner = match connected {
        Ok(r) => Arc::new(r),
        Err(e) => {
            eprintln!("error: {e}");
            return exit::USAGE;
        }
    };
    let redactor = output::redactor(&runner);
    let live = (!args.list).then(|| (args.output.style(), args.quiet, redactor.clone()));
    let progress = (!args.list)
        .then(|| super::progress::Live::for_terminal(args.quiet))
        .flatten();
    let sink = Arc::new(
        Sink::new("", live)
            .with_judge(judge)
            .with_progress(progress.clone()),
    );
    let target = [TargetRun {
        runner: &runner,
        sink: &sink,
    }];
    if !args.list {
        let empty = output::build(&target, started_at, Duration::ZERO, false, &meta);
        if let Ok(empty) = redactor.report(&empty) {
            super::stdout::put(&console::header(&empty, args.output.style()));
        }
    }
    let interrupted = super::signals::interrupt_on_signal(rt.handle(), vec![runner.clone()]);
    let trials = trials(
        runner.clone(),
        "",
        rt.handle().clone(),
        sink.clone(),
        &select,
    );
    if args.list {
        super::stdout::list(trials.iter().map(Trial::name));
        return exit::SUCCESS;
    }
    if let Some(p) = &progress {
        p.set_total(trials.len());
        runner.on_progress(p.hook(""));
    }
    // The report's verdict decides the exit status, not libtest's conclusion.
    let _ = libtest_mimic::run(&harness_args(args.list, args.quiet, jobs), trials);
    if let Some(p) = &progress {
        p.clear();
    }
    let left = rt.block_on(runner.finish());
    report_leftovers(&runner, &left);
    if args.list {
        return exit::SUCCESS;
    }
    let report = output::build(
        &target,
        started_at,
        started.elapsed(),
        interrupted.load(std::sync::atomic::Ordering::SeqCst),
        &meta,
    );
    // Redact with every secret the run sent, now that all cases have sent theirs.
    let written = output::finish(
        &report,
        &args.output,
        &output::redactor(&runner),
        args.quiet,
    );
    // The starting file quotes failures: redact them as every report is.
    let wrote = match output::redactor(&runner).report(&report) {
        Ok(redacted) => write_expectations(args.write_expectations.as_deref(), &redacted),
        Err(e) => {
            eprintln!("error: --write-expectations: {e}");
            false
        }
    };
    exit_code(&report, written && wrote)
}

/// The exit status of a finished run: by its verdict, then whether its reports were written.
pub fn exit_code(report: &crate::report::RunReport, written: bool) -> i32 {
    match report.verdict.level {
        crate::report::Level::Interrupted => exit::INTERRUPTED,
        level if !level.passed() => exit::FAILED,
        _ if !written => exit::USAGE,
        _ => exit::SUCCESS,
    }
}

/// `--write-expectations FILE`: writes the run's failures as a starting expectations file;
/// returns whether it could (or nothing was asked).
fn write_expectations(path: Option<&std::path::Path>, report: &crate::report::RunReport) -> bool {
    let Some(path) = path else { return true };
    match super::expect::write_starting(path, report) {
        Ok(n) => {
            let plural = if n == 1 { "" } else { "s" };
            println!(
                "wrote {n} expected failure{plural} to {} (new reasons are TODO)",
                path.display()
            );
            true
        }
        Err(e) => {
            eprintln!("error: --write-expectations: {e}");
            false
        }
    }
}

/// Prints what was left behind: on purpose (`--keep`) or because cleanup failed.
pub fn report_leftovers(runner: &Runner, left: &[crate::runner::Resource]) {
    if left.is_empty() {
        return;
    }
    if runner.settings.keep {
        eprintln!("--keep: left {} resources in place:", left.len());
    } else if runner.root_cause().is_some() {
        // One warning for the one cause, then what may remain.
        eprintln!(
            "warning: the provider stopped answering; {} resources the run created may remain:",
            left.len()
        );
    } else {
        eprintln!(
            "warning: cleanup could not delete {} resources:",
            left.len()
        );
    }
    for r in left {
        eprintln!("  {}", r.listing(&runner.settings.gateway));
    }
}

#[cfg(test)]
mod tests;
