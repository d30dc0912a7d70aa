//! The emulator's admin API under `/__emulator/` (no authentication, never rate limited or
//! faulted, not written to the request log).
//!
//! | Method and path | What it does |
//! |---|---|
//! | `GET /__emulator/health` | `{"ok":true}` |
//! | `GET /__emulator/state` | counts: users by status, groups by type, apps, memberships; config |
//! | `POST /__emulator/reset` | back to the start: org regenerated from the start config, log, limits and faults reset |
//! | `POST /__emulator/seed` | body `{"users":N,"groups":G,"seed":S}`: replace the org by a generated one |
//! | `GET/PUT/DELETE /__emulator/faults` | read / set (`{"spec":"error=0.1"}`) / clear faults |
//! | `GET/PUT /__emulator/ratelimit` | read / set (`{"mode":"okta"|"off"|N,"window":"10s"}`) rate limiting; PUT clears counters |
//! | `GET /__emulator/requests?since=SEQ&limit=N` | request log, oldest first (`{"requests":[…],"lastSeq":…}`) |
//! | `DELETE /__emulator/requests` | clear the request log |
//! | `GET /__emulator/users/{idOrLogin}` | internal view of a user (factors, blocks, IdPs, sessions revoked) |
//! | `POST /__emulator/users/{id}/lockout` | put an ACTIVE user in LOCKED_OUT (as failed sign-ins would) |
//! | `POST /__emulator/users/{id}/blocks` | body `{"appliesTo":"ANY_DEVICES"|"UNKNOWN_DEVICES"}`: add a device block |
//! | `POST /__emulator/users/{id}/idps` | body `{"name":…, "type":"OIDC"|"SAML2"|…}`: link an IdP |
//! | `PUT /__emulator/users/{id}/factors` | body `{"count":N}`: the user's factors become N ACTIVE ones (security question, email, SMS, call: at most 4) |
//! | `POST /__emulator/users/{id}/login` | record a sign-in (`lastLogin` = now) |
//! | `POST /__emulator/groups` | body `{"type":"APP_GROUP","profile":{…},"sourceAppId":…}`: create any group type |
//! | `POST /__emulator/churn` | body `{"changes":N,"seed":S}`: N random changes (see `crate::churn`) → `{"seed":S,"changes":[{"kind","user_id"?,"group_id"?}]}` |
//!
//! Grants, tokens, factor codes, pushes, Aerial accounts and group-rule runs are in [`access`].

mod access;

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use serde_json::{Value, json};

use crate::error::{self, ApiError, ApiResult};
use crate::faults::FaultSpec;
use crate::http::{Params, json_ok, parse_json};
use crate::ratelimit::{RateLimitMode, parse_duration};
use crate::state::Shared;
use crate::store::{Block, GroupType, IdpLink, Status};
use crate::util::{fmt_ts, now_secs};

pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route(
            "/__emulator/health",
            get(|| async { json_ok(&json!({ "ok": true })) }),
        )
        .route("/__emulator/state", get(state))
        .route("/__emulator/reset", post(reset))
        .route("/__emulator/seed", post(seed))
        .route(
            "/__emulator/faults",
            get(get_faults).put(set_faults).delete(clear_faults),
        )
        .route(
            "/__emulator/ratelimit",
            get(get_ratelimit).put(set_ratelimit),
        )
        .route("/__emulator/requests", get(requests).delete(clear_requests))
        .route("/__emulator/users/{id}", get(user))
        .route("/__emulator/users/{id}/lockout", post(lockout))
        .route("/__emulator/users/{id}/blocks", post(add_block))
        .route("/__emulator/users/{id}/idps", post(add_idp))
        .route("/__emulator/users/{id}/factors", put(set_factors))
        .route("/__emulator/users/{id}/login", post(record_login))
        .route("/__emulator/groups", post(create_group))
        .route("/__emulator/churn", post(churn))
        .merge(access::routes())
}

fn bad(msg: impl Into<String>) -> ApiError {
    ApiError::with_detail(error::E0000001, "admin").cause(msg)
}

