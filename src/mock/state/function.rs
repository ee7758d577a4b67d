//! One deployed function: what was deployed, its replicas and their readiness, its load.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

use crate::model::{FunctionDeployment, FunctionStatus};

/// Scaling labels ([`scale.min-label`](../../../CONTRACT.md#scale.min-label)).
pub const LABEL_MIN: &str = "com.openfaas.scale.min";
pub const LABEL_MAX: &str = "com.openfaas.scale.max";
pub const LABEL_FACTOR: &str = "com.openfaas.scale.factor";
pub const LABEL_ZERO: &str = "com.openfaas.scale.zero";
pub const LABEL_ZERO_DURATION: &str = "com.openfaas.scale.zero-duration";

/// The most replicas the mock will run for one function.
pub const MAX_REPLICAS: u64 = 1000;

/// Invocation times kept per function for the autoscaler's rate window.
const MAX_RECENT_INVOCATIONS: usize = 100_000;

/// One replica of a function, like a pod.
#[derive(Debug, Clone)]
struct Replica {
    /// Its name, reported as `instance` in log messages.
    name: String,
    /// When it becomes ready: reported as available from then on.
    ready_at: Instant,
    /// When its function process listens: invocations reach it from then on (`ready_at`
    /// plus the invoke lag, or later after an update restarted it).
    serving_at: Instant,
}

/// A deployed function.
#[derive(Debug)]
pub struct Function {
    /// What was deployed (with the provider-added labels).
    pub spec: FunctionDeployment,
    /// When it was first deployed.
    pub created_at: DateTime<Utc>,
    /// Invocations answered so far.
    pub invocation_count: u64,
    /// Its replicas, oldest first; its length is the desired replica count.
    replicas: Vec<Replica>,
    /// Which replica serves the next invocation (round robin).
    next_replica: usize,
    /// Start times of recent invocations, for the autoscaler's rate.
    recent: VecDeque<Instant>,
    /// The last invocation, deploy or manual scale: what the idler measures from.
    pub last_activity: Instant,
    /// The last deploy or update, for a cold start.
    pub deployed_at: Instant,
    /// Whether the current replica count was set by load rather than by hand.
    pub scaled_by_load: bool,
    /// How long a replica answers invocations with the proxy's error after it is ready.
    invoke_lag: Duration,
    /// Whether its task was already stopped by an update or delete that then failed (fault
    /// `first-stop-fails`): the next one needs no stop grace.
    pub task_stopped: bool,
    /// Whether a stop of it already failed once (fault `first-stop-fails`).
    pub stop_failed: bool,
    /// Whether a delete was accepted that never completes (fault `delete-never-completes`):
    /// it stays listed, with no replica, and invocations find no endpoint.
    pub terminating: bool,
}

/// Which replica an invocation reaches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pick {
    /// This replica serves it.
    Serving(String),
    /// A replica is available, but none listens yet (the invoke lag).
    Lagging,
    /// No replica is available yet.
    NotReady,
}

/// The scaling settings a function's labels give it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScalePolicy {
    pub min: u64,
    pub max: u64,
    pub factor: u64,
    pub to_zero: bool,
    pub zero_after: Option<Duration>,
}

impl ScalePolicy {
    /// Reads the `com.openfaas.scale.*` labels, falling back to CE defaults on bad values.
    pub fn of(spec: &FunctionDeployment) -> Self {
        let number = |key: &str| {
            spec.labels
                .get(key)
                .and_then(|v| v.trim().parse::<u64>().ok())
        };
        // Labels are client input: clamp them so no arithmetic on them can overflow.
        let min = number(LABEL_MIN).unwrap_or(1).min(MAX_REPLICAS);
        let max = number(LABEL_MAX).unwrap_or(5).clamp(min, MAX_REPLICAS);
        let factor = number(LABEL_FACTOR)
            .filter(|f| (1..=100).contains(f))
            .unwrap_or(10);
        let to_zero = spec
            .labels
            .get(LABEL_ZERO)
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"));
        let zero_after = spec
            .labels
            .get(LABEL_ZERO_DURATION)
            .and_then(|v| humantime::parse_duration(v.trim()).ok());
        Self {
            min,
            max,
            factor,
            to_zero,
            zero_after,
        }
    }

    /// Replicas added per autoscaling step: `ceil(max * factor / 100)`, at least 1.
    pub fn step(&self) -> u64 {
        (self.max * self.factor).div_ceil(100).max(1)
    }

    /// The replica count a function starts at, and returns to from zero.
    pub fn initial(&self) -> u64 {
        self.min.max(1)
    }
}

