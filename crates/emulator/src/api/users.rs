//! `/api/v1/users`: create, get, update, replace, delete (listing is in `users_list`).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::Response;
use serde_json::{Map, Value};

use super::password::{password_error, password_ok};
use crate::background::run_rules_later;
use crate::error::{self, ApiError, ApiResult};
use crate::http::{BaseUrl, Params, json_ok, no_content, parse_json};
use crate::render::{UserLinks, UserView, blocks_json};
use crate::schema::ProfileSchema;
use crate::state::Shared;
use crate::store::{DEFAULT_USER_TYPE, Org, Status, User};
use crate::util::now_secs;

fn is_emailish(s: &str) -> bool {
    let Some((local, domain)) = s.rsplit_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !s.contains(' ')
}

/// Validates the base profile attributes Okta's default schema requires.
/// Base attributes of Okta's default user schema (all strings) and their maximum lengths.
const BASE_ATTRIBUTES: &[(&str, usize)] = &[
    ("city", 128),
    ("costCenter", 0),
    ("countryCode", 2),
    ("department", 0),
    ("displayName", 0),
    ("division", 0),
    ("email", 100),
    ("employeeNumber", 0),
    ("firstName", 50),
    ("honorificPrefix", 0),
    ("honorificSuffix", 0),
    ("lastName", 50),
    ("locale", 0),
    ("login", 100),
    ("manager", 0),
    ("managerId", 0),
    ("middleName", 0),
    ("mobilePhone", 100),
    ("nickName", 0),
    ("organization", 0),
    ("postalAddress", 4096),
    ("preferredLanguage", 0),
    ("primaryPhone", 100),
    ("profileUrl", 0),
    ("secondEmail", 100),
    ("state", 128),
    ("streetAddress", 1024),
    ("timezone", 0),
    ("title", 0),
    ("userType", 0),
    ("zipCode", 50),
];

/// Checks the base attributes, then the user type's schema (custom properties, properties the
/// schema lacks, uniqueness). `me`: the user being updated.
fn check_profile(
    org: &Org,
    type_id: &str,
    me: Option<u64>,
    p: &Map<String, Value>,
) -> ApiResult<()> {
    validate_profile(p, org.user_schema(type_id))?;
    org.check_user_profile(type_id, me, p)
        .map_err(crate::schema::SchemaError::api)
}

fn validate_profile(p: &Map<String, Value>, schema: &ProfileSchema) -> ApiResult<()> {
    let mut causes = Vec::new();
    for (attr, max) in BASE_ATTRIBUTES {
        match p.get(*attr) {
            None | Some(Value::Null) => {}
            Some(Value::String(s)) => {
                if *max > 0
                    && s.chars().count() > *max
                    && !matches!(*attr, "login" | "firstName" | "lastName")
                {
                    causes.push(format!("{attr}: The field cannot exceed {max} characters"));
                }
            }
            Some(_) if matches!(*attr, "login" | "email" | "firstName" | "lastName") => {}
            Some(_) => causes.push(format!("{attr}: Does not match required type")),
        }
    }
    let text = |k: &str| {
        p.get(k)
            .and_then(Value::as_str)
            .map(str::trim)
            .unwrap_or("")
    };
    for field in ["login", "email", "firstName", "lastName"] {
        match p.get(field) {
            Some(Value::String(s)) if !s.trim().is_empty() => {}
            Some(v) if !v.is_null() && !v.is_string() => {
                causes.push(format!("{field}: Does not match required type"))
            }
            // The schema may make firstName and lastName nullable.
            _ if !schema.required(field) => {}
            _ => causes.push(format!("{field}: The field cannot be left blank")),
        }
    }
    let login = text("login");
    let pattern = schema
        .property("login")
        .and_then(|l| l.get("pattern"))
        .and_then(Value::as_str)
        .and_then(|p| regex::Regex::new(&format!("^(?:{p})$")).ok());
    if !login.is_empty() {
        if let Some(re) = pattern {
            if !re.is_match(login) {
                causes.push("login: Does not match required pattern".into());
            }
        } else if !is_emailish(login) {
            causes.push("login: Username must be in the form of an email address".into());
        } else if login.chars().count() > 100 || login.chars().count() < 5 {
            causes.push("login: The field must be between 5 and 100 characters".into());
        }
    }
    let email = text("email");
    if !email.is_empty() && !is_emailish(email) {
        causes.push("email: Does not match required pattern".into());
    }
    for field in ["firstName", "lastName"] {
        if text(field).chars().count() > 50 {
            causes.push(format!("{field}: The field cannot exceed 50 characters"));
        }
    }
    if causes.is_empty() {
        return Ok(());
    }
    let field = causes[0].split(':').next().unwrap_or("profile").to_owned();
    let mut e = ApiError::with_detail(error::E0000001, &field);
    e.causes = causes;
    Err(e)
}

