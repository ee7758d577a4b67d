//! The `faas-certifier` binary: parse arguments, call the library, map the outcome to an exit status.

use clap::Parser;

fn main() {
    let cli = faas_certifier::cli::Cli::parse();
    std::process::exit(faas_certifier::cli::main(cli));
}
