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

/// A user's consent grant to a client (`/api/v1/users/{userId}/grants`).
#[derive(Debug, Clone)]
pub(crate) struct UserGrant {
    pub id: String,
    pub user_id: String,
    pub client_id: String,
    pub scope_id: String,
    pub issuer: String,
    pub created: i64,
}

/// A refresh token issued to a client for a user (`/api/v1/users/{userId}/clients/{clientId}/tokens`).
#[derive(Debug, Clone)]
pub(crate) struct RefreshToken {
    pub id: String,
    pub user_id: String,
    pub client_id: String,
    pub scopes: Vec<String>,
    pub issuer: String,
    pub created: i64,
    pub expires_at: i64,
}

/// An enrolled factor and its secret state.
#[derive(Debug, Clone)]
pub(crate) struct StoredFactor {
    pub id: String,
    pub user_id: String,
    pub kind: crate::factors::FactorKind,
    pub status: crate::factors::FactorStatus,
    pub created: i64,
    pub last_updated: i64,
    pub profile: Value,
    pub secrets: crate::factors::flow::FactorSecrets,
    /// `_embedded.activation` while pending (TOTP shared secret).
    pub activation: Option<Value>,
}

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

/// A sign-in session (`/api/v1/sessions/{id}`).
#[derive(Debug, Clone)]
pub(crate) struct SignInSession {
    pub id: String,
    pub user_id: String,
    pub login: String,
    pub created: i64,
    pub expires_at: i64,
}

/// One-time session tokens from `/api/v1/authn`: token → (user id, expiry). They are
/// credentials: `Debug` shows only how many there are.
#[derive(Default)]
pub(crate) struct SessionTokens(pub BTreeMap<String, (String, i64)>);

impl std::fmt::Debug for SessionTokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SessionTokens({} outstanding)", self.0.len())
    }
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
    /// Highest user seq the group rules have seen (users created later are evaluated next).
    pub rules_user_watermark: u64,
    /// User consent grants by seq.
    pub user_grants: BTreeMap<u64, UserGrant>,
    /// Refresh tokens by seq.
    pub refresh_tokens: BTreeMap<u64, RefreshToken>,
    /// Factors by seq (enrollment order).
    pub factors: BTreeMap<u64, StoredFactor>,
    /// Factor activation/resend/send limits.
    pub factor_limits: crate::factors::FactorLimits,
    /// Push transactions.
    pub pushes: crate::factors::PushTransactions,
    /// Linked-object definitions, in creation order.
    pub linked_defs: Vec<LinkedDef>,
    /// `(primary name, associated user id)` → primary user id.
    pub linked_values: BTreeMap<(String, String), String>,
    /// Custom user types by seq (the default type is implicit).
    pub user_types: BTreeMap<u64, UserType>,
    /// Aerial accounts by id.
    pub aerial: BTreeMap<String, AerialAccount>,
    /// One-time session tokens from `/api/v1/authn`: token → (user id, expiry).
    pub session_tokens: SessionTokens,
    /// Sign-in sessions by id.
    pub sessions: BTreeMap<String, SignInSession>,
}