fn with_base_nulls(mut p: Map<String, Value>) -> Map<String, Value> {
    for k in ["mobilePhone", "secondEmail"] {
        p.entry(k).or_insert(Value::Null);
    }
    p
}

/// What `credentials` in a create/update body asks for.
#[derive(Default)]
struct CredInput {
    password: Option<String>,
    hashed: bool,
    recovery: Option<(String, String)>,
    provider: Option<(String, String)>,
}

fn read_credentials(body: &Value) -> ApiResult<CredInput> {
    let mut out = CredInput::default();
    let Some(c) = body.get("credentials").filter(|c| !c.is_null()) else {
        return Ok(out);
    };
    if !c.is_object() {
        return Err(ApiError::new(error::E0000003));
    }
    if let Some(pw) = c.get("password").filter(|p| !p.is_null()) {
        if let Some(v) = pw.get("value").and_then(Value::as_str) {
            out.password = Some(v.to_owned());
        } else if pw.get("hash").is_some_and(Value::is_object)
            || pw.get("hook").is_some_and(Value::is_object)
        {
            out.hashed = true;
        }
    }
    if let Some(rq) = c.get("recovery_question").filter(|p| !p.is_null()) {
        let q = rq
            .get("question")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned();
        let a = rq
            .get("answer")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned();
        if q.trim().is_empty() {
            return Err(ApiError::validation(
                "recovery_question",
                "The security question must be specified",
            ));
        }
        if a.chars().count() < 4 {
            return Err(ApiError::validation(
                "recovery_question",
                "The security question answer must be at least 4 characters in length",
            ));
        }
        out.recovery = Some((q, a));
    }
    if let Some(p) = c.get("provider").filter(|p| !p.is_null()) {
        let t = p
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or("OKTA")
            .to_owned();
        let n = p
            .get("name")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .unwrap_or_else(|| t.clone());
        out.provider = Some((t, n));
    }
    Ok(out)
}

fn render_one(user: &User, base: &str) -> Response {
    let mut resp = json_ok(&UserView {
        user,
        base,
        links: UserLinks::Full,
    });
    if let Ok(v) = HeaderValue::from_str(&etag(user)) {
        resp.headers_mut().insert(header::ETAG, v);
    }
    resp
}

/// A weak ETag over everything a client can see of the user (SipHash with fixed keys, so it is
/// stable for a given state within a build).
pub(crate) fn etag(user: &User) -> String {
    use std::hash::{Hash, Hasher};
    let bytes = serde_json::to_vec(&UserView {
        user,
        base: "",
        links: UserLinks::Full,
    })
    .unwrap_or_default();
    let mut h = std::collections::hash_map::DefaultHasher::new();
    bytes.hash(&mut h);
    format!("W/\"{:016x}\"", h.finish())
}

