//! `GET /api/v1/users`: plain listing, `q`, `filter` and `search` (with `sortBy`).

use std::ops::Bound;
use std::sync::Arc;

use axum::extract::State;
use axum::response::Response;
use serde_json::Value;

use super::page::{self, SeqPage};
use super::search::ListQuery;
use crate::error::ApiResult;
use crate::http::{BaseUrl, Params};
use crate::query::{self, Dialect, Record, Val};
use crate::render::UserView;
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
    let lq = ListQuery::read(&params, Dialect::UserFilter, Dialect::UserSearch)?;
    let limit = page::limit(&params, if lq.q.is_some() { 10 } else { 200 }, 200)?;
    let org = s.org.read();
    // `search` is eventually consistent: with a consistency lag it sees the users of the lag ago.
    let searched = if lq.search {
        org.searched_users()
    } else {
        None
    };
    let keep = |u: &User| match &lq.expr {
        Some(e) => query::matches(e, u, lq.search),
        None => u.status != Status::Deprovisioned,
    };
    let (users, next) = if let Some(q) = lq.q {
        // `q`: prefix of firstName, lastName or email; not paginated; DEPROVISIONED hidden.
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
        let users: Vec<&User> = org.users.values().filter(|u| hit(u)).take(limit).collect();
        (users, None)
    } else if let Some((sort_by, desc)) = lq.sort {
        let rows: Vec<(String, &str, &User)> = searched
            .iter()
            .flatten()
            .copied()
            .chain(
                searched
                    .is_none()
                    .then(|| org.users.values())
                    .into_iter()
                    .flatten(),
            )
            .filter(|u| keep(u))
            .map(|u| (sort_key(u, sort_by), u.id.as_str(), u))
            .collect();
        page::take_sorted(&params, "users-sorted", limit, desc, rows)?
    } else {
        let page = SeqPage::with_limit(&params, "users", limit)?;
        let rows: Box<dyn Iterator<Item = &User>> = match &searched {
            Some(users) => {
                let start = users.partition_point(|u| u.seq <= page.after);
                Box::new(users[start..].iter().copied())
            }
            None => Box::new(
                org.users
                    .range((Bound::Excluded(page.after), Bound::Unbounded))
                    .map(|(_, u)| u),
            ),
        };
        page.take(rows.filter(|u| keep(u)).map(|u| (u.seq, u)))
    };
    let views: Vec<UserView<'_>> = users
        .into_iter()
        .map(|user| UserView::listed(user, &base))
        .collect();
    page::respond(
        &base,
        "/api/v1/users",
        &params,
        limit,
        &views,
        next.as_deref(),
    )
}
