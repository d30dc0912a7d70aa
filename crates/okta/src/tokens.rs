//! Refresh tokens a client holds for a user.

use futures::stream::BoxStream;

use crate::models::RefreshToken;
use crate::{Client, ClientId, Page, Request, Result, TokenId, UserId, req};

/// Largest page of the token list.
pub const MAX_PAGE_SIZE: u32 = 200;

/// Calls on `/api/v1/users/{userId}/clients/{clientId}/tokens`.
#[derive(Debug, Clone)]
pub struct Tokens {
    client: Client,
}

impl Client {
    /// Refresh token calls.
    pub fn tokens(&self) -> Tokens {
        Tokens {
            client: self.clone(),
        }
    }
}

/// Query of `GET /api/v1/users/{userId}/clients/{clientId}/tokens`.
pub type ListRefreshTokens = crate::page::ExpandPageQuery;

fn refresh_tokens_request(query: &ListRefreshTokens, user: &UserId, client: &ClientId) -> Request {
    query.apply(req!(
        GET,
        "/api/v1/users/{userId}/clients/{clientId}/tokens",
        "/api/v1/users/{}/clients/{}/tokens",
        user,
        client
    ))
}

impl Tokens {
    /// Streams the refresh tokens of one client for the user (`expand=scope`).
    pub fn list(
        &self,
        user: impl Into<UserId>,
        client: impl Into<ClientId>,
        expand: Option<String>,
    ) -> BoxStream<'static, Result<RefreshToken>> {
        let query = ListRefreshTokens {
            expand,
            after: None,
            limit: Some(MAX_PAGE_SIZE),
        };
        self.client
            .stream(refresh_tokens_request(&query, &user.into(), &client.into()))
    }

    /// One page of the refresh tokens of one client for the user
    /// (`GET /api/v1/users/{userId}/clients/{clientId}/tokens`).
    ///
    /// # Errors
    /// 404 `E0000007` if there is no such user or client; see [`Client::send`].
    pub async fn list_page(
        &self,
        user: impl Into<UserId>,
        client: impl Into<ClientId>,
        query: ListRefreshTokens,
    ) -> Result<Page<RefreshToken>> {
        self.client
            .page(refresh_tokens_request(&query, &user.into(), &client.into()))
            .await
    }

    /// One refresh token.
    ///
    /// # Errors
    /// See [`Client::send`].
    pub async fn get(
        &self,
        user: impl Into<UserId>,
        client: impl Into<ClientId>,
        token: impl Into<TokenId>,
        expand: Option<&str>,
    ) -> Result<RefreshToken> {
        let (u, c, t) = (user.into(), client.into(), token.into());
        self.client
            .call(
                req!(
                    GET,
                    "/api/v1/users/{userId}/clients/{clientId}/tokens/{tokenId}",
                    "/api/v1/users/{}/clients/{}/tokens/{}",
                    u,
                    c,
                    t
                )
                .query_opt("expand", expand),
            )
            .await
    }

    /// Revokes one refresh token (and its access tokens).
    ///
    /// # Errors
    /// See [`Client::send`].
    pub async fn revoke(
        &self,
        user: impl Into<UserId>,
        client: impl Into<ClientId>,
        token: impl Into<TokenId>,
    ) -> Result<()> {
        let (u, c, t) = (user.into(), client.into(), token.into());
        self.client
            .call_empty(req!(
                DELETE,
                "/api/v1/users/{userId}/clients/{clientId}/tokens/{tokenId}",
                "/api/v1/users/{}/clients/{}/tokens/{}",
                u,
                c,
                t
            ))
            .await
    }

    /// Revokes all refresh tokens of one client for the user.
    ///
    /// # Errors
    /// See [`Client::send`].
    pub async fn revoke_all(
        &self,
        user: impl Into<UserId>,
        client: impl Into<ClientId>,
    ) -> Result<()> {
        let (u, c) = (user.into(), client.into());
        self.client
            .call_empty(req!(
                DELETE,
                "/api/v1/users/{userId}/clients/{clientId}/tokens",
                "/api/v1/users/{}/clients/{}/tokens",
                u,
                c
            ))
            .await
    }
}
