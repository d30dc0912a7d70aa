//! `POST /v1/connections/{connection_id}/passthrough`: any Okta API call of the connection's
//! org that the catalog does not cover, with the connection's credentials, pacing and retries.
//!
//! Only paths of the org's API are allowed (`/api/v1/…`, `/api/v2/…`), given as a path, never a
//! URL, so a passthrough can neither leave the org nor reach its sign-in endpoints. The answer is
//! an envelope with Okta's status, a few of its headers and its body, so an Okta error is not
//! confused with a gateway error (which stays a problem document).

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use spindle_okta::Method;
use utoipa::ToSchema;

use crate::auth::Caller;
use crate::error::{ApiError, JsonBody, Path, Problem, okta_failure};
use crate::state::AppState;

/// A call to pass through.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PassthroughRequest {
    /// The HTTP method. Read-only keys may only `GET`.
    pub method: PassthroughMethod,
    /// The org-relative API path, percent-encoded, e.g. `/api/v1/users/00u1/appLinks`.
    #[schema(pattern = r"^/api/v[0-9]+/[^?#]+$", example = "/api/v1/users")]
    pub path: String,
    /// Query parameters; a list value repeats the parameter.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub query: BTreeMap<String, QueryValue>,
    /// The JSON body to send, if any (sent as given, whatever the method).
    #[serde(default)]
    #[schema(value_type = Option<Value>)]
    pub body: Option<Value>,
}

/// The methods a passthrough may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "UPPERCASE")]
pub enum PassthroughMethod {
    /// `GET`
    Get,
    /// `POST`
    Post,
    /// `PUT`
    Put,
    /// `PATCH`
    Patch,
    /// `DELETE`
    Delete,
}

/// A query parameter's value: text, number, boolean, or a list of them.
#[derive(Debug, Deserialize)]
#[serde(
    untagged,
    expecting = "expected a string, a number, a boolean, or a list of them"
)]
pub enum QueryValue {
    /// One value.
    One(Scalar),
    /// The parameter repeated.
    Many(Vec<Scalar>),
}

/// A scalar query value.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum Scalar {
    /// Text.
    Text(String),
    /// A number.
    Number(serde_json::Number),
    /// A boolean.
    Bool(bool),
}

impl Scalar {
    fn text(&self) -> String {
        match self {
            Scalar::Text(s) => s.clone(),
            Scalar::Number(n) => n.to_string(),
            Scalar::Bool(b) => b.to_string(),
        }
    }
}

/// Where the next page is.
#[derive(Debug, Serialize, ToSchema)]
pub struct NextPage {
    /// The org-relative path.
    pub path: String,
    /// Its query parameters.
    pub query: BTreeMap<String, String>,
}

/// Okta's answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct PassthroughResponse {
    /// Okta's HTTP status.
    pub status: u16,
    /// Okta's `X-Okta-Request-Id`, `Link`, `X-Rate-Limit-*`, `Location` and `Content-Type`
    /// headers, when present.
    pub headers: BTreeMap<String, String>,
    /// The next page (`Link: rel="next"`), when there is one, as the `path` and `query` to send
    /// back in the next passthrough request.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next: Option<NextPage>,
    /// Okta's body: JSON when it sent JSON, else text; `null` when empty.
    #[schema(value_type = Value)]
    pub body: Value,
}

const KEPT_HEADERS: &[&str] = &[
    "x-okta-request-id",
    "link",
    "location",
    "content-type",
    "x-rate-limit-limit",
    "x-rate-limit-remaining",
    "x-rate-limit-reset",
];

/// Checks the method and path of a passthrough call.
fn check(request: &PassthroughRequest) -> Result<Method, ApiError> {
    let method = match request.method {
        PassthroughMethod::Get => Method::GET,
        PassthroughMethod::Post => Method::POST,
        PassthroughMethod::Put => Method::PUT,
        PassthroughMethod::Patch => Method::PATCH,
        PassthroughMethod::Delete => Method::DELETE,
    };
    check_path(&request.path)?;
    Ok(method)
}

