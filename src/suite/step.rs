//! Steps: one operation on the provider API, with its expectations, retries and captures.
//!
//! The list of step kinds is [`step_kinds`] and nothing else: it defines the [`Operation`]
//! enum, whose variants give the keys a step is written with (serde and strum derive them);
//! the loader maps a step's keys onto it ([`StepSpec`]), and the runner's dispatch is
//! generated from the same list.
//!
//! Adding a step kind: its line in [`step_kinds`]; its payload type (a type of its own, with
//! `expand_fields!`) implementing [`StepKind`]; its `Perform` in `runner/kinds`; and
//! `suites/schema.json` regenerated (`UPDATE_SCHEMA=1 cargo test --lib schema`). The compiler
//! asks for each but the schema.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::de::{self, Deserializer, IgnoredAny, IntoDeserializer, MapAccess, Visitor};
use serde::Deserialize;
use serde_saphyr::Spanned;

use super::expand::{expand_fields, Expand};
use super::invocation::{AsyncInvoke, Callback, Stream, WebSocket};
use super::kind::StepKind;
use super::payload::{
    AuthMode, Delete, Deploy, Health, Info, Invoke, List, Load, Logs, NamespaceDelete,
    NamespaceName, NamespaceRef, NamespaceSpec, NamespaceUpdate, Namespaces, RawRequest, Retry,
    Scale, SecretList, SecretRef, SecretSpec, SecretUpdate, Status, Update,
};
use super::{Capture, DurationText, Expect, Source};

/// Reads a present key as its default when its value is `null` (`info:` alone).
fn present<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// The step kinds, in the order their keys are listed: one line each, the variant (its key is
/// the variant's name in snake_case) and its payload type, which serves that kind alone (its
/// [`StepKind`] here, its `Perform` in the runner). `$m` is a macro that needs every kind:
/// [`define_operation`] below, and the runner's dispatch (`runner::kinds`). The only list of
/// step kinds.
macro_rules! step_kinds {
    ($m:ident) => {
        $m! {
            /// A raw HTTP request.
            Request(RawRequest),
            /// `POST /system/functions`; the function is deleted when the case ends.
            Deploy(Deploy),
            /// `PUT /system/functions`.
            Update(Update),
            /// `DELETE /system/functions` (namespace in query and body).
            Delete(Delete),
            /// `GET /system/function/{name}`.
            Status(Status),
            /// `GET /system/functions`.
            List(
                #[serde(deserialize_with = "present")]
                #[schemars(with = "Option<NamespaceRef>")]
                List
            ),
            /// `POST /system/scale-function/{name}`.
            Scale(Scale),
            /// A request to `/function/{name}[.namespace][/path]`.
            Invoke(Invoke),
            /// `POST /system/secrets`; the secret is deleted when the case ends.
            SecretCreate(SecretSpec),
            /// `PUT /system/secrets`.
            SecretUpdate(SecretUpdate),
            /// `DELETE /system/secrets`.
            SecretDelete(SecretRef),
            /// `GET /system/secrets`.
            SecretList(
                #[serde(deserialize_with = "present")]
                #[schemars(with = "Option<NamespaceRef>")]
                SecretList
            ),
            /// `GET /system/logs`.
            Logs(Logs),
            /// `GET /system/namespaces`.
            Namespaces(
                #[serde(deserialize_with = "present")]
                #[schemars(with = "Option<BTreeMap<String, String>>")]
                Namespaces
            ),
            /// `POST /system/namespace/{name}`; the namespace is deleted when the case ends.
            NamespaceCreate(NamespaceSpec),
            /// `GET /system/namespace/{name}`.
            NamespaceGet(NamespaceName),
            /// `PUT /system/namespace/{name}`.
            NamespaceUpdate(NamespaceUpdate),
            /// `DELETE /system/namespace/{name}`.
            NamespaceDelete(NamespaceDelete),
            /// `GET /system/info`.
            Info(
                #[serde(deserialize_with = "present")]
                #[schemars(with = "Option<BTreeMap<String, String>>")]
                Info
            ),
            /// `GET /healthz` (or `HEAD`).
            Health(
                #[serde(deserialize_with = "present")]
                #[schemars(with = "Option<Health>")]
                Health
            ),
            /// Invokes a function at a steady rate while the step polls its status.
            Load(Load),
            /// `/function/{name}[/path]` read as a stream: events (or lines) timed as they arrive.
            Stream(Stream),
            /// A WebSocket round trip through `/function/{name}[/path]`.
            Websocket(WebSocket),
            /// `POST /async-function/{name}[/path]`, with the run's callback receiver or a given
            /// `X-Callback-Url`.
            InvokeAsync(AsyncInvoke),
            /// Waits for the callback of the case's last `invoke_async` with `callback: true`.
            Callback(
                #[serde(deserialize_with = "present")]
                #[schemars(with = "Option<Callback>")]
                Callback
            ),
        }
    };
}
pub(crate) use step_kinds;

