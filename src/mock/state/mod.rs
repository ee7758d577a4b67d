//! The provider's in-memory state: namespaces holding functions and secrets, and the logs.
//!
//! [`State`] is a cheap-to-clone handle over one mutex; no method holds the lock across an
//! `.await`. Methods are named after provider operations.

mod function;
mod functions;
mod logbook;
mod namespaces;
mod secrets;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};

use tokio::sync::watch;

pub use function::Function;
pub use functions::{Admission, Invocation};
pub use logbook::{LogEntry, LogFilter};

use super::reply::ApiError;
use super::{Answers, Fault, MockConfig};
use crate::model::DEFAULT_NAMESPACE;
use logbook::Logbook;

/// One namespace: its metadata, functions and secrets.
#[derive(Debug, Default)]
struct Namespace {
    /// Labels given at creation or update.
    labels: BTreeMap<String, String>,
    /// Annotations given at creation or update.
    annotations: BTreeMap<String, String>,
    /// Functions by name.
    functions: BTreeMap<String, Function>,
    /// Secret values by name, bytes as stored.
    secrets: BTreeMap<String, Vec<u8>>,
}

/// Everything behind the lock.
#[derive(Debug)]
struct Inner {
    /// Namespaces by name; `openfaas-fn` always exists.
    namespaces: BTreeMap<String, Namespace>,
    /// Every function's log lines.
    logs: Logbook,
}

/// A cheap-to-clone handle over the provider's state.
#[derive(Clone)]
pub struct State {
    /// The state itself.
    inner: Arc<Mutex<Inner>>,
    /// The settings the mock was started with.
    config: Arc<MockConfig>,
    /// The answers of the configured flavour.
    answers: Arc<Answers>,
    /// Turns true when the server shuts down, so open log streams end.
    shutdown: Arc<watch::Sender<bool>>,
}

impl State {
    /// A provider holding the default namespace and the configured ones, and nothing else.
    pub fn new(config: MockConfig) -> Self {
        let mut namespaces = BTreeMap::new();
        namespaces.insert(DEFAULT_NAMESPACE.to_string(), Namespace::default());
        for ns in &config.namespaces {
            namespaces.entry(ns.clone()).or_default();
        }
        let inner = Inner {
            namespaces,
            logs: Logbook::new(config.log_lines_per_function),
        };
        let (shutdown, _) = watch::channel(false);
        Self {
            inner: Arc::new(Mutex::new(inner)),
            answers: Arc::new(config.flavour.answers()),
            config: Arc::new(config),
            shutdown: Arc::new(shutdown),
        }
    }

    /// The settings the mock runs with.
    pub fn config(&self) -> &MockConfig {
        &self.config
    }

    /// The answers of the configured flavour.
    pub fn answers(&self) -> &Answers {
        &self.answers
    }

    /// Whether a deliberate fault is switched on.
    pub fn has_fault(&self, fault: Fault) -> bool {
        self.config.faults.contains(&fault)
    }

    /// Marks the server as shutting down.
    pub fn shut_down(&self) {
        self.shutdown.send_replace(true);
    }

    /// A receiver that turns true when the server shuts down.
    pub fn on_shutdown(&self) -> watch::Receiver<bool> {
        self.shutdown.subscribe()
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic while holding the lock cannot leave the maps half-written in a way that
        // matters more than refusing every later request, so recover the guard.
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// The namespace a request names: the first non-empty candidate, else `openfaas-fn`.
pub fn pick_namespace<'a>(candidates: impl IntoIterator<Item = &'a str>) -> String {
    candidates
        .into_iter()
        .map(str::trim)
        .find(|ns| !ns.is_empty())
        .unwrap_or(DEFAULT_NAMESPACE)
        .to_string()
}

impl Inner {
    fn namespace(&self, ns: &str) -> Result<&Namespace, ApiError> {
        self.namespaces.get(ns).ok_or_else(|| unknown_namespace(ns))
    }

    fn namespace_mut(&mut self, ns: &str) -> Result<&mut Namespace, ApiError> {
        self.namespaces
            .get_mut(ns)
            .ok_or_else(|| unknown_namespace(ns))
    }
}

fn unknown_namespace(ns: &str) -> ApiError {
    ApiError::bad_request(format!("namespace {ns:?} is not managed by this provider"))
}

impl State {
    /// A function's log history matching `filter`, or 404 if the function does not exist.
    pub fn read_logs(&self, filter: &LogFilter, tail: i64) -> Result<Vec<LogEntry>, ApiError> {
        let inner = self.lock();
        let exists = inner
            .namespace(&filter.namespace)?
            .functions
            .contains_key(&filter.name);
        if !exists {
            return Err(ApiError::not_found(format!(
                "function {:?} not found in namespace {:?}",
                filter.name, filter.namespace
            )));
        }
        Ok(inner.logs.read(filter, tail))
    }

    /// The matching log lines written after the line numbered `last`.
    pub fn logs_after(&self, filter: &LogFilter, last: Option<u64>) -> Vec<LogEntry> {
        self.lock().logs.after(filter, last)
    }

    /// A receiver of every log line written from now on.
    pub fn follow_logs(&self) -> tokio::sync::broadcast::Receiver<LogEntry> {
        self.lock().logs.subscribe()
    }
}
