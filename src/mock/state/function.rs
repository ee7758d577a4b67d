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
    /// When it becomes ready to serve.
    ready_at: Instant,
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
    /// A new function with `replicas` replicas that become ready after `ready_delay`.
    pub fn new(spec: FunctionDeployment, replicas: u64, ready_delay: Duration) -> Self {
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
            });
        }
    }

    /// Takes the next ready replica (round robin) for an invocation, or `None` if none is ready.
    pub fn pick_replica(&mut self, now: Instant) -> Option<String> {
        let ready: Vec<&Replica> = self.replicas.iter().filter(|r| r.ready_at <= now).collect();
        if ready.is_empty() {
            return None;
        }
        let replica = ready[self.next_replica % ready.len()].name.clone();
        self.next_replica = self.next_replica.wrapping_add(1);
        Some(replica)
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
        let mut f = Function::new(spec(&[]), 2, Duration::from_secs(60));
        let now = Instant::now();
        assert_eq!((f.replicas(), f.available(now)), (2, 0));
        assert!(f.pick_replica(now).is_none());
        assert_eq!(f.available(now + Duration::from_secs(61)), 2);
        f.set_replicas(0, Duration::ZERO);
        assert_eq!(f.replicas(), 0);
        assert!(f.first_ready_at().is_none());
    }

    #[test]
    fn rate_counts_only_the_window() {
        let mut f = Function::new(spec(&[]), 1, Duration::ZERO);
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
}
