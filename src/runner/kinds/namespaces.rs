//! The namespace kinds: `namespaces` (the list), `namespace_create`, `namespace_get`,
//! `namespace_update` and `namespace_delete`.

use crate::runner::bodies::{self, json_request};
use crate::runner::client::HttpRequest;
use crate::runner::ops::{get, Prepared};
use crate::suite::{NamespaceDelete, NamespaceName, NamespaceSpec, NamespaceUpdate, Namespaces};

use super::{Perform, Place};

impl Perform for Namespaces {
    /// `GET /system/namespaces`.
    fn request(&self, _: &Place<'_>, _: &mut Prepared) -> HttpRequest {
        get("/system/namespaces".into())
    }
}

impl Perform for NamespaceSpec {
    /// `namespace_create`: `POST /system/namespace/{name}`; the namespace is deleted when the
    /// case ends.
    fn request(&self, _: &Place<'_>, _: &mut Prepared) -> HttpRequest {
        let path = format!("/system/namespace/{}", self.name);
        json_request("POST", path, &bodies::namespace(self))
    }
}

impl Perform for NamespaceName {
    /// `namespace_get`: `GET /system/namespace/{name}`.
    fn request(&self, _: &Place<'_>, _: &mut Prepared) -> HttpRequest {
        get(format!("/system/namespace/{}", self.name))
    }
}

impl Perform for NamespaceUpdate {
    /// `PUT /system/namespace/{name}`.
    fn request(&self, _: &Place<'_>, _: &mut Prepared) -> HttpRequest {
        let path = format!("/system/namespace/{}", self.name);
        json_request("PUT", path, &bodies::namespace(self))
    }
}

impl Perform for NamespaceDelete {
    /// `DELETE /system/namespace/{name}`.
    fn request(&self, _: &Place<'_>, _: &mut Prepared) -> HttpRequest {
        HttpRequest {
            method: "DELETE".into(),
            path: format!("/system/namespace/{}", self.name),
            ..Default::default()
        }
    }
}
