//! `/api/v1/apps`: a minimal application resource, so that app links and group apps hold real
//! data. Apps store the body the client sent and add Okta's server-owned fields.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::Response;
use serde_json::{Map, Value};

use super::page::SeqPage;
use super::search::compile;
use crate::error::{self, ApiError, ApiResult};
use crate::http::{BaseUrl, Params, json_ok, no_content, parse_json};
use crate::query::{self, Dialect, Record, Val};
use crate::render::{app_group_json, app_json, app_user_json};
use crate::state::Shared;
use crate::store::{App, AppGroupAssignment, AppUserAssignment};
use crate::util::now_secs;

impl Record for App {
    fn field(&self, attr: &str) -> Option<Val<'_>> {
        match attr {
            "id" => Some(Val::Str(&self.id)),
            "status" => Some(Val::Str(&self.status)),
            "name" => Some(Val::Str(self.name())),
            _ => None,
        }
    }
}

/// `POST /api/v1/apps?activate=`
pub(crate) async fn create(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    params: Params,
    body: Bytes,
) -> ApiResult<Response> {
    let body = parse_json(&body)?;
    let Value::Object(mut body) = body else {
        return Err(ApiError::new(error::E0000003));
    };
    // Only writable top-level properties are kept; read-only ones (`id`, `created`, `features`,
    // `universalLogout`, `_links`, ...) are ignored as Okta ignores them.
    body.retain(|k, _| WRITABLE.contains(&k.as_str()));
    for key in [
        "accessibility",
        "visibility",
        "credentials",
        "settings",
        "profile",
        "licensing",
    ] {
        if body
            .get(key)
            .is_some_and(|v| !v.is_object() && !v.is_null())
        {
            return Err(ApiError::validation(key, "Does not match required type"));
        }
    }
    super::app_schema::check(&Value::Object(body.clone()))?;
    for key in ["label", "name", "signOnMode"] {
        if body
            .get(key)
            .is_some_and(|v| !v.is_string() && !v.is_null())
        {
            return Err(ApiError::validation(key, "Does not match required type"));
        }
    }
    // `Application` requires `signOnMode` (its discriminator) and `label`.
    match body.get("signOnMode").and_then(Value::as_str) {
        None => {
            return Err(ApiError::validation(
                "signOnMode",
                "The field cannot be left blank",
            ));
        }
        Some(mode) if !SIGN_ON_MODES.contains(&mode) => {
            return Err(ApiError::validation(
                "signOnMode",
                "Does not match required enum",
            ));
        }
        Some(_) => {}
    }
    let label_ok = body
        .get("label")
        .and_then(Value::as_str)
        .is_some_and(|l| !l.trim().is_empty());
    if !label_ok {
        return Err(ApiError::validation(
            "label",
            "The field cannot be left blank",
        ));
    }
    if body
        .get("name")
        .and_then(Value::as_str)
        .is_none_or(str::is_empty)
    {
        let name = match body.get("signOnMode").and_then(Value::as_str) {
            Some("OPENID_CONNECT") => "oidc_client",
            Some("SAML_2_0") => "saml_app",
            _ => "bookmark",
        };
        body.insert("name".into(), Value::from(name));
    }
    // Server-generated credentials, kept so every later read shows the same values.
    let oidc = body.get("signOnMode").and_then(Value::as_str) == Some("OPENID_CONNECT");
    let creds = body
        .entry("credentials")
        .or_insert_with(|| Value::Object(Map::new()));
    if let Some(c) = creds.as_object_mut() {
        // A password sent for the app (BASIC_AUTH, SWA shared credentials) is never kept nor
        // echoed: Okta answers `"password": {}`.
        if let Some(pw) = c.get_mut("password")
            && !pw.is_null()
        {
            *pw = serde_json::json!({});
        }
        c.entry("userNameTemplate").or_insert_with(
            || serde_json::json!({ "template": "${source.login}", "type": "BUILT_IN" }),
        );
        c.insert(
            "signing".into(),
            serde_json::json!({ "kid": crate::util::token(43) }),
        );
        if oidc {
            let oc = c
                .entry("oauthClient")
                .or_insert_with(|| Value::Object(Map::new()));
            if let Some(oc) = oc.as_object_mut() {
                let method = oc
                    .get("token_endpoint_auth_method")
                    .and_then(Value::as_str)
                    .unwrap_or("client_secret_basic")
                    .to_owned();
                oc.insert(
                    "token_endpoint_auth_method".into(),
                    Value::from(method.clone()),
                );
                oc.entry("autoKeyRotation").or_insert(Value::Bool(true));
                if method.starts_with("client_secret") {
                    oc.insert("client_secret".into(), Value::from(crate::util::token(64)));
                }
            }
        }
    }
    let now = now_secs();
    let status = if params.flag("activate", true) {
        "ACTIVE"
    } else {
        "INACTIVE"
    };
    let mut org = s.org.write();
    let (seq, id) = org.next_id("0oa");
    org.insert_app(App {
        seq,
        id,
        created: now,
        last_updated: now,
        status: status.into(),
        body,
    });
    let app = org
        .apps
        .get(&seq)
        .ok_or_else(|| ApiError::new(error::E0000009))?;
    Ok(json_ok(&app_json(app, &base, true)))
}

