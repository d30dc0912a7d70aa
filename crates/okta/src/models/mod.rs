//! Request and response models, with Okta's exact JSON names.
//!
//! Every object keeps the fields it does not model in `extra` (`#[serde(flatten)]`), and
//! profiles are maps with typed accessors, so custom attributes survive a read-modify-write.
//! Timestamps stay strings exactly as Okta sends them (`2020-08-27T18:19:24.000Z`), so
//! re-encoding reproduces them byte for byte. Fields Okta sends as explicit `null`
//! (`activated`, `lastLogin`, ...) are written back as `null`.

pub mod aerial;
pub mod app;
pub mod factor;
pub mod group;
pub mod log_event;
pub mod meta;
pub mod myaccount;
pub mod oauth;
pub mod user;

pub use aerial::*;
pub use app::*;
pub use factor::*;
pub use group::*;
pub use log_event::*;
pub use meta::*;
pub use myaccount::*;
pub use oauth::*;
pub use user::*;

/// A JSON object (used for `_links`, `_embedded`, and unknown fields).
pub type JsonMap = serde_json::Map<String, serde_json::Value>;

/// Deserializes a field that is present, `null` included, as `Some`: with `#[serde(default)]`, an
/// `Option<Option<T>>` field then tells an absent field (`None`) from an explicit `null`
/// (`Some(None)`), so both re-encode as Okta sent them.
pub(crate) fn present<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    T::deserialize(deserializer).map(Some)
}

/// Defines a string enum mirroring an Okta enum, with an `Unknown(String)` arm.
macro_rules! string_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident = $s:literal),* $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $(#[doc = concat!("`", $s, "`")] $variant,)*
            /// A value this client does not know (kept verbatim).
            Unknown(String),
        }
        impl $name {
            /// The value as Okta spells it.
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $s,)*
                    Self::Unknown(s) => s,
                }
            }
        }
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                match s {
                    $($s => Self::$variant,)*
                    other => Self::Unknown(other.to_owned()),
                }
            }
        }
        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }
        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <String as serde::Deserialize>::deserialize(d)?;
                Ok(Self::from(s.as_str()))
            }
        }
        // Okta adds values over time and the `Unknown` arm keeps them, so the schema is any
        // string; the known values are listed as examples rather than as an `enum` that a value
        // this client decodes could fail.
        #[cfg(feature = "schemars")]
        impl schemars::JsonSchema for $name {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                stringify!($name).into()
            }
            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                schemars::json_schema!({
                    "type": "string",
                    "examples": [$($s),*],
                })
            }
        }
    };
}
pub(crate) use string_enum;

/// Defines a profile: a JSON object with typed accessors for well-known attributes.
macro_rules! profile {
    ($(#[$m:meta])* $name:ident { $($getter:ident, $setter:ident = $key:literal;)* }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub $crate::models::JsonMap);

        // The well-known attributes are described; every other (custom) attribute is allowed.
        #[cfg(feature = "schemars")]
        impl schemars::JsonSchema for $name {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                stringify!($name).into()
            }
            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                let mut properties = serde_json::Map::new();
                $(properties.insert($key.to_owned(), serde_json::json!({"type": ["string", "null"]}));)*
                schemars::json_schema!({
                    "type": "object",
                    "properties": properties,
                    "additionalProperties": true,
                })
            }
        }

        impl $name {
            /// An empty profile.
            pub fn new() -> Self {
                Self::default()
            }
            /// A string attribute (None when absent, null or not a string).
            pub fn get_str(&self, key: &str) -> Option<&str> {
                self.0.get(key).and_then(serde_json::Value::as_str)
            }
            /// Any attribute, custom ones included.
            pub fn get(&self, key: &str) -> Option<&serde_json::Value> {
                self.0.get(key)
            }
            /// Sets any attribute, custom ones included (`null` clears it on update).
            pub fn set(&mut self, key: impl Into<String>, value: impl Into<serde_json::Value>) -> &mut Self {
                self.0.insert(key.into(), value.into());
                self
            }
            /// Builder-style [`set`](Self::set).
            pub fn with(mut self, key: impl Into<String>, value: impl Into<serde_json::Value>) -> Self {
                self.set(key, value);
                self
            }
            $(
                #[doc = concat!("`", $key, "`")]
                pub fn $getter(&self) -> Option<&str> {
                    self.get_str($key)
                }
                #[doc = concat!("Sets `", $key, "`.")]
                pub fn $setter(&mut self, value: impl Into<String>) -> &mut Self {
                    self.set($key, value.into())
                }
            )*
        }
    };
}
pub(crate) use profile;

/// Defines an object with optional string-ish fields, `_links`, `_embedded` and `extra`.
macro_rules! object {
    ($(#[$m:meta])* $name:ident { $($(#[$fm:meta])* $field:ident : $ty:ty = $key:literal,)* }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
        #[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
        pub struct $name {
            $(
                $(#[$fm])*
                #[serde(default, rename = $key, skip_serializing_if = "Option::is_none")]
                pub $field: Option<$ty>,
            )*
            /// HAL links.
            #[serde(default, rename = "_links", skip_serializing_if = "Option::is_none")]
            pub links: Option<$crate::models::JsonMap>,
            /// Embedded resources.
            #[serde(default, rename = "_embedded", skip_serializing_if = "Option::is_none")]
            pub embedded: Option<$crate::models::JsonMap>,
            /// Fields not modelled above.
            #[serde(flatten)]
            pub extra: $crate::models::JsonMap,
        }
    };
}
pub(crate) use object;
