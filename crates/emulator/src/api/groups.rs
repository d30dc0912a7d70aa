//! `/api/v1/groups`: create, get, replace, delete, list, members, assigned apps.
//!
//! Only `OKTA_GROUP`s are editable. `APP_GROUP` profiles and memberships are import-managed
//! (403 E0000006), though the group can be deleted. `BUILT_IN` (`Everyone`) can't be changed or
//! deleted (403 E0000006); adding or removing members answers 501 E0000060 "Unsupported
//! operation." as Okta does. Group names are unique among groups, case-insensitively
//! [unconfirmed in BEHAVIOR.md; Okta's admin UI refuses duplicates, we do the same in the API].

use std::ops::Bound;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Map, Value};

use super::page;
use super::search::compile;
use crate::background::run_rules_later;
use crate::error::{self, ApiError, ApiResult};
use crate::http::{BaseUrl, Params, json_bytes, json_ok, no_content, parse_json};
use crate::query::{self, Dialect, Record, Val};
use crate::render::{GroupView, UserLinks, UserView, app_json};
use crate::state::Shared;
use crate::store::{Group, GroupType, Org};
use crate::util::now_secs;

impl Record for Group {
    fn field(&self, attr: &str) -> Option<Val<'_>> {
        match attr {
            "id" => Some(Val::Str(&self.id)),
            "type" => Some(Val::Str(self.kind.as_str())),
            "created" => Some(Val::Time(self.created)),
            "lastUpdated" => Some(Val::Time(self.last_updated)),
            "lastMembershipUpdated" => Some(Val::Time(self.last_membership_updated)),
            "source.id" => self.source_app.as_deref().map(Val::Str),
            _ => attr
                .strip_prefix("profile.")
                .and_then(|k| self.profile.get(k))
                .map(Val::Json),
        }
    }
}

fn read_profile(body: &Bytes) -> ApiResult<Map<String, Value>> {
    let body = parse_json(body)?;
    let Some(profile) = body.get("profile").and_then(Value::as_object).cloned() else {
        return Err(ApiError::validation(
            "name",
            "The field cannot be left blank",
        ));
    };
    match profile.get("name") {
        Some(Value::String(n)) if !n.trim().is_empty() => {
            if n.chars().count() > 255 {
                return Err(ApiError::validation(
                    "name",
                    "The field cannot exceed 255 characters",
                ));
            }
        }
        _ => {
            return Err(ApiError::validation(
                "name",
                "The field cannot be left blank",
            ));
        }
    }
    match profile.get("description") {
        None | Some(Value::Null) => {}
        Some(Value::String(d)) if d.chars().count() <= 1024 => {}
        Some(Value::String(_)) => {
            return Err(ApiError::validation(
                "description",
                "The field cannot exceed 1024 characters",
            ));
        }
        Some(_) => {
            return Err(ApiError::validation(
                "description",
                "Does not match required type",
            ));
        }
    }
    let mut p = profile;
    p.entry("description").or_insert(Value::Null);
    Ok(p)
}

fn name_taken() -> ApiError {
    ApiError::validation(
        "name",
        "An object with this field already exists in the current organization",
    )
}

/// `POST /api/v1/groups`
pub(crate) async fn create(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    body: Bytes,
) -> ApiResult<Response> {
    let profile = read_profile(&body)?;
    let now = now_secs();
    let mut org = s.org.write();
    let name = profile.get("name").and_then(Value::as_str).unwrap_or("");
    if org.group_name_taken(name, None) {
        return Err(name_taken());
    }
    let seq = org.insert_group(GroupType::Okta, profile, now, None);
    let group = org
        .groups
        .get(&seq)
        .ok_or_else(|| ApiError::new(error::E0000009))?;
    Ok(json_ok(&GroupView {
        group,
        base: &base,
        stats: None,
    }))
}

fn stats(org: &Org, g: u64, params: &Params) -> Option<(usize, usize)> {
    params
        .get("expand")
        .is_some_and(|e| e.split(',').any(|x| x == "stats"))
        .then(|| (org.member_count(g), org.apps_of_group(g).len()))
}

/// `GET /api/v1/groups/{id}`
pub(crate) async fn get(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    params: Params,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let org = s.org.read();
    let seq = org.find_group(&id)?;
    let group = org
        .groups
        .get(&seq)
        .ok_or_else(|| ApiError::not_found(&id, "UserGroup"))?;
    Ok(json_ok(&GroupView {
        group,
        base: &base,
        stats: stats(&org, seq, &params),
    }))
}

