//! `/api/v1/users/{userId}/factors`: list, catalog, security questions, enroll (`activate`,
//! `updatePhone`, `templateId`, `tokenLifetimeSeconds`), get, activate, verify (push → 201
//! WAITING), push transactions, resend, unenroll; `lifecycle/reset_factors` removes them
//! ([`crate::store::Org::remove_factors`]). The flows are [`crate::factors::flow`]; errors are
//! [`FactorError::okta`]. Codes sent by SMS/call/email are read, and pushes answered, through
//! the admin API (`/__emulator/users/{id}/factors/{factorId}/code`, `/__emulator/users/{id}/push`).
//!
//! Emulator choices \[unconfirmed\]: `templateId` is accepted and ignored; unenrolling a push
//! factor doesn't cascade to the TOTP/signed_nonce factors real OIE enrolls with it (the
//! emulator enrolls push alone); a push activation's `poll` link is the transaction link.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Value, json};

use crate::error::{ApiError, ApiResult};
use crate::factors::flow::{self, FactorInput, FactorSecrets, FlowCtx, Outcome};
use crate::factors::lifecycle::challenge_json;
use crate::factors::{FactorError, FactorStatus, FactorView, catalog, factor_json, find_kind};
use crate::http::{BaseUrl, Params, json_ok, json_status, no_content, parse_json};
use crate::state::Shared;
use crate::store::Org;
use crate::store::StoredFactor;
use crate::util::now_secs;

/// `(user id, login)` of an existing user.
fn user(org: &Org, id: &str) -> ApiResult<(String, String)> {
    let seq = org
        .user_seq(id)
        .ok_or_else(|| ApiError::not_found(id, "User"))?;
    org.user(seq)
        .map(|u| (u.id.clone(), u.login().to_owned()))
        .ok_or_else(|| ApiError::not_found(id, "User"))
}

fn render(base: &str, f: &StoredFactor) -> Value {
    let mut v = factor_json(
        base,
        &f.user_id,
        &FactorView {
            id: &f.id,
            factor_type: f.kind.factor_type,
            provider: f.kind.provider,
            vendor_name: f.kind.vendor_name,
            status: &f.status,
            created: f.created,
            last_updated: f.last_updated,
            profile: f.profile.clone(),
            activation: if f.status == FactorStatus::PendingActivation {
                f.activation.clone()
            } else {
                None
            },
        },
    );
    if f.kind.factor_type == "token:software:totp"
        && f.status == FactorStatus::PendingActivation
        && let Some(a) = v.pointer_mut("/_embedded/activation")
    {
        a["_links"] = json!({"qrcode": {"href": format!("{base}/api/v1/users/{}/factors/{}/qr/{}", f.user_id, f.id, f.id), "type": "image/png"}});
    }
    v
}

/// `GET /api/v1/users/{userId}/factors`
pub(crate) async fn list(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    Path(uid): Path<String>,
) -> ApiResult<Response> {
    let org = s.org.read();
    let (uid, _) = user(&org, &uid)?;
    let rows: Vec<Value> = org
        .factors
        .values()
        .filter(|f| f.user_id == uid)
        .map(|f| render(&base, f))
        .collect();
    Ok(json_ok(&rows))
}

/// `GET /api/v1/users/{userId}/factors/catalog`
pub(crate) async fn catalog(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    Path(uid): Path<String>,
) -> ApiResult<Response> {
    let org = s.org.read();
    let (uid, _) = user(&org, &uid)?;
    let enrolled: Vec<(&str, &str, &str)> = org
        .factors
        .values()
        .filter(|f| f.user_id == uid)
        .map(|f| (f.kind.factor_type, f.kind.provider, f.status.as_str()))
        .collect();
    Ok(json_ok(&catalog::catalog_json(&base, &uid, &enrolled)))
}

/// `GET /api/v1/users/{userId}/factors/questions`
pub(crate) async fn questions(
    State(s): State<Arc<Shared>>,
    Path(uid): Path<String>,
) -> ApiResult<Response> {
    let org = s.org.read();
    user(&org, &uid)?;
    Ok(json_ok(&catalog::questions_json()))
}

