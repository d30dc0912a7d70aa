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
use crate::{Client, GroupRuleId, Result, req};

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

impl GroupRules {
    /// Streams rules; `search` matches names, `expand=groupIdToGroupNameMap`.
    pub fn list(
        &self,
        search: Option<String>,
        expand: Option<String>,
    ) -> BoxStream<'static, Result<GroupRule>> {
        self.client.stream(
            req!(GET, "/api/v1/groups/rules", "/api/v1/groups/rules")
                .query("limit", MAX_PAGE_SIZE)
                .query_opt("search", search)
                .query_opt("expand", expand),
        )
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