impl Function {
    /// A new function with `replicas` replicas that become ready after `ready_delay` and
    /// serve invocations `invoke_lag` after that.
    pub fn new(
        spec: FunctionDeployment,
        replicas: u64,
        ready_delay: Duration,
        invoke_lag: Duration,
    ) -> Self {
        let now = Instant::now();
        let mut function = Self {
            spec,
            created_at: Utc::now(),
            invocation_count: 0,
            replicas: Vec::new(),
            next_replica: 0,
            recent: VecDeque::new(),
            last_activity: now,
            deployed_at: now,
            scaled_by_load: false,
            invoke_lag,
            task_stopped: false,
            stop_failed: false,
            terminating: false,
        };
        function.set_replicas(replicas, ready_delay);
        function
    }

    /// The scaling settings of its labels.
    pub fn policy(&self) -> ScalePolicy {
        ScalePolicy::of(&self.spec)
    }

    /// The desired replica count.
    pub fn replicas(&self) -> u64 {
        self.replicas.len() as u64
    }

    /// Replicas ready to serve now.
    pub fn available(&self, now: Instant) -> u64 {
        self.replicas.iter().filter(|r| r.ready_at <= now).count() as u64
    }

    /// When the first replica becomes ready, if there is any replica.
    pub fn first_ready_at(&self) -> Option<Instant> {
        self.replicas.iter().map(|r| r.ready_at).min()
    }

    /// Scales to `count`: new replicas start now and are ready after `ready_delay`;
    /// removing replicas removes the newest first.
    pub fn set_replicas(&mut self, count: u64, ready_delay: Duration) {
        let count = count.min(MAX_REPLICAS) as usize;
        let now = Instant::now();
        if count > self.replicas.len() {
            // Starting replicas is activity: the idler counts from when they are ready, so a
            // call waiting for a cold start is not sent back to zero.
            self.last_activity = self.last_activity.max(now + ready_delay);
        }
        self.replicas.truncate(count);
        while self.replicas.len() < count {
            let name = format!(
                "{}-{}",
                self.spec.service,
                &uuid::Uuid::new_v4().simple().to_string()[..10]
            );
            self.replicas.push(Replica {
                name,
                ready_at: now + ready_delay,
                serving_at: now + ready_delay + self.invoke_lag,
            });
        }
    }

    /// Restarts every replica's function process, as an update replaces the container:
    /// each is still reported available, and serves again after the invoke lag.
    pub fn restart_processes(&mut self, now: Instant) {
        let lag = self.invoke_lag;
        for replica in &mut self.replicas {
            replica.serving_at = replica.serving_at.max(replica.ready_at.max(now) + lag);
        }
    }

    /// Takes the next replica that serves (round robin) for an invocation.
    pub fn pick_replica(&mut self, now: Instant) -> Pick {
        let serving: Vec<&Replica> = self
            .replicas
            .iter()
            .filter(|r| r.serving_at <= now)
            .collect();
        if serving.is_empty() {
            // A replica reported available whose process does not listen yet: the proxy
            // reaches it and fails.
            return if self.replicas.iter().any(|r| r.ready_at <= now) {
                Pick::Lagging
            } else {
                Pick::NotReady
            };
        }
        let replica = serving[self.next_replica % serving.len()].name.clone();
        self.next_replica = self.next_replica.wrapping_add(1);
        Pick::Serving(replica)
    }

    /// Records an invocation's arrival for the load measurement.
    pub fn record_arrival(&mut self, now: Instant, window: Duration) {
        self.last_activity = now;
        self.recent.push_back(now);
        self.forget_before(now, window);
        while self.recent.len() > MAX_RECENT_INVOCATIONS {
            self.recent.pop_front();
        }
    }

    /// Invocations per second over the last `window`.
    pub fn rate(&mut self, now: Instant, window: Duration) -> f64 {
        self.forget_before(now, window);
        if window.is_zero() {
            return 0.0;
        }
        self.recent.len() as f64 / window.as_secs_f64()
    }

    fn forget_before(&mut self, now: Instant, window: Duration) {
        while self
            .recent
            .front()
            .is_some_and(|t| now.duration_since(*t) > window)
        {
            self.recent.pop_front();
        }
    }

