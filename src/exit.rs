//! The process exit statuses, as named constants: one per cause (README, "Exit status").

/// Every selected case passed (skips allowed), or a server shut down cleanly.
pub const SUCCESS: i32 = 0;
/// At least one case failed or errored.
pub const FAILED: i32 = 1;
/// Bad usage: a flag or environment value refused (clap's own errors exit 2 too), or a run
/// that passed but whose reports could not be written. Nothing was run (or nothing reached CI).
pub const USAGE: i32 = 2;
/// The credentials cannot be read (stdin, the faas-cli config file).
pub const CREDENTIALS: i32 = 3;
/// A suite does not load.
pub const SUITE: i32 = 4;
/// The expectations file (`--expect`) does not load.
pub const EXPECTATIONS: i32 = 5;
/// The filters select no case.
pub const NO_CASE: i32 = 6;
/// A report destination cannot be written.
pub const DESTINATION: i32 = 7;
/// The target cannot be reached.
pub const UNREACHABLE: i32 = 8;
/// The target refused the run's credentials (401 or 403 on `/system/info`).
pub const REFUSED: i32 = 9;
/// The target failed the preflight: not an OpenFaaS provider or gateway, a namespace it
/// does not manage, or the run's `--timeout` passed during the preflight.
pub const PREFLIGHT: i32 = 10;
/// The async runtime does not start (the machine is out of threads or memory).
pub const RUNTIME: i32 = 11;
/// Interrupted by SIGINT or SIGTERM (128 + SIGINT, as shells report it).
pub const INTERRUPTED: i32 = 130;
