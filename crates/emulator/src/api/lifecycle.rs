//! `/api/v1/users/{id}/lifecycle/*`: Okta's user state machine.
//!
//! | op | allowed from | to | wrong state |
//! |---|---|---|---|
//! | activate | STAGED, DEPROVISIONED | ACTIVE (password/federated) else PROVISIONED | ACTIVE-like: 403 E0000016; others 403 E0000038 |
//! | reactivate | PROVISIONED, RECOVERY | PROVISIONED | 403 E0000038 |
//! | deactivate | any but DEPROVISIONED | DEPROVISIONED | 403 E0000038 [unconfirmed; choice] |
//! | suspend | ACTIVE, PASSWORD_EXPIRED (Okta shows the link there too) | SUSPENDED | 400 E0000001 |
//! | unsuspend | SUSPENDED | ACTIVE | 400 E0000001 |
//! | unlock | LOCKED_OUT | ACTIVE | 403 E0000032 "The user is not locked out." (recorded) |
//! | expire_password(_with_temp_password) | ACTIVE, RECOVERY, PASSWORD_EXPIRED, LOCKED_OUT with a password | PASSWORD_EXPIRED | 403 E0000038 |
//! | reset_password | ACTIVE, RECOVERY, PASSWORD_EXPIRED, LOCKED_OUT, PROVISIONED | RECOVERY | 403 E0000038 |
//! | reset_factors | any but DEPROVISIONED | unchanged | 403 E0000038 |
//!
//! Transitions are applied synchronously (no `transitioningToStatus` window); see docs.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::response::Response;
use serde_json::json;

use crate::background::run_rules_later;
use crate::error::{self, ApiError, ApiResult};
use crate::http::{BaseUrl, Params, json_ok};
use crate::render::{UserLinks, UserView};
use crate::state::Shared;
use crate::store::Status;
use crate::util::{now_secs, token};

fn wrong_state() -> ApiError {
    ApiError::new(error::E0000038)
}

/// Runs `f` on the user under the write lock, applies what follows from a status change (see
/// [`crate::store::Org::user_status_changed`]) and returns `f`'s JSON result.
fn with_user<F>(s: &Arc<Shared>, id: &str, f: F) -> ApiResult<Response>
where
    F: FnOnce(&mut crate::store::User, i64) -> ApiResult<serde_json::Value>,
{
    with_user_logged(s, id, None, f)
}

/// [`with_user`] that also logs `event` (a credential event) about the user when `f` succeeds.
fn with_user_logged<F>(
    s: &Arc<Shared>,
    id: &str,
    event: Option<&'static str>,
    f: F,
) -> ApiResult<Response>
where
    F: FnOnce(&mut crate::store::User, i64) -> ApiResult<serde_json::Value>,
{
    let now = now_secs();
    let mut org = s.org.write();
    let seq = org.find_user(id)?;
    let user = org
        .user_mut(seq)
        .ok_or_else(|| ApiError::not_found(id, "User"))?;
    let old = user.status;
    let v = f(user, now)?;
    if let Some(event) = event {
        org.user_credentials_changed(seq, event);
    }
    org.user_status_changed(seq, old);
    run_rules_later(s, &org);
    Ok(json_ok(&v))
}

fn activation_body(base: &str) -> serde_json::Value {
    let t = token(20);
    json!({ "activationUrl": format!("{base}/welcome/{t}"), "activationToken": t })
}

/// `POST …/lifecycle/activate?sendEmail=`
pub(crate) async fn activate(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    params: Params,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let send_email = params.flag("sendEmail", true);
    with_user(&s, &id, |u, now| {
        match u.status {
            Status::Staged | Status::Deprovisioned => {}
            Status::Active | Status::PasswordExpired | Status::LockedOut | Status::Recovery => {
                return Err(ApiError::new(error::E0000016));
            }
            _ => return Err(wrong_state()),
        }
        let can_sign_in = u.has_password() || !u.is_okta_sourced();
        u.set_status(
            if can_sign_in {
                Status::Active
            } else {
                Status::Provisioned
            },
            now,
        );
        Ok(if send_email {
            json!({})
        } else {
            activation_body(&base)
        })
    })
}

/// `POST …/lifecycle/reactivate?sendEmail=`
pub(crate) async fn reactivate(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    params: Params,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let send_email = params.flag("sendEmail", true);
    with_user(&s, &id, |u, now| {
        if !matches!(u.status, Status::Provisioned | Status::Recovery) {
            return Err(wrong_state());
        }
        u.set_status(Status::Provisioned, now);
        Ok(if send_email {
            json!({})
        } else {
            activation_body(&base)
        })
    })
}

/// `POST …/lifecycle/deactivate`
pub(crate) async fn deactivate(
    State(s): State<Arc<Shared>>,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    with_user(&s, &id, |u, now| {
        if u.status == Status::Deprovisioned {
            return Err(wrong_state());
        }
        u.set_status(Status::Deprovisioned, now);
        Ok(json!({}))
    })
}

