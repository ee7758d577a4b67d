//! Function operations on the state: deploy, update, delete, status, list, scale, and the
//! bookkeeping around an invocation.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use super::function::{Function, Pick, ScalePolicy, LABEL_MIN};
use super::{Inner, State};
use crate::mock::reply::{is_dns_label, ApiError};
use crate::mock::Fault;
use crate::model::{FunctionDeployment, FunctionStatus};

/// The label faas-netes adds to every function it deploys.
const LABEL_FUNCTION: &str = "faas_function";

/// What an invocation needs to run, taken from the state in one lock.
#[derive(Debug, Clone)]
pub struct Invocation {
    /// The replica serving it.
    pub instance: String,
    /// The function as deployed.
    pub spec: FunctionDeployment,
    /// The mounted secrets' current values, by name.
    pub secrets: BTreeMap<String, Vec<u8>>,
}

/// Whether an invocation can run now.
#[derive(Debug)]
pub enum Admission {
    /// A replica is ready.
    Ready(Box<Invocation>),
    /// No replica is ready yet; the first one will be at this instant.
    WaitUntil(Instant),
    /// A replica is reported available but its process does not listen yet (the invoke
    /// lag): the provider's proxy fails to reach it.
    Lagging,
    /// The function has no endpoint and gets none (a delete that never completes).
    NoEndpoints,
}

impl State {
    /// Deploys a new function into `spec.namespace` (or `query_ns`, or the default).
    pub fn deploy(&self, query_ns: &str, mut spec: FunctionDeployment) -> Result<(), ApiError> {
        let ns = super::pick_namespace([spec.namespace.as_str(), query_ns]);
        validate(&spec)?;
        let ready_delay = self.config().ready_delay;
        let mut inner = self.lock();
        check_secrets(self, &inner, &ns, &spec)?;
        let namespace = inner.namespace_mut(&ns)?;
        if namespace.functions.contains_key(&spec.service) {
            return Err(ApiError {
                status: self.answers().duplicate_deploy,
                message: format!(
                    "function {:?} already exists in namespace {ns:?}; use PUT to update it",
                    spec.service
                ),
            });
        }
        spec.namespace = ns;
        spec.labels
            .insert(LABEL_FUNCTION.to_string(), spec.service.clone());
        let replicas = if self.has_fault(Fault::ScaleMinIgnored) {
            1
        } else {
            ScalePolicy::of(&spec).min
        };
        let invoke_lag = self.config().invoke_lag;
        namespace.functions.insert(
            spec.service.clone(),
            Function::new(spec, replicas, ready_delay, invoke_lag),
        );
        Ok(())
    }

    /// Checks an update as [`State::update`] does, without applying it, and says how long
    /// stopping the function's task takes first (the stop grace).
    pub fn check_update(
        &self,
        query_ns: &str,
        spec: &FunctionDeployment,
    ) -> Result<Duration, ApiError> {
        let ns = super::pick_namespace([spec.namespace.as_str(), query_ns]);
        validate(spec)?;
        let inner = self.lock();
        check_secrets(self, &inner, &ns, spec)?;
        let function = inner
            .namespace(&ns)?
            .functions
            .get(&spec.service)
            .ok_or_else(|| not_found(&spec.service, &ns))?;
        Ok(self.stop_grace(function))
    }

    /// Checks a delete as [`State::delete`] does, without applying it, and says how long
    /// stopping the function's task takes first (the stop grace).
    pub fn check_delete(&self, ns: &str, name: &str) -> Result<Duration, ApiError> {
        if name.trim().is_empty() {
            return Err(ApiError::bad_request("functionName is required"));
        }
        let inner = self.lock();
        let function = inner
            .namespace(ns)?
            .functions
            .get(name)
            .ok_or_else(|| not_found(name, ns))?;
        Ok(self.stop_grace(function))
    }

    /// How long stopping `function`'s task takes: nothing when it is already stopped.
    fn stop_grace(&self, function: &Function) -> Duration {
        if function.task_stopped || function.terminating {
            Duration::ZERO
        } else {
            self.config().stop_grace
        }
    }

