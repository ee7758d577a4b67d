//! Asynchronous invocation in the gateway modes: `POST /async-function/NAME[.NS][/PATH]`
//! queues the request and answers `202`; a queue worker invokes the function later and, when
//! the caller gave an `X-Callback-Url`, posts the result there.
//!
//! [`accept`] is the CE gateway's queue proxy (faas 8d803bf9 `gateway/handlers/queue_proxy.go`
//! behind `callid_middleware.go`, routed in `gateway/main.go`); [`worker`] is the
//! nats-queue-worker (ed54141 `main.go`). As in OpenFaaS, the worker reaches the function
//! through the gateway's own `/function/` route over HTTP, so an asynchronous invocation takes
//! the synchronous one's path: the in-process provider, or the `--upstream` provider.
//!
//! The queue is bounded ([`CAPACITY`] waiting requests; a full queue is the gateway's
//! "Error queuing request" 500) and at most [`MAX_INFLIGHT`] requests are processed at once
//! (the worker's `max_inflight`). Work still queued or running when the mock shuts down is
//! dropped, as a queue without persistence loses it.

mod accept;
mod go_url;
mod worker;

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

use axum::http::HeaderMap;
use bytes::Bytes;
use tokio::sync::{mpsc, watch, Semaphore};
use tokio::task::{AbortHandle, JoinSet};

use super::state::State;
use super::MockError;

pub use accept::accept;

/// Requests that may wait in the queue; more are refused with 500.
pub const CAPACITY: usize = 1024;
/// Requests the worker processes at once.
pub const MAX_INFLIGHT: usize = 8;

/// One queued invocation (faas-provider's `types.QueueRequest`, the fields the worker uses).
#[derive(Debug)]
struct Job {
    /// The function as the URL names it: `NAME` or `NAME.NAMESPACE`.
    function: String,
    /// The path after the name: empty or starting with `/`.
    path: String,
    /// The raw query, without `?`.
    query: String,
    /// The request's headers, `X-Call-Id` among them.
    headers: HeaderMap,
    /// The request's body.
    body: Bytes,
    /// Where to post the result, when the caller asked for it.
    callback: Option<String>,
}

/// The gateway's handle on its queue.
#[derive(Clone)]
pub struct Queue {
    /// Where accepted requests go.
    jobs: mpsc::Sender<Job>,
    /// The mock's settings and faults.
    state: State,
    /// The task handing jobs to the worker.
    dispatcher: AbortHandle,
}

impl Queue {
    /// Stops the worker: queued and running jobs are dropped.
    pub fn stop(&self) {
        self.dispatcher.abort();
    }
}

/// Starts the queue and its worker for a gateway serving on `listener`; `None` for a bare
/// provider, which has no `/async-function/` route.
pub fn start(
    state: &State,
    listener: &tokio::net::TcpListener,
) -> Result<Option<Queue>, MockError> {
    if !state.config().as_gateway {
        return Ok(None);
    }
    let addr = listener
        .local_addr()
        .map_err(|e| MockError::Bind("the mock's own address".into(), e))?;
    let worker = Arc::new(worker::Worker::new(state.clone(), reachable(addr))?);
    let (jobs, waiting) = mpsc::channel(CAPACITY);
    let dispatcher = tokio::spawn(dispatch(waiting, worker, state.on_shutdown()));
    Ok(Some(Queue {
        jobs,
        state: state.clone(),
        dispatcher: dispatcher.abort_handle(),
    }))
}

/// `http://ADDR` the worker reaches the gateway at: a wildcard address as loopback.
fn reachable(addr: SocketAddr) -> String {
    let ip = match addr.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    format!("http://{}", SocketAddr::new(ip, addr.port()))
}

/// Hands queued jobs to the worker, [`MAX_INFLIGHT`] at once, until the mock shuts down or
/// the queue closes; returning drops (aborts) the jobs still running.
async fn dispatch(
    mut waiting: mpsc::Receiver<Job>,
    worker: Arc<worker::Worker>,
    mut shutdown: watch::Receiver<bool>,
) {
    let slots = Arc::new(Semaphore::new(MAX_INFLIGHT));
    let mut running = JoinSet::new();
    loop {
        let slot = tokio::select! {
            _ = shutdown.wait_for(|down| *down) => return,
            slot = slots.clone().acquire_owned() => slot,
        };
        let job = tokio::select! {
            _ = shutdown.wait_for(|down| *down) => return,
            job = waiting.recv() => job,
        };
        let (Ok(slot), Some(job)) = (slot, job) else {
            return;
        };
        while running.try_join_next().is_some() {}
        let worker = worker.clone();
        running.spawn(async move {
            worker.process(job).await;
            drop(slot);
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wildcard_listener_is_reached_on_loopback() {
        let v4: SocketAddr = "0.0.0.0:8080".parse().unwrap();
        assert_eq!(reachable(v4), "http://127.0.0.1:8080");
        let v6: SocketAddr = "[::]:8080".parse().unwrap();
        assert_eq!(reachable(v6), "http://[::1]:8080");
        let own: SocketAddr = "10.0.0.2:80".parse().unwrap();
        assert_eq!(reachable(own), "http://10.0.0.2:80");
    }
}
