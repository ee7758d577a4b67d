//! Command-line interface: the subcommands and how each one is started.

pub mod args;
pub mod collect;
pub mod config;
mod contract;
mod destinations;
mod diff;
pub mod known_failures;
mod mock;
pub mod pipeline;
pub mod progress;
pub mod run;
mod runtime;
pub mod select;
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
