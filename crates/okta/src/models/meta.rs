//! User types and linked objects.

use serde::{Deserialize, Serialize};

use super::{JsonMap, object};
use crate::ids::UserTypeId;

object! {
    /// A user type.
    UserType {
        /// Id (`oty...`).
        id: UserTypeId = "id",
        /// Name (immutable).
        name: String = "name",
        /// Display name.
        display_name: String = "displayName",
        /// Description.
        description: String = "description",
        /// Whether this is the default type.
        default: bool = "default",
        /// Creator.
        created_by: String = "createdBy",
        /// Last updater.
        last_updated_by: String = "lastUpdatedBy",
        /// Creation time.
        created: String = "created",
        /// Last update.
        last_updated: String = "lastUpdated",
    }
}

impl UserType {
    /// A body for creating or replacing a type.
    pub fn new(
        name: impl Into<String>,
        display_name: impl Into<String>,
        description: Option<String>,
    ) -> Self {
        Self {
            name: Some(name.into()),
            display_name: Some(display_name.into()),
            description,
            ..Self::default()
        }
    }
}

/// One side of a linked-object definition.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct LinkedObjectSide {
    /// API name.
    pub name: String,
    /// Display title.
    #[serde(default)]
    pub title: String,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// `USER`.
    #[serde(default, rename = "type")]
    pub side_type: String,
    /// Fields not modelled above.
    #[serde(flatten)]
    pub extra: JsonMap,
}

/// A linked-object definition (`/api/v1/meta/schemas/user/linkedObjects`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct LinkedObject {
    /// The primary side (e.g. `manager`).
    pub primary: LinkedObjectSide,
    /// The associated side (e.g. `subordinate`).
    pub associated: LinkedObjectSide,
    /// HAL links.
    #[serde(default, rename = "_links", skip_serializing_if = "Option::is_none")]
    pub links: Option<JsonMap>,
    /// Fields not modelled above.
    #[serde(flatten)]
    pub extra: JsonMap,
}

impl LinkedObject {
    /// A definition with primary and associated names (titles equal to the names).
    pub fn new(primary: impl Into<String>, associated: impl Into<String>) -> Self {
        let side = |n: String| LinkedObjectSide {
            title: n.clone(),
            name: n,
            description: None,
            side_type: "USER".into(),
            extra: JsonMap::new(),
        };
        Self {
            primary: side(primary.into()),
            associated: side(associated.into()),
            links: None,
            extra: JsonMap::new(),
        }
    }
}

/// One linked-object value: `{"_links": {"self": {"href": ".../users/{id}"}}}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct LinkedObjectValue {
    /// HAL links; `self.href` is the linked user.
    #[serde(default, rename = "_links", skip_serializing_if = "Option::is_none")]
    pub links: Option<JsonMap>,
    /// Fields not modelled above.
    #[serde(flatten)]
    pub extra: JsonMap,
}

impl LinkedObjectValue {
    /// The linked user's id (last segment of `_links.self.href`).
    pub fn user_id(&self) -> Option<&str> {
        let href = self.links.as_ref()?.get("self")?.get("href")?.as_str()?;
        href.rsplit('/').next()
    }
}
