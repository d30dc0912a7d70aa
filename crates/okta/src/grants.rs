//! OAuth 2.0 scope consent grants of a user.

use futures::stream::BoxStream;

use crate::models::ScopeConsentGrant;
use crate::{Client, ClientId, GrantId, Result, UserId, req};

/// Largest page of the grant lists.
pub const MAX_PAGE_SIZE: u32 = 200;

/// Calls on `/api/v1/users/{userId}/grants` and `/clients/{clientId}/grants`.
#[derive(Debug, Clone)]
pub struct Grants {
    client: Client,
}

impl Client {
    /// Grant calls.
    pub fn grants(&self) -> Grants {
        Grants {
            client: self.clone(),
        }
    }
}

impl Grants {
    /// Streams the user's grants; `scope_id` filters, `expand=scope` embeds the scope.
    pub fn list(
        &self,
        user: impl Into<UserId>,
        scope_id: Option<String>,
        expand: Option<String>,
    ) -> BoxStream<'static, Result<ScopeConsentGrant>> {
        let u = user.into();
        self.client.stream(
            req!(
                GET,
                "/api/v1/users/{userId}/grants",
                "/api/v1/users/{}/grants",
                u
            )
            .query_opt("scopeId", scope_id)
            .query_opt("expand", expand)
            .query("limit", MAX_PAGE_SIZE),
        )
    }

    /// One grant.
    ///
    /// # Errors
    /// See [`Client::send`].
    pub async fn get(
        &self,
        user: impl Into<UserId>,
        grant: impl Into<GrantId>,
        expand: Option<&str>,
    ) -> Result<ScopeConsentGrant> {
        let (u, g) = (user.into(), grant.into());
        self.client
            .call(
                req!(
                    GET,
                    "/api/v1/users/{userId}/grants/{grantId}",
                    "/api/v1/users/{}/grants/{}",
                    u,
                    g
                )
                .query_opt("expand", expand),
            )
            .await
    }

    /// Revokes one grant.
    ///
    /// # Errors
    /// See [`Client::send`].
    pub async fn revoke(&self, user: impl Into<UserId>, grant: impl Into<GrantId>) -> Result<()> {
        let (u, g) = (user.into(), grant.into());
        self.client
            .call_empty(req!(
                DELETE,
                "/api/v1/users/{userId}/grants/{grantId}",
                "/api/v1/users/{}/grants/{}",
                u,
                g
            ))
            .await
    }

    /// Revokes all of the user's grants.
    ///
    /// # Errors
    /// See [`Client::send`].
    pub async fn revoke_all(&self, user: impl Into<UserId>) -> Result<()> {
        let u = user.into();
        self.client
            .call_empty(req!(
                DELETE,
                "/api/v1/users/{userId}/grants",
                "/api/v1/users/{}/grants",
                u
            ))
            .await
    }

    /// Streams the grants the user gave one client.
    pub fn list_for_client(
        &self,
        user: impl Into<UserId>,
        client: impl Into<ClientId>,
        expand: Option<String>,
    ) -> BoxStream<'static, Result<ScopeConsentGrant>> {
        let (u, c) = (user.into(), client.into());
        self.client.stream(
            req!(
                GET,
                "/api/v1/users/{userId}/clients/{clientId}/grants",
                "/api/v1/users/{}/clients/{}/grants",
                u,
                c
            )
            .query_opt("expand", expand)
            .query("limit", MAX_PAGE_SIZE),
        )
    }

    /// Revokes all grants the user gave one client.
    ///
    /// # Errors
    /// See [`Client::send`].
    pub async fn revoke_for_client(
        &self,
        user: impl Into<UserId>,
        client: impl Into<ClientId>,
    ) -> Result<()> {
        let (u, c) = (user.into(), client.into());
        self.client
            .call_empty(req!(
                DELETE,
                "/api/v1/users/{userId}/clients/{clientId}/grants",
                "/api/v1/users/{}/clients/{}/grants",
                u,
                c
            ))
            .await
    }

    /// The clients holding grants or tokens for the user (`GET /users/{id}/clients`).
    ///
    /// # Errors
    /// See [`Client::send`].
    pub async fn clients(
        &self,
        user: impl Into<UserId>,
    ) -> Result<Vec<crate::models::OAuth2Client>> {
        let u = user.into();
        self.client
            .call(req!(
                GET,
                "/api/v1/users/{userId}/clients",
                "/api/v1/users/{}/clients",
                u
            ))
            .await
    }
}
