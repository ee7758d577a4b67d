//! The fault catalogue: deliberate breaks of the contract, one point each, to prove that
//! the suites catch a broken provider (`faas-certifier mock --fault NAME`).
//!
//! Most faults are applied by [`rewrite`], a layer that alters requests before routing or
//! responses after the handler; the rest are checked where the state does the work
//! (`State::has_fault`).

pub mod rewrite;

use std::fmt;
use std::str::FromStr;

/// One deliberate break of the contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Fault {
    DeployAcceptsMissingImage,
    DeployAcceptsInvalidName,
    DeployIgnoresMissingSecret,
    DeployAnswers500,
    StatusDropsEnvVars,
    StatusDropsEnvProcess,
    StatusDropsLabels,
    StatusDropsAnnotations,
    StatusDropsLimits,
    StatusDropsSecrets,
    StatusReplicasAsString,
    StatusAnnotationsNull,
    StatusUnknown200,
    StatusAlways404,
    ListDropsNamespace,
    InvokeRefused401,
    ListAlwaysEmpty,
    UpdateIgnored,
    UpdateUnknownAccepted,
    DeleteIgnored,
    DeleteUnknown200,
    FirstStopFails,
    DeleteNeverCompletes,
    InvokeReportsPost,
    InvokeDropsQuery,
    InvokeDropsPath,
    InvokeDropsHeaders,
    InvokeDropsEnvVars,
    InvokeTruncatesBody,
    InvokeManglesBinary,
    InvokeFollowsRedirects,
    InvokeUnknown200,
    InvokeNoCallId,
    AsyncNoCallback,
    AsyncCallIdChanged,
    AsyncStatusDropped,
    ScaleMinIgnored,
    ScaleEndpointIgnored,
    ScaleFromZero503,
    AutoscalerOff,
    AutoscalerNeverScalesDown,
    AutoscalerMovesFixed,
    ScaleToZeroOff,
    SecretCreateIgnored,
    SecretListLeaksValues,
    SecretUpdateIgnored,
    SecretDeleteIgnored,
    SecretRawValueMangled,
    SecretDuplicate500,
    LogsMissingLines,
    LogsWrongName,
    LogsTailIgnored,
    LogsFollowIgnored,
    NamespacesIgnored,
    NamespacesLeakFunctions,
    NamespacesListDefaultOnly,
    InfoEmptyVersion,
    InfoNoProviderName,
    HealthzFails,
    AuthOpenSystem,
    AuthClosedFunction,
    AuthNoChallenge,
    StreamBuffered,
    WebsocketRefused,
    InternalMarkerMissing,
    InternalMarkerOnFunctionError,
}

/// What the catalogue says of a fault.
#[derive(Debug, Clone, Copy)]
pub struct FaultInfo {
    /// The fault.
    pub fault: Fault,
    /// Its name on the command line.
    pub name: &'static str,
    /// The API area it breaks.
    pub area: &'static str,
    /// One line saying what it breaks.
    pub description: &'static str,
    /// Cases (`suite::case`) of which at least one must fail when the fault is on
    /// (measured by `tests/faults.rs`).
    pub caught_by: &'static [&'static str],
    /// Whether it shows on a bare provider only: its cases check the provider's own proxy
    /// (WebSockets, the internal marker), which a gateway does not pass on, so the
    /// catalogue measures it against the provider mode rather than the Pro gateway.
    pub bare_provider: bool,
}

macro_rules! fault {
    ($fault:ident, $name:literal, $area:literal, $description:literal, [$($case:literal),+ $(,)?]) => {
        FaultInfo { fault: Fault::$fault, name: $name, area: $area, description: $description, caught_by: &[$($case),+], bare_provider: false }
    };
    ($fault:ident, $name:literal, $area:literal, $description:literal, [$($case:literal),+ $(,)?], bare_provider) => {
        FaultInfo { fault: Fault::$fault, name: $name, area: $area, description: $description, caught_by: &[$($case),+], bare_provider: true }
    };
}

