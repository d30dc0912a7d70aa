//! Linked objects (BEHAVIOR §10): definitions under `/api/v1/meta/schemas/user/linkedObjects`
//! (create 201, list, get/delete by primary or associated name) and values under
//! `/api/v1/users/{idOrLogin}/linkedObjects/…`.
//!
//! Rules: names match `[A-Za-z_][A-Za-z0-9_]*` (no leading digit); `type` is `USER`; a name
//! already used by any definition (as primary or associated) → 409 `E0000127`; ≤200
//! definitions. Values: `PUT …/{primaryName}/{primaryUserId}` → 204 (replaces the previous
//! primary); `GET …/{name}` → the primary's self link (primary name) or the associated users'
//! (associated name); `DELETE …/{primaryName}` → 204 even without a link, 404 for an unknown
//! name. `me` is the end user of a user access token. \[unconfirmed\] validation texts.

use std::sync::Arc;

use axum::Extension;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Value, json};

use crate::error::{self, ApiError, ApiResult};
use crate::http::{BaseUrl, json_ok, json_status, no_content, parse_json};
use crate::oauth::gate::BearerPrincipal;
use crate::state::Shared;
use crate::store::LinkedDef;
use crate::store::Org;

/// Most definitions per org.
pub(crate) const MAX_DEFINITIONS: usize = 200;

fn name_ok(n: &str) -> bool {
    let mut chars = n.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn conflict(which: &str) -> ApiError {
    let mut e = ApiError::new(error::E0000001);
    e.code = error::Code {
        code: "E0000127",
        status: 409,
        summary: "",
    };
    e.summary = format!(
        "Invalid linked objection definition. Linked object identifier for {which} is already in use."
    );
    e.causes = vec![format!(
        "Linked object identifier for {which} is already in use."
    )];
    e
}

fn side(body: &Value, which: &'static str) -> ApiResult<(Value, String)> {
    let v = body
        .get(which)
        .filter(|v| v.is_object())
        .ok_or_else(|| ApiError::validation(which, "The field cannot be left blank"))?;
    let name = v.get("name").and_then(Value::as_str).unwrap_or_default();
    if !name_ok(name) {
        return Err(ApiError::validation(
            which,
            "name: The name must start with a letter or underscore and contain only letters, digits and underscores.",
        ));
    }
    let title = v.get("title").and_then(Value::as_str).unwrap_or_default();
    if title.trim().is_empty() {
        return Err(ApiError::validation(
            which,
            "title: The field cannot be left blank",
        ));
    }
    if v.get("type").and_then(Value::as_str).unwrap_or("USER") != "USER" {
        return Err(ApiError::validation(which, "type: Must be USER"));
    }
    let mut out = json!({"name": name, "title": title, "type": "USER"});
    if let Some(d) = v.get("description").and_then(Value::as_str) {
        out["description"] = json!(d);
    }
    Ok((out, name.to_owned()))
}

fn def_json(d: &LinkedDef, base: &str) -> Value {
    json!({
        "primary": d.primary,
        "associated": d.associated,
        "_links": {"self": {"href": format!("{base}/api/v1/meta/schemas/user/linkedObjects/{}", d.primary_name)}},
    })
}

fn find_def<'a>(org: &'a Org, name: &str) -> ApiResult<&'a LinkedDef> {
    org.linked_defs
        .iter()
        .find(|d| d.primary_name == name || d.associated_name == name)
        .ok_or_else(|| ApiError::not_found(name, "LinkedObject"))
}

/// `POST /api/v1/meta/schemas/user/linkedObjects` → 201.
pub(crate) async fn create(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    body: Bytes,
) -> ApiResult<Response> {
    let body = parse_json(&body)?;
    let (primary, pname) = side(&body, "primary")?;
    let (associated, aname) = side(&body, "associated")?;
    if pname == aname {
        return Err(conflict("associated"));
    }
    let mut org = s.org.write();
    let used = |n: &str| {
        org.linked_defs
            .iter()
            .any(|d| d.primary_name == n || d.associated_name == n)
    };
    if used(&pname) {
        return Err(conflict("primary"));
    }
    if used(&aname) {
        return Err(conflict("associated"));
    }
    if org.linked_defs.len() >= MAX_DEFINITIONS {
        return Err(ApiError::validation(
            "linkedObjects",
            "The maximum number of linked object definitions has been reached.",
        ));
    }
    let d = LinkedDef {
        primary,
        associated,
        primary_name: pname,
        associated_name: aname,
    };
    let out = def_json(&d, &base);
    org.linked_defs.push(d);
    Ok(json_status(StatusCode::CREATED, &out))
}