/// `If-Match` on update/replace: malformed → 400 E0000242, stale → 412 E0000231.
fn check_if_match(headers: &HeaderMap, user: &User) -> ApiResult<()> {
    let Some(raw) = headers.get(header::IF_MATCH) else {
        return Ok(());
    };
    let raw = raw
        .to_str()
        .map_err(|_| ApiError::new(error::E0000242))?
        .trim();
    if raw == "*" {
        return Ok(());
    }
    let current = etag(user);
    let opaque = |t: &str| t.trim().trim_start_matches("W/").to_owned();
    let mut any = false;
    for tag in raw.split(',') {
        let tag = tag.trim();
        let body = tag.trim_start_matches("W/");
        if body.len() < 2 || !body.starts_with('"') || !body.ends_with('"') {
            return Err(ApiError::new(error::E0000242));
        }
        any |= opaque(tag) == opaque(&current);
    }
    if any {
        Ok(())
    } else {
        Err(ApiError::new(error::E0000231))
    }
}

/// `POST /api/v1/users`
pub(crate) async fn create(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    params: Params,
    body: Bytes,
) -> ApiResult<Response> {
    let body = parse_json(&body)?;
    if !body.is_object() {
        return Err(if body.is_null() {
            ApiError::validation("profile", "The field cannot be left blank")
        } else {
            ApiError::new(error::E0000003)
        });
    }
    let activate = params.flag("activate", true);
    let provider_mode = params.flag("provider", false);
    let next_login = params.get("nextLogin").filter(|v| !v.is_empty());
    let Some(profile) = body.get("profile").and_then(Value::as_object).cloned() else {
        return Err(ApiError::validation(
            "profile",
            "The field cannot be left blank",
        ));
    };
    let creds = read_credentials(&body)?;
    let federated = creds
        .provider
        .as_ref()
        .is_some_and(|(t, _)| t == "FEDERATION" || t == "SOCIAL");
    if federated && (creds.password.is_some() || creds.hashed) {
        return Err(ApiError::validation(
            "password",
            "Passwords are not allowed for users with an external provider",
        ));
    }
    if let Some(nl) = next_login {
        if nl != "changePassword" {
            return Err(ApiError::validation(
                "nextLogin",
                "Invalid value; the only supported value is changePassword",
            ));
        }
        if !activate {
            let e = ApiError::new(error::E0000125);
            let summary = e.summary.clone();
            return Err(e.cause(summary));
        }
        if creds.password.is_none() && !creds.hashed {
            let e = ApiError::new(error::E0000124);
            let summary = e.summary.clone();
            return Err(e.cause(summary));
        }
    }
    if let Some(pw) = &creds.password
        && !password_ok(pw, &profile)
    {
        return Err(password_error());
    }
    let group_ids: Vec<String> = match body.get("groupIds") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect(),
        Some(_) => return Err(ApiError::new(error::E0000003)),
    };
    if group_ids.len() > 20 {
        return Err(
            ApiError::new(error::E0000093).cause("The number of group targets is too large")
        );
    }
    let type_id = body
        .get("type")
        .and_then(|t| t.get("id"))
        .and_then(Value::as_str)
        .unwrap_or(DEFAULT_USER_TYPE)
        .to_owned();

    let now = now_secs();
    let mut org = s.org.write();
    check_profile(&org, &type_id, None, &profile)?;
    let mut groups = Vec::new();
    for gid in &group_ids {
        // Okta documents only 200/400/403/429 for createUser: an unknown group is a validation error.
        groups.push(org.group_seq(gid).ok_or_else(|| {
            ApiError::with_detail(error::E0000001, "groupIds")
                .cause(format!("groupIds: Group {gid} does not exist"))
        })?);
    }
    let login = profile.get("login").and_then(Value::as_str).unwrap_or("");
    if org.login_owner(login).is_some() {
        return Err(ApiError::validation(
            "login",
            "An object with this field already exists in the current organization",
        ));
    }
    let has_password = creds.password.is_some() || creds.hashed;
    let status = if !activate {
        Status::Staged
    } else if federated {
        Status::Active
    } else if has_password {
        if next_login.is_some() {
            Status::PasswordExpired
        } else {
            Status::Active
        }
    } else {
        // Okta's default policy needs a password: the user gets an activation email.
        Status::Provisioned
    };
    let (provider_type, provider_name) = match (&creds.provider, creds.hashed) {
        (Some((t, n)), _) if t != "OKTA" || provider_mode => (t.clone(), n.clone()),
        (_, true) => ("IMPORT".to_owned(), "IMPORT".to_owned()),
        _ => ("OKTA".to_owned(), "OKTA".to_owned()),
    };
    let (seq, id) = org.next_id("00u");
    let user = User {
        seq,
        id,
        status,
        created: now,
        activated: matches!(status, Status::Active | Status::PasswordExpired).then_some(now),
        status_changed: (status != Status::Staged).then_some(now),
        last_login: None,
        last_updated: now,
        password_changed: has_password.then_some(now),
        type_id,
        profile: with_base_nulls(profile),
        // A hashed/hook password is "some password we can't check": keep a marker no client can send.
        password: creds
            .password
            .or(has_password.then(|| "\u{0}imported".to_owned())),
        recovery_question: creds.recovery,
        provider_type,
        provider_name,
        blocks: Vec::new(),
        idps: Vec::new(),
        sessions_revoked: 0,
        oauth_tokens_revoked: 0,
    };
    org.insert_user(user);
    // Every user joins the built-in Everyone group.
    let everyone = org.everyone;
    if let Some(g) = org.group_mut(everyone) {
        g.last_membership_updated = now;
    }
    for g in groups {
        if org.add_member(g, seq)
            && let Some(group) = org.group_mut(g)
        {
            group.last_membership_updated = now;
        }
    }
    org.queue_rules_for_new_users();
    run_rules_later(&s, &org);
    let user = org
        .user(seq)
        .ok_or_else(|| ApiError::new(error::E0000009))?;
    Ok(render_one(user, &base))
}

