//! OAuth 2.0 scope consent grants of a user.

use futures::stream::BoxStream;

use crate::models::ScopeConsentGrant;
use crate::{Client, ClientId, GrantId, Page, Request, Result, UserId, req};

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

/// Query of `GET /api/v1/users/{userId}/grants`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListGrants {
    /// Only grants of this scope (`okta.users.read`).
    pub scope_id: Option<String>,
    /// Expansion (`scope` embeds the scope object).
    pub expand: Option<String>,
    /// Start cursor (from [`Page::next_after`]).
    pub after: Option<String>,
    /// Page size (1 to [`MAX_PAGE_SIZE`]; Okta's default is 20).
    pub limit: Option<u32>,
}

impl ListGrants {
    /// All of the user's grants, at Okta's default page size.
    pub fn new() -> Self {
        Self::default()
    }
    /// Sets `scopeId`.
    #[must_use]
    pub fn scope_id(mut self, scope_id: impl Into<String>) -> Self {
        self.scope_id = Some(scope_id.into());
        self
    }
    /// Sets `expand`.
    #[must_use]
    pub fn expand(mut self, expand: impl Into<String>) -> Self {
        self.expand = Some(expand.into());
        self
    }
    /// Starts at the cursor `after`.
    #[must_use]
    pub fn after(mut self, after: impl Into<String>) -> Self {
        self.after = Some(after.into());
        self
    }
    /// Sets the page size.
    #[must_use]
    pub fn limit(mut self, limit: u32) -> Self {
        self.limit = Some(limit);
        self
    }
    fn request(&self, user: &UserId) -> Request {
        req!(
            GET,
            "/api/v1/users/{userId}/grants",
            "/api/v1/users/{}/grants",
            user
        )
        .query_opt("scopeId", self.scope_id.as_ref())
        .query_opt("expand", self.expand.as_ref())
        .query_opt("after", self.after.as_ref())
        .query_opt("limit", self.limit)
    }
}

/// Query of `GET /api/v1/users/{userId}/clients/{clientId}/grants`.
pub type ListClientGrants = crate::page::ExpandPageQuery;

fn client_grants_request(query: &ListClientGrants, user: &UserId, client: &ClientId) -> Request {
    query.apply(req!(
        GET,
        "/api/v1/users/{userId}/clients/{clientId}/grants",
        "/api/v1/users/{}/clients/{}/grants",
        user,
        client
    ))
}

impl Grants {
    /// Streams the user's grants; `scope_id` filters, `expand=scope` embeds the scope.
    pub fn list(
        &self,
        user: impl Into<UserId>,
        scope_id: Option<String>,
        expand: Option<String>,
    ) -> BoxStream<'static, Result<ScopeConsentGrant>> {
        let query = ListGrants {
            scope_id,
            expand,
            after: None,
            limit: Some(MAX_PAGE_SIZE),
        };
        self.client.stream(query.request(&user.into()))
    }

    /// One page of the user's grants (`GET /api/v1/users/{userId}/grants`).
    ///
    /// # Errors
    /// 404 `E0000007` if there is no such user; see [`Client::send`].
    pub async fn list_page(
        &self,
        user: impl Into<UserId>,
        query: ListGrants,
    ) -> Result<Page<ScopeConsentGrant>> {
        self.client.page(query.request(&user.into())).await
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
        let query = ListClientGrants {
            expand,
            after: None,
            limit: Some(MAX_PAGE_SIZE),
        };
        self.client
            .stream(client_grants_request(&query, &user.into(), &client.into()))
    }

    /// One page of the grants the user gave one client
    /// (`GET /api/v1/users/{userId}/clients/{clientId}/grants`).
    ///
    /// # Errors
    /// 404 `E0000007` if there is no such user or client; see [`Client::send`].
    pub async fn list_for_client_page(
        &self,
        user: impl Into<UserId>,
        client: impl Into<ClientId>,
        query: ListClientGrants,
    ) -> Result<Page<ScopeConsentGrant>> {
        self.client
            .page(client_grants_request(&query, &user.into(), &client.into()))
            .await
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
