//! A user's OAuth consent grants, clients and refresh tokens:
//! `/api/v1/users/{userId}/grants[/{grantId}]`, `/clients`, `/clients/{clientId}/grants`,
//! `/clients/{clientId}/tokens[/{tokenId}]`. Grants and refresh tokens come into being through
//! the admin API (as a user's consent and sign-in would). Lists take `limit` (default 20, max
//! 200) and `after`; `expand=scope` embeds the scope objects. Revocation answers 204; unknown
//! user, grant, client or token 404 `E0000007`. `DELETE /users/{id}/sessions?oauthTokens=true`
//! also revokes the user's refresh and access tokens ([`crate::store::Org::revoke_user_sessions`]).

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::{Path, State};
use axum::response::Response;
use serde_json::{Value, json};

use super::page::SeqPage;
use crate::error::{ApiError, ApiResult};
use crate::http::{BaseUrl, Params, json_ok, no_content};
use crate::state::Shared;
use crate::store::{Org, RefreshToken, UserGrant};
use crate::util::fmt_ts;

fn expand_scope(params: &Params) -> bool {
    params
        .get("expand")
        .is_some_and(|e| e.split(',').any(|x| x.trim() == "scope"))
}

fn grant_json(g: &UserGrant, base: &str, expand: bool) -> Value {
    let mut v = json!({
        "id": g.id,
        "status": "ACTIVE",
        "created": fmt_ts(g.created),
        "lastUpdated": fmt_ts(g.created),
        "createdBy": {"id": g.user_id, "type": "User"},
        "issuer": g.issuer,
        "clientId": g.client_id,
        "userId": g.user_id,
        "scopeId": g.scope_id,
        "source": "END_USER",
        "_links": {
            "self": {"href": format!("{base}/api/v1/users/{}/grants/{}", g.user_id, g.id), "hints": {"allow": ["GET", "DELETE"]}},
            "app": {"href": format!("{base}/api/v1/apps/{}", g.client_id)},
            "client": {"href": format!("{base}/oauth2/v1/clients/{}", g.client_id)},
            "user": {"href": format!("{base}/api/v1/users/{}", g.user_id)},
        },
    });
    if expand {
        v["_embedded"] = json!({"scope": {"id": g.scope_id}});
    }
    v
}

fn token_json(t: &RefreshToken, base: &str, expand: bool) -> Value {
    let me = format!(
        "{base}/api/v1/users/{}/clients/{}/tokens/{}",
        t.user_id, t.client_id, t.id
    );
    let mut v = json!({
        "id": t.id,
        "status": "ACTIVE",
        "created": fmt_ts(t.created),
        "lastUpdated": fmt_ts(t.created),
        "expiresAt": fmt_ts(t.expires_at),
        "issuer": t.issuer,
        "clientId": t.client_id,
        "userId": t.user_id,
        "scopes": t.scopes,
        "_links": {
            "self": {"href": me, "hints": {"allow": ["GET", "DELETE"]}},
            "app": {"href": format!("{base}/api/v1/apps/{}", t.client_id)},
            "client": {"href": format!("{base}/oauth2/v1/clients/{}", t.client_id)},
            "user": {"href": format!("{base}/api/v1/users/{}", t.user_id)},
            "revoke": {"href": me, "hints": {"allow": ["DELETE"]}},
        },
    });
    if expand {
        v["_embedded"] = json!({"scopes": t.scopes.iter().map(|s| json!({
            "id": s, "name": s, "displayName": s,
            "_links": {"scope": {"href": format!("{base}/api/v1/authorizationServers/default/scopes/{s}")}}
        })).collect::<Vec<_>>()});
    }
    v
}

/// One page of `rows` (seq, json) after the cursor; returns the response with `Link` headers.
fn paged(
    base: &str,
    path: &str,
    params: &Params,
    kind: &'static str,
    rows: impl Iterator<Item = (u64, Value)>,
) -> ApiResult<Response> {
    let page = SeqPage::read(params, kind, 20, 200)?;
    page.answer(base, path, params, rows.filter(|(s, _)| *s > page.after))
}

