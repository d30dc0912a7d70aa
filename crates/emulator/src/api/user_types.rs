//! User types (`/api/v1/meta/types/user`): list, get, create, update (`POST /{id}`: partial),
//! replace (`PUT /{id}`), delete.
//!
//! Rules (BEHAVIOR §3.2, UT-OLD): at most 10 types including the default one; `name` is
//! required on create, unique (case-insensitive), immutable, `[A-Za-z][A-Za-z0-9_]*`
//! \[unconfirmed pattern\]; `displayName` required; the default type and a type some user has
//! can't be deleted (403 `E0000142`). The default type (`user`) always exists.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::Response;
use serde_json::{Value, json};

use crate::error::{self, ApiError, ApiResult};
use crate::http::{BaseUrl, json_ok, no_content, parse_json};
use crate::state::Shared;
use crate::store::UserType;
use crate::store::{DEFAULT_USER_SCHEMA, DEFAULT_USER_TYPE, Org};
use crate::util::{fmt_ts, now_secs};

/// Most user types per org (default included).
pub(crate) const MAX_TYPES: usize = 10;

fn type_json(t: &UserType, default: bool, base: &str) -> Value {
    let me = format!("{base}/api/v1/meta/types/user/{}", t.id);
    let schema = if default {
        DEFAULT_USER_SCHEMA.to_owned()
    } else {
        crate::schema::schema_id_of_type(&t.id)
    };
    let mut v = json!({
        "id": t.id,
        "name": t.name,
        "displayName": t.display_name,
        "default": default,
        "createdBy": "00u1emulatoradmin000",
        "lastUpdatedBy": "00u1emulatoradmin000",
        "created": fmt_ts(t.created),
        "lastUpdated": fmt_ts(t.last_updated),
        "_links": {
            "self": {"href": me, "method": "GET", "rel": "self"},
            "schema": {"href": format!("{base}/api/v1/meta/schemas/user/{schema}"), "method": "GET", "rel": "schema"},
        },
    });
    // Not nullable in the spec: absent rather than null.
    if let Some(d) = &t.description {
        v["description"] = json!(d);
    }
    v
}

fn default_type() -> UserType {
    UserType {
        id: DEFAULT_USER_TYPE.to_owned(),
        name: "user".into(),
        display_name: "User".into(),
        description: Some("Okta User Profile".into()),
        created: 0,
        last_updated: 0,
    }
}

fn find(org: &Org, id: &str) -> ApiResult<Option<u64>> {
    if id == DEFAULT_USER_TYPE {
        return Ok(None);
    }
    org.user_types
        .iter()
        .find(|(_, t)| t.id == id)
        .map(|(s, _)| Some(*s))
        .ok_or_else(|| ApiError::not_found(id, "UserType"))
}

fn name_ok(n: &str) -> bool {
    let mut c = n.chars();
    c.next().is_some_and(|c| c.is_ascii_alphabetic())
        && c.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn str_field<'a>(body: &'a Value, k: &str) -> Option<&'a str> {
    body.get(k).and_then(Value::as_str)
}

/// `GET /api/v1/meta/types/user`
pub(crate) async fn list(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
) -> ApiResult<Response> {
    let org = s.org.read();
    let mut rows = vec![type_json(&default_type(), true, &base)];
    rows.extend(org.user_types.values().map(|t| type_json(t, false, &base)));
    Ok(json_ok(&rows))
}

/// `GET /api/v1/meta/types/user/{typeId}`
pub(crate) async fn get(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let org = s.org.read();
    match find(&org, &id)? {
        None => Ok(json_ok(&type_json(&default_type(), true, &base))),
        Some(seq) => org
            .user_types
            .get(&seq)
            .map(|t| json_ok(&type_json(t, false, &base)))
            .ok_or_else(|| ApiError::not_found(&id, "UserType")),
    }
}