/// Defines [`Operation`] from the list of kinds, with its variable expansion and its view as
/// a [`StepKind`].
macro_rules! define_operation {
    ($( $(#[$doc:meta])* $variant:ident($(#[$field:meta])* $payload:ty) ),* $(,)?) => {
        /// What a step does: one variant per step kind, written as its key (`deploy: {...}`).
        #[derive(Debug, Clone, Deserialize, JsonSchema, strum::VariantNames, strum::IntoStaticStr)]
        #[serde(rename_all = "snake_case")]
        #[strum(serialize_all = "snake_case")]
        pub enum Operation {
            $( $(#[$doc])* $variant($(#[$field])* $payload), )*
        }

        impl Expand for Operation {
            fn map_strings<E>(
                &self,
                f: &mut dyn FnMut(&str) -> Result<String, E>,
            ) -> Result<Self, E> {
                Ok(match self {
                    $( Operation::$variant(p) => Operation::$variant(p.map_strings(f)?), )*
                })
            }
        }

        impl Operation {
            /// What the kind says about itself to the loader.
            pub fn kind(&self) -> &dyn StepKind {
                match self {
                    $( Operation::$variant(p) => p, )*
                }
            }
        }
    };
}

step_kinds!(define_operation);

impl Operation {
    /// Every step kind's key, in declaration order.
    pub const KEYS: &'static [&'static str] = <Operation as strum::VariantNames>::VARIANTS;

    /// The key the operation is written with.
    pub fn key(&self) -> &'static str {
        self.into()
    }
}

/// What every step may set besides its operation.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
pub struct StepCommon {
    /// A label for reports (defaults to the operation).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Which credentials to send: `default` (the run's), `none` or `wrong`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth: Option<AuthMode>,
    /// This step's deadline (e.g. `10s`), within the case's: every request, poll and stream
    /// of the step ends by then.
    #[serde(default)]
    #[schemars(with = "Option<DurationText>")]
    pub timeout: Option<Spanned<DurationText>>,
    /// Repeat the step, backing off, until `until` (or else `expect`) holds or time runs out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry: Option<Retry>,
    /// The condition that ends a retried step; `expect` is then checked on that answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<Expect>,
    /// What must come back.
    #[serde(default)]
    pub expect: Expect,
    /// Variables to set from the answer, for later steps.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub capture: BTreeMap<String, Capture>,
}

expand_fields!(StepCommon {
    name,
    auth,
    timeout,
    retry,
    until,
    expect,
    capture
});

impl StepCommon {
    /// The keys of [`StepCommon`], as written.
    pub const KEYS: [&'static str; 7] = [
        "name", "auth", "timeout", "retry", "until", "expect", "capture",
    ];
}

/// One checked step of a case: exactly one operation, what every step shares, and where
/// it was written.
#[derive(Debug, Clone)]
pub struct Step {
    /// What the step does.
    pub op: Operation,
    /// Its label, credentials, deadline, retry, expectations and captures.
    pub common: StepCommon,
    /// Where the step was written.
    pub span: Source,
}

impl Step {
    /// The step with every `${var}` expanded, field by field, and its regexes and base64
    /// values prepared; `Err` is a suite error (the case errors, it does not fail). Steps
    /// nested in `while_open` are left as written: they expand when they run.
    pub fn expanded(&self, vars: &BTreeMap<String, String>) -> Result<Step, String> {
        let op = self.op.expand(vars).map_err(|e| e.to_string())?;
        let mut common = self.common.expand(vars).map_err(|e| e.to_string())?;
        common
            .expect
            .prepare(false)
            .map_err(|e| format!("expect: {e}"))?;
        if let Some(until) = &mut common.until {
            until.prepare(false).map_err(|e| format!("until: {e}"))?;
        }
        for (name, capture) in &mut common.capture {
            capture
                .compile()
                .map_err(|e| format!("capture `{name}`: {e}"))?;
        }
        Ok(Step {
            op,
            common,
            span: self.span.clone(),
        })
    }

    /// The step as it runs against a bare provider (`gateway` false): `through_gateway`
    /// alternatives of `expect` and `until` are dropped; against a gateway they are kept.
    pub fn for_target(mut self, gateway: bool) -> Self {
        if !gateway {
            self.common.expect = self.common.expect.without_gateway_alternative();
            self.common.until = self.common.until.map(Expect::without_gateway_alternative);
        }
        self
    }

    /// The label reports show: the step's name, or its operation key.
    pub fn label(&self) -> String {
        match &self.common.name {
            Some(name) => name.clone(),
            None => self.op.key().to_string(),
        }
    }
}

/// A step as written: its operations and other keys, each with where it was written. The
/// loader turns it into a [`Step`] (exactly one operation, no unknown key) or an error.
#[derive(Debug, Clone, Default)]
pub struct StepSpec {
    /// The operation keys, in order, with their payloads.
    pub(crate) ops: Vec<(Spanned<String>, Operation)>,
    /// Everything else a step sets.
    pub(crate) common: StepCommon,
    /// Every key written (operations, common keys and unknown ones), in order.
    pub(crate) keys: Vec<Spanned<String>>,
    /// Keys that are neither an operation nor a common key.
    pub(crate) unknown: Vec<Spanned<String>>,
}

impl StepSpec {
    /// Where the key `key` is written in this step.
    pub(crate) fn key(&self, key: &str) -> Option<&Spanned<String>> {
        self.keys.iter().find(|k| k.value == key)
    }
}

impl JsonSchema for StepSpec {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Step".into()
    }

    /// One object: the operations' keys (from [`Operation`]'s schema) and the keys of
    /// [`StepCommon`] as its properties, nothing else, and exactly one operation key
    /// (`oneOf` of `required`).
    fn json_schema(g: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let common = StepCommon::json_schema(g);
        let mut properties = common
            .get("properties")
            .and_then(|p| p.as_object())
            .cloned()
            .unwrap_or_default();
        let ops = Operation::json_schema(g);
        let mut one_of = Vec::new();
        for branch in ops
            .get("oneOf")
            .and_then(|v| v.as_array())
            .into_iter()
            .flatten()
        {
            let description = branch.get("description").cloned();
            let props = branch.get("properties").and_then(|p| p.as_object());
            for (key, schema) in props.into_iter().flatten() {
                let mut schema = schema.clone();
                if let (Some(d), Some(obj)) = (&description, schema.as_object_mut()) {
                    obj.entry("description").or_insert_with(|| d.clone());
                }
                properties.insert(key.clone(), schema);
                one_of.push(serde_json::json!({ "required": [key] }));
            }
        }
        schemars::json_schema!({
            "description": "One step of a case: exactly one operation key, plus expectations.",
            "type": "object",
            "properties": properties,
            "additionalProperties": false,
            "oneOf": one_of,
        })
    }
}

impl<'de> Deserialize<'de> for StepSpec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(StepVisitor)
    }
}

