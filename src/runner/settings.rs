//! The run's settings, resolved once (defaults < file < environment < flags) before any request.

use std::time::Duration;

use crate::suite::Feature;

/// Credentials sent on `/system/*`.
#[derive(Clone, PartialEq, Eq)]
pub enum Credentials {
    /// HTTP basic auth.
    Basic {
        /// The user.
        user: String,
        /// The password (never printed).
        password: String,
    },
    /// `Authorization: Bearer TOKEN` (never printed).
    Bearer(String),
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Credentials::Basic { user, .. } => write!(f, "Basic({user}, <redacted>)"),
            Credentials::Bearer(_) => f.write_str("Bearer(<redacted>)"),
        }
    }
}

impl Credentials {
    /// The secret parts, to redact from anything the run records: the password or token, and
    /// the `Authorization` value carrying it.
    pub fn secrets(&self) -> Vec<crate::redact::Secret> {
        use crate::redact::Secret;
        let header = self.header_value();
        let encoded = header
            .split_once(' ')
            .map(|(_, v)| v.to_string())
            .unwrap_or_default();
        let header = Secret::credential(header, "the Authorization header");
        match self {
            Credentials::Basic { password, .. } => vec![
                header,
                Secret::credential(encoded, "the basic-auth credentials"),
                Secret::credential(password.clone(), "the password"),
            ],
            Credentials::Bearer(token) => {
                vec![header, Secret::credential(token.clone(), "the token")]
            }
        }
    }

    /// The `Authorization` header value.
    pub fn header_value(&self) -> String {
        match self {
            Credentials::Basic { user, password } => super::client::basic(user, password),
            Credentials::Bearer(token) => format!("Bearer {token}"),
        }
    }
}

/// Everything a run needs to know, immutable once built.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The provider or gateway URL, without a trailing `/`.
    pub gateway: String,
    /// The namespace cases run in.
    pub namespace: String,
    /// A second namespace: each case runs there too, and isolation cases use it.
    pub extra_namespace: Option<String>,
    /// Credentials for `/system/*`.
    pub credentials: Option<Credentials>,
    /// The registry prefix of the images the suites deploy (`${registry}`).
    pub registry: String,
    /// How many cases run at once.
    pub jobs: usize,
    /// The deadline of the whole run.
    pub timeout: Option<Duration>,
    /// Leave created resources in place.
    pub keep: bool,
    /// Features forced on.
    pub enable: Vec<Feature>,
    /// Features forced off.
    pub disable: Vec<Feature>,
    /// A profile name replacing detection (`faas-netes-ce`, `faasd-ce`, `mock`, `all`, ...).
    pub profile: Option<String>,
    /// How long "nothing must change" checks keep the load on (`${settle}`).
    pub settle: Duration,
    /// The idle time a scale-to-zero case asks for with `com.openfaas.scale.zero-duration`
    /// (`${idle}`): short, so a provider honouring the label idles within the case's wait.
    pub idle: Duration,
    /// The longest pause between polls.
    pub poll_max: Duration,
    /// The deadline of a single HTTP request.
    pub request_timeout: Duration,
    /// The deadline of an update or delete of a function, which a provider answers only once
    /// the running task has stopped (its stop grace, 30 s on faasd).
    pub mutation_timeout: Duration,
    /// How long cleanup may take, in all: deletes retried, then waiting until each function
    /// is gone from the provider's list.
    pub cleanup_timeout: Duration,
    /// Where the callback receiver listens (`--callback-listen`); by default `127.0.0.1` at
    /// an ephemeral port for a target on loopback, or the port of `callback_url`.
    pub callback_listen: Option<std::net::SocketAddr>,
    /// The URL the cluster calls the receiver at (`--callback-url`); without it, a target not
    /// on loopback gets no receiver and the cases needing one are skipped.
    pub callback_url: Option<String>,
}

