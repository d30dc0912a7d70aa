//! `GET /api/v1/users`: plain listing, `q`, `filter` and `search` (with `sortBy`).

use std::ops::Bound;
use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::Value;

use super::page;
use super::search::compile;
use crate::error::{self, ApiError, ApiResult};
use crate::http::{BaseUrl, Params, json_bytes};
use crate::query::{self, Dialect, Record, Val};
use crate::render::{UserLinks, UserView};
use crate::state::Shared;
use crate::store::{Status, User};

impl Record for User {
    fn field(&self, attr: &str) -> Option<Val<'_>> {
        match attr {
            "id" => Some(Val::Str(&self.id)),
            "status" => Some(Val::Str(self.status.as_str())),
            "type.id" => Some(Val::Str(&self.type_id)),
            "created" => Some(Val::Time(self.created)),
            "lastUpdated" => Some(Val::Time(self.last_updated)),
            "activated" => self.activated.map(Val::Time),
            "statusChanged" => self.status_changed.map(Val::Time),
            "lastLogin" => self.last_login.map(Val::Time),
            "passwordChanged" => self.password_changed.map(Val::Time),
            _ => attr
                .strip_prefix("profile.")
                .and_then(|k| self.profile.get(k))
                .map(Val::Json),
        }
    }
}

/// Sort key for `sortBy`: ASCII order, case-insensitive; timestamps as sortable numbers.
fn sort_key(u: &User, attr: &str) -> String {
    match u.field(attr) {
        Some(Val::Time(t)) => format!("{:020}", t + 10_000_000_000),
        Some(Val::Str(s)) => s.to_lowercase(),
        Some(Val::Json(Value::String(s))) => s.to_lowercase(),
        Some(Val::Json(Value::Number(n))) => {
            let f = n.as_f64().unwrap_or(0.0);
            format!("{:030.6}", f + 1e15)
        }
        Some(Val::Json(v)) if !v.is_null() => v.to_string().to_lowercase(),
        _ => String::new(),
    }
}

/// `GET /api/v1/users`
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
        (Some(f), _) => Some(compile(f, Dialect::UserFilter)?),
        (_, Some(x)) => Some(compile(x, Dialect::UserSearch)?),
        _ => None,
    };
    let ci = search.is_some();
    let limit = page::limit(
        &params,
        if q.is_some() && expr.is_none() {
            10
        } else {
            200
        },
        200,
    )?;
    let org = s.org.read();

    // `q`: prefix of firstName, lastName or email; not paginated; DEPROVISIONED hidden.
    if let (Some(q), None) = (q, &expr) {
        let ql = q.to_lowercase();
        let hit = |u: &User| {
            u.status != Status::Deprovisioned
                && ["firstName", "lastName", "email"].iter().any(|k| {
                    u.profile
                        .get(*k)
                        .and_then(Value::as_str)
                        .is_some_and(|v| v.to_lowercase().starts_with(&ql))
                })
        };
        let rows: Vec<UserView<'_>> = org
            .users
            .values()
            .filter(|u| hit(u))
            .take(limit)
            .map(|user| UserView {
                user,
                base: &base,
                links: UserLinks::SelfOnly,
            })
            .collect();
        return finish(&base, &params, limit, rows, None);
    }

    let keep = |u: &User| match &expr {
        Some(e) => query::matches(e, u, ci),
        None => u.status != Status::Deprovisioned,
    };

    if let (Some(sort_by), Some(_)) = (params.get("sortBy").filter(|v| !v.is_empty()), search) {
        let desc = params
            .get("sortOrder")
            .is_some_and(|o| o.eq_ignore_ascii_case("desc"));
        let after: Option<(String, String)> = match page::decode(&params, "users-sorted")? {
            None => None,
            Some(k) => Some(serde_json::from_str(&k).map_err(|_| ApiError::bad_cursor())?),
        };
        let mut rows: Vec<(String, &User)> = org
            .users
            .values()
            .filter(|u| keep(u))
            .map(|u| (sort_key(u, sort_by), u))
            .collect();
        rows.sort_by(|a, b| (a.0.as_str(), a.1.id.as_str()).cmp(&(b.0.as_str(), b.1.id.as_str())));
        if desc {
            rows.reverse();
        }
        let start = match &after {
            None => 0,
            Some((k, last_id)) => rows
                .iter()
                .position(|(rk, u)| {
                    let o = (rk.as_str(), u.id.as_str()).cmp(&(k.as_str(), last_id.as_str()));
                    if desc { o.is_lt() } else { o.is_gt() }
                })
                .unwrap_or(rows.len()),
        };
        let slice = &rows[start..];
        let more = slice.len() > limit;
        let taken = &slice[..slice.len().min(limit)];
        let next = if more {
            taken
                .last()
                .and_then(|(k, u)| serde_json::to_string(&(k, &u.id)).ok())
                .map(|key| page::encode("users-sorted", &key))
        } else {
            None
        };
        let views = taken
            .iter()
            .map(|(_, user)| UserView {
                user,
                base: &base,
                links: UserLinks::SelfOnly,
            })
            .collect();
        return finish(&base, &params, limit, views, next);
    }

    let after = page::decode_seq(&params, "users")?;
    let mut views = Vec::with_capacity(limit.min(1024));
    let mut more = false;
    for user in org
        .users
        .range((Bound::Excluded(after), Bound::Unbounded))
        .map(|(_, u)| u)
    {
        if !keep(user) {
            continue;
        }
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
            .map(|v| page::encode("users", &v.user.seq.to_string()))
    } else {
        None
    };
    finish(&base, &params, limit, views, next)
}

fn finish(
    base: &str,
    params: &Params,
    limit: usize,
    rows: Vec<UserView<'_>>,
    next: Option<String>,
) -> ApiResult<Response> {
    let bytes = serde_json::to_vec(&rows).map_err(|_| ApiError::new(error::E0000009))?;
    let mut resp = json_bytes(StatusCode::OK, bytes);
    page::link_headers(
        &mut resp,
        base,
        "/api/v1/users",
        params,
        limit,
        next.as_deref(),
    );
    Ok(resp)
}
