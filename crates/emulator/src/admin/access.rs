//! The admin API's access state under `/__emulator/`: what users and apps are granted, the
//! tokens they hold, the codes and pushes their factors wait for, Aerial accounts, and an
//! immediate group-rule run (no authentication, like the rest of the admin API):
//!
//! | Method and path | What it does |
//! |---|---|
//! | `PUT /__emulator/apps/{appId}/grants` | body `{"scopes":[…]}`: the app's scope grants become exactly these |
//! | `POST /__emulator/oauth/tokens` | body `{"clientId"?, "userId"?, "scopes":[…], "jkt"?}`: mint an access token (a user token for MyAccount, an Aerial token); `{"access_token","token_type","expires_in","scope"}` |
//! | `POST /__emulator/users/{id}/grants` | body `{"clientId", "scopes":[…]}`: the user consents to the client (one grant per scope); `{"grantIds":[…]}` |
//! | `POST /__emulator/users/{id}/tokens` | body `{"clientId", "scopes":[…]}`: a refresh token (and a user access token) issued to the client; `{"refreshTokenId","access_token"}` |
//! | `GET /__emulator/users/{id}/factors/{factorId}/code` | the outstanding sms/call/email code: `{"code": "123456"|null}` |
//! | `POST /__emulator/users/{id}/push` | body `{"approve": true|false, "transactionId"?}`: answer the newest waiting push (or that one) |
//! | `POST /__emulator/aerial/accounts` | body `{"scopes"?:[…]}` (default read + manage): a new Aerial account and a token for it; `{"accountId","access_token"}` |
//! | `POST /__emulator/groups/rules/run` | evaluate every ACTIVE group rule now (instead of waiting for the background pass) |

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{post, put};
use serde_json::{Value, json};

use crate::error::{self, ApiError, ApiResult};
use crate::http::{BaseUrl, json_ok, parse_json};
use crate::state::Shared;
use crate::store::Org;
use crate::util::now_secs;

pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/__emulator/apps/{id}/grants", put(set_app_grants))
        .route("/__emulator/oauth/tokens", post(mint_token))
        .route("/__emulator/groups/rules/run", post(run_rules))
        .route("/__emulator/users/{id}/grants", post(user_grants))
        .route("/__emulator/aerial/accounts", post(aerial_account))
        .route(
            "/__emulator/users/{id}/factors/{factorId}/code",
            axum::routing::get(factor_code),
        )
        .route("/__emulator/users/{id}/push", post(push_answer))
        .route("/__emulator/users/{id}/tokens", post(user_tokens))
}

fn bad(msg: impl Into<String>) -> ApiError {
    ApiError::with_detail(error::E0000001, "admin").cause(msg)
}

fn strings(v: Option<&Value>) -> Option<Vec<String>> {
    v?.as_array()?
        .iter()
        .map(|s| s.as_str().map(str::to_owned))
        .collect()
}

