//! The provider's in-memory state.

use std::sync::{Arc, Mutex};

use super::MockConfig;

/// A cheap-to-clone handle over the provider's state.
#[derive(Clone)]
pub struct State {
    inner: Arc<Mutex<()>>,
    config: Arc<MockConfig>,
}

impl State {
    pub fn new(config: MockConfig) -> Self {
        Self {
            inner: Arc::new(Mutex::new(())),
            config: Arc::new(config),
        }
    }
    pub fn shut_down(&self) {
        let _ = (&self.inner, &self.config);
    }
}
