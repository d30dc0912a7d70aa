//! Factors: enroll, activate, verify, unenroll, catalog and questions.
//!
//! ```no_run
//! # async fn run(client: spindle_okta::Client) -> spindle_okta::Result<()> {
//! use spindle_okta::factors::EnrollFactor;
//! use spindle_okta::models::{FactorProvider, FactorType, UserFactor};
//! let mut profile = serde_json::Map::new();
//! profile.insert("question".into(), "disliked_food".into());
//! profile.insert("answer".into(), "mayonnaise".into());
//! let body = UserFactor::enroll(FactorType::Question, FactorProvider::Okta, Some(profile));
//! let factor = client.factors().enroll("00u1", EnrollFactor::new(body)).await?;
//! # Ok(()) }
//! ```

use crate::models::{
    FactorPasscode, SecurityQuestion, SupportedFactor, UserFactor, VerifyFactorResponse,
};
use crate::{Client, FactorId, Request, Result, TransactionId, UserId, req};

/// Calls on `/api/v1/users/{userId}/factors`.
#[derive(Debug, Clone)]
pub struct Factors {
    client: Client,
}

impl Client {
    /// Factor calls.
    pub fn factors(&self) -> Factors {
        Factors {
            client: self.clone(),
        }
    }
}

/// `POST /users/{userId}/factors`.
#[derive(Debug, Clone, Default)]
pub struct EnrollFactor {
    /// The factor to enroll.
    pub body: UserFactor,
    /// `updatePhone`.
    pub update_phone: Option<bool>,
    /// `templateId` (SMS).
    pub template_id: Option<String>,
    /// `tokenLifetimeSeconds`.
    pub token_lifetime_seconds: Option<u32>,
    /// `activate` (sms, call, email, hotp).
    pub activate: Option<bool>,
    /// `Accept-Language`.
    pub accept_language: Option<String>,
}

impl EnrollFactor {
    /// An enrollment of `body`.
    pub fn new(body: UserFactor) -> Self {
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
    /// Sets `updatePhone`.
    pub fn update_phone(mut self, u: bool) -> Self {
        self.update_phone = Some(u);
        self
    }
    /// Sets `templateId`, the custom SMS template of the enrollment code.
    pub fn template_id(mut self, id: impl Into<String>) -> Self {
        self.template_id = Some(id.into());
        self
    }
    /// Sets `tokenLifetimeSeconds`, how long the enrollment code stays valid.
    pub fn token_lifetime_seconds(mut self, seconds: u32) -> Self {
        self.token_lifetime_seconds = Some(seconds);
        self
    }
}

/// `POST /users/{userId}/factors/{factorId}/verify`.
#[derive(Debug, Clone, Default)]
pub struct VerifyFactor {
    /// Passcode or answer; `None` issues a challenge (sms/call/email/push).
    pub body: Option<FactorPasscode>,
    /// `templateId`.
    pub template_id: Option<String>,
    /// `tokenLifetimeSeconds`.
    pub token_lifetime_seconds: Option<u32>,
    /// `X-Forwarded-For` (end user's IP, for push context).
    pub x_forwarded_for: Option<String>,
    /// `User-Agent` of the end user.
    pub user_agent: Option<String>,
    /// `Accept-Language`.
    pub accept_language: Option<String>,
}

impl VerifyFactor {
    /// A verification with this passcode/answer body (or a challenge when `None`).
    pub fn new(body: Option<FactorPasscode>) -> Self {
        Self {
            body,
            ..Self::default()
        }
    }
    /// Sets `templateId`, the custom SMS template of the challenge.
    pub fn template_id(mut self, id: impl Into<String>) -> Self {
        self.template_id = Some(id.into());
        self
    }
    /// Sets `tokenLifetimeSeconds`, how long the challenge code stays valid.
    pub fn token_lifetime_seconds(mut self, seconds: u32) -> Self {
        self.token_lifetime_seconds = Some(seconds);
        self
    }
}

fn factor_path(u: &UserId, f: &FactorId, rest: &str) -> String {
    format!(
        "/api/v1/users/{}/factors/{}{rest}",
        crate::seg(u.as_str()),
        crate::seg(f.as_str())
    )
}

impl Factors {
    /// The user's enrolled factors.
    ///
    /// # Errors
    /// See [`Client::send`].
    pub async fn list(&self, user: impl Into<UserId>) -> Result<Vec<UserFactor>> {
        let u = user.into();
        self.client
            .call(req!(
                GET,
                "/api/v1/users/{userId}/factors",
                "/api/v1/users/{}/factors",
                u
            ))
            .await
    }

    /// One factor.
    ///
    /// # Errors
    /// See [`Client::send`].
    pub async fn get(
        &self,
        user: impl Into<UserId>,
        factor: impl Into<FactorId>,
    ) -> Result<UserFactor> {
        let (u, f) = (user.into(), factor.into());
        self.client
            .call(Request::new(
                crate::Method::GET,
                "/api/v1/users/{userId}/factors/{factorId}",
                factor_path(&u, &f, ""),
            ))
            .await
    }

