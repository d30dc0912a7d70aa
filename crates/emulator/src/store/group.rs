//! Groups and apps as the emulator keeps them.

use serde_json::{Map, Value};

/// Okta group types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum GroupType {
    Okta,
    App,
    BuiltIn,
}

impl GroupType {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            GroupType::Okta => "OKTA_GROUP",
            GroupType::App => "APP_GROUP",
            GroupType::BuiltIn => "BUILT_IN",
        }
    }

    pub(crate) fn parse(s: &str) -> Option<Self> {
        match s {
            "OKTA_GROUP" => Some(GroupType::Okta),
            "APP_GROUP" => Some(GroupType::App),
            "BUILT_IN" => Some(GroupType::BuiltIn),
            _ => None,
        }
    }
}

/// A group.
#[derive(Debug, Clone)]
pub(crate) struct Group {
    pub seq: u64,
    pub id: String,
    pub kind: GroupType,
    pub created: i64,
    pub last_updated: i64,
    pub last_membership_updated: i64,
    /// `profile` as given (`name`, `description`, custom attributes).
    pub profile: Map<String, Value>,
    /// For APP_GROUP: the id of the app that imports it (`source.id`).
    pub source_app: Option<String>,
}

impl Group {
    pub(crate) fn name(&self) -> &str {
        self.profile
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or("")
    }
}

/// An application (only what user and group use cases need).
#[derive(Debug, Clone)]
pub(crate) struct App {
    pub seq: u64,
    pub id: String,
    pub created: i64,
    pub last_updated: i64,
    pub status: String,
    /// The object as the client sent it (label, name, signOnMode, settings, ...).
    pub body: Map<String, Value>,
}

impl App {
    pub(crate) fn label(&self) -> &str {
        self.body.get("label").and_then(Value::as_str).unwrap_or("")
    }
    pub(crate) fn name(&self) -> &str {
        self.body.get("name").and_then(Value::as_str).unwrap_or("")
    }
}

/// A group assigned to an app.
#[derive(Debug, Clone)]
pub(crate) struct AppGroupAssignment {
    pub last_updated: i64,
    pub priority: i64,
    pub profile: Map<String, Value>,
}

/// A user assigned directly to an app.
#[derive(Debug, Clone)]
pub(crate) struct AppUserAssignment {
    pub created: i64,
    pub last_updated: i64,
    pub profile: Map<String, Value>,
}