/// `ApplicationSignOnMode` of Okta's OpenAPI document.
const SIGN_ON_MODES: &[&str] = &[
    "AUTO_LOGIN",
    "BASIC_AUTH",
    "BOOKMARK",
    "BROWSER_PLUGIN",
    "OPENID_CONNECT",
    "SAML_1_1",
    "SAML_2_0",
    "SECURE_PASSWORD_STORE",
    "WS_FEDERATION",
];

/// Top-level application properties a client may set.
const WRITABLE: &[&str] = &[
    "name",
    "label",
    "signOnMode",
    "accessibility",
    "visibility",
    "credentials",
    "settings",
    "profile",
    "licensing",
    "expressConfiguration",
];

/// `GET /api/v1/apps/{id}`
pub(crate) async fn get(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let org = s.org.read();
    let seq = org.find_app(&id)?;
    let app = org
        .apps
        .get(&seq)
        .ok_or_else(|| ApiError::not_found(&id, "AppInstance"))?;
    Ok(json_ok(&app_json(app, &base, false)))
}

/// `DELETE /api/v1/apps/{id}`: only INACTIVE apps.
pub(crate) async fn delete(
    State(s): State<Arc<Shared>>,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let mut org = s.org.write();
    let seq = org.find_app(&id)?;
    if org.apps.get(&seq).is_some_and(|a| a.status == "ACTIVE") {
        return Err(ApiError::new(error::E0000056)
            .cause("The application must be deactivated before deletion."));
    }
    org.delete_app(seq);
    Ok(no_content())
}

/// `POST /api/v1/apps/{id}/lifecycle/{activate|deactivate}` → 200 `{}`.
pub(crate) async fn lifecycle(
    State(s): State<Arc<Shared>>,
    Path((id, op)): Path<(String, String)>,
) -> ApiResult<Response> {
    let status = match op.as_str() {
        "activate" => "ACTIVE",
        "deactivate" => "INACTIVE",
        _ => return Err(ApiError::new(error::E0000008)),
    };
    let now = now_secs();
    let mut org = s.org.write();
    let seq = org.find_app(&id)?;
    org.set_app_status(seq, status, now);
    Ok(json_ok(&serde_json::json!({})))
}

/// `GET /api/v1/apps` with `q` (name/label prefix), `filter`, `limit` (max 200), `after`.
pub(crate) async fn list(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    params: Params,
) -> ApiResult<Response> {
    let page = SeqPage::read(&params, "apps", 200, 200)?;
    let expr = params
        .get("filter")
        .filter(|f| !f.is_empty())
        .map(|f| compile(f, Dialect::AppFilter))
        .transpose()?;
    let q = params.get("q").map(str::to_lowercase);
    let org = s.org.read();
    page.answer(
        &base,
        "/api/v1/apps",
        &params,
        org.apps
            .range(page.after + 1..)
            .map(|(_, a)| a)
            .filter(|app| {
                q.as_ref().is_none_or(|q| {
                    app.name().to_lowercase().starts_with(q)
                        || app.label().to_lowercase().starts_with(q)
                }) && expr.as_ref().is_none_or(|e| query::matches(e, *app, false))
            })
            .map(|app| (app.seq, app_json(app, &base, false))),
    )
}

fn profile_of(body: &Bytes) -> ApiResult<Map<String, Value>> {
    let v = parse_json(body)?;
    Ok(v.get("profile")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default())
}

/// `PUT /api/v1/apps/{appId}/groups/{groupId}` → the assignment.
pub(crate) async fn assign_group(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    Path((aid, gid)): Path<(String, String)>,
    body: Bytes,
) -> ApiResult<Response> {
    let v = parse_json(&body)?;
    let profile = v
        .get("profile")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let now = now_secs();
    let mut org = s.org.write();
    let a = org.find_app(&aid)?;
    let g = org.find_group(&gid)?;
    let groups = org.app_groups.entry(a).or_default();
    let priority = v
        .get("priority")
        .and_then(Value::as_i64)
        .unwrap_or(groups.len() as i64);
    groups.insert(
        g,
        AppGroupAssignment {
            last_updated: now,
            priority,
            profile,
        },
    );
    let (Some(app), Some(group), Some(asg)) = (
        org.apps.get(&a),
        org.groups.get(&g),
        org.app_groups.get(&a).and_then(|m| m.get(&g)),
    ) else {
        return Err(ApiError::new(error::E0000009));
    };
    Ok(json_ok(&app_group_json(app, group, asg, &base)))
}

