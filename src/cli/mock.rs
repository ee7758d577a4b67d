//! `faas-certifier mock`: serve the bundled provider.

/// Options of `faas-certifier mock`.
#[derive(Debug, clap::Args)]
pub struct MockArgs {}

pub fn main(_args: MockArgs) -> i32 {
    0
}
