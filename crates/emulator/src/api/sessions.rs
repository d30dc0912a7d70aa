//! Sign-in sessions: primary authentication (`POST /api/v1/authn`) and the Sessions API
//! (`POST /api/v1/sessions`, `GET`/`DELETE /api/v1/sessions/{id}`,
//! `POST /api/v1/sessions/{id}/lifecycle/refresh`).
//!
//! As recorded from Okta (okta-sdk-python `test_sessions_it` cassettes):
//! - `/api/v1/authn` needs no API token. `{"username","password"}` of an ACTIVE user with that
//!   password → 200 `{"status":"SUCCESS","sessionToken","expiresAt" (+5 min),"_embedded.user"}`;
//!   an unknown user or a wrong password → 401 `E0000004` "Authentication failed". A
//!   PASSWORD_EXPIRED user gets `status: PASSWORD_EXPIRED` with a `stateToken` and no session
//!   token, a LOCKED_OUT user `status: LOCKED_OUT` (Okta's Authentication API documents both);
//!   users in other statuses can't sign in (401 `E0000004`). A success sets `lastLogin`.
//! - `POST /api/v1/sessions` `{"sessionToken"}` exchanges the token, once, for a session that
//!   lives 2 hours; a used, expired or unknown token → 401 `E0000004`; no body → 400 `E0000003`.
//! - The created session's links point at `/api/v1/sessions/me` (as Okta answers); a fetched
//!   one's at its id. Unknown or ended sessions → 404 `E0000007` `(AppSession)`. Refresh moves
//!   `expiresAt` 2 hours ahead. `DELETE /api/v1/users/{id}/sessions` ends the user's sessions.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::Response;
use serde_json::{Value, json};

use crate::error::{self, ApiError, ApiResult};
use crate::http::{BaseUrl, json_ok, no_content, parse_json};
use crate::state::Shared;
use crate::store::SignInSession;
use crate::store::{Org, Status, User};
use crate::util::{fmt_ts, now_secs, token};

/// Lifetime of a session token from `/api/v1/authn` (Okta: 5 minutes).
const SESSION_TOKEN_TTL_SECS: i64 = 5 * 60;
/// Lifetime of a session (Okta's default sign-on policy: 2 hours).
const SESSION_TTL_SECS: i64 = 2 * 3600;
/// The id of the org's Okta identity provider, shown in `session.idp`.
const OKTA_IDP_ID: &str = "00oemulatorokta00001";

/// 401 `E0000004`, as Okta answers bad credentials and bad session tokens.
fn auth_failed() -> ApiError {
    ApiError::new(error::E0000004)
}

fn embedded_user(u: &User) -> Value {
    let p = &u.profile;
    let text = |k: &str, default: &str| {
        p.get(k)
            .and_then(Value::as_str)
            .unwrap_or(default)
            .to_owned()
    };
    json!({
        "id": u.id,
        "passwordChanged": u.password_changed.map(fmt_ts),
        "profile": {
            "login": u.login(),
            "firstName": text("firstName", ""),
            "lastName": text("lastName", ""),
            "locale": text("locale", "en_US"),
            "timeZone": text("timeZone", "America/Los_Angeles"),
        },
    })
}

/// `POST /api/v1/authn` (primary authentication with username and password).
pub(crate) async fn authn(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    body: Bytes,
) -> ApiResult<Response> {
    let body = parse_json(&body)?;
    if !body.is_object() {
        return Err(ApiError::new(error::E0000003));
    }
    let field = |k: &str| body.get(k).and_then(Value::as_str).unwrap_or("");
    let (username, password) = (field("username"), field("password"));
    if username.is_empty() {
        return Err(ApiError::validation(
            "username",
            "The field cannot be left blank",
        ));
    }
    let now = now_secs();
    let mut org = s.org.write();
    let seq = org.user_seq(username).ok_or_else(auth_failed)?;
    let user = org.user_mut(seq).ok_or_else(auth_failed)?;
    if user.password.as_deref() != Some(password) || password.is_empty() {
        return Err(auth_failed());
    }
    let cancel = json!({"cancel": {"href": format!("{base}/api/v1/authn/cancel"), "hints": {"allow": ["POST"]}}});
    let expires = fmt_ts(now + SESSION_TOKEN_TTL_SECS);
    match user.status {
        Status::Active => {
            user.last_login = Some(now);
            let embedded = embedded_user(user);
            // `lastLogin` moved: the sign-in is in the System Log, the user as its target
            // [unconfirmed: Okta names the user as the actor of `user.session.start`].
            let uid = user.id.clone();
            org.user_credentials_changed(seq, "user.session.start");
            let session_token = format!("20111{}", token(52));
            org.session_tokens
                .0
                .insert(session_token.clone(), (uid, now + SESSION_TOKEN_TTL_SECS));
            Ok(json_ok(&json!({
                "expiresAt": expires,
                "status": "SUCCESS",
                "sessionToken": session_token,
                "_embedded": {"user": embedded},
                "_links": cancel,
            })))
        }
        Status::PasswordExpired => {
            let embedded = embedded_user(user);
            Ok(json_ok(&json!({
                "stateToken": format!("00{}", token(40)),
                "expiresAt": expires,
                "status": "PASSWORD_EXPIRED",
                "_embedded": {"user": embedded},
                "_links": {
                    "next": {"name": "changePassword", "href": format!("{base}/api/v1/authn/credentials/change_password"), "hints": {"allow": ["POST"]}},
                    "cancel": cancel["cancel"],
                },
            })))
        }
        Status::LockedOut => Ok(json_ok(&json!({
            "status": "LOCKED_OUT",
            "_links": {
                "next": {"name": "unlock", "href": format!("{base}/api/v1/authn/recovery/unlock"), "hints": {"allow": ["POST"]}},
            },
        }))),
        _ => Err(auth_failed()),
    }
}

