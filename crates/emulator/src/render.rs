//! JSON views of stored objects, in Okta's shape and key order.
//!
//! Views borrow the stored object and the request's base URL and serialise straight into the
//! response buffer (no intermediate `serde_json::Value`), which keeps 200-user pages cheap.
//! `_links`: a single user lists the lifecycle operations valid in its status; users inside
//! collections only carry `self` (Okta, BEHAVIOR.md §1).

use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::{Value, json};

use crate::store::{
    App, AppGroupAssignment, AppUserAssignment, Group, GroupType, Org, Status, User,
};
use crate::util::fmt_ts;

struct Ts(Option<i64>);
impl Serialize for Ts {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Some(t) => s.collect_str(&crate::util::Iso(t)),
            None => s.serialize_none(),
        }
    }
}

/// Two strings serialised as one, without allocating.
struct Concat<'a>(&'a str, &'a str);
impl Serialize for Concat<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&format_args!("{}{}", self.0, self.1))
    }
}

/// A JSON object with fixed string entries, without building a `serde_json::Value`.
struct Obj<'a, const N: usize>([(&'a str, &'a str); N]);
impl<const N: usize> Serialize for Obj<'_, N> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(N))?;
        for (k, v) in &self.0 {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

struct Href<'a>(&'a str, &'a str, Option<&'a str>);
impl Serialize for Href<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("href", &Concat(self.0, self.1))?;
        if let Some(method) = self.2 {
            m.serialize_entry("method", method)?;
        }
        m.end()
    }
}

/// How much of a user to render.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum UserLinks {
    /// Collections: `_links.self` only.
    SelfOnly,
    /// Single user: lifecycle links for its status.
    Full,
}

/// A user as Okta renders it.
pub(crate) struct UserView<'a> {
    pub user: &'a User,
    pub base: &'a str,
    pub links: UserLinks,
}

impl<'a> UserView<'a> {
    /// A user as lists render it (only the `self` link).
    pub(crate) fn listed(user: &'a User, base: &'a str) -> Self {
        UserView {
            user,
            base,
            links: UserLinks::SelfOnly,
        }
    }
}

impl Serialize for UserView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let u = self.user;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("id", &u.id)?;
        m.serialize_entry("status", u.status.as_str())?;
        m.serialize_entry("created", &Ts(Some(u.created)))?;
        m.serialize_entry("activated", &Ts(u.activated))?;
        m.serialize_entry("statusChanged", &Ts(u.status_changed))?;
        m.serialize_entry("lastLogin", &Ts(u.last_login))?;
        m.serialize_entry("lastUpdated", &Ts(Some(u.last_updated)))?;
        m.serialize_entry("passwordChanged", &Ts(u.password_changed))?;
        m.serialize_entry("type", &Obj([("id", u.type_id.as_str())]))?;
        m.serialize_entry("profile", &u.profile)?;
        m.serialize_entry("credentials", &Credentials(u, true))?;
        m.serialize_entry("_links", &UserLinksView(self))?;
        m.end()
    }
}

/// `credentials` of a user (password never echoed: `{}` when one exists).
///
/// The flag says whether to include `emails` (user objects do; credential-operation responses
/// don't, as recorded).
pub(crate) struct Credentials<'a>(pub &'a User, pub bool);

impl Serialize for Credentials<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let u = self.0;
        let mut m = s.serialize_map(None)?;
        if u.has_password() {
            m.serialize_entry("password", &Obj([]))?;
        }
        if self.1
            && u.is_okta_sourced()
            && let Some(email) = u.profile.get("email").and_then(Value::as_str)
        {
            m.serialize_entry(
                "emails",
                &[Obj([
                    ("value", email),
                    ("status", "VERIFIED"),
                    ("type", "PRIMARY"),
                ])],
            )?;
        }
        if let Some((q, _)) = &u.recovery_question {
            m.serialize_entry("recovery_question", &Obj([("question", q.as_str())]))?;
        }
        m.serialize_entry(
            "provider",
            &Obj([
                ("type", u.provider_type.as_str()),
                ("name", u.provider_name.as_str()),
            ]),
        )?;
        m.end()
    }
}

struct UserLinksView<'a>(&'a UserView<'a>);

