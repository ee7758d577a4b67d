//! The tokio runtimes the subcommands run on.

/// The one runtime `run` and `selftest` run on: every case a task on it, two worker
/// threads (the cases mostly wait on the network; a second thread lets the in-process mocks
/// of a selftest answer while the runner works, and keeps memory low: no thread per case).
pub(crate) fn run_runtime() -> std::io::Result<tokio::runtime::Runtime> {
    keep_large_buffers_apart();
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
}

/// Large buffers (1 MiB bodies, grown connection buffers) get pages of their own that go
/// back to the system when freed. glibc otherwise raises its threshold after the first such
/// buffer is freed and serves the next ones from the heap, which then stays at its peak
/// (about 10 MiB more for a selftest).
fn keep_large_buffers_apart() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets a tunable of glibc's allocator; it is called before the
    // runtime starts, and a value it refuses leaves the default in place.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 128 * 1024);
    }
}

/// Builds the tokio runtime the mock server runs on.
pub(crate) fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
}
