//! Middleware keeping part 2's state consistent with part 1's deletions, and re-running group
//! rules on membership changes:
//! - a user deleted for good takes their factors, grants, refresh and access tokens, linked
//!   objects and rule-added memberships with them;
//! - a deleted app takes its scope grants, its users' grants and refresh tokens, and its access
//!   tokens; a deactivated app's access tokens are revoked (Okta revokes tokens of deactivated
//!   clients \[unconfirmed\]);
//! - adding or removing a group member re-evaluates the group rules for that user (expressions
//!   may test group membership);
//! - deactivating or suspending a user ends their sign-in sessions.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;

use crate::server::Shared;
use crate::store::Org;

enum Target {
    User(String),
    App(String, bool),
    Member(String),
    /// Deactivation and suspension end the user's sign-in sessions.
    Sessions(String),
}

fn resolve(org: &Org, method: &Method, path: &str) -> Option<Target> {
    let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    match (method.as_str(), segs.as_slice()) {
        ("DELETE", ["api", "v1", "users", id]) => org
            .user_seq(id)
            .and_then(|s| org.user(s))
            .map(|u| Target::User(u.id.clone())),
        (
            "POST",
            [
                "api",
                "v1",
                "users",
                id,
                "lifecycle",
                "deactivate" | "suspend",
            ],
        ) => org
            .user_seq(id)
            .and_then(|s| org.user(s))
            .map(|u| Target::Sessions(u.id.clone())),
        ("DELETE", ["api", "v1", "apps", id]) => Some(Target::App((*id).to_owned(), true)),
        ("POST", ["api", "v1", "apps", id, "lifecycle", "deactivate"]) => {
            Some(Target::App((*id).to_owned(), false))
        }
        ("PUT" | "DELETE", ["api", "v1", "groups", _, "users", uid]) => {
            Some(Target::Member((*uid).to_owned()))
        }
        _ => None,
    }
}

pub(crate) async fn hook(State(s): State<Arc<Shared>>, req: Request, next: Next) -> Response {
    let target = {
        let org = s.org.read();
        resolve(&org, req.method(), req.uri().path())
    };
    let resp = next.run(req).await;
    if !resp.status().is_success() {
        return resp;
    }
    match target {
        Some(Target::User(uid)) => {
            let mut org = s.org.write();
            if org.user_seq(&uid).is_none() {
                purge_user(&mut org, &uid);
            }
        }
        Some(Target::App(aid, deleted)) => {
            let mut org = s.org.write();
            let ext = &mut org.ext;
            ext.auth.tokens.revoke_where(|t| t.client_id == aid);
            if deleted {
                ext.app_grants.remove(&aid);
                ext.user_grants.retain(|_, g| g.client_id != aid);
                ext.refresh_tokens.retain(|_, t| t.client_id != aid);
            }
        }
        Some(Target::Sessions(uid)) => {
            super::sessions::end_user_sessions(&mut s.org.write(), &uid);
        }
        Some(Target::Member(uid)) => {
            let seq = s.org.read().user_seq(&uid);
            if let Some(seq) = seq {
                super::group_rules::schedule(&s, super::group_rules::Scope::User(seq));
            }
        }
        None => {}
    }
    resp
}

fn purge_user(org: &mut Org, uid: &str) {
    super::sessions::end_user_sessions(org, uid);
    let ext = &mut org.ext;
    let gone: Vec<String> = ext
        .factors
        .values()
        .filter(|f| f.user_id == uid)
        .map(|f| f.id.clone())
        .collect();
    ext.factors.retain(|_, f| f.user_id != uid);
    for fid in gone {
        ext.pushes.remove_factor(&fid);
        ext.factor_limits.clear_factor(&fid);
    }
    ext.user_grants.retain(|_, g| g.user_id != uid);
    ext.refresh_tokens.retain(|_, t| t.user_id != uid);
    ext.auth
        .tokens
        .revoke_where(|t| t.user_id.as_deref() == Some(uid));
    ext.linked_values
        .retain(|(_, assoc), primary| assoc != uid && primary != uid);
    for r in ext.rules.values_mut() {
        r.added.retain(|(u, _)| u != uid);
    }
}
