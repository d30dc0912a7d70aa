//! Part-2 state of the org (OAuth, app grants, group rules, …), kept beside part 1's tables so
//! that `/__emulator/reset` and `/__emulator/seed` clear it with the org.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::oauth::token_endpoint::OrgAuthServer;

/// A scope consent grant given to an app (`/api/v1/apps/{appId}/grants`).
#[derive(Debug, Clone)]
pub(crate) struct AppGrant {
    pub id: String,
    pub app_id: String,
    pub scope_id: String,
    pub issuer: String,
    pub created: i64,
    /// `ADMIN` (API) or `END_USER`.
    pub source: &'static str,
}

/// A stored group rule.
#[derive(Debug, Clone)]
pub(crate) struct StoredRule {
    pub id: String,
    pub created: i64,
    pub last_updated: i64,
    pub status: crate::el::rule::RuleStatus,
    pub definition: crate::el::rule::RuleDefinition,
    /// The body as sent (normalised), rendered back with server fields.
    pub body: Value,
    /// `(user id, group id)` memberships this rule added.
    pub added: std::collections::BTreeSet<(String, String)>,
}

/// Everything part 2 adds to the org.
#[derive(Debug, Default)]
pub(crate) struct Ext {
    /// Tokens, replay caches and DPoP nonces of the org authorization server.
    pub auth: OrgAuthServer,
    /// App id → its scope grants.
    pub app_grants: BTreeMap<String, Vec<AppGrant>>,
    /// Group rules by seq (creation order).
    pub rules: BTreeMap<u64, StoredRule>,
    /// Next seq of a rule.
    pub next_rule: u64,
}
