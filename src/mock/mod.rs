//! The bundled mock provider: a faithful in-memory OpenFaaS provider (`faas-certifier mock`).
//!
//! [`serve`] runs it on a listener until a shutdown future resolves; [`spawn`] binds
//! `127.0.0.1:0` and runs it in the background, for tests and `selftest`.

mod app;
mod auth;
mod autoscaler;
mod body;
mod config;
mod echo_server;
mod error;
pub mod faults;
mod flavour;
mod functions;
pub mod gateway;
mod hold;
mod invoke;
mod logs;
mod namespaces;
mod proxy;
mod queue;
mod reply;
mod secrets;
mod state;
mod system;
pub mod watchdog;

use std::future::Future;
use std::net::SocketAddr;

use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use config::{AutoscalerConfig, BasicAuth, LagStatus, MockConfig, Timing};
pub use error::MockError;
pub use faults::{Fault, FaultInfo, CATALOGUE as FAULTS};
pub use flavour::{Answers, DeleteNamespaceFrom, Flavour};
pub use reply::is_dns_label;

/// Serves the mock on `listener` until `shutdown` resolves, then drains open requests.
pub async fn serve(
    listener: TcpListener,
    config: MockConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), MockError> {
    let state = state::State::new(config);
    // A gateway's asynchronous invocations, queued and run by a worker (none on a provider).
    let queue = queue::start(&state, &listener)?;
    let stop_queue = queue.clone();
    let autoscaler = autoscaler::start(state.clone());
    let router = match app::router(state.clone(), queue) {
        Ok(r) => r,
        Err(e) => {
            autoscaler.abort();
            if let Some(queue) = &stop_queue {
                queue.stop();
            }
            return Err(e);
        }
    };
    let service = router.into_make_service_with_connect_info::<SocketAddr>();
    let result = axum::serve(listener, service)
        .with_graceful_shutdown(async move {
            shutdown.await;
            state.shut_down();
        })
        .await
        .map_err(MockError::Serve);
    autoscaler.abort();
    if let Some(queue) = &stop_queue {
        queue.stop();
    }
    result
}

/// A mock running in the background; dropping it stops the server.
#[derive(Debug)]
pub struct RunningMock {
    /// The address it listens on.
    pub addr: SocketAddr,
    /// `http://ADDR`, without a trailing slash.
    pub url: String,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<Result<(), MockError>>>,
}

impl RunningMock {
    /// Stops the server and waits until it has shut down.
    pub async fn stop(mut self) -> Result<(), MockError> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        match self.task.take() {
            Some(task) => task.await.map_err(|e| MockError::Task(e.to_string()))?,
            None => Ok(()),
        }
    }
}

impl Drop for RunningMock {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// Binds `addr` (port 0 picks one) and serves the mock in a background task.
pub async fn spawn_on(addr: SocketAddr, config: MockConfig) -> Result<RunningMock, MockError> {
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|e| MockError::Bind(addr.to_string(), e))?;
    let addr = listener
        .local_addr()
        .map_err(|e| MockError::Bind(addr.to_string(), e))?;
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(serve(listener, config, async move {
        let _ = stopped.await;
    }));
    Ok(RunningMock {
        addr,
        url: format!("http://{addr}"),
        stop: Some(stop),
        task: Some(task),
    })
}

/// Serves the mock on `127.0.0.1:0` in a background task.
pub async fn spawn(config: MockConfig) -> Result<RunningMock, MockError> {
    spawn_on(SocketAddr::from(([127, 0, 0, 1], 0)), config).await
}