/// `GET /api/v1/users/{userId}/grants?scopeId=&expand=&after=&limit=`
pub(crate) async fn list_user_grants(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    params: Params,
    Path(uid): Path<String>,
) -> ApiResult<Response> {
    let org = s.org.read();
    let uid = org.find_user_id(&uid)?;
    let scope = params.get("scopeId");
    let expand = expand_scope(&params);
    let rows = org
        .user_grants
        .iter()
        .filter(|(_, g)| g.user_id == uid && scope.is_none_or(|s| g.scope_id == s))
        .map(|(seq, g)| (*seq, grant_json(g, &base, expand)));
    paged(
        &base,
        &format!("/api/v1/users/{uid}/grants"),
        &params,
        "ugrants",
        rows,
    )
}

/// `GET /api/v1/users/{userId}/grants/{grantId}`
pub(crate) async fn get_user_grant(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    params: Params,
    Path((uid, gid)): Path<(String, String)>,
) -> ApiResult<Response> {
    let org = s.org.read();
    let uid = org.find_user_id(&uid)?;
    org.user_grants
        .values()
        .find(|g| g.user_id == uid && g.id == gid)
        .map(|g| json_ok(&grant_json(g, &base, expand_scope(&params))))
        .ok_or_else(|| ApiError::not_found(&gid, "OAuth2ScopeConsentGrant"))
}

/// `DELETE /api/v1/users/{userId}/grants` → 204.
pub(crate) async fn revoke_user_grants(
    State(s): State<Arc<Shared>>,
    Path(uid): Path<String>,
) -> ApiResult<Response> {
    let mut org = s.org.write();
    let uid = org.find_user_id(&uid)?;
    org.user_grants.retain(|_, g| g.user_id != uid);
    Ok(no_content())
}

/// `DELETE /api/v1/users/{userId}/grants/{grantId}` → 204.
pub(crate) async fn revoke_user_grant(
    State(s): State<Arc<Shared>>,
    Path((uid, gid)): Path<(String, String)>,
) -> ApiResult<Response> {
    let mut org = s.org.write();
    let uid = org.find_user_id(&uid)?;
    let before = org.user_grants.len();
    org.user_grants
        .retain(|_, g| !(g.user_id == uid && g.id == gid));
    if org.user_grants.len() == before {
        return Err(ApiError::not_found(&gid, "OAuth2ScopeConsentGrant"));
    }
    Ok(no_content())
}

/// `GET /api/v1/users/{userId}/clients`: apps holding grants or refresh tokens of the user.
pub(crate) async fn list_clients(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    Path(uid): Path<String>,
) -> ApiResult<Response> {
    let org = s.org.read();
    let uid = org.find_user_id(&uid)?;
    let mut ids: Vec<&str> = org
        .user_grants
        .values()
        .filter(|g| g.user_id == uid)
        .map(|g| g.client_id.as_str())
        .chain(
            org.refresh_tokens
                .values()
                .filter(|t| t.user_id == uid)
                .map(|t| t.client_id.as_str()),
        )
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let rows: Vec<Value> = ids
        .into_iter()
        .filter_map(|id| org.app_seq(id).and_then(|s| org.apps.get(&s)))
        .map(|app| {
            let me = format!("{base}/api/v1/users/{uid}/clients/{}", app.id);
            json!({
                "client_id": app.id,
                "client_name": app.label(),
                "_links": {
                    "self": {"href": format!("{base}/oauth2/v1/clients/{}", app.id)},
                    "grants": {"href": format!("{me}/grants")},
                    "tokens": {"href": format!("{me}/tokens")},
                },
            })
        })
        .collect();
    Ok(json_ok(&rows))
}

/// `GET /api/v1/users/{userId}/clients/{clientId}/grants`
pub(crate) async fn list_client_grants(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    params: Params,
    Path(ids): Path<(String, String)>,
) -> ApiResult<Response> {
    let owned = |g: &UserGrant, uid: &str, cid: &str| g.user_id == uid && g.client_id == cid;
    let what = ("grants", "cgrants");
    client_list(
        &s,
        &base,
        &params,
        ids,
        what,
        |o| &o.user_grants,
        owned,
        grant_json,
    )
}