    /// The fault `first-stop-fails`: faasd 0.19.0 stops the task, then fails to delete the
    /// container the first time, leaving the function as it was.
    fn first_stop_fails(&self, function: &mut Function, name: &str) -> Result<(), ApiError> {
        if !self.has_fault(Fault::FirstStopFails) || function.stop_failed {
            return Ok(());
        }
        function.stop_failed = true;
        function.task_stopped = true;
        Err(ApiError {
            status: axum::http::StatusCode::INTERNAL_SERVER_ERROR,
            message: format!(
                "error deleting container {name}: cannot delete running task {name}: failed precondition"
            ),
        })
    }

    /// Replaces a deployed function's spec, keeping its history and (unless a new
    /// `com.openfaas.scale.min` says otherwise) its replicas.
    pub fn update(&self, query_ns: &str, mut spec: FunctionDeployment) -> Result<(), ApiError> {
        let ns = super::pick_namespace([spec.namespace.as_str(), query_ns]);
        validate(&spec)?;
        let ready_delay = self.config().ready_delay;
        let mut inner = self.lock();
        check_secrets(self, &inner, &ns, &spec)?;
        let function = inner
            .namespace_mut(&ns)?
            .functions
            .get_mut(&spec.service)
            .ok_or_else(|| not_found(&spec.service, &ns))?;
        self.first_stop_fails(function, &spec.service)?;
        if self.has_fault(Fault::UpdateIgnored) {
            return Ok(());
        }
        spec.namespace = ns;
        spec.labels
            .insert(LABEL_FUNCTION.to_string(), spec.service.clone());
        let now = Instant::now();
        function.deployed_at = now;
        // The new task runs: its process listens after the invoke lag.
        function.task_stopped = false;
        function.restart_processes(now);
        let min_label = spec.labels.contains_key(LABEL_MIN);
        function.spec = spec;
        if min_label {
            let min = function.policy().min;
            function.set_replicas(min, ready_delay);
            function.scaled_by_load = false;
        }
        Ok(())
    }

    /// Deletes a function and its logs.
    pub fn delete(&self, ns: &str, name: &str) -> Result<(), ApiError> {
        if name.trim().is_empty() {
            return Err(ApiError::bad_request("functionName is required"));
        }
        let mut inner = self.lock();
        let function = inner
            .namespace_mut(ns)?
            .functions
            .get_mut(name)
            .ok_or_else(|| not_found(name, ns))?;
        self.first_stop_fails(function, name)?;
        if self.has_fault(Fault::DeleteNeverCompletes) {
            function.terminating = true;
            function.task_stopped = true;
            function.set_replicas(0, Duration::ZERO);
            function.scaled_by_load = false;
            return Ok(());
        }
        inner.namespace_mut(ns)?.functions.remove(name);
        inner.logs.forget(ns, name);
        Ok(())
    }

    /// The status of one function.
    pub fn status(&self, ns: &str, name: &str) -> Result<FunctionStatus, ApiError> {
        let inner = self.lock();
        let function = inner
            .namespace(ns)?
            .functions
            .get(name)
            .ok_or_else(|| not_found(name, ns))?;
        Ok(function.status(ns, Instant::now()))
    }

    /// Every function of a namespace, by name.
    pub fn list(&self, ns: &str) -> Result<Vec<FunctionStatus>, ApiError> {
        let inner = self.lock();
        let now = Instant::now();
        if self.has_fault(Fault::NamespacesLeakFunctions) {
            inner.namespace(ns)?;
            return Ok(inner
                .namespaces
                .iter()
                .flat_map(|(ns, n)| n.functions.values().map(move |f| f.status(ns, now)))
                .collect());
        }
        Ok(inner
            .namespace(ns)?
            .functions
            .values()
            .map(|f| f.status(ns, now))
            .collect())
    }

