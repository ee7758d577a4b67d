//! Selftest: certify the bundled mock, as a bare provider and as a gateway, with every feature on.