/// `GET /api/v1/users/{idOrLogin}`
pub(crate) async fn get(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    params: Params,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let org = s.org.read();
    let seq = org.find_user(&id)?;
    let user = org
        .user(seq)
        .ok_or_else(|| ApiError::not_found(&id, "User"))?;
    if params
        .get("expand")
        .is_some_and(|e| e.split(',').any(|x| x == "blocks"))
    {
        let mut v = serde_json::to_value(UserView {
            user,
            base: &base,
            links: UserLinks::Full,
        })
        .map_err(|_| ApiError::new(error::E0000009))?;
        if let Some(o) = v.as_object_mut() {
            o.insert(
                "_embedded".into(),
                serde_json::json!({ "blocks": blocks_json(user) }),
            );
        }
        let mut resp = json_ok(&v);
        if let Ok(tag) = HeaderValue::from_str(&etag(user)) {
            resp.headers_mut().insert(header::ETAG, tag);
        }
        return Ok(resp);
    }
    Ok(render_one(user, &base))
}

/// `POST /api/v1/users/{id}` (partial) and `PUT` (replace, `replace == true`).
async fn update(
    s: Arc<Shared>,
    base: String,
    params: Params,
    headers: HeaderMap,
    id: String,
    body: Bytes,
    replace: bool,
) -> ApiResult<Response> {
    let body = parse_json(&body)?;
    if !body.is_object() {
        return Err(ApiError::new(error::E0000003));
    }
    let strict = params.flag("strict", false);
    let creds = read_credentials(&body)?;
    // A PUT that carries only credentials keeps the profile (recorded: 200, passwordChanged
    // moves); one with neither is refused.
    let credentials_only = body.get("credentials").is_some_and(Value::is_object);
    let new_profile = match body.get("profile") {
        None | Some(Value::Null) if replace && !credentials_only => {
            return Err(ApiError::validation(
                "profile",
                "The field cannot be left blank",
            ));
        }
        None | Some(Value::Null) => None,
        Some(Value::Object(p)) => Some(p.clone()),
        Some(_) => return Err(ApiError::new(error::E0000003)),
    };
    let now = now_secs();
    let mut org = s.org.write();
    let seq = org.find_user(&id)?;
    let current = org
        .user(seq)
        .ok_or_else(|| ApiError::not_found(&id, "User"))?;
    check_if_match(&headers, current)?;
    let merged = match new_profile {
        Some(p) if replace => with_base_nulls(p),
        Some(p) => {
            let mut m = current.profile.clone();
            for (k, v) in p {
                m.insert(k, v);
            }
            m
        }
        None => current.profile.clone(),
    };
    let type_id = body
        .get("type")
        .and_then(|t| t.get("id"))
        .and_then(Value::as_str)
        .filter(|_| replace)
        .unwrap_or(&current.type_id)
        .to_owned();
    check_profile(&org, &type_id, Some(seq), &merged)?;
    let new_login = merged
        .get("login")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_owned();
    if org
        .login_owner(&new_login)
        .is_some_and(|owner| owner != seq)
    {
        return Err(ApiError::validation(
            "login",
            "An object with this field already exists in the current organization",
        ));
    }
    if let Some(pw) = &creds.password {
        if !password_ok(pw, &merged) {
            return Err(password_error());
        }
        if strict && current.password.as_deref() == Some(pw.as_str()) {
            return Err(ApiError::validation(
                "password",
                "Password has been used too recently",
            ));
        }
    }
    let old_login = current.login().to_owned();
    let Some(user) = org.user_mut(seq) else {
        return Err(ApiError::not_found(&id, "User"));
    };
    user.profile = merged;
    user.last_updated = now;
    let mut credential_events = Vec::new();
    if let Some(pw) = creds.password {
        user.password = Some(pw);
        user.password_changed = Some(now);
        credential_events.push("user.account.update_password");
    }
    if let Some(rq) = creds.recovery {
        user.recovery_question = Some(rq);
        credential_events.push("user.account.update_recovery_question");
    }
    if replace && let Some((t, n)) = creds.provider {
        if (t.as_str(), n.as_str()) != (user.provider_type.as_str(), user.provider_name.as_str()) {
            // [unconfirmed] the event Okta logs when a user's credential provider changes.
            credential_events.push("user.lifecycle.password_mode.change");
        }
        user.provider_type = t;
        user.provider_name = n;
    }
    if replace
        && let Some(t) = body
            .get("type")
            .and_then(|t| t.get("id"))
            .and_then(Value::as_str)
    {
        user.type_id = t.to_owned();
    }
    org.reindex_login(seq, &old_login);
    org.user_profile_updated(seq);
    for event in credential_events {
        org.user_credentials_changed(seq, event);
    }
    run_rules_later(&s, &org);
    let user = org
        .user(seq)
        .ok_or_else(|| ApiError::not_found(&id, "User"))?;
    Ok(render_one(user, &base))
}

/// `POST /api/v1/users/{id}`
pub(crate) async fn partial_update(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    params: Params,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult<Response> {
    update(s, base, params, headers, id, body, false).await
}

/// `PUT /api/v1/users/{id}`
pub(crate) async fn replace(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    params: Params,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult<Response> {
    update(s, base, params, headers, id, body, true).await
}

/// `DELETE /api/v1/users/{id}`: deactivates, or deletes a DEPROVISIONED user.
pub(crate) async fn delete(
    State(s): State<Arc<Shared>>,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let now = now_secs();
    let mut org = s.org.write();
    let seq = org.find_user(&id)?;
    let status = org.user(seq).map(|u| u.status);
    if status == Some(Status::Deprovisioned) {
        org.delete_user(seq);
    } else {
        org.set_user_status(seq, Status::Deprovisioned, now);
    }
    Ok(no_content())
}