/// An org API path: `/api/v<n>/…`, no query or fragment, no dot segments, no encoded slashes,
/// backslashes or dots that could change which path Okta serves.
pub(crate) fn check_path(path: &str) -> Result<(), ApiError> {
    let refuse = |why: &str| {
        Err(ApiError::invalid_field(
            "path",
            format!("{why}; expected an org API path such as /api/v1/users/00u1"),
        ))
    };
    if !path.starts_with('/') {
        return refuse("must be a path starting with `/`, not a URL");
    }
    let lower = path.to_ascii_lowercase();
    let version_ok = lower
        .strip_prefix("/api/v")
        .and_then(|rest| rest.split_once('/'))
        .is_some_and(|(v, rest)| {
            !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) && !rest.is_empty()
        });
    if !version_ok {
        return refuse("must be under /api/v1/ (or another /api/v<n>/)");
    }
    if path.contains('?') || path.contains('#') {
        return refuse("must not hold a query or fragment (use `query`)");
    }
    if path
        .bytes()
        .any(|b| b.is_ascii_control() || b == b' ' || b == b'\\')
    {
        return refuse("must not contain spaces, control characters or backslashes");
    }
    if path.contains("//") || path.split('/').any(|s| s == "." || s == "..") {
        return refuse("must not contain empty, `.` or `..` segments");
    }
    if ["%2e", "%2f", "%5c", "%00"]
        .iter()
        .any(|e| lower.contains(e))
    {
        return refuse("must not contain encoded dots, slashes, backslashes or NUL");
    }
    Ok(())
}

