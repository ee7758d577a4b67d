//! Credentials from the faas-cli config file (`~/.openfaas/config.yml`, or `$OPENFAAS_CONFIG/config.yml`).

use std::path::{Path, PathBuf};

use base64::Engine;
use serde::Deserialize;

use super::settings::Credentials;

#[derive(Debug, Deserialize)]
struct ConfigFile {
    #[serde(default)]
    auths: Vec<AuthEntry>,
}

#[derive(Debug, Deserialize)]
struct AuthEntry {
    #[serde(default)]
    gateway: String,
    #[serde(default)]
    auth: String,
    #[serde(default)]
    token: String,
}

/// The config file faas-cli uses: `$OPENFAAS_CONFIG/config.yml`, else `$HOME/.openfaas/config.yml`.
pub fn config_path(openfaas_config: Option<&str>, home: Option<&str>) -> Option<PathBuf> {
    match (openfaas_config, home) {
        (Some(dir), _) if !dir.is_empty() => Some(Path::new(dir).join("config.yml")),
        (_, Some(home)) if !home.is_empty() => {
            Some(Path::new(home).join(".openfaas").join("config.yml"))
        }
        _ => None,
    }
}

/// The gateway URL as faas-cli stores it: lower case, no trailing `/`.
fn normalise(url: &str) -> String {
    url.trim().trim_end_matches('/').to_lowercase()
}

/// Reads the credentials stored for `gateway` in `path`; `Ok(None)` when the file or entry is absent.
pub fn credentials_for(path: &Path, gateway: &str) -> Result<Option<Credentials>, String> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
    };
    let file: ConfigFile = serde_saphyr::from_str(&text).map_err(|e| {
        let at = e
            .location()
            .map(|l| format!(":{}:{}", l.line(), l.column()))
            .unwrap_or_default();
        format!("{}{at}: not a faas-cli config file", path.display())
    })?;
    let want = normalise(gateway);
    let Some(entry) = file
        .auths
        .into_iter()
        .find(|a| normalise(&a.gateway) == want)
    else {
        return Ok(None);
    };
    match entry.auth.as_str() {
        "basic" => {
            let decoded = base64::engine::general_purpose::STANDARD
                .decode(entry.token.trim())
                .map_err(|_| {
                    format!(
                        "{}: the basic token for {want} is not base64",
                        path.display()
                    )
                })?;
            let text = String::from_utf8(decoded).map_err(|_| {
                format!("{}: the basic token for {want} is not text", path.display())
            })?;
            match text.split_once(':') {
                Some((user, password)) => Ok(Some(Credentials::Basic {
                    user: user.into(),
                    password: password.into(),
                })),
                None => Err(format!(
                    "{}: the basic token for {want} is not user:password",
                    path.display()
                )),
            }
        }
        "oauth2" | "bearer" => Ok(Some(Credentials::Bearer(entry.token))),
        other => Err(format!(
            "{}: unknown auth type {other:?} for {want}",
            path.display()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_basic_and_oauth2_entries_by_normalised_gateway() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.yml");
        std::fs::write(
            &path,
            "auths:\n- gateway: http://127.0.0.1:8080\n  auth: basic\n  token: YWRtaW46czNjcmV0\n- gateway: https://gw.example.com\n  auth: oauth2\n  token: tok\n",
        )
        .unwrap();
        let basic = credentials_for(&path, "HTTP://127.0.0.1:8080/").unwrap();
        assert_eq!(
            basic,
            Some(Credentials::Basic {
                user: "admin".into(),
                password: "s3cret".into()
            })
        );
        let bearer = credentials_for(&path, "https://gw.example.com").unwrap();
        assert_eq!(bearer, Some(Credentials::Bearer("tok".into())));
        assert_eq!(credentials_for(&path, "http://other").unwrap(), None);
        assert_eq!(
            credentials_for(&dir.path().join("missing.yml"), "http://x").unwrap(),
            None
        );
    }

    #[test]
    fn path_prefers_openfaas_config() {
        assert_eq!(
            config_path(Some("/c"), Some("/h")),
            Some(PathBuf::from("/c/config.yml"))
        );
        assert_eq!(
            config_path(None, Some("/h")),
            Some(PathBuf::from("/h/.openfaas/config.yml"))
        );
    }
}
