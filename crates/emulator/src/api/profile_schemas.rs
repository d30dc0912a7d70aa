//! Profile schemas: `GET`/`POST /api/v1/meta/schemas/user/{schemaId}` (one per user type;
//! `default` names the default type's) and `GET`/`POST /api/v1/meta/schemas/group/default`.
//! The rules live in `crate::schema`; this module finds the schema and follows up on an update
//! (values of removed properties leave the profiles; a property made unique is checked against
//! the values already held and stays not unique if two profiles share one, as Okta's
//! asynchronous check ends).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::Response;
use serde_json::Value;

use crate::error::{self, ApiError, ApiResult};
use crate::http::{BaseUrl, json_ok, parse_json};
use crate::schema::{schema_id_of_type, type_of_schema_id};
use crate::state::Shared;
use crate::store::{DEFAULT_USER_TYPE, Org};
use crate::util::now_secs;

/// The user type whose schema `schema_id` names, if it exists.
fn type_of(org: &Org, schema_id: &str) -> ApiResult<String> {
    type_of_schema_id(schema_id)
        .filter(|t| org.user_schemas.contains_key(t))
        .ok_or_else(|| ApiError::not_found(schema_id, "UserSchema"))
}

fn render_user(org: &Org, type_id: &str, base: &str) -> Value {
    org.user_schema(type_id)
        .render(base, &schema_id_of_type(type_id), type_id)
}

fn body_object(body: &Bytes) -> ApiResult<Value> {
    let body = parse_json(body)?;
    if body.is_object() {
        Ok(body)
    } else {
        Err(ApiError::new(error::E0000003))
    }
}

/// `GET /api/v1/meta/schemas/user/{schemaId}`
pub(crate) async fn get_user(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    Path(schema_id): Path<String>,
) -> ApiResult<Response> {
    let org = s.org.read();
    let type_id = type_of(&org, &schema_id)?;
    Ok(json_ok(&render_user(&org, &type_id, &base)))
}

/// `POST /api/v1/meta/schemas/user/{schemaId}`: adds, changes and removes properties.
pub(crate) async fn update_user(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    Path(schema_id): Path<String>,
    body: Bytes,
) -> ApiResult<Response> {
    let body = body_object(&body)?;
    let mut org = s.org.write();
    let type_id = type_of(&org, &schema_id)?;
    let Some(mut schema) = org.user_schemas.get(&type_id).cloned() else {
        return Err(ApiError::not_found(&schema_id, "UserSchema"));
    };
    let applied = schema.apply(&body, now_secs()).map_err(|e| e.api())?;
    for name in &applied.unique {
        if !org.has_duplicate_values(Some(&type_id), name) {
            schema.mark_unique(name);
        }
    }
    org.user_schemas.insert(type_id.clone(), schema);
    org.drop_profile_values(Some(&type_id), &applied.removed);
    Ok(json_ok(&render_user(&org, &type_id, &base)))
}

/// `GET /api/v1/meta/schemas/group/default`
pub(crate) async fn get_group(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
) -> ApiResult<Response> {
    let org = s.org.read();
    Ok(json_ok(&org.group_schema.render(&base, "", "")))
}

/// `POST /api/v1/meta/schemas/group/default`
pub(crate) async fn update_group(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    body: Bytes,
) -> ApiResult<Response> {
    let body = body_object(&body)?;
    let mut org = s.org.write();
    let mut schema = org.group_schema.clone();
    let applied = schema.apply(&body, now_secs()).map_err(|e| e.api())?;
    for name in &applied.unique {
        if !org.has_duplicate_values(None, name) {
            schema.mark_unique(name);
        }
    }
    org.group_schema = schema;
    org.drop_profile_values(None, &applied.removed);
    Ok(json_ok(&org.group_schema.render(&base, "", "")))
}

/// A new user type starts from Okta's template, not from the default type's current schema
/// (BEHAVIOR §3.2).
pub(crate) fn schema_for_new_type(org: &mut Org, type_id: &str, now: i64) {
    debug_assert_ne!(type_id, DEFAULT_USER_TYPE);
    org.user_schemas.insert(
        type_id.to_owned(),
        crate::schema::ProfileSchema::user_template(now),
    );
}