/// `GET /api/v1/apps/{appId}/groups` (default 20, max 200).
pub(crate) async fn groups(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    params: Params,
    Path(aid): Path<String>,
) -> ApiResult<Response> {
    let page = SeqPage::read(&params, "app-groups", 20, 200)?;
    let org = s.org.read();
    let (a, app) = org.find_app_record(&aid)?;
    let render = |k: u64, asg: &AppGroupAssignment| {
        Some(app_group_json(app, org.groups.get(&k)?, asg, &base))
    };
    let path = format!("/api/v1/apps/{aid}/groups");
    assignment_page(page, &base, &path, &params, org.app_groups.get(&a), render)
}

/// `DELETE /api/v1/apps/{appId}/groups/{groupId}` → 204.
pub(crate) async fn unassign_group(
    State(s): State<Arc<Shared>>,
    Path((aid, gid)): Path<(String, String)>,
) -> ApiResult<Response> {
    let mut org = s.org.write();
    let a = org.find_app(&aid)?;
    let g = org.find_group(&gid)?;
    if let Some(m) = org.app_groups.get_mut(&a) {
        m.remove(&g);
    }
    Ok(no_content())
}

fn assign_user_inner(
    s: &Shared,
    base: &str,
    aid: &str,
    uid: &str,
    profile: Map<String, Value>,
) -> ApiResult<Response> {
    let now = now_secs();
    let mut org = s.org.write();
    let a = org.find_app(aid)?;
    let u = org.find_user(uid)?;
    let users = org.app_users.entry(a).or_default();
    let created = users.get(&u).map_or(now, |x| x.created);
    users.insert(
        u,
        AppUserAssignment {
            created,
            last_updated: now,
            profile,
        },
    );
    let (Some(app), Some(user), Some(asg)) = (
        org.apps.get(&a),
        org.user(u),
        org.app_users.get(&a).and_then(|m| m.get(&u)),
    ) else {
        return Err(ApiError::new(error::E0000009));
    };
    Ok(json_ok(&app_user_json(app, user, asg, base)))
}

/// `PUT` (and `POST`) `/api/v1/apps/{appId}/users/{userId}` → the app user.
pub(crate) async fn assign_user(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    Path((aid, uid)): Path<(String, String)>,
    body: Bytes,
) -> ApiResult<Response> {
    let profile = profile_of(&body)?;
    assign_user_inner(&s, &base, &aid, &uid, profile)
}

/// `POST /api/v1/apps/{appId}/users` with body `{"id": userId, ...}`.
pub(crate) async fn assign_user_by_body(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    Path(aid): Path<String>,
    body: Bytes,
) -> ApiResult<Response> {
    let v = parse_json(&body)?;
    let Some(uid) = v.get("id").and_then(Value::as_str) else {
        return Err(ApiError::validation("id", "The field cannot be left blank"));
    };
    let profile = v
        .get("profile")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    assign_user_inner(&s, &base, &aid, uid, profile)
}

/// `GET /api/v1/apps/{appId}/users` (default 50, max 500).
pub(crate) async fn users(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    params: Params,
    Path(aid): Path<String>,
) -> ApiResult<Response> {
    let page = SeqPage::read(&params, "app-users", 50, 500)?;
    let org = s.org.read();
    let (a, app) = org.find_app_record(&aid)?;
    let render =
        |k: u64, asg: &AppUserAssignment| Some(app_user_json(app, org.user(k)?, asg, &base));
    let path = format!("/api/v1/apps/{aid}/users");
    assignment_page(page, &base, &path, &params, org.app_users.get(&a), render)
}

/// `DELETE /api/v1/apps/{appId}/users/{userId}` → 204.
pub(crate) async fn unassign_user(
    State(s): State<Arc<Shared>>,
    Path((aid, uid)): Path<(String, String)>,
) -> ApiResult<Response> {
    let mut org = s.org.write();
    let a = org.find_app(&aid)?;
    let u = org.find_user(&uid)?;
    if let Some(m) = org.app_users.get_mut(&a) {
        m.remove(&u);
    }
    Ok(no_content())
}

/// A page of an app's group or user assignments after the cursor, rendered with `render`
/// (`None` for an assignment whose group or user is gone).
fn assignment_page<A>(
    page: SeqPage,
    base: &str,
    path: &str,
    params: &Params,
    assignments: Option<&BTreeMap<u64, A>>,
    render: impl Fn(u64, &A) -> Option<Value>,
) -> ApiResult<Response> {
    let rows = assignments
        .into_iter()
        .flat_map(|m| m.range(page.after + 1..))
        .filter_map(|(k, asg)| Some((*k, render(*k, asg)?)));
    page.answer(base, path, params, rows)
}