/// `POST …/lifecycle/suspend`
pub(crate) async fn suspend(
    State(s): State<Arc<Shared>>,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    with_user(&s, &id, |u, now| {
        if !matches!(u.status, Status::Active | Status::PasswordExpired) {
            return Err(ApiError::with_detail(error::E0000001, "status")
                .cause("Cannot suspend a user that is not active"));
        }
        u.set_status(Status::Suspended, now);
        Ok(json!({}))
    })
}

/// `POST …/lifecycle/unsuspend`
pub(crate) async fn unsuspend(
    State(s): State<Arc<Shared>>,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    with_user(&s, &id, |u, now| {
        if u.status != Status::Suspended {
            return Err(ApiError::with_detail(error::E0000001, "status")
                .cause("Cannot unsuspend a user that is not suspended"));
        }
        u.set_status(Status::Active, now);
        Ok(json!({}))
    })
}

/// `POST …/lifecycle/unlock`
pub(crate) async fn unlock(
    State(s): State<Arc<Shared>>,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    with_user(&s, &id, |u, now| {
        if u.status != Status::LockedOut {
            return Err(ApiError::new(error::E0000032).cause("The user is not locked out."));
        }
        u.set_status(Status::Active, now);
        Ok(json!({}))
    })
}

fn can_expire(u: &crate::store::User) -> bool {
    u.has_password()
        && u.is_okta_sourced()
        && matches!(
            u.status,
            Status::Active | Status::Recovery | Status::PasswordExpired | Status::LockedOut
        )
}

/// `POST …/lifecycle/expire_password` → the user object.
pub(crate) async fn expire_password(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    params: Params,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    // Legacy `?tempPassword=true` returned `{"tempPassword": …}` (HAR user-expire-password).
    let legacy_temp = params.flag("tempPassword", false);
    let now = now_secs();
    let mut org = s.org.write();
    let seq = org.find_user(&id)?;
    let user = org
        .user_mut(seq)
        .ok_or_else(|| ApiError::not_found(&id, "User"))?;
    if !can_expire(user) {
        return Err(wrong_state());
    }
    let old = user.status;
    user.set_status(Status::PasswordExpired, now);
    // A password that was already expired still moves `lastUpdated`: the call is logged as a
    // change [unconfirmed].
    user.last_updated = now;
    let temp = legacy_temp.then(|| token(8));
    if let Some(temp) = &temp {
        user.password = Some(temp.clone());
        user.password_changed = Some(now);
    }
    org.user_credentials_changed(seq, "user.account.expire_password");
    org.user_status_changed(seq, old);
    if let Some(temp) = temp {
        return Ok(json_ok(&json!({ "tempPassword": temp })));
    }
    let user = org
        .user(seq)
        .ok_or_else(|| ApiError::not_found(&id, "User"))?;
    Ok(json_ok(&UserView {
        user,
        base: &base,
        links: UserLinks::Full,
    }))
}

/// `POST …/lifecycle/expire_password_with_temp_password` → `{"tempPassword": …}`.
pub(crate) async fn expire_password_with_temp(
    State(s): State<Arc<Shared>>,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    with_user_logged(&s, &id, Some("user.account.expire_password"), |u, now| {
        if !can_expire(u) {
            return Err(wrong_state());
        }
        let temp = token(12);
        u.password = Some(temp.clone());
        u.password_changed = Some(now);
        u.last_updated = now;
        u.set_status(Status::PasswordExpired, now);
        Ok(json!({ "tempPassword": temp }))
    })
}

/// `POST …/lifecycle/reset_password?sendEmail=`
pub(crate) async fn reset_password(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    params: Params,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let send_email = params.flag("sendEmail", true);
    with_user_logged(&s, &id, Some("user.account.reset_password"), |u, now| {
        if !u.is_okta_sourced()
            || !matches!(
                u.status,
                Status::Active
                    | Status::Recovery
                    | Status::PasswordExpired
                    | Status::LockedOut
                    | Status::Provisioned
            )
        {
            return Err(wrong_state());
        }
        u.set_status(Status::Recovery, now);
        u.last_updated = now;
        Ok(if send_email {
            json!({})
        } else {
            json!({ "resetPasswordUrl": format!("{base}/reset_password/drp{}", token(17)) })
        })
    })
}

/// `POST …/lifecycle/reset_factors`
pub(crate) async fn reset_factors(
    State(s): State<Arc<Shared>>,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let mut org = s.org.write();
    let seq = org.find_user(&id)?;
    let user = org
        .user(seq)
        .ok_or_else(|| ApiError::not_found(&id, "User"))?;
    if user.status == Status::Deprovisioned {
        return Err(wrong_state());
    }
    let uid = user.id.clone();
    if org.remove_factors(&uid) > 0
        && let Some(u) = org.user_mut(seq)
    {
        u.last_updated = now_secs();
        org.user_credentials_changed(seq, "user.mfa.factor.reset_all");
    }
    Ok(json_ok(&json!({})))
}