async fn state(State(s): State<Arc<Shared>>) -> Response {
    let org = s.org.read();
    let mut by_status = serde_json::Map::new();
    for st in Status::ALL {
        by_status.insert(st.as_str().into(), json!(0));
    }
    for u in org.users.values() {
        if let Some(n) = by_status.get_mut(u.status.as_str()) {
            *n = json!(n.as_u64().unwrap_or(0) + 1);
        }
    }
    let mut by_type = serde_json::Map::new();
    for g in org.groups.values() {
        let e = by_type.entry(g.kind.as_str()).or_insert(json!(0));
        *e = json!(e.as_u64().unwrap_or(0) + 1);
    }
    let memberships: usize = org.members.values().map(|m| m.len()).sum();
    let (mode, window) = s.limiter.mode();
    json_ok(&json!({
        "users": { "total": org.users.len(), "byStatus": by_status },
        "groups": { "total": org.groups.len(), "byType": by_type },
        "apps": { "total": org.apps.len() },
        "memberships": memberships,
        "config": {
            "users": s.config.users, "groups": s.config.groups, "seed": s.config.seed,
            "rateLimit": mode_str(&mode), "rateLimitWindowSeconds": window.as_secs_f64(),
            "faults": s.faults.get().to_string(),
            "consistencyLagSeconds": s.config.consistency_lag.as_secs_f64(),
            "churnPerMinute": s.config.churn_per_minute,
        },
        "requestLog": { "lastSeq": s.log.last_seq() },
    }))
}

fn mode_str(m: &RateLimitMode) -> String {
    match m {
        RateLimitMode::Okta => "okta".into(),
        RateLimitMode::Off => "off".into(),
        RateLimitMode::PerWindow(n) => n.to_string(),
    }
}

/// Generates an org off the async workers and swaps it in; the old org is dropped after the
/// write lock is released.
pub(crate) async fn generate_org(users: usize, groups: usize, seed: u64) -> crate::store::Org {
    match tokio::task::spawn_blocking(move || crate::synth::generate(users, groups, seed)).await {
        Ok(org) => org,
        // The generator does not panic; if it ever did, fall back to an empty org.
        Err(_) => crate::store::Org::new(seed, crate::util::now_secs()),
    }
}

fn install(s: &Shared, mut org: crate::store::Org) {
    org.set_consistency_lag(s.config.consistency_lag);
    let old = std::mem::replace(&mut *s.org.write(), org);
    drop(old);
}

async fn reset(State(s): State<Arc<Shared>>) -> Response {
    let org = generate_org(s.config.users, s.config.groups, s.config.seed).await;
    install(&s, org);
    s.log.clear();
    s.limiter
        .reconfigure(s.config.rate_limit.clone(), s.config.rate_limit_window);
    s.faults.set(s.config.faults.clone());
    json_ok(&json!({ "reset": true }))
}

async fn seed(State(s): State<Arc<Shared>>, body: Bytes) -> ApiResult<Response> {
    let v = parse_json(&body)?;
    let n = |k: &str, d: u64| v.get(k).and_then(Value::as_u64).unwrap_or(d);
    let users = n("users", s.config.users as u64) as usize;
    let groups = n("groups", s.config.groups as u64) as usize;
    if users > 2_000_000 || groups > 100_000 {
        return Err(bad("at most 2,000,000 users and 100,000 groups"));
    }
    let seed = n("seed", s.config.seed);
    let started = std::time::Instant::now();
    let org = generate_org(users, groups, seed).await;
    install(&s, org);
    Ok(json_ok(
        &json!({ "users": users, "groups": groups, "seed": seed, "millis": started.elapsed().as_millis() as u64 }),
    ))
}

/// `POST /__emulator/churn` `{"changes": N (1..=10000), "seed": S (optional)}`.
async fn churn(State(s): State<Arc<Shared>>, body: Bytes) -> ApiResult<Response> {
    let v = parse_json(&body)?;
    if !v.is_object() {
        return Err(ApiError::validation(
            "changes",
            "the body must be an object like {\"changes\": 100, \"seed\": 1}",
        ));
    }
    let max = crate::churn::MAX_CHANGES;
    let changes = v
        .get("changes")
        .and_then(Value::as_u64)
        .filter(|n| (1..=max).contains(n))
        .ok_or_else(|| {
            ApiError::validation("changes", &format!("must be an integer from 1 to {max}"))
        })?;
    let seed = match v.get("seed") {
        None | Some(Value::Null) => crate::util::mix(crate::store::now_ms().unsigned_abs()),
        Some(x) => x
            .as_u64()
            .ok_or_else(|| ApiError::validation("seed", "must be a non-negative integer"))?,
    };
    let mut org = s.org.write();
    let made = org.churn(changes as usize, seed);
    crate::background::run_rules_later(&s, &org);
    drop(org);
    let made: Vec<Value> = made.iter().map(crate::churn::Change::to_json).collect();
    Ok(json_ok(&json!({ "seed": seed, "changes": made })))
}

