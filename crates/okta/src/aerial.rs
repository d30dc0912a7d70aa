//! Okta Aerial: managing the orgs of an Aerial account.
//!
//! Aerial lives on its own host (`https://aerial-{region}.okta.com/{accountId}/api/v1/...`)
//! and accepts only OAuth tokens from the designated Aerial org. Configure a [`Client`] for
//! the Aerial org (private_key_jwt with `okta.accounts.read|manage`), then
//! [`Client::aerial`] points it at the Aerial host. A client configured with the Aerial host as
//! its org URL (as the gateway holds one per Aerial region) addresses an account with
//! [`Client::aerial_account`] instead, so that the host is chosen once, in the client's
//! configuration.
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
use crate::{AccountId, Client, Error, Method, OrgId, Page, Request, Result};

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
        let host = Url::parse(aerial_url.trim_end_matches('/'))
            .map_err(|e| Error::Config(format!("Aerial URL `{aerial_url}`: {e}")))?;
        let base = account_base(&host, &account.into());
        // Same credentials, pacer and connection pool; this origin is allowed as well.
        let client = Client {
            inner: Arc::new(self.inner.clone_for_origin(base.origin())),
        };
        Ok(Aerial { client, base })
    }

    /// A handle on Aerial account `account` for a client whose org URL already is the Aerial
    /// host (e.g. `https://aerial-apac.okta.com`, configured with the Aerial org's
    /// credentials), as opposed to [`aerial`](Self::aerial), which moves an org's client there.
    ///
    /// ```no_run
    /// # async fn run(aerial_host: spindle_okta::Client) -> spindle_okta::Result<()> {
    /// let org = aerial_host.aerial_account("acc123").get_org("00o1").await?;
    /// # Ok(()) }
    /// ```
    pub fn aerial_account(&self, account: impl Into<AccountId>) -> Aerial {
        Aerial {
            base: account_base(self.org_url(), &account.into()),
            client: self.clone(),
        }
    }
}

/// `{aerial_url}/{accountId}/api/v1`, keeping a path prefix of the Aerial URL.
fn account_base(aerial_url: &Url, account: &AccountId) -> Url {
    let mut base = aerial_url.clone();
    let path = format!(
        "{}/{}/api/v1",
        aerial_url.path().trim_end_matches('/'),
        crate::seg(account.as_str())
    );
    base.set_path(&path);
    base.set_query(None);
    base
}

impl Aerial {
    fn req(&self, method: Method, template: &'static str, rest: &str) -> Result<Request> {
        let url = Url::parse(&format!("{}{rest}", self.base))
            .map_err(|e| Error::Config(format!("Aerial URL: {e}")))?;
        Ok(Request::to_url(method, template, url))
    }

    fn orgs_request(&self, query: ListOrgs, default_limit: Option<u32>) -> Result<Request> {
        Ok(self
            .req(Method::GET, "/{accountId}/api/v1/orgs", "/orgs")?
            .query_opt("limit", query.limit.or(default_limit))
            .query_opt("filter", query.filter)
            .query_opt("after", query.after)
            .query_opt("before", query.before))
    }

    /// Streams the account's orgs (pages of [`MAX_PAGE_SIZE`] unless `query` sets a limit).
    pub fn list_orgs(&self, query: ListOrgs) -> BoxStream<'static, Result<AerialOrg>> {
        match self.orgs_request(query, Some(MAX_PAGE_SIZE)) {
            Ok(r) => self.client.stream(r),
            Err(e) => Box::pin(futures::stream::once(async move { Err(e) })),
        }
    }

    /// One page of the account's orgs (`GET /{accountId}/api/v1/orgs`), at Okta's default page
    /// size (25) unless `query` sets a limit. [`Page::next_after`] is the `after` of the next
    /// page.
    ///
    /// # Errors
    /// 400 for an invalid `filter`; 403 when the token is not for this account; see
    /// [`Client::send`].
    pub async fn orgs_page(&self, query: ListOrgs) -> Result<Page<AerialOrg>> {
        self.client.page(self.orgs_request(query, None)?).await
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