/// The path with id-like segments replaced by `{id}`: the rate-limit bucket of a passthrough
/// call (so buckets stay few however many ids are called).
fn template_of(path: &str) -> String {
    path.split('/')
        .map(|segment| {
            let id_like = segment.len() >= 10
                && segment.bytes().any(|b| b.is_ascii_digit())
                && segment
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
            if id_like || segment.contains('%') || segment.contains('@') {
                "{id}"
            } else {
                segment
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

fn next_of(link_headers: &[String], org: &url::Url) -> Option<NextPage> {
    link_headers
        .iter()
        .flat_map(|h| h.split(','))
        .find_map(|part| {
            let (target, params) = part.split_once(';')?;
            if !params.contains("rel=\"next\"") {
                return None;
            }
            let url = url::Url::parse(target.trim().trim_start_matches('<').trim_end_matches('>'))
                .ok()?;
            if url.origin() != org.origin() {
                return None;
            }
            Some(NextPage {
                path: url.path().to_owned(),
                query: url
                    .query_pairs()
                    .map(|(k, v)| (k.into_owned(), v.into_owned()))
                    .collect(),
            })
        })
}

/// The envelope of an Okta error answer (the client keeps its body and request id only).
fn error_envelope(status: u16, request_id: Option<String>, body: Value) -> PassthroughResponse {
    let mut headers = BTreeMap::new();
    if let Some(id) = request_id {
        headers.insert("x-okta-request-id".to_owned(), id);
    }
    PassthroughResponse {
        status,
        headers,
        next: None,
        body,
    }
}

/// Sends any Okta API call of the connection's org.
///
/// For calls outside the catalog: Okta's answer comes back in an envelope. Needs a `full` key for
/// anything but `GET`.
#[utoipa::path(post, path = "/v1/connections/{connection_id}/passthrough", operation_id = "passthrough", tag = "passthrough",
    params(("connection_id" = String, Path, description = "The connection's id (`conn_…`) or name")),
    request_body = PassthroughRequest,
    responses((status = 200, description = "Okta answered (with any status)", body = PassthroughResponse),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
        (status = 502, description = "Okta could not be reached", body = Problem, content_type = "application/problem+json")),
    security(("api_key" = [])))]
pub async fn passthrough(
    State(state): State<AppState>,
    caller: Caller,
    Path(connection_id): Path<String>,
    JsonBody(body): JsonBody<PassthroughRequest>,
) -> Result<Json<PassthroughResponse>, ApiError> {
    let method = check(&body)?;
    if method != Method::GET {
        caller.require_write(&format!("a passthrough {method}"))?;
    }
    let clients = state.clients(&connection_id).await?;
    let client = &clients.org;
    let mut request = client.request(method, template_of(&body.path), body.path.clone());
    for (name, value) in &body.query {
        match value {
            QueryValue::One(v) => request = request.query(name, v.text()),
            QueryValue::Many(vs) => {
                for v in vs {
                    request = request.query(name, v.text());
                }
            }
        }
    }
    if let Some(json) = &body.body {
        request = request
            .json(json)
            .map_err(|e| ApiError::invalid_field("body", e.to_string()))?;
    }
    let result = crate::calllog::scope(None, client.send(request)).await;
    match result {
        Ok(response) => {
            let mut headers = BTreeMap::new();
            for name in KEPT_HEADERS {
                let values: Vec<&str> = response.header_values(name).collect();
                if !values.is_empty() {
                    headers.insert((*name).to_owned(), values.join(", "));
                }
            }
            let links: Vec<String> = response.header_values("link").map(str::to_owned).collect();
            let body = if response.body.is_empty() {
                Value::Null
            } else {
                serde_json::from_slice(&response.body).unwrap_or_else(|_| {
                    Value::String(String::from_utf8_lossy(&response.body).into_owned())
                })
            };
            Ok(Json(PassthroughResponse {
                status: response.status,
                headers,
                next: next_of(&links, client.org_url()),
                body,
            }))
        }
        Err(spindle_okta::Error::Api {
            status,
            error,
            request_id,
        }) => Ok(Json(error_envelope(
            status,
            request_id,
            serde_json::to_value(&*error).unwrap_or(Value::Null),
        ))),
        Err(spindle_okta::Error::Http {
            status,
            snippet,
            request_id,
            ..
        }) => Ok(Json(error_envelope(
            status,
            request_id,
            Value::String(snippet),
        ))),
        Err(other) => Err(okta_failure(&other, &clients.connection.name)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn org_api_paths_pass() {
        for path in [
            "/api/v1/users",
            "/api/v1/users/00u1/appLinks",
            "/api/v2/x",
            "/api/v1/users/a%40b.com",
        ] {
            assert!(check_path(path).is_ok(), "{path}");
        }
    }

    #[test]
    fn paths_that_could_escape_the_api_are_refused() {
        for path in [
            "https://evil.example/api/v1/users",
            "//evil.example/api/v1/users",
            "api/v1/users",
            "/oauth2/v1/token",
            "/api/v1/../../oauth2/v1/token",
            "/api/v1/%2e%2e/x",
            "/api/v1/users%2F..",
            "/api/v1/users?limit=1",
            "/api/v1/users\\x",
            "/api/v1//users",
            "/api/vx/users",
            "/api/v1",
            "/idp/myaccount/organization",
        ] {
            let error = check_path(path).expect_err(path);
            assert!(error.problem().detail.starts_with("path:"), "{path}");
        }
    }

    #[test]
    fn templates_hide_ids() {
        assert_eq!(
            template_of("/api/v1/users/00u1abcdefGHIJ/groups"),
            "/api/v1/users/{id}/groups"
        );
        assert_eq!(
            template_of("/api/v1/users/ann%40example.com"),
            "/api/v1/users/{id}"
        );
        assert_eq!(template_of("/api/v1/groups"), "/api/v1/groups");
    }

    #[test]
    fn the_next_link_becomes_a_path() {
        let org = url::Url::parse("https://acme.okta.com").expect("url");
        let links = vec![
            "<https://acme.okta.com/api/v1/users?limit=2>; rel=\"self\", <https://acme.okta.com/api/v1/users?after=x&limit=2>; rel=\"next\"".to_owned(),
        ];
        let next = next_of(&links, &org).expect("a next page");
        assert_eq!(next.path, "/api/v1/users");
        assert_eq!(next.query.get("after").map(String::as_str), Some("x"));
        let foreign = vec!["<https://evil.example/api/v1/users?after=x>; rel=\"next\"".to_owned()];
        assert!(next_of(&foreign, &org).is_none());
    }
}
