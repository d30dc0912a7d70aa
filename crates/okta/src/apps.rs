//! The few application calls the user/group use cases and their tests need.

use futures::stream::BoxStream;

use crate::models::{AppGroupAssignment, AppUser, Application};
use crate::{AppId, Client, GroupId, Result, UserId, req};

/// Largest page of `GET /api/v1/apps`.
pub const MAX_PAGE_SIZE: u32 = 200;

/// Calls on `/api/v1/apps`.
#[derive(Debug, Clone)]
pub struct Apps {
    client: Client,
}

impl Client {
    /// Application calls.
    pub fn apps(&self) -> Apps {
        Apps {
            client: self.clone(),
        }
    }
}

impl Apps {
    /// Creates an application (see [`Application::oidc`]).
    ///
    /// # Errors
    /// See [`Client::send`].
    pub async fn create(&self, app: &Application, activate: Option<bool>) -> Result<Application> {
        self.client
            .call(
                req!(POST, "/api/v1/apps", "/api/v1/apps")
                    .query_opt("activate", activate)
                    .json(app)?,
            )
            .await
    }

    /// One application.
    ///
    /// # Errors
    /// See [`Client::send`].
    pub async fn get(&self, id: impl Into<AppId>) -> Result<Application> {
        let id = id.into();
        self.client
            .call(req!(GET, "/api/v1/apps/{appId}", "/api/v1/apps/{}", id))
            .await
    }

    /// Streams applications (`q` prefix on name/label, `filter`).
    pub fn list(
        &self,
        q: Option<String>,
        filter: Option<String>,
    ) -> BoxStream<'static, Result<Application>> {
        self.client.stream(
            req!(GET, "/api/v1/apps", "/api/v1/apps")
                .query_opt("q", q)
                .query_opt("filter", filter)
                .query("limit", MAX_PAGE_SIZE),
        )
    }

    /// Deactivates an application.
    ///
    /// # Errors
    /// See [`Client::send`].
    pub async fn deactivate(&self, id: impl Into<AppId>) -> Result<()> {
        let id = id.into();
        self.client
            .call_empty(req!(
                POST,
                "/api/v1/apps/{appId}/lifecycle/deactivate",
                "/api/v1/apps/{}/lifecycle/deactivate",
                id
            ))
            .await
    }

    /// Deletes an (inactive) application.
    ///
    /// # Errors
    /// 403 `E0000056` if it is still active.
    pub async fn delete(&self, id: impl Into<AppId>) -> Result<()> {
        let id = id.into();
        self.client
            .call_empty(req!(DELETE, "/api/v1/apps/{appId}", "/api/v1/apps/{}", id))
            .await
    }

    /// Assigns a group to the application.
    ///
    /// # Errors
    /// See [`Client::send`].
    pub async fn assign_group(
        &self,
        app: impl Into<AppId>,
        group: impl Into<GroupId>,
    ) -> Result<AppGroupAssignment> {
        let (a, g) = (app.into(), group.into());
        self.client
            .call(
                req!(
                    PUT,
                    "/api/v1/apps/{appId}/groups/{groupId}",
                    "/api/v1/apps/{}/groups/{}",
                    a,
                    g
                )
                .json(&serde_json::json!({}))?,
            )
            .await
    }

    /// Assigns a user to the application.
    ///
    /// # Errors
    /// See [`Client::send`].
    pub async fn assign_user(
        &self,
        app: impl Into<AppId>,
        user: impl Into<UserId>,
    ) -> Result<AppUser> {
        let (a, u) = (app.into(), user.into());
        self.client
            .call(
                req!(
                    POST,
                    "/api/v1/apps/{appId}/users",
                    "/api/v1/apps/{}/users",
                    a
                )
                .json(&serde_json::json!({ "id": u.as_str(), "scope": "USER" }))?,
            )
            .await
    }
}