impl Serialize for UserLinksView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let u = self.0.user;
        let base = self.0.base;
        let me = format!("/api/v1/users/{}", u.id);
        let mut m = s.serialize_map(None)?;
        if self.0.links == UserLinks::Full {
            let post = Some("POST");
            let life = |op: &str| format!("{me}/lifecycle/{op}");
            let cred = |op: &str| format!("{me}/credentials/{op}");
            let mut actions: Vec<(&str, String)> = Vec::new();
            let pw = u.has_password() && u.is_okta_sourced();
            match u.status {
                Status::Staged => actions.push(("activate", life("activate"))),
                Status::Provisioned => {
                    actions.push(("reactivate", life("reactivate")));
                    actions.push(("deactivate", life("deactivate")));
                }
                Status::Active | Status::Recovery | Status::PasswordExpired => {
                    if u.status != Status::Recovery {
                        actions.push(("suspend", life("suspend")));
                    }
                    actions.push(("resetPassword", life("reset_password")));
                    if pw {
                        actions.push(("expirePassword", life("expire_password")));
                        actions.push(("changePassword", cred("change_password")));
                    }
                    if pw && u.status != Status::Recovery {
                        actions.push(("forgotPassword", cred("forgot_password")));
                    }
                    actions.push(("changeRecoveryQuestion", cred("change_recovery_question")));
                    actions.push(("deactivate", life("deactivate")));
                }
                Status::LockedOut => {
                    actions.push(("unlock", life("unlock")));
                    actions.push(("resetPassword", life("reset_password")));
                    if pw {
                        actions.push(("expirePassword", life("expire_password")));
                    }
                    actions.push(("deactivate", life("deactivate")));
                }
                Status::Suspended => {
                    actions.push(("unsuspend", life("unsuspend")));
                    actions.push(("deactivate", life("deactivate")));
                }
                Status::Deprovisioned => actions.push(("activate", life("activate"))),
            }
            if u.status != Status::Deprovisioned {
                actions.push(("resetFactors", life("reset_factors")));
            }
            for (name, path) in &actions {
                m.serialize_entry(name, &Href(base, path, post))?;
            }
            m.serialize_entry(
                "schema",
                &Href(
                    base,
                    &format!(
                        "/api/v1/meta/schemas/user/{}",
                        crate::schema::schema_id_of_type(&u.type_id)
                    ),
                    None,
                ),
            )?;
            m.serialize_entry(
                "type",
                &Href(
                    base,
                    &format!("/api/v1/meta/types/user/{}", u.type_id),
                    None,
                ),
            )?;
        }
        m.serialize_entry("self", &Href(base, &me, None))?;
        m.end()
    }
}

/// A group as Okta renders it.
pub(crate) struct GroupView<'a> {
    pub group: &'a Group,
    pub base: &'a str,
    /// `expand=stats`: embed counts.
    pub stats: Option<(usize, usize)>,
}

const LOGO_MEDIUM: &str = "https://ok12static.oktacdn.com/assets/img/logos/groups/odyssey/okta-medium.30ce6d4085dff29412984e4c191bc874.png";
const LOGO_LARGE: &str = "https://ok12static.oktacdn.com/assets/img/logos/groups/odyssey/okta-large.c3cb8cda8ae0add1b4fe928f5844dbe3.png";

impl Serialize for GroupView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let g = self.group;
        let base = self.base;
        let me = format!("/api/v1/groups/{}", g.id);
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("id", &g.id)?;
        m.serialize_entry("created", &Ts(Some(g.created)))?;
        m.serialize_entry("lastUpdated", &Ts(Some(g.last_updated)))?;
        m.serialize_entry(
            "lastMembershipUpdated",
            &Ts(Some(g.last_membership_updated)),
        )?;
        let class = match g.kind {
            GroupType::App => "okta:windows_security_principal",
            _ => "okta:user_group",
        };
        m.serialize_entry("objectClass", &[class])?;
        m.serialize_entry("type", g.kind.as_str())?;
        m.serialize_entry("profile", &g.profile)?;
        if let Some((users, apps)) = self.stats {
            m.serialize_entry(
                "_embedded",
                &json!({ "stats": {
                    "usersCount": users, "appsCount": apps, "groupPushMappingsCount": 0,
                    "hasAdminPrivilege": false,
                    "_links": { "self": { "href": format!("{base}{me}/stats") } }
                }}),
            )?;
        }
        let mut links = serde_json::Map::new();
        links.insert(
            "logo".into(),
            json!([
                { "name": "medium", "href": LOGO_MEDIUM, "type": "image/png" },
                { "name": "large", "href": LOGO_LARGE, "type": "image/png" }
            ]),
        );
        if let Some(app) = &g.source_app {
            links.insert(
                "source".into(),
                json!({ "href": format!("{base}/api/v1/apps/{app}") }),
            );
        }
        links.insert(
            "users".into(),
            json!({ "href": format!("{base}{me}/users") }),
        );
        links.insert("apps".into(), json!({ "href": format!("{base}{me}/apps") }));
        m.serialize_entry("_links", &links)?;
        m.end()
    }
}

