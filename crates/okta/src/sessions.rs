//! User sessions.

use crate::{Client, Result, UserId, req};

/// Calls on `/api/v1/users/{userId}/sessions`.
#[derive(Debug, Clone)]
pub struct Sessions {
    client: Client,
}

impl Client {
    /// Session calls.
    pub fn sessions(&self) -> Sessions {
        Sessions {
            client: self.clone(),
        }
    }
}

impl Sessions {
    /// Revokes all of the user's sessions; `oauth_tokens=true` also revokes the OAuth
    /// access and refresh tokens issued to the user (what offboarding wants).
    ///
    /// # Errors
    /// See [`Client::send`].
    ///
    /// ```no_run
    /// # async fn run(client: spindle_okta::Client) -> spindle_okta::Result<()> {
    /// client.sessions().revoke_all("00u1", Some(true), None).await?;
    /// # Ok(()) }
    /// ```
    pub async fn revoke_all(
        &self,
        user: impl Into<UserId>,
        oauth_tokens: Option<bool>,
        forget_devices: Option<bool>,
    ) -> Result<()> {
        let u = user.into();
        self.client
            .call_empty(
                req!(
                    DELETE,
                    "/api/v1/users/{userId}/sessions",
                    "/api/v1/users/{}/sessions",
                    u
                )
                .query_opt("oauthTokens", oauth_tokens)
                .query_opt("forgetDevices", forget_devices),
            )
            .await
    }
}