/// `POST /api/v1/users/{userId}/factors?activate=&updatePhone=&templateId=&tokenLifetimeSeconds=`
pub(crate) async fn enroll(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    params: Params,
    Path(uid): Path<String>,
    body: Bytes,
) -> ApiResult<Response> {
    let body = parse_json(&body)?;
    let factor_type = body
        .get("factorType")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let provider = body.get("provider").and_then(Value::as_str);
    let kind = *find_kind(factor_type, provider)
        .ok_or_else(|| ApiError::from_factor(&FactorError::UnsupportedFactor))?;
    let lifetime = match params.get("tokenLifetimeSeconds") {
        None | Some("") => None,
        Some(v) => Some(v.parse::<i64>().map_err(|_| {
            ApiError::from_factor(&FactorError::InvalidField("tokenLifetimeSeconds"))
        })?),
    };
    let activate = params.flag("activate", false);
    let update_phone = params.flag("updatePhone", false);
    let now = now_secs();
    let mut org = s.org.write();
    let (uid, login) = user(&org, &uid)?;
    if update_phone && factor_type == "sms" {
        // Replaces a phone not used by an ACTIVE factor.
        org.factors.retain(|_, f| {
            !(f.user_id == uid && f.kind.factor_type == "sms" && f.status != FactorStatus::Active)
        });
    }
    let enrolled: Vec<(&str, &str)> = org
        .factors
        .values()
        .filter(|f| f.user_id == uid)
        .map(|f| (f.kind.factor_type, f.kind.provider))
        .collect();
    crate::factors::check_not_enrolled(&kind, &enrolled).map_err(|e| ApiError::from_factor(&e))?;
    let profile = body.get("profile").cloned().unwrap_or(Value::Null);
    let e = flow::enroll(
        &kind,
        &profile,
        lifetime,
        activate,
        &login,
        &mut org.factor_limits,
        now,
    )
    .map_err(|e| ApiError::from_factor(&e))?;
    let activation = match &e.secrets {
        FactorSecrets::Totp { secret, .. } => Some(secret.activation_json()),
        FactorSecrets::Push { .. } => Some(json!({
            "expiresAt": crate::factors::lifecycle::okta_date(now + crate::factors::lifecycle::PUSH_TTL_SECS),
            "factorResult": "WAITING",
        })),
        _ => None,
    };
    let prefix = kind.id_prefix;
    let (seq, id) = org.next_id(prefix);
    let f = StoredFactor {
        id,
        user_id: uid.clone(),
        kind,
        status: e.status,
        created: now,
        last_updated: now,
        profile: e.profile,
        secrets: e.secrets,
        activation,
    };
    let out = render(&base, &f);
    org.factors.insert(seq, f);
    Ok(json_ok(&out))
}

/// `GET /api/v1/users/{userId}/factors/{factorId}`
pub(crate) async fn get(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    Path((uid, fid)): Path<(String, String)>,
) -> ApiResult<Response> {
    let org = s.org.read();
    let (uid, _) = user(&org, &uid)?;
    let seq = org.find_factor(&uid, &fid)?;
    org.factors
        .get(&seq)
        .map(|f| json_ok(&render(&base, f)))
        .ok_or_else(|| ApiError::not_found(&fid, "UserFactor"))
}

/// `DELETE /api/v1/users/{userId}/factors/{factorId}` → 204.
pub(crate) async fn unenroll(
    State(s): State<Arc<Shared>>,
    Path((uid, fid)): Path<(String, String)>,
) -> ApiResult<Response> {
    let mut org = s.org.write();
    let (uid, _) = user(&org, &uid)?;
    let seq = org.find_factor(&uid, &fid)?;
    org.remove_factor(seq);
    Ok(no_content())
}

fn input(body: &Value) -> FactorInput<'_> {
    let s = |k: &str| body.get(k).and_then(Value::as_str);
    FactorInput {
        pass_code: s("passCode"),
        answer: s("answer"),
        client_data: s("clientData"),
        signature_data: s("signatureData"),
        attestation: s("registrationData").or_else(|| s("attestation")),
        number_matching: body
            .get("useNumberMatchingChallenge")
            .and_then(Value::as_bool)
            .unwrap_or(false),
    }
}

