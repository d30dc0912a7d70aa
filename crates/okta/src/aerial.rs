//! Okta Aerial: managing the orgs of an Aerial account.
//!
//! Aerial lives on its own host (`https://aerial-{region}.okta.com/{accountId}/api/v1/...`)
//! and accepts only OAuth tokens from the designated Aerial org. Configure a [`Client`] for
//! the Aerial org (private_key_jwt with `okta.accounts.read|manage`), then
//! [`Client::aerial`] points it at the Aerial host.
//!
//! ```no_run
//! # async fn run(client: spindle_okta::Client) -> spindle_okta::Result<()> {
//! use futures::TryStreamExt;
//! let aerial = client.aerial("https://aerial-apac.okta.com", "acc123")?;
//! let orgs: Vec<_> = aerial.list_orgs(Default::default()).try_collect().await?;
//! # Ok(()) }
//! ```

use futures::stream::BoxStream;
use std::sync::Arc;
use url::Url;

use crate::models::{AddOrgBody, AerialOrg, AerialProduct};
use crate::{AccountId, Client, Error, Method, OrgId, Request, Result};

/// Largest page of `GET /orgs`.
pub const MAX_PAGE_SIZE: u32 = 100;

/// Calls on one Aerial account.
#[derive(Debug, Clone)]
pub struct Aerial {
    client: Client,
    base: Url,
}

/// Query of `GET /{accountId}/api/v1/orgs`.
#[derive(Debug, Clone, Default)]
pub struct ListOrgs {
    /// Filter, e.g. `aerialOrg eq true` or `status eq "ACTIVE"`.
    pub filter: Option<String>,
    /// Page size (default: the maximum).
    pub limit: Option<u32>,
    /// Start cursor.
    pub after: Option<String>,
    /// Backward cursor.
    pub before: Option<String>,
}

impl Client {
    /// A handle on Aerial account `account` at `aerial_url` (e.g.
    /// `https://aerial-apac.okta.com`), authenticated like this client.
    ///
    /// # Errors
    /// [`Error::Config`] if the URL is invalid.
    pub fn aerial(&self, aerial_url: &str, account: impl Into<AccountId>) -> Result<Aerial> {
        let account = account.into();
        let mut base = Url::parse(aerial_url.trim_end_matches('/'))
            .map_err(|e| Error::Config(format!("Aerial URL `{aerial_url}`: {e}")))?;
        let path = format!(
            "{}/{}/api/v1",
            base.path().trim_end_matches('/'),
            crate::seg(account.as_str())
        );
        base.set_path(&path);
        // Same credentials, pacer and connection pool; this origin is allowed as well.
        let client = Client {
            inner: Arc::new(self.inner.clone_for_origin(base.origin())),
        };
        Ok(Aerial { client, base })
    }
}

impl Aerial {
    fn req(&self, method: Method, template: &'static str, rest: &str) -> Result<Request> {
        let url = Url::parse(&format!("{}{rest}", self.base))
            .map_err(|e| Error::Config(format!("Aerial URL: {e}")))?;
        Ok(Request::to_url(method, template, url))
    }

    /// Streams the account's orgs.
    pub fn list_orgs(&self, query: ListOrgs) -> BoxStream<'static, Result<AerialOrg>> {
        match self.req(Method::GET, "/{accountId}/api/v1/orgs", "/orgs") {
            Ok(r) => self.client.stream(
                r.query("limit", query.limit.unwrap_or(MAX_PAGE_SIZE))
                    .query_opt("filter", query.filter)
                    .query_opt("after", query.after)
                    .query_opt("before", query.before),
            ),
            Err(e) => Box::pin(futures::stream::once(async move { Err(e) })),
        }
    }

    /// One org.
    ///
    /// # Errors
    /// See [`Client::send`].
    pub async fn get_org(&self, org: impl Into<OrgId>) -> Result<AerialOrg> {
        let o = org.into();
        let r = self.req(
            Method::GET,
            "/{accountId}/api/v1/orgs/{orgId}",
            &format!("/orgs/{}", crate::seg(o.as_str())),
        )?;
        self.client.call(r).await
    }

    /// Adds an org to the account (by id or domain).
    ///
    /// # Errors
    /// See [`Client::send`].
    pub async fn add_org(&self, body: &AddOrgBody) -> Result<AerialOrg> {
        let r = self
            .req(Method::POST, "/{accountId}/api/v1/orgs", "/orgs")?
            .json(body)?;
        self.client.call(r).await
    }

    /// Sets an org's status (`ACTIVE` / `INACTIVE`).
    ///
    /// # Errors
    /// See [`Client::send`].
    pub async fn set_org_status(&self, org: impl Into<OrgId>, status: &str) -> Result<AerialOrg> {
        let o = org.into();
        let r = self
            .req(
                Method::PUT,
                "/{accountId}/api/v1/orgs/{orgId}/status",
                &format!("/orgs/{}/status", crate::seg(o.as_str())),
            )?
            .json(&serde_json::json!({ "status": status }))?;
        self.client.call(r).await
    }

    /// The org's enabled products.
    ///
    /// # Errors
    /// See [`Client::send`].
    pub async fn products(&self, org: impl Into<OrgId>) -> Result<Vec<AerialProduct>> {
        let o = org.into();
        let r = self.req(
            Method::GET,
            "/{accountId}/api/v1/orgs/{orgId}/products",
            &format!("/orgs/{}/products", crate::seg(o.as_str())),
        )?;
        self.client.call(r).await
    }

    /// Replaces the org's enabled products (those not listed are disabled).
    ///
    /// # Errors
    /// See [`Client::send`].
    pub async fn set_products(
        &self,
        org: impl Into<OrgId>,
        products: &[AerialProduct],
    ) -> Result<Vec<AerialProduct>> {
        let o = org.into();
        let r = self
            .req(
                Method::PUT,
                "/{accountId}/api/v1/orgs/{orgId}/products",
                &format!("/orgs/{}/products", crate::seg(o.as_str())),
            )?
            .json(products)?;
        self.client.call(r).await
    }
}
