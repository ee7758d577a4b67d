//! Secret operations on the state: create, update, delete, list. Values never leave
//! except through a function's mount.

use super::State;
use crate::mock::reply::{is_dns_label, ApiError};
use crate::mock::Fault;
use crate::model::Secret;

impl State {
    /// Creates a secret; a second create of the same name is refused with 409 (as faas-netes).
    pub fn create_secret(&self, query_ns: &str, secret: Secret) -> Result<(), ApiError> {
        let (ns, name, value) = self.parts(query_ns, secret)?;
        let upsert = self.answers().secret_create_upserts;
        let mut inner = self.lock();
        let namespace = inner.namespace_mut(&ns)?;
        if namespace.secrets.contains_key(&name) && !upsert {
            return Err(ApiError::conflict(format!(
                "secret {name:?} already exists in namespace {ns:?}"
            )));
        }
        namespace.secrets.insert(name, value);
        Ok(())
    }

    /// Replaces an existing secret's value.
    pub fn update_secret(&self, query_ns: &str, secret: Secret) -> Result<(), ApiError> {
        let (ns, name, value) = self.parts(query_ns, secret)?;
        let upsert = self.answers().secret_update_upserts;
        let mut inner = self.lock();
        let secrets = &mut inner.namespace_mut(&ns)?.secrets;
        match secrets.get_mut(&name) {
            Some(slot) => *slot = value,
            None if upsert => {
                secrets.insert(name, value);
            }
            None => return Err(not_found(&name, &ns)),
        }
        Ok(())
    }

    /// Deletes a secret.
    pub fn delete_secret(&self, query_ns: &str, secret: Secret) -> Result<(), ApiError> {
        let ns = super::pick_namespace([secret.namespace.as_str(), query_ns]);
        if secret.name.trim().is_empty() {
            return Err(ApiError::bad_request("secret name is required"));
        }
        let mut inner = self.lock();
        inner
            .namespace_mut(&ns)?
            .secrets
            .remove(&secret.name)
            .map(|_| ())
            .ok_or_else(|| ApiError {
                status: self.answers().secret_delete_unknown,
                ..not_found(&secret.name, &ns)
            })
    }

    /// Checks a create or update body and returns its namespace, name and value bytes.
    fn parts(&self, query_ns: &str, secret: Secret) -> Result<(String, String, Vec<u8>), ApiError> {
        let ns = super::pick_namespace([secret.namespace.as_str(), query_ns]);
        if secret.name.trim().is_empty() {
            return Err(ApiError::bad_request("secret name is required"));
        }
        if !is_dns_label(&secret.name.replace('.', "-")) {
            return Err(ApiError::bad_request(format!(
                "invalid secret name {:?}: use lowercase letters, digits, '-' and '.'",
                secret.name
            )));
        }
        let raw_value = if self.has_fault(Fault::SecretRawValueMangled) {
            String::from_utf8_lossy(&secret.raw_value)
                .into_owned()
                .into_bytes()
        } else {
            secret.raw_value
        };
        let value = if raw_value.is_empty() {
            secret.value.into_bytes()
        } else {
            raw_value
        };
        Ok((ns, secret.name, value))
    }

    /// The secrets of a namespace: names and namespace only.
    pub fn list_secrets(&self, ns: &str) -> Result<Vec<Secret>, ApiError> {
        let leak = self.has_fault(Fault::SecretListLeaksValues);
        let inner = self.lock();
        Ok(inner
            .namespace(ns)?
            .secrets
            .iter()
            .map(|(name, value)| Secret {
                name: name.clone(),
                namespace: ns.to_string(),
                value: if leak {
                    String::from_utf8_lossy(value).into_owned()
                } else {
                    String::new()
                },
                ..Default::default()
            })
            .collect())
    }
}

fn not_found(name: &str, ns: &str) -> ApiError {
    ApiError::not_found(format!("secret {name:?} not found in namespace {ns:?}"))
}
