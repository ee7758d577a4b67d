//! Function status conditions: replicas, availableReplicas and invocationCount (absent = 0).

use super::Mismatch;
use crate::model::FunctionStatus;
use crate::suite::FunctionCondition;

/// Checks the conditions on a status body.
pub fn check(cond: &FunctionCondition, body: &[u8]) -> Result<(), Mismatch> {
    let status: FunctionStatus = serde_json::from_slice(body).map_err(|e| {
        Mismatch::new(
            "a function status",
            format!(
                "{} ({e})",
                super::quote_body(&String::from_utf8_lossy(body))
            ),
        )
    })?;
    let fields = [
        ("replicas", &cond.replicas, status.replicas),
        (
            "availableReplicas",
            &cond.available_replicas,
            status.available_replicas,
        ),
        (
            "invocationCount",
            &cond.invocation_count,
            status.invocation_count,
        ),
    ];
    for (name, want, got) in fields {
        if let Some(want) = want {
            if !want.accepts(got) {
                return Err(Mismatch::new(format!("{name} {want}"), got.to_string()));
            }
        }
    }
    Ok(())
}

/// The conditions in words.
pub fn describe(cond: &FunctionCondition) -> String {
    let mut parts = Vec::new();
    if let Some(c) = &cond.replicas {
        parts.push(format!("replicas {c}"));
    }
    if let Some(c) = &cond.available_replicas {
        parts.push(format!("availableReplicas {c}"));
    }
    if let Some(c) = &cond.invocation_count {
        parts.push(format!("invocationCount {c}"));
    }
    parts.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::suite::Count;

    #[test]
    fn absent_numbers_read_as_zero() {
        let cond = FunctionCondition {
            replicas: Some(Count::Exactly(0)),
            ..Default::default()
        };
        assert!(check(&cond, br#"{"name":"f"}"#).is_ok());
        let cond = FunctionCondition {
            available_replicas: Some(Count::Range {
                min: Some(1),
                max: None,
            }),
            ..Default::default()
        };
        assert_eq!(
            check(&cond, br#"{"name":"f","replicas":1}"#)
                .unwrap_err()
                .to_string(),
            "want availableReplicas >= 1, got 0"
        );
    }
}
