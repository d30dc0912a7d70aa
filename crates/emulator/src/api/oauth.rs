//! OAuth 2.0 over HTTP: `POST /oauth2/v1/token` (client credentials + `private_key_jwt`,
//! optional DPoP) and app scope grants (`/api/v1/apps/{appId}/grants`) that decide what an app
//! may get. `Authorization: Bearer|DPoP` on resource requests is checked before any handler, by
//! [`crate::oauth::gate`].
//!
//! The logic lives in [`crate::oauth`]; this module owns locking, the app lookup and the HTTP
//! shapes (BEHAVIOR §2, §12).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use serde_json::{Value, json};

use crate::error::{ApiError, ApiResult};
use crate::http::{BaseUrl, json_ok, json_status, no_content, parse_json};
use crate::oauth::OAuthError;
use crate::oauth::gate::{TOKEN_PATH, dpop_headers};
use crate::oauth::scopes::is_okta_scope;
use crate::oauth::token_endpoint::{ClientRegistration, TokenRequest};
use crate::state::Shared;
use crate::store::AppGrant;
use crate::store::Org;
use crate::util::{fmt_ts, now_secs};

fn form_pairs(body: &Bytes) -> Vec<(String, String)> {
    let text = std::str::from_utf8(body).unwrap_or("");
    let Ok(uri) = format!("/?{}", text.trim()).parse::<axum::http::Uri>() else {
        return Vec::new();
    };
    axum::extract::Query::<Vec<(String, String)>>::try_from_uri(&uri)
        .map(|q| q.0)
        .unwrap_or_default()
}

fn no_store(resp: &mut Response) {
    let h = resp.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
}

fn oauth_error(e: &OAuthError) -> Response {
    let status = StatusCode::from_u16(e.status).unwrap_or(StatusCode::BAD_REQUEST);
    let mut resp = json_status(status, &e.body());
    no_store(&mut resp);
    if let Some(v) = e
        .dpop_nonce
        .as_deref()
        .and_then(|n| HeaderValue::from_str(n).ok())
    {
        resp.headers_mut().insert("dpop-nonce", v);
    }
    resp
}

/// The registration of the ACTIVE OIDC app whose client id (= app id) is `client_id`.
fn registration(org: &Org, client_id: &str, base: &str) -> Option<ClientRegistration> {
    let seq = org.app_seq(client_id)?;
    let app = org.apps.get(&seq)?;
    // An INACTIVE app is answered like an unknown client. [unconfirmed]
    if app.status != "ACTIVE" {
        return None;
    }
    let scopes = org.granted_scopes(&app.id);
    ClientRegistration::from_app_json(&crate::render::app_json(app, base, false), scopes)
}

/// `POST /oauth2/v1/token` (form body).
pub(crate) async fn token(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    uri: axum::http::Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    // Parameters come in the form body; Okta's Python SDK and older Go SDKs send them in the
    // query string of the POST instead, which Okta accepts too (body wins when both have one).
    let mut form = form_pairs(&body);
    form.extend(form_pairs(&Bytes::from(
        uri.query().unwrap_or_default().to_owned(),
    )));
    let get = |k: &str| {
        form.iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.as_str())
    };
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.len() > 6 && v[..6].eq_ignore_ascii_case("basic "));
    let dpop = dpop_headers(&headers);
    let token_url = format!("{base}{TOKEN_PATH}");
    let req = TokenRequest {
        grant_type: get("grant_type"),
        scope: get("scope"),
        client_assertion_type: get("client_assertion_type"),
        client_assertion: get("client_assertion"),
        client_id: get("client_id"),
        has_client_secret: basic || get("client_secret").is_some(),
        dpop: &dpop,
        token_url: &token_url,
        now: now_secs(),
    };
    let mut org = s.org.write();
    let found = get("client_assertion")
        .and_then(crate::oauth::client_assertion::claimed_client_id)
        .and_then(|id| registration(&org, &id, &base));
    let result = org.auth.token(&req, |_| found);
    drop(org);
    match result {
        Ok(t) => {
            let mut resp = json_ok(&t.body());
            no_store(&mut resp);
            resp
        }
        Err(e) => oauth_error(&e),
    }
}