/// `DELETE /api/v1/users/{userId}/clients/{clientId}/grants` → 204.
pub(crate) async fn revoke_client_grants(
    State(s): State<Arc<Shared>>,
    Path((uid, cid)): Path<(String, String)>,
) -> ApiResult<Response> {
    let mut org = s.org.write();
    let (uid, cid) = org.find_user_and_client(&uid, &cid)?;
    org.user_grants
        .retain(|_, g| !(g.user_id == uid && g.client_id == cid));
    Ok(no_content())
}

/// `GET /api/v1/users/{userId}/clients/{clientId}/tokens`
pub(crate) async fn list_tokens(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    params: Params,
    Path(ids): Path<(String, String)>,
) -> ApiResult<Response> {
    let owned = |t: &RefreshToken, uid: &str, cid: &str| t.user_id == uid && t.client_id == cid;
    let what = ("tokens", "rtokens");
    client_list(
        &s,
        &base,
        &params,
        ids,
        what,
        |o| &o.refresh_tokens,
        owned,
        token_json,
    )
}

/// A page of what a user gave or holds for a client (`what`: the path's last segment, with
/// its cursor kind): the rows of `table` that are `owned` by both, rendered with `render`.
#[allow(clippy::too_many_arguments)]
fn client_list<R>(
    s: &Shared,
    base: &str,
    params: &Params,
    (uid, cid): (String, String),
    (what, kind): (&str, &'static str),
    table: impl Fn(&Org) -> &BTreeMap<u64, R>,
    owned: impl Fn(&R, &str, &str) -> bool,
    render: impl Fn(&R, &str, bool) -> Value,
) -> ApiResult<Response> {
    let org = s.org.read();
    let (uid, cid) = org.find_user_and_client(&uid, &cid)?;
    let expand = expand_scope(params);
    let rows = table(&org)
        .iter()
        .filter(|(_, r)| owned(r, &uid, &cid))
        .map(|(seq, r)| (*seq, render(r, base, expand)));
    let path = format!("/api/v1/users/{uid}/clients/{cid}/{what}");
    paged(base, &path, params, kind, rows)
}

/// `GET /api/v1/users/{userId}/clients/{clientId}/tokens/{tokenId}`
pub(crate) async fn get_token(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    params: Params,
    Path((uid, cid, tid)): Path<(String, String, String)>,
) -> ApiResult<Response> {
    let org = s.org.read();
    let (uid, cid) = org.find_user_and_client(&uid, &cid)?;
    org.refresh_tokens
        .values()
        .find(|t| t.user_id == uid && t.client_id == cid && t.id == tid)
        .map(|t| json_ok(&token_json(t, &base, expand_scope(&params))))
        .ok_or_else(|| ApiError::not_found(&tid, "OAuth2RefreshToken"))
}

/// `DELETE /api/v1/users/{userId}/clients/{clientId}/tokens` → 204.
pub(crate) async fn revoke_tokens(
    State(s): State<Arc<Shared>>,
    Path((uid, cid)): Path<(String, String)>,
) -> ApiResult<Response> {
    let mut org = s.org.write();
    let (uid, cid) = org.find_user_and_client(&uid, &cid)?;
    org.refresh_tokens
        .retain(|_, t| !(t.user_id == uid && t.client_id == cid));
    Ok(no_content())
}

/// `DELETE /api/v1/users/{userId}/clients/{clientId}/tokens/{tokenId}` → 204.
pub(crate) async fn revoke_token(
    State(s): State<Arc<Shared>>,
    Path((uid, cid, tid)): Path<(String, String, String)>,
) -> ApiResult<Response> {
    let mut org = s.org.write();
    let (uid, cid) = org.find_user_and_client(&uid, &cid)?;
    let before = org.refresh_tokens.len();
    org.refresh_tokens
        .retain(|_, t| !(t.user_id == uid && t.client_id == cid && t.id == tid));
    if org.refresh_tokens.len() == before {
        return Err(ApiError::not_found(&tid, "OAuth2RefreshToken"));
    }
    Ok(no_content())
}
