//! The kinds that are one plain request: `request` (any path), `info` and `health`.

use bytes::Bytes;

use crate::runner::client::HttpRequest;
use crate::runner::ops::{get, Prepared};
use crate::suite::{Health, Info, RawRequest};

use super::{Perform, Place};

impl Perform for RawRequest {
    /// The method (`GET` by default), path, headers and a text or JSON body as written.
    fn request(&self, _: &Place<'_>, _: &mut Prepared) -> HttpRequest {
        let mut headers: Vec<(String, String)> = self
            .headers
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let body = match (&self.json, &self.body) {
            (Some(j), _) => {
                headers.push(("Content-Type".into(), "application/json".into()));
                Bytes::from(j.to_string())
            }
            (None, Some(b)) => Bytes::from(b.clone()),
            (None, None) => Bytes::new(),
        };
        HttpRequest {
            method: method_or_get(&self.method),
            path: self.path.clone(),
            headers,
            body,
            ..Default::default()
        }
    }
}

impl Perform for Info {
    /// `GET /system/info`.
    fn request(&self, _: &Place<'_>, _: &mut Prepared) -> HttpRequest {
        get("/system/info".into())
    }
}

impl Perform for Health {
    /// `GET /healthz`, or `HEAD`.
    fn request(&self, _: &Place<'_>, _: &mut Prepared) -> HttpRequest {
        HttpRequest {
            method: method_or_get(&self.method),
            path: "/healthz".into(),
            ..Default::default()
        }
    }
}

/// A written method in upper case, `GET` when none is.
fn method_or_get(method: &Option<String>) -> String {
    method.as_deref().unwrap_or("GET").to_uppercase()
}
