//! SIGINT and SIGTERM: the mock shuts down cleanly; a run stops starting steps, cleans up,
//! writes its reports and exits with [`crate::exit::INTERRUPTED`].

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use crate::runner::Runner;

/// Resolves on the first SIGINT or SIGTERM.
pub async fn interrupted() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = interrupt => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = interrupt.await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = interrupt.await;
    }
}

/// Interrupts `runners` on the first signal; a second signal exits at once. Returns the
/// flag that says whether it happened.
pub fn interrupt_on_signal(
    handle: &tokio::runtime::Handle,
    runners: Vec<Arc<Runner>>,
) -> Arc<AtomicBool> {
    let flag = Arc::new(AtomicBool::new(false));
    let set = flag.clone();
    handle.spawn(async move {
        interrupted().await;
        set.store(true, Ordering::SeqCst);
        super::terminal::eprint("\ninterrupted: no new steps start; cleaning up what the run created (again to quit at once)\n");
        for runner in &runners {
            runner.interrupt();
        }
        interrupted().await;
        super::terminal::eprint("interrupted twice: quitting without cleanup\n");
        super::terminal::close(Duration::from_secs(1));
        std::process::exit(crate::exit::INTERRUPTED);
    });
    flag
}
