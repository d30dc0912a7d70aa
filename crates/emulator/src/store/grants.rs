//! OAuth grants and refresh tokens: an app's scope grants, a user's consent to a client, and
//! the refresh tokens issued to it.

use super::Org;
use crate::error::ApiResult;
use crate::util::now_secs;

/// Lifetime of an emulated refresh token (Okta's default policy: 90 days).
const REFRESH_TTL_SECS: i64 = 90 * 86_400;

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

/// A refresh token issued to a client for a user
/// (`/api/v1/users/{userId}/clients/{clientId}/tokens`).
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

impl Org {
    /// The scopes granted to an app.
    pub(crate) fn granted_scopes(&self, app_id: &str) -> Vec<String> {
        self.app_grants
            .get(app_id)
            .map(|g| g.iter().map(|g| g.scope_id.clone()).collect())
            .unwrap_or_default()
    }

    /// Adds a grant of `scope` to `app_id` (idempotent: an existing grant is returned).
    pub(crate) fn add_app_grant(&mut self, app_id: &str, scope: &str, issuer: &str) -> AppGrant {
        let existing = self
            .app_grants
            .get(app_id)
            .and_then(|gs| gs.iter().find(|g| g.scope_id == scope).cloned());
        if let Some(g) = existing {
            return g;
        }
        let (_, id) = self.next_id("oag");
        let g = AppGrant {
            id,
            app_id: app_id.to_owned(),
            scope_id: scope.to_owned(),
            issuer: issuer.to_owned(),
            created: now_secs(),
            source: "ADMIN",
        };
        self.app_grants
            .entry(app_id.to_owned())
            .or_default()
            .push(g.clone());
        g
    }

    /// Records a user's consent to `client` for `scopes` (one grant per scope; existing
    /// grants are kept). Returns the grants.
    pub(crate) fn grant_consent(
        &mut self,
        user: &str,
        client: &str,
        scopes: &[String],
        issuer: &str,
    ) -> ApiResult<Vec<String>> {
        let uid = self.find_user_id(user)?;
        let cid = self.find_client_id(client)?;
        let mut ids = Vec::new();
        for sc in scopes {
            let existing = self
                .user_grants
                .values()
                .find(|g| g.user_id == uid && g.client_id == cid && &g.scope_id == sc)
                .map(|g| g.id.clone());
            let id = match existing {
                Some(id) => id,
                None => {
                    let (seq, id) = self.next_id("oag");
                    self.user_grants.insert(
                        seq,
                        UserGrant {
                            id: id.clone(),
                            user_id: uid.clone(),
                            client_id: cid.clone(),
                            scope_id: sc.clone(),
                            issuer: issuer.to_owned(),
                            created: now_secs(),
                        },
                    );
                    id
                }
            };
            ids.push(id);
        }
        Ok(ids)
    }

    /// Issues a refresh token (and an access token in the token table) to `client` for
    /// `user`. Returns `(refresh token id, access token)`.
    pub(crate) fn issue_refresh_token(
        &mut self,
        user: &str,
        client: &str,
        scopes: &[String],
        issuer: &str,
    ) -> ApiResult<(String, String)> {
        let uid = self.find_user_id(user)?;
        let cid = self.find_client_id(client)?;
        let now = now_secs();
        let (seq, id) = self.next_id("oar");
        self.refresh_tokens.insert(
            seq,
            RefreshToken {
                id: id.clone(),
                user_id: uid.clone(),
                client_id: cid.clone(),
                scopes: scopes.to_vec(),
                issuer: issuer.to_owned(),
                created: now,
                expires_at: now + REFRESH_TTL_SECS,
            },
        );
        let (access, _) = self
            .auth
            .tokens
            .issue(&cid, scopes.to_vec(), None, Some(uid), now);
        Ok((id, access))
    }
}
