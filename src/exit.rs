//! The process exit statuses, as named constants.

/// Every selected case passed (skips allowed), or a server shut down cleanly.
pub const SUCCESS: i32 = 0;
/// At least one case failed or errored.
pub const FAILED: i32 = 1;
/// Bad usage, configuration or suite: nothing was run.
pub const USAGE: i32 = 2;
/// Interrupted by SIGINT or SIGTERM (128 + SIGINT, as shells report it).
pub const INTERRUPTED: i32 = 130;
