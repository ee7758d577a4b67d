//! Command-line interface: the subcommands and how each one is started.

pub mod args;
pub mod collect;
pub mod config;
mod contract;
mod diff;
pub mod expect;
mod mock;
pub mod pipeline;
pub mod progress;
pub mod run;
pub mod selftest;
mod signals;
pub mod stdout;
pub mod terminal;

use clap::{Parser, Subcommand};

pub use contract::ContractArgs;
pub use diff::DiffArgs;
pub use mock::MockArgs;
pub use run::RunArgs;
pub use selftest::SelftestArgs;

/// Certifies that an OpenFaaS provider honours the provider REST API.
#[derive(Debug, Parser)]
#[command(name = "faas-certifier", version = crate::version::LONG, about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the bundled in-memory OpenFaaS provider.
    Mock(MockArgs),
    /// Certify the provider or gateway at a URL.
    Run(Box<RunArgs>),
    /// Certify the bundled mock, as a provider and as a gateway, in-process.
    Selftest(SelftestArgs),
    /// Compare two JSON reports: newly failing, newly passing, newly skipped, changed reasons.
    Diff(DiffArgs),
    /// Print each clause of the contract (CONTRACT.md) with the cases that check it.
    Contract(ContractArgs),
}

/// Runs a parsed command line and returns the process exit status.
pub fn main(cli: Cli) -> i32 {
    match cli.command {
        Command::Mock(args) => mock::main(args),
        Command::Run(args) => run::main(*args),
        Command::Selftest(args) => selftest::main(args),
        Command::Diff(args) => diff::main(args),
        Command::Contract(args) => contract::main(args),
    }
}

/// The one runtime `run` and `selftest` run on: every case a task on it, two worker
/// threads (the cases mostly wait on the network; a second thread lets the in-process mocks
/// of a selftest answer while the runner works, and keeps memory low: no thread per case).
pub(crate) fn run_runtime() -> std::io::Result<tokio::runtime::Runtime> {
    keep_large_buffers_apart();
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
}

/// Large buffers (1 MiB bodies, grown connection buffers) get pages of their own that go
/// back to the system when freed. glibc otherwise raises its threshold after the first such
/// buffer is freed and serves the next ones from the heap, which then stays at its peak
/// (about 10 MiB more for a selftest).
fn keep_large_buffers_apart() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets a tunable of glibc's allocator; it is called before the
    // runtime starts, and a value it refuses leaves the default in place.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 128 * 1024);
    }
}

/// Builds the tokio runtime the mock server runs on.
pub(crate) fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
}