async fn set_app_grants(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult<Response> {
    let body = parse_json(&body)?;
    let scopes = strings(body.get("scopes")).ok_or_else(|| bad("scopes: an array of strings"))?;
    let mut org = s.org.write();
    let seq = org
        .app_seq(&id)
        .ok_or_else(|| ApiError::not_found(&id, "AppInstance"))?;
    let app_id = org
        .apps
        .get(&seq)
        .map(|a| a.id.clone())
        .ok_or_else(|| ApiError::not_found(&id, "AppInstance"))?;
    if let Some(gs) = org.app_grants.get_mut(&app_id) {
        gs.retain(|g| scopes.contains(&g.scope_id));
    }
    for sc in &scopes {
        org.add_app_grant(&app_id, sc, &base);
    }
    Ok(json_ok(&json!({ "appId": app_id, "scopes": scopes })))
}

async fn mint_token(State(s): State<Arc<Shared>>, body: Bytes) -> ApiResult<Response> {
    let body = parse_json(&body)?;
    let scopes = strings(body.get("scopes")).ok_or_else(|| bad("scopes: an array of strings"))?;
    let str_of = |k: &str| body.get(k).and_then(Value::as_str).map(str::to_owned);
    let client = str_of("clientId").unwrap_or_else(|| "emulator-admin".to_owned());
    let mut org = s.org.write();
    let user = match str_of("userId") {
        Some(u) => {
            let seq = org
                .user_seq(&u)
                .ok_or_else(|| ApiError::not_found(&u, "User"))?;
            org.user(seq).map(|u| u.id.clone())
        }
        None => None,
    };
    let (token, rec) =
        org.auth
            .tokens
            .issue(&client, scopes.clone(), str_of("jkt"), user, now_secs());
    Ok(json_ok(&json!({
        "access_token": token,
        "token_type": rec.token_type(),
        "expires_in": rec.expires_at - rec.issued_at,
        "scope": scopes.join(" "),
    })))
}

async fn run_rules(State(s): State<Arc<Shared>>) -> ApiResult<Response> {
    let changed = s.org.write().run_all_rules();
    Ok(json_ok(&json!({ "changes": changed })))
}

/// Runs `f` on the org with the `clientId` and `scopes` of a JSON body.
fn for_client<T>(
    s: &Shared,
    body: &Bytes,
    f: impl FnOnce(&mut Org, &str, &[String]) -> ApiResult<T>,
) -> ApiResult<T> {
    let body = parse_json(body)?;
    let client = body
        .get("clientId")
        .and_then(Value::as_str)
        .ok_or_else(|| bad("clientId: required"))?;
    let scopes = strings(body.get("scopes")).ok_or_else(|| bad("scopes: an array of strings"))?;
    f(&mut s.org.write(), client, &scopes)
}

async fn user_grants(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult<Response> {
    let ids = for_client(&s, &body, |org, client, scopes| {
        org.grant_consent(&id, client, scopes, &base)
    })?;
    Ok(json_ok(&json!({ "grantIds": ids })))
}

async fn user_tokens(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult<Response> {
    let (rid, access) = for_client(&s, &body, |org, client, scopes| {
        org.issue_refresh_token(&id, client, scopes, &base)
    })?;
    Ok(json_ok(
        &json!({ "refreshTokenId": rid, "access_token": access }),
    ))
}

async fn factor_code(
    State(s): State<Arc<Shared>>,
    Path((id, fid)): Path<(String, String)>,
) -> ApiResult<Response> {
    let org = s.org.read();
    let code = org.outstanding_factor_code(&id, &fid)?;
    Ok(json_ok(&json!({ "code": code })))
}

async fn push_answer(
    State(s): State<Arc<Shared>>,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult<Response> {
    let body = parse_json(&body)?;
    let approve = body
        .get("approve")
        .and_then(Value::as_bool)
        .ok_or_else(|| bad("approve: true or false"))?;
    let tx = body.get("transactionId").and_then(Value::as_str);
    let mut org = s.org.write();
    let tx = org.answer_push(&id, tx, approve)?;
    Ok(json_ok(&json!({ "transactionId": tx })))
}

async fn aerial_account(State(s): State<Arc<Shared>>, body: Bytes) -> ApiResult<Response> {
    let body = parse_json(&body)?;
    let scopes = match body.get("scopes") {
        None => vec![
            "okta.accounts.read".to_owned(),
            "okta.accounts.manage".to_owned(),
        ],
        v => strings(v).ok_or_else(|| bad("scopes: an array of strings"))?,
    };
    let mut org = s.org.write();
    let (_, id) = org.next_id("0ac");
    org.aerial.insert(id.clone(), Default::default());
    let client = crate::store::aerial_account_client(&id);
    let (token, _) = org
        .auth
        .tokens
        .issue(&client, scopes, None, None, now_secs());
    Ok(json_ok(&json!({ "accountId": id, "access_token": token })))
}
