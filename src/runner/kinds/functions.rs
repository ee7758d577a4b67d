//! The function kinds: `deploy`, `update`, `delete`, `status`, `list` and `scale` (the routes of
//! CONTRACT.md's functions section).

use crate::runner::bodies::{self, json_request};
use crate::runner::client::HttpRequest;
use crate::runner::ops::{enc, get, status_path, FollowUp, Prepared};
use crate::suite::{Delete, Deploy, List, Scale, Status, Update};

use super::{Perform, Place};

impl Perform for Deploy {
    /// `POST /system/functions`: the function is deleted when the case ends.
    fn request(&self, at: &Place<'_>, _: &mut Prepared) -> HttpRequest {
        bodies::deployment_request("POST", self, &at.ns_of(&self.namespace))
    }
}

impl Perform for Update {
    /// `PUT /system/functions`: a slow change, whose outcome is read from the status when
    /// unanswered.
    fn request(&self, at: &Place<'_>, p: &mut Prepared) -> HttpRequest {
        let ns = at.ns_of(&self.namespace);
        p.follow_up = Some(FollowUp::Applied {
            status: status_path(&self.name, &ns),
            image: self.image.clone(),
            fprocess: self.fprocess.clone(),
            env: self.env.clone(),
        });
        HttpRequest {
            slow: true,
            ..bodies::deployment_request("PUT", self, &ns)
        }
    }
}

impl Perform for Delete {
    /// `DELETE /system/functions` (namespace in query and body): a slow change, done once
    /// the function's status answers 404.
    fn request(&self, at: &Place<'_>, p: &mut Prepared) -> HttpRequest {
        let ns = at.ns_of(&self.namespace);
        p.follow_up = Some(FollowUp::Gone {
            status: status_path(&self.name, &ns),
        });
        HttpRequest {
            slow: true,
            ..json_request(
                "DELETE",
                format!("/system/functions?namespace={}", enc(&ns)),
                &bodies::delete_function(&self.name, &ns),
            )
        }
    }
}

impl Perform for Status {
    /// `GET /system/function/{name}?namespace=NS`.
    fn request(&self, at: &Place<'_>, _: &mut Prepared) -> HttpRequest {
        get(status_path(&self.name, &at.ns_of(&self.namespace)))
    }
}

impl Perform for List {
    /// `GET /system/functions?namespace=NS`.
    fn request(&self, at: &Place<'_>, _: &mut Prepared) -> HttpRequest {
        get(format!(
            "/system/functions?namespace={}",
            enc(&at.ns_of(&self.namespace))
        ))
    }
}

impl Perform for Scale {
    /// `POST /system/scale-function/{name}?namespace=NS`.
    fn request(&self, at: &Place<'_>, _: &mut Prepared) -> HttpRequest {
        let ns = at.ns_of(&self.namespace);
        json_request(
            "POST",
            format!(
                "/system/scale-function/{}?namespace={}",
                self.name,
                enc(&ns)
            ),
            &bodies::scale(&self.name, self.replicas, &ns),
        )
    }
}
