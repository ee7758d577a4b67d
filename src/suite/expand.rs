//! Per-field variable expansion: every spec value maps its strings through one function,
//! field by field (no round trip through JSON). The runner expands with the case's
//! variables; the loader walks the same fields to check that each `${name}` is defined.

use std::collections::BTreeMap;

/// A spec value whose strings can be rewritten one by one (`${var}` expansion).
pub trait Expand: Sized {
    /// The value with `f` applied to every string in it (map keys included); the first
    /// error stops the walk.
    fn map_strings<E>(&self, f: &mut dyn FnMut(&str) -> Result<String, E>) -> Result<Self, E>;

    /// The value with every `${name}` replaced from `vars`.
    fn expand(&self, vars: &BTreeMap<String, String>) -> Result<Self, super::vars::VarError> {
        self.map_strings(&mut |s| super::vars::expand(s, vars))
    }
}

impl Expand for String {
    fn map_strings<E>(&self, f: &mut dyn FnMut(&str) -> Result<String, E>) -> Result<Self, E> {
        f(self)
    }
}

impl<T: Expand> Expand for Option<T> {
    fn map_strings<E>(&self, f: &mut dyn FnMut(&str) -> Result<String, E>) -> Result<Self, E> {
        self.as_ref().map(|v| v.map_strings(f)).transpose()
    }
}

impl<T: Expand> Expand for Vec<T> {
    fn map_strings<E>(&self, f: &mut dyn FnMut(&str) -> Result<String, E>) -> Result<Self, E> {
        self.iter().map(|v| v.map_strings(f)).collect()
    }
}

impl<T: Expand> Expand for Box<T> {
    fn map_strings<E>(&self, f: &mut dyn FnMut(&str) -> Result<String, E>) -> Result<Self, E> {
        Ok(Box::new((**self).map_strings(f)?))
    }
}

impl<T: Expand> Expand for BTreeMap<String, T> {
    fn map_strings<E>(&self, f: &mut dyn FnMut(&str) -> Result<String, E>) -> Result<Self, E> {
        self.iter()
            .map(|(k, v)| Ok((f(k)?, v.map_strings(f)?)))
            .collect()
    }
}

impl<T: Expand> Expand for serde_saphyr::Spanned<T> {
    /// Keeps where the value was written.
    fn map_strings<E>(&self, f: &mut dyn FnMut(&str) -> Result<String, E>) -> Result<Self, E> {
        Ok(serde_saphyr::Spanned::new(
            self.value.map_strings(f)?,
            self.referenced,
            self.defined,
        ))
    }
}

impl Expand for serde_json::Value {
    fn map_strings<E>(&self, f: &mut dyn FnMut(&str) -> Result<String, E>) -> Result<Self, E> {
        use serde_json::Value;
        Ok(match self {
            Value::String(s) => Value::String(f(s)?),
            Value::Array(items) => Value::Array(
                items
                    .iter()
                    .map(|v| v.map_strings(f))
                    .collect::<Result<_, _>>()?,
            ),
            Value::Object(map) => {
                let mut out = serde_json::Map::new();
                for (k, v) in map {
                    out.insert(f(k)?, v.map_strings(f)?);
                }
                Value::Object(out)
            }
            other => other.clone(),
        })
    }
}

/// Values with no strings in them expand to themselves.
macro_rules! expand_as_is {
    ($($t:ty),* $(,)?) => {
        $(impl Expand for $t {
            fn map_strings<E>(
                &self,
                _: &mut dyn FnMut(&str) -> Result<String, E>,
            ) -> Result<Self, E> {
                Ok(self.clone())
            }
        })*
    };
}

expand_as_is!(bool, u64, usize, f64);
pub(crate) use expand_as_is;

/// Implements [`Expand`] for a struct by expanding each of its fields; the struct literal
/// makes the compiler insist that every field is listed.
macro_rules! expand_fields {
    ($t:ident { $($field:ident),* $(,)? }) => {
        impl $crate::suite::expand::Expand for $t {
            fn map_strings<E>(
                &self,
                f: &mut dyn FnMut(&str) -> Result<String, E>,
            ) -> Result<Self, E> {
                Ok($t {
                    $($field: $crate::suite::expand::Expand::map_strings(&self.$field, f)?,)*
                })
            }
        }
    };
}
pub(crate) use expand_fields;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expands_strings_keys_and_json_field_by_field() {
        let vars: BTreeMap<String, String> = [("run".to_string(), "r1".to_string())].into();
        let v = serde_json::json!({"name": "f-${run}", "list": ["${run}", 1], "${run}": true});
        assert_eq!(
            v.expand(&vars).unwrap(),
            serde_json::json!({"name": "f-r1", "list": ["r1", 1], "r1": true})
        );
        let map: BTreeMap<String, Option<String>> =
            [("k-${run}".to_string(), Some("v-${run}".to_string()))].into();
        assert_eq!(map.expand(&vars).unwrap()["k-r1"].as_deref(), Some("v-r1"));
        let err = Some("${nope}".to_string()).expand(&vars).unwrap_err();
        assert_eq!(err.to_string(), "undefined variable ${nope}");
    }
}