/// `GET /api/v1/meta/schemas/user/linkedObjects`
pub(crate) async fn list(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
) -> ApiResult<Response> {
    let org = s.org.read();
    let rows: Vec<Value> = org.linked_defs.iter().map(|d| def_json(d, &base)).collect();
    Ok(json_ok(&rows))
}

/// `GET /api/v1/meta/schemas/user/linkedObjects/{name}` (primary or associated name).
pub(crate) async fn get(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    Path(name): Path<String>,
) -> ApiResult<Response> {
    let org = s.org.read();
    Ok(json_ok(&def_json(find_def(&org, &name)?, &base)))
}

/// `DELETE /api/v1/meta/schemas/user/linkedObjects/{name}` → 204; the links go with it.
pub(crate) async fn delete(
    State(s): State<Arc<Shared>>,
    Path(name): Path<String>,
) -> ApiResult<Response> {
    let mut org = s.org.write();
    let pname = find_def(&org, &name)?.primary_name.clone();
    org.linked_defs.retain(|d| d.primary_name != pname);
    org.linked_values.retain(|(p, _), _| *p != pname);
    Ok(no_content())
}

/// `me` is the token's end user (user access tokens); otherwise an id or login.
fn user_id_or_me(
    org: &Org,
    id: &str,
    principal: &Option<Extension<BearerPrincipal>>,
) -> ApiResult<String> {
    match (id, principal) {
        ("me", Some(Extension(p))) => match &p.user_id {
            Some(u) => org.find_user_id(u),
            None => Err(ApiError::not_found(id, "User")),
        },
        _ => org.find_user_id(id),
    }
}

/// `PUT /api/v1/users/{idOrLogin}/linkedObjects/{primaryName}/{primaryUserId}` → 204.
pub(crate) async fn set_value(
    State(s): State<Arc<Shared>>,
    principal: Option<Extension<BearerPrincipal>>,
    Path((id, name, primary)): Path<(String, String, String)>,
) -> ApiResult<Response> {
    let mut org = s.org.write();
    let assoc = user_id_or_me(&org, &id, &principal)?;
    let primary = org.find_user_id(&primary)?;
    let def = find_def(&org, &name)?;
    if def.primary_name != name {
        return Err(ApiError::validation(
            "primaryRelationshipName",
            "The relationship name must be the primary name of a linked object definition.",
        ));
    }
    org.linked_values.insert((name, assoc), primary);
    Ok(no_content())
}

/// `GET /api/v1/users/{idOrLogin}/linkedObjects/{relationshipName}`
pub(crate) async fn get_values(
    State(s): State<Arc<Shared>>,
    principal: Option<Extension<BearerPrincipal>>,
    BaseUrl(base): BaseUrl,
    Path((id, name)): Path<(String, String)>,
) -> ApiResult<Response> {
    let org = s.org.read();
    let uid = user_id_or_me(&org, &id, &principal)?;
    let def = find_def(&org, &name)?;
    let link = |u: &str| json!({"_links": {"self": {"href": format!("{base}/api/v1/users/{u}")}}});
    let rows: Vec<Value> = if def.primary_name == name {
        org.linked_values
            .get(&(name.clone(), uid))
            .map(|p| vec![link(p)])
            .unwrap_or_default()
    } else {
        org.linked_values
            .iter()
            .filter(|((p, _), primary)| *p == def.primary_name && **primary == uid)
            .map(|((_, a), _)| link(a))
            .collect()
    };
    Ok(json_ok(&rows))
}

/// `DELETE /api/v1/users/{idOrLogin}/linkedObjects/{primaryName}` → 204.
pub(crate) async fn delete_value(
    State(s): State<Arc<Shared>>,
    principal: Option<Extension<BearerPrincipal>>,
    Path((id, name)): Path<(String, String)>,
) -> ApiResult<Response> {
    let mut org = s.org.write();
    let uid = user_id_or_me(&org, &id, &principal)?;
    find_def(&org, &name)?;
    org.linked_values.remove(&(name, uid));
    Ok(no_content())
}