    /// Sets a function's desired replicas by hand (0 allowed).
    pub fn scale(&self, ns: &str, name: &str, replicas: u64) -> Result<(), ApiError> {
        if replicas > super::function::MAX_REPLICAS {
            return Err(ApiError::bad_request(format!(
                "replicas {replicas} is above this provider's limit of {}",
                super::function::MAX_REPLICAS
            )));
        }
        if replicas == 0 && !self.answers().scale_to_zero {
            return Err(ApiError::bad_request(
                "replicas must be at least 1: this provider cannot scale to zero",
            ));
        }
        let ready_delay = self.config().ready_delay;
        let mut inner = self.lock();
        let function = inner
            .namespace_mut(ns)?
            .functions
            .get_mut(name)
            .ok_or_else(|| ApiError {
                status: self.answers().scale_unknown,
                ..not_found(name, ns)
            })?;
        if self.has_fault(Fault::ScaleEndpointIgnored) || function.terminating {
            return Ok(());
        }
        if function.replicas() != replicas {
            function.set_replicas(replicas, ready_delay);
        }
        function.last_activity = Instant::now();
        function.scaled_by_load = false;
        Ok(())
    }

    /// Admits an invocation: counts its arrival, scales the function from zero if needed,
    /// and hands out a ready replica, or says when one will be ready.
    pub fn admit(&self, ns: &str, name: &str, first_attempt: bool) -> Result<Admission, ApiError> {
        let window = self.config().autoscaler.window;
        let ready_delay = self.config().ready_delay;
        let now = Instant::now();
        let mut inner = self.lock();
        let namespace = inner
            .namespaces
            .get_mut(ns)
            .ok_or_else(|| not_found(name, ns))?;
        let function = namespace
            .functions
            .get_mut(name)
            .ok_or_else(|| not_found(name, ns))?;
        if first_attempt {
            function.record_arrival(now, window);
        } else {
            function.last_activity = function.last_activity.max(now);
        }
        if now.duration_since(function.deployed_at) < self.config().cold_start {
            return Err(ApiError {
                status: axum::http::StatusCode::SERVICE_UNAVAILABLE,
                message: format!("no endpoints available for {name:?}: cold start"),
            });
        }
        if function.terminating {
            return Ok(Admission::NoEndpoints);
        }
        if function.replicas() == 0 {
            if self.has_fault(Fault::ScaleFromZero503) {
                return Err(ApiError {
                    status: axum::http::StatusCode::SERVICE_UNAVAILABLE,
                    message: format!("no endpoints available for {name:?}"),
                });
            }
            let initial = function.policy().initial();
            function.set_replicas(initial, ready_delay);
            function.scaled_by_load = false;
        }
        match function.pick_replica(now) {
            Pick::Serving(instance) => {
                let spec = function.spec.clone();
                let secrets = spec
                    .secrets
                    .iter()
                    .filter_map(|s| namespace.secrets.get(s).map(|v| (s.clone(), v.clone())))
                    .collect();
                Ok(Admission::Ready(Box::new(Invocation {
                    instance,
                    spec,
                    secrets,
                })))
            }
            Pick::Lagging => Ok(Admission::Lagging),
            Pick::NotReady => Ok(Admission::WaitUntil(
                function.first_ready_at().unwrap_or(now),
            )),
        }
    }

    /// Records an answered invocation: its count and the watchdog's two log lines.
    pub fn record_invocation(
        &self,
        ns: &str,
        name: &str,
        instance: &str,
        bytes: usize,
        took: Duration,
    ) {
        let forking = (!self.has_fault(Fault::LogsMissingLines)).then_some("Forking fprocess.");
        let wrote = format!(
            "Wrote {bytes} Bytes - Duration: {:.6} seconds",
            took.as_secs_f64()
        );
        self.record_served(
            ns,
            name,
            instance,
            forking.into_iter().chain([wrote.as_str()]),
        );
    }

