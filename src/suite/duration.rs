//! Durations written as humantime text (`500ms`, `30s`, `2m`), possibly with variables.

use std::time::Duration;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A humantime duration as written; parsed after variable expansion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct DurationText(pub String);

impl DurationText {
    /// Parses the text (after variables were expanded), e.g. `30s`.
    pub fn parse(text: &str) -> Result<Duration, String> {
        humantime::parse_duration(text.trim()).map_err(|e| format!("bad duration {text:?}: {e}"))
    }

    /// The duration when the text holds no variables, for load-time checks.
    pub fn literal(&self) -> Option<Result<Duration, String>> {
        (!self.0.contains("${")).then(|| Self::parse(&self.0))
    }
}

impl super::expand::Expand for DurationText {
    fn map_strings<E>(&self, f: &mut dyn FnMut(&str) -> Result<String, E>) -> Result<Self, E> {
        Ok(DurationText(f(&self.0)?))
    }
}

impl JsonSchema for DurationText {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Duration".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "description": "A humantime duration such as `250ms`, `30s` or `2m`, or a `${variable}`.",
            "pattern": "^([0-9]+ ?[a-z]+ ?)+$|\\$\\{"
        })
    }
}