    /// Enrolls a factor.
    ///
    /// # Errors
    /// See [`Client::send`].
    pub async fn enroll(
        &self,
        user: impl Into<UserId>,
        request: EnrollFactor,
    ) -> Result<UserFactor> {
        let u = user.into();
        let mut r = req!(
            POST,
            "/api/v1/users/{userId}/factors",
            "/api/v1/users/{}/factors",
            u
        )
        .query_opt("updatePhone", request.update_phone)
        .query_opt("templateId", request.template_id.as_ref())
        .query_opt("tokenLifetimeSeconds", request.token_lifetime_seconds)
        .query_opt("activate", request.activate)
        .json(&request.body)?;
        if let Some(l) = request.accept_language {
            r = r.header("accept-language", l);
        }
        self.client.call(r).await
    }

    /// Activates a pending factor (OTP passcode, or nothing to poll a push activation).
    ///
    /// # Errors
    /// 403 `E0000068` for a wrong passcode; 429 after 5 attempts in 5 minutes.
    pub async fn activate(
        &self,
        user: impl Into<UserId>,
        factor: impl Into<FactorId>,
        body: Option<FactorPasscode>,
    ) -> Result<UserFactor> {
        let (u, f) = (user.into(), factor.into());
        let mut r = Request::new(
            crate::Method::POST,
            "/api/v1/users/{userId}/factors/{factorId}/lifecycle/activate",
            factor_path(&u, &f, "/lifecycle/activate"),
        );
        if let Some(b) = body {
            r = r.json(&b)?;
        }
        self.client.call(r).await
    }

    /// Verifies a factor (or issues a challenge).
    ///
    /// # Errors
    /// 403 `E0000068` for a wrong passcode or answer.
    pub async fn verify(
        &self,
        user: impl Into<UserId>,
        factor: impl Into<FactorId>,
        request: VerifyFactor,
    ) -> Result<VerifyFactorResponse> {
        let (u, f) = (user.into(), factor.into());
        let mut r = Request::new(
            crate::Method::POST,
            "/api/v1/users/{userId}/factors/{factorId}/verify",
            factor_path(&u, &f, "/verify"),
        )
        .query_opt("templateId", request.template_id.as_ref())
        .query_opt("tokenLifetimeSeconds", request.token_lifetime_seconds);
        if let Some(b) = &request.body {
            r = r.json(b)?;
        }
        if let Some(v) = request.x_forwarded_for {
            r = r.header("x-forwarded-for", v);
        }
        if let Some(v) = request.user_agent {
            r = r.header("user-agent", v);
        }
        if let Some(v) = request.accept_language {
            r = r.header("accept-language", v);
        }
        self.client.call(r).await
    }

    /// Polls a push verification (`GET .../transactions/{transactionId}`).
    ///
    /// # Errors
    /// See [`Client::send`].
    pub async fn transaction(
        &self,
        user: impl Into<UserId>,
        factor: impl Into<FactorId>,
        transaction: impl Into<TransactionId>,
    ) -> Result<VerifyFactorResponse> {
        let (u, f, t) = (user.into(), factor.into(), transaction.into());
        self.client
            .call(Request::new(
                crate::Method::GET,
                "/api/v1/users/{userId}/factors/{factorId}/transactions/{transactionId}",
                factor_path(&u, &f, &format!("/transactions/{}", crate::seg(t.as_str()))),
            ))
            .await
    }

    /// Re-sends an enrollment challenge (sms, call, email).
    ///
    /// # Errors
    /// See [`Client::send`].
    pub async fn resend(
        &self,
        user: impl Into<UserId>,
        factor: impl Into<FactorId>,
        body: &UserFactor,
        template_id: Option<String>,
    ) -> Result<UserFactor> {
        let (u, f) = (user.into(), factor.into());
        let r = Request::new(
            crate::Method::POST,
            "/api/v1/users/{userId}/factors/{factorId}/resend",
            factor_path(&u, &f, "/resend"),
        )
        .query_opt("templateId", template_id)
        .json(body)?;
        self.client.call(r).await
    }

    /// Unenrolls a factor.
    ///
    /// # Errors
    /// See [`Client::send`].
    pub async fn unenroll(
        &self,
        user: impl Into<UserId>,
        factor: impl Into<FactorId>,
        remove_recovery_enrollment: Option<bool>,
    ) -> Result<()> {
        let (u, f) = (user.into(), factor.into());
        self.client
            .call_empty(
                Request::new(
                    crate::Method::DELETE,
                    "/api/v1/users/{userId}/factors/{factorId}",
                    factor_path(&u, &f, ""),
                )
                .query_opt("removeRecoveryEnrollment", remove_recovery_enrollment),
            )
            .await
    }

    /// Factors the user may enroll.
    ///
    /// # Errors
    /// See [`Client::send`].
    pub async fn catalog(&self, user: impl Into<UserId>) -> Result<Vec<SupportedFactor>> {
        let u = user.into();
        self.client
            .call(req!(
                GET,
                "/api/v1/users/{userId}/factors/catalog",
                "/api/v1/users/{}/factors/catalog",
                u
            ))
            .await
    }

    /// Security questions the user may choose from.
    ///
    /// # Errors
    /// See [`Client::send`].
    pub async fn questions(&self, user: impl Into<UserId>) -> Result<Vec<SecurityQuestion>> {
        let u = user.into();
        self.client
            .call(req!(
                GET,
                "/api/v1/users/{userId}/factors/questions",
                "/api/v1/users/{}/factors/questions",
                u
            ))
            .await
    }
}
