//! Users: CRUD, lifecycle, credentials, and the user's related resources.
//!
//! ```no_run
//! # async fn run(client: spindle_okta::Client) -> spindle_okta::Result<()> {
//! use futures::TryStreamExt;
//! use spindle_okta::users::ListUsers;
//! let mut active = client.users().list(ListUsers::new().search("status eq \"ACTIVE\""));
//! while let Some(user) = active.try_next().await? {
//!     println!("{:?}", user.profile.login());
//! }
//! # Ok(()) }
//! ```

use futures::stream::BoxStream;

use crate::models::{
    AppLink, ChangePasswordBody, CreateUserBody, ForgotPasswordResponse, Group, ResetPasswordToken,
    TempPassword, UpdateUserBody, User, UserActivationToken, UserBlock, UserCredentials,
};
use crate::{Client, Page, Raw, Request, Result, UserId, req};

/// Largest page `GET /api/v1/users` serves.
pub const MAX_PAGE_SIZE: u32 = 200;

/// Calls on `/api/v1/users`.
#[derive(Debug, Clone)]
pub struct Users {
    client: Client,
}

impl Client {
    /// User calls.
    pub fn users(&self) -> Users {
        Users {
            client: self.clone(),
        }
    }
}

/// Query of `GET /api/v1/users`. Page size defaults to the endpoint's maximum (200).
#[derive(Debug, Clone, Default)]
pub struct ListUsers {
    /// Prefix match on first name, last name or email (not paginated by Okta).
    pub q: Option<String>,
    /// Filter expression (`status eq "ACTIVE"`).
    pub filter: Option<String>,
    /// Search expression (`profile.department eq "Sales"`).
    pub search: Option<String>,
    /// Page size.
    pub limit: Option<u32>,
    /// Sort attribute (with `search`).
    pub sort_by: Option<String>,
    /// `asc` or `desc`.
    pub sort_order: Option<String>,
    /// Projection (`fields=status,profile:(firstName)`).
    pub fields: Option<String>,
    /// Expansion.
    pub expand: Option<String>,
    /// Start cursor.
    pub after: Option<String>,
}

impl ListUsers {
    /// All users.
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
    /// Sets `sortBy` and `sortOrder`.
    pub fn sort(mut self, by: impl Into<String>, order: impl Into<String>) -> Self {
        self.sort_by = Some(by.into());
        self.sort_order = Some(order.into());
        self
    }
    /// Sets `fields`.
    pub fn fields(mut self, f: impl Into<String>) -> Self {
        self.fields = Some(f.into());
        self
    }
    /// Sets `expand`.
    pub fn expand(mut self, e: impl Into<String>) -> Self {
        self.expand = Some(e.into());
        self
    }
    /// Sets the `after` cursor.
    pub fn after(mut self, a: impl Into<String>) -> Self {
        self.after = Some(a.into());
        self
    }

    fn request(&self) -> Request {
        // `q` is not paginated and defaults to 10; keep Okta's default unless asked.
        let limit = self.limit.or(if self.q.is_some() {
            None
        } else {
            Some(MAX_PAGE_SIZE)
        });
        req!(GET, "/api/v1/users", "/api/v1/users")
            .query_opt("q", self.q.as_ref())
            .query_opt("filter", self.filter.as_ref())
            .query_opt("search", self.search.as_ref())
            .query_opt("sortBy", self.sort_by.as_ref())
            .query_opt("sortOrder", self.sort_order.as_ref())
            .query_opt("fields", self.fields.as_ref())
            .query_opt("expand", self.expand.as_ref())
            .query_opt("after", self.after.as_ref())
            .query_opt("limit", limit)
    }
}

/// Query of `POST /api/v1/users`.
#[derive(Debug, Clone, Default)]
pub struct CreateUser {
    /// The body.
    pub body: CreateUserBody,
    /// `activate` (Okta's default: true).
    pub activate: Option<bool>,
    /// `provider` (federated / social user).
    pub provider: Option<bool>,
    /// `nextLogin=changePassword`.
    pub next_login: Option<String>,
}

impl CreateUser {
    /// A request creating a user with this body.
    pub fn new(body: CreateUserBody) -> Self {
        Self {
            body,
            ..Self::default()
        }
    }
    /// Sets `activate`.
    pub fn activate(mut self, a: bool) -> Self {
        self.activate = Some(a);
        self
    }
    /// Sets `provider`.
    pub fn provider(mut self, p: bool) -> Self {
        self.provider = Some(p);
        self
    }
    /// Sets `nextLogin` (`changePassword`).
    pub fn next_login(mut self, n: impl Into<String>) -> Self {
        self.next_login = Some(n.into());
        self
    }
}

