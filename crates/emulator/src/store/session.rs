//! Sign-in sessions and the one-time session tokens `/api/v1/authn` hands out.

use std::collections::BTreeMap;

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
