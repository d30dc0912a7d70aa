//! Building blocks shared by the inputs and outputs of many actions.

use std::borrow::Cow;
use std::fmt;
use std::ops::Deref;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Deserializer, Serialize};

/// A string that must not be empty: ids, logins and names that end up in an Okta URL path.
///
/// An empty path parameter would silently call a different Okta endpoint (`/groups/` lists
/// groups instead of deleting one), so it is rejected before anything is sent.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct NonEmpty(String);

impl NonEmpty {
    /// Wraps `value`, or returns `None` when it is empty.
    pub fn new(value: impl Into<String>) -> Option<Self> {
        let value = value.into();
        (!value.is_empty()).then_some(Self(value))
    }

    /// The string itself.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Deref for NonEmpty {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl From<NonEmpty> for String {
    fn from(value: NonEmpty) -> Self {
        value.0
    }
}

impl fmt::Display for NonEmpty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for NonEmpty {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = String::deserialize(deserializer)?;
        Self::new(value).ok_or_else(|| serde::de::Error::custom("expected a non-empty string"))
    }
}

impl JsonSchema for NonEmpty {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> Cow<'static, str> {
        "NonEmpty".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({ "type": "string", "minLength": 1 })
    }
}

/// One page of a list: the items and the cursor of the following page.
///
/// Every list action returns this shape, even when Okta does not paginate the list (then `next`
/// is always absent), so that callers handle one shape. `spindle run --all` follows `next` until it
/// is absent and streams the items.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Page<T> {
    /// The items of this page, in Okta's order.
    pub items: Vec<T>,
    /// Pass this value as the list's cursor parameter (`after`, or `cursor` for employees) to get
    /// the next page. Absent on the last page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
}

impl<T> From<spindle_okta::Page<T>> for Page<T> {
    fn from(page: spindle_okta::Page<T>) -> Self {
        Self {
            next: page.next_after(),
            items: page.items,
        }
    }
}

/// The client's query for the page of a list input that starts at `after`.
pub(crate) fn page_query(after: Option<NonEmpty>, limit: Option<u32>) -> spindle_okta::PageQuery {
    spindle_okta::PageQuery {
        after: after.map(String::from),
        limit,
    }
}

/// The client's request model for an input's body. Both sides are Okta's JSON shape and keep
/// unknown fields and custom attributes, so nothing is lost on the way; the input type only adds
/// the checks made before anything is sent.
pub(crate) fn body<I: Serialize, M: serde::de::DeserializeOwned>(
    input: &I,
) -> Result<M, crate::execute::ExecuteError> {
    serde_json::to_value(input)
        .and_then(serde_json::from_value)
        .map_err(|e| crate::execute::ExecuteError::Request(e.to_string()))
}

pub(crate) fn yes() -> bool {
    true
}

/// A secret (password, recovery answer, shared secret): sent to Okta as a plain string, but never
/// shown by `Debug`, and never echoed in validation messages (its schema is `writeOnly`).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret itself, for the request to Okta only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

impl JsonSchema for Secret {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> Cow<'static, str> {
        "Secret".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({ "type": "string", "minLength": 1, "writeOnly": true })
    }
}

/// Okta's `_links` (HAL) or `_embedded` object, kept as Okta sent it.
pub type Hal = Option<serde_json::Map<String, serde_json::Value>>;

/// The fields of an Okta object that Spindle does not type, kept as Okta sent them.
pub type Extra = serde_json::Map<String, serde_json::Value>;