/// Every fault, by area.
pub const CATALOGUE: &[FaultInfo] = &[
    fault!(
        DeployAcceptsMissingImage,
        "deploy-accepts-missing-image",
        "deploy",
        "a deploy without an image answers 202 instead of 400",
        ["deploy::no-image"]
    ),
    fault!(
        DeployAcceptsInvalidName,
        "deploy-accepts-invalid-name",
        "deploy",
        "a deploy with an invalid name answers 202 instead of 400",
        ["deploy::invalid-name"]
    ),
    fault!(
        DeployIgnoresMissingSecret,
        "deploy-ignores-missing-secret",
        "deploy",
        "a deploy naming a secret that does not exist is accepted",
        ["deploy::missing-secret"]
    ),
    fault!(
        DeployAnswers500,
        "deploy-answers-500",
        "deploy",
        "deploys the function but answers 500",
        [
            "deploy::plain",
            "deploy::labels",
            "deploy::annotations",
            "deploy::limits"
        ]
    ),
    fault!(
        StatusDropsEnvVars,
        "status-drops-env-vars",
        "status",
        "status and list omit envVars",
        [
            "deploy::env-and-filesystem",
            "deploy::update-changes-status"
        ]
    ),
    fault!(
        StatusDropsEnvProcess,
        "status-drops-env-process",
        "status",
        "status and list omit envProcess",
        ["deploy::plain", "deploy::list-own-functions"]
    ),
    fault!(
        StatusDropsLabels,
        "status-drops-labels",
        "status",
        "status and list omit labels",
        ["deploy::labels"]
    ),
    fault!(
        StatusDropsAnnotations,
        "status-drops-annotations",
        "status",
        "status and list omit annotations",
        ["deploy::annotations"]
    ),
    fault!(
        StatusDropsLimits,
        "status-drops-limits",
        "status",
        "status and list omit limits and requests",
        ["deploy::limits"]
    ),
    fault!(
        StatusDropsSecrets,
        "status-drops-secrets",
        "status",
        "status and list omit the mounted secrets",
        ["secrets::value-mounted"]
    ),
    fault!(
        StatusReplicasAsString,
        "status-replicas-as-string",
        "status",
        "status and list send replicas as a string (\"1\"), a shape Go clients cannot decode",
        ["deploy::plain", "scale::scale-up"]
    ),
    fault!(
        StatusAnnotationsNull,
        "status-annotations-null",
        "status",
        "status and list send \"annotations\": null, which Go clients dereference",
        ["deploy::plain", "deploy::null-labels"]
    ),
    fault!(
        StatusUnknown200,
        "status-unknown-200",
        "status",
        "status of an unknown function answers 200 (as faas-memory)",
        ["deploy::status-unknown", "delete::removes-everywhere"]
    ),
    fault!(
        StatusAlways404,
        "status-always-404",
        "status",
        "the status of every function answers 404, deployed or not",
        ["deploy::plain"]
    ),
    fault!(
        ListDropsNamespace,
        "list-drops-namespace",
        "list",
        "function list items omit their namespace (as faas-memory)",
        ["deploy::list-own-functions"]
    ),
    fault!(
        InvokeRefused401,
        "invoke-refused-401",
        "invoke",
        "every invocation answers 401, as if /function/* needed credentials",
        ["invoke::verbs"]
    ),
    fault!(
        ListAlwaysEmpty,
        "list-always-empty",
        "list",
        "the function list is always empty",
        ["deploy::list-own-functions", "namespaces::isolation"]
    ),
    fault!(
        UpdateIgnored,
        "update-ignored",
        "update",
        "an update answers 202 but changes nothing",
        ["deploy::update-changes-status"]
    ),
    fault!(
        UpdateUnknownAccepted,
        "update-unknown-accepted",
        "update",
        "an update of an unknown function answers 202 instead of 404",
        ["deploy::update-unknown"]
    ),
    fault!(
        DeleteIgnored,
        "delete-ignored",
        "delete",
        "a delete answers 202 but the function stays",
        ["delete::removes-everywhere"]
    ),
    fault!(
        DeleteUnknown200,
        "delete-unknown-200",
        "delete",
        "a delete of an unknown function answers 200 instead of 404",
        ["delete::unknown"]
    ),
    fault!(
        FirstStopFails,
        "first-stop-fails",
        "update",
        "the first update or delete of each function answers 500 `error deleting container NAME: cannot delete running task NAME: failed precondition` after the stop grace and changes nothing (faasd 0.19.0); the next one succeeds",
        ["deploy::update-changes-status", "delete::removes-everywhere"]
    ),
    fault!(
        DeleteNeverCompletes,
        "delete-never-completes",
        "delete",
        "a delete answers 202 but never completes: the function stays listed and its status 200, with no replica and no endpoint",
        ["delete::removes-everywhere"]
    ),
    fault!(
        InvokeReportsPost,
        "invoke-reports-post",
        "invoke",
        "every invocation reaches the function as a POST",
        ["invoke::verbs"]
    ),
    fault!(
        InvokeDropsQuery,
        "invoke-drops-query",
        "invoke",
        "the query string does not reach the function",
        ["invoke::query"]
    ),
    fault!(
        InvokeDropsPath,
        "invoke-drops-path",
        "invoke",
        "the sub-path after the function name does not reach the function",
        ["invoke::sub-path"]
    ),
    fault!(
        InvokeDropsHeaders,
        "invoke-drops-headers",
        "invoke",
        "request headers do not reach the function",
        ["invoke::headers"]
    ),
    fault!(
        InvokeDropsEnvVars,
        "invoke-drops-env-vars",
        "invoke",
        "deployed envVars are missing from the function's environment",
        ["invoke::custom-env"]
    ),
    fault!(
        InvokeTruncatesBody,
        "invoke-truncates-body",
        "invoke",
        "response bodies are cut at 64 KiB",
        ["invoke::echo-binary-1mib"]
    ),
    fault!(
        InvokeManglesBinary,
        "invoke-mangles-binary",
        "invoke",
        "response bodies pass through a lossy UTF-8 conversion",
        ["invoke::echo-binary-1mib"]
    ),
    fault!(
        InvokeFollowsRedirects,
        "invoke-follows-redirects",
        "invoke",
        "a function's 302 reaches the caller as a 200 without Location",
        ["invoke::redirect"]
    ),
    fault!(
        InvokeUnknown200,
        "invoke-unknown-200",
        "invoke",
        "invoking an unknown function answers 200",
        ["invoke::not-found", "invoke::not-found-empty-name"]
    ),
    fault!(
        InvokeNoCallId,
        "invoke-no-call-id",
        "invoke",
        "a gateway answers without X-Call-Id and X-Start-Time",
        ["invoke::gateway-headers"]
    ),
    fault!(
        AsyncNoCallback,
        "async-no-callback",
        "async",
        "an asynchronous invocation is accepted (202) and the function invoked, but the result is never posted to the X-Callback-Url",
        ["invoke::async-callback"]
    ),
    fault!(
        AsyncCallIdChanged,
        "async-call-id-changed",
        "async",
        "the callback carries an X-Call-Id other than the one the 202 gave",
        ["invoke::async-callback"]
    ),
    fault!(
        AsyncStatusDropped,
        "async-status-dropped",
        "async",
        "the callback lacks X-Function-Status, so a caller cannot tell a function's failure from its success",
        ["invoke::async-callback", "invoke::async-failure-status"]
    ),
    fault!(
        ScaleMinIgnored,
        "scale-min-ignored",
        "scaling",
        "a new function starts at 1 replica whatever com.openfaas.scale.min says",
        ["scale::scale-min"]
    ),
    fault!(
        ScaleEndpointIgnored,
        "scale-endpoint-ignored",
        "scaling",
        "the scale endpoint answers 202 but replicas do not change",
        ["scale::scale-up", "scale::scale-from-zero"]
    ),
    fault!(
        ScaleFromZero503,
        "scale-from-zero-503",
        "scaling",
        "invoking a function at 0 replicas answers 503 instead of scaling it up",
        ["scale::scale-from-zero"]
    ),
    fault!(
        AutoscalerOff,
        "autoscaler-off",
        "scaling",
        "load never scales a function up",
        ["scale::throughput"]
    ),
    fault!(
        AutoscalerNeverScalesDown,
        "autoscaler-never-scales-down",
        "scaling",
        "a function scaled up by load stays up when the load stops",
        ["scale::throughput"]
    ),
    fault!(
        AutoscalerMovesFixed,
        "autoscaler-moves-fixed",
        "scaling",
        "load scales a function whose min equals max",
        ["scale::scaling-disabled"]
    ),
    fault!(
        ScaleToZeroOff,
        "scale-to-zero-off",
        "scaling",
        "idle functions labelled com.openfaas.scale.zero=true never go to 0",
        ["scale::scale-to-zero-idle"]
    ),
    fault!(
        SecretCreateIgnored,
        "secret-create-ignored",
        "secrets",
        "a secret create answers 202 but stores nothing",
        ["secrets::value-mounted", "secrets::list-names-not-values"]
    ),
    fault!(
        SecretListLeaksValues,
        "secret-list-leaks-values",
        "secrets",
        "the secret list includes values (as faas-memory)",
        ["secrets::list-names-not-values"]
    ),
    fault!(
        SecretUpdateIgnored,
        "secret-update-ignored",
        "secrets",
        "a secret update answers 202 but the value stays",
        ["secrets::update-remounted"]
    ),
    fault!(
        SecretDeleteIgnored,
        "secret-delete-ignored",
        "secrets",
        "a secret delete answers 202 but the secret stays",
        ["secrets::delete-removes"]
    ),
    fault!(
        SecretRawValueMangled,
        "secret-raw-value-mangled",
        "secrets",
        "binary rawValue secrets are stored through a lossy UTF-8 conversion",
        ["secrets::raw-value-binary"]
    ),
    fault!(
        SecretDuplicate500,
        "secret-duplicate-500",
        "secrets",
        "creating a secret that exists answers 500 (neither refused nor upserted)",
        ["secrets::duplicate-create"]
    ),
    fault!(
        LogsMissingLines,
        "logs-missing-lines",
        "logs",
        "the watchdog's `Forking fprocess.` line is never logged",
        ["logs::invocation-lines"]
    ),
    fault!(
        LogsWrongName,
        "logs-wrong-name",
        "logs",
        "log messages name the instance instead of the function",
        ["logs::invocation-lines", "logs::follow"]
    ),
    fault!(
        LogsTailIgnored,
        "logs-tail-ignored",
        "logs",
        "the tail parameter is ignored",
        ["logs::tail"]
    ),
    fault!(
        LogsFollowIgnored,
        "logs-follow-ignored",
        "logs",
        "follow=true closes the stream after the history",
        ["logs::follow"]
    ),
    fault!(
        NamespacesIgnored,
        "namespaces-ignored",
        "namespaces",
        "the namespace of a request is ignored: everything lands in openfaas-fn",
        ["namespaces::isolation", "deploy::foreign-namespace"]
    ),
    fault!(
        NamespacesLeakFunctions,
        "namespaces-leak-functions",
        "namespaces",
        "listing one namespace shows the functions of every namespace",
        ["namespaces::isolation"]
    ),
    fault!(
        NamespacesListDefaultOnly,
        "namespaces-list-default-only",
        "namespaces",
        "/system/namespaces lists only openfaas-fn",
        ["preflight", "namespaces::list-has-extra"]
    ),
    fault!(
        InfoEmptyVersion,
        "info-empty-version",
        "info",
        "/system/info reports an empty version release and sha",
        ["info::version"]
    ),
    fault!(
        InfoNoProviderName,
        "info-no-provider-name",
        "info",
        "/system/info reports no provider name",
        ["info::provider-named", "info::gateway-form"]
    ),
    fault!(
        HealthzFails,
        "healthz-500",
        "health",
        "/healthz answers 500",
        ["health::healthz", "health::healthz-head"]
    ),
    fault!(
        AuthOpenSystem,
        "auth-open-system",
        "auth",
        "/system/* answers without credentials",
        [
            "auth::deploy-refused-without-credentials",
            "auth::secrets-refuse-missing"
        ]
    ),
    fault!(
        AuthClosedFunction,
        "auth-closed-function",
        "auth",
        "/function/* demands credentials",
        ["auth::function-open"]
    ),
    fault!(
        AuthNoChallenge,
        "auth-no-challenge",
        "auth",
        "a 401 carries no WWW-Authenticate challenge",
        ["auth::basic-realm"]
    ),
    fault!(
        StreamBuffered,
        "stream-buffered",
        "invoke",
        "a streamed answer (SSE, NDJSON) is held and sent in one piece when it ends, or once held for max(1 s, 10 x --stream-interval); its bytes are unchanged",
        ["invoke::stream-sse", "invoke::stream-ndjson"]
    ),
    fault!(
        WebsocketRefused,
        "websocket-refused",
        "invoke",
        "a WebSocket upgrade is not tunnelled: the proxy drops Upgrade and Connection, so the function answers a plain request and the protocol never switches",
        ["invoke::websocket-echo"],
        bare_provider
    ),
    fault!(
        InternalMarkerMissing,
        "internal-marker-missing",
        "invoke",
        "the platform's own errors on /function/* (unknown function, unreachable, cold start, refused body) lack X-OpenFaaS-Internal: proxy",
        ["invoke::platform-error-marked"],
        bare_provider
    ),
    fault!(
        InternalMarkerOnFunctionError,
        "internal-marker-on-function-error",
        "invoke",
        "a function's own error answers (4xx and 5xx, such as false's 500) carry X-OpenFaaS-Internal: proxy",
        ["invoke::function-error-unmarked"],
        bare_provider
    ),
];

