//! faas-certifier: certifies that an OpenFaaS provider honours the provider REST API.
//!
//! The crate has three halves: [`mock`] (a faithful in-memory provider), the runner that
//! executes declarative suites against any provider URL, and the reports it writes.

pub mod cli;
pub mod contract;
pub mod exit;
pub mod mock;
pub mod model;
pub mod outcome;
pub mod redact;
pub mod report;
pub mod runner;
pub mod selftest;
pub mod suite;
pub mod version;