/// `POST /api/v1/meta/types/user` → 200.
pub(crate) async fn create(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    body: Bytes,
) -> ApiResult<Response> {
    let body = parse_json(&body)?;
    let name = str_field(&body, "name").unwrap_or_default();
    if name.is_empty() {
        return Err(ApiError::validation(
            "name",
            "The field cannot be left blank",
        ));
    }
    if !name_ok(name) {
        return Err(ApiError::validation(
            "name",
            "The name must start with a letter and contain only letters, digits and underscores.",
        ));
    }
    let display = str_field(&body, "displayName").unwrap_or_default();
    if display.trim().is_empty() {
        return Err(ApiError::validation(
            "displayName",
            "The field cannot be left blank",
        ));
    }
    let mut org = s.org.write();
    let taken = name.eq_ignore_ascii_case("user")
        || org
            .user_types
            .values()
            .any(|t| t.name.eq_ignore_ascii_case(name));
    if taken {
        return Err(ApiError::validation(
            "name",
            "An object with this field already exists in the current organization",
        ));
    }
    if org.user_types.len() + 1 >= MAX_TYPES {
        return Err(ApiError::validation(
            "userType",
            "The maximum number of user types has been reached.",
        ));
    }
    let now = now_secs();
    let (seq, id) = org.next_id("oty");
    let t = UserType {
        id,
        name: name.to_owned(),
        display_name: display.to_owned(),
        description: str_field(&body, "description").map(str::to_owned),
        created: now,
        last_updated: now,
    };
    let out = type_json(&t, false, &base);
    super::profile_schemas::schema_for_new_type(&mut org, &t.id, now);
    org.user_types.insert(seq, t);
    Ok(json_ok(&out))
}

async fn update(
    s: Arc<Shared>,
    base: String,
    id: String,
    body: Bytes,
    replace: bool,
) -> ApiResult<Response> {
    let body = parse_json(&body)?;
    let mut org = s.org.write();
    let Some(seq) = find(&org, &id)? else {
        // The default type's name can't change; its display name is not editable here.
        return Err(ApiError::new(error::E0000006));
    };
    let Some(t) = org.user_types.get_mut(&seq) else {
        return Err(ApiError::not_found(&id, "UserType"));
    };
    if let Some(n) = str_field(&body, "name")
        && n != t.name
    {
        return Err(ApiError::validation(
            "name",
            "The name of a user type cannot be changed.",
        ));
    }
    let display = str_field(&body, "displayName");
    if replace && display.is_none_or(|d| d.trim().is_empty()) {
        return Err(ApiError::validation(
            "displayName",
            "The field cannot be left blank",
        ));
    }
    if let Some(d) = display {
        t.display_name = d.to_owned();
    }
    if replace {
        t.description = str_field(&body, "description").map(str::to_owned);
    } else if let Some(d) = str_field(&body, "description") {
        t.description = Some(d.to_owned());
    }
    t.last_updated = now_secs();
    Ok(json_ok(&type_json(t, false, &base)))
}

/// `POST /api/v1/meta/types/user/{typeId}`: partial update.
pub(crate) async fn partial_update(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult<Response> {
    update(s, base, id, body, false).await
}

/// `PUT /api/v1/meta/types/user/{typeId}`: replace.
pub(crate) async fn replace(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult<Response> {
    update(s, base, id, body, true).await
}

fn cannot_delete(reason: &str) -> ApiError {
    let mut e = ApiError::new(error::E0000006);
    e.code = error::Code {
        code: "E0000142",
        status: 403,
        summary: "",
    };
    e.summary = "This User Type cannot be deleted.".into();
    e.causes = vec![reason.to_owned()];
    e
}

/// `DELETE /api/v1/meta/types/user/{typeId}` → 204.
pub(crate) async fn delete(
    State(s): State<Arc<Shared>>,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let mut org = s.org.write();
    let Some(seq) = find(&org, &id)? else {
        return Err(cannot_delete("The default User Type cannot be deleted."));
    };
    if org.users.values().any(|u| u.type_id == id) {
        return Err(cannot_delete(
            "This User Type is assigned to one or more users.",
        ));
    }
    org.user_types.remove(&seq);
    org.user_schemas.remove(&id);
    Ok(no_content())
}
