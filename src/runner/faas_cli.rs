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

/// Why the faas-cli config file gives no credentials although it is there.
#[derive(Debug, thiserror::Error)]
pub enum ConfigFileError {
    /// The file cannot be read.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not YAML of faas-cli's shape.
    #[error("{}{at}: not a faas-cli config file", path.display())]
    NotConfig {
        /// The file.
        path: PathBuf,
        /// `:LINE:COLUMN` of the error, when known.
        at: String,
    },
    /// The gateway's basic token is not what faas-cli writes.
    #[error("{}: the basic token for {gateway} is {problem}", path.display())]
    BadToken {
        /// The file.
        path: PathBuf,
        /// The gateway, as faas-cli stores it.
        gateway: String,
        /// What it is not (`not base64`, `not text`, `not user:password`).
        problem: &'static str,
    },
    /// The gateway's entry has an auth type faas-cli does not write.
    #[error("{}: unknown auth type {auth:?} for {gateway}", path.display())]
    UnknownAuth {
        /// The file.
        path: PathBuf,
        /// The gateway, as faas-cli stores it.
        gateway: String,
        /// The auth type found.
        auth: String,
    },
}

/// Reads the credentials stored for `gateway` in `path`; `Ok(None)` when the file or entry is absent.
pub fn credentials_for(path: &Path, gateway: &str) -> Result<Option<Credentials>, ConfigFileError> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(ConfigFileError::Read {
                path: path.into(),
                source,
            })
        }
    };
    let file: ConfigFile =
        serde_saphyr::from_str(&text).map_err(|e| ConfigFileError::NotConfig {
            path: path.into(),
            at: e
                .location()
                .map(|l| format!(":{}:{}", l.line(), l.column()))
                .unwrap_or_default(),
        })?;
    let want = normalise(gateway);
    let Some(entry) = file
        .auths
        .into_iter()
        .find(|a| normalise(&a.gateway) == want)
    else {
        return Ok(None);
    };
    let bad_token = |problem| ConfigFileError::BadToken {
        path: path.into(),
        gateway: want.clone(),
        problem,
    };
    match entry.auth.as_str() {
        "basic" => {
            let decoded = base64::engine::general_purpose::STANDARD
                .decode(entry.token.trim())
                .map_err(|_| bad_token("not base64"))?;
            let text = String::from_utf8(decoded).map_err(|_| bad_token("not text"))?;
            match text.split_once(':') {
                Some((user, password)) => Ok(Some(Credentials::Basic {
                    user: user.into(),
                    password: password.into(),
                })),
                None => Err(bad_token("not user:password")),
            }
        }
        "oauth2" | "bearer" => Ok(Some(Credentials::Bearer(entry.token))),
        other => Err(ConfigFileError::UnknownAuth {
            path: path.into(),
            gateway: want,
            auth: other.into(),
        }),
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
