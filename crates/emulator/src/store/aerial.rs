//! Aerial accounts and the orgs they manage.

use std::collections::BTreeMap;

use serde_json::Value;

/// An org managed by an Aerial account.
#[derive(Debug, Clone)]
pub(crate) struct AerialOrg {
    pub id: String,
    pub name: String,
    pub domain: String,
    pub cell: String,
    pub region: String,
    pub status: String,
    pub created: i64,
    /// Enabled products `[{id, name}]`.
    pub products: Vec<Value>,
}

/// An Aerial account and its orgs (by seq).
#[derive(Debug, Clone, Default)]
pub(crate) struct AerialAccount {
    pub orgs: BTreeMap<u64, AerialOrg>,
}

/// The token client id of an account's tokens.
pub(crate) fn aerial_account_client(account: &str) -> String {
    format!("aerial:{account}")
}