/// An app as Okta renders it: the stored body plus server-owned fields and links.
/// `client_secret` is shown only when `with_secret` (the create response), as Okta does.
pub(crate) fn app_json(app: &App, base: &str, with_secret: bool) -> Value {
    let mut out = serde_json::Map::new();
    out.insert("id".into(), json!(app.id));
    for key in ["name", "label"] {
        out.insert(
            key.into(),
            app.body.get(key).cloned().unwrap_or(Value::Null),
        );
    }
    out.insert("status".into(), json!(app.status));
    out.insert("lastUpdated".into(), json!(fmt_ts(app.last_updated)));
    out.insert("created".into(), json!(fmt_ts(app.created)));
    for (k, v) in &app.body {
        if !matches!(
            k.as_str(),
            "id" | "status" | "created" | "lastUpdated" | "_links" | "_embedded" | "name" | "label"
        ) {
            out.insert(k.clone(), v.clone());
        }
    }
    out.entry("features").or_insert_with(|| json!([]));
    if app.body.get("signOnMode").and_then(Value::as_str) == Some("OPENID_CONNECT") {
        let creds = out.entry("credentials").or_insert_with(|| json!({}));
        if let Some(c) = creds.as_object_mut() {
            let oc = c.entry("oauthClient").or_insert_with(|| json!({}));
            if let Some(oc) = oc.as_object_mut() {
                oc.insert("client_id".into(), json!(app.id));
                if !with_secret {
                    oc.remove("client_secret");
                }
                oc.entry("autoKeyRotation").or_insert(json!(true));
                oc.entry("token_endpoint_auth_method")
                    .or_insert(json!("client_secret_basic"));
            }
        }
    }
    let me = format!("{base}/api/v1/apps/{}", app.id);
    // Recorded apps carry no `self` link; the lifecycle link follows the status.
    let mut links = serde_json::Map::new();
    links.insert("appLinks".into(), json!([]));
    links.insert("groups".into(), json!({ "href": format!("{me}/groups") }));
    links.insert(
        "logo".into(),
        json!([{ "name": "medium", "href": LOGO_MEDIUM, "type": "image/png" }]),
    );
    links.insert("users".into(), json!({ "href": format!("{me}/users") }));
    if app.status == "ACTIVE" {
        links.insert(
            "deactivate".into(),
            json!({ "href": format!("{me}/lifecycle/deactivate") }),
        );
    } else {
        links.insert(
            "activate".into(),
            json!({ "href": format!("{me}/lifecycle/activate") }),
        );
    }
    out.insert("_links".into(), Value::Object(links));
    Value::Object(out)
}

/// `ApplicationGroupAssignment`.
pub(crate) fn app_group_json(
    app: &App,
    group: &Group,
    a: &AppGroupAssignment,
    base: &str,
) -> Value {
    json!({
        "id": group.id,
        "lastUpdated": fmt_ts(a.last_updated),
        "priority": a.priority,
        "profile": a.profile,
        "_links": {
            "app": { "href": format!("{base}/api/v1/apps/{}", app.id) },
            "self": { "href": format!("{base}/api/v1/apps/{}/groups/{}", app.id, group.id) },
            "group": { "href": format!("{base}/api/v1/groups/{}", group.id) },
        }
    })
}

/// `AppUser`.
pub(crate) fn app_user_json(app: &App, user: &User, a: &AppUserAssignment, base: &str) -> Value {
    json!({
        "id": user.id,
        "externalId": null,
        "created": fmt_ts(a.created),
        "lastUpdated": fmt_ts(a.last_updated),
        "scope": "USER",
        "status": "ACTIVE",
        "statusChanged": fmt_ts(a.created),
        "passwordChanged": null,
        "syncState": "DISABLED",
        "credentials": { "userName": user.login() },
        "profile": a.profile,
        "_links": {
            "app": { "href": format!("{base}/api/v1/apps/{}", app.id) },
            "user": { "href": format!("{base}/api/v1/users/{}", user.id) },
        }
    })
}

/// One entry of `GET /users/{id}/appLinks`.
pub(crate) fn app_link_json(org: &Org, app: &App, user: &User, base: &str) -> Value {
    json!({
        "id": crate::util::okta_id("0ua", org.salt, app.seq.wrapping_mul(1_000_003) ^ user.seq),
        "label": app.label(),
        "linkUrl": format!("{base}/home/{}/{}/aln{}", app.name(), app.id, &app.id[3..]),
        "logoUrl": LOGO_MEDIUM,
        "appName": app.name(),
        "appInstanceId": app.id,
        "appAssignmentId": crate::util::okta_id("0ua", org.salt, app.seq ^ user.seq.rotate_left(17)),
        "credentialsSetup": false,
        "hidden": false,
        "sortOrder": 0,
    })
}

/// A user's device-based blocks (`GET /users/{id}/blocks`).
pub(crate) fn blocks_json(user: &User) -> Vec<Value> {
    user.blocks
        .iter()
        .map(|b| serde_json::json!({ "type": "DEVICE_BASED", "appliesTo": b.applies_to }))
        .collect()
}
