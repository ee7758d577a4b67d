//! The built-in suites, compiled into the binary so an installed certifier works anywhere.

/// `(file name, YAML text)` of every built-in suite, in run order.
pub const BUILTIN: &[(&str, &str)] = &[("health.yaml", include_str!("../../suites/health.yaml"))];