/// Runs `op` on the factor with the org's limits and push table.
fn with_factor<T>(
    org: &mut Org,
    uid: &str,
    fid: &str,
    op: impl FnOnce(&mut StoredFactor, &mut FlowCtx<'_>) -> Result<T, FactorError>,
) -> ApiResult<T> {
    let seq = org.find_factor(uid, fid)?;
    let org = &mut *org;
    let Some(f) = org.factors.get_mut(&seq) else {
        return Err(ApiError::not_found(fid, "UserFactor"));
    };
    let mut ctx = FlowCtx {
        user_id: uid,
        factor_id: fid,
        limits: &mut org.factor_limits,
        pushes: &mut org.pushes,
        now: now_secs(),
    };
    op(f, &mut ctx).map_err(|e| ApiError::from_factor(&e))
}

/// `POST /api/v1/users/{userId}/factors/{factorId}/lifecycle/activate`
pub(crate) async fn activate(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    Path((uid, fid)): Path<(String, String)>,
    body: Bytes,
) -> ApiResult<Response> {
    let body = parse_json(&body)?;
    let mut org = s.org.write();
    let (uid, login) = user(&org, &uid)?;
    let now = now_secs();
    let outcome = with_factor(&mut org, &uid, &fid, |f, ctx| {
        let kind = f.kind;
        let status = f.status.clone();
        let o = flow::activate(&kind, &status, &mut f.secrets, &input(&body), ctx)?;
        if o == Outcome::Success {
            f.status = status.activate()?;
            f.last_updated = ctx.now;
        }
        Ok(o)
    })?;
    match outcome {
        Outcome::Waiting(tx) => Ok(json_ok(&tx.poll_json(&base, &login, now))),
        Outcome::Timeout => {
            let href = crate::factors::lifecycle::factor_href(&base, &uid, &fid);
            Ok(json_ok(&json!({
                "factorResult": "TIMEOUT",
                "_links": {"activate": {"href": format!("{href}/lifecycle/activate"), "hints": {"allow": ["POST"]}}}
            })))
        }
        _ => {
            let seq = org.find_factor(&uid, &fid)?;
            let f = org
                .factors
                .get(&seq)
                .ok_or_else(|| ApiError::not_found(&fid, "UserFactor"))?;
            Ok(json_ok(&render(&base, f)))
        }
    }
}

/// `POST /api/v1/users/{userId}/factors/{factorId}/verify?tokenLifetimeSeconds=` (the
/// lifetime applies to the email code this call sends; `templateId` is ignored).
pub(crate) async fn verify(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    params: Params,
    Path((uid, fid)): Path<(String, String)>,
    body: Bytes,
) -> ApiResult<Response> {
    let body = parse_json(&body)?;
    let lifetime = match params.get("tokenLifetimeSeconds") {
        None | Some("") => None,
        Some(v) => {
            let n = v.parse::<i64>().map_err(|_| {
                ApiError::from_factor(&FactorError::InvalidField("tokenLifetimeSeconds"))
            })?;
            Some(crate::factors::token_lifetime(Some(n)).map_err(|e| ApiError::from_factor(&e))?)
        }
    };
    let mut org = s.org.write();
    let (uid, login) = user(&org, &uid)?;
    let now = now_secs();
    let (outcome, profile, ftype) = with_factor(&mut org, &uid, &fid, |f, ctx| {
        if let (Some(l), FactorSecrets::Sent { ttl_secs, .. }) = (lifetime, &mut f.secrets)
            && f.kind.factor_type == "email"
        {
            *ttl_secs = l;
        }
        let status = f.status.clone();
        let o = flow::verify(&status, &mut f.secrets, &input(&body), ctx)?;
        Ok((o, f.profile.clone(), f.kind.factor_type))
    })?;
    match outcome {
        Outcome::Success => Ok(json_ok(&json!({"factorResult": "SUCCESS"}))),
        Outcome::Challenge { nonce } => {
            let p = match (ftype, nonce) {
                ("sms" | "call", _) => Some(profile),
                (_, Some(n)) => Some(json!({"nonce": n})),
                _ => None,
            };
            Ok(json_ok(&challenge_json(&base, &uid, &fid, p)))
        }
        Outcome::Waiting(tx) => Ok(json_status(
            StatusCode::CREATED,
            &tx.poll_json(&base, &login, now),
        )),
        Outcome::Timeout => Ok(json_ok(&json!({"factorResult": "TIMEOUT"}))),
    }
}

/// `GET /api/v1/users/{userId}/factors/{factorId}/transactions/{transactionId}`
pub(crate) async fn transaction(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    Path((uid, fid, tx)): Path<(String, String, String)>,
) -> ApiResult<Response> {
    let org = s.org.read();
    let (uid, login) = user(&org, &uid)?;
    org.find_factor(&uid, &fid)?;
    org.pushes
        .get(&uid, &fid, &tx)
        .map(|t| json_ok(&t.poll_json(&base, &login, now_secs())))
        .ok_or_else(|| ApiError::not_found(&tx, "PushTransaction"))
}

/// `POST /api/v1/users/{userId}/factors/{factorId}/resend` → 200 factor.
pub(crate) async fn resend(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    Path((uid, fid)): Path<(String, String)>,
) -> ApiResult<Response> {
    let mut org = s.org.write();
    let (uid, _) = user(&org, &uid)?;
    with_factor(&mut org, &uid, &fid, |f, ctx| {
        let status = f.status.clone();
        flow::resend(&status, &mut f.secrets, ctx)
    })?;
    let seq = org.find_factor(&uid, &fid)?;
    let f = org
        .factors
        .get(&seq)
        .ok_or_else(|| ApiError::not_found(&fid, "UserFactor"))?;
    Ok(json_ok(&render(&base, f)))
}
