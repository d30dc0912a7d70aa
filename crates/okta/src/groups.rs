//! Groups and memberships.
//!
//! ```no_run
//! # async fn run(client: spindle_okta::Client) -> spindle_okta::Result<()> {
//! use futures::TryStreamExt;
//! use spindle_okta::models::GroupBody;
//! let group = client.groups().create(&GroupBody::new("Engineering", None)).await?;
//! let id = group.id.clone().unwrap_or_else(|| "missing".into());
//! client.groups().add_user(&id, "00u1").await?;
//! let members: Vec<_> = client.groups().members(&id).try_collect().await?;
//! # Ok(()) }
//! ```

use futures::stream::BoxStream;

use crate::models::{Application, Group, GroupBody, User};
use crate::{Client, GroupId, Page, PageQuery, Raw, Request, Result, UserId, req};

/// Largest page of `GET /api/v1/groups`.
pub const MAX_PAGE_SIZE: u32 = 10_000;
/// Page size used for `GET /api/v1/groups/{id}/users` (Okta's documented default and
/// largest value seen).
pub const MEMBERS_PAGE_SIZE: u32 = 1000;

/// Calls on `/api/v1/groups`.
#[derive(Debug, Clone)]
pub struct Groups {
    client: Client,
}

impl Client {
    /// Group calls.
    pub fn groups(&self) -> Groups {
        Groups {
            client: self.clone(),
        }
    }
}

/// Query of `GET /api/v1/groups`.
#[derive(Debug, Clone, Default)]
pub struct ListGroups {
    /// Name prefix (not paginated, at most 300).
    pub q: Option<String>,
    /// Filter expression.
    pub filter: Option<String>,
    /// Search expression.
    pub search: Option<String>,
    /// Expansion (`stats`, `app`).
    pub expand: Option<String>,
    /// Page size (default: the maximum).
    pub limit: Option<u32>,
    /// The cursor of the page (from [`crate::Page::next_after`]); `None` for the first page.
    pub after: Option<String>,
}

impl ListGroups {
    /// All groups.
    pub fn new() -> Self {
        Self::default()
    }
    /// Sets `q`.
    pub fn q(mut self, q: impl Into<String>) -> Self {
        self.q = Some(q.into());
        self
    }
    /// Sets `filter`.
    pub fn filter(mut self, f: impl Into<String>) -> Self {
        self.filter = Some(f.into());
        self
    }
    /// Sets `search`.
    pub fn search(mut self, s: impl Into<String>) -> Self {
        self.search = Some(s.into());
        self
    }
    /// Sets the page size.
    pub fn limit(mut self, n: u32) -> Self {
        self.limit = Some(n);
        self
    }
    /// Starts after the cursor of a previous page.
    pub fn after(mut self, a: impl Into<String>) -> Self {
        self.after = Some(a.into());
        self
    }
    fn request(&self) -> Request {
        let limit = self.limit.or(if self.q.is_some() {
            None
        } else {
            Some(MAX_PAGE_SIZE)
        });
        req!(GET, "/api/v1/groups", "/api/v1/groups")
            .query_opt("q", self.q.as_ref())
            .query_opt("filter", self.filter.as_ref())
            .query_opt("search", self.search.as_ref())
            .query_opt("expand", self.expand.as_ref())
            .query_opt("after", self.after.as_ref())
            .query_opt("limit", limit)
    }
}

