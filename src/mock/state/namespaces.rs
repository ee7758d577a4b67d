//! Namespace operations on the state: list, and CRUD as faas-netes Pro offers it.

use super::{Namespace, State};
use crate::mock::reply::{is_dns_label, ApiError};
use crate::model::{NamespaceRequest, DEFAULT_NAMESPACE};

impl State {
    /// Every namespace's name, sorted.
    pub fn list_namespaces(&self) -> Vec<String> {
        self.lock().namespaces.keys().cloned().collect()
    }

    /// One namespace's metadata.
    pub fn get_namespace(&self, name: &str) -> Result<NamespaceRequest, ApiError> {
        let inner = self.lock();
        let ns = inner.namespaces.get(name).ok_or_else(|| not_found(name))?;
        Ok(NamespaceRequest {
            name: name.to_string(),
            labels: Some(ns.labels.clone()).filter(|m| !m.is_empty()),
            annotations: Some(ns.annotations.clone()).filter(|m| !m.is_empty()),
        })
    }

    /// Creates a namespace; 409 if it exists.
    pub fn create_namespace(
        &self,
        path_name: &str,
        body: NamespaceRequest,
    ) -> Result<(), ApiError> {
        check(path_name, &body)?;
        let mut inner = self.lock();
        if inner.namespaces.contains_key(path_name) {
            return Err(ApiError::conflict(format!(
                "namespace {path_name:?} already exists"
            )));
        }
        inner.namespaces.insert(
            path_name.to_string(),
            Namespace {
                labels: body.labels.unwrap_or_default(),
                annotations: body.annotations.unwrap_or_default(),
                ..Default::default()
            },
        );
        Ok(())
    }

    /// Replaces a namespace's labels and annotations; 404 if it does not exist.
    pub fn update_namespace(
        &self,
        path_name: &str,
        body: NamespaceRequest,
    ) -> Result<(), ApiError> {
        check(path_name, &body)?;
        let mut inner = self.lock();
        let ns = inner
            .namespaces
            .get_mut(path_name)
            .ok_or_else(|| not_found(path_name))?;
        ns.labels = body.labels.unwrap_or_default();
        ns.annotations = body.annotations.unwrap_or_default();
        Ok(())
    }

    /// Deletes a namespace with everything in it; the default namespace stays.
    pub fn delete_namespace(&self, name: &str) -> Result<(), ApiError> {
        if name == DEFAULT_NAMESPACE {
            return Err(ApiError::bad_request(format!(
                "the default namespace {DEFAULT_NAMESPACE:?} cannot be deleted"
            )));
        }
        let mut inner = self.lock();
        inner
            .namespaces
            .remove(name)
            .ok_or_else(|| not_found(name))?;
        inner.logs.forget_namespace(name);
        Ok(())
    }
}

/// A body's name must be empty or equal to the path's, and a DNS-1123 label.
fn check(path_name: &str, body: &NamespaceRequest) -> Result<(), ApiError> {
    if !body.name.is_empty() && body.name != path_name {
        return Err(ApiError::bad_request(format!(
            "namespace name in the body ({:?}) does not match the path ({path_name:?})",
            body.name
        )));
    }
    if !is_dns_label(path_name) {
        return Err(ApiError::bad_request(format!(
            "invalid namespace name {path_name:?}: must be a DNS-1123 label"
        )));
    }
    Ok(())
}

fn not_found(name: &str) -> ApiError {
    ApiError::not_found(format!("namespace {name:?} not found"))
}