fn faults_json(spec: &FaultSpec) -> Response {
    json_ok(&json!({ "spec": spec.to_string() }))
}

async fn get_faults(State(s): State<Arc<Shared>>) -> Response {
    faults_json(&s.faults.get())
}

async fn set_faults(State(s): State<Arc<Shared>>, body: Bytes) -> ApiResult<Response> {
    let text = match parse_json(&body) {
        Ok(Value::Object(o)) => o
            .get("spec")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned(),
        Ok(Value::String(t)) => t,
        _ => String::from_utf8_lossy(&body).trim().to_owned(),
    };
    let spec: FaultSpec = text.parse().map_err(bad)?;
    s.faults.set(spec.clone());
    Ok(faults_json(&spec))
}

async fn clear_faults(State(s): State<Arc<Shared>>) -> Response {
    s.faults.set(FaultSpec::default());
    faults_json(&FaultSpec::default())
}

async fn get_ratelimit(State(s): State<Arc<Shared>>) -> Response {
    let (mode, window) = s.limiter.mode();
    json_ok(&json!({ "mode": mode_str(&mode), "windowSeconds": window.as_secs_f64() }))
}

async fn set_ratelimit(State(s): State<Arc<Shared>>, body: Bytes) -> ApiResult<Response> {
    let v = parse_json(&body)?;
    let (cur_mode, cur_window) = s.limiter.mode();
    let mode = match v.get("mode") {
        None => cur_mode,
        Some(Value::Number(n)) => n.to_string().parse().map_err(bad)?,
        Some(Value::String(m)) => m.parse().map_err(bad)?,
        Some(_) => return Err(bad("mode must be \"okta\", \"off\" or a number")),
    };
    let window = match v.get("window").and_then(Value::as_str) {
        None => cur_window,
        Some(w) => parse_duration(w).map_err(bad)?,
    };
    if window.is_zero() {
        return Err(bad("window must be longer than zero"));
    }
    s.limiter.reconfigure(mode, window);
    Ok(get_ratelimit(State(s)).await)
}

async fn requests(State(s): State<Arc<Shared>>, params: Params) -> Response {
    let since = params
        .get("since")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let limit = params
        .get("limit")
        .and_then(|v| v.parse().ok())
        .unwrap_or(usize::MAX);
    json_ok(&json!({ "requests": s.log.list(since, limit), "lastSeq": s.log.last_seq() }))
}

async fn clear_requests(State(s): State<Arc<Shared>>) -> Response {
    s.log.clear();
    StatusCode::NO_CONTENT.into_response()
}

fn with_user<T>(
    s: &Shared,
    id: &str,
    f: impl FnOnce(&mut crate::store::User, i64) -> ApiResult<T>,
) -> ApiResult<T> {
    let mut org = s.org.write();
    let seq = org.find_user(id)?;
    let u = org
        .user_mut(seq)
        .ok_or_else(|| ApiError::not_found(id, "User"))?;
    let old = u.status;
    let out = f(u, now_secs())?;
    org.user_status_changed(seq, old);
    Ok(out)
}

async fn user(State(s): State<Arc<Shared>>, Path(id): Path<String>) -> ApiResult<Response> {
    let org = s.org.read();
    let seq = org.find_user(&id)?;
    let u = org
        .user(seq)
        .ok_or_else(|| ApiError::not_found(&id, "User"))?;
    Ok(json_ok(&json!({
        "id": u.id, "seq": u.seq, "status": u.status.as_str(), "login": u.login(),
        "hasPassword": u.has_password(), "recoveryQuestion": u.recovery_question.as_ref().map(|(q, _)| q),
        "provider": { "type": u.provider_type, "name": u.provider_name },
        "factors": org.factor_count(&u.id), "blocks": crate::render::blocks_json(u),
        "idps": u.idps.iter().map(|i| json!({"id": i.id, "name": i.name, "type": i.kind})).collect::<Vec<_>>(),
        "sessionsRevoked": u.sessions_revoked, "sessions": org.live_session_count(&u.id, now_secs()), "oauthTokensRevoked": u.oauth_tokens_revoked,
        "groups": org.groups_of(seq).iter().filter_map(|g| org.groups.get(g)).map(|g| g.id.clone()).collect::<Vec<_>>(),
        "lastLogin": u.last_login.map(fmt_ts),
    })))
}