/// `PUT /api/v1/groups/{id}`: full replace of an OKTA_GROUP's profile.
pub(crate) async fn replace(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult<Response> {
    let now = now_secs();
    let mut org = s.org.write();
    let seq = org.find_group(&id)?;
    if org
        .groups
        .get(&seq)
        .is_some_and(|g| g.kind != GroupType::Okta)
    {
        return Err(ApiError::new(error::E0000006));
    }
    let profile = read_profile(&body)?;
    let name = profile.get("name").and_then(Value::as_str).unwrap_or("");
    if org.group_name_taken(name, Some(seq)) {
        return Err(name_taken());
    }
    let group = org
        .groups
        .get_mut(&seq)
        .ok_or_else(|| ApiError::not_found(&id, "UserGroup"))?;
    group.profile = profile;
    group.last_updated = now;
    Ok(json_ok(&GroupView {
        group,
        base: &base,
        stats: None,
    }))
}

/// `DELETE /api/v1/groups/{id}`
pub(crate) async fn delete(
    State(s): State<Arc<Shared>>,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let mut org = s.org.write();
    let seq = org.find_group(&id)?;
    if org
        .groups
        .get(&seq)
        .is_some_and(|g| g.kind == GroupType::BuiltIn)
    {
        return Err(ApiError::new(error::E0000006));
    }
    org.remove_group(seq);
    Ok(no_content())
}

/// `GET /api/v1/groups` with `q`, `filter`, `search`, `sortBy`, `limit`, `after`, `expand`.
pub(crate) async fn list(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    params: Params,
) -> ApiResult<Response> {
    let q = params.get("q").filter(|v| !v.is_empty());
    let filter = params.get("filter").filter(|v| !v.is_empty());
    let search = params.get("search").filter(|v| !v.is_empty());
    if filter.is_some() && search.is_some() {
        return Err(ApiError::new(error::E0000033));
    }
    let expr = match (filter, search) {
        (Some(f), _) => Some(compile(f, Dialect::GroupFilter)?),
        (_, Some(x)) => Some(compile(x, Dialect::GroupSearch)?),
        _ => None,
    };
    let ci = search.is_some();
    let org = s.org.read();
    if let (Some(q), None) = (q, &expr) {
        // `q`: name prefix, at most 300, not paginated.
        let limit = page::limit(&params, 300, 300)?;
        let ql = q.to_lowercase();
        let views: Vec<GroupView<'_>> = org
            .groups
            .values()
            .filter(|g| g.name().to_lowercase().starts_with(&ql))
            .take(limit)
            .map(|group| GroupView {
                group,
                base: &base,
                stats: stats(&org, group.seq, &params),
            })
            .collect();
        return finish(&base, "/api/v1/groups", &params, limit, &views, None);
    }
    let limit = page::limit(&params, 10_000, 10_000)?;
    let keep = |g: &Group| expr.as_ref().is_none_or(|e| query::matches(e, g, ci));
    if let (Some(sort_by), Some(_)) = (params.get("sortBy").filter(|v| !v.is_empty()), search) {
        let desc = params
            .get("sortOrder")
            .is_some_and(|o| o.eq_ignore_ascii_case("desc"));
        let mut rows: Vec<(String, &Group)> = org
            .groups
            .values()
            .filter(|g| keep(g))
            .map(|g| {
                let k = match g.field(sort_by) {
                    Some(Val::Time(t)) => format!("{:020}", t + 10_000_000_000),
                    Some(Val::Str(s)) => s.to_lowercase(),
                    Some(Val::Json(Value::String(s))) => s.to_lowercase(),
                    Some(Val::Json(v)) => v.to_string().to_lowercase(),
                    None => String::new(),
                };
                (k, g)
            })
            .collect();
        rows.sort_by(|a, b| (a.0.as_str(), a.1.id.as_str()).cmp(&(b.0.as_str(), b.1.id.as_str())));
        if desc {
            rows.reverse();
        }
        let after: Option<(String, String)> = match page::decode(&params, "groups-sorted")? {
            None => None,
            Some(k) => Some(serde_json::from_str(&k).map_err(|_| ApiError::bad_cursor())?),
        };
        let start = match &after {
            None => 0,
            Some((k, last_id)) => rows
                .iter()
                .position(|(rk, g)| {
                    let o = (rk.as_str(), g.id.as_str()).cmp(&(k.as_str(), last_id.as_str()));
                    if desc { o.is_lt() } else { o.is_gt() }
                })
                .unwrap_or(rows.len()),
        };
        let slice = &rows[start..];
        let taken = &slice[..slice.len().min(limit)];
        let next = (slice.len() > limit)
            .then(|| {
                taken
                    .last()
                    .and_then(|(k, g)| serde_json::to_string(&(k, &g.id)).ok())
            })
            .flatten()
            .map(|k| page::encode("groups-sorted", &k));
        let views: Vec<_> = taken
            .iter()
            .map(|(_, group)| GroupView {
                group,
                base: &base,
                stats: stats(&org, group.seq, &params),
            })
            .collect();
        return finish(&base, "/api/v1/groups", &params, limit, &views, next);
    }
    let after = page::decode_seq(&params, "groups")?;
    let mut views = Vec::new();
    let mut more = false;
    for group in org
        .groups
        .range((Bound::Excluded(after), Bound::Unbounded))
        .map(|(_, g)| g)
    {
        if !keep(group) {
            continue;
        }
        if views.len() == limit {
            more = true;
            break;
        }
        views.push(GroupView {
            group,
            base: &base,
            stats: stats(&org, group.seq, &params),
        });
    }
    let next = if more {
        views
            .last()
            .map(|v| page::encode("groups", &v.group.seq.to_string()))
    } else {
        None
    };
    finish(&base, "/api/v1/groups", &params, limit, &views, next)
}

fn finish<T: serde::Serialize>(
    base: &str,
    path: &str,
    params: &Params,
    limit: usize,
    rows: &[T],
    next: Option<String>,
) -> ApiResult<Response> {
    let bytes = serde_json::to_vec(rows).map_err(|_| ApiError::new(error::E0000009))?;
    let mut resp = json_bytes(StatusCode::OK, bytes);
    page::link_headers(&mut resp, base, path, params, limit, next.as_deref());
    Ok(resp)
}

/// `GET /api/v1/groups/{id}/users` (default and max limit 1000).
pub(crate) async fn members(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    params: Params,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let limit = page::limit(&params, 1000, 1000)?;
    let after = page::decode_seq(&params, "members")?;
    let org = s.org.read();
    let g = org.find_group(&id)?;
    let range = (Bound::Excluded(after), Bound::Unbounded);
    let seqs: Box<dyn Iterator<Item = u64>> = if g == org.everyone {
        Box::new(org.users.range(range).map(|(k, _)| *k))
    } else {
        match org.members.get(&g) {
            Some(m) => Box::new(m.range(range).copied()),
            None => Box::new(std::iter::empty()),
        }
    };
    let mut views = Vec::new();
    let mut more = false;
    for seq in seqs {
        let Some(user) = org.user(seq) else { continue };
        if views.len() == limit {
            more = true;
            break;
        }
        views.push(UserView {
            user,
            base: &base,
            links: UserLinks::SelfOnly,
        });
    }
    let next = if more {
        views
            .last()
            .map(|v| page::encode("members", &v.user.seq.to_string()))
    } else {
        None
    };
    finish(
        &base,
        &format!("/api/v1/groups/{id}/users"),
        &params,
        limit,
        &views,
        next,
    )
}

fn membership_guard(org: &Org, g: u64) -> ApiResult<()> {
    match org.groups.get(&g).map(|g| g.kind) {
        Some(GroupType::BuiltIn) => Err(ApiError::new(error::E0000060)),
        Some(GroupType::App) => Err(ApiError::new(error::E0000006)),
        _ => Ok(()),
    }
}

/// `PUT /api/v1/groups/{groupId}/users/{userId}` → 204 (idempotent).
pub(crate) async fn assign(
    State(s): State<Arc<Shared>>,
    Path((gid, uid)): Path<(String, String)>,
) -> ApiResult<Response> {
    change_membership(&s, &gid, &uid, true)
}

/// `DELETE /api/v1/groups/{groupId}/users/{userId}` → 204.
pub(crate) async fn unassign(
    State(s): State<Arc<Shared>>,
    Path((gid, uid)): Path<(String, String)>,
) -> ApiResult<Response> {
    change_membership(&s, &gid, &uid, false)
}

fn change_membership(s: &Arc<Shared>, gid: &str, uid: &str, add: bool) -> ApiResult<Response> {
    let mut org = s.org.write();
    let g = org.find_group(gid)?;
    let u = org.find_user(uid)?;
    membership_guard(&org, g)?;
    org.change_membership(g, u, add, now_secs());
    run_rules_later(s, &org);
    Ok(no_content())
}

/// `GET /api/v1/groups/{id}/apps` (default limit 20, max 200).
pub(crate) async fn apps(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    params: Params,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let limit = page::limit(&params, 20, 200)?;
    let after = page::decode_seq(&params, "group-apps")?;
    let org = s.org.read();
    let g = org.find_group(&id)?;
    let seqs: Vec<u64> = org
        .apps_of_group(g)
        .into_iter()
        .filter(|a| *a > after)
        .collect();
    let more = seqs.len() > limit;
    let taken = &seqs[..seqs.len().min(limit)];
    let rows: Vec<Value> = taken
        .iter()
        .filter_map(|a| org.apps.get(a))
        .map(|a| app_json(a, &base, false))
        .collect();
    let next = if more {
        taken
            .last()
            .map(|s| page::encode("group-apps", &s.to_string()))
    } else {
        None
    };
    finish(
        &base,
        &format!("/api/v1/groups/{id}/apps"),
        &params,
        limit,
        &rows,
        next,
    )
}
