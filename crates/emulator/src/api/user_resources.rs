//! Resources hanging off a user: groups, app links, IdPs, blocks, sessions.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::response::Response;
use serde_json::{Value, json};

use crate::error::{ApiError, ApiResult};
use crate::http::{BaseUrl, Params, json_ok, no_content};
use crate::render::{GroupView, app_link_json, blocks_json};
use crate::state::Shared;
use crate::util::fmt_ts;

/// `GET /api/v1/users/{id}/groups` (not paginated; `Everyone` first).
pub(crate) async fn groups(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let org = s.org.read();
    let seq = org.find_user(&id)?;
    let views: Vec<GroupView<'_>> = org
        .groups_of(seq)
        .into_iter()
        .filter_map(|g| org.groups.get(&g))
        .map(|group| GroupView {
            group,
            base: &base,
            stats: None,
        })
        .collect();
    Ok(json_ok(&views))
}

/// `GET /api/v1/users/{id}/appLinks` (direct and group-derived assignments).
pub(crate) async fn app_links(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let org = s.org.read();
    let seq = org.find_user(&id)?;
    let user = org
        .user(seq)
        .ok_or_else(|| ApiError::not_found(&id, "User"))?;
    let links: Vec<Value> = org
        .apps_of_user(seq)
        .into_iter()
        .filter_map(|a| org.apps.get(&a))
        .filter(|a| a.status == "ACTIVE")
        .map(|app| app_link_json(&org, app, user, &base))
        .collect();
    Ok(json_ok(&links))
}

/// `GET /api/v1/users/{id}/idps`
pub(crate) async fn idps(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let org = s.org.read();
    let seq = org.find_user(&id)?;
    let user = org
        .user(seq)
        .ok_or_else(|| ApiError::not_found(&id, "User"))?;
    let out: Vec<Value> = user
        .idps
        .iter()
        .map(|i| {
            json!({
                "id": i.id,
                "issuerMode": "ORG_URL",
                "name": i.name,
                "status": "ACTIVE",
                "created": fmt_ts(i.created),
                "lastUpdated": fmt_ts(i.created),
                "protocol": { "type": if i.kind == "SAML2" { "SAML2" } else { "OIDC" } },
                "type": i.kind,
                "_links": {
                    "users": { "href": format!("{base}/api/v1/idps/{}/users", i.id) },
                    "self": { "href": format!("{base}/api/v1/idps/{}", i.id) },
                }
            })
        })
        .collect();
    Ok(json_ok(&out))
}

/// `GET /api/v1/users/{id}/blocks`
pub(crate) async fn blocks(
    State(s): State<Arc<Shared>>,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let org = s.org.read();
    let seq = org.find_user(&id)?;
    let user = org
        .user(seq)
        .ok_or_else(|| ApiError::not_found(&id, "User"))?;
    Ok(json_ok(&blocks_json(user)))
}

/// `DELETE /api/v1/users/{id}/sessions?oauthTokens=&forgetDevices=` → 204.
pub(crate) async fn revoke_sessions(
    State(s): State<Arc<Shared>>,
    params: Params,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let oauth = params.flag("oauthTokens", false);
    let mut org = s.org.write();
    let seq = org.find_user(&id)?;
    org.revoke_user_sessions(seq, oauth);
    Ok(no_content())
}