async fn lockout(State(s): State<Arc<Shared>>, Path(id): Path<String>) -> ApiResult<Response> {
    with_user(&s, &id, |u, now| {
        if u.status != Status::Active {
            return Err(bad(format!(
                "only ACTIVE users can be locked out; this one is {}",
                u.status.as_str()
            )));
        }
        u.set_status(Status::LockedOut, now);
        Ok(json_ok(&json!({ "status": "LOCKED_OUT" })))
    })
}

async fn add_block(
    State(s): State<Arc<Shared>>,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult<Response> {
    let v = parse_json(&body)?;
    let applies = v
        .get("appliesTo")
        .and_then(Value::as_str)
        .unwrap_or("ANY_DEVICES")
        .to_owned();
    if applies != "ANY_DEVICES" && applies != "UNKNOWN_DEVICES" {
        return Err(bad("appliesTo must be ANY_DEVICES or UNKNOWN_DEVICES"));
    }
    with_user(&s, &id, |u, _| {
        u.blocks.push(Block {
            applies_to: applies,
        });
        Ok(json_ok(&crate::render::blocks_json(u)))
    })
}

async fn add_idp(
    State(s): State<Arc<Shared>>,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult<Response> {
    let v = parse_json(&body)?;
    let name = v
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or("Corporate IdP")
        .to_owned();
    let kind = v
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or("OIDC")
        .to_owned();
    let idp_id = {
        let mut org = s.org.write();
        org.next_id("0oa").1
    };
    with_user(&s, &id, |u, now| {
        u.idps.push(IdpLink {
            id: idp_id.clone(),
            name,
            kind,
            created: now,
        });
        Ok(json_ok(&json!({ "id": idp_id })))
    })
}

async fn set_factors(
    State(s): State<Arc<Shared>>,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult<Response> {
    let v = parse_json(&body)?;
    let count = v
        .get("count")
        .and_then(Value::as_u64)
        .ok_or_else(|| bad("count must be a number"))?;
    let mut org = s.org.write();
    let seq = org.find_user(&id)?;
    let uid = org
        .user(seq)
        .map(|u| u.id.clone())
        .ok_or_else(|| ApiError::not_found(&id, "User"))?;
    let n = org.set_active_factors(
        &uid,
        usize::try_from(count).unwrap_or(usize::MAX),
        now_secs(),
    );
    Ok(json_ok(&json!({ "factors": n })))
}

async fn record_login(State(s): State<Arc<Shared>>, Path(id): Path<String>) -> ApiResult<Response> {
    let out = with_user(&s, &id, |u, now| {
        u.last_login = Some(now);
        Ok(json_ok(&json!({ "lastLogin": fmt_ts(now) })))
    })?;
    let mut org = s.org.write();
    if let Ok(seq) = org.find_user(&id) {
        org.user_credentials_changed(seq, "user.session.start");
    }
    Ok(out)
}

async fn create_group(State(s): State<Arc<Shared>>, body: Bytes) -> ApiResult<Response> {
    let v = parse_json(&body)?;
    let kind = v
        .get("type")
        .and_then(Value::as_str)
        .and_then(GroupType::parse)
        .unwrap_or(GroupType::Okta);
    let Some(profile) = v.get("profile").and_then(Value::as_object).cloned() else {
        return Err(bad("profile is required"));
    };
    let source = v
        .get("sourceAppId")
        .and_then(Value::as_str)
        .map(str::to_owned);
    let mut org = s.org.write();
    let seq = org.create_group(kind, profile, now_secs(), source);
    let id = org
        .groups
        .get(&seq)
        .map(|g| g.id.clone())
        .unwrap_or_default();
    Ok(json_ok(&json!({ "id": id })))
}