    /// Records an invocation answered by a function's own server: its count and the
    /// `lines` it logs.
    pub fn record_served<'a>(
        &self,
        ns: &str,
        name: &str,
        instance: &str,
        lines: impl IntoIterator<Item = &'a str>,
    ) {
        let mut inner = self.lock();
        let Inner { namespaces, logs } = &mut *inner;
        let Some(function) = namespaces
            .get_mut(ns)
            .and_then(|n| n.functions.get_mut(name))
        else {
            // Deleted while it ran: nothing left to count.
            return;
        };
        function.invocation_count += 1;
        for line in lines {
            logs.write(ns, name, instance, line);
        }
    }

    /// Every function's invocation count, for `/metrics`.
    pub fn invocation_counts(&self) -> Vec<(String, String, u64)> {
        let inner = self.lock();
        inner
            .namespaces
            .iter()
            .flat_map(|(ns, n)| {
                n.functions
                    .iter()
                    .map(move |(name, f)| (ns.clone(), name.clone(), f.invocation_count))
            })
            .collect()
    }

    /// One autoscaler evaluation over every function (see `autoscaler.rs`).
    pub fn autoscale(&self, now: Instant) {
        let settings = self.config().autoscaler.clone();
        let ready_delay = self.config().ready_delay;
        let scale_up = !self.has_fault(Fault::AutoscalerOff);
        let scale_down = !self.has_fault(Fault::AutoscalerNeverScalesDown);
        let to_zero = !self.has_fault(Fault::ScaleToZeroOff);
        let moves_fixed = self.has_fault(Fault::AutoscalerMovesFixed);
        let mut inner = self.lock();
        for function in inner
            .namespaces
            .values_mut()
            .flat_map(|n| n.functions.values_mut())
        {
            if function.terminating {
                continue;
            }
            let mut policy = function.policy();
            if policy.min == policy.max {
                if !moves_fixed {
                    continue;
                }
                policy.max += policy.step();
            }
            let rate = function.rate(now, settings.window);
            let replicas = function.replicas();
            if rate > settings.threshold_rps && replicas > 0 {
                if scale_up && replicas < policy.max {
                    function.set_replicas(
                        replicas.saturating_add(policy.step()).min(policy.max),
                        ready_delay,
                    );
                    function.scaled_by_load = true;
                }
            } else if function.scaled_by_load {
                if scale_down {
                    function.set_replicas(policy.min.max(1), ready_delay);
                    function.scaled_by_load = false;
                }
            } else if to_zero && policy.to_zero && replicas > 0 {
                let idle_for = policy.zero_after.unwrap_or(settings.idle_to_zero);
                if now.duration_since(function.last_activity) >= idle_for {
                    function.set_replicas(0, ready_delay);
                }
            }
        }
    }
}

/// The checks every deploy and update makes of its body.
fn validate(spec: &FunctionDeployment) -> Result<(), ApiError> {
    if spec.service.trim().is_empty() {
        return Err(ApiError::bad_request("service is required"));
    }
    if spec.image.trim().is_empty() {
        return Err(ApiError::bad_request("image is required"));
    }
    if !is_dns_label(&spec.service) {
        return Err(ApiError::bad_request(format!(
            "invalid function name {:?}: must be a DNS-1123 label (lowercase letters, digits and '-', at most 63)",
            spec.service
        )));
    }
    Ok(())
}

/// Refuses a deployment that mounts a secret the namespace does not hold.
fn check_secrets(
    state: &State,
    inner: &Inner,
    ns: &str,
    spec: &FunctionDeployment,
) -> Result<(), ApiError> {
    let namespace = inner.namespace(ns)?;
    if state.has_fault(Fault::DeployIgnoresMissingSecret) {
        return Ok(());
    }
    match spec
        .secrets
        .iter()
        .find(|s| !namespace.secrets.contains_key(*s))
    {
        Some(missing) => Err(ApiError::bad_request(format!(
            "secret {missing:?} does not exist in namespace {ns:?}"
        ))),
        None => Ok(()),
    }
}

fn not_found(name: &str, ns: &str) -> ApiError {
    ApiError::not_found(format!("function {name:?} not found in namespace {ns:?}"))
}