// ---- app grants ----

fn grant_json(g: &AppGrant, base: &str) -> Value {
    json!({
        "id": g.id,
        "status": "ACTIVE",
        "created": fmt_ts(g.created),
        "lastUpdated": fmt_ts(g.created),
        "createdBy": {"id": "emulator", "type": "User"},
        "issuer": g.issuer,
        "clientId": g.app_id,
        "scopeId": g.scope_id,
        "source": g.source,
        "_embedded": {"scope": {"id": g.scope_id}},
        "_links": {
            "self": {"href": format!("{base}/api/v1/apps/{}/grants/{}", g.app_id, g.id), "hints": {"allow": ["GET", "DELETE"]}},
            "app": {"href": format!("{base}/api/v1/apps/{}", g.app_id)},
            "client": {"href": format!("{base}/oauth2/v1/clients/{}", g.app_id)},
        },
    })
}

/// `POST /api/v1/apps/{appId}/grants` body `{"issuer", "scopeId"}` → 201 grant.
pub(crate) async fn create_grant(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    Path(app_id): Path<String>,
    body: Bytes,
) -> ApiResult<Response> {
    let body = parse_json(&body)?;
    let scope = body
        .get("scopeId")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let issuer = body
        .get("issuer")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let mut org = s.org.write();
    let app_id = org.find_app_id(&app_id)?;
    if issuer.is_empty() {
        return Err(ApiError::validation(
            "issuer",
            "The field cannot be left blank",
        ));
    }
    if !is_okta_scope(scope) {
        // [unconfirmed] wording; Okta refuses scopes that aren't Okta API scopes.
        return Err(ApiError::validation(
            "scopeId",
            &format!("The scope '{scope}' is not a valid Okta scope."),
        ));
    }
    let g = org.add_app_grant(&app_id, scope, issuer);
    Ok(json_status(StatusCode::CREATED, &grant_json(&g, &base)))
}

/// `GET /api/v1/apps/{appId}/grants`
pub(crate) async fn list_grants(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    Path(app_id): Path<String>,
) -> ApiResult<Response> {
    let org = s.org.read();
    let app_id = org.find_app_id(&app_id)?;
    let rows: Vec<Value> = org
        .app_grants
        .get(&app_id)
        .map(|gs| gs.iter().map(|g| grant_json(g, &base)).collect())
        .unwrap_or_default();
    Ok(json_ok(&rows))
}

/// `GET /api/v1/apps/{appId}/grants/{grantId}`
pub(crate) async fn get_grant(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    Path((app_id, grant_id)): Path<(String, String)>,
) -> ApiResult<Response> {
    let org = s.org.read();
    let app_id = org.find_app_id(&app_id)?;
    org.app_grants
        .get(&app_id)
        .and_then(|gs| gs.iter().find(|g| g.id == grant_id))
        .map(|g| json_ok(&grant_json(g, &base)))
        .ok_or_else(|| ApiError::not_found(&grant_id, "OAuth2ScopeConsentGrant"))
}

/// `DELETE /api/v1/apps/{appId}/grants/{grantId}` → 204. Tokens already issued keep their
/// scopes until they expire (Okta revokes consent, not tokens). \[unconfirmed\]
pub(crate) async fn delete_grant(
    State(s): State<Arc<Shared>>,
    Path((app_id, grant_id)): Path<(String, String)>,
) -> ApiResult<Response> {
    let mut org = s.org.write();
    let app_id = org.find_app_id(&app_id)?;
    let gs = org.app_grants.entry(app_id).or_default();
    let before = gs.len();
    gs.retain(|g| g.id != grant_id);
    if gs.len() == before {
        return Err(ApiError::not_found(&grant_id, "OAuth2ScopeConsentGrant"));
    }
    Ok(no_content())
}
