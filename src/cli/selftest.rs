//! `faas-certifier selftest`: certify the bundled mock in-process, as a provider, behind its
//! CE and Pro gateway modes, and as a chain of two mocks.

use std::sync::Arc;
use std::time::Instant;

use super::args::OutputArgs;
use super::collect::Target;
use super::config::ConfigError;
use super::pipeline::Pipeline;
use super::run;
use super::select::Selection;
use crate::selftest;

/// Options of `faas-certifier selftest`.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct SelftestArgs {
    /// Run only trials (`provider::suite::case`, `gateway::…`, `gateway-pro::…`, `chain::…`)
    /// containing one of these.
    #[arg(value_name = "FILTER")]
    pub filters: Vec<String>,
    /// Skip trials whose name contains FILTER (repeatable).
    #[arg(long, value_name = "FILTER")]
    pub skip: Vec<String>,
    /// Match filters exactly rather than as substrings.
    #[arg(long)]
    pub exact: bool,
    /// List the trials instead of running them.
    #[arg(long)]
    pub list: bool,
    /// One character per trial instead of one line.
    #[arg(long, short)]
    pub quiet: bool,
    /// How many trials run at once [default: 24].
    #[arg(long, value_name = "N")]
    pub jobs: Option<usize>,
    /// Reports and console.
    #[command(flatten)]
    pub output: OutputArgs,
}

/// Runs the selftest and returns the exit status.
pub fn main(args: SelftestArgs) -> i32 {
    let started = Instant::now();
    let started_at = chrono::Utc::now();
    run::init_tracing(args.output.log_color());
    certify(args, started, started_at).unwrap_or_else(|e| e.report())
}

fn certify(
    args: SelftestArgs,
    started: Instant,
    started_at: chrono::DateTime<chrono::Utc>,
) -> Result<i32, ConfigError> {
    let suites: Arc<[crate::suite::Suite]> = run::suites(None)?.into();
    let rt = super::runtime::run_runtime().map_err(ConfigError::Runtime)?;
    let started_targets = rt.block_on(selftest::start(suites.clone(), |_| {}))?;
    let select = Selection {
        filters: args.filters.clone(),
        skip: args.skip.clone(),
        exact: args.exact,
    };
    let mut meta = run::run_meta(&run::RunArgs::default(), &select, &suites);
    // The selftest's short settle and timeouts match its mocks' fast autoscaler and clocks
    // (`selftest::settings`): recorded, but they weaken nothing there.
    meta.settings = started_targets
        .first()
        .map(|t| run::recorded_settings(&t.runner.settings));
    let pipeline = Pipeline {
        output: args.output.clone(),
        quiet: args.quiet,
        meta,
        select,
        judge: None,
        jobs: args.jobs.unwrap_or(selftest::SELFTEST_JOBS),
        started,
        started_at,
    };
    let mut targets = Vec::new();
    let mut mocks = Vec::new();
    for t in started_targets {
        targets.push(Target {
            label: t.label,
            runner: Arc::new(t.runner),
        });
        mocks.extend(t.mocks);
    }
    let stop = |mocks: Vec<crate::mock::RunningMock>| {
        for mock in mocks {
            let _ = rt.block_on(mock.stop());
        }
    };
    if args.list {
        let code = pipeline.list(&targets);
        stop(mocks);
        return Ok(code);
    }
    if let Err(e) = pipeline.preflight(&targets) {
        stop(mocks);
        return Err(e);
    }
    let ran = pipeline.run(&rt, targets);
    stop(mocks);
    let code = ran.finish(None);
    super::stdout::put(&format!(
        "selftest took {:.2}s\n",
        started.elapsed().as_secs_f64()
    ));
    Ok(code)
}