fn session_json(org: &Org, sess: &SignInSession, base: &str, as_me: bool) -> Value {
    let user = org.user_seq(&sess.user_id).and_then(|s| org.user(s));
    let name = user
        .map(|u| {
            let p = |k: &str| u.profile.get(k).and_then(Value::as_str).unwrap_or("");
            format!("{} {}", p("firstName"), p("lastName"))
                .trim()
                .to_owned()
        })
        .unwrap_or_default();
    let mfa_active = org
        .factors
        .values()
        .any(|f| f.user_id == sess.user_id && f.status == crate::factors::FactorStatus::Active);
    let (me, user_href) = if as_me {
        (
            format!("{base}/api/v1/sessions/me"),
            format!("{base}/api/v1/users/me"),
        )
    } else {
        (
            format!("{base}/api/v1/sessions/{}", sess.id),
            format!("{base}/api/v1/users/{}", sess.user_id),
        )
    };
    json!({
        "id": sess.id,
        "userId": sess.user_id,
        "login": sess.login,
        "createdAt": fmt_ts(sess.created),
        "expiresAt": fmt_ts(sess.expires_at),
        "status": "ACTIVE",
        "lastPasswordVerification": fmt_ts(sess.created),
        "lastFactorVerification": null,
        "amr": ["pwd"],
        "idp": {"id": OKTA_IDP_ID, "type": "OKTA"},
        "mfaActive": mfa_active,
        "_links": {
            "self": {"href": me, "hints": {"allow": ["GET", "DELETE"]}},
            "refresh": {"href": format!("{me}/lifecycle/refresh"), "hints": {"allow": ["POST"]}},
            "user": {"name": name, "href": user_href, "hints": {"allow": ["GET"]}},
        },
    })
}

/// `POST /api/v1/sessions` `{"sessionToken"}` → the new session.
pub(crate) async fn create(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    body: Bytes,
) -> ApiResult<Response> {
    let body = parse_json(&body)?;
    if !body.is_object() {
        return Err(ApiError::new(error::E0000003));
    }
    let session_token = body
        .get("sessionToken")
        .and_then(Value::as_str)
        .unwrap_or("");
    let now = now_secs();
    let mut org = s.org.write();
    org.session_tokens.0.retain(|_, (_, exp)| *exp > now);
    let (uid, _) = org
        .session_tokens
        .0
        .remove(session_token)
        .ok_or_else(auth_failed)?;
    let login = org
        .user_seq(&uid)
        .and_then(|s| org.user(s))
        .filter(|u| u.status == Status::Active)
        .map(|u| u.login().to_owned())
        .ok_or_else(auth_failed)?;
    let sess = SignInSession {
        id: format!("102{}", token(22)),
        user_id: uid,
        login,
        created: now,
        expires_at: now + SESSION_TTL_SECS,
    };
    let out = session_json(&org, &sess, &base, true);
    org.sessions.insert(sess.id.clone(), sess);
    Ok(json_ok(&out))
}

fn live<'a>(org: &'a mut Org, id: &str, now: i64) -> ApiResult<&'a mut SignInSession> {
    org.sessions.retain(|_, s| s.expires_at > now);
    org.sessions
        .get_mut(id)
        .ok_or_else(|| ApiError::not_found(id, "AppSession"))
}

/// `GET /api/v1/sessions/{id}`
pub(crate) async fn get(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let mut org = s.org.write();
    let sess = live(&mut org, &id, now_secs())?.clone();
    Ok(json_ok(&session_json(&org, &sess, &base, false)))
}

/// `POST /api/v1/sessions/{id}/lifecycle/refresh` → the session, expiring 2 hours from now.
pub(crate) async fn refresh(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let now = now_secs();
    let mut org = s.org.write();
    let sess = live(&mut org, &id, now)?;
    sess.expires_at = now + SESSION_TTL_SECS;
    let sess = sess.clone();
    Ok(json_ok(&session_json(&org, &sess, &base, false)))
}

/// `DELETE /api/v1/sessions/{id}` → 204.
pub(crate) async fn revoke(
    State(s): State<Arc<Shared>>,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let mut org = s.org.write();
    live(&mut org, &id, now_secs())?;
    org.sessions.remove(&id);
    Ok(no_content())
}
