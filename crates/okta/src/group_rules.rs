//! Group rules.
//!
//! ```no_run
//! # async fn run(client: spindle_okta::Client) -> spindle_okta::Result<()> {
//! use spindle_okta::models::GroupRule;
//! let rule = GroupRule::new("Sales", "user.department==\"Sales\"", vec!["00g1".into()]);
//! let rule = client.group_rules().create(&rule).await?;
//! if let Some(id) = &rule.id {
//!     client.group_rules().activate(id).await?;
//! }
//! # Ok(()) }
//! ```

use futures::stream::BoxStream;

use crate::models::GroupRule;
use crate::{Client, GroupRuleId, Page, Request, Result, req};

/// Largest page of `GET /api/v1/groups/rules`.
pub const MAX_PAGE_SIZE: u32 = 200;

/// Calls on `/api/v1/groups/rules`.
#[derive(Debug, Clone)]
pub struct GroupRules {
    client: Client,
}

impl Client {
    /// Group rule calls.
    pub fn group_rules(&self) -> GroupRules {
        GroupRules {
            client: self.clone(),
        }
    }
}

/// Query of `GET /api/v1/groups/rules`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListGroupRules {
    /// Keyword matched against rule names.
    pub search: Option<String>,
    /// Expansion (`groupIdToGroupNameMap`).
    pub expand: Option<String>,
    /// Start cursor (from [`Page::next_after`]).
    pub after: Option<String>,
    /// Page size (1 to [`MAX_PAGE_SIZE`]; Okta's default is 50).
    pub limit: Option<u32>,
}

impl ListGroupRules {
    /// All rules, at Okta's default page size.
    pub fn new() -> Self {
        Self::default()
    }
    /// Sets `search`.
    #[must_use]
    pub fn search(mut self, search: impl Into<String>) -> Self {
        self.search = Some(search.into());
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
    fn request(&self) -> Request {
        req!(GET, "/api/v1/groups/rules", "/api/v1/groups/rules")
            .query_opt("limit", self.limit)
            .query_opt("after", self.after.as_ref())
            .query_opt("search", self.search.as_ref())
            .query_opt("expand", self.expand.as_ref())
    }
}

impl GroupRules {
    /// Streams rules; `search` matches names, `expand=groupIdToGroupNameMap`.
    pub fn list(
        &self,
        search: Option<String>,
        expand: Option<String>,
    ) -> BoxStream<'static, Result<GroupRule>> {
        let query = ListGroupRules {
            search,
            expand,
            after: None,
            limit: Some(MAX_PAGE_SIZE),
        };
        self.client.stream(query.request())
    }

    /// One page of rules (`GET /api/v1/groups/rules`); the page size is Okta's default unless
    /// `query` sets one.
    ///
    /// # Errors
    /// 400 `E0000001` for a `limit` out of range or a bad cursor; see [`Client::send`].
    pub async fn list_page(&self, query: ListGroupRules) -> Result<Page<GroupRule>> {
        self.client.page(query.request()).await
    }

    /// `GET /api/v1/groups/rules/{id}`.
    ///
    /// # Errors
    /// See [`Client::send`].
    pub async fn get(&self, id: impl Into<GroupRuleId>, expand: Option<&str>) -> Result<GroupRule> {
        let id = id.into();
        self.client
            .call(
                req!(
                    GET,
                    "/api/v1/groups/rules/{groupRuleId}",
                    "/api/v1/groups/rules/{}",
                    id
                )
                .query_opt("expand", expand),
            )
            .await
    }

    /// `POST /api/v1/groups/rules` (created INACTIVE).
    ///
    /// # Errors
    /// See [`Client::send`].
    pub async fn create(&self, rule: &GroupRule) -> Result<GroupRule> {
        self.client
            .call(req!(POST, "/api/v1/groups/rules", "/api/v1/groups/rules").json(rule)?)
            .await
    }

    /// `PUT /api/v1/groups/rules/{id}` (only while INACTIVE).
    ///
    /// # Errors
    /// See [`Client::send`].
    pub async fn replace(&self, id: impl Into<GroupRuleId>, rule: &GroupRule) -> Result<GroupRule> {
        let id = id.into();
        self.client
            .call(
                req!(
                    PUT,
                    "/api/v1/groups/rules/{groupRuleId}",
                    "/api/v1/groups/rules/{}",
                    id
                )
                .json(rule)?,
            )
            .await
    }

    /// `DELETE /api/v1/groups/rules/{id}`; `remove_users` also removes the members it added.
    ///
    /// # Errors
    /// See [`Client::send`].
    pub async fn delete(
        &self,
        id: impl Into<GroupRuleId>,
        remove_users: Option<bool>,
    ) -> Result<()> {
        let id = id.into();
        self.client
            .call_empty(
                req!(
                    DELETE,
                    "/api/v1/groups/rules/{groupRuleId}",
                    "/api/v1/groups/rules/{}",
                    id
                )
                .query_opt("removeUsers", remove_users),
            )
            .await
    }

    /// `POST .../lifecycle/activate`.
    ///
    /// # Errors
    /// See [`Client::send`].
    pub async fn activate(&self, id: impl Into<GroupRuleId>) -> Result<()> {
        let id = id.into();
        self.client
            .call_empty(req!(
                POST,
                "/api/v1/groups/rules/{groupRuleId}/lifecycle/activate",
                "/api/v1/groups/rules/{}/lifecycle/activate",
                id
            ))
            .await
    }

    /// `POST .../lifecycle/deactivate`.
    ///
    /// # Errors
    /// See [`Client::send`].
    pub async fn deactivate(&self, id: impl Into<GroupRuleId>) -> Result<()> {
        let id = id.into();
        self.client
            .call_empty(req!(
                POST,
                "/api/v1/groups/rules/{groupRuleId}/lifecycle/deactivate",
                "/api/v1/groups/rules/{}/lifecycle/deactivate",
                id
            ))
            .await
    }
}
