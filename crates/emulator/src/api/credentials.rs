//! `/api/v1/users/{id}/credentials/*`: change password, change recovery question, forgot password.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::Response;
use serde_json::{Value, json};

use super::password::{PASSWORD_REQUIREMENTS, password_ok};
use crate::background::run_rules_later;
use crate::error::{self, ApiError, ApiResult};
use crate::http::{BaseUrl, Params, json_ok, parse_json};
use crate::render::Credentials;
use crate::state::Shared;
use crate::store::Status;
use crate::util::{now_secs, token};

fn str_at<'a>(v: &'a Value, a: &str, b: &str) -> Option<&'a str> {
    v.get(a).and_then(|x| x.get(b)).and_then(Value::as_str)
}

fn credentials_response(user: &crate::store::User) -> ApiResult<Response> {
    Ok(json_ok(&Credentials(user, false)))
}

/// `POST …/credentials/change_password?strict=`
pub(crate) async fn change_password(
    State(s): State<Arc<Shared>>,
    params: Params,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult<Response> {
    let body = parse_json(&body)?;
    let strict = params.flag("strict", false);
    let old = str_at(&body, "oldPassword", "value");
    let new = str_at(&body, "newPassword", "value");
    let now = now_secs();
    let mut org = s.org.write();
    let seq = org.find_user(&id)?;
    let u = org
        .user_mut(seq)
        .ok_or_else(|| ApiError::not_found(&id, "User"))?;
    if !u.has_password()
        || !u.is_okta_sourced()
        || !matches!(
            u.status,
            Status::Staged | Status::Active | Status::PasswordExpired | Status::Recovery
        )
    {
        return Err(ApiError::new(error::E0000035));
    }
    let Some(new) = new else {
        return Err(ApiError::validation(
            "newPassword",
            "The field cannot be left blank",
        ));
    };
    if old != u.password.as_deref() {
        return Err(
            ApiError::new(error::E0000014).cause("oldPassword: Old Password is not correct")
        );
    }
    if !password_ok(new, &u.profile) {
        return Err(
            ApiError::new(error::E0000080).cause(format!("password: {PASSWORD_REQUIREMENTS}"))
        );
    }
    if strict && Some(new) == u.password.as_deref() {
        return Err(
            ApiError::new(error::E0000080).cause("password: Password has been used too recently")
        );
    }
    u.password = Some(new.to_owned());
    u.password_changed = Some(now);
    u.last_updated = now;
    let old_status = u.status;
    if matches!(u.status, Status::Recovery | Status::PasswordExpired) {
        u.set_status(Status::Active, now);
    }
    org.user_credentials_changed(seq, "user.account.update_password");
    org.user_status_changed(seq, old_status);
    run_rules_later(&s, &org);
    respond(&org, seq, &id)
}

fn respond(org: &crate::store::Org, seq: u64, id: &str) -> ApiResult<Response> {
    let u = org
        .user(seq)
        .ok_or_else(|| ApiError::not_found(id, "User"))?;
    credentials_response(u)
}

/// `POST …/credentials/change_recovery_question`
pub(crate) async fn change_recovery_question(
    State(s): State<Arc<Shared>>,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult<Response> {
    let body = parse_json(&body)?;
    let pw = str_at(&body, "password", "value");
    let q = str_at(&body, "recovery_question", "question").unwrap_or("");
    let a = str_at(&body, "recovery_question", "answer").unwrap_or("");
    let now = now_secs();
    let mut org = s.org.write();
    let seq = org.find_user(&id)?;
    let u = org
        .user_mut(seq)
        .ok_or_else(|| ApiError::not_found(&id, "User"))?;
    if !u.has_password()
        || !u.is_okta_sourced()
        || !matches!(u.status, Status::Staged | Status::Active | Status::Recovery)
    {
        return Err(ApiError::new(error::E0000036));
    }
    if pw != u.password.as_deref() {
        return Err(ApiError::new(error::E0000014).cause("password: Invalid Password"));
    }
    if q.trim().is_empty() {
        return Err(ApiError::validation(
            "recovery_question",
            "The security question must be specified",
        ));
    }
    if a.chars().count() < 4 {
        return Err(ApiError::validation(
            "recovery_question",
            "The security question answer must be at least 4 characters in length",
        ));
    }
    u.recovery_question = Some((q.to_owned(), a.to_owned()));
    u.last_updated = now;
    // [unconfirmed] event type: Okta's catalog names no recovery-question event we could check.
    org.user_credentials_changed(seq, "user.account.update_recovery_question");
    respond(&org, seq, &id)
}

/// `POST …/credentials/forgot_password?sendEmail=`
pub(crate) async fn forgot_password(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    params: Params,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let send_email = params.flag("sendEmail", true);
    let org = s.org.read();
    let seq = org.find_user(&id)?;
    let u = org
        .user(seq)
        .ok_or_else(|| ApiError::not_found(&id, "User"))?;
    if u.status != Status::Active || !u.is_okta_sourced() {
        return Err(ApiError::new(error::E0000034));
    }
    Ok(json_ok(&if send_email {
        json!({})
    } else {
        json!({ "resetPasswordUrl": format!("{base}/signin/reset-password/dfp{}", token(17)) })
    }))
}

/// `POST …/credentials/forgot_password_recovery_question`: answer + new password.
pub(crate) async fn forgot_password_recovery_question(
    State(s): State<Arc<Shared>>,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult<Response> {
    let body = parse_json(&body)?;
    let new = str_at(&body, "password", "value");
    let answer = str_at(&body, "recovery_question", "answer").unwrap_or("");
    let now = now_secs();
    let mut org = s.org.write();
    let seq = org.find_user(&id)?;
    let u = org
        .user_mut(seq)
        .ok_or_else(|| ApiError::not_found(&id, "User"))?;
    if u.status != Status::Active || !u.is_okta_sourced() {
        return Err(ApiError::new(error::E0000034));
    }
    let Some((_, expected)) = &u.recovery_question else {
        return Err(ApiError::new(error::E0000034));
    };
    // Answers are compared case-insensitively (Okta RecoveryQuestionCredential).
    if expected.to_lowercase() != answer.to_lowercase() {
        return Err(ApiError::new(error::E0000087));
    }
    let Some(new) = new else {
        return Err(ApiError::validation(
            "password",
            "The field cannot be left blank",
        ));
    };
    if !password_ok(new, &u.profile) {
        return Err(
            ApiError::new(error::E0000080).cause(format!("password: {PASSWORD_REQUIREMENTS}"))
        );
    }
    u.password = Some(new.to_owned());
    u.password_changed = Some(now);
    u.last_updated = now;
    // The user sets a new password (self-service): logged as a password update [unconfirmed].
    org.user_credentials_changed(seq, "user.account.update_password");
    respond(&org, seq, &id)
}