/// Options of `POST`/`PUT /api/v1/users/{id}`.
#[derive(Debug, Clone, Default)]
pub struct UpdateOptions {
    /// `strict=true`: validate password history / minimum age.
    pub strict: Option<bool>,
    /// `If-Match` ETag.
    pub if_match: Option<String>,
}

/// Options of deactivate / delete.
#[derive(Debug, Clone, Copy, Default)]
pub struct DeactivateOptions {
    /// `sendEmail` to admins.
    pub send_email: Option<bool>,
    /// `Prefer: respond-async`.
    pub respond_async: bool,
}

impl Users {
    /// Streams users (`GET /api/v1/users`), following `next` links to the end.
    pub fn list(&self, query: ListUsers) -> BoxStream<'static, Result<User>> {
        self.client.stream(query.request())
    }

    /// One page of users.
    ///
    /// # Errors
    /// See [`Client::send`].
    pub async fn list_page(&self, query: ListUsers) -> Result<Page<User>> {
        self.client.page(query.request()).await
    }

    /// One page of users as the JSON Okta sent ([`Raw`]): for a caller that passes the users on
    /// rather than reading their fields, at a fraction of the cost of decoding them.
    ///
    /// # Errors
    /// See [`Client::send`].
    pub async fn list_page_raw(&self, query: ListUsers) -> Result<Page<Raw<User>>> {
        self.client.page(query.request()).await
    }

    /// `GET /api/v1/users/{id}` (id, login or short login); `expand` e.g. `blocks`.
    ///
    /// # Errors
    /// [`crate::Error::Api`] with status 404 if there is no such user.
    ///
    /// ```no_run
    /// # async fn run(client: spindle_okta::Client) -> spindle_okta::Result<()> {
    /// let user = client.users().get("jane@example.com", None).await?;
    /// let dept = user.profile.get("department");
    /// # Ok(()) }
    /// ```
    pub async fn get(&self, id: impl Into<UserId>, expand: Option<&str>) -> Result<User> {
        let id = id.into();
        self.client
            .call(
                req!(GET, "/api/v1/users/{id}", "/api/v1/users/{}", id).query_opt("expand", expand),
            )
            .await
    }

    /// `POST /api/v1/users`.
    ///
    /// # Errors
    /// See [`Client::send`]; a duplicate login is a 400 `E0000001`.
    ///
    /// ```no_run
    /// # async fn run(client: spindle_okta::Client) -> spindle_okta::Result<()> {
    /// use spindle_okta::models::{CreateUserBody, UserProfile};
    /// use spindle_okta::users::CreateUser;
    /// let profile = UserProfile::new()
    ///     .with("login", "jane@example.com")
    ///     .with("email", "jane@example.com")
    ///     .with("firstName", "Jane")
    ///     .with("lastName", "Doe")
    ///     .with("costCenter", "R&D");
    /// let body = CreateUserBody { profile, ..Default::default() };
    /// let user = client.users().create(CreateUser::new(body).activate(false)).await?;
    /// # Ok(()) }
    /// ```
    pub async fn create(&self, request: CreateUser) -> Result<User> {
        let r = req!(POST, "/api/v1/users", "/api/v1/users")
            .query_opt("activate", request.activate)
            .query_opt("provider", request.provider)
            .query_opt("nextLogin", request.next_login.as_ref())
            .json(&request.body)?;
        self.client.call(r).await
    }

    fn update_req(
        method: crate::Method,
        id: &UserId,
        body: &UpdateUserBody,
        opts: &UpdateOptions,
    ) -> Result<Request> {
        let mut r = Request::new(
            method,
            "/api/v1/users/{id}",
            format!("/api/v1/users/{}", crate::seg(id.as_str())),
        )
        .query_opt("strict", opts.strict)
        .json(body)?;
        if let Some(etag) = &opts.if_match {
            r = r.header("if-match", etag.clone());
        }
        Ok(r)
    }

    /// Partial update (`POST /api/v1/users/{id}`): only the given attributes change.
    ///
    /// # Errors
    /// See [`Client::send`].
    pub async fn update(
        &self,
        id: impl Into<UserId>,
        body: &UpdateUserBody,
        opts: UpdateOptions,
    ) -> Result<User> {
        let r = Self::update_req(crate::Method::POST, &id.into(), body, &opts)?;
        self.client.call(r).await
    }

    /// Full replace (`PUT /api/v1/users/{id}`): omitted profile attributes are removed.
    ///
    /// # Errors
    /// See [`Client::send`].
    pub async fn replace(
        &self,
        id: impl Into<UserId>,
        body: &UpdateUserBody,
        opts: UpdateOptions,
    ) -> Result<User> {
        let r = Self::update_req(crate::Method::PUT, &id.into(), body, &opts)?;
        self.client.call(r).await
    }

    /// `DELETE /api/v1/users/{id}`: deactivates an active user, deletes a deactivated one.
    ///
    /// # Errors
    /// See [`Client::send`].
    pub async fn delete(&self, id: impl Into<UserId>, opts: DeactivateOptions) -> Result<()> {
        let id = id.into();
        let mut r = req!(DELETE, "/api/v1/users/{id}", "/api/v1/users/{}", id)
            .query_opt("sendEmail", opts.send_email);
        if opts.respond_async {
            r = r.header("prefer", "respond-async");
        }
        self.client.call_empty(r).await
    }

    fn lifecycle(id: &UserId, op: &'static str) -> Request {
        Request::new(
            crate::Method::POST,
            match op {
                "activate" => "/api/v1/users/{id}/lifecycle/activate",
                "reactivate" => "/api/v1/users/{id}/lifecycle/reactivate",
                "deactivate" => "/api/v1/users/{id}/lifecycle/deactivate",
                "suspend" => "/api/v1/users/{id}/lifecycle/suspend",
                "unsuspend" => "/api/v1/users/{id}/lifecycle/unsuspend",
                "unlock" => "/api/v1/users/{id}/lifecycle/unlock",
                "reset_factors" => "/api/v1/users/{id}/lifecycle/reset_factors",
                "expire_password" => "/api/v1/users/{id}/lifecycle/expire_password",
                "expire_password_with_temp_password" => {
                    "/api/v1/users/{id}/lifecycle/expire_password_with_temp_password"
                }
                "reset_password" => "/api/v1/users/{id}/lifecycle/reset_password",
                _ => "/api/v1/users/{id}/lifecycle/{op}",
            },
            format!("/api/v1/users/{}/lifecycle/{op}", crate::seg(id.as_str())),
        )
    }

    /// Activates a STAGED or DEPROVISIONED user; with `send_email=false` the answer holds
    /// the activation token.
    ///
    /// # Errors
    /// See [`Client::send`].
    pub async fn activate(
        &self,
        id: impl Into<UserId>,
        send_email: Option<bool>,
    ) -> Result<UserActivationToken> {
        let r = Self::lifecycle(&id.into(), "activate").query_opt("sendEmail", send_email);
        self.client.call(r).await
    }

    /// Restarts activation of a PROVISIONED or RECOVERY user.
    ///
    /// # Errors
    /// See [`Client::send`].
    pub async fn reactivate(
        &self,
        id: impl Into<UserId>,
        send_email: Option<bool>,
    ) -> Result<UserActivationToken> {
        let r = Self::lifecycle(&id.into(), "reactivate").query_opt("sendEmail", send_email);
        self.client.call(r).await
    }

    /// Deactivates a user (DEPROVISIONED).
    ///
    /// # Errors
    /// See [`Client::send`].
    pub async fn deactivate(&self, id: impl Into<UserId>, opts: DeactivateOptions) -> Result<()> {
        let mut r =
            Self::lifecycle(&id.into(), "deactivate").query_opt("sendEmail", opts.send_email);
        if opts.respond_async {
            r = r.header("prefer", "respond-async");
        }
        self.client.call_empty(r).await
    }

    /// Suspends an ACTIVE user.
    ///
    /// # Errors
    /// See [`Client::send`].
    pub async fn suspend(&self, id: impl Into<UserId>) -> Result<()> {
        self.client
            .call_empty(Self::lifecycle(&id.into(), "suspend"))
            .await
    }

    /// Unsuspends a SUSPENDED user.
    ///
    /// # Errors
    /// See [`Client::send`].
    pub async fn unsuspend(&self, id: impl Into<UserId>) -> Result<()> {
        self.client
            .call_empty(Self::lifecycle(&id.into(), "unsuspend"))
            .await
    }

    /// Unlocks a LOCKED_OUT user.
    ///
    /// # Errors
    /// See [`Client::send`].
    pub async fn unlock(&self, id: impl Into<UserId>) -> Result<()> {
        self.client
            .call_empty(Self::lifecycle(&id.into(), "unlock"))
            .await
    }

    /// Unenrolls all of a user's factors.
    ///
    /// # Errors
    /// See [`Client::send`].
    pub async fn reset_factors(&self, id: impl Into<UserId>) -> Result<()> {
        self.client
            .call_empty(Self::lifecycle(&id.into(), "reset_factors"))
            .await
    }

    /// Expires the password (PASSWORD_EXPIRED); returns the user.
    ///
    /// # Errors
    /// See [`Client::send`].
    pub async fn expire_password(&self, id: impl Into<UserId>) -> Result<User> {
        self.client
            .call(Self::lifecycle(&id.into(), "expire_password"))
            .await
    }

    /// Expires the password and sets a generated temporary one.
    ///
    /// # Errors
    /// See [`Client::send`].
    pub async fn expire_password_with_temp_password(
        &self,
        id: impl Into<UserId>,
        revoke_sessions: Option<bool>,
    ) -> Result<TempPassword> {
        let r = Self::lifecycle(&id.into(), "expire_password_with_temp_password")
            .query_opt("revokeSessions", revoke_sessions);
        self.client.call(r).await
    }

    /// Starts a password reset (RECOVERY); `send_email` is required by Okta.
    ///
    /// # Errors
    /// See [`Client::send`].
    pub async fn reset_password(
        &self,
        id: impl Into<UserId>,
        send_email: bool,
        revoke_sessions: Option<bool>,
    ) -> Result<ResetPasswordToken> {
        let r = Self::lifecycle(&id.into(), "reset_password")
            .query("sendEmail", send_email)
            .query_opt("revokeSessions", revoke_sessions);
        self.client.call(r).await
    }

    /// `POST /users/{id}/credentials/forgot_password`.
    ///
    /// # Errors
    /// See [`Client::send`].
    pub async fn forgot_password(
        &self,
        id: impl Into<UserId>,
        send_email: Option<bool>,
    ) -> Result<ForgotPasswordResponse> {
        let id = id.into();
        let r = req!(
            POST,
            "/api/v1/users/{userId}/credentials/forgot_password",
            "/api/v1/users/{}/credentials/forgot_password",
            id
        )
        .query_opt("sendEmail", send_email);
        self.client.call(r).await
    }

    /// `POST /users/{id}/credentials/forgot_password_recovery_question`: sets a new password
    /// after answering the recovery question.
    ///
    /// # Errors
    /// See [`Client::send`].
    pub async fn forgot_password_set_new_password(
        &self,
        id: impl Into<UserId>,
        credentials: &UserCredentials,
        send_email: Option<bool>,
    ) -> Result<UserCredentials> {
        let id = id.into();
        let r = req!(
            POST,
            "/api/v1/users/{userId}/credentials/forgot_password_recovery_question",
            "/api/v1/users/{}/credentials/forgot_password_recovery_question",
            id
        )
        .query_opt("sendEmail", send_email)
        .json(credentials)?;
        self.client.call(r).await
    }

    /// `POST /users/{id}/credentials/change_password`.
    ///
    /// # Errors
    /// See [`Client::send`].
    pub async fn change_password(
        &self,
        id: impl Into<UserId>,
        body: &ChangePasswordBody,
        strict: Option<bool>,
    ) -> Result<UserCredentials> {
        let id = id.into();
        let r = req!(
            POST,
            "/api/v1/users/{userId}/credentials/change_password",
            "/api/v1/users/{}/credentials/change_password",
            id
        )
        .query_opt("strict", strict)
        .json(body)?;
        self.client.call(r).await
    }

    /// `POST /users/{id}/credentials/change_recovery_question` (body: current password and
    /// the new question).
    ///
    /// # Errors
    /// See [`Client::send`].
    pub async fn change_recovery_question(
        &self,
        id: impl Into<UserId>,
        credentials: &UserCredentials,
    ) -> Result<UserCredentials> {
        let id = id.into();
        let r = req!(
            POST,
            "/api/v1/users/{userId}/credentials/change_recovery_question",
            "/api/v1/users/{}/credentials/change_recovery_question",
            id
        )
        .json(credentials)?;
        self.client.call(r).await
    }

    /// The user's groups (`GET /users/{id}/groups`), all pages.
    pub fn groups(&self, id: impl Into<UserId>) -> BoxStream<'static, Result<Group>> {
        let id = id.into();
        self.client.stream(req!(
            GET,
            "/api/v1/users/{id}/groups",
            "/api/v1/users/{}/groups",
            id
        ))
    }

    /// The user's app links (`GET /users/{id}/appLinks`).
    ///
    /// # Errors
    /// See [`Client::send`].
    pub async fn app_links(&self, id: impl Into<UserId>) -> Result<Vec<AppLink>> {
        let id = id.into();
        self.client
            .call(req!(
                GET,
                "/api/v1/users/{id}/appLinks",
                "/api/v1/users/{}/appLinks",
                id
            ))
            .await
    }

    /// The user's blocks (`GET /users/{id}/blocks`).
    ///
    /// # Errors
    /// See [`Client::send`].
    pub async fn blocks(&self, id: impl Into<UserId>) -> Result<Vec<UserBlock>> {
        let id = id.into();
        self.client
            .call(req!(
                GET,
                "/api/v1/users/{id}/blocks",
                "/api/v1/users/{}/blocks",
                id
            ))
            .await
    }
}
