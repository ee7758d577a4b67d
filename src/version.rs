//! The certifier's version and the commit it was built from.

/// The crate version, e.g. `0.1.0`.
pub const RELEASE: &str = env!("CARGO_PKG_VERSION");
/// The short git sha of the build, or `unknown` outside a git checkout.
pub const SHA: &str = env!("FAAS_CERTIFIER_GIT_SHA");
/// What `--version` prints after the program name.
pub const LONG: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (",
    env!("FAAS_CERTIFIER_GIT_SHA"),
    ")"
);