impl Settings {
    /// Settings for `url` with every other value at its default.
    pub fn new(url: &str) -> Self {
        Settings {
            gateway: url.trim_end_matches('/').to_string(),
            namespace: crate::model::DEFAULT_NAMESPACE.to_string(),
            extra_namespace: None,
            credentials: None,
            registry: DEFAULT_REGISTRY.to_string(),
            jobs: DEFAULT_JOBS,
            timeout: None,
            keep: false,
            enable: Vec::new(),
            disable: Vec::new(),
            profile: None,
            settle: Duration::from_secs(20),
            idle: DEFAULT_IDLE,
            poll_max: Duration::from_secs(1),
            request_timeout: Duration::from_secs(30),
            mutation_timeout: DEFAULT_MUTATION_TIMEOUT,
            cleanup_timeout: DEFAULT_CLEANUP_TIMEOUT,
            callback_listen: None,
            callback_url: None,
        }
    }
}

impl Settings {
    /// The redirecting function's image (`${redirect_image}`): the original certifier's
    /// `theaxer/redirector:latest` with the default registry, where it is published, and
    /// `PREFIX/redirector:latest` under `--registry-prefix`, like every other image.
    pub fn redirect_image(&self) -> String {
        if self.registry == DEFAULT_REGISTRY {
            ORIGINAL_REDIRECTOR.to_string()
        } else {
            format!("{}/redirector:latest", self.registry)
        }
    }
}

impl Settings {
    /// The streaming and WebSocket function's image (`${echo_image}`): `jmalloc/echo-server`
    /// (v0.3.7, public on Docker Hub) with the default registry, and
    /// `PREFIX/echo-server:latest` under `--registry-prefix`, like every other image.
    pub fn echo_image(&self) -> String {
        if self.registry == DEFAULT_REGISTRY {
            ECHO_SERVER.to_string()
        } else {
            format!("{}/echo-server:latest", self.registry)
        }
    }
}

/// The public image the streaming and WebSocket cases deploy: it serves SSE on any path
/// ending in `/.sse` and WebSocket echo on any path.
pub const ECHO_SERVER: &str = "jmalloc/echo-server:latest";

/// The redirector image the original Go certifier deploys.
pub const ORIGINAL_REDIRECTOR: &str = "theaxer/redirector:latest";

/// `--mutation-timeout` by default: the faasd gateway's `upstream_timeout` (65 s), above a
/// 30 s stop grace.
pub const DEFAULT_MUTATION_TIMEOUT: Duration = Duration::from_secs(65);

/// `--cleanup-timeout` by default: a delete that fails after a 30 s stop grace, its retry
/// after another, and the wait until the function has left the list.
pub const DEFAULT_CLEANUP_TIMEOUT: Duration = Duration::from_secs(150);

/// `${idle}` by default.
pub const DEFAULT_IDLE: Duration = Duration::from_secs(5);

/// The image registry prefix by default.
pub const DEFAULT_REGISTRY: &str = "ghcr.io/openfaas";

/// Cases run at once by default: they mostly wait on the provider.
pub const DEFAULT_JOBS: usize = 8;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_echo_server_is_the_public_one_unless_a_registry_prefix_is_given() {
        let mut s = Settings::new("http://127.0.0.1:8080");
        assert_eq!(s.echo_image(), "jmalloc/echo-server:latest");
        s.registry = "registry.local:5000/mirror".into();
        assert_eq!(
            s.echo_image(),
            "registry.local:5000/mirror/echo-server:latest"
        );
    }

    #[test]
    fn the_redirector_is_the_original_unless_a_registry_prefix_is_given() {
        let mut s = Settings::new("http://127.0.0.1:8080");
        assert_eq!(s.redirect_image(), "theaxer/redirector:latest");
        s.registry = "registry.local:5000/mirror".into();
        assert_eq!(
            s.redirect_image(),
            "registry.local:5000/mirror/redirector:latest"
        );
    }
}
