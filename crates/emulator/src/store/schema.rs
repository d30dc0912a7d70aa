//! User schema extensions: linked-object definitions and custom user types.

use serde_json::Value;

/// A linked-object definition (`primary`/`associated` as sent, validated).
#[derive(Debug, Clone)]
pub(crate) struct LinkedDef {
    pub primary: Value,
    pub associated: Value,
    pub primary_name: String,
    pub associated_name: String,
}

/// A custom user type.
#[derive(Debug, Clone)]
pub(crate) struct UserType {
    pub id: String,
    pub name: String,
    pub display_name: String,
    pub description: Option<String>,
    pub created: i64,
    pub last_updated: i64,
}
