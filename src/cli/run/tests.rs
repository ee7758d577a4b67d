//! Tests of option resolution.
