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
use axum::response::Response;
use serde_json::{Map, Value};

use super::page::{self, SeqPage};
use super::search::ListQuery;
use crate::background::run_rules_later;
use crate::error::{self, ApiError, ApiResult};
use crate::http::{BaseUrl, Params, json_ok, no_content, parse_json};
use crate::query::{self, Dialect, Record, Val};
use crate::render::{GroupView, UserView, app_json};
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
    org.check_group_profile(None, &profile)
        .map_err(crate::schema::SchemaError::api)?;
    let name = profile.get("name").and_then(Value::as_str).unwrap_or("");
    if org.group_name_taken(name, None) {
        return Err(name_taken());
    }
    let seq = org.create_group(GroupType::Okta, profile, now, None);
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
    org.check_group_profile(Some(seq), &profile)
        .map_err(crate::schema::SchemaError::api)?;
    let name = profile.get("name").and_then(Value::as_str).unwrap_or("");
    if org.group_name_taken(name, Some(seq)) {
        return Err(name_taken());
    }
    let group = org
        .group_mut(seq)
        .ok_or_else(|| ApiError::not_found(&id, "UserGroup"))?;
    group.profile = profile;
    group.last_updated = now;
    org.group_profile_updated(seq);
    let group = org
        .groups
        .get(&seq)
        .ok_or_else(|| ApiError::not_found(&id, "UserGroup"))?;
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
    let lq = ListQuery::read(&params, Dialect::GroupFilter, Dialect::GroupSearch)?;
    let org = s.org.read();
    // `search` is eventually consistent: with a consistency lag it sees the groups of the lag ago.
    let searched = if lq.search {
        org.searched_groups()
    } else {
        None
    };
    let keep = |g: &Group| {
        lq.expr
            .as_ref()
            .is_none_or(|e| query::matches(e, g, lq.search))
    };
    let (limit, groups, next) = if let Some(q) = lq.q {
        // `q`: name prefix, at most 300, not paginated.
        let limit = page::limit(&params, 300, 300)?;
        let ql = q.to_lowercase();
        let groups: Vec<&Group> = org
            .groups
            .values()
            .filter(|g| g.name().to_lowercase().starts_with(&ql))
            .take(limit)
            .collect();
        (limit, groups, None)
    } else if let Some((sort_by, desc)) = lq.sort {
        let limit = page::limit(&params, 10_000, 10_000)?;
        let rows: Vec<(String, &str, &Group)> = searched
            .iter()
            .flatten()
            .copied()
            .chain(
                searched
                    .is_none()
                    .then(|| org.groups.values())
                    .into_iter()
                    .flatten(),
            )
            .filter(|g| keep(g))
            .map(|g| (sort_key(g, sort_by), g.id.as_str(), g))
            .collect();
        let (groups, next) = page::take_sorted(&params, "groups-sorted", limit, desc, rows)?;
        (limit, groups, next)
    } else {
        let page = SeqPage::read(&params, "groups", 10_000, 10_000)?;
        let rows: Box<dyn Iterator<Item = &Group>> = match &searched {
            Some(groups) => {
                let start = groups.partition_point(|g| g.seq <= page.after);
                Box::new(groups[start..].iter().copied())
            }
            None => Box::new(
                org.groups
                    .range((Bound::Excluded(page.after), Bound::Unbounded))
                    .map(|(_, g)| g),
            ),
        };
        let (groups, next) = page.take(rows.filter(|g| keep(g)).map(|g| (g.seq, g)));
        (page.limit, groups, next)
    };
    let views: Vec<GroupView<'_>> = groups
        .into_iter()
        .map(|group| GroupView {
            group,
            base: &base,
            stats: stats(&org, group.seq, &params),
        })
        .collect();
    page::respond(
        &base,
        "/api/v1/groups",
        &params,
        limit,
        &views,
        next.as_deref(),
    )
}

/// Sort key for `sortBy`: case-insensitive; timestamps as sortable numbers.
fn sort_key(g: &Group, attr: &str) -> String {
    match g.field(attr) {
        Some(Val::Time(t)) => format!("{:020}", t + 10_000_000_000),
        Some(Val::Str(s)) => s.to_lowercase(),
        Some(Val::Json(Value::String(s))) => s.to_lowercase(),
        Some(Val::Json(v)) => v.to_string().to_lowercase(),
        None => String::new(),
    }
}

/// `GET /api/v1/groups/{id}/users` (default and max limit 1000).
pub(crate) async fn members(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    params: Params,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let page = SeqPage::read(&params, "members", 1000, 1000)?;
    let org = s.org.read();
    let g = org.find_group(&id)?;
    let range = (Bound::Excluded(page.after), Bound::Unbounded);
    let seqs: Box<dyn Iterator<Item = u64>> = if g == org.everyone {
        Box::new(org.users.range(range).map(|(k, _)| *k))
    } else {
        match org.members.get(&g) {
            Some(m) => Box::new(m.range(range).copied()),
            None => Box::new(std::iter::empty()),
        }
    };
    let (views, next) =
        page.take(seqs.filter_map(|seq| Some((seq, UserView::listed(org.user(seq)?, &base)))));
    page::respond(
        &base,
        &format!("/api/v1/groups/{id}/users"),
        &params,
        page.limit,
        &views,
        next.as_deref(),
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
    let page = SeqPage::read(&params, "group-apps", 20, 200)?;
    let org = s.org.read();
    let g = org.find_group(&id)?;
    page.answer(
        &base,
        &format!("/api/v1/groups/{id}/apps"),
        &params,
        org.apps_of_group(g)
            .into_iter()
            .filter(|a| *a > page.after)
            .filter_map(|a| Some((a, app_json(org.apps.get(&a)?, &base, false)))),
    )
}
