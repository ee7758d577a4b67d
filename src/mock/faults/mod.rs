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
    StatusUnknown200,
    ListAlwaysEmpty,
    UpdateIgnored,
    UpdateUnknownAccepted,
    DeleteIgnored,
    DeleteUnknown200,
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
    /// Test names (`suite::case`, or a `suite::` prefix) of which at least one must fail.
    pub caught_by: &'static [&'static str],
}

macro_rules! fault {
    ($fault:ident, $name:literal, $area:literal, $description:literal, [$($case:literal),+ $(,)?]) => {
        FaultInfo { fault: Fault::$fault, name: $name, area: $area, description: $description, caught_by: &[$($case),+] }
    };
}

/// Every fault, by area.
pub const CATALOGUE: &[FaultInfo] = &[
    fault!(
        DeployAcceptsMissingImage,
        "deploy-accepts-missing-image",
        "deploy",
        "a deploy without an image answers 202 instead of 400",
        ["deploy::"]
    ),
    fault!(
        DeployAcceptsInvalidName,
        "deploy-accepts-invalid-name",
        "deploy",
        "a deploy with an invalid name answers 202 instead of 400",
        ["deploy::"]
    ),
    fault!(
        DeployIgnoresMissingSecret,
        "deploy-ignores-missing-secret",
        "deploy",
        "a deploy naming a secret that does not exist is accepted",
        ["deploy::"]
    ),
    fault!(
        DeployAnswers500,
        "deploy-answers-500",
        "deploy",
        "deploys the function but answers 500",
        ["deploy::"]
    ),
    fault!(
        StatusDropsEnvVars,
        "status-drops-env-vars",
        "status",
        "status and list omit envVars",
        ["deploy::"]
    ),
    fault!(
        StatusDropsEnvProcess,
        "status-drops-env-process",
        "status",
        "status and list omit envProcess",
        ["deploy::"]
    ),
    fault!(
        StatusDropsLabels,
        "status-drops-labels",
        "status",
        "status and list omit labels",
        ["deploy::"]
    ),
    fault!(
        StatusDropsAnnotations,
        "status-drops-annotations",
        "status",
        "status and list omit annotations",
        ["deploy::"]
    ),
    fault!(
        StatusDropsLimits,
        "status-drops-limits",
        "status",
        "status and list omit limits and requests",
        ["deploy::"]
    ),
    fault!(
        StatusDropsSecrets,
        "status-drops-secrets",
        "status",
        "status and list omit the mounted secrets",
        ["secrets::", "deploy::"]
    ),
    fault!(
        StatusUnknown200,
        "status-unknown-200",
        "status",
        "status of an unknown function answers 200 (as faas-memory)",
        ["deploy::", "delete::"]
    ),
    fault!(
        ListAlwaysEmpty,
        "list-always-empty",
        "list",
        "the function list is always empty",
        ["deploy::"]
    ),
    fault!(
        UpdateIgnored,
        "update-ignored",
        "update",
        "an update answers 202 but changes nothing",
        ["deploy::"]
    ),
    fault!(
        UpdateUnknownAccepted,
        "update-unknown-accepted",
        "update",
        "an update of an unknown function answers 202 instead of 404",
        ["deploy::"]
    ),
    fault!(
        DeleteIgnored,
        "delete-ignored",
        "delete",
        "a delete answers 202 but the function stays",
        ["delete::"]
    ),
    fault!(
        DeleteUnknown200,
        "delete-unknown-200",
        "delete",
        "a delete of an unknown function answers 200 instead of 404",
        ["delete::"]
    ),
    fault!(
        InvokeReportsPost,
        "invoke-reports-post",
        "invoke",
        "every invocation reaches the function as a POST",
        ["invoke::"]
    ),
    fault!(
        InvokeDropsQuery,
        "invoke-drops-query",
        "invoke",
        "the query string does not reach the function",
        ["invoke::"]
    ),
    fault!(
        InvokeDropsPath,
        "invoke-drops-path",
        "invoke",
        "the sub-path after the function name does not reach the function",
        ["invoke::"]
    ),
    fault!(
        InvokeDropsHeaders,
        "invoke-drops-headers",
        "invoke",
        "request headers do not reach the function",
        ["invoke::"]
    ),
    fault!(
        InvokeDropsEnvVars,
        "invoke-drops-env-vars",
        "invoke",
        "deployed envVars are missing from the function's environment",
        ["invoke::"]
    ),
    fault!(
        InvokeTruncatesBody,
        "invoke-truncates-body",
        "invoke",
        "response bodies are cut at 64 KiB",
        ["invoke::"]
    ),
    fault!(
        InvokeManglesBinary,
        "invoke-mangles-binary",
        "invoke",
        "response bodies pass through a lossy UTF-8 conversion",
        ["invoke::"]
    ),
    fault!(
        InvokeFollowsRedirects,
        "invoke-follows-redirects",
        "invoke",
        "a function's 302 reaches the caller as a 200 without Location",
        ["invoke::"]
    ),
    fault!(
        InvokeUnknown200,
        "invoke-unknown-200",
        "invoke",
        "invoking an unknown function answers 200",
        ["invoke::"]
    ),
    fault!(
        InvokeNoCallId,
        "invoke-no-call-id",
        "invoke",
        "a gateway answers without X-Call-Id and X-Start-Time",
        ["invoke::"]
    ),
    fault!(
        ScaleMinIgnored,
        "scale-min-ignored",
        "scaling",
        "a new function starts at 1 replica whatever com.openfaas.scale.min says",
        ["scale::"]
    ),
    fault!(
        ScaleEndpointIgnored,
        "scale-endpoint-ignored",
        "scaling",
        "the scale endpoint answers 202 but replicas do not change",
        ["scale::"]
    ),
    fault!(
        ScaleFromZero503,
        "scale-from-zero-503",
        "scaling",
        "invoking a function at 0 replicas answers 503 instead of scaling it up",
        ["scale::"]
    ),
    fault!(
        AutoscalerOff,
        "autoscaler-off",
        "scaling",
        "load never scales a function up",
        ["scale::"]
    ),
    fault!(
        AutoscalerNeverScalesDown,
        "autoscaler-never-scales-down",
        "scaling",
        "a function scaled up by load stays up when the load stops",
        ["scale::"]
    ),
    fault!(
        AutoscalerMovesFixed,
        "autoscaler-moves-fixed",
        "scaling",
        "load scales a function whose min equals max",
        ["scale::"]
    ),
    fault!(
        ScaleToZeroOff,
        "scale-to-zero-off",
        "scaling",
        "idle functions labelled com.openfaas.scale.zero=true never go to 0",
        ["scale::"]
    ),
    fault!(
        SecretCreateIgnored,
        "secret-create-ignored",
        "secrets",
        "a secret create answers 202 but stores nothing",
        ["secrets::"]
    ),
    fault!(
        SecretListLeaksValues,
        "secret-list-leaks-values",
        "secrets",
        "the secret list includes values (as faas-memory)",
        ["secrets::"]
    ),
    fault!(
        SecretUpdateIgnored,
        "secret-update-ignored",
        "secrets",
        "a secret update answers 202 but the value stays",
        ["secrets::"]
    ),
    fault!(
        SecretDeleteIgnored,
        "secret-delete-ignored",
        "secrets",
        "a secret delete answers 202 but the secret stays",
        ["secrets::"]
    ),
    fault!(
        SecretRawValueMangled,
        "secret-raw-value-mangled",
        "secrets",
        "binary rawValue secrets are stored through a lossy UTF-8 conversion",
        ["secrets::"]
    ),
    fault!(
        SecretDuplicate500,
        "secret-duplicate-500",
        "secrets",
        "creating a secret that exists answers 500 (neither refused nor upserted)",
        ["secrets::"]
    ),
    fault!(
        LogsMissingLines,
        "logs-missing-lines",
        "logs",
        "the watchdog's `Forking fprocess.` line is never logged",
        ["logs::"]
    ),
    fault!(
        LogsWrongName,
        "logs-wrong-name",
        "logs",
        "log messages name the instance instead of the function",
        ["logs::"]
    ),
    fault!(
        LogsTailIgnored,
        "logs-tail-ignored",
        "logs",
        "the tail parameter is ignored",
        ["logs::"]
    ),
    fault!(
        LogsFollowIgnored,
        "logs-follow-ignored",
        "logs",
        "follow=true closes the stream after the history",
        ["logs::"]
    ),
    fault!(
        NamespacesIgnored,
        "namespaces-ignored",
        "namespaces",
        "the namespace of a request is ignored: everything lands in openfaas-fn",
        ["namespaces::"]
    ),
    fault!(
        NamespacesLeakFunctions,
        "namespaces-leak-functions",
        "namespaces",
        "listing one namespace shows the functions of every namespace",
        ["namespaces::"]
    ),
    fault!(
        NamespacesListDefaultOnly,
        "namespaces-list-default-only",
        "namespaces",
        "/system/namespaces lists only openfaas-fn",
        ["namespaces::"]
    ),
    fault!(
        InfoEmptyVersion,
        "info-empty-version",
        "info",
        "/system/info reports an empty version release and sha",
        ["info::"]
    ),
    fault!(
        InfoNoProviderName,
        "info-no-provider-name",
        "info",
        "/system/info reports no provider name",
        ["info::"]
    ),
    fault!(
        HealthzFails,
        "healthz-500",
        "health",
        "/healthz answers 500",
        ["health::"]
    ),
    fault!(
        AuthOpenSystem,
        "auth-open-system",
        "auth",
        "/system/* answers without credentials",
        ["auth::"]
    ),
    fault!(
        AuthClosedFunction,
        "auth-closed-function",
        "auth",
        "/function/* demands credentials",
        ["auth::"]
    ),
    fault!(
        AuthNoChallenge,
        "auth-no-challenge",
        "auth",
        "a 401 carries no WWW-Authenticate challenge",
        ["auth::"]
    ),
];

const _: () = assert!(CATALOGUE.len() == Fault::AuthNoChallenge as usize + 1);

impl Fault {
    /// What the catalogue says of this fault.
    pub fn info(self) -> &'static FaultInfo {
        // The catalogue lists every fault in declaration order (checked at compile time
        // for the length and by a test for the order).
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

/// The catalogue as `--list-faults` prints it: one line per fault.
pub fn render_catalogue() -> String {
    let width = CATALOGUE.iter().map(|i| i.name.len()).max().unwrap_or(0);
    CATALOGUE
        .iter()
        .map(|i| format!("{:<width$}  {:<10}  {}\n", i.name, i.area, i.description))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogue_names_are_unique_and_parse_back() {
        let mut names: Vec<&str> = CATALOGUE.iter().map(|i| i.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), CATALOGUE.len());
        for (i, info) in CATALOGUE.iter().enumerate() {
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
