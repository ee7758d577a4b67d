//! The secret kinds: `secret_create`, `secret_update`, `secret_delete` and `secret_list`. The
//! values sent are kept out of every record.

use crate::runner::bodies::{self, json_request};
use crate::runner::client::HttpRequest;
use crate::runner::ops::{enc, get, Prepared};
use crate::suite::{SecretList, SecretRef, SecretSpec, SecretUpdate};

use super::{Perform, Place};

/// `METHOD /system/secrets?namespace=NS` with the secret's name and value, which is kept out
/// of every record.
fn secret_change(s: &SecretSpec, at: &Place<'_>, method: &str, p: &mut Prepared) -> HttpRequest {
    let ns = at.ns_of(&s.namespace);
    let (body, sensitive) = bodies::secret(s, &ns);
    p.sensitive = sensitive.into_iter().map(|v| (v, s.name.clone())).collect();
    json_request(
        method,
        format!("/system/secrets?namespace={}", enc(&ns)),
        &body,
    )
}

impl Perform for SecretSpec {
    /// `secret_create`: `POST`; the secret is deleted when the case ends.
    fn request(&self, at: &Place<'_>, p: &mut Prepared) -> HttpRequest {
        secret_change(self, at, "POST", p)
    }
}

impl Perform for SecretUpdate {
    /// `secret_update`: `PUT`.
    fn request(&self, at: &Place<'_>, p: &mut Prepared) -> HttpRequest {
        secret_change(self, at, "PUT", p)
    }
}

impl Perform for SecretRef {
    /// `secret_delete`: `DELETE` with the secret's name in the body.
    fn request(&self, at: &Place<'_>, _: &mut Prepared) -> HttpRequest {
        let ns = at.ns_of(&self.namespace);
        json_request(
            "DELETE",
            format!("/system/secrets?namespace={}", enc(&ns)),
            &bodies::secret_ref(&self.name, &ns),
        )
    }
}

impl Perform for SecretList {
    /// `GET /system/secrets?namespace=NS`.
    fn request(&self, at: &Place<'_>, _: &mut Prepared) -> HttpRequest {
        get(format!(
            "/system/secrets?namespace={}",
            enc(&at.ns_of(&self.namespace))
        ))
    }
}
