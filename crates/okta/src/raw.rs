//! [`Raw`]: a model kept as the JSON Okta sent, decoded only when asked.
//!
//! A caller that passes Okta's objects on (a CLI printing a list, a gateway answering with it)
//! needs their bytes, not a model: decoding a page of users into models and encoding them again
//! costs most of a listing's CPU. `Raw<User>` checks that an item is JSON and keeps its text;
//! [`Raw::parse`] gives the [`User`](crate::models::User) when a caller needs its fields. Its
//! `Serialize` writes the text as it came, so custom attributes and fields this client does not
//! know pass through unchanged.

use std::fmt;
use std::marker::PhantomData;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::value::RawValue;

use crate::error::decode;

/// A `T` as the JSON text Okta sent (checked to be JSON, not yet decoded into `T`).
pub struct Raw<T> {
    json: Box<RawValue>,
    model: PhantomData<fn() -> T>,
}

impl<T> Raw<T> {
    /// Wraps JSON text already known to be JSON.
    pub fn from_raw(json: Box<RawValue>) -> Self {
        Self {
            json,
            model: PhantomData,
        }
    }

    /// The JSON text, as Okta sent it.
    pub fn get(&self) -> &str {
        self.json.get()
    }

    /// The JSON text as a [`RawValue`].
    pub fn as_raw(&self) -> &RawValue {
        &self.json
    }

    /// The JSON text, owned.
    pub fn into_raw(self) -> Box<RawValue> {
        self.json
    }
}

impl<T: DeserializeOwned> Raw<T> {
    /// Decodes the model.
    ///
    /// # Errors
    /// [`Error::Decode`] naming the JSON path that does not fit `T`.
    pub fn parse(&self) -> crate::Result<T> {
        decode(self.json.get().as_bytes(), None)
    }
}

impl<T> Clone for Raw<T> {
    fn clone(&self) -> Self {
        Self::from_raw(self.json.clone())
    }
}

impl<T> PartialEq for Raw<T> {
    fn eq(&self, other: &Self) -> bool {
        self.json.get() == other.json.get()
    }
}

impl<T> fmt::Debug for Raw<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Raw").field(&self.json.get()).finish()
    }
}

impl<T> Serialize for Raw<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.json.serialize(serializer)
    }
}

impl<'de, T> Deserialize<'de> for Raw<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Box::<RawValue>::deserialize(deserializer).map(Self::from_raw)
    }
}

impl<T> From<Raw<T>> for Box<RawValue> {
    fn from(raw: Raw<T>) -> Self {
        raw.json
    }
}

/// The JSON Schema of `T`: a `Raw<T>` is `T` on the wire.
#[cfg(feature = "schemars")]
impl<T: schemars::JsonSchema> schemars::JsonSchema for Raw<T> {
    fn inline_schema() -> bool {
        T::inline_schema()
    }
    fn schema_name() -> std::borrow::Cow<'static, str> {
        T::schema_name()
    }
    fn schema_id() -> std::borrow::Cow<'static, str> {
        T::schema_id()
    }
    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        T::json_schema(generator)
    }
}