    /// The status document of this function.
    pub fn status(&self, namespace: &str, now: Instant) -> FunctionStatus {
        let spec = &self.spec;
        FunctionStatus {
            name: spec.service.clone(),
            image: spec.image.clone(),
            namespace: namespace.to_string(),
            env_process: spec.env_process.clone(),
            env_vars: spec.env_vars.clone(),
            constraints: spec.constraints.clone(),
            secrets: spec.secrets.clone(),
            labels: spec.labels.clone(),
            annotations: spec.annotations.clone(),
            limits: spec.limits.clone(),
            requests: spec.requests.clone(),
            read_only_root_filesystem: spec.read_only_root_filesystem,
            invocation_count: self.invocation_count,
            replicas: self.replicas(),
            available_replicas: self.available(now),
            created_at: Some(
                self.created_at
                    .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            ),
            usage: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(labels: &[(&str, &str)]) -> FunctionDeployment {
        FunctionDeployment {
            service: "f".into(),
            image: "i".into(),
            labels: labels
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            ..Default::default()
        }
    }

    #[test]
    fn policy_defaults_and_step() {
        let p = ScalePolicy::of(&spec(&[]));
        assert_eq!((p.min, p.max, p.factor, p.to_zero), (1, 5, 10, false));
        assert_eq!(p.step(), 1);
        let p = ScalePolicy::of(&spec(&[
            (LABEL_MAX, "20"),
            (LABEL_FACTOR, "25"),
            (LABEL_ZERO, "true"),
        ]));
        assert_eq!(p.step(), 5);
        assert!(p.to_zero);
        let p = ScalePolicy::of(&spec(&[(LABEL_MIN, "0"), (LABEL_FACTOR, "500")]));
        assert_eq!((p.initial(), p.factor), (1, 10));
    }

    #[test]
    fn replicas_become_available_after_the_delay() {
        let mut f = Function::new(spec(&[]), 2, Duration::from_secs(60), Duration::ZERO);
        let now = Instant::now();
        assert_eq!((f.replicas(), f.available(now)), (2, 0));
        assert_eq!(f.pick_replica(now), Pick::NotReady);
        assert_eq!(f.available(now + Duration::from_secs(61)), 2);
        f.set_replicas(0, Duration::ZERO);
        assert_eq!(f.replicas(), 0);
        assert!(f.first_ready_at().is_none());
    }

    #[test]
    fn rate_counts_only_the_window() {
        let mut f = Function::new(spec(&[]), 1, Duration::ZERO, Duration::ZERO);
        let t0 = Instant::now();
        for i in 0..10 {
            f.record_arrival(t0 + Duration::from_millis(i * 100), Duration::from_secs(1));
        }
        assert!(
            (f.rate(t0 + Duration::from_millis(950), Duration::from_secs(1)) - 10.0).abs() < 1e-9
        );
        assert_eq!(
            f.rate(t0 + Duration::from_secs(5), Duration::from_secs(1)),
            0.0
        );
    }

    #[test]
    fn replicas_serve_after_the_invoke_lag() {
        let lag = Duration::from_secs(60);
        let mut f = Function::new(spec(&[]), 1, Duration::from_secs(10), lag);
        let now = Instant::now();
        assert_eq!(f.pick_replica(now), Pick::NotReady);
        let ready = now + Duration::from_secs(11);
        assert_eq!(f.available(ready), 1, "available before it serves");
        assert_eq!(f.pick_replica(ready), Pick::Lagging);
        let serving = now + Duration::from_secs(71);
        assert!(matches!(f.pick_replica(serving), Pick::Serving(_)));

        // An update restarts the process: available still, serving after the lag again.
        let mut f = Function::new(spec(&[]), 1, Duration::ZERO, lag);
        let later = Instant::now() + Duration::from_secs(120);
        assert!(matches!(f.pick_replica(later), Pick::Serving(_)));
        f.restart_processes(later);
        assert_eq!(f.available(later), 1);
        assert_eq!(f.pick_replica(later), Pick::Lagging);
        assert!(matches!(f.pick_replica(later + lag), Pick::Serving(_)));

        // Without a lag an update changes nothing for the caller.
        let mut f = Function::new(spec(&[]), 1, Duration::ZERO, Duration::ZERO);
        let now = Instant::now();
        f.restart_processes(now);
        assert!(matches!(f.pick_replica(now), Pick::Serving(_)));
    }

    #[test]
    fn a_lagging_new_replica_does_not_take_calls_from_serving_ones() {
        let lag = Duration::from_secs(60);
        let mut f = Function::new(spec(&[]), 1, Duration::ZERO, lag);
        let now = Instant::now() + lag;
        f.set_replicas(3, Duration::ZERO);
        for _ in 0..6 {
            assert!(matches!(f.pick_replica(now), Pick::Serving(_)));
        }
    }
}