struct StepVisitor;

impl<'de> Visitor<'de> for StepVisitor {
    type Value = StepSpec;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a step: a mapping with one operation key")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<StepSpec, A::Error> {
        let mut step = StepSpec::default();
        while let Some(key) = map.next_key::<Spanned<String>>()? {
            let c = &mut step.common;
            match key.value.as_str() {
                k if Operation::KEYS.contains(&k) => {
                    let op = map.next_value_seed(OperationSeed(k))?;
                    step.ops.push((key.clone(), op));
                }
                "name" => c.name = map.next_value()?,
                "auth" => c.auth = map.next_value()?,
                "timeout" => c.timeout = map.next_value()?,
                "retry" => c.retry = map.next_value()?,
                "until" => c.until = map.next_value()?,
                "expect" => c.expect = map.next_value::<Option<_>>()?.unwrap_or_default(),
                "capture" => c.capture = map.next_value::<Option<_>>()?.unwrap_or_default(),
                _ => {
                    map.next_value::<IgnoredAny>()?;
                    step.unknown.push(key.clone());
                }
            }
            step.keys.push(key);
        }
        Ok(step)
    }
}

/// Reads an operation's payload as the variant named by its key: the derived
/// `Deserialize` of [`Operation`] sees an externally tagged enum whose tag is the key.
struct OperationSeed<'k>(&'k str);

impl<'de> de::DeserializeSeed<'de> for OperationSeed<'_> {
    type Value = Operation;

    fn deserialize<D: Deserializer<'de>>(self, value: D) -> Result<Operation, D::Error> {
        Operation::deserialize(Keyed { key: self.0, value })
    }
}

/// A key and the deserializer of its value, seen as one enum.
struct Keyed<'k, D> {
    key: &'k str,
    value: D,
}

impl<'de, D: Deserializer<'de>> Deserializer<'de> for Keyed<'_, D> {
    type Error = D::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        visitor.visit_enum(self)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map struct enum
        identifier ignored_any
    }
}

impl<'de, D: Deserializer<'de>> de::EnumAccess<'de> for Keyed<'_, D> {
    type Error = D::Error;
    type Variant = Payload<D>;

    fn variant_seed<V: de::DeserializeSeed<'de>>(
        self,
        seed: V,
    ) -> Result<(V::Value, Payload<D>), D::Error> {
        let key: de::value::StrDeserializer<'_, D::Error> = self.key.into_deserializer();
        Ok((seed.deserialize(key)?, Payload(self.value)))
    }
}

/// The value of an operation key, as the payload of its variant.
struct Payload<D>(D);

impl<'de, D: Deserializer<'de>> de::VariantAccess<'de> for Payload<D> {
    type Error = D::Error;

    fn unit_variant(self) -> Result<(), D::Error> {
        IgnoredAny::deserialize(self.0).map(|_| ())
    }

    fn newtype_variant_seed<T: de::DeserializeSeed<'de>>(
        self,
        seed: T,
    ) -> Result<T::Value, D::Error> {
        seed.deserialize(self.0)
    }

    fn tuple_variant<V: Visitor<'de>>(self, len: usize, visitor: V) -> Result<V::Value, D::Error> {
        self.0.deserialize_tuple(len, visitor)
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_struct("", fields, visitor)
    }
}
