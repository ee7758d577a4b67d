//! The built-in autoscaler: emulates the CE gateway's alert-driven scaling and the idler.
//!
//! Every `interval` it measures each function's invocation rate over `window`. Above
//! `threshold_rps` the function steps up by `ceil(max * factor / 100)` replicas up to
//! `com.openfaas.scale.max`; when that load stops it returns to `com.openfaas.scale.min`.
//! A function labelled `com.openfaas.scale.zero=true` goes to 0 after being idle for
//! `idle_to_zero` (or its `com.openfaas.scale.zero-duration`). min = max never moves.

use std::time::Instant;

use tokio::task::JoinHandle;

use super::state::State;

/// Starts the autoscaler loop; abort the handle to stop it.
pub fn start(state: State) -> JoinHandle<()> {
    let period = state
        .config()
        .autoscaler
        .interval
        .max(std::time::Duration::from_millis(1));
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(period);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut shutdown = state.on_shutdown();
        loop {
            tokio::select! {
                _ = ticks.tick() => state.autoscale(Instant::now()),
                _ = shutdown.wait_for(|down| *down) => return,
            }
        }
    })
}
