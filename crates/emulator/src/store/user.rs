//! The user record as the emulator keeps it.

use serde_json::{Map, Value};

/// Okta user statuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Status {
    Staged,
    Provisioned,
    Active,
    Recovery,
    PasswordExpired,
    LockedOut,
    Suspended,
    Deprovisioned,
}

impl Status {
    pub(crate) const ALL: [Status; 8] = [
        Status::Staged,
        Status::Provisioned,
        Status::Active,
        Status::Recovery,
        Status::PasswordExpired,
        Status::LockedOut,
        Status::Suspended,
        Status::Deprovisioned,
    ];

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Status::Staged => "STAGED",
            Status::Provisioned => "PROVISIONED",
            Status::Active => "ACTIVE",
            Status::Recovery => "RECOVERY",
            Status::PasswordExpired => "PASSWORD_EXPIRED",
            Status::LockedOut => "LOCKED_OUT",
            Status::Suspended => "SUSPENDED",
            Status::Deprovisioned => "DEPROVISIONED",
        }
    }
}

/// A device-based block (`GET /users/{id}/blocks`).
#[derive(Debug, Clone)]
pub(crate) struct Block {
    pub applies_to: String,
}

/// An identity provider linked to the user (`GET /users/{id}/idps`), set through the admin API.
#[derive(Debug, Clone)]
pub(crate) struct IdpLink {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub created: i64,
}

/// A user. Its `Debug` leaves out the password and the recovery answer.
#[derive(Clone)]
pub(crate) struct User {
    /// Stable sort key (creation order); cursors are built from it.
    pub seq: u64,
    pub id: String,
    pub status: Status,
    pub created: i64,
    pub activated: Option<i64>,
    pub status_changed: Option<i64>,
    pub last_login: Option<i64>,
    pub last_updated: i64,
    pub password_changed: Option<i64>,
    pub type_id: String,
    /// Profile as given (custom attributes kept), in the client's key order.
    pub profile: Map<String, Value>,
    /// The password is kept only to check `oldPassword` and recovery flows; never rendered.
    pub password: Option<String>,
    pub recovery_question: Option<(String, String)>,
    /// `credentials.provider` (`OKTA`/`OKTA`, `FEDERATION`/`FEDERATION`, `SOCIAL`/..., `IMPORT`).
    pub provider_type: String,
    pub provider_name: String,
    pub blocks: Vec<Block>,
    pub idps: Vec<IdpLink>,
    /// How many times sessions were revoked, and whether OAuth tokens were included last time.
    pub sessions_revoked: u32,
    pub oauth_tokens_revoked: u32,
}

impl User {
    /// `profile.login` or "".
    pub(crate) fn login(&self) -> &str {
        self.profile
            .get("login")
            .and_then(Value::as_str)
            .unwrap_or("")
    }

    pub(crate) fn has_password(&self) -> bool {
        self.password.is_some()
    }

    /// Federated/social users have no Okta password and cannot use password flows.
    pub(crate) fn is_okta_sourced(&self) -> bool {
        self.provider_type == "OKTA" || self.provider_type == "IMPORT"
    }

    /// Sets a new status and the timestamps Okta moves with it.
    pub(crate) fn set_status(&mut self, status: Status, now: i64) {
        if self.status != status {
            self.status = status;
            self.status_changed = Some(now);
            self.last_updated = now;
        }
        if status == Status::Active && self.activated.is_none() {
            self.activated = Some(now);
        }
    }
}

impl std::fmt::Debug for User {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("User")
            .field("seq", &self.seq)
            .field("id", &self.id)
            .field("status", &self.status)
            .field("login", &self.login())
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .field(
                "recovery_question",
                &self
                    .recovery_question
                    .as_ref()
                    .map(|(q, _)| (q, "<redacted>")),
            )
            .finish_non_exhaustive()
    }
}