impl Groups {
    /// Streams the org's groups.
    pub fn list(&self, query: ListGroups) -> BoxStream<'static, Result<Group>> {
        self.client.stream(query.request())
    }

    /// One page of the org's groups.
    ///
    /// # Errors
    /// See [`Client::send`].
    pub async fn list_page(&self, query: ListGroups) -> Result<Page<Group>> {
        self.client.page(query.request()).await
    }

    /// One page of the org's groups as the JSON Okta sent ([`Raw`]).
    ///
    /// # Errors
    /// See [`Client::send`].
    pub async fn list_page_raw(&self, query: ListGroups) -> Result<Page<Raw<Group>>> {
        self.client.page(query.request()).await
    }

    /// `GET /api/v1/groups/{id}`.
    ///
    /// # Errors
    /// 404 `E0000007` if there is no such group.
    pub async fn get(&self, id: impl Into<GroupId>) -> Result<Group> {
        let id = id.into();
        self.client
            .call(req!(
                GET,
                "/api/v1/groups/{groupId}",
                "/api/v1/groups/{}",
                id
            ))
            .await
    }

    /// `POST /api/v1/groups` (an `OKTA_GROUP`).
    ///
    /// # Errors
    /// See [`Client::send`].
    pub async fn create(&self, body: &GroupBody) -> Result<Group> {
        self.client
            .call(req!(POST, "/api/v1/groups", "/api/v1/groups").json(body)?)
            .await
    }

    /// `PUT /api/v1/groups/{id}`: replaces the profile (all attributes).
    ///
    /// # Errors
    /// See [`Client::send`].
    pub async fn replace(&self, id: impl Into<GroupId>, body: &GroupBody) -> Result<Group> {
        let id = id.into();
        self.client
            .call(req!(PUT, "/api/v1/groups/{groupId}", "/api/v1/groups/{}", id).json(body)?)
            .await
    }

    /// `DELETE /api/v1/groups/{id}`.
    ///
    /// # Errors
    /// See [`Client::send`].
    pub async fn delete(&self, id: impl Into<GroupId>) -> Result<()> {
        let id = id.into();
        self.client
            .call_empty(req!(
                DELETE,
                "/api/v1/groups/{groupId}",
                "/api/v1/groups/{}",
                id
            ))
            .await
    }

    fn members_request(id: &GroupId, query: &PageQuery) -> Request {
        let request = req!(
            GET,
            "/api/v1/groups/{groupId}/users",
            "/api/v1/groups/{}/users",
            id
        );
        query.apply(request, Some(MEMBERS_PAGE_SIZE))
    }

    /// Streams the group's members.
    pub fn members(&self, id: impl Into<GroupId>) -> BoxStream<'static, Result<User>> {
        self.client
            .stream(Self::members_request(&id.into(), &PageQuery::new()))
    }

    /// One page of the group's members (`GET /api/v1/groups/{groupId}/users`).
    ///
    /// # Errors
    /// 404 `E0000007` if there is no such group.
    pub async fn members_page(
        &self,
        id: impl Into<GroupId>,
        query: PageQuery,
    ) -> Result<Page<User>> {
        self.client
            .page(Self::members_request(&id.into(), &query))
            .await
    }

    /// One page of the group's members as the JSON Okta sent ([`Raw`]).
    ///
    /// # Errors
    /// 404 `E0000007` if there is no such group.
    pub async fn members_page_raw(
        &self,
        id: impl Into<GroupId>,
        query: PageQuery,
    ) -> Result<Page<Raw<User>>> {
        self.client
            .page(Self::members_request(&id.into(), &query))
            .await
    }

    /// `PUT /api/v1/groups/{groupId}/users/{userId}`.
    ///
    /// # Errors
    /// See [`Client::send`].
    pub async fn add_user(&self, group: impl Into<GroupId>, user: impl Into<UserId>) -> Result<()> {
        let (g, u) = (group.into(), user.into());
        self.client
            .call_empty(req!(
                PUT,
                "/api/v1/groups/{groupId}/users/{userId}",
                "/api/v1/groups/{}/users/{}",
                g,
                u
            ))
            .await
    }

    /// `DELETE /api/v1/groups/{groupId}/users/{userId}`.
    ///
    /// # Errors
    /// See [`Client::send`].
    pub async fn remove_user(
        &self,
        group: impl Into<GroupId>,
        user: impl Into<UserId>,
    ) -> Result<()> {
        let (g, u) = (group.into(), user.into());
        self.client
            .call_empty(req!(
                DELETE,
                "/api/v1/groups/{groupId}/users/{userId}",
                "/api/v1/groups/{}/users/{}",
                g,
                u
            ))
            .await
    }

    fn apps_request(id: &GroupId, query: &PageQuery) -> Request {
        let request = req!(
            GET,
            "/api/v1/groups/{groupId}/apps",
            "/api/v1/groups/{}/apps",
            id
        );
        query.apply(request, None)
    }

    /// Streams the applications assigned to the group (Okta's default page size; no
    /// maximum is documented for this endpoint).
    pub fn apps(&self, id: impl Into<GroupId>) -> BoxStream<'static, Result<Application>> {
        self.client
            .stream(Self::apps_request(&id.into(), &PageQuery::new()))
    }

    /// One page of the applications assigned to the group
    /// (`GET /api/v1/groups/{groupId}/apps`).
    ///
    /// # Errors
    /// 404 `E0000007` if there is no such group.
    pub async fn apps_page(
        &self,
        id: impl Into<GroupId>,
        query: PageQuery,
    ) -> Result<Page<Application>> {
        self.client
            .page(Self::apps_request(&id.into(), &query))
            .await
    }
}
