//! Errors of the mock server itself (not of the requests it answers).

/// Why the mock could not start or keep serving.
#[derive(Debug, thiserror::Error)]
pub enum MockError {
    /// The listening address could not be bound.
    #[error("cannot listen on {0}: {1}")]
    Bind(String, #[source] std::io::Error),
    /// The server stopped with an I/O error.
    #[error("server failed: {0}")]
    Serve(#[source] std::io::Error),
    /// The background task panicked or was cancelled.
    #[error("mock task ended abnormally: {0}")]
    Task(String),
    /// The configuration is invalid (e.g. an unreadable basic-auth directory).
    #[error("{0}")]
    Config(String),
}
