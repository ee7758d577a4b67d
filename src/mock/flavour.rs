//! Provider flavours: the legal differences between real providers (the MAY clauses of
//! CONTRACT.md, e.g. [`routes.mutation-success`](../../CONTRACT.md#routes.mutation-success)), so the
//! suites can be shown to pass every conformant answer, not just the mock's own.

use std::fmt;
use std::str::FromStr;

use axum::http::StatusCode;

/// Which real provider's documented answers the mock gives.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Flavour {
    /// The mock's own answers: faas-netes codes, every optional feature.
    #[default]
    Mock,
    /// faas-netes CE: 202s, 409 on a duplicate secret, delete reads the namespace from the
    /// query, empty namespace in log messages, no scaling to 0, no namespace CRUD.
    FaasNetes,
    /// faasd CE: 200s, secrets upserted, delete reads the namespace from the body, no
    /// scaling to 0, no namespace CRUD, `HEAD /healthz` 405.
    Faasd,
    /// Every other legal oddity at once: 200 and 201 successes, `null` for empty lists,
    /// unknown extra fields, upserted secrets, empty namespace in log messages,
    /// `HEAD /healthz` 405.
    Quirky,
}

/// Where a delete request's namespace is read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeleteNamespaceFrom {
    /// The body, else the query.
    Either,
    /// The query only (faas-netes).
    Query,
    /// The body only (faasd).
    Body,
}

/// The answers a flavour gives where providers legally differ.
#[derive(Debug, Clone)]
pub struct Answers {
    /// `provider` in `/system/info`.
    pub provider_name: &'static str,
    /// `orchestration` in `/system/info`.
    pub orchestration: &'static str,
    /// Success of deploy, update, delete, scale, secret update and delete.
    pub mutation: StatusCode,
    /// Success of a secret create.
    pub secret_create: StatusCode,
    /// A create of an existing secret overwrites it instead of answering 409.
    pub secret_create_upserts: bool,
    /// An update of an unknown secret creates it instead of answering 404.
    pub secret_update_upserts: bool,
    /// The answer to deleting an unknown secret.
    pub secret_delete_unknown: StatusCode,
    /// The answer to deploying a function that exists.
    pub duplicate_deploy: StatusCode,
    /// The answer to scaling an unknown function.
    pub scale_unknown: StatusCode,
    /// Whether the scale endpoint accepts 0 replicas.
    pub scale_to_zero: bool,
    /// Where delete reads the namespace from.
    pub delete_namespace_from: DeleteNamespaceFrom,
    /// Log messages leave `namespace` empty.
    pub log_namespace_empty: bool,
    /// Empty lists are `null` instead of `[]`.
    pub null_empty_lists: bool,
    /// JSON objects carry fields the contract does not name.
    pub extra_fields: bool,
    /// A bare provider's answer to invoking an unknown function (a gateway says 404).
    pub invoke_unknown: StatusCode,
    /// Whether `/system/namespace/{name}` is implemented (else 501).
    pub namespace_crud: bool,
    /// Whether `HEAD /healthz` is served (200), as faas-provider does since f53fe63
    /// (v0.25.12, 2026-05-13); before, the route took GET only and HEAD got a bare 405.
    pub healthz_head: bool,
}

impl Flavour {
    /// Every flavour, for `--help` and tests.
    pub const ALL: [Flavour; 4] = [
        Flavour::Mock,
        Flavour::FaasNetes,
        Flavour::Faasd,
        Flavour::Quirky,
    ];

    /// Its name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Flavour::Mock => "mock",
            Flavour::FaasNetes => "faas-netes",
            Flavour::Faasd => "faasd",
            Flavour::Quirky => "quirky",
        }
    }

    /// The answers this flavour gives.
    pub fn answers(self) -> Answers {
        let mock = Answers {
            provider_name: "faas-certifier-mock",
            orchestration: "in-memory",
            mutation: StatusCode::ACCEPTED,
            secret_create: StatusCode::ACCEPTED,
            secret_create_upserts: false,
            secret_update_upserts: false,
            secret_delete_unknown: StatusCode::NOT_FOUND,
            duplicate_deploy: StatusCode::BAD_REQUEST,
            scale_unknown: StatusCode::NOT_FOUND,
            scale_to_zero: true,
            delete_namespace_from: DeleteNamespaceFrom::Either,
            log_namespace_empty: false,
            null_empty_lists: false,
            extra_fields: false,
            invoke_unknown: StatusCode::NOT_FOUND,
            namespace_crud: true,
            healthz_head: true,
        };
        match self {
            Flavour::Mock => mock,
            Flavour::FaasNetes => Answers {
                provider_name: "faas-netes-ce",
                orchestration: "kubernetes",
                duplicate_deploy: StatusCode::INTERNAL_SERVER_ERROR,
                scale_unknown: StatusCode::INTERNAL_SERVER_ERROR,
                scale_to_zero: false,
                delete_namespace_from: DeleteNamespaceFrom::Query,
                log_namespace_empty: true,
                invoke_unknown: StatusCode::SERVICE_UNAVAILABLE,
                namespace_crud: false,
                // faas-netes 662ce9ce (2026-05-13) builds on faas-provider v0.25.12 and
                // serves HEAD /healthz.
                ..mock
            },
            Flavour::Faasd => Answers {
                provider_name: "faasd-ce",
                orchestration: "containerd",
                mutation: StatusCode::OK,
                secret_create: StatusCode::OK,
                secret_create_upserts: true,
                secret_update_upserts: true,
                secret_delete_unknown: StatusCode::INTERNAL_SERVER_ERROR,
                scale_to_zero: false,
                delete_namespace_from: DeleteNamespaceFrom::Body,
                invoke_unknown: StatusCode::NOT_FOUND,
                namespace_crud: false,
                // faasd (13f03f3, 2025-11) builds on faas-provider v0.25.3.
                healthz_head: false,
                ..mock
            },
            Flavour::Quirky => Answers {
                mutation: StatusCode::OK,
                secret_create: StatusCode::CREATED,
                secret_create_upserts: true,
                log_namespace_empty: true,
                null_empty_lists: true,
                extra_fields: true,
                invoke_unknown: StatusCode::BAD_GATEWAY,
                healthz_head: false,
                ..mock
            },
        }
    }
}

impl fmt::Display for Flavour {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Flavour {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Flavour::ALL
            .into_iter()
            .find(|f| f.name() == s)
            .ok_or_else(|| {
                let names: Vec<&str> = Flavour::ALL.iter().map(|f| f.name()).collect();
                format!(
                    "unknown flavour {s:?}; expected one of {}",
                    names.join(", ")
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_parse_back() {
        for flavour in Flavour::ALL {
            assert_eq!(flavour.name().parse::<Flavour>(), Ok(flavour));
        }
        assert!("kubernetes"
            .parse::<Flavour>()
            .unwrap_err()
            .contains("faas-netes"));
    }

    #[test]
    fn flavours_differ_where_providers_do() {
        assert_eq!(Flavour::FaasNetes.answers().mutation, StatusCode::ACCEPTED);
        assert_eq!(Flavour::Faasd.answers().mutation, StatusCode::OK);
        assert!(Flavour::Faasd.answers().secret_create_upserts);
        assert!(!Flavour::FaasNetes.answers().scale_to_zero);
        assert!(Flavour::Quirky.answers().null_empty_lists);
    }
}