const _: () = assert!(CATALOGUE.len() == Fault::InternalMarkerOnFunctionError as usize + 1);

impl Fault {
    /// What the catalogue says of this fault.
    pub fn info(self) -> &'static FaultInfo {
        // The catalogue holds every fault in declaration order (checked at compile time for
        // the length and by a test for the order).
        &CATALOGUE[self as usize]
    }

    /// Its name on the command line.
    pub fn name(self) -> &'static str {
        self.info().name
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Fault {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        CATALOGUE
            .iter()
            .find(|i| i.name == s)
            .map(|i| i.fault)
            .ok_or_else(|| {
                format!(
                    "unknown fault {s:?}; `faas-certifier mock --list-faults` prints the catalogue"
                )
            })
    }
}

/// The catalogue as `--list-faults` prints it: a line per fault, and the cases that catch it.
pub fn render_catalogue() -> String {
    let width = CATALOGUE.iter().map(|i| i.name.len()).max().unwrap_or(0);
    CATALOGUE
        .iter()
        .map(|i| {
            format!(
                "{:<width$}  {:<10}  {}\n{:<width$}  caught by {}{}\n",
                i.name,
                i.area,
                i.description,
                "",
                i.caught_by.join(", "),
                if i.bare_provider {
                    " (on a bare provider)"
                } else {
                    ""
                }
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogue_names_are_unique_and_parse_back() {
        let all: Vec<&FaultInfo> = CATALOGUE.iter().collect();
        let mut names: Vec<&str> = all.iter().map(|i| i.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), all.len());
        for (i, info) in all.into_iter().enumerate() {
            assert_eq!(
                info.fault as usize, i,
                "{} is out of declaration order",
                info.name
            );
            assert_eq!(info.name.parse::<Fault>(), Ok(info.fault));
            assert_eq!(info.fault.name(), info.name);
            assert!(!info.caught_by.is_empty());
        }
        assert!(CATALOGUE.len() >= 30);
        assert!("no-such-fault"
            .parse::<Fault>()
            .unwrap_err()
            .contains("--list-faults"));
    }
}
